//! Git blobs and messages → findings: the glue every git-aware command shares.
//!
//! Scans each new blob once per run (a blob seen clean is skipped after; a blob with
//! findings keeps them), keeps only the tokens on lines the change added (the diff is
//! computed only for blobs with findings), and attaches path, commit and blob id. Also
//! peels pushed tags (scanning annotated tags' messages) and walks commit lists within
//! a time budget.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gix::ObjectId;

use super::hook::Checked;
use crate::chunk::{Chunk, Origin};
use crate::detector::Detector;
use crate::finding::Finding;
use crate::repo::{self, cause, RepoError};
use crate::source::history::{self, Graph};
use crate::source::{tree_diff, Change};

/// How long a check may take (a server's pre-receive has a time limit).
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    deadline: Option<(Instant, Duration)>,
}

impl Budget {
    pub fn unlimited() -> Self {
        Budget { deadline: None }
    }

    pub fn seconds(limit: f64) -> Self {
        let limit = Duration::from_secs_f64(limit.max(0.0));
        Budget {
            deadline: Some((Instant::now() + limit, limit)),
        }
    }

    fn exceeded(&self) -> Option<Duration> {
        self.deadline
            .and_then(|(at, limit)| (Instant::now() > at).then_some(limit))
    }
}

/// Scans everything `commits` add, on one thread per object handle in `handles`
/// (commits dealt out in turn), stopping and saying so when the budget runs out.
/// Findings come back in the order of `commits`.
pub(crate) fn scan_commits<F: gix::objs::Find + Send>(
    detector: &Detector,
    handles: Vec<F>,
    shallow: &HashSet<ObjectId>,
    commits: &[ObjectId],
    budget: Budget,
) -> Checked {
    let threads = handles.len().max(1);
    let done = AtomicUsize::new(0);
    let out_of_time = AtomicBool::new(false);
    let results: Vec<Result<Checked, RepoError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = handles
            .into_iter()
            .enumerate()
            .map(|(t, objects)| {
                let (done, out_of_time) = (&done, &out_of_time);
                scope.spawn(move || -> Result<Checked, RepoError> {
                    let mut graph = Graph::detached(&objects, shallow.clone());
                    let mut scanner = Scanner::new(detector, &objects);
                    for id in commits.iter().skip(t).step_by(threads) {
                        if let Some(limit) = budget.exceeded() {
                            if !out_of_time.swap(true, Ordering::Relaxed) {
                                scanner.checked.problem(&format!(
                                    "ran out of its time budget ({:.1} s) after checking {} of {} commits, so \
                                     the rest was not checked. Raise the budget (INTERCEPT_TIME_BUDGET=<seconds>) \
                                     or push fewer commits at a time",
                                    limit.as_secs_f64(),
                                    done.load(Ordering::Relaxed),
                                    commits.len()
                                ));
                            }
                            break;
                        }
                        let changes = history::commit_changes(&mut graph, id)?;
                        for change in &changes.changes {
                            scanner.change(change, Some(id));
                        }
                        scanner.message("(commit message)", &changes.message, Some(id));
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(scanner.checked)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|_| Ok(panicked())))
            .collect()
    });
    let mut checked = Checked::default();
    for result in results {
        match result {
            Ok(part) => checked.absorb(part),
            Err(e) => checked.problem(&e),
        }
    }
    let order: HashMap<String, usize> = commits
        .iter()
        .enumerate()
        .map(|(i, id)| (id.to_string(), i))
        .collect();
    let rank = |f: &Finding| {
        f.origin
            .commit
            .as_ref()
            .and_then(|c| order.get(c))
            .copied()
            .unwrap_or(usize::MAX)
    };
    checked.findings.sort_by(|a, b| {
        (rank(a), &a.origin.path, a.line, a.column).cmp(&(rank(b), &b.origin.path, b.line, b.column))
    });
    checked
}

/// A worker that panicked checked nothing: say so (the hook fails closed).
fn panicked() -> Checked {
    let mut checked = Checked::default();
    checked
        .problem(&"an internal error stopped part of the check (a worker thread panicked). Please report it");
    checked
}

/// Threads for scanning `commits`: one per core, up to 8, and one for short lists.
pub(crate) fn threads_for(commits: usize) -> usize {
    if commits < 16 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// What a pushed ref's object peels to.
enum Peeled {
    Commit(ObjectId),
    Tree(ObjectId),
    Blob(ObjectId),
}

pub(crate) struct Scanner<'a, F> {
    detector: &'a Detector,
    objects: &'a F,
    clean: HashSet<ObjectId>,
    dirty: HashMap<ObjectId, Vec<Finding>>,
    new_buf: Vec<u8>,
    old_buf: Vec<u8>,
    pub checked: Checked,
}

impl<'a, F: gix::objs::Find> Scanner<'a, F> {
    pub fn new(detector: &'a Detector, objects: &'a F) -> Self {
        Scanner {
            detector,
            objects,
            clean: HashSet::new(),
            dirty: HashMap::new(),
            new_buf: Vec::new(),
            old_buf: Vec::new(),
            checked: Checked::default(),
        }
    }

    /// Scans what `change` adds; `commit` is the commit that adds it, if any.
    pub fn change(&mut self, change: &Change, commit: Option<&ObjectId>) {
        if self.clean.contains(&change.new) {
            return;
        }
        let mut found = match self.dirty.get(&change.new) {
            Some(found) => found.clone(),
            None => {
                let new = match repo::blob(self.objects, &change.new, &change.path, &mut self.new_buf) {
                    Ok(new) => new,
                    Err(e) => return self.checked.problem(&e),
                };
                self.checked.files += 1;
                self.checked.bytes += new.len() as u64;
                let origin = Origin::default();
                let mut found = Vec::new();
                self.detector.scan(&Chunk::whole(&origin, new), &mut found);
                if found.is_empty() {
                    self.clean.insert(change.new);
                    return;
                }
                self.dirty.insert(change.new, found.clone());
                found
            }
        };
        if let Some(old_id) = change.old {
            match (
                repo::blob(self.objects, &old_id, &change.path, &mut self.old_buf),
                repo::blob(self.objects, &change.new, &change.path, &mut self.new_buf),
            ) {
                (Ok(old), Ok(new)) => crate::added::retain_added(&mut found, old, new),
                // Without the old blob every line counts as added: report, do not guess.
                (Err(e), _) | (_, Err(e)) => tracing::warn!("{e}"),
            }
        }
        for f in &mut found {
            f.origin = Origin {
                path: change.path.clone(),
                commit: commit.map(ToString::to_string),
                blob: Some(change.new.to_string()),
                ..Origin::default()
            };
        }
        self.checked.findings.extend(found);
    }

    /// Scans a commit or tag message.
    pub fn message(&mut self, what: &str, bytes: &[u8], commit: Option<&ObjectId>) {
        let origin = Origin {
            path: what.as_bytes().to_vec(),
            commit: commit.map(ToString::to_string),
            blob: None,
            ..Origin::default()
        };
        self.detector
            .scan(&Chunk::whole(&origin, bytes), &mut self.checked.findings);
    }

    /// Peels a pushed object to a commit (returned, to walk), scanning annotated tags'
    /// messages and, for a ref that points at a tree or a blob, its content.
    pub fn peel(&mut self, id: ObjectId) -> Result<Option<ObjectId>, RepoError> {
        match self.peel_object(id)? {
            Peeled::Commit(commit) => Ok(Some(commit)),
            Peeled::Tree(tree) => {
                let mut changes = Vec::new();
                let mut trees = tree_diff::Trees::new(self.objects, 16 << 20);
                tree_diff::changes(&mut trees, None, tree, b"", &mut changes)?;
                for change in &changes {
                    self.change(change, None);
                }
                Ok(None)
            }
            Peeled::Blob(blob) => {
                let change = Change {
                    path: format!("(blob {blob})").into_bytes(),
                    new: blob,
                    old: None,
                };
                self.change(&change, None);
                Ok(None)
            }
        }
    }

    fn peel_object(&mut self, mut id: ObjectId) -> Result<Peeled, RepoError> {
        let error = |id: ObjectId, cause: String| RepoError::Object {
            kind: "object",
            id,
            at: None,
            cause,
        };
        for _ in 0..32 {
            let mut buf = Vec::new();
            let (kind, target, message) = {
                let data = self
                    .objects
                    .try_find(&id, &mut buf)
                    .map_err(|e| error(id, cause(&e)))?
                    .ok_or_else(|| error(id, "the object is missing".to_string()))?;
                match data.kind {
                    gix::objs::Kind::Tag => {
                        let tag = gix::objs::TagRef::from_bytes(data.data, id.kind())
                            .map_err(|e| error(id, cause(&e)))?;
                        (data.kind, Some(tag.target()), tag.message.to_vec())
                    }
                    kind => (kind, None, Vec::new()),
                }
            };
            match (kind, target) {
                (gix::objs::Kind::Tag, Some(target)) => {
                    self.message("(tag message)", &message, Some(&id));
                    id = target;
                }
                (gix::objs::Kind::Commit, _) => return Ok(Peeled::Commit(id)),
                (gix::objs::Kind::Tree, _) => return Ok(Peeled::Tree(id)),
                _ => return Ok(Peeled::Blob(id)),
            }
        }
        Err(error(id, "a chain of more than 32 tags".to_string()))
    }
}

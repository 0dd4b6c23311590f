//! Where blobs entered history: for a history audit's findings, the commit and path that
//! added each blob, its author and date, and a ref whose history holds the commit. One pass.
//!
//! Receives the repository and the ids of the blobs that hold findings; walks history once,
//! newest first from every ref (HEAD's branch first, then branches, tags, remote-tracking
//! refs, the rest), diffing each commit against its first parent until every blob has been
//! seen being added. Which ref holds a commit is learnt in the same pass: each ref labels
//! its tip, and a label flows from a commit to its parents (the better-ranked label wins),
//! so no commit is walked twice however many findings there are.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use gix::ObjectId;

use super::history::{self, Graph};
use crate::repo::{self, RepoError};

/// Where a blob was added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub commit: ObjectId,
    pub path: Vec<u8>,
    /// The commit's author (`Name <email>`) and author date (ISO 8601).
    pub author: Option<String>,
    pub date: Option<String>,
    /// A ref whose history holds the commit.
    pub reference: Option<String>,
}

/// For each blob, the commits (newest first) and paths that add it.
pub type Places = HashMap<ObjectId, Vec<Place>>;

/// Every ref (and HEAD) with the commit it points at, peeled; HEAD's branch first, then
/// branches, tags and remote-tracking refs: the order in which a ref is named for a finding.
pub fn named_ref_commits(repo: &gix::Repository) -> Vec<(String, ObjectId)> {
    ranked_refs(repo)
        .into_iter()
        .filter_map(|(name, id)| repo::peel_to_commit(&repo.objects, id).map(|c| (name, c)))
        .collect()
}

/// Every ref (and HEAD) with the object it names (not peeled: reading every tip's object
/// twice is most of the cost on a repository with thousands of refs), ranked as above.
fn ranked_refs(repo: &gix::Repository) -> Vec<(String, ObjectId)> {
    let mut tips = Vec::new();
    if let Some(head) = repo::head_commit_id(repo) {
        let name = repo::refs::head_name(repo).unwrap_or_else(|| "HEAD".to_string());
        tips.push((name, head));
    }
    tips.extend(repo::refs::all(repo, None).unwrap_or_default());
    let rank = |name: &str| match name {
        n if n.starts_with("refs/heads/") => 1,
        n if n.starts_with("refs/tags/") => 2,
        n if n.starts_with("refs/remotes/") => 3,
        _ => 4,
    };
    let head_first = tips.first().cloned();
    tips.sort_by_key(|(name, _)| rank(name));
    if let Some(first) = head_first {
        tips.retain(|t| t.0 != first.0);
        tips.insert(0, first);
    }
    tips
}

/// For each blob in `hits`: where it was added. On an error, what was found so far and
/// the error.
pub fn locate(
    repo: &gix::Repository,
    hits: &HashSet<ObjectId>,
    interrupt: &AtomicBool,
) -> (Places, Option<RepoError>) {
    let mut located = Places::new();
    match locate_into(repo, hits, interrupt, &mut located) {
        Ok(()) => (located, None),
        Err(e) => (located, Some(e)),
    }
}

fn locate_into(
    repo: &gix::Repository,
    hits: &HashSet<ObjectId>,
    interrupt: &AtomicBool,
    located: &mut Places,
) -> Result<(), RepoError> {
    if hits.is_empty() {
        return Ok(());
    }
    let refs = ranked_refs(repo);
    let mut graph = Graph::new(repo, &repo.objects);
    let mut walk = LabelWalk::default();
    for (i, tip) in load_tips(repo, &refs) {
        walk.seed(tip, i);
    }
    let mut remaining: HashSet<ObjectId> = hits.clone();
    // Newest first, until every blob has been seen being added (a token added last week is
    // found after a few commits, however long the history).
    while let Some(id) = walk.pop() {
        if remaining.is_empty() || interrupt.load(Ordering::SeqCst) {
            break;
        }
        let label = walk.label(&id);
        for parent in walk.parents(&id) {
            walk.offer(&mut graph, parent, label)?;
        }
        let changes = history::commit_changes(&mut graph, &id)?;
        let mut about: Option<(Option<String>, Option<String>)> = None;
        for change in changes.changes {
            if hits.contains(&change.new) {
                remaining.remove(&change.new);
                let (author, date) = about.get_or_insert_with(|| author_and_date(repo, &id)).clone();
                located.entry(change.new).or_default().push(Place {
                    commit: id,
                    path: change.path,
                    author,
                    date,
                    reference: refs.get(walk.label(&id)).map(|r| r.0.clone()),
                });
            }
        }
    }
    Ok(())
}

/// A ref's commit, its committer time and parents.
type Tip = (ObjectId, i64, Vec<ObjectId>);

/// Each ref's commit, loaded (on every core when there are many: a repository with
/// thousands of refs spends most of a provenance walk reading its tips), with the ref's
/// index; refs that do not lead to a commit are left out.
fn load_tips(repo: &gix::Repository, refs: &[(String, ObjectId)]) -> Vec<(usize, Tip)> {
    let threads = if refs.len() < 256 {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    let shallow = repo_shallow(repo);
    let load = |part: usize, objects: gix::OdbHandle| -> Vec<(usize, Tip)> {
        let mut graph = Graph::detached(&objects, shallow.clone());
        refs.iter()
            .enumerate()
            .skip(part)
            .step_by(threads)
            .filter_map(|(i, (_, id))| {
                let commit = repo::peel_to_commit(&objects, *id)?;
                let (time, parents) = graph.load(&commit).ok()?;
                Some((i, (commit, time, parents)))
            })
            .collect()
    };
    let mut tips: Vec<(usize, Tip)> = if threads == 1 {
        load(0, repo.objects.clone())
    } else {
        let handles: Vec<gix::OdbHandle> = (0..threads).map(|_| repo.objects.clone()).collect();
        std::thread::scope(|scope| {
            let load = &load;
            let parts: Vec<_> = handles
                .into_iter()
                .enumerate()
                .map(|(t, objects)| scope.spawn(move || load(t, objects)))
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_default())
                .collect()
        })
    };
    tips.sort_by_key(|(i, _)| *i);
    tips
}

/// The shallow boundary, for graphs made on other threads.
fn repo_shallow(repo: &gix::Repository) -> HashSet<ObjectId> {
    repo.shallow_commits()
        .ok()
        .flatten()
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default()
}

/// A walk of every ref's history, newest first (by committer time), that learns for each
/// commit the best-ranked ref (an index into the ranked ref list) whose history holds it:
/// each tip is labelled by its refs, and a label flows from a commit to its parents. A
/// label that improves on a commit already walked (clock skew) flows on to its ancestors.
#[derive(Default)]
struct LabelWalk {
    nodes: HashMap<ObjectId, (usize, Vec<ObjectId>)>,
    queue: std::collections::BinaryHeap<(i64, ObjectId)>,
}

impl LabelWalk {
    /// Reaches `id` with `label`.
    fn offer<F: gix::objs::Find>(
        &mut self,
        graph: &mut Graph<F>,
        id: ObjectId,
        label: usize,
    ) -> Result<(), RepoError> {
        if let Some(node) = self.nodes.get(&id) {
            if label < node.0 {
                // Better than what it had: pass it down what is already known.
                let mut todo = vec![id];
                while let Some(n) = todo.pop() {
                    if let Some(node) = self.nodes.get_mut(&n) {
                        if label < node.0 {
                            node.0 = label;
                            todo.extend(node.1.iter().copied());
                        }
                    }
                }
            }
            return Ok(());
        }
        let (time, parents) = graph.load(&id)?;
        self.nodes.insert(id, (label, parents));
        self.queue.push((time, id));
        Ok(())
    }

    /// Starts the walk at a tip already loaded.
    fn seed(&mut self, (id, time, parents): Tip, label: usize) {
        match self.nodes.get_mut(&id) {
            // Refs come in rank order: the first label a tip gets is its best.
            Some(_) => {}
            None => {
                self.nodes.insert(id, (label, parents));
                self.queue.push((time, id));
            }
        }
    }

    fn pop(&mut self) -> Option<ObjectId> {
        self.queue.pop().map(|(_, id)| id)
    }

    fn label(&self, id: &ObjectId) -> usize {
        self.nodes.get(id).map_or(usize::MAX, |n| n.0)
    }

    fn parents(&self, id: &ObjectId) -> Vec<ObjectId> {
        self.nodes.get(id).map(|n| n.1.clone()).unwrap_or_default()
    }
}

/// A commit's author and author date (ISO 8601).
fn author_and_date(repo: &gix::Repository, id: &ObjectId) -> (Option<String>, Option<String>) {
    use gix::prelude::FindExt as _;
    let mut buf = Vec::new();
    let about = match repo.objects.find_commit(id, &mut buf) {
        Ok(commit) => history::author_and_date(&commit),
        Err(_) => (None, None),
    };
    about
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::testing::{id, open, repo};

    #[test]
    fn a_blob_is_placed_where_history_added_it_with_the_best_ref() {
        let fixture = repo(
            "echo clean > a; git add a; commit one
             echo secret > s.env; git add s.env; commit two
             git checkout -q -b topic
             mkdir d; echo secret > d/copy.env; git add d; commit three
             git tag v1
             git checkout -q main
             echo other > o; git add o; commit four",
        );
        let git = open(&fixture);
        let secret = id(&fixture, "main:s.env");
        let stray = ObjectId::from_hex(b"2222222222222222222222222222222222222222").unwrap();
        let hits: HashSet<ObjectId> = [secret, stray].into();
        let (places, error) = locate(&git, &hits, &AtomicBool::new(false));
        assert!(error.is_none(), "{error:?}");
        let mut found: Vec<(String, ObjectId, Option<String>)> = places[&secret]
            .iter()
            .map(|p| {
                (
                    String::from_utf8_lossy(&p.path).into_owned(),
                    p.commit,
                    p.reference.clone(),
                )
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                (
                    "d/copy.env".to_string(),
                    id(&fixture, "topic"),
                    Some("refs/heads/topic".to_string())
                ),
                (
                    "s.env".to_string(),
                    id(&fixture, "main~1"),
                    Some("refs/heads/main".to_string())
                ),
            ]
        );
        let first = &places[&secret][0];
        assert_eq!(first.author.as_deref(), Some("Ada Tester <ada@example.com>"));
        assert!(first
            .date
            .as_deref()
            .is_some_and(|d| d.starts_with("2026-01-01T00:0")));
        assert!(
            !places.contains_key(&stray),
            "a blob no commit adds is not placed"
        );
        // HEAD's branch first, then branches, tags, remote-tracking refs.
        let names: Vec<String> = named_ref_commits(&git).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["refs/heads/main", "refs/heads/topic", "refs/tags/v1"]);
    }

    #[test]
    fn a_better_label_reaching_a_walked_commit_flows_to_its_ancestors() {
        let id = |n: u8| ObjectId::from_bytes_or_panic(&[n; 20]);
        let mut walk = LabelWalk::default();
        // 3 → 2 → 1 known with label 5; a better label 0 reaches 3 (clock skew).
        walk.nodes.insert(id(3), (5, vec![id(2)]));
        walk.nodes.insert(id(2), (5, vec![id(1)]));
        walk.nodes.insert(id(1), (2, vec![]));
        struct NoObjects;
        impl gix::objs::Find for NoObjects {
            fn try_find<'a>(
                &self,
                _: &gix::oid,
                _: &'a mut Vec<u8>,
            ) -> gix::Result<Option<gix::objs::Data<'a>>> {
                Ok(None)
            }
        }
        let objects = NoObjects;
        let mut graph = Graph::detached(&objects, HashSet::new());
        walk.offer(&mut graph, id(3), 0).unwrap();
        assert_eq!(
            (walk.label(&id(3)), walk.label(&id(2)), walk.label(&id(1))),
            (0, 0, 0)
        );
    }
}

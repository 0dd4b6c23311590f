//! `intercept scan --all`: every object in the database → detector → provenance →
//! allow-list → report.
//!
//! Blobs are scanned as stored (each exactly once per pack, on all cores); commit and tag
//! messages too. Only for blobs with findings is history walked, newest first from every
//! ref, diffing each commit against its first parent until every such blob has been seen
//! being added: that commit and path are its provenance. A blob no ref reaches is
//! reported as unreachable, with its id. Ctrl-C stops the scan promptly and reports what
//! was scanned (exit 2: not everything was checked).

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gix::objs::Kind;
use gix::ObjectId;

use super::hook::Checked;
use crate::chunk::{Chunk, Origin};
use crate::config::{self, Layer, Overrides, REPO_FILE};
use crate::detector::Detector;
use crate::finding::Finding;
use crate::repo;
use crate::source::history::{self, Graph};
use crate::source::objects::{self, Object};

/// Path shown for a blob no ref reaches.
const UNREACHABLE: &str = "(unreachable blob)";

pub(crate) fn scan_all(
    detector: &Detector,
    overrides: &Overrides,
    checked: &mut Checked,
) -> Result<(), String> {
    let repo = repo::open().map_err(|e| e.to_string())?;
    let hash = repo.object_hash();
    let interrupt = Arc::new(AtomicBool::new(false));
    {
        let interrupt = Arc::clone(&interrupt);
        // Ignored if a handler exists already (a second scan in one process).
        let _ = ctrlc::set_handler(move || interrupt.store(true, Ordering::SeqCst));
    }
    let found: Mutex<Vec<Finding>> = Mutex::new(Vec::new());
    let counters = Arc::new(Counters::default());
    let visit = |object: Object<'_>| {
        counters.objects.fetch_add(1, Ordering::Relaxed);
        counters
            .bytes
            .fetch_add(object.data.len() as u64, Ordering::Relaxed);
        let (origin, bytes) = match object.kind {
            Kind::Blob => (
                Origin {
                    path: Vec::new(),
                    commit: None,
                    blob: Some(object.id.to_string()),
                    ..Origin::default()
                },
                object.data,
            ),
            Kind::Commit | Kind::Tag => {
                let what = if object.kind == Kind::Commit {
                    "(commit message)"
                } else {
                    "(tag message)"
                };
                let body =
                    memchr::memmem::find(object.data, b"\n\n").map_or(&[][..], |i| &object.data[i + 2..]);
                (
                    Origin {
                        path: what.as_bytes().to_vec(),
                        commit: Some(object.id.to_string()),
                        blob: None,
                        ..Origin::default()
                    },
                    body,
                )
            }
            _ => return,
        };
        let mut local = Vec::new();
        detector.scan(&Chunk::whole(&origin, bytes), &mut local);
        if !local.is_empty() {
            if let Ok(mut all) = found.lock() {
                all.extend(local);
            }
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let started = Instant::now();
    let progress = Progress::start(&counters);
    let mut object_errors = Vec::new();
    for dir in objects::object_dirs(repo.objects.store_ref().path()) {
        match objects::pack_indexes(&dir) {
            Ok(indexes) => {
                for idx in indexes {
                    if interrupt.load(Ordering::SeqCst) {
                        break;
                    }
                    match objects::scan_pack(&idx, hash, threads, &interrupt, &counters.planned, &visit) {
                        Ok(stats) => tracing::debug!(?stats, "pack scanned"),
                        // Stopped by Ctrl-C: said once below, not as a damaged pack.
                        Err(_) if interrupt.load(Ordering::SeqCst) => break,
                        Err(e) => object_errors.push(e),
                    }
                }
            }
            Err(e) => object_errors.push(e),
        }
        if !interrupt.load(Ordering::SeqCst) {
            objects::scan_loose(&dir, hash, &visit, &mut object_errors);
        }
    }
    drop(progress);
    checked.files = counters.objects.load(Ordering::Relaxed);
    checked.bytes = counters.bytes.load(Ordering::Relaxed);
    tracing::debug!(elapsed = ?started.elapsed(), objects = checked.files, "object database scanned");
    for e in object_errors {
        checked.problem(&e);
    }
    if interrupt.load(Ordering::SeqCst) {
        checked.problem(&format!(
            "interrupted after {} objects ({} bytes): the rest was not checked. Run it again to finish",
            checked.files, checked.bytes
        ));
    }
    let mut findings = found.into_inner().unwrap_or_default();
    if repo.is_shallow().unwrap_or(false) {
        checked.problem(
            &"this is a shallow clone: history beyond its boundary is not here and was not checked. \
             Fetch it all (`git fetch --unshallow`) to audit everything",
        );
    }
    if is_partial_clone(&repo) {
        let missing = match count_missing_blobs(&repo, &interrupt) {
            Ok(n) => format!("{n} blob{} that history refers to", if n == 1 { "" } else { "s" }),
            Err(e) => format!("blobs (they could not be counted: {e})"),
        };
        checked.problem(&format!(
            "this is a partial clone: {missing} were never downloaded, so they were not checked \
             (intercept never fetches). Audit a full clone to cover them"
        ));
    }

    // Provenance for blob findings, then one finding per (blob, path, token position).
    let hits: HashSet<ObjectId> = findings
        .iter()
        .filter(|f| f.origin.commit.is_none())
        .filter_map(|f| {
            f.origin
                .blob
                .as_deref()
                .and_then(|b| ObjectId::from_hex(b.as_bytes()).ok())
        })
        .collect();
    let (located, walk_error) = locate(&repo, &hits, &interrupt);
    if let Some(e) = &walk_error {
        checked.problem(&format!(
            "cannot walk the history to find where tokens were added: {e}. They are reported by blob id"
        ));
    }
    let mut placed = Vec::with_capacity(findings.len());
    let mut seen = HashSet::new();
    for f in findings.drain(..) {
        if f.origin.commit.is_some() {
            if seen.insert((
                f.origin.commit.clone(),
                f.origin.path.clone(),
                f.line,
                f.column,
                f.fingerprint,
            )) {
                placed.push(f);
            }
            continue;
        }
        let blob = f.origin.blob.clone().unwrap_or_default();
        let places = ObjectId::from_hex(blob.as_bytes())
            .ok()
            .and_then(|id| located.get(&id));
        match places {
            Some(places) => {
                for place in places {
                    let mut g = f.clone();
                    g.origin.path = place.path.clone();
                    g.origin.commit = Some(place.commit.to_string());
                    g.origin.date = place.date.clone();
                    g.origin.reference = place.reference.clone();
                    if seen.insert((
                        Some(blob.clone()),
                        g.origin.path.clone(),
                        g.line,
                        g.column,
                        g.fingerprint,
                    )) {
                        placed.push(g);
                    }
                }
            }
            None => {
                let mut g = f;
                let what = if walk_error.is_some() {
                    "(blob, place unknown)"
                } else {
                    UNREACHABLE
                };
                g.origin.path = format!("{what} {blob}").into_bytes();
                if seen.insert((Some(blob), g.origin.path.clone(), g.line, g.column, g.fingerprint)) {
                    placed.push(g);
                }
            }
        }
    }
    checked.findings.extend(placed);

    // The repository's config as committed at HEAD.
    let layers: Vec<Layer> = match repo::head_commit_id(&repo) {
        Some(head) => repo::committed_file(&repo.objects, &head, REPO_FILE)
            .map_err(|e| e.to_string())?
            .map(|text| Layer {
                label: format!("{REPO_FILE} at HEAD"),
                text,
            })
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    let settings = config::resolve(&layers, overrides).map_err(|e| e.to_string())?;
    checked.settle(&settings);
    Ok(())
}

/// Blobs referenced by the trees of every commit reachable from a ref that are not in
/// the object database (each tree read once). Only run for partial clones.
fn count_missing_blobs(repo: &gix::Repository, interrupt: &AtomicBool) -> Result<usize, repo::RepoError> {
    use gix::objs::Exists as _;
    use gix::prelude::FindExt as _;
    let mut graph = Graph::new(repo, &repo.objects);
    let commits = history::commits(&mut graph, &ref_commits(repo), &[])?;
    let mut trees_seen = HashSet::new();
    let mut missing = HashSet::new();
    let mut buf = Vec::new();
    let mut todo = Vec::new();
    for id in commits {
        if interrupt.load(Ordering::SeqCst) {
            break;
        }
        let tree = repo
            .objects
            .find_commit(&id, &mut buf)
            .map_err(|e| repo::RepoError::Object {
                kind: "commit",
                id,
                at: None,
                cause: repo::cause(&e),
            })?
            .tree();
        todo.push(tree);
        while let Some(tree) = todo.pop() {
            if !trees_seen.insert(tree) {
                continue;
            }
            let t = repo::tree(&repo.objects, &tree, b"")?;
            for e in &t.entries {
                if e.mode.is_tree() {
                    todo.push(e.id);
                } else if e.mode.is_blob_or_symlink() && !repo.objects.exists(&e.id) {
                    missing.insert(e.id);
                }
            }
        }
    }
    Ok(missing.len())
}

/// The commits every ref (and HEAD) points at, peeled.
fn ref_commits(repo: &gix::Repository) -> Vec<ObjectId> {
    named_ref_commits(repo).into_iter().map(|(_, id)| id).collect()
}

/// Every ref (and HEAD) with the commit it points at, peeled; HEAD's branch first, then
/// branches, tags and remote-tracking refs: the order in which a ref is named for a finding.
fn named_ref_commits(repo: &gix::Repository) -> Vec<(String, ObjectId)> {
    let mut tips = Vec::new();
    if let Some(head) = repo::head_commit_id(repo) {
        let name = repo
            .head_name()
            .ok()
            .flatten()
            .map_or_else(|| "HEAD".to_string(), |n| n.as_bstr().to_string());
        tips.push((name, head));
    }
    if let Ok(platform) = repo.references() {
        if let Ok(all) = platform.all() {
            for mut r in all.flatten() {
                let name = r.name().as_bstr().to_string();
                if let Ok(id) = r.peel_to_id() {
                    tips.push((name, id.detach()));
                }
            }
        }
    }
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
    // Only commits: a ref may name a tree or a blob.
    tips.retain(|(_, id)| repo.find_object(*id).is_ok_and(|o| o.kind == Kind::Commit));
    tips
}

/// How many refs are tried to name the ref a finding's commit is on.
const REF_CANDIDATES: usize = 32;

/// The first ref (in `named_ref_commits` order, at most `REF_CANDIDATES`) whose history
/// holds `commit`.
fn ref_containing(repo: &gix::Repository, refs: &[(String, ObjectId)], commit: &ObjectId) -> Option<String> {
    for (name, tip) in refs.iter().take(REF_CANDIDATES) {
        if tip == commit {
            return Some(name.clone());
        }
        let mut graph = Graph::new(repo, &repo.objects);
        // Reachable from the tip: nothing of `commit` is left once the tip is hidden.
        if history::commits(&mut graph, &[*commit], &[*tip]).is_ok_and(|c| c.is_empty()) {
            return Some(name.clone());
        }
    }
    None
}

fn is_partial_clone(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    config.string("extensions.partialClone").is_some()
        || repo.remote_names().iter().any(|name| {
            config
                .boolean(format!("remote.{name}.promisor").as_str())
                .unwrap_or(false)
        })
}

/// Where each hit blob was added.
#[derive(Clone, Debug)]
struct Place {
    commit: ObjectId,
    path: Vec<u8>,
    /// The commit's author date.
    date: Option<String>,
    /// A ref whose history holds the commit.
    reference: Option<String>,
}

type Places = HashMap<ObjectId, Vec<Place>>;

/// A commit's author date, ISO 8601.
fn author_date(repo: &gix::Repository, id: &ObjectId) -> Option<String> {
    use gix::prelude::FindExt as _;
    let mut buf = Vec::new();
    let commit = repo.objects.find_commit(id, &mut buf).ok()?;
    let time = commit.author().ok()?.time().ok()?;
    time.format(gix::date::time::format::ISO8601_STRICT).ok()
}

/// For each blob in `hits`: the commits (newest first) and paths that add it, found by
/// walking from every ref and stopping once every blob has been seen. On an error, what
/// was found so far and the error.
fn locate(
    repo: &gix::Repository,
    hits: &HashSet<ObjectId>,
    interrupt: &AtomicBool,
) -> (Places, Option<repo::RepoError>) {
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
) -> Result<(), repo::RepoError> {
    if hits.is_empty() {
        return Ok(());
    }
    let refs = named_ref_commits(repo);
    let tips: Vec<ObjectId> = refs.iter().map(|(_, id)| *id).collect();
    let mut graph = Graph::new(repo, &repo.objects);
    let commits = history::commits(&mut graph, &tips, &[])?;
    let mut remaining: HashSet<ObjectId> = hits.clone();
    for id in &commits {
        if remaining.is_empty() || interrupt.load(Ordering::SeqCst) {
            break;
        }
        let changes = history::commit_changes(&mut graph, id)?;
        let mut about: Option<(Option<String>, Option<String>)> = None;
        for change in changes.changes {
            if hits.contains(&change.new) {
                remaining.remove(&change.new);
                let (date, reference) = about
                    .get_or_insert_with(|| (author_date(repo, id), ref_containing(repo, &refs, id)))
                    .clone();
                located.entry(change.new).or_default().push(Place {
                    commit: *id,
                    path: change.path,
                    date,
                    reference,
                });
            }
        }
    }
    Ok(())
}

/// Counters shared by the scan and the progress line.
#[derive(Default)]
pub(crate) struct Counters {
    pub objects: AtomicU64,
    pub bytes: AtomicU64,
    /// Objects the packs classified so far will hand over (for the ETA).
    pub planned: AtomicU64,
}

/// A progress line on stderr (objects, bytes, rate, ETA), only when stderr is a terminal
/// and only once the scan has run for a second. Stopped and cleared when dropped.
struct Progress {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(counters: &Arc<Counters>) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { stop, thread: None };
        }
        let (stop2, counters) = (Arc::clone(&stop), Arc::clone(counters));
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut shown = false;
            while !stop2.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(200));
                let elapsed = started.elapsed();
                if elapsed < Duration::from_secs(1) {
                    continue;
                }
                let objects = counters.objects.load(Ordering::Relaxed);
                let bytes = counters.bytes.load(Ordering::Relaxed);
                let planned = counters.planned.load(Ordering::Relaxed);
                let rate = bytes as f64 / elapsed.as_secs_f64() / (1 << 20) as f64;
                let eta = if objects > 0 && planned > objects {
                    let left = elapsed.as_secs_f64() * (planned - objects) as f64 / objects as f64;
                    format!(", about {left:.0} s left")
                } else {
                    String::new()
                };
                let _ = write!(
                    std::io::stderr().lock(),
                    "\rintercept: {objects} objects, {:.0} MiB, {rate:.0} MiB/s{eta}   ",
                    bytes as f64 / (1 << 20) as f64
                );
                shown = true;
            }
            if shown {
                let _ = write!(std::io::stderr().lock(), "\r{:72}\r", "");
            }
        });
        Progress {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

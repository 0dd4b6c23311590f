//! A whole object database through the session: `intercept scan --all`.
//!
//! Every blob (each exactly once per pack, on all cores) goes through the content layer as
//! stored; commit and tag messages too. Findings in blobs wait until history has been
//! walked once to learn where each blob was added ([`provenance`]); then each is reported
//! once per (blob, path) with the commit, author, date and a ref, or as an unreachable blob.
//! Ctrl-C stops the scan promptly and reports what was scanned (exit 2).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use gix::objs::Kind;
use gix::ObjectId;

use super::git::Collected;
use super::Session;
use crate::content::{Buffers, Input, Issue};
use crate::finding::Finding;
use crate::origin::Origin;
use crate::repo;
use crate::source::history::{self, Graph};
use crate::source::objects::{self, Object};
use crate::source::provenance;

/// Counters shared by the scan and a progress display.
#[derive(Default)]
pub struct Counters {
    pub objects: AtomicU64,
    pub bytes: AtomicU64,
    /// Objects the audit expects to visit (for a percentage and an ETA): planned from the
    /// pack indexes and loose objects up front, narrowed as each pack is classified.
    pub planned: AtomicU64,
}

/// Path shown for a blob no ref reaches.
const UNREACHABLE: &str = "(unreachable blob)";

impl Session<'_> {
    /// Scans every object of `repo`'s database and reports findings with their provenance.
    pub fn audit(&mut self, repo: &gix::Repository, interrupt: &AtomicBool, counters: &Counters) {
        self.counting_objects();
        let hash = repo.object_hash();
        let found = Mutex::new(Collected::default());
        let messages = Mutex::new(Vec::<(ObjectId, Collected)>::new());
        let decoders = &self.decoders;
        let visit = |object: Object<'_>| {
            counters.objects.fetch_add(1, Ordering::Relaxed);
            counters
                .bytes
                .fetch_add(object.data.len() as u64, Ordering::Relaxed);
            let mut out = Collected::default();
            let mut bufs = Buffers::default();
            match object.kind {
                Kind::Blob => {
                    let origin = Origin {
                        blob: Some(object.id),
                        ..Origin::default()
                    };
                    decoders.scan(&origin, Input::Bytes(object.data), &mut bufs, &mut out);
                    if !out.findings.is_empty() || !out.issues.is_empty() {
                        if let Ok(mut all) = found.lock() {
                            all.findings.append(&mut out.findings);
                            all.issues.append(&mut out.issues);
                        }
                    }
                }
                Kind::Commit | Kind::Tag => {
                    let origin = if object.kind == Kind::Commit {
                        Origin::commit_message(Some(object.id))
                    } else {
                        Origin::tag_message(object.id)
                    };
                    let body =
                        memchr::memmem::find(object.data, b"\n\n").map_or(&[][..], |i| &object.data[i + 2..]);
                    decoders.scan(&origin, Input::Bytes(body), &mut bufs, &mut out);
                    if object.kind == Kind::Commit && !out.findings.is_empty() {
                        // Who wrote the message, and when (read only for a message with a token).
                        if let Ok(commit) = gix::objs::CommitRef::from_bytes(object.data, hash) {
                            let (author, date) = crate::source::history::author_and_date(&commit);
                            for f in &mut out.findings {
                                f.origin.author.clone_from(&author);
                                f.origin.date.clone_from(&date);
                            }
                        }
                    }
                    if !out.findings.is_empty() || !out.issues.is_empty() {
                        if let Ok(mut all) = messages.lock() {
                            all.push((object.id, out));
                        }
                    }
                }
                _ => {}
            }
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut errors = Vec::new();
        // The plan, before anything is read: every pack's entries (each pack narrows its
        // share to what it will visit once classified) and the loose objects, so the
        // progress line has a percentage from the start.
        let dirs = repo::repo_object_dirs(repo);
        let mut counted = HashMap::new();
        for dir in &dirs {
            for idx in objects::pack_indexes(dir).unwrap_or_default() {
                let n = objects::pack_entries(&idx, hash);
                counters.planned.fetch_add(n, Ordering::Relaxed);
                counted.insert(idx, n);
            }
            counters
                .planned
                .fetch_add(objects::count_loose(dir), Ordering::Relaxed);
        }
        for dir in dirs {
            match objects::pack_indexes(&dir) {
                Ok(indexes) => {
                    for idx in indexes {
                        if interrupt.load(Ordering::SeqCst) {
                            break;
                        }
                        let n = counted.get(&idx).copied().unwrap_or(0);
                        match objects::scan_pack(&idx, hash, threads, interrupt, &counters.planned, n, &visit)
                        {
                            Ok(stats) => tracing::debug!(?stats, "pack scanned"),
                            // Stopped by Ctrl-C: said once below, not as a damaged pack.
                            Err(_) if interrupt.load(Ordering::SeqCst) => break,
                            Err(e) => errors.push(e),
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
            if !interrupt.load(Ordering::SeqCst) {
                objects::scan_loose(&dir, hash, &visit, &mut errors);
            }
        }
        let objects_seen = counters.objects.load(Ordering::Relaxed);
        self.count(objects_seen, counters.bytes.load(Ordering::Relaxed));
        for e in errors {
            self.problem(e);
        }
        if interrupt.load(Ordering::SeqCst) {
            self.problem(format!(
                "interrupted after {objects_seen} objects: the rest was not checked. Run it again to finish"
            ));
        }
        if repo.is_shallow().unwrap_or(false) {
            self.problem(
                "this is a shallow clone: history beyond its boundary is not here and was not checked. \
                 Fetch it all (`git fetch --unshallow`) to audit everything",
            );
        }
        if is_partial_clone(repo) {
            let missing = match count_missing_blobs(repo, interrupt) {
                Ok(n) => format!("{n} blob{} that history refers to", if n == 1 { "" } else { "s" }),
                Err(e) => format!("blobs (they could not be counted: {e})"),
            };
            self.problem(format!(
                "this is a partial clone: {missing} were never downloaded, so they were not checked \
                 (intercept never fetches). Audit a full clone to cover them"
            ));
        }

        // Messages, in a stable order.
        let mut messages = messages.into_inner().unwrap_or_default();
        messages.sort_by_key(|(id, _)| *id);
        let mut seen = HashSet::new();
        for (_, mut c) in messages {
            c.findings
                .retain(|f| seen.insert((f.origin.object(), f.line, f.column, f.fingerprint)));
            self.collected(c);
        }

        // Blob findings and the parts of blobs that could not be checked, placed where
        // history added them (one walk for all of them): a path entry of the allow-list can
        // then cover a deliberately odd fixture. Notes are said by blob id (an LFS pointer is
        // no reason to walk history).
        let blobs = found.into_inner().unwrap_or_default();
        let hits: HashSet<ObjectId> = blobs
            .findings
            .iter()
            .filter_map(|f| f.origin.blob)
            .chain(
                blobs
                    .issues
                    .iter()
                    .filter(|i| i.blocks())
                    .filter_map(|i| i.origin().blob),
            )
            .collect();
        let (located, walk_error) = provenance::locate(repo, &hits, interrupt);
        for issue in place_issues(blobs.issues, &located) {
            self.issue(issue);
        }
        if let Some(e) = &walk_error {
            self.problem(format!(
                "cannot walk the history to find where tokens were added: {e}. They are reported by blob id"
            ));
        }
        for f in place(blobs.findings, &located, walk_error.is_some()) {
            self.finding(f);
        }
    }
}

/// Each blob finding once per place its blob was added (or once, as unreachable).
fn place(mut findings: Vec<Finding>, located: &provenance::Places, walk_failed: bool) -> Vec<Finding> {
    findings.sort_by_key(|f| (f.origin.blob, f.line, f.column));
    let mut placed = Vec::with_capacity(findings.len());
    let mut seen = HashSet::new();
    for f in findings {
        let Some(blob) = f.origin.blob else { continue };
        match located.get(&blob) {
            Some(places) => {
                for place in places {
                    let mut g = f.clone();
                    g.origin.path = place.path.clone();
                    g.origin.commit = Some(place.commit);
                    g.origin.author = place.author.clone();
                    g.origin.date = place.date.clone();
                    g.origin.reference = place.reference.clone();
                    if seen.insert(key(&g)) {
                        placed.push(g);
                    }
                }
            }
            None => {
                let mut g = f;
                let what = if walk_failed {
                    "(blob, place unknown)"
                } else {
                    UNREACHABLE
                };
                g.origin.path = format!("{what} {blob}").into_bytes();
                if seen.insert(key(&g)) {
                    placed.push(g);
                }
            }
        }
    }
    placed
}

/// Each blob issue that blocks once per (path, member) its blob was added at; the rest (and
/// blobs no walk placed) by blob id.
fn place_issues(issues: Vec<Issue>, located: &provenance::Places) -> Vec<Issue> {
    let mut placed = Vec::with_capacity(issues.len());
    let mut seen = HashSet::new();
    for issue in issues {
        let places = issue
            .origin()
            .blob
            .filter(|_| issue.blocks())
            .and_then(|blob| located.get(&blob));
        let Some(places) = places else {
            placed.push(issue);
            continue;
        };
        for place in places {
            let mut i = issue.clone();
            let o = i.origin_mut();
            o.path = place.path.clone();
            o.commit = Some(place.commit);
            o.reference = place.reference.clone();
            if seen.insert((o.blob, o.path.clone(), o.members.clone(), i.message())) {
                placed.push(i);
            }
        }
    }
    placed
}

type Key = (
    Option<ObjectId>,
    Vec<u8>,
    Vec<Vec<u8>>,
    u64,
    u64,
    crate::finding::Fingerprint,
);

fn key(f: &Finding) -> Key {
    (
        f.origin.blob,
        f.origin.path.clone(),
        f.origin.members.clone(),
        f.line,
        f.column,
        f.fingerprint,
    )
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

/// Blobs referenced by the trees of every commit reachable from a ref that are not in
/// the object database (each tree read once). Only run for partial clones.
fn count_missing_blobs(repo: &gix::Repository, interrupt: &AtomicBool) -> Result<usize, repo::RepoError> {
    use gix::objs::Exists as _;
    use gix::prelude::FindExt as _;
    let tips: Vec<ObjectId> = provenance::named_ref_commits(repo)
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    let mut graph = Graph::new(repo, &repo.objects);
    let commits = history::commits(&mut graph, &tips, &[])?;
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
                source: e.into(),
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

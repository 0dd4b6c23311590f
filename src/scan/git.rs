//! Git blobs and messages through the session: each blob read and scanned once, what a
//! change added kept, origins attached; long commit lists on every core, in order.
//!
//! Receives [`Change`]s (a path, the new blob, the old one) from the staged, pushed and
//! history sources and commit ids to walk; hands findings and issues to the session's
//! emitter in the order of the commits. A blob seen clean is skipped the next time; a blob
//! too large to hold is streamed from the object database.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use gix::ObjectId;

use super::{added, Session};
use crate::content::{self, Buffers, Collect, Decoders, Input, Issue};
use crate::finding::Finding;
use crate::origin::{Origin, Subject};
use crate::repo::{self, Blob, ObjectDirs, RepoError};
use crate::source::history::{self, Graph};
use crate::source::Change;

/// What a piece of git work found, for the session to emit in order.
#[derive(Default)]
pub struct Collected {
    pub findings: Vec<Finding>,
    pub issues: Vec<Issue>,
    /// What could not be read at all (a missing object), said as it is.
    pub problems: Vec<String>,
    pub files: u64,
    pub bytes: u64,
}

impl Collect for Collected {
    fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
    fn issue(&mut self, issue: Issue) {
        self.issues.push(issue);
    }
}

impl Collected {
    fn problem(&mut self, e: &dyn std::fmt::Display) {
        self.problems.push(e.to_string());
    }
}

/// Reads and scans blobs for one thread; remembers the clean ones.
pub struct Blobs<'a, F> {
    objects: &'a F,
    /// Object directories, for streaming large blobs.
    dirs: &'a ObjectDirs,
    clean: HashSet<ObjectId>,
    buf: Vec<u8>,
    old_buf: Vec<u8>,
    bufs: Buffers,
}

impl<'a, F: gix::objs::Find + gix::objs::FindHeader> Blobs<'a, F> {
    pub fn new(objects: &'a F, dirs: &'a ObjectDirs) -> Self {
        Blobs {
            objects,
            dirs,
            clean: HashSet::new(),
            buf: Vec::new(),
            old_buf: Vec::new(),
            bufs: Buffers::default(),
        }
    }

    /// What `change` adds; `commit` is the commit that adds it, if any.
    pub fn change(
        &mut self,
        dec: &Decoders<'_>,
        change: &Change,
        commit: Option<ObjectId>,
        out: &mut Collected,
    ) {
        let origin = Origin {
            path: change.path.clone(),
            commit,
            blob: Some(change.new),
            ..Origin::default()
        };
        if change.old.is_none() {
            // A new path: its name is part of what the change adds.
            content::scan_path_name(dec.detector, &origin, &change.path, &mut |f| out.findings.push(f));
        }
        if self.clean.contains(&change.new) {
            return;
        }
        let mut found = Collected::default();
        match self.scan(dec, &origin, change.new, false, &mut found) {
            Ok(bytes) => {
                out.files += 1;
                out.bytes += bytes;
            }
            Err(e) => return out.problem(&e),
        }
        // A blob with an issue is not clean: at another path, an allow entry may differ.
        let clean = found.issues.is_empty();
        out.issues.append(&mut found.issues);
        if found.findings.is_empty() {
            if clean {
                self.clean.insert(change.new);
            }
            return;
        }
        if let Some(old) = change.old {
            self.keep_added(dec, &origin, old, change.new, &mut found.findings);
        }
        out.findings.append(&mut found.findings);
    }

    /// Scans blob `id` through the content layer; returns the bytes scanned. With `old`,
    /// the blob goes to `old_buf` (the new one stays in `buf`).
    fn scan(
        &mut self,
        dec: &Decoders<'_>,
        origin: &Origin,
        id: ObjectId,
        old: bool,
        out: &mut Collected,
    ) -> Result<u64, RepoError> {
        let buf = if old { &mut self.old_buf } else { &mut self.buf };
        let blob = repo::read_blob(self.objects, self.dirs, &id, &origin.path, buf)?;
        let scanned = match &blob {
            Blob::Bytes(bytes) => dec.scan(origin, Input::Bytes(bytes), &mut self.bufs, out),
            Blob::Large(large) => {
                let open = || large.open();
                dec.scan(origin, Input::Open(&open), &mut self.bufs, out)
            }
        };
        Ok(scanned.bytes)
    }

    /// Keeps the findings the change from `old` to `new` added.
    fn keep_added(
        &mut self,
        dec: &Decoders<'_>,
        origin: &Origin,
        old: ObjectId,
        new: ObjectId,
        found: &mut Vec<Finding>,
    ) {
        let (mut plain, mut decoded): (Vec<Finding>, Vec<Finding>) = found
            .drain(..)
            .partition(|f| f.origin.via.is_empty() && f.origin.subject == Subject::Content);
        let both_in_memory = repo::read_blob(self.objects, self.dirs, &new, &origin.path, &mut self.buf)
            .is_ok_and(|b| matches!(b, Blob::Bytes(_)))
            && repo::read_blob(self.objects, self.dirs, &old, &origin.path, &mut self.old_buf)
                .is_ok_and(|b| matches!(b, Blob::Bytes(_)));
        if both_in_memory && !plain.is_empty() {
            added::retain_added_lines(&mut plain, &self.old_buf, &self.buf);
        } else if !plain.is_empty() {
            decoded.append(&mut plain);
        }
        if !decoded.is_empty() {
            let mut before = Collected::default();
            let old_origin = Origin {
                blob: Some(old),
                ..origin.clone()
            };
            match self.scan(dec, &old_origin, old, true, &mut before) {
                Ok(_) => added::retain_more_than(&mut decoded, &before.findings),
                // Without the old blob every token counts as added: report, do not guess.
                Err(e) => tracing::warn!("{e}"),
            }
        }
        found.append(&mut plain);
        found.append(&mut decoded);
        found.sort_by_key(|f| (f.line, f.column));
    }
}

/// A commit's or tag's message, through the content layer.
pub fn message(dec: &Decoders<'_>, bufs: &mut Buffers, origin: &Origin, bytes: &[u8], out: &mut Collected) {
    dec.scan(origin, Input::Bytes(bytes), bufs, out);
}

/// Threads for scanning `commits`: one per core, up to 8, and one for short lists.
pub fn threads_for(commits: usize) -> usize {
    if commits < 16 {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

impl super::Emitter<'_> {
    /// Emits what a piece of git work found.
    pub fn collected(&mut self, c: Collected) {
        self.summary.files += c.files;
        self.summary.bytes += c.bytes;
        for f in c.findings {
            self.finding(f);
        }
        for issue in c.issues {
            self.issue(issue);
        }
        for message in c.problems {
            self.problem(None, message);
        }
    }
}

impl Session<'_> {
    /// Emits what a piece of git work found.
    pub fn collected(&mut self, c: Collected) {
        self.emit.collected(c);
    }

    /// Scans what `changes` add (a staged index, a pushed tree) on this thread.
    pub fn changes<F: gix::objs::Find + gix::objs::FindHeader>(
        &mut self,
        objects: &F,
        dirs: &ObjectDirs,
        changes: &[Change],
    ) {
        let mut blobs = Blobs::new(objects, dirs);
        let mut out = Collected::default();
        for change in changes {
            blobs.change(&self.decoders, change, None, &mut out);
        }
        self.collected(out);
    }

    /// Scans everything `commits` add and their messages, on one thread per handle in
    /// `handles` (commits dealt out in turn; one handle: on this thread), stopping and
    /// saying so when the budget runs out. Results reach the sink in the order of `commits`.
    pub fn commits<F: gix::objs::Find + gix::objs::FindHeader + Send>(
        &mut self,
        handles: Vec<F>,
        dirs: &ObjectDirs,
        shallow: &HashSet<ObjectId>,
        commits: &[ObjectId],
    ) {
        let threads = handles.len().max(1);
        let budget = self.budget;
        let out_of_time = AtomicBool::new(false);
        let checked = AtomicUsize::new(0);
        let decoders = &self.decoders;
        // One commit's work; `None` once the budget has run out.
        let work = |graph: &mut Graph<'_, F>, blobs: &mut Blobs<'_, F>, id: ObjectId| -> Option<Collected> {
            if out_of_time.load(Ordering::Relaxed) || budget.exceeded().is_some() {
                out_of_time.store(true, Ordering::Relaxed);
                return None;
            }
            let mut out = Collected::default();
            match history::commit_changes(graph, &id) {
                Ok(changes) => {
                    for change in &changes.changes {
                        blobs.change(decoders, change, Some(id), &mut out);
                    }
                    let origin = Origin::commit_message(Some(id));
                    message(decoders, &mut blobs.bufs, &origin, &changes.message, &mut out);
                    if !out.findings.is_empty() {
                        // Who committed the token, and when (JSON's `author` and `date`).
                        let (author, date) = graph.author_and_date(&id);
                        for f in out.findings.iter_mut().filter(|f| f.origin.commit == Some(id)) {
                            if f.origin.author.is_none() {
                                f.origin.author.clone_from(&author);
                            }
                            if f.origin.date.is_none() {
                                f.origin.date.clone_from(&date);
                            }
                        }
                    }
                }
                Err(e) => out.problem(&e),
            }
            checked.fetch_add(1, Ordering::Relaxed);
            Some(out)
        };
        let mut emitted = 0;
        if threads == 1 {
            // A hook's usual push: no thread to start.
            let objects = handles.into_iter().next();
            if let Some(objects) = &objects {
                let mut graph = Graph::detached(objects, shallow.clone());
                let mut blobs = Blobs::new(objects, dirs);
                for id in commits {
                    match work(&mut graph, &mut blobs, *id) {
                        Some(out) => self.emit.collected(out),
                        None => break,
                    }
                    emitted += 1;
                }
            }
        } else {
            let (tx, rx) = mpsc::sync_channel::<(usize, Option<Collected>)>(64);
            let emitter = &mut self.emit;
            std::thread::scope(|scope| {
                for (t, objects) in handles.into_iter().enumerate() {
                    let tx = tx.clone();
                    let work = &work;
                    scope.spawn(move || {
                        let mut graph = Graph::detached(&objects, shallow.clone());
                        let mut blobs = Blobs::new(&objects, dirs);
                        for i in (t..commits.len()).step_by(threads) {
                            // An empty result for each commit left keeps the order going.
                            let out = work(&mut graph, &mut blobs, commits[i]);
                            if tx.send((i, out)).is_err() {
                                return;
                            }
                        }
                    });
                }
                drop(tx);
                let mut waiting: BTreeMap<usize, Option<Collected>> = BTreeMap::new();
                for (i, out) in rx {
                    waiting.insert(i, out);
                    while let Some(out) = waiting.remove(&emitted) {
                        if let Some(out) = out {
                            emitter.collected(out);
                        }
                        emitted += 1;
                    }
                }
            });
        }
        let checked = checked.into_inner();
        if out_of_time.into_inner() {
            let limit = budget.exceeded().unwrap_or_default();
            self.problem(format!(
                "ran out of its time budget ({:.1} s) after checking {checked} of {} commits, so the rest was \
                 not checked. Raise the budget (INTERCEPT_TIME_BUDGET=<seconds>) or push fewer commits at a time",
                limit.as_secs_f64(),
                commits.len()
            ));
        } else if emitted < commits.len() || checked < commits.len() {
            self.problem(
                "an internal error stopped part of the check (a worker thread panicked), so not every commit \
                 was checked. Please report it",
            );
        }
    }

    /// A message (commit or tag) found by a source outside a commit walk.
    pub fn git_message(&mut self, origin: &Origin, bytes: &[u8]) {
        let mut out = Collected::default();
        message(&self.decoders, &mut self.bufs, origin, bytes, &mut out);
        self.collected(out);
    }
}

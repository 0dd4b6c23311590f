//! Git blobs and messages through the session: each blob read and scanned once, what a
//! change added kept, origins attached; long commit lists on every core, in order.
//!
//! Receives [`Change`]s (a path, the new blob, the old one) from the staged, pushed and
//! history sources and commit ids to walk; hands findings and issues to the session's
//! emitter in the order of the commits. A blob seen clean is skipped the next time; a blob
//! too large to hold is streamed from the object database.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use gix::ObjectId;

use super::{added, Session};
use crate::content::{self, Buffers, Collect, Decoders, Input, Issue};
use crate::finding::Finding;
use crate::origin::{Origin, Subject};
use crate::repo::{self, Blob, RepoError};
use crate::source::history::{self, Graph};
use crate::source::Change;

/// What a piece of git work found, for the session to emit in order.
#[derive(Default)]
pub struct Collected {
    pub findings: Vec<Finding>,
    pub issues: Vec<Issue>,
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
        self.issues.push(Issue::Unchecked {
            path: Vec::new(),
            message: e.to_string(),
        });
    }
}

/// Reads and scans blobs for one thread; remembers the clean ones.
pub struct Blobs<'a, F> {
    objects: &'a F,
    /// Object directories, for streaming large blobs.
    dirs: &'a [PathBuf],
    clean: HashSet<ObjectId>,
    buf: Vec<u8>,
    old_buf: Vec<u8>,
    bufs: Buffers,
}

impl<'a, F: gix::objs::Find + gix::objs::FindHeader> Blobs<'a, F> {
    pub fn new(objects: &'a F, dirs: &'a [PathBuf]) -> Self {
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
        out.issues.append(&mut found.issues);
        if found.findings.is_empty() {
            self.clean.insert(change.new);
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

impl Session<'_> {
    /// Emits what a piece of git work found.
    pub fn collected(&mut self, c: Collected) {
        self.count(c.files, c.bytes);
        for f in c.findings {
            self.emit.finding(f);
        }
        for issue in c.issues {
            self.emit.issue(issue);
        }
    }

    /// Scans what `changes` add (a staged index, a pushed tree) on this thread.
    pub fn changes<F: gix::objs::Find + gix::objs::FindHeader>(
        &mut self,
        objects: &F,
        dirs: &[PathBuf],
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
    /// `handles` (commits dealt out in turn), stopping and saying so when the budget runs
    /// out. Results reach the sink in the order of `commits`.
    pub fn commits<F: gix::objs::Find + gix::objs::FindHeader + Send>(
        &mut self,
        handles: Vec<F>,
        dirs: &[PathBuf],
        shallow: &HashSet<ObjectId>,
        commits: &[ObjectId],
    ) {
        let threads = handles.len().max(1);
        let budget = self.budget;
        let out_of_time = AtomicBool::new(false);
        let decoders = &self.decoders;
        let (tx, rx) = mpsc::sync_channel::<(usize, Collected)>(64);
        let mut next = 0;
        let mut waiting: BTreeMap<usize, Collected> = BTreeMap::new();
        let mut done = 0usize;
        let mut emit = |session_emit: &mut super::Emitter<'_>, i: usize, c: Collected| {
            waiting.insert(i, c);
            while let Some(c) = waiting.remove(&next) {
                session_emit.summary.files += c.files;
                session_emit.summary.bytes += c.bytes;
                c.findings.into_iter().for_each(|f| session_emit.finding(f));
                c.issues.into_iter().for_each(|i| session_emit.issue(i));
                next += 1;
            }
        };
        let emitter = &mut self.emit;
        std::thread::scope(|scope| {
            for (t, objects) in handles.into_iter().enumerate() {
                let tx = tx.clone();
                let out_of_time = &out_of_time;
                scope.spawn(move || {
                    let mut graph = Graph::detached(&objects, shallow.clone());
                    let mut blobs = Blobs::new(&objects, dirs);
                    for i in (t..commits.len()).step_by(threads) {
                        let mut out = Collected::default();
                        if budget.exceeded().is_some() || out_of_time.load(Ordering::Relaxed) {
                            out_of_time.store(true, Ordering::Relaxed);
                            // Keep the order: an empty result for each commit left.
                            if tx.send((i, out)).is_err() {
                                return;
                            }
                            continue;
                        }
                        let id = commits[i];
                        match history::commit_changes(&mut graph, &id) {
                            Ok(changes) => {
                                for change in &changes.changes {
                                    blobs.change(decoders, change, Some(id), &mut out);
                                }
                                message(
                                    decoders,
                                    &mut blobs.bufs,
                                    &Origin::commit_message(Some(id)),
                                    &changes.message,
                                    &mut out,
                                );
                            }
                            Err(e) => out.problem(&e),
                        }
                        if tx.send((i, out)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            for (i, c) in rx {
                if !out_of_time.load(Ordering::Relaxed) || !c.findings.is_empty() || !c.issues.is_empty() {
                    done += 1;
                }
                emit(emitter, i, c);
            }
        });
        if next < commits.len() {
            self.problem(
                "an internal error stopped part of the check (a worker thread panicked), so not every commit \
                 was checked. Please report it",
            );
        }
        if let Some(limit) = budget.exceeded().filter(|_| out_of_time.load(Ordering::Relaxed)) {
            self.problem(format!(
                "ran out of its time budget ({:.1} s) after checking {} of {} commits, so the rest was not \
                 checked. Raise the budget (INTERCEPT_TIME_BUDGET=<seconds>) or push fewer commits at a time",
                limit.as_secs_f64(),
                done.min(commits.len()),
                commits.len()
            ));
        }
    }

    /// A message (commit or tag) found by a source outside a commit walk.
    pub fn git_message(&mut self, origin: &Origin, bytes: &[u8]) {
        let mut out = Collected::default();
        message(&self.decoders, &mut self.bufs, origin, bytes, &mut out);
        self.collected(out);
    }
}

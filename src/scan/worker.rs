//! One thread's scanning: an [`Item`] through the content layer, its results handed to an
//! [`Out`] (the report, or a unit's buffer).
//!
//! Keeps what a thread needs between items: the piece buffers, the blob buffers, and the
//! blobs already seen clean (a blob is read and scanned once per thread and run). For an
//! item with a baseline (a changed path), keeps only what the change added ([`added`]).

use std::collections::HashSet;

use super::added;
use super::out::Out;
use crate::content::{self, Buffers, Collect, Decoders, Issue};
use crate::finding::Finding;
use crate::origin::{Origin, Subject};
use crate::source::{Blob, Input, Item, ObjectId, Objects, RepoError};

/// A thread's scanning state.
#[derive(Default)]
pub struct Worker {
    clean: HashSet<ObjectId>,
    buf: Vec<u8>,
    old_buf: Vec<u8>,
    bufs: Buffers,
}

/// Findings of one blob kept in memory, at most: enough for every real change, while a blob
/// of a million tokens must not hold a million findings. Past it, a blob without a baseline
/// hands its findings on as they come; one with a baseline is scanned again and its
/// findings judged one at a time as they stream ([`Worker::stream_added`]).
const MAX_KEPT: usize = 1024;

/// What scanning one blob found, before the baseline is taken away.
#[derive(Default)]
struct Found<'o> {
    findings: Vec<Finding>,
    issues: Vec<Issue>,
    /// Findings seen, kept or not.
    seen: usize,
    /// Where findings past `MAX_KEPT` go at once (after those kept), when there is no
    /// baseline to take away; without it they are dropped here and the blob scanned again.
    overflow: Option<&'o mut dyn Out>,
}

impl Collect for Found<'_> {
    fn finding(&mut self, finding: Finding) {
        self.seen += 1;
        if self.seen <= MAX_KEPT {
            return self.findings.push(finding);
        }
        if let Some(out) = self.overflow.as_deref_mut() {
            self.findings.drain(..).for_each(|f| out.finding(f));
            out.finding(finding);
        }
    }
    fn issue(&mut self, issue: Issue) {
        self.issues.push(issue);
    }
}

/// Counts the old blob's tokens (for [`Worker::stream_added`]).
struct Counting(added::Counts);

impl Collect for Counting {
    fn finding(&mut self, finding: Finding) {
        self.0.add(&finding);
    }
    fn issue(&mut self, _issue: Issue) {}
}

/// Hands on the findings a change added, judged one at a time.
struct Added<'a> {
    lines: Option<added::AddedLines>,
    counts: added::Counts,
    out: &'a mut dyn Out,
}

impl Collect for Added<'_> {
    fn finding(&mut self, f: Finding) {
        let keep = match &self.lines {
            Some(lines) if is_plain(&f) => lines.covers(&f),
            _ => self.counts.is_new(&f),
        };
        if keep {
            self.out.finding(f);
        }
    }
    fn issue(&mut self, _issue: Issue) {}
}

/// A finding in the text as stored (whose lines are the blob's lines).
fn is_plain(f: &Finding) -> bool {
    f.origin.via.is_empty() && f.origin.subject == Subject::Content
}

impl Worker {
    /// Scans `item`; what it finds goes to `out`.
    pub fn item(&mut self, dec: &Decoders<'_>, item: Item<'_>, out: &mut dyn Out) {
        let Item {
            origin,
            input,
            baseline,
        } = item;
        let counted = origin.subject == Subject::Content;
        let scanned = match input {
            Input::Name(name) => {
                content::scan_path_name(dec.detector, &origin, name, &mut |f| out.finding(f));
                return;
            }
            Input::Bytes(bytes) => dec.scan(&origin, content::Input::Bytes(bytes), &mut self.bufs, out),
            Input::Open(open) => dec.scan(&origin, content::Input::Open(open), &mut self.bufs, out),
            Input::Stream(reader) => dec.scan(&origin, content::Input::Stream(reader), &mut self.bufs, out),
            Input::Blob { id, objects } => {
                return self.blob(dec, &origin, id, objects, baseline, out);
            }
        };
        if counted {
            out.count(1, scanned.bytes);
        }
    }

    /// What blob `id` adds to `baseline` (everything without one); a blob seen clean
    /// before is not read again.
    fn blob(
        &mut self,
        dec: &Decoders<'_>,
        origin: &Origin,
        id: ObjectId,
        objects: &dyn Objects,
        baseline: Option<ObjectId>,
        out: &mut dyn Out,
    ) {
        if self.clean.contains(&id) {
            return;
        }
        let mut found = Found {
            overflow: if baseline.is_none() { Some(&mut *out) } else { None },
            ..Found::default()
        };
        let scanned = self.scan(dec, origin, id, objects, false, &mut found);
        let Found {
            mut findings,
            issues,
            seen,
            ..
        } = found;
        match scanned {
            Ok(bytes) => out.count(1, bytes),
            Err(e) => return out.problem(None, e.to_string()),
        }
        // A blob with an issue is not clean: at another path, an allow entry may differ.
        if issues.is_empty() && seen == 0 {
            self.clean.insert(id);
        }
        match baseline {
            Some(old) if seen > MAX_KEPT => {
                // Those kept are a part of what the second scan hands on.
                findings.clear();
                self.stream_added(dec, origin, objects, old, id, out);
            }
            Some(old) if seen > 0 => self.keep_added(dec, origin, objects, old, id, &mut findings),
            _ => {}
        }
        for f in findings {
            out.finding(f);
        }
        for i in issues {
            out.issue(i);
        }
    }

    /// What [`Worker::keep_added`] does, for a blob with too many findings to keep: the old
    /// blob's tokens counted (and its lines diffed, when both are in memory), then the new
    /// blob scanned again, each finding judged and handed on as it comes.
    fn stream_added(
        &mut self,
        dec: &Decoders<'_>,
        origin: &Origin,
        objects: &dyn Objects,
        old: ObjectId,
        new: ObjectId,
        out: &mut dyn Out,
    ) {
        let both_in_memory = objects
            .blob(&new, &origin.path, &mut self.buf)
            .is_ok_and(|b| matches!(b, Blob::Bytes(_)))
            && objects
                .blob(&old, &origin.path, &mut self.old_buf)
                .is_ok_and(|b| matches!(b, Blob::Bytes(_)));
        let lines = both_in_memory.then(|| added::AddedLines::new(&self.old_buf, &self.buf));
        let mut counts = Counting(added::Counts::default());
        let old_origin = Origin {
            blob: Some(old),
            ..origin.clone()
        };
        if let Err(e) = self.scan(dec, &old_origin, old, objects, true, &mut counts) {
            // Without the old blob every token counts as added: report, do not guess.
            tracing::warn!("{e}");
        }
        let mut added = Added {
            lines,
            counts: counts.0,
            out,
        };
        if let Err(e) = self.scan(dec, origin, new, objects, false, &mut added) {
            added.out.problem(None, e.to_string());
        }
    }

    /// Scans blob `id` through the content layer; returns the bytes scanned. With `old`,
    /// the blob goes to `old_buf` (the new one stays in `buf`).
    fn scan(
        &mut self,
        dec: &Decoders<'_>,
        origin: &Origin,
        id: ObjectId,
        objects: &dyn Objects,
        old: bool,
        out: &mut dyn Collect,
    ) -> Result<u64, RepoError> {
        let buf = if old { &mut self.old_buf } else { &mut self.buf };
        let blob = objects.blob(&id, &origin.path, buf)?;
        let scanned = match &blob {
            Blob::Bytes(bytes) => dec.scan(origin, content::Input::Bytes(bytes), &mut self.bufs, out),
            Blob::Large(large) => {
                let open = || large.open();
                dec.scan(origin, content::Input::Open(&open), &mut self.bufs, out)
            }
        };
        Ok(scanned.bytes)
    }

    /// Keeps the findings the change from `old` to `new` added.
    fn keep_added(
        &mut self,
        dec: &Decoders<'_>,
        origin: &Origin,
        objects: &dyn Objects,
        old: ObjectId,
        new: ObjectId,
        found: &mut Vec<Finding>,
    ) {
        let (mut plain, mut decoded): (Vec<Finding>, Vec<Finding>) = found
            .drain(..)
            .partition(|f| f.origin.via.is_empty() && f.origin.subject == Subject::Content);
        let both_in_memory = objects
            .blob(&new, &origin.path, &mut self.buf)
            .is_ok_and(|b| matches!(b, Blob::Bytes(_)))
            && objects
                .blob(&old, &origin.path, &mut self.old_buf)
                .is_ok_and(|b| matches!(b, Blob::Bytes(_)));
        if both_in_memory && !plain.is_empty() {
            added::retain_added_lines(&mut plain, &self.old_buf, &self.buf);
        } else if !plain.is_empty() {
            decoded.append(&mut plain);
        }
        if !decoded.is_empty() {
            let mut before = Counting(added::Counts::default());
            let old_origin = Origin {
                blob: Some(old),
                ..origin.clone()
            };
            match self.scan(dec, &old_origin, old, objects, true, &mut before) {
                Ok(_) => decoded.retain(|f| before.0.is_new(f)),
                // Without the old blob every token counts as added: report, do not guess.
                Err(e) => tracing::warn!("{e}"),
            }
        }
        found.append(&mut plain);
        found.append(&mut decoded);
        found.sort_by_key(|f| (f.line, f.column));
    }
}

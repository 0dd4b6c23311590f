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

/// What scanning one blob found, before the baseline is taken away.
#[derive(Default)]
struct Found {
    findings: Vec<Finding>,
    issues: Vec<Issue>,
}

impl Collect for Found {
    fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
    fn issue(&mut self, issue: Issue) {
        self.issues.push(issue);
    }
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
        let mut found = Found::default();
        match self.scan(dec, origin, id, objects, false, &mut found) {
            Ok(bytes) => out.count(1, bytes),
            Err(e) => return out.problem(None, e.to_string()),
        }
        // A blob with an issue is not clean: at another path, an allow entry may differ.
        if found.issues.is_empty() && found.findings.is_empty() {
            self.clean.insert(id);
        }
        if let (Some(old), false) = (baseline, found.findings.is_empty()) {
            self.keep_added(dec, origin, objects, old, id, &mut found.findings);
        }
        for f in found.findings {
            out.finding(f);
        }
        for i in found.issues {
            out.issue(i);
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
            let mut before = Found::default();
            let old_origin = Origin {
                blob: Some(old),
                ..origin.clone()
            };
            match self.scan(dec, &old_origin, old, objects, true, &mut before) {
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

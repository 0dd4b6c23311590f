//! What a source scanned on its own threads ([`Emit::concurrently`]: a history audit's pack
//! walk), held until the source has run and then placed.
//!
//! Such items name blobs, not paths (the audit reads every blob before history says where
//! it is). At the end, the blobs that hold findings (or parts that could not be checked)
//! are placed by one walk of history ([`Source::locate`]); each finding is then reported
//! once per (blob, path), with the commit, author, date and a ref, or as an unreachable blob.
//! Message findings come first, in the order of their object ids, each once.
//!
//! [`Emit::concurrently`]: crate::source::Emit::concurrently

use std::collections::{BTreeSet, HashSet};
use std::sync::Mutex;

use super::out::{Collected, Out};
use super::worker::Worker;
use super::Session;
use crate::content::{Collect, Decoders, Issue};
use crate::finding::Finding;
use crate::origin::Unnamed;
use crate::source::{Item, Located, ObjectId, Place, Scanner, Source};

/// What a source's own threads found, held until it is placed: everything but the
/// findings in blobs, and which blobs held some (they are scanned again once placed, so
/// memory does not grow with the findings' number).
#[derive(Default)]
pub struct Held {
    kept: Collected,
    blobs: BTreeSet<ObjectId>,
}

impl Held {
    fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.blobs.is_empty()
    }
}

/// Scans the items `run` hands to its scanner, from any thread, into `held`.
pub fn scan(decoders: &Decoders<'_>, held: &mut Collected, run: &mut dyn FnMut(&Scanner<'_>)) {
    let shared = Mutex::new(std::mem::take(held));
    let scanner = |item: Item<'_>| {
        let mut out = Uncounted(Collected::default());
        Worker::default().item(decoders, item, &mut out);
        let out = out.0;
        if !out.is_empty() {
            if let Ok(mut all) = shared.lock() {
                all.append(out);
            }
        }
    };
    run(&scanner);
    *held = shared.into_inner().unwrap_or_default();
}

/// As [`scan`], keeping of the findings in blobs only which blobs hold them.
pub fn scan_blobs(decoders: &Decoders<'_>, held: &mut Held, run: &mut dyn FnMut(&Scanner<'_>)) {
    let shared = Mutex::new(std::mem::take(held));
    let scanner = |item: Item<'_>| {
        let mut out = Marking::default();
        Worker::default().item(decoders, item, &mut out);
        if out.kept.is_empty() && out.blob.is_none() {
            return;
        }
        if let Ok(mut all) = shared.lock() {
            all.kept.append(out.kept);
            all.blobs.extend(out.blob);
        }
    };
    run(&scanner);
    *held = shared.into_inner().unwrap_or_default();
}

/// Results without their counts: a source that scans on its own threads counts what it
/// read itself (and most objects find nothing: nothing is kept for them).
struct Uncounted(Collected);

impl Collect for Uncounted {
    fn finding(&mut self, finding: Finding) {
        self.0.finding(finding);
    }
    fn issue(&mut self, issue: Issue) {
        self.0.issue(issue);
    }
}

impl Out for Uncounted {
    fn problem(&mut self, path: Option<Vec<u8>>, message: String) {
        self.0.problem(path, message);
    }
    fn notice(&mut self, path: Option<Vec<u8>>, message: String) {
        self.0.notice(path, message);
    }
    fn count(&mut self, _files: u64, _bytes: u64) {}
}

/// One item's results, uncounted, a blob's findings reduced to its id.
#[derive(Default)]
struct Marking {
    kept: Collected,
    blob: Option<ObjectId>,
}

impl Collect for Marking {
    fn finding(&mut self, finding: Finding) {
        match finding.origin.blob {
            Some(id) => self.blob = Some(id),
            None => self.kept.finding(finding),
        }
    }
    fn issue(&mut self, issue: Issue) {
        self.kept.issue(issue);
    }
}

impl Out for Marking {
    fn problem(&mut self, path: Option<Vec<u8>>, message: String) {
        self.kept.problem(path, message);
    }
    fn notice(&mut self, path: Option<Vec<u8>>, message: String) {
        self.kept.notice(path, message);
    }
    fn count(&mut self, _files: u64, _bytes: u64) {}
}

/// Places and reports what was held.
pub fn place(session: &mut Session<'_>, source: &mut dyn Source, held: Held) {
    if held.is_empty() {
        return;
    }
    let Session {
        decoders,
        emit,
        worker,
        ..
    } = session;
    let (messages, issues) = held.kept.split(emit);
    let hits: HashSet<ObjectId> = held
        .blobs
        .iter()
        .copied()
        .chain(
            issues
                .iter()
                .filter(|i| i.blocks())
                .filter_map(|i| i.origin().blob),
        )
        .collect();
    let commits: HashSet<ObjectId> = messages.iter().filter_map(|f| f.origin.commit).collect();
    let located = source.locate(&hits, &commits);

    // Messages, in a stable order, each once, with who wrote them when.
    let mut messages = messages;
    messages.sort_by_key(|f| f.origin.object());
    let mut seen = HashSet::new();
    for mut f in messages {
        if !seen.insert((f.origin.object(), f.line, f.column, f.fingerprint)) {
            continue;
        }
        if let Some((author, date)) = f.origin.commit.and_then(|c| located.authors.get(&c)) {
            f.origin.author.clone_from(author);
            f.origin.date.clone_from(date);
        }
        emit.finding(f);
    }
    for issue in place_issues(issues, &located) {
        emit.issue(issue);
    }
    let failed = located.failed.is_some();
    if let Some(e) = &located.failed {
        emit.problem(None, e.to_string());
    }
    // Each blob that held findings, scanned again in id order, its findings placed as they
    // come.
    let ids: Vec<ObjectId> = held.blobs.into_iter().collect();
    let mut placing = Placing {
        located: &located,
        walk_failed: failed,
        out: &mut *emit,
        blob: None,
        places: Vec::new(),
    };
    let result = source.rescan(&ids, &mut |item| worker.item(decoders, item, &mut placing));
    if let Err(e) = result {
        emit.problem(e.path().map(<[u8]>::to_vec), e.to_string());
    }
}

/// Hands on each finding of a blob scanned again once per path its blob was added at (or
/// once, as unreachable). What else the scan says was said the first time.
struct Placing<'p, 'o> {
    located: &'p Located,
    walk_failed: bool,
    out: &'o mut dyn Out,
    /// The blob whose places are in `places`: each path once, at its first place.
    blob: Option<ObjectId>,
    places: Vec<&'p Place>,
}

impl Collect for Placing<'_, '_> {
    fn finding(&mut self, f: Finding) {
        let Some(blob) = f.origin.blob else {
            return self.out.finding(f);
        };
        if self.blob != Some(blob) {
            self.blob = Some(blob);
            self.places.clear();
            let mut paths = HashSet::new();
            for place in self.located.places.get(&blob).into_iter().flatten() {
                if paths.insert(&place.path) {
                    self.places.push(place);
                }
            }
        }
        if self.places.is_empty() {
            let mut g = f;
            g.origin.unnamed = Some(if self.walk_failed {
                Unnamed::PlaceUnknown
            } else {
                Unnamed::Unreachable
            });
            return self.out.finding(g);
        }
        for place in &self.places {
            let mut g = f.clone();
            g.origin.path = place.path.clone();
            g.origin.commit = Some(place.commit);
            g.origin.author = place.author.clone();
            g.origin.date = place.date.clone();
            g.origin.reference = place.reference.clone();
            self.out.finding(g);
        }
    }
    fn issue(&mut self, _issue: Issue) {}
}

impl Out for Placing<'_, '_> {
    fn problem(&mut self, path: Option<Vec<u8>>, message: String) {
        self.out.problem(path, message);
    }
    fn notice(&mut self, _path: Option<Vec<u8>>, _message: String) {}
    fn count(&mut self, _files: u64, _bytes: u64) {}
}

/// Each blob issue that blocks once per (path, member) its blob was added at; the rest (and
/// blobs no walk placed) by blob id.
fn place_issues(issues: Vec<Issue>, located: &Located) -> Vec<Issue> {
    let mut placed = Vec::with_capacity(issues.len());
    let mut seen = HashSet::new();
    for issue in issues {
        let places = issue
            .origin()
            .blob
            .filter(|_| issue.blocks())
            .and_then(|blob| located.places.get(&blob));
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

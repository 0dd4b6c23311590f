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

use std::collections::HashSet;
use std::sync::Mutex;

use super::out::{Collected, Out};
use super::worker::Worker;
use super::Session;
use crate::content::{Collect, Decoders, Issue};
use crate::finding::Finding;
use crate::origin::Unnamed;
use crate::source::{Item, Located, ObjectId, Scanner, Source};

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

/// Places and reports what was held.
pub fn place(session: &mut Session<'_>, source: &mut dyn Source, held: Collected) {
    if held.is_empty() {
        return;
    }
    let emit = &mut session.emit;
    let (findings, issues) = held.split(emit);
    let (mut messages, blobs): (Vec<Finding>, Vec<Finding>) =
        findings.into_iter().partition(|f| f.origin.blob.is_none());
    let hits: HashSet<ObjectId> = blobs
        .iter()
        .filter_map(|f| f.origin.blob)
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
    for f in place_findings(blobs, &located, failed) {
        emit.finding(f);
    }
}

/// Each blob finding once per place its blob was added (or once, as unreachable).
fn place_findings(mut findings: Vec<Finding>, located: &Located, walk_failed: bool) -> Vec<Finding> {
    findings.sort_by_key(|f| (f.origin.blob, f.line, f.column));
    let mut placed = Vec::with_capacity(findings.len());
    let mut seen = HashSet::new();
    let key = |f: &Finding| {
        (
            f.origin.blob,
            f.origin.path.clone(),
            f.origin.unnamed,
            f.origin.members.clone(),
            f.line,
            f.column,
            f.fingerprint,
        )
    };
    for f in findings {
        let Some(blob) = f.origin.blob else { continue };
        match located.places.get(&blob) {
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
                g.origin.unnamed = Some(if walk_failed {
                    Unnamed::PlaceUnknown
                } else {
                    Unnamed::Unreachable
                });
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

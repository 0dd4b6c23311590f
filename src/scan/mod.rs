//! The scan session: one entry point, [`Session::run`], for every source.
//!
//! Receives a [`Source`]'s items and the resolved settings; runs each item through the
//! content layer (`worker`), keeps what a change added (`added`), applies the allow-list
//! and streams the results to a [`Sink`]. It owns the blob cache (each blob scanned once per
//! thread and run), the threads a long commit list is worked on (`units`), the time
//! budget, and the placing of what a source scanned on its own threads (`held`). The
//! outcome (exit code) is decided here from what reached the sink.

pub(crate) mod added;
mod held;
pub(crate) mod out;
pub mod sink;
mod units;
pub(crate) mod worker;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::config::Settings;
use crate::content::{self, Collect, Decoders, Issue};
use crate::detector::Detector;
use crate::finding::{Finding, Fingerprint};
use crate::outcome::Outcome;
use crate::source::{self, Emit, Item, Scanner, Source, UnitWork};
use out::Out;
pub use sink::{Notice, Problem, Sink, Summary, Verified};
use worker::Worker;

/// How long a check may take (a server's pre-receive has a time limit).
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    deadline: Option<(Instant, Duration)>,
}

impl Budget {
    pub fn unlimited() -> Self {
        Budget { deadline: None }
    }

    /// A limit of `limit` from now (`None`: no limit).
    pub fn of(limit: Option<Duration>) -> Self {
        Budget {
            deadline: limit.and_then(|l| Instant::now().checked_add(l).map(|at| (at, l))),
        }
    }

    /// The limit, once it has run out.
    pub fn exceeded(&self) -> Option<Duration> {
        self.deadline
            .and_then(|(at, limit)| (Instant::now() > at).then_some(limit))
    }
}

/// The allow-list and the sink, with the counts of what reached it.
struct Emitter<'a> {
    settings: &'a Settings,
    sink: &'a mut dyn Sink,
    summary: Summary,
    /// The tokens seen, allowed or not, that a fingerprint entry of the allow-list names
    /// (for stale entries): bounded by the list, not by the findings.
    seen: HashSet<Fingerprint>,
}

impl Collect for Emitter<'_> {
    fn finding(&mut self, finding: Finding) {
        if self.settings.allow.names(&finding.fingerprint) {
            self.seen.insert(finding.fingerprint);
        }
        match self
            .settings
            .allow
            .allowed(&finding, self.settings.inline_markers)
        {
            Some(allowed) => {
                self.summary.allowed += 1;
                self.sink.allowed(&allowed);
            }
            None => {
                self.summary.findings += 1;
                self.sink.finding(&finding);
            }
        }
    }

    /// Part of an item that could not be checked is a problem, unless a path entry of the
    /// allow-list covers the file: then it is said, as a note (what a problem's advice
    /// offers: "allow the archive's path if it holds no secret").
    fn issue(&mut self, issue: Issue) {
        let path = issue.origin().full_path();
        if !issue.blocks() {
            return self.notice(Some(path), issue.message());
        }
        match self.settings.allow.allows_path(&issue.origin().path) {
            Some(why) => self.notice(Some(path), format!("{} (allowed: {why})", issue.describe())),
            None => self.problem(Some(path), issue.message()),
        }
    }
}

impl Out for Emitter<'_> {
    fn problem(&mut self, path: Option<Vec<u8>>, message: String) {
        self.summary.problems += 1;
        self.sink.problem(&Problem { path, message });
    }

    fn notice(&mut self, path: Option<Vec<u8>>, message: String) {
        self.summary.notices += 1;
        self.sink.notice(&Notice { path, message });
    }

    fn count(&mut self, files: u64, bytes: u64) {
        self.summary.files += files;
        self.summary.bytes += bytes;
    }
}

/// One run: decoders, settings, a sink, and the counts.
pub struct Session<'a> {
    decoders: Decoders<'a>,
    emit: Emitter<'a>,
    pub budget: Budget,
    worker: Worker,
}

impl<'a> Session<'a> {
    pub fn new(
        detector: &'a Detector,
        settings: &'a Settings,
        lfs: Option<&'a content::lfs::Store>,
        sink: &'a mut dyn Sink,
    ) -> Self {
        Session {
            decoders: Decoders {
                detector,
                max_decompressed: settings.max_decompressed,
                lfs,
            },
            emit: Emitter {
                settings,
                sink,
                summary: Summary::default(),
                seen: HashSet::new(),
            },
            budget: Budget::unlimited(),
            worker: Worker::default(),
        }
    }

    /// Scans everything `source` hands on. What the source scanned on its own threads
    /// ([`Emit::concurrently`]) is placed ([`Source::locate`]) and reported at the end. A
    /// source that stops with an error has that error said (a hook blocks on it).
    pub fn run(&mut self, source: &mut dyn Source) {
        let mut held = held::Held::default();
        let result = source.run(&mut Front {
            session: self,
            held: &mut held,
        });
        held::place(self, source, held);
        if let Err(e) = result {
            self.problem_of(e);
        }
    }

    /// Something could not be checked (a hook fails closed on it).
    pub fn problem(&mut self, message: impl std::fmt::Display) {
        self.emit.problem(None, message.to_string());
    }

    fn problem_of(&mut self, e: source::Error) {
        let path = e.path().map(<[u8]>::to_vec);
        self.emit.problem(path, e.to_string());
    }

    pub fn notice(&mut self, message: impl std::fmt::Display) {
        self.emit.notice(None, message.to_string());
    }

    /// What reached the sink so far.
    pub fn summary(&self) -> Summary {
        self.emit.summary
    }

    /// The tokens seen so far, allowed or not, that a fingerprint entry names.
    pub fn seen(&self) -> &HashSet<Fingerprint> {
        &self.emit.seen
    }

    /// Ends the run: the sink's last word, and the outcome.
    pub fn finish(self) -> Outcome {
        let mut summary = self.emit.summary;
        if let Err(e) = self.emit.sink.finish(&summary) {
            summary.problems += 1;
            tracing::error!("cannot write the report: {e}");
            self.emit.sink.problem(&Problem {
                path: None,
                message: format!(
                    "cannot write the report: {e}. It is incomplete; write to a file or a pipe that stays open"
                ),
            });
        }
        Outcome::from_counts(summary.findings, summary.problems)
    }
}

/// The session as the source sees it on the session's own thread.
struct Front<'r, 's> {
    session: &'r mut Session<'s>,
    held: &'r mut held::Held,
}

impl Emit for Front<'_, '_> {
    fn item(&mut self, item: Item<'_>) {
        let s = &mut *self.session;
        s.worker.item(&s.decoders, item, &mut s.emit);
    }

    fn problem(&mut self, problem: source::Error) {
        self.session.problem_of(problem);
    }

    fn notice(&mut self, notice: String) {
        self.session.notice(notice);
    }

    fn skipped(&mut self, n: u64) {
        self.session.emit.summary.skipped += n;
    }

    fn count(&mut self, objects: u64, bytes: u64) {
        let summary = &mut self.session.emit.summary;
        summary.objects = true;
        summary.files += objects;
        summary.bytes += bytes;
    }

    fn units(&mut self, units: usize, what: &'static str, work: &UnitWork<'_>) {
        units::run(self.session, units, what, work);
    }

    fn threads_for(&self, units: usize) -> usize {
        units::threads_for(units)
    }

    fn concurrently(&mut self, run: &mut dyn FnMut(&Scanner<'_>)) {
        held::scan_blobs(&self.session.decoders, self.held, run);
    }
}

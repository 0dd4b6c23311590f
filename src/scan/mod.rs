//! The scan session: what every command shares between its source and its report.
//!
//! Receives items from a source (files, or git blobs and messages through [`git`]) and the
//! resolved settings; runs each through the content layer, keeps what a change added
//! ([`added`]), attaches origins, applies the allow-list, and streams the results to a
//! [`Sink`]. It owns the blob cache (each blob scanned once per run), the threads of a long
//! commit list, and the time budget. The outcome (exit code) is decided here from what
//! reached the sink.

pub mod added;
pub mod audit;
pub mod git;
pub mod push;
pub mod sink;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::allowlist::Allowed;
use crate::config::Settings;
use crate::content::{self, Buffers, Collect, Decoders, Input, Issue};
use crate::detector::Detector;
use crate::finding::{Finding, Fingerprint};
use crate::origin::Origin;
use crate::outcome::Outcome;
pub use sink::{Notice, Problem, Sink, Summary};

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
pub struct Emitter<'a> {
    settings: &'a Settings,
    sink: &'a mut dyn Sink,
    summary: Summary,
    /// Every distinct token seen, allowed or not (for stale allow-list entries).
    seen: HashSet<Fingerprint>,
}

impl Emitter<'_> {
    fn allowed(&self, finding: &Finding) -> Option<Allowed> {
        self.settings.allow.allowed(finding, self.settings.inline_markers)
    }

    pub fn problem(&mut self, path: Option<Vec<u8>>, message: String) {
        self.summary.problems += 1;
        self.sink.problem(&Problem { path, message });
    }

    pub fn notice(&mut self, path: Option<Vec<u8>>, message: String) {
        self.summary.notices += 1;
        self.sink.notice(&Notice { path, message });
    }
}

impl Collect for Emitter<'_> {
    fn finding(&mut self, finding: Finding) {
        self.seen.insert(finding.fingerprint);
        match self.allowed(&finding) {
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
        let message = issue.message();
        if !issue.blocks() {
            return self.notice(Some(path), message);
        }
        match self.settings.allow.allows_path(&issue.origin().path) {
            Some(why) => self.notice(Some(path), format!("{message} (allowed: {why})")),
            None => self.problem(Some(path), message),
        }
    }
}

/// One run: decoders, settings, a sink, and the counts.
pub struct Session<'a> {
    pub decoders: Decoders<'a>,
    pub emit: Emitter<'a>,
    pub budget: Budget,
    bufs: Buffers,
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
            bufs: Buffers::default(),
        }
    }

    pub fn settings(&self) -> &Settings {
        self.emit.settings
    }

    /// Something could not be checked (a hook fails closed on it).
    pub fn problem(&mut self, message: impl std::fmt::Display) {
        self.emit.problem(None, message.to_string());
    }

    pub fn problem_at(&mut self, path: &[u8], message: impl std::fmt::Display) {
        self.emit.problem(Some(path.to_vec()), message.to_string());
    }

    pub fn notice(&mut self, message: impl std::fmt::Display) {
        self.emit.notice(None, message.to_string());
    }

    /// Counts what a source read outside [`Session::item`].
    pub fn count(&mut self, files: u64, bytes: u64) {
        self.emit.summary.files += files;
        self.emit.summary.bytes += bytes;
    }

    /// Entries a directory walk skipped (symlinks, special files).
    pub fn skipped(&mut self, n: u64) {
        self.emit.summary.skipped += n;
    }

    /// `files` counts git objects.
    pub fn counting_objects(&mut self) {
        self.emit.summary.objects = true;
    }

    /// An issue the content layer raised outside [`Session::item`].
    pub fn issue(&mut self, issue: Issue) {
        self.emit.issue(issue);
    }

    /// A finding a source located itself (history audits).
    pub fn finding(&mut self, finding: Finding) {
        self.emit.finding(finding);
    }

    /// One item: its content, through every decoder.
    pub fn item(&mut self, origin: &Origin, input: Input<'_>) {
        let scanned = self.decoders.scan(origin, input, &mut self.bufs, &mut self.emit);
        self.count(1, scanned.bytes);
    }

    /// `name` (a path or its last part) scanned as a name: a token used as a file or
    /// directory name. Findings carry `origin`'s path.
    pub fn path_name(&mut self, origin: &Origin, name: &[u8]) {
        let emit = &mut self.emit;
        content::scan_path_name(self.decoders.detector, origin, name, &mut |f| emit.finding(f));
    }

    /// Text that is not a file (a commit or tag message).
    pub fn message(&mut self, origin: &Origin, bytes: &[u8]) {
        self.decoders
            .scan(origin, Input::Bytes(bytes), &mut self.bufs, &mut self.emit);
    }

    /// What reached the sink so far.
    pub fn summary(&self) -> Summary {
        self.emit.summary
    }

    /// Every distinct token seen so far, allowed or not.
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

//! The one channel results take from the content layer to the sink: [`Out`] (the content
//! layer's [`Collect`] plus problems, notes and counts). The session's emitter is the `Out`
//! that applies the allow-list and writes to the sink; a unit worked on another thread, or
//! an item scanned on a source's own thread, writes to a [`Collected`] buffer, replayed into
//! the emitter in order.

use crate::content::{Collect, Issue};
use crate::finding::Finding;

/// Where results go.
pub trait Out: Collect {
    /// Something could not be checked (a hook fails closed on it).
    fn problem(&mut self, path: Option<Vec<u8>>, message: String);
    /// Worth saying, no reason to block.
    fn notice(&mut self, path: Option<Vec<u8>>, message: String);
    /// Files (or objects) and bytes scanned.
    fn count(&mut self, files: u64, bytes: u64);
}

/// One result, as it came.
enum Event {
    Finding(Finding),
    Issue(Issue),
    Problem(Option<Vec<u8>>, String),
    Notice(Option<Vec<u8>>, String),
    Count(u64, u64),
}

/// Results kept, in the order they came, until their turn.
#[derive(Default)]
pub struct Collected {
    events: Vec<Event>,
}

impl Collected {
    /// True when nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Keeps `other`'s results after these.
    pub fn append(&mut self, mut other: Collected) {
        self.events.append(&mut other.events);
    }

    /// Hands every result on to `out`, in order.
    pub fn replay(self, out: &mut dyn Out) {
        for event in self.events {
            match event {
                Event::Finding(f) => out.finding(f),
                Event::Issue(i) => out.issue(i),
                Event::Problem(path, message) => out.problem(path, message),
                Event::Notice(path, message) => out.notice(path, message),
                Event::Count(files, bytes) => out.count(files, bytes),
            }
        }
    }

    /// The findings and issues kept, problems and notes handed on to `out` now (a history
    /// audit places the former first). Counts are left out: a source that scans on its own
    /// threads counts what it read itself.
    pub fn split(self, out: &mut dyn Out) -> (Vec<Finding>, Vec<Issue>) {
        let (mut findings, mut issues) = (Vec::new(), Vec::new());
        for event in self.events {
            match event {
                Event::Finding(f) => findings.push(f),
                Event::Issue(i) => issues.push(i),
                Event::Problem(path, message) => out.problem(path, message),
                Event::Notice(path, message) => out.notice(path, message),
                Event::Count(..) => {}
            }
        }
        (findings, issues)
    }
}

impl Collect for Collected {
    fn finding(&mut self, finding: Finding) {
        self.events.push(Event::Finding(finding));
    }
    fn issue(&mut self, issue: Issue) {
        self.events.push(Event::Issue(issue));
    }
}

impl Out for Collected {
    fn problem(&mut self, path: Option<Vec<u8>>, message: String) {
        self.events.push(Event::Problem(path, message));
    }
    fn notice(&mut self, path: Option<Vec<u8>>, message: String) {
        self.events.push(Event::Notice(path, message));
    }
    fn count(&mut self, files: u64, bytes: u64) {
        self.events.push(Event::Count(files, bytes));
    }
}

//! `Sink`: where a session's results go, as they happen.
//!
//! The reporters (human, JSON, SARIF) and the hooks' block messages implement it, as
//! ripgrep's `Sink` and typos' `Report` do: adding a format is one new implementation,
//! and findings stream instead of piling up, so memory does not grow with their number.
//! The session has applied the allow-list before anything reaches a sink.

use std::io;

use crate::allowlist::Allowed;
use crate::finding::Finding;

/// Something that could not be checked. Blocks a hook (exit 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: Option<Vec<u8>>,
    /// What could not be done, why, and the way out.
    pub message: String,
}

/// Something worth saying that does not block (an LFS object whose content is not here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub path: Option<Vec<u8>>,
    pub message: String,
}

/// What a run covered, for the summary line and the machine formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files (or, with `objects`, git objects) and bytes scanned.
    pub files: u64,
    pub bytes: u64,
    /// Symlinks, FIFOs, sockets and devices found inside directories.
    pub skipped: u64,
    pub findings: u64,
    pub allowed: u64,
    pub problems: u64,
    pub notices: u64,
    /// `files` counts git objects (blobs, commits, tags), not files.
    pub objects: bool,
    /// With `scan --verify`: distinct tokens Intercom said are live, invalid, or could not
    /// tell (`None` without `--verify`).
    pub verified: Option<Verified>,
}

/// Distinct tokens by what Intercom said of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verified {
    pub live: u64,
    pub invalid: u64,
    pub unknown: u64,
}

/// Receives a session's results.
pub trait Sink {
    /// A token that blocks.
    fn finding(&mut self, finding: &Finding);
    /// A token an allow-list entry or inline marker allowed.
    fn allowed(&mut self, allowed: &Allowed);
    fn problem(&mut self, problem: &Problem);
    fn notice(&mut self, notice: &Notice);
    /// The end of the run. An error is one writing the report (a closed pipe).
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

//! `Finding`s → bytes on an injected writer. Knows nothing about git or the detector.
//!
//! Adding a format is one new file: [`human`] for people, [`json`] and [`sarif`] for
//! machines. Machine formats go to stdout; the one-line summary, the problems and the
//! advice for people go to stderr ([`human::footer`]).

pub mod human;
pub mod json;
pub mod sarif;

use std::io::{self, Write};

use crate::allowlist::Allowed;
use crate::finding::Finding;

/// Output format of `intercept scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
}

/// Something that could not be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: Option<Vec<u8>>,
    /// What could not be done, why, and the way out.
    pub message: String,
}

/// What a scan covered, for the summary line and the machine formats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: u64,
    pub bytes: u64,
    pub skipped: u64,
    pub problems: Vec<Problem>,
    /// Findings the user allowed: counted in the summary, listed in JSON and SARIF
    /// (as suppressed results), and in the human format with `show_allowed`.
    pub allowed: Vec<Allowed>,
    pub show_allowed: bool,
    /// `files` counts git objects (blobs, commits, tags), not files.
    pub objects: bool,
}

/// Writes the findings in `format` to `out`.
pub fn write(format: Format, findings: &[Finding], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => {
            human::findings(findings, out)?;
            if summary.show_allowed {
                human::allowed(&summary.allowed, out)?;
            }
            Ok(())
        }
        Format::Json => json::write(findings, summary, out),
        Format::Sarif => sarif::write(findings, summary, out),
    }
}

//! `intercept scan [PATH…]`: files → detector → report. Porcelain: findings on stdout in
//! the chosen format, problems, advice and a summary for people on stderr.

use std::io::{self, Write};

use crate::config::ScanConfig;
use crate::detector::Detector;
use crate::finding::Finding;
use crate::outcome::Outcome;
use crate::report::{self, Problem, Summary};
use crate::source::files;

pub fn run(config: &ScanConfig) -> Outcome {
    let detector = Detector::new();
    if config.staged || config.range.is_some() {
        let mut checked = super::hook::Checked::default();
        let result = match &config.range {
            Some(range) => super::push::check_range(&detector, range, &mut checked),
            None => super::hook::check_staged(&detector, &mut checked).map_err(|e| e.to_string()),
        };
        if let Err(e) = result {
            checked.problem(&e);
        }
        let summary = Summary {
            files: checked.files,
            bytes: checked.bytes,
            skipped: 0,
            problems: checked.problems,
        };
        return finish(config.format, &checked.findings, summary);
    }
    let mut findings: Vec<Finding> = Vec::new();
    let (stats, errors) = files::walk(&config.paths, &config.files, &mut |chunk| {
        detector.scan(chunk, &mut findings);
    });
    let summary = Summary {
        files: stats.files,
        bytes: stats.bytes,
        skipped: stats.skipped,
        problems: errors
            .iter()
            .map(|e| Problem {
                path: Some(e.path().to_vec()),
                message: e.to_string(),
            })
            .collect(),
    };
    finish(config.format, &findings, summary)
}

/// Writes the report and the footer and decides the outcome.
fn finish(format: report::Format, findings: &[Finding], mut summary: Summary) -> Outcome {
    let written = {
        let mut out = io::stdout().lock();
        report::write(format, findings, &summary, &mut out).and_then(|()| out.flush())
    };
    if let Err(e) = written {
        summary.problems.push(Problem {
            path: None,
            message: format!(
                "cannot write the report to standard output: {e}. The findings below are \
                 incomplete; write to a file or a pipe that stays open"
            ),
        });
    }
    let _ = report::human::footer(findings, &summary, &mut io::stderr().lock());
    Outcome::from_counts(findings.len(), summary.problems.len())
}

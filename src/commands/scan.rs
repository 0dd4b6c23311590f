//! `intercept scan`: files (or, with --staged / --range, git objects) → detector →
//! allow-list → report. Porcelain: findings on stdout in the chosen format; problems,
//! advice and a summary for people on stderr.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::hook::Checked;
use crate::config::{self, Layer, ScanConfig, REPO_FILE};
use crate::detector::Detector;
use crate::outcome::Outcome;
use crate::report::{self, Problem, Summary};
use crate::source::files;

pub fn run(config: &ScanConfig) -> Outcome {
    let detector = Detector::new();
    let mut checked = Checked::default();
    let mut skipped = 0;
    if config.staged || config.range.is_some() || config.all {
        let result = match &config.range {
            Some(range) => super::push::check_range(&detector, range, &config.overrides, &mut checked),
            None if config.all => super::audit::scan_all(&detector, &config.overrides, &mut checked),
            None => super::hook::check_staged(&detector, &config.overrides, &mut checked)
                .map_err(|e| e.to_string()),
        };
        if let Err(e) = result {
            checked.problem(&e);
        }
    } else {
        skipped = scan_files(&detector, config, &mut checked);
    }
    let summary = Summary {
        files: checked.files,
        bytes: checked.bytes,
        skipped,
        problems: checked.problems,
        allowed: checked.allowed,
        show_allowed: config.show_allowed,
        objects: config.all,
    };
    finish(config.format, &checked.findings, summary)
}

/// Plain files, with the work tree's `.intercept.toml`. Returns how many entries were
/// skipped (symlinks, special files).
fn scan_files(detector: &Detector, config: &ScanConfig, checked: &mut Checked) -> u64 {
    let layers: Vec<Layer> = match work_tree_config() {
        Some(path) => match std::fs::read(&path) {
            Ok(text) => vec![Layer {
                label: path.display().to_string(),
                text,
            }],
            Err(e) => {
                checked.problem(&format!(
                    "cannot read {}: {e}. Make it readable, or remove it",
                    path.display()
                ));
                return 0;
            }
        },
        None => Vec::new(),
    };
    let settings = match config::resolve(&layers, &config.overrides) {
        Ok(settings) => settings,
        Err(e) => {
            checked.problem(&e);
            return 0;
        }
    };
    let options = files::Options {
        max_decompressed: settings.max_decompressed,
    };
    let (stats, errors) = files::walk(&config.paths, &options, &mut |chunk| {
        detector.scan(chunk, &mut checked.findings);
    });
    checked.files = stats.files;
    checked.bytes = stats.bytes;
    for e in errors {
        checked.problems.push(Problem {
            path: Some(e.path().to_vec()),
            message: e.to_string(),
        });
    }
    // Fingerprint entries that match nothing any more, so allow-lists do not grow forever.
    let all: Vec<&crate::finding::Finding> = checked.findings.iter().collect();
    let stale: Vec<String> = settings
        .allow
        .stale(&all)
        .iter()
        .filter_map(|rule| match &rule.kind {
            crate::allowlist::RuleKind::Fingerprint(fp) => Some(format!(
                "intercept: {}: the allow entry for fingerprint {} (\"{}\") matches nothing in this scan; \
                 if the fixture is gone, remove the entry",
                rule.source,
                fp.short(),
                rule.reason
            )),
            crate::allowlist::RuleKind::Path { .. } => None,
        })
        .collect();
    checked.settle(&settings);
    let mut err = io::stderr().lock();
    for line in stale {
        let _ = writeln!(err, "{line}");
    }
    stats.skipped
}

/// The nearest `.intercept.toml` from the current directory up to the top of its git
/// work tree (or the filesystem root outside git).
fn work_tree_config() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let mut dir: &Path = &cwd;
    loop {
        let candidate = dir.join(REPO_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
        dir = dir.parent()?;
    }
}

/// Writes the report and the footer and decides the outcome.
fn finish(format: report::Format, findings: &[crate::finding::Finding], mut summary: Summary) -> Outcome {
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

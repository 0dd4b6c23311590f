//! `intercept hook <name> [args]`: plumbing that git runs through the shims in `hooks/`.
//!
//! Silent when clean; on stderr a block message when not; nothing on stdout. Exit codes:
//! 0 clean, 1 tokens found, 2 could not check (blocks too: hooks fail closed).
//! Hooks intercept does not check (and names it does not know yet) pass with 0, so a
//! newer shim never breaks an older binary.

use std::io;

use super::scanner::Scanner;
use crate::allowlist::Allowed;
use crate::chunk::{Chunk, Origin};
use crate::config::{self, Layer, Overrides, Settings, REPO_FILE};
use crate::detector::Detector;
use crate::finding::Finding;
use crate::outcome::Outcome;
use crate::repo;
use crate::report::{human, Problem};
use crate::source::staged;

pub fn run(name: &str, args: &[String]) -> Outcome {
    match name {
        "pre-commit" => staged_hook(&human::Blocked {
            action: "commit",
            remove: "from the staged change (edit the file, then `git add` it again)",
            bypass: Some("git commit --no-verify"),
        }),
        "pre-merge-commit" => staged_hook(&human::Blocked {
            action: "merge",
            remove: "from what the merge brings in (merge with --no-commit, fix, commit)",
            bypass: Some("git merge --no-verify"),
        }),
        "commit-msg" => commit_msg(args.first().map(String::as_str)),
        "pre-push" => super::push::pre_push(args),
        "pre-receive" => super::push::pre_receive(),
        other => {
            tracing::debug!(hook = other, "not a hook intercept checks");
            Outcome::Clean
        }
    }
}

/// Findings and problems of one check.
#[derive(Default)]
pub(crate) struct Checked {
    pub findings: Vec<Finding>,
    /// Findings an allow-list entry or inline marker allowed (after `settle`).
    pub allowed: Vec<Allowed>,
    pub problems: Vec<Problem>,
    /// Blobs and bytes scanned.
    pub files: u64,
    pub bytes: u64,
}

impl Checked {
    /// Adds another check's results.
    pub fn absorb(&mut self, other: Checked) {
        self.findings.extend(other.findings);
        self.allowed.extend(other.allowed);
        self.problems.extend(other.problems);
        self.files += other.files;
        self.bytes += other.bytes;
    }

    /// Sets apart what the settings allow.
    pub fn settle(&mut self, settings: &Settings) {
        let findings = std::mem::take(&mut self.findings);
        let (blocking, allowed) = settings.allow.apply(findings, settings.inline_markers);
        self.findings = blocking;
        self.allowed.extend(allowed);
    }

    pub fn problem(&mut self, e: &dyn std::fmt::Display) {
        self.problems.push(Problem {
            path: None,
            message: e.to_string(),
        });
    }

    pub fn finish(self, blocked: &human::Blocked<'_>) -> Outcome {
        let outcome = Outcome::from_counts(self.findings.len(), self.problems.len());
        let mut err = io::stderr().lock();
        if outcome != Outcome::Clean {
            let _ = human::blocked(&self.findings, &self.problems, blocked, &mut err);
        }
        let _ = human::allowed_note(&self.allowed, &mut err);
        outcome
    }
}

/// pre-commit and pre-merge-commit: tokens on lines the staged index adds to `HEAD`.
fn staged_hook(blocked: &human::Blocked<'_>) -> Outcome {
    let mut checked = Checked::default();
    if let Err(e) = check_staged(&Detector::new(), &Overrides::default(), &mut checked) {
        checked.problem(&e);
    }
    checked.finish(blocked)
}

/// The staged changes of the repository git handed us, scanned, with the repository's
/// config as staged (the version being committed).
pub(crate) fn check_staged(
    detector: &Detector,
    overrides: &Overrides,
    checked: &mut Checked,
) -> Result<(), CheckError> {
    let repo = repo::open()?;
    let index = repo::index(&repo)?;
    let settings = staged_settings(&repo, &index, overrides)?;
    let head = repo::head_tree(&repo)?;
    let changes = staged::changes(&repo.objects, &index, head)?;
    let mut scanner = Scanner::new(detector, &repo.objects);
    for change in &changes {
        scanner.change(change, None);
    }
    checked.absorb(scanner.checked);
    checked.settle(&settings);
    Ok(())
}

/// The settings with `.intercept.toml` as staged in `index`.
fn staged_settings(
    repo: &gix::Repository,
    index: &gix::index::State,
    overrides: &Overrides,
) -> Result<Settings, CheckError> {
    let layers: Vec<Layer> = repo::staged_file(&repo.objects, index, REPO_FILE)?
        .map(|text| Layer {
            label: format!("{REPO_FILE} (as staged)"),
            text,
        })
        .into_iter()
        .collect();
    Ok(config::resolve(&layers, overrides)?)
}

/// Why a git-aware check could not run.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckError {
    #[error(transparent)]
    Repo(#[from] repo::RepoError),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
}

/// git's scissors line: everything below it (`git commit -v`'s diff) is not part of the
/// message.
const SCISSORS: &[u8] = b"------------------------ >8 ------------------------";

/// commit-msg: a token in the message blocks.
fn commit_msg(file: Option<&str>) -> Outcome {
    let blocked = human::Blocked {
        action: "commit",
        remove: "from the commit message",
        bypass: Some("git commit --no-verify"),
    };
    let mut checked = Checked::default();
    match file.map(|f| (f, std::fs::read(f))) {
        Some((_, Ok(mut message))) => {
            if let Some(at) = memchr::memmem::find(&message, SCISSORS) {
                let line_start = message[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                message.truncate(line_start);
            }
            let origin = Origin::file(&b"(commit message)"[..]);
            Detector::new().scan(&Chunk::whole(&origin, &message), &mut checked.findings);
            if checked.findings.is_empty() {
                // The usual case: nothing to allow, so no repository or config to read
                // (pre-commit already checked the staged config of this commit).
                return checked.finish(&blocked);
            }
            let settings = repo::open().map_err(CheckError::from).and_then(|repo| {
                let index = repo::index(&repo)?;
                staged_settings(&repo, &index, &Overrides::default())
            });
            match settings {
                Ok(settings) => checked.settle(&settings),
                Err(e) => checked.problem(&e),
            }
        }
        Some((f, Err(e))) => checked.problem(&format!(
            "cannot read the commit message file {f}: {e}. git passes it to the commit-msg hook; check \
             that the shim passes its arguments on"
        )),
        None => checked.problem(
            &"the commit-msg hook was run without the message file. Reinstall the hooks \
             with `intercept install --global` (or `intercept install` in this repository)",
        ),
    }
    checked.finish(&blocked)
}

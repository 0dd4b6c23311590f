//! `intercept hook <name> [args]`: plumbing that git runs through the shims in `hooks/`.
//!
//! Silent when clean; on stderr a block message when not; nothing on stdout. Exit codes:
//! 0 clean, 1 tokens found, 2 could not check (blocks too: hooks fail closed).
//! Hooks intercept does not check (and names it does not know yet) pass with 0, so a
//! newer shim never breaks an older binary.

use std::io;

use super::scanner::Scanner;
use crate::chunk::{Chunk, Origin};
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
    pub problems: Vec<Problem>,
    /// Blobs and bytes scanned.
    pub files: u64,
    pub bytes: u64,
}

impl Checked {
    /// Adds another check's results.
    pub fn absorb(&mut self, other: Checked) {
        self.findings.extend(other.findings);
        self.problems.extend(other.problems);
        self.files += other.files;
        self.bytes += other.bytes;
    }

    pub fn problem(&mut self, e: &dyn std::fmt::Display) {
        self.problems.push(Problem {
            path: None,
            message: e.to_string(),
        });
    }

    pub fn finish(self, blocked: &human::Blocked<'_>) -> Outcome {
        let outcome = Outcome::from_counts(self.findings.len(), self.problems.len());
        if outcome != Outcome::Clean {
            let _ = human::blocked(&self.findings, &self.problems, blocked, &mut io::stderr().lock());
        }
        outcome
    }
}

/// pre-commit and pre-merge-commit: tokens on lines the staged index adds to `HEAD`.
fn staged_hook(blocked: &human::Blocked<'_>) -> Outcome {
    let mut checked = Checked::default();
    if let Err(e) = check_staged(&Detector::new(), &mut checked) {
        checked.problem(&e);
    }
    checked.finish(blocked)
}

/// The staged changes of the repository git handed us, scanned.
pub(crate) fn check_staged(detector: &Detector, checked: &mut Checked) -> Result<(), repo::RepoError> {
    let repo = repo::open()?;
    let index = repo::index(&repo)?;
    let head = repo::head_tree(&repo)?;
    let changes = staged::changes(&repo.objects, &index, head)?;
    let mut scanner = Scanner::new(detector, &repo.objects);
    for change in &changes {
        scanner.change(change, None);
    }
    checked.absorb(scanner.checked);
    Ok(())
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

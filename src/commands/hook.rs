//! `intercept hook <name> [args]`: plumbing that git runs through the shims in `hooks/`.
//!
//! Silent when clean; on stderr a block message when not; nothing on stdout. Exit codes:
//! 0 clean, 1 tokens found, 2 could not check (blocks too: hooks fail closed).
//! Hooks intercept does not check (and names it does not know yet) pass with 0, so a
//! newer shim never breaks an older binary.

use std::io;

use crate::chunk::{Chunk, Origin};
use crate::detector::Detector;
use crate::finding::Finding;
use crate::outcome::Outcome;
use crate::report::{human, Problem};
use crate::source::staged;
use crate::{added, repo};

/// The hooks intercept checks at commit time.
pub const COMMIT_HOOKS: [&str; 3] = ["pre-commit", "pre-merge-commit", "commit-msg"];

pub fn run(name: &str, args: &[String]) -> Outcome {
    match name {
        "pre-commit" => staged_hook(&human::Blocked {
            action: "commit",
            remove: "from the staged change (edit the file, then `git add` it again)",
            bypass: "git commit --no-verify",
        }),
        "pre-merge-commit" => staged_hook(&human::Blocked {
            action: "merge",
            remove: "from what the merge brings in (merge with --no-commit, fix, commit)",
            bypass: "git merge --no-verify",
        }),
        "commit-msg" => commit_msg(args.first().map(String::as_str)),
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
    pub fn problem(&mut self, e: &dyn std::fmt::Display) {
        self.problems.push(Problem {
            path: None,
            message: e.to_string(),
        });
    }

    fn finish(self, blocked: &human::Blocked<'_>) -> Outcome {
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
    let (mut new_buf, mut old_buf) = (Vec::new(), Vec::new());
    for change in changes {
        let new = match repo::blob(&repo.objects, &change.new, &change.path, &mut new_buf) {
            Ok(new) => new,
            Err(e) => {
                checked.problem(&e);
                continue;
            }
        };
        checked.files += 1;
        checked.bytes += new.len() as u64;
        let origin = Origin {
            path: change.path.clone(),
            commit: None,
            blob: Some(change.new.to_string()),
        };
        let mut found = Vec::new();
        detector.scan(&Chunk::whole(&origin, new), &mut found);
        if found.is_empty() {
            continue;
        }
        if let Some(old_id) = change.old {
            match repo::blob(&repo.objects, &old_id, &change.path, &mut old_buf) {
                Ok(old) => added::retain_added(&mut found, old, new),
                // Without the old blob every line counts as added: report, do not guess.
                Err(e) => tracing::warn!("{e}"),
            }
        }
        checked.findings.extend(found);
    }
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
        bypass: "git commit --no-verify",
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

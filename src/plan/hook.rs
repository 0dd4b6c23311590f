//! A hook run as git starts it through one of intercept's mechanisms: `intercept hook
//! <name> [args]`. Silent when clean; a block message on stderr when not; nothing on
//! stdout. Exit codes: 0 clean, 1 tokens found, 2 could not check (blocks too: hooks fail
//! closed); 3 instead of 0 for a shim. Hooks intercept does not check (and names it does
//! not know yet) pass with 0, so a newer shim never breaks an older binary.
//!
//! Run by one of intercept's mechanisms (`INTERCEPT_VIA`), it first checks that the install
//! is whole (`installer::integrity`), then answers from what another program of the same
//! git command decided about the same subject (`installer::memo`) or checks and records it;
//! commit-msg also makes sure the index git commits is the one that was checked; a push
//! stopped by a config-based hook puts a gate in front of the repository's own pre-push.

use std::io::{Read, Write};
use std::path::PathBuf;

use super::{Context, Plan};
use crate::config::Flags;
use crate::detector::Detector;
use crate::hooks::{self, Check};
use crate::installer::shim::env;
use crate::installer::{self, memo, Gated, Via};
use crate::outcome::Outcome;
use crate::report::human::{Block, Blocked};

/// Where the hook writes for people: standard error, through the redaction step.
fn err() -> crate::redact::Redacting<std::io::StderrLock<'static>> {
    crate::redact::Redacting::new(std::io::stderr().lock())
}
/// Runs hook `name` with git's arguments (standard input is read for the hooks git feeds).
pub fn run(name: &str, args: &[String], shim: bool) -> Outcome {
    let outcome = check(name, args, shim);
    match outcome {
        Outcome::Clean if shim => Outcome::ShimClean,
        other => other,
    }
}

fn check(name: &str, args: &[String], shim: bool) -> Outcome {
    let Some(check) = hooks::find(name).and_then(|h| h.check) else {
        tracing::debug!(hook = name, "not a hook intercept checks");
        return Outcome::Clean;
    };
    // `git merge` names the other parents of the merge it is making to pre-merge-commit as
    // `GITHEAD_<id>` variables; in any other hook they are not git's word (a commit made
    // with them set must not pass as a merge: `repo::merge_heads`).
    if name != "pre-merge-commit" {
        for (key, _) in std::env::vars_os() {
            if key.to_str().is_some_and(|k| k.starts_with("GITHEAD_")) {
                std::env::remove_var(key);
            }
        }
    }
    let run = Run::from_env(shim);
    // A damaged install blocks wherever something of intercept's still runs.
    if let Some(via) = run.via {
        let damage = installer::integrity::verify(Some(via), run.shim_path.as_deref());
        if !damage.is_empty() {
            let mut err = err();
            for found in &damage.found {
                let _ = writeln!(err, "intercept: {found}");
            }
            let _ = writeln!(
                err,
                "intercept: git was stopped so that this does not go unnoticed. `intercept doctor` shows what runs \
                 here. To go ahead once without checking: --no-verify"
            );
            return Outcome::Unchecked;
        }
    }
    let input = match check {
        Check::Push | Check::Receive => {
            let mut input = Vec::new();
            if let Err(source) = std::io::stdin().lock().read_to_end(&mut input) {
                return super::failed(
                    &mut Block::new(Blocked::for_hook(name), &mut err()),
                    &super::Error::Stdin { source },
                );
            }
            input
        }
        _ => Vec::new(),
    };
    let memo = run.memo(name, check, args, &input);
    // Another program of this git command already checked exactly this.
    if let Some(decided) = memo.as_ref().and_then(|m| m.lookup(&[name])) {
        if decided != Outcome::Clean {
            let _ = writeln!(
                err(),
                "intercept: {}",
                if check == Check::Push {
                    "this push is stopped (see above): the repository's own pre-push hook was not run either"
                } else {
                    "this is stopped (see above)"
                }
            );
        }
        return if name == "commit-msg" {
            run.staged_since(decided)
        } else {
            decided
        };
    }
    let detector = crate::redact::detector();
    let mut err = err();
    let mut sink = Block::new(Blocked::for_hook(name), &mut err);
    let outcome = run_check(name, check, args, &input, detector, &mut sink);
    drop(sink);
    if let Some(m) = &memo {
        m.record(name, outcome);
    }
    if check == Check::Push
        && run.via == Some(Via::Config)
        && matches!(outcome, Outcome::Blocked | Outcome::Unchecked)
    {
        gate(name);
    }
    if name == "commit-msg" {
        return run.staged_since(outcome);
    }
    outcome
}

/// How this run was started: by which mechanism, for which git command.
struct Run {
    via: Option<Via>,
    git_pid: Option<String>,
    shim_path: Option<PathBuf>,
    git_dir: Option<PathBuf>,
}

impl Run {
    fn from_env(shim: bool) -> Run {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let via = if shim {
            var(env::VIA).as_deref().and_then(Via::parse)
        } else {
            None
        };
        Run {
            via,
            git_pid: via.and(var(env::GIT_PID)),
            shim_path: var(env::SHIM).map(PathBuf::from),
            git_dir: via.and_then(|_| memo::git_dir()),
        }
    }

    /// The memo for this check, when this run knows its git command.
    fn memo(&self, name: &str, check: Check, args: &[String], input: &[u8]) -> Option<Memo> {
        let git_dir = self.git_dir.clone()?;
        let pid = self.git_pid.clone()?;
        let subject = match check {
            Check::Staged => memo::Subject::index(&memo::index_file(&git_dir))?,
            Check::Message => {
                let bytes = std::fs::read(args.first()?).ok()?;
                memo::Subject::bytes("message", &[&bytes])
            }
            Check::Push => {
                let mut parts: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
                parts.push(input);
                memo::Subject::bytes(name, &parts)
            }
            Check::Receive => return None,
        };
        Some(Memo {
            git_dir,
            pid,
            subject,
        })
    }

    /// After commit-msg: the index git is about to commit is the one intercept checked. A
    /// hook that ran after intercept's pre-commit (a formatter, lint-staged, a generator)
    /// may have staged more; then it is checked now.
    fn staged_since(&self, message: Outcome) -> Outcome {
        if message != Outcome::Clean {
            return message;
        }
        let (Some(git_dir), Some(pid)) = (&self.git_dir, &self.git_pid) else {
            return message;
        };
        let Some(subject) = memo::Subject::index(&memo::index_file(git_dir)) else {
            return message;
        };
        let staged = ["pre-commit", "pre-merge-commit", "pre-applypatch"];
        if memo::lookup(git_dir, &staged, pid, &subject) == Some(Outcome::Clean) {
            return message;
        }
        tracing::debug!(
            "the index changed after intercept's pre-commit check (or it did not run): checking it"
        );
        let detector = crate::redact::detector();
        let mut err = err();
        let mut sink = Block::new(Blocked::for_hook("pre-commit"), &mut err);
        let staged = Plan {
            check: super::Check::Staged,
            flags: Flags::default(),
        };
        let outcome = super::run(&staged, &Context::new(detector), &mut sink);
        drop(sink);
        memo::record(git_dir, "pre-commit", pid, &subject, outcome);
        outcome
    }
}

/// What this run decided, for the other programs of the same git command.
struct Memo {
    git_dir: PathBuf,
    pid: String,
    subject: memo::Subject,
}

impl Memo {
    fn lookup(&self, events: &[&str]) -> Option<Outcome> {
        memo::lookup(&self.git_dir, events, &self.pid, &self.subject)
    }
    fn record(&self, event: &str, outcome: Outcome) {
        memo::record(&self.git_dir, event, &self.pid, &self.subject, outcome);
    }
}

/// After a stopped push: git ≥ 2.54 runs the repository's own pre-push hook next anyway,
/// so intercept puts itself in front of it first (`installer::gate`).
fn gate(name: &str) {
    let bin = match std::env::current_exe() {
        Ok(bin) => bin,
        Err(e) => {
            tracing::warn!(hook = name, "cannot find intercept's own path: {e}");
            return;
        }
    };
    let said = match installer::close_after_block(&bin) {
        Ok(Gated::Nothing) => return,
        Ok(Gated::Closed(said) | Gated::Open(said)) => said,
        Err(e) => format!(
            "this repository's own {name} hook may still run after this stopped push, and intercept could not put \
             itself in front of it: {e}"
        ),
    };
    let _ = writeln!(err(), "intercept: {said}");
}

fn run_check(
    name: &str,
    check: Check,
    args: &[String],
    input: &[u8],
    detector: &Detector,
    sink: &mut Block<'_>,
) -> Outcome {
    match Plan::hook(name, check, args, &mut &input[..]) {
        Ok(plan) => super::run(&plan, &Context::new(detector), sink),
        Err(e) => super::failed(sink, &e),
    }
}

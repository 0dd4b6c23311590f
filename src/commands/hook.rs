//! `intercept hook <name> [args]`: plumbing that git runs (through a config-based hook or a
//! shim). Silent when clean; a block message on stderr when not; nothing on stdout. Exit
//! codes: 0 clean, 1 tokens found, 2 could not check (blocks too: hooks fail closed).
//! Hooks intercept does not check (and names it does not know yet) pass with 0, so a newer
//! shim never breaks an older binary.

use std::io::Write;
use std::path::PathBuf;

use crate::hooks::{self, Check};
use crate::outcome::Outcome;
use crate::plan::{self, Plan};
use crate::report::human::{Block, Blocked};

/// What each check's block message says.
fn blocked(name: &str) -> Blocked<'static> {
    match name {
        "pre-merge-commit" => Blocked {
            action: "merge",
            remove: "from what the merge brings in (merge with --no-commit, fix, commit)",
            bypass: Some("git merge --no-verify"),
            list_all: "intercept scan --staged",
        },
        "pre-applypatch" => Blocked {
            action: "patch",
            remove: "from the patch (`git am --abort`, edit the patch, apply it again)",
            bypass: Some("git am --no-verify"),
            list_all: "intercept scan --staged",
        },
        "pre-push" => Blocked {
            action: "push",
            remove:
                "from the commits that add it before pushing:\n     `git rebase -i <upstream>` and edit each \
                     listed commit (for the last commit: `git commit --amend`)",
            bypass: Some("git push --no-verify"),
            list_all: "intercept scan --range @{upstream}..",
        },
        "pre-receive" => Blocked {
            action: "push",
            remove: "from the commits that add it (rewrite them with `git rebase -i`),\n     then push again",
            bypass: None,
            list_all: "intercept scan --range <remote>/<branch>..",
        },
        "commit-msg" => Blocked {
            action: "commit",
            remove: "from the commit message",
            bypass: Some("git commit --no-verify"),
            list_all: "intercept scan --staged",
        },
        _ => Blocked {
            action: "commit",
            remove: "from the staged change (edit the file, then `git add` it again)",
            bypass: Some("git commit --no-verify"),
            list_all: "intercept scan --staged",
        },
    }
}

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
    let mode = if shim {
        std::env::var("INTERCEPT_DUAL").unwrap_or_default()
    } else {
        String::new()
    };
    if mode == "1" && config_hook_runs(name) {
        tracing::debug!(
            hook = name,
            "the git running this shim runs intercept's config-based hook"
        );
        return Outcome::Clean;
    }
    // In front of the repository's own hook (see `installer::gate`): when intercept's
    // config-based hook ran too, it has printed the report; say only what this one stops.
    let quiet = mode == "gate" && config_hook_runs(name);
    let mut err = super::stderr();
    let mut nowhere = std::io::sink();
    let out: &mut dyn std::io::Write = if quiet { &mut nowhere } else { &mut err };
    let mut sink = Block::new(blocked(name), out);
    let outcome = run_check(check, args, &mut sink);
    drop(sink);
    let stopped = matches!(outcome, Outcome::Blocked | Outcome::Unchecked);
    if stopped && quiet {
        let _ = writeln!(
            super::stderr(),
            "intercept: the repository's own {name} hook was not run either: the push is stopped (see above)"
        );
    } else if stopped
        && check == Check::Push
        && shim
        && std::env::var_os("INTERCEPT_CHAIN").is_some_and(|c| c == "none")
    {
        // A config-based hook (its shim chains nothing): git runs the hooks directory's
        // pre-push after it.
        gate(name);
    }
    outcome
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
    match crate::installer::close_after_block(&bin) {
        Ok(Some(said)) => {
            let _ = writeln!(super::stderr(), "intercept: {said}");
        }
        Ok(None) => {}
        Err(e) => {
            let _ = writeln!(
                super::stderr(),
                "intercept: this repository's own {name} hook may still run after this stopped push, and \
                 intercept could not put itself in front of it: {e}"
            );
        }
    }
}

/// The check of hook `check`, with the process's one detector (the redaction step's).
fn run_check(check: Check, args: &[String], sink: &mut Block<'_>) -> Outcome {
    let detector = crate::redact::detector();
    match Plan::hook(check, args, &mut std::io::stdin().lock()) {
        Ok(plan) => plan::run(&plan, &plan::Context::new(detector), sink),
        Err(e) => plan::failed(sink, &e),
    }
}

/// Under both mechanisms (`install --global --with-shims`): whether the git that runs this
/// shim runs intercept's config-based hook for `event` too (git ≥ 2.54, not disabled here),
/// as `git hook list` of that very git says. When in doubt: no, and the shim checks.
fn config_hook_runs(event: &str) -> bool {
    let git = std::env::var_os("GIT_EXEC_PATH")
        .map(|p| PathBuf::from(p).join("git"))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("git"));
    let Ok(out) = std::process::Command::new(git)
        .args(["hook", "list", "--show-scope", event])
        .stderr(std::process::Stdio::null())
        .output()
    else {
        return false;
    };
    let name = crate::installer::config_hook_name(event);
    out.status.success()
        && String::from_utf8_lossy(&out.stdout).lines().any(|l| {
            let fields: Vec<&str> = l.split('\t').collect();
            fields.last() == Some(&name.as_str()) && !fields.contains(&"disabled")
        })
}

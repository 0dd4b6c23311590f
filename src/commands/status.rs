//! `intercept status`: which of intercept's hooks will run in this repository, and for
//! each one that will not, why and the command that fixes it. Exit 0 when all will run,
//! 1 when some will not, 2 when it cannot tell.

use std::io::Write;

use crate::installer::{self, RepoHooks, REPO_HOOKS, SERVER_HOOKS};
use crate::outcome::Outcome;
use crate::path::PathText;

pub fn run() -> Outcome {
    let mut out = super::stdout();
    match installer::repo_hooks() {
        Ok(hooks) => {
            let lines = describe(&hooks);
            let ok = lines.iter().all(|(ok, _)| *ok);
            for (_, line) in lines {
                let _ = writeln!(out, "{line}");
            }
            if ok {
                Outcome::Clean
            } else {
                Outcome::Blocked
            }
        }
        Err(e) => {
            let _ = writeln!(super::stderr(), "intercept: {e}");
            Outcome::Unchecked
        }
    }
}

/// One line per fact, `false` for the ones that mean a hook will not run.
fn describe(hooks: &RepoHooks) -> Vec<(bool, String)> {
    let mut lines = Vec::new();
    let dir = PathText::new(&hooks.dir);
    let global = installer::global_paths().ok().map(|(dir, _)| dir);
    let is_global = global.as_ref().is_some_and(|g| same(g, &hooks.dir));
    lines.push((
        true,
        match hooks.scope.as_deref() {
            Some(scope) => format!("hooks directory: {dir} (core.hooksPath, {scope} config)"),
            None => format!("hooks directory: {dir} (the repository's own)"),
        },
    ));
    let list = if hooks.bare {
        &SERVER_HOOKS[..]
    } else {
        &REPO_HOOKS[..]
    };
    let mut missing = false;
    let mut stale = false;
    for hook in list {
        let path = hooks.dir.join(hook.name);
        let (ok, state) = if !path.exists() {
            missing = true;
            (false, "not installed: intercept will not run".to_string())
        } else if !installer::is_shim(&path) {
            missing = true;
            (
                false,
                "another program's hook is installed here: intercept will not run".to_string(),
            )
        } else {
            match installer::shim_binary(&path) {
                Some(bin) if is_executable(&bin) => (true, format!("ok ({})", PathText::new(&bin))),
                Some(bin) => {
                    stale = true;
                    (
                        false,
                        format!(
                            "the binary it calls is gone ({}): commits are blocked",
                            PathText::new(&bin)
                        ),
                    )
                }
                None => (false, "unreadable shim".to_string()),
            }
        };
        lines.push((ok, format!("  {:<17} {state}", hook.name)));
    }
    if missing {
        let global_installed = global.as_ref().is_some_and(|g| g.join("pre-commit").exists());
        let fix = match hooks.scope.as_deref() {
            Some(scope @ ("local" | "worktree")) if global_installed && !is_global => format!(
                "core.hooksPath is set in this repository's {scope} config ({dir}, e.g. by husky), so git runs \
                 hooks from there and not intercept's global hooks. Fix: run `intercept install` here to add \
                 intercept to {dir} (the hooks already there keep running after it)"
            ),
            _ if hooks.bare => "Fix: run `intercept install` in this repository to install pre-receive".to_string(),
            _ => "Fix: run `intercept install --global` (every repository) or `intercept install` (this one)"
                .to_string(),
        };
        lines.push((false, fix));
    }
    if stale {
        lines.push((
            false,
            "Fix: reinstall the hooks with `intercept install --global` (or `intercept install` here), or \
             run ./install.sh again"
                .to_string(),
        ));
    }
    lines
}

fn same(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

fn is_executable(path: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

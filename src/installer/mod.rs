//! Installing intercept's hooks, and saying whether they run. Off the scanning path: it
//! may run `git` (to read and write config exactly as git does) and it never sees a token.
//!
//! Two mechanisms, chosen from the version of the git on PATH:
//!
//! - **Config-based hooks** (git ≥ 2.54): `hook.intercept-<event>.command` and `.event`
//!   in the global config (or, per repository, the local one), for every event intercept
//!   checks. git runs them in addition to the hooks directory, whatever `core.hooksPath`
//!   says, so nothing shadows them, and `core.hooksPath` is left alone: husky, lefthook,
//!   the pre-commit framework and git-lfs install as they would without intercept.
//! - **Shims** (git < 2.54): a POSIX sh shim per hook in a hooks directory — the global
//!   `core.hooksPath` (`<config dir>/intercept/hooks`) or a repository's own — that runs
//!   intercept and then the hook that would have run without it.
//!
//! Both are written from the one hook table ([`crate::hooks`]). Every command the
//! config-based hooks run is itself a shim (with nothing to chain), so a broken binary
//! blocks there too. `install --global --with-shims` installs both, for a machine where an
//! older git (an IDE's, Apple's) also makes commits: the shims see from `git hook list`
//! when the git that runs them has run intercept's config-based hook already, and do not
//! check twice. What was installed is recorded (`install.toml`) so uninstall removes
//! exactly that.

mod gate;
pub mod git;
mod global;
pub mod husky;
mod inline;
mod lock;
mod repo;
pub mod shim;
pub mod status;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use gate::close_after_block;
pub use global::{install_global, uninstall_global, GlobalOptions};
pub use repo::{install_repo, repo_hooks, uninstall_repo, RepoHooks};

use crate::path::PathText;

/// Where a per-repository install keeps the hooks it replaced.
pub const CHAINED_DIR: &str = ".intercept-chained";

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("cannot run `git {args}`: {cause}. intercept needs git on PATH to read and write its config")]
    Git { args: String, cause: String },
    #[error(
        "`git {args}` failed: {cause}. Run it inside a git repository (or, to protect every repository, \
         use `intercept install --global`)"
    )]
    GitFailed { args: String, cause: String },
    #[error("{what} {path}: {source}. Check that you may write there")]
    Io {
        what: &'static str,
        path: PathText,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot find your config directory: neither XDG_CONFIG_HOME nor HOME is set. Set HOME (or \
         XDG_CONFIG_HOME) and run it again"
    )]
    NoHome,
    #[error(
        "cannot install the {hook} hook in {dir}: both {dir}/{hook} and {dir}/{chained}/{hook} exist and \
         neither is intercept's. Move one of them away and run `intercept install` again"
    )]
    ChainOccupied {
        hook: &'static str,
        dir: PathText,
        chained: &'static str,
    },
    #[error(
        "another `intercept install` is running on {path} (its lock is {age} s old). Wait for it, or \
         remove the lock file if no install is running"
    )]
    Locked { path: PathText, age: u64 },
    #[error(
        "{path} records an install this version cannot read: {cause}. Remove it and run the install again"
    )]
    Record { path: PathText, cause: String },
}

pub(crate) fn io_error<'a>(
    what: &'static str,
    path: &'a Path,
) -> impl FnOnce(io::Error) -> InstallError + 'a {
    move |source| InstallError::Io {
        what,
        path: PathText::new(path),
        source,
    }
}

/// What an install or uninstall did, for people.
#[derive(Debug, Default)]
pub struct Done {
    pub lines: Vec<String>,
}

/// intercept's config directory (`$XDG_CONFIG_HOME/intercept`, else `~/.config/intercept`).
pub fn config_dir() -> Result<PathBuf, InstallError> {
    crate::config::config_dir().ok_or(InstallError::NoHome)
}

/// Expands a leading `~/` the way git does for `core.hooksPath`.
pub fn expand_home(value: &str) -> PathBuf {
    match (value.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(value),
    }
}

pub(crate) fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// The directory of the global shims (`core.hooksPath` when they are installed).
pub fn global_shims_dir() -> Result<PathBuf, InstallError> {
    Ok(config_dir()?.join("hooks"))
}

/// The directory of the shims config-based hooks run.
pub fn config_hooks_dir() -> Result<PathBuf, InstallError> {
    Ok(config_dir()?.join("config-hooks"))
}

/// The friendly name of intercept's config-based hook for `event` (it must not be an
/// event name: that is fatal to git).
pub fn config_hook_name(event: &str) -> String {
    format!("intercept-{event}")
}

/// `hook.<name>.command` for a shim at `path`: the bare path when git can execute it
/// directly (no shell started), else quoted for the `sh -c` git then uses.
pub fn config_hook_command(path: &Path) -> String {
    let text = path.to_string_lossy();
    if text.chars().any(|c| "|&;<>()$`\\\"' \t\n*?[#~=%".contains(c)) {
        String::from_utf8_lossy(&shim::sh_quote(text.as_bytes())).into_owned()
    } else {
        text.into_owned()
    }
}

/// Removes a file if it is intercept's shim.
pub(crate) fn remove_shim(path: &Path) -> Result<bool, InstallError> {
    if shim::is_shim(path) {
        fs::remove_file(path).map_err(io_error("cannot remove", path))?;
        return Ok(true);
    }
    Ok(false)
}

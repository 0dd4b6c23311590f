//! Installing intercept's hooks, checking that they are whole, and saying what runs them.
//! Off the scanning path: it may run `git` (to read config exactly as git does) and it never
//! sees a token.
//!
//! The mechanisms, each with its own module, and one protocol between git and intercept
//! ([`shim`]):
//!
//! | mechanism | where | when |
//! | --- | --- | --- |
//! | config-based hooks ([`global`], [`Via::Config`]) | a block in the global config | git ≥ 2.54 |
//! | global shims ([`global`], [`Via::Global`]) | `<config dir>/intercept/hooks`, the global `core.hooksPath` | git < 2.54 |
//! | a repository's own hooks directory ([`mirror`], [`Via::Repo`]) | `<git dir>/intercept/hooks` | where the global one cannot reach |
//! | husky's `init.sh` ([`husky`], [`Via::Husky`]) | `~/.config/husky/init.sh` | husky 9 repositories |
//! | the gate (`gate`, [`Via::Gate`]) | in front of a repository's own untracked pre-push | after a stopped push, git ≥ 2.54 |
//!
//! [`model`] reads back what git runs for each event and whether intercept checks it
//! (`status`, `doctor`); [`integrity`] checks the install on every hook run; [`memo`] lets
//! the programs of one git command share what intercept decided. Nothing here writes a file
//! a repository tracks (the one exception removes an earlier version's lines from husky's
//! files, on `intercept install`/`uninstall` in that repository), and everything written is
//! recorded ([`record`]) so that uninstall undoes exactly it.

pub mod doctor;
mod gate;
pub mod git;
pub mod gitconfig;
pub mod global;
pub mod husky;
mod inline;
pub mod integrity;
mod legacy;
mod lock;
pub mod memo;
pub mod mirror;
pub mod model;
mod neighbour;
pub mod record;
pub mod repo;
pub mod shim;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use gate::{close_after_block, Gated};
pub use global::{install_global, uninstall_global, GlobalOptions};
pub use repo::{install_repo, repo_hooks, uninstall_repo, RepoHooks};
pub use shim::Via;

use crate::path::PathText;

/// Where a per-repository install (a server's pre-receive, a gate) keeps the hooks it
/// stands in front of.
pub const CHAINED_DIR: &str = ".intercept-chained";

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("cannot run `git {args}`: {source}. intercept needs git on PATH to read and write its config")]
    Git {
        args: String,
        #[source]
        source: io::Error,
    },
    #[error(
        "`git {args}` failed: {stderr}. Run it inside a git repository (or, to protect every repository, use \
         `intercept install --global`)"
    )]
    GitFailed { args: String, stderr: String },
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
        "{path} records an install this version cannot read: {source}. Remove it and run the install again"
    )]
    Record {
        path: PathText,
        #[source]
        source: toml::de::Error,
    },
    #[error(
        "{path} is not UTF-8 text, so intercept will not edit it. Check the file, then run the install again"
    )]
    NotText { path: PathText },
    #[error(
        "{path} is not a UTF-8 path: git config holds text, and a path written as something else would point \
         nowhere, so nothing was installed. Install intercept (and set HOME or XDG_CONFIG_HOME) under a UTF-8 path"
    )]
    NotUtf8 { path: PathText },
    #[error(
        "{path} exists: a git command is writing that config file, or one died while writing it. Run the install \
         again; if it persists and no git is running, remove that file"
    )]
    ConfigLocked { path: PathText },
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

/// Removes a file if it is intercept's shim (any version).
pub(crate) fn remove_shim(path: &Path) -> Result<bool, InstallError> {
    if shim::is_shim(path) {
        fs::remove_file(path).map_err(io_error("cannot remove", path))?;
        return Ok(true);
    }
    Ok(false)
}

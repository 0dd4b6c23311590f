//! The one error a command ends with when it cannot do its job at all, printed once by
//! `main` (`intercept: <what could not be done, why, and the way out>`), exit 2.
//!
//! A check that runs and meets a problem does not end here: what it could not check is a
//! problem in its report (the hook's block message, the scan's listing, JSON and SARIF).
//! This is for what happens before there is anything to report: no repository to scan, an
//! argument that cannot be right, a file that cannot be written.

use crate::path::PathText;
use crate::repo::RepoError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Start(#[from] crate::plan::StartError),
    #[error(transparent)]
    Api(#[from] crate::remedy::verify::ApiError),
    #[error(transparent)]
    Allow(#[from] AllowError),
    #[error(transparent)]
    Meta(#[from] MetaError),
    #[error(transparent)]
    Install(#[from] crate::installer::InstallError),
    #[error(transparent)]
    Purge(#[from] crate::remedy::purge::PurgeError),
}

/// Why `intercept allow` cannot write the entry.
#[derive(Debug, thiserror::Error)]
pub enum AllowError {
    #[error(
        "{0:?} is not a fingerprint (64 hex digits). Copy it from the block message, `intercept scan` or \
         its JSON output"
    )]
    NotAFingerprint(String),
    #[error("give a reason (--reason \"…\"): it is kept beside the entry for reviewers")]
    NoReason,
    #[error(
        "there is no git repository in {dir} or above it, and an allow entry belongs in a repository's \
         .intercept.toml. Run `intercept allow` inside the repository whose commit was blocked"
    )]
    NoRepository { dir: PathText },
    #[error(transparent)]
    Repo(RepoError),
    #[error(
        "this is a bare repository: it has no work tree for .intercept.toml. Run `intercept allow` in a \
         clone, commit .intercept.toml and push it; on a server, allow-lists come from the pushed commits"
    )]
    Bare,
    #[error("cannot update {path}: {source}. Check that you may read and write it")]
    Write {
        path: PathText,
        #[source]
        source: std::io::Error,
    },
}

/// Why `intercept completions`, `man` or `version` cannot write what it makes.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("cannot render the man page: {source}. Please report it")]
    Render {
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create {path}: {source}. Choose a directory you may write to")]
    CreateDir {
        path: PathText,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the man pages into {path}: {source}. Check that you may write there")]
    WritePages {
        path: PathText,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write to standard output: {source}")]
    Stdout {
        #[source]
        source: std::io::Error,
    },
}

//! Whether a git scan can start at all, checked before any report exists: when it cannot,
//! `intercept scan` says why in one line and writes no report (there is nothing to report).

use super::{Check, Plan};
use crate::path::PathText;
use crate::repo::{self, RepoError};

/// Why `intercept scan` with a git source cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "`intercept scan {what}` checks a git repository, and there is none in {dir} or above it. Run it \
         inside a repository, or scan files and directories with `intercept scan PATH`"
    )]
    NoRepository { what: &'static str, dir: PathText },
    #[error(
        "this is a bare repository: it has no index, so nothing is staged here. Scan its history with \
         `intercept scan --all`, or a range of it with `intercept scan --range <from>..<to>`"
    )]
    BareStaged,
    #[error(
        "cannot scan --range {range}: HEAD names no commit yet (nothing is committed on this branch). \
         Commit first, or name a commit, branch or tag"
    )]
    Unborn { range: PathText },
    #[error(
        "cannot scan --range {range}: cannot resolve \"{spec}\": it names no commit, branch or tag in this \
         repository. Check it with `git rev-parse {spec}`; in CI, fetch enough history for it (docs/ci.md)"
    )]
    Unknown {
        range: PathText,
        spec: PathText,
        #[source]
        source: Box<RepoError>,
    },
}

/// Why `plan` cannot start, if it cannot; files scans always can.
pub fn can_start(plan: &Plan) -> Result<(), StartError> {
    let what = match &plan.check {
        Check::Staged => "--staged",
        Check::Audit => "--all",
        Check::Range(_) => "--range",
        _ => return Ok(()),
    };
    let repo = match repo::open() {
        Ok(repo) => repo,
        Err(RepoError::NotFound { dir }) => return Err(StartError::NoRepository { what, dir }),
        // Any other failure is reported by the check itself, with its cause.
        Err(_) => return Ok(()),
    };
    if matches!(plan.check, Check::Staged) && repo.workdir().is_none() {
        return Err(StartError::BareStaged);
    }
    if let Check::Range(range) = &plan.check {
        for spec in range.specs() {
            let Err(source) = repo::refs::resolve(&repo, spec) else {
                continue;
            };
            let text = PathText(range.text.as_bytes().to_vec());
            if spec == "HEAD" && repo::head_commit_id(&repo).is_none() {
                return Err(StartError::Unborn { range: text });
            }
            return Err(StartError::Unknown {
                range: text,
                spec: PathText(spec.as_bytes().to_vec()),
                source: Box::new(source),
            });
        }
    }
    Ok(())
}

//! Refs as git stores them: loose and packed files (read with gix) or reftable (gix cannot
//! read it: [`super::reftable`] does). Every reader of refs — HEAD for a commit, what a
//! remote has for a push, every ref for a server or an audit, a range's names — goes
//! through here, so a reftable repository works everywhere.

use std::collections::BTreeMap;
use std::path::PathBuf;

use gix::ObjectId;

use super::{RepoError, Why};
use crate::plumbing::reftable::{self, Target};

/// How this repository stores refs.
enum Store {
    Files,
    /// The common git dir's stack, and a linked worktree's own (its HEAD).
    Reftable {
        common: PathBuf,
        own: PathBuf,
    },
}

fn store(repo: &gix::Repository) -> Store {
    let common = repo.common_dir().to_path_buf();
    if reftable::is_reftable(&common) {
        Store::Reftable {
            own: repo.git_dir().to_path_buf(),
            common,
        }
    } else {
        Store::Files
    }
}

fn reftable_error(e: reftable::ReftableError) -> RepoError {
    RepoError::Refs { source: e.into() }
}

/// Looks a ref up in a worktree's own stack, then the common one.
fn find(
    repo: &gix::Repository,
    common: &PathBuf,
    own: &PathBuf,
    name: &[u8],
) -> Result<Option<Target>, RepoError> {
    let len = repo.object_hash().len_in_bytes();
    if own != common {
        if let Some(t) = reftable::find_ref(own, len, name).map_err(reftable_error)? {
            return Ok(Some(t));
        }
    }
    reftable::find_ref(common, len, name).map_err(reftable_error)
}

/// Follows symbolic refs to an object id (`None`: the name leads nowhere, an unborn branch).
fn follow(
    repo: &gix::Repository,
    common: &PathBuf,
    own: &PathBuf,
    name: &[u8],
) -> Result<Option<ObjectId>, RepoError> {
    let mut name = name.to_vec();
    for _ in 0..8 {
        match find(repo, common, own, &name)? {
            Some(Target::Object { id, .. }) => {
                return ObjectId::try_from(id.as_slice())
                    .map(Some)
                    .map_err(|_| RepoError::Refs {
                        source: Why::BadId.into(),
                    })
            }
            Some(Target::Symbolic(to)) => name = to,
            None => return Ok(None),
        }
    }
    Err(RepoError::Refs {
        source: Why::SymrefChain.into(),
    })
}

/// The commit (or other object) `HEAD` points at; `None` on an unborn branch.
pub fn head_id(repo: &gix::Repository) -> Result<Option<ObjectId>, RepoError> {
    match store(repo) {
        Store::Files => {
            let head = repo.head().map_err(|e| RepoError::Head { source: e.into() })?;
            if head.is_unborn() {
                return Ok(None);
            }
            Ok(head.id().map(|id| id.detach()))
        }
        Store::Reftable { common, own } => follow(repo, &common, &own, b"HEAD"),
    }
}

/// The branch `HEAD` names (`refs/heads/main`), if it names one.
pub fn head_name(repo: &gix::Repository) -> Option<String> {
    match store(repo) {
        Store::Files => repo.head_name().ok().flatten().map(|n| n.as_bstr().to_string()),
        Store::Reftable { common, own } => match find(repo, &common, &own, b"HEAD") {
            Ok(Some(Target::Symbolic(to))) => Some(String::from_utf8_lossy(&to).into_owned()),
            _ => None,
        },
    }
}

/// Every ref under `prefix` (all when `None`) with the object it names (symbolic refs
/// followed, annotated tags not peeled), in name order.
pub fn all(repo: &gix::Repository, prefix: Option<&str>) -> Result<Vec<(String, ObjectId)>, RepoError> {
    let refs_error = |e: crate::causes::BoxError| RepoError::Refs { source: e };
    match store(repo) {
        Store::Files => {
            let platform = repo.references().map_err(|e| refs_error(e.into()))?;
            let iter = match prefix {
                Some(prefix) => platform.prefixed(prefix),
                None => platform.all(),
            }
            .map_err(|e| refs_error(e.into()))?;
            let mut out = Vec::new();
            for reference in iter {
                let mut reference = reference.map_err(|e| refs_error(e.into()))?;
                let name = reference.name().as_bstr().to_string();
                let id = match reference.target().try_id() {
                    Some(id) => Some(id.to_owned()),
                    None => reference.peel_to_id().ok().map(|id| id.detach()),
                };
                if let Some(id) = id {
                    out.push((name, id));
                }
            }
            Ok(out)
        }
        Store::Reftable { common, own } => {
            let len = repo.object_hash().len_in_bytes();
            let mut merged: BTreeMap<Vec<u8>, Target> = BTreeMap::new();
            for (name, target) in reftable::read_refs(&common, len).map_err(reftable_error)? {
                merged.insert(name, target);
            }
            if own != common {
                for (name, target) in reftable::read_refs(&own, len).map_err(reftable_error)? {
                    merged.insert(name, target);
                }
            }
            let mut out = Vec::new();
            for (name, target) in &merged {
                if !name.starts_with(b"refs/") || prefix.is_some_and(|p| !name.starts_with(p.as_bytes())) {
                    continue;
                }
                let id = match target {
                    Target::Object { id, .. } => ObjectId::try_from(id.as_slice()).ok(),
                    Target::Symbolic(_) => follow(repo, &common, &own, name)?,
                };
                if let Some(id) = id {
                    out.push((String::from_utf8_lossy(name).into_owned(), id));
                }
            }
            Ok(out)
        }
    }
}

/// Resolves a revision (`main`, `origin/main~3`, `v1.0^{commit}`, an id) as git would.
pub fn resolve(repo: &gix::Repository, spec: &str) -> Result<ObjectId, RepoError> {
    let error = |source: crate::causes::BoxError| RepoError::Resolve {
        spec: spec.to_string(),
        source,
    };
    let spec_for_gix = match store(repo) {
        Store::Files => spec.to_string(),
        Store::Reftable { common, own } => {
            // gix cannot look names up in reftable: replace the leading name by its id and
            // let gix handle the rest (`~3`, `^2`, `^{tree}`).
            let end = spec.find(['~', '^', ':', '@']).unwrap_or(spec.len());
            let (name, rest) = spec.split_at(end);
            let mut found = None;
            for candidate in [
                name.to_string(),
                format!("refs/{name}"),
                format!("refs/tags/{name}"),
                format!("refs/heads/{name}"),
                format!("refs/remotes/{name}"),
                format!("refs/remotes/{name}/HEAD"),
            ] {
                if let Some(id) =
                    follow(repo, &common, &own, candidate.as_bytes()).map_err(|e| error(e.into()))?
                {
                    found = Some(id);
                    break;
                }
            }
            match found {
                Some(id) => format!("{id}{rest}"),
                None => spec.to_string(),
            }
        }
    };
    repo.rev_parse_single(spec_for_gix.as_str())
        .map(|id| id.detach())
        .map_err(|e| error(e.into()))
}

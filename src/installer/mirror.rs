//! A repository's own intercept hooks directory, `<common git dir>/intercept/hooks`: where
//! the global mechanism cannot reach a repository (git < 2.54 and a hooks path of its own —
//! husky before 9, a committed `.githooks`, one set in an included file — or hooks of its
//! own that git runs too often for the global shims; or, on any git, a pre-push hook in a
//! file the team commits that must not run after a stopped push), intercept points that
//! repository's `core.hooksPath` here (its `.git/config`, never a tracked file).
//!
//! The directory mirrors the one git ran before (the chain): every entry is a symlink to
//! the original, so git runs the repository's hooks directly — no shim, no cost — and a
//! hook that finds helpers beside itself (`$(dirname "$0")/husky.sh`) still finds them;
//! the events intercept checks are shims that check and then run the original. It lives
//! inside the git directory, so it is never committed and goes away with the repository.
//! Each run of its shims brings the mirror up to date with the chain (a hook the team adds
//! later starts running), see [`sync`].

use std::fs;
use std::path::{Path, PathBuf};

use super::shim::{self, Chain, Spec, Via};
use super::{io_error, InstallError};
use crate::hooks::{self, Hook, HOOKS};

/// The directory for a repository with this common git directory.
pub fn dir(common: &Path) -> PathBuf {
    common.join("intercept").join("hooks")
}

/// The shim for `hook` in the mirror of `chain`.
pub fn spec(bin: &Path, hook: &'static Hook, chain: &Path, common: &Path) -> Spec {
    Spec {
        chain: Chain::Dir(chain.to_path_buf()),
        lfs: hook.lfs,
        common: Some(common.to_path_buf()),
        ..Spec::new(bin, hook, Via::Repo)
    }
}

/// The hooks the mirror has a shim for: the client events intercept checks, and git-lfs's
/// (run for a repository that stores LFS objects when the chain has no hook of that name).
fn shimmed(hook: &Hook, bare: bool) -> bool {
    if bare {
        return hook.name == hooks::server_check().name;
    }
    (hook.check.is_some() && hooks::client_checks().any(|h| h.name == hook.name)) || hook.lfs
}

/// Creates or refreshes the mirror of `chain` for the repository at `common` (a bare one
/// gets a checking pre-receive, a work tree the client checks).
pub fn install(bin: &Path, common: &Path, chain: &Path, bare: bool) -> Result<PathBuf, InstallError> {
    let dir = dir(common);
    fs::create_dir_all(&dir).map_err(io_error("cannot create", &dir))?;
    let exec = execs(chain);
    for hook in HOOKS
        .iter()
        .filter(|h| shimmed(h, bare) || (exec && chain.join(h.name).exists()))
    {
        let path = dir.join(hook.name);
        let spec = spec(bin, hook, chain, common);
        if !spec.check && !exec && chain.join(hook.name).exists() {
            continue; // linked below: git runs the repository's own directly
        }
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            fs::remove_file(&path).map_err(io_error("cannot remove", &path))?;
        }
        shim::write_executable(&path, &spec.file())?;
    }
    sync(&dir, chain)?;
    Ok(dir)
}

/// Whether the chain's hooks must run from their own path: husky 9's stubs find the team's
/// `.husky/<hook>` from `$0` (two directories up), so a symlink would lose it; they get a
/// shim that runs them instead (one more `sh` start each).
fn execs(chain: &Path) -> bool {
    matches!(super::husky::layout(chain), Some(super::husky::Layout::V9 { .. }))
}

/// Brings the mirror up to date with the chain: a symlink for every entry of the chain (a
/// hook added there since), none for an entry that is gone. Cheap: two directory reads.
pub fn sync(dir: &Path, chain: &Path) -> Result<bool, InstallError> {
    let mut changed = false;
    let exec = execs(chain);
    let wanted: Vec<std::ffi::OsString> = match fs::read_dir(chain) {
        Ok(entries) => entries.flatten().map(|e| e.file_name()).collect(),
        Err(_) => Vec::new(),
    };
    for name in &wanted {
        let text = name.to_string_lossy();
        if text.ends_with(".sample") || text.starts_with(".intercept") {
            continue;
        }
        let path = dir.join(name);
        let target = chain.join(name);
        if exec && hooks::find(&text).is_some() && shim::is_shim(&path) {
            continue;
        }
        match fs::read_link(&path) {
            Ok(t) if t == target => continue,
            Ok(_) => {}
            Err(_) if fs::symlink_metadata(&path).is_ok() => {
                // intercept's shim for a checked event (it runs the chain's itself), or a
                // git-lfs shim that the chain's own hook now replaces.
                let hook = hooks::find(&text);
                if hook.is_some_and(|h| h.check.is_some()) || !shim::is_shim(&path) {
                    continue;
                }
            }
            Err(_) => {}
        }
        let _ = fs::remove_file(&path);
        #[cfg(unix)]
        std::os::unix::fs::symlink(&target, &path).map_err(io_error("cannot link", &path))?;
        changed = true;
    }
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if fs::read_link(&path).is_ok_and(|t| t.starts_with(chain)) && !wanted.contains(&name) {
                let _ = fs::remove_file(&path);
                changed = true;
            }
        }
    }
    Ok(changed)
}

/// What is wrong with the mirror's shims, if anything: a shim that is gone, not
/// executable, or not intercept's.
pub fn damage(dir: &Path, chain: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let server = shim::read(&dir.join("pre-receive")).is_some_and(|s| s.check);
    let checked: Vec<&Hook> = if server {
        vec![hooks::server_check()]
    } else {
        hooks::client_checks().collect()
    };
    for hook in checked {
        let path = dir.join(hook.name);
        if !shim::is_executable(&path) {
            out.push(format!("{} is gone or not executable", hook.name));
        } else if shim::read(&path).is_none_or(|s| s.chain != Chain::Dir(chain.to_path_buf())) {
            out.push(format!("{} is not intercept's shim", hook.name));
        }
    }
    out
}

/// Removes the mirror (all of it is intercept's).
pub fn remove(common: &Path) -> Result<bool, InstallError> {
    let dir = dir(common);
    if !dir.exists() {
        return Ok(false);
    }
    fs::remove_dir_all(&dir).map_err(io_error("cannot remove", &dir))?;
    Ok(true)
}

/// Whether `dir` is some repository's intercept hooks directory (`<git dir>/intercept/hooks`).
pub fn looks_like_one(dir: &Path) -> bool {
    dir.ends_with("intercept/hooks")
        && dir
            .parent()
            .and_then(Path::parent)
            .is_some_and(|git| git.join("HEAD").is_file())
}

/// Whether `dir` is the mirror of the repository at `common`.
pub fn is_mirror(dir: &Path, common: &Path) -> bool {
    super::same_dir(dir, &self::dir(common))
}

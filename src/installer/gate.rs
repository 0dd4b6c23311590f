//! The repository's own pre-push hook after a push intercept stopped (git ≥ 2.54).
//!
//! git ≥ 2.54 runs every hook of an event, the hooks directory's last, even when an earlier
//! one failed: after intercept's config-based pre-push hook has stopped a push, git still
//! runs `.git/hooks/pre-push`, and such a hook can send data elsewhere — git-lfs's uploads
//! the LFS objects of the commits being pushed (a token in an LFS file would reach the LFS
//! server). So when intercept stops a push, it first puts itself in front of that hook: git
//! has already looked the hook up but runs it by path after intercept exits, so the gate is
//! there in time. The gate asks intercept, which answers from what it decided a moment ago
//! ([`super::memo`]), and lets the hook run only after a clean check.
//!
//! Only a file of the user's own is touched: never one the repository tracks (a committed
//! `.githooks/pre-push`; `intercept status` names it and `intercept install` gives that
//! repository a hooks directory of its own instead), and never husky's (its `init.sh` block
//! stops the push already). A sh script gets a marked block at its top (it keeps its path,
//! so what it finds from `$0` still works); anything else is moved aside and a shim takes its
//! place. The repository is recorded, so `intercept uninstall` (here, or `--global`) puts the
//! hook back byte for byte.

use std::fs;
use std::path::Path;

use super::inline::{self, Place, BEGIN, END};
use super::record::Registry;
use super::repo::{install_shims_in, repo_hooks, tracked, RepoHooks, State};
use super::shim::{self, Spec, Via};
use super::{husky, io_error, InstallError, CHAINED_DIR};
use crate::hooks;
use crate::path::PathText;

/// What a stopped push did about the repository's own pre-push hook, for the block message.
pub enum Gated {
    /// Nothing runs after intercept, or intercept already runs first.
    Nothing,
    /// intercept now runs in front of it.
    Closed(String),
    /// It will run, and intercept may not touch it.
    Open(String),
}

/// Puts intercept in front of the repository's own pre-push hook, if git will run one that
/// intercept does not run before.
pub fn close_after_block(bin: &Path) -> Result<Gated, InstallError> {
    let hooks = repo_hooks()?;
    if hooks.bare {
        return Ok(Gated::Nothing);
    }
    let event = "pre-push";
    let path = hooks.dir.join(event);
    if !shim::is_executable(&path) || shim::is_shim(&path) || inline::block(&path).is_some() {
        return Ok(Gated::Nothing);
    }
    if let Some(husky::Layout::V9 { .. }) = husky::layout(&hooks.dir) {
        if husky::init_ok(bin) {
            return Ok(Gated::Nothing); // husky's init.sh stops the push first
        }
    }
    if tracked(&hooks, &path) {
        return Ok(Gated::Open(format!(
            "this repository's own pre-push hook ({}) still runs after this stopped push (git runs every hook of an \
             event), and it is a file the team commits, which intercept does not edit. If it sends data on (git lfs \
             pre-push uploads LFS objects), run `intercept install` in this repository: it gives the repository a \
             hooks directory of its own (in .git), where that hook runs only after intercept's check",
            PathText::new(&path)
        )));
    }
    if inline::is_sh_script(&path) && owns_alone(&path) {
        let block = Spec::new(bin, hooks::find(event).expect("in the table"), Via::Gate).block(BEGIN, END);
        inline::add(&path, &block, Place::Top, "", true)?;
    } else {
        make_room(&hooks.dir, event)?;
        let hook = *hooks::find(event).expect("pre-push is in the table");
        install_shims_in(&hooks.dir, &[hook], bin, Via::Gate)?;
    }
    let mut state = State::read(&hooks.common_dir)?;
    if !state.gates.contains(&hooks.dir) {
        state.gates.push(hooks.dir.clone());
        state.write(&hooks.common_dir)?;
    }
    Registry::add(&hooks.common_dir)?;
    Ok(Gated::Closed(format!(
        "this repository's own pre-push hook ({}) would have run next, although the push is stopped (git runs every \
         hook of an event), and such hooks can send data on (git-lfs's uploads LFS objects). It now runs only after \
         intercept finds nothing; `intercept uninstall` in this repository puts it back as it was",
        PathText::new(&path)
    )))
}

/// Removes a gate from the hooks directory of `hooks`: the block, or the shim with the hook
/// it moved aside put back. Returns whether there was one.
pub fn remove(hooks: &RepoHooks) -> Result<bool, InstallError> {
    let mut removed = false;
    for dir in [hooks.dir.clone(), hooks.common_dir.join("hooks")] {
        let path = dir.join("pre-push");
        if inline::block(&path)
            .is_some_and(|b| Spec::parse_block(&b).is_some_and(|(_, via)| via == Via::Gate))
        {
            removed |= inline::remove(&path)?;
        }
        removed |= super::legacy::remove_old_block(&path)?;
    }
    Ok(removed)
}

/// Whether `path` is a regular file of its own (not a symlink, one link): editing it
/// changes nothing else.
fn owns_alone(path: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.file_type().is_file() && meta.nlink() == 1
    }
    #[cfg(not(unix))]
    {
        meta.file_type().is_file()
    }
}

/// A tool re-installed its hook over an earlier gate (lefthook, `pre-commit install`,
/// `git lfs install --force`): the gate goes back in front of what git runs now. The copy
/// kept from before is dropped when it is the same bytes, else kept beside it with a
/// `.before-<time>` suffix; the earlier gate, which the tool moved to `<hook>.old` or
/// `<hook>.legacy` (and may run from there), is removed.
fn make_room(dir: &Path, event: &str) -> Result<(), InstallError> {
    for moved in [format!("{event}.old"), format!("{event}.legacy")] {
        let path = dir.join(moved);
        if shim::is_shim(&path) {
            fs::remove_file(&path).map_err(io_error("cannot remove", &path))?;
        }
    }
    let kept = dir.join(CHAINED_DIR).join(event);
    if fs::symlink_metadata(&kept).is_err() || shim::is_shim(&kept) {
        return Ok(());
    }
    if fs::read(&kept).ok() == fs::read(dir.join(event)).ok() {
        return fs::remove_file(&kept).map_err(io_error("cannot remove", &kept));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let aside = dir.join(CHAINED_DIR).join(format!("{event}.before-{secs}"));
    fs::rename(&kept, &aside).map_err(io_error("cannot move aside", &kept))
}

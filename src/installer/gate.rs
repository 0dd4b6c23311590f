//! The repository's own pre-push hook after a push intercept stopped.
//!
//! git ≥ 2.54 runs every hook of an event, the hooks directory's last, even when an earlier
//! one failed: after intercept's config-based pre-push hook has stopped a push, git still
//! runs `.git/hooks/pre-push` (or husky's `.husky/pre-push`). Those hooks may send data
//! elsewhere — git-lfs's uploads the LFS objects of the commits being pushed (a token in an
//! LFS file would reach the LFS server), lefthook's runs git-lfs too, a team script may
//! push to a mirror. So when intercept stops a push, it first puts itself in front of that
//! hook (git runs it by path after intercept exits, so the gate is there in time). The
//! gate checks again and lets the hook run only when nothing is found: a marked line at
//! the top of a sh script (husky's `.husky/pre-push`, git-lfs's, lefthook's and the
//! pre-commit framework's hooks are sh scripts: each stays in place, so what it finds from
//! `$0` still works), else a shim in its place with the hook moved aside. A clean push
//! changes nothing. `intercept uninstall` in the repository restores the hook.

use std::fs;
use std::path::Path;

use super::repo::{install_shims_in, repo_hooks};
use super::{husky, inline, io_error, shim, InstallError, CHAINED_DIR};
use crate::hooks;
use crate::path::PathText;

/// Puts intercept in front of the repository's own pre-push hook, if it has one intercept
/// does not run before. Returns what was done, for the block message.
pub fn close_after_block(bin: &Path) -> Result<Option<String>, InstallError> {
    let hooks = repo_hooks()?;
    if hooks.bare {
        return Ok(None);
    }
    let event = "pre-push";
    if let Some(husky_dir) = husky::husky_dir(&hooks.dir) {
        let file = husky_dir.join(event);
        if !file.is_file() || husky::installed_line(&husky_dir, event).is_some() {
            return Ok(None);
        }
        let mut done = super::Done::default();
        husky::install(&husky_dir, bin, &[event], true, &mut done)?;
        return Ok(Some(said(&file)));
    }
    let path = hooks.dir.join(event);
    if !is_hook(&path) || shim::is_shim(&path) || inline::installed(&path).is_some() {
        return Ok(None);
    }
    if inline::is_sh_script(&path) && owns_alone(&path) {
        // In place: the script keeps its path, so what it finds from `$0` still works.
        inline::add(&path, bin, event, true)?;
        return Ok(Some(said(&path)));
    }
    // Another program, or a file shared with others (a symlink, a hard link): move it aside
    // and put a shim in its place.
    make_room(&hooks.dir, event)?;
    let hook = *hooks::find(event).expect("pre-push is in the table");
    install_shims_in(
        &hooks.dir,
        &[hook],
        bin,
        shim::Options {
            gate: true,
            ..shim::Options::default()
        },
    )?;
    Ok(Some(said(&path)))
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
/// `git lfs install --force`): the gate goes back in front of what git runs now. The
/// copy kept from before is dropped when it is the same bytes, else kept beside it with
/// a `.before-<time>` suffix; the earlier gate, which the tool moved to `<hook>.old` or
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

fn said(path: &Path) -> String {
    format!(
        "this repository's own pre-push hook ({}) would have run next, although the push is stopped (git runs \
         every hook of an event), and such hooks can send data on (git-lfs's uploads LFS objects). It now runs \
         only after intercept finds nothing; `intercept uninstall` in this repository puts it back as it was",
        PathText::new(path)
    )
}

/// Whether git would run `path` as a hook (a file, or a symlink to one, that may be run).
fn is_hook(path: &Path) -> bool {
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

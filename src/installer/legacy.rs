//! What earlier versions of intercept installed, found and removed so that an upgrade or
//! an uninstall leaves nothing of them behind: config-based hooks set with `git config`
//! and the shim files they ran (`<config dir>/intercept/config-hooks/`), a global
//! `core.hooksPath` set directly, and marked blocks in husky's `.husky/<hook>` files.

use std::fs;
use std::path::Path;

use super::git;
use super::record::Record;
use super::{config_dir, expand_home, global_shims_dir, inline, same_dir, Done, InstallError};
use crate::hooks::HOOKS;
use crate::path::PathText;

/// The first line of the block earlier versions put into `.husky/<hook>` (and in front of a
/// repository's own pre-push).
pub const OLD_BEGIN: &str =
    "# >>> intercept: added by `intercept install`; `intercept uninstall` removes this block";
pub const OLD_END: &str = "# <<< intercept";

/// Removes an earlier layout's global install, as the record of it says.
pub fn remove_global(record: &Record, done: &mut Done) -> Result<(), InstallError> {
    if record.legacy_config_hooks {
        // Only that layout wrote these sections with `git config`; the current block is
        // written after this and never looked at here.
        super::gitconfig::remove_block(&super::gitconfig::global_file()?)?;
        if remove_config_hook_sections("--global", None)? {
            done.lines.push(
                "removed the config-based hooks an earlier intercept set with `git config` (they are in intercept's \
                 block now)"
                    .to_string(),
            );
        }
    }
    let old_dir = config_dir()?.join("config-hooks");
    if old_dir.exists() {
        for hook in HOOKS {
            super::remove_shim(&old_dir.join(hook.name))?;
        }
        let _ = fs::remove_dir(&old_dir);
    }
    if record.legacy_shims {
        let ours = global_shims_dir()?;
        let set = git::git(
            None,
            &["config", "--global", "--no-includes", "--get", "core.hooksPath"],
        )?;
        if set.is_some_and(|v| same_dir(&expand_home(&v), &ours)) {
            match &record.previous_hooks_path {
                Some(previous) => {
                    git::git(None, &["config", "--global", "core.hooksPath", previous])?;
                }
                None => {
                    git::git(None, &["config", "--global", "--unset", "core.hooksPath"])?;
                }
            }
            done.lines.push(
                "moved the global core.hooksPath an earlier intercept set into intercept's block".to_string(),
            );
        }
    }
    Ok(())
}

/// Removes `hook.intercept-*` sections set with `git config` from one config (`--global`,
/// or `--local` in `cwd`'s repository); true when there were some.
pub fn remove_config_hook_sections(scope: &str, cwd: Option<&Path>) -> Result<bool, InstallError> {
    let mut removed = false;
    for hook in HOOKS.iter().filter(|h| h.check.is_some()) {
        let name = super::global::config_hook_name(hook.name);
        let set = git::git(
            cwd,
            &[
                "config",
                scope,
                "--no-includes",
                "--get-all",
                &format!("hook.{name}.command"),
            ],
        )?
        .is_some()
            || git::git(
                cwd,
                &[
                    "config",
                    scope,
                    "--no-includes",
                    "--get-all",
                    &format!("hook.{name}.event"),
                ],
            )?
            .is_some();
        if set {
            git::git(
                cwd,
                &["config", scope, "--remove-section", &format!("hook.{name}")],
            )?;
            removed = true;
        }
    }
    Ok(removed)
}

/// Removes an earlier version's block from a hook file (husky's `.husky/<hook>`, a gated
/// pre-push), and the file when intercept had created it. Returns whether it changed.
pub fn remove_old_block(path: &Path) -> Result<bool, InstallError> {
    inline::remove_between(path, OLD_BEGIN, OLD_END)
}

/// Whether a hook file holds an earlier version's block.
pub fn has_old_block(path: &Path) -> bool {
    fs::read(path).is_ok_and(|t| memchr::memmem::find(&t, OLD_BEGIN.as_bytes()).is_some())
}

/// The `.husky/<hook>` files of a repository that hold an earlier version's block.
pub fn husky_blocks(base: &Path) -> Vec<std::path::PathBuf> {
    let dir = base.join(".husky");
    HOOKS
        .iter()
        .map(|h| dir.join(h.name))
        .filter(|p| has_old_block(p))
        .collect()
}

/// Removes the blocks [`husky_blocks`] finds, saying which.
pub fn remove_husky_blocks(base: &Path, done: &mut Done) -> Result<(), InstallError> {
    for path in husky_blocks(base) {
        if remove_old_block(&path)? {
            done.lines.push(format!(
                "removed the block an earlier intercept added to {} (a file the team commits)",
                PathText::new(&path)
            ));
        }
    }
    Ok(())
}

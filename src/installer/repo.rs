//! `intercept install` and `intercept uninstall` in one repository.
//!
//! - A bare (server) repository always gets a checking `pre-receive` in the directory git
//!   runs its hooks from; under a global shim install that is the repository's own
//!   `hooks/`, which the global pass-through runs.
//! - A repository with a work tree, on git ≥ 2.54: config-based hooks in its local config
//!   (nothing is written into its hooks directory). When the global config-based hooks
//!   already run here, nothing is installed (they would run twice).
//! - On older git: shims in the directory git runs the repository's hooks from
//!   (`core.hooksPath`, else the common git dir's `hooks/`). An existing hook is kept
//!   exactly — a regular file by rename (content and mode), a symlink re-pointed so a
//!   relative target still resolves — in `.intercept-chained/<name>` beside it (the same
//!   file name, for hooks that look at `$0`), runs after intercept, and is restored byte
//!   for byte by uninstall. A lock keeps two installs from racing.

use std::fs;
use std::path::{Path, PathBuf};

use super::git;
use super::global::{installed, remove_config_hook_sections, write_config_hooks};
use super::lock::Lock;
use super::shim::{self, Chain};
use super::{
    global_shims_dir, husky, inline, io_error, remove_shim, same_dir, Done, InstallError, CHAINED_DIR,
};
use crate::hooks::{self, Hook};
use crate::path::PathText;

/// Where git runs this repository's hooks from, and what it is.
#[derive(Debug)]
pub struct RepoHooks {
    /// The directory git runs hooks from (`core.hooksPath`, else `<common dir>/hooks`).
    pub dir: PathBuf,
    pub bare: bool,
    /// `local`, `global`, `system`, … when `core.hooksPath` set it.
    pub scope: Option<String>,
    /// The config file that set `core.hooksPath` (an included file shows here).
    pub origin: Option<String>,
    /// The work tree's top, or a bare repository's git dir.
    pub base: PathBuf,
    /// The common git dir (`.git`, or the main repository's for a linked worktree).
    pub common_dir: PathBuf,
}

/// Asks git where it runs hooks from, in the repository around the current directory.
pub fn repo_hooks() -> Result<RepoHooks, InstallError> {
    let bare = git::git(None, &["rev-parse", "--is-bare-repository"])?.as_deref() == Some("true");
    let base = if bare {
        git::git(None, &["rev-parse", "--absolute-git-dir"])?
    } else {
        git::git(None, &["rev-parse", "--show-toplevel"])?
    }
    .map(PathBuf::from)
    .unwrap_or_default();
    let hooks = git::git(Some(&base), &["rev-parse", "--git-path", "hooks"])?.unwrap_or_default();
    let common = git::git(Some(&base), &["rev-parse", "--git-common-dir"])?.unwrap_or_default();
    let shown = git::git(
        Some(&base),
        &[
            "config",
            "--show-scope",
            "--show-origin",
            "--get",
            "core.hooksPath",
        ],
    )?;
    let mut fields = shown.as_deref().unwrap_or_default().splitn(3, '\t');
    let scope = fields.next().filter(|s| !s.is_empty()).map(str::to_string);
    let origin = fields.next().map(str::to_string);
    Ok(RepoHooks {
        dir: base.join(hooks),
        bare,
        scope,
        origin,
        common_dir: base.join(common),
        base,
    })
}

/// `intercept install` in a repository.
pub fn install_repo(bin: &Path, hooks: &RepoHooks) -> Result<Done, InstallError> {
    let global = global_shims_dir()?;
    if hooks.bare {
        let dir = if same_dir(&hooks.dir, &global) {
            hooks.common_dir.join("hooks")
        } else {
            hooks.dir.clone()
        };
        return install_shims_in(&dir, &[*hooks::server_check()], bin, shim::Options::default());
    }
    let version = git::version(None)?;
    let (record, _) = installed()?;
    let mut done = Done::default();
    if version.has_config_hooks() {
        if record.config_hooks {
            done.lines.push(format!(
                "this repository is already checked by intercept's global config-based hooks (git {version}); \
                 nothing to install (a second install would check everything twice). `intercept status` says \
                 what runs here"
            ));
            return Ok(done);
        }
        write_config_hooks(bin, "--local", Some(&hooks.base))?;
        done.lines.push(format!(
            "installed config-based hooks in this repository's config (git {version}); its hooks directory is \
             untouched"
        ));
        return Ok(done);
    }
    if same_dir(&hooks.dir, &global) {
        done.lines.push(format!(
            "this repository already runs intercept's global hooks ({}); nothing to install",
            PathText::new(&hooks.dir)
        ));
        return Ok(done);
    }
    // husky regenerates .husky/_ on every `npm install`: join its team-owned files instead.
    if let Some(husky_dir) = husky::husky_dir(&hooks.dir) {
        if same_dir(&husky_dir, &hooks.dir) {
            // husky 5 to 8, after an older intercept moved `.husky/<hook>` aside (which broke
            // its `$0`-relative `_/husky.sh`): put the team's files back first.
            uninstall_shims_in(&husky_dir, &mut done)?;
        }
        let _lock = Lock::take(&husky_dir)?;
        let events: Vec<&str> = hooks::client_checks().map(|h| h.name).collect();
        husky::install(&husky_dir, bin, &events, false, &mut done)?;
        if same_dir(&husky_dir, &hooks.dir) {
            husky::make_runnable(&husky_dir, &events, &mut done)?;
        }
        return Ok(done);
    }
    let list: Vec<Hook> = hooks::client_checks().copied().collect();
    install_shims_in(&hooks.dir, &list, bin, shim::Options::default())
}

/// `intercept uninstall` in a repository.
pub fn uninstall_repo(hooks: &RepoHooks) -> Result<Done, InstallError> {
    let mut done = Done::default();
    if !hooks.bare && remove_config_hook_sections("--local", Some(&hooks.base))? {
        done.lines
            .push("removed intercept's config-based hooks from this repository's config".to_string());
    }
    if let Some(husky_dir) = husky::husky_dir(&hooks.dir) {
        let events: Vec<&str> = hooks::client_checks().map(|h| h.name).collect();
        husky::uninstall(&husky_dir, &events, &mut done)?;
    }
    // A gate line (`installer::gate`) at the top of the repository's own pre-push.
    for dir in [&hooks.dir, &hooks.common_dir.join("hooks")] {
        let path = dir.join("pre-push");
        if inline::remove(&path)? {
            done.lines
                .push(format!("removed intercept's line from {}", PathText::new(&path)));
        }
    }
    let mut dirs = vec![hooks.dir.clone()];
    let own = hooks.common_dir.join("hooks");
    if !dirs.iter().any(|d| same_dir(d, &own)) {
        dirs.push(own);
    }
    let global = global_shims_dir()?;
    for dir in dirs.iter().filter(|d| !same_dir(d, &global)) {
        uninstall_shims_in(dir, &mut done)?;
    }
    if done.lines.is_empty() {
        done.lines
            .push(format!("no intercept hooks in {}", PathText::new(&hooks.dir)));
    }
    Ok(done)
}

/// Writes shims for `list` into `dir`, keeping what was there.
pub(super) fn install_shims_in(
    dir: &Path,
    list: &[Hook],
    bin: &Path,
    options: shim::Options,
) -> Result<Done, InstallError> {
    let mut done = Done::default();
    let _lock = Lock::take(dir)?;
    let chained = dir.join(CHAINED_DIR);
    for hook in list {
        let path = dir.join(hook.name);
        let keep = chained.join(hook.name);
        let present = fs::symlink_metadata(&path).is_ok();
        if present && !shim::is_shim(&path) {
            pause_for_tests();
            if fs::symlink_metadata(&keep).is_ok() {
                return Err(InstallError::ChainOccupied {
                    hook: hook.name,
                    dir: PathText::new(dir),
                    chained: CHAINED_DIR,
                });
            }
            fs::create_dir_all(&chained).map_err(io_error("cannot create", &chained))?;
            move_hook(&path, &keep, Direction::Aside)?;
            link_siblings(dir, &chained)?;
            done.lines.push(format!(
                "kept the existing {} hook: it now runs after intercept (from {})",
                hook.name,
                PathText::new(&keep)
            ));
        }
        shim::write_executable(
            &path,
            &shim::render(bin, hook, &Chain::Dir(chained.clone()), options),
        )?;
    }
    done.lines.push(format!(
        "installed {} in {}",
        list.iter().map(|h| h.name).collect::<Vec<_>>().join(", "),
        PathText::new(dir)
    ));
    Ok(done)
}

/// Debug builds only: `INTERCEPT_TEST_PAUSE_MS` widens the window between looking at a
/// hook and moving it, so the concurrency test can show what the lock prevents.
fn pause_for_tests() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("INTERCEPT_TEST_PAUSE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

fn uninstall_shims_in(dir: &Path, done: &mut Done) -> Result<(), InstallError> {
    if !dir.exists() {
        return Ok(());
    }
    let _lock = Lock::take(dir)?;
    let chained = dir.join(CHAINED_DIR);
    for hook in hooks::HOOKS.iter().filter(|h| h.check.is_some()) {
        let path = dir.join(hook.name);
        if remove_shim(&path)? {
            done.lines.push(format!("removed intercept's {} hook", hook.name));
        }
        let keep = chained.join(hook.name);
        if fs::symlink_metadata(&keep).is_ok() && fs::symlink_metadata(&path).is_err() {
            move_hook(&keep, &path, Direction::Back)?;
            done.lines
                .push(format!("restored the previous {} hook", hook.name));
        }
    }
    unlink_siblings(&chained);
    let _ = fs::remove_dir(&chained);
    Ok(())
}

/// A hook moved into `.intercept-chained/` may find its helpers from its own path
/// (husky 4's hooks source `$(dirname "$0")/husky.sh`, which sources `husky.local.sh`):
/// each other file or directory of the hooks directory gets a relative symlink there, so
/// those lookups still land on the real thing. Hook names and git's samples are left out.
fn link_siblings(dir: &Path, chained: &Path) -> Result<(), InstallError> {
    let entries = fs::read_dir(dir).map_err(io_error("cannot read", dir))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if name == CHAINED_DIR
            || text.starts_with(".intercept")
            || text.ends_with(".sample")
            || text.contains(".intercept-tmp-")
            || hooks::HOOKS.iter().any(|h| h.name == text)
        {
            continue;
        }
        let link = chained.join(&name);
        if fs::symlink_metadata(&link).is_ok() {
            continue;
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(Path::new("..").join(&name), &link)
            .map_err(io_error("cannot link", &link))?;
    }
    Ok(())
}

/// Removes the links [`link_siblings`] made (and only those).
fn unlink_siblings(chained: &Path) {
    let Ok(entries) = fs::read_dir(chained) else {
        return;
    };
    for entry in entries.flatten() {
        let link = entry.path();
        let ours = fs::read_link(&link).is_ok_and(|t| t == Path::new("..").join(entry.file_name()));
        if ours {
            let _ = fs::remove_file(&link);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Into `.intercept-chained/` (one directory deeper).
    Aside,
    /// Back out of it.
    Back,
}

/// Moves a hook, keeping it exactly: a file by rename (same inode: content and mode), a
/// symlink re-created with its target adjusted by one directory when it is relative, so it
/// points at the same file from its new place (and at the same text when it comes back).
fn move_hook(from: &Path, to: &Path, direction: Direction) -> Result<(), InstallError> {
    let meta = fs::symlink_metadata(from).map_err(io_error("cannot read", from))?;
    if !meta.file_type().is_symlink() {
        return fs::rename(from, to).map_err(io_error("cannot move aside", from));
    }
    let target = fs::read_link(from).map_err(io_error("cannot read the symlink", from))?;
    let moved = if target.is_absolute() {
        target
    } else {
        match direction {
            Direction::Aside => Path::new("..").join(&target),
            Direction::Back => target.strip_prefix("..").map(Path::to_path_buf).unwrap_or(target),
        }
    };
    #[cfg(unix)]
    std::os::unix::fs::symlink(&moved, to).map_err(io_error("cannot create the symlink", to))?;
    #[cfg(not(unix))]
    fs::copy(from, to)
        .map_err(io_error("cannot copy", from))
        .map(|_| ())?;
    fs::remove_file(from).map_err(io_error("cannot remove", from))
}

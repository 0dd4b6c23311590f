//! `intercept install` and `intercept uninstall` in one repository.
//!
//! - A bare (server) repository gets a checking `pre-receive` in the directory git runs its
//!   hooks from (an existing hook is kept in `.intercept-chained/` and runs after it).
//! - A repository with a work tree gets only what the global install cannot give it, and
//!   never a write to a file it tracks:
//!   - git ≥ 2.54 without the global install: config-based hooks in its own config
//!     (`.git/config`, intercept's marked block);
//!   - a hooks directory of its own ([`super::mirror`]) where the global mechanism does not
//!     reach it: git < 2.54 with a hooks path of its own or hooks of its own that the global
//!     shims do not run; on any git, a tracked pre-push hook that must not run after a
//!     stopped push.
//! - What an earlier intercept wrote here is removed (its blocks in husky's files too: the
//!   one write to a tracked file, which gives the team's file back).
//!
//! Every change is recorded in `<common git dir>/intercept/install.toml` and the repository
//! in the user's list, so `intercept uninstall` here or `--global` undoes exactly it.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::git::{self, Version};
use super::gitconfig;
use super::global::config_hooks_body;
use super::lock::Lock;
use super::record::{write_atomic, Record, Registry};
use super::shim::{self, Chain, Spec, Via};
use super::{
    gate, global_shims_dir, husky, io_error, legacy, mirror, remove_shim, same_dir, Done, InstallError,
    CHAINED_DIR,
};
use crate::hooks::{self, Hook, HOOKS};
use crate::path::PathText;

/// Where git runs this repository's hooks from, and what it is.
#[derive(Debug, Clone)]
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
    repo_hooks_in(None)
}

/// [`repo_hooks`] for the repository around `dir`.
pub fn repo_hooks_in(dir: Option<&Path>) -> Result<RepoHooks, InstallError> {
    let bare = git::git(dir, &["rev-parse", "--is-bare-repository"])?.as_deref() == Some("true");
    let base = if bare {
        git::git(dir, &["rev-parse", "--absolute-git-dir"])?
    } else {
        git::git(dir, &["rev-parse", "--show-toplevel"])?
    }
    .map(PathBuf::from)
    .unwrap_or_default();
    let out = git::git(
        Some(&base),
        &["rev-parse", "--git-path", "hooks", "--git-common-dir"],
    )?
    .unwrap_or_default();
    let mut lines = out.lines();
    let hooks = lines.next().unwrap_or_default().to_string();
    let common = lines.next().unwrap_or_default().to_string();
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
        dir: crate::path::lexical(&base.join(hooks)),
        bare,
        scope,
        origin,
        common_dir: crate::path::lexical(&base.join(common)),
        base,
    })
}

/// Whether `path` (or the directory it is in) is tracked by the repository: a file the team
/// commits, which intercept never writes.
pub fn tracked(hooks: &RepoHooks, path: &Path) -> bool {
    if hooks.bare {
        return false;
    }
    let Ok(rel) = path.strip_prefix(&hooks.base) else {
        return false; // outside the work tree (the git directory, the user's own files)
    };
    if rel.starts_with(".git") {
        return false;
    }
    let rel = rel.to_string_lossy();
    // A file of the team's, or any file in a directory the team commits hooks in.
    let dir = Path::new(&*rel)
        .parent()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    for probe in [rel.as_ref(), dir.as_str()] {
        if probe.is_empty() {
            continue;
        }
        if git::git(Some(&hooks.base), &["ls-files", "--", probe])
            .ok()
            .flatten()
            .is_some_and(|out| !out.is_empty())
        {
            return true;
        }
    }
    false
}

/// What intercept changed in one repository (`<common dir>/intercept/install.toml`).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct State {
    /// Config-based hooks in the repository's config (intercept's block).
    #[serde(default)]
    pub config_hooks: bool,
    /// The hooks directory git ran before intercept's own ([`mirror`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror_of: Option<PathBuf>,
    /// The repository's config line that set `core.hooksPath` before intercept set it to
    /// the mirror (put back by uninstall); none when intercept's block sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks_path_line: Option<String>,
    /// The binary the hooks call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin: Option<PathBuf>,
    /// Hooks directories where a stopped push put a gate in front of the pre-push hook.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<PathBuf>,
}

impl State {
    fn path(common: &Path) -> PathBuf {
        common.join("intercept").join("install.toml")
    }

    pub fn read(common: &Path) -> Result<State, InstallError> {
        let path = Self::path(common);
        match fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|source| InstallError::Record {
                path: PathText::new(&path),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(io_error("cannot read", &path)(e)),
        }
    }

    pub fn write(&self, common: &Path) -> Result<(), InstallError> {
        let path = Self::path(common);
        if *self == State::default() {
            let _ = fs::remove_file(&path);
            let _ = fs::remove_dir(common.join("intercept"));
            return Ok(());
        }
        let text = format!(
            "# What intercept changed in this repository; `intercept uninstall` undoes it. Do not edit.\n{}",
            toml::to_string(self).unwrap_or_default()
        );
        write_atomic(&path, text.as_bytes())
    }

    /// The lines of intercept's block in the repository's config.
    fn block(&self, common: &Path) -> String {
        let mut body = String::new();
        if let (true, Some(bin)) = (self.config_hooks, &self.bin) {
            body.push_str(&config_hooks_body(bin));
        }
        if self.mirror_of.is_some() && self.hooks_path_line.is_none() {
            body.push_str(&format!(
                "[core]\n\thooksPath = {}\n",
                gitconfig::quote(&mirror::dir(common).to_string_lossy())
            ));
        }
        body
    }
}

/// What the repository needs from a per-repository install, and why.
#[derive(Debug, Default)]
pub struct Needs {
    /// Config-based hooks in its own config.
    pub config_hooks: bool,
    /// A hooks directory of its own, mirroring this one, and why.
    pub mirror: Option<String>,
}

/// The repository's own hooks the global shims do not run.
pub fn unrun_own_hooks(dir: &Path) -> Vec<&'static str> {
    HOOKS
        .iter()
        .filter(|h| !h.global_shim && shim::is_executable(&dir.join(h.name)))
        .map(|h| h.name)
        .collect()
}

/// The hooks directory git would run for this repository without intercept's own: the one
/// the mirror was made of, else the current one — the repository's own `hooks/` when that
/// is the global shims directory.
pub fn chain_dir(hooks: &RepoHooks, state: &State, global: &Path) -> PathBuf {
    match &state.mirror_of {
        Some(chain) if mirror::is_mirror(&hooks.dir, &hooks.common_dir) => chain.clone(),
        _ if same_dir(&hooks.dir, global) => hooks.common_dir.join("hooks"),
        _ => hooks.dir.clone(),
    }
}

/// What `intercept install` would give this repository.
pub fn needs(
    hooks: &RepoHooks,
    version: Version,
    record: &Record,
    bin: &Path,
) -> Result<Needs, InstallError> {
    let mut needs = Needs::default();
    let state = State::read(&hooks.common_dir)?;
    let global = global_shims_dir()?;
    let chain = chain_dir(hooks, &state, &global);
    if hooks.bare {
        // Under the global shims, which leave a server's hooks out (they ran for every push
        // into a repository on this machine): its own intercept hooks directory.
        needs.mirror = Some(if mirror::is_mirror(&hooks.dir, &hooks.common_dir) {
            "refresh".to_string()
        } else {
            "git runs this bare repository's hooks from intercept's global shims, which leave a server's hooks out"
                .to_string()
        });
        return Ok(needs);
    }
    if version.has_config_hooks() {
        needs.config_hooks = !record.global.config_hooks();
        let pre_push = chain.join("pre-push");
        if shim::is_executable(&pre_push) && !shim::is_shim(&pre_push) && tracked(hooks, &pre_push) {
            needs.mirror = Some(format!(
                "its pre-push hook ({}) is a file the team commits, which git would still run after intercept stops \
                 a push",
                PathText::new(&pre_push)
            ));
        }
        return Ok(needs);
    }
    if same_dir(&hooks.dir, &global) {
        if !record.global.shims() {
            needs.mirror = Some("intercept is not installed for every repository".to_string());
        }
        let own = hooks.common_dir.join("hooks");
        let unrun = unrun_own_hooks(&own);
        if !unrun.is_empty() {
            needs.mirror = Some(format!(
                "it has its own {} hook{} in {}, which the global shims do not run",
                unrun.join(", "),
                if unrun.len() == 1 { "" } else { "s" },
                PathText::new(&own)
            ));
        }
        return Ok(needs);
    }
    if let Some(husky::Layout::V9 { husky }) = husky::layout(&chain) {
        let missing: Vec<&str> = hooks::client_checks()
            .map(|h| h.name)
            .filter(|e| !husky::defined(&husky, e))
            .collect();
        if husky::init_ok(bin) && missing.is_empty() {
            return Ok(needs);
        }
        needs.mirror = Some(if missing.is_empty() {
            "husky's init.sh does not have intercept's block".to_string()
        } else {
            format!(
                "husky runs nothing for {} here (no file of that name in .husky/)",
                missing.join(", ")
            )
        });
        return Ok(needs);
    }
    if !mirror::is_mirror(&hooks.dir, &hooks.common_dir) {
        needs.mirror = Some(format!(
            "git {version} runs its hooks from {} ({}), not from intercept's global shims",
            PathText::new(&chain),
            hooks
                .scope
                .as_deref()
                .map_or("the repository's own".to_string(), |s| format!(
                    "core.hooksPath, {s} config"
                ))
        ));
    } else {
        needs.mirror = Some("refresh".to_string());
    }
    Ok(needs)
}

/// What to do about an earlier version's blocks in husky's tracked files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Legacy {
    /// Remove them (`intercept install`/`uninstall` in the repository, asked by its user).
    Remove,
    /// Leave them (`doctor --fix` touches no tracked file; it reports them).
    KeepTracked,
}

/// `intercept install` in a repository.
pub fn install_repo(bin: &Path, hooks: &RepoHooks) -> Result<Done, InstallError> {
    install_repo_with(bin, hooks, Legacy::Remove)
}

/// [`install_repo`], saying what to do about an earlier version's blocks in tracked files.
pub fn install_repo_with(bin: &Path, hooks: &RepoHooks, legacy_blocks: Legacy) -> Result<Done, InstallError> {
    let mut done = Done::default();
    let global = global_shims_dir()?;
    if hooks.bare && !same_dir(&hooks.dir, &global) && !mirror::is_mirror(&hooks.dir, &hooks.common_dir) {
        // A server's own hooks directory (the admin's): the checking pre-receive goes there,
        // in front of the one it had.
        install_shims_in(&hooks.dir, &[*hooks::server_check()], bin, Via::Repo)?;
        done.lines.push(format!(
            "installed a checking pre-receive hook in {}",
            PathText::new(&hooks.dir)
        ));
        return Ok(done);
    }
    super::global::utf8(bin)?;
    super::global::utf8(&mirror::dir(&hooks.common_dir))?;
    let _lock = Lock::take(&hooks.common_dir.join("intercept"))?;
    let version = git::version(None)?;
    let record = Record::read()?;
    remove_legacy(hooks, legacy_blocks, &mut done)?;
    let needs = needs(hooks, version, &record, bin)?;
    let mut state = State::read(&hooks.common_dir)?;
    state.bin = Some(bin.to_path_buf());
    state.config_hooks = needs.config_hooks;
    if needs.config_hooks {
        done.lines.push(format!(
            "installed config-based hooks in this repository's config (git {version}); its hooks directory is untouched"
        ));
    }
    match needs.mirror {
        Some(why) => {
            let chain = chain_dir(hooks, &state, &global_shims_dir()?);
            let chain = fs::canonicalize(&chain).unwrap_or(chain);
            let dir = mirror::install(bin, &hooks.common_dir, &chain, hooks.bare)?;
            // Point git at it, unless it already is (a tool may have set core.hooksPath since).
            if !mirror::is_mirror(&hooks.dir, &hooks.common_dir) {
                let config = hooks.common_dir.join("config");
                let value = dir.to_string_lossy().into_owned();
                let local = hooks.scope.as_deref() == Some("local");
                state.hooks_path_line = if local {
                    gitconfig::replace_key(&config, "core", "hooksPath", &value)?
                } else {
                    None
                };
                state.mirror_of = Some(chain.clone());
            }
            if why != "refresh" {
                done.lines.push(format!("{why}:"));
            }
            let checked: Vec<&str> = if hooks.bare {
                vec![hooks::server_check().name]
            } else {
                hooks::client_checks().map(|h| h.name).collect()
            };
            done.lines.push(format!(
                "git now runs this repository's hooks from {} (in its git directory, never committed): each hook of {} \
                 runs from there as before, with intercept's check in front of {}",
                PathText::new(&dir),
                PathText::new(&chain),
                checked.join(", ")
            ));
        }
        None if state.mirror_of.is_none() && !needs.config_hooks => {
            done.lines.push(format!(
                "this repository is already checked by intercept's global install (git {version}); nothing to install \
                 here. `intercept status` says what runs"
            ));
        }
        None => {}
    }
    let config = hooks.common_dir.join("config");
    let body = state.block(&hooks.common_dir);
    if body.is_empty() {
        gitconfig::remove_block(&config)?;
    } else {
        gitconfig::set_block(&config, &body, gitconfig::Place::End)?;
    }
    state.write(&hooks.common_dir)?;
    if state != State::default() {
        Registry::add(&hooks.common_dir)?;
    }
    Ok(done)
}

/// What an earlier intercept left in this repository: shims in its hooks directory (with the
/// hooks they moved aside), config-based hooks set with `git config`, blocks in husky's files.
fn remove_legacy(hooks: &RepoHooks, blocks: Legacy, done: &mut Done) -> Result<(), InstallError> {
    let global = global_shims_dir()?;
    for dir in [hooks.dir.clone(), hooks.common_dir.join("hooks")] {
        if same_dir(&dir, &global) || mirror::looks_like_one(&dir) {
            continue; // the global shims, or a repository's own intercept hooks directory
        }
        if HOOKS
            .iter()
            .any(|h| h.check.is_some() && old_shim(&dir.join(h.name)))
        {
            uninstall_shims_in(&dir, done)?;
        }
    }
    let config = hooks.common_dir.join("config");
    if gitconfig::block(&config).is_none()
        && legacy::remove_config_hook_sections("--local", Some(&hooks.base))?
    {
        done.lines.push(
            "removed config-based hooks an earlier intercept set in this repository's config".to_string(),
        );
    }
    if blocks == Legacy::Remove {
        legacy::remove_husky_blocks(&hooks.base, done)?;
    }
    Ok(())
}

/// A shim file of an intercept before this version (this version's read back as a [`Spec`]).
fn old_shim(path: &Path) -> bool {
    shim::is_shim(path) && shim::read(path).is_none()
}

/// `intercept uninstall` in a repository.
pub fn uninstall_repo(hooks: &RepoHooks) -> Result<Done, InstallError> {
    let mut done = Done::default();
    done.lines.extend(uninstall_at(&hooks.common_dir)?);
    if gate::remove(hooks)? {
        done.lines
            .push("removed intercept's gate from this repository's pre-push hook".to_string());
    }
    remove_legacy(hooks, Legacy::Remove, &mut done)?;
    if hooks.bare && !same_dir(&hooks.dir, &global_shims_dir()?) && !mirror::looks_like_one(&hooks.dir) {
        uninstall_shims_in(&hooks.dir, &mut done)?;
    }
    Registry::remove(&hooks.common_dir)?;
    if done.lines.is_empty() {
        done.lines
            .push(format!("no intercept hooks in {}", PathText::new(&hooks.base)));
    }
    Ok(done)
}

/// Undoes what [`State`] records for the repository whose common git directory is `common`
/// (what `uninstall --global` runs for each recorded repository), and a gate in its hooks.
pub fn uninstall_at(common: &Path) -> Result<Vec<String>, InstallError> {
    let mut lines = Vec::new();
    if !common.exists() {
        return Ok(lines);
    }
    let state = State::read(common)?;
    let config = common.join("config");
    if gitconfig::remove_block(&config)? {
        lines.push(format!(
            "removed intercept's block from {}",
            PathText::new(&config)
        ));
    }
    if let (Some(line), true) = (&state.hooks_path_line, state.mirror_of.is_some()) {
        let ours = mirror::dir(common).to_string_lossy().into_owned();
        if gitconfig::restore_key(&config, "core", "hooksPath", &ours, line)? {
            lines.push(format!("put back core.hooksPath in {}", PathText::new(&config)));
        }
    }
    if mirror::remove(common)? {
        lines.push(format!("removed {}", PathText::new(&mirror::dir(common))));
    }
    let mut dirs = state.gates.clone();
    dirs.push(common.join("hooks"));
    dirs.dedup();
    for dir in dirs {
        let path = dir.join("pre-push");
        let gated = super::inline::block(&path)
            .is_some_and(|b| Spec::parse_block(&b).is_some_and(|(_, via)| via == Via::Gate));
        if gated && super::inline::remove(&path)? {
            lines.push(format!("removed intercept's gate from {}", PathText::new(&path)));
        }
        if shim::read(&path).is_some_and(|s| s.via == Via::Gate) {
            let mut done = Done::default();
            uninstall_shims_in(&dir, &mut done)?;
            lines.extend(done.lines);
        }
    }
    let _ = fs::remove_dir_all(common.join("intercept"));
    Ok(lines)
}

/// Writes shims for `list` into `dir`, keeping what was there.
pub(super) fn install_shims_in(
    dir: &Path,
    list: &[Hook],
    bin: &Path,
    via: Via,
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
        let spec = Spec {
            chain: Chain::Dir(chained.clone()),
            ..Spec::new(bin, hooks::find(hook.name).expect("from the table"), via)
        };
        shim::write_executable(&path, &spec.file())?;
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

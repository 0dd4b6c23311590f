//! `intercept install --global` and `intercept uninstall --global`.
//!
//! On git ≥ 2.54: config-based hooks in the global config, `core.hooksPath` untouched; an
//! earlier shim install is migrated (the previous `core.hooksPath` comes back). On older
//! git, or with `--with-shims`: shims in `<config dir>/intercept/hooks` set as the global
//! `core.hooksPath` (a previous one is recorded, chained, and restored on uninstall).
//! Re-running changes nothing; what was done is recorded in `install.toml`.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::git::{self, Version};
use super::lock::Lock;
use super::shim::{self, Chain};
use super::{
    config_dir, config_hook_command, config_hook_name, config_hooks_dir, expand_home, global_shims_dir,
    io_error, remove_shim, same_dir, Done, InstallError,
};
use crate::hooks::{self, Check, Hook, HOOKS};
use crate::path::PathText;

/// What `install --global` may do beyond the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct GlobalOptions {
    /// Also install the global shims on git ≥ 2.54, for older gits on the same machine.
    pub with_shims: bool,
}

/// What a global install did, to undo it exactly.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// Config-based hooks are in the global config.
    #[serde(default)]
    pub config_hooks: bool,
    /// The global shims are installed and `core.hooksPath` points at them.
    #[serde(default)]
    pub shims: bool,
    /// The git version the install was made for.
    #[serde(default)]
    pub git: String,
    /// The global `core.hooksPath` before intercept set it, if one was set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_hooks_path: Option<String>,
}

impl Record {
    fn path() -> Result<PathBuf, InstallError> {
        Ok(config_dir()?.join("install.toml"))
    }

    /// The record, or what an earlier version left (`previous-hooks-path`, shims only).
    pub fn read() -> Result<Record, InstallError> {
        let path = Self::path()?;
        match fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| InstallError::Record {
                path: PathText::new(&path),
                cause: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let legacy = config_dir()?.join("previous-hooks-path");
                match fs::read_to_string(&legacy) {
                    Ok(text) => {
                        let mut lines = text.lines();
                        Ok(Record {
                            shims: true,
                            previous_hooks_path: match (lines.next(), lines.next()) {
                                (Some("set"), Some(value)) => Some(value.to_string()),
                                _ => None,
                            },
                            ..Record::default()
                        })
                    }
                    Err(_) => Ok(Record::default()),
                }
            }
            Err(e) => Err(io_error("cannot read", &path)(e)),
        }
    }

    fn write(&self) -> Result<(), InstallError> {
        let path = Self::path()?;
        let legacy = config_dir()?.join("previous-hooks-path");
        let _ = fs::remove_file(legacy);
        if !self.config_hooks && !self.shims {
            return match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(io_error("cannot remove", &path)(e))
                }
                _ => Ok(()),
            };
        }
        let text = format!(
            "# What `intercept install --global` did, so that `intercept uninstall --global` undoes\n\
             # exactly that. Written by intercept; do not edit.\n{}",
            toml::to_string(self).unwrap_or_default()
        );
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_error("cannot create", dir))?;
        }
        fs::write(&path, text).map_err(io_error("cannot write", &path))
    }
}

/// `intercept install --global`.
pub fn install_global(bin: &Path, options: GlobalOptions) -> Result<Done, InstallError> {
    let mut done = Done::default();
    let dir = config_dir()?;
    let _lock = Lock::take(&dir)?;
    let version = git::version(None)?;
    let mut record = Record::read()?;
    let config = version.has_config_hooks();
    let shims = !config || options.with_shims;
    if config {
        write_config_hooks(bin, "--global", None)?;
        record.config_hooks = true;
    } else if record.config_hooks {
        remove_config_hooks(&mut done)?;
        record.config_hooks = false;
    }
    if shims {
        install_shims(bin, &mut record, config, &mut done)?;
    } else if record.shims || global_hooks_path_is_ours()? {
        remove_shims(&mut record, &mut done)?;
        done.lines.push(format!(
            "git {version} runs config-based hooks: the earlier shim install (core.hooksPath) was replaced by them"
        ));
    }
    record.git = version.to_string();
    record.write()?;
    let older = git::older_gits(version);
    match (config, shims) {
        (true, false) => {
            done.lines.push(format!(
                "git {version}: installed config-based hooks in the global config ({}); core.hooksPath is \
                 untouched, so every repository's own hooks and hook managers keep working",
                checked_events().join(", ")
            ));
            for (path, v) in &older {
                done.lines.push(format!(
                    "note: {} is git {v}, which ignores config-based hooks: commits it makes are checked when a \
                     newer git pushes them. To check them when they are made too, run `intercept install --global \
                     --with-shims` (see docs/hooks.md)",
                    PathText::new(path)
                ));
            }
        }
        (true, true) => done.lines.push(format!(
            "git {version}: installed config-based hooks and the global shims (core.hooksPath) for older gits; \
             under a git that runs the config-based hooks the shims do not check again"
        )),
        _ => done.lines.push(format!(
            "git {version} has no config-based hooks (they need 2.54): installed shims in {} and set the global \
             core.hooksPath to it; {}",
            PathText::new(&global_shims_dir()?),
            match &record.previous_hooks_path {
                Some(p) => format!("the previous global core.hooksPath ({p}) runs after intercept"),
                None => "each repository's own hooks (.git/hooks) still run after intercept".to_string(),
            }
        )),
    }
    Ok(done)
}

/// `intercept uninstall --global`.
pub fn uninstall_global() -> Result<Done, InstallError> {
    let mut done = Done::default();
    let dir = config_dir()?;
    let _lock = Lock::take(&dir)?;
    let mut record = Record::read()?;
    remove_config_hooks(&mut done)?;
    record.config_hooks = false;
    remove_shims(&mut record, &mut done)?;
    record.write()?;
    if done.lines.is_empty() {
        done.lines
            .push("no global install of intercept was found; nothing to remove".to_string());
    }
    Ok(done)
}

/// The client events intercept checks.
fn checked_events() -> Vec<&'static str> {
    hooks::client_checks().map(|h| h.name).collect()
}

/// Writes the config-based hooks' shims and sets them in one config (`--global`, or
/// `--local` in `cwd`'s repository).
pub(super) fn write_config_hooks(bin: &Path, scope: &str, cwd: Option<&Path>) -> Result<(), InstallError> {
    let dir = config_hooks_dir()?;
    fs::create_dir_all(&dir).map_err(io_error("cannot create", &dir))?;
    for hook in hooks::client_checks() {
        let path = dir.join(hook.name);
        shim::write_executable(
            &path,
            &shim::render(bin, hook, &Chain::None, shim::Options::default()),
        )?;
        set_config_hook(scope, cwd, hook.name, &path)?;
    }
    Ok(())
}

/// Sets `hook.intercept-<event>.command` and `.event` in one config (`--global`, `--local`).
pub(crate) fn set_config_hook(
    scope: &str,
    cwd: Option<&Path>,
    event: &str,
    shim: &Path,
) -> Result<(), InstallError> {
    let name = config_hook_name(event);
    let command = config_hook_command(shim);
    let key = format!("hook.{name}.command");
    if git::git(cwd, &["config", scope, "--get", &key])?.as_deref() != Some(command.as_str()) {
        git::git(cwd, &["config", scope, &key, &command])?;
    }
    let key = format!("hook.{name}.event");
    if git::git(cwd, &["config", scope, "--get-all", &key])?.as_deref() != Some(event) {
        git::git(cwd, &["config", scope, "--replace-all", &key, event])?;
    }
    Ok(())
}

/// Removes intercept's config-based hooks from one config; true when there were some.
pub(crate) fn remove_config_hook_sections(scope: &str, cwd: Option<&Path>) -> Result<bool, InstallError> {
    let mut removed = false;
    for hook in HOOKS.iter().filter(|h| h.check.is_some()) {
        let name = config_hook_name(hook.name);
        let key = format!("hook.{name}.command");
        let set = git::git(cwd, &["config", scope, "--get-all", &key])?.is_some()
            || git::git(
                cwd,
                &["config", scope, "--get-all", &format!("hook.{name}.event")],
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

fn remove_config_hooks(done: &mut Done) -> Result<(), InstallError> {
    if remove_config_hook_sections("--global", None)? {
        done.lines
            .push("removed intercept's config-based hooks from the global config".to_string());
    }
    let dir = config_hooks_dir()?;
    if dir.exists() {
        for hook in HOOKS {
            remove_shim(&dir.join(hook.name))?;
        }
        let _ = fs::remove_dir(&dir);
    }
    Ok(())
}

fn global_hooks_path() -> Result<Option<String>, InstallError> {
    git::git(None, &["config", "--global", "--get", "core.hooksPath"])
}

fn global_hooks_path_is_ours() -> Result<bool, InstallError> {
    let ours = global_shims_dir()?;
    Ok(global_hooks_path()?.is_some_and(|v| same_dir(&expand_home(&v), &ours)))
}

/// The hook as the global shims install it: every hook a repository may have, checking
/// the client events; a server's pre-receive only passes through there (a bare repository
/// gets its checking pre-receive from `intercept install` in it).
fn global_shim_hook(hook: &Hook) -> Hook {
    let mut h = *hook;
    if h.check == Some(Check::Receive) {
        h.check = None;
    }
    h
}

fn install_shims(bin: &Path, record: &mut Record, dual: bool, done: &mut Done) -> Result<(), InstallError> {
    let dir = global_shims_dir()?;
    let current = global_hooks_path()?;
    match &current {
        Some(value) if same_dir(&expand_home(value), &dir) => {}
        other => record.previous_hooks_path = other.clone(),
    }
    let chain = match &record.previous_hooks_path {
        Some(value) => Chain::Dir(expand_home(value)),
        None => Chain::Local,
    };
    fs::create_dir_all(&dir).map_err(io_error("cannot create", &dir))?;
    for hook in HOOKS.iter().filter(|h| h.passthrough) {
        let hook = global_shim_hook(hook);
        let path = dir.join(hook.name);
        let options = shim::Options {
            dual,
            // Only where the shim runs the repositories' own hooks.
            lfs: chain == Chain::Local && shim::LFS_HOOKS.contains(&hook.name),
            gate: false,
        };
        shim::write_executable(&path, &shim::render(bin, &hook, &chain, options))?;
    }
    // Shims an earlier version wrote for hooks no longer installed (the hot ones).
    for hook in HOOKS.iter().filter(|h| !h.passthrough) {
        if remove_shim(&dir.join(hook.name))? {
            done.lines.push(format!(
                "removed the {} shim (git runs it too often for a pass-through; see docs/hooks.md)",
                hook.name
            ));
        }
    }
    let dir_text = dir.to_string_lossy().into_owned();
    if current.as_deref() != Some(dir_text.as_str()) {
        git::git(None, &["config", "--global", "core.hooksPath", &dir_text])?;
    }
    record.shims = true;
    Ok(())
}

fn remove_shims(record: &mut Record, done: &mut Done) -> Result<(), InstallError> {
    let dir = global_shims_dir()?;
    if global_hooks_path_is_ours()? {
        match record.previous_hooks_path.take() {
            Some(previous) => {
                git::git(None, &["config", "--global", "core.hooksPath", &previous])?;
                done.lines
                    .push(format!("restored the global core.hooksPath to {previous}"));
            }
            None => {
                git::git(None, &["config", "--global", "--unset", "core.hooksPath"])?;
                done.lines
                    .push("removed the global core.hooksPath (it was not set before)".to_string());
            }
        }
    }
    if dir.exists() {
        let mut removed = false;
        for hook in HOOKS {
            removed |= remove_shim(&dir.join(hook.name))?;
        }
        let _ = fs::remove_dir(&dir);
        if removed {
            done.lines
                .push(format!("removed intercept's shims from {}", PathText::new(&dir)));
        }
    }
    record.shims = false;
    Ok(())
}

/// The version the global install was made for, and what it installed.
pub fn installed() -> Result<(Record, Option<Version>), InstallError> {
    let record = Record::read()?;
    let version = Version::parse(&format!("git version {}", record.git));
    Ok((record, version))
}

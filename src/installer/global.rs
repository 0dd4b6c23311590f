//! `intercept install --global` and `intercept uninstall --global`: the per-user install
//! that reaches every repository.
//!
//! Everything it adds to git's config is one marked block at the end of the global config
//! file ([`super::gitconfig`]), which uninstall removes byte for byte:
//! - git ≥ 2.54: config-based hooks whose commands are sh one-liners calling the binary
//!   ([`Spec::command`]): no file stands between git and intercept, so nothing but the
//!   binary can go missing, and a missing binary blocks with the reason.
//! - git < 2.54 (or `--with-shims`): the global `core.hooksPath`, set to
//!   `<config dir>/intercept/hooks`, a directory of shims. When the user had set one, that
//!   line is rewritten in place (one value, as git keeps it) and put back on uninstall, and
//!   the shims run the hooks of the directory it named. (Not an `[include]` of a file in
//!   that directory, which would fall back more gently when the directory is lost: lefthook
//!   then no longer sees a global hooks path and writes its hooks into intercept's directory.)
//!
//! Both also add intercept's block to husky's `init.sh` ([`super::husky`]), which husky 9
//! sources before every hook of a repository's `.husky/` — before it honours `HUSKY=0`.

use std::fs;
use std::path::{Path, PathBuf};

use super::git::{self, Version};
use super::gitconfig;
use super::lock::Lock;
use super::record::{Global, Record, Registry};
use super::shim::{self, Chain, Spec, Via};
use super::{config_dir, global_shims_dir, husky, io_error, legacy, repo, same_dir, Done, InstallError};
use crate::hooks::{self, Check, Hook, HOOKS};
use crate::path::PathText;

/// What `install --global` may do beyond the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct GlobalOptions {
    /// Also install the global shims on git ≥ 2.54, for older gits on the same machine.
    pub with_shims: bool,
}

/// The config-based hooks, as lines of a config file.
pub fn config_hooks_body(bin: &Path) -> String {
    let mut body = String::new();
    for hook in hooks::client_checks() {
        let spec = Spec::new(bin, hook, Via::Config);
        body.push_str(&format!(
            "[hook \"{name}\"]\n\tcommand = {command}\n\tevent = {event}\n",
            name = config_hook_name(hook.name),
            command = gitconfig::quote(&spec.command()),
            event = hook.name
        ));
    }
    body
}

/// The setting that points git at the shims directory, as lines of intercept's block.
pub fn hooks_path_body(dir: &Path) -> String {
    format!(
        "[core]\n\thooksPath = {}\n",
        gitconfig::quote(&dir.to_string_lossy())
    )
}

/// The user's own global `core.hooksPath` (not intercept's), and the file that sets it.
fn users_hooks_path(shims_dir: &Path) -> Result<(Option<String>, Option<PathBuf>), InstallError> {
    // Outside any repository, so that only the system and global files are read.
    let home = config_dir()?;
    fs::create_dir_all(&home).map_err(io_error("cannot create", &home))?;
    let listed = git::git(
        Some(&home),
        &[
            "config",
            "--show-scope",
            "--show-origin",
            "--get-all",
            "core.hooksPath",
        ],
    )?
    .unwrap_or_default();
    let mut found = (None, None);
    for line in listed.lines() {
        let mut fields = line.splitn(3, '\t');
        let (Some("global"), Some(origin), Some(value)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if same_dir(&super::expand_home(value), shims_dir) {
            continue;
        }
        found = (
            Some(value.to_string()),
            origin.strip_prefix("file:").map(PathBuf::from),
        );
    }
    Ok(found)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((fs::canonicalize(a), fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
}

/// A path git config can hold: config files are text, so a path that is not UTF-8 would be
/// written as something else and point nowhere.
pub fn utf8(path: &Path) -> Result<&str, InstallError> {
    path.to_str().ok_or_else(|| InstallError::NotUtf8 {
        path: PathText::new(path),
    })
}

/// The friendly name of intercept's config-based hook for `event` (it must not be an event
/// name: that is fatal to git).
pub fn config_hook_name(event: &str) -> String {
    format!("intercept-{event}")
}

/// The shim the global shims directory has for `hook`: every hook git runs by name that is
/// not run too often for a pass-through; a server's pre-receive only passes through there (a
/// bare repository gets its checking pre-receive from `intercept install` in it).
pub fn global_spec(bin: &Path, hook: &'static Hook, chain: &Chain) -> Spec {
    let mut spec = Spec::new(bin, hook, Via::Global);
    spec.check = hook.check.is_some_and(|c| c != Check::Receive);
    spec.chain = chain.clone();
    spec.lfs = hook.lfs && *chain == Chain::Local;
    spec
}

/// The hooks in the global shims directory.
pub fn global_hooks() -> impl Iterator<Item = &'static Hook> {
    HOOKS.iter().filter(|h| h.global_shim)
}

/// The chain of the global shims: the user's own global hooks directory, or each
/// repository's own hooks.
pub fn global_chain(record: &Record) -> Chain {
    match &record.previous_hooks_path {
        Some(value) => Chain::Dir(super::expand_home(value)),
        None => Chain::Local,
    }
}

/// `intercept install --global`.
pub fn install_global(bin: &Path, options: GlobalOptions) -> Result<Done, InstallError> {
    utf8(bin)?;
    utf8(&global_shims_dir()?)?;
    let mut done = Done::default();
    let dir = config_dir()?;
    let _lock = Lock::take(&dir)?;
    let version = git::version(None)?;
    let mut record = Record::read()?;
    legacy::remove_global(&record, &mut done)?;
    let config = version.has_config_hooks();
    let shims = !config || options.with_shims;
    let file = gitconfig::global_file()?;
    let shims_dir = global_shims_dir()?;
    let mut body = String::new();
    if config {
        body.push_str(&config_hooks_body(bin));
    }
    if shims {
        // The user's own global hooks path, wherever git reads it from (this file, an
        // included one, the XDG file): the shims run its hooks. Written in this file, its
        // line becomes intercept's (put back on uninstall); elsewhere, intercept's block
        // (read last) wins.
        let dir_text = utf8(&shims_dir)?;
        if record.hooks_path_line.is_none() {
            let (value, origin) = users_hooks_path(&shims_dir)?;
            record.previous_hooks_path = value;
            if origin.is_some_and(|o| same_file(&o, &file)) {
                record.hooks_path_line = gitconfig::replace_key(&file, "core", "hooksPath", dir_text)?;
            }
        }
        write_shims(bin, &shims_dir, &global_chain(&record))?;
        if record.hooks_path_line.is_none() {
            body.push_str(&hooks_path_body(&shims_dir));
        }
    } else {
        remove_shims(&shims_dir, &mut done)?;
        restore_hooks_path(&mut record, &file, &shims_dir, &mut done)?;
        if record.global.shims() {
            done.lines.push(format!(
                "git {version} runs config-based hooks: the earlier shim install (core.hooksPath) was replaced by them"
            ));
        }
    }
    if let Some(old) = record.config_file.as_deref().filter(|old| *old != file) {
        gitconfig::remove_block(old)?;
    }
    if record.config_file.as_deref() != Some(file.as_path()) {
        record.created_config_file = !file.exists();
    }
    // Config-based hooks run in config order: first in the file, they run before any other
    // hook the global config defines. A core.hooksPath must be read last to win.
    let place = if body.contains("[core]") {
        gitconfig::Place::End
    } else {
        gitconfig::Place::Top
    };
    if gitconfig::set_block(&file, &body, place)? {
        done.lines
            .push(format!("wrote intercept's block into {}", PathText::new(&file)));
    }
    if husky::install_init(bin)? {
        done.lines.push(format!(
            "added intercept to {} (husky 9 runs it before every hook of a repository's .husky/, even with HUSKY=0)",
            PathText::new(&husky::init_file()?)
        ));
    }
    record.global = match (config, shims) {
        (true, true) => Global::Both,
        (true, false) => Global::Config,
        _ => Global::Shims,
    };
    record.bin = Some(bin.to_path_buf());
    record.git = version.to_string();
    record.config_file = Some(file);
    record.husky_init = true;
    record.legacy_seen |= record.legacy_config_hooks || record.legacy_shims;
    record.legacy_config_hooks = false;
    record.legacy_shims = false;
    record.write()?;
    said(&mut done, version, config, shims, &record, &shims_dir)?;
    Ok(done)
}

fn said(
    done: &mut Done,
    version: Version,
    config: bool,
    shims: bool,
    record: &Record,
    shims_dir: &Path,
) -> Result<(), InstallError> {
    let events = hooks::client_checks()
        .map(|h| h.name)
        .collect::<Vec<_>>()
        .join(", ");
    match (config, shims) {
        (true, false) => {
            done.lines.push(format!(
                "git {version}: every repository is checked on {events} by config-based hooks in your global \
                 config; core.hooksPath is untouched, so every repository's own hooks and hook managers run as before"
            ));
            for (path, v) in git::older_gits(version) {
                done.lines.push(format!(
                    "note: {} is git {v}, which ignores config-based hooks: commits it makes are checked when a newer \
                     git pushes them. To check them when they are made too, run `intercept install --global \
                     --with-shims` (see docs/hooks.md)",
                    PathText::new(&path)
                ));
            }
        }
        (true, true) => done.lines.push(format!(
            "git {version}: installed config-based hooks, and the global shims ({}) as core.hooksPath for older gits \
             on this machine; a repository's own hook is run by the shims, except prepare-commit-msg, post-commit, \
             reference-transaction and post-index-change (see docs/hooks.md)",
            PathText::new(shims_dir)
        )),
        _ => {
            done.lines.push(format!(
                "git {version} has no config-based hooks (they need 2.54): installed shims in {} and set the global \
                 core.hooksPath to it; they check {events}, then run {}",
                PathText::new(shims_dir),
                match &record.previous_hooks_path {
                    Some(p) => format!("the hooks of your previous global core.hooksPath ({p})"),
                    None => "each repository's own hooks (.git/hooks)".to_string(),
                }
            ));
            done.lines.push(
                "what this git cannot cover from here: a repository that sets its own hooks path (husky before 9, a \
                 committed .githooks, core.hooksPath in its config or an included file) runs its own hooks instead, \
                 and a repository with its own prepare-commit-msg, post-commit, reference-transaction or \
                 post-index-change hook needs a hooks directory of its own for git to run it. Run `intercept doctor \
                 ~/src` (your directories of repositories) to find them, and `intercept doctor --fix ~/src` to cover \
                 them; upgrading git to 2.54 or later covers them all"
                    .to_string(),
            );
        }
    }
    Ok(())
}

/// Writes the global shims and the file that points git at them.
fn write_shims(bin: &Path, dir: &Path, chain: &Chain) -> Result<(), InstallError> {
    fs::create_dir_all(dir).map_err(io_error("cannot create", dir))?;
    for hook in global_hooks() {
        shim::write_executable(&dir.join(hook.name), &global_spec(bin, hook, chain).file())?;
    }
    // Shims an earlier version wrote for hooks no longer in the directory.
    for hook in HOOKS.iter().filter(|h| !h.global_shim) {
        super::remove_shim(&dir.join(hook.name))?;
    }
    Ok(())
}

/// Puts back the user's own global `core.hooksPath` line, when intercept's had replaced it.
fn restore_hooks_path(
    record: &mut Record,
    file: &Path,
    dir: &Path,
    done: &mut Done,
) -> Result<(), InstallError> {
    if let Some(line) = record.hooks_path_line.take() {
        if gitconfig::restore_key(file, "core", "hooksPath", &dir.to_string_lossy(), &line)? {
            done.lines.push(format!(
                "put back your global core.hooksPath in {}",
                PathText::new(file)
            ));
        }
    }
    record.previous_hooks_path = None;
    Ok(())
}

fn remove_shims(dir: &Path, done: &mut Done) -> Result<(), InstallError> {
    if !dir.exists() {
        return Ok(());
    }
    let mut removed = false;
    for hook in HOOKS {
        removed |= super::remove_shim(&dir.join(hook.name))?;
    }
    let _ = fs::remove_dir(dir);
    if removed {
        done.lines
            .push(format!("removed intercept's shims from {}", PathText::new(dir)));
    }
    Ok(())
}

/// `intercept uninstall --global`: the global block, the shims, husky's `init.sh` block,
/// and what intercept changed in each repository it recorded.
pub fn uninstall_global() -> Result<Done, InstallError> {
    let mut done = Done::default();
    let dir = config_dir()?;
    let lock = Lock::take(&dir)?;
    let mut record = Record::read()?;
    legacy::remove_global(&record, &mut done)?;
    let mut files: Vec<PathBuf> = record.config_file.iter().cloned().collect();
    files.push(gitconfig::global_file()?);
    files.dedup();
    restore_hooks_path(&mut record, &files[0], &global_shims_dir()?, &mut done)?;
    for file in &files {
        if gitconfig::remove_block(file)? {
            done.lines
                .push(format!("removed intercept's block from {}", PathText::new(file)));
            if record.created_config_file && fs::metadata(file).is_ok_and(|m| m.len() == 0) {
                fs::remove_file(file).map_err(io_error("cannot remove", file))?;
            }
        }
    }
    remove_shims(&global_shims_dir()?, &mut done)?;
    if husky::remove_init()? {
        done.lines.push(format!(
            "removed intercept's block from {}",
            PathText::new(&husky::init_file()?)
        ));
    }
    for common in Registry::list()? {
        match repo::uninstall_at(&common) {
            Ok(lines) => done.lines.extend(lines),
            Err(e) => done.lines.push(format!(
                "could not undo intercept's changes in {}: {e}",
                PathText::new(&common)
            )),
        }
        Registry::remove(&common)?;
    }
    Record::default().write()?;
    let _ = fs::remove_file(Registry::path()?);
    if let Some(cache) = crate::path::cache_dir() {
        // What hooks kept between runs: the memos, pre-push's record of checked pushes.
        let _ = fs::remove_dir_all(cache.join("memo"));
        let _ = fs::remove_dir_all(cache.join("pushes"));
        let _ = fs::remove_dir(&cache);
    }
    lock.remove(&dir);
    let _ = fs::remove_dir(&dir);
    if done.lines.is_empty() {
        done.lines
            .push("no global install of intercept was found; nothing to remove".to_string());
    }
    if record.legacy_seen || record.legacy_config_hooks || record.legacy_shims {
        done.lines.push(
        "an intercept before this version wrote into husky's .husky/<hook> files of some repositories; `intercept \
         doctor <dir>` finds any left, and `intercept uninstall` in such a repository removes them"
            .to_string(),
        );
    }
    Ok(done)
}

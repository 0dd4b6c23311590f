//! What runs intercept in one repository, for `intercept status` (and the end of an
//! install): for each event intercept checks, every mechanism that will run it — a
//! config-based hook (as `git hook list` reports it, so `enabled = false` anywhere is
//! seen), a shim in the hooks directory, the repository's own shim behind a global one —
//! and, when none will, why (a `core.hooksPath` that shadows the shims, and where it was
//! set; another program's hook; a disabled config-based hook; a git too old for the
//! config-based hooks that were installed) and what to do.

use std::fs;
use std::path::{Path, PathBuf};

use super::git::{self, Version};
use super::global::installed;
use super::repo::{repo_hooks, RepoHooks};
use super::{config_hook_name, global_shims_dir, husky, inline, shim, InstallError};
use crate::hooks;
use crate::path::PathText;

/// One event's verdict.
#[derive(Debug)]
pub struct Event {
    pub name: &'static str,
    /// What runs intercept for it (empty: nothing does).
    pub runners: Vec<String>,
    /// Why nothing runs it, or what is wrong with what does.
    pub problem: Option<String>,
}

/// What runs intercept here.
#[derive(Debug)]
pub struct Status {
    pub git: Version,
    pub repo: RepoHooks,
    pub events: Vec<Event>,
    /// Facts and fixes beyond single events.
    pub notes: Vec<String>,
}

impl Status {
    /// True when every event is checked by something that works.
    pub fn ok(&self) -> bool {
        self.events
            .iter()
            .all(|e| !e.runners.is_empty() && e.problem.is_none())
    }
}

/// The status of the repository around the current directory.
pub fn of_repo() -> Result<Status, InstallError> {
    let repo = repo_hooks()?;
    let git = git::version(None)?;
    let (record, installed_for) = installed()?;
    let global = global_shims_dir()?;
    let mut notes = Vec::new();
    let list: Vec<&'static hooks::Hook> = if repo.bare {
        vec![hooks::server_check()]
    } else {
        hooks::client_checks().collect()
    };
    let mut events = Vec::new();
    for hook in list {
        let mut event = Event {
            name: hook.name,
            runners: Vec::new(),
            problem: None,
        };
        if git.has_config_hooks() {
            config_hook(&repo, hook.name, &mut event)?;
        }
        hookdir(&repo, &global, git, hook.name, &mut event);
        if event.runners.is_empty() && event.problem.is_none() {
            event.problem = Some(nothing_runs(&repo, &global, git, hook.name, record.config_hooks));
        }
        events.push(event);
    }
    if record.config_hooks && !git.has_config_hooks() {
        notes.push(format!(
            "intercept was installed with config-based hooks, but the git on PATH is {git}, which ignores them \
             (they need 2.54). Run `intercept install --global` again: it installs the shims this git runs"
        ));
    }
    if record.shims && !record.config_hooks && git.has_config_hooks() {
        notes.push(format!(
            "intercept was installed with shims (core.hooksPath) for git {}, and the git on PATH is now {git}: \
             run `intercept install --global` again to switch to config-based hooks, which nothing shadows",
            installed_for.map_or_else(|| "older".to_string(), |v| v.to_string())
        ));
    }
    // A repository's own hooks that the global shims do not run (git < 2.54 only).
    if !git.has_config_hooks() && super::same_dir(&repo.dir, &global) {
        let own = repo.common_dir.join("hooks");
        let skipped: Vec<&str> = hooks::HOOKS
            .iter()
            .filter(|h| !h.passthrough && h.check.is_none())
            .filter(|h| own.join(h.name).is_file())
            .map(|h| h.name)
            .collect();
        if !skipped.is_empty() {
            notes.push(format!(
                "this repository has its own {} hook{} in {}, which git {git} does not run under intercept's \
                 global shims (git runs those hooks for every commit or ref update, and a shim for each made \
                 everyday git much slower). With git 2.54 or later nothing is skipped: upgrade git and run \
                 `intercept install --global` again",
                skipped.join(", "),
                if skipped.len() == 1 { "" } else { "s" },
                PathText::new(&own)
            ));
        }
    }
    let global_shims = !git.has_config_hooks() && super::same_dir(&repo.dir, &global);
    if !repo.bare {
        neighbours(&repo, global_shims, &mut notes);
    }
    if events.iter().any(|e| e.runners.len() > 1) {
        notes.push(
            "intercept runs more than once for some events here (each check is done again): remove one of \
             the installs listed (`intercept uninstall` in this repository removes the per-repository one)"
                .to_string(),
        );
    }
    Ok(Status {
        git,
        repo,
        events,
        notes,
    })
}

/// The config-based hook for `event`, as `git hook list` sees it.
fn config_hook(repo: &RepoHooks, event: &str, out: &mut Event) -> Result<(), InstallError> {
    let name = config_hook_name(event);
    let listed = git::git(Some(&repo.base), &["hook", "list", "--show-scope", event])?.unwrap_or_default();
    for line in listed.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let (scope, disabled, hook) = match fields[..] {
            [scope, "disabled", hook] => (scope, true, hook),
            [scope, hook] => (scope, false, hook),
            _ => continue,
        };
        if hook != name {
            continue;
        }
        if disabled {
            out.problem = Some(format!(
                "the config-based hook {name} ({scope} config) is disabled here by `hook.{name}.enabled = false` \
                 or `hook.{event}.enabled = false`. Remove that setting (`git config --show-origin --get-regexp \
                 'hook\\..*enabled'` shows where it is)"
            ));
            continue;
        }
        let command = git::git(
            Some(&repo.base),
            &["config", "--get", &format!("hook.{name}.command")],
        )?
        .unwrap_or_default();
        let path = unquote(&command);
        match check_shim(&path) {
            Ok(()) => out
                .runners
                .push(format!("config-based hook {name} ({scope} config)")),
            Err(why) => {
                out.problem = Some(format!(
                    "the config-based hook {name} ({scope} config) runs {command}, {why}: git blocks every {event} \
                     until it is fixed. Run `intercept install --global` (or ./install.sh) again"
                ));
            }
        }
    }
    Ok(())
}

/// A shim in the hooks directory (and, behind a global one, the repository's own), or
/// intercept's line in husky's `.husky/<event>`.
fn hookdir(repo: &RepoHooks, global: &Path, git: Version, event: &str, out: &mut Event) {
    let husky_dir = husky::husky_dir(&repo.dir);
    if let Some(husky_dir) = &husky_dir {
        if let Some(bin) = husky::installed_line(husky_dir, event) {
            if husky::skipped_by_git(&repo.dir, husky_dir, event) {
                out.problem = Some(format!(
                    "git skips .husky/{event}, and intercept's line in it, because the file is not executable \
                     (git runs it itself under husky before 9). Run `intercept install` here again (it runs \
                     `chmod +x`)"
                ));
            } else if is_executable(&bin) {
                out.runners.push(format!("a line in .husky/{event} (husky)"));
            } else {
                out.problem = Some(format!(
                    "the line in .husky/{event} runs {}, which is gone, so git blocks every {event}. Run \
                     `intercept install` here again",
                    PathText::new(&bin)
                ));
            }
        }
    }
    let path = repo.dir.join(event);
    // husky 5 to 8: that file is `.husky/<event>`, said above already.
    let said = husky_dir
        .as_deref()
        .is_some_and(|h| super::same_dir(h, &repo.dir));
    if let Some((bin, gate)) = inline::installed(&path).filter(|_| !said) {
        if gate && git.has_config_hooks() && !out.runners.is_empty() {
            // A gate (`installer::gate`): it stops the repository's own hook, nothing more.
        } else if is_executable(&bin) {
            out.runners.push(format!("a line in {}", PathText::new(&path)));
        } else {
            out.problem = Some(format!(
                "the line in {} runs {}, which is gone, so git blocks every {event}. Run `intercept install` \
                 here again, or `intercept uninstall` here to remove the line",
                PathText::new(&path),
                PathText::new(&bin)
            ));
        }
    }
    if !shim::is_shim(&path) {
        return;
    }
    let checks = shim::setting(&path, "INTERCEPT_CHECK").is_some_and(|v| v == Path::new("1"));
    let mode = shim::setting(&path, "INTERCEPT_DUAL");
    let dual = mode.as_deref() == Some(Path::new("1"));
    let gate = mode.as_deref() == Some(Path::new("gate"));
    let where_ = if super::same_dir(&repo.dir, global) {
        "the global shims (core.hooksPath)".to_string()
    } else {
        format!("a shim in {}", PathText::new(&repo.dir))
    };
    if checks {
        if (dual || gate) && git.has_config_hooks() && !out.runners.is_empty() {
            // Under this git the shim sees the config-based hook and does not check again,
            // or (a gate, `installer::gate`) only stops the repository's own hook.
        } else {
            match check_shim(&path) {
                Ok(()) => out.runners.push(where_),
                Err(why) => {
                    out.problem = Some(format!(
                    "{where_}: {} {why}, so git blocks every {event}. Run `intercept install --global` (or \
                         ./install.sh) again",
                    PathText::new(&path)
                ))
                }
            }
        }
    }
    // A global shim runs the repository's own hook: that may be intercept's too.
    if shim::setting(&path, "INTERCEPT_CHAIN").is_some_and(|c| c == Path::new("local")) {
        let own = repo.common_dir.join("hooks").join(event);
        if shim::is_shim(&own) && shim::setting(&own, "INTERCEPT_CHECK").is_some_and(|v| v == Path::new("1"))
        {
            match check_shim(&own) {
                Ok(()) => out.runners.push(format!(
                    "a shim in {}",
                    PathText::new(&repo.common_dir.join("hooks"))
                )),
                Err(why) => out.problem = Some(format!("{} {why}", PathText::new(&own))),
            }
        }
    }
}

/// Why nothing runs intercept for an event, and the fix.
fn nothing_runs(
    repo: &RepoHooks,
    global: &Path,
    git: Version,
    event: &str,
    config_installed: bool,
) -> String {
    let dir = PathText::new(&repo.dir);
    let set_by = match (&repo.scope, &repo.origin) {
        (Some(scope), Some(origin)) => format!("core.hooksPath ({scope} config, {origin})"),
        (Some(scope), None) => format!("core.hooksPath ({scope} config)"),
        _ => "the repository's own hooks directory".to_string(),
    };
    if repo.bare {
        return "no checking pre-receive runs here. Run `intercept install` in this repository".to_string();
    }
    if git.has_config_hooks() {
        return if config_installed {
            "intercept's config-based hooks do not run here. Run `intercept install --global` again"
                .to_string()
        } else {
            "intercept is not installed. Run `intercept install --global` (every repository) or `intercept \
             install` (this one)"
                .to_string()
        };
    }
    let ours = repo.dir.join(event);
    if super::same_dir(&repo.dir, global) && ours.exists() && !shim::is_shim(&ours) {
        return format!(
            "{} is not intercept's shim any more: another program wrote its own hook into intercept's global hooks \
             directory (`git lfs install --force` and `lefthook install --force` do), so no repository is checked \
             on {event}. Run `intercept install --global` again (it runs the repositories' own hooks, git-lfs's \
             included); for a tool's hooks in this repository see `intercept status` after that",
            PathText::new(&ours)
        );
    }
    let global_installed = global.join("pre-commit").exists();
    if global_installed && !super::same_dir(&repo.dir, global) {
        format!(
            "git {git} runs hooks from {dir}, set by {set_by}, which shadows intercept's global shims (this git has \
             no config-based hooks: they need 2.54). Fix: upgrade git to 2.54 or later and run `intercept install \
             --global` again, or run `intercept install` here to add intercept to {dir}"
        )
    } else if repo.dir.join("pre-commit").exists() {
        format!(
            "another program's hook is installed in {dir} ({set_by}) and intercept is not. Run `intercept install` \
             here (the hooks already there keep running after it)"
        )
    } else {
        "intercept is not installed. Run `intercept install --global` (every repository) or `intercept install` \
         (this one)"
            .to_string()
    }
}

/// The config files lefthook reads, at the top of the work tree.
const LEFTHOOK_CONFIGS: [&str; 12] = [
    "lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yml",
    ".lefthook.yaml",
    "lefthook.json",
    "lefthook.toml",
    ".lefthook.json",
    ".lefthook.toml",
    ".config/lefthook.yml",
    ".config/lefthook.yaml",
    ".config/lefthook.json",
    ".config/lefthook.toml",
];

/// Tools this repository uses whose own `install` refuses, or fails, while intercept's
/// global shims are git's `core.hooksPath` (git < 2.54): what to run instead. The global
/// shims run the repository's own hooks in `<common dir>/hooks`, which is where each of
/// these installs when it cannot see the global `core.hooksPath`.
fn neighbours(repo: &RepoHooks, global_shims: bool, notes: &mut Vec<String>) {
    let pre_push = repo.dir.join("pre-push");
    let gated = (shim::is_shim(&pre_push)
        && shim::setting(&pre_push, "INTERCEPT_DUAL").as_deref() == Some(Path::new("gate")))
        || inline::installed(&pre_push).is_some_and(|(_, gate)| gate);
    if gated {
        notes.push(format!(
            "intercept stopped a push here once and put itself in front of this repository's own pre-push hook \
             ({}): git runs that hook even after a stopped push, and it may send data on (git-lfs's uploads LFS \
             objects). It still runs after every clean check; `intercept uninstall` here puts it back as it was",
            PathText::new(&pre_push)
        ));
    }
    if !global_shims && !gated {
        return;
    }
    let own = repo.common_dir.join("hooks");
    let own_hook_has = |name: &str, needle: &[u8]| {
        fs::read(own.join(name)).is_ok_and(|t| memchr::memmem::find(&t, needle).is_some())
    };
    let shown = PathText::new(&own);
    if global_shims
        && LEFTHOOK_CONFIGS.iter().any(|c| repo.base.join(c).is_file())
        && !["pre-commit", "pre-push", "commit-msg"]
            .iter()
            .any(|h| own_hook_has(h, b"lefthook"))
    {
        notes.push(format!(
            "this repository uses lefthook, whose hooks are not installed: `lefthook install` refuses while \
             core.hooksPath is set globally (intercept's shims). Run `GIT_CONFIG_GLOBAL=/dev/null lefthook install` \
             here instead: it writes lefthook's hooks into {shown}, which intercept's shims run after their check. \
             Not `--force` or `--reset-hooks-path`: those write into, or switch off, the global hooks of every \
             repository"
        ));
    }
    if global_shims
        && repo.base.join(".pre-commit-config.yaml").is_file()
        && !own_hook_has("pre-commit", b"pre-commit.com")
    {
        notes.push(format!(
            "this repository uses the pre-commit framework, whose hook is not installed: `pre-commit install` \
             refuses while core.hooksPath is set (intercept's global shims). Run `GIT_CONFIG_GLOBAL=/dev/null \
             pre-commit install` here instead (add `-t pre-push` and the other types you use): it writes into \
             {shown}, which intercept's shims run after their check"
        ));
    }
    let uses_lfs = repo.common_dir.join("lfs").is_dir()
        || fs::read(repo.base.join(".gitattributes"))
            .is_ok_and(|t| memchr::memmem::find(&t, b"filter=lfs").is_some());
    if gated && uses_lfs {
        notes.push(
            "git-lfs: `git lfs install` and `git lfs update` say \"Hook already exists: pre-push\" here, because \
             intercept's gate is that hook; git-lfs's own runs behind it. Run `git lfs install --skip-repo` \
             instead (`--force` replaces the gate; intercept puts it back the next time it stops a push, before \
             git runs the hook)"
                .to_string(),
        );
    } else if global_shims && uses_lfs && !own_hook_has("pre-push", b"git lfs pre-push") {
        notes.push(
            "git-lfs: `git lfs install` says \"Hook already exists\" here, because intercept's shims are in the \
             global hooks directory it writes to. They already run git-lfs's pre-push, post-checkout and post-merge \
             in every repository that stores LFS objects, so run `git lfs install --skip-repo` instead (it sets up \
             LFS's filters). Not `--force`: it overwrites intercept's global pre-push, and no repository is checked \
             on push"
                .to_string(),
        );
    }
}

/// Whether a shim and the binary it calls are in place.
fn check_shim(path: &Path) -> Result<(), String> {
    if !path.is_file() {
        return Err("which does not exist".to_string());
    }
    if !shim::is_shim(path) {
        return Err("which is not intercept's shim".to_string());
    }
    match shim::shim_binary(path) {
        Some(bin) if is_executable(&bin) => Ok(()),
        Some(bin) => Err(format!("whose binary is gone ({})", PathText::new(&bin))),
        None => Err("which names no binary".to_string()),
    }
}

fn unquote(command: &str) -> PathBuf {
    match command.strip_prefix('\'').and_then(|c| c.strip_suffix('\'')) {
        Some(inner) => PathBuf::from(inner.replace("'\\''", "'")),
        None => PathBuf::from(command),
    }
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.len() > 0 && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

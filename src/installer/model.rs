//! What git runs for each event intercept checks, in one repository, read from git's own
//! view — `git hook list` (git ≥ 2.54) and the hooks directory git resolves
//! (`git rev-parse --git-path hooks`) — and what each program is: intercept's (by which
//! mechanism, [`Via`]), a neighbour's (husky, lefthook, the pre-commit framework, git-lfs),
//! or another. From that: whether the event is checked, and if not, why and the one fix.
//! `intercept status`, `intercept doctor` and the end of an install all print this model;
//! `doctor --fix` applies its fixes.

use std::fs;
use std::path::{Path, PathBuf};

use super::git::{self, Version};
use super::global::config_hook_name;
use super::record::Record;
use super::repo::{self, chain_dir, repo_hooks_in, tracked, RepoHooks, State};
use super::shim::{self, Chain, Spec, Via};
use super::{global_shims_dir, husky, inline, legacy, mirror, neighbour, same_dir, InstallError};
use crate::hooks;
use crate::path::PathText;

/// What fixes a problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// `intercept install --global`.
    Global,
    /// `intercept install` in the repository (touches no tracked file).
    Repo,
    /// Something only the user can do; the text says what.
    Manual(String),
}

impl Fix {
    /// The fix as a sentence.
    pub fn command(&self) -> String {
        match self {
            Fix::Global => "Run `intercept install --global` (or `intercept doctor --fix`)".to_string(),
            Fix::Repo => {
                "Run `intercept install` in this repository (or `intercept doctor --fix`)".to_string()
            }
            Fix::Manual(m) => m.clone(),
        }
    }
}

/// One program git runs for an event, in order.
#[derive(Debug)]
pub struct Step {
    /// For people: what and where.
    pub what: String,
    /// intercept's check, by this mechanism (`None`: another program).
    pub via: Option<Via>,
    /// For intercept's: it is whole and its binary is there.
    pub ok: bool,
}

/// One event: what git runs, whether intercept checks it, and why not.
#[derive(Debug)]
pub struct Event {
    pub name: &'static str,
    pub steps: Vec<Step>,
    pub problem: Option<(String, Fix)>,
}

impl Event {
    pub fn checked(&self) -> bool {
        self.steps.iter().any(|s| s.via.is_some() && s.ok)
    }
    /// The mechanisms that check it.
    pub fn by(&self) -> Vec<String> {
        self.steps
            .iter()
            .filter(|s| s.via.is_some() && s.ok)
            .map(|s| s.what.clone())
            .collect()
    }
}

/// The model of one repository.
#[derive(Debug)]
pub struct Model {
    pub git: Version,
    pub repo: RepoHooks,
    pub events: Vec<Event>,
    /// Problems beyond single events that leave something unchecked.
    pub problems: Vec<(String, Fix)>,
    /// What is wrong for the repository's own hooks or its team, though intercept checks
    /// everything: a hook of its own git does not run, an earlier version's lines in its
    /// files. Fixed by `doctor --fix` like the problems; not part of the verdict.
    pub advice: Vec<(String, Fix)>,
    /// Facts worth knowing that need nothing done.
    pub notes: Vec<String>,
}

impl Model {
    /// Whether it counts for `doctor`'s verdict: a work tree, whose commits and pushes are
    /// the user's (a bare repository on a laptop is a local remote; the pushes into it were
    /// checked by pre-push).
    pub fn counts(&self) -> bool {
        !self.repo.bare
    }

    /// Every event checked and nothing to fix.
    pub fn ok(&self) -> bool {
        self.events.iter().all(|e| e.checked() && e.problem.is_none()) && self.problems.is_empty()
    }

    /// Every problem with its fix, events first.
    pub fn all_problems(&self) -> Vec<(String, Fix)> {
        let mut out: Vec<(String, Fix)> = Vec::new();
        for e in &self.events {
            if let Some(p) = &e.problem {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
        out.extend(self.problems.iter().cloned());
        out.extend(self.advice.iter().cloned());
        out
    }
}

/// The model of the repository around `dir` (the current directory when `None`).
pub fn of(dir: Option<&Path>, version: Version, record: &Record) -> Result<Model, InstallError> {
    let repo = repo_hooks_in(dir)?;
    let global = global_shims_dir()?;
    let state = State::read(&repo.common_dir)?;
    let bin = record.bin.clone().or_else(|| state.bin.clone());
    let mut model = Model {
        git: version,
        repo,
        events: Vec::new(),
        problems: Vec::new(),
        advice: Vec::new(),
        notes: Vec::new(),
    };
    let repo = &model.repo;
    let list: Vec<&'static hooks::Hook> = if repo.bare {
        vec![hooks::server_check()]
    } else {
        hooks::client_checks().collect()
    };
    let commands = if version.has_config_hooks() && !repo.bare {
        config_commands(&repo.base)?
    } else {
        Vec::new()
    };
    let dir_exists = repo.dir.is_dir();
    for hook in list {
        let mut event = Event {
            name: hook.name,
            steps: Vec::new(),
            problem: None,
        };
        if version.has_config_hooks() && !repo.bare {
            config_steps(repo, hook.name, &commands, &mut event)?;
        }
        hookdir_steps(repo, hook.name, bin.as_deref(), &mut event);
        if !event.checked() && event.problem.is_none() {
            event.problem = Some(why_not(
                repo, version, record, &global, &state, hook.name, dir_exists,
            ));
        }
        if hook.name == "pre-push" && version.has_config_hooks() && event.problem.is_none() {
            event.problem = after_block(repo, &event, &mut model.notes);
        }
        model.events.push(event);
    }
    repo_problems(&mut model, version, record, &global, &state);
    Ok(model)
}

/// `hook.<name>.command` of every configured hook, as git reads them here.
fn config_commands(base: &Path) -> Result<Vec<(String, String)>, InstallError> {
    let out = git::git(
        Some(base),
        &["config", "-z", "--get-regexp", r"^hook\..*\.command$"],
    )?
    .unwrap_or_default();
    Ok(out
        .split('\0')
        .filter_map(|entry| {
            let (key, value) = entry.split_once('\n')?;
            let name = key.strip_prefix("hook.")?.strip_suffix(".command")?;
            Some((name.to_string(), value.to_string()))
        })
        .collect())
}

/// The configured hooks for `event`, as `git hook list` lists them.
fn config_steps(
    repo: &RepoHooks,
    event: &'static str,
    commands: &[(String, String)],
    out: &mut Event,
) -> Result<(), InstallError> {
    let listed = git::git(Some(&repo.base), &["hook", "list", "--show-scope", event])?.unwrap_or_default();
    for line in listed.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        let (scope, disabled, name) = match fields[..] {
            [scope, "disabled", name] => (scope, true, name),
            [scope, name] => (scope, false, name),
            _ => continue,
        };
        let command = commands
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, c)| c.as_str())
            .unwrap_or_default();
        let ours = name == config_hook_name(event);
        if disabled {
            if ours {
                out.problem = Some((
                    format!(
                        "intercept's config-based hook {name} ({scope} config) is turned off here by `hook.{name}.enabled \
                         = false` or `hook.{event}.enabled = false`"
                    ),
                    Fix::Manual(
                        "Remove that setting if it was not meant (`git config --show-origin --get-regexp \
                         'hook\\..*enabled'` shows where it is)"
                            .to_string(),
                    ),
                ));
            }
            continue;
        }
        if let Some(spec) = Spec::parse_command(command) {
            out.steps.push(Step {
                what: format!("config-based hook {name} ({scope} config)"),
                via: Some(Via::Config),
                ok: shim::is_executable(&spec.bin),
            });
            if !shim::is_executable(&spec.bin) {
                out.problem = Some((
                    format!(
                        "the config-based hook {name} ({scope} config) runs {}, which is gone, so git blocks every \
                         {event}",
                        PathText::new(&spec.bin)
                    ),
                    Fix::Global,
                ));
            }
        } else if ours {
            // An earlier version: a shim file as the command.
            let path = PathBuf::from(command.trim_matches('\''));
            let ok = shim::is_shim(&path);
            out.steps.push(Step {
                what: format!("config-based hook {name} ({scope} config, an earlier intercept's)"),
                via: Some(Via::Config),
                ok,
            });
            out.problem = Some((
                format!("intercept's config-based hooks ({scope} config) are an earlier version's"),
                if scope == "local" { Fix::Repo } else { Fix::Global },
            ));
        } else {
            out.steps.push(Step {
                what: format!("config-based hook {name} ({scope} config): {command}"),
                via: None,
                ok: true,
            });
            if event == "pre-push" {
                let when = if out.steps.iter().any(|s| s.via.is_some()) {
                    "after"
                } else {
                    "before"
                };
                out.problem = Some((
                    format!(
                        "another config-based pre-push hook, {name} ({scope} config), runs {when} intercept's, and git \
                         runs it even when intercept stops the push: if it sends data on (`git lfs pre-push` uploads \
                         LFS objects), a stopped push still sends it, and intercept cannot stand in front of a \
                         config-based hook"
                    ),
                    Fix::Manual(format!(
                        "Turn it off (`git config --{scope} hook.{name}.enabled false`) and run it from the \
                         repository's hooks directory instead, where intercept puts itself in front of it \
                         (docs/hooks.md, \"The gate\")"
                    )),
                ));
            }
        }
    }
    if event == "pre-push" {
        let parallel = git::git(
            Some(&repo.base),
            &[
                "config",
                "--type=bool",
                "--get",
                &format!("hook.{}.parallel", config_hook_name(event)),
            ],
        )?;
        if parallel.as_deref() == Some("true") {
            out.problem = Some((
                format!(
                    "hook.{}.parallel is true: git may run the repository's own pre-push at the same time as \
                     intercept's, before intercept has stopped the push",
                    config_hook_name(event)
                ),
                Fix::Manual(format!(
                    "Remove that setting (`git config --unset hook.{}.parallel`)",
                    config_hook_name(event)
                )),
            ));
        }
    }
    Ok(())
}

/// What git runs from the hooks directory for `event`, following intercept's chains.
fn hookdir_steps(repo: &RepoHooks, event: &'static str, bin: Option<&Path>, out: &mut Event) {
    file_steps(repo, &repo.dir.join(event), event, bin, 0, out);
}

/// The program at `path` and what it runs next.
fn file_steps(
    repo: &RepoHooks,
    path: &Path,
    event: &'static str,
    bin: Option<&Path>,
    depth: u8,
    out: &mut Event,
) {
    let path = path.to_path_buf();
    if fs::symlink_metadata(&path).is_err() || depth > 3 {
        return;
    }
    if !shim::is_executable(&path) {
        out.steps.push(Step {
            what: format!("{} (not executable: git skips it)", PathText::new(&path)),
            via: None,
            ok: false,
        });
        if shim::is_shim(&path) {
            out.problem = Some((
                format!(
                    "intercept's shim {} lost its executable bit, so git skips it",
                    PathText::new(&path)
                ),
                if same_dir(&repo.dir, &global_shims_dir().unwrap_or_default()) {
                    Fix::Global
                } else {
                    Fix::Repo
                },
            ));
        }
        return;
    }
    if let Some(spec) = shim::read(&path) {
        let ok = shim::is_executable(&spec.bin) || which_intercept();
        let place = match spec.via {
            Via::Global => "global shim".to_string(),
            Via::Repo if mirror::is_mirror(&repo.dir, &repo.common_dir) => {
                "this repository's intercept hooks directory".to_string()
            }
            via => format!("{} ({})", via.describe(), PathText::new(&path)),
        };
        if spec.check {
            out.steps.push(Step {
                what: place,
                via: Some(spec.via),
                ok,
            });
            if !ok {
                out.problem = Some((
                    format!(
                        "{} calls {}, which is gone",
                        PathText::new(&path),
                        PathText::new(&spec.bin)
                    ),
                    if spec.via == Via::Global {
                        Fix::Global
                    } else {
                        Fix::Repo
                    },
                ));
            }
        }
        let next = match &spec.chain {
            Chain::None => None,
            Chain::Local => Some(repo.common_dir.join("hooks").join(event)),
            Chain::Dir(d) => Some(d.join(event)),
        };
        if let Some(next) = next.filter(|n| shim::is_executable(n)) {
            file_steps(repo, &next, event, bin, depth + 1, out);
        }
        return;
    }
    if shim::is_shim(&path) {
        out.steps.push(Step {
            what: format!("{} (an earlier intercept's shim)", PathText::new(&path)),
            via: Some(Via::Repo),
            ok: true,
        });
        out.problem = Some((
            format!("{} is an earlier intercept's shim", PathText::new(&path)),
            if same_dir(&repo.dir, &global_shims_dir().unwrap_or_default()) {
                Fix::Global
            } else {
                Fix::Repo
            },
        ));
        return;
    }
    program_steps(&path, event, bin, out);
}

/// A program that is not intercept's shim: a gate block, husky, a neighbour, another.
fn program_steps(path: &Path, event: &'static str, bin: Option<&Path>, out: &mut Event) {
    if let Some((_, via)) = inline::block(path).as_deref().and_then(Spec::parse_block) {
        out.steps.push(Step {
            what: format!("{} in front of {}", via.describe(), PathText::new(path)),
            via: Some(via),
            ok: true,
        });
    }
    if legacy::has_old_block(path) {
        out.steps.push(Step {
            what: format!("an earlier intercept's block in {}", PathText::new(path)),
            via: Some(Via::Gate),
            ok: true,
        });
    }
    let dir = path.parent().unwrap_or(Path::new(""));
    if let Some(husky::Layout::V9 { husky }) = husky::layout(dir) {
        let team = husky.join(event);
        if team.is_file() {
            if bin.is_some_and(husky::init_ok) {
                out.steps.push(Step {
                    what: "husky's init.sh".to_string(),
                    via: Some(Via::Husky),
                    ok: true,
                });
            }
            out.steps.push(Step {
                what: format!("husky: {}", PathText::new(&team)),
                via: None,
                ok: true,
            });
        }
        return;
    }
    let bytes = fs::read(path).unwrap_or_default();
    out.steps.push(Step {
        what: match neighbour::identify(&bytes) {
            Some(tool) => format!("{tool}: {}", PathText::new(path)),
            None => PathText::new(path).to_string(),
        },
        via: None,
        ok: true,
    });
}

/// intercept is on PATH (a shim whose binary moved finds it there).
fn which_intercept() -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| shim::is_executable(&d.join("intercept"))))
}

/// Why nothing checks `event`, and the fix.
fn why_not(
    repo: &RepoHooks,
    version: Version,
    record: &Record,
    global: &Path,
    state: &State,
    event: &str,
    dir_exists: bool,
) -> (String, Fix) {
    let dir = PathText::new(&repo.dir);
    if repo.bare {
        return ("no checking pre-receive runs here".to_string(), Fix::Repo);
    }
    if !dir_exists && same_dir(&repo.dir, global) {
        return (
            format!(
                "git {version} runs hooks from intercept's global shims directory {dir}, which does not exist, so git \
                 runs no hook at all in the repositories that rely on it"
            ),
            Fix::Global,
        );
    }
    if !dir_exists && (!version.has_config_hooks() || !record.global.config_hooks()) {
        let husky = repo.dir.ends_with(".husky/_");
        return (
            format!(
                "git runs its hooks from {dir} (core.hooksPath), which does not exist, so git runs no hook here{}",
                if husky {
                    " (husky's `npm install` recreates it; `git clean -fdX` deletes it)"
                } else {
                    ""
                }
            ),
            if husky {
                Fix::Manual("Run `npm install` (husky recreates .husky/_), then `intercept doctor --fix`".to_string())
            } else {
                Fix::Repo
            },
        );
    }
    if version.has_config_hooks() {
        return if record.global.config_hooks() {
            (
                "intercept's config-based hooks do not run here".to_string(),
                Fix::Global,
            )
        } else {
            (
                "intercept is not installed for every repository".to_string(),
                Fix::Global,
            )
        };
    }
    if state.mirror_of.is_some() && !mirror::is_mirror(&repo.dir, &repo.common_dir) {
        return (
            format!(
                "intercept gave this repository its own hooks directory, but core.hooksPath was set to {dir} since \
                 ({}: husky's and other tools' installs do that)",
                repo.origin.as_deref().unwrap_or("its config")
            ),
            Fix::Repo,
        );
    }
    if let Some(husky::Layout::V9 { husky }) = husky::layout(&repo.dir) {
        if !husky::defined(&husky, event) {
            return (
                format!(
                    "git {version} runs husky's hooks from {dir}, and husky runs nothing for {event} here (no .husky/{event})"
                ),
                Fix::Repo,
            );
        }
    }
    if same_dir(&repo.dir, global) {
        let path = repo.dir.join(event);
        let why = match (&record.bin, hooks::find(event)) {
            (Some(bin), Some(hook)) => super::integrity::shim_damage(
                &path,
                &super::global::global_spec(bin, hook, &super::global::global_chain(record)),
            ),
            _ => None,
        };
        return (
            format!(
                "intercept's global {event} shim ({}) {}, so no repository that uses the global shims is checked on {event}",
                PathText::new(&path),
                why.unwrap_or_else(|| "is not intercept's".to_string())
            ),
            Fix::Global,
        );
    }
    if record.global.shims() && repo.scope.is_none() {
        return (
            format!(
                "intercept's global shims are installed, but git {version} does not run them: no core.hooksPath names \
                 them (intercept's block in your global config was changed or removed)"
            ),
            Fix::Global,
        );
    }
    if record.global.shims() {
        (
            format!(
                "git {version} runs this repository's hooks from {dir} (core.hooksPath, {} config{}), not from \
                 intercept's global shims",
                repo.scope.as_deref().unwrap_or("its own"),
                repo.origin.as_deref().map(|o| format!(", {o}")).unwrap_or_default()
            ),
            Fix::Repo,
        )
    } else {
        (
            "intercept is not installed for every repository".to_string(),
            Fix::Global,
        )
    }
}

/// git ≥ 2.54 runs the hooks directory's pre-push after a stopped push: fine when intercept
/// can put a gate in front of it then; a problem when that file is the team's.
fn after_block(repo: &RepoHooks, event: &Event, notes: &mut Vec<String>) -> Option<(String, Fix)> {
    let path = repo.dir.join("pre-push");
    if !shim::is_executable(&path)
        || event
            .steps
            .iter()
            .any(|s| s.via.is_some_and(|v| v != Via::Config))
    {
        return None;
    }
    if tracked(repo, &path) {
        return Some((
            format!(
                "after intercept stops a push, git still runs {} (git runs every hook of an event), a file the team \
                 commits that intercept does not edit; if it sends data on (git lfs pre-push), a blocked push would \
                 still upload it",
                PathText::new(&path)
            ),
            Fix::Repo,
        ));
    }
    notes.push(format!(
        "git runs {} after intercept's pre-push; when intercept stops a push, it puts itself in front of that hook \
         first, so a stopped push uploads nothing",
        PathText::new(&path)
    ));
    None
}

fn repo_problems(model: &mut Model, version: Version, record: &Record, global: &Path, state: &State) {
    let repo = model.repo.clone();
    if repo.bare {
        let own = repo.common_dir.join("hooks");
        let unrun = repo::unrun_own_hooks(&own);
        if !version.has_config_hooks() && same_dir(&repo.dir, global) && !unrun.is_empty() {
            model.advice.push((
                format!(
                    "this bare repository's own {} hook{} in {} do{} not run under intercept's global shims",
                    unrun.join(", "),
                    if unrun.len() == 1 { "" } else { "s" },
                    PathText::new(&own),
                    if unrun.len() == 1 { "es" } else { "" }
                ),
                Fix::Repo,
            ));
        }
        return;
    }
    neighbours(
        &repo,
        !version.has_config_hooks() && same_dir(&repo.dir, global),
        &mut model.notes,
    );
    if mirror::looks_like_one(&repo.dir) && !mirror::is_mirror(&repo.dir, &repo.common_dir) {
        model.problems.push((
            format!(
                "core.hooksPath names another repository's intercept hooks directory ({}): this repository was copied \
                 or moved, and git runs that repository's hooks here",
                PathText::new(&repo.dir)
            ),
            Fix::Manual("Run `intercept uninstall`, then `intercept install`, in this repository".to_string()),
        ));
    }
    if !version.has_config_hooks() && same_dir(&repo.dir, global) {
        let own = chain_dir(&repo, state, global);
        let unrun = repo::unrun_own_hooks(&own);
        if !unrun.is_empty() {
            model.advice.push((
                format!(
                    "this repository's own {} hook{} in {} do{} not run under intercept's global shims on git {version} \
                     (git runs them too often for a shim in every repository)",
                    unrun.join(", "),
                    if unrun.len() == 1 { "" } else { "s" },
                    PathText::new(&own),
                    if unrun.len() == 1 { "es" } else { "" }
                ),
                Fix::Repo,
            ));
        }
    }
    let blocks = legacy::husky_blocks(&repo.base);
    if !blocks.is_empty() {
        model.advice.push((
            format!(
                "an earlier intercept wrote a block naming this machine's binary into {} (files the team commits)",
                blocks.iter().map(|p| PathText::new(p).to_string()).collect::<Vec<_>>().join(", ")
            ),
            Fix::Manual(
                "Run `intercept install` in this repository: it removes them (the one change it makes to tracked \
                 files, giving them back as they were)"
                    .to_string(),
            ),
        ));
    }
    if record.global == super::record::Global::Config && !version.has_config_hooks() {
        model.problems.push((
            format!(
                "intercept was installed with config-based hooks, but the git on PATH is {version}, which ignores \
                 them (they need 2.54)"
            ),
            Fix::Global,
        ));
    }
    if record.global == super::record::Global::Shims && version.has_config_hooks() {
        model.notes.push(format!(
            "intercept was installed with shims (core.hooksPath) for git {}, and the git on PATH is now {version}: \
             run `intercept install --global` again to switch to config-based hooks, which nothing shadows",
            record.git
        ));
    }
    for e in &model.events {
        if e.by().len() > 1 && e.steps.iter().filter(|s| s.via == Some(Via::Config)).count() > 1 {
            model.notes.push(format!(
                "{}: intercept's config-based hooks are installed twice (global and this repository's config); \
                 `intercept uninstall` here removes the repository's",
                e.name
            ));
            break;
        }
    }
}

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
    let gated = shim::read(&pre_push).is_some_and(|s| s.via == Via::Gate)
        || inline::block(&pre_push)
            .as_deref()
            .and_then(Spec::parse_block)
            .is_some_and(|(_, via)| via == Via::Gate);
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

/// The repositories under `dir`: work trees (a `.git` directory or file) and bare
/// repositories, not looking inside git directories or following symlinks.
pub fn find_repositories(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return;
    };
    if !meta.is_dir() {
        return;
    }
    let dot = dir.join(".git");
    if fs::symlink_metadata(&dot).is_ok() {
        out.push(dir.to_path_buf());
    } else if dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir() {
        out.push(dir.to_path_buf()); // a bare repository
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut children: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n != ".git" && n != "node_modules"))
        .collect();
    children.sort();
    for child in children {
        find_repositories(&child, out);
    }
}

//! Hooks directories, shims, chaining and uninstall. Off the scanning path: it may run
//! `git` (to read and write config exactly as git does) and it never sees a token.
//!
//! - **Per repository** (`intercept install`): the directory git runs hooks from
//!   (`git rev-parse --git-path hooks`: `core.hooksPath`, else the common git dir's
//!   `hooks/`, so linked worktrees and submodules work). An existing hook is moved to
//!   `.intercept-chained/<name>` beside it (same file name, so hooks that look at `$0`
//!   keep working) and the shim runs it after intercept. Idempotent; uninstall moves it
//!   back.
//! - **Global** (`intercept install --global`): `<config dir>/intercept/hooks` holds a shim
//!   for every hook git runs, and the global `core.hooksPath` points at it. The shims of
//!   hooks intercept does not check only pass through, so a repository's own hooks
//!   (git-lfs, a team's `pre-push`) keep running. A global `core.hooksPath` that was set
//!   before is recorded, chained instead of the repositories' own hooks (git was not
//!   running those), and restored by uninstall.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::path::{os_bytes, PathText};

/// The shim template (POSIX sh).
const SHIM: &str = include_str!("../hooks/shim.sh");
/// The line that marks a file as intercept's shim.
pub const MARKER: &str = "# intercept-shim: v1";
/// Where a per-repository install keeps the hooks it replaced.
pub const CHAINED_DIR: &str = ".intercept-chained";

/// A hook git runs: whether intercept checks it and whether git feeds it standard input.
#[derive(Clone, Copy, Debug)]
pub struct Hook {
    pub name: &'static str,
    pub checked: bool,
    pub stdin: bool,
}

const fn hook(name: &'static str, checked: bool, stdin: bool) -> Hook {
    Hook { name, checked, stdin }
}

/// Every hook a client-side or server-side git runs by name from the hooks directory
/// (githooks(5)), except `push-to-checkout` and `proc-receive`, whose mere presence
/// changes what git does.
pub const ALL_HOOKS: [Hook; 25] = [
    hook("pre-commit", true, false),
    hook("pre-merge-commit", true, false),
    hook("commit-msg", true, false),
    hook("pre-push", true, true),
    hook("applypatch-msg", false, false),
    hook("pre-applypatch", false, false),
    hook("post-applypatch", false, false),
    hook("prepare-commit-msg", false, false),
    hook("post-commit", false, false),
    hook("pre-rebase", false, false),
    hook("post-checkout", false, false),
    hook("post-merge", false, false),
    hook("pre-receive", false, true),
    hook("update", false, false),
    hook("post-receive", false, true),
    hook("post-update", false, false),
    hook("reference-transaction", false, true),
    hook("pre-auto-gc", false, false),
    hook("post-rewrite", false, true),
    hook("sendemail-validate", false, false),
    hook("post-index-change", false, false),
    hook("p4-changelist", false, false),
    hook("p4-prepare-changelist", false, false),
    hook("p4-post-changelist", false, false),
    hook("p4-pre-submit", false, false),
];

/// The hooks a per-repository install writes into a repository with a work tree.
pub const REPO_HOOKS: [Hook; 4] = [
    hook("pre-commit", true, false),
    hook("pre-merge-commit", true, false),
    hook("commit-msg", true, false),
    hook("pre-push", true, true),
];

/// The hook a per-repository install writes into a bare (server) repository.
pub const SERVER_HOOKS: [Hook; 1] = [hook("pre-receive", true, true)];

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("cannot run `git {args}`: {cause}. intercept needs git on PATH to read and write its config")]
    Git { args: String, cause: String },
    #[error(
        "`git {args}` failed: {cause}. Run it inside a git repository (or, to protect every repository, \
         use `intercept install --global`)"
    )]
    GitFailed { args: String, cause: String },
    #[error("{what} {path}: {source}. Check that you may write there")]
    Io {
        what: &'static str,
        path: PathText,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot find your config directory: neither XDG_CONFIG_HOME nor HOME is set. Set HOME (or \
         XDG_CONFIG_HOME) and run it again"
    )]
    NoHome,
    #[error(
        "cannot install the {hook} hook in {dir}: both {dir}/{hook} and {dir}/{chained}/{hook} exist and \
         neither is intercept's. Move one of them away and run `intercept install` again"
    )]
    ChainOccupied {
        hook: &'static str,
        dir: PathText,
        chained: &'static str,
    },
}

fn io_error<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> InstallError + 'a {
    move |source| InstallError::Io {
        what,
        path: PathText::new(path),
        source,
    }
}

/// What the next hook is: the repository's own, or the one in a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chain {
    Local,
    Dir(PathBuf),
}

/// `'…'` for sh, bytes and all.
fn sh_quote(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![b'\''];
    for &b in bytes {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

/// The shim for one hook.
pub fn render(bin: &Path, hook: Hook, chain: &Chain) -> Vec<u8> {
    let chain = match chain {
        Chain::Local => b"local".to_vec(),
        Chain::Dir(dir) => sh_quote(os_bytes(dir.as_os_str())),
    };
    let mut out = Vec::with_capacity(SHIM.len() + 256);
    for line in SHIM.split_inclusive('\n') {
        let value = |name: &str| line.strip_prefix(name).filter(|rest| rest.starts_with('='));
        if value("INTERCEPT_BIN").is_some() {
            out.extend_from_slice(b"INTERCEPT_BIN=");
            out.extend_from_slice(&sh_quote(os_bytes(bin.as_os_str())));
            out.push(b'\n');
        } else if value("INTERCEPT_HOOK").is_some() {
            out.extend_from_slice(format!("INTERCEPT_HOOK={}\n", hook.name).as_bytes());
        } else if value("INTERCEPT_CHECK").is_some() {
            out.extend_from_slice(format!("INTERCEPT_CHECK={}\n", u8::from(hook.checked)).as_bytes());
        } else if value("INTERCEPT_STDIN").is_some() {
            out.extend_from_slice(format!("INTERCEPT_STDIN={}\n", u8::from(hook.stdin)).as_bytes());
        } else if value("INTERCEPT_CHAIN").is_some() {
            out.extend_from_slice(b"INTERCEPT_CHAIN=");
            out.extend_from_slice(&chain);
            out.push(b'\n');
        } else {
            out.extend_from_slice(line.as_bytes());
        }
    }
    out
}

/// True when the file at `path` is one of intercept's shims.
pub fn is_shim(path: &Path) -> bool {
    fs::read(path).is_ok_and(|b| memchr::memmem::find(&b, MARKER.as_bytes()).is_some())
}

/// The binary path a shim calls.
pub fn shim_binary(path: &Path) -> Option<PathBuf> {
    let text = fs::read(path).ok()?;
    let line = text
        .split(|&b| b == b'\n')
        .find(|l| l.starts_with(b"INTERCEPT_BIN="))?;
    let quoted = &line[b"INTERCEPT_BIN=".len()..];
    let inner = quoted.strip_prefix(b"'")?.strip_suffix(b"'")?;
    let unquoted = String::from_utf8_lossy(inner).replace("'\\''", "'");
    Some(PathBuf::from(unquoted))
}

/// Writes `bytes` to `path` atomically (temp file + rename), executable.
fn write_executable(path: &Path, bytes: &[u8]) -> Result<(), InstallError> {
    let tmp = path.with_extension("intercept-tmp");
    fs::write(&tmp, bytes).map_err(io_error("cannot write", &tmp))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755))
            .map_err(io_error("cannot make executable", &tmp))?;
    }
    fs::rename(&tmp, path).map_err(io_error("cannot write", path))
}

/// Runs git, returning trimmed stdout, or `None` when git exits 1 (a config key unset).
pub fn git(cwd: Option<&Path>, args: &[&str]) -> Result<Option<String>, InstallError> {
    let mut cmd = Command::new("git");
    if let Some(cwd) = cwd {
        cmd.arg("-C").arg(cwd);
    }
    let output = cmd.args(args).output().map_err(|e| InstallError::Git {
        args: args.join(" "),
        cause: e.to_string(),
    })?;
    match output.status.code() {
        Some(0) => Ok(Some(
            String::from_utf8_lossy(&output.stdout)
                .trim_end_matches('\n')
                .to_string(),
        )),
        Some(1) if args.contains(&"config") => Ok(None),
        _ => Err(InstallError::GitFailed {
            args: args.join(" "),
            cause: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        }),
    }
}

/// `$XDG_CONFIG_HOME/intercept`, else `~/.config/intercept`.
pub fn config_dir() -> Result<PathBuf, InstallError> {
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(x).join("intercept"));
    }
    let home = std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .ok_or(InstallError::NoHome)?;
    Ok(PathBuf::from(home).join(".config/intercept"))
}

/// The global hooks directory and the file recording the previous global hooks path.
pub fn global_paths() -> Result<(PathBuf, PathBuf), InstallError> {
    let dir = config_dir()?;
    Ok((dir.join("hooks"), dir.join("previous-hooks-path")))
}

/// Expands a leading `~/` the way git does for `core.hooksPath`.
pub fn expand_home(value: &str) -> PathBuf {
    match (value.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(value),
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// What an install or uninstall did, for people.
#[derive(Debug, Default)]
pub struct Done {
    pub lines: Vec<String>,
}

/// `intercept install --global`.
pub fn install_global(bin: &Path) -> Result<Done, InstallError> {
    let mut done = Done::default();
    let (dir, state) = global_paths()?;
    let current = git(None, &["config", "--global", "--get", "core.hooksPath"])?;
    let previous = match &current {
        Some(value) if same_dir(&expand_home(value), &dir) => read_previous(&state)?,
        other => {
            let record = match other {
                Some(value) => format!("set\n{value}\n"),
                None => "unset\n".to_string(),
            };
            fs::create_dir_all(state.parent().unwrap_or(&dir)).map_err(io_error("cannot create", &dir))?;
            fs::write(&state, record).map_err(io_error("cannot write", &state))?;
            other.clone()
        }
    };
    let chain = match &previous {
        Some(value) => Chain::Dir(expand_home(value)),
        None => Chain::Local,
    };
    fs::create_dir_all(&dir).map_err(io_error("cannot create", &dir))?;
    for hook in ALL_HOOKS {
        write_executable(&dir.join(hook.name), &render(bin, hook, &chain))?;
    }
    let dir_text = dir.to_string_lossy().into_owned();
    git(None, &["config", "--global", "core.hooksPath", &dir_text])?;
    done.lines.push(format!(
        "installed {} hook shims in {} and set the global core.hooksPath to it",
        ALL_HOOKS.len(),
        PathText::new(&dir)
    ));
    done.lines.push(match &previous {
        Some(value) => format!(
            "the previous global core.hooksPath ({value}) runs after intercept and comes back on uninstall"
        ),
        None => "each repository's own hooks (.git/hooks) still run after intercept".to_string(),
    });
    Ok(done)
}

/// The recorded previous global `core.hooksPath` (`None`: it was unset).
fn read_previous(state: &Path) -> Result<Option<String>, InstallError> {
    match fs::read_to_string(state) {
        Ok(text) => {
            let mut lines = text.lines();
            Ok(match (lines.next(), lines.next()) {
                (Some("set"), Some(value)) => Some(value.to_string()),
                _ => None,
            })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("cannot read", state)(e)),
    }
}

/// `intercept uninstall --global`.
pub fn uninstall_global() -> Result<Done, InstallError> {
    let mut done = Done::default();
    let (dir, state) = global_paths()?;
    let current = git(None, &["config", "--global", "--get", "core.hooksPath"])?;
    match &current {
        Some(value) if same_dir(&expand_home(value), &dir) => match read_previous(&state)? {
            Some(previous) => {
                git(None, &["config", "--global", "core.hooksPath", &previous])?;
                done.lines
                    .push(format!("restored the global core.hooksPath to {previous}"));
            }
            None => {
                git(None, &["config", "--global", "--unset", "core.hooksPath"])?;
                done.lines
                    .push("removed the global core.hooksPath (it was not set before)".to_string());
            }
        },
        Some(value) => done.lines.push(format!(
            "the global core.hooksPath is {value}, not intercept's; left it as it is"
        )),
        None => done
            .lines
            .push("no global core.hooksPath is set; nothing to restore".to_string()),
    }
    if dir.exists() {
        for hook in ALL_HOOKS {
            let path = dir.join(hook.name);
            if is_shim(&path) {
                fs::remove_file(&path).map_err(io_error("cannot remove", &path))?;
            }
        }
        let _ = fs::remove_dir(&dir);
        done.lines
            .push(format!("removed intercept's hooks from {}", PathText::new(&dir)));
    }
    if state.exists() {
        fs::remove_file(&state).map_err(io_error("cannot remove", &state))?;
    }
    Ok(done)
}

/// Where git runs this repository's hooks from, and whether it is bare.
#[derive(Debug)]
pub struct RepoHooks {
    pub dir: PathBuf,
    pub bare: bool,
    /// `local`, `global`, `system`, … when `core.hooksPath` set it.
    pub scope: Option<String>,
    /// The work tree's top, or a bare repository's git dir.
    pub base: PathBuf,
}

/// Asks git where it runs hooks from, in the repository around the current directory.
pub fn repo_hooks() -> Result<RepoHooks, InstallError> {
    let bare = git(None, &["rev-parse", "--is-bare-repository"])?.as_deref() == Some("true");
    let base = if bare {
        git(None, &["rev-parse", "--absolute-git-dir"])?
    } else {
        git(None, &["rev-parse", "--show-toplevel"])?
    }
    .map(PathBuf::from)
    .unwrap_or_default();
    let hooks = git(Some(&base), &["rev-parse", "--git-path", "hooks"])?.unwrap_or_default();
    let dir = base.join(hooks);
    let scope = git(
        Some(&base),
        &["config", "--show-scope", "--get", "core.hooksPath"],
    )?
    .and_then(|line| line.split('\t').next().map(str::to_string));
    Ok(RepoHooks {
        dir,
        bare,
        scope,
        base,
    })
}

/// `intercept install` in a repository.
pub fn install_repo(bin: &Path, hooks: &RepoHooks) -> Result<Done, InstallError> {
    let mut done = Done::default();
    let (global, _) = global_paths()?;
    if hooks.bare && same_dir(&hooks.dir, &global) {
        // The global pass-through pre-receive runs the repository's own hook: a server
        // repository is protected only by a checking pre-receive there.
        let own = RepoHooks {
            dir: hooks.base.join("hooks"),
            bare: true,
            scope: None,
            base: hooks.base.clone(),
        };
        return install_repo(bin, &own);
    }
    if same_dir(&hooks.dir, &global) {
        done.lines.push(format!(
            "this repository already runs intercept's global hooks ({}); nothing to install",
            PathText::new(&hooks.dir)
        ));
        return Ok(done);
    }
    let list: &[Hook] = if hooks.bare { &SERVER_HOOKS } else { &REPO_HOOKS };
    let chained = hooks.dir.join(CHAINED_DIR);
    fs::create_dir_all(&hooks.dir).map_err(io_error("cannot create", &hooks.dir))?;
    for &hook in list {
        let path = hooks.dir.join(hook.name);
        let keep = chained.join(hook.name);
        if path.exists() && !is_shim(&path) {
            if keep.exists() {
                return Err(InstallError::ChainOccupied {
                    hook: hook.name,
                    dir: PathText::new(&hooks.dir),
                    chained: CHAINED_DIR,
                });
            }
            fs::create_dir_all(&chained).map_err(io_error("cannot create", &chained))?;
            fs::rename(&path, &keep).map_err(io_error("cannot move aside", &path))?;
            done.lines.push(format!(
                "kept the existing {} hook: it now runs after intercept (from {})",
                hook.name,
                PathText::new(&keep)
            ));
        }
        write_executable(&path, &render(bin, hook, &Chain::Dir(chained.clone())))?;
    }
    done.lines.push(format!(
        "installed {} in {}",
        list.iter().map(|h| h.name).collect::<Vec<_>>().join(", "),
        PathText::new(&hooks.dir)
    ));
    Ok(done)
}

/// `intercept uninstall` in a repository.
pub fn uninstall_repo(hooks: &RepoHooks) -> Result<Done, InstallError> {
    let mut done = Done::default();
    let chained = hooks.dir.join(CHAINED_DIR);
    for hook in REPO_HOOKS.iter().chain(SERVER_HOOKS.iter()) {
        let path = hooks.dir.join(hook.name);
        if is_shim(&path) {
            fs::remove_file(&path).map_err(io_error("cannot remove", &path))?;
            done.lines.push(format!("removed intercept's {} hook", hook.name));
        }
        let keep = chained.join(hook.name);
        if keep.exists() && !path.exists() {
            fs::rename(&keep, &path).map_err(io_error("cannot restore", &keep))?;
            done.lines
                .push(format!("restored the previous {} hook", hook.name));
        }
    }
    let _ = fs::remove_dir(&chained);
    if done.lines.is_empty() {
        done.lines
            .push(format!("no intercept hooks in {}", PathText::new(&hooks.dir)));
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shims_carry_their_settings_quoted() {
        let shim = render(
            Path::new("/opt/it's here/intercept"),
            REPO_HOOKS[3],
            &Chain::Local,
        );
        let text = String::from_utf8(shim).unwrap();
        assert!(
            text.contains("INTERCEPT_BIN='/opt/it'\\''s here/intercept'\n"),
            "{text}"
        );
        assert!(text.contains("INTERCEPT_HOOK=pre-push\n"));
        assert!(text.contains("INTERCEPT_CHECK=1\n"));
        assert!(text.contains("INTERCEPT_STDIN=1\n"));
        assert!(text.contains("INTERCEPT_CHAIN=local\n"));
        assert!(text.contains(MARKER));
        assert!(!text.contains("=@"), "unfilled placeholder");
    }

    #[test]
    fn shim_binary_reads_back_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pre-commit");
        std::fs::write(
            &path,
            render(Path::new("/a/it's/intercept"), REPO_HOOKS[0], &Chain::Local),
        )
        .unwrap();
        assert!(is_shim(&path));
        assert_eq!(shim_binary(&path), Some(PathBuf::from("/a/it's/intercept")));
    }
}

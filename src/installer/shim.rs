//! The one definition of how git reaches intercept: what a shim, a config-based hook's
//! command and a marked sh block say, written from a [`Spec`] and read back into one, so
//! the installer, `intercept hook`, `status` and `doctor` share a single protocol.
//!
//! The protocol: the program git runs calls `intercept hook --shim <event> <args>` with
//! git's input, and lets git go on only when intercept answers [`ANSWER_CLEAN`] (3). Any
//! other answer blocks: 1 a token, 2 could not check, 0 or anything else a binary that is
//! not intercept (an empty file that `sh` runs as an empty script, a truncated binary, a
//! program put in its place). It tells intercept, in the environment, which mechanism ran
//! it ([`Via`]), the pid of the git command (`$PPID`: every mechanism's shell is a child of
//! git), and, for a shim file, its own path.

use std::fs;
use std::path::{Path, PathBuf};

use super::{io_error, InstallError};
use crate::hooks::{self, Hook};
use crate::path::os_bytes;

/// What intercept answers a shim when it checked and found nothing.
pub const ANSWER_CLEAN: i32 = 3;

/// The environment a shim gives `intercept hook`.
pub mod env {
    /// Which mechanism ran intercept ([`super::Via`]).
    pub const VIA: &str = "INTERCEPT_VIA";
    /// The pid of the git command that runs the hooks (the shim's `$PPID`).
    pub const GIT_PID: &str = "INTERCEPT_GIT_PID";
    /// The shim file's own path (`$0`), for shims that are files.
    pub const SHIM: &str = "INTERCEPT_SHIM";
}

/// The shim template.
const TEMPLATE: &str = include_str!("../../hooks/shim.sh");
/// What every version of a shim file's marker starts with (v1 and v2 are intercept's too).
const MARKER_ANY: &str = "# intercept-shim: v";

/// The mechanism that runs intercept for an event (docs/hooks.md has the table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A config-based hook (git ≥ 2.54): a command in a git config file.
    Config,
    /// A shim in the global hooks directory (git < 2.54: the global `core.hooksPath`).
    Global,
    /// A shim in a repository's own hooks directory that intercept keeps in its git
    /// directory, in front of the hooks git ran there before.
    Repo,
    /// husky 9's `~/.config/husky/init.sh`, which husky sources before every hook a
    /// repository defines in `.husky/`.
    Husky,
    /// In front of a repository's own pre-push hook, put there when intercept stopped a
    /// push that git would still have handed to that hook (git ≥ 2.54).
    Gate,
}

impl Via {
    pub const ALL: [Via; 5] = [Via::Config, Via::Global, Via::Repo, Via::Husky, Via::Gate];

    pub fn as_str(self) -> &'static str {
        match self {
            Via::Config => "config",
            Via::Global => "global",
            Via::Repo => "repo",
            Via::Husky => "husky",
            Via::Gate => "gate",
        }
    }

    pub fn parse(text: &str) -> Option<Via> {
        Self::ALL.into_iter().find(|v| v.as_str() == text)
    }

    /// How status names it.
    pub fn describe(self) -> &'static str {
        match self {
            Via::Config => "config-based hook",
            Via::Global => "global shim",
            Via::Repo => "this repository's intercept hooks directory",
            Via::Husky => "husky's init.sh",
            Via::Gate => "gate in front of the repository's own hook",
        }
    }
}

/// What runs after intercept in a shim file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chain {
    /// Nothing.
    None,
    /// The repository's own `hooks/<name>` in its common git directory (a global shims
    /// directory).
    Local,
    /// `<dir>/<name>`.
    Dir(PathBuf),
}

/// One shim: everything a file, a config command or a block says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The binary it calls.
    pub bin: PathBuf,
    pub hook: &'static Hook,
    pub via: Via,
    /// It runs intercept's check (else it only hands over to what is chained).
    pub check: bool,
    pub chain: Chain,
    /// For a hook git-lfs installs: in a repository that stores LFS objects and has no
    /// hook of this name next in the chain, run git-lfs's.
    pub lfs: bool,
    /// The common git directory, when it is fixed (a repository's own shims).
    pub common: Option<PathBuf>,
}

/// `'…'` for sh, bytes and all.
pub fn sh_quote(bytes: &[u8]) -> Vec<u8> {
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

fn sh_quoted(path: &Path) -> String {
    String::from_utf8_lossy(&sh_quote(os_bytes(path.as_os_str()))).into_owned()
}

/// The inverse of [`sh_quote`] for one whole word (`'…'`, or a bare word).
fn sh_unquote(word: &str) -> String {
    match word.strip_prefix('\'').and_then(|w| w.strip_suffix('\'')) {
        Some(inner) => inner.replace("'\\''", "'"),
        None => word.to_string(),
    }
}

impl Spec {
    /// A shim for `hook` with nothing chained.
    pub fn new(bin: &Path, hook: &'static Hook, via: Via) -> Spec {
        Spec {
            bin: bin.to_path_buf(),
            hook,
            via,
            check: hook.check.is_some(),
            chain: Chain::None,
            lfs: false,
            common: None,
        }
    }

    /// The shim file (`hooks/shim.sh` filled in).
    pub fn file(&self) -> Vec<u8> {
        let chain = match &self.chain {
            Chain::None => b"none".to_vec(),
            Chain::Local => b"local".to_vec(),
            Chain::Dir(dir) => sh_quote(os_bytes(dir.as_os_str())),
        };
        let common = self
            .common
            .as_deref()
            .map(|c| sh_quote(os_bytes(c.as_os_str())))
            .unwrap_or_default();
        let flag = |b: bool| if b { b"1".to_vec() } else { b"0".to_vec() };
        let settings: [(&str, Vec<u8>); 8] = [
            ("INTERCEPT_BIN", sh_quote(os_bytes(self.bin.as_os_str()))),
            ("INTERCEPT_HOOK", self.hook.name.as_bytes().to_vec()),
            ("INTERCEPT_CHECK", flag(self.check)),
            ("INTERCEPT_STDIN", flag(self.hook.stdin)),
            ("INTERCEPT_CHAIN", chain),
            ("INTERCEPT_VIA", self.via.as_str().as_bytes().to_vec()),
            ("INTERCEPT_LFS", flag(self.lfs)),
            ("INTERCEPT_COMMON", common),
        ];
        let mut out = Vec::with_capacity(TEMPLATE.len() + 256);
        for line in TEMPLATE.split_inclusive('\n') {
            let setting = settings
                .iter()
                .find(|(name, _)| line.strip_prefix(name).is_some_and(|rest| rest.starts_with('=')));
            match setting {
                Some((name, value)) => {
                    out.extend_from_slice(name.as_bytes());
                    out.push(b'=');
                    out.extend_from_slice(value);
                    out.push(b'\n');
                }
                None => out.extend_from_slice(line.as_bytes()),
            }
        }
        out
    }

    /// Reads a shim file back; `None` when it is not intercept's (or is from a version
    /// before this one: see [`is_shim`] for any version).
    pub fn parse_file(bytes: &[u8]) -> Option<Spec> {
        if !is_shim_bytes(bytes) {
            return None;
        }
        let text = String::from_utf8_lossy(bytes);
        let get = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
                .map(sh_unquote)
        };
        let hook = hooks::find(&get("INTERCEPT_HOOK")?)?;
        let chain = match get("INTERCEPT_CHAIN")?.as_str() {
            "none" => Chain::None,
            "local" => Chain::Local,
            dir => Chain::Dir(PathBuf::from(dir)),
        };
        Some(Spec {
            bin: PathBuf::from(get("INTERCEPT_BIN")?),
            hook,
            via: Via::parse(&get("INTERCEPT_VIA")?)?,
            check: get("INTERCEPT_CHECK").as_deref() == Some("1"),
            chain,
            lfs: get("INTERCEPT_LFS").as_deref() == Some("1"),
            common: get("INTERCEPT_COMMON")
                .filter(|c| !c.is_empty())
                .map(PathBuf::from),
        })
    }

    /// The value of `hook.intercept-<event>.command`: a sh one-liner git runs with
    /// `sh -c '<command> "$@"'`, so no file stands between git and the binary (nothing to
    /// lose but the binary, and a lost binary blocks with this message).
    pub fn command(&self) -> String {
        let bin = sh_quoted(&self.bin);
        let event = self.hook.name;
        format!(
            "intercept_hook() {{ INTERCEPT_VIA={via} INTERCEPT_GIT_PID=$PPID {bin} hook --shim {event} \"$@\"; \
             intercept_rc=$?; [ $intercept_rc = {ANSWER_CLEAN} ] && return 0; case $intercept_rc in 1|2) ;; *) echo \
             \"intercept: {bin} did not check this {event} (exit $intercept_rc: it is missing or broken). Reinstall \
             intercept (./install.sh) or run intercept doctor --fix; to remove it: intercept uninstall --global. To go \
             ahead once without checking: --no-verify\" >&2 ;; esac; return 1; }}; intercept_hook",
            via = self.via.as_str(),
        )
    }

    /// Reads a config-based hook's command back.
    pub fn parse_command(command: &str) -> Option<Spec> {
        let rest = command.strip_prefix("intercept_hook() { INTERCEPT_VIA=")?;
        let (via, rest) = rest.split_once(" INTERCEPT_GIT_PID=$PPID ")?;
        let (bin, rest) = rest.split_once(" hook --shim ")?;
        let event = rest.split(' ').next()?;
        let spec = Spec::new(Path::new(&sh_unquote(bin)), hooks::find(event)?, Via::parse(via)?);
        (spec.command() == command).then_some(spec)
    }

    /// A marked block for the top of a sh script that git (or husky) runs for this event:
    /// it checks and lets the rest of the script run only on intercept's answer. For a hook
    /// with input (pre-push) it keeps git's input in a variable (no temp file) and hands it
    /// on to the rest of the script with a here-document, byte for byte (a last line
    /// without its newline gets one; git always sends it). husky runs its files with
    /// `sh -e`, so the binary's status is caught with `||`.
    pub fn block(&self, begin: &str, end: &str) -> String {
        let bin = sh_quoted(&self.bin);
        let event = self.hook.name;
        let via = self.via.as_str();
        let answer = format!(
            "case $intercept_rc in {ANSWER_CLEAN}) ;; 1|2) exit 1 ;; *) echo \"intercept: {bin} did not check this \
             {event} (missing or broken): reinstall intercept, or go ahead unchecked with --no-verify\" >&2; exit 1 \
             ;; esac"
        );
        let call = format!("INTERCEPT_VIA={via} INTERCEPT_GIT_PID=$PPID {bin} hook --shim {event} \"$@\"");
        if self.hook.stdin {
            format!(
                "{begin}\n\
                 intercept_in=$(cat; echo .) || exit 1; intercept_in=${{intercept_in%.}}; intercept_nl=$(printf '\\n.'); \
                 intercept_rc=0\n\
                 printf '%s' \"$intercept_in\" | {call} || intercept_rc=$?\n\
                 {answer}\n\
                 if [ -z \"$intercept_in\" ]; then exec < /dev/null; else exec <<intercept_input_end\n\
                 ${{intercept_in%\"${{intercept_nl%.}}\"}}\n\
                 intercept_input_end\n\
                 fi\n\
                 {end}\n"
            )
        } else {
            format!(
                "{begin}\n\
                 intercept_rc=0; {call} < /dev/null || intercept_rc=$?\n\
                 {answer}\n\
                 {end}\n"
            )
        }
    }

    /// Reads the binary and mechanism back from a [`Spec::block`].
    pub fn parse_block(text: &str) -> Option<(PathBuf, Via)> {
        let line = text.lines().find(|l| l.contains(" hook --shim "))?;
        let start = line.find("INTERCEPT_VIA=")?;
        let rest = &line[start + "INTERCEPT_VIA=".len()..];
        let (via, rest) = rest.split_once(" INTERCEPT_GIT_PID=$PPID ")?;
        let (bin, _) = rest.split_once(" hook --shim ")?;
        Some((PathBuf::from(sh_unquote(bin)), Via::parse(via)?))
    }
}

/// True when the file at `path` is one of intercept's shim files (any version).
pub fn is_shim(path: &Path) -> bool {
    fs::read(path).is_ok_and(|b| is_shim_bytes(&b))
}

fn is_shim_bytes(b: &[u8]) -> bool {
    b.len() < 64 << 10 && memchr::memmem::find(b, MARKER_ANY.as_bytes()).is_some()
}

/// The shim at `path`, read back, if it is this version's.
pub fn read(path: &Path) -> Option<Spec> {
    fs::read(path).ok().and_then(|b| Spec::parse_file(&b))
}

/// Writes `bytes` to `path` atomically (temp file + rename), executable.
pub fn write_executable(path: &Path, bytes: &[u8]) -> Result<(), InstallError> {
    if fs::read(path).is_ok_and(|old| old == bytes) && is_executable(path) {
        return Ok(()); // unchanged: a re-install changes nothing, not even a timestamp
    }
    let tmp = path.with_extension(format!("intercept-tmp-{}", std::process::id()));
    fs::write(&tmp, bytes).map_err(io_error("cannot write", &tmp))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755))
            .map_err(io_error("cannot make executable", &tmp))?;
    }
    fs::rename(&tmp, path).map_err(io_error("cannot write", path))
}

/// Whether git would run `path` as a program: a non-empty file (or a symlink to one) that
/// may be executed.
pub fn is_executable(path: &Path) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks;

    fn spec(bin: &str, event: &str, via: Via, chain: Chain) -> Spec {
        Spec {
            chain,
            lfs: event == "pre-push",
            common: Some(PathBuf::from("/r/.git")),
            ..Spec::new(Path::new(bin), hooks::find(event).unwrap(), via)
        }
    }

    #[test]
    fn files_read_back_what_they_were_written_with() {
        for via in Via::ALL {
            for chain in [Chain::None, Chain::Local, Chain::Dir("/x y/it's".into())] {
                let s = spec("/opt/it's here/intercept", "pre-push", via, chain);
                let file = s.file();
                let text = String::from_utf8(file.clone()).unwrap();
                assert!(!text.contains("=@"), "unfilled placeholder: {text}");
                assert!(
                    text.contains("INTERCEPT_BIN='/opt/it'\\''s here/intercept'\n"),
                    "{text}"
                );
                assert_eq!(Spec::parse_file(&file), Some(s));
            }
        }
        let other = spec("/b", "post-checkout", Via::Global, Chain::Local);
        assert!(!other.check);
        assert_eq!(Spec::parse_file(&other.file()), Some(other));
        assert_eq!(Spec::parse_file(b"#!/bin/sh\ngit lfs pre-push \"$@\"\n"), None);
    }

    #[test]
    fn commands_read_back_and_refuse_anything_else() {
        for event in ["pre-commit", "commit-msg", "pre-push"] {
            let s = Spec::new(
                Path::new("/h/it's $HOME/intercept"),
                hooks::find(event).unwrap(),
                Via::Config,
            );
            let command = s.command();
            assert_eq!(Spec::parse_command(&command), Some(s));
            assert_eq!(
                Spec::parse_command(&command.replace("return 1", "return 0")),
                None
            );
        }
        assert_eq!(Spec::parse_command("/usr/bin/true"), None);
    }

    #[test]
    fn blocks_read_back() {
        let s = Spec::new(
            Path::new("/a b/intercept"),
            hooks::find("pre-push").unwrap(),
            Via::Husky,
        );
        let block = s.block("# >>>", "# <<<");
        assert_eq!(
            Spec::parse_block(&block),
            Some((PathBuf::from("/a b/intercept"), Via::Husky))
        );
    }
}

//! The POSIX sh shims intercept writes (`hooks/shim.sh`, embedded): render one, recognise
//! one (its marker), and read back the binary it calls.

use std::fs;
use std::path::{Path, PathBuf};

use super::{io_error, InstallError};
use crate::hooks::Hook;
use crate::path::os_bytes;

/// The shim template.
const SHIM: &str = include_str!("../../hooks/shim.sh");
/// The line that marks a file as intercept's shim (this version).
pub const MARKER: &str = "# intercept-shim: v2";
/// What every version of the marker starts with (a v1 shim is intercept's too).
const MARKER_ANY: &str = "# intercept-shim: v";

/// What runs after intercept in a shim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chain {
    /// Nothing: git runs the hooks directory's hook itself (config-based hooks).
    None,
    /// The repository's own `hooks/<name>` (a global shims directory).
    Local,
    /// `<dir>/<name>` (the hook a per-repository install moved aside, or a previous
    /// global hooks directory).
    Dir(PathBuf),
}

/// How a shim is run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Both config-based hooks and global shims are installed: under a git that runs the
    /// config-based hook, the shim's check defers to it.
    pub dual: bool,
    /// A global shim for a hook git-lfs installs: in a repository that stores LFS objects
    /// and has no hook of this name, run git-lfs's (which cannot install into a hooks
    /// directory that is not its own).
    pub lfs: bool,
    /// A shim put in front of a repository's own hook by [`super::gate`]: it checks even
    /// when intercept's config-based hook ran (git ≥ 2.54 runs this one after a failed
    /// config-based hook too) and then only prints one line, not the report again.
    pub gate: bool,
}

/// The hooks git-lfs installs (`git lfs install`) that a global shim stands in for.
pub const LFS_HOOKS: [&str; 3] = ["pre-push", "post-checkout", "post-merge"];

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

/// The shim for one hook.
pub fn render(bin: &Path, hook: &Hook, chain: &Chain, options: Options) -> Vec<u8> {
    let chain = match chain {
        Chain::None => b"none".to_vec(),
        Chain::Local => b"local".to_vec(),
        Chain::Dir(dir) => sh_quote(os_bytes(dir.as_os_str())),
    };
    let mut out = Vec::with_capacity(SHIM.len() + 256);
    for line in SHIM.split_inclusive('\n') {
        let value = |name: &str| line.strip_prefix(name).filter(|rest| rest.starts_with('='));
        let setting = |name: &str, v: &[u8], out: &mut Vec<u8>| {
            out.extend_from_slice(name.as_bytes());
            out.push(b'=');
            out.extend_from_slice(v);
            out.push(b'\n');
        };
        if value("INTERCEPT_BIN").is_some() {
            setting("INTERCEPT_BIN", &sh_quote(os_bytes(bin.as_os_str())), &mut out);
        } else if value("INTERCEPT_HOOK").is_some() {
            setting("INTERCEPT_HOOK", hook.name.as_bytes(), &mut out);
        } else if value("INTERCEPT_CHECK").is_some() {
            setting(
                "INTERCEPT_CHECK",
                if hook.check.is_some() { b"1" } else { b"0" },
                &mut out,
            );
        } else if value("INTERCEPT_STDIN").is_some() {
            setting("INTERCEPT_STDIN", if hook.stdin { b"1" } else { b"0" }, &mut out);
        } else if value("INTERCEPT_CHAIN").is_some() {
            setting("INTERCEPT_CHAIN", &chain, &mut out);
        } else if value("INTERCEPT_DUAL").is_some() {
            let mode: &[u8] = match (options.gate, options.dual) {
                (true, _) => b"gate",
                (false, true) => b"1",
                (false, false) => b"0",
            };
            setting("INTERCEPT_DUAL", mode, &mut out);
        } else if value("INTERCEPT_LFS").is_some() {
            setting("INTERCEPT_LFS", if options.lfs { b"1" } else { b"0" }, &mut out);
        } else {
            out.extend_from_slice(line.as_bytes());
        }
    }
    out
}

/// True when the file at `path` is one of intercept's shims (any version).
pub fn is_shim(path: &Path) -> bool {
    fs::read(path).is_ok_and(|b| is_shim_bytes(&b))
}

fn is_shim_bytes(b: &[u8]) -> bool {
    b.len() < 64 << 10 && memchr::memmem::find(b, MARKER_ANY.as_bytes()).is_some()
}

/// A setting a shim was written with (`INTERCEPT_BIN`, `INTERCEPT_CHAIN`, …), unquoted.
pub fn setting(path: &Path, name: &str) -> Option<PathBuf> {
    let text = fs::read(path).ok()?;
    let prefix = format!("{name}=");
    let line = text
        .split(|&b| b == b'\n')
        .find(|l| l.starts_with(prefix.as_bytes()))?;
    let value = &line[prefix.len()..];
    let unquoted = match value.strip_prefix(b"'").and_then(|v| v.strip_suffix(b"'")) {
        Some(inner) => String::from_utf8_lossy(inner).replace("'\\''", "'"),
        None => String::from_utf8_lossy(value).into_owned(),
    };
    Some(PathBuf::from(unquoted))
}

/// The binary a shim calls.
pub fn shim_binary(path: &Path) -> Option<PathBuf> {
    setting(path, "INTERCEPT_BIN")
}

/// Writes `bytes` to `path` atomically (temp file + rename), executable.
pub fn write_executable(path: &Path, bytes: &[u8]) -> Result<(), InstallError> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks;

    #[test]
    fn shims_carry_their_settings_quoted() {
        let shim = render(
            Path::new("/opt/it's here/intercept"),
            hooks::find("pre-push").unwrap(),
            &Chain::Local,
            Options::default(),
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
        assert!(text.contains("INTERCEPT_DUAL=0\n"));
        assert!(text.contains(MARKER));
        assert!(!text.contains("=@"), "unfilled placeholder");
    }

    #[test]
    fn settings_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pre-commit");
        let hook = hooks::find("pre-commit").unwrap();
        std::fs::write(
            &path,
            render(
                Path::new("/a/it's/intercept"),
                hook,
                &Chain::Dir("/x y".into()),
                Options {
                    dual: true,
                    ..Options::default()
                },
            ),
        )
        .unwrap();
        assert!(is_shim(&path));
        assert_eq!(shim_binary(&path), Some(PathBuf::from("/a/it's/intercept")));
        assert_eq!(setting(&path, "INTERCEPT_CHAIN"), Some(PathBuf::from("/x y")));
        assert_eq!(setting(&path, "INTERCEPT_DUAL"), Some(PathBuf::from("1")));
    }
}

//! A hermetic git environment, and which git to run.
//!
//! What gix-testtools' `configure_command` does: nothing of the caller's git or intercept
//! set-up reaches a test (every `GIT_*`, `INTERCEPT_*` and `PRE_COMMIT*` variable is
//! removed, so `cargo test` run from inside someone's own git hook cannot act on the wrong
//! repository), no system config, a private HOME whose global config is [`GLOBAL_CONFIG`],
//! fixed identities and dates. Automatic `gc` and `maintenance` are off: one starting in the
//! middle of a test or a timed command is noise.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The global config of every hermetic HOME.
pub const GLOBAL_CONFIG: &str = "[user]\n\tname = Ada Tester\n\temail = ada@example.com\n\
[init]\n\tdefaultBranch = main\n\
[commit]\n\tgpgsign = false\n\
[tag]\n\tgpgsign = false\n\
[protocol \"file\"]\n\tallow = always\n\
[advice]\n\tdetachedHead = false\n\
[gc]\n\tauto = 0\n\
[maintenance]\n\tauto = false\n";

/// Writes [`GLOBAL_CONFIG`] as `home/.gitconfig` (creating `home` and `home/.config`).
pub fn write_global_config(home: &Path) {
    std::fs::create_dir_all(home.join(".config")).expect("the test's HOME can be created");
    std::fs::write(home.join(".gitconfig"), GLOBAL_CONFIG).expect("the test's global config can be written");
}

/// `program` with a hermetic environment whose HOME is `home` (its global config is
/// `home/.gitconfig`, see [`write_global_config`]). PATH is the caller's.
pub fn hermetic(program: impl AsRef<OsStr>, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("GIT_") || key.starts_with("INTERCEPT_") || key.starts_with("PRE_COMMIT") {
            cmd.env_remove(&key);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("GIT_AUTHOR_NAME", "Ada Tester")
        .env("GIT_AUTHOR_EMAIL", "ada@example.com")
        .env("GIT_COMMITTER_NAME", "Ada Tester")
        .env("GIT_COMMITTER_EMAIL", "ada@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .env("LC_ALL", "C")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

/// The directory of git 2.55's binaries: `INTERCEPT_TEST_GIT_BIN`, else built once (and
/// cached) by `../shared/git/build-git.sh` (about 4 minutes on two cores).
pub fn git_255_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(dir) = std::env::var_os("INTERCEPT_TEST_GIT_BIN") {
            return PathBuf::from(dir);
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/git/build-git.sh");
        let out = Command::new("sh")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("this test needs git 2.55: cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "this test needs git 2.55, and {} failed (it needs gcc, make and zlib's headers):\n{}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

/// git 2.55's `git`.
pub fn git_255() -> PathBuf {
    git_255_bin().join("git")
}

/// `git version` of `git` as (major, minor, patch); `None` when it does not run.
pub fn version(git: impl AsRef<OsStr>) -> Option<(u32, u32, u32)> {
    let out = Command::new(git)
        .arg("version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let number = text.trim().strip_prefix("git version ")?;
    let mut parts = number
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().ok());
    Some((
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
    ))
}

/// The first version that creates reftable repositories (`git init --ref-format=reftable`).
pub const REFTABLE: (u32, u32, u32) = (2, 45, 0);

/// Whether git 2.55 is here without building it (set by CI and `/work/testenv.sh`-like
/// set-ups, or cached by an earlier build).
fn git_255_at_hand() -> bool {
    std::env::var_os("INTERCEPT_TEST_GIT_BIN").is_some()
}

/// Every git here that writes reftable repositories: the machine's (`git` on PATH) when it
/// is new enough, and git 2.55 when it is at hand (or, when the machine's is too old, built).
pub fn reftable_gits() -> Vec<OsString> {
    static GITS: OnceLock<Vec<OsString>> = OnceLock::new();
    GITS.get_or_init(|| {
        let mut gits = Vec::new();
        if version("git").is_some_and(|v| v >= REFTABLE) {
            gits.push(OsString::from("git"));
        }
        if gits.is_empty() || git_255_at_hand() {
            gits.push(git_255().into_os_string());
        }
        gits
    })
    .clone()
}

/// A git that writes reftable repositories: the machine's when it can, else git 2.55.
pub fn reftable_git() -> OsString {
    reftable_gits().remove(0)
}

//! What every benchmark here needs: medians, the peak RSS of a command (GNU time), and
//! from the shared test-support crate (`tests/support`) hermetic git and tokens made at run
//! time.

#![allow(dead_code)] // each bench uses part of it

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// A fresh token's base64 and a token-free twin of the same length and shape.
#[allow(unused_imports)] // only the audit bench uses it
pub use intercept_test_support::token_and_twin;

/// git in `dir` with the shared hermetic environment (no user or system config, no
/// `GIT_*` of the caller, a fixed identity, no automatic gc or maintenance), under a HOME
/// kept under target/bench-repos/.
pub fn hermetic_git(dir: &Path) -> Command {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    let home = HOME.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-repos/home");
        intercept_test_support::git::write_global_config(&dir);
        dir
    });
    let mut c = intercept_test_support::hermetic("git", home);
    c.current_dir(dir);
    c
}

/// The median of `v` (upper median for even lengths).
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Peak resident memory of `cmd` fed `input`, as "12.3 MiB", via `/usr/bin/time -f %M`;
/// "n/a" where GNU time is not installed.
pub fn peak_rss(cmd: &Command, input: &[u8]) -> String {
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%M"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    let Ok(mut child) = timed
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
    else {
        return "n/a".to_string();
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let Ok(out) = child.wait_with_output() else {
        return "n/a".to_string();
    };
    let kb: f64 = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0.0);
    format!("{:.1} MiB", kb / 1024.0)
}

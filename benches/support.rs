//! What every benchmark here needs: medians, and the peak RSS of a command (GNU time).

#![allow(dead_code)] // each bench uses part of it

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine as _;

/// git in `dir` with no user or system config and a fixed identity.
pub fn hermetic_git(dir: &std::path::Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com");
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

/// A fresh token, `base64("tok:" + uuid4 + ":1:0")` with `_` in the UUID, made at run time
/// (never stored), and a token-free twin of the same length and shape (`tak:` instead of
/// `tok:`), so a benchmark can compare the same bytes with and without findings.
pub fn token_and_twin() -> (String, String) {
    let random = || {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(0x5eed);
        h.finish()
    };
    let hex = format!("{:016x}{:016x}", random(), random());
    let uuid = format!(
        "{}_{}_4{}_a{}_{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    );
    let b64 = |prefix: &str| base64::engine::general_purpose::STANDARD.encode(format!("{prefix}:{uuid}:1:0"));
    (b64("tok"), b64("tak"))
}

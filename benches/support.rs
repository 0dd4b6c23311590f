//! What every benchmark here needs: medians, and the peak RSS of a command (GNU time).

#![allow(dead_code)] // each bench uses part of it

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

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

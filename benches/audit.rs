//! History audit: `intercept scan --all` against `git cat-file --batch-all-objects
//! --batch --unordered >/dev/null` and `git log --all -p >/dev/null`, in the same run.
//!
//! ```sh
//! INTERCEPT_BENCH_GIT=/path/to/a/clone/of/git.git \
//! INTERCEPT_BENCH_BIG=/path/to/make-big-repo/output \
//!   cargo bench --bench audit
//! ```
//!
//! Without INTERCEPT_BENCH_BIG the synthetic repository is the one `benches/hooks.rs`
//! builds under target/ (if present). `git log --all -p` takes minutes on git.git, so it
//! runs once; the others run 3 times (medians). Target: at least 3x faster than
//! cat-file, peak RSS at most the pack size plus 256 MiB.

// A benchmark's output is its report.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

#[path = "support.rs"]
mod support;

use std::path::{Path, PathBuf};

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{median, peak_rss};

fn time(dir: &Path, program: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    let status = Command::new(program)
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.code().is_some());
    t.elapsed()
}

fn pack_size(dir: &Path) -> f64 {
    let pack = dir.join(".git/objects/pack");
    let bytes: u64 = std::fs::read_dir(pack)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    bytes as f64 / (1 << 20) as f64
}

fn bench(name: &str, dir: &Path, bin: &Path, with_log: bool) {
    let git = PathBuf::from("git");
    let (mut ours, mut cat) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        ours.push(time(dir, bin, &["scan", "--all"]));
        cat.push(time(
            dir,
            &git,
            &["cat-file", "--batch-all-objects", "--batch", "--unordered"],
        ));
    }
    let (ours, cat) = (median(ours), median(cat));
    println!(
        "{name:<26} scan --all {:>7.2} s   cat-file --unordered {:>7.2} s   {:.1}x faster   peak RSS {} (packs {:.0} MiB)",
        ours.as_secs_f64(),
        cat.as_secs_f64(),
        cat.as_secs_f64() / ours.as_secs_f64(),
        {
            let mut c = Command::new(bin);
            c.current_dir(dir).args(["scan", "--all"]);
            peak_rss(&c, b"")
        },
        pack_size(dir)
    );
    if with_log {
        let log = time(dir, &git, &["log", "--all", "-p"]);
        println!(
            "{:<26} git log --all -p {:>7.2} s   {:.1}x faster",
            "",
            log.as_secs_f64(),
            log.as_secs_f64() / ours.as_secs_f64()
        );
    }
}

fn main() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_intercept"));
    let skip_log = std::env::var_os("INTERCEPT_BENCH_SKIP_LOG").is_some();
    match std::env::var_os("INTERCEPT_BENCH_GIT") {
        Some(p) => bench("(a) git/git", Path::new(&p), &bin, !skip_log),
        None => println!("(a) skipped: set INTERCEPT_BENCH_GIT to a clone of git.git"),
    }
    let big = std::env::var_os("INTERCEPT_BENCH_BIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-repos/big"));
    if big.join(".git").exists() {
        bench("(b) synthetic 100k files", &big, &bin, !skip_log);
    } else {
        println!("(b) skipped: run `cargo bench --bench hooks` once to build it, or set INTERCEPT_BENCH_BIG");
    }
}

//! pre-commit latency: the hook as git runs it (the installed shim, then
//! `intercept hook pre-commit`) with a small staged change, against
//! `git diff --cached --quiet` on the same index, in the same run.
//!
//! ```sh
//! INTERCEPT_BENCH_GIT=/path/to/a/clone/of/git.git \
//! INTERCEPT_BENCH_BIG=/path/to/make-big-repo/output \
//!   cargo bench --bench hooks
//! ```
//!
//! Each repository is left as it was: the change is staged into a copy of its index
//! (`GIT_INDEX_FILE`), and the work tree is not touched. Without INTERCEPT_BENCH_BIG the
//! synthetic 100,000-file repository is built under target/ with
//! `../shared/bench/make-big-repo.py` (about 20 s, once). Prints medians of interleaved
//! runs, the ratio hook/git (target ≤ 1.2) and the hook's peak RSS (GNU time).

// A benchmark's output is its report.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

#[path = "support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use intercept::installer::{render, Chain, REPO_HOOKS};
use support::{median, peak_rss};

const RUNS: usize = 41;
const WARMUP: usize = 3;

fn git(repo: &Path, index: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(repo)
        .env("GIT_INDEX_FILE", index)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn git_stdin(repo: &Path, args: &[&str], input: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
        .current_dir(repo)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    String::from_utf8_lossy(&child.wait_with_output().unwrap().stdout)
        .trim()
        .to_string()
}

/// Stages one modified file (deep in the tree) and one new file into a copy of the index.
fn stage_small_change(repo: &Path, scratch: &Path) -> PathBuf {
    let index = scratch.join("index");
    std::fs::copy(repo.join(".git/index"), &index).unwrap();
    let files = git(repo, &index, &["ls-files"]);
    let deep = files
        .lines()
        .max_by_key(|l| (l.matches('/').count(), l.len()))
        .unwrap()
        .to_string();
    let old = Command::new("git")
        .current_dir(repo)
        .args(["show", &format!("HEAD:{deep}")])
        .output()
        .unwrap()
        .stdout;
    let mut new = old.clone();
    new.extend_from_slice(b"\n// a small change for the benchmark\n");
    let modified = git_stdin(repo, &["hash-object", "-w", "--stdin"], &new);
    let added = git_stdin(repo, &["hash-object", "-w", "--stdin"], b"fn added() {}\n");
    let dir = deep.rsplit_once('/').map_or("", |(d, _)| d);
    let new_path = if dir.is_empty() {
        "bench_added.rs".to_string()
    } else {
        format!("{dir}/bench_added.rs")
    };
    git(
        repo,
        &index,
        &[
            "update-index",
            "--cacheinfo",
            &format!("100644,{modified},{deep}"),
        ],
    );
    git(
        repo,
        &index,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{added},{new_path}"),
        ],
    );
    let staged = git(repo, &index, &["diff", "--cached", "--name-only"]);
    assert_eq!(
        staged.lines().count(),
        2,
        "expected two staged paths, got {staged}"
    );
    index
}

fn time(cmd: &mut Command) -> Duration {
    let t = Instant::now();
    let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
    let elapsed = t.elapsed();
    assert!(status.code().is_some(), "killed by a signal");
    elapsed
}

fn bench(name: &str, repo: &Path, bin: &Path) {
    let scratch = tempfile::tempdir().unwrap();
    let index = stage_small_change(repo, scratch.path());
    let hooks = scratch.path().join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let shim = hooks.join("pre-commit");
    std::fs::write(
        &shim,
        render(bin, REPO_HOOKS[0], &Chain::Dir(scratch.path().join("none"))),
    )
    .unwrap();

    let baseline = || {
        let mut c = Command::new("git");
        c.current_dir(repo)
            .env("GIT_INDEX_FILE", &index)
            .args(["diff", "--cached", "--quiet"]);
        c
    };
    let hook = || {
        let mut c = Command::new("sh");
        c.current_dir(repo).env("GIT_INDEX_FILE", &index).arg(&shim);
        c
    };
    let status = hook().status().unwrap();
    assert_eq!(status.code(), Some(0), "the hook must pass on a clean change");
    let (mut base, mut ours) = (Vec::new(), Vec::new());
    for i in 0..WARMUP + RUNS {
        let b = time(&mut baseline());
        let h = time(&mut hook());
        if i >= WARMUP {
            base.push(b);
            ours.push(h);
        }
    }
    let (b, h) = (median(base), median(ours));
    let rss = {
        let mut c = Command::new(bin);
        c.current_dir(repo)
            .env("GIT_INDEX_FILE", &index)
            .args(["hook", "pre-commit"]);
        peak_rss(&c, b"")
    };
    let files = git(repo, &index, &["ls-files"]).lines().count();
    println!(
        "{name:<28} {files:>7} files  git diff --cached --quiet {:>7.2} ms  hook {:>7.2} ms  ratio {:.2}x  peak RSS {rss}",
        b.as_secs_f64() * 1e3,
        h.as_secs_f64() * 1e3,
        h.as_secs_f64() / b.as_secs_f64()
    );
}

fn big_repo() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("INTERCEPT_BENCH_BIG") {
        return Some(PathBuf::from(p));
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = manifest.join("target/bench-repos/big");
    if dir.join(".git").exists() {
        return Some(dir);
    }
    let script = manifest.join("../shared/bench/make-big-repo.py");
    if !script.exists() {
        println!(
            "(skipping the synthetic repository: {} not found)",
            script.display()
        );
        return None;
    }
    println!("building the synthetic 100,000-file repository (once) ...");
    std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
    let ok = Command::new("python3")
        .arg(&script)
        .arg(&dir)
        .status()
        .unwrap()
        .success();
    ok.then_some(dir)
}

fn main() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_intercept"));
    println!("pre-commit through the shim vs git diff --cached --quiet, median of {RUNS} interleaved runs");
    match std::env::var_os("INTERCEPT_BENCH_GIT") {
        Some(p) => bench("(a) git/git clone", Path::new(&p), &bin),
        None => println!("(a) skipped: set INTERCEPT_BENCH_GIT to a clone of git.git"),
    }
    if let Some(big) = big_repo() {
        bench("(b) synthetic 100k files", &big, &bin);
    }
}

//! Push-time latency on a real large history (a clone of git.git, whose remote-tracking
//! refs play the remote), against git in the same run:
//!   (a) pre-push for a new 3-commit branch, the whole hook process, against
//!       `git rev-list <tip> --not --remotes=origin`;
//!   (b) a ~600-commit range, `intercept scan --range A..B`, against
//!       `git log -p -U0 A..B` (what gitleaks runs).
//!
//! ```sh
//! INTERCEPT_BENCH_GIT=/path/to/a/clone/of/git.git cargo bench --bench push
//! ```
//!
//! The three commits are made with `git commit-tree` on a temporary index and reachable
//! from no ref: the clone's refs and work tree are left as they were. Prints medians of
//! interleaved runs, ratios (targets: (a) < 20 ms and ≤ 3× rev-list; (b) ≤ 0.7× git log)
//! and peak RSS (GNU time).

// A benchmark's output is its report.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

#[path = "support.rs"]
mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{median, peak_rss};

fn git(repo: &Path, env: &[(&str, &Path)], args: &[&str], input: Option<&[u8]>) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(repo)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    if let Some(input) = input {
        stdin.write_all(input).unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success() || args[0] == "diff", "git {args:?} failed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Three commits on top of origin's default branch, each changing one file.
fn three_commits(repo: &Path, base: &str, scratch: &Path) -> String {
    let index = scratch.join("index");
    let env = [("GIT_INDEX_FILE", index.as_path())];
    git(repo, &env, &["read-tree", base], None);
    let mut parent = base.to_string();
    for i in 0..3 {
        let blob = git(
            repo,
            &[],
            &["hash-object", "-w", "--stdin"],
            Some(format!("bench change {i}\n").as_bytes()),
        );
        git(
            repo,
            &env,
            &[
                "update-index",
                "--add",
                "--cacheinfo",
                &format!("100644,{blob},bench/change{i}.txt"),
            ],
            None,
        );
        let tree = git(repo, &env, &["write-tree"], None);
        parent = git(
            repo,
            &[],
            &["commit-tree", &tree, "-p", &parent, "-m", &format!("bench {i}")],
            None,
        );
    }
    parent
}

fn run(cmd: &mut Command, input: &[u8]) -> Duration {
    let t = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let status = child.wait().unwrap();
    let elapsed = t.elapsed();
    assert!(status.code().is_some());
    elapsed
}

fn compare(
    name: &str,
    runs: usize,
    mut ours: impl FnMut() -> Duration,
    mut theirs: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..runs + 2 {
        let x = ours();
        let y = theirs();
        if i >= 2 {
            a.push(x);
            b.push(y);
        }
    }
    let (a, b) = (median(a), median(b));
    println!(
        "{name:<34} intercept {:>9.2} ms   git {:>9.2} ms   ratio {:.2}x",
        a.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        a.as_secs_f64() / b.as_secs_f64()
    );
    (a, b)
}

fn main() {
    let Some(repo) = std::env::var_os("INTERCEPT_BENCH_GIT") else {
        println!("skipped: set INTERCEPT_BENCH_GIT to a clone of git.git (with its refs/remotes/origin/*)");
        return;
    };
    let repo = Path::new(&repo);
    let bin = Path::new(env!("CARGO_BIN_EXE_intercept"));
    let scratch = tempfile::tempdir().unwrap();
    let base = git(repo, &[], &["rev-parse", "refs/remotes/origin/HEAD"], None);
    let tip = three_commits(repo, &base, scratch.path());
    let zero = "0".repeat(tip.len());
    let line = format!("refs/heads/bench {tip} refs/heads/bench {zero}\n");
    let remotes = git(
        repo,
        &[],
        &["for-each-ref", "--count=100000", "refs/remotes/origin/"],
        None,
    )
    .lines()
    .count();
    println!("git.git clone: {remotes} refs under refs/remotes/origin/; medians of interleaved runs");

    let pre_push = || {
        let mut c = Command::new(bin);
        c.current_dir(repo).args(["hook", "pre-push", "origin", "url"]);
        c
    };
    let status = {
        let mut c = pre_push();
        let mut child = c.stdin(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(line.as_bytes()).unwrap();
        child.wait().unwrap()
    };
    assert_eq!(status.code(), Some(0), "the bench branch is clean");
    let (a, b) = compare(
        "(a) pre-push, new 3-commit branch",
        41,
        || run(&mut pre_push(), line.as_bytes()),
        || {
            let mut c = Command::new("git");
            c.current_dir(repo)
                .args(["rev-list", &tip, "--not", "--remotes=origin"]);
            run(&mut c, b"")
        },
    );
    println!(
        "    target: < 20 ms and <= 3x rev-list: {} ; peak RSS {}",
        if a < Duration::from_millis(20) && a.as_secs_f64() <= 3.0 * b.as_secs_f64() {
            "met"
        } else {
            "missed"
        },
        peak_rss(&pre_push(), line.as_bytes())
    );

    // (b) ~600 commits: walk back first parents until the range holds at least 600.
    let mut k = 50;
    let (start, count) = loop {
        let start = git(repo, &[], &["rev-parse", &format!("{base}~{k}")], None);
        let count: usize = git(
            repo,
            &[],
            &["rev-list", "--count", &format!("{start}..{base}")],
            None,
        )
        .parse()
        .unwrap();
        if count >= 600 || k > 5000 {
            break (start, count);
        }
        k += 5;
    };
    let range = format!("{start}..{base}");
    println!(
        "(b) range {}..{} holds {count} commits",
        &start[..10],
        &base[..10]
    );
    let (a, b) = compare(
        "(b) scan --range vs git log -p -U0",
        7,
        || {
            let mut c = Command::new(bin);
            c.current_dir(repo).args(["scan", "--range", &range]);
            run(&mut c, b"")
        },
        || {
            let mut c = Command::new("git");
            c.current_dir(repo).args(["log", "-p", "-U0", &range]);
            run(&mut c, b"")
        },
    );
    println!(
        "    target: <= 0.7x git log -p -U0: {} ; peak RSS {}",
        if a.as_secs_f64() <= 0.7 * b.as_secs_f64() {
            "met"
        } else {
            "missed"
        },
        {
            let mut c = Command::new(bin);
            c.current_dir(repo).args(["scan", "--range", &range]);
            peak_rss(&c, b"")
        }
    );
}

//! Push-time latency on a real large history (a clone of git.git, whose remote-tracking
//! refs play the remote), against git in the same run:
//!   (a) pre-push for a new 3-commit branch, the whole hook process, against
//!       `git rev-list <tip> --not --remotes=origin`;
//!   (b) a ~600-commit range, `intercept scan --range A..B`, against
//!       `git log -p -U0 A..B` (what gitleaks runs);
//!   (c) pre-receive on a bare copy of it: 20 pushes of a new 3-commit branch, 4 at once,
//!       the whole `git push` with intercept's pre-receive against the same pushes without
//!       a hook (p50 and p95).
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

use support::{hermetic_git, median, peak_rss};

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

/// Three commits on top of origin's default branch, each changing one file (`salt` makes
/// them new objects).
fn three_commits(repo: &Path, base: &str, scratch: &Path, salt: usize) -> String {
    let index = scratch.join("index");
    let env = [("GIT_INDEX_FILE", index.as_path())];
    git(repo, &env, &["read-tree", base], None);
    let mut parent = base.to_string();
    for i in 0..3 {
        let blob = git(
            repo,
            &[],
            &["hash-object", "-w", "--stdin"],
            Some(format!("bench change {salt} {i}\n").as_bytes()),
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
    let tip = three_commits(repo, &base, scratch.path(), 0);
    // pre-push's $2: the URL the tracking refs were fetched from (src/repo/tracking.rs).
    let url = git(repo, &[], &["config", "remote.origin.url"], None);
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
        c.current_dir(repo).args(["hook", "pre-push", "origin", &url]);
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

    pre_receive(repo, bin, &base, scratch.path());
}

/// The p-th percentile of `v` (nearest rank).
fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// (c): whole pushes into a bare copy, 4 at once, with and without the hook.
fn pre_receive(repo: &Path, bin: &Path, base: &str, scratch: &Path) {
    const PUSHES: usize = 20;
    const AT_ONCE: usize = 4;
    let bare = scratch.join("server.git");
    git(
        scratch,
        &[],
        &[
            "clone",
            "-q",
            "--bare",
            repo.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
        None,
    );
    let hook = bare.join("hooks/pre-receive");
    let script = format!("#!/bin/sh\nexec '{}' hook pre-receive\n", bin.display());
    let refs = git(&bare, &[], &["for-each-ref", "--count=100000"], None)
        .lines()
        .count();
    println!(
        "(c) bare copy: {refs} refs; {PUSHES} pushes of a new 3-commit branch per round, {AT_ONCE} at once"
    );
    let mut salt = 1;
    let mut round = |with_hook: bool| -> Vec<Duration> {
        if with_hook {
            std::fs::write(&hook, &script).unwrap();
            let mut perms = std::fs::metadata(&hook).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
            std::fs::set_permissions(&hook, perms).unwrap();
        } else {
            let _ = std::fs::remove_file(&hook);
        }
        let tips: Vec<String> = (0..PUSHES)
            .map(|_| {
                salt += 1;
                three_commits(repo, base, scratch, salt)
            })
            .collect();
        let times = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for lane in 0..AT_ONCE {
                let (tips, times, bare) = (&tips, &times, &bare);
                s.spawn(move || {
                    for (k, tip) in tips.iter().enumerate().filter(|(k, _)| k % AT_ONCE == lane) {
                        let t = Instant::now();
                        let status = hermetic_git(repo)
                            .args(["-c", "core.hooksPath=/nonexistent", "push", "-q"])
                            .arg(bare)
                            .arg(format!("{tip}:refs/heads/bench-{k}-{}", &tip[..8]))
                            .stdout(Stdio::null())
                            .stderr(Stdio::null())
                            .status()
                            .unwrap();
                        let elapsed = t.elapsed();
                        assert!(status.success(), "a clean push was refused");
                        times.lock().unwrap().push(elapsed);
                    }
                });
            }
        });
        times.into_inner().unwrap()
    };
    let (mut with, mut without) = (Vec::new(), Vec::new());
    round(false); // warm-up
    for _ in 0..2 {
        without.extend(round(false));
        with.extend(round(true));
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (w50, w95) = (percentile(with.clone(), 50.0), percentile(with, 95.0));
    let (n50, n95) = (percentile(without.clone(), 50.0), percentile(without, 95.0));
    println!(
        "(c) git push, with pre-receive      p50 {:>8.2} ms   p95 {:>8.2} ms",
        ms(w50),
        ms(w95)
    );
    println!(
        "    git push, no hook              p50 {:>8.2} ms   p95 {:>8.2} ms   ratio p50 {:.2}x, p95 {:.2}x",
        ms(n50),
        ms(n95),
        w50.as_secs_f64() / n50.as_secs_f64(),
        w95.as_secs_f64() / n95.as_secs_f64()
    );
}

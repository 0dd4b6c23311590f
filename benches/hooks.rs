//! What intercept costs the git commands people run: `git commit`, `git rebase` and `git
//! push` with intercept installed globally, against the same command with no hooks, in the
//! same run, on a clone of git.git, under the machine's git (shims, < 2.54) and git 2.55
//! (config-based hooks).
//!
//! ```sh
//! INTERCEPT_BENCH_GIT=/path/to/a/clone/of/git.git cargo bench --bench hooks
//! INTERCEPT_BENCH_GITS=/usr/bin/git:/path/to/git-2.55/bin/git  # which gits (default: PATH's and build-git.sh's)
//! INTERCEPT_BENCH_BIN=~/.cargo/bin/intercept   # measure the binary ./install.sh built (default: this build's)
//! ```
//!
//! Each command is run in a hermetic HOME: one without intercept, one after `intercept
//! install --global` with that git first on PATH. Runs alternate between the two. Prints
//! medians, the ratio (installed / none; targets: commit ≤ 1.2, rebase ≤ 1.1, push ≤ 1.3
//! under config-based hooks, ≤ 1.5 each under shims) and the peak RSS of the whole command
//! (GNU time: the largest of git and its hooks).

// A benchmark's output is its report.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

#[path = "support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{median, peak_rss};

/// A git and a HOME: everything needed to run a command as one user would.
struct Env {
    git: PathBuf,
    home: PathBuf,
    path: String,
}

impl Env {
    fn cmd(&self, dir: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(&self.git);
        c.current_dir(dir)
            .args(args)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("PATH", &self.path)
            .env("GIT_AUTHOR_NAME", "bench")
            .env("GIT_AUTHOR_EMAIL", "bench@example.com")
            .env("GIT_COMMITTER_NAME", "bench")
            .env("GIT_COMMITTER_EMAIL", "bench@example.com")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("GIT_DIR") || k.to_string_lossy().starts_with("GIT_INDEX") {
                c.env_remove(k);
            }
        }
        c
    }

    fn run(&self, dir: &Path, args: &[&str]) {
        let status = self.cmd(dir, args).status().unwrap();
        assert!(status.success(), "git {args:?} in {}", dir.display());
    }

    fn time(&self, dir: &Path, args: &[&str]) -> Duration {
        let mut c = self.cmd(dir, args);
        let t = Instant::now();
        let status = c.status().unwrap();
        let d = t.elapsed();
        assert!(status.success(), "git {args:?} must pass (no token in the bench)");
        d
    }
}

/// Writes `n` new lines into a file of the work tree.
fn touch(dir: &Path, file: &str, n: usize, salt: usize) {
    let path = dir.join(file);
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    for i in 0..n {
        text.push_str(&format!("/* bench change {salt} line {i} */\n"));
    }
    std::fs::write(path, text).unwrap();
}

struct Row {
    what: &'static str,
    none: Duration,
    with: Duration,
    target: f64,
    rss: String,
}

fn bench_git(git: &Path, source: &Path, bin: &Path, scratch: &Path) -> (String, bool, Vec<Row>) {
    let version = String::from_utf8_lossy(&Command::new(git).arg("version").output().unwrap().stdout)
        .trim()
        .to_string();
    let path = format!(
        "{}:{}",
        git.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let make_env = |name: &str| {
        let home = scratch.join(name);
        std::fs::create_dir_all(home.join(".config")).unwrap();
        std::fs::write(
            home.join(".gitconfig"),
            "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n[gc]\n\tauto = 0\n",
        )
        .unwrap();
        Env {
            git: git.to_path_buf(),
            home,
            path: path.clone(),
        }
    };
    let none = make_env("home-none");
    let with = make_env("home-intercept");
    let installed = Command::new(bin)
        .args(["install", "--global"])
        .env("HOME", &with.home)
        .env("XDG_CONFIG_HOME", with.home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", with.home.join(".gitconfig"))
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    let shims = String::from_utf8_lossy(&installed.stderr).contains("core.hooksPath to it");

    let work = scratch.join("work");
    let remote = scratch.join("remote.git");
    none.run(
        scratch,
        &[
            "clone",
            "-q",
            "--shared",
            source.to_str().unwrap(),
            work.to_str().unwrap(),
        ],
    );
    none.run(
        scratch,
        &[
            "clone",
            "-q",
            "--bare",
            "--shared",
            source.to_str().unwrap(),
            remote.to_str().unwrap(),
        ],
    );
    none.run(&work, &["remote", "add", "bench", remote.to_str().unwrap()]);
    none.run(&work, &["branch", "-f", "benchbase", "HEAD"]);
    none.run(&work, &["checkout", "-q", "-b", "bench"]);
    let mut rows = Vec::new();

    // git commit of a 20-line change (the commit undone, untimed, after each run).
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..23 {
        for (env, out) in [(&none, &mut a), (&with, &mut b)] {
            touch(&work, "README.md", 20, i);
            env.run(&work, &["add", "README.md"]);
            let d = env.time(&work, &["commit", "-q", "-m", "bench: a 20-line change"]);
            if i >= 2 {
                out.push(d);
            }
            env.run(&work, &["reset", "-q", "--hard", "HEAD~1"]);
        }
    }
    touch(&work, "README.md", 20, 999);
    with.run(&work, &["add", "README.md"]);
    let rss = peak_rss(&with.cmd(&work, &["commit", "-q", "-m", "bench rss"]), b"");
    with.run(&work, &["reset", "-q", "--hard", "HEAD~1"]);
    rows.push(Row {
        what: "git commit (20 lines)",
        none: median(a),
        with: median(b),
        target: if shims { 1.5 } else { 1.2 },
        rss,
    });

    // git rebase --force-rebase of 100 commits (every commit replayed).
    none.run(&work, &["checkout", "-q", "-B", "rebase", "benchbase"]);
    for i in 0..100 {
        touch(&work, "README.md", 1, 1000 + i);
        none.run(&work, &["commit", "-q", "-a", "-m", "bench: one of 100"]);
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..7 {
        for (env, out) in [(&none, &mut a), (&with, &mut b)] {
            let d = env.time(&work, &["rebase", "-q", "--force-rebase", "benchbase"]);
            if i >= 1 {
                out.push(d);
            }
        }
    }
    let rss = peak_rss(
        &with.cmd(&work, &["rebase", "-q", "--force-rebase", "benchbase"]),
        b"",
    );
    rows.push(Row {
        what: "git rebase (100 commits)",
        none: median(a),
        with: median(b),
        target: if shims { 1.5 } else { 1.1 },
        rss,
    });

    // git push of a new 3-commit branch to a local bare remote (3 new commits each run).
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..13 {
        for (n, (env, out)) in [(&none, &mut a), (&with, &mut b)].into_iter().enumerate() {
            env.run(&work, &["checkout", "-q", "-B", "push", "benchbase"]);
            for c in 0..3 {
                touch(&work, "README.md", 2, 5000 + i * 10 + c + n * 1000);
                env.run(&work, &["commit", "-q", "--no-verify", "-a", "-m", "bench: push"]);
            }
            let refspec = format!("push:refs/heads/bench-{i}-{n}");
            let d = env.time(&work, &["push", "-q", "bench", &refspec]);
            if i >= 2 {
                out.push(d);
            }
        }
    }
    with.run(&work, &["checkout", "-q", "-B", "push", "benchbase"]);
    for c in 0..3 {
        touch(&work, "README.md", 2, 9000 + c);
        with.run(&work, &["commit", "-q", "--no-verify", "-a", "-m", "bench: push"]);
    }
    let rss = peak_rss(
        &with.cmd(&work, &["push", "-q", "bench", "push:refs/heads/bench-rss"]),
        b"",
    );
    rows.push(Row {
        what: "git push (new 3-commit branch)",
        none: median(a),
        with: median(b),
        target: if shims { 1.5 } else { 1.3 },
        rss,
    });
    (version, shims, rows)
}

/// The gits to measure: INTERCEPT_BENCH_GITS, else PATH's git and build-git.sh's 2.55.
fn gits() -> Vec<PathBuf> {
    if let Ok(list) = std::env::var("INTERCEPT_BENCH_GITS") {
        return std::env::split_paths(&list).collect();
    }
    let mut out = Vec::new();
    if let Ok(out_) = Command::new("sh").args(["-c", "command -v git"]).output() {
        out.push(PathBuf::from(String::from_utf8_lossy(&out_.stdout).trim()));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/git/build-git.sh");
    if let Ok(o) = Command::new("sh").arg(&script).stderr(Stdio::null()).output() {
        if o.status.success() {
            out.push(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()).join("git"));
        }
    }
    out
}

fn main() {
    let Some(source) = std::env::var_os("INTERCEPT_BENCH_GIT") else {
        println!("skipped: set INTERCEPT_BENCH_GIT to a clone of git.git");
        return;
    };
    let bin = std::env::var_os("INTERCEPT_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_intercept")));
    println!("binary: {}", bin.display());
    println!("whole git commands, intercept installed globally vs no hooks, medians of interleaved runs");
    for git in gits() {
        let scratch = tempfile::tempdir().unwrap();
        let (version, shims, rows) = bench_git(&git, Path::new(&source), &bin, scratch.path());
        println!(
            "\n{version} ({})",
            if shims {
                "shims, core.hooksPath"
            } else {
                "config-based hooks"
            }
        );
        for r in rows {
            let ratio = r.with.as_secs_f64() / r.none.as_secs_f64();
            println!(
                "  {:<32} none {:>8.1} ms  intercept {:>8.1} ms  ratio {ratio:.2}x (target <= {:.1})  peak RSS {}",
                r.what,
                r.none.as_secs_f64() * 1e3,
                r.with.as_secs_f64() * 1e3,
                r.target,
                r.rss
            );
        }
    }
}

//! What intercept costs the git commands people run: `git commit`, `git rebase` and `git
//! push` with intercept installed globally, against the same command with no hooks and, for
//! the commit, with the physical floor installed instead — two no-op `sh` hooks
//! (pre-commit and commit-msg) in the same mechanism — all in the same run, on a generated
//! 2,000-file repository and (with `INTERCEPT_BENCH_GIT`) a clone of git.git, under the
//! machine's git (shims, < 2.54) and git 2.55 (config-based hooks).
//!
//! ```sh
//! cargo bench --bench hooks                                   # the 2,000-file repository
//! INTERCEPT_BENCH_GIT=/path/to/a/clone/of/git.git cargo bench --bench hooks   # and git.git
//! INTERCEPT_BENCH_GITS=/usr/bin/git:/path/to/git-2.55/bin/git  # which gits (default: PATH's and build-git.sh's)
//! INTERCEPT_BENCH_BIN=~/.cargo/bin/intercept   # measure the binary ./install.sh built (default: this build's)
//! ```
//!
//! Each command is run in a hermetic HOME: one without hooks, one with the floor, one after
//! `intercept install --global` with that git first on PATH. Runs alternate between them.
//! Prints medians, the ratios (targets: commit ≤ 1.35 of the floor; rebase of 100 commits ≤
//! 1.1 and push of a new 3-commit branch ≤ 1.3 of no hooks) and the peak RSS of the whole
//! command (GNU time: the largest of git and its hooks).

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
    /// What the ratio is taken against, and its median.
    base: &'static str,
    none: Duration,
    with: Duration,
    target: f64,
    rss: String,
}

/// A no-op hook.
const NOOP: &str = "#!/bin/sh\nexit 0\n";

/// Installs the floor into `env`'s HOME: two no-op sh hooks, pre-commit and commit-msg, in
/// the mechanism intercept uses under this git.
fn install_floor(env: &Env, shims: bool) {
    use std::os::unix::fs::PermissionsExt;
    let dir = env.home.join("floor-hooks");
    std::fs::create_dir_all(&dir).unwrap();
    for hook in ["pre-commit", "commit-msg"] {
        let path = dir.join(hook);
        std::fs::write(&path, NOOP).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut config = std::fs::read_to_string(env.home.join(".gitconfig")).unwrap();
    if shims {
        config.push_str(&format!("[core]\n\thooksPath = {}\n", dir.display()));
    } else {
        for hook in ["pre-commit", "commit-msg"] {
            config.push_str(&format!(
                "[hook \"floor-{hook}\"]\n\tcommand = {}\n\tevent = {hook}\n",
                dir.join(hook).display()
            ));
        }
    }
    std::fs::write(env.home.join(".gitconfig"), config).unwrap();
}

/// A repository of 2,000 files in 40 directories, one commit, in `dir`.
fn two_thousand_files(dir: &Path) {
    let git = |args: &[&str]| {
        let status = support::hermetic_git(dir).args(args).status().unwrap();
        assert!(status.success(), "git {args:?}");
    };
    std::fs::create_dir_all(dir).unwrap();
    git(&["init", "-q", "-b", "main"]);
    for i in 0..2000 {
        let sub = dir.join(format!("src{}", i % 40));
        std::fs::create_dir_all(&sub).unwrap();
        let text: String = (0..30)
            .map(|l| format!("fn f{i}_{l}() -> u32 {{ {l} }}\n"))
            .collect();
        std::fs::write(sub.join(format!("m{i}.rs")), text).unwrap();
    }
    std::fs::write(dir.join("README.md"), "# bench\n").unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "2,000 files"]);
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
    let floor = make_env("home-floor");
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
    install_floor(&floor, shims);

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
    let (mut a, mut f, mut b) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..23 {
        for (env, out) in [(&none, &mut a), (&floor, &mut f), (&with, &mut b)] {
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
    let with_commit = median(b);
    rows.push(Row {
        what: "git commit (20 lines)",
        base: "no hooks",
        none: median(a),
        with: with_commit,
        target: f64::NAN,
        rss: rss.clone(),
    });
    rows.push(Row {
        what: "git commit (20 lines)",
        base: "floor",
        none: median(f),
        with: with_commit,
        target: 1.35,
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
        base: "no hooks",
        none: median(a),
        with: median(b),
        target: 1.1,
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
        base: "no hooks",
        none: median(a),
        with: median(b),
        target: 1.3,
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
    let bin = std::env::var_os("INTERCEPT_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_intercept")));
    println!("binary: {}", bin.display());
    println!("whole git commands: intercept installed globally vs no hooks (and the floor), medians of interleaved runs");
    let generated = tempfile::tempdir().unwrap();
    two_thousand_files(generated.path());
    let mut sources = vec![("2,000-file repository", generated.path().to_path_buf())];
    match std::env::var_os("INTERCEPT_BENCH_GIT") {
        Some(git) => sources.push(("git.git", PathBuf::from(git))),
        None => println!("(set INTERCEPT_BENCH_GIT to a clone of git.git to measure it too)"),
    }
    for (name, source) in &sources {
        for git in gits() {
            let scratch = tempfile::tempdir().unwrap();
            let (version, shims, rows) = bench_git(&git, source, &bin, scratch.path());
            println!(
                "\n{name}, {version} ({})",
                if shims {
                    "shims, core.hooksPath"
                } else {
                    "config-based hooks"
                }
            );
            for r in rows {
                let ratio = r.with.as_secs_f64() / r.none.as_secs_f64();
                let target = if r.target.is_nan() {
                    "no target".to_string()
                } else {
                    format!("target <= {:.2}", r.target)
                };
                println!(
                    "  {:<31} {:<9} {:>8.1} ms  intercept {:>8.1} ms  ratio {ratio:.2}x ({target})  peak RSS {}",
                    r.what,
                    r.base,
                    r.none.as_secs_f64() * 1e3,
                    r.with.as_secs_f64() * 1e3,
                    r.rss
                );
            }
        }
    }
}

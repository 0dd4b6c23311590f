//! History audit: `intercept scan --all` against `git cat-file --batch-all-objects
//! --batch --unordered >/dev/null` and `git log --all -p >/dev/null`, in the same run.
//!
//! ```sh
//! INTERCEPT_BENCH_GIT=/path/to/a/clone/of/git.git \
//! INTERCEPT_BENCH_BIG=/path/to/make-big-repo/output \
//!   cargo bench --bench audit
//! ```
//!
//! (c) `scan --all` with findings against the same scan without them: two mirror clones of
//! INTERCEPT_BENCH_FINDINGS (default: INTERCEPT_BENCH_GIT; a ripgrep clone is the
//! issue's example) get ten branches whose one commit, 0 to 360 first-parent commits
//! below HEAD, adds a file; in one clone that file holds a fresh token, in the other a
//! token-free twin of the same length. Target: at most 1.2x.
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
use support::{hermetic_git, median, peak_rss, token_and_twin};

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

/// Runs git in `dir` (hermetic: no user or system config), feeding `input`; its stdout.
fn git(dir: &Path, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = hermetic_git(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?} failed");
    out.stdout
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap().trim().to_string()
}

/// Exit code and number of findings (counted by their `"fingerprint"` keys) of `scan --all`.
fn audit(dir: &Path, bin: &Path) -> (i32, usize) {
    let out = Command::new(bin)
        .current_dir(dir)
        .args(["scan", "--all", "--format", "json"])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let findings = String::from_utf8_lossy(&out.stdout)
        .matches("\"fingerprint\"")
        .count();
    (out.status.code().unwrap_or(-1), findings)
}

fn findings(src: &Path, bin: &Path) {
    const FINDINGS: usize = 10;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-repos/findings");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let (tokens, clean) = (root.join("tokens"), root.join("clean"));
    for dst in [&tokens, &clean] {
        let (src, dst) = (src.to_str().unwrap(), dst.to_str().unwrap());
        git(&root, &["clone", "-q", "--mirror", src, dst], b"");
    }
    let first_parents: usize = text(git(
        &tokens,
        &["rev-list", "--first-parent", "--count", "HEAD"],
        b"",
    ))
    .parse()
    .unwrap();
    for i in 0..FINDINGS {
        let depth = (i * 40).min(first_parents - 1);
        let (token, twin) = token_and_twin();
        for (dir, value) in [(&tokens, &token), (&clean, &twin)] {
            let base = text(git(dir, &["rev-parse", &format!("HEAD~{depth}")], b""));
            let blob = text(git(
                dir,
                &["hash-object", "-w", "--stdin"],
                format!("# bench fixture\nINTERCOM_TOKEN={value}\n").as_bytes(),
            ));
            let mut listing = git(dir, &["ls-tree", "-z", &format!("{base}^{{tree}}")], b"");
            listing.extend_from_slice(format!("100644 blob {blob}\tintercept-bench-{i}.env\0").as_bytes());
            let tree = text(git(dir, &["mktree", "-z"], &listing));
            let commit = text(git(
                dir,
                &["commit-tree", &tree, "-p", &base, "-m", "bench: add a fixture"],
                b"",
            ));
            git(
                dir,
                &["update-ref", &format!("refs/heads/bench-finding-{i}"), &commit],
                b"",
            );
        }
    }
    // The two clones must differ in exactly what the bench claims.
    assert_eq!(
        audit(&tokens, bin),
        (1, FINDINGS),
        "the token clone must report every token"
    );
    assert_eq!(audit(&clean, bin), (0, 0), "the twin clone must be clean");
    let runs: usize = std::env::var("INTERCEPT_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(15);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        with.push(time(&tokens, bin, &["scan", "--all"]));
        without.push(time(&clean, bin, &["scan", "--all"]));
    }
    let (with, without) = (median(with), median(without));
    println!(
        "(c) {FINDINGS} findings, 0-{} commits deep: scan --all {:>7.1} ms with them, {:>7.1} ms without   {:.2}x (target <= 1.2x, median of {runs})",
        (FINDINGS - 1) * 40,
        with.as_secs_f64() * 1e3,
        without.as_secs_f64() * 1e3,
        with.as_secs_f64() / without.as_secs_f64()
    );
    // The fixtures hold live-looking tokens: do not leave them on disk.
    let _ = std::fs::remove_dir_all(&root);
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
    match std::env::var_os("INTERCEPT_BENCH_FINDINGS").or_else(|| std::env::var_os("INTERCEPT_BENCH_GIT")) {
        Some(p) => findings(Path::new(&p), &bin),
        None => println!("(c) skipped: set INTERCEPT_BENCH_FINDINGS (or INTERCEPT_BENCH_GIT) to a clone"),
    }
}

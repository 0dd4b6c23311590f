//! The content layer on what users commit: a 50 MB zip and a 1 GB binary, staged; and a
//! 50 MB tar.gz and a 50 MB tar.xz of text against `tar -xOzf` / `tar -xOJf` over the same
//! file.
//!
//! ```sh
//! cargo bench --bench content                        # INTERCEPT_BENCH_GB=1 by default
//! INTERCEPT_BENCH_OLD=/path/to/older/intercept cargo bench --bench content
//! INTERCEPT_BENCH_ONLY=tar cargo bench --bench content   # only the tar comparisons
//! ```
//!
//! The tar comparisons need GNU tar, gzip and xz on PATH (they are skipped, and say so,
//! without them): the archives are made once with `tar -c` and `gzip -6` / `xz -6 -T1` (one
//! block, as most .tar.xz are) under target/bench-repos/content, and each run times
//! `intercept scan FILE` (decompression, the tar walk, the scan of every member and the
//! raw view of the file) against `tar -xOf` decompressing and extracting every member to
//! /dev/null, interleaved, medians of 5.
//!
//! For each file: `git add` + `git commit` of it without hooks (what a user runs; then
//! `git reset --mixed HEAD~1`, not timed) against the same commit's pre-commit check
//! (`intercept hook pre-commit` on the same index), medians of interleaved runs, and the
//! hook's peak RSS (GNU time). The ratio is (add + commit + hook) / (add + commit): what a
//! user feels. With INTERCEPT_BENCH_OLD, an
//! older binary's hook is measured in the same run. The repository is built under
//! target/bench-repos/content (once; the 1 GB `git add` takes a while).
//!
//! Then memory with many findings: a file of 1M distinct tokens on one line (61 MB), as
//! `intercept scan FILE` and `intercept scan -`, and staged (`intercept hook pre-commit`,
//! `scan --staged`): peak RSS of each binary (the target is under 64 MiB). Tokens are made
//! at run time. `INTERCEPT_BENCH_FINDINGS_ONLY=1` runs only this part.

// A benchmark's output is its report.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

#[path = "support.rs"]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{hermetic_git, median, peak_rss};

use intercept_test_support::text::XorShift as Rng;

fn git(repo: &Path, args: &[&str]) {
    let status = hermetic_git(repo)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A zip of deflated text members (random words, so it does not shrink to nothing) of
/// about `mb` MB, built by the shared test-support crate (no archiver needed).
fn make_zip(path: &Path, mb: usize) {
    let words = [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "token",
        "config",
        "value",
        "xxxxxxxxxxxx",
        "0123456789abcdef",
    ];
    let mut rng = Rng(7);
    let mut zip = intercept_test_support::zip::Zip::seekable();
    let mut i = 0;
    while zip.len() < mb * 1000 * 1000 {
        let body: Vec<String> = (0..2000)
            .map(|_| {
                (0..12)
                    .map(|_| {
                        let word = words[(rng.next() % words.len() as u64) as usize];
                        format!("{word}{}", rng.next() >> 24)
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        zip.deflated(format!("dir{}/file{i}.txt", i % 40), body.join("\n").as_bytes());
        i += 1;
    }
    std::fs::write(path, zip.finish()).unwrap();
}

fn make_random(path: &Path, bytes: u64) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut left = bytes;
    let mut block = vec![0u8; 1 << 20];
    while left > 0 {
        for chunk in block.chunks_exact_mut(8) {
            chunk.copy_from_slice(&rng.next().to_le_bytes());
        }
        let n = left.min(block.len() as u64) as usize;
        f.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
}

/// A repository with one commit and `file` staged on top.
fn repo(name: &str, make: impl FnOnce(&Path)) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-repos/content")
        .join(name);
    if dir.join(".git/index").exists() && dir.join(".staged").exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q"]);
    std::fs::write(dir.join("README"), "bench\n").unwrap();
    git(&dir, &["add", "README"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    println!("building {name} (once) ...");
    make(&dir.join("payload"));
    git(&dir, &["add", "payload"]);
    std::fs::write(dir.join(".staged"), "").unwrap();
    dir
}

fn time(cmd: &mut Command) -> Duration {
    let t = Instant::now();
    let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
    let elapsed = t.elapsed();
    assert_eq!(status.code(), Some(0), "{cmd:?} must pass on a clean file");
    elapsed
}

fn bench(name: &str, repo: &Path, runs: usize, bins: &[(&str, PathBuf)]) {
    let add = || {
        let mut c = hermetic_git(repo);
        c.args(["add", "payload"]);
        c
    };
    let commit = || {
        let mut c = hermetic_git(repo);
        c.args(["commit", "-q", "--no-verify", "-m", "payload"]);
        c
    };
    let hook = |bin: &Path| {
        let mut c = Command::new(bin);
        c.current_dir(repo)
            .env("XDG_CONFIG_HOME", repo.join(".no-config"))
            .env("GIT_INDEX_FILE", ".git/index")
            .args(["hook", "pre-commit"]);
        c
    };
    let mut base = Vec::new();
    let mut ours: Vec<Vec<Duration>> = vec![Vec::new(); bins.len()];
    for _ in 0..runs {
        // Unstaged, then `git add` + `git commit` as a user runs them.
        git(repo, &["rm", "-q", "--cached", "payload"]);
        let d = time(&mut add()) + time(&mut commit());
        base.push(d);
        git(repo, &["reset", "-q", "--soft", "HEAD~1"]);
        for (i, (_, bin)) in bins.iter().enumerate() {
            ours[i].push(time(&mut hook(bin)));
        }
    }
    let b = median(base);
    println!(
        "{name}: git add + git commit --no-verify {:.0} ms (median of {runs})",
        b.as_secs_f64() * 1e3
    );
    for ((label, bin), times) in bins.iter().zip(ours) {
        let h = median(times);
        println!(
            "  {label:<10} hook {:>8.0} ms  (add + commit + hook) / (add + commit) {:.2}x  peak RSS {}",
            h.as_secs_f64() * 1e3,
            (b + h).as_secs_f64() / b.as_secs_f64(),
            peak_rss(&hook(bin), b"")
        );
    }
}

/// A file of `n` distinct tokens on one line, separated by spaces.
fn many_tokens(path: &Path, n: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for _ in 0..n {
        write!(f, "{} ", intercept_test_support::token().b64()).unwrap();
    }
    writeln!(f).unwrap();
}

/// Peak RSS of each binary on a 1M-token line: a file, standard input, a staged blob.
fn many_findings(bins: &[(&str, PathBuf)]) {
    let repo = repo("tokens-1m", |p| many_tokens(p, 1_000_000));
    let payload = std::fs::read(repo.join("payload")).unwrap();
    println!(
        "(c) 1M tokens on one line ({:.0} MB), peak RSS (exit 1: every token reported)",
        payload.len() as f64 / 1e6
    );
    for (label, bin) in bins {
        let run = |args: &[&str], input: &[u8]| {
            let mut c = Command::new(bin);
            c.current_dir(&repo)
                .env("XDG_CONFIG_HOME", repo.join(".no-config"))
                .env("GIT_INDEX_FILE", ".git/index")
                .args(args);
            peak_rss(&c, input)
        };
        println!(
            "  {label:<10} scan FILE {}  scan - {}  scan --staged {}  hook pre-commit {}",
            run(&["scan", "payload"], b""),
            run(&["scan", "-"], &payload),
            run(&["scan", "--staged"], b""),
            run(&["hook", "pre-commit"], b""),
        );
    }
}

/// Text files of random words (so they compress as text does) under `dir`, `mb` MB in all.
fn make_text_tree(dir: &Path, mb: usize) {
    let words = [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "token",
        "config",
        "value",
        "server",
        "0123456789abcdef",
    ];
    let mut rng = Rng(11);
    let mut written = 0;
    let mut i = 0;
    while written < mb * 1000 * 1000 {
        let sub = dir.join(format!("dir{}", i % 20));
        std::fs::create_dir_all(&sub).unwrap();
        let mut text = String::new();
        for _ in 0..4000 {
            for _ in 0..10 {
                let word = words[(rng.next() % words.len() as u64) as usize];
                text.push_str(word);
                text.push_str(&(rng.next() >> 40).to_string());
                text.push(' ');
            }
            text.push('\n');
        }
        std::fs::write(sub.join(format!("file{i}.txt")), &text).unwrap();
        written += text.len();
        i += 1;
    }
}

/// A `.tar.<ext>` of about `mb` MB on disk, made once with the system's tar and compressor.
fn tar_archive(ext: &str, compressor: &str, mb: usize) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-repos/content/tar");
    let file = dir.join(format!("text-{mb}mb.tar.{ext}"));
    if file.exists() {
        return Some(file);
    }
    for tool in ["tar", compressor] {
        if Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_err()
        {
            println!("(skipped: the tar comparison needs {tool} on PATH)");
            return None;
        }
    }
    std::fs::create_dir_all(&dir).unwrap();
    // Text compresses about 3x with gzip and 4x with xz: enough text for `mb` MB on disk.
    let ratio = if ext == "gz" { 3 } else { 4 };
    let tree = dir.join(format!("tree-{ext}"));
    let _ = std::fs::remove_dir_all(&tree);
    println!("building {} (once) ...", file.display());
    make_text_tree(&tree, mb * ratio);
    let tar = dir.join(format!("text-{mb}mb.tar"));
    let status = Command::new("tar")
        .arg("-cf")
        .arg(&tar)
        .arg("-C")
        .arg(&tree)
        .arg(".")
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_dir_all(&tree).unwrap();
    let args: &[&str] = if compressor == "xz" {
        &["-6", "-T1", "-c"]
    } else {
        &["-6", "-c"]
    };
    let out = std::fs::File::create(&file).unwrap();
    let status = Command::new(compressor)
        .args(args)
        .arg(&tar)
        .stdout(out)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_file(&tar).unwrap();
    Some(file)
}

/// `intercept scan FILE` against `tar -xO<flag>f FILE > /dev/null`, interleaved.
fn bench_tar(name: &str, file: &Path, flag: &str, runs: usize, bins: &[(&str, PathBuf)]) {
    let untar = || {
        let mut c = Command::new("tar");
        c.arg(format!("-xO{flag}f")).arg(file);
        c
    };
    let scan = |bin: &Path| {
        let mut c = Command::new(bin);
        c.env("XDG_CONFIG_HOME", "/nonexistent").arg("scan").arg(file);
        c
    };
    let mut base = Vec::new();
    let mut ours: Vec<Vec<Duration>> = vec![Vec::new(); bins.len()];
    for _ in 0..runs {
        base.push(time(&mut untar()));
        for (i, (_, bin)) in bins.iter().enumerate() {
            ours[i].push(time(&mut scan(bin)));
        }
    }
    let b = median(base);
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!(
        "{name} ({:.1} MB): tar -xO{flag}f > /dev/null {:.0} ms (median of {runs})",
        size as f64 / 1e6,
        b.as_secs_f64() * 1e3
    );
    for ((label, bin), times) in bins.iter().zip(ours) {
        let h = median(times);
        println!(
            "  {label:<10} scan {:>8.0} ms  scan / tar {:.2}x  peak RSS {}",
            h.as_secs_f64() * 1e3,
            h.as_secs_f64() / b.as_secs_f64(),
            peak_rss(&scan(bin), b"")
        );
    }
}

fn main() {
    let mut bins = vec![("intercept", PathBuf::from(env!("CARGO_BIN_EXE_intercept")))];
    if let Some(old) = std::env::var_os("INTERCEPT_BENCH_OLD") {
        bins.push(("older", PathBuf::from(old)));
    }
    if std::env::var_os("INTERCEPT_BENCH_FINDINGS_ONLY").is_some() {
        return many_findings(&bins);
    }
    let gb: u64 = std::env::var("INTERCEPT_BENCH_GB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let only = std::env::var("INTERCEPT_BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "tar" {
        if let Some(file) = tar_archive("gz", "gzip", 50) {
            bench_tar("(c) a 50 MB tar.gz of text", &file, "z", 5, &bins);
        }
        if let Some(file) = tar_archive("xz", "xz", 50) {
            bench_tar("(d) a 50 MB tar.xz of text", &file, "J", 5, &bins);
        }
        if only == "tar" {
            return;
        }
    }
    let zip = repo("zip-50mb", |p| make_zip(p, 50));
    bench("(a) a 50 MB zip of text files, staged", &zip, 7, &bins);
    let bin = repo(&format!("random-{gb}gb"), |p| make_random(p, gb << 30));
    bench(&format!("(b) a {gb} GB random binary, staged"), &bin, 3, &bins);
    many_findings(&bins);
}

//! Detector throughput against the floor: `memchr::memmem` searching for `dG9rO` over
//! the same bytes, in the same run.
//!
//! `cargo bench --bench detector` (set `INTERCEPT_BENCH_MB` for another corpus size).
//! Corpora, each ~100 MB and token-free:
//!   (a) source text: the Rust sources of the crates in cargo's registry, repeated;
//!   (b) base64-heavy: PEM certificates and data URIs of random bytes;
//!   (c) near misses: text dense with `dG9rO…`/`tok:` strings that are not tokens;
//!   (d)-(f) repeated anchors, the hostile worst cases: every few bytes an anchor that
//!   must be checked (nested anchors back to back; nested and plain anchors followed by a
//!   valid-looking start of a token, so cheap rejections do not apply);
//!   (g) dense `INTERCOM_*` assignments: `.env`, YAML, JSON and code lines naming Intercom
//!   and its secrets with references, placeholders and short values (issue 24: every line
//!   is a context anchor that is read and judged; nothing is a secret);
//!   (h) open Intercom blocks, the context rules' worst case: `intercom = {` every line and
//!   no closing brace, so every anchor reads its whole bounded block.
//! Prints the median of several runs per corpus and the ratio detector/floor (as
//! throughput: 1.0 means as fast as the floor). Timings are printed, never asserted.

// A benchmark's output is its report.
#![allow(clippy::print_stdout)]

#[path = "support.rs"]
mod support;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use intercept::chunk::{Chunk, Origin};
use intercept::detector::Detector;
use support::median;

/// Runs per corpus (`INTERCEPT_BENCH_RUNS` for more, on a loaded machine).
fn runs() -> usize {
    std::env::var("INTERCEPT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7)
}

use intercept_test_support::text::XorShift as Rng;

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>, limit: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if out.len() >= limit {
            return;
        }
        if p.is_dir() {
            rust_sources(&p, out, limit);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn source_text(size: usize) -> (Vec<u8>, &'static str) {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    let mut files = Vec::new();
    rust_sources(&home.join("registry/src"), &mut files, 20_000);
    let mut text = Vec::with_capacity(size);
    let mut once = Vec::new();
    for f in &files {
        if let Ok(b) = std::fs::read(f) {
            once.extend_from_slice(&b);
        }
        if once.len() >= size {
            break;
        }
    }
    let what = if once.len() > 1 << 20 {
        "Rust sources from cargo's registry"
    } else {
        once = b"fn main() {\n    let value = compute(42); // a comment\n    println!(\"{value}\");\n}\n"
            .to_vec();
        "synthetic Rust-like text (no registry sources found)"
    };
    while text.len() < size {
        let take = (size - text.len()).min(once.len());
        text.extend_from_slice(&once[..take]);
    }
    (text, what)
}

fn base64_heavy(size: usize) -> Vec<u8> {
    let mut rng = Rng(0x9E3779B97F4A7C15);
    let mut out = Vec::with_capacity(size + 8192);
    while out.len() < size {
        let body = STANDARD.encode(rng.bytes(1200));
        out.extend_from_slice(b"-----BEGIN CERTIFICATE-----\n");
        for line in body.as_bytes().chunks(64) {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out.extend_from_slice(b"-----END CERTIFICATE-----\n<img src=\"data:image/png;base64,");
        out.extend_from_slice(STANDARD.encode(rng.bytes(3000)).as_bytes());
        out.extend_from_slice(b"\">\n");
    }
    out.truncate(size);
    out
}

fn near_misses(size: usize) -> Vec<u8> {
    let mut rng = Rng(0xD1B54A32D192ED03);
    let mut out = Vec::with_capacity(size + 256);
    let fakes: [&[u8]; 6] = [
        b"dG9rOjxoZWxsbz4=",
        b"dG9rOm<YOUR_TOKEN>",
        b"^dG9rOj[a-zA-Z0-9]{60}$",
        b"Basic bWVfdG9rOnBhc3N3b3JkMTIz",
        b"tok: Token<'a>",
        b"tok:password",
    ];
    while out.len() < size {
        out.extend_from_slice(b"config value = \"");
        let i = (rng.next() % 7) as usize;
        if i < fakes.len() {
            out.extend_from_slice(fakes[i]);
        } else {
            // A truncated token-like string: valid prefix, then random base64.
            out.extend_from_slice(b"dG9rOm");
            out.extend_from_slice(&STANDARD.encode(rng.bytes(30)).as_bytes()[..40]);
        }
        out.extend_from_slice(b"\" # see docs\n");
    }
    out.truncate(size);
    out
}

/// Lines dense in Intercom names, none a secret: every line an anchor for the context rules.
fn intercom_assignments(size: usize) -> Vec<u8> {
    let mut rng = Rng(0xA076_1D64_78BD_642F);
    let mut out = Vec::with_capacity(size + 256);
    while out.len() < size {
        let short = format!("{:016x}", rng.next());
        let line = match rng.next() % 10 {
            0 => "INTERCOM_ACCESS_TOKEN=${INTERCOM_ACCESS_TOKEN}\n".to_string(),
            1 => "INTERCOM_CLIENT_SECRET=your-client-secret\n".to_string(),
            2 => "export INTERCOM_IDENTITY_SECRET=\"$INTERCOM_IDENTITY_SECRET\"\n".to_string(),
            3 => format!("INTERCOM_WEBHOOK_SECRET={short}\n"),
            4 => "intercom:\n  app_id: abc12345\n  client_secret: ${INTERCOM_CLIENT_SECRET}\n".to_string(),
            5 => "const intercomClientSecret = process.env.INTERCOM_CLIENT_SECRET;\n".to_string(),
            6 => {
                format!("  \"intercom\": {{ \"app_id\": \"{short}\", \"identity_secret\": \"<secret>\" }},\n")
            }
            7 => "secret = os.environ[\"INTERCOM_HMAC_SECRET\"]  # Intercom identity verification\n"
                .to_string(),
            8 => format!("INTERCOM_APP_ID={short}\n"),
            _ => "IntercomRails.config do |config|\n  config.api_secret = ENV['INTERCOM_API_SECRET']\nend\n"
                .to_string(),
        };
        out.extend_from_slice(line.as_bytes());
    }
    out.truncate(size);
    out
}

/// `unit` repeated to `size` bytes, base64-encoded again and wrapped at 76 columns as
/// `base64` writes it (`nested`), or as it is.
fn repeated(unit: &[u8], size: usize, nested: bool) -> Vec<u8> {
    if !nested {
        return unit.iter().copied().cycle().take(size).collect();
    }
    let inner: Vec<u8> = unit.iter().copied().cycle().take(size / 4 * 3).collect();
    let encoded = STANDARD.encode(inner);
    let mut out = Vec::with_capacity(size + size / 76 + 1);
    for line in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.truncate(size);
    out
}

fn time(mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut times = Vec::with_capacity(runs());
    let mut result = 0;
    for _ in 0..runs() {
        let t = Instant::now();
        result = black_box(f());
        times.push(t.elapsed());
    }
    (median(times), result)
}

fn main() {
    let mb: usize = std::env::var("INTERCEPT_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let size = mb << 20;
    let detector = Detector::new();
    let floor = memchr::memmem::Finder::new(b"dG9rO");
    type Make = Box<dyn Fn() -> (Vec<u8>, &'static str)>;
    let corpora: Vec<(&str, Make)> = vec![
        ("(a) source text", Box::new(move || source_text(size))),
        (
            "(b) base64-heavy",
            Box::new(move || (base64_heavy(size), "PEM certificates and data URIs")),
        ),
        (
            "(c) near misses",
            Box::new(move || (near_misses(size), "a fake token-like string every ~45 bytes")),
        ),
        (
            "(d) nested anchors",
            Box::new(move || {
                (
                    repeated(b"dG9rO", size, true),
                    "base64 of `dG9rO` repeated: a nested anchor every ~7 bytes, all alignments",
                )
            }),
        ),
        (
            "(e) nested starts",
            Box::new(move || {
                (
                    repeated(b"dG9rOmE5NzRkMzYy", size, true),
                    "base64 of a token's first 16 characters repeated",
                )
            }),
        ),
        (
            "(f) plain starts",
            Box::new(move || {
                (
                    repeated(b"dG9rOmE5NzRkMzYyXzI0", size, false),
                    "a token's first 20 characters repeated, one line",
                )
            }),
        ),
        (
            "(g) INTERCOM_*",
            Box::new(move || {
                (
                    intercom_assignments(size),
                    "Intercom names, references and placeholders on every line (no secret)",
                )
            }),
        ),
        (
            "(h) open blocks",
            Box::new(move || {
                (
                    repeated(b"intercom = {\n  app: 1,\n", size, false),
                    "`intercom = {` every 24 bytes, never closed: each reads its whole block",
                )
            }),
        ),
    ];
    println!(
        "detector throughput, median of {} runs, {mb} MiB per corpus, one thread",
        runs()
    );
    println!(
        "{:<18} {:>12} {:>12} {:>8}  content",
        "corpus", "detector", "memmem", "ratio"
    );
    // `INTERCEPT_BENCH_CORPORA=abcg`: only those corpora (by letter).
    let only = std::env::var("INTERCEPT_BENCH_CORPORA").ok();
    for (name, make) in &corpora {
        if only.as_deref().is_some_and(|o| !o.contains(&name[1..2])) {
            continue;
        }
        let (owned, what) = make();
        let bytes: &[u8] = &owned;
        let origin = Origin::file("bench");
        let (floor_time, floor_hits) = time(|| floor.find_iter(bytes).count());
        let mut findings = Vec::new();
        let (det_time, found) = time(|| {
            findings.clear();
            detector.scan(&Chunk::whole(&origin, bytes), &mut findings);
            findings.len()
        });
        assert_eq!(found, 0, "the corpora are token- and secret-free");
        let mibs = |d: Duration| bytes.len() as f64 / (1 << 20) as f64 / d.as_secs_f64();
        println!(
            "{name:<18} {:>7.0} MiB/s {:>7.0} MiB/s {:>7.2}x  {what} ({floor_hits} dG9rO hits)",
            mibs(det_time),
            mibs(floor_time),
            floor_time.as_secs_f64() / det_time.as_secs_f64(),
        );
    }
}

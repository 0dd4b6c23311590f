//! `intercept scan` over plain files: the fixture corpus, output formats, exit codes and
//! bad input.

use std::collections::BTreeSet;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::support::{fixtures, json, materialize, random_b64, token, Scratch};

/// (path, line, encoding) of every finding in a JSON report.
fn found(doc: &serde_json::Value) -> BTreeSet<(String, u64, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["encoding"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn corpus_positive_files_yield_exactly_the_expected_findings() {
    let scratch = Scratch::new();
    let t = token();
    materialize(&scratch, "positive", &t);
    let expected_text = std::fs::read_to_string(fixtures().join("expected.txt")).unwrap();
    let expected: BTreeSet<(String, u64, String)> = expected_text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (
                format!("positive/{}", cols[0]),
                cols[1].parse().unwrap(),
                cols[2].to_string(),
            )
        })
        .collect();
    let run = scratch.intercept(".", ["scan", "--format", "json", "positive"]);
    run.code(1);
    let doc = json(&run);
    assert_eq!(found(&doc), expected);
    let count = expected_text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .count();
    assert_eq!(
        doc["findings"].as_array().unwrap().len(),
        count,
        "each finding once"
    );
    for f in doc["findings"].as_array().unwrap() {
        assert_eq!(f["fingerprint"], t.fingerprint().as_str(), "{f}");
        assert_eq!(f["kind"], "intercom-access-token");
    }
    // Columns where the line is known exactly.
    let at = |path: &str, line: u64| -> Vec<u64> {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == path && f["line"] == line)
            .map(|f| f["column"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(at("positive/app.env", 2), vec![23]);
    assert_eq!(at("positive/first-byte.txt", 1), vec![1]);
    assert_eq!(at("positive/utf8.md", 1), vec![7]);
    assert_eq!(at("positive/utf8.md", 3), vec![6]);
    assert_eq!(at("positive/crlf.env", 3), vec![23]);
    assert_eq!(at("positive/glued.txt", 1), vec![7]);
    assert_eq!(at("positive/two-on-a-line.js", 1), vec![8, 73]);
}

#[test]
fn corpus_negative_files_yield_nothing() {
    let scratch = Scratch::new();
    let t = token();
    materialize(&scratch, "negative", &t);
    let run = scratch.intercept(".", ["scan", "--format", "json", "negative"]);
    run.code(0);
    let doc = json(&run);
    assert_eq!(doc["findings"], serde_json::json!([]), "{}", run.stdout);
    assert_eq!(doc["scanned"]["files"], 6);
    assert!(run.stderr.contains("no tokens found"), "{}", run.stderr);
}

#[test]
fn human_output_names_place_redacted_token_and_what_to_do() {
    let scratch = Scratch::new();
    let t = token();
    scratch.write(
        "proj/app.env",
        format!("A=1\nINTERCOM_ACCESS_TOKEN={}\n", t.b64()),
    );
    scratch.write(
        "proj/clean.txt",
        "INTERCOM_ACCESS_TOKEN=${INTERCOM_ACCESS_TOKEN}\n",
    );
    let run = scratch.intercept(".", ["scan", "proj"]);
    run.code(1);
    let b64 = t.b64();
    let redacted = format!("{}\u{2026}{}", &b64[..8], &b64[56..]);
    assert_eq!(
        run.stdout,
        format!(
            "proj/app.env:2:23: Intercom access token {redacted} (plain, fingerprint {})\n",
            &t.fingerprint()[..12]
        )
    );
    for needle in [
        "INTERCOM_ACCESS_TOKEN",
        "revoke",
        "Developer Hub",
        "scanned 2 files",
        "1 token found",
    ] {
        assert!(
            run.stderr.contains(needle),
            "missing {needle:?} in\n{}",
            run.stderr
        );
    }
    // Negative twin: the same tree without the token passes.
    scratch.write("proj/app.env", "A=1\nINTERCOM_ACCESS_TOKEN=dG9rOm<YOUR_TOKEN>\n");
    let run = scratch.intercept(".", ["scan", "proj"]);
    run.code(0);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("scanned 2 files") && run.stderr.contains("no tokens found"),
        "{}",
        run.stderr
    );
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let scratch = Scratch::new();
    let t = token();
    scratch.write("repo/src/a b.env", format!("\n\nT={}\n", t.b64()));
    let run = scratch.intercept("repo", ["scan", "--format", "sarif", "."]);
    run.code(1);
    let doc = json(&run);
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run0 = &doc["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "intercept");
    assert_eq!(run0["tool"]["driver"]["rules"][0]["id"], "intercom-access-token");
    let result = &run0["results"][0];
    assert_eq!(result["ruleId"], "intercom-access-token");
    assert_eq!(result["level"], "error");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "src/a%20b.env");
    assert_eq!(loc["region"]["startLine"], 3);
    assert_eq!(loc["region"]["startColumn"], 3);
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(result["properties"]["fingerprint"], t.fingerprint().as_str());
    assert_eq!(
        result["partialFingerprints"]["intercept/v1"]
            .as_str()
            .map(str::len),
        Some(64)
    );
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);

    // Negative twin.
    std::fs::remove_file(scratch.path().join("repo/src/a b.env")).unwrap();
    let run = scratch.intercept("repo", ["scan", "--format", "sarif", "."]);
    run.code(0);
    assert_eq!(json(&run)["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn nothing_the_program_writes_holds_a_token_even_at_trace() {
    let scratch = Scratch::new();
    let t = token();
    let b64 = t.b64();
    scratch.write(
        "d/all.txt",
        format!(
            "{b64}\n{}\n{}%3D\n{}\n{}\n",
            t.no_padding(),
            t.no_padding(),
            t.text,
            STANDARD.encode(&b64)
        ),
    );
    for format in ["human", "json", "sarif"] {
        // `Run` fails the test if any form of the token shows up on stdout or stderr.
        let run = scratch.intercept_env(
            ".",
            ["scan", "--format", format, "d"],
            &[("INTERCEPT_LOG", "trace")],
        );
        run.code(1);
        assert!(
            run.stderr.contains("token found"),
            "trace logging is on: {}",
            run.stderr
        );
    }
    let run = scratch.intercept(".", ["-vvv", "scan", "d"]);
    run.code(1);
}

#[test]
fn gzip_files_are_scanned_decompressed_with_a_cap() {
    use std::io::Write;
    let scratch = Scratch::new();
    let t = token();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(format!("line one\nline two\nauth={}\n", t.b64()).as_bytes())
        .unwrap();
    scratch.write("logs/x.log.gz", gz.finish().unwrap());
    let run = scratch.intercept(".", ["scan", "--format", "json", "logs"]);
    run.code(1);
    assert_eq!(
        found(&json(&run)),
        BTreeSet::from([("logs/x.log.gz".to_string(), 3, "plain".to_string())])
    );
    // Past the cap: what was read is reported, and the file is said to be not fully checked.
    let run = scratch.intercept(".", ["scan", "--max-decompressed", "10", "logs"]);
    run.code(2);
    assert!(run.stderr.contains("not fully checked"), "{}", run.stderr);

    // Negative twin: a clean gzip passes.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"nothing here\n").unwrap();
    scratch.write("logs/x.log.gz", gz.finish().unwrap());
    scratch.intercept(".", ["scan", "logs"]).code(0);
}

#[test]
fn corrupt_gzip_is_reported_and_its_raw_bytes_still_scanned() {
    let scratch = Scratch::new();
    let t = token();
    let mut bytes = vec![0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad];
    bytes.extend_from_slice(format!("garbage {} more", t.b64()).as_bytes());
    scratch.write("c/bad.gz", &bytes);
    let run = scratch.intercept(".", ["scan", "c"]);
    run.code(1);
    assert!(
        run.stderr.contains("cannot decompress c/bad.gz"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("c/bad.gz:1:"), "{}", run.stdout);
    // Without a token it is still "not checked" (exit 2), never a silent pass.
    scratch.write(
        "c/bad.gz",
        [
            0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0x00, 0x00, 0x00, 0x03, 0xff, 0xff,
        ],
    );
    let run = scratch.intercept(".", ["scan", "c"]);
    run.code(2);
    assert!(run.stderr.contains("cannot decompress"), "{}", run.stderr);
    // A gzip file cut short (a truncated download): every byte there was checked. Said,
    // and no reason to fail.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &b"nothing here\n".repeat(500)).unwrap();
    let mut cut = gz.finish().unwrap();
    cut.truncate(cut.len() / 2);
    scratch.write("c/bad.gz", &cut);
    let run = scratch.intercept(".", ["scan", "c"]);
    run.code(0);
    assert!(
        run.stderr.contains("c/bad.gz is cut short (gzip"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_paths_and_unreadable_files_exit_2_and_the_rest_is_still_scanned() {
    let scratch = Scratch::new();
    let t = token();
    scratch.write("ok/a.env", format!("T={}\n", t.b64()));
    let run = scratch.intercept(".", ["scan", "does-not-exist", "ok"]);
    run.code(1); // the token wins, but the problem is still reported
    assert!(
        run.stderr
            .contains("cannot scan does-not-exist: it does not exist"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("ok/a.env:1:3"), "{}", run.stdout);

    let run = scratch.intercept(".", ["scan", "does-not-exist"]);
    run.code(2);

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("nowhere", scratch.path().join("dangling")).unwrap();
        let run = scratch.intercept(".", ["scan", "dangling"]);
        run.code(2);
        assert!(run.stderr.contains("cannot read dangling"), "{}", run.stderr);
    }
    // A file the kernel refuses to read (root may read any mode, so use /proc).
    if Path::new("/proc/self/mem").exists() {
        let run = scratch.intercept(".", ["scan", "/proc/self/mem"]);
        run.code(2);
        assert!(
            run.stderr.contains("cannot read /proc/self/mem"),
            "{}",
            run.stderr
        );
    }
    #[cfg(unix)]
    if !running_as_root() {
        use std::os::unix::fs::PermissionsExt;
        let p = scratch.write("locked/secret.env", "x");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        let run = scratch.intercept(".", ["scan", "locked"]);
        run.code(2);
        assert!(
            run.stderr.contains("cannot read locked/secret.env"),
            "{}",
            run.stderr
        );
    }
}

#[cfg(unix)]
fn running_as_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_out_of_the_tree_or_into_loops() {
    use std::os::unix::fs::symlink;
    let scratch = Scratch::new();
    let t = token();
    scratch.write("outside/secret.env", format!("T={}\n", t.b64()));
    scratch.write("tree/a.txt", "hello\n");
    symlink(scratch.path().join("outside"), scratch.path().join("tree/out")).unwrap();
    symlink("loop-b", scratch.path().join("tree/loop-a")).unwrap();
    symlink("loop-a", scratch.path().join("tree/loop-b")).unwrap();
    symlink(".", scratch.path().join("tree/self")).unwrap();
    let run = scratch.intercept(".", ["scan", "tree"]);
    run.code(0);
    assert!(run.stderr.contains("scanned 1 file"), "{}", run.stderr);

    // Twin: the same token inside the tree is found.
    scratch.write("tree/b.env", format!("T={}\n", t.b64()));
    scratch.intercept(".", ["scan", "tree"]).code(1);

    // A named symlink loop is an error, not a hang.
    let run = scratch.intercept(".", ["scan", "tree/loop-a"]);
    run.code(2);
    assert!(run.stderr.contains("cannot read tree/loop-a"), "{}", run.stderr);
}

#[test]
fn git_directories_are_skipped() {
    let scratch = Scratch::new();
    let t = token();
    scratch.write("r/.git/objects/xx", format!("{}\n", t.b64()));
    scratch.write("r/src/main.rs", "fn main() {}\n");
    scratch.intercept(".", ["scan", "r"]).code(0);
    scratch.write("r/src/main.rs", format!("// {}\n", t.b64()));
    scratch.intercept(".", ["scan", "r"]).code(1);
}

#[cfg(unix)]
#[test]
fn odd_file_names_are_printed_escaped_and_carried_exactly_in_json() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let scratch = Scratch::new();
    let t = token();
    let dir = scratch.path().join("odd");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(OsStr::from_bytes(b"bad\xff.env")),
        format!("T={}\n", t.b64()),
    )
    .unwrap();
    std::fs::write(
        dir.join(OsStr::from_bytes(b"esc\x1b[2J\x1b[31m.env")),
        format!("T={}\n", t.b64()),
    )
    .unwrap();
    let run = scratch.intercept(".", ["scan", "odd"]);
    run.code(1);
    assert!(
        !run.stdout_bytes.contains(&0x1b) && !run.stderr.contains('\x1b'),
        "raw escape printed"
    );
    assert!(run.stdout.contains("\"odd/bad\\377.env\":1:3"), "{}", run.stdout);
    assert!(
        run.stdout.contains("\"odd/esc\\033[2J\\033[31m.env\":1:3"),
        "{}",
        run.stdout
    );
    let run = scratch.intercept(".", ["scan", "--format", "json", "odd"]);
    let doc = json(&run);
    let exact: Vec<Vec<u8>> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path_bytes"].as_str())
        .map(|b| STANDARD.decode(b).unwrap())
        .collect();
    assert_eq!(exact, vec![b"odd/bad\xff.env".to_vec()]);
    assert_eq!(doc["findings"][1]["path"], "odd/esc\u{1b}[2J\u{1b}[31m.env");
}

#[test]
fn binary_files_are_scanned() {
    let scratch = Scratch::new();
    let t = token();
    let b64 = t.b64();
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89".to_vec();
    png.extend_from_slice(b"\x00\x00\x00\x4ctEXtComment\x00");
    png.extend_from_slice(b64.as_bytes());
    png.extend_from_slice(b"\x00\x00\x00\x00IEND\xaeB`\x82");
    let mut sqlite = b"SQLite format 3\x00\x10\x00\x01\x01\x00@  ".to_vec();
    sqlite.resize(4096, 0);
    sqlite.extend_from_slice(b"\x0d\x00\x00\x00\x01\x0f\xc0\x00");
    sqlite.extend_from_slice(t.no_padding().as_bytes());
    sqlite.resize(8192, 0);
    let mut pyc = b"\xcb\x0d\x0d\x0a\x00\x00\x00\x00".to_vec();
    pyc.extend_from_slice(b"\xe3\x00\x00\x00\xfa\x3c");
    pyc.extend_from_slice(b64.as_bytes());
    pyc.extend_from_slice(b"\x4e\x29\x01");
    scratch.write("bin/image.png", &png);
    scratch.write("bin/app.sqlite", &sqlite);
    scratch.write("bin/__pycache__/settings.cpython-311.pyc", &pyc);
    let run = scratch.intercept(".", ["scan", "--format", "json", "bin"]);
    run.code(1);
    let paths: BTreeSet<String> = found(&json(&run)).into_iter().map(|f| f.0).collect();
    assert_eq!(
        paths,
        BTreeSet::from([
            "bin/__pycache__/settings.cpython-311.pyc".to_string(),
            "bin/app.sqlite".to_string(),
            "bin/image.png".to_string()
        ])
    );
    // Twin: the same binaries with random bytes in place of the token are clean.
    for name in [
        "bin/image.png",
        "bin/app.sqlite",
        "bin/__pycache__/settings.cpython-311.pyc",
    ] {
        let path = scratch.path().join(name);
        let bytes = std::fs::read(&path).unwrap();
        let replaced = String::from_utf8_lossy(&bytes)
            .replace(&b64, &random_b64(60))
            .replace(&t.no_padding(), &random_b64(59));
        std::fs::write(&path, replaced).unwrap();
    }
    scratch.intercept(".", ["scan", "bin"]).code(0);
}

#[test]
fn a_minified_300_kb_line_and_a_token_across_a_piece_boundary() {
    let scratch = Scratch::new();
    let (a, b) = (token(), token());
    let mut line = String::new();
    while line.len() < 150_000 {
        line.push_str("function(e){return e&&e.__esModule?e:{default:e}},");
    }
    let col_a = line.chars().count() + 4;
    line.push_str(&format!("k=\"{}\",", a.b64()));
    while line.len() < 300_000 {
        line.push_str("var t=n(12),r=n.n(t);");
    }
    line.push_str(&format!("x=\"{}\"", b.no_padding()));
    scratch.write("m/bundle.min.js", &line);
    let run = scratch.intercept(".", ["scan", "--format", "json", "m"]);
    run.code(1);
    let doc = json(&run);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 2);
    assert_eq!(doc["findings"][0]["column"].as_u64().unwrap(), col_a as u64);

    // A large file whose token straddles the 8 MiB piece boundary, on line 2 of a
    // CRLF file; and a nested token straddling it too.
    let piece = 8 << 20;
    for (offset, content, encoding) in [
        (piece - 20, a.b64(), "plain"),
        (piece - 2, a.b64(), "plain"),
        (
            piece - 5,
            STANDARD.encode(format!("x{}", a.b64())),
            "nested-base64",
        ),
    ] {
        let mut big = vec![b' '; offset];
        big[10] = b'\r';
        big[11] = b'\n';
        big.extend_from_slice(content.as_bytes());
        big.extend_from_slice(&vec![b'.'; 1000]);
        scratch.write("big/file.bin", &big);
        let run = scratch.intercept(".", ["scan", "--format", "json", "big"]);
        run.code(1);
        let doc = json(&run);
        assert_eq!(
            found(&doc),
            BTreeSet::from([("big/file.bin".to_string(), 2, encoding.to_string())]),
            "offset {offset}"
        );
        assert_eq!(
            doc["findings"][0]["column"].as_u64().unwrap(),
            (offset - 12 + 1) as u64
        );
    }
}

#[test]
fn reads_standard_input() {
    use std::io::Write;
    let scratch = Scratch::new();
    let t = token();
    let mut cmd = crate::support::hermetic(crate::support::bin(), &scratch.home());
    let mut child = cmd
        .args(["scan", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("x\n{}\n", t.b64()).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("<stdin>:2:1:"));
}

#[test]
fn a_2_gb_file_is_read_in_bounded_memory() {
    use std::io::{Seek, SeekFrom, Write};
    let scratch = Scratch::new();
    let t = token();
    let path = scratch.path().join("huge/disk.img");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // Sparse: 2 GiB of zeros that take no disk, a token near the end.
    let mut file = std::fs::File::create(&path).unwrap();
    file.set_len(2 << 30).unwrap();
    file.seek(SeekFrom::Start((2 << 30) - 4096)).unwrap();
    file.write_all(format!("\nT={}\n", t.b64()).as_bytes()).unwrap();
    drop(file);
    let Some((run, kb)) =
        crate::support::intercept_with_peak_rss(scratch.path(), &scratch.home(), &["scan", "huge"])
    else {
        scratch.intercept(".", ["scan", "huge"]).code(1);
        return;
    };
    run.code(1);
    assert!(run.stdout.contains("huge/disk.img:2:3:"), "{}", run.stdout);
    assert!(kb < 64 * 1024, "peak RSS {kb} KiB while scanning 2 GiB");
}

/// Issue 22: every new container and compressor, as `scan PATH` and `scan -` read them: a
/// bomb stops at the cap and says so, damage says what was checked and blocks, a cut says it
/// is cut short, and nesting past the limit names the path it did not open. Each with its
/// twin: the same file with a token, found before the damage.
#[test]
fn new_formats_bombs_damage_cuts_and_depth_are_said_never_silent() {
    use intercept_test_support::compress;
    use intercept_test_support::tar::{Entry, Tar};
    let scratch = Scratch::new();
    let t = token();
    let text = |tok: &str| {
        let mut rng = intercept_test_support::text::XorShift(5);
        format!("T={tok}\n")
            + &(0..40_000)
                .map(|_| format!("{:016x}\n", rng.next()))
                .collect::<String>()
    };
    let tar = |data: &[u8]| Tar::new().add(Entry::file("dir/app.env", data)).finish();
    type Make = Box<dyn Fn(&[u8]) -> Vec<u8>>;
    let formats: Vec<(&str, Make)> = vec![
        ("xz", Box::new(compress::xz)),
        ("bz2", Box::new(compress::bzip2)),
        ("zst", Box::new(compress::zstd)),
        (
            "tar.gz",
            Box::new(move |d: &[u8]| intercept_test_support::zip::gzip(&tar(d))),
        ),
    ];
    for (ext, make) in &formats {
        // A bomb: 64 MiB of zeros against a 1 MB cap.
        let bomb = make(&vec![0u8; 64 << 20]);
        scratch.write(format!("{ext}/bomb.{ext}"), &bomb);
        let run = scratch.intercept(
            ".",
            [
                "scan",
                "--max-decompressed",
                "1000000",
                &format!("{ext}/bomb.{ext}"),
            ],
        );
        run.code(2);
        assert!(run.stderr.contains("not fully checked"), "{ext}: {}", run.stderr);
        // Damage in the middle: what came before (the token) is found, and it blocks.
        let mut bad = make(text(&t.b64()).as_bytes());
        let at = bad.len() / 2;
        for b in &mut bad[at..at + 64] {
            *b ^= 0xa5;
        }
        scratch.write(format!("{ext}/bad.{ext}"), &bad);
        let run = scratch.intercept(".", ["scan", &format!("{ext}/bad.{ext}")]);
        run.code(1);
        assert!(
            run.stderr.contains("decoded before the damage were checked")
                || run.stderr.contains("cannot read"),
            "{ext}: {}",
            run.stderr
        );
        // Cut short: the token before the cut is found, and the cut is said.
        let whole = make(text(&t.b64()).as_bytes());
        let cut = &whole[..whole.len() * 2 / 3];
        scratch.write(format!("{ext}/cut.{ext}"), cut);
        let run = scratch.intercept(".", ["scan", &format!("{ext}/cut.{ext}")]);
        run.code(1);
        assert!(
            run.stderr.contains("cut short") || run.stderr.contains("cannot read"),
            "{ext}: {}",
            run.stderr
        );
        let piped = scratch.intercept_stdin(".", &["scan", "-"], cut);
        piped.code(1);
        // The twin: the same cut without a token is said and passes (nothing there was
        // left unread), unless the archive itself is cut (then a member is damaged).
        let clean = make(text("no-token-here").as_bytes());
        scratch.write(format!("{ext}/clean.{ext}"), &clean);
        scratch
            .intercept(".", ["scan", &format!("{ext}/clean.{ext}")])
            .code(0);
    }
    // Seven zips deep: the innermost is not opened, and the message names where.
    let mut bytes = format!("T={}\n", t.b64()).into_bytes();
    for level in 0..7 {
        bytes = intercept_test_support::zip::Zip::seekable()
            .stored(format!("l{level}.zip"), &bytes)
            .finish();
    }
    scratch.write("deep/deep.zip", &bytes);
    let run = scratch.intercept(".", ["scan", "deep"]);
    run.code(1); // the stored members' bytes still hold the token, raw
    assert!(
        run.stderr
            .contains("deep/deep.zip!l6.zip!l5.zip!l4.zip!l3.zip!l2.zip!l1.zip was not opened"),
        "{}",
        run.stderr
    );
    // Its twin without a token: still not a silent pass.
    let mut bytes = b"nothing\n".to_vec();
    for level in 0..7 {
        bytes = intercept_test_support::zip::Zip::seekable()
            .deflated(format!("l{level}.zip"), &bytes)
            .finish();
    }
    scratch.write("deep/deep.zip", &bytes);
    let run = scratch.intercept(".", ["scan", "deep"]);
    run.code(2);
    assert!(run.stderr.contains("more than 6 levels deep"), "{}", run.stderr);
}

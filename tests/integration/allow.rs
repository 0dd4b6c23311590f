//! Allowing deliberate fakes: by fingerprint, by path, by inline marker; one config,
//! resolved as staged for a commit and as pushed for a push.

use crate::support::{token, TestRepo};

fn installed() -> TestRepo {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    repo
}

fn allow_fingerprint(fp: &str) -> String {
    format!("[[allow]]\nfingerprint = \"{fp}\"\nreason = \"fake token in the parser fixtures\"\n")
}

#[test]
fn allowed_by_fingerprint_at_commit_and_at_push_but_only_that_token() {
    let repo = installed();
    repo.remote_bare();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let (fake, real) = (token(), token());
    repo.write(".intercept.toml", allow_fingerprint(&fake.fingerprint()));
    repo.write("tests/fixtures/fake.env", format!("T={}\n", fake.b64()));
    repo.git(&["add", ".intercept.toml", "tests/fixtures/fake.env"])
        .code(0);
    let run = repo.git(&["commit", "-q", "-m", "fixture"]);
    run.code(0);
    assert!(
        run.stderr.contains("1 token allowed") && run.stderr.contains("fake token in the parser fixtures"),
        "{}",
        run.stderr
    );
    // A fingerprint allows the token anywhere, and at push time too.
    repo.write("src/also.env", format!("T={}\n", fake.b64()));
    repo.git(&["add", "src/also.env"]).code(0);
    repo.git(&["commit", "-q", "-m", "again"]).code(0);
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    // Another token is not allowed by it.
    repo.write("src/real.env", format!("T={}\n", real.b64()));
    repo.git(&["add", "src/real.env"]).code(0);
    let run = repo.git(&["commit", "-q", "-m", "real"]);
    run.code(1);
    assert!(run.stderr.contains("src/real.env:1:3:"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("intercept allow {} --reason", real.fingerprint())),
        "the block message names the exact allow command: {}",
        run.stderr
    );
    repo.git(&["commit", "-q", "--no-verify", "-m", "real"]).code(0);
    let run = repo.git(&["push", "-q", "origin", "main"]);
    run.code(1);
    assert!(
        run.stderr.contains("src/real.env:1:3:") && !run.stderr.contains("also.env:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn allowed_by_path_only_under_that_path() {
    let repo = installed();
    let t = token();
    repo.write(
        ".intercept.toml",
        "[[allow]]\npath = \"tests/fixtures/**\"\nreason = \"fakes for the tests\"\n",
    );
    repo.write("tests/fixtures/a/token.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "."]).code(0);
    repo.git(&["commit", "-q", "-m", "fixtures"]).code(0);
    repo.write("src/token.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "src/token.env"]).code(0);
    let run = repo.git(&["commit", "-q", "-m", "src"]);
    run.code(1);
    assert!(run.stderr.contains("src/token.env:1:3:"), "{}", run.stderr);
}

#[test]
fn allowed_by_an_inline_marker_on_the_same_line() {
    let repo = installed();
    let t = token();
    for (marker, ok) in [
        ("# intercept:allow", true),
        ("# gitleaks:allow", true),
        ("# pragma: allowlist secret", true),
        ("# allow", false),
    ] {
        repo.write("fake.py", format!("TOKEN = \"{}\"  {marker}\n", t.b64()));
        repo.git(&["add", "fake.py"]).code(0);
        let run = repo.git(&["commit", "-q", "-m", marker]);
        if ok {
            run.code(0);
            assert!(run.stderr.contains("inline marker"), "{}", run.stderr);
        } else {
            run.code(1);
        }
    }
    // A marker on the line above does not count.
    repo.write(
        "fake2.py",
        format!("# intercept:allow\nTOKEN = \"{}\"\n", t.b64()),
    );
    repo.git(&["add", "fake2.py"]).code(0);
    repo.git(&["commit", "-q", "-m", "above"]).code(1);
    // Teams can turn markers off.
    repo.git(&["reset", "-q"]).code(0);
    repo.write(".intercept.toml", "inline_markers = false\n");
    repo.write(
        "fake3.py",
        format!("TOKEN = \"{}\"  # intercept:allow\n", t.b64()),
    );
    repo.git(&["add", ".intercept.toml", "fake3.py"]).code(0);
    repo.git(&["commit", "-q", "-m", "no markers"]).code(1);
}

#[test]
fn a_malformed_config_blocks_with_file_line_and_key() {
    let repo = installed();
    repo.write(".intercept.toml", "inline_markers = true\nmax_decompresed = 5\n");
    repo.write("a.txt", "clean\n");
    repo.git(&["add", ".intercept.toml", "a.txt"]).code(0);
    let head = repo.head();
    let run = repo.git(&["commit", "-q", "-m", "config"]);
    run.code(1);
    for needle in [
        ".intercept.toml (as staged)",
        "line 2",
        "max_decompresed",
        "max_decompressed",
        "git commit --no-verify",
    ] {
        assert!(
            run.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stderr
        );
    }
    assert_eq!(repo.head(), head);
    let run = repo.intercept_in(&repo.root, &["hook", "pre-commit"]);
    run.code(2);
    // Twin: the same file, spelled right, commits.
    repo.write(".intercept.toml", "inline_markers = true\nmax_decompressed = 5\n");
    repo.git(&["add", ".intercept.toml"]).code(0);
    repo.git(&["commit", "-q", "-m", "config"]).code(0);
}

#[test]
fn the_staged_config_counts_not_the_work_tree_one() {
    let repo = installed();
    let t = token();
    // Staged together with the token: applies to this commit.
    repo.write(".intercept.toml", allow_fingerprint(&t.fingerprint()));
    repo.write("a.env", format!("T={}\n", t.b64()));
    repo.git(&["add", ".intercept.toml", "a.env"]).code(0);
    repo.git(&["commit", "-q", "-m", "allowed"]).code(0);

    // Only in the work tree (not staged): does not apply.
    let repo = installed();
    repo.write(".intercept.toml", allow_fingerprint(&t.fingerprint()));
    repo.write("a.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "a.env"]).code(0);
    let run = repo.git(&["commit", "-q", "-m", "not allowed"]);
    run.code(1);
    assert!(run.stderr.contains("a.env:1:3:"), "{}", run.stderr);
}

#[test]
fn intercept_allow_writes_the_entry_and_scan_reports_it_and_stale_ones() {
    let repo = installed();
    let t = token();
    repo.write("fixtures/t.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "fixtures/t.env"]).code(0);
    repo.git(&["commit", "-q", "-m", "x"]).code(1);
    let run = repo.intercept_in(
        &repo.root,
        &["allow", &t.fingerprint(), "--reason", "parser fixture"],
    );
    run.code(0);
    let text = std::fs::read_to_string(repo.root.join(".intercept.toml")).unwrap();
    assert!(
        text.contains(&t.fingerprint()) && text.contains("reason = \"parser fixture\""),
        "{text}"
    );
    repo.intercept_in(&repo.root, &["allow", &t.fingerprint(), "--reason", "again"])
        .code(0);
    assert_eq!(
        std::fs::read_to_string(repo.root.join(".intercept.toml")).unwrap(),
        text,
        "idempotent"
    );
    repo.git(&["add", ".intercept.toml"]).code(0);
    repo.git(&["commit", "-q", "-m", "x"]).code(0);

    let run = repo.intercept_in(&repo.root, &["scan", "."]);
    run.code(0);
    assert!(
        run.stderr.contains("1 allowed (--show-allowed lists them)"),
        "{}",
        run.stderr
    );
    let run = repo.intercept_in(&repo.root, &["scan", "--show-allowed", "."]);
    assert!(
        run.stdout.contains("allowed: ./fixtures/t.env:1:3:") && run.stdout.contains("parser fixture"),
        "{}",
        run.stdout
    );
    let run = repo.intercept_in(&repo.root, &["scan", "--format", "json", "."]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["allowed"][0]["fingerprint"], t.fingerprint().as_str());
    let run = repo.intercept_in(&repo.root, &["scan", "--format", "sarif", "."]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["runs"][0]["results"][0]["suppressions"][0]["kind"],
        "external"
    );

    // The fixture goes away: the entry is reported as stale.
    std::fs::remove_file(repo.root.join("fixtures/t.env")).unwrap();
    let run = repo.intercept_in(&repo.root, &["scan", "."]);
    run.code(0);
    assert!(
        run.stderr.contains("matches nothing in this scan"),
        "{}",
        run.stderr
    );

    let run = repo.intercept_in(&repo.root, &["allow", "nothex", "--reason", "x"]);
    run.code(2);
    assert!(run.stderr.contains("64 hex digits"), "{}", run.stderr);
}

/// A zip whose one member is encrypted (flag bit 0): intercept cannot read it.
fn odd_zip() -> Vec<u8> {
    let mut zip = intercept_test_support::zip::Zip::seekable();
    zip.stored("plain.txt", b"readable");
    let mut bytes = zip.finish();
    // Flag bit 0 of the first (only) local header: "encrypted".
    bytes[6] |= 1;
    bytes
}

#[test]
fn a_path_entry_covers_what_could_not_be_checked_in_that_file_too() {
    let repo = installed();
    repo.write("fixtures/odd.zip", odd_zip());
    repo.write("elsewhere/odd.zip", odd_zip());
    repo.git(&["add", "fixtures", "elsewhere"]).code(0);
    // Not allowed: a problem, and the commit is blocked (exit 2).
    let run = repo.git(&["commit", "-q", "-m", "odd"]);
    run.code(1);
    assert!(
        run.stderr.contains("fixtures/odd.zip!plain.txt was not checked"),
        "{}",
        run.stderr
    );
    // Allowed by path: a note with the reason, for that file only.
    repo.write(
        ".intercept.toml",
        "[[allow]]\npath = \"/fixtures/odd.zip\"\nreason = \"an encrypted member on purpose\"\n",
    );
    repo.git(&["add", ".intercept.toml"]).code(0);
    let run = repo.git(&["commit", "-q", "-m", "odd"]);
    run.code(1);
    assert!(
        run.stderr.contains("elsewhere/odd.zip!plain.txt was not checked")
            && run
                .stderr
                .contains("note: fixtures/odd.zip!plain.txt was not checked")
            && run.stderr.contains("allowed: an encrypted member on purpose"),
        "{}",
        run.stderr
    );
    repo.git(&["rm", "-q", "--cached", "elsewhere/odd.zip"]).code(0);
    repo.git(&["commit", "-q", "-m", "odd"]).code(0);
    // The history audit places the blob first, so the entry applies there as well.
    let run = repo.intercept_in(&repo.root, &["scan", "--all"]);
    run.code(0);
    assert!(
        run.stderr.contains("note: fixtures/odd.zip!plain.txt"),
        "{}",
        run.stderr
    );
    // Its twin: the same blob committed where no entry covers it.
    repo.write("elsewhere/odd.zip", odd_zip());
    repo.git(&["add", "elsewhere"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "elsewhere"])
        .code(0);
    let run = repo.intercept_in(&repo.root, &["scan", "--all"]);
    run.code(2);
    assert!(
        run.stderr.contains("elsewhere/odd.zip!plain.txt was not checked"),
        "{}",
        run.stderr
    );
}

#[test]
fn allow_runs_at_the_same_time_all_land() {
    let repo = installed();
    let fingerprints: Vec<String> = (0..8).map(|_| token().fingerprint()).collect();
    let children: Vec<std::process::Child> = fingerprints
        .iter()
        .map(|fp| {
            crate::support::hermetic(crate::support::bin(), &repo.home())
                .current_dir(&repo.root)
                .args(["allow", fp, "--reason", "a fixture"])
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(repo.root.join(".intercept.toml")).unwrap();
    for fp in &fingerprints {
        assert_eq!(text.matches(fp.as_str()).count(), 1, "{text}");
    }
    assert_eq!(text.matches("[[allow]]").count(), 8, "{text}");
}

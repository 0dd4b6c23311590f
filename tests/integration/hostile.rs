//! Input built to cost or to hide (issue 22, items 6–8): escaped wraps on standard input,
//! special files named on the command line, many tokens in one blob, and a token used as a
//! directory name, whose report must still name the file. Each with its negative twin.
//! (The escaped wraps on every git path are forms of the parity table.)

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::support::{json, token, Run, Scratch, TestRepo, Token};
use intercept_test_support::text::wrap;

/// `intercept scan -` fed `input`.
fn scan_stdin(scratch: &Scratch, args: &[&str], input: &[u8]) -> Run {
    use std::io::Write;
    let mut cmd = crate::support::hermetic(crate::support::bin(), &scratch.home());
    let mut child = cmd
        .args(["scan", "-"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    Run::new(child.wait_with_output().unwrap(), "intercept")
}

/// `jq --arg v "$(base64 app.env)"`: the outer value's line breaks written as `\n`.
fn jq_json(t: &Token) -> String {
    let outer = STANDARD.encode(format!("A=1\nINTERCOM_ACCESS_TOKEN={}\nB=2\n", t.b64()));
    format!("{{\"v\": \"{}\"}}\n", wrap(&outer, 76, "", "\\n"))
}

#[test]
fn escaped_wraps_are_found_on_standard_input() {
    let scratch = Scratch::new();
    let t = token();
    let run = scan_stdin(&scratch, &["--format", "json"], jq_json(&t).as_bytes());
    run.code(1);
    let doc = json(&run);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{doc}");
    assert_eq!(findings[0]["encoding"], "nested-base64");
    assert_eq!(findings[0]["fingerprint"], t.fingerprint().as_str());
    // The twin: the same string around a token-shaped value of the wrong structure.
    let twin = Token {
        text: t.text.replacen(":1:0", ":1", 1),
    };
    scan_stdin(&scratch, &[], jq_json(&twin).as_bytes()).code(0);
}

#[cfg(unix)]
#[test]
fn special_files_named_on_the_command_line_are_refused_not_read() {
    use std::os::unix::fs::symlink;
    let scratch = Scratch::new();
    symlink("/dev/zero", scratch.path().join("zero")).unwrap();
    let run = scratch.intercept(".", ["scan", "zero"]);
    run.code(2);
    assert!(
        run.stderr.contains("cannot scan zero: it is a character device")
            && run.stderr.contains("intercept scan -"),
        "{}",
        run.stderr
    );
    scratch.intercept(".", ["scan", "/dev/null"]).code(2);
    let fifo = scratch.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        // Never opened: a FIFO without a writer would block forever.
        let run = scratch.intercept(".", ["scan", "pipe"]);
        run.code(2);
        assert!(run.stderr.contains("it is a FIFO"), "{}", run.stderr);
    }
    // The twins: a symlink to a regular file is followed, and inside a directory special
    // files are skipped, as before.
    let t = token();
    scratch.write("real.env", format!("T={}\n", t.b64()));
    symlink("real.env", scratch.path().join("link.env")).unwrap();
    scratch.intercept(".", ["scan", "link.env"]).code(1);
    scratch.write("tree/a.txt", "clean\n");
    symlink("/dev/zero", scratch.path().join("tree/zero")).unwrap();
    scratch.intercept(".", ["scan", "tree"]).code(0);
}

/// The human, JSON and SARIF reports of `scan PATH` hold `path` with only the token's
/// characters masked.
#[test]
fn a_token_in_a_directory_name_masks_only_the_token() {
    let scratch = Scratch::new();
    let t = token();
    let b64 = t.b64();
    let shown = format!("{}\u{2026}{}", &b64[..8], &b64[56..]);
    scratch.write(format!("keys/{b64}/prod/app.env"), format!("T={b64}\n"));
    let expect = format!("keys/{shown}/prod/app.env");
    for format in ["human", "json", "sarif"] {
        let run = scratch.intercept(".", ["scan", "--format", format, "keys"]);
        run.code(1);
        assert!(run.stdout.contains(&expect), "{format}: {}", run.stdout);
        assert!(
            !run.stdout.contains(&format!("{}\u{2026}.env", &b64[..8])),
            "{format}"
        );
    }
    // The twin: a directory named like a token that is not one is printed whole.
    let (_, twin) = intercept_test_support::token_and_twin();
    let other = Scratch::new();
    other.write(format!("keys/{twin}/prod/app.env"), "T=1\n");
    let run = other.intercept(".", ["scan", "--format", "json", "keys"]);
    run.code(0);
}

#[test]
fn a_token_in_a_directory_name_masks_only_the_token_on_the_git_paths() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let bare = repo.remote_bare();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let t = token();
    let b64 = t.b64();
    let shown = format!("{}\u{2026}{}", &b64[..8], &b64[56..]);
    let rel = format!("keys/{b64}/prod/app.env");
    let expect = format!("keys/{shown}/prod/app.env");
    repo.write(&rel, format!("T={b64}\n"));
    repo.git(&["add", "--", &rel]).code(0);
    let run = repo.intercept_in(&repo.root, &["scan", "--staged"]);
    run.code(1);
    assert!(run.stdout.contains(&expect), "--staged: {}", run.stdout);
    let head = repo.head();
    let run = repo.git(&["commit", "-q", "-m", "keys"]);
    run.code(1);
    assert_eq!(repo.head(), head);
    assert!(run.stderr.contains(&expect), "pre-commit: {}", run.stderr);
    repo.git(&["commit", "-q", "--no-verify", "-m", "keys"]).code(0);
    let before = repo.refs_of(&bare);
    let run = repo.git(&["push", "origin", "main"]);
    run.code(1);
    assert_eq!(repo.refs_of(&bare), before);
    assert!(run.stderr.contains(&expect), "pre-push: {}", run.stderr);
    let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "json"]);
    run.code(1);
    assert!(run.stdout.contains(&expect), "--all: {}", run.stdout);
    // The twin: the token gone from the file and the path, the same commands pass.
    repo.git(&["rm", "-q", "-r", "--cached", "keys"]).code(0);
    std::fs::remove_dir_all(repo.root.join("keys")).unwrap();
    let (_, twin) = intercept_test_support::token_and_twin();
    let rel = format!("keys/{twin}/prod/app.env");
    repo.write(&rel, "T=1\n");
    repo.git(&["add", "--", &rel]).code(0);
    repo.intercept_in(&repo.root, &["scan", "--staged"]).code(0);
}

/// Findings of a `--staged` JSON report.
fn staged_findings(repo: &TestRepo) -> usize {
    let run = repo.intercept_in(&repo.root, &["scan", "--staged", "--format", "json"]);
    json(&run)["findings"].as_array().unwrap().len()
}

#[test]
fn many_tokens_in_one_blob_are_all_reported_and_the_baseline_still_taken_away() {
    // Past the findings a blob keeps (1024), a blob with a baseline is scanned again and
    // its findings judged as they stream: the count must be the same as below the limit.
    let repo = TestRepo::new();
    repo.initial_commit();
    let old = token();
    repo.write("many.env", format!("OLD={}\n", old.b64()));
    repo.git(&["add", "many.env"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "old"]).code(0);
    for n in [10, 1500] {
        let mut text = format!("OLD={}\n", old.b64());
        for _ in 0..n {
            text.push_str(&format!("T={}\n", token().b64()));
        }
        repo.write("many.env", &text);
        repo.git(&["add", "many.env"]).code(0);
        assert_eq!(staged_findings(&repo), n, "{n} added, the committed one is not");
        // On one line too (the decoded views count tokens, not lines).
        let line: String = text.lines().map(|l| format!("{l} ")).collect();
        repo.write("many.env", format!("{line}\n"));
        repo.git(&["add", "many.env"]).code(0);
        assert_eq!(staged_findings(&repo), n + 1, "a changed line: all of its tokens");
        // A new file: no baseline, every token.
        repo.write("new.env", &text);
        repo.git(&["add", "new.env"]).code(0);
        assert_eq!(staged_findings(&repo), 2 * n + 2);
        repo.git(&["rm", "-q", "--cached", "new.env"]).code(0);
    }
    // The twin: the same lines with token-free values add nothing.
    let mut text = format!("OLD={}\n", old.b64());
    for _ in 0..1500 {
        text.push_str("T=placeholder\n");
    }
    repo.write("many.env", &text);
    repo.git(&["add", "many.env"]).code(0);
    assert_eq!(staged_findings(&repo), 0);
}

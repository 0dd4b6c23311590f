//! Nothing a user typed or a file holds is ever echoed in full: raw tokens fed into every
//! user-controlled input (config values and parse errors, arguments, environment values,
//! path names) never come out whole, in any format or log level. `Run` checks every output
//! against every generated token (and its nested-base64 forms) on every call.

use crate::support::{token, Scratch, TestRepo};

const FORMATS: [&str; 3] = ["human", "json", "sarif"];

#[test]
fn tokens_in_the_config_file_are_never_echoed() {
    let t = token();
    let b64 = t.b64();
    for (config, code) in [
        // An entry whose fingerprint is a token, not a fingerprint: the error quotes it.
        (format!("[[allow]]\nfingerprint = \"{b64}\"\nreason = \"x\"\n"), 2),
        // A line that does not parse: toml's error quotes the line.
        (format!("inline_markers = {b64}\n"), 2),
        (format!("unknown_key = \"{b64}\"\n"), 2),
        (format!("[[allow]]\npath = \"{b64}/**\"\n"), 2),
        // A valid entry whose reason is a token: printed with every allowed token (and the
        // config file itself, scanned with the rest, holds a token: exit 1).
        (
            format!("[[allow]]\npath = \"fixtures/**\"\nreason = \"fake {b64}\"\n"),
            1,
        ),
    ] {
        let scratch = Scratch::new();
        scratch.write(".intercept.toml", &config);
        scratch.write("fixtures/a.env", format!("T={}\n", token().b64()));
        for format in FORMATS {
            for log in ["warn", "trace"] {
                let run = scratch.intercept_env(
                    ".",
                    ["scan", "--show-allowed", "--format", format, "."],
                    &[("INTERCEPT_LOG", log)],
                );
                run.code(code);
            }
        }
    }
}

#[test]
fn tokens_in_arguments_and_environment_values_are_never_echoed() {
    let scratch = Scratch::new();
    let t = token();
    let b64 = t.b64();
    for args in [
        vec!["allow".to_string(), b64.clone(), "--reason".into(), "x".into()],
        vec![
            "allow".to_string(),
            "ab".repeat(32),
            "--reason".into(),
            b64.clone(),
        ],
        vec!["scan".into(), format!("missing/{b64}.env")],
        vec!["scan".into(), "--max-decompressed".into(), b64.clone()],
        vec!["scan".into(), "--format".into(), b64.clone()],
        vec!["scan".into(), "--range".into(), b64.clone()],
        vec!["hook".into(), b64.clone()],
        vec![b64.clone()],
    ] {
        // Whatever the outcome, `Run` has checked that nothing printed the token.
        scratch.intercept_env(".", &args, &[("INTERCEPT_LOG", "trace")]);
    }
    for var in [
        "INTERCEPT_TIME_BUDGET",
        "INTERCEPT_MAX_DECOMPRESSED",
        "INTERCEPT_INLINE_MARKERS",
        "INTERCEPT_LOG",
        "GIT_DIR",
    ] {
        scratch.write("a.txt", "clean\n");
        let run = scratch.intercept_env(".", ["scan", "--staged"], &[(var, &b64)]);
        assert_eq!(run.code, 2, "{var}: {run:?}");
        let run = scratch.intercept_env(".", ["scan", "a.txt"], &[(var, &b64)]);
        assert!(run.code == 0 || run.code == 2, "{var}: {run:?}");
    }
}

#[test]
fn a_token_in_a_path_is_a_finding_and_is_never_printed_whole() {
    let scratch = Scratch::new();
    let t = token();
    scratch.write(format!("d/{}/x.txt", t.b64()), "clean\n");
    scratch.write(format!("e/{}.env", t.no_padding()), "clean\n");
    let mut raw = b"f/".to_vec();
    raw.extend_from_slice(t.b64().as_bytes());
    raw.extend_from_slice(b"\xff.bin");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let path = scratch.path().join(std::ffi::OsStr::from_bytes(&raw));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "clean\n").unwrap();
    }
    for format in FORMATS {
        for log in ["warn", "trace"] {
            let run = scratch.intercept_env(
                ".",
                ["scan", "--format", format, "d", "e", "f"],
                &[("INTERCEPT_LOG", log)],
            );
            run.code(1);
        }
    }
    let run = scratch.intercept(".", ["scan", "--format", "json", "d", "e", "f"]);
    let doc = crate::support::json(&run);
    let subjects: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), if cfg!(unix) { 3 } else { 2 }, "{}", run.stdout);
    assert!(subjects.iter().all(|s| *s == "path-name"), "{subjects:?}");
    // A path named on the command line is a name too.
    let named = format!("e/{}.env", t.no_padding());
    let run = scratch.intercept(".", ["scan", named.as_str()]);
    run.code(1);
    assert!(run.stdout.contains("(file name)"), "{}", run.stdout);
    // The twin: the same tree with a placeholder in the names.
    let clean = Scratch::new();
    clean.write("d/dG9rOm_YOUR_TOKEN/x.txt", "clean\n");
    clean.intercept(".", ["scan", "d"]).code(0);
}

#[test]
fn tokens_in_git_inputs_are_never_echoed() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let t = token();
    // A branch and a file named after a token; a commit whose message holds one.
    repo.git(&["checkout", "-q", "-b", &format!("leak-{}", t.no_padding())])
        .code(0);
    repo.write(format!("{}.txt", t.no_padding()), "clean\n");
    repo.git(&["add", "."]).code(0);
    let run = repo.git(&["commit", "-q", "-m", "add"]);
    run.code(1);
    assert!(run.stderr.contains("(file name)"), "{}", run.stderr);
    let run = repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        &format!("message {}", t.b64()),
    ]);
    run.code(0);
    let bare = repo.remote_bare();
    let run = repo.git(&["push", "origin", "HEAD"]);
    run.code(1);
    assert!(run.stderr.contains("(ref name)"), "{}", run.stderr);
    assert!(run.stderr.contains("(commit message)"), "{}", run.stderr);
    for format in FORMATS {
        let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", format]);
        run.code(1);
        let run = repo.intercept_in(&repo.root, &["scan", "--range", "main..HEAD", "--format", format]);
        run.code(1);
    }
    let _ = bare;
}

//! SARIF that GitHub code scanning places correctly: URIs relative to the repository root
//! from any directory and path argument, commits in history results, messages as logical
//! locations, stable partial fingerprints; and every log validated by Microsoft's SARIF
//! Multitool (`validate --rule-kind "Sarif;Gh;Ghas"`: the SARIF 2.1.0 schema, its own rules
//! and GitHub's ingestion rules).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{json, token, Run, TestRepo, PLACEHOLDER};

/// The Multitool the tests run, pinned (`.ci/run` installs it into `INTERCEPT_TEST_TOOLS`).
pub const SARIF_MULTITOOL: &str = "@microsoft/sarif-multitool-linux@5.7.0";

/// The Multitool's binary, from `INTERCEPT_TEST_TOOLS` (else `target/test-tools`). Absent
/// locally, the validation is skipped with a note; under CI (`CI` set) it is required.
#[allow(clippy::print_stderr)] // the note says why a check did not run
fn multitool() -> Option<PathBuf> {
    let dir = std::env::var_os("INTERCEPT_TEST_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools"));
    let bin = dir.join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    if !bin.is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must validate SARIF: install the Multitool with `npm install --ignore-scripts --prefix {} {SARIF_MULTITOOL}` \
             (then `chmod u+x` it: its install script, skipped, only does that)",
            dir.display()
        );
        eprintln!(
            "note: SARIF Multitool not installed in {}: validation skipped (npm install --ignore-scripts --prefix \
             {0} {SARIF_MULTITOOL})",
            dir.display()
        );
        return None;
    }
    // `--ignore-scripts` skips the package's one install step, `chmod u+x`.
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&bin).unwrap().permissions().mode();
    if mode & 0o100 == 0 {
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(mode | 0o100)).unwrap();
    }
    Some(bin)
}

/// Validates each log; returns every error and warning the Multitool reports, as
/// `file: RULE message`.
fn multitool_findings(tool: &Path, dir: &Path, logs: &[(&str, &str)]) -> Vec<String> {
    let mut files = Vec::new();
    for (name, text) in logs {
        let file = dir.join(format!("{name}.sarif"));
        std::fs::write(&file, text).unwrap();
        files.push(file);
    }
    let report = dir.join("multitool-report.sarif");
    let _ = std::fs::remove_file(&report);
    let out = Command::new(tool)
        .args(["validate", "--rule-kind", "Sarif;Gh;Ghas", "-o"])
        .arg(&report)
        .args(&files)
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .unwrap();
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && report.is_file(),
        "the Multitool failed:\n{console}"
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let mut problems = Vec::new();
    for run in doc["runs"].as_array().unwrap() {
        for r in run["results"].as_array().into_iter().flatten() {
            // A result's level defaults to "warning".
            let level = r["level"].as_str().unwrap_or("warning");
            if level == "error" || level == "warning" {
                problems.push(format!(
                    "{} {level} {}: {}",
                    r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    r["ruleId"],
                    r["message"]
                ));
            }
        }
    }
    if !problems.is_empty() {
        problems.push(console);
    }
    problems
}

/// Every way `log` breaks the SARIF 2.1.0 JSON schema (the copy the Multitool ships).
fn schema_violations(tool: &Path, log: &str) -> Vec<String> {
    let schema: Value =
        serde_json::from_slice(&std::fs::read(tool.with_file_name("sarif-2.1.0.json")).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let doc: Value = serde_json::from_str(log).unwrap();
    validator
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Asserts that each of `logs` matches the SARIF 2.1.0 schema and that the Multitool finds
/// nothing wrong with it (when the Multitool, which ships the schema, is installed).
pub fn assert_valid(dir: &Path, logs: &[(&str, &str)]) {
    if let Some(tool) = multitool() {
        for (name, log) in logs {
            let v = schema_violations(&tool, log);
            assert!(
                v.is_empty(),
                "{name} breaks the SARIF 2.1.0 schema:\n{}",
                v.join("\n")
            );
        }
        let problems = multitool_findings(&tool, dir, logs);
        assert!(problems.is_empty(), "SARIF Multitool:\n{}", problems.join("\n"));
    }
}

/// `(uri or logical name, startLine)` of every result.
fn places(doc: &Value) -> Vec<(String, Option<u64>)> {
    let mut v: Vec<_> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0];
            match loc["physicalLocation"]["artifactLocation"]["uri"].as_str() {
                Some(uri) => {
                    assert_eq!(
                        loc["physicalLocation"]["artifactLocation"]["uriBaseId"], "%SRCROOT%",
                        "{r}"
                    );
                    (
                        uri.to_string(),
                        loc["physicalLocation"]["region"]["startLine"].as_u64(),
                    )
                }
                None => (
                    loc["logicalLocations"][0]["fullyQualifiedName"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    None,
                ),
            }
        })
        .collect();
    v.sort();
    v
}

fn sarif(run: &Run) -> Value {
    let doc = json(run);
    assert_eq!(doc["version"], "2.1.0");
    doc
}

/// A repository with a remote whose URL holds a credential, a token in a subdirectory's
/// file and (committed) in a commit message; `value` stands for the token (a placeholder
/// for the negative twin).
fn scenario(value: &str) -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    repo.initial_commit();
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://ci-user:hunter2-credential@example.com/acme/app.git",
    ])
    .code(0);
    let base = repo.head();
    repo.write(
        "sub/app.env",
        format!("# config\nINTERCOM_ACCESS_TOKEN={value}\n"),
    );
    repo.write("other/b.env", format!("T={value}\n"));
    repo.git(&["add", "."]).code(0);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        &format!("add config\n\nused {value} to test"),
    ])
    .code(0);
    let tip = repo.head();
    (repo, base, tip)
}

#[test]
fn results_are_placed_at_the_repository_root_from_any_directory_and_validate() {
    let t = token();
    let (repo, base, tip) = scenario(&t.b64());
    let root = repo.root.clone();
    let sub = root.join("sub");
    let abs_sub = sub.to_str().unwrap().to_string();
    let range = format!("{base}..{tip}");
    let runs: Vec<(&str, Run)> = vec![
        (
            "root",
            repo.intercept_in(&root, &["scan", "--format", "sarif", "."]),
        ),
        (
            "subdir",
            repo.intercept_in(&sub, &["scan", "--format", "sarif", ".", "../other"]),
        ),
        // An absolute path, from outside the repository.
        (
            "absolute",
            repo.intercept_in(repo.scratch.path(), &["scan", "--format", "sarif", &abs_sub]),
        ),
        (
            "range",
            repo.intercept_in(&sub, &["scan", "--format", "sarif", "--range", &range]),
        ),
        (
            "all",
            repo.intercept_in(&sub, &["scan", "--format", "sarif", "--all"]),
        ),
    ];
    let file = |p: &str, line| (p.to_string(), Some(line));
    let message = (format!("commit {tip}"), None);
    let expected: Vec<Vec<(String, Option<u64>)>> = vec![
        vec![file("other/b.env", 1), file("sub/app.env", 2)],
        vec![file("other/b.env", 1), file("sub/app.env", 2)],
        vec![file("sub/app.env", 2)],
        vec![message.clone(), file("other/b.env", 1), file("sub/app.env", 2)],
        vec![message.clone(), file("other/b.env", 1), file("sub/app.env", 2)],
    ];
    let mut logs = Vec::new();
    for ((name, run), want) in runs.iter().zip(&expected) {
        run.code(1);
        let doc = sarif(run);
        let mut want = want.clone();
        want.sort();
        assert_eq!(places(&doc), want, "{name}: {}", run.stdout);
        let r0 = &doc["runs"][0];
        let root_uri = format!("file://{}/", root.canonicalize().unwrap().display());
        assert_eq!(
            r0["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            root_uri.as_str(),
            "{name}"
        );
        let vcs = &r0["versionControlProvenance"][0];
        assert_eq!(vcs["repositoryUri"], "https://example.com/acme/app.git", "{name}");
        assert_eq!(vcs["revisionId"], tip.as_str(), "{name}");
        assert_eq!(vcs["branch"], "main", "{name}");
        assert!(
            !run.stdout.contains("hunter2"),
            "{name}: a remote's credential reached the report"
        );
        let driver = &r0["tool"]["driver"];
        assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
        assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));
        assert!(driver["rules"][0]["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("revoke"));
        let category = r0["automationDetails"]["id"].as_str().unwrap();
        assert!(category.starts_with("intercept/"), "{category}");
        for r in r0["results"].as_array().unwrap() {
            assert_eq!(r["properties"]["fingerprint"], t.fingerprint().as_str());
            if *name == "range" || *name == "all" {
                assert_eq!(r["properties"]["commit"], tip.as_str(), "{name}: {r}");
            }
        }
        logs.push((*name, run.stdout.clone()));
    }
    // The commit message is a logical location, never a made-up file.
    assert!(
        !runs[3].1.stdout.contains("commit%20message"),
        "{}",
        runs[3].1.stdout
    );

    // Staged: the same file, not yet committed.
    repo.write("sub/new.env", format!("X={}\n", t.b64()));
    repo.git(&["add", "sub/new.env"]).code(0);
    let staged = repo.intercept_in(&sub, &["scan", "--format", "sarif", "--staged"]);
    staged.code(1);
    assert_eq!(
        places(&sarif(&staged)),
        vec![("sub/new.env".to_string(), Some(1))]
    );
    logs.push(("staged", staged.stdout.clone()));

    let logs: Vec<(&str, &str)> = logs.iter().map(|(n, s)| (*n, s.as_str())).collect();
    assert_valid(repo.scratch.path(), &logs);
}

#[test]
fn placeholders_give_empty_logs_that_validate() {
    let (repo, base, tip) = scenario(PLACEHOLDER);
    let sub = repo.root.join("sub");
    let range = format!("{base}..{tip}");
    let mut logs = Vec::new();
    for (name, args) in [
        ("root", vec!["scan", "--format", "sarif", "."]),
        ("subdir", vec!["scan", "--format", "sarif", ".", "../other"]),
        ("range", vec!["scan", "--format", "sarif", "--range", &range]),
        ("all", vec!["scan", "--format", "sarif", "--all"]),
        ("staged", vec!["scan", "--format", "sarif", "--staged"]),
    ] {
        let run = repo.intercept_in(&sub, &args);
        run.code(0);
        let doc = sarif(&run);
        assert_eq!(doc["runs"][0]["results"], serde_json::json!([]), "{name}");
        logs.push((name, run.stdout.clone()));
    }
    let logs: Vec<(&str, &str)> = logs.iter().map(|(n, s)| (*n, s.as_str())).collect();
    assert_valid(repo.scratch.path(), &logs);
}

/// The partial fingerprints of a log's results, by place.
fn partial_fingerprints(doc: &Value) -> Vec<(String, String)> {
    let mut v: Vec<_> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0];
            let place = loc["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .or(loc["logicalLocations"][0]["fullyQualifiedName"].as_str())
                .unwrap()
                .to_string();
            (
                place,
                r["partialFingerprints"]["intercept/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn partial_fingerprints_are_stable_across_runs_and_commits_and_differ_by_place() {
    let t = token();
    let (repo, ..) = scenario(&t.b64());
    let first = partial_fingerprints(&sarif(
        &repo.intercept_in(&repo.root, &["scan", "--format", "sarif", "."]),
    ));
    // Another commit, and the scan run from a subdirectory.
    repo.commit_file("README.md", "# changed\n", "docs").code(0);
    let sub = repo.root.join("sub");
    let second = partial_fingerprints(&sarif(
        &repo.intercept_in(&sub, &["scan", "--format", "sarif", ".."]),
    ));
    assert_eq!(first, second);
    assert_eq!(first.len(), 2);
    // One token in two files: two alerts.
    assert_ne!(first[0].1, first[1].1);
    // Derived from the fingerprint and the place, never the token: neither value appears.
    for (_, fp) in &first {
        assert_ne!(fp, &t.fingerprint());
        assert_eq!(fp.len(), 64);
    }
    // Negative twin: another token at the same place is another alert.
    let u = token();
    repo.write(
        "sub/app.env",
        format!("# config\nINTERCOM_ACCESS_TOKEN={}\n", u.b64()),
    );
    let third = partial_fingerprints(&sarif(
        &repo.intercept_in(&repo.root, &["scan", "--format", "sarif", "."]),
    ));
    assert_eq!(third[0], first[0]);
    assert_ne!(third[1], first[1]);
}

#[test]
fn outside_a_repository_uris_are_relative_to_the_current_directory_or_absolute() {
    let repo = TestRepo::new();
    let t = token();
    // No repository here: the scratch directory itself.
    let s = &repo.scratch;
    s.write("plain/cfg/a.env", format!("T={}\n", t.b64()));
    s.write("elsewhere/b.env", format!("T={}\n", t.b64()));
    let run = s.intercept("plain", ["scan", "--format", "sarif", "cfg", "../elsewhere"]);
    run.code(1);
    let doc = sarif(&run);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let mut uris: Vec<(String, Option<String>)> = results
        .iter()
        .map(|r| {
            let a = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            (
                a["uri"].as_str().unwrap().to_string(),
                a["uriBaseId"].as_str().map(str::to_string),
            )
        })
        .collect();
    uris.sort();
    let elsewhere = format!(
        "file://{}/elsewhere/b.env",
        s.path().canonicalize().unwrap().display()
    );
    assert_eq!(
        uris,
        vec![
            ("cfg/a.env".to_string(), Some("%SRCROOT%".to_string())),
            (elsewhere, None),
        ]
    );
    assert!(doc["runs"][0].get("versionControlProvenance").is_none());
    assert_valid(s.path(), &[("outside", run.stdout.as_str())]);

    // Negative twin.
    s.write("plain/cfg/a.env", format!("T={PLACEHOLDER}\n"));
    s.write("elsewhere/b.env", format!("T={PLACEHOLDER}\n"));
    let run = s.intercept("plain", ["scan", "--format", "sarif", "cfg", "../elsewhere"]);
    run.code(0);
    assert_eq!(sarif(&run)["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn the_validator_catches_what_github_would_misplace() {
    // The check itself has a twin: a log with an absolute URI under a base id, and no
    // informationUri, must fail validation (else a passing validation proves nothing).
    let Some(tool) = multitool() else { return };
    let dir = tempfile::tempdir().unwrap();
    let bad = r#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"r"}]}},"results":[{"ruleId":"r","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"/tmp/x.env","uriBaseId":"%SRCROOT%"}}}]}]}]}"#;
    let problems = multitool_findings(&tool, dir.path(), &[("bad", bad)]);
    assert!(problems.iter().any(|p| p.contains("SARIF1004")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("SARIF2005")), "{problems:?}");
    let schema_bad = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{}},"results":[]}]}"#;
    let problems = multitool_findings(&tool, dir.path(), &[("schema", schema_bad)]);
    assert!(!problems.is_empty(), "a log the schema rejects passed");
    assert!(
        !schema_violations(&tool, schema_bad).is_empty(),
        "the schema check passed a driver without a name"
    );
}

#[test]
fn suppressed_archived_and_named_results_validate() {
    let repo = TestRepo::new();
    repo.initial_commit();
    let t = token();
    // An inline-allowed token (a suppression), a token in a gzip file (no region: its line
    // is not a place in the file), and a token used as a file name.
    repo.write("tests/fixture.env", format!("T={} # intercept:allow\n", t.b64()));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, format!("\n\nT={}\n", t.b64()).as_bytes()).unwrap();
    repo.write("logs/app.log.gz", gz.finish().unwrap());
    repo.write(format!("names/{}.txt", t.b64()), "x\n");
    let run = repo.intercept_in(&repo.root, &["scan", "--format", "sarif", "--show-allowed", "."]);
    run.code(1);
    let doc = sarif(&run);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let by_uri = |prefix: &str| {
        results
            .iter()
            .find(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .is_some_and(|u| u.starts_with(prefix))
            })
            .unwrap_or_else(|| panic!("no result for {prefix}: {}", run.stdout))
    };
    let allowed = by_uri("tests/fixture.env");
    assert_eq!(allowed["suppressions"][0]["kind"], "inSource");
    let gz = by_uri("logs/app.log.gz");
    assert_eq!(
        gz["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({ "startLine": 1 }),
        "{gz}"
    );
    assert_eq!(gz["properties"]["via"], serde_json::json!(["gzip"]));
    assert_eq!(gz["properties"]["line"], 3);
    // A token used as a file name is a logical location (a URI would carry the secret).
    let named = results
        .iter()
        .find(|r| r["properties"]["subject"] == "path-name")
        .unwrap_or_else(|| panic!("no path-name result: {}", run.stdout));
    let logical = &named["locations"][0]["logicalLocations"][0];
    assert_eq!(logical["name"], "file name");
    assert!(
        logical["fullyQualifiedName"].as_str().unwrap().contains("names/"),
        "{named}"
    );
    assert_valid(repo.scratch.path(), &[("mixed", run.stdout.as_str())]);

    // Negative twin: placeholders, no results.
    std::fs::remove_dir_all(repo.root.join("names")).unwrap();
    repo.write(
        "tests/fixture.env",
        format!("T={PLACEHOLDER} # intercept:allow\n"),
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, format!("T={PLACEHOLDER}\n").as_bytes()).unwrap();
    repo.write("logs/app.log.gz", gz.finish().unwrap());
    let run = repo.intercept_in(&repo.root, &["scan", "--format", "sarif", "--show-allowed", "."]);
    run.code(0);
    assert_eq!(sarif(&run)["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn tag_messages_and_standard_input_are_logical_locations_that_validate() {
    for with_token in [true, false] {
        let repo = TestRepo::new();
        repo.initial_commit();
        let value = if with_token {
            token().b64()
        } else {
            PLACEHOLDER.to_string()
        };
        repo.git(&["tag", "-a", "v1", "-m", &format!("release {value}")])
            .code(0);
        let tag = repo.git(&["rev-parse", "v1"]).stdout.trim().to_string();
        let all = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "sarif"]);
        // Standard input.
        let mut cmd = crate::support::hermetic(crate::support::bin(), &repo.home());
        cmd.current_dir(&repo.root)
            .args(["scan", "--format", "sarif", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), format!("T={value}\n").as_bytes()).unwrap();
        drop(child.stdin.take());
        let out = child.wait_with_output().unwrap();
        let stdin_log = String::from_utf8(out.stdout).unwrap();
        let code = if with_token { 1 } else { 0 };
        all.code(code);
        assert_eq!(out.status.code(), Some(code));
        if with_token {
            assert!(!stdin_log.contains(&value) && !all.stdout.contains(&value));
            let doc = sarif(&all);
            assert_eq!(places(&doc), vec![(format!("tag {tag}"), None)]);
            let doc: Value = serde_json::from_str(&stdin_log).unwrap();
            assert_eq!(places(&doc), vec![("standard input".to_string(), None)]);
        }
        assert_valid(
            repo.scratch.path(),
            &[("tag", all.stdout.as_str()), ("stdin", stdin_log.as_str())],
        );
    }
}

#[test]
fn the_repository_uri_is_the_url_fetches_use_and_never_a_look_alike() {
    let (repo, _, _) = scenario(PLACEHOLDER);
    let uri = |repo: &TestRepo| {
        let run = repo.intercept_in(&repo.root, &["scan", "--format", "sarif", "--staged"]);
        run.code(0);
        sarif(&run)["runs"][0]["versionControlProvenance"][0]["repositoryUri"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // `url.<base>.insteadOf` rewrites the remote's URL, as git's fetch would.
    repo.git(&["remote", "set-url", "origin", "forge:acme/app.git"])
        .code(0);
    repo.git(&["config", "url.https://forge.example.com/.insteadOf", "forge:"])
        .code(0);
    assert_eq!(uri(&repo), "https://forge.example.com/acme/app.git");
    // curl connects to 127.0.0.1 here, whatever the text after `?` says.
    repo.git(&["remote", "set-url", "origin", "https://127.0.0.1:9?@github.com/r"])
        .code(0);
    let shown = uri(&repo);
    assert!(shown.starts_with("https://127.0.0.1:9/"), "{shown}");
}

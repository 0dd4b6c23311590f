//! The JSON report against its published schema (`docs/report.schema.json`): real output
//! of every kind of scan, with every optional field present somewhere, must validate; the
//! schema forbids fields it does not describe, and `docs/output.md` documents each one.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::support::{json, token, Run, TestRepo, PLACEHOLDER};

fn schema() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Every way `doc` breaks the schema.
fn violations(doc: &Value) -> Vec<String> {
    let schema = schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[track_caller]
pub(crate) fn assert_valid(name: &str, run: &Run) -> Value {
    let doc = json(run);
    let v = violations(&doc);
    assert!(
        v.is_empty(),
        "{name}: the report breaks docs/report.schema.json:\n{}\n{}",
        v.join("\n"),
        run.stdout
    );
    doc
}

/// The keys of every object in `doc` (findings, allowed, messages, scanned).
fn keys(doc: &Value, out: &mut BTreeSet<String>) {
    match doc {
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| keys(i, out)),
        _ => {}
    }
}

/// Runs every kind of scan over `value` (a token, or a placeholder for the twin).
fn reports(repo: &TestRepo, value: &str) -> Vec<(&'static str, Run)> {
    repo.initial_commit();
    let base = repo.head();
    // A file, a non-UTF-8 name, a gzip file, an inline-allowed token, an LFS pointer whose
    // object is missing (a notice), a commit message and an annotated tag message.
    repo.write("config/app.env", format!("INTERCOM_ACCESS_TOKEN={value}\n"));
    let odd = std::ffi::OsStr::from_bytes(b"odd-\xff.env");
    std::fs::write(repo.root.join(odd), format!("T={value}\n")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(format!("T={value}\n").as_bytes()).unwrap();
    repo.write("logs/a.log.gz", gz.finish().unwrap());
    repo.write("tests/fixture.env", format!("T={value} # intercept:allow\n"));
    repo.write(
        "assets/model.bin",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
    );
    repo.git(&["add", "-A"]).code(0);
    repo.git(&["commit", "-q", "-m", &format!("config\n\ntried {value}")])
        .code(0);
    repo.git(&["tag", "-a", "v1", "-m", &format!("release {value}")])
        .code(0);
    let range = format!("{base}..HEAD");
    let root = &repo.root;
    vec![
        (
            "files",
            repo.intercept_in(root, &["scan", "--format", "json", "--show-allowed", "."]),
        ),
        // A path that does not exist: an error entry.
        (
            "missing",
            repo.intercept_in(root, &["scan", "--format", "json", "config", "no-such-dir"]),
        ),
        (
            "range",
            repo.intercept_in(root, &["scan", "--format", "json", "--range", &range]),
        ),
        (
            "all",
            repo.intercept_in(root, &["scan", "--format", "json", "--all"]),
        ),
        (
            "staged-empty",
            repo.intercept_in(root, &["scan", "--format", "json", "--staged"]),
        ),
    ]
}

use std::os::unix::ffi::OsStrExt as _;

#[test]
fn every_kind_of_report_validates_against_the_published_schema() {
    let repo = TestRepo::new();
    let t = token();
    let runs = reports(&repo, &t.b64());
    let mut seen = BTreeSet::new();
    for (name, run) in &runs {
        let doc = assert_valid(name, run);
        keys(&doc, &mut seen);
        match *name {
            "files" | "range" | "all" => assert!(!doc["findings"].as_array().unwrap().is_empty(), "{name}"),
            _ => {}
        }
    }
    // History findings say who committed the token and when.
    let range = json(&runs[2].1);
    for f in range["findings"].as_array().unwrap() {
        assert_eq!(f["author"], "Ada Tester <ada@example.com>", "{f}");
        assert_eq!(f["date"], "2026-01-01T00:00:00+00:00", "{f}");
        assert!(f["commit"].is_string(), "{f}");
    }
    let all = json(&runs[3].1);
    let message = all["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"] == "commit-message")
        .unwrap();
    assert_eq!(message["author"], "Ada Tester <ada@example.com>");
    // Every optional field appeared in some real report, so each was checked against the schema.
    for field in [
        "path_bytes",
        "via",
        "commit",
        "tag",
        "blob",
        "author",
        "date",
        "ref",
        "reason",
        "end_line",
        "end_column",
    ] {
        assert!(seen.contains(field), "no report had `{field}`: {seen:?}");
    }
    assert!(!json(&runs[1].1)["errors"].as_array().unwrap().is_empty());
}

#[test]
fn placeholder_reports_validate_and_find_nothing() {
    let repo = TestRepo::new();
    for (name, run) in reports(&repo, PLACEHOLDER) {
        let doc = assert_valid(name, &run);
        assert_eq!(doc["findings"], serde_json::json!([]), "{name}");
    }
}

#[test]
fn the_schema_rejects_undocumented_fields_and_wrong_types() {
    let repo = TestRepo::new();
    let t = token();
    repo.write("a.env", format!("T={}\n", t.b64()));
    let run = repo.intercept_in(&repo.root, &["scan", "--format", "json", "."]);
    let doc = assert_valid("plain", &run);
    let mut extra = doc.clone();
    extra["findings"][0]["surprise"] = Value::from(1);
    assert!(!violations(&extra).is_empty(), "an undocumented field passed");
    let mut wrong = doc.clone();
    wrong["findings"][0]["line"] = Value::from("2");
    assert!(!violations(&wrong).is_empty(), "a string line passed");
    let mut missing = doc;
    missing["findings"][0]
        .as_object_mut()
        .unwrap()
        .remove("fingerprint");
    assert!(
        !violations(&missing).is_empty(),
        "a finding without its fingerprint passed"
    );
}

#[test]
fn docs_describe_every_field_of_the_schema() {
    let output =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/output.md")).unwrap();
    let mut fields = BTreeSet::new();
    fn collect(v: &Value, out: &mut BTreeSet<String>) {
        if let Some(props) = v.get("properties").and_then(Value::as_object) {
            out.extend(props.keys().cloned());
        }
        match v {
            Value::Object(m) => m.values().for_each(|x| collect(x, out)),
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    collect(&schema(), &mut fields);
    assert!(fields.len() > 20, "{fields:?}");
    for f in &fields {
        assert!(
            output.contains(&format!("`{f}`")),
            "docs/output.md does not describe `{f}`"
        );
    }
}

//! The JSON format (documented in `docs/output.md`).
//!
//! `{"version": 1, "findings": [...], "allowed": [...], "scanned": {...}, "errors": [...]}`. A path that is
//! not UTF-8 is given lossily in `path` and exactly, as base64 of its bytes, in
//! `path_bytes`.

use std::io::{self, Write};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Serialize;

use super::Summary;
use crate::finding::Finding;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    allowed: Vec<JsonFinding<'a>>,
    scanned: Scanned,
    errors: Vec<JsonError>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_bytes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blob: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    line: u64,
    column: u64,
    kind: &'static str,
    encoding: &'static str,
    redacted: &'a str,
    fingerprint: String,
    /// Why it is allowed (only in `allowed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

fn json_finding<'a>(f: &'a Finding, reason: Option<&'a str>) -> JsonFinding<'a> {
    let (path, path_bytes) = path_fields(&f.origin.path);
    JsonFinding {
        path,
        path_bytes,
        commit: f.origin.commit.as_deref(),
        blob: f.origin.blob.as_deref(),
        date: f.origin.date.as_deref(),
        reference: f.origin.reference.as_deref(),
        line: f.line,
        column: f.column,
        kind: f.kind.id(),
        encoding: f.encoding.id(),
        redacted: f.redacted.as_str(),
        fingerprint: f.fingerprint.hex(),
        reason,
    }
}

#[derive(Serialize)]
struct Scanned {
    files: u64,
    bytes: u64,
    skipped: u64,
}

#[derive(Serialize)]
struct JsonError {
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_bytes: Option<String>,
    message: String,
}

/// `path` (lossy) and, when the bytes are not UTF-8, `path_bytes` (exact).
pub(super) fn path_fields(path: &[u8]) -> (String, Option<String>) {
    match std::str::from_utf8(path) {
        Ok(s) => (s.to_string(), None),
        Err(_) => (
            String::from_utf8_lossy(path).into_owned(),
            Some(STANDARD.encode(path)),
        ),
    }
}

pub fn write(findings: &[Finding], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        version: 1,
        findings: findings.iter().map(|f| json_finding(f, None)).collect(),
        allowed: summary
            .allowed
            .iter()
            .map(|a| json_finding(&a.finding, Some(a.why.as_str())))
            .collect(),
        scanned: Scanned {
            files: summary.files,
            bytes: summary.bytes,
            skipped: summary.skipped,
        },
        errors: summary
            .problems
            .iter()
            .map(|p| {
                let (path, path_bytes) = match &p.path {
                    Some(bytes) => {
                        let (path, exact) = path_fields(bytes);
                        (Some(path), exact)
                    }
                    None => (None, None),
                };
                JsonError {
                    path,
                    path_bytes,
                    message: p.message.clone(),
                }
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

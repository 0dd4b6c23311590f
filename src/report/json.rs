//! The JSON format (documented in `docs/output.md`).
//!
//! `{"version": 1, "findings": [...], "allowed": [...], "notices": [...], "scanned": {...},
//! "errors": [...]}`. Findings are written as they arrive, one per line; allowed ones,
//! problems and notices are kept (compactly, already serialized) until the end. A path
//! that is not UTF-8 is given lossily in `path` and exactly, as base64 of its bytes, in
//! `path_bytes`.

use std::io::{self, Write};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Serialize;

use crate::allowlist::Allowed;
use crate::finding::{Finding, Verification};
use crate::origin::Subject;
use crate::scan::{Notice, Problem, Sink, Summary};

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_bytes: Option<String>,
    /// What the bytes are: `content`, `path-name`, `commit-message`, `tag-message`, `ref-name`.
    subject: &'static str,
    /// Archive members, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    members: Vec<String>,
    /// Decoders applied, outermost first (`gzip`, `zip`, `utf-16le`, `lfs`, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    via: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blob: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    line: u64,
    column: u64,
    end_line: u64,
    end_column: u64,
    kind: &'static str,
    encoding: &'static str,
    redacted: &'a str,
    fingerprint: String,
    /// Why it is allowed (only in `allowed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    /// The remotes that already have the commit (`.`: this bare repository itself); only
    /// for findings in commits (`--all`, `--range`), empty when only this clone has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    remotes: Option<Vec<&'a str>>,
    /// When `remotes` is empty: why a remote may hold the commit anyway.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    remotes_unsure: Vec<&'a str>,
    /// The local branches whose history holds the commit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    branches: Vec<&'a str>,
    /// With `--verify`: what Intercom said of the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<JsonVerification<'a>>,
}

#[derive(Serialize)]
struct JsonVerification<'a> {
    /// `live`, `invalid` or `unknown`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    workspace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    app_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    /// The admin the token acts as, email masked (`j…@acme.com`).
    #[serde(skip_serializing_if = "Option::is_none")]
    admin: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

fn json_verification(v: &Verification) -> JsonVerification<'_> {
    let w = v.workspace.as_ref();
    JsonVerification {
        status: v.status.id(),
        workspace: w.and_then(|w| w.name.as_deref()),
        app_id: w.and_then(|w| w.app_id.as_deref()),
        region: w.and_then(|w| w.region.as_deref()),
        admin: w.and_then(|w| w.admin.as_deref()),
        reason: v.reason.as_deref(),
    }
}

fn json_finding<'a>(f: &'a Finding, reason: Option<&'a str>) -> JsonFinding<'a> {
    let (path, path_bytes) = match f.origin.subject {
        // A message is no file: its path says what it is.
        s if s.is_object_text() || s == Subject::PushOption => (f.origin.label(), None),
        Subject::PathName if f.origin.path.is_empty() => (f.origin.label(), None),
        _ => path_fields(&f.origin.path_text()),
    };
    JsonFinding {
        path,
        path_bytes,
        subject: f.origin.subject.id(),
        members: f
            .origin
            .members
            .iter()
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .collect(),
        via: f.origin.via.iter().map(|v| v.id()).collect(),
        commit: f.origin.commit.map(|c| c.to_string()),
        tag: f.origin.tag.map(|t| t.to_string()),
        blob: f.origin.blob.map(|b| b.to_string()),
        author: f.origin.author.as_deref(),
        date: f.origin.date.as_deref(),
        reference: f.origin.reference.as_deref(),
        line: f.line,
        column: f.column,
        end_line: f.end_line,
        end_column: f.end_column,
        kind: f.kind.id(),
        encoding: f.encoding.id(),
        redacted: f.redacted.as_str(),
        fingerprint: f.fingerprint.hex(),
        reason,
        remotes: f
            .origin
            .remotes
            .as_ref()
            .map(|r| r.iter().map(|r| r.name.as_str()).collect()),
        remotes_unsure: f.origin.doubts.iter().map(String::as_str).collect(),
        branches: f.origin.branches.iter().map(String::as_str).collect(),
        verification: f.verification.as_ref().map(json_verification),
    }
}

#[derive(Serialize)]
struct JsonMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path_bytes: Option<String>,
    message: String,
}

fn json_message(path: Option<&[u8]>, message: &str) -> JsonMessage {
    let (path, path_bytes) = match path {
        Some(bytes) if !bytes.is_empty() => {
            let (path, exact) = path_fields(bytes);
            (Some(path), exact)
        }
        _ => (None, None),
    };
    JsonMessage {
        path,
        path_bytes,
        message: message.to_string(),
    }
}

/// `path` (lossy) and, when the bytes are not UTF-8, `path_bytes` (exact).
pub(super) fn path_fields(path: &[u8]) -> (String, Option<String>) {
    match std::str::from_utf8(path) {
        Ok(s) => (s.to_string(), None),
        // The bytes are redacted before they are encoded: base64 would hide a token (or
        // most of one) in the path from the output's line-by-line redaction.
        Err(_) => {
            let redacted = crate::redact::detector().redact(path);
            let bytes = redacted.as_deref().unwrap_or(path);
            (
                String::from_utf8_lossy(path).into_owned(),
                Some(STANDARD.encode(bytes)),
            )
        }
    }
}

/// Streams the JSON document to `out`.
pub struct Json<'w> {
    out: &'w mut dyn Write,
    started: bool,
    findings: usize,
    allowed: Vec<String>,
    errors: Vec<String>,
    notices: Vec<String>,
    error: Option<io::Error>,
}

impl<'w> Json<'w> {
    pub fn new(out: &'w mut dyn Write) -> Self {
        Json {
            out,
            started: false,
            findings: 0,
            allowed: Vec::new(),
            errors: Vec::new(),
            notices: Vec::new(),
            error: None,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            write!(self.out, "{{\n  \"version\": 1,\n  \"findings\": [")?;
        }
        Ok(())
    }

    fn keep(&mut self, result: io::Result<()>) {
        if let Err(e) = result {
            self.error.get_or_insert(e);
        }
    }
}

fn compact(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"message\":\"cannot serialize: {e}\"}}"))
}

/// `[\n    a,\n    b\n  ]`
fn array(items: &[String]) -> String {
    if items.is_empty() {
        return "[]".to_string();
    }
    format!("[\n    {}\n  ]", items.join(",\n    "))
}

impl Sink for Json<'_> {
    fn finding(&mut self, finding: &Finding) {
        let r = self.start().and_then(|()| {
            let sep = if self.findings == 0 { "" } else { "," };
            write!(self.out, "{sep}\n    {}", compact(&json_finding(finding, None)))
        });
        self.findings += 1;
        self.keep(r);
    }

    fn allowed(&mut self, allowed: &Allowed) {
        self.allowed.push(compact(&json_finding(
            &allowed.finding,
            Some(allowed.why.as_str()),
        )));
    }

    fn problem(&mut self, problem: &Problem) {
        self.errors
            .push(compact(&json_message(problem.path.as_deref(), &problem.message)));
    }

    fn notice(&mut self, notice: &Notice) {
        self.notices
            .push(compact(&json_message(notice.path.as_deref(), &notice.message)));
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.start()?;
        let close = if self.findings == 0 { "]" } else { "\n  ]" };
        write!(
            self.out,
            "{close},\n  \"allowed\": {},\n  \"notices\": {},\n  \"scanned\": {},\n  \"errors\": {}\n}}\n",
            array(&self.allowed),
            array(&self.notices),
            compact(&match summary.verified {
                None => serde_json::json!({
                    "files": summary.files,
                    "bytes": summary.bytes,
                    "skipped": summary.skipped,
                }),
                Some(v) => serde_json::json!({
                    "files": summary.files,
                    "bytes": summary.bytes,
                    "skipped": summary.skipped,
                    "verified": {"live": v.live, "invalid": v.invalid, "unknown": v.unknown},
                }),
            }),
            array(&self.errors),
        )?;
        self.out.flush()?;
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

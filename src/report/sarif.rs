//! SARIF 2.1.0, as GitHub code scanning accepts it (documented in `docs/output.md`).
//!
//! One rule (`intercom-access-token`), one result per finding with a relative,
//! percent-encoded artifact URI, the region's start and end (code points, declared by
//! `columnKind`), and the token's fingerprint as a `partialFingerprints` entry so GitHub
//! tracks an alert across commits. Allowed tokens are results with a `suppressions` entry
//! (`inSource` for an inline marker, `external` for a config entry) and the reason.
//! Problems become tool execution notifications. Results are written as they arrive.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::describe;
use crate::allowlist::Allowed;
use crate::finding::{Finding, Kind};
use crate::scan::{Notice, Problem, Sink, Summary};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn rule() -> Value {
    let kind = Kind::IntercomAccessToken;
    json!({
        "id": kind.id(),
        "name": "IntercomAccessToken",
        "shortDescription": { "text": "Intercom access token" },
        "fullDescription": {
            "text": "An Intercom access token (base64 of tok:<uuid>:<a>:<b>) grants API access to an Intercom workspace."
        },
        "help": {
            "text": super::human::ADVICE,
            "markdown": "Remove the token and read it from the environment (`INTERCOM_ACCESS_TOKEN`) or a secret manager. If it was ever pushed, shared or committed, generate a new token in the Intercom Developer Hub (your app > Authentication), deploy it, then revoke the old one."
        },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["security", "secret"], "precision": "very-high", "security-severity": "9.0" }
    })
}

fn result(f: &Finding, allowed: Option<&Allowed>) -> Value {
    let mut result = json!({
        "ruleId": f.kind.id(),
        "ruleIndex": 0,
        "level": "error",
        "message": { "text": describe(f) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.origin.path) },
                "region": {
                    "startLine": f.line,
                    "startColumn": f.column,
                    "endLine": f.end_line,
                    "endColumn": f.end_column,
                }
            }
        }],
        "partialFingerprints": { "intercomTokenSha256/v1": f.fingerprint.hex() },
        "properties": { "encoding": f.encoding.id(), "redacted": f.redacted.as_str() }
    });
    if let Some(a) = allowed {
        result["suppressions"] = json!([{
            "kind": if a.inline { "inSource" } else { "external" },
            "justification": a.why
        }]);
    }
    result
}

/// Streams a SARIF log to `out`.
pub struct Sarif<'w> {
    out: &'w mut dyn Write,
    results: usize,
    notifications: Vec<Value>,
    error: Option<io::Error>,
}

impl<'w> Sarif<'w> {
    pub fn new(out: &'w mut dyn Write) -> Self {
        Sarif {
            out,
            results: 0,
            notifications: Vec::new(),
            error: None,
        }
    }

    fn write_result(&mut self, value: &Value) {
        let r = (|| {
            if self.results == 0 {
                let driver = json!({
                    "name": "intercept",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": [rule()]
                });
                write!(
                    self.out,
                    "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [{{\n    \"tool\": {{ \"driver\": {} }},\n    \"columnKind\": \"unicodeCodePoints\",\n    \"results\": [",
                    serde_json::to_string(&driver)?
                )?;
            } else {
                write!(self.out, ",")?;
            }
            write!(self.out, "\n      {}", serde_json::to_string(value)?)
        })();
        self.results += 1;
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
    }
}

impl Sink for Sarif<'_> {
    fn finding(&mut self, finding: &Finding) {
        self.write_result(&result(finding, None));
    }

    fn allowed(&mut self, allowed: &Allowed) {
        self.write_result(&result(&allowed.finding, Some(allowed)));
    }

    fn problem(&mut self, problem: &Problem) {
        let mut n = json!({ "level": "error", "message": { "text": problem.message } });
        if let Some(path) = problem.path.as_deref().filter(|p| !p.is_empty()) {
            n["locations"] = json!([{ "physicalLocation": { "artifactLocation": { "uri": uri(path) } } }]);
        }
        self.notifications.push(n);
    }

    fn notice(&mut self, notice: &Notice) {
        self.notifications
            .push(json!({ "level": "note", "message": { "text": notice.message } }));
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.results == 0 {
            // No result was written: the header first.
            self.results = usize::MAX;
            let driver = json!({
                "name": "intercept",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [rule()]
            });
            write!(
                self.out,
                "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [{{\n    \"tool\": {{ \"driver\": {} }},\n    \"columnKind\": \"unicodeCodePoints\",\n    \"results\": [",
                serde_json::to_string(&driver)?
            )?;
        }
        let invocations = json!([{
            "executionSuccessful": summary.problems == 0,
            "toolExecutionNotifications": self.notifications,
        }]);
        write!(
            self.out,
            "\n    ],\n    \"invocations\": {}\n  }}]\n}}\n",
            serde_json::to_string(&invocations)?
        )?;
        self.out.flush()?;
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// A relative URI reference: unreserved bytes and `/` as they are, every other byte
/// percent-encoded (so non-UTF-8 and odd paths survive), and a leading `./` dropped.
fn uri(path: &[u8]) -> String {
    let path = path.strip_prefix(b"./").unwrap_or(path);
    let mut s = String::with_capacity(path.len());
    for &b in path {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_are_relative_and_percent_encoded() {
        assert_eq!(uri(b"./src/a b.env"), "src/a%20b.env");
        assert_eq!(uri(b"x/\xff\x1b.txt"), "x/%FF%1B.txt");
    }
}

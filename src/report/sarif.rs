//! SARIF 2.1.0, as GitHub code scanning accepts it (documented in `docs/output.md`).
//!
//! One rule (`intercom-access-token`), one result per finding with a relative,
//! percent-encoded artifact URI, the region's line and column (code points, declared by
//! `columnKind`), and the token's fingerprint as a `partialFingerprints` entry so GitHub
//! tracks an alert across commits. Allowed tokens are results with a `suppressions` entry
//! (`inSource` for an inline marker, `external` for a config entry) and the reason.
//! Problems become tool execution notifications.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::Summary;
use crate::finding::{Finding, Kind};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn write(findings: &[Finding], summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let kind = Kind::IntercomAccessToken;
    let rule = json!({
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
    });
    let allowed = summary.allowed.iter().map(|a| (&a.finding, Some(a)));
    let results: Vec<Value> = findings
        .iter()
        .map(|f| (f, None))
        .chain(allowed)
        .map(|(f, allowed): (&Finding, Option<&crate::allowlist::Allowed>)| {
            let mut result = json!({
                "ruleId": f.kind.id(),
                "ruleIndex": 0,
                "level": "error",
                "message": {
                    "text": format!("{} {} ({}, fingerprint {})", f.kind.describe(), f.redacted, f.encoding, f.fingerprint.short())
                },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.origin.path) },
                        "region": { "startLine": f.line, "startColumn": f.column }
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
        })
        .collect();
    let notifications: Vec<Value> = summary
        .problems
        .iter()
        .map(|p| {
            let mut n = json!({ "level": "error", "message": { "text": p.message } });
            if let Some(path) = &p.path {
                n["locations"] =
                    json!([{ "physicalLocation": { "artifactLocation": { "uri": uri(path) } } }]);
            }
            n
        })
        .collect();
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "intercept",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [rule]
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": summary.problems.is_empty(),
                "toolExecutionNotifications": notifications
            }],
            "results": results
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
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

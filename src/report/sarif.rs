//! SARIF 2.1.0, as GitHub code scanning places it (documented in `docs/output.md`).
//!
//! Receives findings and a [`RunInfo`] that the command filled in (the repository root,
//! the current directory of a files scan, version control details); hands on one streamed
//! log. One rule per kind (`intercom-access-token`, `intercom-client-secret`,
//! `intercom-identity-secret`); one result per finding, whose location is:
//!
//! - for a file's content or name: an `artifactLocation` relative to the repository root
//!   (`uriBaseId: "%SRCROOT%"`, the root itself in `originalUriBaseIds`), whatever the
//!   current directory or the path argument; a file outside the root gets an absolute
//!   `file://` URI;
//! - for a commit or tag message, a ref name or standard input: a logical location, never a
//!   made-up file.
//!
//! `partialFingerprints` are a hash of the token's fingerprint and the location (path, or
//! commit for a message), so an alert stays the same across runs and commits and two places
//! holding one token are two alerts; the token itself is never hashed here (only its
//! fingerprint is known). Allowed tokens are results with a `suppressions` entry (`inSource`
//! for an inline marker, `external` for a config entry). Problems become tool execution
//! notifications. Results are written as they arrive.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::describe;
use crate::allowlist::Allowed;
use crate::finding::{Finding, Kind};
use crate::origin::{Origin, Subject, Unnamed};
use crate::path::{lexical, os_bytes, percent_encode as encode};
use crate::scan::{Notice, Problem, Sink, Summary};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base id relative artifact URIs use (GitHub's convention).
pub const SRCROOT: &str = "%SRCROOT%";

/// The `partialFingerprints` key: version 1 of "token fingerprint + location".
pub const FINGERPRINT_KEY: &str = "intercept/v1";

/// Where Intercom documents access tokens (the rule's `helpUri`).
const HELP_URI: &str = "https://developers.intercom.com/docs/build-an-integration/learn-more/authentication";

/// What the log says about where it was made. Filled in by the command; the sink knows
/// nothing about git.
#[derive(Clone, Debug, Default)]
pub struct RunInfo {
    /// The absolute directory relative URIs start from (`%SRCROOT%`): the repository's work
    /// tree, or the current directory outside one. `None` for a bare repository (paths are
    /// then relative to the repository's tree, and no local directory holds them).
    pub root: Option<PathBuf>,
    /// For a files scan: the directory the finding paths are relative to (they are as the
    /// user named them). `None`: paths are repository-relative already (git sources).
    pub cwd: Option<PathBuf>,
    pub vcs: Option<Vcs>,
    /// `automationDetails.id`: `intercept/<what was scanned>/<run>`; GitHub takes the part
    /// before the last `/` as the analysis category.
    pub automation_id: String,
}

/// `versionControlProvenance[0]`.
#[derive(Clone, Debug, Default)]
pub struct Vcs {
    /// The remote's URL without credentials, or the repository's `file://` URL.
    pub repository_uri: String,
    pub revision_id: Option<String>,
    pub branch: Option<String>,
}

/// The rule of one kind: what it is, and what to do (the block message's advice).
fn rule(kind: Kind) -> Value {
    let (name, full, markdown, precision, severity) = match kind {
        Kind::IntercomAccessToken => (
            "IntercomAccessToken",
            "An Intercom access token (base64 of tok:<uuid>:<a>:<b>) grants API access to an Intercom workspace.",
            "Remove the token and read it from the environment (`INTERCOM_ACCESS_TOKEN`) or a secret manager; keep `.env` files in `.gitignore`.\n\nIf it was ever pushed, shared or committed, treat it as leaked: generate a new token in the Intercom Developer Hub (your app > Authentication), deploy it, then revoke the old one.\n\nIf it is a deliberate fake (a test fixture), generate it when the test runs, or allow it with `intercept allow <fingerprint> --reason '...'`.",
            "very-high",
            "9.0",
        ),
        Kind::IntercomClientSecret => (
            "IntercomClientSecret",
            "An Intercom app's client secret (found by its name, assigned a literal that looks generated) finishes OAuth exchanges and is the HMAC-SHA1 key of the app's webhook signatures: with it anyone can forge webhooks.",
            "Remove the secret and read it from the environment (`INTERCOM_CLIENT_SECRET`) or a secret manager; keep `.env` files in `.gitignore`.\n\nIf it was ever pushed, shared or committed, treat it as leaked: regenerate the client secret in the Intercom Developer Hub (your app > Basic information / Authentication), deploy the new one wherever webhooks are verified and OAuth is completed.\n\nIf it is a deliberate fake (a test fixture), generate it when the test runs, or allow it with `intercept allow <fingerprint> --reason '...'`.",
            "high",
            "8.0",
        ),
        Kind::IntercomIdentitySecret => (
            "IntercomIdentitySecret",
            "An Intercom Identity Verification secret (found by its name, assigned a literal that looks generated) is the HMAC-SHA256 key of the Messenger's user_hash and JWTs: with it anyone can impersonate any user in the Messenger.",
            "Remove the secret and read it from the environment (`INTERCOM_IDENTITY_SECRET`) or a secret manager; keep `.env` files in `.gitignore`.\n\nIf it was ever pushed, shared or committed, treat it as leaked: regenerate the Identity Verification secret in Intercom's Messenger security settings (Developer Hub), then redeploy the server that signs `user_hash` with the new one.\n\nIf it is a deliberate fake (a test fixture), generate it when the test runs, or allow it with `intercept allow <fingerprint> --reason '...'`.",
            "high",
            "8.0",
        ),
    };
    json!({
        "id": kind.id(),
        "name": name,
        "shortDescription": { "text": kind.describe() },
        "fullDescription": { "text": full },
        "helpUri": HELP_URI,
        "help": {
            "text": super::human::advice(kind),
            "markdown": markdown
        },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["security", "secret"], "precision": precision, "security-severity": severity }
    })
}

/// `file:///abs/dir/` (with the trailing slash a base URI needs).
fn directory_uri(dir: &Path) -> String {
    let mut uri = format!("file://{}", encode(os_bytes(dir.as_os_str())));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// True when the finding's line and column are positions in the file at its path (not in
/// a decompressed or unpacked view of it).
fn region_in_file(origin: &Origin) -> bool {
    origin.members.is_empty() && origin.via.iter().all(|v| v.keeps_positions)
}

fn logical(name: &str, fully_qualified: &str) -> Value {
    json!({ "logicalLocations": [{ "name": name, "fullyQualifiedName": fully_qualified, "kind": "resource" }] })
}

/// Streams a SARIF log to `out`.
pub struct Sarif<'w> {
    out: &'w mut dyn Write,
    info: RunInfo,
    started: bool,
    results: usize,
    notifications: Vec<Value>,
    error: Option<io::Error>,
}

impl<'w> Sarif<'w> {
    pub fn new(out: &'w mut dyn Write, info: RunInfo) -> Self {
        Sarif {
            out,
            info,
            started: false,
            results: 0,
            notifications: Vec::new(),
            error: None,
        }
    }

    /// An `artifactLocation` for path bytes, and the path it names (for fingerprints).
    fn artifact(&self, path: &[u8]) -> (Value, String) {
        let relative = match &self.info.cwd {
            // Git paths are relative to the repository root already.
            None => Some(path.to_vec()),
            Some(cwd) => self.relative_to_root(cwd, path),
        };
        match relative {
            Some(rel) => {
                let uri = encode(&rel);
                (json!({ "uri": uri, "uriBaseId": SRCROOT }), uri)
            }
            None => {
                let abs = absolute(self.info.cwd.as_deref(), path);
                let uri = format!("file://{}", encode(os_bytes(abs.as_os_str())));
                (json!({ "uri": uri }), uri)
            }
        }
    }

    /// A path as the user named it (relative to `cwd`, or absolute), relative to the root;
    /// `None` when it is outside the root.
    fn relative_to_root(&self, cwd: &Path, path: &[u8]) -> Option<Vec<u8>> {
        let root = self.info.root.as_deref()?;
        let abs = absolute(Some(cwd), path);
        let strip = |p: &Path| {
            p.strip_prefix(root)
                .ok()
                .map(|r| os_bytes(r.as_os_str()).to_vec())
        };
        strip(&abs).or_else(|| {
            // The path may reach the root through a symlink (`/tmp` → `/private/tmp`).
            let parent = abs.parent()?.canonicalize().ok()?;
            strip(&parent.join(abs.file_name()?))
        })
    }

    /// The result's location, and what identifies it for `partialFingerprints`.
    fn location(&self, f: &Finding) -> (Value, String) {
        let o = &f.origin;
        let object = |id: &Option<_>| id.as_ref().map(ToString::to_string).unwrap_or_default();
        match o.subject {
            Subject::CommitMessage => {
                let name = match o.commit {
                    Some(id) => format!("commit {id}"),
                    None => "the commit being made".to_string(),
                };
                (
                    logical("commit message", &name),
                    format!("commit-message:{}", object(&o.commit)),
                )
            }
            Subject::TagMessage => (
                logical("tag message", &format!("tag {}", object(&o.tag))),
                format!("tag-message:{}", object(&o.tag)),
            ),
            Subject::RefName => {
                let name = String::from_utf8_lossy(&o.path).into_owned();
                (logical(&name, &name), format!("ref-name:{name}"))
            }
            Subject::CommitHeader | Subject::TagHeader => {
                let field = String::from_utf8_lossy(&o.path).into_owned();
                let (what, id) = match o.subject {
                    Subject::CommitHeader => ("commit", object(&o.commit)),
                    _ => ("tag", object(&o.tag)),
                };
                (
                    logical(&format!("{what} header {field}"), &format!("{what} {id}")),
                    format!("{what}-header:{id}:{field}"),
                )
            }
            Subject::PushOption => (logical("push option", "push option"), "push-option".to_string()),
            Subject::PathName if o.path.is_empty() && o.tree.is_some() => {
                let tree = object(&o.tree);
                (
                    logical("file name", &format!("tree {tree}")),
                    format!("tree-name:{tree}"),
                )
            }
            Subject::Content if o.unnamed == Some(Unnamed::Stdin) => {
                (logical("standard input", "standard input"), "stdin".to_string())
            }
            Subject::Content if o.unnamed.is_some() => {
                // A blob no path names (pushed as a ref's object, or reachable from no ref):
                // no file to point at.
                let name = String::from_utf8_lossy(&o.full_path()).into_owned();
                let blob = object(&o.blob);
                (logical("blob", &name), format!("blob:{blob}"))
            }
            Subject::PathName => {
                // The path itself holds the token: it cannot be a URI (the report would
                // carry the secret, and the redacted form is no file). A logical location
                // names it (redacted on output); the key is its directory.
                let name = String::from_utf8_lossy(&o.full_path()).into_owned();
                let dir = o
                    .path
                    .iter()
                    .rposition(|&b| b == b'/')
                    .map_or(&[][..], |i| &o.path[..i]);
                let (_, dir) = self.artifact(dir);
                (logical("file name", &name), format!("path-name:{dir}"))
            }
            Subject::Content => {
                let (artifact, uri) = self.artifact(&o.path);
                // Inside a gzip stream or an archive member the line is not a place in the
                // file: the region is the file's start, `properties` say where inside.
                let region = if region_in_file(o) {
                    json!({
                        "startLine": f.line,
                        "startColumn": f.column,
                        "endLine": f.end_line,
                        "endColumn": f.end_column,
                    })
                } else {
                    json!({ "startLine": 1 })
                };
                let mut key = uri;
                for m in &o.members {
                    key.push('!');
                    key.push_str(&encode(m));
                }
                (
                    json!({ "physicalLocation": { "artifactLocation": artifact, "region": region } }),
                    key,
                )
            }
        }
    }

    fn result(&self, f: &Finding, allowed: Option<&Allowed>) -> Value {
        let (location, key) = self.location(f);
        let o = &f.origin;
        let mut text = describe(f);
        if let Some(id) = o.object() {
            text.push_str(&format!(
                " in {} {}",
                if o.commit.is_some() { "commit" } else { "tag" },
                &id.to_string()[..10]
            ));
        }
        if !o.members.is_empty() {
            text.push_str(&format!(" (in {})", String::from_utf8_lossy(&o.full_path())));
        }
        let mut properties = Map::new();
        let mut put = |k: &str, v: Value| {
            properties.insert(k.to_string(), v);
        };
        put("subject", json!(o.subject.id()));
        put("encoding", json!(f.encoding.id()));
        put("redacted", json!(f.redacted.as_str()));
        put("fingerprint", json!(f.fingerprint.hex()));
        if !o.members.is_empty() {
            let members: Vec<String> = o
                .members
                .iter()
                .map(|m| String::from_utf8_lossy(m).into_owned())
                .collect();
            put("members", json!(members));
        }
        if !o.via.is_empty() {
            put("via", json!(o.via.iter().map(|v| v.id()).collect::<Vec<_>>()));
        }
        if !(o.subject == Subject::Content && region_in_file(o)) {
            // Where in the message, name or decoded view the token is.
            put("line", json!(f.line));
            put("column", json!(f.column));
        }
        for (k, v) in [
            ("commit", o.commit.map(|c| c.to_string())),
            ("tag", o.tag.map(|t| t.to_string())),
            ("blob", o.blob.map(|b| b.to_string())),
            ("author", o.author.clone()),
            ("date", o.date.clone()),
            ("ref", o.reference.clone()),
        ] {
            if let Some(v) = v {
                put(k, json!(v));
            }
        }
        if let Some(remotes) = &o.remotes {
            put(
                "remotes",
                json!(remotes.iter().map(|r| r.name.as_str()).collect::<Vec<_>>()),
            );
        }
        if !o.branches.is_empty() {
            put("branches", json!(o.branches));
        }
        if !o.doubts.is_empty() {
            put("remotes_unsure", json!(o.doubts));
        }
        if let Some(v) = &f.verification {
            let w = v.workspace.clone().unwrap_or_default();
            let mut verification = json!({ "status": v.status.id() });
            for (k, value) in [
                ("workspace", w.name),
                ("app_id", w.app_id),
                ("region", w.region),
                ("admin", w.admin),
                ("reason", v.reason.clone()),
            ] {
                if let Some(value) = value {
                    verification[k] = json!(value);
                }
            }
            text.push_str(&format!(" ({} per Intercom)", v.status.id()));
            put("verification", verification);
        }
        let mut result = json!({
            "ruleId": f.kind.id(),
            "ruleIndex": f.kind.index(),
            "level": "error",
            "message": { "text": text },
            "locations": [location],
            "partialFingerprints": { FINGERPRINT_KEY: partial_fingerprint(f, &key) },
            "properties": properties,
        });
        if let Some(a) = allowed {
            result["suppressions"] = json!([{
                "kind": if a.inline { "inSource" } else { "external" },
                "justification": a.why
            }]);
        }
        result
    }

    /// The log up to the first result.
    fn header(&mut self) -> io::Result<()> {
        self.started = true;
        let driver = json!({
            "name": "intercept",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": env!("CARGO_PKG_HOMEPAGE"),
            "rules": Kind::ALL.map(rule)
        });
        let mut run = Map::new();
        run.insert("tool".to_string(), json!({ "driver": driver }));
        run.insert(
            "automationDetails".to_string(),
            json!({ "id": self.info.automation_id }),
        );
        if let Some(root) = &self.info.root {
            run.insert(
                "originalUriBaseIds".to_string(),
                json!({ SRCROOT: { "uri": directory_uri(root) } }),
            );
        }
        if let Some(vcs) = &self.info.vcs {
            let mut details = json!({ "repositoryUri": vcs.repository_uri });
            if let Some(rev) = &vcs.revision_id {
                details["revisionId"] = json!(rev);
            }
            if let Some(branch) = &vcs.branch {
                details["branch"] = json!(branch);
            }
            // Artifact URIs are repository-relative even without a local root (a bare clone).
            details["mappedTo"] = json!({ "uriBaseId": SRCROOT });
            run.insert("versionControlProvenance".to_string(), json!([details]));
        }
        run.insert("columnKind".to_string(), json!("unicodeCodePoints"));
        let run = serde_json::to_string(&Value::Object(run))?;
        // The run object without its closing brace: results follow.
        let open = run.strip_suffix('}').unwrap_or(&run);
        write!(
            self.out,
            "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {open},\n    \"results\": ["
        )
    }

    fn write_result(&mut self, value: &Value) {
        let r = (|| {
            if !self.started {
                self.header()?;
            }
            let sep = if self.results == 0 { "" } else { "," };
            write!(self.out, "{sep}\n      {}", serde_json::to_string(value)?)
        })();
        self.results += 1;
        if let Err(e) = r {
            self.error.get_or_insert(e);
        }
    }

    fn notification(&self, level: &str, path: Option<&[u8]>, message: &str) -> Value {
        let mut n = json!({ "level": level, "message": { "text": message } });
        if let Some(path) = path.filter(|p| !p.is_empty()) {
            n["locations"] = json!([{ "physicalLocation": { "artifactLocation": self.artifact(path).0 } }]);
        }
        n
    }
}

/// SHA-256 of the rule, the token's fingerprint and the location key, in hex.
fn partial_fingerprint(f: &Finding, key: &str) -> String {
    let mut h = Sha256::new();
    h.update(f.kind.id().as_bytes());
    h.update([0]);
    h.update(f.fingerprint.hex().as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// `path` made absolute against `cwd` and cleaned of `.` and `..`.
fn absolute(cwd: Option<&Path>, path: &[u8]) -> PathBuf {
    let path = Path::new(crate::path::os_str(path));
    match cwd {
        Some(cwd) if path.is_relative() => lexical(&cwd.join(path)),
        _ => lexical(path),
    }
}

impl Sink for Sarif<'_> {
    fn finding(&mut self, finding: &Finding) {
        let value = self.result(finding, None);
        self.write_result(&value);
    }

    fn allowed(&mut self, allowed: &Allowed) {
        let value = self.result(&allowed.finding, Some(allowed));
        self.write_result(&value);
    }

    fn problem(&mut self, problem: &Problem) {
        let n = self.notification("error", problem.path.as_deref(), &problem.message);
        self.notifications.push(n);
    }

    fn notice(&mut self, notice: &Notice) {
        let n = self.notification("note", notice.path.as_deref(), &notice.message);
        self.notifications.push(n);
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if !self.started {
            self.header()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(encode(b"src/a b.env"), "src/a%20b.env");
        assert_eq!(encode(b"x/\xff\x1b.txt"), "x/%FF%1B.txt");
        assert_eq!(directory_uri(Path::new("/tmp/a b")), "file:///tmp/a%20b/");
    }

    #[test]
    fn file_paths_become_relative_to_the_root_from_any_directory() {
        let sarif_for = |cwd: &str| RunInfo {
            root: Some(PathBuf::from("/r")),
            cwd: Some(PathBuf::from(cwd)),
            ..RunInfo::default()
        };
        let mut out = Vec::new();
        let s = Sarif::new(&mut out, sarif_for("/r/sub"));
        assert_eq!(s.artifact(b"./a.env").1, "sub/a.env");
        assert_eq!(s.artifact(b"../x/b.env").1, "x/b.env");
        assert_eq!(s.artifact(b"/r/c.env").1, "c.env");
        let outside = s.artifact(b"../../elsewhere/d.env").0;
        assert_eq!(outside, json!({ "uri": "file:///elsewhere/d.env" }));
    }
}

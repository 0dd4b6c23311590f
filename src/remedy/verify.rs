//! `scan --verify`: is a token live? One `GET /me` to Intercom's REST API per distinct
//! token, with `Authorization: Bearer <token>`, `Accept: application/json` and a pinned
//! `Intercom-Version`. `/me` needs no scope, so a working token whose app cannot read
//! contacts still says "live" (peers' `GET /contacts` says "not live" there).
//!
//! 200 is live (the workspace's name, app id and region from the answer; the admin's
//! email masked); 401 is invalid (revoked or never valid); anything else (403, 429, 5xx, a
//! redirect, a timeout, no network, an answer that does not parse) is unknown, with the
//! reason. Never retried, never redirected: a token goes to one host, in one header, once.
//! The token is never in a URL or a log line.

use std::net::IpAddr;
use std::time::Duration;

use crate::detector::Secret;
use crate::finding::{Liveness, Verification, Workspace};

/// Intercom's API (US; it routes other regions' tokens too).
pub const DEFAULT_API: &str = "https://api.intercom.io";
/// The API version asked for: `/me`'s shape is stable across 2.x.
pub const API_VERSION: &str = "2.11";
/// How long one check may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most of an answer that is read.
const MAX_ANSWER: u64 = 256 * 1024;

/// Why an API base cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "the Intercom API address {0:?} is not an http(s) URL. Name one like https://api.eu.intercom.io \
         (--intercom-api or INTERCEPT_INTERCOM_API)"
    )]
    NotUrl(String),
    #[error(
        "the Intercom API address {0:?} uses plain http to a host that is not this machine: a token would \
         cross the network unencrypted. Use https (plain http is accepted only for 127.0.0.1, ::1 or \
         localhost, e.g. a test server)"
    )]
    PlainHttp(String),
}

/// Where the checks go: `https://host[:port][/prefix]`, or plain http on loopback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Api {
    base: String,
    loopback: bool,
}

impl Api {
    /// Parses an API base (`https://api.eu.intercom.io`, `http://127.0.0.1:8080`).
    pub fn parse(text: &str) -> Result<Api, ApiError> {
        let text = text.trim().trim_end_matches('/');
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| ApiError::NotUrl(text.to_string()))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') || rest.contains(['?', '#', ' ']) {
            return Err(ApiError::NotUrl(text.to_string()));
        }
        let host = host_of(authority);
        let loopback = is_loopback(host);
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(ApiError::PlainHttp(text.to_string())),
            _ => return Err(ApiError::NotUrl(text.to_string())),
        }
        Ok(Api {
            base: format!("{}://{rest}", scheme.to_ascii_lowercase()),
            loopback,
        })
    }

    /// The base as given (no token is ever in it).
    pub fn base(&self) -> &str {
        &self.base
    }
}

/// `host` of `host[:port]`, `[v6]:port`.
fn host_of(authority: &str) -> &str {
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or_default();
    }
    authority.rsplit_once(':').map_or(authority, |(h, _)| h)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Checks tokens, one request each.
pub struct Checker {
    api: Api,
    agent: ureq::Agent,
}

impl Checker {
    pub fn new(api: Api) -> Self {
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("intercept/", env!("CARGO_PKG_VERSION")));
        if api.loopback {
            // A proxy from the environment would see a plain-http token.
            config = config.proxy(None);
        }
        Checker {
            api,
            agent: config.build().into(),
        }
    }
}

impl crate::plan::Verifier for Checker {
    /// What Intercom says of `token`.
    fn check(&self, token: &Secret) -> Verification {
        let url = format!("{}/me", self.api.base);
        let mut bearer = b"Bearer ".to_vec();
        bearer.extend_from_slice(token.expose());
        let bearer = match ureq::http::HeaderValue::from_bytes(&bearer) {
            Ok(mut value) => {
                value.set_sensitive(true);
                value
            }
            Err(_) => return unknown("the token cannot be sent in a header".to_string()),
        };
        tracing::debug!(api = %self.api.base, "asking Intercom whether a token is live");
        let answer = self
            .agent
            .get(&url)
            .header("Authorization", bearer)
            .header("Accept", "application/json")
            .header("Intercom-Version", API_VERSION)
            .call();
        let mut response = match answer {
            Ok(response) => response,
            Err(e) => return unknown(transport_reason(&e)),
        };
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_string();
        match body {
            Ok(body) => judge(status, &body, response.headers()),
            // A 401 says enough in its status; anything else needs its body.
            Err(_) if status == 401 => judge(status, "", response.headers()),
            Err(ureq::Error::Timeout(_)) => unknown(format!(
                "{status}, but the answer did not arrive within {} s",
                TIMEOUT.as_secs()
            )),
            Err(ureq::Error::BodyExceedsLimit(_)) => unknown(format!(
                "{status}, but the answer is larger than {} KiB: not Intercom's /me",
                MAX_ANSWER / 1024
            )),
            Err(e) => unknown(format!("{status}, but the answer could not be read: {e}")),
        }
    }
}

/// The verification an answer means.
fn judge(status: u16, body: &str, headers: &ureq::http::HeaderMap) -> Verification {
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    match status {
        200 => match json
            .as_ref()
            .filter(|j| j.get("type").and_then(|t| t.as_str()) == Some("admin"))
        {
            Some(admin) => Verification {
                status: Liveness::Live,
                workspace: Some(workspace(admin)),
                reason: None,
            },
            None => unknown("200 OK, but the answer is not an Intercom admin".to_string()),
        },
        401 => Verification {
            status: Liveness::Invalid,
            workspace: None,
            reason: Some(format!(
                "401 {}",
                error_text(json.as_ref()).unwrap_or_else(|| "Unauthorized".into())
            )),
        },
        429 => {
            let reset = headers
                .get("X-RateLimit-Reset")
                .and_then(|v| v.to_str().ok())
                .map(|r| format!(" (the limit resets at {r}, Unix time)"))
                .unwrap_or_default();
            unknown(format!("429 rate limited by Intercom{reset}: try again later"))
        }
        300..=399 => unknown(format!(
            "{status}: redirected{}; not followed, so the token went nowhere else",
            headers
                .get("Location")
                .and_then(|v| v.to_str().ok())
                .map(|l| format!(" to {}", printable(l)))
                .unwrap_or_default()
        )),
        _ => unknown(format!(
            "{status}{}",
            error_text(json.as_ref())
                .map(|t| format!(" {t}"))
                .unwrap_or_else(|| match status {
                    403 => " Forbidden".into(),
                    500..=599 => " (Intercom's side)".into(),
                    _ => String::new(),
                })
        )),
    }
}

/// Text from the server as it may be printed: at most 200 characters, control characters
/// (escape sequences, line breaks) and bidirectional overrides shown escaped, so an answer
/// cannot redraw the terminal or forge a line of the report.
fn printable(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().take(200) {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        if c.is_control() || bidi {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `unauthorized: Access Token Invalid`, from Intercom's `error.list` envelope.
fn error_text(json: Option<&serde_json::Value>) -> Option<String> {
    let first = json?.get("errors")?.as_array()?.first()?;
    let code = first.get("code").and_then(|c| c.as_str());
    let message = first.get("message").and_then(|m| m.as_str());
    match (code, message) {
        (Some(c), Some(m)) => Some(format!("{c}: {m}")),
        (Some(t), None) | (None, Some(t)) => Some(t.to_string()),
        (None, None) => None,
    }
    .map(|t| printable(&t))
}

fn workspace(admin: &serde_json::Value) -> Workspace {
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(printable);
    let app = admin.get("app");
    Workspace {
        name: text(app.and_then(|a| a.get("name"))),
        app_id: text(app.and_then(|a| a.get("id_code"))),
        region: text(app.and_then(|a| a.get("region"))),
        admin: text(admin.get("email")).map(|e| mask_email(&e)),
    }
}

/// `j…@acme.com`: enough to recognise, not to copy.
pub fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}…@{domain}")
        }
        None => "…".to_string(),
    }
}

fn unknown(reason: String) -> Verification {
    Verification {
        status: Liveness::Unknown,
        workspace: None,
        reason: Some(reason),
    }
}

/// Why no answer came, for people.
fn transport_reason(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("no answer within {} s", TIMEOUT.as_secs()),
        ureq::Error::HostNotFound => "the API's host name does not resolve (no network or DNS?)".to_string(),
        ureq::Error::Io(io) if io.to_string().contains("lookup address") => {
            "the API's host name does not resolve (no network or DNS?)".to_string()
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "the connection was refused".to_string()
        }
        other => format!("the request failed: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_this_machine() {
        assert!(Api::parse("https://api.eu.intercom.io").is_ok());
        assert!(Api::parse("http://127.0.0.1:8080").is_ok());
        assert!(Api::parse("http://[::1]:8080/").is_ok());
        assert!(Api::parse("http://localhost:1").is_ok());
        assert!(matches!(
            Api::parse("http://api.intercom.io"),
            Err(ApiError::PlainHttp(_))
        ));
        assert!(matches!(
            Api::parse("http://127.0.0.1.evil.example"),
            Err(ApiError::PlainHttp(_))
        ));
        assert!(matches!(
            Api::parse("http://10.0.0.1"),
            Err(ApiError::PlainHttp(_))
        ));
        assert!(matches!(Api::parse("ftp://x"), Err(ApiError::NotUrl(_))));
        assert!(matches!(Api::parse("api.intercom.io"), Err(ApiError::NotUrl(_))));
        assert!(matches!(
            Api::parse("https://u:p@api.intercom.io"),
            Err(ApiError::NotUrl(_))
        ));
        assert_eq!(
            Api::parse("https://x.example/v/").unwrap().base(),
            "https://x.example/v"
        );
    }

    #[test]
    fn what_the_server_says_cannot_redraw_the_terminal() {
        let h = ureq::http::HeaderMap::new();
        let body = r#"{"type":"admin","email":"a@b","app":{"name":"Acme\u001b[2J\n  pushed to nowhere\u202e","id_code":"x"}}"#;
        let name = judge(200, body, &h).workspace.unwrap().name.unwrap();
        assert!(
            !name.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{name:?}"
        );
        assert!(name.starts_with("Acme\\u{1b}[2J\\n"), "{name:?}");
        let reason = judge(403, r#"{"errors":[{"code":"x\u0007","message":"y\r\nz"}]}"#, &h)
            .reason
            .unwrap();
        assert!(!reason.chars().any(char::is_control), "{reason:?}");
    }

    #[test]
    fn answers_map_to_statuses() {
        let h = ureq::http::HeaderMap::new();
        let live = judge(
            200,
            r#"{"type":"admin","email":"jane@acme.com","app":{"name":"Acme","id_code":"abc12345","region":"US"}}"#,
            &h,
        );
        assert_eq!(live.status, Liveness::Live);
        let w = live.workspace.unwrap();
        assert_eq!(
            (w.name.as_deref(), w.app_id.as_deref()),
            (Some("Acme"), Some("abc12345"))
        );
        assert_eq!(w.admin.as_deref(), Some("j…@acme.com"));
        let invalid = judge(
            401,
            r#"{"type":"error.list","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}"#,
            &h,
        );
        assert_eq!(invalid.status, Liveness::Invalid);
        assert_eq!(
            invalid.reason.as_deref(),
            Some("401 unauthorized: Access Token Invalid")
        );
        for status in [403, 429, 500, 503, 302, 404] {
            assert_eq!(judge(status, "", &h).status, Liveness::Unknown, "{status}");
        }
        assert_eq!(judge(200, "not json", &h).status, Liveness::Unknown);
    }
}

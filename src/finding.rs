//! `Finding`: what the detector hands on, and all that the rest of the program ever knows
//! about a token or another Intercom secret.
//!
//! A finding holds a `Redacted` form (printable) and a `Fingerprint` (SHA-256 of the
//! token), never the token itself: the raw bytes stay inside `detector`, so nothing
//! downstream (allow-lists, reports, logs) can print a full token by mistake.

use std::fmt;

use crate::origin::Origin;

/// What was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An Intercom access token (`base64("tok:<uuid>:<a>:<b>")`).
    IntercomAccessToken,
    /// An Intercom app's OAuth client secret, also the HMAC-SHA1 key of its webhook
    /// signatures; found by context (a name that says Intercom and client, webhook or
    /// signing secret, assigned a literal that looks generated).
    IntercomClientSecret,
    /// An Intercom Identity Verification secret, the HMAC-SHA256 key of the Messenger's
    /// `user_hash` and of its JWTs; found by context like the client secret.
    IntercomIdentitySecret,
}

impl Kind {
    /// Every kind, in the order SARIF lists its rules.
    pub const ALL: [Kind; 3] = [
        Kind::IntercomAccessToken,
        Kind::IntercomClientSecret,
        Kind::IntercomIdentitySecret,
    ];

    /// Stable identifier used in JSON and SARIF (`ruleId`).
    pub fn id(self) -> &'static str {
        match self {
            Kind::IntercomAccessToken => "intercom-access-token",
            Kind::IntercomClientSecret => "intercom-client-secret",
            Kind::IntercomIdentitySecret => "intercom-identity-secret",
        }
    }

    /// Name for people.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::IntercomAccessToken => "Intercom access token",
            Kind::IntercomClientSecret => "Intercom client secret",
            Kind::IntercomIdentitySecret => "Intercom Identity Verification secret",
        }
    }

    /// Its index in [`Kind::ALL`] (SARIF's `ruleIndex`).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// How the token was written where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Encoding {
    /// The token's base64, with its `=` padding (or none needed).
    Plain,
    /// The token's base64 with its `=` padding trimmed.
    NoPadding,
    /// The token's base64 with its padding or other base64 characters escaped
    /// (`%3D`, `\u003d`, `\x3d`, `%2B`, `\/`, …).
    Escaped,
    /// The token's base64 encoded again with base64 (Kubernetes Secrets, `base64 .env`).
    NestedBase64,
    /// The decoded text `tok:<uuid>:<a>:<b>` itself.
    DecodedText,
    /// A secret found by context, written as the base64 of its value (a Kubernetes
    /// `Secret`'s `data:`); its fingerprint is of the decoded value.
    Base64,
}

impl Encoding {
    /// Stable identifier used in JSON and SARIF.
    pub fn id(self) -> &'static str {
        match self {
            Encoding::Plain => "plain",
            Encoding::NoPadding => "no-padding",
            Encoding::Escaped => "escaped",
            Encoding::NestedBase64 => "nested-base64",
            Encoding::DecodedText => "decoded-text",
            Encoding::Base64 => "base64",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The printable form of a token: its fixed prefix, at most four characters of the
/// secret part, `…`, and its fixed suffix (e.g. `dG9rOmE5…OjA=`). For a secret found by
/// context: the name, at most four characters of the value, `…` and the value's length
/// (`INTERCOM_CLIENT_SECRET=3f2a…(36)`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Redacted(pub(crate) String);

impl Redacted {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// SHA-256 of the token in its canonical form (the `=`-padded base64 string, as sent in
/// `Authorization: Bearer …`), whatever encoding it was found in. Identifies a token
/// without revealing it: `printf %s "$TOKEN" | sha256sum` gives the same value. For a
/// secret found by context: SHA-256 of the value as written (decoded from a Kubernetes
/// `data:` value), so `printf %s "$SECRET" | sha256sum` matches too.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub(crate) [u8; 32]);

impl Fingerprint {
    /// The full lowercase hex form.
    pub fn hex(&self) -> String {
        use fmt::Write;
        self.0.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }

    /// The first 12 hex digits, for people.
    pub fn short(&self) -> String {
        let mut hex = self.hex();
        hex.truncate(12);
        hex
    }

    /// Parses a full 64-digit hex fingerprint.
    pub fn from_hex(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(out))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({})", self.hex())
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

/// One token found in one place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub origin: Origin,
    /// 1-based line of the token (of the outer value for a nested token).
    pub line: u64,
    /// 1-based column, in Unicode code points.
    pub column: u64,
    /// Line and column just past the token's last character (of the outer value's
    /// characters that encode it, for a nested token; a wrapped value ends on a later line).
    pub end_line: u64,
    pub end_column: u64,
    pub kind: Kind,
    pub encoding: Encoding,
    pub redacted: Redacted,
    pub fingerprint: Fingerprint,
    /// An allow marker on the token's physical line (`intercept:allow`, …), if there is one.
    pub marker: Option<&'static str>,
    /// Whether the token works, when `scan --verify` asked Intercom (never the detector).
    pub verification: Option<Verification>,
}

/// What Intercom's API said of a token (`GET /me`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub status: Liveness,
    /// The workspace (Intercom app) the token belongs to, when live.
    pub workspace: Option<Workspace>,
    /// Why the status is what it is (`401 unauthorized: Access Token Invalid`, `timed out
    /// after 10 s`), for `invalid` and `unknown`.
    pub reason: Option<String>,
}

/// `live` (200), `invalid` (401) or `unknown` (anything else).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Liveness {
    Live,
    Invalid,
    Unknown,
}

impl Liveness {
    /// Stable identifier used in JSON and SARIF.
    pub fn id(self) -> &'static str {
        match self {
            Liveness::Live => "live",
            Liveness::Invalid => "invalid",
            Liveness::Unknown => "unknown",
        }
    }
}

/// The Intercom workspace a live token opens: its name, app id (`id_code`) and region, and
/// the admin it acts as, with the email masked (`j…@acme.com`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workspace {
    pub name: Option<String>,
    pub app_id: Option<String>,
    pub region: Option<String>,
    pub admin: Option<String>,
}

impl Finding {
    /// The lines the token's text covers (one, unless a nested value is wrapped).
    pub fn lines(&self) -> std::ops::RangeInclusive<u64> {
        self.line..=self.end_line.max(self.line)
    }
}

#[cfg(test)]
mod tests {
    use super::Fingerprint;

    #[test]
    fn fingerprint_hex_round_trips() {
        let fp = Fingerprint([0xab; 32]);
        assert_eq!(fp.hex().len(), 64);
        assert_eq!(fp.short(), "abababababab");
        assert_eq!(Fingerprint::from_hex(&fp.hex()), Some(fp));
        assert_eq!(Fingerprint::from_hex("abc"), None);
        assert_eq!(Fingerprint::from_hex(&"zz".repeat(32)), None);
    }
}

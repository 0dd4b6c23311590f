//! Sinks: a session's results → bytes on an injected writer. Knows nothing about git or
//! the detector.
//!
//! Adding a format is one new [`Sink`](crate::scan::Sink) implementation: [`human`] for
//! people (the scan listing and the hooks' block messages), [`json`] and [`sarif`] for
//! machines. Machine formats go to stdout; the summary, problems and advice for people go
//! to stderr. Every writer handed to a sink is wrapped in [`crate::redact::Redacting`] by
//! the caller.

pub mod human;
pub mod json;
pub(crate) mod progress;
pub mod sarif;

use crate::finding::Finding;
use crate::origin::Origin;

/// Output format of `intercept scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
}

/// `via gzip`, `via lfs+zip`, or nothing, for a finding's description.
pub fn via(origin: &Origin) -> Option<String> {
    (!origin.via.is_empty()).then(|| origin.via.iter().map(|v| v.id()).collect::<Vec<_>>().join("+"))
}

/// `Intercom access token dG9rOmE5…OjA= (plain, fingerprint 3f2a9c1b7e4d)`.
pub fn describe(f: &Finding) -> String {
    let via = via(&f.origin).map(|v| format!(", via {v}")).unwrap_or_default();
    format!(
        "{} {} ({}{via}, fingerprint {})",
        f.kind.describe(),
        f.redacted,
        f.encoding,
        f.fingerprint.short()
    )
}

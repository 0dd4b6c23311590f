//! What is learnt about a finding after the detector: which remotes and branches already
//! hold the commit it is in (`source::reach`), and with `scan --verify` whether the token
//! works (`remedy::verify`). A sink between the session and the report: findings pass
//! through with those filled in, one walk and one request per distinct token at most, and
//! nothing is asked of git or Intercom while no token is found.

use std::collections::HashMap;
use std::io;

use crate::allowlist::Allowed;
use crate::detector::{Secret, Vault};
use crate::finding::{Finding, Fingerprint, Liveness, Verification};
use crate::scan::{Notice, Problem, Sink, Summary, Verified};
use crate::source::reach::Reach;

/// What asks whether a token works (`remedy::verify::Checker`: Intercom's `GET /me`).
pub trait Verifier {
    fn check(&self, token: &Secret) -> Verification;
}

/// `scan --verify`: the checker, and the detector's vault the tokens come from.
pub struct Verify<'a> {
    pub checker: &'a dyn Verifier,
    pub vault: &'a Vault,
}

/// The sink in front of the report.
pub struct Annotate<'a> {
    inner: &'a mut dyn Sink,
    repo: Option<&'a gix::Repository>,
    reach: Option<Reach<'a>>,
    /// Set once learning who holds a commit failed (said once, then not tried again).
    reach_failed: bool,
    verify: Option<Verify<'a>>,
    verified: HashMap<Fingerprint, Verification>,
    /// The remote a push goes to: not a doubt.
    pushing_to: Option<&'a str>,
}

impl<'a> Annotate<'a> {
    /// `repo`: where remotes are learnt (none for files); `verify`: with `--verify`.
    pub fn new(
        inner: &'a mut dyn Sink,
        repo: Option<&'a gix::Repository>,
        verify: Option<Verify<'a>>,
    ) -> Self {
        Annotate {
            inner,
            repo,
            reach: None,
            reach_failed: false,
            verify,
            verified: HashMap::new(),
            pushing_to: None,
        }
    }

    /// For pre-push: the remote the push goes to.
    pub fn pushing_to(mut self, remote: Option<&'a str>) -> Self {
        self.pushing_to = remote;
        self
    }

    fn remotes(&mut self, finding: &mut Finding) {
        let (Some(repo), Some(commit)) = (self.repo, finding.origin.commit) else {
            return;
        };
        if self.reach_failed {
            return;
        }
        if self.reach.is_none() {
            let started = std::time::Instant::now();
            let made = Reach::new(repo);
            tracing::debug!(elapsed = ?started.elapsed(), "read the refs that say where commits are");
            match made {
                Ok(mut reach) => {
                    if let Some(remote) = self.pushing_to {
                        reach.trust(remote);
                    }
                    self.reach = Some(reach);
                }
                Err(e) => return self.cannot_reach(&e),
            }
        }
        let Some(reach) = self.reach.as_mut() else {
            return;
        };
        let started = std::time::Instant::now();
        let held = reach.holders(commit);
        tracing::debug!(elapsed = ?started.elapsed(), %commit, "learnt which remotes hold a commit");
        match held {
            Ok(holders) => {
                finding.origin.remotes = Some(holders.remotes);
                finding.origin.branches = holders.branches;
                finding.origin.doubts = holders.doubts;
            }
            Err(e) => self.cannot_reach(&e),
        }
    }

    fn cannot_reach(&mut self, e: &dyn std::fmt::Display) {
        self.reach_failed = true;
        self.inner.notice(&Notice {
            path: None,
            message: format!("cannot tell which remotes already have the tokens found: {e}"),
        });
    }

    fn verification(&mut self, finding: &Finding) -> Option<Verification> {
        let verify = self.verify.as_ref()?;
        // Only an access token can be asked about (`GET /me`); a client or Identity
        // Verification secret has no such check.
        if finding.kind != crate::finding::Kind::IntercomAccessToken {
            return None;
        }
        if let Some(known) = self.verified.get(&finding.fingerprint) {
            return Some(known.clone());
        }
        let verification = match verify.vault.get(&finding.fingerprint) {
            Some(secret) => verify.checker.check(&secret),
            None => Verification {
                status: Liveness::Unknown,
                workspace: None,
                reason: Some("the token was not kept for checking".to_string()),
            },
        };
        self.verified.insert(finding.fingerprint, verification.clone());
        Some(verification)
    }
}

impl Sink for Annotate<'_> {
    fn finding(&mut self, finding: &Finding) {
        let mut finding = finding.clone();
        self.remotes(&mut finding);
        finding.verification = self.verification(&finding);
        self.inner.finding(&finding);
    }

    fn allowed(&mut self, allowed: &Allowed) {
        self.inner.allowed(allowed);
    }

    fn problem(&mut self, problem: &Problem) {
        self.inner.problem(problem);
    }

    fn notice(&mut self, notice: &Notice) {
        self.inner.notice(notice);
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let mut summary = *summary;
        if self.verify.is_some() {
            let mut counts = Verified::default();
            for v in self.verified.values() {
                match v.status {
                    Liveness::Live => counts.live += 1,
                    Liveness::Invalid => counts.invalid += 1,
                    Liveness::Unknown => counts.unknown += 1,
                }
            }
            summary.verified = Some(counts);
        }
        self.inner.finish(&summary)
    }
}

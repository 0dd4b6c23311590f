//! The one way a token's bytes leave the detector, for the two commands that must use them:
//! `scan --verify` sends the token to Intercom (`Authorization: Bearer …`), `purge` hands it to
//! git-filter-repo through a pipe. Only a detector built with [`Detector::keeping_secrets`]
//! fills a vault; the hooks' and the printer's detectors never do.
//!
//! A [`Secret`] has no `Display`, its `Debug` shows nothing of it, and its bytes are
//! overwritten when it is dropped. [`Secret::expose`] is the one accessor; the architecture
//! test allows it in `remedy/` only.
//!
//! [`Detector::keeping_secrets`]: super::Detector::keeping_secrets

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

use crate::finding::Fingerprint;

/// An access token in its canonical form (the `=`-padded base64, as sent in
/// `Authorization`), or another secret's value as it was written (a client secret).
pub struct Secret(Vec<u8>, bool);

impl Secret {
    pub(super) fn token(canonical: &[u8]) -> Self {
        Secret(canonical.to_vec(), true)
    }

    pub(super) fn written(value: &[u8]) -> Self {
        Secret(value.to_vec(), false)
    }

    /// Whether it is an access token (else another secret, as written).
    pub fn is_token(&self) -> bool {
        self.1
    }

    /// Its bytes. Send them, pipe them, never print them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl Clone for Secret {
    fn clone(&self) -> Self {
        Secret(self.0.clone(), self.1)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        for b in self.0.iter_mut() {
            *b = 0;
        }
        std::hint::black_box(&self.0);
    }
}

/// The tokens a scan found, by fingerprint.
#[derive(Default)]
pub struct Vault {
    secrets: Mutex<BTreeMap<Fingerprint, Secret>>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vault({} tokens)", self.len())
    }
}

impl Vault {
    pub(super) fn keep(&self, fingerprint: Fingerprint, secret: Secret) {
        let mut secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        secrets.entry(fingerprint).or_insert(secret);
    }

    /// The token with this fingerprint, if the scan found it.
    pub fn get(&self, fingerprint: &Fingerprint) -> Option<Secret> {
        let secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        secrets.get(fingerprint).cloned()
    }

    /// Every token the scan found, by fingerprint.
    pub fn all(&self) -> Vec<(Fingerprint, Secret)> {
        let secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        secrets.iter().map(|(f, s)| (*f, s.clone())).collect()
    }

    pub fn len(&self) -> usize {
        self.secrets.lock().map_or(0, |s| s.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

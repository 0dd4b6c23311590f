//! Test tokens: `base64("tok:" + uuid4 with "_" for "-" + ":1:0")`, made at run time from
//! random bits, never stored (`../shared/intercom-tokens.md`).
//!
//! Every token made on a thread is remembered on that thread ([`secrets`]): a harness that
//! runs intercept checks its output against them, so every test asserts for free that no
//! full token is ever printed.

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

thread_local! {
    /// Every token text this thread made.
    static SECRETS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// 64 random bits (from the standard library's per-process random hash keys).
pub fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(0x5eed);
    h.finish()
}

/// A random lowercase UUID v4 with `_` for `-`.
pub fn uuid() -> String {
    let hex = format!("{:016x}{:016x}", random_u64(), random_u64());
    format!(
        "{}_{}_4{}_a{}_{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// A new token, remembered on this thread (see [`secrets`]).
pub fn token() -> Token {
    let text = format!("tok:{}:1:0", uuid());
    SECRETS.with(|s| s.borrow_mut().push(text.clone()));
    Token { text }
}

/// The texts (`tok:…`) of every token this thread made so far.
pub fn secrets() -> Vec<String> {
    SECRETS.with(|s| s.borrow().clone())
}

/// A fresh token's base64 and a token-free twin of the same length and shape (`tak:`
/// instead of `tok:`): the same bytes with and without a finding.
pub fn token_and_twin() -> (String, String) {
    let t = token();
    let twin = STANDARD.encode(t.text.replacen("tok:", "tak:", 1));
    (t.b64(), twin)
}

thread_local! {
    /// Every other Intercom secret (client secret, Identity Verification secret) this
    /// thread made.
    static VALUES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn remember(value: String) -> String {
    VALUES.with(|v| v.borrow_mut().push(value.clone()));
    value
}

/// A new client secret as Intercom writes one: a random lowercase UUID v4 with hyphens
/// (remembered on this thread, see [`secret_values`]).
pub fn client_secret() -> String {
    remember(uuid().replace('_', "-"))
}

/// A new Identity Verification secret as public code shows one: 40 random characters of
/// `[A-Za-z0-9_-]` (remembered on this thread).
pub fn identity_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(40);
    let mut bits = 0u64;
    for i in 0..40 {
        if i % 10 == 0 {
            bits = random_u64();
        }
        out.push(ALPHABET[(bits & 63) as usize] as char);
        bits >>= 6;
    }
    remember(out)
}

/// A new webhook secret in the `whsec_` + 64 hex digits form of `.env` examples
/// (remembered on this thread).
pub fn webhook_secret() -> String {
    let hex: String = (0..4).map(|_| format!("{:016x}", random_u64())).collect();
    remember(format!("whsec_{hex}"))
}

/// The values of every other secret this thread made so far.
pub fn secret_values() -> Vec<String> {
    VALUES.with(|v| v.borrow().clone())
}

/// A generated token in the forms tests need.
#[derive(Clone, Debug)]
pub struct Token {
    /// `tok:<uuid>:1:0`.
    pub text: String,
}

impl Token {
    /// The canonical base64 (what an app sends as `Bearer`).
    pub fn b64(&self) -> String {
        STANDARD.encode(&self.text)
    }

    /// The base64 with its `=` padding trimmed.
    pub fn no_padding(&self) -> String {
        self.b64().trim_end_matches('=').to_string()
    }

    /// `printf %s "$TOKEN" | sha256sum`: what intercept reports as the fingerprint.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        Sha256::digest(self.b64().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// `len` characters of random base64 (no token: random bits almost never spell `dG9rO`
/// followed by a valid structure).
pub fn random_b64(len: usize) -> String {
    let mut bytes = Vec::new();
    while bytes.len() * 4 < len * 3 + 3 {
        bytes.extend_from_slice(&random_u64().to_le_bytes());
    }
    let mut s = STANDARD.encode(bytes);
    s.truncate(len);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_shape_of_intercoms() {
        let t = token();
        assert_eq!(t.text.len(), 44);
        assert_eq!(t.b64().len(), 60);
        assert!(t.b64().starts_with("dG9rO") && t.b64().ends_with("OjA="));
        assert_eq!(t.no_padding().len(), 59);
        assert_eq!(t.fingerprint().len(), 64);
        assert!(secrets().contains(&t.text));
        let (b64, twin) = token_and_twin();
        assert_eq!(b64.len(), twin.len());
        assert!(!twin.starts_with("dG9rO"));
        assert_eq!(random_b64(4096).len(), 4096);
        assert_eq!(random_b64(60).len(), 60);
    }
}

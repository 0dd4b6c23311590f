//! The token's structure, and the two safe forms made from it.
//!
//! Receives decoded bytes; hands on the length of a valid `tok:<uuid>:<a>:<b>` at their
//! start, and turns a validated token into its `Redacted` form and `Fingerprint`. This is
//! the last place raw token bytes exist.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::finding::{Fingerprint, Redacted};

/// `tok:` + 36-character UUID + `:` + up to 10 digits + `:` + up to 10 digits.
pub(super) const MAX_TEXT: usize = 4 + 36 + 1 + MAX_DIGITS + 1 + MAX_DIGITS;
/// `tok:` + UUID + `:0:0`: the shortest token text.
pub(super) const MIN_TEXT: usize = 4 + 36 + 4;
/// More digits than this in a field is not a token ("small decimal integers").
const MAX_DIGITS: usize = 10;
/// Canonical base64 of the longest token text.
pub(super) const MAX_B64: usize = MAX_TEXT.div_ceil(3) * 4;

/// Where the UUID's separators sit (relative to the UUID's start).
const UUID_SEPARATORS: [usize; 4] = [8, 13, 18, 23];

/// The length of the token text at the start of `text`, if `text` starts with one:
/// `tok:`, a lowercase hex UUID written with `_` for `-`, `:`, 1–10 digits, `:`, 1–10
/// digits not followed by another digit.
pub(super) fn structure_len(text: &[u8]) -> Option<usize> {
    let uuid = text.strip_prefix(b"tok:")?.get(..36)?;
    for (i, &c) in uuid.iter().enumerate() {
        let ok = if UUID_SEPARATORS.contains(&i) {
            c == b'_'
        } else {
            matches!(c, b'0'..=b'9' | b'a'..=b'f')
        };
        if !ok {
            return None;
        }
    }
    let after_uuid = 40;
    let a_end = digits_end(text, after_uuid)?;
    let b_end = digits_end(text, a_end)?;
    Some(b_end)
}

/// False when the decoded bytes `prefix` (the start of a text, possibly cut anywhere) can
/// already not be the start of a token: lets a check stop after a few bytes instead of
/// decoding a whole window ([`structure_len`] decides on the whole text).
pub(super) fn plausible_prefix(prefix: &[u8]) -> bool {
    prefix.iter().enumerate().all(|(i, &c)| match i {
        0..4 => c == b"tok:"[i],
        4..40 if UUID_SEPARATORS.contains(&(i - 4)) => c == b'_',
        4..40 => matches!(c, b'0'..=b'9' | b'a'..=b'f'),
        40 => c == b':',
        _ => true,
    })
}

/// Expects `:` at `at` and a decimal integer after it: `0`, or 1..=MAX_DIGITS digits
/// without a leading zero and not followed by another digit. Returns the offset after it.
///
/// A number is never written with a leading zero, so `0` ends the field: a trimmed token
/// glued to base64 characters (`…OjAy`) decodes to `…:1:0` plus a garbage byte that may
/// be a digit, and must still be read as the token `…:1:0`.
fn digits_end(text: &[u8], at: usize) -> Option<usize> {
    if text.get(at) != Some(&b':') {
        return None;
    }
    let start = at + 1;
    if text.get(start) == Some(&b'0') {
        return Some(start + 1);
    }
    let n = text[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=MAX_DIGITS).contains(&n).then_some(start + n)
}

/// A validated token's text. Lives only inside the detector.
pub(super) struct Token<'a>(pub &'a [u8]);

/// Which form the redaction shows.
#[derive(Clone, Copy)]
pub(super) enum Shown {
    /// The canonical base64 (`dG9rOmE5…OjA=`).
    Base64,
    /// The decoded text (`tok:a914…:1:0`).
    Text,
}

impl Token<'_> {
    /// Canonical `=`-padded base64 of the token, on the stack.
    fn canonical(&self, buf: &mut [u8; MAX_B64]) -> usize {
        // The text is at most MAX_TEXT bytes, so MAX_B64 always suffices.
        STANDARD.encode_slice(self.0, buf).unwrap_or(0)
    }

    /// The fixed prefix, at most four characters of the secret part, `…`, and the fixed
    /// suffix (which encodes only the `:<a>:<b>` fields).
    pub fn redacted(&self, shown: Shown) -> Redacted {
        let mut buf = [0u8; MAX_B64];
        let form: &[u8] = match shown {
            Shown::Base64 => {
                let n = self.canonical(&mut buf);
                &buf[..n]
            }
            Shown::Text => self.0,
        };
        let head = String::from_utf8_lossy(&form[..8.min(form.len())]);
        let tail = String::from_utf8_lossy(&form[form.len().saturating_sub(4)..]);
        Redacted(format!("{head}\u{2026}{tail}"))
    }

    /// The canonical base64 and its length, by value (for a vault).
    pub fn canonical_copy(&self) -> ([u8; MAX_B64], u8) {
        let mut buf = [0u8; MAX_B64];
        let n = self.canonical(&mut buf);
        (buf, u8::try_from(n).unwrap_or(0))
    }

    /// SHA-256 of the canonical base64 form.
    #[cfg(test)]
    pub fn fingerprint(&self) -> Fingerprint {
        let mut buf = [0u8; MAX_B64];
        let n = self.canonical(&mut buf);
        fingerprint_of(&buf[..n])
    }
}

/// SHA-256 of a token's canonical base64 form.
pub(super) fn fingerprint_of(canonical: &[u8]) -> Fingerprint {
    Fingerprint(Sha256::digest(canonical).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "a914d362_249c_4ae2_b5e9_ecc050af385f";

    fn text(s: &str) -> Option<usize> {
        structure_len(s.as_bytes())
    }

    #[test]
    fn accepts_the_structure_and_measures_it() {
        assert_eq!(text(&format!("tok:{UUID}:1:0")), Some(44));
        assert_eq!(text(&format!("tok:{UUID}:1:0\"rest")), Some(44));
        assert_eq!(text(&format!("tok:{UUID}:12:3456")), Some(48));
        assert_eq!(text(&format!("tok:{UUID}:1:05")), Some(44));
        assert_eq!(text(&format!("tok:{UUID}:0:0")), Some(44));
        assert_eq!(text(&format!("tok:{UUID}:1234567890:1234567890")), Some(MAX_TEXT));
    }

    #[test]
    fn rejects_near_misses() {
        for bad in [
            format!("tok:{}:1:0", UUID.to_uppercase()),
            format!("tok:{}:1:0", UUID.replace('_', "-")),
            format!("tok:{}:1:0", UUID.replacen('a', "g", 1)),
            format!("tok:{}:1:0", &UUID[..35]),
            format!("tok:{UUID}:1"),
            format!("tok:{UUID}:1:"),
            format!("tok:{UUID}::0"),
            format!("tok:{UUID}:01:0"),
            format!("tok:{UUID}"),
            format!("tok:{UUID}:12345678901:0"),
            format!("tok:{UUID}:1:12345678901"),
            format!("TOK:{UUID}:1:0"),
            "tok:<hello>".to_string(),
            "tok:password".to_string(),
            String::new(),
        ] {
            assert_eq!(text(&bad), None, "{bad}");
        }
    }

    #[test]
    fn a_prefix_is_rejected_as_soon_as_it_leaves_the_structure() {
        let t = format!("tok:{UUID}:1:0");
        for n in 0..=t.len() {
            assert!(plausible_prefix(&t.as_bytes()[..n]), "{n}");
        }
        assert!(!plausible_prefix(b"tok;"));
        assert!(!plausible_prefix(b"tok:a9dG"));
        assert!(!plausible_prefix(
            format!("tok:{}", &UUID[..8]).replace('d', "D").as_bytes()
        ));
        assert!(!plausible_prefix(format!("tok:{}-", &UUID[..8]).as_bytes()));
        assert!(!plausible_prefix(format!("tok:{UUID}_").as_bytes()));
    }

    #[test]
    fn redaction_shows_at_most_four_secret_characters() {
        let t = format!("tok:{UUID}:1:0");
        let token = Token(t.as_bytes());
        let b64 = STANDARD.encode(&t);
        let r = token.redacted(Shown::Base64);
        assert_eq!(r.as_str(), format!("{}\u{2026}{}", &b64[..8], &b64[56..]));
        assert!(r.as_str().starts_with("dG9rOm") && r.as_str().ends_with("OjA="));
        assert_eq!(token.redacted(Shown::Text).as_str(), "tok:a914\u{2026}:1:0");
    }

    #[test]
    fn fingerprint_is_sha256_of_the_canonical_base64() {
        let t = format!("tok:{UUID}:1:0");
        let expected: [u8; 32] = Sha256::digest(STANDARD.encode(&t).as_bytes()).into();
        assert_eq!(Token(t.as_bytes()).fingerprint().0, expected);
    }
}

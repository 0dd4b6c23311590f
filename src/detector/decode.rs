//! Reading base64 out of arbitrary bytes, escapes and all, into fixed stack buffers.
//!
//! Receives a haystack and an offset; hands on the decoded bytes and how the base64 was
//! written (escapes used, padding seen). Never allocates: a token decodes to at most
//! `MAX_TEXT` bytes.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// Decodes unpadded base64 symbol runs, tolerating non-zero trailing bits (a token glued
/// to other base64 characters decodes its last group together with them).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// The most bytes one symbol may take in the haystack (`\u002f`), also the bound on
/// skipped line breaks per symbol.
pub(super) const MAX_SPAN_PER_SYMBOL: usize = 6;

/// How the base64 run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Padding {
    /// No `=` followed the symbols.
    None,
    /// A literal `=` followed.
    Literal,
    /// An escaped `=` followed (`%3D`, `\u003d`, `\x3d`).
    Escaped,
}

/// Whether line breaks between symbols belong to the base64 (MIME-style wrapped output of
/// `base64`), or end it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LineBreaks {
    End,
    Skip,
}

/// Base64 symbols read from a haystack, up to `N` of them.
pub(super) struct Symbols<const N: usize> {
    buf: [u8; N],
    len: usize,
    /// Index of the first symbol that was written as an escape sequence.
    pub first_escape: Option<usize>,
    pub padding: Padding,
}

impl<const N: usize> Symbols<N> {
    /// Reads symbols from `hay[start..]` until a byte that is not base64, an `=`, or `N`
    /// symbols.
    pub fn read(hay: &[u8], start: usize, breaks: LineBreaks) -> Self {
        let mut s = Symbols {
            buf: [0; N],
            len: 0,
            first_escape: None,
            padding: Padding::None,
        };
        let mut i = start;
        // Escapes and skipped line breaks make a run longer than its symbols; bound the
        // bytes one read may look at so the work per anchor (and a stream's overlap) stays
        // fixed.
        let limit = hay.len().min(start.saturating_add(MAX_SPAN_PER_SYMBOL * N));
        while s.len < N && i < limit {
            let c = hay[i];
            if is_symbol(c) {
                s.buf[s.len] = c;
                s.len += 1;
                i += 1;
            } else if c == b'=' {
                s.padding = Padding::Literal;
                break;
            } else if c == b'%' || c == b'\\' {
                match unescape(&hay[i..]) {
                    Some((b'=', _)) => {
                        s.padding = Padding::Escaped;
                        break;
                    }
                    Some((sym, used)) => {
                        s.first_escape.get_or_insert(s.len);
                        s.buf[s.len] = sym;
                        s.len += 1;
                        i += used;
                    }
                    None => break,
                }
            } else if breaks == LineBreaks::Skip && (c == b'\n' || c == b'\r') {
                i += 1;
            } else {
                break;
            }
        }
        s
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Decodes the symbols (a dangling single symbol is dropped) into `out`, returning
    /// how many bytes were written.
    pub fn decode_into(&self, out: &mut [u8]) -> usize {
        let usable = self.len - usize::from(self.len % 4 == 1);
        // `out` is sized for N symbols by the callers; a failure here can only mean a
        // too-small buffer, which the unit tests rule out, so treat it as "no token".
        LENIENT.decode_slice(&self.buf[..usable], out).unwrap_or(0)
    }
}

/// The standard base64 alphabet.
pub(super) fn is_symbol(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// Decodes an escape sequence at the start of `s` that stands for `+`, `/` or `=`:
/// `%2B %2F %3D`, `\u002b \u002f \u003d`, `\x2b \x2f \x3d` (either case), `\/`.
/// Returns the symbol and the number of bytes the escape used.
fn unescape(s: &[u8]) -> Option<(u8, usize)> {
    let (hex, used) = match s {
        [b'%', a, b, ..] => ([*a, *b], 3),
        [b'\\', b'/', ..] => return Some((b'/', 2)),
        [b'\\', b'x', a, b, ..] => ([*a, *b], 4),
        [b'\\', b'u', b'0', b'0', a, b, ..] => ([*a, *b], 6),
        _ => return None,
    };
    let sym = match hex {
        [b'2', b'b' | b'B'] => b'+',
        [b'2', b'f' | b'F'] => b'/',
        [b'3', b'd' | b'D'] => b'=',
        _ => return None,
    };
    Some((sym, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &[u8]) -> (String, Option<usize>, Padding) {
        let syms = Symbols::<16>::read(s, 0, LineBreaks::End);
        let text = String::from_utf8(syms.buf[..syms.len].to_vec()).unwrap();
        (text, syms.first_escape, syms.padding)
    }

    #[test]
    fn reads_plain_symbols_until_padding_or_other_bytes() {
        assert_eq!(read(b"ab+/9=x"), ("ab+/9".into(), None, Padding::Literal));
        assert_eq!(read(b"abc\"d"), ("abc".into(), None, Padding::None));
        assert_eq!(read(b"abc\ndef"), ("abc".into(), None, Padding::None));
        assert_eq!(read(b"0123456789abcdefXYZ").0.len(), 16);
    }

    #[test]
    fn understands_escapes() {
        assert_eq!(read(b"ab%3Dcd"), ("ab".into(), None, Padding::Escaped));
        assert_eq!(read(b"ab%3d"), ("ab".into(), None, Padding::Escaped));
        assert_eq!(read(b"ab\\u003d"), ("ab".into(), None, Padding::Escaped));
        assert_eq!(read(b"ab\\x3D"), ("ab".into(), None, Padding::Escaped));
        assert_eq!(read(b"a%2Bb\\/c"), ("a+b/c".into(), Some(1), Padding::None));
        assert_eq!(read(b"a\\u002Fb"), ("a/b".into(), Some(1), Padding::None));
        assert_eq!(read(b"ab%41"), ("ab".into(), None, Padding::None));
        assert_eq!(read(b"ab%3"), ("ab".into(), None, Padding::None));
        assert_eq!(read(b"ab\\n"), ("ab".into(), None, Padding::None));
    }

    #[test]
    fn skips_line_breaks_only_when_asked() {
        let syms = Symbols::<16>::read(b"ab\r\ncd\nef", 0, LineBreaks::Skip);
        assert_eq!(&syms.buf[..syms.len], b"abcdef");
    }

    #[test]
    fn decodes_partial_groups_and_drops_a_dangling_symbol() {
        let mut out = [0u8; 16];
        let syms = Symbols::<16>::read(b"dG9rOg", 0, LineBreaks::End);
        let n = syms.decode_into(&mut out);
        assert_eq!(&out[..n], b"tok:");
        let syms = Symbols::<16>::read(b"dG9rOgX", 0, LineBreaks::End);
        let n = syms.decode_into(&mut out);
        assert_eq!(&out[..4], b"tok:");
        assert_eq!(n, 5);
        let syms = Symbols::<16>::read(b"dG9rOgXYZ", 0, LineBreaks::End);
        assert_eq!(syms.decode_into(&mut out), 6);
    }
}

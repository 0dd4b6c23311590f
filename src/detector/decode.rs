//! Reading base64 out of arbitrary bytes, escapes, line wraps and all, into fixed stack
//! buffers.
//!
//! Receives a haystack and an offset; hands on the decoded bytes, how the base64 was
//! written (escapes used, padding seen) and where each symbol ended in the haystack (so a
//! finding has an end and a redaction a span). Never allocates: a token decodes to at most
//! `MAX_TEXT` bytes, and the bytes one read may look at are bounded.

/// The value of each standard base64 symbol (0xFF for other bytes).
const VALUES: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// The most bytes one symbol may take in the haystack (`\u002f`).
pub(super) const MAX_SPAN_PER_SYMBOL: usize = 6;
/// The most line wraps one read skips (a nested token's outer value spans two or three
/// lines at 64 or 76 columns).
pub(super) const MAX_WRAPS: usize = 8;
/// The most indentation (spaces, tabs) skipped after one wrap.
pub(super) const MAX_INDENT: usize = 80;
/// The most bytes one wrap takes: `\`, CR, LF and the indentation.
pub(super) const MAX_WRAP_LEN: usize = 3 + MAX_INDENT;

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

/// Whether line breaks between symbols belong to the base64 or end it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LineBreaks {
    /// A line break ends the run (a token is written on one line).
    End,
    /// A line wrap is skipped: an optional `\` continuation, CR LF or LF, and the next
    /// line's indentation (`base64`'s 76 columns, a YAML block scalar, a shell `\`).
    Wraps,
}

/// Base64 symbols read from a haystack, up to `N` of them.
pub(super) struct Symbols<const N: usize> {
    buf: [u8; N],
    /// Offset (relative to the read's start) just past each symbol in the haystack.
    ends: [u16; N],
    len: usize,
    /// Index of the first symbol that was written as an escape sequence.
    pub first_escape: Option<usize>,
    pub padding: Padding,
    /// Offset (relative to the start) just past the padding, when there is padding.
    padding_end: usize,
}

impl<const N: usize> Symbols<N> {
    /// Reads symbols from `hay[start..]` until a byte that is not base64, an `=`, or `N`
    /// symbols.
    pub fn read(hay: &[u8], start: usize, breaks: LineBreaks) -> Self {
        let mut s = Symbols {
            buf: [0; N],
            ends: [0; N],
            len: 0,
            first_escape: None,
            padding: Padding::None,
            padding_end: 0,
        };
        let mut i = start;
        let mut wraps = 0;
        // Escapes and skipped wraps make a run longer than its symbols; bound the bytes one
        // read may look at so the work per anchor (and a stream's overlap) stays fixed.
        let limit = hay
            .len()
            .min(start.saturating_add(MAX_SPAN_PER_SYMBOL * N + MAX_WRAPS * MAX_WRAP_LEN));
        while s.len < N && i < limit {
            let c = hay[i];
            if is_symbol(c) {
                s.push(c, i + 1 - start);
                i += 1;
            } else if c == b'=' {
                s.padding = Padding::Literal;
                s.padding_end = padding_end(hay, i, limit) - start;
                break;
            } else if c == b'%' || c == b'\\' {
                match unescape(&hay[i..]) {
                    Some((b'=', _)) => {
                        s.padding = Padding::Escaped;
                        s.padding_end = padding_end(hay, i, limit) - start;
                        break;
                    }
                    Some((sym, used)) => {
                        s.first_escape.get_or_insert(s.len);
                        s.push(sym, i + used - start);
                        i += used;
                    }
                    None => match wrap_len(hay, i, breaks) {
                        Some(n) if wraps < MAX_WRAPS => {
                            wraps += 1;
                            i += n;
                        }
                        _ => break,
                    },
                }
            } else {
                match wrap_len(hay, i, breaks) {
                    Some(n) if wraps < MAX_WRAPS => {
                        wraps += 1;
                        i += n;
                    }
                    _ => break,
                }
            }
        }
        s
    }

    fn push(&mut self, symbol: u8, end: usize) {
        self.buf[self.len] = symbol;
        // `end` is bounded by the read's limit (well under u16::MAX for every N in use).
        self.ends[self.len] = u16::try_from(end).unwrap_or(u16::MAX);
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The symbols read, as they decode (escapes resolved, wraps left out).
    pub fn symbols(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Offset (relative to the start) just past the first `n` symbols, and past the
    /// padding when all symbols are taken and padding followed.
    pub fn end_of(&self, n: usize) -> usize {
        if n >= self.len && self.padding != Padding::None {
            return self.padding_end;
        }
        match n.min(self.len) {
            0 => 0,
            n => usize::from(self.ends[n - 1]),
        }
    }

    /// Decodes the symbols (a dangling single symbol is dropped; the bits of a last partial
    /// group that make no whole byte are ignored, as a token glued to other base64
    /// characters needs) into `out`, returning how many bytes were written: as many as fit.
    /// A small table decoder: the hot path calls it for every anchor, and a general
    /// engine's set-up cost per call was most of the work on short runs.
    pub fn decode_into(&self, out: &mut [u8]) -> usize {
        let mut acc: u32 = 0;
        let mut bits = 0;
        let mut n = 0;
        for &c in &self.buf[..self.len] {
            // Every symbol stored was checked by `is_symbol` or `unescape`.
            acc = (acc << 6) | u32::from(VALUES[usize::from(c)] & 0x3F);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                let Some(slot) = out.get_mut(n) else {
                    return n;
                };
                *slot = (acc >> bits) as u8;
                n += 1;
            }
        }
        n
    }
}

/// The standard base64 alphabet.
pub(super) fn is_symbol(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// The length of the line wrap at `hay[i..]`, when wraps are skipped: an optional `\`,
/// an optional CR, a LF, and up to `MAX_INDENT` spaces or tabs; or a line break written
/// as an escape inside a string (`\n`, `\r\n`, `\r`: `jq --arg v "$(base64 f)"`).
fn wrap_len(hay: &[u8], i: usize, breaks: LineBreaks) -> Option<usize> {
    if breaks == LineBreaks::End {
        return None;
    }
    if let Some(n) = escaped_break(&hay[i..]) {
        // Two escaped breaks in a row are an empty line: the value ends.
        return escaped_break(&hay[i + n..]).is_none().then_some(n);
    }
    let mut j = i;
    if hay.get(j) == Some(&b'\\') {
        j += 1;
    }
    if hay.get(j) == Some(&b'\r') {
        j += 1;
    }
    if hay.get(j) != Some(&b'\n') {
        return None;
    }
    j += 1;
    j += hay[j..]
        .iter()
        .take(MAX_INDENT)
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count();
    // An empty line ends a value.
    if matches!(hay.get(j), Some(b'\n' | b'\r')) {
        return None;
    }
    Some(j - i)
}

/// The length of a line break written as an escape at the start of `s`: `\r\n`, `\n` or
/// `\r` (the two or four characters).
fn escaped_break(s: &[u8]) -> Option<usize> {
    match s {
        [b'\\', b'r', b'\\', b'n', ..] => Some(4),
        [b'\\', b'n' | b'r', ..] => Some(2),
        _ => None,
    }
}

/// The length of a line break written as an escape that ends at `hay[..i]`, when the `\`
/// is not itself escaped (`\\n` is a backslash and an `n`).
fn escaped_break_before(hay: &[u8], i: usize) -> Option<usize> {
    let escapes = |end: usize, c: u8| {
        end >= 2 && hay[end - 1] == c && {
            let slashes = hay[..end - 1].iter().rev().take_while(|&&b| b == b'\\').count();
            slashes % 2 == 1
        }
    };
    if escapes(i, b'n') {
        return Some(if escapes(i - 2, b'r') { 4 } else { 2 });
    }
    escapes(i, b'r').then_some(2)
}

/// The start of the symbol `n` symbols before `from`, skipping line wraps (and their
/// indentation) between symbols; `None` when something else comes first.
pub(super) fn back_symbols(hay: &[u8], from: usize, n: usize) -> Option<usize> {
    let mut i = from;
    let mut left = n;
    let mut wraps = 0;
    while left > 0 {
        let c = *hay.get(i.checked_sub(1)?)?;
        if let Some(n) = escaped_break_before(hay, i) {
            // Two escaped breaks in a row are an empty line: the value ends.
            if wraps == MAX_WRAPS || escaped_break_before(hay, i - n).is_some() {
                return None;
            }
            wraps += 1;
            i -= n;
            continue;
        }
        if is_symbol(c) {
            i -= 1;
            left -= 1;
            continue;
        }
        // A wrap that ends at `i`: indentation, LF, optional CR, optional `\`.
        let mut j = i;
        let mut indent = 0;
        while indent < MAX_INDENT && j > 0 && matches!(hay[j - 1], b' ' | b'\t') {
            j -= 1;
            indent += 1;
        }
        if j == 0 || hay[j - 1] != b'\n' || wraps == MAX_WRAPS {
            return None;
        }
        j -= 1;
        if j > 0 && hay[j - 1] == b'\r' {
            j -= 1;
        }
        // An empty line ends a value.
        if j == 0 || matches!(hay[j - 1], b'\n') {
            return None;
        }
        if j > 0 && hay[j - 1] == b'\\' {
            j -= 1;
        }
        wraps += 1;
        i = j;
    }
    Some(i)
}

/// Offset just past a run of `=` (literal or escaped) starting at `i`.
fn padding_end(hay: &[u8], mut i: usize, limit: usize) -> usize {
    while i < limit {
        if hay[i] == b'=' {
            i += 1;
            continue;
        }
        match unescape(&hay[i..]) {
            Some((b'=', used)) => i += used,
            _ => break,
        }
    }
    i
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
        let text = String::from_utf8(syms.symbols().to_vec()).unwrap();
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
    fn skips_wraps_and_indentation_only_when_asked() {
        let syms = Symbols::<16>::read(b"ab\r\ncd\n    ef\\\n\tgh i", 0, LineBreaks::Wraps);
        assert_eq!(syms.symbols(), b"abcdefgh");
        let syms = Symbols::<16>::read(b"ab\rcd", 0, LineBreaks::Wraps);
        assert_eq!(syms.symbols(), b"ab", "a lone CR is not a wrap");
        let syms = Symbols::<16>::read(b"ab  cd", 0, LineBreaks::Wraps);
        assert_eq!(syms.symbols(), b"ab", "spaces without a line break end the run");
    }

    #[test]
    fn knows_where_each_symbol_ends() {
        let syms = Symbols::<16>::read(b"ab\n  c%2Bd==x", 0, LineBreaks::Wraps);
        assert_eq!(syms.symbols(), b"abc+d");
        assert_eq!(syms.end_of(2), 2);
        assert_eq!(syms.end_of(3), 6);
        assert_eq!(syms.end_of(4), 9);
        assert_eq!(syms.end_of(5), 12, "all symbols: past the padding");
    }

    #[test]
    fn walks_back_over_wraps() {
        let hay = b"xy ab\n    cd";
        assert_eq!(back_symbols(hay, 12, 2), Some(10));
        assert_eq!(back_symbols(hay, 12, 3), Some(4));
        assert_eq!(back_symbols(hay, 12, 4), Some(3));
        assert_eq!(
            back_symbols(hay, 12, 5),
            None,
            "a space without a line break ends it"
        );
        assert_eq!(back_symbols(b"a\\\r\n  b", 7, 2), Some(0));
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

//! The detector: `Chunk` in, `Finding`s out. The only code that ever holds raw token bytes.
//!
//! 1. An Aho-Corasick automaton finds anchors: the token's own base64 prefix `dG9rO`; the
//!    base64 of `dG9rO` at each of the three byte alignments (a token base64-encoded
//!    again); and the decoded text `tok:`.
//! 2. From each anchor, base64 (escapes and all) is decoded into a fixed stack buffer and
//!    the whole structure `tok:<uuid with _>:<digits>:<digits>` is validated. Anything
//!    else (placeholders, truncations, regexes, HTTP Basic credentials, random base64) is
//!    dropped here.
//! 3. A valid token becomes a `Redacted` form and a `Fingerprint`; line and column are
//!    counted lazily, only up to each finding. The `Finding` holds no token bytes.
//!
//! Keep the anchor set free of common words: every anchor hit costs a decode, and a
//! common literal (`int`, `intercom`) would make the prefilter useless.

mod decode;
mod token;

use aho_corasick::{packed, AhoCorasick, Input, Span};

use crate::chunk::{Chunk, CONTEXT_AFTER, CONTEXT_BEFORE};
use crate::finding::{Encoding, Finding, Fingerprint, Kind, Redacted};
use decode::{is_symbol, LineBreaks, Symbols, MAX_SPAN_PER_SYMBOL};
use token::{structure_len, Shown, Token, MAX_TEXT};

/// What an anchor means and how to decode from it.
#[derive(Clone, Copy, Debug)]
enum Anchor {
    /// `dG9rO`: the start of the token's base64.
    Base64,
    /// The base64 of `dG9rO` inside another base64 string. The outer 4-symbol group
    /// starts `back` symbols before the anchor, and the token starts `skip` bytes into
    /// the decoded group.
    Nested { back: usize, skip: usize },
    /// `tok:`: the decoded token text.
    Text,
}

/// The anchors, with the offset of the three rare bytes ("core") the searcher looks for.
///
/// Teddy runs at about 8 GB/s on 3-byte literals but under 3 GB/s on 4-byte and longer
/// ones (measured with aho-corasick 1.1 on cargo's registry sources), so the search is
/// for a rare 3-byte core of each anchor and a hit is confirmed by comparing the whole
/// anchor around it. Cores are chosen to be rare in code and impossible to confuse with
/// common words (`ok:` needs the `t` before it to count).
const ANCHORS: [(&str, usize, Anchor); 5] = [
    ("dG9rO", 1, Anchor::Base64),                        // G9r
    ("ZEc5ck9", 1, Anchor::Nested { back: 0, skip: 0 }), // Ec5
    ("RHOXJP", 3, Anchor::Nested { back: 2, skip: 1 }),  // XJP
    ("kRzlyT2", 3, Anchor::Nested { back: 3, skip: 2 }), // lyT
    ("tok:", 1, Anchor::Text),                           // ok:
];
/// Length of each anchor's core.
const CORE: usize = 3;

/// Longest anchor.
const MAX_ANCHOR: usize = 7;
/// Symbols that hold the longest token text plus one byte (to see an extra digit).
const MAX_SYMBOLS: usize = (MAX_TEXT + 1).div_ceil(3) * 4;
/// Bytes those symbols decode to.
const MAX_DECODED: usize = MAX_SYMBOLS / 4 * 3;
/// Outer symbols that hold up to two bytes of context plus `MAX_SYMBOLS` inner symbols.
const OUTER_SYMBOLS: usize = (MAX_SYMBOLS + 2).div_ceil(3) * 4;

// A stream's pieces must carry enough context for the longest decode.
const _: () = assert!(OUTER_SYMBOLS * MAX_SPAN_PER_SYMBOL + MAX_ANCHOR <= CONTEXT_AFTER);
const _: () = assert!(3 <= CONTEXT_BEFORE);

/// One detector per process: building the searcher is the expensive part.
pub struct Detector {
    anchors: Anchors,
}

/// The anchor search. Teddy (aho-corasick's packed SIMD searcher) over the anchors'
/// cores; the general automaton (which the crate's own heuristics would pick for this
/// set, measured 4-5x slower) is the fallback where Teddy cannot be built.
enum Anchors {
    Teddy(packed::Searcher),
    Automaton(AhoCorasick),
}

impl Anchors {
    fn new() -> Self {
        let cores = ANCHORS
            .iter()
            .map(|(literal, at, _)| &literal.as_bytes()[*at..*at + CORE]);
        match packed::Searcher::new(cores.clone()) {
            Some(teddy) => Anchors::Teddy(teddy),
            None => Anchors::Automaton(
                AhoCorasick::new(cores).expect("five 3-byte literals always build an automaton"),
            ),
        }
    }

    /// The next anchor whose core starts in `from..end`: the anchor's offset and its
    /// index in `ANCHORS`. Returns `Err(next_from)` for a core whose anchor is not there.
    fn find(&self, hay: &[u8], from: usize, end: usize) -> Option<Result<(usize, usize), usize>> {
        let span = Span::from(from..end);
        let m = match self {
            Anchors::Teddy(s) => s.find_in(hay, span),
            Anchors::Automaton(a) => a.find(Input::new(hay).span(span)),
        }?;
        let index = m.pattern().as_usize();
        let (literal, offset, _) = ANCHORS[index];
        let next = m.start() + 1;
        Some(match m.start().checked_sub(offset) {
            Some(start) if hay[start..].starts_with(literal.as_bytes()) => Ok((start, index)),
            _ => Err(next),
        })
    }
}

/// A validated token, already made safe.
struct Hit {
    /// Where the finding is reported: the token, or the outer base64 group that holds it.
    offset: usize,
    encoding: Encoding,
    redacted: Redacted,
    fingerprint: Fingerprint,
}

impl Default for Detector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector {
    pub fn new() -> Self {
        Self {
            anchors: Anchors::new(),
        }
    }

    /// True when `bytes` hold an anchor, i.e. may hold a token. Cheap: use it to decide
    /// whether a blob deserves a diff or a full scan.
    pub fn prefilter(&self, bytes: &[u8]) -> bool {
        let mut from = 0;
        while let Some(found) = self.anchors.find(bytes, from, bytes.len()) {
            match found {
                Ok(_) => return true,
                Err(next) => from = next,
            }
        }
        false
    }

    /// Appends the tokens in `chunk` whose anchor starts in `chunk.report` to `out`.
    pub fn scan(&self, chunk: &Chunk<'_>, out: &mut Vec<Finding>) {
        let hay = chunk.bytes;
        let report = chunk.report.start.min(hay.len())..chunk.report.end.min(hay.len());
        let span_end = (report.end + MAX_ANCHOR - 1).min(hay.len());
        let mut from = report.start;
        let mut counted = 0;
        let mut position = chunk.start;
        while let Some(found) = self.anchors.find(hay, from, span_end) {
            let (at, index) = match found {
                Ok(anchor) => anchor,
                Err(next) => {
                    from = next;
                    continue;
                }
            };
            from = at + ANCHORS[index].1 + 1;
            if at < report.start {
                continue;
            }
            if at >= report.end {
                break;
            }
            let Some(hit) = check(hay, at, ANCHORS[index].2) else {
                continue;
            };
            if hit.offset < counted {
                position = chunk.start;
                counted = 0;
            }
            position = position.advance(&hay[counted..hit.offset]);
            counted = hit.offset;
            tracing::debug!(
                origin = ?chunk.origin,
                line = position.line,
                encoding = %hit.encoding,
                "token found"
            );
            out.push(Finding {
                origin: chunk.origin.clone(),
                line: position.line,
                column: position.column,
                kind: Kind::IntercomAccessToken,
                encoding: hit.encoding,
                redacted: hit.redacted,
                fingerprint: hit.fingerprint,
                marker: marker_on_line(hay, hit.offset),
            });
        }
    }
}

/// Markers that allow a token on their line: intercept's own and the ones teams already
/// use with other scanners (gitleaks, detect-secrets).
pub const MARKERS: [&str; 3] = ["intercept:allow", "gitleaks:allow", "pragma: allowlist secret"];

/// How far from the token a marker is looked for on a (minified, endless) line.
const MARKER_REACH: usize = 64 << 10;

/// The allow marker on the line holding `offset`, if any.
fn marker_on_line(hay: &[u8], offset: usize) -> Option<&'static str> {
    let lo = offset.saturating_sub(MARKER_REACH);
    let hi = hay.len().min(offset.saturating_add(MARKER_REACH));
    let start = memchr::memrchr(b'\n', &hay[lo..offset]).map_or(lo, |i| lo + i + 1);
    let end = memchr::memchr(b'\n', &hay[offset..hi]).map_or(hi, |i| offset + i);
    let line = &hay[start..end];
    MARKERS
        .into_iter()
        .find(|m| memchr::memmem::find(line, m.as_bytes()).is_some())
}

/// Decodes and validates from one anchor.
fn check(hay: &[u8], at: usize, anchor: Anchor) -> Option<Hit> {
    let mut buf = [0u8; MAX_DECODED];
    match anchor {
        Anchor::Base64 => {
            let (len, encoding) = base64_token(hay, at, &mut buf)?;
            Some(hit(at, encoding, Token(&buf[..len]), Shown::Base64))
        }
        Anchor::Nested { back, skip } => {
            let group = at.checked_sub(back)?;
            if !hay[group..at].iter().all(|&c| is_symbol(c)) {
                return None;
            }
            let outer = Symbols::<OUTER_SYMBOLS>::read(hay, group, LineBreaks::Skip);
            let mut outer_buf = [0u8; OUTER_SYMBOLS / 4 * 3];
            let n = outer.decode_into(&mut outer_buf);
            let inner = outer_buf.get(skip..n)?;
            let (len, _) = base64_token(inner, 0, &mut buf)?;
            Some(hit(
                group,
                Encoding::NestedBase64,
                Token(&buf[..len]),
                Shown::Base64,
            ))
        }
        Anchor::Text => {
            let text = &hay[at..hay.len().min(at + MAX_TEXT + 1)];
            let len = structure_len(text)?;
            Some(hit(at, Encoding::DecodedText, Token(&text[..len]), Shown::Text))
        }
    }
}

fn hit(offset: usize, encoding: Encoding, token: Token<'_>, shown: Shown) -> Hit {
    Hit {
        offset,
        encoding,
        redacted: token.redacted(shown),
        fingerprint: token.fingerprint(),
    }
}

/// Decodes the base64 at `hay[at..]` into `buf` and validates a token at its start.
/// Returns the token text's length and how its base64 was written.
fn base64_token(hay: &[u8], at: usize, buf: &mut [u8; MAX_DECODED]) -> Option<(usize, Encoding)> {
    // `tok:` followed by a hex digit or a-f always encodes as `dG9rOj` or `dG9rOm`:
    // reject every other `dG9rO` before decoding anything.
    if !matches!(hay.get(at + 5), Some(b'j' | b'm')) {
        return None;
    }
    let symbols = Symbols::<MAX_SYMBOLS>::read(hay, at, LineBreaks::End);
    let n = symbols.decode_into(buf);
    let len = structure_len(&buf[..n])?;
    let needed = (len * 4).div_ceil(3);
    let encoding = if symbols.first_escape.is_some_and(|i| i < needed) {
        Encoding::Escaped
    } else if len % 3 == 0 {
        Encoding::Plain
    } else if symbols.len() > needed {
        // Glued to more base64 characters: the padding cannot be there.
        Encoding::NoPadding
    } else {
        match symbols.padding {
            decode::Padding::Literal => Encoding::Plain,
            decode::Padding::Escaped => Encoding::Escaped,
            decode::Padding::None => Encoding::NoPadding,
        }
    };
    Some((len, encoding))
}

#[cfg(test)]
mod tests;

//! The detector: `Chunk` in, `Finding`s out. The only code that ever holds raw token bytes.
//!
//! 1. An Aho-Corasick searcher finds anchors: the token's own base64 prefix `dG9rO`; the
//!    base64 of `dG9rO` at each of the three byte alignments (a token base64-encoded
//!    again); and the decoded text `tok:`.
//! 2. From each anchor, base64 (escapes and all; for a nested token also line wraps and
//!    their indentation) is decoded into a fixed stack buffer and the whole structure
//!    `tok:<uuid with _>:<digits>:<digits>` is validated. Anything else (placeholders,
//!    truncations, regexes, HTTP Basic credentials, random base64) is dropped here.
//! 3. A valid token becomes a `Redacted` form and a `Fingerprint`; line and column are
//!    counted lazily, only up to each finding. The `Finding` holds no token bytes.
//!
//! [`Detector::redact`] uses the same search to replace every token in a text by its
//! redacted form: the one step every string that leaves the program passes.
//!
//! Keep the anchor set free of common words: every anchor hit costs a decode, and a
//! common literal (`int`, `intercom`) would make the prefilter useless.
//!
//! Intercom's other secrets (client secret, Identity Verification secret) have no format:
//! the same search finds rare cores of `intercom` in its usual cases (`rcom`, `RCOM`,
//! `rCom`), and [`context`] reads the name, the block and the assigned value around each.

mod context;
mod decode;
mod token;
mod vault;

pub use vault::{Secret, Vault};

use std::ops::Range;

use aho_corasick::{packed, AhoCorasick, Input, Span};

use crate::chunk::{Chunk, CONTEXT_AFTER, CONTEXT_BEFORE};
use crate::finding::{Encoding, Finding, Fingerprint, Kind, Redacted};
use decode::{back_symbols, LineBreaks, Symbols, MAX_SPAN_PER_SYMBOL, MAX_WRAPS, MAX_WRAP_LEN};
use token::{plausible_prefix, structure_len, Shown, Token, MAX_B64, MAX_TEXT, MIN_TEXT};

/// What an anchor means and how to decode from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    /// `dG9rO`: the start of the token's base64.
    Base64,
    /// The base64 of `dG9rO` inside another base64 string. The outer 4-symbol group
    /// starts `back` symbols before the anchor, and the token starts `skip` bytes into
    /// the decoded group.
    Nested { back: usize, skip: usize },
    /// `tok:`: the decoded token text.
    Text,
    /// `intercom` in any case: a name or block that may hold another Intercom secret.
    Context,
}

/// One literal the searcher looks for: a rare 3-byte core of an anchor, at `at` symbols
/// into it.
///
/// Teddy runs at about 8 GB/s on 3-byte literals but under 3 GB/s on 4-byte and longer
/// ones (measured with aho-corasick 1.1 on cargo's registry sources), so the search is
/// for a rare 3-byte core of each anchor and a hit is confirmed by comparing the whole
/// anchor around it. A nested anchor has two cores, so that a line wrap anywhere inside it
/// (a wrapped, indented Kubernetes or cloud-init value) leaves one of them whole; eight
/// cores search as fast as five. Cores are chosen to be rare in code and impossible to
/// confuse with common words (`ok:` needs the `t` before it to count).
struct Core {
    anchor: &'static str,
    at: usize,
    /// The literal's length: 3 (the core), or 4 for `intercom`'s (see [`CORES`]).
    len: usize,
    kind: Anchor,
}

const NESTED_0: Anchor = Anchor::Nested { back: 0, skip: 0 };
const NESTED_1: Anchor = Anchor::Nested { back: 2, skip: 1 };
const NESTED_2: Anchor = Anchor::Nested { back: 3, skip: 2 };

// Order matters to Teddy, which has 8 buckets: core `i` takes bucket `7 - i % 8` unless a
// core with the same low nybbles already has one (`rcom`, `RCOM`, `rCom` share), and a
// bucket's cores share their nybble masks, so look-alikes of one are candidates for all.
// Here the context cores (ids 0, 8, 9) have bucket 7 to themselves and `HOX` (id 10)
// shares bucket 5 with `XJP`, the other core of its anchor. Measured with Teddy alone
// (best of 9 over 100 MB of Rust sources and of random base64): 2 % and 0-2 % slower than
// the eight token cores; `kRz` with `lyT` cost 6 % and 3 %, and the context cores sharing
// `G9r`'s or `lyT`'s bucket 13-32 % (`rib` in "attribute", `lid` in "valid"). A context
// core is 4 bytes long: Teddy's masks take its first 3 (`rco`), its own verification the
// `m`, so `rco` in "sourcecode" does not come back to the detector.
const CORES: [Core; 11] = [
    context_core("intercom"),         // rcom (`intercom`, `Intercom`)
    core("kRzlyT2", 0, NESTED_2),     // kRz: whole when a wrap splits lyT
    core("RHOXJP", 3, NESTED_1),      // XJP
    core("dG9rO", 1, Anchor::Base64), // G9r
    core("ZEc5ck9", 1, NESTED_0),     // Ec5
    core("ZEc5ck9", 4, NESTED_0),     // ck9: whole when a wrap splits Ec5
    core("kRzlyT2", 3, NESTED_2),     // lyT
    core("tok:", 1, Anchor::Text),    // ok:
    context_core("INTERCOM"),         // RCOM
    context_core("interCom"),         // rCom
    core("RHOXJP", 1, NESTED_1),      // HOX: whole when a wrap splits XJP
];

/// For a nested anchor at each alignment (`skip`): the anchor, and the symbols that may
/// follow it in the outer base64 when the token's sixth character is `j` or `m` (tested
/// against the encoder in the unit tests).
const NEXT: [(&[u8], &[u8]); 3] = [(b"ZEc5ck9", b"qt"), (b"RHOXJP", b"ab"), (b"kRzlyT2", b"opqr0123")];

const fn core(anchor: &'static str, at: usize, kind: Anchor) -> Core {
    Core {
        anchor,
        at,
        len: CORE,
        kind,
    }
}

/// `intercom` in one case (compared in any case around the hit): its last 4 bytes.
const fn context_core(anchor: &'static str) -> Core {
    Core {
        anchor,
        at: 4,
        len: 4,
        kind: Anchor::Context,
    }
}

/// Length of each anchor's core.
const CORE: usize = 3;

/// Longest anchor.
const MAX_ANCHOR: usize = 7;
/// Bytes an anchor may take in the haystack, wrap included.
const MAX_ANCHOR_SPAN: usize = MAX_ANCHOR + MAX_WRAP_LEN;
/// Symbols that hold the longest token text plus one byte (to see an extra digit).
const MAX_SYMBOLS: usize = (MAX_TEXT + 1).div_ceil(3) * 4;
/// Bytes those symbols decode to.
const MAX_DECODED: usize = MAX_SYMBOLS / 4 * 3;
/// Outer symbols that hold up to two bytes of context plus `MAX_SYMBOLS` inner symbols.
const OUTER_SYMBOLS: usize = (MAX_SYMBOLS + 2).div_ceil(3) * 4;
/// The most bytes a hit's offset lies before its core: the anchor's symbols before the core
/// and the group's before the anchor (at most 4 and 3), each walk over up to `MAX_WRAPS`
/// wraps. Cores are found in order, so a hit found later never starts further than this
/// before one found earlier.
const REORDER: usize = 7 + 2 * MAX_WRAPS * MAX_WRAP_LEN;

// A stream's pieces must carry enough context for the longest decode and the longest
// walk back from an anchor to its group.
const _: () = assert!(
    OUTER_SYMBOLS * MAX_SPAN_PER_SYMBOL + MAX_WRAPS * MAX_WRAP_LEN + MAX_ANCHOR_SPAN <= CONTEXT_AFTER
);
const _: () = assert!(3 + MAX_WRAP_LEN <= CONTEXT_BEFORE);
// And the context rules' reach around an `intercom`.
const _: () = assert!(context::MAX_REACH <= CONTEXT_AFTER && context::LINE_BEFORE <= CONTEXT_BEFORE);

/// One detector per process: building the searcher is the expensive part.
pub struct Detector {
    anchors: Anchors,
    /// Where the tokens found are kept, for `scan --verify` and `purge` only.
    vault: Option<Vault>,
}

/// The anchor search. Teddy (aho-corasick's packed SIMD searcher) over the anchors'
/// cores; the general automaton (which the crate's own heuristics would pick for this
/// set, measured 4-5x slower) is the fallback where Teddy cannot be built.
enum Anchors {
    Teddy(packed::Searcher),
    Automaton(AhoCorasick),
}

/// A core the searcher found: where, which one, and where its anchor starts when the
/// whole anchor is there around it.
struct Found {
    at: usize,
    core: usize,
    start: Option<usize>,
    /// The anchor's bytes are all there at `start`, with no wrap inside.
    whole: bool,
}

impl Anchors {
    fn new() -> Self {
        let cores = CORES.iter().map(|c| &c.anchor.as_bytes()[c.at..c.at + c.len]);
        match packed::Searcher::new(cores.clone()) {
            Some(teddy) => Anchors::Teddy(teddy),
            None => Anchors::Automaton(
                AhoCorasick::new(cores).expect("eleven short literals always build an automaton"),
            ),
        }
    }

    /// The next core in `from..end`.
    fn find(&self, hay: &[u8], from: usize, end: usize) -> Option<Found> {
        let span = Span::from(from..end);
        let m = match self {
            Anchors::Teddy(s) => s.find_in(hay, span),
            Anchors::Automaton(a) => a.find(Input::new(hay).span(span)),
        }?;
        let index = m.pattern().as_usize();
        let core = &CORES[index];
        let whole = m.start().checked_sub(core.at).filter(|&s| match core.kind {
            Anchor::Context => context::is_word(hay, s),
            _ => hay[s..].starts_with(core.anchor.as_bytes()),
        });
        let start = match core.kind {
            // A token and its text are written on one line: compare bytes.
            Anchor::Base64 | Anchor::Text | Anchor::Context => whole,
            // A nested anchor may be split by a wrap: compare symbols (bytes first: most
            // anchors are whole).
            Anchor::Nested { .. } => whole.or_else(|| {
                back_symbols(hay, m.start(), core.at).filter(|&s| {
                    Symbols::<MAX_ANCHOR>::read(hay, s, LineBreaks::Wraps)
                        .symbols()
                        .starts_with(core.anchor.as_bytes())
                })
            }),
        };
        Some(Found {
            at: m.start(),
            core: index,
            start,
            whole: whole.is_some(),
        })
    }
}

/// A validated token (or a secret found by context), already made safe.
struct Hit {
    /// Where the finding is reported: the token, or the outer base64 group that holds it.
    offset: usize,
    /// Just past the characters that encode it.
    end: usize,
    /// Where its anchor starts (before `offset` only for a context secret).
    anchor: usize,
    kind: Kind,
    encoding: Encoding,
    redacted: Redacted,
    /// What replaces its characters in printed text, when not `redacted`.
    mask: Option<String>,
    fingerprint: Fingerprint,
    /// What a vault keeps of it.
    kept: Kept,
}

/// What a vault keeps of a hit: a token's canonical base64 (on the stack), or a context
/// secret's value as written (`hay[offset..end]`).
enum Kept {
    Token(([u8; MAX_B64], u8)),
    Written,
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
            vault: None,
        }
    }

    /// A detector that also keeps every token it finds, by fingerprint, for the commands
    /// that must use them (`scan --verify`, `purge`). Never for hooks or printing.
    pub fn keeping_secrets() -> Self {
        Self {
            anchors: Anchors::new(),
            vault: Some(Vault::default()),
        }
    }

    /// The tokens found so far, when this detector keeps them.
    pub fn vault(&self) -> Option<&Vault> {
        self.vault.as_ref()
    }

    /// True when `bytes` hold an anchor, i.e. may hold a token. Cheap: use it to decide
    /// whether a blob deserves a diff or a full scan.
    pub fn prefilter(&self, bytes: &[u8]) -> bool {
        let mut from = 0;
        while let Some(found) = self.anchors.find(bytes, from, bytes.len()) {
            if found.start.is_some() {
                return true;
            }
            from = found.at + 1;
        }
        false
    }

    /// Calls `each` for every valid token whose anchor starts in `report`, in order.
    fn hits(&self, hay: &[u8], report: Range<usize>, each: &mut dyn FnMut(Hit)) {
        let report = report.start.min(hay.len())..report.end.min(hay.len());
        // A core sits at most an anchor's span after the anchor's start.
        let span_end = report.end.saturating_add(MAX_ANCHOR_SPAN).min(hay.len());
        let mut from = report.start;
        // Anchors recently checked: a nested anchor's two cores find it twice.
        let mut recent = [(usize::MAX, 0usize); 4];
        let mut slot = 0;
        let (mut values, mut next_value) = ([usize::MAX; 8], 0);
        let mut read_to = 0;
        while let Some(found) = self.anchors.find(hay, from, span_end) {
            from = found.at + 1;
            let Some(start) = found.start else {
                continue;
            };
            let core = &CORES[found.core];
            if found.whole {
                // The only cores that lie inside a whole anchor are its own (no anchor holds
                // another's core): do not find it again.
                from = from.max(start + core.anchor.len() + 1 - CORE);
            }
            // Cores are found in order, but a split anchor's second core lies after its
            // start: anchors outside the range are skipped, not a reason to stop.
            if !report.contains(&start) {
                continue;
            }
            let id = (start, core.anchor.as_ptr() as usize);
            if recent.contains(&id) {
                continue;
            }
            recent[slot] = id;
            slot = (slot + 1) % recent.len();
            if core.kind == Anchor::Context {
                context::check(hay, start, &mut read_to, &mut |s| {
                    // Nested Intercom blocks name one child twice.
                    if !values.contains(&s.span.start) {
                        values[next_value] = s.span.start;
                        next_value = (next_value + 1) % values.len();
                        each(context_hit(start, s));
                    }
                });
            } else if let Some(hit) = check(hay, start, core.kind, found.whole) {
                each(hit);
            }
        }
    }

    /// Appends the tokens in `chunk` whose anchor starts in `chunk.report` to `out`.
    pub fn scan(&self, chunk: &Chunk<'_>, out: &mut Vec<Finding>) {
        self.scan_each(chunk, &mut |f| out.push(f));
    }

    /// Hands `each` the tokens in `chunk` whose anchor starts in `chunk.report`, in order
    /// of their offsets, as they are found: nothing grows with their number.
    pub fn scan_each(&self, chunk: &Chunk<'_>, each: &mut dyn FnMut(Finding)) {
        let hay = chunk.bytes;
        let mut counted = 0;
        let mut position = chunk.start;
        let mut emit = |hit: Hit| {
            if hit.offset < counted {
                position = chunk.start;
                counted = 0;
            }
            position = position.advance(&hay[counted..hit.offset]);
            counted = hit.offset;
            let end = position.advance(&hay[hit.offset..hit.end.min(hay.len())]);
            tracing::debug!(
                origin = ?chunk.origin,
                line = position.line,
                encoding = %hit.encoding,
                kind = hit.kind.id(),
                "token found"
            );
            if let Some(vault) = &self.vault {
                match &hit.kept {
                    Kept::Token((buf, n)) => {
                        vault.keep(hit.fingerprint, Secret::token(&buf[..usize::from(*n)]))
                    }
                    Kept::Written => {
                        let written = &hay[hit.offset.min(hay.len())..hit.end.min(hay.len())];
                        vault.keep(hit.fingerprint, Secret::written(written));
                    }
                }
            }
            each(Finding {
                origin: chunk.origin.clone(),
                line: position.line,
                column: position.column,
                end_line: end.line,
                end_column: end.column,
                kind: hit.kind,
                encoding: hit.encoding,
                redacted: hit.redacted,
                fingerprint: hit.fingerprint,
                marker: marker_beside(hay, hit.offset..hit.end),
                verification: None,
            });
        };
        // Hits come in the order their cores are found. A split anchor's second core can
        // be found after a later anchor's first core, but a hit never starts more than
        // `REORDER` bytes before one found earlier: keep the hits of that window, sorted,
        // and hand on those behind it.
        let mut window: Vec<Hit> = Vec::new();
        let mut on_hit = |hit: Hit| {
            let behind = hit.offset.min(hit.anchor).saturating_sub(REORDER);
            let at = window.partition_point(|h| h.offset <= hit.offset);
            window.insert(at, hit);
            let ready = window.partition_point(|h| h.offset < behind);
            window.drain(..ready).for_each(&mut emit);
        };
        self.hits(hay, chunk.report.clone(), &mut on_hit);
        window.into_iter().for_each(emit);
    }

    /// `text` with every token replaced by its redacted form, or `None` when it holds
    /// none. The one redaction step for everything the program prints. Linear in `text`
    /// (a path of 65 KB runs of token-like names must not cost seconds), and only the
    /// token's characters are replaced: the rest of a path stays as it is.
    pub fn redact(&self, text: &[u8]) -> Option<Vec<u8>> {
        let mut spans: Vec<(Range<usize>, Vec<u8>)> = Vec::new();
        self.hits(text, 0..text.len(), &mut |hit| {
            let range = hit.offset..hit.end.min(text.len());
            let shown = hit.mask.unwrap_or_else(|| hit.redacted.as_str().to_string());
            spans.push((range, shown.into_bytes()));
        });
        spans.sort_by_key(|(r, _)| r.start);
        // Redaction is wider than detection: most of a token (a truncated copy, a token
        // cut by a damaged container) is as good as the token, so a long run that starts
        // like one is masked too, after its first 8 characters, unless it is a token
        // already replaced above.
        let mut hits = spans.iter().map(|(r, _)| r.clone()).peekable();
        let mut partial = Vec::new();
        for range in partial_tokens(text) {
            while hits.next_if(|h| h.end <= range.start).is_some() {}
            if hits.peek().is_some_and(|h| h.start < range.end) {
                continue;
            }
            let mut masked = text[range.start..range.start + 8].to_vec();
            masked.extend_from_slice("…".as_bytes());
            partial.push((range, masked));
        }
        if spans.is_empty() && partial.is_empty() {
            return None;
        }
        spans.append(&mut partial);
        spans.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
        let mut out = Vec::with_capacity(text.len());
        let mut at = 0;
        for (range, redacted) in spans {
            if range.start < at {
                continue;
            }
            out.extend_from_slice(&text[at..range.start]);
            out.extend_from_slice(&redacted);
            at = range.end;
        }
        out.extend_from_slice(&text[at..]);
        Some(out)
    }
}

/// Shortest run that [`partial_tokens`] masks: well under a token's 60 characters (or
/// the 44 of its decoded text), well over what names a token (`dG9rOm<YOUR_TOKEN>`).
const PARTIAL_RUN: usize = 24;

/// Runs that start like a token — base64 from `dG9rO`, or decoded text from `tok:` and a
/// hex digit — and go on for at least [`PARTIAL_RUN`] characters of their alphabet,
/// whether or not they validate, in order. A token's base64 never holds `+` or `/` (its
/// text is hex digits, `_`, `:` and digits: no six 1-bits in a row), so a run stops at a
/// path separator; it may end in `=` padding.
fn partial_tokens(text: &[u8]) -> Vec<Range<usize>> {
    let base64 = |b: u8| b.is_ascii_alphanumeric();
    let plain = |b: u8| b.is_ascii_hexdigit() || matches!(b, b'_' | b'-' | b':');
    let mut out = Vec::new();
    for (anchor, alphabet, padding) in [
        (&b"dG9rO"[..], &base64 as &dyn Fn(u8) -> bool, 2),
        (&b"tok:"[..], &plain as &dyn Fn(u8) -> bool, 0),
    ] {
        // Runs are maximal: an anchor inside the previous run ends where it ends, so it
        // is skipped, not walked again (which made long token-like runs quadratic).
        let mut after = 0;
        for start in memchr::memmem::find_iter(text, anchor) {
            if start < after {
                continue;
            }
            let from = start + anchor.len();
            let run = text[from..].iter().take_while(|&&b| alphabet(b)).count();
            let pad = text[from + run..]
                .iter()
                .take(padding)
                .take_while(|&&b| b == b'=')
                .count();
            let end = from + run + pad;
            after = end;
            if end - start >= PARTIAL_RUN {
                out.push(start..end);
            }
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// Markers that allow a token on their line: intercept's own and the ones teams already
/// use with other scanners (gitleaks, detect-secrets).
pub const MARKERS: [&str; 3] = ["intercept:allow", "gitleaks:allow", "pragma: allowlist secret"];
const _: () = assert!(MARKERS[2].len() == MARKER_LEN);

/// The marker, if any, somewhere in `bytes`.
pub fn marker_in(bytes: &[u8]) -> Option<&'static str> {
    MARKERS
        .into_iter()
        .find(|m| memchr::memmem::find(bytes, m.as_bytes()).is_some())
}

/// How far from a token an allow marker counts: at most this many bytes between them, on the
/// token's own physical line. A marker on a minified one-line bundle allows the token beside
/// it, not every token of the line.
pub const MARKER_REACH: usize = 256;

/// The longest marker.
const MARKER_LEN: usize = 24;

/// The allow marker beside a token: on its physical line, at most [`MARKER_REACH`] bytes
/// before its start or after its end (bounded work per finding, however long the line).
fn marker_beside(hay: &[u8], token: Range<usize>) -> Option<&'static str> {
    let end = token.end.min(hay.len());
    let from = token.start.saturating_sub(MARKER_REACH + MARKER_LEN);
    let to = end.saturating_add(MARKER_REACH + MARKER_LEN).min(hay.len());
    // A line ends at `\n` or at a lone `\r` (old Mac files; an editor shows two lines).
    let start = memchr::memrchr2(b'\n', b'\r', &hay[from..token.start]).map_or(from, |i| from + i + 1);
    let stop = memchr::memchr2(b'\n', b'\r', &hay[end..to]).map_or(to, |i| end + i);
    MARKERS.into_iter().find(|m| {
        memchr::memmem::find_iter(&hay[start..stop], m.as_bytes()).any(|at| {
            let (at, after) = (start + at, start + at + m.len());
            let gap = if at >= end {
                at - end
            } else {
                token.start.saturating_sub(after)
            };
            gap <= MARKER_REACH
        })
    })
}

/// Decodes and validates from one anchor.
/// `whole`: the anchor's bytes are all there at `at`.
fn check(hay: &[u8], at: usize, anchor: Anchor, whole: bool) -> Option<Hit> {
    let mut buf = [0u8; MAX_DECODED];
    match anchor {
        Anchor::Base64 => {
            let (len, encoding, end) = base64_token(hay, at, &mut buf)?;
            Some(hit(at..end, encoding, Token(&buf[..len]), Shown::Base64))
        }
        Anchor::Nested { back, skip } => {
            // The symbol after the anchor encodes the token's sixth character (`j` or `m`)
            // at every alignment: when it is written right there, look at it first.
            let (anchor, next) = NEXT[skip];
            if whole
                && hay
                    .get(at + anchor.len())
                    .is_some_and(|&c| decode::is_symbol(c) && !next.contains(&c))
            {
                return None;
            }
            let group = back_symbols(hay, at, back)?;
            // Decode growing windows, so a near miss costs in proportion to the bytes that
            // look like a token (a file of repeated anchors, each one decoded whole, ran at
            // 18 MB/s).
            if !nested_plausible::<16>(hay, group, skip)
                || !nested_plausible::<32>(hay, group, skip)
                || !nested_plausible::<64>(hay, group, skip)
            {
                return None;
            }
            let outer = Symbols::<OUTER_SYMBOLS>::read(hay, group, LineBreaks::Wraps);
            let mut outer_buf = [0u8; OUTER_SYMBOLS / 4 * 3];
            let n = outer.decode_into(&mut outer_buf);
            let inner = outer_buf.get(skip..n)?;
            let (len, _, inner_end) = base64_token(inner, 0, &mut buf)?;
            // The outer symbols that encode the inner token's characters.
            let outer_needed = ((skip + inner_end) * 4).div_ceil(3);
            let end = group + outer.end_of(outer_needed);
            Some(hit(
                group..end,
                Encoding::NestedBase64,
                Token(&buf[..len]),
                Shown::Base64,
            ))
        }
        Anchor::Text => {
            let text = &hay[at..hay.len().min(at + MAX_TEXT + 1)];
            let len = structure_len(text)?;
            Some(hit(
                at..at + len,
                Encoding::DecodedText,
                Token(&text[..len]),
                Shown::Text,
            ))
        }
        // Read by `context::check`, which may find several.
        Anchor::Context => None,
    }
}

fn hit(span: Range<usize>, encoding: Encoding, token: Token<'_>, shown: Shown) -> Hit {
    let canonical = token.canonical_copy();
    Hit {
        offset: span.start,
        end: span.end,
        anchor: span.start,
        kind: Kind::IntercomAccessToken,
        encoding,
        redacted: token.redacted(shown),
        mask: None,
        fingerprint: token::fingerprint_of(&canonical.0[..usize::from(canonical.1)]),
        kept: Kept::Token(canonical),
    }
}

fn context_hit(anchor: usize, s: context::Secret) -> Hit {
    Hit {
        offset: s.span.start,
        end: s.span.end,
        anchor,
        kind: s.kind,
        encoding: s.encoding,
        redacted: s.redacted,
        mask: Some(s.mask),
        fingerprint: s.fingerprint,
        kept: Kept::Written,
    }
}

/// Decodes the base64 at `hay[at..]` into `buf` and validates a token at its start.
/// Returns the token text's length, how its base64 was written, and the offset just past
/// its characters in `hay`.
fn base64_token(hay: &[u8], at: usize, buf: &mut [u8; MAX_DECODED]) -> Option<(usize, Encoding, usize)> {
    // `tok:` followed by a hex digit or a-f always encodes as `dG9rOj` or `dG9rOm`:
    // reject every other `dG9rO` before decoding anything.
    if !matches!(hay.get(at + 5), Some(b'j' | b'm')) {
        return None;
    }
    // Most near misses (placeholders, regexes, Basic credentials) fail within the UUID's
    // first characters: look at growing prefixes before decoding everything.
    if !plausible::<8>(hay, at) || !plausible::<24>(hay, at) {
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
    let end = at + symbols.end_of(needed);
    Some((len, encoding, end))
}

/// Whether the first `N` symbols at `hay[at..]` can start a token (false when the run
/// ends before them: a token takes more).
fn plausible<const N: usize>(hay: &[u8], at: usize) -> bool {
    let symbols = Symbols::<N>::read(hay, at, LineBreaks::End);
    let mut text = [0u8; MAX_DECODED];
    let n = symbols.decode_into(&mut text);
    symbols.len() == N && plausible_prefix(&text[..n])
}

/// Whether the first `N` outer symbols of the group at `hay[group..]` can hold the start of
/// a token `skip` bytes into their decoded bytes.
fn nested_plausible<const N: usize>(hay: &[u8], group: usize, skip: usize) -> bool {
    let outer = Symbols::<N>::read(hay, group, LineBreaks::Wraps);
    let mut decoded = [0u8; OUTER_SYMBOLS / 4 * 3];
    let n = outer.decode_into(&mut decoded);
    let Some(inner) = decoded.get(skip..n) else {
        return false;
    };
    if !matches!(inner.get(5), Some(b'j' | b'm')) {
        return false;
    }
    let symbols = Symbols::<MAX_SYMBOLS>::read(inner, 0, LineBreaks::End);
    let mut text = [0u8; MAX_DECODED];
    let m = symbols.decode_into(&mut text);
    // A whole outer run that decodes to less than a token's text holds none.
    (outer.len() == N || m >= MIN_TEXT) && plausible_prefix(&text[..m])
}

#[cfg(test)]
mod tests;

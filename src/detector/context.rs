//! Intercom's other secrets, found by context: the client secret (also the webhook
//! signature key) and the Identity Verification secret. They have no format of their own,
//! so a value is reported only when a name that says Intercom and secret is assigned a
//! literal that looks generated (`../shared/intercom-tokens.md`, "Other Intercom secrets").
//!
//! Receives the haystack and the offset of a case-insensitive `intercom` the searcher found
//! (the detector's anchors include its rare cores, so there is still one pass); hands on
//! each secret as a [`Secret`]: where its characters are, its kind, its `Redacted` form and
//! its `Fingerprint`. The value's bytes go no further.
//!
//! Two ways a name says Intercom:
//! - the name itself (`INTERCOM_CLIENT_SECRET`, `intercomClientSecret`,
//!   `intercom.client-secret`, `IntercomIdentitySecret`), assigned with `=`, `:`, `=>`,
//!   `:=`, `,` (`define('X', 'v')`), `>` (an XML element), a space after `set`, `setenv`,
//!   `ENV` or a `--flag`, or a `name:`/`value:` pair (Kubernetes and ECS `env` lists);
//! - an enclosing key or block named for Intercom (`intercom:` in YAML, `"intercom": {…}`,
//!   `[intercom]` in TOML and INI, `intercom = {`, `IntercomRails.config do |config|`, a
//!   `class IntercomSettings:`), whose children (up to [`REGION`] bytes after it) are read
//!   for a secret's name (`client_secret`, `identity_verification_secret`, `api_secret`).
//!
//! Work is bounded per anchor: the name at most [`NAME_BEFORE`] + [`NAME_AFTER`] bytes, a
//! block at most [`REGION`] bytes, a value at most [`MAX_VALUE`] bytes; all of it lies
//! within a stream piece's context (the detector asserts it).

use std::ops::Range;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::finding::{Encoding, Fingerprint, Kind, Redacted};

/// The word the searcher's context anchors confirm (compared case-insensitively).
pub(super) const WORD: &[u8] = b"intercom";

/// The most bytes of a name before the anchor.
pub(super) const NAME_BEFORE: usize = 64;
/// The most bytes of a name after the anchor's start.
const NAME_AFTER: usize = 96;
/// The most bytes of a line looked at before a name (its indentation, `export`, `- name:`).
pub(super) const LINE_BEFORE: usize = 120;
/// The most bytes of a block's children read after its opening key.
const REGION: usize = 1280;
/// The longest value judged; a longer literal is not a secret of these kinds.
const MAX_VALUE: usize = 256;
/// The most bytes skipped between a `name:` and its `value:` (a line break, indentation).
const PAIR_GAP: usize = 160;
/// How far after its anchor a secret's last byte can lie: a stream piece's context must
/// hold this much (asserted in the detector).
pub(super) const MAX_REACH: usize = REGION + NAME_AFTER + 32 + PAIR_GAP + MAX_VALUE + 8;

/// Shortest value reported, in characters (a UUID is 36, an Identity Verification secret
/// 40, a `whsec_` example 70). Measured in docs/benchmarks.md ("Context secrets").
pub const MIN_VALUE: usize = 32;

/// A secret found by context, already made safe.
pub(super) struct Secret {
    /// The value's characters in the haystack.
    pub span: Range<usize>,
    pub kind: Kind,
    pub encoding: Encoding,
    /// `NAME=3f2a…(36)`, for a finding.
    pub redacted: Redacted,
    /// `3f2a…`: what replaces the value in printed text (the name stays).
    pub mask: String,
    pub fingerprint: Fingerprint,
}

/// Whether the bytes at `at` spell `intercom` in any case.
pub(super) fn is_word(hay: &[u8], at: usize) -> bool {
    hay.get(at..at + WORD.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(WORD))
}

/// Hands `each` the secrets the `intercom` at `at` names, in order of their offsets.
/// `read_to`: how far the blocks of earlier anchors in this haystack were read. A block
/// that opens inside one already read is not read again (its children were, as the outer
/// block's), so a file of `intercom = {` lines costs each byte one read, not one per
/// block around it.
pub(super) fn check(hay: &[u8], at: usize, read_to: &mut usize, each: &mut dyn FnMut(Secret)) {
    let Some(name) = name_around(hay, at, at + WORD.len()) else {
        return;
    };
    let floor = at.saturating_sub(LINE_BEFORE);
    let line = line_start(hay, name.start, floor);
    let name_bytes = &hay[name.clone()];
    if let Some(kind) = secret_kind(name_bytes) {
        if let Some(value) = assigned(hay, name.clone(), line) {
            if let Some(s) = judge(hay, value, kind, name_bytes, None) {
                each(s);
            }
        }
        return;
    }
    if at < *read_to {
        return;
    }
    let Some(region) = block(hay, name.clone(), line) else {
        return;
    };
    *read_to = region.end;
    children(hay, region, name_bytes, floor, each);
}

/// The secrets named in a block's children.
fn children(hay: &[u8], region: Range<usize>, parent: &[u8], floor: usize, each: &mut dyn FnMut(Secret)) {
    let mut after = region.start;
    let mut i = region.start;
    while i < region.end {
        let Some(at) = next_secret_word(&hay[i..region.end]).map(|o| i + o) else {
            return;
        };
        i = at + 1;
        if at < after {
            continue;
        }
        let Some(name) = name_around(hay, at, at + 4) else {
            continue;
        };
        after = name.end;
        let child = &hay[name.clone()];
        // A child that names Intercom itself is its own anchor's.
        if contains_word(child) {
            continue;
        }
        // `config.api_secret`: the key is the last part of a dotted path.
        let key = child.rsplit(|&b| b == b'.').next().unwrap_or(child);
        let Some(kind) = secret_kind_of(key, true) else {
            continue;
        };
        let line = line_start(hay, name.start, floor.max(name.start.saturating_sub(LINE_BEFORE)));
        if let Some(value) = assigned(hay, name.clone(), line) {
            if let Some(s) = judge(hay, value, kind, child, Some(parent)) {
                after = s.span.end;
                each(s);
            }
        }
    }
}

/// The next `secret` or `hmac` (any case) in `bytes`.
fn next_secret_word(bytes: &[u8]) -> Option<usize> {
    (0..bytes.len()).find(|&o| {
        let rest = &bytes[o..];
        matches!(rest[0], b's' | b'S') && rest.len() >= 6 && rest[..6].eq_ignore_ascii_case(b"secret")
            || matches!(rest[0], b'h' | b'H') && rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"hmac")
    })
}

/// The bytes a name is made of: ASCII letters, digits, `_`, `-`, `.`.
const NAME: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.';
        b += 1;
    }
    t
};

fn is_name(b: u8) -> bool {
    NAME[b as usize]
}

/// Whether `name` holds `secret` or `hmac` in any case: the cheap test every anchor's
/// name takes before it is split into words.
fn says_secret(name: &[u8]) -> bool {
    (0..name.len()).any(|i| match name[i] | 0x20 {
        b's' => name.len() - i >= 6 && name[i..i + 6].eq_ignore_ascii_case(b"secret"),
        b'h' => name.len() - i >= 4 && name[i..i + 4].eq_ignore_ascii_case(b"hmac"),
        _ => false,
    })
}

/// The name (a key, a variable, a dotted path) around `word`, if it is not longer than a
/// name can be.
fn name_around(hay: &[u8], start: usize, end: usize) -> Option<Range<usize>> {
    let mut s = start;
    while s > 0 && is_name(hay[s - 1]) {
        if start - s >= NAME_BEFORE {
            return None;
        }
        s -= 1;
    }
    let mut e = end.min(hay.len());
    while e < hay.len() && is_name(hay[e]) {
        if e - start >= NAME_AFTER {
            return None;
        }
        e += 1;
    }
    while s < e && matches!(hay[s], b'.' | b'-') {
        s += 1;
    }
    while e > s && matches!(hay[e - 1], b'.' | b'-') {
        e -= 1;
    }
    (s < e).then_some(s..e)
}

/// Where the line holding `at` starts, looking back no further than `floor` (the
/// anchor's [`LINE_BEFORE`] bytes: what a stream piece's context holds).
fn line_start(hay: &[u8], at: usize, floor: usize) -> usize {
    let from = floor.min(at);
    memchr::memrchr2(b'\n', b'\r', &hay[from..at]).map_or(from, |i| from + i + 1)
}

fn contains_word(name: &[u8]) -> bool {
    name.windows(WORD.len()).any(|w| w.eq_ignore_ascii_case(WORD))
}

/// The most words of a name kept (a name is at most 160 bytes; later words are dropped).
const MAX_WORDS: usize = 24;

/// Words of a name: split at `_ - .` and where case changes (`intercomClientSecret`,
/// `APISecret`), lowercased into `buf`; returns the joined words and the end of each in it
/// (on the stack: this runs for every anchor).
fn words<'b>(name: &[u8], buf: &'b mut [u8; NAME_BEFORE + NAME_AFTER]) -> (&'b [u8], Words) {
    let mut n = 0;
    let mut out = Words {
        ends: [0; MAX_WORDS],
        len: 0,
    };
    let mut start = 0;
    for (i, &b) in name.iter().enumerate() {
        if !b.is_ascii_alphanumeric() {
            if n > start {
                out.push(n);
            }
            start = n;
            continue;
        }
        let boundary = i > 0
            && b.is_ascii_uppercase()
            && (name[i - 1].is_ascii_lowercase()
                || name[i - 1].is_ascii_uppercase() && name.get(i + 1).is_some_and(u8::is_ascii_lowercase));
        if boundary && n > start {
            out.push(n);
            start = n;
        }
        if n < buf.len() {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    if n > start {
        out.push(n);
    }
    (&buf[..n], out)
}

/// Where each word of a name ends in the joined, lowercased name.
struct Words {
    ends: [usize; MAX_WORDS],
    len: usize,
}

impl Words {
    fn push(&mut self, end: usize) {
        if self.len < MAX_WORDS {
            self.ends[self.len] = end;
            self.len += 1;
        }
    }

    fn ranges(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        (0..self.len).map(|i| if i == 0 { 0 } else { self.ends[i - 1] }..self.ends[i])
    }
}

/// Last words that make a name about a secret without being the secret (`…_SECRET_NAME`,
/// `…_SECRET_ARN`, `…_SECRET_FILE`: the value is where the secret is, not the secret).
const NOT_THE_SECRET: [&[u8]; 24] = [
    b"name",
    b"names",
    b"arn",
    b"file",
    b"path",
    b"ref",
    b"id",
    b"env",
    b"var",
    b"version",
    b"header",
    b"param",
    b"parameter",
    b"location",
    b"uri",
    b"url",
    b"label",
    b"field",
    b"length",
    b"len",
    b"type",
    b"enabled",
    b"regex",
    b"pattern",
];

/// The kind of secret a name that holds `intercom` says it is, if it says secret.
fn secret_kind(name: &[u8]) -> Option<Kind> {
    secret_kind_of(name, false)
}

/// The kind of secret `name` says it is; `child`: a key inside an Intercom block, which
/// needs no `intercom` of its own. One pass over the name's letters for the words that
/// decide (this runs for every anchor's name).
fn secret_kind_of(name: &[u8], child: bool) -> Option<Kind> {
    if !says_secret(name) {
        return None;
    }
    let mut buf = [0u8; NAME_BEFORE + NAME_AFTER];
    let mut n = 0;
    for &b in name {
        if b.is_ascii_alphanumeric() && n < buf.len() {
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    let joined = &buf[..n];
    let (mut intercom, mut client) = (false, false);
    for i in 0..n {
        let at = |w: &[u8]| joined[i..].starts_with(w);
        match joined[i] {
            b'i' => intercom |= at(WORD),
            b'c' => client |= at(b"client"),
            b'w' => client |= at(b"webhook"),
            b's' => client |= at(b"signing"),
            b'o' => client |= at(b"oauth"),
            b'a' => client |= at(b"appsecret"),
            _ => {}
        }
    }
    if !child && !intercom {
        return None;
    }
    if NOT_THE_SECRET.contains(&last_word(name, &mut [0u8; 16])) {
        return None;
    }
    if child {
        // Inside an Intercom block the key alone must say which secret: `client_secret`,
        // `identity_verification_secret`, `api_secret`, `hmac_secret`, `secret`.
        let mut buf = [0u8; NAME_BEFORE + NAME_AFTER];
        let (joined, parts) = words(name, &mut buf);
        let known = parts.ranges().all(|r| {
            matches!(
                &joined[r],
                b"client"
                    | b"clientsecret"
                    | b"app"
                    | b"oauth"
                    | b"webhook"
                    | b"webhooks"
                    | b"signing"
                    | b"identity"
                    | b"verification"
                    | b"verify"
                    | b"api"
                    | b"hmac"
                    | b"secret"
                    | b"key"
                    | b"messenger"
                    | b"secure"
                    | b"mode"
                    | b"user"
                    | b"hash"
                    | b"jwt"
            )
        });
        if !known {
            return None;
        }
    }
    Some(if client {
        Kind::IntercomClientSecret
    } else {
        Kind::IntercomIdentitySecret
    })
}

/// The last word of a name, lowercased into `buf` (empty when longer than it: no stop
/// word is).
fn last_word<'b>(name: &[u8], buf: &'b mut [u8; 16]) -> &'b [u8] {
    let end = name
        .iter()
        .rposition(u8::is_ascii_alphanumeric)
        .map_or(0, |i| i + 1);
    let mut start = end;
    while start > 0 && name[start - 1].is_ascii_alphanumeric() {
        let i = start - 1;
        // A case change starts a word (`SecretName`, `SECRETName`).
        let boundary = i + 1 < end
            && name[i + 1].is_ascii_uppercase()
            && (name[i].is_ascii_lowercase()
                || name[i].is_ascii_uppercase() && name.get(i + 2).is_some_and(u8::is_ascii_lowercase));
        if boundary {
            break;
        }
        start -= 1;
    }
    let word = &name[start..end];
    if word.len() > buf.len() {
        return &[];
    }
    for (o, b) in buf.iter_mut().zip(word) {
        *o = b.to_ascii_lowercase();
    }
    &buf[..word.len()]
}

fn skip_spaces(hay: &[u8], mut p: usize, max: usize) -> usize {
    let stop = (p + max).min(hay.len());
    while p < stop && matches!(hay[p], b' ' | b'\t') {
        p += 1;
    }
    p
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// Past the quote (or `\"`) that closes a quoted name at `p`.
fn past_close_quote(hay: &[u8], p: usize) -> usize {
    match hay.get(p) {
        Some(&q) if is_quote(q) => p + 1,
        Some(b'\\') if hay.get(p + 1).copied().is_some_and(is_quote) => p + 2,
        _ => p,
    }
}

/// Whether the name at `name` is quoted (`"name"`, `'name'`, `\"name\"`).
fn quoted(hay: &[u8], name: &Range<usize>) -> bool {
    name.start > 0 && is_quote(hay[name.start - 1])
}

/// The characters of the literal assigned to the name at `name`, if one is.
fn assigned(hay: &[u8], name: Range<usize>, line: usize) -> Option<Range<usize>> {
    let prefix = trim(&hay[line..name.start]);
    let mut p = past_close_quote(hay, name.end);
    if matches!(hay.get(p), Some(b']' | b')')) {
        p += 1;
    }
    let after_name = p;
    p = skip_spaces(hay, p, 16);
    let rest = hay.get(p..).unwrap_or_default();
    let op = if rest.starts_with(b"=>") || rest.starts_with(b":=") || rest.starts_with(b"?=") {
        2
    } else if rest.starts_with(b"||=") {
        3
    } else if rest.starts_with(b"||")
        || rest.starts_with(b"??")
        || rest.starts_with(b"?:")
        || rest.starts_with(b"or ")
    {
        // The default after a reference (`getenv("NAME") ?: "…"`, `process.env.NAME || "…"`,
        // `os.getenv("NAME") or "…"`): a literal written into the file all the same.
        2
    } else if rest.starts_with(b"==") {
        return None;
    } else if rest.first() == Some(&b'=') {
        1
    } else if rest.first() == Some(&b':') && rest.get(1) != Some(&b':') {
        return after_colon(hay, p + 1);
    } else if rest.first() == Some(&b',') && quoted(hay, &name) {
        // `define('NAME', 'value')`, `os.environ.setdefault("NAME", "value")`, or the
        // `{"name": "NAME", "value": "…"}` pair.
        return pair_value(hay, p + 1, prefix).or_else(|| value_at(hay, skip_spaces(hay, p + 1, 16)));
    } else if rest.first() == Some(&b'>') && name.start > 0 && hay[name.start - 1] == b'<' {
        return element_value(hay, p + 1);
    } else if p > after_name && spaced_assignment(prefix) {
        0
    } else {
        return pair_value(hay, p, prefix);
    };
    value_at(hay, skip_spaces(hay, p + op, 16))
}

/// The value after a `:`: YAML, JSON, a dict, an object literal, or a type annotation
/// (`client_secret: str = "…"`, `intercomClientSecret: string = "…"`).
fn after_colon(hay: &[u8], p: usize) -> Option<Range<usize>> {
    let p = skip_spaces(hay, p, 16);
    let ident = hay[p..]
        .iter()
        .take(32)
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'<' | b'>' | b'.' | b'?'))
        .count();
    if ident > 0 && hay[p].is_ascii_alphabetic() {
        let q = skip_spaces(hay, p + ident, 8);
        if hay.get(q) == Some(&b'=') && hay.get(q + 1) != Some(&b'=') {
            return value_at(hay, skip_spaces(hay, q + 1, 16));
        }
    }
    value_at(hay, p)
}

/// `set NAME value` (fish, cmd), `setenv NAME value` (csh), `ENV NAME value` (Dockerfile),
/// `--intercom-client-secret value`.
fn spaced_assignment(prefix: &[u8]) -> bool {
    if prefix.ends_with(b"--") {
        return true;
    }
    let mut words = prefix
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|w| !w.is_empty());
    let first = words.next();
    matches!(
        first,
        Some(b"set" | b"setenv" | b"ENV" | b"set-variable" | b"Set-Variable")
    ) && words.all(|w| w.starts_with(b"-"))
}

/// The `value` of a `name`/`value` pair: `- name: NAME` then `value: "…"` (Kubernetes,
/// docker-compose, ECS), `{"name": "NAME", "value": "…"}`, `<add key="NAME" value="…"/>`.
fn pair_value(hay: &[u8], p: usize, prefix: &[u8]) -> Option<Range<usize>> {
    let prefix = trim_end_quotes(prefix);
    let names = [
        &b"name:"[..],
        b"name\":",
        b"name=",
        b"Name:",
        b"Name\":",
        b"key=",
        b"name\" :",
    ];
    if !names.iter().any(|n| trim(prefix).ends_with(n)) {
        return None;
    }
    let stop = (p + PAIR_GAP).min(hay.len());
    let mut q = p;
    while q < stop && matches!(hay[q], b' ' | b'\t' | b'\r' | b'\n' | b',' | b'"' | b'\'' | b'-') {
        q += 1;
    }
    let rest = &hay[q..];
    let word = [&b"value"[..], b"Value"]
        .into_iter()
        .find(|w| rest.starts_with(w))?;
    let mut r = past_close_quote(hay, q + word.len());
    r = skip_spaces(hay, r, 8);
    match hay.get(r) {
        Some(b':' | b'=') => value_at(hay, skip_spaces(hay, r + 1, 16)),
        _ => None,
    }
}

/// `<IntercomClientSecret>value</IntercomClientSecret>`.
fn element_value(hay: &[u8], p: usize) -> Option<Range<usize>> {
    let stop = (p + MAX_VALUE + 1).min(hay.len());
    let end = p + memchr::memchr(b'<', &hay[p..stop])?;
    let v = trim_range(hay, p..end);
    (!v.is_empty()).then_some(v)
}

fn trim(b: &[u8]) -> &[u8] {
    let s = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    &b[s..e.max(s)]
}

fn trim_end_quotes(b: &[u8]) -> &[u8] {
    let mut b = b;
    while let [rest @ .., q] = b {
        if is_quote(*q) || *q == b'\\' {
            b = rest;
        } else {
            break;
        }
    }
    b
}

fn trim_range(hay: &[u8], r: Range<usize>) -> Range<usize> {
    let (mut s, mut e) = (r.start, r.end);
    while s < e && hay[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && hay[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    s..e
}

/// A literal value starting at `p`: a quoted string (also `\"…\"` inside a JSON string,
/// and with a `r`, `b`, `u` or `@` prefix) on one line, or a bare run up to a space, a line
/// end or punctuation that ends a value. `None` for anything else (an expression, a
/// reference, an empty value).
fn value_at(hay: &[u8], mut p: usize) -> Option<Range<usize>> {
    if matches!(hay.get(p), Some(b'r' | b'b' | b'u' | b'@')) && hay.get(p + 1).copied().is_some_and(is_quote)
    {
        p += 1;
    }
    let (open, close): (usize, &[u8]) = match hay.get(p) {
        Some(b'\\') if hay.get(p + 1).copied().is_some_and(is_quote) => (2, &hay[p..p + 2]),
        Some(&q) if is_quote(q) => (1, &hay[p..p + 1]),
        Some(_) => (0, &[]),
        None => return None,
    };
    let start = p + open;
    let stop = (start + MAX_VALUE + 1).min(hay.len());
    if open > 0 {
        let q = close[close.len() - 1];
        let mut i = start;
        while i < stop {
            let b = hay[i];
            if b == b'\n' || b == b'\r' {
                return None;
            }
            if b == q {
                let end = if open == 2 { i.checked_sub(1)? } else { i };
                if open == 2 && hay[end] != b'\\' {
                    return None;
                }
                return (end > start).then_some(start..end);
            }
            i += 1;
        }
        return None;
    }
    let len = hay[start..stop]
        .iter()
        .take_while(|&&b| {
            !b.is_ascii_whitespace()
                && !matches!(
                    b,
                    b',' | b';' | b')' | b']' | b'}' | b'&' | b'"' | b'\'' | b'<' | b'>' | b'#' | b'\\'
                )
        })
        .count();
    (len > 0 && len <= MAX_VALUE).then_some(start..start + len)
}

/// The children of an Intercom block whose key is `name`, if `name` opens one.
fn block(hay: &[u8], name: Range<usize>, line: usize) -> Option<Range<usize>> {
    let limit = (name.start + REGION).min(hay.len());
    let mut p = past_close_quote(hay, name.end);
    // `[intercom]`, `[services.intercom]`, `[[intercom.webhooks]]`: a TOML or INI section.
    if name.start > 0 && hay[name.start - 1] == b'[' && hay.get(p) == Some(&b']') {
        let start = next_line(hay, p, limit);
        let mut end = start;
        while end < limit {
            let next = next_line(hay, end, limit);
            if trim(&hay[end..next]).starts_with(b"[") {
                break;
            }
            end = next;
        }
        return Some(start..end);
    }
    p = skip_spaces(hay, p, 16);
    let rest = hay.get(p..).unwrap_or_default();
    let op = if rest.starts_with(b"=>") || rest.starts_with(b":=") {
        2
    } else if matches!(rest.first(), Some(b':' | b'=')) && rest.get(1) != Some(&b':') {
        1
    } else {
        0
    };
    p = skip_spaces(hay, p + op, 16);
    match hay.get(p) {
        Some(b'{' | b'[' | b'(') => Some(bracketed(hay, p, limit)),
        None | Some(b'\n' | b'\r' | b'#') if op > 0 => Some(indented(hay, line, p, limit)),
        Some(b'd') if hay[p..].starts_with(b"do") && !hay.get(p + 2).copied().is_some_and(is_name) => {
            Some(indented(hay, line, p, limit))
        }
        Some(_) if op > 0 => {
            // `= new Intercom.Client({`, `= Intercom::Client.new(`: an expression whose
            // arguments follow.
            let call = hay[p..limit]
                .iter()
                .take(64)
                .take_while(|&&b| is_name(b) || matches!(b, b':' | b' '))
                .count();
            match hay.get(p + call) {
                Some(b'(' | b'{') => Some(bracketed(hay, p + call, limit)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn next_line(hay: &[u8], p: usize, limit: usize) -> usize {
    memchr::memchr(b'\n', &hay[p..limit]).map_or(limit, |i| p + i + 1)
}

/// From an opening bracket to the bracket that closes it (or `limit`).
fn bracketed(hay: &[u8], open: usize, limit: usize) -> Range<usize> {
    let mut depth = 0usize;
    for (i, &b) in hay[open..limit].iter().enumerate() {
        match b {
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return open + 1..open + i;
                }
            }
            _ => {}
        }
    }
    open + 1..limit
}

/// The lines after the opening key's line that are indented deeper than it.
fn indented(hay: &[u8], line: usize, from: usize, limit: usize) -> Range<usize> {
    let indent = |at: usize| {
        hay[at..limit]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count()
    };
    let own = indent(line);
    let start = next_line(hay, from, limit);
    let mut end = start;
    while end < limit {
        let next = next_line(hay, end, limit);
        let body = trim(&hay[end..next]);
        if !body.is_empty() && indent(end) <= own {
            break;
        }
        end = next;
    }
    start..end
}

/// Words that make a value a placeholder, wherever they appear in its letters (any case).
const PLACEHOLDERS: [&[u8]; 34] = [
    b"your",
    b"secret",
    b"change",
    b"example",
    b"sample",
    b"dummy",
    b"fake",
    b"test",
    b"placeholder",
    b"here",
    b"insert",
    b"replace",
    b"todo",
    b"xxxx",
    b"client",
    b"webhook",
    b"identity",
    b"verif",
    b"signing",
    b"intercom",
    b"token",
    b"password",
    b"redacted",
    b"mock",
    b"default",
    b"value",
    b"deadbeef",
    b"cafebabe",
    b"lorem",
    b"foobar",
    b"abcdef",
    b"qwerty",
    b"fixme",
    b"hmac",
];

/// The value, if it looks generated; as written, or decoded when it is the base64 of one
/// (a Kubernetes Secret's `data:`).
fn judge(hay: &[u8], span: Range<usize>, kind: Kind, name: &[u8], parent: Option<&[u8]>) -> Option<Secret> {
    let written = &hay[span.clone()];
    let mut decoded = [0u8; MAX_VALUE];
    let (value, encoding): (&[u8], Encoding) = match base64_of_text(written, &mut decoded) {
        // The base64 of text is judged by the text (`cGxhY2Vob2xkZXI=` is a placeholder).
        Some(n) if generated(&decoded[..n]) => (&decoded[..n], Encoding::Base64),
        Some(_) => return None,
        None if generated(written) => (written, Encoding::Plain),
        None => return None,
    };
    let shown = |v: &[u8]| String::from_utf8_lossy(&v[..4.min(v.len())]).into_owned();
    let mut label = String::new();
    if let Some(p) = parent {
        label.push_str(&String::from_utf8_lossy(&p[p.len().saturating_sub(32)..]));
        label.push('.');
    }
    label.push_str(&String::from_utf8_lossy(&name[name.len().saturating_sub(40)..]));
    Some(Secret {
        span,
        kind,
        encoding,
        redacted: Redacted(format!("{label}={}\u{2026}({})", shown(value), value.len())),
        mask: format!("{}\u{2026}", shown(written)),
        fingerprint: Fingerprint(Sha256::digest(value).into()),
    })
}

/// When `v` is standard base64 of printable text (a Kubernetes `data:` value), decodes it
/// into `out` and returns its length. Random bits almost never decode to 24 or more
/// printable bytes ((94/256)^24 < 10^-10), so a generated value is not taken for one.
fn base64_of_text(v: &[u8], out: &mut [u8; MAX_VALUE]) -> Option<usize> {
    if !v.len().is_multiple_of(4) || v.len() < 32 {
        return None;
    }
    let n = STANDARD.decode_slice(v, out).ok()?;
    out[..n].iter().all(u8::is_ascii_graphic).then_some(n)
}

/// Whether `v` looks generated: a UUID, a long run of hex digits, or long base64/base64url,
/// with the spread of characters random bits give, and no placeholder word.
pub(super) fn generated(v: &[u8]) -> bool {
    if v.len() < MIN_VALUE.min(36) || v.len() > MAX_VALUE {
        return false;
    }
    if !v
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'='))
    {
        return false;
    }
    if placeholder(v) {
        return false;
    }
    // A short lowercase prefix (`whsec_`, `sk_`) says what the value is; judge the rest.
    let body = match v.iter().take(8).position(|&b| b == b'_') {
        Some(i) if i >= 2 && v[..i].iter().all(u8::is_ascii_lowercase) => &v[i + 1..],
        _ => v,
    };
    let body = body
        .strip_suffix(b"==")
        .or_else(|| body.strip_suffix(b"="))
        .unwrap_or(body);
    if body.len() < MIN_VALUE || body.contains(&b'=') {
        return false;
    }
    let digits: Vec<u8> = body.iter().copied().filter(|&b| b != b'-').collect();
    let uuid = body.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| body[i] == b'-')
        && digits.iter().all(u8::is_ascii_hexdigit);
    let hex = body.iter().all(u8::is_ascii_hexdigit);
    let symbols: &[u8] = if uuid { &digits } else { body };
    if uuid || hex {
        // Hex of one case (a UUID or a digest is written in one).
        let lower = symbols.iter().any(u8::is_ascii_lowercase);
        let upper = symbols.iter().any(u8::is_ascii_uppercase);
        return !(lower && upper) && spread(symbols, 3.0);
    }
    // base64 or base64url: letters and digits both, and the entropy of random bits.
    let has_digit = body.iter().any(u8::is_ascii_digit);
    let has_letter = body.iter().any(u8::is_ascii_alphabetic);
    has_digit && has_letter && spread(body, 3.8)
}

/// Random-looking: few repeated or ascending neighbours (`1234…`, `aaaa…`), and at least
/// `bits` of empirical entropy per character.
fn spread(v: &[u8], bits: f64) -> bool {
    let neighbours = v
        .windows(2)
        .filter(|w| w[1] == w[0] || w[1] == w[0].wrapping_add(1))
        .count();
    if neighbours * 10 > v.len() * 4 {
        return false;
    }
    let mut counts = [0u32; 256];
    for &b in v {
        counts[b as usize] += 1;
    }
    let n = v.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum();
    entropy >= bits
}

/// Whether a placeholder word appears in `v`'s letters (any case).
fn placeholder(v: &[u8]) -> bool {
    PLACEHOLDERS
        .iter()
        .any(|w| v.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        let mut buf = [0u8; NAME_BEFORE + NAME_AFTER];
        for (name, want) in [
            (&b"INTERCOM_CLIENT_SECRET"[..], "intercom client secret"),
            (b"intercomClientSecret", "intercom client secret"),
            (b"IntercomIdentitySecret", "intercom identity secret"),
            (b"intercom.client-secret", "intercom client secret"),
            (b"APISecret", "api secret"),
        ] {
            let (joined, parts) = words(name, &mut buf);
            let got: Vec<String> = parts
                .ranges()
                .map(|r| String::from_utf8_lossy(&joined[r]).into_owned())
                .collect();
            assert_eq!(got.join(" "), want);
        }
    }

    #[test]
    fn names_say_which_secret() {
        use Kind::{IntercomClientSecret as C, IntercomIdentitySecret as I};
        for (name, want) in [
            (&b"INTERCOM_CLIENT_SECRET"[..], Some(C)),
            (b"INTERCOM_WEBHOOK_SECRET", Some(C)),
            (b"intercomSigningSecret", Some(C)),
            (b"INTERCOM_IDENTITY_SECRET", Some(I)),
            (b"IntercomIdentityVerificationSecret", Some(I)),
            (b"INTERCOM_HMAC_SECRET", Some(I)),
            (b"intercom.api_secret", Some(I)),
            (b"INTERCOM_SECRET", Some(I)),
            (b"CLIENT_SECRET", None),
            (b"INTERCOM_ACCESS_TOKEN", None),
            (b"INTERCOM_CLIENT_SECRET_NAME", None),
            (b"INTERCOM_SECRET_ARN", None),
            (b"intercomSecretFile", None),
        ] {
            assert_eq!(secret_kind(name), want, "{}", String::from_utf8_lossy(name));
        }
        assert_eq!(secret_kind_of(b"client_secret", true), Some(C));
        assert_eq!(secret_kind_of(b"identity_verification_secret", true), Some(I));
        assert_eq!(secret_kind_of(b"aws_secret", true), None);
    }

    fn found(text: &str) -> Vec<(String, String)> {
        let origin = crate::origin::Origin::file("t");
        let mut out = Vec::new();
        super::super::Detector::new().scan(&crate::chunk::Chunk::whole(&origin, text.as_bytes()), &mut out);
        out.into_iter()
            .map(|f| (f.kind.id().to_string(), f.redacted.as_str().to_string()))
            .collect()
    }

    #[test]
    fn redaction_keeps_the_name_and_four_characters() {
        let secret = intercept_test_support::client_secret();
        let text = format!("export INTERCOM_CLIENT_SECRET={secret} # and more\n");
        let out = super::super::Detector::new().redact(text.as_bytes()).unwrap();
        let want = format!(
            "export INTERCOM_CLIENT_SECRET={}\u{2026} # and more\n",
            &secret[..4]
        );
        assert_eq!(String::from_utf8(out).unwrap(), want);
        assert_eq!(
            found(&text),
            [(
                "intercom-client-secret".to_string(),
                format!("INTERCOM_CLIENT_SECRET={}\u{2026}(36)", &secret[..4])
            )]
        );
    }

    #[test]
    fn defaults_after_references_and_base64_of_text() {
        let secret = intercept_test_support::identity_secret();
        for text in [
            format!("def k = System.getenv(\"INTERCOM_SECRET_KEY\") ?: \"{secret}\"\n"),
            format!("const k = process.env.INTERCOM_IDENTITY_SECRET || '{secret}';\n"),
            format!("k = os.getenv('INTERCOM_IDENTITY_SECRET', '{secret}')\n"),
            format!(
                "data:\n  INTERCOM_IDENTITY_SECRET: {}\n",
                STANDARD.encode(&secret)
            ),
        ] {
            assert_eq!(found(&text).len(), 1, "{text}");
        }
        for text in [
            "const k = process.env.INTERCOM_IDENTITY_SECRET || '';\n".to_string(),
            format!(
                "data:\n  INTERCOM_IDENTITY_SECRET: {}\n",
                STANDARD.encode("your-identity-verification-secret")
            ),
            format!(
                "data:\n  INTERCOM_IDENTITY_SECRET: {}\n",
                STANDARD.encode("${INTERCOM_IDENTITY_SECRET_FROM_VAULT}")
            ),
        ] {
            assert_eq!(found(&text), [], "{text}");
        }
    }

    #[test]
    fn hostile_fragments_never_panic_and_stay_bounded() {
        // Every piece the parser looks at, shuffled: quotes, escapes, brackets, operators,
        // line ends, names and values at every position and the end of the haystack.
        let pieces: [&[u8]; 24] = [
            b"intercom",
            b"INTERCOM_",
            b"Intercom",
            b"secret",
            b"_SECRET",
            b"hmac",
            b"client_",
            b"=",
            b":",
            b"=>",
            b",",
            b"\"",
            b"'",
            b"\\\"",
            b"{",
            b"}",
            b"[",
            b"]",
            b"\n",
            b"\r\n",
            b"  ",
            b"do |c|",
            b"<",
            b"3f2a9c1b7e4d4a2b9c1d0e5f6a7b8c9d",
        ];
        let mut rng = intercept_test_support::text::XorShift(0x5EED_1234_ABCD_0001);
        let detector = super::super::Detector::new();
        for _ in 0..3000 {
            let mut hay = Vec::new();
            for _ in 0..(rng.next() % 40) {
                hay.extend_from_slice(pieces[(rng.next() % pieces.len() as u64) as usize]);
            }
            let origin = crate::origin::Origin::file("t");
            let mut out = Vec::new();
            detector.scan(&crate::chunk::Chunk::whole(&origin, &hay), &mut out);
            let _ = detector.redact(&hay);
            for f in out {
                assert!(f.line >= 1 && f.end_line >= f.line);
            }
        }
    }

    #[test]
    fn values_that_look_generated() {
        let uuid = "3f2a9c1b-7e4d-4a2b-9c1d-0e5f6a7b8c9d";
        assert!(generated(uuid.as_bytes()));
        assert!(generated(uuid.to_uppercase().as_bytes()));
        assert!(generated(b"Qm9vT2Jhc2U2NF9pc19ub3RfcmFuZG9tX2J1dF9vaw"));
        assert!(generated(
            b"whsec_6f1e3a9b2c7d4e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7"
        ));
        for bad in [
            &b"your-webhook-signing-secret"[..],
            b"your-identity-verification-secret",
            b"changeme",
            b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            b"00000000-0000-0000-0000-000000000000",
            b"12345678-1234-1234-1234-123456789012",
            b"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            b"0123456789abcdef0123456789abcdef",
            b"INTERCOM_IDENTITY_VERIFICATION_SECRET",
            b"my_long_variable_name_for_config_v2_x",
            b"3f2a9c1b-7e4d-4a2b-9c1d",
            b"${INTERCOM_CLIENT_SECRET}",
        ] {
            assert!(!generated(bad), "{}", String::from_utf8_lossy(bad));
        }
    }
}

//! The fuzz targets' bodies: one entry point of intercept each, run over arbitrary bytes,
//! with the invariants that must hold for every input checked after it (a broken one
//! panics, which libFuzzer records as a crash).
//!
//! Shared by the libFuzzer targets (`fuzz_targets/*.rs`, through this package's library)
//! and by the main package's `tests/integration/fuzz_corpus.rs` (as a module, by path),
//! which runs them over the checked-in corpus and regressions on every `cargo test`. So
//! this file uses only `intercept`, `base64`, `sha2` and `std`, which both packages have.
//!
//! - [`content`]: the content layer and the detector, as `intercept scan` reads a file
//!   (gzip, zip, zlib, UTF-16, LFS pointers), and as a blob and standard input are read.
//! - [`config`]: `config::resolve` over one `.intercept.toml` layer.
//! - [`push`] and [`receive`]: the pre-push and pre-receive standard-input parsers.

use std::collections::BTreeSet;
use std::io::{self, Read, Write};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use intercept::allowlist::Allowed;
use intercept::chunk::Chunk;
use intercept::config::{self, Flags, Layer, Settings};
use intercept::content::lfs::Store;
use intercept::content::{Buffers, Collect, Decoders, Input, Issue};
use intercept::finding::Finding;
use intercept::origin::{Origin, Subject};
use intercept::redact::{self, Redacting};
use intercept::report::human::{Footer, Listing};
use intercept::report::json::Json;
use intercept::scan::{Notice, Problem, Session, Sink, Summary};
use intercept::source;
use intercept::source::pushed::{self, LineError, PushUpdate, ReceiveUpdate};
use sha2::{Digest, Sha256};

/// The decompression cap of the content checks: small, so a few kilobytes of fuzzed gzip
/// reach it quickly (and a decompression bomb costs milliseconds, not seconds).
pub const MAX_DECOMPRESSED: u64 = 1 << 20;

/// The path the fuzzed bytes are scanned as.
const PATH: &str = "fuzzed.bin";

// ---------------------------------------------------------------------------------------
// content

/// What one scan reported, in a form two scans can be compared by.
#[derive(Default)]
struct Seen {
    findings: Vec<Finding>,
    /// Findings an inline marker allowed (the session sets them apart).
    allowed: Vec<Finding>,
    /// `(path, message)` of what could not be checked.
    unchecked: Vec<(Vec<u8>, String)>,
    notices: Vec<(Vec<u8>, String)>,
}

impl Seen {
    /// Every finding in the content, allowed or not, as comparable keys, sorted (a file's
    /// scan also reads its bytes as its name, a blob's does not).
    fn places(&self) -> Vec<Place> {
        let mut places: Vec<Place> = self
            .findings
            .iter()
            .chain(&self.allowed)
            .filter(|f| f.origin.subject != Subject::PathName)
            .map(place)
            .collect();
        places.sort();
        places
    }

    fn fingerprints(&self) -> BTreeSet<String> {
        self.findings
            .iter()
            .chain(&self.allowed)
            .map(|f| f.fingerprint.hex())
            .collect()
    }
}

/// A finding as two scans of the same bytes must agree on it.
type Place = (String, String, String, u64, u64, u64, u64, String, String);

fn place(f: &Finding) -> Place {
    (
        String::from_utf8_lossy(&f.origin.full_path()).into_owned(),
        f.origin.subject.id().to_string(),
        f.origin.via.iter().map(|v| v.id()).collect::<Vec<_>>().join("+"),
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        f.encoding.id().to_string(),
        f.fingerprint.hex(),
    )
}

impl Collect for Seen {
    fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
    fn issue(&mut self, issue: Issue) {
        let said = (issue.origin().full_path(), issue.message());
        if issue.blocks() {
            self.unchecked.push(said);
        } else {
            self.notices.push(said);
        }
    }
}

/// A sink that records what reaches it and passes it on to the real reporters.
struct Tee<'a> {
    seen: Seen,
    sinks: Vec<&'a mut dyn Sink>,
}

impl Sink for Tee<'_> {
    fn finding(&mut self, finding: &Finding) {
        self.seen.findings.push(finding.clone());
        self.sinks.iter_mut().for_each(|s| s.finding(finding));
    }
    fn allowed(&mut self, allowed: &Allowed) {
        self.seen.allowed.push(allowed.finding.clone());
        self.sinks.iter_mut().for_each(|s| s.allowed(allowed));
    }
    fn problem(&mut self, problem: &Problem) {
        let path = problem.path.clone().unwrap_or_default();
        self.seen.unchecked.push((path, problem.message.clone()));
        self.sinks.iter_mut().for_each(|s| s.problem(problem));
    }
    fn notice(&mut self, notice: &Notice) {
        let path = notice.path.clone().unwrap_or_default();
        self.seen.notices.push((path, notice.message.clone()));
        self.sinks.iter_mut().for_each(|s| s.notice(notice));
    }
    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.sinks.iter_mut().try_for_each(|s| s.finish(summary))
    }
}

/// Everything the user would see from one `intercept scan` of the bytes, and what the
/// session recorded.
struct Reported {
    seen: Seen,
    summary: Summary,
    /// The human listing (stdout), the JSON document (stdout) and the messages for people
    /// (stderr), each through the redacting writer, as `intercept scan` writes them.
    printed: Vec<Vec<u8>>,
}

/// `intercept scan <file>`: the session, `Input::Open` (what `source::files` hands on for
/// a file), the human and JSON reporters behind the redacting writer.
fn scan_as_file(data: &[u8], lfs: &Store) -> Reported {
    let mut settings = Settings::defaults();
    settings.max_decompressed = MAX_DECOMPRESSED;
    let (mut human, mut json, mut err) = (Vec::new(), Vec::new(), Vec::new());
    let (seen, summary) = {
        let mut human_w = Redacting::new(&mut human);
        let mut json_w = Redacting::new(&mut json);
        let mut err_w = Redacting::new(&mut err);
        let mut err_w2 = Vec::new();
        let mut listing = Listing::new(&mut human_w, &mut err_w2, true);
        let mut footer = Footer::new(Json::new(&mut json_w), &mut err_w);
        let mut tee = Tee {
            seen: Seen::default(),
            sinks: vec![&mut listing, &mut footer],
        };
        let summary = {
            let mut session = Session::new(redact::detector(), &settings, Some(lfs), &mut tee);
            session.run(&mut AsFile { data });
            let summary = session.summary();
            let _ = session.finish();
            summary
        };
        let seen = std::mem::take(&mut tee.seen);
        drop(tee);
        drop(listing);
        drop(footer);
        // The listing's stderr messages go through the same redaction as the footer's.
        err_w.write_all(&err_w2).expect("writing to a Vec cannot fail");
        (seen, summary)
    };
    Reported {
        seen,
        summary,
        printed: vec![human, json, err],
    }
}

/// The fuzzed bytes as `source::files` hands on a file: its name (here the bytes are that
/// name as well), then its content to open.
struct AsFile<'a> {
    data: &'a [u8],
}

impl source::Source for AsFile<'_> {
    fn run(&mut self, emit: &mut dyn source::Emit) -> Result<(), source::Error> {
        let origin = Origin::file(PATH);
        emit.item(source::Item::new(origin.clone(), source::Input::Name(self.data)));
        let data = self.data;
        let open = || -> io::Result<Box<dyn Read + '_>> { Ok(Box::new(data)) };
        emit.item(source::Item::new(origin, source::Input::Open(&open)));
        Ok(())
    }
}

thread_local! {
    static BUFFERS: std::cell::RefCell<Buffers> = std::cell::RefCell::new(Buffers::default());
}

/// The content layer directly, as a blob (`Input::Bytes`) or standard input
/// (`Input::Stream`) is read.
fn scan_as(data: &[u8], lfs: &Store, stream: bool) -> (Seen, u64) {
    let dec = Decoders {
        detector: redact::detector(),
        max_decompressed: MAX_DECOMPRESSED,
        lfs: Some(lfs),
    };
    let mut seen = Seen::default();
    let origin = Origin::file(PATH);
    let scanned = BUFFERS.with(|bufs| {
        let bufs = &mut bufs.borrow_mut();
        if stream {
            let mut reader = data;
            dec.scan(&origin, Input::Stream(&mut reader), bufs, &mut seen)
        } else {
            dec.scan(&origin, Input::Bytes(data), bufs, &mut seen)
        }
    });
    (seen, scanned.bytes)
}

/// The content layer and the detector over `data`, read as a file, a blob and standard
/// input. `lfs` is where pointers are looked up. Panics when an invariant breaks:
///
/// - every finding has a sane position and a short redacted form, and no printed form of
///   it (the redacted form, the human line, the JSON document, the messages) holds a token:
///   neither one the detector finds in the output, nor a long slice of a token the input
///   holds plainly (found by this file's own, independent decoder);
/// - a plain, well-separated canonical token in the input is always found (recall);
/// - a file and a blob with the same bytes give the same findings and the same problems
///   ("every source reads the same views"); standard input (which cannot be re-read for the
///   raw view) finds no token the others do not;
/// - the bytes scanned stay within what the input and the decompression cap allow;
/// - `Detector::redact` leaves no token in any input.
///
/// Returns the [`OPEN_GAPS`] the input showed (tolerated, not panics).
pub fn content(data: &[u8], lfs: &Store) -> Vec<Gap> {
    let detector = redact::detector();
    let file = scan_as_file(data, lfs);
    let (blob, blob_bytes) = scan_as(data, lfs, false);
    let (stdin, _) = scan_as(data, lfs, true);

    for f in file
        .seen
        .findings
        .iter()
        .chain(&file.seen.allowed)
        .chain(&blob.findings)
    {
        check_finding(f);
    }

    // Parity: a file and a blob with the same bytes. (Messages quote member names, which
    // may hold a token: what a failure prints is redacted too.)
    let (file_places, blob_places) = (file.seen.places(), blob.places());
    assert!(
        file_places == blob_places,
        "a file and a blob with the same bytes report different tokens:\n file: {}\n blob: {}",
        redact::text(&format!("{file_places:?}")),
        redact::text(&format!("{blob_places:?}"))
    );
    let problems = |seen: &Seen| {
        let mut p: Vec<(String, String)> = seen
            .unchecked
            .iter()
            .map(|(path, message)| (String::from_utf8_lossy(path).into_owned(), message.clone()))
            .collect();
        p.sort();
        p
    };
    let (file_problems, blob_problems) = (problems(&file.seen), problems(&blob));
    assert!(
        file_problems == blob_problems,
        "a file and a blob with the same bytes report different problems:\n file: {}\n blob: {}",
        redact::text(&format!("{file_problems:?}")),
        redact::text(&format!("{blob_problems:?}"))
    );
    let stdin_only: Vec<String> = stdin
        .fingerprints()
        .difference(&blob.fingerprints())
        .cloned()
        .collect();
    assert!(
        stdin_only.is_empty(),
        "standard input found tokens a blob with the same bytes did not: {stdin_only:?}"
    );

    // Recall: what this file's own decoder sees plainly, the detector finds.
    let plain = plain_tokens(data);
    let found = blob.fingerprints();
    for t in &plain {
        let fp = hex(&Sha256::digest(t.b64.as_bytes()));
        assert!(
            found.contains(&fp),
            "a plain token at offset {} was not found (fingerprint {})",
            t.offset,
            &fp[..12]
        );
    }

    // Bounded work: the raw views, the decoded ones (within the cap) and LFS objects.
    let bound = 4 * data.len() as u64 + 4 * MAX_DECOMPRESSED + 4 * LFS_OBJECT_MAX;
    assert!(
        blob_bytes <= bound && file.summary.bytes <= bound,
        "scanned {blob_bytes} / {} bytes of a {}-byte input",
        file.summary.bytes,
        data.len()
    );
    assert!(
        blob_bytes >= data.len() as u64,
        "the raw bytes of a blob were not all scanned"
    );

    // Nothing printed holds a token.
    let mut gaps = Vec::new();
    let paths: Vec<Vec<u8>> = file
        .seen
        .unchecked
        .iter()
        .chain(&file.seen.notices)
        .map(|(path, _)| path.clone())
        .chain(
            file.seen
                .findings
                .iter()
                .chain(&file.seen.allowed)
                .map(|f| f.origin.full_path()),
        )
        .collect();
    for (name, out) in ["the human listing", "the JSON report", "the messages on stderr"]
        .iter()
        .zip(&file.printed)
    {
        assert_no_token(detector, out, name);
    }
    for t in &plain {
        if OPEN_GAPS.contains(&Gap::TruncatedTokenInPath) && paths.iter().any(|p| holds_a_piece(p, t)) {
            gaps.push(Gap::TruncatedTokenInPath);
            continue;
        }
        for m in leak_markers(data, t) {
            for (name, out) in ["the human listing", "the JSON report", "the messages on stderr"]
                .iter()
                .zip(&file.printed)
            {
                assert!(
                    !contains(out, m.as_bytes()),
                    "{name} printed a long slice of a token (line {})",
                    line_of(out, m.as_bytes())
                );
            }
        }
    }
    for (_, message) in file.seen.unchecked.iter().chain(&file.seen.notices) {
        assert!(!message.is_empty(), "an empty message");
    }

    // Redaction, the one step every output passes, leaves no token in any bytes.
    if let Some(redacted) = detector.redact(data) {
        assert_no_token(detector, &redacted, "Detector::redact's output");
    }
    gaps.dedup();
    gaps
}

/// A weakness fuzzing found in intercept (in `src/`) that is not fixed yet. While it is in
/// [`OPEN_GAPS`], [`content`] tolerates it (a fuzz run stays green) and returns it;
/// `tests/integration/fuzz_corpus.rs` checks that each regression input named
/// `gap-<id>-*` still shows its gap, so the fix makes that test fail until the gap is
/// taken off the list (and the check is strict again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// A path printed whole (a damaged zip's member name, in a problem message and the
    /// JSON `path`/`path_bytes`) holds a token cut short, e.g. its first 58 of 60
    /// characters: redaction masks only tokens the detector validates, and a truncated one
    /// is none, yet its missing tail (`A=` for every `:1:0` token) is known.
    TruncatedTokenInPath,
}

impl Gap {
    /// The name regression inputs of this gap start with (`gap-<id>-…`).
    pub fn id(self) -> &'static str {
        match self {
            Gap::TruncatedTokenInPath => "truncated-token-in-path",
        }
    }
}

/// The gaps tolerated for now; see [`Gap`].
pub const OPEN_GAPS: &[Gap] = &[];

/// True when `path` holds a piece of `t`'s base64 or text more often than `t` whole.
fn holds_a_piece(path: &[u8], t: &PlainToken) -> bool {
    count(path, &t.b64.as_bytes()[20..40]) > count(path, t.b64.as_bytes())
        || count(path, &t.text.as_bytes()[14..30]) > count(path, t.text.as_bytes())
}

/// The 1-based line of `out` where `needle` first is.
fn line_of(out: &[u8], needle: &[u8]) -> usize {
    let at = out.windows(needle.len()).position(|w| w == needle).unwrap_or(0);
    out[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The cheap facts every finding must satisfy.
fn check_finding(f: &Finding) {
    assert!(f.line >= 1 && f.column >= 1, "position {}:{}", f.line, f.column);
    assert!(
        (f.end_line, f.end_column) >= (f.line, f.column),
        "the end {}:{} is before the start {}:{}",
        f.end_line,
        f.end_column,
        f.line,
        f.column
    );
    let shown = f.redacted.as_str();
    assert!(
        shown.contains('\u{2026}') && shown.chars().count() <= 13,
        "a redacted form that is not short: {} characters",
        shown.chars().count()
    );
    assert!(
        shown.starts_with("dG9rO") || shown.starts_with("tok:"),
        "a redacted form without its fixed prefix"
    );
    assert_eq!(f.fingerprint.hex().len(), 64);
    let described = intercept::report::describe(f);
    assert_no_token(
        redact::detector(),
        described.as_bytes(),
        "a finding's description",
    );
    assert_no_token(redact::detector(), shown.as_bytes(), "a redacted form");
}

/// Panics when the detector finds any token in `out`.
fn assert_no_token(detector: &intercept::detector::Detector, out: &[u8], what: &str) {
    let origin = Origin::file("output");
    let mut found = Vec::new();
    detector.scan(&Chunk::whole(&origin, out), &mut found);
    assert!(
        found.is_empty(),
        "{what} holds {} token(s), e.g. at line {}",
        found.len(),
        found[0].line
    );
}

/// The largest LFS object a store used by the targets holds (bounds the work per input).
pub const LFS_OBJECT_MAX: u64 = 64 << 10;

/// A token this file's own decoder found written plainly in the input.
struct PlainToken {
    offset: usize,
    /// The token's text, `tok:<uuid>:<a>:<b>`.
    text: String,
    /// Its canonical base64.
    b64: String,
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// `tok:` + lowercase UUID with `_` + `:<digit>:<digit>`: the 44-byte form every public
/// token has. (The detector accepts more; this oracle is deliberately narrower.)
fn is_token_text(t: &[u8]) -> bool {
    t.len() == 44
        && t.starts_with(b"tok:")
        && t[4..40].iter().enumerate().all(|(i, &c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == b'_'
            } else {
                c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
            }
        })
        && t[40] == b':'
        && t[41].is_ascii_digit()
        && t[42] == b':'
        && t[43].is_ascii_digit()
}

/// Tokens written plainly and apart from their neighbours: the canonical 60-character
/// base64 (not glued to other base64 characters) or the 44-byte text (not glued to
/// letters or digits). Independent of the detector, so it can check it.
fn plain_tokens(data: &[u8]) -> Vec<PlainToken> {
    let mut out = Vec::new();
    for i in 0..data.len() {
        let rest = &data[i..];
        if rest.starts_with(b"dG9rO") && rest.len() >= 60 {
            let cand = &rest[..60];
            let before_ok = i == 0 || !is_b64(data[i - 1]);
            let after_ok = rest.get(60).is_none_or(|&b| !is_b64(b) && b != b'=');
            if before_ok && after_ok && cand[..59].iter().all(|&b| is_b64(b)) && cand[59] == b'=' {
                if let Ok(text) = STANDARD.decode(cand) {
                    if is_token_text(&text) {
                        out.push(PlainToken {
                            offset: i,
                            text: String::from_utf8_lossy(&text).into_owned(),
                            b64: String::from_utf8_lossy(cand).into_owned(),
                        });
                    }
                }
            }
        } else if rest.starts_with(b"tok:") && rest.len() >= 44 {
            let before_ok = i == 0 || !data[i - 1].is_ascii_alphanumeric();
            let after_ok = rest.get(44).is_none_or(|b| !b.is_ascii_digit());
            if before_ok && after_ok && is_token_text(&rest[..44]) {
                out.push(PlainToken {
                    offset: i,
                    text: String::from_utf8_lossy(&rest[..44]).into_owned(),
                    b64: STANDARD.encode(&rest[..44]),
                });
            }
        }
    }
    out
}

/// Long slices of each token in each form a report could print it: its base64, its text,
/// and its base64 encoded again at each of the three alignments (a non-UTF-8 path's
/// `path_bytes`). The same markers the integration tests check every run against.
///
/// Only for tokens the input holds whole and nowhere in pieces: a fuzzed archive member
/// named with a piece of a token (spliced from another seed) is printed as its path, and
/// a piece is not a token, so nothing could have redacted it.
fn leak_markers(data: &[u8], t: &PlainToken) -> Vec<String> {
    let nested: Vec<String> = ["", "x", "xy"]
        .iter()
        .map(|prefix| STANDARD.encode(format!("{prefix}{}", t.b64)))
        .collect();
    let whole_only = count(data, &t.b64.as_bytes()[20..40]) <= count(data, t.b64.as_bytes())
        && count(data, &t.text.as_bytes()[14..30]) <= count(data, t.text.as_bytes())
        && nested.iter().all(|n| count(data, &n.as_bytes()[28..52]) == 0);
    if !whole_only {
        return Vec::new();
    }
    let mut markers = vec![t.b64[10..50].to_string(), t.text[10..36].to_string()];
    markers.extend(nested.iter().map(|n| n[12..60].to_string()));
    markers
}

/// Occurrences of `needle` in `hay`, overlapping ones included.
fn count(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Stands for a token in checked-in regression inputs, which must hold none (the project's
/// hooks would block them): 60 bytes, a token's length, so offsets and lengths around it
/// stay as they were in the crash. run.sh (`fuzz-seeds`) and the integration test put a
/// generated token in its place ([`fill`]).
pub const TOKEN_PLACEHOLDER: &[u8] = b"{{TOKEN___________________________________________________}}";
const _: () = assert!(TOKEN_PLACEHOLDER.len() == 60);

/// `data` with every [`TOKEN_PLACEHOLDER`] replaced by `token` (a 60-character token).
pub fn fill(data: &[u8], token: &str) -> Vec<u8> {
    assert_eq!(token.len(), TOKEN_PLACEHOLDER.len(), "a token is 60 characters");
    let mut out = data.to_vec();
    let mut at = 0;
    while let Some(i) = out[at..]
        .windows(TOKEN_PLACEHOLDER.len())
        .position(|w| w == TOKEN_PLACEHOLDER)
    {
        out[at + i..at + i + token.len()].copy_from_slice(token.as_bytes());
        at += i + token.len();
    }
    out
}

// ---------------------------------------------------------------------------------------
// config

/// True when nothing but the given layer can reach `config::resolve`: no `INTERCEPT_*`
/// variable and no user config file.
pub fn config_is_hermetic() -> bool {
    std::env::vars_os().all(|(k, _)| !k.to_string_lossy().starts_with("INTERCEPT_"))
        && config::user_file().is_none_or(|f| !f.exists())
}

/// `config::resolve` over one layer holding `data`. With `hermetic` (see
/// [`config_is_hermetic`]) every error must be about that layer. Panics when an invariant
/// breaks:
///
/// - settings are in range: a time budget is `None` or a finite number of seconds in
///   `(0, MAX_TIME_BUDGET]`; every allow rule has a non-empty, trimmed reason and names the
///   layer as its source;
/// - an error names the layer it is about and, once redacted (as every message is before
///   it is printed), quotes no token;
/// - resolving is a function of its input: twice the same answer.
pub fn config(data: &[u8], hermetic: bool) {
    const LABEL: &str = "fuzzed/.intercept.toml";
    let layers = [Layer {
        label: LABEL.to_string(),
        text: data.to_vec(),
    }];
    let first = config::resolve(&layers, &Flags::default());
    match &first {
        Ok(settings) => {
            if let Some(t) = settings.time_budget {
                assert!(
                    t.is_finite() && t > 0.0 && t <= config::MAX_TIME_BUDGET,
                    "time budget {t} out of range"
                );
            }
            for rule in &settings.allow.rules {
                assert!(!rule.reason.is_empty(), "an allow rule without a reason");
                assert_eq!(rule.reason, rule.reason.trim(), "an untrimmed reason");
                if hermetic {
                    assert_eq!(rule.source, LABEL, "an allow rule from another layer");
                }
            }
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.trim().is_empty(), "an empty error");
            if hermetic {
                match e.file() {
                    Some(file) => assert_eq!(file, LABEL, "an error about another layer: {message}"),
                    None => panic!("an error from outside the layer: {message}"),
                }
                assert!(message.contains(LABEL), "an error that does not name the file");
            }
            let shown = redact::text(&message);
            assert_no_token(redact::detector(), shown.as_bytes(), "a redacted config error");
        }
    }
    let second = config::resolve(&layers, &Flags::default());
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "resolving the same layer twice gave two answers"
    );
}

// ---------------------------------------------------------------------------------------
// pre-push and pre-receive

/// Non-empty lines, numbered from 1, `\r\n` tolerated: what git's hook input is made of,
/// written again here (independently of `source::pushed`) to check the parsers.
fn hook_lines(input: &[u8]) -> Vec<(usize, &[u8])> {
    input
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix(b"\r").unwrap_or(l)))
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .collect()
}

/// A ref name as a parser hands it on: one non-empty field.
fn check_ref(name: &str) {
    assert!(!name.is_empty(), "an empty ref name");
    assert!(
        !name.bytes().any(|b| b.is_ascii_whitespace()),
        "a ref name with whitespace: {name:?}"
    );
}

/// An object id field as git writes it (`None`: the null id).
fn oid_field(id: Option<&impl std::fmt::Display>) -> String {
    match id {
        Some(id) => {
            let hex = id.to_string();
            assert!(
                hex.bytes().any(|b| b != b'0'),
                "a null object id handed on as an object"
            );
            hex
        }
        None => "0".repeat(40),
    }
}

/// A parse error: the number of a line that is there and is not blank.
fn check_line_error(e: &LineError, input: &[u8], hook: &str) {
    assert_eq!(e.hook, hook);
    assert!(
        hook_lines(input).iter().any(|(n, _)| *n == e.number),
        "line {} is not a non-blank line of the input",
        e.number
    );
    assert!(e.to_string().contains(&format!("line {}", e.number)));
}

/// `source::pushed::push_updates` over `data`. Panics when an invariant breaks: it errs,
/// naming a non-blank line of the input, or hands on one well-formed update per non-blank
/// line (ref names single fields, no null object ids), which written back the way git
/// writes them parse to the same updates.
pub fn push(data: &[u8]) {
    match pushed::push_updates(data) {
        Ok(updates) => {
            assert_eq!(updates.len(), hook_lines(data).len(), "one update per line");
            let mut again = String::new();
            for PushUpdate {
                local_ref,
                local,
                remote_ref,
                remote,
            } in &updates
            {
                check_ref(local_ref);
                check_ref(remote_ref);
                again.push_str(&format!(
                    "{local_ref} {} {remote_ref} {}\n",
                    oid_field(local.as_ref()),
                    oid_field(remote.as_ref())
                ));
            }
            let reparsed = pushed::push_updates(again.as_bytes()).expect("what git writes parses");
            assert_eq!(reparsed, updates, "updates written back parse differently");
        }
        Err(e) => check_line_error(&e, data, "pre-push"),
    }
}

/// `source::pushed::receive_updates` over `data`: the same invariants as [`push`].
pub fn receive(data: &[u8]) {
    match pushed::receive_updates(data) {
        Ok(updates) => {
            assert_eq!(updates.len(), hook_lines(data).len(), "one update per line");
            let mut again = String::new();
            for ReceiveUpdate { old, new, name } in &updates {
                check_ref(name);
                again.push_str(&format!(
                    "{} {} {name}\n",
                    oid_field(old.as_ref()),
                    oid_field(new.as_ref())
                ));
            }
            let reparsed = pushed::receive_updates(again.as_bytes()).expect("what git writes parses");
            assert_eq!(reparsed, updates, "updates written back parse differently");
        }
        Err(e) => check_line_error(&e, data, "pre-receive"),
    }
}

// ---------------------------------------------------------------------------------------
// plumbing: the zip, tar and reftable readers on their own

/// One zip walk, as events: `(member name, bytes read)` or `(skipped name, why)`.
fn zip_events(data: &[u8], most: u64) -> (Result<String, String>, Vec<String>) {
    use intercept::plumbing::zip::{walk, Event};
    let mut events = Vec::new();
    let walked = walk(&mut &data[..], &mut |event| {
        match event {
            Event::Member { name, content, .. } => {
                let mut body = Vec::new();
                // A read error is the walk's to report (it ends the walk too).
                let _ = content.take(most).read_to_end(&mut body);
                events.push(format!("member {} {}", hex(name), body.len()));
            }
            Event::Skipped { name, why } => events.push(format!("skipped {} {why:?}", hex(name))),
        }
        Ok(())
    });
    let walked = walked
        .map(|stats| format!("{stats:?}"))
        .map_err(|e| e.to_string());
    (walked, events)
}

/// `plumbing::zip::walk` over `data`. Panics when an invariant breaks: it ends on any
/// input; a walk is a function of its input (twice the same events and end); what it
/// counts is what it handed on; an error says what.
pub fn zip(data: &[u8]) {
    const MOST: u64 = 1 << 20;
    let first = zip_events(data, MOST);
    let second = zip_events(data, MOST);
    assert_eq!(first, second, "two walks of the same bytes differ");
    let (walked, events) = first;
    match walked {
        Ok(stats) => {
            let members = events.iter().filter(|e| e.starts_with("member ")).count();
            let skipped = events.len() - members;
            assert!(
                stats.contains(&format!("members: {members},"))
                    && stats.contains(&format!("skipped: {skipped},")),
                "the walk counted {stats} but handed on {members} members and {skipped} skipped"
            );
        }
        Err(e) => assert!(!e.trim().is_empty(), "an empty error"),
    }
}

/// One tar walk, as events: `(member name, bytes read)`.
fn tar_events(data: &[u8], most: u64) -> (Result<String, String>, Vec<String>) {
    use intercept::plumbing::tar::walk;
    let mut events = Vec::new();
    let walked = walk(&mut &data[..], &mut |event| {
        let mut body = Vec::new();
        // A read error is the walk's to report (it ends the walk too).
        let _ = event.content.take(most).read_to_end(&mut body);
        events.push(format!("member {} {}", hex(event.name), body.len()));
        Ok(())
    });
    let walked = walked
        .map(|stats| format!("{stats:?}"))
        .map_err(|e| e.to_string());
    (walked, events)
}

/// `plumbing::tar::walk` over `data`. Panics when an invariant breaks: it ends on any
/// input; a walk is a function of its input; what it counts is what it handed on; a member
/// never yields more bytes than the input holds; an error says what.
pub fn tar(data: &[u8]) {
    const MOST: u64 = 1 << 20;
    let first = tar_events(data, MOST);
    let second = tar_events(data, MOST);
    assert_eq!(first, second, "two walks of the same bytes differ");
    let (walked, events) = first;
    let read: usize = events
        .iter()
        .filter_map(|e| e.rsplit(' ').next()?.parse::<usize>().ok())
        .sum();
    assert!(
        read <= data.len(),
        "members yielded more bytes than the archive holds"
    );
    match walked {
        Ok(stats) => assert!(
            stats.contains(&format!("members: {},", events.len())),
            "the walk counted {stats} but handed on {} members",
            events.len()
        ),
        Err(e) => assert!(!e.trim().is_empty(), "an empty error"),
    }
}

/// `plumbing::reftable`'s table reader over `data` (as SHA-1 and as SHA-256). Panics when
/// an invariant breaks: a table it lists has its names in ascending order, and looking up a
/// listed name finds that very record (when the lookup does not report damage itself).
pub fn reftable(data: &[u8]) {
    use intercept::plumbing::reftable::{table_lookup, table_refs};
    for hash_len in [20, 32] {
        let Ok(refs) = table_refs(data, hash_len) else {
            continue;
        };
        assert!(refs.windows(2).all(|w| w[0].0 < w[1].0), "names out of order");
        for (name, target) in &refs {
            if let Ok(found) = table_lookup(data, hash_len, name) {
                assert_eq!(found.as_ref(), Some(target), "a listed ref looked up differently");
            }
        }
    }
}

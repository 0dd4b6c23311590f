//! The content layer: an item's bytes → every view of them the detector must see, for
//! every source alike.
//!
//! Receives an [`Origin`] and the bytes (in memory, a stream that can be opened again, or a
//! stream read once); hands the detector chunks of each view and the caller the findings
//! and [`Issue`]s. Views: the plain bytes (always; in pieces with the detector's overlap for
//! streams), and what each decoder of the table reads, recognised from the first bytes,
//! never from a file name (`decoder::DECODERS`): git-lfs pointers ([`lfs`]), UTF-16LE/BE
//! text (`utf16`), gzip (`gzip`), xz (`xz`), bzip2 (`bzip2`), zstd (`zstd`), tar (`tar`),
//! the zip family, also after a `#!` or `MZ` prefix (`zip`), and zlib streams (`zlib`).
//! Runs of UTF-16 text inside other bytes are scanned besides the plain view.
//!
//! For every decoder alike: containers are opened at most `decoder::MAX_DEPTH` levels
//! deep, and past it the path not opened is said; every byte decoded from one item counts
//! against one cap (`max_decompressed`), past which the item is reported as not fully
//! checked; a container's raw bytes are scanned after its decoded view (when they can be
//! read again) and report only tokens the decoded view did not, so a corrupt archive still
//! has its raw bytes checked and a stored member is reported once, by its member path; what
//! a decoder leaves unread is scanned as plain bytes; a stream cut short is a notice, any
//! other damage, or a failure to read the bytes, a problem, each saying how many decoded
//! bytes before it were checked. Memory is a few piece buffers and one decoder state per
//! level, whatever the sizes.

pub(crate) mod bzip2;
pub(crate) mod decoder;
pub(crate) mod gzip;
pub mod issue;
pub mod lfs;
pub(crate) mod stream;
pub(crate) mod tar;
pub(crate) mod utf16;
pub(crate) mod xz;
pub(crate) mod zip;
pub(crate) mod zlib;
pub(crate) mod zstd;

use std::cell::Cell;
use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Cursor, Read};

use crate::chunk::{self, Chunk};
use crate::detector::Detector;
use crate::finding::{Finding, Fingerprint};
use crate::origin::{Origin, Subject};
use decoder::{Decoder, Head, Views, DECODERS, MAX_DEPTH};
pub use issue::{Cause, Issue, IssueKind, Skipped};

/// Bytes read from a stream to recognise its format.
const HEAD: usize = 4096;

/// The bytes of one item.
pub enum Input<'a> {
    /// In memory (a blob).
    Bytes(&'a [u8]),
    /// A stream the function opens, again for each view (a file, a large blob).
    Open(&'a dyn Fn() -> io::Result<Box<dyn Read + 'a>>),
    /// A stream read once (standard input, an archive member).
    Stream(&'a mut dyn Read),
}

/// Where the content layer hands its results.
pub trait Collect {
    fn finding(&mut self, finding: Finding);
    fn issue(&mut self, issue: Issue);
}

/// The decoders and their limits, for one run.
pub struct Decoders<'a> {
    pub detector: &'a Detector,
    /// Most bytes decoded from one item (all its members and streams together).
    pub max_decompressed: u64,
    /// Where git-lfs objects are, when the source has a repository.
    pub lfs: Option<&'a lfs::Store>,
}

/// Piece buffers, one per nesting level, reused across items.
#[derive(Default)]
pub struct Buffers {
    levels: Vec<Vec<u8>>,
}

impl Buffers {
    fn at(&mut self, depth: usize) -> Vec<u8> {
        if self.levels.len() <= depth {
            self.levels.resize_with(depth + 1, Vec::new);
        }
        std::mem::take(&mut self.levels[depth])
    }

    fn put(&mut self, depth: usize, buf: Vec<u8>) {
        self.levels[depth] = buf;
    }
}

/// What one item's scan read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scanned {
    /// Bytes handed to the detector, all views together.
    pub bytes: u64,
}

impl Decoders<'_> {
    /// Scans one item: every view of its bytes.
    pub fn scan(
        &self,
        origin: &Origin,
        input: Input<'_>,
        bufs: &mut Buffers,
        out: &mut dyn Collect,
    ) -> Scanned {
        let budget = Budget {
            left: Cell::new(self.max_decompressed),
            hit: Cell::new(false),
        };
        let mut run = Run {
            dec: self,
            bufs,
            out,
            budget: &budget,
            bytes: 0,
        };
        if let Err(e) = run.item(origin, input, 0) {
            run.issue(origin, IssueKind::Unreadable(e.into()));
        }
        if budget.hit.get() {
            run.issue(
                origin,
                IssueKind::OverCap {
                    limit: self.max_decompressed,
                },
            );
        }
        Scanned { bytes: run.bytes }
    }
}

/// The decompression cap, shared by every stream decoded from one item.
struct Budget {
    left: Cell<u64>,
    hit: Cell<bool>,
}

/// A decoded stream that stops where the item's budget runs out, counting what it hands on.
struct Limited<'b, R> {
    inner: R,
    budget: &'b Budget,
    read: u64,
}

impl<R: Read> Read for Limited<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let left = self.budget.left.get();
        if left == 0 {
            if !out.is_empty() && !self.budget.hit.get() {
                let mut one = [0u8; 1];
                if self.inner.read(&mut one)? > 0 {
                    self.budget.hit.set(true);
                }
            }
            return Ok(0);
        }
        let want = out.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut out[..want])?;
        self.budget.left.set(left - n as u64);
        self.read += n as u64;
        Ok(n)
    }
}

/// A reader that remembers the first error it passed on (so the layer that owns a decoder
/// can say what failed, whoever was reading).
struct Tap<'t, R> {
    inner: R,
    error: &'t Cell<Option<Cause>>,
}

fn remember(cell: &Cell<Option<Cause>>, e: &io::Error) {
    let first = cell.take().unwrap_or_else(|| Cause::of(e));
    cell.set(Some(first));
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.inner.read(out).inspect_err(|e| remember(self.error, e))
    }
}

impl<R: BufRead> BufRead for Tap<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let error = self.error;
        self.inner.fill_buf().inspect_err(|e| remember(error, e))
    }
    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
    }
}

/// The decoder an item's first bytes call for (`None`: plain bytes).
fn classify(head: &Head<'_>) -> Option<&'static dyn Decoder> {
    DECODERS.iter().copied().find(|d| d.sniff(head))
}

/// One item's scan in progress.
struct Run<'r, 'd> {
    dec: &'r Decoders<'d>,
    bufs: &'r mut Buffers,
    out: &'r mut dyn Collect,
    budget: &'r Budget,
    bytes: u64,
}

/// Whether a container's raw bytes can be scanned after its decoded view.
enum Raw<'b> {
    Bytes(&'b [u8]),
    Again,
    Never,
}

/// A stream's first bytes, read to recognise its format, and the rest.
struct Peeked<'s> {
    head: Vec<u8>,
    /// True when the head is the whole stream.
    whole: bool,
    rest: Box<dyn Read + 's>,
}

fn peek<'s>(mut reader: Box<dyn Read + 's>) -> io::Result<Peeked<'s>> {
    let mut head = Vec::with_capacity(HEAD);
    match (&mut reader).take(HEAD as u64).read_to_end(&mut head) {
        Ok(_) => Ok(Peeked {
            whole: head.len() < HEAD,
            head,
            rest: reader,
        }),
        // What was read before the error (a stream cut short or damaged in its first bytes)
        // is still scanned; the error comes after it, to whoever reads on.
        Err(e) => Ok(Peeked {
            head,
            whole: false,
            rest: Box::new(Failed(Some(e))),
        }),
    }
}

/// A reader that fails with the error it holds (then ends).
struct Failed(Option<io::Error>);

impl Read for Failed {
    fn read(&mut self, _out: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

impl Run<'_, '_> {
    fn issue(&mut self, origin: &Origin, kind: IssueKind) {
        self.out.issue(Issue {
            origin: origin.clone(),
            kind,
        });
    }

    /// Scans one item (or member) at `depth`. An error is one reading `input` itself.
    fn item(&mut self, origin: &Origin, input: Input<'_>, depth: usize) -> io::Result<()> {
        match input {
            Input::Bytes(bytes) => {
                let head = Head {
                    bytes,
                    whole: true,
                    depth,
                    origin,
                };
                let Some(decoder) = self.opened(&head) else {
                    self.whole(origin, bytes, &mut None);
                    return Ok(());
                };
                let mut open = || -> io::Result<Box<dyn BufRead + '_>> { Ok(Box::new(bytes)) };
                self.views(origin, decoder, &head, &mut open, Raw::Bytes(bytes))
            }
            Input::Open(open) => self.stream(origin, open()?, Some(open), depth),
            Input::Stream(reader) => self.stream(origin, Box::new(reader), None, depth),
        }
    }

    /// A stream (`first`, opened) at `depth`: its first bytes say which views it has; `again`
    /// opens it anew for a second view (the raw bytes after a decoded view), when it can be.
    fn stream<'s>(
        &mut self,
        origin: &Origin,
        first: Box<dyn Read + 's>,
        again: Option<&'s dyn Fn() -> io::Result<Box<dyn Read + 's>>>,
        depth: usize,
    ) -> io::Result<()> {
        let Peeked {
            head: bytes,
            whole,
            rest,
        } = peek(first)?;
        let head = Head {
            bytes: &bytes,
            whole,
            depth,
            origin,
        };
        let decoder = self.opened(&head);
        let mut rest = Some(rest);
        // The first view reads the stream already opened; a second one opens it again.
        let mut open = || -> io::Result<Box<dyn BufRead + '_>> {
            let reader: Box<dyn Read + '_> = match (rest.take(), again) {
                (Some(rest), _) => Box::new(Cursor::new(&bytes[..]).chain(rest)),
                (None, Some(again)) => again()?,
                (None, None) => return Err(io::Error::other("a stream is read once")),
            };
            Ok(Box::new(BufReader::with_capacity(64 << 10, reader)))
        };
        let raw = if again.is_some() { Raw::Again } else { Raw::Never };
        match decoder {
            Some(decoder) => self.views(origin, decoder, &head, &mut open, raw),
            None => self.plain(origin, &mut open()?, depth),
        }
    }

    /// The decoder that opens an item starting with `head`, if one does and the item is not
    /// nested too deep for it (then it is said, and the item is scanned as plain bytes).
    fn opened(&mut self, head: &Head<'_>) -> Option<&'static dyn Decoder> {
        let decoder = classify(head)?;
        if decoder.deepens() && head.depth >= MAX_DEPTH {
            self.issue(
                head.origin,
                IssueKind::TooDeep {
                    via: decoder.via(),
                    limit: MAX_DEPTH,
                },
            );
            return None;
        }
        Some(decoder)
    }

    /// Bytes in memory, as one chunk (no copy). With `seen`, only tokens not in it.
    fn whole(&mut self, origin: &Origin, bytes: &[u8], seen: &mut Option<&HashSet<Fingerprint>>) {
        let out = &mut *self.out;
        let mut emit = |f: Finding| {
            if !seen.is_some_and(|s| s.contains(&f.fingerprint)) {
                out.finding(f);
            }
        };
        self.dec
            .detector
            .scan_each(&Chunk::whole(origin, bytes), &mut emit);
        if utf16::text_like(bytes) {
            stream::scan_utf16_runs(
                self.dec.detector,
                origin,
                bytes,
                0..bytes.len(),
                chunk::Position::START,
                &mut emit,
            );
        }
        self.bytes += bytes.len() as u64;
    }

    /// The decoded view `decoder` opens, then the raw view where the bytes can be read again.
    fn views<'s>(
        &mut self,
        origin: &Origin,
        decoder: &dyn Decoder,
        head: &Head<'_>,
        open: &mut dyn FnMut() -> io::Result<Box<dyn BufRead + 's>>,
        raw: Raw<'_>,
    ) -> io::Result<()> {
        let depth = head.depth;
        let seen = self.recorded(|run| {
            let input_error = Cell::new(None);
            let mut input = Tap {
                inner: open()?,
                error: &input_error,
            };
            let mut views = Viewing {
                run,
                origin,
                via: decoder.via(),
                depth,
                input: &input_error,
                raw: !matches!(raw, Raw::Never),
            };
            decoder.open(head, &mut input, &mut views)
        })?;
        // The raw view: tokens the decoded view did not already report.
        match raw {
            Raw::Bytes(bytes) => {
                self.whole(origin, bytes, &mut Some(&seen));
                Ok(())
            }
            Raw::Again => {
                let mut input = open()?;
                let mut filter = Unseen {
                    seen: &seen,
                    out: &mut *self.out,
                };
                let mut run = Run {
                    dec: self.dec,
                    bufs: &mut *self.bufs,
                    out: &mut filter,
                    budget: self.budget,
                    bytes: 0,
                };
                let result = run.plain(origin, &mut input, depth);
                self.bytes += run.bytes;
                result
            }
            Raw::Never => Ok(()),
        }
    }

    /// Runs `f`, recording the fingerprints it reports.
    fn recorded(
        &mut self,
        f: impl FnOnce(&mut Run<'_, '_>) -> io::Result<()>,
    ) -> io::Result<HashSet<Fingerprint>> {
        let mut recorder = Recorder {
            seen: HashSet::new(),
            out: &mut *self.out,
        };
        let mut run = Run {
            dec: self.dec,
            bufs: &mut *self.bufs,
            out: &mut recorder,
            budget: self.budget,
            bytes: 0,
        };
        let result = f(&mut run);
        self.bytes += run.bytes;
        result.map(|()| recorder.seen)
    }

    /// The plain view of a stream.
    fn plain(&mut self, origin: &Origin, input: &mut dyn Read, depth: usize) -> io::Result<()> {
        let mut buf = self.bufs.at(depth);
        let out = &mut *self.out;
        let streamed = stream::scan_reader(self.dec.detector, origin, input, u64::MAX, &mut buf, &mut |f| {
            out.finding(f)
        });
        self.bufs.put(depth, buf);
        self.bytes += streamed.bytes;
        match streamed.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// A decoded stream or member, scanned as an item one level deeper within the cap; the
    /// error that ended it (its own, or one reading it), if any, and the bytes it decoded to.
    fn deeper(&mut self, origin: &Origin, content: &mut dyn Read, depth: usize) -> (Option<Cause>, u64) {
        let error = Cell::new(None);
        let mut tapped = Limited {
            inner: Tap {
                inner: content,
                error: &error,
            },
            budget: self.budget,
            read: 0,
        };
        let mut result = self.item(origin, Input::Stream(&mut tapped), depth + 1);
        // What the item's decoder left unread (a tar's padding after its end marker, junk
        // after a compressed stream) is read too, and scanned as plain bytes: so the damage
        // of the stream it came from (a CRC at its end) is found, and no byte passes unseen.
        let failed_already = {
            let first = error.take();
            let failed = first.is_some();
            error.set(first);
            failed
        };
        if result.is_ok() && !failed_already && !self.budget.hit.get() {
            result = self.plain(origin, &mut tapped, depth + 1);
        }
        let failed = error.take().or_else(|| result.err().map(Cause::from));
        (failed, tapped.read)
    }

    /// A member's name is scanned too: a token used as a name is a leak.
    fn path_name(&mut self, member: &Origin) {
        let name = member.members.last().map_or(&[][..], Vec::as_slice);
        let out = &mut *self.out;
        scan_path_name(self.dec.detector, member, name, &mut |f| out.finding(f));
    }
}

/// What a decoder hands its views to: the item's run, at the decoder's level.
struct Viewing<'v, 'r, 'd> {
    run: &'v mut Run<'r, 'd>,
    origin: &'v Origin,
    via: crate::origin::Via,
    depth: usize,
    /// The first error reading the item's own bytes.
    input: &'v Cell<Option<Cause>>,
    /// Whether the item's raw bytes are scanned after this view.
    raw: bool,
}

impl Views for Viewing<'_, '_, '_> {
    /// A stream cut short (the compressed bytes end before it does: a truncated download, a
    /// test fixture) is worth saying but no reason to block: every byte that exists was
    /// decoded as far as it goes and scanned, raw too. Any other damage blocks: a bad header
    /// or checksum or block can sit in front of bytes another decoder reads (Python's gzip
    /// ignores a header CRC; `tail -c +N | zcat` reads a later member), and a failure to
    /// *read* the compressed bytes leaves part of them unseen.
    fn stream(&mut self, content: &mut dyn Read, doing: &'static str) {
        let decoded = self.origin.through(self.via);
        let (failed, decoded_len) = self.run.deeper(&decoded, content, self.depth);
        let via = self.via;
        let raw = self.raw;
        if let Some(cause) = self.input_failed() {
            self.run.issue(&decoded, IssueKind::InputFailed { doing, cause });
        } else if let Some(cause) = failed {
            let kind = if cause.kind() == io::ErrorKind::OutOfMemory {
                IssueKind::OverMemory {
                    via,
                    cause,
                    decoded: decoded_len,
                }
            } else if cause.kind() == io::ErrorKind::UnexpectedEof {
                IssueKind::CutShort {
                    via,
                    cause,
                    decoded: decoded_len,
                    raw,
                }
            } else {
                IssueKind::Damaged {
                    via,
                    cause,
                    decoded: decoded_len,
                    raw,
                }
            };
            self.run.issue(&decoded, kind);
        }
    }

    fn text(&mut self, text: &mut dyn Read) -> io::Result<()> {
        let decoded = self.origin.through(self.via);
        self.run.plain(&decoded, text, self.depth)
    }

    fn prefix(&mut self, bytes: &mut dyn Read) -> io::Result<()> {
        self.run.plain(self.origin, bytes, self.depth)
    }

    fn member(&mut self, name: &[u8], content: &mut dyn Read) -> Option<Cause> {
        let member = self.origin.member(name, self.via);
        self.run.path_name(&member);
        self.run.deeper(&member, content, self.depth).0
    }

    fn elsewhere(&mut self, open: &dyn Fn() -> io::Result<Box<dyn Read>>) -> Result<(), Cause> {
        let object = self.origin.through(self.via);
        let open = || -> io::Result<Box<dyn Read>> { open() };
        self.run.item(&object, Input::Open(&open), 0).map_err(Cause::from)
    }

    fn issue(&mut self, member: Option<&[u8]>, kind: IssueKind) {
        let origin = match member {
            Some(name) => {
                let member = self.origin.member(name, self.via);
                if matches!(kind, IssueKind::Skipped(_)) {
                    self.run.path_name(&member);
                }
                member
            }
            None => self.origin.clone(),
        };
        self.run.issue(&origin, kind);
    }

    fn input_failed(&self) -> Option<Cause> {
        let first = self.input.take();
        self.input.set(first.clone());
        first
    }

    fn lfs_store(&self) -> Option<&lfs::Store> {
        self.run.dec.lfs
    }
}

/// Records the fingerprints of what passes through.
struct Recorder<'o> {
    seen: HashSet<Fingerprint>,
    out: &'o mut dyn Collect,
}

impl Collect for Recorder<'_> {
    fn finding(&mut self, finding: Finding) {
        self.seen.insert(finding.fingerprint);
        self.out.finding(finding);
    }
    fn issue(&mut self, issue: Issue) {
        self.out.issue(issue);
    }
}

/// Passes on only the findings not seen in a decoded view.
struct Unseen<'o> {
    seen: &'o HashSet<Fingerprint>,
    out: &'o mut dyn Collect,
}

impl Collect for Unseen<'_> {
    fn finding(&mut self, finding: Finding) {
        if !self.seen.contains(&finding.fingerprint) {
            self.out.finding(finding);
        }
    }
    fn issue(&mut self, issue: Issue) {
        self.out.issue(issue);
    }
}

/// Scans `name` (a path, or its last part) as a name: a token used as a file or directory
/// name. Findings carry `origin`'s whole path.
pub fn scan_path_name(detector: &Detector, origin: &Origin, name: &[u8], out: &mut dyn FnMut(Finding)) {
    if !detector.prefilter(name) {
        return;
    }
    let mut named = origin.clone();
    if named.subject != Subject::RefName {
        named.subject = Subject::PathName;
    }
    named.members.clear();
    named.path = origin.full_path();
    detector.scan_each(&Chunk::whole(&named, name), out);
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use intercept_test_support::text::utf16;

    fn token() -> String {
        intercept_test_support::token().b64()
    }

    #[derive(Default)]
    struct Out {
        findings: Vec<Finding>,
        issues: Vec<Issue>,
    }

    impl Collect for Out {
        fn finding(&mut self, f: Finding) {
            self.findings.push(f);
        }
        fn issue(&mut self, i: Issue) {
            self.issues.push(i);
        }
    }

    fn scan_with(bytes: &[u8], max: u64, lfs: Option<&lfs::Store>) -> Out {
        scan_input(&Origin::file("f"), Input::Bytes(bytes), max, lfs)
    }

    fn scan_input(origin: &Origin, input: Input<'_>, max: u64, lfs: Option<&lfs::Store>) -> Out {
        let detector = Detector::new();
        let dec = Decoders {
            detector: &detector,
            max_decompressed: max,
            lfs,
        };
        let mut out = Out::default();
        dec.scan(origin, input, &mut Buffers::default(), &mut out);
        out
    }

    fn scan(bytes: &[u8]) -> Out {
        scan_with(bytes, 1 << 30, None)
    }

    /// (member path, line, via) of each finding.
    fn places(out: &Out) -> Vec<(String, u64, String)> {
        out.findings
            .iter()
            .map(|f| {
                (
                    String::from_utf8_lossy(&f.origin.full_path()).into_owned(),
                    f.line,
                    f.origin.via.iter().map(|v| v.id()).collect::<Vec<_>>().join("+"),
                )
            })
            .collect()
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        intercept_test_support::zip::gzip(data)
    }

    /// A zip with stored (`false`) or deflated (`true`) members, sizes in the local headers.
    fn zip(members: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut zip = intercept_test_support::zip::Zip::seekable();
        for (name, data, deflate) in members {
            if *deflate {
                zip.deflated(name, data);
            } else {
                zip.stored(name, data);
            }
        }
        zip.finish()
    }

    #[test]
    fn plain_bytes_are_one_view() {
        let t = token();
        let out = scan(format!("a\nT={t}\n").as_bytes());
        assert_eq!(places(&out), vec![("f".into(), 2, String::new())]);
        assert!(out.issues.is_empty());
    }

    #[test]
    fn gzip_every_member_padding_and_junk() {
        let t = token();
        let mut data = gz(b"first member\n");
        data.extend(gz(format!("x\nT={t}\n").as_bytes()));
        data.extend([0u8; 300]);
        let out = scan(&data);
        assert_eq!(places(&out), vec![("f".into(), 3, "gzip".into())]);
        assert!(out.issues.is_empty(), "{:?}", out.issues);
        // Trailing junk: what came before is kept, and the junk itself is scanned raw.
        let mut data = gz(b"a\n");
        data.extend(format!("junk {t} junk").as_bytes());
        let out = scan(&data);
        assert_eq!(places(&out), vec![("f".into(), 1, String::new())]);
        // The negative twin: no token, no finding, no issue.
        let out = scan(&gz(b"clean\n"));
        assert!(out.findings.is_empty() && out.issues.is_empty());
    }

    #[test]
    fn zip_members_stored_and_deflated_are_named() {
        let t = token();
        let docx = zip(&[
            ("[Content_Types].xml", b"<Types/>", true),
            ("word/document.xml", format!("<w:t>\n{t}</w:t>").as_bytes(), true),
            (
                "config/app.properties",
                format!("a=1\ntoken={t}\n").as_bytes(),
                false,
            ),
        ]);
        let out = scan(&docx);
        assert_eq!(
            places(&out),
            vec![
                ("f!word/document.xml".into(), 2, "zip".into()),
                ("f!config/app.properties".into(), 2, "zip".into()),
            ],
            "the stored member is reported once, by its member path"
        );
        assert!(out.issues.is_empty(), "{:?}", out.issues);
        let clean = zip(&[("a.txt", b"nothing", true)]);
        assert!(scan(&clean).findings.is_empty());
    }

    #[test]
    fn one_level_of_nesting_gzip_and_zip_inside_zip() {
        let t = token();
        let inner = zip(&[(
            "BOOT-INF/classes/application.yml",
            format!("key: {t}\n").as_bytes(),
            true,
        )]);
        let outer = zip(&[
            ("lib/inner.jar", &inner, false),
            ("logs/app.log.gz", &gz(format!("x\ny\n{t}\n").as_bytes()), false),
        ]);
        let out = scan(&outer);
        assert_eq!(
            places(&out),
            vec![
                (
                    "f!lib/inner.jar!BOOT-INF/classes/application.yml".into(),
                    1,
                    "zip+zip".into()
                ),
                ("f!logs/app.log.gz".into(), 3, "zip+gzip".into()),
            ]
        );
    }

    #[test]
    fn utf16_both_orders_with_and_without_a_bom_in_decoded_lines() {
        let t = token();
        let text = format!("$x = 1\r\n$env:INTERCOM_ACCESS_TOKEN = '{t}'\r\n");
        for (be, bom) in [(false, true), (false, false), (true, true), (true, false)] {
            let out = scan(&utf16(&text, be, bom));
            let via = if be { "utf-16be" } else { "utf-16le" };
            assert_eq!(
                places(&out),
                vec![("f".into(), 2, via.into())],
                "be={be} bom={bom}"
            );
            assert_eq!(out.findings[0].column, 31);
        }
        assert!(scan(&utf16("nothing here at all\r\n", false, true))
            .findings
            .is_empty());
    }

    #[test]
    fn a_zlib_stream_is_inflated() {
        let t = token();
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        writeln!(e, "blob 99\0T={t}").unwrap();
        let out = scan(&e.finish().unwrap());
        assert_eq!(places(&out), vec![("f".into(), 1, "zlib".into())]);
        // `x` followed by text is not zlib: scanned as it is, no issue.
        let out = scan(format!("x^ {t}").as_bytes());
        assert_eq!(places(&out), vec![("f".into(), 1, String::new())]);
        assert!(out.issues.is_empty());
    }

    #[test]
    fn an_lfs_pointer_is_checked_by_its_content_or_says_it_is_not_here() {
        let t = token();
        let content = format!("line 1\nT={t}\n");
        let oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
        let pointer = format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {}\n",
            content.len()
        );
        let dir = tempfile::tempdir().unwrap();
        let store = lfs::Store {
            dirs: vec![dir.path().to_path_buf()],
        };
        // Not in the store: a notice, not a finding and not a failure.
        let out = scan_with(pointer.as_bytes(), 1 << 30, Some(&store));
        assert!(out.findings.is_empty());
        assert!(
            matches!(&out.issues[..], [i] if !i.blocks() && i.message().contains("not in")),
            "{:?}",
            out.issues
        );
        let path = dir.path().join(&oid[..2]).join(&oid[2..4]);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join(oid), &content).unwrap();
        let out = scan_with(pointer.as_bytes(), 1 << 30, Some(&store));
        assert_eq!(places(&out), vec![("f".into(), 2, "lfs".into())]);
        assert!(out.issues.is_empty());
        // An LFS object that is itself a pointer is not followed again.
        std::fs::write(path.join(oid), &pointer).unwrap();
        let out = scan_with(pointer.as_bytes(), 1 << 30, Some(&store));
        assert!(
            out.findings.is_empty() && out.issues.is_empty(),
            "{:?}",
            out.issues
        );
    }

    #[test]
    fn everything_decoded_from_one_item_counts_against_one_cap() {
        let t = token();
        let big = format!("{}\n{t}\n", "a".repeat(5000));
        let archive = zip(&[("a", big.as_bytes(), true), ("b", big.as_bytes(), true)]);
        let out = scan_with(&archive, 8000, None);
        assert_eq!(out.findings.len(), 1, "{:?}", places(&out));
        assert!(
            matches!(&out.issues[..], [i] if i.blocks() && i.message().contains("not fully checked")),
            "{:?}",
            out.issues
        );
    }

    #[test]
    fn damaged_containers_say_what_was_not_checked() {
        let t = token();
        let mut bad = vec![0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad];
        bad.extend(format!("garbage {t} more").as_bytes());
        let out = scan(&bad);
        assert_eq!(out.findings.len(), 1, "the raw bytes are scanned");
        // Damage blocks: another decoder may read on where this one stopped.
        assert!(
            matches!(&out.issues[..], [i] if i.blocks() && i.message().contains("cannot decompress f")),
            "{:?}",
            out.issues
        );
        let mut cut = zip(&[("a.txt", format!("{}{t}", "x".repeat(3000)).as_bytes(), true)]);
        cut.truncate(60);
        let out = scan(&cut);
        assert!(!out.issues.is_empty(), "a truncated archive is not a silent pass");
    }

    #[test]
    fn a_stream_that_cannot_be_read_blocks_but_a_damaged_one_does_not() {
        // A gzip file whose reading fails half way (a disk error, a missing pack): what
        // was not read was not checked.
        struct Failing(io::Cursor<Vec<u8>>);
        impl Read for Failing {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                match self.0.read(out)? {
                    0 => Err(io::Error::other("the disk went away")),
                    n => Ok(n),
                }
            }
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&[b'a'; 100_000]).unwrap();
        let mut head = gz.finish().unwrap();
        head.truncate(40);
        let open = || -> io::Result<Box<dyn Read>> { Ok(Box::new(Failing(io::Cursor::new(head.clone())))) };
        let out = scan_input(&Origin::file("f.gz"), Input::Open(&open), 1 << 30, None);
        assert!(out.issues.iter().any(Issue::blocks), "{:?}", out.issues);
        // Its twin: the same bytes, cut short but read without error: all of it was checked.
        let out = scan_with(&head, 1 << 30, None);
        assert!(
            !out.issues.is_empty() && out.issues.iter().all(|i| !i.blocks()),
            "{:?}",
            out.issues
        );
    }

    #[test]
    fn a_blob_no_path_names_yet_is_named_by_its_id() {
        let mut origin = Origin::file("");
        origin.blob = Some(gix::ObjectId::empty_blob(gix::hash::Kind::Sha1));
        let bad = [0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef];
        let out = scan_input(&origin, Input::Bytes(&bad), 1 << 30, None);
        assert!(
            matches!(&out.issues[..], [i] if !i.blocks()
                && i.message().starts_with("blob e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 is cut short")),
            "{:?}",
            out.issues
        );
    }

    #[test]
    fn a_member_name_that_is_a_token_is_a_finding() {
        let t = token();
        let archive = zip(&[(&format!("{t}.txt"), b"x", false)]);
        let out = scan(&archive);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].origin.subject, Subject::PathName);
    }

    fn tar(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut t = intercept_test_support::tar::Tar::new();
        for (name, data) in members {
            t.add(intercept_test_support::tar::Entry::file(name, data));
        }
        t.finish()
    }

    /// Every way an item is handed over: in memory, a file opened (twice), a stream.
    fn every_input(bytes: &[u8]) -> Vec<Out> {
        let open = || -> io::Result<Box<dyn Read>> { Ok(Box::new(bytes)) };
        let mut reader = bytes;
        vec![
            scan(bytes),
            scan_input(&Origin::file("f"), Input::Open(&open), 1 << 30, None),
            scan_input(&Origin::file("f"), Input::Stream(&mut reader), 1 << 30, None),
        ]
    }

    #[test]
    fn tar_members_are_opened_through_the_whole_table() {
        use intercept_test_support::compress;
        let t = token();
        let env = format!("A=1\nT={t}\n");
        let ps = utf16(&format!("$a = 1\r\n$t = '{t}'\r\n"), false, true);
        let jar = zip(&[("config/app.ps1", &ps, true)]);
        let inner_tgz = gz(&tar(&[("values.yaml", env.as_bytes())]));
        let archive = tar(&[
            ("README", b"nothing\n"),
            ("charts/sub-0.1.0.tgz", &inner_tgz),
            ("lib/app.jar", &jar),
            ("dump.sql.xz", &compress::xz(env.as_bytes())),
            ("dump.sql.bz2", &compress::bzip2(env.as_bytes())),
            ("app.log.zst", &compress::zstd(env.as_bytes())),
        ]);
        for outer in [
            gz(&archive),
            compress::xz(&archive),
            compress::zstd(&archive),
            compress::bzip2(&archive),
        ] {
            for out in every_input(&outer) {
                let mut got = places(&out);
                got.sort();
                let via = out.findings[0].origin.via[0].id;
                let v = |rest: &str| format!("{via}+tar+{rest}");
                assert_eq!(
                    got,
                    vec![
                        ("f!app.log.zst".into(), 2, v("zstd")),
                        ("f!charts/sub-0.1.0.tgz!values.yaml".into(), 2, v("gzip+tar")),
                        ("f!dump.sql.bz2".into(), 2, v("bzip2")),
                        ("f!dump.sql.xz".into(), 2, v("xz")),
                        ("f!lib/app.jar!config/app.ps1".into(), 2, v("zip+utf-16le")),
                    ]
                );
                assert!(out.issues.is_empty(), "{:?}", out.issues);
            }
        }
        // The negative twin: the same archive without a token.
        let clean = gz(&tar(&[(
            "lib/app.jar",
            &zip(&[("a.ps1", &utf16("$a = 1\r\n", false, true), true)]),
        )]));
        for out in every_input(&clean) {
            assert!(
                out.findings.is_empty() && out.issues.is_empty(),
                "{:?}",
                out.issues
            );
        }
    }

    #[test]
    fn nesting_opens_six_levels_and_says_where_it_stops() {
        let t = token();
        let mut bytes = format!("T={t}\n").into_bytes();
        let mut name = String::new();
        for level in 0..MAX_DEPTH {
            bytes = zip(&[(&format!("l{level}.zip"), &bytes, true)]);
            name = format!("!l{level}.zip{name}");
        }
        let out = scan(&bytes);
        assert_eq!(out.findings.len(), 1, "{:?}", out.issues);
        assert!(out.issues.is_empty(), "{:?}", out.issues);
        // One more: what the seventh level holds is not opened, and it is said where.
        bytes = zip(&[("top.zip", &bytes, false)]);
        let out = scan(&bytes);
        assert!(
            matches!(&out.issues[..], [i] if i.blocks()
                && i.message().contains("f!top.zip!l5.zip!l4.zip!l3.zip!l2.zip!l1.zip was not opened")
                && i.message().contains("more than 6 levels deep")),
            "{:?}",
            out.issues.iter().map(Issue::message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_small_stream_cut_short_or_with_a_bad_crc_keeps_what_it_decoded() {
        let t = token();
        let text = format!("A=1\nT={t}\n{}", "padding line\n".repeat(100));
        let whole = gz(text.as_bytes());
        for cut in [whole.len() - 4, whole.len() - 9] {
            for out in every_input(&whole[..cut]) {
                assert_eq!(out.findings.len(), 1, "cut at {cut}");
                assert_eq!(out.findings[0].line, 2);
                assert!(
                    matches!(&out.issues[..], [i] if !i.blocks() && i.message().contains("is cut short")),
                    "{:?}",
                    out.issues
                );
            }
        }
        let mut bad_crc = whole.clone();
        let at = bad_crc.len() - 8;
        bad_crc[at] ^= 0xff;
        for out in every_input(&bad_crc) {
            assert_eq!(out.findings.len(), 1);
            let messages: Vec<String> = out.issues.iter().map(Issue::message).collect();
            assert!(matches!(&out.issues[..], [i] if i.blocks()), "{messages:?}");
            assert!(
                messages[0].contains(&format!(
                    "The {} bytes decoded before the damage were checked",
                    text.len()
                )),
                "{messages:?}"
            );
        }
        // Twins: no token, the same damage: said, nothing found.
        let clean = gz(b"A=1\nnothing\n");
        let out = scan(&clean[..clean.len() - 4]);
        assert!(out.findings.is_empty() && out.issues.len() == 1);
    }

    #[test]
    fn xz_bzip2_and_zstd_cut_short_damaged_and_bombs() {
        use intercept_test_support::compress;
        let t = token();
        // Lines that do not compress to nothing, so a cut falls after whole blocks.
        let mut rng = intercept_test_support::text::XorShift(3);
        let text: String = format!("T={t}\n")
            + &(0..30_000)
                .map(|_| format!("{:016x} {:016x}\n", rng.next(), rng.next()))
                .collect::<String>();
        type Make = fn(&[u8]) -> Vec<u8>;
        for (name, make) in [
            ("xz", compress::xz as Make),
            ("bzip2", compress::bzip2),
            ("zstd", compress::zstd),
        ] {
            let whole = make(text.as_bytes());
            for out in every_input(&whole) {
                assert_eq!(places(&out), vec![("f".into(), 1, name.into())]);
                assert!(out.issues.is_empty(), "{name}: {:?}", out.issues);
            }
            // Cut short after the token: found, and said.
            let cut = &whole[..whole.len() * 3 / 4];
            for out in every_input(cut) {
                assert_eq!(out.findings.len(), 1, "{name}");
                assert!(!out.issues.is_empty(), "{name}: a cut is not a silent pass");
            }
            // Damage: found what came before, and it blocks.
            let mut bad = whole.clone();
            let at = bad.len() / 2;
            for b in &mut bad[at..at + 16] {
                *b ^= 0x5a;
            }
            for out in every_input(&bad) {
                assert!(out.issues.iter().any(Issue::blocks), "{name}: {:?}", out.issues);
            }
            // A bomb: the cap stops it, says so, and what came before is checked.
            let bomb = make(&[b'a'; 4 << 20]);
            let out = scan_with(&bomb, 1 << 20, None);
            assert!(
                out.issues
                    .iter()
                    .any(|i| i.message().contains("not fully checked")),
                "{name}: {:?}",
                out.issues
            );
            // The negative twin.
            for out in every_input(&make(b"A=1\nB=2\n")) {
                assert!(
                    out.findings.is_empty() && out.issues.is_empty(),
                    "{name}: {:?}",
                    out.issues
                );
            }
        }
    }

    #[test]
    fn a_zip_after_a_script_or_a_program_is_opened_and_the_prefix_scanned() {
        let t = token();
        let jar = zip(&[(
            "BOOT-INF/classes/application.properties",
            format!("t={t}\n").as_bytes(),
            true,
        )]);
        let small_script = b"#!/usr/bin/env python3\n".to_vec();
        let launch_script = format!("#!/bin/bash\n{}", "# launch script line\n".repeat(600)).into_bytes();
        let mut exe = b"MZ\x90\x00".to_vec();
        exe.extend((0..20_000u32).map(|i| (i * 7 % 251) as u8));
        for prefix in [small_script, launch_script, exe] {
            let mut file = prefix.clone();
            file.extend(&jar);
            for out in every_input(&file) {
                assert_eq!(
                    places(&out),
                    vec![(
                        "f!BOOT-INF/classes/application.properties".into(),
                        1,
                        "zip".into()
                    )]
                );
                assert!(out.issues.is_empty(), "{:?}", out.issues);
            }
            // A token in the script itself is found as the file's own, at its line.
            let mut file = prefix.clone();
            file.extend(format!("\nT={t}\n").as_bytes());
            file.extend(&zip(&[("a.txt", b"clean", true)]));
            for out in every_input(&file) {
                assert_eq!(out.findings.len(), 1);
                assert!(out.findings[0].origin.via.is_empty() && out.findings[0].origin.members.is_empty());
                assert!(out.issues.is_empty(), "{:?}", out.issues);
            }
            // The negative twin.
            let mut file = prefix;
            file.extend(&zip(&[("a.txt", b"clean", true)]));
            for out in every_input(&file) {
                assert!(
                    out.findings.is_empty() && out.issues.is_empty(),
                    "{:?}",
                    out.issues
                );
            }
        }
    }

    #[test]
    fn encodings_that_change_within_a_file_are_followed_on_every_input() {
        let t = token();
        // PowerShell 5.1's `>>` appends UTF-16LE to a UTF-8 .env (with or without a BOM, after
        // an even or an odd number of bytes).
        for head in ["A=1\nB=2\n", "A=1\nB=23\n"] {
            for bom in [false, true] {
                let mut file = head.as_bytes().to_vec();
                file.extend(utf16(&format!("INTERCOM_ACCESS_TOKEN={t}\r\n"), false, bom));
                let want = vec![("f".to_string(), 3, "utf-16le".to_string())];
                for out in every_input(&file) {
                    assert_eq!(places(&out), want, "{head:?} bom={bom}");
                }
                for inner in [gz(&file), zip(&[("f.env", &file, true)])] {
                    let out = scan(&inner);
                    assert_eq!(out.findings.len(), 1, "{head:?} bom={bom} inside an archive");
                    assert_eq!(out.findings[0].line, 3);
                }
            }
        }
        // ASCII appended to a UTF-16 file, and a stray byte that misaligns a UTF-16 run: in a
        // stream too (a member, a decompressed stream, standard input).
        let mut appended = utf16("$a = 1\r\n$b = 2\r\n", false, true);
        appended.extend(format!("T={t}\n").as_bytes());
        let mut stray = utf16("$a = 1\r\n", false, true);
        stray.push(b'x');
        stray.extend(utf16(&format!("$t = '{t}'\r\n"), false, false));
        for file in [appended, stray] {
            for out in every_input(&file) {
                assert_eq!(out.findings.len(), 1, "{:?}", places(&out));
            }
            let out = scan(&gz(&file));
            assert_eq!(out.findings.len(), 1);
            let out = scan(&zip(&[("a.ps1", &file, true)]));
            assert_eq!(out.findings.len(), 1);
        }
        // Twins: the same mixtures without a token.
        let mut clean = b"A=1\n".to_vec();
        clean.extend(utf16("INTERCOM_ACCESS_TOKEN=none\r\n", false, true));
        clean.extend(b"tail\n");
        for out in every_input(&clean) {
            assert!(out.findings.is_empty() && out.issues.is_empty());
        }
    }

    #[test]
    fn a_tar_cut_short_is_said_and_what_is_there_checked() {
        let t = token();
        let archive = tar(&[("a.env", format!("T={t}\n").as_bytes()), ("b.txt", &[b'b'; 5000])]);
        for cut in [700, 512 * 3 + 100] {
            let out = scan(&gz(&archive[..cut]));
            assert_eq!(out.findings.len(), 1, "cut at {cut}");
            assert!(
                matches!(&out.issues[..], [i] if !i.blocks() && i.message().contains("is cut short (tar")),
                "cut at {cut}: {:?}",
                out.issues.iter().map(Issue::message).collect::<Vec<_>>()
            );
        }
        // Damage is not a cut: a header whose checksum fails blocks.
        let mut bad = archive.clone();
        bad[512 * 2 + 3] ^= 0x20;
        let out = scan(&bad);
        assert!(
            out.issues
                .iter()
                .any(|i| i.blocks() && i.message().contains("checksum")),
            "{:?}",
            out.issues
        );
    }

    #[test]
    fn streams_and_files_read_the_same_views() {
        let t = token();
        let archive = zip(&[("m/a.env", format!("T={t}\n").as_bytes(), true)]);
        let detector = Detector::new();
        let dec = Decoders {
            detector: &detector,
            max_decompressed: 1 << 30,
            lfs: None,
        };
        let mut from_stream = Out::default();
        let mut reader = &archive[..];
        dec.scan(
            &Origin::file("f"),
            Input::Stream(&mut reader),
            &mut Buffers::default(),
            &mut from_stream,
        );
        let mut from_open = Out::default();
        let open = || -> io::Result<Box<dyn Read>> { Ok(Box::new(&archive[..])) };
        dec.scan(
            &Origin::file("f"),
            Input::Open(&open),
            &mut Buffers::default(),
            &mut from_open,
        );
        assert_eq!(places(&from_stream), places(&scan(&archive)));
        assert_eq!(places(&from_open), places(&scan(&archive)));
    }
}

//! Sequential reader of zip-family archives (zip, jar, war, whl, apk, docx/xlsx/pptx).
//!
//! Receives an archive as a byte stream (`&mut dyn BufRead`: a git blob in memory, a file,
//! a decompressed stream) and reads it once, front to back, the way Java's `ZipInputStream`
//! does: it walks the local file headers and never seeks, so the central directory is not
//! needed. Hands on one [`Event`] per local file header, in stream order: a member's
//! decompressed content as a reader bounded to that member, or the reason the member could
//! not be opened. Junk between members (prepended data, a wrong stated size, a second
//! archive after the first one's central directory) is searched through for the next header.
//!
//! Invariant: memory stays constant whatever the sizes stated or real (the input's own
//! buffer, one inflate state per member, a name and an extra field of at most 64 KiB each,
//! a lookahead of 30 bytes); every step of the walk consumes input, so it ends on any input;
//! a member's reader never yields bytes past that member's data.
//!
//! Why a reader of our own: the zip crates read an archive through its central directory,
//! which needs `Seek` and the whole archive at hand; here an archive is a stream (a blob, a
//! decompressed gzip, a member of another archive, standard input), often hostile or cut
//! short, that must be read once with bounded memory, members found even when the central
//! directory is missing or lies, and junk between members searched through. No crate
//! streams a hostile zip that way, so this one stays (issue 21 looked again).

use flate2::bufread::DeflateDecoder;

use flate2::Crc;
use memchr::memmem;
use std::fmt;
use std::io::{self, BufRead, Read};

/// How a member is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Method 0: the bytes as they are.
    Stored,
    /// Method 8: raw deflate.
    Deflated,
}

/// A member the reader could not open (reported by the caller as "not checked").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// Flag bit 0: the data is encrypted.
    Encrypted,
    /// A compression method other than stored (0) and deflate (8).
    UnsupportedMethod(u16),
}

/// What [`walk`] hands the visitor, one per local file header.
pub enum Event<'a> {
    /// A member's decompressed content. The visitor may read all, part or none of it;
    /// the reader then skips the rest of the member's data itself.
    Member {
        /// The name as stored (bytes, not necessarily UTF-8).
        name: &'a [u8],
        /// How the member's data is stored.
        method: Method,
        /// The decompressed content, ending where the member ends.
        content: &'a mut dyn Read,
    },
    /// A member whose content cannot be read (its raw bytes are still there for the caller's raw scan).
    Skipped {
        /// The name as stored (bytes, not necessarily UTF-8).
        name: &'a [u8],
        /// Why it cannot be read.
        why: Skipped,
    },
}

/// What a walk met.
#[derive(Debug, Default)]
pub struct Stats {
    /// [`Event::Member`]s handed on.
    pub members: u64,
    /// [`Event::Skipped`]s handed on.
    pub skipped: u64,
    /// Times the walk searched forward over bytes that were not where a header was due.
    pub resyncs: u64,
}

/// Why a walk stopped before the end of its input.
#[derive(Debug)]
pub enum ZipError {
    /// Reading the input failed, or the visitor returned an error.
    Io(io::Error),
    /// The archive is damaged or truncated; says what.
    Corrupt(&'static str),
}

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZipError::Io(e) => write!(f, "zip: {e}"),
            ZipError::Corrupt(what) => write!(f, "zip: {what}"),
        }
    }
}

impl std::error::Error for ZipError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ZipError::Io(e) => Some(e),
            ZipError::Corrupt(_) => None,
        }
    }
}

impl From<io::Error> for ZipError {
    fn from(e: io::Error) -> Self {
        ZipError::Io(e)
    }
}

impl ZipError {
    /// A copy for the visitor's reader (the original is kept for `walk`'s result).
    fn echo(&self) -> io::Error {
        match self {
            ZipError::Io(e) => io::Error::new(e.kind(), e.to_string()),
            ZipError::Corrupt(what) => io::Error::new(io::ErrorKind::InvalidData, *what),
        }
    }
}

const LOCAL: [u8; 4] = *b"PK\x03\x04";
const CENTRAL: [u8; 4] = *b"PK\x01\x02";
const END: [u8; 4] = *b"PK\x05\x06";
const ZIP64_END: [u8; 4] = *b"PK\x06\x06";
const ZIP64_LOCATOR: [u8; 4] = *b"PK\x06\x07";
const DESCRIPTOR: [u8; 4] = *b"PK\x07\x08";
/// Size of the fixed part of a local file header.
const HEADER_LEN: usize = 30;
/// Longest data descriptor: signature, crc32, two 8-byte sizes.
const DESCRIPTOR_MAX: usize = 24;
/// Shortest data descriptor: crc32 and two 4-byte sizes, no signature.
const DESCRIPTOR_MIN: usize = 12;

const TRUNCATED: ZipError = ZipError::Corrupt("member data truncated");
const TRUNCATED_HEADER: ZipError = ZipError::Corrupt("local file header truncated");

/// True when `head` (the first bytes of a stream) starts like a zip archive (a local file header `PK\x03\x04`).
pub fn looks_like_zip(head: &[u8]) -> bool {
    head.starts_with(&LOCAL)
}

/// Walks every local file header from the current position to the central directory (or the end).
///
/// At the central directory (or an end record) it stops reading members but looks through
/// the rest of the input for a later local header (an archive appended to another one, which
/// unzip tools extract); found, the walk goes on and counts a resync. An error from `visit`
/// aborts the walk and is returned as [`ZipError::Io`]; a member that fails part way (truncated,
/// corrupt deflate) ends the walk with that error after the visitor had the bytes before it.
pub fn walk(
    input: &mut dyn BufRead,
    visit: &mut dyn FnMut(Event<'_>) -> io::Result<()>,
) -> Result<Stats, ZipError> {
    let mut la = Lookahead::new(input);
    let mut stats = Stats::default();
    let mut name = Vec::new();
    let mut extra = Vec::new();
    loop {
        let head = la.peek(4)?;
        let Ok(sig) = <[u8; 4]>::try_from(head) else {
            break; // end of input, or fewer than 4 stray bytes
        };
        match sig {
            LOCAL => member(&mut la, &mut name, &mut extra, visit, &mut stats)?,
            CENTRAL | END | ZIP64_END | ZIP64_LOCATOR => {
                la.consume(4);
                match la.find_sig(u64::MAX, is_local)? {
                    Search::Found => stats.resyncs += 1,
                    Search::Limit | Search::Eof => break,
                }
            }
            _ => match la.find_sig(u64::MAX, is_boundary)? {
                Search::Found => stats.resyncs += 1,
                Search::Limit | Search::Eof => break,
            },
        }
    }
    Ok(stats)
}

fn is_local(sig: &[u8]) -> bool {
    sig == LOCAL
}

/// A signature that may stand where a header is due.
fn is_boundary(sig: &[u8]) -> bool {
    [LOCAL, CENTRAL, END, ZIP64_END, ZIP64_LOCATOR]
        .iter()
        .any(|s| s == sig)
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn le64(b: &[u8], at: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(v)
}

/// `n` as a slice length, saturating on 32-bit targets.
fn clamp(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Reads one member at a local file header (the signature is next in `la`).
fn member(
    la: &mut Lookahead<'_>,
    name: &mut Vec<u8>,
    extra: &mut Vec<u8>,
    visit: &mut dyn FnMut(Event<'_>) -> io::Result<()>,
    stats: &mut Stats,
) -> Result<(), ZipError> {
    let h = la.peek(HEADER_LEN)?;
    if h.len() < HEADER_LEN {
        return Err(TRUNCATED_HEADER);
    }
    let flags = le16(h, 6);
    let method = le16(h, 8);
    let csize32 = le32(h, 18);
    let usize32 = le32(h, 22);
    let name_len = usize::from(le16(h, 26));
    let extra_len = usize::from(le16(h, 28));
    la.consume(HEADER_LEN);
    read_field(la, name, name_len)?;
    read_field(la, extra, extra_len)?;

    let (zip64, csize) = compressed_size(extra, csize32, usize32);
    let descriptor = flags & 0x0008 != 0;
    // With a data descriptor the header's sizes are zero: the size is unknown.
    let csize = csize.filter(|&n| !(descriptor && n == 0));

    let why = if flags & 0x0001 != 0 {
        Some(Skipped::Encrypted)
    } else if method != 0 && method != 8 {
        Some(Skipped::UnsupportedMethod(method))
    } else {
        None
    };
    if let Some(why) = why {
        stats.skipped += 1;
        visit(Event::Skipped { name: &name[..], why })?;
        if let Some(n) = csize {
            if la.skip(n)? < n {
                return Err(TRUNCATED);
            }
            if descriptor {
                read_descriptor(la, zip64, n, None)?;
            }
        }
        // Size unknown: the walk resyncs at the next header.
        return Ok(());
    }

    let kind = match (method, csize) {
        (0, Some(n)) => Kind::Stored(Src::new(&mut *la, Some(n))),
        (0, None) if descriptor => Kind::Scan(Scan {
            la: &mut *la,
            count: 0,
            crc: Crc::new(),
            wide: zip64,
            done: false,
        }),
        (0, None) => return Err(ZipError::Corrupt("stored member without a size")),
        // Deflate ends by itself: with a descriptor the header's size is not trusted.
        (_, n) => Kind::Deflated {
            dec: DeflateDecoder::new(Src::new(&mut *la, if descriptor { None } else { n })),
            done: false,
        },
    };
    let method = if method == 0 {
        Method::Stored
    } else {
        Method::Deflated
    };
    let mut body = Body { kind, failure: None };
    let visited = visit(Event::Member {
        name: &name[..],
        method,
        content: &mut body,
    });
    if let Some(failure) = body.failure.take() {
        return Err(failure);
    }
    visited?;
    let done = body.finish()?;
    let scanned = matches!(body.kind, Kind::Scan(_));
    drop(body);
    stats.members += 1;
    if done.resynced {
        stats.resyncs += 1;
    }
    if descriptor && !scanned {
        read_descriptor(la, zip64, done.compressed, Some(done.uncompressed))?;
    }
    Ok(())
}

/// Reads a name or extra field of `len` bytes into `into` (reused across members).
fn read_field(la: &mut Lookahead<'_>, into: &mut Vec<u8>, len: usize) -> Result<(), ZipError> {
    into.clear();
    into.resize(len, 0);
    la.read_exact(into).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => TRUNCATED_HEADER,
        _ => ZipError::Io(e),
    })
}

/// Whether the extra field has a zip64 record, and the compressed size (`None` when the
/// header says 0xFFFFFFFF and the zip64 record does not hold it).
fn compressed_size(extra: &[u8], csize32: u32, usize32: u32) -> (bool, Option<u64>) {
    let mut zip64 = None;
    let mut rest = extra;
    while rest.len() >= 4 {
        let id = le16(rest, 0);
        let end = (4 + usize::from(le16(rest, 2))).min(rest.len());
        if id == 0x0001 && zip64.is_none() {
            zip64 = Some(&rest[4..end]);
        }
        rest = &rest[end..];
    }
    // Only the fields that were 0xFFFFFFFF, uncompressed size first.
    let mut fields = zip64.unwrap_or(&[]).chunks_exact(8).map(|c| le64(c, 0));
    if usize32 == u32::MAX {
        fields.next();
    }
    let csize = if csize32 == u32::MAX {
        fields.next()
    } else {
        Some(u64::from(csize32))
    };
    (zip64.is_some(), csize)
}

/// Consumes the data descriptor after a member of `compressed` bytes, when one is there and
/// agrees with the sizes; a disagreeing one is left for the walk to resync over.
fn read_descriptor(
    la: &mut Lookahead<'_>,
    zip64: bool,
    compressed: u64,
    uncompressed: Option<u64>,
) -> Result<(), ZipError> {
    let p = la.peek(DESCRIPTOR_MAX)?;
    match match_descriptor(p, zip64, compressed, uncompressed, None, true) {
        Some(len) => la.consume(len),
        None if p.len() < DESCRIPTOR_MIN => return Err(ZipError::Corrupt("data descriptor truncated")),
        None => {}
    }
    Ok(())
}

/// The length of the data descriptor at the start of `p` whose fields agree with what was
/// read, trying 8-byte sizes first when `wide` (a zip64 record in the local header), then
/// 4-byte ones, with the optional signature and (when `unsigned` allows) without.
fn match_descriptor(
    p: &[u8],
    wide: bool,
    compressed: u64,
    uncompressed: Option<u64>,
    crc: Option<u32>,
    unsigned: bool,
) -> Option<usize> {
    let signed = p.starts_with(&DESCRIPTOR);
    [(true, wide), (true, !wide), (false, wide), (false, !wide)]
        .into_iter()
        .filter(|&(sig, _)| if sig { signed } else { unsigned })
        .find_map(|(sig, wide)| {
            let at = if sig { 4 } else { 0 };
            let len = at + if wide { 20 } else { 12 };
            let d = p.get(at..len)?;
            let (c, u) = if wide {
                (le64(d, 4), le64(d, 12))
            } else {
                (u64::from(le32(d, 4)), u64::from(le32(d, 8)))
            };
            let ok =
                c == compressed && uncompressed.is_none_or(|n| n == u) && crc.is_none_or(|k| k == le32(d, 0));
            ok.then_some(len)
        })
}

/// How a member's content is read.
enum Kind<'s, 'i> {
    /// Stored with a known size.
    Stored(Src<'s, 'i>),
    /// Deflate, its input limited to the compressed size when that is known.
    Deflated {
        dec: DeflateDecoder<Src<'s, 'i>>,
        done: bool,
    },
    /// Stored with a data descriptor: the content ends at the descriptor that matches it.
    Scan(Scan<'s, 'i>),
}

/// The visitor's reader of one member. It keeps the first failure, so that the walk
/// returns it even when the visitor dropped the copy it was given.
struct Body<'s, 'i> {
    kind: Kind<'s, 'i>,
    failure: Option<ZipError>,
}

/// What a member left for the walk after its data.
struct Done {
    resynced: bool,
    compressed: u64,
    uncompressed: u64,
}

impl Read for Body<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(failure) = &self.failure {
            return Err(failure.echo());
        }
        self.read_inner(out).map_err(|e| {
            let copy = e.echo();
            self.failure = Some(e);
            copy
        })
    }
}

impl Body<'_, '_> {
    fn read_inner(&mut self, out: &mut [u8]) -> Result<usize, ZipError> {
        if out.is_empty() {
            return Ok(0);
        }
        match &mut self.kind {
            Kind::Stored(src) => {
                let n = src.read(out)?;
                if n == 0 && src.left != Some(0) {
                    return Err(TRUNCATED);
                }
                Ok(n)
            }
            Kind::Deflated { dec, done } => {
                if *done {
                    return Ok(0);
                }
                match dec.read(out) {
                    Ok(0) => {
                        // Input ended where more was due (older flate2 reports a cut stream as its end).
                        if dec.get_ref().hit_eof {
                            return Err(TRUNCATED);
                        }
                        *done = true;
                        Ok(0)
                    }
                    Ok(n) => Ok(n),
                    Err(e) => {
                        let src = dec.get_ref();
                        Err(if src.io_error {
                            ZipError::Io(e)
                        } else if src.hit_eof {
                            TRUNCATED
                        } else if e.kind() == io::ErrorKind::UnexpectedEof {
                            ZipError::Corrupt("deflate stream longer than its compressed size")
                        } else {
                            ZipError::Corrupt("corrupt deflate stream")
                        })
                    }
                }
            }
            Kind::Scan(scan) => scan.read(out),
        }
    }

    /// Skips what the visitor left of the member's data.
    fn finish(&mut self) -> Result<Done, ZipError> {
        let to_end = match &self.kind {
            Kind::Stored(_) => false,
            // With a known size the rest is skipped raw, else decoded to find its end.
            Kind::Deflated { dec, done } => !done && dec.get_ref().left.is_none(),
            Kind::Scan(scan) => !scan.done,
        };
        if to_end {
            let mut scratch = [0u8; 8192];
            while self.read_inner(&mut scratch)? > 0 {}
        }
        match &mut self.kind {
            Kind::Stored(src) => {
                let size = src.size;
                if let Some(left) = src.left {
                    if src.la.skip(left)? < left {
                        return Err(TRUNCATED);
                    }
                }
                Ok(Done {
                    resynced: false,
                    compressed: size,
                    uncompressed: size,
                })
            }
            Kind::Deflated { dec, done } => {
                let (compressed, uncompressed) = (dec.total_in(), dec.total_out());
                let src = dec.get_mut();
                let mut resynced = false;
                if let Some(left) = src.left.filter(|&n| n > 0) {
                    if *done {
                        // The stream ended before its stated size: look for a header in the slack.
                        match src.la.find_sig(left, is_boundary)? {
                            Search::Found => resynced = true,
                            Search::Limit => {}
                            Search::Eof => return Err(TRUNCATED),
                        }
                    } else if src.la.skip(left)? < left {
                        return Err(TRUNCATED);
                    }
                }
                Ok(Done {
                    resynced,
                    compressed,
                    uncompressed,
                })
            }
            Kind::Scan(scan) => Ok(Done {
                resynced: false,
                compressed: scan.count,
                uncompressed: scan.count,
            }),
        }
    }
}

/// A member's data as a `BufRead`: at most `left` bytes when the size is known, else the
/// rest of the input. Notes whether the input ended or failed under it.
struct Src<'s, 'i> {
    la: &'s mut Lookahead<'i>,
    size: u64,
    left: Option<u64>,
    hit_eof: bool,
    io_error: bool,
}

impl<'s, 'i> Src<'s, 'i> {
    fn new(la: &'s mut Lookahead<'i>, left: Option<u64>) -> Self {
        Src {
            la,
            size: left.unwrap_or(0),
            left,
            hit_eof: false,
            io_error: false,
        }
    }
}

impl BufRead for Src<'_, '_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let cap = match self.left {
            Some(0) => return Ok(&[]),
            Some(n) => clamp(n),
            None => usize::MAX,
        };
        match self.la.fill_buf() {
            Ok(buf) => {
                if buf.is_empty() {
                    self.hit_eof = true;
                }
                Ok(&buf[..buf.len().min(cap)])
            }
            Err(e) => {
                self.io_error = true;
                Err(e)
            }
        }
    }

    fn consume(&mut self, n: usize) {
        self.la.consume(n);
        if let Some(left) = &mut self.left {
            *left = left.saturating_sub(n as u64);
        }
    }
}

impl Read for Src<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Stored content of unknown size: bytes up to the `PK\x07\x08` descriptor whose crc32 and
/// sizes match the bytes before it (a look-alike inside the content is content).
struct Scan<'s, 'i> {
    la: &'s mut Lookahead<'i>,
    count: u64,
    crc: Crc,
    wide: bool,
    done: bool,
}

impl Scan<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> Result<usize, ZipError> {
        if self.done || out.is_empty() {
            return Ok(0);
        }
        let buf = self.la.fill_buf()?;
        if buf.is_empty() {
            return Err(ZipError::Corrupt(
                "stored member truncated before its data descriptor",
            ));
        }
        // Bytes before anything that may start a descriptor signature are content.
        let safe = match memmem::find(buf, &DESCRIPTOR) {
            Some(i) => i,
            None => {
                let tail = (1..4)
                    .rev()
                    .find(|&k| buf.ends_with(&DESCRIPTOR[..k]))
                    .unwrap_or(0);
                buf.len() - tail
            }
        };
        if safe > 0 {
            let n = safe.min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            self.crc.update(&buf[..n]);
            self.la.consume(n);
            self.count += n as u64;
            return Ok(n);
        }
        let p = self.la.peek(DESCRIPTOR_MAX)?;
        let (count, crc) = (self.count, self.crc.sum());
        if let Some(len) = match_descriptor(p, self.wide, count, Some(count), Some(crc), false) {
            self.la.consume(len);
            self.done = true;
            return Ok(0);
        }
        // A descriptor signature that the input ends inside is a cut descriptor, not content.
        if p.len() < DESCRIPTOR_MIN + 4 && DESCRIPTOR.starts_with(&p[..p.len().min(4)]) {
            return Err(ZipError::Corrupt(
                "stored member truncated before its data descriptor",
            ));
        }
        // Not the descriptor: its first byte is content.
        out[0] = p[0];
        self.crc.update(&p[..1]);
        self.la.consume(1);
        self.count += 1;
        Ok(1)
    }
}

/// The outcome of [`Lookahead::find_sig`].
enum Search {
    /// A wanted signature is next.
    Found,
    /// The limit was consumed without one.
    Limit,
    /// The input ended first.
    Eof,
}

/// The input with a few bytes of lookahead, so that a signature or a header split across
/// the input's buffer boundaries can still be seen whole.
struct Lookahead<'i> {
    inner: &'i mut dyn BufRead,
    /// Bytes taken out of `inner` to be seen together; they come before `inner`'s.
    held: Vec<u8>,
    pos: usize,
}

/// `inner.fill_buf()`, retried when interrupted.
fn fill_retry(inner: &mut dyn BufRead) -> io::Result<&[u8]> {
    loop {
        match inner.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    inner.fill_buf()
}

impl<'i> Lookahead<'i> {
    fn new(inner: &'i mut dyn BufRead) -> Self {
        Lookahead {
            inner,
            held: Vec::with_capacity(HEADER_LEN),
            pos: 0,
        }
    }

    /// The next `n` bytes (`n` ≤ 30) in one slice, fewer only at the end of the input.
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        let held = self.held.len() - self.pos;
        if held == 0 {
            self.held.clear();
            self.pos = 0;
            if fill_retry(self.inner)?.len() >= n {
                let buf = fill_retry(self.inner)?;
                return Ok(&buf[..n.min(buf.len())]);
            }
        } else if held >= n {
            return Ok(&self.held[self.pos..self.pos + n]);
        }
        self.held.drain(..self.pos);
        self.pos = 0;
        while self.held.len() < n {
            let buf = fill_retry(self.inner)?;
            let take = buf.len().min(n - self.held.len());
            if take == 0 {
                break;
            }
            self.held.extend_from_slice(&buf[..take]);
            self.inner.consume(take);
        }
        let end = self.held.len().min(n);
        Ok(&self.held[..end])
    }

    /// Consumes up to `n` bytes; returns how many there were.
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let mut done = 0;
        while done < n {
            let len = self.fill_buf()?.len();
            if len == 0 {
                break;
            }
            let step = len.min(clamp(n - done));
            self.consume(step);
            done += step as u64;
        }
        Ok(done)
    }

    /// Consumes bytes until a signature that `want` accepts is next (it must lie wholly
    /// within `limit` bytes), `limit` bytes are gone, or the input ends.
    fn find_sig(&mut self, mut limit: u64, want: fn(&[u8]) -> bool) -> io::Result<Search> {
        loop {
            if limit < 4 {
                let got = self.skip(limit)?;
                return Ok(if got < limit { Search::Eof } else { Search::Limit });
            }
            let buf = self.fill_buf()?;
            if buf.is_empty() {
                return Ok(Search::Eof);
            }
            let window = &buf[..buf.len().min(clamp(limit))];
            let hit = memmem::find_iter(window, b"PK")
                .take_while(|&i| i + 4 <= window.len())
                .find(|&i| want(&window[i..i + 4]));
            let drop = window.len().saturating_sub(3);
            if let Some(i) = hit {
                self.consume(i);
                return Ok(Search::Found);
            }
            if drop > 0 {
                self.consume(drop);
                limit -= drop as u64;
                continue;
            }
            // At most 3 bytes at hand: see 4 together.
            let p = self.peek(4)?;
            if p.len() < 4 {
                let n = p.len();
                self.consume(n);
                return Ok(Search::Eof);
            }
            if want(p) {
                return Ok(Search::Found);
            }
            self.consume(1);
            limit -= 1;
        }
    }
}

impl BufRead for Lookahead<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos < self.held.len() {
            return Ok(&self.held[self.pos..]);
        }
        fill_retry(self.inner)
    }

    fn consume(&mut self, n: usize) {
        let held = self.held.len() - self.pos;
        if held == 0 {
            self.inner.consume(n);
        } else {
            self.pos += n.min(held);
            if self.pos == self.held.len() {
                self.held.clear();
                self.pos = 0;
            }
        }
    }
}

impl Read for Lookahead<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intercept_test_support::zip::{self as fixture, crc32, deflate, Layout, Zip, Zip64};
    use std::io::BufReader;

    /// What a visitor saw.
    #[derive(Debug, PartialEq)]
    enum Got {
        Member(Vec<u8>, Method, Vec<u8>),
        Skipped(Vec<u8>, Skipped),
    }

    /// Walks `data` through a `BufReader` of capacity `cap` (0: the slice itself), reading
    /// every member whole.
    fn collect(data: &[u8], cap: usize) -> (Result<Stats, ZipError>, Vec<Got>) {
        collect_with(data, cap, usize::MAX)
    }

    /// As `collect`, reading at most `most` bytes of each member.
    fn collect_with(data: &[u8], cap: usize, most: usize) -> (Result<Stats, ZipError>, Vec<Got>) {
        let mut got = Vec::new();
        let mut visit = |ev: Event<'_>| -> io::Result<()> {
            match ev {
                Event::Member {
                    name,
                    method,
                    content,
                } => {
                    let mut body = Vec::new();
                    let r = content.take(most as u64).read_to_end(&mut body);
                    got.push(Got::Member(name.to_vec(), method, body));
                    r.map(|_| ())
                }
                Event::Skipped { name, why } => {
                    got.push(Got::Skipped(name.to_vec(), why));
                    Ok(())
                }
            }
        };
        let r = if cap == 0 {
            let mut input = data;
            walk(&mut input, &mut visit)
        } else {
            let mut input = BufReader::with_capacity(cap, data);
            walk(&mut input, &mut visit)
        };
        (r, got)
    }

    const CAPS: [usize; 8] = [0, 1, 2, 3, 5, 7, 64, 8192];

    fn member(name: &str, method: Method, body: &[u8]) -> Got {
        Got::Member(name.as_bytes().to_vec(), method, body.to_vec())
    }

    /// Asserts that every buffer size gives `want` and returns the stats.
    fn expect_all(data: &[u8], want: &[Got]) -> Stats {
        let mut last = None;
        for cap in CAPS {
            let (r, got) = collect(data, cap);
            let stats = r.unwrap_or_else(|e| panic!("cap {cap}: {e}"));
            assert_eq!(got, want, "cap {cap}");
            last = Some(stats);
        }
        last.expect("CAPS is not empty")
    }

    /// A local file header with the given fields.
    fn lfh(name: &[u8], flags: u16, method: u16, crc: u32, csize: u32, usize: u32, extra: &[u8]) -> Vec<u8> {
        let mut h = LOCAL.to_vec();
        h.extend_from_slice(&20u16.to_le_bytes());
        h.extend_from_slice(&flags.to_le_bytes());
        h.extend_from_slice(&method.to_le_bytes());
        h.extend_from_slice(&[0; 4]); // time, date
        h.extend_from_slice(&crc.to_le_bytes());
        h.extend_from_slice(&csize.to_le_bytes());
        h.extend_from_slice(&usize.to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        h.extend_from_slice(name);
        h.extend_from_slice(extra);
        h
    }

    fn stored(name: &[u8], data: &[u8]) -> Vec<u8> {
        let n = data.len() as u32;
        let mut m = lfh(name, 0, 0, crc32(data), n, n, &[]);
        m.extend_from_slice(data);
        m
    }

    fn deflated(name: &[u8], data: &[u8]) -> Vec<u8> {
        let z = deflate(data);
        let mut m = lfh(name, 0, 8, crc32(data), z.len() as u32, data.len() as u32, &[]);
        m.extend_from_slice(&z);
        m
    }

    /// An end of central directory record (no central directory: the walker needs none).
    fn end() -> Vec<u8> {
        let mut e = END.to_vec();
        e.extend_from_slice(&[0; 18]);
        e
    }

    fn text(n: usize) -> Vec<u8> {
        (0..n)
            .flat_map(|i| format!("line {i} token=ghp_{:016x}\n", i * 7919).into_bytes())
            .collect()
    }

    /// A stored member and a deflated one, written as `layout` says.
    fn two(layout: Layout) -> Vec<u8> {
        Zip::new(layout)
            .stored("a.txt", b"hello stored")
            .deflated("b.txt", &b"deflated ".repeat(500))
            .finish()
    }

    #[test]
    fn stored_and_deflated() {
        let data = two(Layout::Seekable);
        assert!(looks_like_zip(&data));
        let stats = expect_all(
            &data,
            &[
                member("a.txt", Method::Stored, b"hello stored"),
                member("b.txt", Method::Deflated, &b"deflated ".repeat(500)),
            ],
        );
        assert_eq!((stats.members, stats.skipped, stats.resyncs), (2, 0, 0));
    }

    #[test]
    fn looks_like_zip_needs_a_local_header() {
        assert!(looks_like_zip(b"PK\x03\x04rest"));
        assert!(!looks_like_zip(b"PK\x05\x06"));
        assert!(!looks_like_zip(b"PK\x03"));
        assert!(!looks_like_zip(b""));
    }

    #[test]
    fn empty_members_and_empty_input() {
        let build = |layout| {
            Zip::new(layout)
                .stored("empty-stored", b"")
                .deflated("empty-deflated", b"")
                .stored("dir/", b"")
                .finish()
        };
        let want = [
            member("empty-stored", Method::Stored, b""),
            member("empty-deflated", Method::Deflated, b""),
            member("dir/", Method::Stored, b""),
        ];
        expect_all(&build(Layout::Seekable), &want);
        expect_all(&build(Layout::Streamed), &want);
        let (r, got) = collect(b"", 0);
        assert_eq!(r.unwrap().members, 0);
        assert!(got.is_empty());
        // An archive with no member: just the end record.
        assert_eq!(collect(&end(), 3).0.unwrap().members, 0);
    }

    #[test]
    fn many_members() {
        let build = |layout| {
            let mut zip = Zip::new(layout);
            for i in 0..300 {
                let body = format!("member {i} ").repeat(i % 7);
                if i % 2 == 1 {
                    zip.deflated(format!("m{i}.txt"), body.as_bytes());
                } else {
                    zip.stored(format!("m{i}.txt"), body.as_bytes());
                }
            }
            zip.finish()
        };
        let want: Vec<Got> = (0..300)
            .map(|i| {
                let body = format!("member {i} ").repeat(i % 7);
                let m = if i % 2 == 1 {
                    Method::Deflated
                } else {
                    Method::Stored
                };
                member(&format!("m{i}.txt"), m, body.as_bytes())
            })
            .collect();
        expect_all(&build(Layout::Seekable), &want);
        let stats = expect_all(&build(Layout::Streamed), &want);
        assert_eq!(stats.members, 300);
    }

    #[test]
    fn non_utf8_name() {
        let name = b"caf\xe9\xff/\x80.txt";
        let mut data = stored(name, b"bytes");
        data.extend(deflated(b"\xfe\xfe", b"more bytes"));
        data.extend(end());
        expect_all(
            &data,
            &[
                Got::Member(name.to_vec(), Method::Stored, b"bytes".to_vec()),
                Got::Member(b"\xfe\xfe".to_vec(), Method::Deflated, b"more bytes".to_vec()),
            ],
        );
    }

    #[test]
    fn data_descriptor_deflate_with_signature() {
        let data = two(Layout::Streamed);
        assert_eq!(le16(&data, 6) & 8, 8, "a streamed member has a data descriptor");
        let stats = expect_all(
            &data,
            &[
                member("a.txt", Method::Stored, b"hello stored"),
                member("b.txt", Method::Deflated, &b"deflated ".repeat(500)),
            ],
        );
        assert_eq!(stats.resyncs, 0);
    }

    /// A deflated member with a data descriptor; `signed` adds `PK\x07\x08`, `wide` 8-byte sizes.
    fn deflated_dd(name: &[u8], data: &[u8], signed: bool, wide: bool) -> Vec<u8> {
        let z = deflate(data);
        let extra: Vec<u8> = if wide {
            [&1u16.to_le_bytes()[..], &16u16.to_le_bytes(), &[0; 16]].concat()
        } else {
            Vec::new()
        };
        let sizes = if wide { u32::MAX } else { 0 };
        let mut m = lfh(name, 8, 8, 0, sizes, sizes, &extra);
        m.extend_from_slice(&z);
        if signed {
            m.extend_from_slice(&DESCRIPTOR);
        }
        m.extend_from_slice(&crc32(data).to_le_bytes());
        if wide {
            m.extend_from_slice(&(z.len() as u64).to_le_bytes());
            m.extend_from_slice(&(data.len() as u64).to_le_bytes());
        } else {
            m.extend_from_slice(&(z.len() as u32).to_le_bytes());
            m.extend_from_slice(&(data.len() as u32).to_le_bytes());
        }
        m
    }

    #[test]
    fn data_descriptor_deflate_without_signature() {
        let one = text(50);
        let mut data = deflated_dd(b"one", &one, false, false);
        data.extend(deflated_dd(b"two", b"second", false, true));
        data.extend(stored(b"three", b"third"));
        data.extend(end());
        let stats = expect_all(
            &data,
            &[
                member("one", Method::Deflated, &one),
                member("two", Method::Deflated, b"second"),
                member("three", Method::Stored, b"third"),
            ],
        );
        assert_eq!(stats.resyncs, 0);
    }

    #[test]
    fn stored_with_data_descriptor() {
        // A writer that cannot seek writes stored members with descriptors too.
        let body = b"PK\x07\x08 look-alike PK\x03\x04 inside ".repeat(40);
        let data = Zip::streamed()
            .stored("s1", &body)
            .stored("s2", b"")
            .stored("s3", b"PK\x07\x08")
            .finish();
        assert_eq!(le16(&data, 6) & 8, 8);
        let stats = expect_all(
            &data,
            &[
                member("s1", Method::Stored, &body),
                member("s2", Method::Stored, b""),
                member("s3", Method::Stored, b"PK\x07\x08"),
            ],
        );
        assert_eq!(stats.resyncs, 0);

        // A look-alike descriptor with the right size but the wrong crc is content.
        let mut tricky = b"abc".to_vec();
        tricky.extend_from_slice(&DESCRIPTOR);
        tricky.extend_from_slice(&0u32.to_le_bytes());
        tricky.extend_from_slice(&3u32.to_le_bytes());
        tricky.extend_from_slice(&3u32.to_le_bytes());
        tricky.extend_from_slice(b"tail");
        let mut data = lfh(b"tricky", 8, 0, 0, 0, 0, &[]);
        data.extend_from_slice(&tricky);
        data.extend_from_slice(&DESCRIPTOR);
        data.extend_from_slice(&crc32(&tricky).to_le_bytes());
        data.extend_from_slice(&(tricky.len() as u32).to_le_bytes());
        data.extend_from_slice(&(tricky.len() as u32).to_le_bytes());
        data.extend(stored(b"next", b"found"));
        expect_all(
            &data,
            &[
                member("tricky", Method::Stored, &tricky),
                member("next", Method::Stored, b"found"),
            ],
        );
    }

    #[test]
    fn zip64_sizes() {
        let big = text(200);
        let build = |layout, zip64| {
            Zip::new(layout)
                .member("z-stored", b"zip64 stored", fixture::Method::Stored, zip64)
                .member("z-deflated", &big, fixture::Method::Deflated, zip64)
                .deflated("plain", b"after")
                .finish()
        };
        let want = [
            member("z-stored", Method::Stored, b"zip64 stored"),
            member("z-deflated", Method::Deflated, &big),
            member("plain", Method::Deflated, b"after"),
        ];
        // Seekable: 0xFFFFFFFF in the header, sizes in the zip64 extra field (Python 3.11.7's
        // zipfile with force_zip64) ...
        let seekable = build(Layout::Seekable, Zip64::Masked);
        assert_eq!(le32(&seekable, 18), u32::MAX);
        expect_all(&seekable, &want);
        // ... or the sizes in both (Python 3.11.2's).
        let both = build(Layout::Seekable, Zip64::Both);
        assert_eq!(le32(&both, 18), 12);
        expect_all(&both, &want);
        // Streamed: data descriptors with 8-byte sizes.
        let streamed = build(Layout::Streamed, Zip64::Masked);
        assert_eq!(le16(&streamed, 6) & 8, 8);
        assert_eq!(expect_all(&streamed, &want).resyncs, 0);

        // Only the compressed size is 0xFFFFFFFF: the extra field holds it alone.
        let mut extra = 1u16.to_le_bytes().to_vec();
        extra.extend_from_slice(&8u16.to_le_bytes());
        extra.extend_from_slice(&5u64.to_le_bytes());
        let mut data = lfh(b"c-only", 0, 0, 0, u32::MAX, 5, &extra);
        data.extend_from_slice(b"12345");
        // Both, behind an unrelated extra record.
        let mut extra = [0xcafeu16.to_le_bytes(), 2u16.to_le_bytes(), [9, 9]].concat();
        extra.extend_from_slice(&1u16.to_le_bytes());
        extra.extend_from_slice(&16u16.to_le_bytes());
        extra.extend_from_slice(&3u64.to_le_bytes());
        extra.extend_from_slice(&3u64.to_le_bytes());
        data.extend(lfh(b"both", 0, 0, 0, u32::MAX, u32::MAX, &extra));
        data.extend_from_slice(b"abc");
        data.extend(deflated_dd(b"wide-unsigned", b"descriptor", false, true));
        data.extend(end());
        expect_all(
            &data,
            &[
                member("c-only", Method::Stored, b"12345"),
                member("both", Method::Stored, b"abc"),
                member("wide-unsigned", Method::Deflated, b"descriptor"),
            ],
        );
    }

    #[test]
    fn resync_over_junk() {
        // Junk with signature fragments, before the archive and between members.
        let junk = b"MZ\x90\x00PK\x03PK\x07\x08PKPK\x01junk".repeat(50);
        let mut data = junk.clone();
        data.extend(two(Layout::Seekable));
        let want = [
            member("a.txt", Method::Stored, b"hello stored"),
            member("b.txt", Method::Deflated, &b"deflated ".repeat(500)),
        ];
        assert_eq!(expect_all(&data, &want).resyncs, 1);

        let mut data = stored(b"one", b"1");
        data.extend_from_slice(&junk);
        data.extend(deflated(b"two", b"2"));
        data.extend_from_slice(b"PK"); // stray bytes
        data.extend(stored(b"three", b"3"));
        // A stated size too small: the rest of the data is junk.
        data.extend(lfh(b"short", 0, 0, 0, 2, 2, &[]));
        data.extend_from_slice(b"abcdef");
        data.extend(stored(b"four", b"4"));
        // A deflate stream that ends before its stated size hides no header from us.
        let z = deflate(b"slack");
        data.extend(lfh(b"slack", 0, 8, 0, (z.len() + 1000) as u32, 5, &[]));
        data.extend_from_slice(&z);
        data.extend(stored(b"five", b"5"));
        data.extend_from_slice(&[0x55; 1000]);
        data.extend(end());
        let stats = expect_all(
            &data,
            &[
                member("one", Method::Stored, b"1"),
                member("two", Method::Deflated, b"2"),
                member("three", Method::Stored, b"3"),
                member("short", Method::Stored, b"ab"),
                member("four", Method::Stored, b"4"),
                member("slack", Method::Deflated, b"slack"),
                member("five", Method::Stored, b"5"),
            ],
        );
        // The junk before the end record counts too.
        assert_eq!(stats.resyncs, 5);
    }

    #[test]
    fn archive_after_central_directory() {
        // Two archives end to end (unzip tools extract the last): both are walked.
        let mut data = two(Layout::Seekable);
        data.extend(Zip::seekable().stored("second", b"hidden token").finish());
        let stats = expect_all(
            &data,
            &[
                member("a.txt", Method::Stored, b"hello stored"),
                member("b.txt", Method::Deflated, &b"deflated ".repeat(500)),
                member("second", Method::Stored, b"hidden token"),
            ],
        );
        assert_eq!(stats.resyncs, 1);
    }

    #[test]
    fn encrypted_members_are_skipped() {
        let mut data = lfh(b"secret", 1, 8, 0, 12, 40, &[]);
        data.extend_from_slice(&[0xAA; 12]);
        data.extend(stored(b"open", b"visible"));
        // Encrypted with a descriptor: size unknown, found again by resync.
        data.extend(lfh(b"secret2", 9, 0, 0, 0, 0, &[]));
        data.extend_from_slice(&[0xBB; 100]);
        data.extend_from_slice(&DESCRIPTOR);
        data.extend_from_slice(&[0; 12]);
        data.extend(stored(b"open2", b"visible too"));
        data.extend(end());
        let stats = expect_all(
            &data,
            &[
                Got::Skipped(b"secret".to_vec(), Skipped::Encrypted),
                member("open", Method::Stored, b"visible"),
                Got::Skipped(b"secret2".to_vec(), Skipped::Encrypted),
                member("open2", Method::Stored, b"visible too"),
            ],
        );
        assert_eq!((stats.members, stats.skipped, stats.resyncs), (2, 2, 1));
    }

    #[test]
    fn unsupported_method_is_skipped() {
        // A bzip2 stream's look (method 12): the reader never decodes it.
        let mut payload = b"BZh91AY&SY".to_vec();
        payload.extend(text(20).iter().map(|b| b.wrapping_mul(31)));
        let build = |layout| {
            Zip::new(layout)
                .member(
                    "b.bz2",
                    &b"bzip2 data ".repeat(100),
                    fixture::Method::Other {
                        id: 12,
                        payload: payload.clone(),
                    },
                    Zip64::No,
                )
                .stored("after", b"readable")
                .finish()
        };
        let want = [
            Got::Skipped(b"b.bz2".to_vec(), Skipped::UnsupportedMethod(12)),
            member("after", Method::Stored, b"readable"),
        ];
        assert_eq!(expect_all(&build(Layout::Seekable), &want).resyncs, 0);
        // Streamed: size unknown, so the walk resyncs.
        let stats = expect_all(&build(Layout::Streamed), &want);
        assert_eq!((stats.skipped, stats.resyncs), (1, 1));
    }

    #[test]
    fn truncated_archive_errors_after_partial_content() {
        let body = text(3000);
        for layout in [Layout::Seekable, Layout::Streamed] {
            let data = Zip::new(layout)
                .stored("first", b"whole")
                .deflated("big", &body)
                .finish();
            let cut = &data[..data.len() / 2];
            for cap in CAPS {
                let (r, got) = collect(cut, cap);
                assert!(matches!(r, Err(ZipError::Corrupt(_))), "{r:?}");
                assert_eq!(got[0], member("first", Method::Stored, b"whole"));
                let Got::Member(_, _, part) = &got[1] else {
                    panic!("no second member")
                };
                assert!(!part.is_empty() && part.len() < body.len(), "cap {cap}");
                assert_eq!(&body[..part.len()], &part[..]);
            }
        }
        // Stored, cut: the visitor gets the bytes that are there.
        let mut data = stored(b"s", &body);
        data.truncate(data.len() - 10);
        let (r, got) = collect(&data, 64);
        assert!(matches!(r, Err(ZipError::Corrupt("member data truncated"))));
        assert_eq!(got, [member("s", Method::Stored, &body[..body.len() - 10])]);
        // Huge stated sizes with short data: an error, no allocation of the stated size.
        let mut data = lfh(b"huge", 0, 0, 0, 0xFFFF_FFF0, 0xFFFF_FFF0, &[]);
        data.extend_from_slice(b"short");
        assert!(collect(&data, 0).0.is_err());
        let mut extra = 1u16.to_le_bytes().to_vec();
        extra.extend_from_slice(&16u16.to_le_bytes());
        extra.extend_from_slice(&u64::MAX.to_le_bytes());
        extra.extend_from_slice(&u64::MAX.to_le_bytes());
        for method in [0, 8, 12] {
            let mut data = lfh(b"huge64", 0, method, 0, u32::MAX, u32::MAX, &extra);
            data.extend_from_slice(&deflate(b"short"));
            let (r, _) = collect_with(&data, 7, 3);
            assert!(
                matches!(r, Err(ZipError::Corrupt("member data truncated"))),
                "{r:?}"
            );
        }
        // A cut header.
        let data = stored(b"name", b"x");
        assert!(matches!(collect(&data[..20], 0).0, Err(ZipError::Corrupt(_))));
        assert!(matches!(collect(&data[..32], 1).0, Err(ZipError::Corrupt(_))));
        // A cut data descriptor.
        let data = deflated_dd(b"dd", b"content", true, false);
        let (r, got) = collect(&data[..data.len() - 5], 2);
        assert!(matches!(r, Err(ZipError::Corrupt(_))), "{r:?}");
        assert_eq!(got, [member("dd", Method::Deflated, b"content")]);
    }

    #[test]
    fn corrupt_deflate_errors() {
        // Block type 3 is reserved.
        let mut data = lfh(b"bad", 0, 8, 0, 4, 4, &[]);
        data.extend_from_slice(&[0x07, 0, 0, 0]);
        data.extend(stored(b"after", b"x"));
        let (r, got) = collect(&data, 0);
        assert!(
            matches!(r, Err(ZipError::Corrupt("corrupt deflate stream"))),
            "{r:?}"
        );
        assert_eq!(got, [member("bad", Method::Deflated, b"")]);
        // A stream longer than its stated size does not run into the next member.
        let z = deflate(&text(100));
        let mut data = lfh(b"long", 0, 8, 0, (z.len() / 2) as u32, 0, &[]);
        data.extend_from_slice(&z);
        let (r, _) = collect(&data, 5);
        assert!(
            matches!(
                r,
                Err(ZipError::Corrupt(
                    "deflate stream longer than its compressed size"
                ))
            ),
            "{r:?}"
        );
        // Also when the visitor reads none of it: a descriptor member is decoded to its end.
        let mut data = lfh(b"bad-dd", 8, 8, 0, 0, 0, &[]);
        data.extend_from_slice(&[0x07, 0, 0, 0]);
        assert!(matches!(collect_with(&data, 0, 0).0, Err(ZipError::Corrupt(_))));
    }

    #[test]
    fn partial_reads_still_find_every_member() {
        let big = text(500);
        let mut data = stored(b"s", &big);
        data.extend(deflated(b"d", &big));
        data.extend(deflated_dd(b"dd", &big, true, false));
        data.extend(lfh(b"sdd", 8, 0, 0, 0, 0, &[]));
        data.extend_from_slice(&big);
        data.extend_from_slice(&DESCRIPTOR);
        data.extend_from_slice(&crc32(&big).to_le_bytes());
        data.extend_from_slice(&(big.len() as u32).to_le_bytes());
        data.extend_from_slice(&(big.len() as u32).to_le_bytes());
        data.extend(stored(b"last", b"end"));
        data.extend(end());
        for most in [0, 1, 10, 5000] {
            for cap in CAPS {
                let (r, got) = collect_with(&data, cap, most);
                let stats = r.unwrap();
                assert_eq!((stats.members, stats.resyncs), (5, 0));
                let n = most.min(big.len());
                let want = [
                    member("s", Method::Stored, &big[..n]),
                    member("d", Method::Deflated, &big[..n]),
                    member("dd", Method::Deflated, &big[..n]),
                    member("sdd", Method::Stored, &big[..n]),
                    member("last", Method::Stored, &b"end"[..most.min(3)]),
                ];
                assert_eq!(got, want, "most {most} cap {cap}");
            }
        }
    }

    #[test]
    fn visitor_error_aborts() {
        let data = two(Layout::Seekable);
        let mut seen = 0;
        let r = walk(&mut &data[..], &mut |_| {
            seen += 1;
            Err(io::Error::other("stop here"))
        });
        assert!(matches!(&r, Err(ZipError::Io(e)) if e.to_string() == "stop here"));
        assert_eq!(seen, 1);
    }

    /// Yields `data`, then fails.
    struct Failing<'a>(&'a [u8]);

    impl Read for Failing<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(io::ErrorKind::ConnectionReset, "pipe broke"));
            }
            self.0.read(out)
        }
    }

    #[test]
    fn input_errors_and_swallowed_errors_end_the_walk() {
        let body = text(200);
        for data in [
            stored(b"s", &body),
            deflated(b"d", &body),
            deflated_dd(b"dd", &body, true, false),
        ] {
            // The input fails part way: the visitor gets the bytes before, the walk the error.
            let mut input = BufReader::with_capacity(16, Failing(&data[..data.len() / 2]));
            let mut part = Vec::new();
            let r = walk(&mut input, &mut |ev| {
                if let Event::Member { content, .. } = ev {
                    let e = content.read_to_end(&mut part).expect_err("input fails");
                    assert_eq!(e.kind(), io::ErrorKind::ConnectionReset);
                    // Asking again gives the same error, not a false end.
                    assert!(content.read(&mut [0; 8]).is_err());
                }
                Ok(()) // swallowed: the walk still reports it
            });
            assert!(
                matches!(&r, Err(ZipError::Io(e)) if e.kind() == io::ErrorKind::ConnectionReset),
                "{r:?}"
            );
            assert!(!part.is_empty() && body.starts_with(&part));
            // A corrupt member whose error the visitor swallows still ends the walk.
            let mut cut = data.clone();
            cut.truncate(data.len() - 30);
            let r = walk(&mut &cut[..], &mut |ev| {
                if let Event::Member { content, .. } = ev {
                    let _ = content.read_to_end(&mut Vec::new());
                }
                Ok(())
            });
            assert!(matches!(r, Err(ZipError::Corrupt(_))), "{r:?}");
        }
    }

    #[test]
    fn nested_zip_in_a_member() {
        let inner = Zip::seekable()
            .deflated("inner/secret.txt", b"AKIAIOSFODNN7EXAMPLE")
            .stored("inner/plain.txt", b"plain")
            .finish();
        for (method, layout) in [("stored", Layout::Seekable), ("deflated", Layout::Streamed)] {
            let mut zip = Zip::new(layout);
            if layout == Layout::Seekable {
                zip.stored("lib/inner.jar", &inner);
            } else {
                zip.deflated("lib/inner.jar", &inner);
            }
            let data = zip.stored("outer.txt", b"outer").finish();
            for cap in CAPS {
                let mut found = Vec::new();
                let mut visit = |ev: Event<'_>| -> io::Result<()> {
                    let Event::Member { name, content, .. } = ev else {
                        return Ok(());
                    };
                    let outer = name.to_vec();
                    // Sniff the first bytes whole (short reads are allowed), then put them back.
                    let mut head = Vec::new();
                    content.take(4).read_to_end(&mut head)?;
                    let sniffed = looks_like_zip(&head);
                    let mut nested = BufReader::with_capacity(cap.max(1), (&head[..]).chain(content));
                    if sniffed {
                        let mut inner = |ev: Event<'_>| -> io::Result<()> {
                            if let Event::Member { name, content, .. } = ev {
                                let mut body = Vec::new();
                                content.read_to_end(&mut body)?;
                                found.push((outer.clone(), name.to_vec(), body));
                            }
                            Ok(())
                        };
                        let stats = walk(&mut nested, &mut inner).map_err(io::Error::other)?;
                        assert_eq!(stats.members, 2);
                    } else {
                        let mut body = Vec::new();
                        nested.read_to_end(&mut body)?;
                        found.push((outer, Vec::new(), body));
                    }
                    Ok(())
                };
                let stats = walk(&mut BufReader::with_capacity(cap.max(1), &data[..]), &mut visit).unwrap();
                assert_eq!(stats.members, 2);
                assert_eq!(
                    found,
                    [
                        (
                            b"lib/inner.jar".to_vec(),
                            b"inner/secret.txt".to_vec(),
                            b"AKIAIOSFODNN7EXAMPLE".to_vec()
                        ),
                        (
                            b"lib/inner.jar".to_vec(),
                            b"inner/plain.txt".to_vec(),
                            b"plain".to_vec()
                        ),
                        (b"outer.txt".to_vec(), Vec::new(), b"outer".to_vec()),
                    ],
                    "{method} cap {cap}"
                );
            }
        }
    }

    #[test]
    fn docx_like() {
        let types = format!(
            "<?xml version=\"1.0\"?><Types>{}</Types>",
            "<Default Extension=\"xml\"/>".repeat(20)
        );
        let rels = format!(
            "<Relationships>{}</Relationships>",
            "<Relationship Id=\"rId1\"/>".repeat(10)
        );
        let document = format!(
            "<w:document><w:body>{}<w:p><w:t>password=xoxb-123456789012-abcdefABCDEF</w:t></w:p></w:body></w:document>",
            "<w:p><w:r><w:t>text</w:t></w:r></w:p>".repeat(300)
        );
        let image: Vec<u8> = (0..=255u8).cycle().take(256 * 20).collect();
        let data = Zip::seekable()
            .deflated("[Content_Types].xml", types.as_bytes())
            .deflated("_rels/.rels", rels.as_bytes())
            .deflated("word/document.xml", document.as_bytes())
            .stored("word/media/image1.png", &image)
            .deflated(
                "docProps/core.xml",
                b"<cp:coreProperties><dc:creator>me</dc:creator></cp:coreProperties>",
            )
            .finish();
        for cap in CAPS {
            let (r, got) = collect(&data, cap);
            assert_eq!(r.unwrap().members, 5);
            let names: Vec<&[u8]> = got
                .iter()
                .map(|g| match g {
                    Got::Member(n, _, _) | Got::Skipped(n, _) => &n[..],
                })
                .collect();
            assert_eq!(
                names,
                [
                    &b"[Content_Types].xml"[..],
                    b"_rels/.rels",
                    b"word/document.xml",
                    b"word/media/image1.png",
                    b"docProps/core.xml"
                ]
            );
            let Got::Member(_, Method::Deflated, doc) = &got[2] else {
                panic!("document.xml not deflated")
            };
            assert!(memmem::find(doc, b"password=xoxb-123456789012-abcdefABCDEF").is_some());
            assert!(matches!(&got[3], Got::Member(_, Method::Stored, b) if b.len() == 5120));
        }
    }

    use intercept_test_support::text::XorShift;

    #[test]
    fn hostile_inputs_never_panic() {
        let mut samples = vec![two(Layout::Seekable), two(Layout::Streamed)];
        let mut crafted = deflated_dd(b"dd", &text(40), false, true);
        crafted.extend(lfh(b"sdd", 8, 0, 0, 0, 0, &[]));
        crafted.extend_from_slice(b"abcPK\x07\x08");
        crafted.extend_from_slice(&[0; 12]);
        crafted.extend(stored(b"s", &text(30)));
        crafted.extend(lfh(b"enc", 1, 8, 0, 3, 3, &[]));
        crafted.extend_from_slice(b"xyz");
        crafted.extend(lfh(
            b"huge",
            0,
            0,
            0,
            u32::MAX,
            u32::MAX,
            &[
                1, 0, 16, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
            ],
        ));
        samples.push(crafted);
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for case in 0..2000 {
            let base = &samples[case % samples.len()];
            let (want, _) = {
                let (r, got) = collect(base, 0);
                (r.is_ok(), got)
            };
            let mut data = base.clone();
            let kind = case % 4;
            match kind {
                // A cut: what was delivered is a prefix of the whole walk's.
                0 => data.truncate(rng.below(data.len())),
                // Flipped bytes.
                1 => {
                    for _ in 0..1 + rng.below(8) {
                        let i = rng.below(data.len());
                        data[i] = rng.next() as u8;
                    }
                }
                // Random bytes, sometimes after a plausible header.
                2 => {
                    data = (0..rng.below(4000)).map(|_| rng.next() as u8).collect();
                    if rng.below(2) == 0 {
                        let mut h = LOCAL.to_vec();
                        h.extend(data);
                        data = h;
                    }
                }
                // A spliced copy of another piece of itself.
                _ => {
                    let a = rng.below(data.len());
                    let b = rng.below(data.len());
                    let piece = data[a.min(b)..a.max(b)].to_vec();
                    let at = rng.below(data.len());
                    data.splice(at..at, piece);
                }
            }
            let cap = [0, 1, 3, 17, 4096][rng.below(5)];
            let most = [0, 5, usize::MAX][rng.below(3)];
            let (r, got) = collect_with(&data, cap, most);
            if kind == 0 && want && most == usize::MAX {
                let (_, whole) = collect(base, 0);
                assert!(got.len() <= whole.len(), "case {case}");
                for (g, w) in got.iter().zip(&whole) {
                    match (g, w) {
                        (Got::Member(n, m, b), Got::Member(wn, wm, wb)) => {
                            assert_eq!((n, m), (wn, wm), "case {case}");
                            assert!(wb.starts_with(b), "case {case}");
                        }
                        (g, w) => assert_eq!(g, w, "case {case}"),
                    }
                }
            }
            if let Err(e) = r {
                assert!(!e.to_string().is_empty());
            }
        }
    }
}

//! Any `Read` → overlapping `Chunk`s of bounded size → findings, with allow markers judged
//! on whole physical lines.
//!
//! Receives a reader (a file, a decompressed stream, an archive member, stdin) and hands the
//! detector pieces of at most `PIECE` bytes plus its context on either side, so memory stays
//! flat on a 2 GB file and a token across a piece boundary is still found, exactly once
//! (each piece reports only the anchors in its own range). Pieces are cut just after a line
//! break when the piece holds one, so a line spans two pieces only when it is longer than a
//! piece (a minified bundle); for such a line the marker verdict is carried from piece to
//! piece and its findings wait until the line ends. The verdict is the same wherever a
//! boundary falls. On a read error, what was read before it is still scanned.

use std::io::{self, Read};

use std::ops::Range;

use super::decoder::Decoder as _;
use super::utf16;

use crate::chunk::{Chunk, Origin, Position, CONTEXT_AFTER, CONTEXT_BEFORE};
use crate::detector::{marker_in, Detector};
use crate::finding::Finding;

/// Bytes reported per piece.
pub const PIECE: usize = 8 << 20;

/// How a stream ended.
#[derive(Debug, Default)]
pub struct Streamed {
    /// Bytes scanned.
    pub bytes: u64,
    /// True when `limit` stopped the stream before its end. (The content layer caps what it
    /// decodes through its reader, with no limit here; the tests use it.)
    #[cfg_attr(not(test), allow(dead_code))]
    pub truncated: bool,
    /// The read error that ended the stream early (what came before it was scanned).
    pub error: Option<io::Error>,
}

/// A line longer than a piece, still open at the end of the last piece.
struct OpenLine {
    line: u64,
    marker: Option<&'static str>,
    /// Findings on it, waiting for the rest of the line (at most `MAX_PENDING`).
    pending: Vec<Finding>,
    /// More than `MAX_PENDING` findings came before the line ended: they went on with the
    /// marker known then, and so do the rest of the line's.
    spilled: bool,
}

/// Findings kept waiting for the end of one line, at most: a minified line of a million
/// tokens must not hold a million findings. Past it they go on without waiting, judged by
/// the marker seen so far: a marker later on such a line does not allow the tokens before
/// it (they are reported; an allow entry by fingerprint or path still applies).
const MAX_PENDING: usize = 4096;

/// Scans `reader` to its end (or to `limit` bytes). `buf` is reused across calls.
pub fn scan_reader(
    detector: &Detector,
    origin: &Origin,
    reader: &mut dyn Read,
    limit: u64,
    buf: &mut Vec<u8>,
    out: &mut dyn FnMut(Finding),
) -> Streamed {
    buf.clear();
    let mut kept = 0; // bytes at the front already reported by the previous piece
    let mut position = Position::START;
    let mut total = 0u64;
    let mut open: Option<OpenLine> = None;
    let mut utf16_runs: Option<bool> = None;
    loop {
        let want = kept + PIECE + CONTEXT_AFTER;
        let (read, eof, error) = fill(reader, buf, want, limit - total);
        total += read as u64;
        let last = eof || error.is_some() || total >= limit;
        let report_end = if last {
            buf.len()
        } else {
            // Just after the last line break of the piece, if it has one.
            let end = buf.len() - CONTEXT_AFTER;
            memchr::memrchr(b'\n', &buf[kept..end]).map_or(end, |i| kept + i + 1)
        };
        let chunk = Chunk {
            origin,
            bytes: buf,
            start: position,
            report: kept..report_end,
        };
        let mut settle = Settle::new(&chunk, &mut open, last, out);
        detector.scan_each(&chunk, &mut |f| settle.finding(f));
        // Whether this stream is text, judged on its first bytes once.
        let runs = *utf16_runs.get_or_insert_with(|| utf16::text_like(buf));
        if runs {
            scan_utf16_runs(detector, origin, buf, kept..report_end, position, out);
        }
        if last {
            let truncated = error.is_none() && total >= limit && more(reader).unwrap_or(false);
            return Streamed {
                bytes: total,
                truncated,
                error,
            };
        }
        let next = report_end - CONTEXT_BEFORE.min(report_end - kept);
        position = position.advance(&buf[..next]);
        buf.drain(..next);
        kept = report_end - next;
    }
}

/// Scans the runs of UTF-16 text in `bytes` that start in `report` (a UTF-16 line appended
/// to a UTF-8 file, at either alignment), each as text of its own at its line in the file
/// (`start`: the position of `bytes[0]`); the plain scan cannot see them. Bytes without a
/// NUL cost one `memchr`.
pub fn scan_utf16_runs(
    detector: &Detector,
    origin: &Origin,
    bytes: &[u8],
    report: Range<usize>,
    start: Position,
    out: &mut dyn FnMut(Finding),
) {
    if memchr::memchr(0, &bytes[report.clone()]).is_none() {
        return;
    }
    let mut text = Vec::new();
    let (mut position, mut at) = (start, 0);
    let mut through: Option<Origin> = None;
    let mut found = Vec::new();
    utf16::runs(bytes, &mut text, &mut |run_at, run| {
        if !report.contains(&run_at) || !detector.prefilter(run) {
            return;
        }
        position = position.advance(&bytes[at..run_at]);
        at = run_at;
        let origin = through.get_or_insert_with(|| origin.through(utf16::UTF16_LE.via()));
        found.clear();
        detector.scan(
            &Chunk {
                origin,
                bytes: run,
                start: position,
                report: 0..run.len(),
            },
            &mut found,
        );
        found.drain(..).for_each(&mut *out);
    });
}

/// Judges markers for the findings of one piece, as the detector finds them, and hands on
/// those whose line is complete.
struct Settle<'s, 'o> {
    open: &'s mut Option<OpenLine>,
    out: &'s mut (dyn FnMut(Finding) + 'o),
    /// The piece's findings need no judging (every line of it is whole in its bytes).
    direct: bool,
    /// The open line's number and marker, for findings on it.
    line: u64,
    marker: Option<&'static str>,
    /// The open line ends in this piece: its findings go on now.
    ends: bool,
}

impl<'s, 'o> Settle<'s, 'o> {
    fn new(
        chunk: &Chunk<'_>,
        open: &'s mut Option<OpenLine>,
        last: bool,
        out: &'s mut (dyn FnMut(Finding) + 'o),
    ) -> Self {
        let bytes = chunk.bytes;
        let from = chunk.report.start;
        let has_break = memchr::memchr(b'\n', &bytes[from..chunk.report.end]).is_some();
        let ends = has_break || last;
        if open.is_none() && ends {
            // Every line of the piece is whole in its bytes: the detector's verdicts stand.
            return Settle {
                open,
                out,
                direct: true,
                line: 0,
                marker: None,
                ends,
            };
        }
        // The part of the line that holds the start of the reported range.
        let seg_start = memchr::memrchr(b'\n', &bytes[..from]).map_or(0, |i| i + 1);
        let seg_end = memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i);
        let seg_marker = marker_in(&bytes[seg_start..seg_end]);
        let line = match open {
            Some(o) => o.line,
            None => chunk.start.advance(&bytes[..from]).line,
        };
        let o = open.get_or_insert_with(|| OpenLine {
            line,
            marker: None,
            pending: Vec::new(),
            spilled: false,
        });
        o.marker = o.marker.or(seg_marker);
        let marker = o.marker;
        if ends {
            // The open line ends in this piece: its waiting findings are judged now.
            let o = open.take().expect("set above");
            for mut p in o.pending {
                p.marker = p.marker.or(o.marker);
                out(p);
            }
        }
        Settle {
            open,
            out,
            direct: false,
            line,
            marker,
            ends,
        }
    }

    fn finding(&mut self, mut f: Finding) {
        if self.direct {
            return (self.out)(f);
        }
        if f.line == self.line {
            f.marker = f.marker.or(self.marker);
        }
        match self.open.as_mut() {
            // The whole piece lies on one line that goes on: its findings wait for the rest.
            Some(o) if !self.ends && !o.spilled => {
                o.pending.push(f);
                if o.pending.len() > MAX_PENDING {
                    tracing::warn!(
                        line = o.line,
                        "more than {MAX_PENDING} tokens on one line longer than a piece: reported \
                         without waiting for an allow marker later on the line"
                    );
                    o.spilled = true;
                    o.pending.drain(..).for_each(&mut *self.out);
                }
            }
            _ => (self.out)(f),
        }
    }
}

/// Reads into `buf` until it holds `want` bytes, `budget` bytes were read, or the reader
/// ends or fails. Returns the bytes read, whether the reader ended, and its error. The
/// buffer grows as bytes arrive (a small stream never costs a whole piece).
fn fill(
    reader: &mut dyn Read,
    buf: &mut Vec<u8>,
    want: usize,
    budget: u64,
) -> (usize, bool, Option<io::Error>) {
    const STEP: usize = 64 << 10;
    let target = want.min(
        buf.len()
            .saturating_add(usize::try_from(budget).unwrap_or(usize::MAX)),
    );
    let start = buf.len();
    let mut filled = start;
    while filled < target {
        if buf.len() == filled {
            let grow = (target - filled).min(STEP.max(filled / 2));
            buf.resize(filled + grow, 0);
        }
        match reader.read(&mut buf[filled..]) {
            Ok(0) => {
                buf.truncate(filled);
                return (filled - start, true, None);
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                buf.truncate(filled);
                return (filled - start, false, Some(e));
            }
        }
    }
    buf.truncate(filled);
    (filled - start, false, None)
}

/// True when the reader has at least one more byte.
fn more(reader: &mut dyn Read) -> io::Result<bool> {
    let mut one = [0u8; 1];
    loop {
        match reader.read(&mut one) {
            Ok(n) => return Ok(n > 0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> String {
        intercept_test_support::token().b64()
    }

    fn scan(data: &[u8], limit: u64) -> (Vec<Finding>, Streamed) {
        let origin = Origin::file("x");
        let mut out = Vec::new();
        let mut buf = Vec::new();
        let streamed = scan_reader(
            &Detector::new(),
            &origin,
            &mut &data[..],
            limit,
            &mut buf,
            &mut |f| out.push(f),
        );
        (out, streamed)
    }

    #[test]
    fn a_token_on_each_side_of_every_boundary_is_found_once() {
        let t = token();
        let mut data = Vec::new();
        for i in 0..3 {
            data.resize(PIECE * (i + 1) - 30 - i, b'a');
            data.extend_from_slice(b"\n");
            data.extend_from_slice(t.as_bytes());
            data.extend_from_slice(b"\n");
        }
        let (found, streamed) = scan(&data, u64::MAX);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(streamed.bytes, data.len() as u64);
        assert!(!streamed.truncated && streamed.error.is_none());
        assert_eq!(found[1].line, 4);
    }

    #[test]
    fn markers_on_a_line_longer_than_a_piece_count_wherever_they_are() {
        let t = token();
        for (token_at, marker_at) in [(PIECE / 2, PIECE * 2 + 5), (PIECE * 2, 100), (100, PIECE + 3)] {
            let mut data = vec![b'x'; PIECE * 3];
            data[token_at..token_at + t.len()].copy_from_slice(t.as_bytes());
            data[token_at - 1] = b' ';
            data[token_at + t.len()] = b' ';
            let m = b" intercept:allow ";
            data[marker_at..marker_at + m.len()].copy_from_slice(m);
            data.extend_from_slice(b"\nnext line\n");
            let (found, _) = scan(&data, u64::MAX);
            assert_eq!(found.len(), 1, "{token_at} {marker_at}");
            assert_eq!(found[0].marker, Some("intercept:allow"), "{token_at} {marker_at}");
            // The twin: without the marker, no verdict.
            data[marker_at..marker_at + m.len()].fill(b'x');
            let (found, _) = scan(&data, u64::MAX);
            assert_eq!(found[0].marker, None);
        }
    }

    #[test]
    fn a_long_line_of_many_tokens_is_handed_on_without_waiting_for_its_end() {
        // More than MAX_PENDING tokens in the first piece of a line longer than a piece:
        // each is reported once, in order, without piling up; a marker before them still
        // counts, one after them does not (fail closed).
        let t = token();
        let unit = format!("{t} ");
        for marker_first in [true, false] {
            let mut data = Vec::new();
            if marker_first {
                data.extend_from_slice(b"intercept:allow ");
            }
            while data.len() < PIECE + PIECE / 2 {
                data.extend_from_slice(unit.as_bytes());
            }
            if !marker_first {
                data.extend_from_slice(b" intercept:allow");
            }
            data.extend_from_slice(b"\nnext\n");
            let (found, _) = scan(&data, u64::MAX);
            let tokens = data.len() / unit.len();
            assert_eq!(found.len(), tokens);
            assert!(found.windows(2).all(|w| w[0].column < w[1].column));
            let marked = found.iter().filter(|f| f.marker.is_some()).count();
            if marker_first {
                assert_eq!(marked, tokens);
            } else {
                assert!(marked < tokens - MAX_PENDING, "{marked}");
            }
        }
    }

    #[test]
    fn limit_truncates_and_says_so() {
        let data = vec![b'a'; 1000];
        let (_, streamed) = scan(&data, 100);
        assert_eq!(streamed.bytes, 100);
        assert!(streamed.truncated);
        let (_, streamed) = scan(&data, 1000);
        assert!(!streamed.truncated);
    }

    #[test]
    fn what_was_read_before_an_error_is_scanned() {
        struct Failing<'a>(&'a [u8]);
        impl Read for Failing<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Err(io::Error::other("broken"));
                }
                let n = out.len().min(self.0.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let t = token();
        let data = format!("a\n{t}\n");
        let origin = Origin::file("x");
        let mut out = Vec::new();
        let mut buf = Vec::new();
        let streamed = scan_reader(
            &Detector::new(),
            &origin,
            &mut Failing(data.as_bytes()),
            u64::MAX,
            &mut buf,
            &mut |f| out.push(f),
        );
        assert_eq!(out.len(), 1);
        assert!(streamed.error.is_some());
    }
}

//! Any `Read` → overlapping `Chunk`s of bounded size.
//!
//! Receives a reader (a file, a gzip stream, stdin) and hands on pieces of at most
//! `PIECE` bytes plus the detector's context on either side, so memory stays flat on a
//! 2 GB file and a token across a piece boundary is still found, exactly once (each
//! piece reports only the anchors in its own range).

use std::io::{self, Read};

use crate::chunk::{Chunk, Origin, Position, CONTEXT_AFTER, CONTEXT_BEFORE};

/// Bytes reported per piece.
pub const PIECE: usize = 8 << 20;

/// How a stream ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Streamed {
    /// Bytes handed to the visitor (without the overlap counted twice).
    pub bytes: u64,
    /// True when `limit` stopped the stream before its end.
    pub truncated: bool,
}

/// Reads `reader` to its end (or to `limit` bytes) and calls `visit` for each piece.
/// `buf` is reused across calls by the caller.
pub fn pieces(
    reader: &mut dyn Read,
    origin: &Origin,
    limit: Option<u64>,
    buf: &mut Vec<u8>,
    visit: &mut dyn FnMut(&Chunk<'_>),
) -> io::Result<Streamed> {
    let (before, after) = (CONTEXT_BEFORE, CONTEXT_AFTER);
    let limit = limit.unwrap_or(u64::MAX);
    buf.clear();
    let mut kept = 0; // bytes at the front already reported by the previous piece
    let mut position = Position::START;
    let mut total = 0u64;
    loop {
        let want = kept + PIECE + after;
        let (read, eof) = fill(reader, buf, want, limit - total)?;
        total += read as u64;
        if eof || total >= limit {
            let chunk = Chunk {
                origin,
                bytes: buf,
                start: position,
                report: kept..buf.len(),
            };
            visit(&chunk);
            let truncated = total >= limit && more(reader)?;
            return Ok(Streamed {
                bytes: total,
                truncated,
            });
        }
        let report_end = buf.len() - after;
        visit(&Chunk {
            origin,
            bytes: buf,
            start: position,
            report: kept..report_end,
        });
        let next = report_end - before;
        position = position.advance(&buf[..next]);
        buf.drain(..next);
        kept = before;
    }
}

/// Reads into `buf` until it holds `want` bytes, `budget` bytes were read, or the
/// reader ends. Returns the bytes read and whether the reader ended.
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize, budget: u64) -> io::Result<(usize, bool)> {
    let target = want.min(
        buf.len()
            .saturating_add(usize::try_from(budget).unwrap_or(usize::MAX)),
    );
    let start = buf.len();
    buf.resize(target, 0);
    let mut filled = start;
    while filled < target {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => {
                buf.truncate(filled);
                return Ok((filled - start, true));
            }
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                buf.truncate(filled);
                return Err(e);
            }
        }
    }
    Ok((filled - start, false))
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

    /// Records what each piece reports, by absolute offset.
    fn ranges(data: &[u8], limit: Option<u64>) -> (Vec<(usize, usize)>, Streamed) {
        let origin = Origin::file("x");
        let mut seen = Vec::new();
        let mut abs = 0usize;
        let mut buf = Vec::new();
        let streamed = pieces(&mut &data[..], &origin, limit, &mut buf, &mut |c| {
            // The first reported byte of a piece is at absolute `abs`.
            let len = c.report.end - c.report.start;
            seen.push((abs, abs + len));
            abs += len;
        })
        .unwrap();
        (seen, streamed)
    }

    #[test]
    fn pieces_cover_the_stream_exactly_once() {
        let data = vec![b'a'; PIECE * 2 + 12345];
        let (seen, streamed) = ranges(&data, None);
        assert_eq!(seen.len(), 3);
        assert_eq!(seen.last().unwrap().1, data.len());
        assert_eq!(
            streamed,
            Streamed {
                bytes: data.len() as u64,
                truncated: false
            }
        );
    }

    #[test]
    fn limit_truncates_and_says_so() {
        let data = vec![b'a'; 1000];
        let (seen, streamed) = ranges(&data, Some(100));
        assert_eq!(seen, vec![(0, 100)]);
        assert!(streamed.truncated);
        let (_, streamed) = ranges(&data, Some(1000));
        assert!(!streamed.truncated);
    }
}

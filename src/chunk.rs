//! `Chunk`: the only thing the detector sees.
//!
//! The content layer hands the detector a `Chunk`: bytes, where they came from (`Origin`),
//! the line and column of the first byte, and the range in which an anchor must start to be
//! reported (pieces of a large stream overlap, so a token across a piece boundary is found
//! once). `Chunk`'s `Debug` prints the origin and the length, never the bytes: they may hold
//! a secret.

use std::fmt;
use std::ops::Range;

pub use crate::origin::Origin;

/// A 1-based line and column. The column counts Unicode code points (each byte of
/// invalid UTF-8 counts as one); a UTF-8 byte-order mark at the start of a file is not
/// counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl Position {
    /// The start of a file.
    pub const START: Position = Position { line: 1, column: 1 };

    /// Moves over `bytes`, returning the position of the byte that follows them.
    pub fn advance(mut self, mut bytes: &[u8]) -> Position {
        if self == Self::START && bytes.starts_with(BOM) {
            bytes = &bytes[BOM.len()..];
        }
        let mut line_start = 0;
        let mut newlines = 0u64;
        for nl in memchr::memchr_iter(b'\n', bytes) {
            newlines += 1;
            line_start = nl + 1;
        }
        if newlines > 0 {
            self.line += newlines;
            self.column = 1;
        }
        self.column += count_chars(&bytes[line_start..]);
        self
    }
}

/// Code points in UTF-8 bytes: every byte that is not a continuation byte starts one.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| !(0x80..0xC0).contains(&b)).count() as u64
}

/// Bytes of context a piece of a stream carries before its reported range (a nested
/// token's outer base64 group starts up to 3 symbols before its anchor, with a line wrap
/// and its indentation in between; the detector asserts it fits).
pub const CONTEXT_BEFORE: usize = 128;
/// Bytes of context a piece carries after its reported range, so a token whose anchor
/// starts inside the range can be decoded whole, wraps and escapes included (the detector
/// asserts it fits).
pub const CONTEXT_AFTER: usize = 2048;

/// Bytes to scan, with their origin and position.
pub struct Chunk<'a> {
    pub origin: &'a Origin,
    pub bytes: &'a [u8],
    /// Line and column of `bytes[0]`.
    pub start: Position,
    /// Offsets at which a match may start to be reported; the bytes outside it are
    /// context shared with the neighbouring pieces of the same stream.
    pub report: Range<usize>,
}

impl<'a> Chunk<'a> {
    /// A whole file or blob, starting at line 1, column 1.
    pub fn whole(origin: &'a Origin, bytes: &'a [u8]) -> Self {
        Self {
            origin,
            bytes,
            start: Position::START,
            report: 0..bytes.len(),
        }
    }
}

impl fmt::Debug for Chunk<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chunk")
            .field("origin", self.origin)
            .field("len", &self.bytes.len())
            .field("start", &self.start)
            .field("report", &self.report)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_counts_lines_and_code_points() {
        let p = Position::START.advance(b"ab\ncd\xC3\xA9f");
        assert_eq!(p, Position { line: 2, column: 5 });
        let p = Position::START.advance(b"\xEF\xBB\xBFab");
        assert_eq!(p, Position { line: 1, column: 3 });
        let p = Position { line: 3, column: 5 }.advance(b"xy");
        assert_eq!(p, Position { line: 3, column: 7 });
        let p = Position::START.advance(b"a\r\nb");
        assert_eq!(p, Position { line: 2, column: 2 });
    }

    #[test]
    fn debug_never_shows_bytes() {
        let origin = Origin::file("a.env");
        let chunk = Chunk::whole(&origin, b"SECRETBYTES");
        let shown = format!("{chunk:?}");
        assert!(!shown.contains("SECRETBYTES"), "{shown}");
        assert!(shown.contains("len: 11"), "{shown}");
    }
}

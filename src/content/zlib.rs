//! zlib streams (a git loose object, a PDF's or a pack's contents): inflated, one level
//! deeper. The magic is weak (`x` then one of four bytes), so a stream must also start
//! decoding to count as one.

use std::io::{self, BufRead, Read};

use super::decoder::{Decoder, Head, Views};
use crate::origin::Via;

/// The zlib decoder.
pub struct Zlib;

impl Decoder for Zlib {
    fn via(&self) -> Via {
        Via {
            id: "zlib",
            keeps_positions: false,
        }
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        is_zlib(head.bytes)
    }

    fn open(&self, _head: &Head<'_>, input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
        views.stream(
            &mut flate2::bufread::ZlibDecoder::new(input),
            "to decompress it (zlib)",
        );
        Ok(())
    }
}

/// A zlib header (deflate, a valid check, no preset dictionary) whose first bytes inflate.
fn is_zlib(head: &[u8]) -> bool {
    let [cmf, flg, ..] = *head else {
        return false;
    };
    if cmf & 0x0f != 8 || cmf >> 4 > 7 || (u16::from(cmf) * 256 + u16::from(flg)) % 31 != 0 || flg & 0x20 != 0
    {
        return false;
    }
    let mut probe = flate2::read::ZlibDecoder::new(head);
    let mut out = [0u8; 64];
    matches!(probe.read(&mut out), Ok(n) if n > 0)
}

#[cfg(test)]
mod tests {
    use super::is_zlib;
    use std::io::Write;

    #[test]
    fn a_zlib_header_must_also_inflate() {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"blob 5\0hello").unwrap();
        assert!(is_zlib(&e.finish().unwrap()));
        assert!(!is_zlib(b"x^ text that only starts like zlib"));
        assert!(!is_zlib(b"x"));
    }
}

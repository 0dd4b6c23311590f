//! bzip2 streams (`dump.sql.bz2`, `.tar.bz2`): every stream of the file, decompressed, one
//! level deeper.
//!
//! Receives a `BufRead` at a bzip2 stream header; hands on the decompressed bytes of every
//! concatenated stream as a `Read` (`bzip2`'s `MultiBzDecoder`, on its pure-Rust
//! `libbz2-rs-sys` backend, which checks every block's CRC). A bzip2 decoder's memory is
//! fixed by the format (at most a 900 kB block and its tables); what was decoded before an
//! error has been handed on.

use std::io::{self, BufRead};

use super::decoder::{Decoder, Head, Views};
use crate::origin::Via;

/// The bzip2 decoder.
pub struct Bzip2;

impl Decoder for Bzip2 {
    fn via(&self) -> Via {
        Via {
            id: "bzip2",
            keeps_positions: false,
        }
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        is_bzip2(head.bytes)
    }

    fn open(&self, _head: &Head<'_>, input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
        let mut reader = bzip2::bufread::MultiBzDecoder::new(input);
        views.stream(&mut reader, "to decompress it (bzip2)");
        Ok(())
    }
}

/// `BZh`, a block size digit, then a block's magic (π's digits) or the end of an empty
/// stream (√π's): ten bytes, so text that starts with `BZh1` is not taken for bzip2.
fn is_bzip2(head: &[u8]) -> bool {
    const BLOCK: [u8; 6] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
    const END: [u8; 6] = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
    match head {
        [b'B', b'Z', b'h', level, magic @ ..] if (b'1'..=b'9').contains(level) && magic.len() >= 6 => {
            magic[..6] == BLOCK || magic[..6] == END
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_bzip2;

    #[test]
    fn the_header_and_a_block_magic_make_bzip2() {
        assert!(is_bzip2(b"BZh91AY&SYxxxx"));
        assert!(!is_bzip2(b"BZh9 is a text that starts like bzip2"));
        assert!(!is_bzip2(b"BZh0AY&SY"));
        assert!(!is_bzip2(b"BZh9"));
    }
}

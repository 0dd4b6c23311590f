//! xz streams (`dump.sql.xz`, `.tar.xz`): every stream of the file, decompressed, one
//! level deeper.
//!
//! Receives a `BufRead` at the xz magic; hands on the decompressed bytes as a `Read`
//! (`lzma-rust2`'s `XzReader`, which checks every block's integrity check and reads stream
//! padding and concatenated streams as `xz -dc` does). A dictionary larger than
//! [`MEM_LIMIT_KIB`] is refused before anything is allocated for it (a header can ask for
//! 1.5 GiB); what was decoded before an error has been handed on.

use std::io::{self, BufRead};

use super::decoder::{Decoder, Head, Views};
use crate::origin::Via;

/// The xz decoder.
pub struct Xz;

/// xz's magic bytes.
pub const MAGIC: [u8; 6] = [0xFD, b'7', b'z', b'X', b'Z', 0x00];

/// The most memory one xz decoder may use, in KiB: `xz -9` (and `-9e`) needs 65 MiB.
pub const MEM_LIMIT_KIB: u32 = 96 << 10;

impl Decoder for Xz {
    fn via(&self) -> Via {
        Via {
            id: "xz",
            keeps_positions: false,
        }
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        head.bytes.starts_with(&MAGIC)
    }

    fn open(&self, _head: &Head<'_>, input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
        let mut reader = lzma_rust2::XzReader::new_mem_limit(input, true, MEM_LIMIT_KIB);
        views.stream(&mut reader, "to decompress it (xz)");
        Ok(())
    }
}

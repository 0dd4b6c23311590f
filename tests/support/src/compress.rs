//! Compressed streams made by the crates intercept decodes them with (no `xz`, `bzip2` or
//! `zstd` binary needed: CI has none).

use std::io::Write;

/// `data` as an xz stream (preset 6, CRC64 check, as `xz` writes it).
pub fn xz(data: &[u8]) -> Vec<u8> {
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).expect("an xz writer");
    w.write_all(data).expect("writes to a Vec");
    w.finish().expect("writes to a Vec")
}

/// `data` as a bzip2 stream.
pub fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    w.write_all(data).expect("writes to a Vec");
    w.finish().expect("writes to a Vec")
}

/// `data` as a zstd frame (with its content checksum).
pub fn zstd(data: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
}

//! zstd streams (`app.log.zst`, `.tar.zst`): every frame of the file, decompressed, one
//! level deeper, as `zstd -dc` reads it.
//!
//! Receives a `BufRead` at a zstd frame (or a skippable frame); hands on the decompressed
//! bytes of every frame as a `Read` (`ruzstd`'s frame decoder), skipping skippable frames
//! and checking each frame's content checksum where it has one. A frame whose window is
//! larger than [`MAX_WINDOW`] is refused before anything is allocated for it. Bytes after
//! the last frame end the stream quietly when they are zeros, as damage otherwise. The
//! input ending inside a frame is a stream cut short (`UnexpectedEof`).

use std::io::{self, BufRead, Read};

use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

use super::decoder::{Decoder, Head, Views};
use super::gzip::skip_zeros;
use crate::origin::Via;

/// The zstd decoder.
pub struct Zstd;

/// A zstd frame's magic number, as it is stored.
pub const MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// The largest window a frame may ask for: `zstd --ultra -22`'s (128 MiB).
pub const MAX_WINDOW: u64 = 128 << 20;

impl Decoder for Zstd {
    fn via(&self) -> Via {
        Via {
            id: "zstd",
            keeps_positions: false,
        }
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        head.bytes.starts_with(&MAGIC) || (is_skippable(head.bytes) && head.bytes.len() >= 8)
    }

    fn open(&self, _head: &Head<'_>, input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
        let mut frames = Frames::new(input);
        views.stream(&mut frames, "to decompress it (zstd)");
        Ok(())
    }
}

/// The magic of a skippable frame: `0x184D2A5?`, little-endian.
fn is_skippable(magic: &[u8]) -> bool {
    matches!(magic, [m, 0x2A, 0x4D, 0x18, ..] if m & 0xF0 == 0x50)
}

/// The decompressed bytes of every frame.
pub struct Frames<R> {
    input: EofSeen<R>,
    decoder: FrameDecoder,
    in_frame: bool,
    frames: u64,
}

impl<R: BufRead> Frames<R> {
    pub fn new(input: R) -> Self {
        let mut decoder = FrameDecoder::new();
        decoder.set_max_window_size(MAX_WINDOW);
        Frames {
            input: EofSeen {
                inner: input,
                eof: false,
            },
            decoder,
            in_frame: false,
            frames: 0,
        }
    }

    /// A decoder error, as an I/O error: the input's end met inside a frame is a stream cut
    /// short, anything else damage.
    fn failed(&self, e: impl std::fmt::Display) -> io::Error {
        let text = e.to_string();
        let kind = if text.contains("window_size is too big") {
            // Not damage: more memory than one decoder may take.
            io::ErrorKind::OutOfMemory
        } else if self.input.eof {
            io::ErrorKind::UnexpectedEof
        } else {
            io::ErrorKind::InvalidData
        };
        io::Error::new(kind, format!("zstd: {text}"))
    }

    /// Between frames: starts the next one. False at the end of the frames.
    fn next_frame(&mut self) -> io::Result<bool> {
        loop {
            let mut magic = [0u8; 4];
            let got = read_up_to(&mut self.input, &mut magic)?;
            if got == 0 {
                return Ok(false);
            }
            if got < 4 || (magic != MAGIC && !is_skippable(&magic)) {
                if self.frames > 0 && magic[..got].iter().all(|&b| b == 0) && skip_zeros(&mut self.input)? {
                    return Ok(false);
                }
                let what = if got < 4 {
                    io::ErrorKind::UnexpectedEof
                } else {
                    io::ErrorKind::InvalidData
                };
                return Err(io::Error::new(
                    what,
                    "zstd: bytes after the last frame are not a frame",
                ));
            }
            if is_skippable(&magic) {
                let mut len = [0u8; 4];
                if read_up_to(&mut self.input, &mut len)? < 4 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "zstd: skippable frame cut short",
                    ));
                }
                let len = u64::from(u32::from_le_bytes(len));
                if io::copy(&mut (&mut self.input).take(len), &mut io::sink())? < len {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "zstd: skippable frame cut short",
                    ));
                }
                continue;
            }
            let source = (&magic[..]).chain(&mut self.input);
            if let Err(e) = self.decoder.reset(source) {
                return Err(self.failed(e));
            }
            self.frames += 1;
            self.in_frame = true;
            return Ok(true);
        }
    }
}

impl<R: BufRead> Read for Frames<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if !self.next_frame()? {
                    return Ok(0);
                }
                continue;
            }
            while self.decoder.can_collect() == 0 && !self.decoder.is_finished() {
                if let Err(e) = self
                    .decoder
                    .decode_blocks(&mut self.input, BlockDecodingStrategy::UptoBlocks(1))
                {
                    return Err(self.failed(e));
                }
            }
            let n = self.decoder.read(out)?;
            if n > 0 {
                return Ok(n);
            }
            if self.decoder.is_finished() {
                self.in_frame = false;
                if let (Some(stored), Some(computed)) = (
                    self.decoder.get_checksum_from_data(),
                    self.decoder.get_calculated_checksum(),
                ) {
                    if stored != computed {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "zstd: the frame's content checksum does not match",
                        ));
                    }
                }
            }
        }
    }
}

/// Reads until `buf` is full or the input ends; how many bytes it holds.
fn read_up_to(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// A reader that remembers whether its input ended.
struct EofSeen<R> {
    inner: R,
    eof: bool,
}

impl<R: BufRead> Read for EofSeen<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        if n == 0 && !out.is_empty() {
            self.eof = true;
        }
        Ok(n)
    }
}

impl<R: BufRead> BufRead for EofSeen<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let buf = self.inner.fill_buf()?;
        if buf.is_empty() {
            self.eof = true;
        }
        Ok(buf)
    }
    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zst(data: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
    }

    fn read_all(data: &[u8]) -> (Vec<u8>, io::Result<usize>) {
        let mut out = Vec::new();
        let r = Frames::new(data).read_to_end(&mut out);
        (out, r)
    }

    #[test]
    fn every_frame_skippable_frames_and_zero_padding() {
        let mut data = vec![0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3];
        data.extend(zst(b"one\n"));
        data.extend(zst(b"two\n"));
        data.extend([0u8; 7]);
        let (out, r) = read_all(&data);
        assert_eq!(out, b"one\ntwo\n");
        assert!(r.is_ok(), "{r:?}");
    }

    #[test]
    fn a_cut_is_cut_short_and_junk_is_damage_after_what_decoded() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let data = zst(&text);
        let (out, r) = read_all(&data[..data.len() / 2]);
        assert_eq!(r.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        assert!(!out.is_empty() && text.starts_with(&out));
        let mut junk = zst(b"kept\n");
        junk.extend(b"not a frame");
        let (out, r) = read_all(&junk);
        assert_eq!(out, b"kept\n");
        assert_eq!(r.unwrap_err().kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn a_window_larger_than_the_limit_is_refused() {
        // Frame header: single segment off, window descriptor asking for 2 GiB.
        let data = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0xA8, 0, 0, 0, 0];
        let (out, r) = read_all(&data);
        assert!(out.is_empty());
        assert_eq!(
            r.unwrap_err().kind(),
            io::ErrorKind::OutOfMemory,
            "not damage: a limit"
        );
    }
}

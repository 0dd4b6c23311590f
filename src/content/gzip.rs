//! gzip as `gzip -dc` reads it: every member of a multi-member file, in order, then
//! nothing more.
//!
//! Receives a `BufRead` positioned at a gzip header; hands on the concatenated decompressed
//! bytes of every member as a `Read`. After the last member, zero padding (what tape tools
//! and some writers append) ends the stream quietly and other trailing bytes end it with
//! [`Trailing::Junk`] noted (`gzip -dc` warns "trailing garbage ignored"; the raw view of
//! the file still scans them). A corrupt member is an error from `read`, after everything
//! decoded before it was handed on.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

use super::decoder::{Decoder, Head, Views};
use crate::origin::Via;

/// The gzip decoder: every member, decompressed, one level deeper.
pub struct Gzip;

impl Decoder for Gzip {
    fn via(&self) -> Via {
        Via {
            id: "gzip",
            keeps_positions: false,
        }
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        head.bytes.starts_with(&MAGIC[..2])
    }

    fn open(&self, _head: &Head<'_>, input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
        let mut members = Members::new(input);
        views.stream(&mut members, "to decompress it (gzip)");
        if members.trailing == Trailing::Junk {
            tracing::debug!("bytes after the last gzip member: scanned raw");
        }
        Ok(())
    }
}

/// gzip's magic bytes (with the only compression method there is, deflate).
pub const MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// What followed the last member.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Trailing {
    #[default]
    Nothing,
    Zeros,
    Junk,
}

/// The decompressed bytes of every member.
pub struct Members<R: BufRead> {
    state: State<R>,
    pub members: u64,
    pub trailing: Trailing,
}

enum State<R: BufRead> {
    Member(Box<GzDecoder<Ahead<R>>>),
    Between(Ahead<R>),
    Done,
}

impl<R: BufRead> Members<R> {
    pub fn new(input: R) -> Self {
        Members {
            state: State::Between(Ahead {
                inner: input,
                carry: Vec::new(),
            }),
            members: 0,
            trailing: Trailing::Nothing,
        }
    }
}

/// A `BufRead` that can look two bytes ahead even where its input's buffer ends between
/// them (a member's magic split across a read: the input's buffer holds only `0x1f`).
struct Ahead<R> {
    inner: R,
    /// Bytes taken from `inner` to look at, handed out before `inner`'s.
    carry: Vec<u8>,
}

impl<R: BufRead> Ahead<R> {
    /// Up to the next two bytes, without consuming them (fewer only at the end).
    fn peek2(&mut self) -> io::Result<&[u8]> {
        while self.carry.len() < 2 {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let take = buf.len().min(2 - self.carry.len());
            self.carry.extend_from_slice(&buf[..take]);
            self.inner.consume(take);
        }
        Ok(&self.carry)
    }
}

impl<R: BufRead> Read for Ahead<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Ahead<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.carry.is_empty() {
            self.inner.fill_buf()
        } else {
            Ok(&self.carry)
        }
    }
    fn consume(&mut self, n: usize) {
        if self.carry.is_empty() {
            self.inner.consume(n);
        } else {
            self.carry.drain(..n.min(self.carry.len()));
        }
    }
}

impl<R: BufRead> Read for Members<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return Ok(0),
                State::Member(mut decoder) => match decoder.read(out) {
                    Ok(0) if !out.is_empty() => self.state = State::Between(decoder.into_inner()),
                    Ok(n) => {
                        self.state = State::Member(decoder);
                        return Ok(n);
                    }
                    Err(e) => return Err(e),
                },
                State::Between(mut input) => {
                    let head = input.peek2()?;
                    if head.is_empty() {
                        return Ok(0);
                    }
                    if head.starts_with(&MAGIC[..2]) || (self.members == 0) {
                        self.members += 1;
                        self.state = State::Member(Box::new(GzDecoder::new(input)));
                        continue;
                    }
                    self.trailing = if skip_zeros(&mut input)? {
                        Trailing::Zeros
                    } else {
                        Trailing::Junk
                    };
                    return Ok(0);
                }
            }
        }
    }
}

/// Consumes zero bytes (the padding after a gzip or zstd stream); true when nothing else
/// follows them.
pub(super) fn skip_zeros(input: &mut dyn BufRead) -> io::Result<bool> {
    loop {
        let head = input.fill_buf()?;
        if head.is_empty() {
            return Ok(true);
        }
        let zeros = head.iter().take_while(|&&b| b == 0).count();
        if zeros == 0 {
            return Ok(false);
        }
        input.consume(zeros);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn read_all(data: &[u8]) -> (Vec<u8>, io::Result<()>, Trailing) {
        let mut m = Members::new(data);
        let mut out = Vec::new();
        let r = m.read_to_end(&mut out).map(|_| ());
        (out, r, m.trailing)
    }

    /// A reader that hands out at most `step` bytes per fill (a stream's pieces).
    struct Chunked<'a> {
        data: &'a [u8],
        step: usize,
    }
    impl Read for Chunked<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.data.len().min(self.step).min(out.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_member_whose_magic_is_split_across_reads_is_still_read() {
        let first = gz(b"one\n");
        let mut data = first.clone();
        data.extend(gz(b"two\n"));
        // Every split point, including the one between the second member's 0x1f and 0x8b.
        for step in 1..=data.len() {
            let input = io::BufReader::with_capacity(step, Chunked { data: &data, step });
            let mut out = Vec::new();
            Members::new(input).read_to_end(&mut out).unwrap();
            assert_eq!(out, b"one\ntwo\n", "split every {step} bytes");
        }
        // And exactly at the boundary, as a 4 KiB head followed by the rest does it.
        let cut = first.len() + 1;
        let input = io::BufReader::new(io::Cursor::new(&data[..cut]).chain(io::Cursor::new(&data[cut..])));
        let mut out = Vec::new();
        Members::new(input).read_to_end(&mut out).unwrap();
        assert_eq!(out, b"one\ntwo\n");
    }

    #[test]
    fn reads_every_member_and_stops_quietly_at_zero_padding() {
        let mut data = gz(b"one\n");
        data.extend(gz(b"two\n"));
        let (out, r, trailing) = read_all(&data);
        assert!(r.is_ok());
        assert_eq!(out, b"one\ntwo\n");
        assert_eq!(trailing, Trailing::Nothing);
        data.extend([0u8; 512]);
        let (out, r, trailing) = read_all(&data);
        assert_eq!(
            (out.as_slice(), r.is_ok(), trailing),
            (&b"one\ntwo\n"[..], true, Trailing::Zeros)
        );
    }

    #[test]
    fn keeps_what_came_before_trailing_junk_or_corruption() {
        let mut data = gz(b"kept\n");
        data.extend_from_slice(b"garbage that is not gzip");
        let (out, r, trailing) = read_all(&data);
        assert_eq!(
            (out.as_slice(), r.is_ok(), trailing),
            (&b"kept\n"[..], true, Trailing::Junk)
        );
        // A corrupt second member: the first member's bytes come out, then the error.
        let mut data = gz(b"first\n");
        let mut second = gz(&vec![b'x'; 10_000]);
        let len = second.len();
        second[len / 2] ^= 0xff;
        second.truncate(len - 4);
        data.extend(second);
        let mut m = Members::new(&data[..]);
        let mut out = Vec::new();
        let r = m.read_to_end(&mut out);
        assert!(r.is_err());
        assert!(
            out.starts_with(b"first\n"),
            "{}",
            String::from_utf8_lossy(&out[..6])
        );
    }
}

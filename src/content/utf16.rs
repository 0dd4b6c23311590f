//! UTF-16 text (what Windows PowerShell's `>` and `Out-File` write) → UTF-8.
//!
//! Receives the first bytes of a stream to recognise UTF-16LE or UTF-16BE, from a byte
//! order mark or, without one, from ASCII interleaved with NULs; then a reader of the whole
//! stream, handed on as UTF-8 (an unpaired surrogate becomes U+FFFD), so that lines and
//! columns are those of the decoded text. Memory is a fixed buffer.

use std::io::{self, BufRead, Read};

use super::decoder::{Decoder, Head, Views};
use crate::origin::Via;

/// The UTF-16 decoders, one per byte order: the item's text as UTF-8, at the item's own
/// level, in lines and columns of the text (which are the file's).
pub struct Utf16 {
    order: Order,
}

/// UTF-16LE (what Windows PowerShell writes).
pub static UTF16_LE: Utf16 = Utf16 { order: Order::Le };
/// UTF-16BE.
pub static UTF16_BE: Utf16 = Utf16 { order: Order::Be };

impl Decoder for Utf16 {
    fn via(&self) -> Via {
        Via {
            id: match self.order {
                Order::Le => "utf-16le",
                Order::Be => "utf-16be",
            },
            keeps_positions: true,
        }
    }

    fn deepens(&self) -> bool {
        false
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        sniff(head.bytes).is_some_and(|(order, _)| order == self.order)
    }

    fn open(&self, head: &Head<'_>, input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
        let bom = sniff(head.bytes).map_or(0, |(_, bom)| bom);
        input.consume(bom);
        views.text(&mut ToUtf8::new(input, self.order))
    }
}

/// Which byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Le,
    Be,
}

/// How many leading bytes are looked at without a BOM.
const SNIFF: usize = 512;

/// Recognises UTF-16 from the first bytes: the order and the BOM's length (0 or 2).
pub fn sniff(head: &[u8]) -> Option<(Order, usize)> {
    match head {
        [0xFF, 0xFE, ..] => return Some((Order::Le, 2)),
        [0xFE, 0xFF, ..] => return Some((Order::Be, 2)),
        _ => {}
    }
    let head = &head[..head.len().min(SNIFF) & !1];
    // ASCII text in UTF-16 has a zero in its first code unit: most files fail here.
    if head.len() < 16 || (head[0] != 0 && head[1] != 0) {
        return None;
    }
    let units = head.len() / 2;
    let ascii = |b: u8| b == b'\t' || b == b'\n' || b == b'\r' || (0x20..0x7f).contains(&b);
    let count = |low: usize| {
        head.chunks_exact(2)
            .filter(|pair| pair[1 - low] == 0 && ascii(pair[low]))
            .count()
    };
    // 90 % of the code units are ASCII with a zero high byte.
    let enough = |n: usize| n * 10 >= units * 9;
    if enough(count(0)) {
        Some((Order::Le, 0))
    } else if enough(count(1)) {
        Some((Order::Be, 0))
    } else {
        None
    }
}

/// A reader of UTF-16 code units that hands on UTF-8.
pub struct ToUtf8<R: Read> {
    inner: R,
    order: Order,
    input: Box<[u8; 8192]>,
    /// Undecoded input bytes: `input[start..end]`.
    start: usize,
    end: usize,
    /// UTF-8 waiting to be handed on.
    output: Vec<u8>,
    out_at: usize,
    /// A high surrogate waiting for its pair.
    high: Option<u16>,
    eof: bool,
}

impl<R: Read> ToUtf8<R> {
    pub fn new(inner: R, order: Order) -> Self {
        ToUtf8 {
            inner,
            order,
            input: Box::new([0; 8192]),
            start: 0,
            end: 0,
            output: Vec::with_capacity(8192 * 2),
            out_at: 0,
            high: None,
            eof: false,
        }
    }

    fn unit(&self, pair: [u8; 2]) -> u16 {
        match self.order {
            Order::Le => u16::from_le_bytes(pair),
            Order::Be => u16::from_be_bytes(pair),
        }
    }

    fn push(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.output.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    /// Decodes the buffered input into `output`.
    fn decode(&mut self) {
        while self.end - self.start >= 2 {
            let u = self.unit([self.input[self.start], self.input[self.start + 1]]);
            self.start += 2;
            match (self.high.take(), u) {
                (Some(h), 0xDC00..=0xDFFF) => {
                    let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                    self.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                (h, 0xD800..=0xDBFF) => {
                    if h.is_some() {
                        self.push(char::REPLACEMENT_CHARACTER);
                    }
                    self.high = Some(u);
                }
                (h, u) => {
                    if h.is_some() {
                        self.push(char::REPLACEMENT_CHARACTER);
                    }
                    let c = char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER);
                    self.push(c);
                }
            }
        }
    }
}

impl<R: Read> Read for ToUtf8<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.out_at == self.output.len() {
            self.output.clear();
            self.out_at = 0;
            if self.eof {
                return Ok(0);
            }
            // Keep an odd trailing byte for the next read.
            self.input.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            let n = loop {
                match self.inner.read(&mut self.input[self.end..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            if n == 0 {
                self.eof = true;
                if self.high.take().is_some() || self.end % 2 == 1 {
                    self.push(char::REPLACEMENT_CHARACTER);
                }
                continue;
            }
            self.end += n;
            self.decode();
        }
        let n = out.len().min(self.output.len() - self.out_at);
        out[..n].copy_from_slice(&self.output[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(s: &str, order: Order, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(match order {
                Order::Le => [0xFF, 0xFE],
                Order::Be => [0xFE, 0xFF],
            });
        }
        for u in s.encode_utf16() {
            out.extend(match order {
                Order::Le => u.to_le_bytes(),
                Order::Be => u.to_be_bytes(),
            });
        }
        out
    }

    #[test]
    fn recognises_both_orders_with_and_without_a_bom() {
        let text = "$env:INTERCOM = 'x'\r\nWrite-Host done\r\n";
        for order in [Order::Le, Order::Be] {
            assert_eq!(sniff(&encode(text, order, true)), Some((order, 2)));
            assert_eq!(sniff(&encode(text, order, false)), Some((order, 0)));
        }
        assert_eq!(sniff(b"plain ascii text that is long enough"), None);
        assert_eq!(sniff(&[0u8; 64]), None);
    }

    #[test]
    fn decodes_to_utf8_across_reads_and_surrogates() {
        let text = "a\u{1F600}b caf\u{e9}\n".repeat(3000);
        for order in [Order::Le, Order::Be] {
            let bytes = encode(&text, order, false);
            let mut d = ToUtf8::new(&bytes[..], order);
            let mut out = String::new();
            d.read_to_string(&mut out).unwrap();
            assert_eq!(out, text);
        }
        let mut d = ToUtf8::new(&[0x3D, 0xD8, 0x41, 0x00][..], Order::Le);
        let mut out = String::new();
        d.read_to_string(&mut out).unwrap();
        assert_eq!(out, "\u{FFFD}A");
    }
}

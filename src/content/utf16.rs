//! UTF-16 text (what Windows PowerShell's `>` and `Out-File` write) → UTF-8.
//!
//! Receives the first bytes of a stream to recognise UTF-16LE or UTF-16BE, from a byte
//! order mark or, without one, from ASCII interleaved with NULs; then a reader of the whole
//! stream, handed on as UTF-8 (an unpaired surrogate becomes U+FFFD), so that lines and
//! columns are those of the decoded text. Memory is a fixed buffer.
//!
//! Encodings that change within a file are followed both ways, on every source alike:
//! - in a UTF-16 view, a stretch of 8-bit text (ASCII appended to a UTF-16 file) is handed
//!   on as it is, and a stray byte that shifts the code units by one is stepped over
//!   ([`ToUtf8`]);
//! - in any other bytes, runs of UTF-16 ASCII text ([`runs`]: a UTF-16LE line that Windows
//!   PowerShell 5.1's `>>` appended to a UTF-8 `.env`, at either alignment) are decoded and
//!   scanned besides the plain bytes (the content layer's stream and whole-item scans call it
//!   for text, [`text_like`]; a piece without a NUL byte costs one `memchr`).

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

/// Fewest code units of ASCII text that make a UTF-16 run (or, in a UTF-16 view, a stretch
/// of 8-bit text): a token is 60.
pub const MIN_RUN: usize = 8;

/// Text bytes: printable ASCII, tab and line breaks.
fn text_byte(b: u8) -> bool {
    b == b'\t' || b == b'\n' || b == b'\r' || (0x20..0x7f).contains(&b)
}

/// Whether bytes that start with `head` are text in which UTF-16 runs are looked for: no
/// control bytes besides NUL (which UTF-16 runs are made of), tab, line breaks, form feed
/// and escape. A binary (a program, an image, random bytes) is not: its NULs would cost a
/// look each, and UTF-16 strings inside binaries are a known limit (docs/design.md).
pub fn text_like(head: &[u8]) -> bool {
    head[..head.len().min(4096)]
        .iter()
        .all(|&b| b >= 0x20 || matches!(b, 0 | b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
}

/// Every run of at least [`MIN_RUN`] ASCII characters written as UTF-16 (each followed, or
/// preceded, by a NUL byte: both byte orders, at either alignment) in `bytes`: `each` gets
/// the offset of the run's first byte and its characters (in `text`, reused).
pub fn runs(bytes: &[u8], text: &mut Vec<u8>, each: &mut dyn FnMut(usize, &[u8])) {
    let len = bytes.len();
    let mut from = 0;
    while let Some(z) = memchr::memchr(0, &bytes[from..]) {
        let z = from + z;
        // A run of zeros (padding in a binary) is skipped whole.
        if bytes.get(z + 1) == Some(&0) {
            from = z + 1;
            while from < len && bytes[from] == 0 {
                from += 1;
            }
            continue;
        }
        // `c 0 c 0 c`: a text byte on each side and a NUL two bytes on.
        let candidate =
            z > 0 && z + 2 < len && text_byte(bytes[z - 1]) && text_byte(bytes[z + 1]) && bytes[z + 2] == 0;
        if !candidate {
            from = z + 1;
            continue;
        }
        let mut start = z - 1;
        while start >= 2 && bytes[start - 1] == 0 && text_byte(bytes[start - 2]) {
            start -= 2;
        }
        let mut end = z + 1; // the last text byte of the run
        while end + 2 < len && bytes[end + 1] == 0 && text_byte(bytes[end + 2]) {
            end += 2;
        }
        let units = (end - start) / 2 + 1;
        if units >= MIN_RUN {
            text.clear();
            text.extend(bytes[start..=end].iter().step_by(2));
            each(start, text);
        }
        from = end + 1;
    }
}

/// What a UTF-16 view is reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Code units.
    Units,
    /// 8-bit text (ASCII appended to a UTF-16 file), handed on as it is.
    Bytes,
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
    mode: Mode,
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
            mode: Mode::Units,
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

    /// Whether the next [`MIN_RUN`] units at `at` are ASCII text in this byte order, shifted
    /// by `shift` bytes (`None`: not enough bytes at hand to say).
    fn units_ahead(&self, at: usize, shift: usize) -> Option<bool> {
        let need = MIN_RUN * 2 + shift;
        let window = self.input.get(at..self.end).filter(|w| w.len() >= need)?;
        let (text, zero) = match self.order {
            Order::Le => (0, 1),
            Order::Be => (1, 0),
        };
        Some(
            window[shift..need]
                .chunks_exact(2)
                .all(|u| u[zero] == 0 && text_byte(u[text])),
        )
    }

    /// Whether the next [`MIN_RUN`] bytes at `at` are 8-bit text (no NUL among them).
    fn bytes_ahead(&self, at: usize) -> Option<bool> {
        let window = self.input.get(at..self.end).filter(|w| w.len() >= MIN_RUN * 2)?;
        Some(window[..MIN_RUN * 2].iter().all(|&b| b != 0 && text_byte(b)))
    }

    /// Decodes the buffered input into `output`. Near the end of the buffer it waits for
    /// more (unless the input ended), so that a change of encoding is judged on whole runs.
    fn decode(&mut self) {
        loop {
            if self.mode == Mode::Bytes {
                let at = self.start;
                if at == self.end {
                    return;
                }
                // Back to code units where a UTF-16 run starts, at either alignment.
                let back = [0, 1]
                    .into_iter()
                    .find(|&shift| self.units_ahead(at, shift) == Some(true));
                match back {
                    Some(shift) => {
                        self.output.extend_from_slice(&self.input[at..at + shift]);
                        self.start += shift;
                        self.mode = Mode::Units;
                    }
                    None if self.end - at < MIN_RUN * 2 + 1 && !self.eof => return,
                    None => {
                        self.output.push(self.input[at]);
                        self.start += 1;
                    }
                }
                continue;
            }
            if self.end - self.start < 2 {
                return;
            }
            if self.end - self.start < MIN_RUN * 2 + 1 && !self.eof {
                return;
            }
            let pair = [self.input[self.start], self.input[self.start + 1]];
            let ascii_unit = match self.order {
                Order::Le => pair[1] == 0 && text_byte(pair[0]),
                Order::Be => pair[0] == 0 && text_byte(pair[1]),
            };
            if !ascii_unit && self.high.is_none() && self.units_ahead(self.start, 0) == Some(false) {
                // A stray byte: the units go on one byte later.
                if self.units_ahead(self.start, 1) == Some(true) {
                    self.push(char::REPLACEMENT_CHARACTER);
                    self.start += 1;
                    continue;
                }
                // 8-bit text appended: handed on as it is.
                if self.bytes_ahead(self.start) == Some(true) {
                    self.mode = Mode::Bytes;
                    continue;
                }
            }
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
                self.decode();
                if self.high.take().is_some() || self.start < self.end {
                    self.push(char::REPLACEMENT_CHARACTER);
                }
                self.start = self.end;
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

    fn decoded(bytes: &[u8], order: Order) -> String {
        // Read in small steps, so every change of encoding meets a buffer's end somewhere.
        struct Slow<'a>(&'a [u8]);
        impl Read for Slow<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let n = out.len().min(self.0.len()).min(7);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = String::new();
        ToUtf8::new(Slow(bytes), order).read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn ascii_appended_and_a_stray_byte_are_followed() {
        for order in [Order::Le, Order::Be] {
            let mut bytes = encode("$a = 1\r\n$b = 'caf\u{e9}'\r\n", order, true);
            bytes.extend(b"T=appended-as-ascii-text\n");
            let out = decoded(&bytes, order);
            assert!(
                out.ends_with("$b = 'caf\u{e9}'\r\nT=appended-as-ascii-text\n"),
                "{out:?}"
            );
            // A stray byte between two UTF-16 lines: the second is still read.
            let mut bytes = encode("first line here\r\n", order, false);
            bytes.push(b'x');
            bytes.extend(encode("second line here\r\n", order, false));
            let out = decoded(&bytes, order);
            assert!(out.starts_with("first line here\r\n"), "{out:?}");
            assert!(out.ends_with("second line here\r\n"), "{out:?}");
            // And UTF-16 again after the ASCII.
            let mut bytes = encode("one two three\r\n", order, false);
            bytes.extend(b"plain ascii line\n");
            bytes.extend(encode("four five six\r\n", order, false));
            assert_eq!(
                decoded(&bytes, order),
                "one two three\r\nplain ascii line\nfour five six\r\n"
            );
        }
    }

    #[test]
    fn runs_of_utf16_text_are_found_at_either_alignment() {
        let mut found = Vec::new();
        let mut text = Vec::new();
        for lead in [&b"A=1\n"[..], b"A=12\n", b"\x00\x00\x00bin\x00"] {
            let mut bytes = lead.to_vec();
            bytes.extend(encode("T=a run of text\r\n", Order::Le, true));
            bytes.extend(b"\xfftail");
            found.clear();
            runs(&bytes, &mut text, &mut |at, t| found.push((at, t.to_vec())));
            assert_eq!(
                found,
                [(lead.len() + 2, b"T=a run of text\r\n".to_vec())],
                "{lead:?}"
            );
        }
        // Short runs and zeros are not text.
        found.clear();
        runs(
            b"a\x00b\x00c\x00\x00\x00\x00\x00plain",
            &mut text,
            &mut |at, t| found.push((at, t.to_vec())),
        );
        assert!(found.is_empty());
    }
}

//! Test inputs made the way tools write them: UTF-16 text, wrapped values, and a small
//! deterministic source of bytes for corruption loops and benchmark corpora.

/// `s` in UTF-16 (big-endian with `be`), with a byte-order mark when `bom`.
pub fn utf16(s: &str, be: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend(if be { [0xFE, 0xFF] } else { [0xFF, 0xFE] });
    }
    for u in s.encode_utf16() {
        out.extend(if be { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    out
}

/// `s` (ASCII) cut every `width` characters, each line after the first indented by
/// `indent`, joined with `join` (a line break, or a `\` continuation).
pub fn wrap(s: &str, width: usize, indent: &str, join: &str) -> String {
    s.as_bytes()
        .chunks(width)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(&format!("{join}{indent}"))
}

/// xorshift64: the same numbers for the same seed, on every machine.
pub struct XorShift(pub u64);

impl XorShift {
    /// The next number. (Not an Iterator: the sequence never ends, and callers want `u64`s.)
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number below `n` (0 for `n` = 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n.div_ceil(8))
            .flat_map(|_| self.next().to_le_bytes())
            .take(n)
            .collect()
    }
}

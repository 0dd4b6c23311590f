//! Zip archives built byte by byte, in the layouts archivers really write:
//!
//! - [`Layout::Seekable`]: sizes and CRC-32 in each local header (what a writer that can
//!   seek back writes: `zip`, Python's `zipfile` to a file);
//! - [`Layout::Streamed`]: general-purpose flag bit 3, zeros in the local header, and a
//!   signed data descriptor (`PK\x07\x08`, CRC-32, sizes) after the data (what a writer to
//!   a pipe writes: `zipfile` to a non-seekable stream, Java's `ZipOutputStream`);
//! - zip64 ([`Zip64`]): 8-byte sizes in an extra field (id 1), with the local header's
//!   32-bit sizes either `0xFFFFFFFF` or the real ones (writers differ: Python's `zipfile`
//!   changed from one to the other within 3.11), and 8-byte sizes in a data descriptor.
//!
//! Each archive ends with a central directory and an end record. Tests build what they
//! mean instead of depending on one archiver's exact bytes.

use std::io::Write as _;

/// How a member is stored.
#[derive(Clone, Debug)]
pub enum Method {
    /// Method 0.
    Stored,
    /// Method 8 (raw deflate).
    Deflated,
    /// Any other method id, with the bytes to write as its compressed data.
    Other { id: u16, payload: Vec<u8> },
}

/// Where sizes go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    Seekable,
    Streamed,
}

/// Whether a member carries zip64 sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zip64 {
    No,
    /// An extra field with the sizes; `0xFFFFFFFF` in the header's 32-bit fields.
    Masked,
    /// An extra field with the sizes; the real sizes in the header's 32-bit fields too.
    Both,
}

/// An archive being built.
pub struct Zip {
    layout: Layout,
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

/// CRC-32 of `data` (zip's and gzip's).
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

/// Raw deflate of `data`.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("writing to memory");
    e.finish().expect("writing to memory")
}

/// gzip of `data` (one member).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("writing to memory");
    e.finish().expect("writing to memory")
}

impl Zip {
    pub fn new(layout: Layout) -> Zip {
        Zip {
            layout,
            out: Vec::new(),
            central: Vec::new(),
            entries: 0,
        }
    }

    /// Sizes in the local headers.
    pub fn seekable() -> Zip {
        Zip::new(Layout::Seekable)
    }

    /// Data descriptors after the data.
    pub fn streamed() -> Zip {
        Zip::new(Layout::Streamed)
    }

    /// Bytes of members (and raw bytes) written so far.
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// True before anything was written.
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// Bytes written as they are (junk between members, a prefix).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Zip {
        self.out.extend_from_slice(bytes);
        self
    }

    pub fn stored(&mut self, name: impl AsRef<[u8]>, data: &[u8]) -> &mut Zip {
        self.member(name, data, Method::Stored, Zip64::No)
    }

    pub fn deflated(&mut self, name: impl AsRef<[u8]>, data: &[u8]) -> &mut Zip {
        self.member(name, data, Method::Deflated, Zip64::No)
    }

    /// One member: its local header, data and (streamed) data descriptor.
    pub fn member(&mut self, name: impl AsRef<[u8]>, data: &[u8], method: Method, zip64: Zip64) -> &mut Zip {
        let name = name.as_ref();
        let (id, body) = match method {
            Method::Stored => (0u16, data.to_vec()),
            Method::Deflated => (8, deflate(data)),
            Method::Other { id, payload } => (id, payload),
        };
        let crc = crc32(data);
        let (csize, usize) = (body.len() as u64, data.len() as u64);
        let streamed = self.layout == Layout::Streamed;
        let offset = self.out.len() as u32;
        let wide = zip64 != Zip64::No;
        // The local header's view: a streamed member says nothing until its descriptor.
        let (h_crc, h_csize, h_usize) = if streamed { (0, 0, 0) } else { (crc, csize, usize) };
        let extra = if wide {
            let mut e = 1u16.to_le_bytes().to_vec();
            e.extend_from_slice(&16u16.to_le_bytes());
            e.extend_from_slice(&h_usize.to_le_bytes());
            e.extend_from_slice(&h_csize.to_le_bytes());
            e
        } else {
            Vec::new()
        };
        let narrow = |n: u64| match zip64 {
            Zip64::Masked if !streamed => u32::MAX,
            _ => u32::try_from(n).unwrap_or(u32::MAX),
        };
        let version: u16 = if wide { 45 } else { 20 };
        let flags: u16 = if streamed { 0x08 } else { 0 };
        let mut local = b"PK\x03\x04".to_vec();
        local.extend_from_slice(&version.to_le_bytes());
        local.extend_from_slice(&flags.to_le_bytes());
        local.extend_from_slice(&id.to_le_bytes());
        local.extend_from_slice(&[0, 0, 0x21, 0]); // 00:00, 1980-01-01
        local.extend_from_slice(&h_crc.to_le_bytes());
        local.extend_from_slice(&narrow(h_csize).to_le_bytes());
        local.extend_from_slice(&narrow(h_usize).to_le_bytes());
        local.extend_from_slice(&(name.len() as u16).to_le_bytes());
        local.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        local.extend_from_slice(name);
        local.extend_from_slice(&extra);
        self.out.extend_from_slice(&local);
        self.out.extend_from_slice(&body);
        if streamed {
            self.out.extend_from_slice(b"PK\x07\x08");
            self.out.extend_from_slice(&crc.to_le_bytes());
            if wide {
                self.out.extend_from_slice(&csize.to_le_bytes());
                self.out.extend_from_slice(&usize.to_le_bytes());
            } else {
                self.out.extend_from_slice(&(csize as u32).to_le_bytes());
                self.out.extend_from_slice(&(usize as u32).to_le_bytes());
            }
        }
        let mut central = b"PK\x01\x02".to_vec();
        central.extend_from_slice(&version.to_le_bytes()); // made by
        central.extend_from_slice(&local[4..14]); // needed, flags, method, time, date
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&u32::try_from(csize).unwrap_or(u32::MAX).to_le_bytes());
        central.extend_from_slice(&u32::try_from(usize).unwrap_or(u32::MAX).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
        self.central.extend_from_slice(&central);
        self.entries += 1;
        self
    }

    /// The archive: what was added, the central directory and the end record.
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.out);
        let at = out.len() as u32;
        out.extend_from_slice(&self.central);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&self.entries.to_le_bytes());
        out.extend_from_slice(&self.entries.to_le_bytes());
        out.extend_from_slice(&(self.central.len() as u32).to_le_bytes());
        out.extend_from_slice(&at.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        self.central.clear();
        self.entries = 0;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le16(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }

    fn le32(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    #[test]
    fn layouts_put_sizes_where_they_say() {
        let seekable = Zip::seekable().stored("a", b"hello").finish();
        assert_eq!(
            (le16(&seekable, 6), le32(&seekable, 14), le32(&seekable, 18)),
            (0, crc32(b"hello"), 5)
        );
        let streamed = Zip::streamed().stored("a", b"hello").finish();
        assert_eq!((le16(&streamed, 6), le32(&streamed, 18)), (8, 0));
        assert_eq!(&streamed[31 + 5..31 + 9], b"PK\x07\x08");
        let masked = Zip::seekable()
            .member("a", b"x", Method::Stored, Zip64::Masked)
            .finish();
        assert_eq!(
            (le32(&masked, 18), le16(&masked, 28), le16(&masked, 31)),
            (u32::MAX, 20, 1)
        );
        let both = Zip::seekable()
            .member("a", b"x", Method::Stored, Zip64::Both)
            .finish();
        assert_eq!(le32(&both, 18), 1);
        assert!(seekable.ends_with(&[0, 0]) && seekable.windows(4).any(|w| w == b"PK\x05\x06"));
    }
}

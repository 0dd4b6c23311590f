//! tar archives built byte by byte: ustar headers (with the prefix field for long paths),
//! GNU long names (`././@LongLink`), pax `path=` records, directories and symlinks, so no
//! test depends on one version of tar or Python's `tarfile`.

/// One archive entry.
pub struct Entry {
    name: String,
    data: Vec<u8>,
    kind: u8,
    link: String,
    long: Long,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Long {
    /// A ustar header (the path split into prefix and name where it must be).
    Ustar,
    /// A GNU `L` record before the header.
    Gnu,
    /// A pax `x` header with `path=`.
    Pax,
}

impl Entry {
    pub fn file(name: &str, data: &[u8]) -> Entry {
        Entry {
            name: name.to_string(),
            data: data.to_vec(),
            kind: b'0',
            link: String::new(),
            long: Long::Ustar,
        }
    }

    pub fn dir(name: &str) -> Entry {
        Entry {
            kind: b'5',
            ..Entry::file(name, b"")
        }
    }

    pub fn symlink(name: &str, target: &str) -> Entry {
        Entry {
            kind: b'2',
            link: target.to_string(),
            ..Entry::file(name, b"")
        }
    }

    /// The name in a GNU long-name record (`././@LongLink`), as GNU tar writes names over
    /// 100 bytes.
    pub fn gnu_long_name(mut self) -> Entry {
        self.long = Long::Gnu;
        self
    }

    /// The name in a pax extended header (`path=`), as `tar --format=pax` writes it.
    pub fn pax_path(mut self) -> Entry {
        self.long = Long::Pax;
        self
    }
}

/// An archive being built.
#[derive(Default)]
pub struct Tar {
    out: Vec<u8>,
}

fn header(name: &[u8], prefix: &[u8], size: usize, kind: u8, link: &[u8], gnu: bool) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0001750\0");
    h[116..124].copy_from_slice(b"0001750\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(b"14707060000\0");
    h[156] = kind;
    h[157..157 + link.len().min(100)].copy_from_slice(&link[..link.len().min(100)]);
    if gnu {
        h[257..265].copy_from_slice(b"ustar  \0");
    } else {
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[345..345 + prefix.len()].copy_from_slice(prefix);
    }
    h[265..269].copy_from_slice(b"user");
    h[297..302].copy_from_slice(b"group");
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

impl Tar {
    pub fn new() -> Tar {
        Tar::default()
    }

    fn record(&mut self, h: [u8; 512], data: &[u8]) {
        self.out.extend_from_slice(&h);
        self.out.extend_from_slice(data);
        self.out.resize(self.out.len().div_ceil(512) * 512, 0);
    }

    pub fn add(&mut self, e: Entry) -> &mut Tar {
        let name = e.name.as_bytes();
        let (prefix, short): (&[u8], &[u8]) = match e.long {
            Long::Gnu => {
                let mut long = name.to_vec();
                long.push(0);
                self.record(header(b"././@LongLink", b"", long.len(), b'L', b"", true), &long);
                (b"", &name[..name.len().min(100)])
            }
            Long::Pax => {
                let body = format!("path={}\n", e.name);
                // The record's length counts its own digits.
                let mut len = body.len() + 2;
                while format!("{len} {body}").len() != len {
                    len += 1;
                }
                let rec = format!("{len} {body}");
                self.record(
                    header(b"PaxHeaders/x", b"", rec.len(), b'x', b"", false),
                    rec.as_bytes(),
                );
                (b"", &name[..name.len().min(100)])
            }
            Long::Ustar if name.len() > 100 => {
                // Split at a slash: prefix (at most 155 bytes) / name (at most 100).
                let at = name[..name.len().min(156)]
                    .iter()
                    .rposition(|&b| b == b'/')
                    .expect("a ustar path over 100 bytes needs a slash to split at");
                (&name[..at], &name[at + 1..])
            }
            Long::Ustar => (b"", name),
        };
        let h = header(
            short,
            prefix,
            e.data.len(),
            e.kind,
            e.link.as_bytes(),
            e.long == Long::Gnu,
        );
        self.record(h, &e.data);
        self
    }

    /// The archive with its end marker (two zero blocks, padded to a 10 KiB record as tar
    /// writes it).
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.out);
        out.extend_from_slice(&[0u8; 1024]);
        out.resize(out.len().div_ceil(10240) * 10240, 0);
        out
    }
}

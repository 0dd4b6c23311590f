//! Sequential reader of tar archives: POSIX ustar, GNU (`././@LongLink` long names, base-256
//! sizes, sparse members read as their stored data) and pax (`path=` and `size=` records).
//!
//! Receives an archive as a byte stream (`&mut dyn BufRead`: a file, a decompressed
//! stream, an archive member, standard input) and reads it once, front to back. Hands on one
//! [`Event`] per member with content: its name and a reader bounded to its data; the walk
//! skips what the visitor did not read. Directories, links and devices have no content and
//! are passed over; a member type it does not know is read as a file, as POSIX says.
//!
//! Invariant: memory stays constant whatever the sizes stated (one 512-byte header, a name
//! and a pax header of at most [`FIELD_MAX`] bytes each); every step consumes input, so
//! the walk ends on any input; a member's reader never yields bytes past its data.
//!
//! Why a reader of our own: the `tar` crate reads entries from a `Read` too, but owns the
//! reader (an entry borrows the archive), stops at the first damaged header without saying
//! how far it got, and keeps pax and long-name records whole in memory. This one is 300
//! lines, bounded, and says where the damage is.

use std::fmt;
use std::io::{self, BufRead, Read};

/// Bytes of a header block, and the unit archives are padded to.
pub const BLOCK: usize = 512;
/// Longest long name (GNU `L`) or pax header kept; the rest is skipped.
pub const FIELD_MAX: usize = 64 << 10;

/// What [`walk`] hands the visitor, one per member with content.
pub struct Event<'a> {
    /// The member's path as stored (bytes; a pax `path=` or GNU long name when there is one).
    pub name: &'a [u8],
    /// Its content, ending where the member ends.
    pub content: &'a mut dyn Read,
}

/// What a walk met.
#[derive(Debug, Default)]
pub struct Stats {
    /// Members handed on.
    pub members: u64,
    /// Headers with no content to read (directories, links, devices, labels).
    pub other: u64,
}

/// Why a walk stopped before the end of the archive.
#[derive(Debug)]
pub enum TarError {
    /// Reading the input failed, or the visitor returned an error.
    Io(io::Error),
    /// The archive is damaged or truncated; says what.
    Corrupt(&'static str),
}

impl fmt::Display for TarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TarError::Io(e) => write!(f, "tar: {e}"),
            TarError::Corrupt(what) => write!(f, "tar: {what}"),
        }
    }
}

impl std::error::Error for TarError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TarError::Io(e) => Some(e),
            TarError::Corrupt(_) => None,
        }
    }
}

impl From<io::Error> for TarError {
    fn from(e: io::Error) -> Self {
        TarError::Io(e)
    }
}

impl TarError {
    /// True when the archive ends before its end (a truncated download), not damaged.
    pub fn is_cut_short(&self) -> bool {
        match self {
            TarError::Corrupt(what) => *what == TRUNCATED_MSG,
            TarError::Io(e) => e.kind() == io::ErrorKind::UnexpectedEof,
        }
    }
}

const TRUNCATED_MSG: &str = "the archive ends inside a member or header";
const TRUNCATED: TarError = TarError::Corrupt(TRUNCATED_MSG);

/// True when `head` (the first bytes of a stream) starts with a tar header: a valid
/// checksum, and the ustar magic or an old (v7) header's plausible fields.
pub fn looks_like_tar(head: &[u8]) -> bool {
    let Some(h) = head.get(..BLOCK) else {
        return false;
    };
    if h.iter().all(|&b| b == 0) || !checksum_ok(h) {
        return false;
    }
    let ustar = &h[257..262] == b"ustar";
    // v7: a name, a file type of its time, an octal mode.
    let v7 = h[0] != 0 && matches!(h[156], b'0'..=b'7' | 0) && octal(&h[100..108]).is_some();
    ustar || v7
}

/// The header's checksum, as unsigned or (old writers) signed bytes, with the field itself
/// counted as spaces.
fn checksum_ok(h: &[u8]) -> bool {
    let Some(stored) = octal(&h[148..156]) else {
        return false;
    };
    let (mut unsigned, mut signed) = (0u64, 0i64);
    for (i, &b) in h.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// An octal number field (spaces and NULs around it), or GNU's base-256 when the first
/// byte's high bit is set.
fn octal(field: &[u8]) -> Option<u64> {
    if let Some((&first, rest)) = field.split_first() {
        if first & 0x80 != 0 {
            // base-256, positive only (a negative size is damage).
            if first & 0x40 != 0 {
                return None;
            }
            let mut v = u64::from(first & 0x3f);
            for &b in rest {
                v = v.checked_mul(256)?.checked_add(u64::from(b))?;
            }
            return Some(v);
        }
    }
    let text: &[u8] = {
        let start = field.iter().position(|&b| b != b' ' && b != 0)?;
        let end = field[start..]
            .iter()
            .position(|&b| b == b' ' || b == 0)
            .map_or(field.len(), |e| start + e);
        &field[start..end]
    };
    let mut v = 0u64;
    for &b in text {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        v = v.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

/// A NUL-terminated field.
fn cstr(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    &field[..end]
}

/// What the records before a header said about it (GNU long name, pax header).
#[derive(Default)]
struct Pending {
    name: Option<Vec<u8>>,
    size: Option<u64>,
}

/// Walks every member from the current position to the end of the archive (two zero
/// blocks, or the end of the input after a zero block or a whole member).
pub fn walk(
    input: &mut dyn BufRead,
    visit: &mut dyn FnMut(Event<'_>) -> io::Result<()>,
) -> Result<Stats, TarError> {
    let mut stats = Stats::default();
    let mut header = [0u8; BLOCK];
    let mut pending = Pending::default();
    let mut name = Vec::new();
    loop {
        match read_block(input, &mut header)? {
            0 => return Ok(stats), // the end of the input between members: as tar, fine
            BLOCK => {}
            _ => return Err(TRUNCATED),
        }
        if header.iter().all(|&b| b == 0) {
            // The end-of-archive marker; what follows (a second zero block, padding to a
            // record) is not read.
            return Ok(stats);
        }
        if !checksum_ok(&header) {
            return Err(TarError::Corrupt("a header's checksum does not match"));
        }
        let size = match pending.size.take() {
            Some(size) => size,
            None => octal(&header[124..136]).ok_or(TarError::Corrupt("a header's size is not a number"))?,
        };
        let kind = header[156];
        match kind {
            // GNU long name: the next header's name.
            b'L' => {
                let mut long = Vec::new();
                read_field(input, size, &mut long)?;
                long.truncate(cstr(&long).len());
                pending.name = Some(long);
                continue;
            }
            // pax extended header for the next member.
            b'x' => {
                let mut records = Vec::new();
                read_field(input, size, &mut records)?;
                pax(&records, &mut pending);
                continue;
            }
            // Global pax header, GNU long link name, volume label: nothing to scan.
            b'g' | b'K' | b'V' => {
                skip(input, padded(size))?;
                stats.other += 1;
                continue;
            }
            // Links, devices, directories, FIFOs: no content (a hard link's size is 0).
            b'1'..=b'6' => {
                skip(input, padded(size))?;
                pending = Pending::default();
                stats.other += 1;
                continue;
            }
            _ => {}
        }
        // Old GNU sparse members: extension blocks of the sparse map come before the data,
        // as long as each says another follows.
        if kind == b'S' && header[482] != 0 {
            let mut block = [0u8; BLOCK];
            loop {
                if read_block(input, &mut block)? < BLOCK {
                    return Err(TRUNCATED);
                }
                if block[504] == 0 {
                    break;
                }
            }
        }
        name.clear();
        match pending.name.take() {
            Some(long) => name.extend_from_slice(&long),
            None => {
                let prefix = cstr(&header[345..500]);
                // Only POSIX ustar has a prefix field; GNU keeps times there.
                if &header[257..263] == b"ustar\0" && !prefix.is_empty() {
                    name.extend_from_slice(prefix);
                    name.push(b'/');
                }
                name.extend_from_slice(cstr(&header[..100]));
            }
        }
        pending = Pending::default();
        let mut body = Body {
            input: &mut *input,
            left: size,
        };
        let visited = visit(Event {
            name: &name,
            content: &mut body,
        });
        let left = body.left;
        visited?;
        stats.members += 1;
        skip(input, left + (padded(size) - size))?;
    }
}

/// `size` rounded up to whole blocks.
fn padded(size: u64) -> u64 {
    size.div_ceil(BLOCK as u64).saturating_mul(BLOCK as u64)
}

/// Reads a block; the bytes read (fewer than a block only at the end of the input).
fn read_block(input: &mut dyn BufRead, block: &mut [u8; BLOCK]) -> io::Result<usize> {
    let mut got = 0;
    while got < BLOCK {
        match input.read(&mut block[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Skips `n` bytes; the input ending first is a truncated archive.
fn skip(input: &mut dyn BufRead, n: u64) -> Result<(), TarError> {
    let mut left = n;
    while left > 0 {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Err(TRUNCATED);
        }
        let take = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        input.consume(take);
        left -= take as u64;
    }
    Ok(())
}

/// Reads a record of `size` bytes (and its padding) into `into`, keeping at most
/// [`FIELD_MAX`] bytes of it.
fn read_field(input: &mut dyn BufRead, size: u64, into: &mut Vec<u8>) -> Result<(), TarError> {
    let keep = size.min(FIELD_MAX as u64);
    into.clear();
    (&mut *input).take(keep).read_to_end(into)?;
    if (into.len() as u64) < keep {
        return Err(TRUNCATED);
    }
    skip(input, padded(size) - keep)
}

/// Reads the pax records that matter here (`path`, `size`) into `pending`. A malformed
/// record ends the parse (what came before it stands).
fn pax(mut records: &[u8], pending: &mut Pending) {
    while !records.is_empty() {
        let Some(space) = records.iter().position(|&b| b == b' ') else {
            return;
        };
        let Some(len) = std::str::from_utf8(&records[..space])
            .ok()
            .and_then(|l| l.parse::<usize>().ok())
        else {
            return;
        };
        if len <= space + 1 || len > records.len() {
            return;
        }
        let record = &records[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(eq) = record.iter().position(|&b| b == b'=') {
            let (key, value) = (&record[..eq], &record[eq + 1..]);
            match key {
                b"path" => pending.name = Some(value.to_vec()),
                b"size" => {
                    pending.size = std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
                }
                _ => {}
            }
        }
        records = &records[len..];
    }
}

/// A member's data, as the visitor reads it.
struct Body<'i> {
    input: &'i mut dyn BufRead,
    left: u64,
}

impl Read for Body<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || out.is_empty() {
            return Ok(0);
        }
        let want = out.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.input.read(&mut out[..want])?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, TRUNCATED_MSG));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use intercept_test_support::tar::{Entry, Tar};

    /// `(name, content)` of each member.
    type Members = Vec<(Vec<u8>, Vec<u8>)>;

    fn collect(data: &[u8]) -> (Result<Stats, TarError>, Members) {
        let mut got = Vec::new();
        let r = walk(&mut &data[..], &mut |ev| {
            // As the content layer does: a member's error is its own; the walk goes on.
            let mut body = Vec::new();
            let _ = ev.content.read_to_end(&mut body);
            got.push((ev.name.to_vec(), body));
            Ok(())
        });
        (r, got)
    }

    #[test]
    fn ustar_gnu_long_names_and_pax_paths() {
        let long = format!("{}/deep/app.env", "d".repeat(150));
        let data = Tar::new()
            .add(Entry::file("a.txt", b"alpha"))
            .add(Entry::dir("conf/"))
            .add(Entry::file(
                &format!("{}/prefixed.txt", "p".repeat(120)),
                b"ustar prefix",
            ))
            .add(Entry::file(&long, b"gnu long").gnu_long_name())
            .add(Entry::file(&long, b"pax path").pax_path())
            .add(Entry::symlink("link", "a.txt"))
            .finish();
        let (r, got) = collect(&data);
        let stats = r.unwrap();
        assert_eq!((stats.members, stats.other), (4, 2));
        let names: Vec<String> = got
            .iter()
            .map(|(n, _)| String::from_utf8_lossy(n).into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "a.txt".to_string(),
                format!("{}/prefixed.txt", "p".repeat(120)),
                long.clone(),
                long
            ]
        );
        assert_eq!(got[3].1, b"pax path");
        assert!(looks_like_tar(&data));
        assert!(!looks_like_tar(&[0u8; 1024]));
        assert!(!looks_like_tar(b"just some text"));
    }

    #[test]
    fn a_visitor_that_reads_part_still_gets_every_member() {
        let data = Tar::new()
            .add(Entry::file("a", &[b'x'; 5000]))
            .add(Entry::file("b", b"second"))
            .finish();
        let mut names = Vec::new();
        let r = walk(&mut &data[..], &mut |ev| {
            names.push(ev.name.to_vec());
            ev.content.take(3).read_to_end(&mut Vec::new()).map(|_| ())
        });
        assert_eq!(r.unwrap().members, 2);
        assert_eq!(names, [b"a".to_vec(), b"b".to_vec()]);
    }

    #[test]
    fn damage_and_cuts_keep_what_came_before() {
        let data = Tar::new()
            .add(Entry::file("a", b"first"))
            .add(Entry::file("b", &[b'y'; 3000]))
            .finish();
        let (r, got) = collect(&data[..BLOCK * 3 + 100]);
        assert!(r.as_ref().is_err_and(TarError::is_cut_short), "{r:?}");
        assert_eq!(got[0], (b"a".to_vec(), b"first".to_vec()));
        assert_eq!(got[1].1.len(), 100);
        let mut bad = data.clone();
        bad[BLOCK * 2 + 10] ^= 0x55; // the second header's name: its checksum fails
        let (r, got) = collect(&bad);
        assert!(
            matches!(r, Err(TarError::Corrupt(m)) if m.contains("checksum")),
            "{r:?}"
        );
        assert_eq!(got.len(), 1);
    }

    /// Rewrites the header at `at` with `edit`, then its checksum.
    fn edit_header(data: &mut [u8], at: usize, edit: impl FnOnce(&mut [u8])) {
        let h = &mut data[at..at + BLOCK];
        edit(h);
        h[148..156].fill(b' ');
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    }

    #[test]
    fn an_old_gnu_sparse_member_skips_its_map_extension_blocks() {
        let mut data = Tar::new()
            .add(Entry::file("gnu/sparse", b"sparse data"))
            .add(Entry::file("after", b"next member"))
            .finish();
        edit_header(&mut data, 0, |h| {
            h[156] = b'S';
            h[482] = 1; // an extension block of the sparse map follows
        });
        let mut extension = [0u8; BLOCK];
        extension[..12].copy_from_slice(b"000000001000"); // a map entry, no checksum
        data.splice(BLOCK..BLOCK, extension);
        let (r, got) = collect(&data);
        assert_eq!(r.unwrap().members, 2);
        assert_eq!(got[0], (b"gnu/sparse".to_vec(), b"sparse data".to_vec()));
        assert_eq!(got[1], (b"after".to_vec(), b"next member".to_vec()));
    }

    #[test]
    fn hostile_sizes_and_random_bytes_never_panic() {
        let mut header = Tar::new().add(Entry::file("huge", b"")).finish();
        // base-256 size of 2^62: the walk reads what is there and says it is cut short.
        header[124] = 0x80;
        header[125..136].fill(0);
        header[128] = 0x40;
        let sum: u64 = header[..BLOCK]
            .iter()
            .enumerate()
            .map(|(i, &b)| u64::from(if (148..156).contains(&i) { b' ' } else { b }))
            .sum();
        header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let (r, _) = collect(&header);
        assert!(r.is_err());
        let mut rng = intercept_test_support::text::XorShift(42);
        let base = Tar::new()
            .add(Entry::file("a", b"alpha"))
            .add(Entry::file(&"n".repeat(300), b"x").pax_path())
            .finish();
        for _ in 0..500 {
            let mut data = base.clone();
            for _ in 0..4 {
                let i = rng.below(data.len());
                data[i] = rng.next() as u8;
            }
            data.truncate(rng.below(data.len() + 1));
            let _ = collect(&data);
        }
    }
}

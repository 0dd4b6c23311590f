//! Read-only access to git's `reftable` ref storage.
//!
//! gitoxide cannot read repositories created with `git init --ref-format=reftable`
//! (git ≥ 2.45, the planned default of git 3.0). This module reads their ref stacks
//! directly, without running git, so the hook can still resolve `HEAD` and list refs.
//! No crate reads reftable (issue 21 looked again), so this reader stays until gix does.
//!
//! **What it receives:** a git directory (the common dir, or a linked worktree's own
//! `.git/worktrees/<name>` dir for its per-worktree refs such as `HEAD`) and the
//! repository's object-id length (20 for SHA-1, 32 for SHA-256). It reads
//! `<git_dir>/reftable/tables.list` and the table files it names.
//!
//! **What it hands on:** live refs as `(name, Target)` pairs: raw name bytes, the object
//! id (plus the peeled id recorded for annotated tags) or a symbolic target. Nothing is
//! followed or resolved; the caller resolves `HEAD` → `refs/heads/main` itself.
//!
//! **Format handled** (as in git's `Documentation/technical/reftable.adoc` and its C
//! reader in `reftable/`): versions 1 (SHA-1, 24-byte header, 68-byte footer) and 2
//! (hash id, SHA-1 or SHA-256, 28-byte header, 72-byte footer); aligned tables with NUL
//! padding and unaligned ones (`block_size = 0`, or unpadded blocks); the first ref block
//! sharing its block with the file header; prefix-compressed ref records of value types
//! 0 (deletion), 1 (id), 2 (id + peeled) and 3 (symref). Ref blocks always come first in
//! a table, so reading stops at the first index, obj or log block, exactly like git's
//! ref iterator: those blocks (including zlib-compressed log blocks) are never parsed.
//! Tables are merged as git's merged iterator does: for one name the newest table in
//! `tables.list` wins, and a deletion record there hides the name.
//!
//! **Invariants:**
//! * Read-only: opens files for reading, never writes, locks or creates anything.
//! * Bounded: `tables.list` is capped at 4 MiB and each table file at 1 GiB; every loop
//!   advances through bounded input; a stack that keeps changing under us (concurrent
//!   compaction) is re-read at most a few times, as git's reader does.
//! * Never panics on bad input: every offset and length is checked, and malformed data
//!   yields [`ReftableError::Corrupt`] naming the file and what is wrong.
//! * Cheap: files are read whole (they are small); `find_ref` stops at the newest table
//!   holding the name and, inside a table, skips from block header to block header and
//!   decodes only the one block that can hold the name. Listing is linear in the number
//!   of records plus a merge that is `O(n log k)` for `k` tables.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// What a ref points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An object id (raw bytes, 20 for SHA-1 or 32 for SHA-256), with the peeled id when the table records one (annotated tags).
    Object { id: Vec<u8>, peeled: Option<Vec<u8>> },
    /// A symbolic ref (`HEAD` → `refs/heads/main`).
    Symbolic(Vec<u8>),
}

/// Why the reftable stack could not be read.
#[derive(Debug)]
pub enum ReftableError {
    /// A file could not be read (the message names the path).
    Io(std::io::Error),
    /// A file is not a well-formed reftable stack member.
    Corrupt {
        file: std::path::PathBuf,
        what: &'static str,
    },
}

impl fmt::Display for ReftableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReftableError::Io(e) => write!(
                f,
                "could not read the repository's reftable ref store: {e}; \
                 check the path and its permissions, and run `git refs verify` \
                 or `git fsck` in the repository"
            ),
            ReftableError::Corrupt { file, what } => write!(
                f,
                "reftable file {} is corrupt: {what}; run `git refs verify` \
                 and `git fsck` in the repository to check it",
                file.display()
            ),
        }
    }
}

impl std::error::Error for ReftableError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReftableError::Io(e) => Some(e),
            ReftableError::Corrupt { .. } => None,
        }
    }
}

const BLOCK_REF: u8 = b'r';
const BLOCK_LOG: u8 = b'g';
const BLOCK_OBJ: u8 = b'o';
const BLOCK_INDEX: u8 = b'i';
const HASH_ID_SHA1: u32 = 0x7368_6131; // "sha1"
const HASH_ID_SHA256: u32 = 0x7332_3536; // "s256"
const MAX_LIST_BYTES: u64 = 4 << 20;
const MAX_TABLE_BYTES: u64 = 1 << 30;
const MAX_CONFIG_BYTES: u64 = 4 << 20;
/// How often a stack whose `tables.list` changed under us (a concurrent writer
/// compacted it) is read again before giving up.
const LOAD_ATTEMPTS: u32 = 5;

/// True when the repository whose (common) git dir is `git_dir` stores refs as reftable:
/// `extensions.refStorage = reftable` in its config, or a `reftable/tables.list` file.
pub fn is_reftable(git_dir: &Path) -> bool {
    if git_dir.join("reftable").join("tables.list").is_file() {
        return true;
    }
    let Ok(file) = File::open(git_dir.join("config")) else {
        return false;
    };
    let mut config = Vec::new();
    if file.take(MAX_CONFIG_BYTES).read_to_end(&mut config).is_err() {
        return false;
    }
    config_says_reftable(&config)
}

/// One ref record of a table: its name and its target, `None` for a deletion.
pub type Record = (Vec<u8>, Option<Target>);

/// Every live ref of the stack in `<git_dir>/reftable/` (tables listed in `tables.list`, later tables overriding earlier ones, deletions removing), sorted by name. `hash_len` is 20 or 32.
pub fn read_refs(git_dir: &Path, hash_len: usize) -> Result<Vec<(Vec<u8>, Target)>, ReftableError> {
    check_hash_len(hash_len)?;
    let dir = git_dir.join("reftable");
    let mut attempts = 0;
    'reload: loop {
        let names = read_tables_list(&dir)?;
        // One sorted run of records per table, oldest table first.
        let mut runs: Vec<Vec<Record>> = Vec::with_capacity(names.len());
        for name in &names {
            let path = dir.join(name);
            let Some(data) = read_table_file(&path)? else {
                retry_or_fail(&dir, &names, path, &mut attempts)?;
                continue 'reload;
            };
            let table = Table::parse(&path, &data, hash_len)?;
            let mut run: Vec<Record> = Vec::new();
            table.for_each_ref(|key, value| {
                if run.last().is_some_and(|(prev, _)| prev.as_slice() >= key) {
                    return Err(table.corrupt("ref names are not in strictly ascending order"));
                }
                run.push((key.to_vec(), value.to_target()));
                Ok(())
            })?;
            runs.push(run);
        }
        return Ok(merge(runs));
    }
}

/// One table's ref records, in order, as [`read_refs`] reads each table (a deletion is
/// `None`); an error when the table is not well formed (names not ascending included).
pub fn table_refs(data: &[u8], hash_len: usize) -> Result<Vec<Record>, ReftableError> {
    check_hash_len(hash_len)?;
    let table = Table::parse(Path::new("(table)"), data, hash_len)?;
    let mut refs: Vec<Record> = Vec::new();
    table.for_each_ref(|key, value| {
        if refs.last().is_some_and(|(prev, _)| prev.as_slice() >= key) {
            return Err(table.corrupt("ref names are not in strictly ascending order"));
        }
        refs.push((key.to_vec(), value.to_target()));
        Ok(())
    })?;
    Ok(refs)
}

/// The record for `name` in one table, as [`find_ref`] looks it up in each table (`Some(None)`:
/// a deletion).
pub fn table_lookup(
    data: &[u8],
    hash_len: usize,
    name: &[u8],
) -> Result<Option<Option<Target>>, ReftableError> {
    check_hash_len(hash_len)?;
    let table = Table::parse(Path::new("(table)"), data, hash_len)?;
    Ok(table.lookup(name)?.map(|value| value.to_target()))
}

/// One ref by name (e.g. `HEAD`, `refs/heads/main`), following nothing.
pub fn find_ref(git_dir: &Path, hash_len: usize, name: &[u8]) -> Result<Option<Target>, ReftableError> {
    check_hash_len(hash_len)?;
    let dir = git_dir.join("reftable");
    let mut attempts = 0;
    'reload: loop {
        let names = read_tables_list(&dir)?;
        for table_name in names.iter().rev() {
            let path = dir.join(table_name);
            let Some(data) = read_table_file(&path)? else {
                retry_or_fail(&dir, &names, path, &mut attempts)?;
                continue 'reload;
            };
            let table = Table::parse(&path, &data, hash_len)?;
            if let Some(value) = table.lookup(name)? {
                // A deletion in a newer table hides the name in all older ones.
                return Ok(value.to_target());
            }
        }
        return Ok(None);
    }
}

fn check_hash_len(hash_len: usize) -> Result<(), ReftableError> {
    if hash_len == 20 || hash_len == 32 {
        Ok(())
    } else {
        Err(ReftableError::Io(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("object id length must be 20 (SHA-1) or 32 (SHA-256), not {hash_len}"),
        )))
    }
}

fn io_error(path: &Path, e: io::Error) -> ReftableError {
    ReftableError::Io(io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// Merges the tables' sorted runs (oldest first) like git's merged iterator:
/// for each name the record of the newest table wins, and deletions are dropped.
/// `O(n log k)` for `n` records in `k` tables.
fn merge(runs: Vec<Vec<Record>>) -> Vec<(Vec<u8>, Target)> {
    let live = |(name, target): Record| target.map(|t| (name, t));
    if runs.len() <= 1 {
        return runs.into_iter().flatten().filter_map(live).collect();
    }
    let capacity = runs.iter().map(Vec::len).max().unwrap_or(0);
    let mut iters: Vec<_> = runs.into_iter().map(Vec::into_iter).collect();
    let mut heap = std::collections::BinaryHeap::with_capacity(iters.len());
    for (table, it) in iters.iter_mut().enumerate() {
        if let Some((name, target)) = it.next() {
            heap.push(Head { name, target, table });
        }
    }
    let mut out = Vec::with_capacity(capacity);
    while let Some(head) = heap.pop() {
        refill(&mut heap, &mut iters, head.table);
        // Older tables' records of the same name are shadowed.
        while heap.peek().is_some_and(|h| h.name == head.name) {
            if let Some(old) = heap.pop() {
                refill(&mut heap, &mut iters, old.table);
            }
        }
        if let Some(target) = head.target {
            out.push((head.name, target));
        }
    }
    out
}

/// The next record of one table in the merge.
struct Head {
    name: Vec<u8>,
    target: Option<Target>,
    table: usize,
}

impl Ord for Head {
    /// The max-heap pops the smallest name first, and for equal names the newest table.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.name.cmp(&self.name).then(self.table.cmp(&other.table))
    }
}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for Head {}

fn refill(
    heap: &mut std::collections::BinaryHeap<Head>,
    iters: &mut [std::vec::IntoIter<Record>],
    table: usize,
) {
    if let Some((name, target)) = iters.get_mut(table).and_then(Iterator::next) {
        heap.push(Head { name, target, table });
    }
}

/// A table named in `tables.list` was missing: a concurrent compaction may have
/// replaced it. Like git, read the list again and retry if it changed.
fn retry_or_fail(
    dir: &Path,
    names: &[String],
    missing: PathBuf,
    attempts: &mut u32,
) -> Result<(), ReftableError> {
    let now = read_tables_list(dir)?;
    if now == names {
        return Err(ReftableError::Corrupt {
            file: missing,
            what: "tables.list names a table file that does not exist",
        });
    }
    *attempts += 1;
    if *attempts >= LOAD_ATTEMPTS {
        return Err(ReftableError::Io(io::Error::other(format!(
            "{}: the reftable stack kept changing while it was read; try again",
            dir.join("tables.list").display()
        ))));
    }
    std::thread::sleep(std::time::Duration::from_millis(u64::from(*attempts)));
    Ok(())
}

/// Reads `tables.list` the way git's `parse_names` does: one name per line, every
/// line ending in a newline, empty lines skipped. A missing `tables.list` is an empty
/// stack (as in git), but a missing `reftable/` directory is an error.
fn read_tables_list(dir: &Path) -> Result<Vec<String>, ReftableError> {
    let path = dir.join("tables.list");
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound && dir.is_dir() => return Ok(Vec::new()),
        Err(e) => return Err(io_error(&path, e)),
    };
    let mut buf = Vec::new();
    file.take(MAX_LIST_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| io_error(&path, e))?;
    parse_tables_list(&path, &buf)
}

fn parse_tables_list(path: &Path, buf: &[u8]) -> Result<Vec<String>, ReftableError> {
    let corrupt = |what| ReftableError::Corrupt {
        file: path.to_path_buf(),
        what,
    };
    if buf.len() as u64 > MAX_LIST_BYTES {
        return Err(corrupt("tables.list is implausibly large"));
    }
    if buf.is_empty() {
        return Ok(Vec::new());
    }
    let Some(body) = buf.strip_suffix(b"\n") else {
        return Err(corrupt("tables.list does not end with a newline"));
    };
    let mut names = Vec::new();
    for line in body.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        let Ok(name) = std::str::from_utf8(line) else {
            return Err(corrupt("tables.list names a table that is not valid UTF-8"));
        };
        if name == "." || name == ".." || name.contains(['/', '\\', '\0']) || Path::new(name).is_absolute() {
            return Err(corrupt("tables.list names a file outside the reftable directory"));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// The whole table file, or `None` when it does not exist.
fn read_table_file(path: &Path) -> Result<Option<Vec<u8>>, ReftableError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, e)),
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_TABLE_BYTES {
        return Err(ReftableError::Corrupt {
            file: path.to_path_buf(),
            what: "table file is implausibly large (over 1 GiB)",
        });
    }
    let mut data = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(MAX_TABLE_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| io_error(path, e))?;
    if data.len() as u64 > MAX_TABLE_BYTES {
        return Err(ReftableError::Corrupt {
            file: path.to_path_buf(),
            what: "table file is implausibly large (over 1 GiB)",
        });
    }
    Ok(Some(data))
}

/// Whether git config text sets `extensions.refStorage` to `reftable` (or a
/// `reftable://<path>` URI), as git reads config (gix's parser: sections, quoting,
/// comments; the last setting wins).
fn config_says_reftable(config: &[u8]) -> bool {
    let meta = gix::config::file::Metadata::api();
    let Ok(file) = gix::config::File::from_bytes_no_includes(config, meta, Default::default()) else {
        return false;
    };
    file.string("extensions.refStorage")
        .is_some_and(|v| v == "reftable" || v.starts_with(b"reftable://"))
}

fn be16(b: &[u8]) -> u32 {
    b.iter().take(2).fold(0, |acc, &x| (acc << 8) | u32::from(x))
}
fn be24(b: &[u8]) -> u32 {
    b.iter().take(3).fold(0, |acc, &x| (acc << 8) | u32::from(x))
}
fn be32(b: &[u8]) -> u32 {
    b.iter().take(4).fold(0, |acc, &x| (acc << 8) | u32::from(x))
}
fn be64(b: &[u8]) -> u64 {
    b.iter().take(8).fold(0, |acc, &x| (acc << 8) | u64::from(x))
}

/// zlib's CRC-32 (IEEE), as used for the footer checksum.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

/// A cursor over a byte slice; every read is bounds-checked.
struct Bytes<'a> {
    rest: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// git's varint (the pack ofs-delta encoding), rejecting overflow like `get_var_int`.
    fn varint(&mut self) -> Option<u64> {
        let (&first, mut rest) = self.rest.split_first()?;
        let mut c = first;
        let mut val = u64::from(c & 0x7f);
        while c & 0x80 != 0 {
            val = val.checked_add(1)?;
            if val & (!0u64 << (64 - 7)) != 0 {
                return None;
            }
            let (&next, tail) = rest.split_first()?;
            c = next;
            rest = tail;
            val = (val << 7) + u64::from(c & 0x7f);
        }
        self.rest = rest;
        Some(val)
    }

    fn take(&mut self, n: u64) -> Option<&'a [u8]> {
        let n = usize::try_from(n).ok()?;
        if n > self.rest.len() {
            return None;
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Some(head)
    }
}

/// A ref record's value, borrowing from the table's bytes.
#[derive(Debug)]
enum RawValue<'a> {
    Deletion,
    Object(&'a [u8]),
    Peeled(&'a [u8], &'a [u8]),
    Symbolic(&'a [u8]),
}

impl RawValue<'_> {
    fn to_target(&self) -> Option<Target> {
        match *self {
            RawValue::Deletion => None,
            RawValue::Object(id) => Some(Target::Object {
                id: id.to_vec(),
                peeled: None,
            }),
            RawValue::Peeled(id, peeled) => Some(Target::Object {
                id: id.to_vec(),
                peeled: Some(peeled.to_vec()),
            }),
            RawValue::Symbolic(target) => Some(Target::Symbolic(target.to_vec())),
        }
    }
}

/// One ref block: where its records lie and where the next block starts.
struct RefBlock {
    records: std::ops::Range<usize>,
    next: usize,
}

/// One parsed table file (header and footer checked).
struct Table<'a> {
    path: &'a Path,
    data: &'a [u8],
    header_len: usize,
    /// The header's `block_size`; 0 for unaligned tables.
    block_size: usize,
    /// Length of the data before the footer.
    size: usize,
    hash_len: usize,
    has_refs: bool,
}

impl<'a> Table<'a> {
    fn parse(path: &'a Path, data: &'a [u8], hash_len: usize) -> Result<Self, ReftableError> {
        let corrupt = |what| ReftableError::Corrupt {
            file: path.to_path_buf(),
            what,
        };
        // Like git: the longest header plus the first block's type byte.
        if data.len() < 28 + 1 {
            return Err(corrupt("file is too short to be a reftable"));
        }
        if data.get(..4) != Some(b"REFT".as_slice()) {
            return Err(corrupt("file does not start with the reftable magic `REFT`"));
        }
        let version = data[4];
        let (header_len, footer_len) = match version {
            1 => (24, 68),
            2 => (28, 72),
            _ => return Err(corrupt("unsupported reftable version (not 1 or 2)")),
        };
        let Some(size) = data.len().checked_sub(footer_len).filter(|&s| s >= header_len) else {
            return Err(corrupt("file is too short for its header and footer"));
        };
        let footer = &data[size..];
        if footer.get(..4) != Some(b"REFT".as_slice()) {
            return Err(corrupt(
                "footer does not start with the reftable magic (truncated?)",
            ));
        }
        if footer.get(..header_len) != data.get(..header_len) {
            return Err(corrupt("footer does not repeat the file header (truncated?)"));
        }
        let block_size = be24(&data[5..8]) as usize;
        let table_hash_len = if version == 1 {
            20
        } else {
            match be32(&data[24..28]) {
                HASH_ID_SHA1 => 20,
                HASH_ID_SHA256 => 32,
                _ => return Err(corrupt("unknown hash id in the header")),
            }
        };
        let fields = &footer[header_len..];
        if fields.len() != 5 * 8 + 4 {
            return Err(corrupt("footer has the wrong length"));
        }
        let obj = be64(&fields[8..16]);
        let stored_crc = be32(&fields[40..44]);
        if crc32(&footer[..footer_len - 4]) != stored_crc {
            return Err(corrupt("footer checksum mismatch"));
        }
        if obj >> 5 > 0 && obj & 0x1f == 0 {
            return Err(corrupt("obj blocks present but object id length is 0"));
        }
        if table_hash_len != hash_len {
            return Err(corrupt(
                "table's object hash (SHA-1/SHA-256) differs from the repository's",
            ));
        }
        let first_type = data[header_len];
        let empty = size == header_len;
        if !empty && !is_block_type(first_type) {
            return Err(corrupt("first block has an unknown block type"));
        }
        Ok(Table {
            path,
            data,
            header_len,
            block_size,
            size,
            hash_len,
            has_refs: !empty && first_type == BLOCK_REF,
        })
    }

    fn corrupt(&self, what: &'static str) -> ReftableError {
        ReftableError::Corrupt {
            file: self.path.to_path_buf(),
            what,
        }
    }

    /// The ref block at `off`, or `None` where the ref section ends (past the
    /// data, or at a block of another type), mirroring git's `reftable_block_init`.
    fn ref_block_at(&self, off: usize) -> Result<Option<RefBlock>, ReftableError> {
        if off >= self.size || (off == 0 && !self.has_refs) {
            return Ok(None);
        }
        let header_off = if off == 0 { self.header_len } else { 0 };
        let type_pos = off + header_off;
        let Some(&block_type) = self.data.get(type_pos) else {
            return Err(self.corrupt("block starts past the end of the file"));
        };
        if !is_block_type(block_type) {
            return Err(self.corrupt("block has an unknown block type"));
        }
        if block_type != BLOCK_REF {
            return Ok(None);
        }
        let Some(len_bytes) = self.data.get(type_pos + 1..type_pos + 4) else {
            return Err(self.corrupt("block header is truncated"));
        };
        let block_len = be24(len_bytes) as usize;
        if block_len < header_off + 4 + 2 {
            return Err(self.corrupt("ref block is too short"));
        }
        if block_len > self.size - off {
            return Err(self.corrupt("ref block extends past the end of the table"));
        }
        if self.block_size != 0 && block_len > self.block_size {
            return Err(self.corrupt("ref block is longer than the table's block size"));
        }
        let end = off + block_len;
        let restart_count = be16(&self.data[end - 2..end]) as usize;
        let restart_bytes = 2 + 3 * restart_count;
        if header_off + 4 + restart_bytes > block_len {
            return Err(self.corrupt("ref block's restart table overlaps its records"));
        }
        // git: unaligned tables, and blocks of an aligned table that are followed
        // directly by a non-NUL byte (no padding), end at `block_len`; otherwise the
        // block fills `block_size` bytes.
        let full = if self.block_size == 0
            || (block_len < self.block_size && self.data.get(end).is_some_and(|&b| b != 0))
        {
            block_len
        } else {
            self.block_size
        };
        Ok(Some(RefBlock {
            records: type_pos + 4..end - restart_bytes,
            next: off + full,
        }))
    }

    fn records(&self, block: &RefBlock) -> Result<Bytes<'a>, ReftableError> {
        match self.data.get(block.records.clone()) {
            Some(rest) => Ok(Bytes { rest }),
            None => Err(self.corrupt("ref block records out of range")),
        }
    }

    /// Decodes one ref record, updating `key` (the previous name) to this record's name.
    fn decode_record(&self, input: &mut Bytes<'a>, key: &mut Vec<u8>) -> Result<RawValue<'a>, ReftableError> {
        let truncated = || self.corrupt("ref record is truncated or malformed");
        let prefix_len = input.varint().ok_or_else(truncated)?;
        let packed = input.varint().ok_or_else(truncated)?;
        let value_type = packed & 0x7;
        let prefix_len = usize::try_from(prefix_len)
            .ok()
            .filter(|&p| p <= key.len())
            .ok_or_else(|| self.corrupt("ref record shares more bytes than the previous name has"))?;
        let suffix = input.take(packed >> 3).ok_or_else(truncated)?;
        key.truncate(prefix_len);
        key.extend_from_slice(suffix);
        if key.is_empty() {
            return Err(self.corrupt("ref record has an empty name"));
        }
        let _update_index_delta = input.varint().ok_or_else(truncated)?;
        let hash_len = self.hash_len as u64;
        Ok(match value_type {
            0 => RawValue::Deletion,
            1 => RawValue::Object(input.take(hash_len).ok_or_else(truncated)?),
            2 => {
                let id = input.take(hash_len).ok_or_else(truncated)?;
                RawValue::Peeled(id, input.take(hash_len).ok_or_else(truncated)?)
            }
            3 => {
                let len = input.varint().ok_or_else(truncated)?;
                RawValue::Symbolic(input.take(len).ok_or_else(truncated)?)
            }
            _ => return Err(self.corrupt("ref record has a reserved value type (4-7)")),
        })
    }

    /// Calls `f` with every ref record of the table, in file order.
    fn for_each_ref(
        &self,
        mut f: impl FnMut(&[u8], RawValue<'a>) -> Result<(), ReftableError>,
    ) -> Result<(), ReftableError> {
        let mut key = Vec::new();
        let mut off = 0;
        while let Some(block) = self.ref_block_at(off)? {
            key.clear();
            let mut input = self.records(&block)?;
            while !input.rest.is_empty() {
                let value = self.decode_record(&mut input, &mut key)?;
                f(&key, value)?;
            }
            off = block.next;
        }
        Ok(())
    }

    /// The record for `name` in this table (a deletion included), found as git's
    /// linear seek does: the last block whose first name is ≤ `name` holds it.
    fn lookup(&self, name: &[u8]) -> Result<Option<RawValue<'a>>, ReftableError> {
        let mut candidate = None;
        let mut off = 0;
        while let Some(block) = self.ref_block_at(off)? {
            let mut input = self.records(&block)?;
            if input.rest.is_empty() {
                return Err(self.corrupt("ref block holds no records"));
            }
            let mut first = Vec::new();
            // The first record of a block has no prefix; decoding it with an
            // empty previous name checks that.
            self.decode_record(&mut input, &mut first)?;
            if first.as_slice() > name {
                break;
            }
            off = block.next;
            candidate = Some(block);
        }
        let Some(block) = candidate else {
            return Ok(None);
        };
        let mut input = self.records(&block)?;
        let mut key = Vec::new();
        while !input.rest.is_empty() {
            let value = self.decode_record(&mut input, &mut key)?;
            match key.as_slice().cmp(name) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => return Ok(Some(value)),
                std::cmp::Ordering::Greater => break,
            }
        }
        Ok(None)
    }
}

fn is_block_type(t: u8) -> bool {
    matches!(t, BLOCK_REF | BLOCK_LOG | BLOCK_OBJ | BLOCK_INDEX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::process::{Command, Stdio};
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct TempDir(PathBuf);
    impl TempDir {
        fn new() -> TempDir {
            static N: AtomicUsize = AtomicUsize::new(0);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let p = std::env::temp_dir().join(format!(
                "reftable-test-{}-{}-{nanos}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&p).unwrap();
            TempDir(p)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A repository made by real git in a temp dir, driven hermetically (the test-support
    /// crate's environment, plus `envs`).
    struct Repo {
        tmp: TempDir,
        git: std::ffi::OsString,
        work: PathBuf,
        envs: Vec<(String, String)>,
    }

    impl Repo {
        fn init(git: impl AsRef<std::ffi::OsStr>, extra: &[&str]) -> Repo {
            let tmp = TempDir::new();
            intercept_test_support::git::write_global_config(&tmp.0);
            let work = tmp.0.join("repo");
            let mut repo = Repo {
                git: git.as_ref().to_owned(),
                work: tmp.0.clone(),
                tmp,
                envs: Vec::new(),
            };
            let mut args = vec!["init", "-q", "--ref-format=reftable"];
            args.extend_from_slice(extra);
            let w = work.to_str().unwrap().to_owned();
            args.push(&w);
            repo.git(&args);
            repo.work = work;
            repo
        }

        fn git_dir(&self) -> PathBuf {
            self.work.join(".git")
        }

        fn cmd(&self, args: &[&str]) -> Command {
            let mut c = intercept_test_support::hermetic(&self.git, &self.tmp.0);
            c.current_dir(&self.work);
            for (k, v) in &self.envs {
                c.env(k, v);
            }
            c.args(args);
            c
        }

        fn git(&self, args: &[&str]) -> String {
            self.git_stdin(args, "")
        }

        fn git_stdin(&self, args: &[&str], input: &str) -> String {
            let mut child = self
                .cmd(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn git");
            {
                use std::io::Write;
                let mut stdin = child.stdin.take().unwrap();
                stdin.write_all(input.as_bytes()).unwrap();
            }
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "git {args:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        }

        fn commit(&self, msg: &str) {
            self.git(&["commit", "-q", "--allow-empty", "-m", msg]);
        }

        fn table_count(&self, git_dir: &Path) -> usize {
            let list = std::fs::read_to_string(git_dir.join("reftable/tables.list")).unwrap();
            list.lines().count()
        }
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Every git here that writes reftable (the machine's when it can, git 2.55).
    fn gits() -> Vec<std::ffi::OsString> {
        intercept_test_support::reftable_gits()
    }

    /// A git that writes reftable.
    fn git() -> std::ffi::OsString {
        intercept_test_support::reftable_git()
    }

    /// Our view vs. git's: `for-each-ref` (object refs under refs/), `HEAD`'s
    /// symbolic target and id, and `find_ref` of every listed name.
    fn assert_matches_git(repo: &Repo, git_dir: &Path, hash_len: usize) {
        let ours = read_refs(git_dir, hash_len).unwrap();
        assert!(ours.windows(2).all(|w| w[0].0 < w[1].0), "sorted, unique");
        let mut mine = BTreeMap::new();
        for (name, target) in &ours {
            match target {
                Target::Object { id, peeled } => {
                    assert_eq!(id.len(), hash_len);
                    if name.starts_with(b"refs/") {
                        let p = peeled.as_deref().map(hex).unwrap_or_default();
                        mine.insert(String::from_utf8(name.clone()).unwrap(), (hex(id), p));
                    }
                }
                Target::Symbolic(_) => assert_eq!(name, b"HEAD", "only HEAD is symbolic here"),
            }
            assert_eq!(find_ref(git_dir, hash_len, name).unwrap().as_ref(), Some(target));
        }
        let out = repo.git(&["for-each-ref", "--format=%(refname) %(objectname) %(*objectname)"]);
        let mut theirs = BTreeMap::new();
        for line in out.lines() {
            let mut parts = line.split(' ');
            let name = parts.next().unwrap().to_owned();
            let id = parts.next().unwrap().to_owned();
            let peeled = parts.next().unwrap_or("").to_owned();
            theirs.insert(name, (id, peeled));
        }
        assert_eq!(mine, theirs);

        let head = find_ref(git_dir, hash_len, b"HEAD").unwrap().expect("HEAD");
        let sym = repo.git(&["symbolic-ref", "HEAD"]);
        assert_eq!(head, Target::Symbolic(sym.trim().as_bytes().to_vec()));
        let Target::Symbolic(target) = head else {
            unreachable!()
        };
        let rev = repo.git(&["rev-parse", "HEAD"]);
        let Some(Target::Object { id, .. }) = find_ref(git_dir, hash_len, &target).unwrap() else {
            panic!("HEAD's target is not an object ref")
        };
        assert_eq!(hex(&id), rev.trim());
    }

    #[test]
    fn branches_and_tags_match_git() {
        for git in gits() {
            let repo = Repo::init(&git, &[]);
            repo.commit("one");
            repo.git(&["branch", "topic"]);
            repo.git(&["tag", "light"]);
            repo.git(&["tag", "-a", "-m", "annotated", "v1.0"]);
            repo.commit("two");
            repo.git(&["branch", "zzz/last"]);
            repo.git(&["tag", "-a", "-m", "annotated 2", "v2.0"]);
            assert_matches_git(&repo, &repo.git_dir(), 20);

            let refs = read_refs(&repo.git_dir(), 20).unwrap();
            let v1 = refs.iter().find(|(n, _)| n == b"refs/tags/v1.0").unwrap();
            assert!(matches!(&v1.1, Target::Object { peeled: Some(_), .. }));
            let light = refs.iter().find(|(n, _)| n == b"refs/tags/light").unwrap();
            assert!(matches!(&light.1, Target::Object { peeled: None, .. }));
            assert_eq!(find_ref(&repo.git_dir(), 20, b"refs/heads/nope").unwrap(), None);
            assert_eq!(find_ref(&repo.git_dir(), 20, b"A").unwrap(), None);
            assert_eq!(find_ref(&repo.git_dir(), 20, b"zzzz").unwrap(), None);
            assert_eq!(find_ref(&repo.git_dir(), 20, b"").unwrap(), None);
        }
    }

    #[test]
    fn deletions_in_newer_tables_shadow_older_ones() {
        for git in gits() {
            let mut repo = Repo::init(&git, &[]);
            for (k, v) in [
                ("GIT_TEST_REFTABLE_AUTOCOMPACTION", "false"),
                ("GIT_CONFIG_COUNT", "1"),
                ("GIT_CONFIG_KEY_0", "maintenance.auto"),
                ("GIT_CONFIG_VALUE_0", "false"),
            ] {
                repo.envs.push((k.into(), v.into()));
            }
            repo.commit("one");
            for i in 0..6 {
                repo.git(&["branch", &format!("b{i}")]);
            }
            repo.git(&["branch", "-D", "b1"]);
            repo.git(&["branch", "-D", "b4"]);
            repo.commit("two");
            repo.git(&["branch", "-f", "b2"]);
            let gd = repo.git_dir();
            assert!(repo.table_count(&gd) > 5, "several tables in the stack");
            // Some table really holds a deletion record for b1.
            let list = parse_tables_list(
                Path::new("x"),
                &std::fs::read(gd.join("reftable/tables.list")).unwrap(),
            )
            .unwrap();
            let mut deletions = 0;
            for name in &list {
                let path = gd.join("reftable").join(name);
                let data = std::fs::read(&path).unwrap();
                let t = Table::parse(&path, &data, 20).unwrap();
                t.for_each_ref(|k, v| {
                    if k == b"refs/heads/b1" && matches!(v, RawValue::Deletion) {
                        deletions += 1;
                    }
                    Ok(())
                })
                .unwrap();
            }
            assert!(deletions >= 1);
            assert_eq!(find_ref(&gd, 20, b"refs/heads/b1").unwrap(), None);
            assert_eq!(find_ref(&gd, 20, b"refs/heads/b4").unwrap(), None);
            assert!(read_refs(&gd, 20)
                .unwrap()
                .iter()
                .all(|(n, _)| n != b"refs/heads/b1"));
            assert_matches_git(&repo, &gd, 20);

            // Compaction merges the stack into one table with the same refs.
            let before = read_refs(&gd, 20).unwrap();
            repo.git(&["pack-refs"]);
            assert_eq!(repo.table_count(&gd), 1);
            assert_eq!(read_refs(&gd, 20).unwrap(), before);
            assert_matches_git(&repo, &gd, 20);
        }
    }

    #[test]
    fn many_updates_with_auto_compaction() {
        let repo = Repo::init(git(), &[]);
        repo.commit("c0");
        for i in 0..40 {
            if i % 3 == 0 {
                repo.commit(&format!("c{}", i + 1));
            }
            repo.git(&["update-ref", &format!("refs/heads/u{}", i % 7), "HEAD"]);
            if i % 5 == 4 {
                repo.git(&["update-ref", "-d", &format!("refs/heads/u{}", (i + 3) % 7)]);
            }
        }
        assert_matches_git(&repo, &repo.git_dir(), 20);
    }

    fn five_thousand_refs(repo: &Repo) {
        repo.commit("one");
        repo.git(&["tag", "-a", "-m", "t", "annotated"]);
        let head = repo.git(&["rev-parse", "HEAD"]);
        let tag = repo.git(&["rev-parse", "refs/tags/annotated"]);
        let mut input = String::new();
        for i in 0..5000 {
            let id = if i % 10 == 0 { tag.trim() } else { head.trim() };
            input.push_str(&format!("create refs/many/{:03}/ref-{i:05} {id}\n", i % 97));
        }
        repo.git_stdin(&["update-ref", "--stdin"], &input);
    }

    /// Footer fields of one table: (ref_index_position, obj_position, log_position).
    fn footer_positions(data: &[u8]) -> (u64, u64, u64) {
        let (h, f) = if data[4] == 1 { (24, 68) } else { (28, 72) };
        let fields = &data[data.len() - f + h..];
        (
            be64(&fields[0..8]),
            be64(&fields[8..16]) >> 5,
            be64(&fields[24..32]),
        )
    }

    #[test]
    fn five_thousand_refs_match_git() {
        for git in gits() {
            let repo = Repo::init(&git, &[]);
            five_thousand_refs(&repo);
            let gd = repo.git_dir();
            assert_matches_git(&repo, &gd, 20);
            repo.git(&["pack-refs"]);
            let list = std::fs::read_to_string(gd.join("reftable/tables.list")).unwrap();
            let data = std::fs::read(gd.join("reftable").join(list.trim())).unwrap();
            let (ref_index, obj, log) = footer_positions(&data);
            assert!(
                ref_index > 0 && obj > 0 && log > 0,
                "index, obj and log blocks present"
            );
            assert_matches_git(&repo, &gd, 20);
            assert_eq!(read_refs(&gd, 20).unwrap().len(), 5000 + 3);
        }
    }

    #[test]
    fn small_aligned_blocks_with_padding() {
        let repo = Repo::init(git(), &[]);
        repo.git(&["config", "reftable.blockSize", "300"]);
        repo.git(&["config", "reftable.restartInterval", "3"]);
        repo.commit("one");
        let mut input = String::new();
        for i in 0..300 {
            input.push_str(&format!("create refs/heads/branch-{i:04} HEAD\n"));
        }
        repo.git_stdin(&["update-ref", "--stdin"], &input);
        repo.git(&["tag", "-a", "-m", "x", "v9"]);
        repo.git(&["pack-refs"]);
        let gd = repo.git_dir();
        let list = std::fs::read_to_string(gd.join("reftable/tables.list")).unwrap();
        let data = std::fs::read(gd.join("reftable").join(list.trim())).unwrap();
        assert_eq!(be24(&data[5..8]), 300);
        let t = Table::parse(Path::new("t"), &data, 20).unwrap();
        let (mut off, mut blocks, mut padded) = (0, 0, 0);
        while let Some(b) = t.ref_block_at(off).unwrap() {
            blocks += 1;
            let block_len = be24(&data[b.records.start - 3..b.records.start]) as usize;
            if b.next - off == 300 && block_len < 300 {
                padded += 1;
            }
            off = b.next;
        }
        assert!(blocks > 20 && padded > 10, "{blocks} ref blocks, {padded} padded");
        assert_matches_git(&repo, &gd, 20);
    }

    #[test]
    fn sha256_repository() {
        for git in gits() {
            let repo = Repo::init(&git, &["--object-format=sha256"]);
            repo.commit("one");
            repo.git(&["branch", "side"]);
            repo.git(&["tag", "-a", "-m", "t", "v1"]);
            let gd = repo.git_dir();
            let list = std::fs::read_to_string(gd.join("reftable/tables.list")).unwrap();
            let first = list.lines().next().unwrap();
            let data = std::fs::read(gd.join("reftable").join(first)).unwrap();
            assert_eq!(data[4], 2, "SHA-256 tables are version 2");
            assert_eq!(&data[24..28], b"s256");
            assert_matches_git(&repo, &gd, 32);
            let err = read_refs(&gd, 20).unwrap_err();
            assert!(matches!(err, ReftableError::Corrupt { .. }), "{err}");
        }
    }

    #[test]
    fn linked_worktree_has_its_own_stack() {
        for git in gits() {
            let repo = Repo::init(&git, &[]);
            repo.commit("one");
            let wt = repo.tmp.0.join("wt");
            repo.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "-b", "feature"]);
            let wt_dir = repo.git_dir().join("worktrees").join("wt");
            assert!(is_reftable(&wt_dir));
            // The worktree's stack holds its HEAD (and root refs like ORIG_HEAD).
            let refs = read_refs(&wt_dir, 20).unwrap();
            assert!(refs.iter().all(|(n, _)| !n.contains(&b'/')), "only root refs");
            assert_eq!(
                find_ref(&wt_dir, 20, b"HEAD").unwrap(),
                Some(Target::Symbolic(b"refs/heads/feature".to_vec()))
            );
            // The branch itself lives in the main stack.
            let main = read_refs(&repo.git_dir(), 20).unwrap();
            let rev = repo.git(&["rev-parse", "feature"]);
            let feature = main.iter().find(|(n, _)| n == b"refs/heads/feature").unwrap();
            assert_eq!(
                feature.1,
                Target::Object {
                    id: unhex(rev.trim()),
                    peeled: None
                }
            );
            let wt_head = intercept_test_support::hermetic(&git, &repo.tmp.0)
                .current_dir(&wt)
                .args(["symbolic-ref", "HEAD"])
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&wt_head.stdout).trim(),
                "refs/heads/feature"
            );
        }
    }

    #[test]
    fn is_reftable_detects_the_format() {
        let repo = Repo::init(git(), &[]);
        assert!(is_reftable(&repo.git_dir()));
        let tmp = TempDir::new();
        let out = intercept_test_support::hermetic(git(), &tmp.0)
            .args(["init", "-q", "--ref-format=files"])
            .arg(tmp.0.join("files"))
            .status()
            .unwrap();
        assert!(out.success());
        assert!(!is_reftable(&tmp.0.join("files/.git")));
        assert!(!is_reftable(&tmp.0.join("does-not-exist")));

        assert!(config_says_reftable(
            b"[core]\n\tbare = false\n[Extensions]\n\tRefStorage = reftable\n"
        ));
        assert!(config_says_reftable(
            b"[extensions] refstorage=\"reftable\" ; comment\n"
        ));
        assert!(config_says_reftable(
            b"[extensions]\nrefStorage = reftable:///srv/refs\n"
        ));
        assert!(!config_says_reftable(b"[extensions]\nrefStorage = files\n"));
        assert!(!config_says_reftable(b"[core]\nrefStorage = reftable\n"));
        assert!(!config_says_reftable(
            b"[extensions \"x\"]\nrefStorage = reftable\n"
        ));
        assert!(!config_says_reftable(b"[extensions]\n# refStorage = reftable\n"));
        assert!(!config_says_reftable(
            b"[extensions]\nrefStorage = reftable\nrefStorage = files\n"
        ));
        // Config alone is enough (e.g. tables.list not readable yet).
        let cfg = TempDir::new();
        std::fs::write(cfg.0.join("config"), "[extensions]\n\trefstorage = reftable\n").unwrap();
        assert!(is_reftable(&cfg.0));
    }

    fn single_table(repo: &Repo) -> PathBuf {
        let gd = repo.git_dir();
        let list = std::fs::read_to_string(gd.join("reftable/tables.list")).unwrap();
        assert_eq!(list.lines().count(), 1);
        gd.join("reftable").join(list.trim())
    }

    #[test]
    fn broken_stacks_are_errors() {
        let repo = Repo::init(git(), &[]);
        repo.commit("one");
        repo.git(&["pack-refs"]);
        let gd = repo.git_dir();
        let table = single_table(&repo);
        let good = std::fs::read(&table).unwrap();
        let corrupt = |gd: &Path| {
            let e = read_refs(gd, 20).unwrap_err();
            assert!(matches!(e, ReftableError::Corrupt { .. }), "{e:?}");
            assert!(e.to_string().contains("git refs verify"));
            let e = find_ref(gd, 20, b"HEAD").unwrap_err();
            assert!(matches!(e, ReftableError::Corrupt { .. }), "{e:?}");
        };
        // Truncated at several points.
        for cut in [0, 10, 29, good.len() / 2, good.len() - 1] {
            std::fs::write(&table, &good[..cut]).unwrap();
            corrupt(&gd);
        }
        // Garbage.
        std::fs::write(&table, vec![0x5a; 500]).unwrap();
        corrupt(&gd);
        std::fs::write(&table, &good).unwrap();
        assert!(read_refs(&gd, 20).is_ok());
        // tables.list naming a missing file.
        let list = gd.join("reftable/tables.list");
        let text = std::fs::read_to_string(&list).unwrap();
        std::fs::write(
            &list,
            format!("{text}0x000000000099-0x000000000099-deadbeef.ref\n"),
        )
        .unwrap();
        corrupt(&gd);
        let e = read_refs(&gd, 20).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        // tables.list escaping the directory, or missing its final newline.
        std::fs::write(&list, "../config\n").unwrap();
        corrupt(&gd);
        std::fs::write(&list, text.trim_end()).unwrap();
        corrupt(&gd);
        // An empty tables.list is an empty stack; a missing reftable dir is an I/O error.
        std::fs::write(&list, "").unwrap();
        assert_eq!(read_refs(&gd, 20).unwrap(), vec![]);
        let none = TempDir::new();
        assert!(matches!(read_refs(&none.0, 20), Err(ReftableError::Io(_))));
        assert!(matches!(read_refs(&gd, 21), Err(ReftableError::Io(_))));
    }

    // A deterministic PRNG for the corruption loop.
    use intercept_test_support::text::XorShift;

    #[test]
    fn random_corruption_never_panics() {
        let repo = Repo::init(git(), &[]);
        repo.git(&["config", "reftable.blockSize", "256"]);
        repo.commit("one");
        let mut input = String::new();
        for i in 0..120 {
            input.push_str(&format!("create refs/heads/b-{i:03} HEAD\n"));
        }
        repo.git_stdin(&["update-ref", "--stdin"], &input);
        repo.git(&["tag", "-a", "-m", "x", "v1"]);
        repo.git(&["symbolic-ref", "refs/heads/sym", "refs/heads/b-007"]);
        repo.git(&["pack-refs"]);
        let path = single_table(&repo);
        let good = std::fs::read(&path).unwrap();
        let probes: [&[u8]; 4] = [b"HEAD", b"refs/heads/b-077", b"refs/tags/v1", b"zz"];
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let mut outcomes = [0usize; 2];
        for round in 0..3000 {
            let mut data = good.clone();
            match round % 4 {
                0 => {
                    for _ in 0..1 + rng.below(4) {
                        let i = rng.below(data.len());
                        data[i] ^= 1 << rng.below(8);
                    }
                }
                1 => {
                    let i = rng.below(data.len());
                    data[i] = rng.next() as u8;
                }
                2 => data.truncate(rng.below(data.len())),
                _ => {
                    let start = rng.below(data.len());
                    let end = (start + rng.below(64)).min(data.len());
                    for b in &mut data[start..end] {
                        *b = rng.next() as u8;
                    }
                }
            }
            let result = Table::parse(&path, &data, 20).and_then(|t| {
                t.for_each_ref(|_, _| Ok(()))?;
                for p in probes {
                    t.lookup(p)?;
                }
                Ok(())
            });
            outcomes[usize::from(result.is_ok())] += 1;
        }
        assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
        // And through the public API on disk.
        for _ in 0..50 {
            let mut data = good.clone();
            let i = rng.below(data.len() - 72);
            data[i] = rng.next() as u8;
            std::fs::write(&path, &data).unwrap();
            let _ = read_refs(&repo.git_dir(), 20);
            let _ = find_ref(&repo.git_dir(), 20, b"HEAD");
        }
    }

    /// Test-only writer: one table with the given refs (sorted), `per_block` records
    /// per ref block, restarts every `restart` records, padded to `block_size` when
    /// `pad`, then optional trailing blocks of other types (garbage contents).
    fn build_table(
        version: u8,
        block_size: usize,
        pad: bool,
        refs: &[Record],
        per_block: usize,
        restart: usize,
        trailer: &[u8],
    ) -> Vec<u8> {
        let hash_len = if version == 1 { 20 } else { refs_hash_len(refs) };
        let mut header = b"REFT".to_vec();
        header.push(version);
        header.extend_from_slice(&(block_size as u32).to_be_bytes()[1..]);
        header.extend_from_slice(&1u64.to_be_bytes());
        header.extend_from_slice(&1u64.to_be_bytes());
        if version == 2 {
            header.extend_from_slice(if hash_len == 20 { b"sha1" } else { b"s256" });
        }
        let mut out = header.clone();
        let chunks: Vec<_> = refs.chunks(per_block.max(1)).collect();
        for (ci, chunk) in chunks.iter().enumerate() {
            let start = if ci == 0 { 0 } else { out.len() };
            out.push(b'r');
            let len_pos = out.len();
            out.extend_from_slice(&[0, 0, 0]);
            let mut restarts = Vec::new();
            let mut prev: &[u8] = b"";
            for (i, (name, target)) in chunk.iter().enumerate() {
                let prefix = if i % restart == 0 {
                    restarts.push(out.len() - start);
                    0
                } else {
                    prev.iter().zip(name.iter()).take_while(|(a, b)| a == b).count()
                };
                let vt = match target {
                    None => 0,
                    Some(Target::Object { peeled: None, .. }) => 1,
                    Some(Target::Object { peeled: Some(_), .. }) => 2,
                    Some(Target::Symbolic(_)) => 3,
                };
                put_varint(&mut out, prefix as u64);
                put_varint(&mut out, (((name.len() - prefix) as u64) << 3) | vt);
                out.extend_from_slice(&name[prefix..]);
                put_varint(&mut out, 0);
                match target {
                    None => {}
                    Some(Target::Object { id, peeled }) => {
                        out.extend_from_slice(id);
                        if let Some(p) = peeled {
                            out.extend_from_slice(p);
                        }
                    }
                    Some(Target::Symbolic(t)) => {
                        put_varint(&mut out, t.len() as u64);
                        out.extend_from_slice(t);
                    }
                }
                prev = name;
            }
            for r in &restarts {
                out.extend_from_slice(&(*r as u32).to_be_bytes()[1..]);
            }
            out.extend_from_slice(&(restarts.len() as u16).to_be_bytes());
            let block_len = out.len() - start;
            assert!(block_size == 0 || block_len <= block_size, "block too big");
            out[len_pos..len_pos + 3].copy_from_slice(&(block_len as u32).to_be_bytes()[1..]);
            if pad && ci + 1 < chunks.len() {
                out.resize(start + block_size, 0);
            }
        }
        for &t in trailer {
            out.push(t);
            out.extend_from_slice(&[0, 0, 12]);
            out.extend_from_slice(&[0xff; 8]);
        }
        let mut footer = header;
        footer.extend_from_slice(&[0; 40]);
        let crc = crc32(&footer);
        footer.extend_from_slice(&crc.to_be_bytes());
        out.extend_from_slice(&footer);
        out
    }

    fn refs_hash_len(refs: &[Record]) -> usize {
        refs.iter()
            .find_map(|(_, t)| match t {
                Some(Target::Object { id, .. }) => Some(id.len()),
                _ => None,
            })
            .unwrap_or(20)
    }

    fn put_varint(out: &mut Vec<u8>, mut value: u64) {
        let mut buf = [0u8; 10];
        let mut pos = 9;
        buf[pos] = (value & 0x7f) as u8;
        value >>= 7;
        while value != 0 {
            value -= 1;
            pos -= 1;
            buf[pos] = 0x80 | (value & 0x7f) as u8;
            value >>= 7;
        }
        out.extend_from_slice(&buf[pos..]);
    }

    /// Hand-written tables in layouts git itself does not write (block_size 0,
    /// version 2 for SHA-1, unpadded aligned blocks), checked against our reader
    /// and against git reading the very same files.
    #[test]
    fn handmade_layouts_read_by_us_and_git() {
        let repo = Repo::init(git(), &[]);
        repo.commit("one");
        repo.git(&["tag", "-a", "-m", "t", "v1"]);
        let head = unhex(repo.git(&["rev-parse", "HEAD"]).trim());
        let tag = unhex(repo.git(&["rev-parse", "refs/tags/v1"]).trim());
        let mut refs: Vec<Record> = vec![(
            b"HEAD".to_vec(),
            Some(Target::Symbolic(b"refs/heads/main".to_vec())),
        )];
        for i in 0..60 {
            refs.push((
                format!("refs/heads/br-{i:03}").into_bytes(),
                Some(Target::Object {
                    id: head.clone(),
                    peeled: None,
                }),
            ));
        }
        refs.push((
            b"refs/heads/main".to_vec(),
            Some(Target::Object {
                id: head.clone(),
                peeled: None,
            }),
        ));
        refs.push((
            b"refs/tags/v1".to_vec(),
            Some(Target::Object {
                id: tag.clone(),
                peeled: Some(head.clone()),
            }),
        ));
        refs.sort_by(|a, b| a.0.cmp(&b.0));
        let gd = repo.git_dir();
        let layouts: [(u8, usize, bool, usize, usize); 5] = [
            (1, 0, false, 10, 4),    // unaligned, several blocks
            (2, 0, false, 1000, 16), // unaligned, one block, v2 sha1
            (1, 1024, true, 16, 5),  // aligned, padded
            (2, 1024, false, 9, 3),  // aligned size, unpadded blocks
            (1, 512, true, 1, 1),    // one record per block
        ];
        for (n, &(version, bs, pad, per_block, restart)) in layouts.iter().enumerate() {
            let data = build_table(version, bs, pad, &refs, per_block, restart, &[]);
            let name = format!("0x000000000001-0x000000000001-hand{n}.ref");
            std::fs::write(gd.join("reftable").join(&name), &data).unwrap();
            std::fs::write(gd.join("reftable/tables.list"), format!("{name}\n")).unwrap();
            let expected: Vec<_> = refs
                .iter()
                .map(|(n, t)| (n.clone(), t.clone().unwrap()))
                .collect();
            assert_eq!(read_refs(&gd, 20).unwrap(), expected, "layout {n}");
            assert_matches_git(&repo, &gd, 20);
            for (name, target) in &expected {
                assert_eq!(find_ref(&gd, 20, name).unwrap().as_ref(), Some(target));
            }
        }

        // Trailing obj/index/log blocks with garbage bodies are never parsed.
        let data = build_table(1, 0, false, &refs, 7, 2, b"iog");
        let p = Path::new("hand.ref");
        let t = Table::parse(p, &data, 20).unwrap();
        let mut n = 0;
        t.for_each_ref(|_, _| {
            n += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(n, refs.len());
        // An unknown block type after the refs is corruption, as in git.
        let data = build_table(1, 0, false, &refs, 7, 2, b"x");
        let t = Table::parse(p, &data, 20).unwrap();
        assert!(t.for_each_ref(|_, _| Ok(())).is_err());
        // Empty table, SHA-256 version 2 table, log-only table.
        let empty = build_table(1, 0, false, &[], 1, 1, &[]);
        assert!(!Table::parse(p, &empty, 20).unwrap().has_refs);
        let big: Vec<_> = vec![(
            b"refs/heads/x".to_vec(),
            Some(Target::Object {
                id: vec![7; 32],
                peeled: Some(vec![8; 32]),
            }),
        )];
        let data = build_table(2, 0, false, &big, 1, 1, &[]);
        let t = Table::parse(p, &data, 32).unwrap();
        let got = t.lookup(b"refs/heads/x").unwrap().and_then(|v| v.to_target());
        assert_eq!(got, big[0].1);
        assert!(Table::parse(p, &data, 20).is_err());
    }

    #[test]
    fn stack_merge_newest_wins() {
        let id = |b: u8| {
            Some(Target::Object {
                id: vec![b; 20],
                peeled: None,
            })
        };
        let r = |n: &str, t: Option<Target>| (n.as_bytes().to_vec(), t);
        let old = build_table(
            1,
            0,
            false,
            &[r("a", id(1)), r("b", id(1)), r("c", id(1))],
            2,
            1,
            &[],
        );
        let mid = build_table(1, 0, false, &[r("b", None), r("d", id(2))], 1, 1, &[]);
        let new = build_table(
            1,
            0,
            false,
            &[r("b", id(3)), r("c", None), r("e", None)],
            8,
            8,
            &[],
        );
        let tmp = TempDir::new();
        let dir = tmp.0.join("reftable");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("1.ref"), old).unwrap();
        std::fs::write(dir.join("2.ref"), mid).unwrap();
        std::fs::write(dir.join("3.ref"), new).unwrap();
        std::fs::write(dir.join("tables.list"), "1.ref\n2.ref\n\n3.ref\n").unwrap();
        let got = read_refs(&tmp.0, 20).unwrap();
        let names: Vec<_> = got.iter().map(|(n, _)| n.as_slice()).collect();
        assert_eq!(names, [b"a".as_slice(), b"b", b"d"]);
        assert_eq!(got[1].1, id(3).unwrap());
        assert_eq!(find_ref(&tmp.0, 20, b"c").unwrap(), None);
        assert_eq!(find_ref(&tmp.0, 20, b"b").unwrap(), id(3));
        assert_eq!(find_ref(&tmp.0, 20, b"a").unwrap(), id(1));
        // Without the newest table, the middle deletion hides b.
        std::fs::write(dir.join("tables.list"), "1.ref\n2.ref\n").unwrap();
        assert_eq!(find_ref(&tmp.0, 20, b"b").unwrap(), None);
        assert_eq!(find_ref(&tmp.0, 20, b"c").unwrap(), id(1));
    }

    #[test]
    fn varint_matches_git() {
        for v in [0u64, 1, 127, 128, 255, 16511, 16512, 1 << 40, u64::MAX >> 8] {
            let mut buf = Vec::new();
            put_varint(&mut buf, v);
            let mut b = Bytes { rest: &buf };
            assert_eq!(b.varint(), Some(v));
            assert!(b.rest.is_empty());
        }
        assert_eq!(Bytes { rest: &[0x80] }.varint(), None);
        assert_eq!(Bytes { rest: &[0xff; 11] }.varint(), None);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    /// `cargo test --release -- --ignored timing --nocapture`
    #[test]
    #[ignore]
    fn timing_read_refs() {
        for count in [5_000usize, 100_000] {
            let mut repo = Repo::init(git(), &[]);
            repo.commit("one");
            let head = repo.git(&["rev-parse", "HEAD"]);
            let mut input = String::new();
            for i in 0..count {
                input.push_str(&format!(
                    "create refs/heads/n{:03}/branch-{i:06} {}\n",
                    i % 300,
                    head.trim()
                ));
            }
            repo.git_stdin(&["update-ref", "--stdin"], &input);
            let gd = repo.git_dir();
            time_stack(&repo, &gd, count + 2);
            // The same refs under a stack of several tables (one deletion).
            repo.envs
                .push(("GIT_TEST_REFTABLE_AUTOCOMPACTION".into(), "false".into()));
            repo.git(&["update-ref", "refs/heads/extra-1", "HEAD"]);
            repo.git(&["update-ref", "refs/heads/n007/extra-2", "HEAD"]);
            repo.git(&["update-ref", "-d", "refs/heads/n001/branch-000001"]);
            time_stack(&repo, &gd, count + 3);
        }
    }

    fn time_stack(repo: &Repo, gd: &Path, expect: usize) {
        let _ = read_refs(gd, 20).unwrap();
        let runs = 10;
        let t = std::time::Instant::now();
        for _ in 0..runs {
            assert_eq!(read_refs(gd, 20).unwrap().len(), expect);
        }
        let list = t.elapsed() / runs;
        let t = std::time::Instant::now();
        for _ in 0..runs {
            let Some(Target::Symbolic(target)) = find_ref(gd, 20, b"HEAD").unwrap() else {
                panic!("HEAD is not symbolic")
            };
            assert!(find_ref(gd, 20, &target).unwrap().is_some());
        }
        let find = t.elapsed() / runs;
        println!(
            "{expect} refs ({} tables): read_refs {list:?}, find_ref HEAD + target {find:?}",
            repo.table_count(gd)
        );
    }
}

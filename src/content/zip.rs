//! The zip family's decoder (zip, jar, war, whl, apk, docx/xlsx/pptx): the archive walked
//! once, front to back ([`crate::plumbing::zip`]), each stored or deflated member handed to
//! the content layer one level deeper (its name scanned as a name), a member that cannot be
//! opened said, damage said once, as the archive's or a member's.
//!
//! A zip also counts after a prefix, as `unzip` and Java read them: a Python zipapp (`.pyz`)
//! behind its `#!` line, a Spring Boot "fully executable" jar behind its launch script, a
//! self-extracting `.exe` behind its program. An item that starts with `#!` or `MZ` is read
//! this way when a plausible local file header follows in the bytes at hand, or when its
//! first 4 KiB are not all of it (a launch script is about 10 KiB, a program stub more). The
//! prefix is scanned as the item's own plain bytes (a token in the script is found, at its
//! line), then the archive is walked from its first local header, streaming as ever.

use std::io::{self, BufRead};

use super::decoder::{self, Head, Views};
use super::issue::{self, Cause, IssueKind};
use crate::origin::Via;
use crate::plumbing::zip::{looks_like_zip, walk, Event, Skipped};
use memchr::memmem;
use std::io::{Cursor, Read};

/// The zip family's decoder (zip, jar, war, whl, apk, docx/xlsx/pptx): each stored or
/// deflated member, one level deeper, named `outer!member`.
pub struct Zip;

const VIA: Via = Via {
    id: "zip",
    keeps_positions: false,
};

impl decoder::Decoder for Zip {
    fn via(&self) -> Via {
        VIA
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        looks_like_zip(head.bytes) || prefixed(head)
    }

    fn open(&self, head: &Head<'_>, input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
        if looks_like_zip(head.bytes) {
            return walk_members(input, views);
        }
        let mut prefix = Prefix {
            input,
            carry: Vec::new(),
            at: 0,
            done: false,
        };
        views.prefix(&mut prefix)?;
        let Prefix { input, carry, at, .. } = prefix;
        let mut rest = Cursor::new(&carry[at..]).chain(input);
        walk_members(&mut rest, views)
    }
}

/// Starts like a program or script (`#!`, `MZ`) with a zip after it: a plausible local
/// header in the bytes at hand, or more bytes than the head holds.
fn prefixed(head: &Head<'_>) -> bool {
    (head.bytes.starts_with(b"#!") || head.bytes.starts_with(b"MZ"))
        && (!head.whole || first_local(head.bytes, true).is_some())
}

/// The offset of the first plausible local file header in `bytes` (`at_end`: nothing
/// follows them, so a header cut by their end does not count).
fn first_local(bytes: &[u8], at_end: bool) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memmem::find(&bytes[from..], b"PK\x03\x04") {
        let at = from + i;
        match bytes.get(at..at + 30) {
            Some(h) if plausible(h) => return Some(at),
            None if !at_end => return Some(at), // judged when more bytes are at hand
            _ => from = at + 1,
        }
    }
    None
}

/// A local file header a zip writer could have written: a known version and method, a
/// name of sane length.
fn plausible(h: &[u8]) -> bool {
    let le16 = |at: usize| u16::from_le_bytes([h[at], h[at + 1]]);
    let (version, method, name) = (le16(4), le16(8), le16(26));
    version <= 100 && matches!(method, 0 | 8 | 9 | 12 | 14 | 93 | 95 | 98 | 99) && (1..=4096).contains(&name)
}

/// The item's bytes up to the first plausible local header (then it ends): what is read
/// from `input` waits in `carry` from `at`, for the walk to read after it.
struct Prefix<'i> {
    input: &'i mut dyn BufRead,
    carry: Vec<u8>,
    at: usize,
    done: bool,
}

impl Read for Prefix<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        const STEP: usize = 64 << 10;
        loop {
            if self.done || out.is_empty() {
                return Ok(0);
            }
            // Enough bytes at hand to judge a header that starts near the end of them.
            let mut eof = false;
            if self.carry.len() - self.at < 64 {
                self.carry.drain(..self.at);
                self.at = 0;
                let n = (&mut *self.input)
                    .take(STEP as u64)
                    .read_to_end(&mut self.carry)?;
                eof = n == 0;
            }
            let pending = &self.carry[self.at..];
            let end = match first_local(pending, eof) {
                Some(0) => {
                    self.done = true;
                    return Ok(0);
                }
                Some(i) => i,
                None if eof => pending.len(),
                // A signature may start in the last three bytes.
                None => pending.len().saturating_sub(3),
            };
            if end == 0 {
                if eof {
                    self.done = true;
                    return Ok(0);
                }
                continue;
            }
            let n = end.min(out.len());
            out[..n].copy_from_slice(&pending[..n]);
            self.at += n;
            return Ok(n);
        }
    }
}

/// Walks the members from a local header, handing each to `views`.
fn walk_members(input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
    let mut damaged = Vec::new();
    let walked = walk(input, &mut |event| {
        match event {
            Event::Member {
                name,
                method,
                content,
            } => {
                tracing::trace!(?method, "zip member");
                if let Some(cause) = views.member(name, content) {
                    damaged.push((name.to_vec(), cause));
                }
            }
            Event::Skipped { name, why } => views.skipped(
                name,
                match why {
                    Skipped::Encrypted => issue::Skipped::Encrypted,
                    Skipped::UnsupportedMethod(m) => issue::Skipped::Method(m),
                },
            ),
        }
        Ok(())
    });
    if let Some(cause) = views.input_failed() {
        let doing = "to walk it as a zip archive";
        views.issue(None, IssueKind::InputFailed { doing, cause });
        return Ok(());
    }
    match walked {
        Ok(stats) => {
            tracing::debug!(?stats, "zip walked");
            for (name, cause) in damaged {
                views.issue(Some(&name), IssueKind::MemberDamaged { via: VIA, cause });
            }
        }
        Err(e) => {
            let cause = Cause::from(io::Error::new(io::ErrorKind::InvalidData, e));
            views.issue(None, IssueKind::ArchiveDamaged { via: VIA, cause });
        }
    }
    Ok(())
}

//! What scanning an item found besides tokens: typed [`Issue`]s, each with the origin of
//! the part it is about and its kind. The message (what could not be done, why, and the way
//! out) is made when it is shown, from the origin as it is then: a history audit names a
//! blob by its path once history says where it is.

use std::fmt;
use std::io;
use std::sync::Arc;

use crate::origin::{Origin, Via};

/// What went wrong reading or decoding bytes: the I/O error as the reader gave it (kept
/// shareable: a report may hold an issue twice).
#[derive(Clone, Debug)]
pub struct Cause(Arc<io::Error>);

impl Cause {
    /// A copy of `e` (readers hand errors on by value; this keeps what they said).
    pub fn of(e: &io::Error) -> Self {
        Cause(Arc::new(io::Error::new(e.kind(), e.to_string())))
    }

    pub fn kind(&self) -> io::ErrorKind {
        self.0.kind()
    }
}

impl From<io::Error> for Cause {
    fn from(e: io::Error) -> Self {
        Cause(Arc::new(e))
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Why an archive member was not opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// The member is encrypted.
    Encrypted,
    /// The member is compressed with a method no decoder reads (the method's number).
    Method(u16),
}

/// What kind of issue.
#[derive(Clone, Debug)]
pub enum IssueKind {
    /// The item itself could not be read.
    Unreadable(Cause),
    /// Everything decoded from the item together is more than the cap.
    OverCap { limit: u64 },
    /// The compressed (or archived) bytes could not be read while decoding them; `doing`
    /// says what the decoder was doing (`to decompress it (gzip)`).
    InputFailed { doing: &'static str, cause: Cause },
    /// A stream that ends before its end (a truncated download): what exists was checked.
    /// `decoded`: the bytes it decoded to; `raw`: whether its raw bytes were scanned too.
    CutShort {
        via: Via,
        cause: Cause,
        decoded: u64,
        raw: bool,
    },
    /// A damaged stream: what follows the damage was not decoded. `decoded`: the bytes
    /// decoded (and checked) before the damage; `raw`: whether its raw bytes were scanned too.
    Damaged {
        via: Via,
        cause: Cause,
        decoded: u64,
        raw: bool,
    },
    /// A compressed stream that needs more memory to decode than one decoder may take (an
    /// xz dictionary, a zstd window): what was decoded before was checked, the rest not.
    OverMemory { via: Via, cause: Cause, decoded: u64 },
    /// A container (or compressed stream) nested deeper than the content layer opens:
    /// its raw bytes were scanned, what it holds was not.
    TooDeep { via: Via, limit: usize },
    /// An archive member that was not opened.
    Skipped(Skipped),
    /// An archive member damaged part way.
    MemberDamaged { via: Via, cause: Cause },
    /// An archive damaged part way.
    ArchiveDamaged { via: Via, cause: Cause },
    /// An archive that ends before its end (a truncated download): what is there was checked.
    ArchiveCutShort { via: Via, cause: Cause },
    /// A git-lfs pointer whose object is not in the store.
    LfsMissing { oid: String, size: u64 },
    /// A git-lfs object that could not be read.
    LfsUnreadable { oid: String, cause: Cause },
}

impl IssueKind {
    /// True when part of the item could not be checked (a hook blocks on it); false for
    /// what is worth saying only.
    pub fn blocks(&self) -> bool {
        !matches!(
            self,
            IssueKind::CutShort { .. } | IssueKind::ArchiveCutShort { .. } | IssueKind::LfsMissing { .. }
        )
    }

    /// What happened to the part at `path`, and why.
    pub fn describe(&self, path: &str) -> String {
        match self {
            IssueKind::Unreadable(e) => format!("cannot read {path}: {e}"),
            IssueKind::OverCap { limit } => format!(
                "{path} was not fully checked: its compressed contents decode to more than {limit} bytes, and \
                 only the first {limit} were scanned"
            ),
            IssueKind::InputFailed { doing, cause } => format!("cannot read {path} {doing}: {cause}"),
            IssueKind::CutShort {
                via,
                cause,
                decoded,
                raw,
            } => format!(
                "{path} is cut short ({}: {cause}). The {decoded} bytes decoded before the cut were checked{}; \
                 nothing follows the cut{}",
                via.id,
                if *raw { ", and so were its raw bytes" } else { "" },
                match via.id {
                    "xz" | "bzip2" | "zstd" => {
                        " (a decoder of blocks decodes nothing of the last, incomplete one: its raw bytes are all \
                         there is of it)"
                    }
                    _ => "",
                }
            ),
            IssueKind::Damaged {
                via,
                cause,
                decoded,
                raw,
            } => format!(
                "cannot decompress {path} ({}): {cause}. The {decoded} bytes decoded before the damage were checked{}; \
                 what another tool might decode after it was not",
                via.id,
                if *raw {
                    ", and so were its raw bytes"
                } else {
                    " (its raw bytes were not: it was read once, from inside another container or a pipe)"
                }
            ),
            IssueKind::OverMemory { via, cause, decoded } => format!(
                "{path} was not fully checked ({}): {cause}. It needs more memory to decode than intercept gives \
                 one decoder; the {decoded} bytes decoded before were checked, and its raw bytes were, the rest \
                 was not",
                via.id
            ),
            IssueKind::TooDeep { via, limit } => format!(
                "{path} was not opened: it is a {} container nested more than {limit} levels deep (each \
                 archive and each compression is a level). Its raw bytes were checked, what it holds was not",
                via.id
            ),
            IssueKind::Skipped(Skipped::Encrypted) => format!("{path} was not checked: it is encrypted"),
            IssueKind::Skipped(Skipped::Method(m)) => format!(
                "{path} was not checked: it is compressed with a method intercept does not read ({m})"
            ),
            IssueKind::MemberDamaged { via, cause } => format!(
                "cannot decompress {path} ({} member): {cause}. What was decoded before the damage was checked",
                via.id
            ),
            IssueKind::ArchiveDamaged { via, cause } => format!(
                "cannot read {path} as a {} archive: {cause}. The members before the damage and its raw bytes \
                 were checked",
                via.id
            ),
            // The cause names the format already (`tar: …`).
            IssueKind::ArchiveCutShort { via: _, cause } => format!(
                "{path} is cut short ({cause}). Its members before the cut, and what is there of the last one, \
                 were checked; nothing follows the cut"
            ),
            IssueKind::LfsMissing { oid, size } => format!(
                "{path} is a git-lfs pointer; the content it points at (LFS object {}, {size} bytes) is not in \
                 this repository's LFS store, so it was not checked here. It is checked where it is committed \
                 or pushed from",
                &oid[..12.min(oid.len())]
            ),
            IssueKind::LfsUnreadable { oid, cause } => format!(
                "cannot read {path}'s LFS object {}: {cause}. Its content was not checked",
                &oid[..12.min(oid.len())]
            ),
        }
    }

    /// The way out, where there is one to give.
    pub fn advice(&self) -> Option<&'static str> {
        Some(match self {
            IssueKind::Unreadable(_) => {
                "It was not checked; make it readable (check its permissions and, for a symlink, its \
                 target), or leave it out of the scan"
            }
            IssueKind::OverCap { .. } => {
                "Raise the cap with --max-decompressed <BYTES> (max_decompressed in the config), or scan the \
                 decompressed files directly"
            }
            IssueKind::InputFailed { .. } => "What was read before the error was checked; the rest was not",
            IssueKind::Damaged { .. } => "Repair or re-create the file",
            IssueKind::OverMemory { .. } => {
                "Decompress it and scan the result, or allow its path in .intercept.toml"
            }
            IssueKind::TooDeep { .. } => {
                "Unpack it a few levels and scan what it holds (`intercept scan DIR`), or allow the outer \
                 archive's path in .intercept.toml if it holds no secret"
            }
            IssueKind::Skipped(_) => {
                "Check it by hand, or allow the archive's path in .intercept.toml if it holds no secret"
            }
            IssueKind::ArchiveDamaged { .. } => "Repair or re-create the archive",
            IssueKind::LfsUnreadable { .. } => "Run `git lfs fsck`",
            IssueKind::CutShort { .. }
            | IssueKind::ArchiveCutShort { .. }
            | IssueKind::MemberDamaged { .. }
            | IssueKind::LfsMissing { .. } => return None,
        })
    }
}

/// What scanning an item found besides tokens: the part it is about, and what.
#[derive(Clone, Debug)]
pub struct Issue {
    pub origin: Origin,
    pub kind: IssueKind,
}

impl Issue {
    /// The part of the item it is about.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    pub fn origin_mut(&mut self) -> &mut Origin {
        &mut self.origin
    }

    /// True when part of the item could not be checked (a hook blocks).
    pub fn blocks(&self) -> bool {
        self.kind.blocks()
    }

    /// What happened, and why (without the way out).
    pub fn describe(&self) -> String {
        self.kind.describe(&self.origin.shown_path())
    }

    /// What to tell people: what could not be done, why, and the way out.
    pub fn message(&self) -> String {
        let mut text = self.describe();
        if let Some(advice) = self.kind.advice() {
            text.push_str(". ");
            text.push_str(advice);
        }
        text
    }
}

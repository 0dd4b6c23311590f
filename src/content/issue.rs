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
    /// A stream that ends before its end (a truncated download): all of it was checked.
    CutShort { via: Via, cause: Cause },
    /// A damaged stream: what follows the damage was not decoded.
    Damaged { via: Via, cause: Cause },
    /// An archive member that was not opened.
    Skipped(Skipped),
    /// An archive member damaged part way.
    MemberDamaged { via: Via, cause: Cause },
    /// An archive damaged part way.
    ArchiveDamaged { via: Via, cause: Cause },
    /// A git-lfs pointer whose object is not in the store.
    LfsMissing { oid: String, size: u64 },
    /// A git-lfs object that could not be read.
    LfsUnreadable { oid: String, cause: Cause },
}

impl IssueKind {
    /// True when part of the item could not be checked (a hook blocks on it); false for
    /// what is worth saying only.
    pub fn blocks(&self) -> bool {
        !matches!(self, IssueKind::CutShort { .. } | IssueKind::LfsMissing { .. })
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
            IssueKind::CutShort { via, cause } => format!(
                "{path} is cut short ({}: {cause}). All of it was checked, decoded as far as it goes and raw",
                via.id
            ),
            IssueKind::Damaged { via, cause } => format!(
                "cannot decompress {path} ({}): {cause}. Everything decoded before the damage was checked, and \
                 its raw bytes were; what another tool might decode after it was not",
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
            IssueKind::Skipped(_) => {
                "Check it by hand, or allow the archive's path in .intercept.toml if it holds no secret"
            }
            IssueKind::ArchiveDamaged { .. } => "Repair or re-create the archive",
            IssueKind::LfsUnreadable { .. } => "Run `git lfs fsck`",
            IssueKind::CutShort { .. } | IssueKind::MemberDamaged { .. } | IssueKind::LfsMissing { .. } => {
                return None
            }
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

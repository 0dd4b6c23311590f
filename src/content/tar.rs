//! tar archives (`.tar`, and inside a gzip, xz, bzip2 or zstd stream `.tgz`, `.tar.xz`, …):
//! the archive walked once, front to back ([`crate::plumbing::tar`]), each member with
//! content handed to the content layer one level deeper (its name scanned as a name, its
//! content opened through the whole table: a `.jar` in a `.tgz` is opened too), damage said
//! once, as the archive's or a member's.

use std::io::{self, BufRead};

use super::decoder::{self, Head, Views};
use super::issue::{Cause, IssueKind};
use crate::origin::Via;
use crate::plumbing::tar::{looks_like_tar, walk, Event, TarError};

/// The tar decoder: each member, one level deeper, named `outer!member`.
pub struct Tar;

const VIA: Via = Via {
    id: "tar",
    keeps_positions: false,
};

impl decoder::Decoder for Tar {
    fn via(&self) -> Via {
        VIA
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        looks_like_tar(head.bytes)
    }

    fn open(&self, _head: &Head<'_>, input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
        let mut damaged = Vec::new();
        let walked = walk(input, &mut |Event { name, content }| {
            if let Some(cause) = views.member(name, content) {
                damaged.push((name.to_vec(), cause));
            }
            Ok(())
        });
        if let Some(cause) = views.input_failed() {
            let doing = "to walk it as a tar archive";
            views.issue(None, IssueKind::InputFailed { doing, cause });
            return Ok(());
        }
        match walked {
            Ok(stats) => tracing::debug!(?stats, "tar walked"),
            // A cut (a truncated download): what is there was read, the cut is said once, not
            // as the damage of the member it fell in.
            Err(e) if e.is_cut_short() => {
                damaged.retain(|(_, cause)| cause.kind() != io::ErrorKind::UnexpectedEof);
                let cause = Cause::from(io::Error::new(io::ErrorKind::UnexpectedEof, e));
                views.issue(None, IssueKind::ArchiveCutShort { via: VIA, cause });
            }
            Err(e) => {
                let kind = match &e {
                    TarError::Io(e) => e.kind(),
                    TarError::Corrupt(_) => io::ErrorKind::InvalidData,
                };
                let cause = Cause::from(io::Error::new(kind, e));
                views.issue(None, IssueKind::ArchiveDamaged { via: VIA, cause });
            }
        }
        for (name, cause) in damaged {
            views.issue(Some(&name), IssueKind::MemberDamaged { via: VIA, cause });
        }
        Ok(())
    }
}

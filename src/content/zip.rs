//! The zip family's decoder (zip, jar, war, whl, apk, docx/xlsx/pptx): the archive walked
//! once, front to back ([`crate::plumbing::zip`]), each stored or deflated member handed to
//! the content layer one level deeper (its name scanned as a name), a member that cannot be
//! opened said, damage said once, as the archive's or a member's.

use std::io::{self, BufRead};

use super::decoder::{self, Head, Views};
use super::issue::{self, Cause, IssueKind};
use crate::origin::Via;
use crate::plumbing::zip::{looks_like_zip, walk, Event, Skipped};

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
        looks_like_zip(head.bytes)
    }

    fn open(&self, _head: &Head<'_>, input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
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
}

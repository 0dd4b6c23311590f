//! git-lfs pointers: a blob that stands for a file kept in the LFS store.
//!
//! Receives a small blob; recognises the pointer format (`version https://git-lfs.github.com/
//! spec/v1`, `oid sha256:<64 hex>`, `size <n>`, as git-lfs writes it) and hands on where the
//! object it points at would be in a store (`<store>/<aa>/<bb>/<oid>`). A store is a list of
//! `lfs/objects` directories: the repository's common git dir's, or the one `lfs.storage`
//! names. Whether the object is there is the caller's to find out.

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

use super::decoder::{Decoder, Head, Views};
use super::issue::IssueKind;
use crate::origin::Via;

/// The git-lfs decoder: a whole small item that is a pointer stands for the object it names;
/// that object, from the store, is scanned as the item's own content (its lines are the
/// file's). A pointer is recognised only at the top, never inside an LFS object (no loops).
pub struct Lfs;

const VIA: Via = Via {
    id: "lfs",
    keeps_positions: true,
};

impl Decoder for Lfs {
    fn via(&self) -> Via {
        VIA
    }

    fn deepens(&self) -> bool {
        false
    }

    fn sniff(&self, head: &Head<'_>) -> bool {
        head.whole && head.depth == 0 && !head.origin.via.contains(&VIA) && pointer(head.bytes).is_some()
    }

    fn open(&self, head: &Head<'_>, _input: &mut dyn BufRead, views: &mut dyn Views) -> io::Result<()> {
        let Some(pointer) = pointer(head.bytes) else {
            return Ok(());
        };
        let Some(path) = views.lfs_store().and_then(|store| store.find(&pointer)) else {
            views.issue(
                None,
                IssueKind::LfsMissing {
                    oid: pointer.oid,
                    size: pointer.size,
                },
            );
            return Ok(());
        };
        let open = || -> io::Result<Box<dyn Read>> { Ok(Box::new(std::fs::File::open(&path)?)) };
        if let Err(cause) = views.elsewhere(&open) {
            views.issue(
                None,
                IssueKind::LfsUnreadable {
                    oid: pointer.oid,
                    cause,
                },
            );
        }
        Ok(())
    }
}

/// git-lfs only treats blobs smaller than this as pointers.
pub const MAX_POINTER: usize = 1024;

/// The object a pointer names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pointer {
    /// SHA-256 of the content, 64 lowercase hex digits.
    pub oid: String,
    pub size: u64,
}

/// Parses a pointer file, if `bytes` is one.
pub fn pointer(bytes: &[u8]) -> Option<Pointer> {
    if bytes.len() >= MAX_POINTER {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    let version = lines.next()?.strip_prefix("version ")?;
    if version != "https://git-lfs.github.com/spec/v1" && version != "https://hawser.github.com/spec/v1" {
        return None;
    }
    let (mut oid, mut size) = (None, None);
    for line in lines {
        if let Some(hex) = line.strip_prefix("oid sha256:") {
            if hex.len() == 64
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                oid = Some(hex.to_string());
            }
        } else if let Some(n) = line.strip_prefix("size ") {
            size = n.parse().ok();
        }
    }
    Some(Pointer {
        oid: oid?,
        size: size?,
    })
}

/// Where LFS objects are kept.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// `.../lfs/objects` directories, looked in in order.
    pub dirs: Vec<PathBuf>,
}

impl Store {
    /// The store of a repository whose common git dir is `common_dir`: `lfs.storage` when
    /// set (relative to the git dir, as git-lfs reads it), else `<common_dir>/lfs`.
    pub fn of_repository(common_dir: &Path, lfs_storage: Option<&Path>) -> Self {
        let base = match lfs_storage {
            Some(p) if p.is_absolute() => p.to_path_buf(),
            Some(p) => common_dir.join(p),
            None => common_dir.join("lfs"),
        };
        Store {
            dirs: vec![base.join("objects")],
        }
    }

    /// The path of the object, where it exists.
    pub fn find(&self, pointer: &Pointer) -> Option<PathBuf> {
        let oid = &pointer.oid;
        self.dirs
            .iter()
            .map(|d| d.join(&oid[..2]).join(&oid[2..4]).join(oid))
            .find(|p| p.is_file())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_git_lfs_writes_and_nothing_else() {
        let oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
        let text = format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 12345\n");
        assert_eq!(
            pointer(text.as_bytes()),
            Some(Pointer {
                oid: oid.to_string(),
                size: 12345
            })
        );
        assert_eq!(
            pointer(b"version https://git-lfs.github.com/spec/v1\nsize 1\n"),
            None
        );
        assert_eq!(pointer(format!("oid sha256:{oid}\nsize 1\n").as_bytes()), None);
        assert_eq!(pointer(text.replace(oid, &oid.to_uppercase()).as_bytes()), None);
    }
}

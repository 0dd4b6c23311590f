//! Tree against tree → the blobs the new tree adds.
//!
//! Receives two tree ids (the old one may be absent: a root commit, a new directory);
//! hands on a `Change` for every blob or symlink of the new tree that differs from the
//! old tree's entry at the same path. Subtrees with equal ids are skipped without being
//! read; gitlinks are skipped (a submodule's content is checked in the submodule).

use gix::ObjectId;

use super::Change;
use crate::repo::{self, RepoError};

/// Appends the changes from `old` to `new` under `prefix` (`""` or `dir/`) to `out`.
pub fn changes(
    objects: &impl gix::objs::Find,
    old: Option<ObjectId>,
    new: ObjectId,
    prefix: &[u8],
    out: &mut Vec<Change>,
) -> Result<(), RepoError> {
    if old == Some(new) {
        return Ok(());
    }
    let old_tree = old.map(|id| repo::tree(objects, &id, prefix)).transpose()?;
    let new_tree = repo::tree(objects, &new, prefix)?;
    for entry in &new_tree.entries {
        let (name, mode, id) = (new_tree.name(entry), entry.mode, entry.id);
        let before = old_tree.as_ref().and_then(|t| t.find(name, mode.is_tree()));
        let mut path = prefix.to_vec();
        path.extend_from_slice(name);
        if mode.is_tree() {
            let old_subtree = before.map(|e| e.id);
            if old_subtree != Some(id) {
                path.push(b'/');
                changes(objects, old_subtree, id, &path, out)?;
            }
        } else if mode.is_blob_or_symlink() {
            let old_blob = before.filter(|e| e.mode.is_blob_or_symlink()).map(|e| e.id);
            if old_blob != Some(id) {
                out.push(Change {
                    path,
                    new: id,
                    old: old_blob,
                });
            }
        }
    }
    Ok(())
}

/// The blob (or symlink) at `path` in `tree`, if there is one.
pub fn blob_at(
    objects: &impl gix::objs::Find,
    tree: ObjectId,
    path: &[u8],
) -> Result<Option<ObjectId>, RepoError> {
    let mut current = tree;
    let mut components = path.split(|&b| b == b'/').peekable();
    while let Some(name) = components.next() {
        let is_last = components.peek().is_none();
        let t = repo::tree(objects, &current, path)?;
        match t.find(name, !is_last) {
            Some(e) if is_last && e.mode.is_blob_or_symlink() => return Ok(Some(e.id)),
            Some(e) if !is_last && e.mode.is_tree() => current = e.id,
            _ => return Ok(None),
        }
    }
    Ok(None)
}

//! Tree against tree → the blobs the new tree adds.
//!
//! Receives two tree ids (the old one may be absent: a root commit, a new directory);
//! hands on a `Change` for every blob or symlink of the new tree that differs from the
//! old tree's entry at the same path. Subtrees with equal ids are skipped without being
//! read; gitlinks are skipped (a submodule's content is checked in the submodule).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use gix::ObjectId;

use super::Change;
use crate::repo::{self, RepoError, Tree, TreeEntry};

/// Trees read during one run, kept by id: consecutive commits share most of their trees
/// (a commit's tree is its child's parent tree), so a range walk would otherwise read
/// and inflate each of them about twice (git.git, 819 commits: 4,948 reads of 1,985
/// trees, 101 MB inflated). Cleared when it outgrows its byte budget. (One per thread; it
/// may move to the thread that uses it.)
pub struct Trees {
    cache: HashMap<ObjectId, Arc<Tree>>,
    bytes: usize,
    limit: usize,
}

impl Trees {
    pub fn new(limit: usize) -> Self {
        Trees {
            cache: HashMap::new(),
            bytes: 0,
            limit,
        }
    }

    fn get(
        &mut self,
        objects: &impl gix::objs::Find,
        id: &ObjectId,
        at: &[u8],
    ) -> Result<Arc<Tree>, RepoError> {
        if let Some(tree) = self.cache.get(id) {
            return Ok(Arc::clone(tree));
        }
        let tree = Arc::new(repo::tree(objects, id, at)?);
        let size = tree.size();
        if self.bytes + size > self.limit {
            self.cache.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.cache.insert(*id, Arc::clone(&tree));
        Ok(tree)
    }
}

/// Appends the changes from `old` to `new` under `prefix` (`""` or `dir/`) to `out`.
pub fn changes(
    objects: &impl gix::objs::Find,
    trees: &mut Trees,
    old: Option<ObjectId>,
    new: ObjectId,
    prefix: &[u8],
    out: &mut Vec<Change>,
) -> Result<(), RepoError> {
    changes_within(objects, trees, old, new, prefix, None, out)
}

/// True when a path in `only` (sorted) starts with `prefix`.
fn any_under(only: &[Vec<u8>], prefix: &[u8]) -> bool {
    let i = only.partition_point(|p| p.as_slice() < prefix);
    only.get(i).is_some_and(|p| p.starts_with(prefix))
}

/// Like [`changes`], but only for the paths in `only` (sorted), descending only into
/// directories that hold one of them.
pub fn changes_within(
    objects: &impl gix::objs::Find,
    trees: &mut Trees,
    old: Option<ObjectId>,
    new: ObjectId,
    prefix: &[u8],
    only: Option<&[Vec<u8>]>,
    out: &mut Vec<Change>,
) -> Result<(), RepoError> {
    if old == Some(new) {
        return Ok(());
    }
    let old_tree = old.map(|id| trees.get(objects, &id, prefix)).transpose()?;
    let new_tree = trees.get(objects, &new, prefix)?;
    // Both trees are in git's tree order: walk them together.
    let old_entries: &[TreeEntry] = old_tree.as_ref().map_or(&[], |t| &t.entries);
    let mut cursor = 0;
    for entry in &new_tree.entries {
        let (name, mode, id) = (new_tree.name(entry), entry.mode, entry.id);
        let mut before = None;
        if let Some(old_tree) = &old_tree {
            while let Some(o) = old_entries.get(cursor) {
                match gix::objs::tree::name_order(old_tree.name(o), o.mode.is_tree(), name, mode.is_tree()) {
                    Ordering::Less => cursor += 1,
                    Ordering::Equal => {
                        before = Some(o);
                        cursor += 1;
                        break;
                    }
                    Ordering::Greater => break,
                }
            }
        }
        let mut path = prefix.to_vec();
        path.extend_from_slice(name);
        if mode.is_tree() {
            let old_subtree = before.map(|e| e.id);
            path.push(b'/');
            if old_subtree != Some(id) && only.is_none_or(|only| any_under(only, &path)) {
                changes_within(objects, trees, old_subtree, id, &path, only, out)?;
            }
        } else if mode.is_blob_or_symlink() {
            if only.is_some_and(|only| only.binary_search(&path).is_err()) {
                continue;
            }
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

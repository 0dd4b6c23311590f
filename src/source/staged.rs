//! The staged index against `HEAD^{tree}` → the blobs a commit would add: the [`Staged`]
//! source.
//!
//! Receives the object database, the index (as git staged it) and `HEAD`'s tree; hands on
//! one `Change` per path whose staged blob differs from `HEAD`'s (with the old blob, if
//! any, so the caller can report only added lines). Walks `HEAD`'s trees and the index
//! together and skips every directory whose cache-tree entry (the index's `TREE`
//! extension) is valid and equal to `HEAD`'s subtree, so a 100,000-file repository reads
//! a handful of trees. Skips conflict stages, intent-to-add entries and gitlinks;
//! sparse-index directory entries are compared by tree id and, when they differ,
//! walked tree against tree.

use gix::index::entry::{Flags, Mode, Stage};
use gix::index::extension::Tree as CacheTree;
use gix::index::State;
use gix::ObjectId;

use super::{tree_diff, Blobs, Change, Emit, Error, Source};
use crate::origin::Origin;
use crate::repo::{self, ObjectDirs, RepoError, Tree};

/// What `git commit` would record, as a source: every path the index changes against
/// `HEAD` (`None`: an unborn branch), with the blob it replaces.
///
/// While a merge is concluded (`MERGE_HEAD`), a path whose staged blob is the one another
/// parent has there is that parent's doing, not the merge's (the combined-diff rule
/// pre-push uses): [`Part::Adds`] hands on only what differs from every parent,
/// [`Part::Brings`] only what the other parents bring (checked to say what is already in
/// history, never to block).
pub struct Staged<'a, F> {
    pub objects: &'a F,
    pub dirs: &'a ObjectDirs,
    pub index: &'a State,
    pub head: Option<ObjectId>,
    /// The trees of the merge's other parents (empty: not a merge).
    pub others: &'a [ObjectId],
    pub part: Part,
}

/// Which changes of a merge a [`Staged`] source hands on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// What the commit adds (all of it, when it is no merge).
    Adds,
    /// What another parent brings as it is.
    Brings,
}

impl<F: gix::objs::Find + gix::objs::FindHeader> Source for Staged<'_, F> {
    fn run(&mut self, emit: &mut dyn Emit) -> Result<(), Error> {
        let blobs = Blobs {
            objects: self.objects,
            dirs: self.dirs,
        };
        let mut trees = std::collections::HashMap::new();
        for change in changes(self.objects, self.index, self.head)? {
            let mut brought = false;
            for other in self.others {
                if blob_at(self.objects, &mut trees, *other, &change.path)? == Some(change.new) {
                    brought = true;
                    break;
                }
            }
            if brought == (self.part == Part::Brings) {
                change.emit(&Origin::default(), &blobs, emit);
            }
        }
        Ok(())
    }
}

/// The blob (file or symlink) at `path` in tree `root` (trees read once each, kept in
/// `trees`).
fn blob_at(
    objects: &impl gix::objs::Find,
    trees: &mut std::collections::HashMap<ObjectId, Tree>,
    root: ObjectId,
    path: &[u8],
) -> Result<Option<ObjectId>, RepoError> {
    let mut tree = root;
    let mut parts = path.split(|&b| b == b'/').peekable();
    while let Some(name) = parts.next() {
        let read = match trees.entry(tree) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(repo::tree(objects, &tree, path)?),
        };
        let last = parts.peek().is_none();
        let Some(entry) = read.find(name, !last) else {
            return Ok(None);
        };
        if last {
            // Only a file or a symlink there brings these bytes (a gitlink with the same id
            // names a commit of another repository, never this content).
            return Ok(Some(entry.id).filter(|_| entry.mode.is_blob() || entry.mode.is_link()));
        }
        tree = entry.id;
    }
    Ok(None)
}

/// The changes between `head_tree` (`None`: unborn branch) and the index.
pub fn changes(
    objects: &impl gix::objs::Find,
    state: &State,
    head_tree: Option<ObjectId>,
) -> Result<Vec<Change>, RepoError> {
    let mut walk = Walk {
        objects,
        state,
        out: Vec::new(),
        trees_read: 0,
    };
    walk.dir(b"", 0..state.entries().len(), head_tree, state.tree())?;
    tracing::debug!(
        changes = walk.out.len(),
        trees_read = walk.trees_read,
        "staged changes"
    );
    Ok(walk.out)
}

struct Walk<'a, F> {
    objects: &'a F,
    state: &'a State,
    out: Vec<Change>,
    trees_read: usize,
}

impl<F: gix::objs::Find> Walk<'_, F> {
    fn read_tree(&mut self, id: Option<ObjectId>, at: &[u8]) -> Result<Option<Tree>, RepoError> {
        match id {
            Some(id) => {
                self.trees_read += 1;
                repo::tree(self.objects, &id, at).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Index entries `range` all lie under `prefix` (`""` or `dir/`); `tree` is `HEAD`'s
    /// tree for that directory.
    fn dir(
        &mut self,
        prefix: &[u8],
        range: std::ops::Range<usize>,
        tree: Option<ObjectId>,
        cache: Option<&CacheTree>,
    ) -> Result<(), RepoError> {
        if let (Some(cache), Some(tree)) = (cache, tree) {
            if cache.id == tree && cache.num_entries.is_some_and(|n| n as usize == range.len()) {
                return Ok(());
            }
        }
        let old = self.read_tree(tree, prefix)?;
        let find_old = |name: &[u8], is_tree: bool| old.as_ref().and_then(|t| t.find(name, is_tree));
        let entries = self.state.entries();
        let mut i = range.start;
        while i < range.end {
            let entry = &entries[i];
            let path: &[u8] = entry.path(self.state);
            let rest = &path[prefix.len()..];
            let Some(slash) = rest.iter().position(|&b| b == b'/') else {
                let old_entry = find_old(rest, false);
                self.file(entry, path, old_entry.map(|e| (e.mode, e.id)));
                i += 1;
                continue;
            };
            let name = &rest[..slash];
            let dir_prefix = &path[..prefix.len() + slash + 1];
            let end =
                i + entries[i..range.end].partition_point(|e| e.path(self.state).starts_with(dir_prefix));
            let old_tree = find_old(name, true).map(|e| e.id);
            if entry.mode == Mode::DIR && path.len() == dir_prefix.len() {
                // A sparse-index directory: the whole subtree is one entry.
                if old_tree != Some(entry.id) {
                    let mut trees = tree_diff::Trees::new(16 << 20);
                    tree_diff::changes(
                        self.objects,
                        &mut trees,
                        old_tree,
                        entry.id,
                        dir_prefix,
                        &mut self.out,
                    )?;
                }
            } else {
                let child = cache.and_then(|c| c.children.iter().find(|c| c.name.as_slice() == name));
                let dir_prefix = dir_prefix.to_vec();
                self.dir(&dir_prefix, i..end, old_tree, child)?;
            }
            i = end;
        }
        Ok(())
    }

    fn file(
        &mut self,
        entry: &gix::index::Entry,
        path: &[u8],
        old: Option<(gix::objs::tree::EntryMode, ObjectId)>,
    ) {
        if entry.stage() != Stage::Unconflicted
            || entry.flags.contains(Flags::INTENT_TO_ADD)
            || entry.mode == Mode::COMMIT
        {
            return;
        }
        let old = old
            .filter(|(mode, _)| mode.is_blob_or_symlink())
            .map(|(_, id)| id);
        if old == Some(entry.id) {
            return;
        }
        self.out.push(Change {
            path: path.to_vec(),
            new: entry.id,
            old,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::testing::{id, open, repo};

    /// The staged changes of the fixture: (path, old blob?) pairs.
    fn staged(fixture: &intercept_test_support::Repo) -> Vec<(String, bool)> {
        let git = open(fixture);
        let index = git.open_index().unwrap();
        let head = git.head_tree_id().ok().map(|t| t.detach());
        changes(&git.objects, &index, head)
            .unwrap()
            .into_iter()
            .map(|c| {
                assert_eq!(
                    c.new,
                    id(fixture, &format!(":{}", String::from_utf8_lossy(&c.path)))
                );
                (String::from_utf8_lossy(&c.path).into_owned(), c.old.is_some())
            })
            .collect()
    }

    #[test]
    fn the_index_against_head_is_what_a_commit_adds() {
        let fixture = repo(
            "mkdir -p keep/deep change; echo 1 > keep/deep/k; echo 1 > change/c; echo 1 > gone
             git add .; commit one
             echo 2 > change/c; echo new > change/n; git rm -q gone; echo later > later
             git add change; git add -N later",
        );
        // Unchanged directories, deletions and intent-to-add entries add nothing.
        assert_eq!(
            staged(&fixture),
            [("change/c".to_string(), true), ("change/n".to_string(), false)]
        );
    }

    #[test]
    fn on_an_unborn_branch_everything_staged_is_new() {
        let fixture = repo("mkdir d; echo 1 > d/a; echo 2 > b; git add .");
        assert_eq!(
            staged(&fixture),
            [("b".to_string(), false), ("d/a".to_string(), false)]
        );
    }

    #[test]
    fn conflicts_and_submodules_are_left_out() {
        let fixture = repo(
            "echo base > f; git add f; commit base
             git checkout -q -b side; echo side > f; git commit -qam side
             git checkout -q main; echo main > f; git commit -qam main
             git merge -q side || true
             git update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,sub",
        );
        assert!(staged(&fixture).is_empty());
    }
}

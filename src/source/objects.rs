//! The whole object database → every object exactly once: blobs, the names trees hold
//! (a token used as a file or directory name), the text commits and tags carry
//! (`super::carried`), and the names of every ref: the [`Database`] source of
//! `intercept scan --all`.
//!
//! Receives an objects directory (its alternates are followed); hands each object to a
//! visitor that may run on several threads. Per pack: each entry's kind is learnt from its
//! header (a delta takes its base's kind), and the delta chains are traversed with
//! gix-pack's delta tree, so each object is inflated exactly once. Loose objects are read
//! one by one. A pack
//! that cannot be read is an error for that pack only; the rest is still scanned.
//!
//! The objects are scanned on the traversal's own threads ([`Emit::concurrently`]); a blob's
//! findings are placed afterwards, by one walk of history ([`Source::locate`], see
//! `super::provenance`). A shallow clone and a partial clone are said (their history is
//! not all here); Ctrl-C stops the scan promptly.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use gix::objs::Kind;
use gix::ObjectId;

use super::carried::{self, Carrier};
use super::history::{self, Graph};
use super::{provenance, Emit, Error, Input, Item, Located, Source};
use crate::causes::{self, BoxError};
use crate::origin::{Origin, Subject};
use crate::path::PathText;
use crate::plumbing::pack::{self, count_loose, pack_entries, pack_indexes, scan_loose, scan_pack, Object};
pub use crate::progress::Counters;
use crate::repo::{self, RepoError};

/// Every object of a repository's database (its own directory and alternates), as a source.
pub struct Database<'a> {
    pub repo: &'a gix::Repository,
    /// Ctrl-C.
    pub interrupt: Arc<AtomicBool>,
    pub counters: Arc<Counters>,
}

impl Source for Database<'_> {
    fn run(&mut self, emit: &mut dyn Emit) -> Result<(), Error> {
        let (repo, interrupt, counters) = (self.repo, &*self.interrupt, &*self.counters);
        let hash = repo.object_hash();
        // A token used as a branch or tag name.
        for (name, _) in repo::refs::all(repo, None)? {
            let origin = Origin {
                subject: Subject::RefName,
                path: name.clone().into_bytes(),
                ..Origin::default()
            };
            emit.item(Item::new(origin, Input::Name(name.as_bytes())));
        }
        let errors = Mutex::new(Vec::new());
        let unreadable = Mutex::new(Vec::new());
        emit.concurrently(&mut |scan| {
            let visit = |object: Object<'_>| {
                counters.objects.fetch_add(1, Ordering::Relaxed);
                counters
                    .bytes
                    .fetch_add(object.data.len() as u64, Ordering::Relaxed);
                match object.kind {
                    Kind::Blob => {
                        let origin = Origin {
                            blob: Some(object.id),
                            ..Origin::default()
                        };
                        scan(Item::new(origin, Input::Bytes(object.data)));
                    }
                    Kind::Commit | Kind::Tag => {
                        let carrier = if object.kind == Kind::Commit {
                            Carrier::Commit
                        } else {
                            Carrier::Tag
                        };
                        if let Some(encoding) = carried::unreadable_encoding(carrier, object.data) {
                            if let Ok(mut all) = unreadable.lock() {
                                all.push(Error::Encoding {
                                    object: object.id,
                                    encoding,
                                });
                            }
                        }
                        carried::each(carrier, object.id, object.data, &Origin::default(), &mut |item| {
                            scan(item)
                        });
                    }
                    Kind::Tree => {
                        let names = tree_names(object.data, hash);
                        let origin = Origin {
                            subject: Subject::PathName,
                            tree: Some(object.id),
                            ..Origin::default()
                        };
                        scan(Item::new(origin, Input::Name(&names)));
                    }
                }
            };
            let found = all_objects(repo, interrupt, counters, &visit);
            if let Ok(mut all) = errors.lock() {
                all.extend(found);
            }
        });
        let objects_seen = counters.objects.load(Ordering::Relaxed);
        emit.count(objects_seen, counters.bytes.load(Ordering::Relaxed));
        for e in errors.into_inner().unwrap_or_default() {
            emit.problem(ObjectsError::from(e).into());
        }
        for e in unreadable.into_inner().unwrap_or_default() {
            emit.problem(e);
        }
        if interrupt.load(Ordering::SeqCst) {
            emit.problem(Error::Interrupted {
                objects: objects_seen,
            });
        }
        if repo.is_shallow().unwrap_or(false) {
            emit.problem(Error::Shallow);
        }
        if is_partial_clone(repo) {
            emit.problem(match count_missing_blobs(repo, interrupt) {
                Ok(missing) => Error::Partial { missing },
                Err(e) => Error::PartialUncounted { source: Box::new(e) },
            });
        }
        Ok(())
    }

    fn rescan(&mut self, ids: &[ObjectId], scan: &mut dyn FnMut(Item<'_>)) -> Result<(), Error> {
        let mut buf = Vec::new();
        for id in ids {
            let data = repo::blob(&self.repo.objects, id, b"", &mut buf)?;
            let origin = Origin {
                blob: Some(*id),
                ..Origin::default()
            };
            scan(Item::new(origin, Input::Bytes(data)));
        }
        Ok(())
    }

    fn locate(&mut self, blobs: &HashSet<ObjectId>, commits: &HashSet<ObjectId>) -> Located {
        use gix::prelude::FindExt as _;
        let (places, failed) = provenance::locate(self.repo, blobs, &self.interrupt);
        let mut buf = Vec::new();
        let authors = commits
            .iter()
            .filter_map(|id| {
                let commit = self.repo.objects.find_commit(id, &mut buf).ok()?;
                Some((*id, history::author_and_date(&commit)))
            })
            .collect();
        Located {
            places,
            authors,
            failed: failed.map(|e| Error::Provenance { source: Box::new(e) }),
        }
    }
}

/// An object database that could not be read, said with the way out.
#[derive(Debug, thiserror::Error)]
pub enum ObjectsError {
    #[error(
        "cannot read pack {path}: {}. Its objects were not checked (everything else was); run \
         `git fsck` to see what is damaged",
        causes::of(.source)
    )]
    Pack {
        path: PathText,
        #[source]
        source: BoxError,
    },
    #[error(
        "cannot read loose object {id}: {}. It was not checked; run `git fsck`",
        causes::of(.source)
    )]
    Loose {
        id: ObjectId,
        #[source]
        source: BoxError,
    },
    #[error("cannot list {path}: {}. Nothing in it was checked", causes::of(.source))]
    List {
        path: PathText,
        #[source]
        source: BoxError,
    },
}

impl From<pack::Error> for ObjectsError {
    fn from(e: pack::Error) -> Self {
        match e {
            pack::Error::Pack { path, source } => ObjectsError::Pack {
                path: PathText::new(&path),
                source,
            },
            pack::Error::Loose { id, source } => ObjectsError::Loose { id, source },
            pack::Error::List { path, source } => ObjectsError::List {
                path: PathText::new(&path),
                source,
            },
        }
    }
}

/// A commit's or tag's message: what follows its headers.
/// A tree's entry names, one per line (the line of a finding is the entry's position; a
/// name with a newline of its own is still read whole).
fn tree_names(data: &[u8], hash: gix::hash::Kind) -> Vec<u8> {
    // Entries are short: a plain loop finds their separators faster than a vectorised
    // search started per entry.
    let id_len = hash.len_in_bytes();
    let mut names = Vec::with_capacity(data.len() / 2);
    let mut i = 0;
    while i < data.len() {
        // `<mode> <name>\0<id>`
        let Some(space) = data[i..].iter().position(|&b| b == b' ') else {
            break;
        };
        let start = i + space + 1;
        let Some(nul) = data[start..].iter().position(|&b| b == 0) else {
            names.extend_from_slice(&data[start..]);
            break;
        };
        names.extend_from_slice(&data[start..start + nul]);
        names.push(b'\n');
        i = start + nul + 1 + id_len;
    }
    names
}

/// Visits every object of every pack and every loose object, planning the progress first:
/// every pack's entries (each pack narrows its share to what it will visit once
/// classified) and the loose objects, so the progress line has a percentage from the start.
fn all_objects(
    repo: &gix::Repository,
    interrupt: &AtomicBool,
    counters: &Counters,
    visit: &(dyn Fn(Object<'_>) + Sync),
) -> Vec<pack::Error> {
    let hash = repo.object_hash();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut errors = Vec::new();
    let dirs = repo::repo_object_dirs(repo);
    let mut counted = HashMap::new();
    for dir in &dirs {
        for idx in pack_indexes(dir).unwrap_or_default() {
            let n = pack_entries(&idx, hash);
            counters.planned.fetch_add(n, Ordering::Relaxed);
            counted.insert(idx, n);
        }
        counters.planned.fetch_add(count_loose(dir), Ordering::Relaxed);
    }
    for dir in dirs {
        match pack_indexes(&dir) {
            Ok(indexes) => {
                for idx in indexes {
                    if interrupt.load(Ordering::SeqCst) {
                        break;
                    }
                    let n = counted.get(&idx).copied().unwrap_or(0);
                    match scan_pack(&idx, hash, threads, interrupt, &counters.planned, n, visit) {
                        Ok(stats) => tracing::debug!(?stats, "pack scanned"),
                        // Stopped by Ctrl-C: said once, not as a damaged pack.
                        Err(_) if interrupt.load(Ordering::SeqCst) => break,
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(e) => errors.push(e),
        }
        if !interrupt.load(Ordering::SeqCst) {
            scan_loose(&dir, hash, visit, &mut errors);
        }
    }
    errors
}

fn is_partial_clone(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    config.string("extensions.partialClone").is_some()
        || repo.remote_names().iter().any(|name| {
            config
                .boolean(format!("remote.{name}.promisor").as_str())
                .unwrap_or(false)
        })
}

/// Blobs referenced by the trees of every commit reachable from a ref that are not in
/// the object database (each tree read once). Only run for partial clones.
fn count_missing_blobs(repo: &gix::Repository, interrupt: &AtomicBool) -> Result<usize, RepoError> {
    use gix::objs::Exists as _;
    use gix::prelude::FindExt as _;
    let tips: Vec<ObjectId> = provenance::named_ref_commits(repo)
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    let mut graph = Graph::new(repo, &repo.objects);
    let commits = history::commits(&mut graph, &tips, &[])?;
    let mut trees_seen = HashSet::new();
    let mut missing = HashSet::new();
    let mut buf = Vec::new();
    let mut todo = Vec::new();
    for id in commits {
        if interrupt.load(Ordering::SeqCst) {
            break;
        }
        let tree = repo
            .objects
            .find_commit(&id, &mut buf)
            .map_err(|e| RepoError::Object {
                kind: "commit",
                id,
                at: None,
                source: e.into(),
            })?
            .tree();
        todo.push(tree);
        while let Some(tree) = todo.pop() {
            if !trees_seen.insert(tree) {
                continue;
            }
            let t = repo::tree(&repo.objects, &tree, b"")?;
            for e in &t.entries {
                if e.mode.is_tree() {
                    todo.push(e.id);
                } else if e.mode.is_blob_or_symlink() && !repo.objects.exists(&e.id) {
                    missing.insert(e.id);
                }
            }
        }
    }
    Ok(missing.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::testing::{open, repo, Recorder};

    #[test]
    fn every_blob_commit_and_tag_once_packed_or_loose_and_where_blobs_were_added() {
        let fixture = repo(
            "echo packed > p; git add p; commit one; git tag -a -m notes v1
             git repack -q -a -d
             echo loose > l; git add l; commit two",
        );
        let git = open(&fixture);
        let mut db = Database {
            repo: &git,
            interrupt: Arc::default(),
            counters: Arc::default(),
        };
        let mut seen = Recorder::default();
        db.run(&mut seen).unwrap();
        let count = |subject: &str| seen.items.iter().filter(|i| i.contains(subject)).count();
        // Blobs by id (no path yet), the names of two root trees, two commits (each with its
        // author and committer headers), one tag (its name and tagger), the refs' names.
        assert_eq!(
            (
                count(" content"),
                count(" path-name"),
                count(" commit-message"),
                count(" commit-header"),
                count(" tag-message"),
                count(" tag-header"),
                count(" ref-name")
            ),
            (2, 2, 2, 4, 1, 2, 2),
            "{:?}",
            seen.items
        );
        assert!(
            seen.items.iter().all(|i| !i.contains("+author")),
            "read only for findings"
        );
        assert_eq!(seen.counted.0, 7);
        assert!(seen.problems.is_empty(), "{:?}", seen.problems);
        let loose = crate::source::testing::id(&fixture, "HEAD:l");
        let located = db.locate(&[loose].into(), &HashSet::new());
        assert_eq!(located.places[&loose][0].path, b"l");
    }
}

#[cfg(test)]
mod tree_name_tests {
    #[test]
    fn a_trees_names_are_read_one_per_line_and_a_damaged_tree_loses_none() {
        let id = [b'x'; 20];
        let mut tree = Vec::new();
        for (mode, name) in [
            (&b"100644"[..], &b"a.env"[..]),
            (b"40000", b"keys dir"),
            (b"100755", b"run"),
        ] {
            tree.extend_from_slice(mode);
            tree.push(b' ');
            tree.extend_from_slice(name);
            tree.push(0);
            tree.extend_from_slice(&id);
        }
        assert_eq!(
            super::tree_names(&tree, gix::hash::Kind::Sha1),
            b"a.env\nkeys dir\nrun\n"
        );
        // Cut inside a name: what is there is still read.
        assert_eq!(super::tree_names(&tree[..10], gix::hash::Kind::Sha1), b"a.e");
        assert_eq!(
            super::tree_names(b"100644 half-a-na", gix::hash::Kind::Sha1),
            b"half-a-na"
        );
    }
}

//! The whole object database → every blob exactly once, plus commit and tag objects (for
//! their messages): the [`Database`] source of `intercept scan --all`.
//!
//! Receives an objects directory (its alternates are followed); hands each object to a
//! visitor that may run on several threads. Per pack: each entry's kind is learnt from its
//! header (a delta takes its base's kind), trees are left out, and the blob, commit and
//! tag delta chains are traversed with gix-pack's delta tree, so each object is inflated
//! exactly once and no tree is inflated at all. Loose objects are read one by one. A pack
//! that cannot be read is an error for that pack only; the rest is still scanned.
//!
//! The objects are scanned on the traversal's own threads ([`Emit::concurrently`]); a blob's
//! findings are placed afterwards, by one walk of history ([`Source::locate`], see
//! [`super::provenance`]). A shallow clone and a partial clone are said (their history is
//! not all here); Ctrl-C stops the scan promptly.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use gix::objs::Kind;
use gix::odb::pack;
use gix::ObjectId;

use super::history::{self, Graph};
use super::{provenance, Emit, Error, Input, Item, Located, Source};
use crate::causes::{self, BoxError};
use crate::origin::Origin;
use crate::path::PathText;
use crate::repo::{self, RepoError};

/// Counters shared by the scan and a progress display.
#[derive(Default)]
pub struct Counters {
    pub objects: AtomicU64,
    pub bytes: AtomicU64,
    /// Objects the audit expects to visit (for a percentage and an ETA): planned from the
    /// pack indexes and loose objects up front, narrowed as each pack is classified.
    pub planned: AtomicU64,
}

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
        let errors = Mutex::new(Vec::new());
        emit.concurrently(&mut |scan| {
            let visit = |object: Object<'_>| {
                counters.objects.fetch_add(1, Ordering::Relaxed);
                counters
                    .bytes
                    .fetch_add(object.data.len() as u64, Ordering::Relaxed);
                let (origin, data) = match object.kind {
                    Kind::Blob => (
                        Origin {
                            blob: Some(object.id),
                            ..Origin::default()
                        },
                        object.data,
                    ),
                    Kind::Commit => (Origin::commit_message(Some(object.id)), body(object.data)),
                    Kind::Tag => (Origin::tag_message(object.id), body(object.data)),
                    _ => return,
                };
                scan(Item::new(origin, Input::Bytes(data)));
            };
            let found = all_objects(repo, interrupt, counters, &visit);
            if let Ok(mut all) = errors.lock() {
                all.extend(found);
            }
        });
        let objects_seen = counters.objects.load(Ordering::Relaxed);
        emit.count(objects_seen, counters.bytes.load(Ordering::Relaxed));
        for e in errors.into_inner().unwrap_or_default() {
            emit.problem(e.into());
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

/// A commit's or tag's message: what follows its headers.
fn body(data: &[u8]) -> &[u8] {
    memchr::memmem::find(data, b"\n\n").map_or(&[][..], |i| &data[i + 2..])
}

/// Visits every object of every pack and every loose object, planning the progress first:
/// every pack's entries (each pack narrows its share to what it will visit once
/// classified) and the loose objects, so the progress line has a percentage from the start.
fn all_objects(
    repo: &gix::Repository,
    interrupt: &AtomicBool,
    counters: &Counters,
    visit: &(dyn Fn(Object<'_>) + Sync),
) -> Vec<ObjectsError> {
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

/// One object handed to the visitor.
pub struct Object<'a> {
    pub id: ObjectId,
    pub kind: Kind,
    pub data: &'a [u8],
}

/// What was read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub packs: usize,
    pub objects: u64,
    pub bytes: u64,
}

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

/// The pack index files of an objects directory.
pub fn pack_indexes(dir: &Path) -> Result<Vec<PathBuf>, ObjectsError> {
    let pack_dir = dir.join("pack");
    let entries = match std::fs::read_dir(&pack_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(ObjectsError::List {
                path: PathText::new(&pack_dir),
                source: e.into(),
            })
        }
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    out.sort();
    Ok(out)
}

/// An index entry with what the traversal needs.
struct Entry {
    offset: u64,
    id: ObjectId,
    wanted: bool,
}

/// How many objects a pack holds (its index's count; 0 when the index cannot be read), for
/// planning a progress percentage before any pack is read.
pub fn pack_entries(idx: &Path, hash: gix::hash::Kind) -> u64 {
    pack::index::File::at(idx, hash).map_or(0, |i| u64::from(i.num_objects()))
}

/// How many loose objects `dir` holds (files in its `xx/` fan-out directories).
pub fn count_loose(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.as_encoded_bytes();
            name.len() == 2 && name.iter().all(u8::is_ascii_hexdigit)
        })
        .filter_map(|e| std::fs::read_dir(e.path()).ok())
        .map(|files| files.count() as u64)
        .sum()
}

/// Visits every blob, commit and tag in one pack, inflating each once. `planned` counts the
/// objects the audit expects to visit: the caller added `counted` for this pack (all its
/// entries); once the pack is classified, that becomes the number it will visit.
#[allow(clippy::too_many_arguments)]
pub fn scan_pack(
    idx: &Path,
    hash: gix::hash::Kind,
    threads: usize,
    interrupt: &AtomicBool,
    planned: &std::sync::atomic::AtomicU64,
    counted: u64,
    visit: &(dyn Fn(Object<'_>) + Sync),
) -> Result<Stats, ObjectsError> {
    let error = |source: BoxError| ObjectsError::Pack {
        path: PathText::new(idx),
        source,
    };
    let bundle = pack::Bundle::at(idx, hash).map_err(|e| error(e.into()))?;
    let (index, data) = (&bundle.index, &bundle.pack);
    let mut items: Vec<Entry> = index
        .iter()
        .map(|e| Entry {
            offset: e.pack_offset,
            id: e.oid,
            wanted: false,
        })
        .collect();
    items.sort_by_key(|i| i.offset);

    // Kinds from headers; a delta has its base's kind (an ofs-delta's base comes earlier).
    let mut kinds: HashMap<u64, Kind> = HashMap::with_capacity(items.len());
    let mut ref_deltas: Vec<(u64, ObjectId)> = Vec::new();
    for item in &items {
        let entry = data.entry(item.offset).map_err(|e| error(e.into()))?;
        let kind = match entry.header {
            pack::data::entry::Header::OfsDelta { base_distance } => item
                .offset
                .checked_sub(base_distance)
                .and_then(|base| kinds.get(&base).copied()),
            pack::data::entry::Header::RefDelta { base_id } => {
                ref_deltas.push((item.offset, base_id));
                None
            }
            header => header.as_kind(),
        };
        if let Some(kind) = kind {
            kinds.insert(item.offset, kind);
        }
    }
    // Ref-deltas may name bases anywhere in the pack: resolve until nothing changes.
    loop {
        let mut progressed = false;
        for (offset, base) in &ref_deltas {
            if kinds.contains_key(offset) {
                continue;
            }
            let base_kind = index
                .lookup(base)
                .map(|i| index.pack_offset_at_index(i))
                .and_then(|o| kinds.get(&o).copied());
            if let Some(kind) = base_kind {
                kinds.insert(*offset, kind);
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    for item in &mut items {
        item.wanted = matches!(
            kinds.get(&item.offset),
            Some(Kind::Blob | Kind::Commit | Kind::Tag)
        );
    }
    let total = items.len();
    // gix-pack's reader starts right after the pack header: the first entry must be part of
    // the tree even when it is not wanted (its visit is skipped).
    let first_offset = items.first().map(|i| i.offset);
    let selected: Vec<Entry> = items
        .into_iter()
        .filter(|i| i.wanted || Some(i.offset) == first_offset)
        .collect();
    tracing::debug!(pack = %PathText::new(idx), entries = total, selected = selected.len(), "pack");
    let selected_n = selected.len() as u64;
    let _ = planned.fetch_update(
        std::sync::atomic::Ordering::Relaxed,
        std::sync::atomic::Ordering::Relaxed,
        |p| Some(p.saturating_sub(counted).saturating_add(selected_n)),
    );
    let tree = pack::cache::delta::Tree::from_offsets_in_pack(
        data.path(),
        selected.into_iter(),
        &|i: &Entry| i.offset,
        &|id| Ok(index.lookup(id).map(|i| index.pack_offset_at_index(i))),
        &mut gix::progress::Discard,
        interrupt,
        hash,
    )
    .map_err(|e| error(e.into()))?;
    let seen_bytes = std::sync::atomic::AtomicU64::new(0);
    let seen_objects = std::sync::atomic::AtomicU64::new(0);
    tree.traverse(
        |range, pack: &pack::data::File| pack.entry_slice(range),
        data,
        data.pack_end() as u64,
        |item: &mut Entry, _progress, ctx: pack::cache::delta::traverse::Context<'_>| {
            if item.wanted {
                if let Some(kind) = ctx.entry.header.as_kind() {
                    seen_objects.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    seen_bytes.fetch_add(
                        ctx.decompressed.len() as u64,
                        std::sync::atomic::Ordering::Relaxed,
                    );
                    visit(Object {
                        id: item.id,
                        kind,
                        data: ctx.decompressed,
                    });
                }
            }
            Ok(())
        },
        pack::cache::delta::traverse::Options {
            object_progress: Box::new(gix::progress::Discard),
            size_progress: &mut gix::progress::Discard,
            thread_limit: Some(threads.max(1)),
            should_interrupt: interrupt,
            object_hash: hash,
            alloc_limit_bytes: None,
        },
    )
    .map_err(|e| error(e.into()))?;
    Ok(Stats {
        packs: 1,
        objects: seen_objects.into_inner(),
        bytes: seen_bytes.into_inner(),
    })
}

/// Visits every loose blob, commit and tag in `dir` (an object that is also packed is
/// visited twice; findings are folded later).
pub fn scan_loose(
    dir: &Path,
    hash: gix::hash::Kind,
    visit: &(dyn Fn(Object<'_>) + Sync),
    errors: &mut Vec<ObjectsError>,
) -> Stats {
    let store = gix::odb::loose::Store::at(dir, hash);
    let mut stats = Stats::default();
    let mut buf = Vec::new();
    for id in store.iter() {
        let id = match id {
            Ok(id) => id,
            Err(e) => {
                errors.push(ObjectsError::List {
                    path: PathText::new(dir),
                    source: e.into(),
                });
                continue;
            }
        };
        match store.try_find(&id, &mut buf) {
            Ok(Some(object)) if matches!(object.kind, Kind::Blob | Kind::Commit | Kind::Tag) => {
                stats.objects += 1;
                stats.bytes += object.data.len() as u64;
                visit(Object {
                    id,
                    kind: object.kind,
                    data: object.data,
                });
            }
            Ok(_) => {}
            Err(e) => errors.push(ObjectsError::Loose { id, source: e.into() }),
        }
    }
    stats
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
        // Blobs by id (no path yet), two commits, one tag; trees are left out.
        assert_eq!(
            (count(" content"), count(" commit-message"), count(" tag-message")),
            (2, 2, 1),
            "{:?}",
            seen.items
        );
        assert!(
            seen.items.iter().all(|i| !i.contains("+author")),
            "read only for findings"
        );
        assert_eq!(seen.counted.0, 5);
        assert!(seen.problems.is_empty(), "{:?}", seen.problems);
        let loose = crate::source::testing::id(&fixture, "HEAD:l");
        let located = db.locate(&[loose].into(), &HashSet::new());
        assert_eq!(located.places[&loose][0].path, b"l");
    }
}

//! A pack's objects, each inflated once: the traversal a whole-database scan needs.
//!
//! Receives an objects directory; hands each object (blob, tree, commit, tag) to a visitor
//! that may run on several threads. Per pack: each entry's kind is learnt from its header
//! (a delta takes its base's kind), and the delta chains are traversed with gix-pack's
//! delta tree, so each object is inflated exactly once. Loose objects are read one by one. A pack that cannot be read is an
//! error for that pack only.
//!
//! Plumbing: it knows git's formats and nothing of intercept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use gix::objs::Kind;
use gix::odb::pack;
use gix::ObjectId;

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

/// A cause gix gives (its errors are many types).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read pack {}: {source}", path.display())]
    Pack {
        path: PathBuf,
        #[source]
        source: BoxError,
    },
    #[error("cannot read loose object {id}: {source}")]
    Loose {
        id: ObjectId,
        #[source]
        source: BoxError,
    },
    #[error("cannot list {}: {source}", path.display())]
    List {
        path: PathBuf,
        #[source]
        source: BoxError,
    },
}

/// The pack index files of an objects directory.
pub fn pack_indexes(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let pack_dir = dir.join("pack");
    let entries = match std::fs::read_dir(&pack_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::List {
                path: pack_dir,
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

/// Visits every object in one pack, inflating each once. `planned` counts the
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
) -> Result<Stats, Error> {
    let error = |source: BoxError| Error::Pack {
        path: idx.to_path_buf(),
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
            Some(Kind::Blob | Kind::Commit | Kind::Tag | Kind::Tree)
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
    tracing::debug!(pack = %idx.display(), entries = total, selected = selected.len(), "pack");
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

/// Visits every loose object in `dir` (an object that is also packed is
/// visited twice; findings are folded later).
pub fn scan_loose(
    dir: &Path,
    hash: gix::hash::Kind,
    visit: &(dyn Fn(Object<'_>) + Sync),
    errors: &mut Vec<Error>,
) -> Stats {
    let store = gix::odb::loose::Store::at(dir, hash);
    let mut stats = Stats::default();
    let mut buf = Vec::new();
    for id in store.iter() {
        let id = match id {
            Ok(id) => id,
            Err(e) => {
                errors.push(Error::List {
                    path: dir.to_path_buf(),
                    source: e.into(),
                });
                continue;
            }
        };
        match store.try_find(&id, &mut buf) {
            Ok(Some(object)) => {
                stats.objects += 1;
                stats.bytes += object.data.len() as u64;
                visit(Object {
                    id,
                    kind: object.kind,
                    data: object.data,
                });
            }
            Ok(None) => {}
            Err(e) => errors.push(Error::Loose { id, source: e.into() }),
        }
    }
    stats
}

//! Opening the repository exactly as git handed it to us, and reading its objects.
//!
//! Receives the process environment (git sets `GIT_DIR`, `GIT_WORK_TREE` and
//! `GIT_INDEX_FILE` for hooks: `index.lock` for `git commit -a`, a temporary index for
//! `git commit <paths>`) and hands on a `gix::Repository`, the index as staged, and
//! `HEAD`'s tree (`None` on an unborn branch). Errors say what could not be read and how
//! to find out why; the hook adds that it blocked and names the bypass.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use gix::prelude::FindExt as _;
use gix::ObjectId;

use crate::causes::{self, BoxError};
use crate::path::PathText;
pub use crate::plumbing::objects::LightObjects;

pub mod refs;
pub mod tracking;
pub mod vcs;

/// What reading the repository can fail at. Each keeps its cause as its source and
/// quotes it (with the causes under it, `causes::Causes`) in a message that says what
/// could not be read and how to find out why.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error(
        "cannot open the git repository at {dir}: {}. Run it inside a git repository, or check GIT_DIR",
        causes::of(.source)
    )]
    Open {
        dir: PathText,
        #[source]
        source: BoxError,
    },
    #[error("there is no git repository in {dir} or any directory above it. Run it inside a git repository")]
    NotFound { dir: PathText },
    #[error(
        "cannot read the index {path}: {}. Run `git status` to see whether git can read it",
        causes::of(.source)
    )]
    Index {
        path: PathText,
        #[source]
        source: BoxError,
    },
    #[error(
        "cannot resolve HEAD: {}. Run `git status` and `git fsck` to find out why",
        causes::of(.source)
    )]
    Head {
        #[source]
        source: BoxError,
    },
    #[error(
        "cannot read the references of this repository: {}. Run `git show-ref` (and `git refs verify`) to \
         see whether git can",
        causes::of(.source)
    )]
    Refs {
        #[source]
        source: BoxError,
    },
    #[error(
        "cannot read {kind} {id}{}: {}. The object database is incomplete (a partial or shallow \
         clone) or corrupt; run `git fsck` to find out which",
        at.as_ref().map(|p| format!(" ({p})")).unwrap_or_default(),
        causes::of(.source)
    )]
    Object {
        kind: &'static str,
        id: ObjectId,
        at: Option<PathText>,
        #[source]
        source: BoxError,
    },
    #[error(
        "cannot resolve {spec:?}: {}. Name a commit, branch or tag (`git rev-parse {spec}` shows what git \
         makes of it)",
        causes::of(.source)
    )]
    Resolve {
        spec: String,
        #[source]
        source: BoxError,
    },
}

/// Why an object or a ref could not be used, where no library error says it.
#[derive(Debug, thiserror::Error)]
pub enum Why {
    #[error("the object is missing")]
    Missing,
    #[error("it is a {0}, not a tree")]
    NotATree(gix::objs::Kind),
    #[error("the object database returned bytes outside its buffer")]
    OutsideBuffer,
    #[error("a chain of more than 32 tags")]
    TagChain,
    #[error("a chain of more than 8 symbolic refs")]
    SymrefChain,
    #[error("HEAD names {0}, which is not a commit here")]
    HeadNotCommit(ObjectId),
    #[error("a ref names an object id of the wrong length")]
    BadId,
}

/// Opens the repository the way git does for a hook, honouring `GIT_DIR`,
/// `GIT_WORK_TREE` and `GIT_INDEX_FILE`. Replace refs (`refs/replace/*`) are never
/// applied (`GIT_NO_REPLACE_OBJECTS` semantics): git sends, receives and commits the
/// objects themselves, so that is what is read — a replacement must not hide a token.
pub fn open() -> Result<gix::Repository, RepoError> {
    use gix::sec::trust::DefaultForLevel;
    let options =
        |level| gix::open::Options::default_for_level(level).config_overrides(["core.useReplaceRefs=false"]);
    let trust = gix::sec::trust::Mapping {
        full: options(gix::sec::Trust::Full),
        reduced: options(gix::sec::Trust::Reduced),
    };
    let repo =
        gix::ThreadSafeRepository::discover_with_environment_overrides_opts(".", Default::default(), trust)
            .map_err(|e| {
            let dir = std::env::current_dir()
                .map(|d| PathText::new(&d))
                .unwrap_or_else(|_| PathText(b".".to_vec()));
            if vcs::is_not_found(&e) {
                RepoError::NotFound { dir }
            } else {
                RepoError::Open {
                    dir,
                    source: e.into(),
                }
            }
        })?;
    Ok(repo.to_thread_local())
}

/// The light object reader for hooks ([`LightObjects`]) over `repo`'s object directories.
pub fn light_objects(repo: &gix::Repository) -> LightObjects {
    LightObjects::new(repo_object_dirs(repo), repo.object_hash(), repo.objects.clone())
}

/// Indexes smaller than this are decoded on one thread.
const SMALL_INDEX_BYTES: u64 = 4 << 20;

/// The index as staged (whichever file `GIT_INDEX_FILE` names), without verifying its
/// checksum (git just wrote it; hashing costs ~3 ms per MB). A missing index is empty.
pub fn index(repo: &gix::Repository) -> Result<gix::index::File, RepoError> {
    let path = repo.index_path();
    if !path.exists() {
        tracing::debug!(path = %PathText::new(&path), "no index file: nothing is staged");
        return Ok(gix::index::File::from_state(
            gix::index::State::new(repo.object_hash()),
            path,
        ));
    }
    // Threads pay off only for big indexes: starting them costs more than decoding a
    // few thousand entries.
    let small = path.metadata().is_ok_and(|m| m.len() < SMALL_INDEX_BYTES);
    let options = gix::index::decode::Options {
        thread_limit: small.then_some(1),
        ..Default::default()
    };
    gix::index::File::at(&path, repo.object_hash(), true, options).map_err(|e| RepoError::Index {
        path: PathText::new(&path),
        source: e.into(),
    })
}

/// `HEAD^{tree}`, or `None` when the branch is unborn (the first commit).
pub fn head_tree(
    repo: &gix::Repository,
    objects: &(impl gix::objs::Find + gix::objs::FindHeader),
) -> Result<Option<ObjectId>, RepoError> {
    let Some(id) = refs::head_id(repo)? else {
        return Ok(None);
    };
    let commit = peel_to_commit(objects, id).ok_or_else(|| RepoError::Head {
        source: Why::HeadNotCommit(id).into(),
    })?;
    let mut buf = Vec::new();
    let tree = objects
        .find_commit(&commit, &mut buf)
        .map_err(|e| RepoError::Head { source: e.into() })?
        .tree();
    Ok(Some(tree))
}

/// The commit `id` is or (through annotated tags) points at; `None` for a tree, a blob
/// or a missing object. Reads only the header of a commit.
pub fn peel_to_commit(
    objects: &(impl gix::objs::Find + gix::objs::FindHeader),
    mut id: ObjectId,
) -> Option<ObjectId> {
    let mut buf = Vec::new();
    for _ in 0..32 {
        match objects.try_header(&id).ok()??.kind {
            gix::objs::Kind::Commit => return Some(id),
            gix::objs::Kind::Tag => id = objects.find_tag(&id, &mut buf).ok()?.target(),
            _ => return None,
        }
    }
    None
}

/// Blobs larger than this are streamed from the object database instead of being read
/// into memory (a 1 GB binary must not take 2 GB).
pub const LARGE_BLOB: u64 = 32 << 20;

/// A blob's bytes: in memory, or (when large) a stream to open.
pub enum Blob<'a> {
    Bytes(&'a [u8]),
    Large(LargeBlob),
}

/// Where a large blob's bytes are: a loose object, or an undeltified entry of a pack.
pub enum LargeBlob {
    Loose(PathBuf),
    Packed { pack: PathBuf, offset: u64 },
}

impl LargeBlob {
    /// The blob's content as a stream (zlib-inflated, header skipped).
    pub fn open(&self) -> std::io::Result<Box<dyn Read>> {
        use std::io::{BufRead as _, Seek as _};
        match self {
            LargeBlob::Loose(path) => {
                let mut inflated = BufReader::new(flate2::read::ZlibDecoder::new(BufReader::new(
                    std::fs::File::open(path)?,
                )));
                // `blob <size>\0`, then the content.
                let mut header = Vec::new();
                inflated.read_until(0, &mut header)?;
                Ok(Box::new(inflated))
            }
            LargeBlob::Packed { pack, offset } => {
                let mut file = std::fs::File::open(pack)?;
                file.seek(std::io::SeekFrom::Start(*offset))?;
                Ok(Box::new(flate2::read::ZlibDecoder::new(BufReader::new(file))))
            }
        }
    }
}

/// Reads blob `id`: into `buf` when it is small, as a stream to open when it is larger than
/// [`LARGE_BLOB`] and stored whole (loose, or an undeltified pack entry; a delta is always
/// resolved in memory). `dirs` are the object directories to look in for the stream.
pub fn read_blob<'a>(
    objects: &(impl gix::objs::Find + gix::objs::FindHeader),
    dirs: &ObjectDirs,
    id: &ObjectId,
    at: &[u8],
    buf: &'a mut Vec<u8>,
) -> Result<Blob<'a>, RepoError> {
    let error = |source: BoxError| RepoError::Object {
        kind: "blob",
        id: *id,
        at: Some(PathText(at.to_vec())),
        source,
    };
    let size = objects
        .try_header(id)
        .map_err(|e| error(e.into()))?
        .map_or(0, |h| h.size);
    if size > LARGE_BLOB {
        if let Some(large) = large_blob(dirs.get(), id) {
            return Ok(Blob::Large(large));
        }
    }
    blob(objects, id, at, buf).map(Blob::Bytes)
}

/// Finds where a large blob is stored whole, for streaming.
fn large_blob(dirs: &[PathBuf], id: &ObjectId) -> Option<LargeBlob> {
    let hex = id.to_string();
    for dir in dirs {
        let loose = dir.join(&hex[..2]).join(&hex[2..]);
        if loose.is_file() {
            return Some(LargeBlob::Loose(loose));
        }
    }
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir.join("pack")) else {
            continue;
        };
        for entry in entries.flatten() {
            let idx = entry.path();
            if idx.extension().is_none_or(|e| e != "idx") {
                continue;
            }
            let Ok(index) = gix::odb::pack::index::File::at(&idx, id.kind()) else {
                continue;
            };
            let Some(i) = index.lookup(id) else {
                continue;
            };
            let offset = index.pack_offset_at_index(i);
            let pack = idx.with_extension("pack");
            let mut file = std::fs::File::open(&pack).ok()?;
            use std::io::Seek as _;
            file.seek(std::io::SeekFrom::Start(offset)).ok()?;
            let entry = gix::odb::pack::data::Entry::from_read(
                &mut BufReader::new(file),
                offset,
                id.kind().len_in_bytes(),
            )
            .ok()?;
            return match entry.header {
                gix::odb::pack::data::entry::Header::Blob => Some(LargeBlob::Packed {
                    pack,
                    offset: entry.data_offset,
                }),
                _ => None,
            };
        }
    }
    None
}

/// The object directories to stream large blobs from (a push's quarantine first, then the
/// repository's own and its alternates), found on first use: most runs never need them.
#[derive(Debug)]
pub struct ObjectDirs {
    quarantine: Option<PathBuf>,
    root: PathBuf,
    all: std::sync::OnceLock<Vec<PathBuf>>,
}

impl ObjectDirs {
    pub fn of(repo: &gix::Repository) -> Self {
        ObjectDirs {
            quarantine: None,
            root: repo.objects.store_ref().path().to_path_buf(),
            all: std::sync::OnceLock::new(),
        }
    }

    pub fn get(&self) -> &[PathBuf] {
        self.all.get_or_init(|| {
            let mut dirs: Vec<PathBuf> = self.quarantine.iter().cloned().collect();
            dirs.extend(object_dirs(&self.root));
            dirs
        })
    }
}

/// `dir` and every alternate object directory it names, recursively, each once.
pub fn object_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let key = d.canonicalize().unwrap_or_else(|_| d.clone());
        if out
            .iter()
            .any(|o| o.canonicalize().unwrap_or_else(|_| o.clone()) == key)
        {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(d.join("info/alternates")) {
            for line in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                let alt = Path::new(line);
                todo.push(if alt.is_absolute() {
                    alt.to_path_buf()
                } else {
                    d.join(alt)
                });
            }
        }
        out.push(d);
    }
    out
}

/// Reads a blob into `buf`.
pub fn blob<'a>(
    objects: &impl gix::objs::Find,
    id: &ObjectId,
    at: &[u8],
    buf: &'a mut Vec<u8>,
) -> Result<&'a [u8], RepoError> {
    objects
        .find_blob(id, buf)
        .map(|b| b.data)
        .map_err(|e| RepoError::Object {
            kind: "blob",
            id: *id,
            at: Some(PathText(at.to_vec())),
            source: e.into(),
        })
}

/// A tree's entries, with names pointing into the tree's own bytes (one allocation per
/// tree, not one per entry: git.git's `t/` alone has 1,500 entries).
pub struct Tree {
    data: Vec<u8>,
    pub entries: Vec<TreeEntry>,
}

/// One entry of a [`Tree`].
#[derive(Clone, Debug)]
pub struct TreeEntry {
    name: std::ops::Range<usize>,
    pub mode: gix::objs::tree::EntryMode,
    pub id: ObjectId,
}

impl Tree {
    /// Bytes this tree holds in memory (for cache budgets).
    pub fn size(&self) -> usize {
        self.data.len() + self.entries.len() * std::mem::size_of::<TreeEntry>()
    }

    /// An entry's file name.
    pub fn name(&self, entry: &TreeEntry) -> &[u8] {
        &self.data[entry.name.clone()]
    }

    /// The entry named `name` (a tree when `is_tree`), by binary search in git's tree order.
    pub fn find(&self, name: &[u8], is_tree: bool) -> Option<&TreeEntry> {
        self.entries
            .binary_search_by(|e| gix::objs::tree::name_order(self.name(e), e.mode.is_tree(), name, is_tree))
            .ok()
            .map(|i| &self.entries[i])
    }
}

/// Reads a tree (`at` names it in errors).
pub fn tree(objects: &impl gix::objs::Find, id: &ObjectId, at: &[u8]) -> Result<Tree, RepoError> {
    let error = |source: BoxError| RepoError::Object {
        kind: "tree",
        id: *id,
        at: (!at.is_empty()).then(|| PathText(at.to_vec())),
        source,
    };
    if *id == ObjectId::empty_tree(id.kind()) {
        return Ok(Tree {
            data: Vec::new(),
            entries: Vec::new(),
        });
    }
    let mut data = Vec::new();
    let (kind, start, len) = {
        let found = objects
            .try_find(id, &mut data)
            .map_err(|e| error(e.into()))?
            .ok_or_else(|| error(Why::Missing.into()))?;
        (found.kind, found.data.as_ptr() as usize, found.data.len())
    };
    if kind != gix::objs::Kind::Tree {
        return Err(error(Why::NotATree(kind).into()));
    }
    // The object's bytes live in `data` (normally from its start); keep exactly them.
    let offset = start.wrapping_sub(data.as_ptr() as usize);
    if offset.checked_add(len).is_some_and(|end| end <= data.len()) {
        data.drain(..offset);
        data.truncate(len);
    } else {
        return Err(error(Why::OutsideBuffer.into()));
    }
    let parsed = gix::objs::TreeRef::from_bytes(&data, id.kind()).map_err(|e| error(e.into()))?;
    let base = data.as_ptr() as usize;
    let entries = parsed
        .entries
        .iter()
        .map(|e| {
            let start = e.filename.as_ptr() as usize - base;
            TreeEntry {
                name: start..start + e.filename.len(),
                mode: e.mode,
                id: e.oid.to_owned(),
            }
        })
        .collect();
    Ok(Tree { data, entries })
}

/// The content of `name` (a file at the root) as staged in `index`, if it is there.
pub fn staged_file(
    objects: &impl gix::objs::Find,
    index: &gix::index::State,
    name: &str,
) -> Result<Option<Vec<u8>>, RepoError> {
    use gix::bstr::ByteSlice as _;
    let Some(entry) = index.entry_by_path(name.as_bytes().as_bstr()) else {
        return Ok(None);
    };
    let mut buf = Vec::new();
    blob(objects, &entry.id, name.as_bytes(), &mut buf).map(|b| Some(b.to_vec()))
}

/// The content of `name` (a file at the root) in `commit`'s tree, if it is there.
pub fn committed_file(
    objects: &impl gix::objs::Find,
    commit: &ObjectId,
    name: &str,
) -> Result<Option<Vec<u8>>, RepoError> {
    use gix::prelude::FindExt as _;
    let mut buf = Vec::new();
    let tree_id = objects
        .find_commit(commit, &mut buf)
        .map_err(|e| RepoError::Object {
            kind: "commit",
            id: *commit,
            at: None,
            source: e.into(),
        })?
        .tree();
    let tree = tree(objects, &tree_id, b"")?;
    match tree.find(name.as_bytes(), false) {
        Some(entry) if entry.mode.is_blob() => {
            let id = entry.id;
            blob(objects, &id, name.as_bytes(), &mut buf).map(|b| Some(b.to_vec()))
        }
        _ => Ok(None),
    }
}

/// The commit `HEAD` points at, if any (not on an unborn branch).
pub fn head_commit_id(repo: &gix::Repository) -> Option<ObjectId> {
    refs::head_id(repo)
        .ok()
        .flatten()
        .and_then(|id| peel_to_commit(&repo.objects, id))
}

/// The objects of a push being received: the quarantine first, then the repository.
#[derive(Clone)]
pub struct Incoming {
    pub quarantine: Option<gix::odb::Handle>,
    pub existing: gix::OdbHandle,
}

impl gix::objs::Find for Incoming {
    fn try_find<'b>(
        &self,
        id: &gix::oid,
        buffer: &'b mut Vec<u8>,
    ) -> gix::Result<Option<gix::objs::Data<'b>>> {
        match &self.quarantine {
            Some(q) if gix::objs::Exists::exists(q, id) => q.try_find(id, buffer),
            _ => self.existing.try_find(id, buffer),
        }
    }
}

impl gix::objs::FindHeader for Incoming {
    fn try_header(&self, id: &gix::oid) -> gix::Result<Option<gix::objs::Header>> {
        match &self.quarantine {
            Some(q) if gix::objs::Exists::exists(q, id) => q.try_header(id),
            _ => self.existing.try_header(id),
        }
    }
}

impl gix::objs::Exists for Incoming {
    fn exists(&self, id: &gix::oid) -> bool {
        self.quarantine.as_ref().is_some_and(|q| q.exists(id)) || self.existing.exists(id)
    }
}

/// The quarantine of a push being received, if git put the objects in one: git names it
/// `GIT_QUARANTINE_PATH`; some servers (GitLab's Gitaly) pass only `GIT_OBJECT_DIRECTORY`,
/// which points at the same place. Opened as a second store, never written to.
pub fn incoming(repo: &gix::Repository) -> Result<(Incoming, ObjectDirs), RepoError> {
    let dir = std::env::var_os("GIT_QUARANTINE_PATH").or_else(|| std::env::var_os("GIT_OBJECT_DIRECTORY"));
    let mut dirs = ObjectDirs::of(repo);
    let quarantine = match dir {
        Some(dir) => {
            let q = gix::odb::at(&dir, repo.object_hash()).map_err(|e| RepoError::Open {
                dir: PathText::new(Path::new(&dir)),
                source: e.into(),
            })?;
            dirs.quarantine = Some(PathBuf::from(dir));
            Some(q)
        }
        None => None,
    };
    Ok((
        Incoming {
            quarantine,
            existing: repo.objects.clone(),
        },
        dirs,
    ))
}

/// Every object directory of a repository (its own and its alternates).
pub fn repo_object_dirs(repo: &gix::Repository) -> Vec<PathBuf> {
    object_dirs(repo.objects.store_ref().path())
}

/// The other parents of the merge being made: what `git merge` names in its hooks'
/// environment (`GITHEAD_<id>`, set before pre-merge-commit, which runs before git writes
/// `MERGE_HEAD`), and `MERGE_HEAD` (one id per line) when a merge is concluded by
/// `git commit`. Anything that is not an id is left out (the merge is then checked against
/// fewer parents: more, never less).
pub fn merge_heads(repo: &gix::Repository) -> Vec<ObjectId> {
    let mut heads: Vec<ObjectId> = std::env::vars_os()
        .filter_map(|(k, _)| {
            let k = k.to_str()?;
            ObjectId::from_hex(k.strip_prefix("GITHEAD_")?.as_bytes()).ok()
        })
        .collect();
    if let Ok(text) = std::fs::read(repo.git_dir().join("MERGE_HEAD")) {
        heads.extend(
            text.split(|&b| b == b'\n')
                .filter_map(|line| ObjectId::from_hex(line.trim_ascii()).ok()),
        );
    }
    heads.sort();
    heads.dedup();
    heads
}

/// The tree of commit `id`, if it can be read.
pub fn commit_tree(objects: &impl gix::objs::Find, id: &ObjectId) -> Option<ObjectId> {
    use gix::prelude::FindExt as _;
    let mut buf = Vec::new();
    objects.find_commit(id, &mut buf).ok().map(|c| c.tree())
}

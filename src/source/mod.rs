//! Sources: where bytes come from, as [`Item`]s with a typed [`Origin`].
//!
//! A [`Source`] hands its items to the scan session through [`Emit`] (a push model): plain
//! files ([`files::Files`]), the blobs a staged index adds ([`staged::Staged`]), a commit or
//! tag message ([`message::Message`]), what a push sends or a range holds
//! ([`commits::CommitWalk`]: one walk with tips, hidden tips and peeled refs for pre-push,
//! pre-receive and `scan --range`), and every object of a database ([`objects::Database`],
//! `scan --all`). Walking history, peeling refs, shallow and partial clones and where a
//! blob entered history (`provenance`) are the sources' business; a source never decodes
//! and never sees the detector or a finding.
//!
//! An item is bytes (a name, bytes in memory, a file, a stream, or a blob the session reads
//! through the source's [`Objects`]) and, for a change, its baseline: the blob it replaces,
//! so that only what the change adds counts. Adding a source is one file here implementing
//! [`Source`], and the plan choosing it.

pub(crate) mod carried;
pub mod commits;
pub mod files;
pub(crate) mod history;
pub mod message;
pub mod objects;
pub mod options;
pub(crate) mod provenance;
pub mod pushed;
pub mod reach;
pub mod staged;
pub(crate) mod tree_diff;

#[cfg(test)]
mod testing;

use std::collections::HashSet;

/// An object's id: what names a blob, a commit, a tag.
pub use gix::ObjectId;

use crate::origin::Origin;
use crate::repo::ObjectDirs;
pub use crate::repo::{Blob, RepoError};

/// One thing to scan.
pub struct Item<'a> {
    pub origin: Origin,
    pub input: Input<'a>,
    /// The blob this item replaces (a path a commit changes): only what it adds counts.
    pub baseline: Option<ObjectId>,
}

impl<'a> Item<'a> {
    /// An item that counts whole.
    pub fn new(origin: Origin, input: Input<'a>) -> Self {
        Item {
            origin,
            input,
            baseline: None,
        }
    }
}

/// An item's bytes.
pub enum Input<'a> {
    /// Bytes to scan as a name (a path, a ref): a token used as a name is a leak.
    Name(&'a [u8]),
    /// Bytes in memory (a message, an object's data).
    Bytes(&'a [u8]),
    /// A stream the content layer opens, and opens again for a second view (a file).
    Open(&'a dyn Fn() -> std::io::Result<Box<dyn std::io::Read + 'a>>),
    /// A stream read once (standard input).
    Stream(&'a mut dyn std::io::Read),
    /// A git blob, read by the session through `objects` (so each blob is read once per run,
    /// and a large one streamed).
    Blob { id: ObjectId, objects: &'a dyn Objects },
}

/// How the session reads the blobs a source names.
pub trait Objects {
    /// Blob `id` (`at` names it in errors): in `buf`, or as a stream when it is large.
    fn blob<'b>(&self, id: &ObjectId, at: &[u8], buf: &'b mut Vec<u8>) -> Result<Blob<'b>, RepoError>;
}

/// An object handle and the object directories large blobs are streamed from.
pub struct Blobs<'a, F> {
    pub objects: &'a F,
    pub dirs: &'a ObjectDirs,
}

impl<F: gix::objs::Find + gix::objs::FindHeader> Objects for Blobs<'_, F> {
    fn blob<'b>(&self, id: &ObjectId, at: &[u8], buf: &'b mut Vec<u8>) -> Result<Blob<'b>, RepoError> {
        crate::repo::read_blob(self.objects, self.dirs, id, at, buf)
    }
}

/// A scanner every thread may call ([`Emit::concurrently`]).
pub type Scanner<'s> = dyn Fn(Item<'_>) + Sync + 's;

/// What [`Emit::units`] calls for each unit: `(thread, unit, emit)`.
pub type UnitWork<'w> = dyn Fn(usize, usize, &mut dyn Emit) + Sync + 'w;

/// The scan session, as a source sees it.
pub trait Emit {
    /// Scans `item` now.
    fn item(&mut self, item: Item<'_>);
    /// Part of the source could not be read, or is not there to read: said (a hook blocks on
    /// it), and the run goes on.
    fn problem(&mut self, problem: Error);
    /// Worth saying, no reason to block.
    fn notice(&mut self, notice: String);
    /// Entries a walk left out on purpose (symlinks, special files).
    fn skipped(&mut self, n: u64);
    /// Objects (not files) read, for a source that counts its own items ([`Emit::concurrently`]).
    fn count(&mut self, objects: u64, bytes: u64);
    /// Works on `units` (commits) on the session's threads: `work(thread, unit, emit)` hands
    /// on one unit's items, with the emitter of the thread that runs it (`thread` is below
    /// [`Emit::threads_for`]`(units)`, for state of the source's own per thread). What each
    /// unit finds reaches the report in unit order. The session stops handing out units
    /// when the run's time budget runs out, and says how far it got, naming units `what`.
    fn units(&mut self, units: usize, what: &'static str, work: &UnitWork<'_>);
    /// How many threads [`Emit::units`] runs `units` units on.
    fn threads_for(&self, units: usize) -> usize;
    /// Scans items from threads of the source's own (a traversal that brings its threads): `run`
    /// gets a scanner every thread may use. What they find is held until the source has run,
    /// and placed with [`Source::locate`] first (their origins carry blob ids, not paths).
    fn concurrently(&mut self, run: &mut dyn FnMut(&Scanner<'_>));
}

/// A path whose content is new in a commit (or in the staged index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: Vec<u8>,
    pub new: ObjectId,
    /// The blob at this path before (in `HEAD`, or the first parent), if there was one.
    pub old: Option<ObjectId>,
}

impl Change {
    /// Hands on what the change adds: a new path's name, then the blob, its baseline the
    /// blob it replaces. `base` is the origin of the change's commit (if any).
    pub fn emit(&self, base: &Origin, objects: &dyn Objects, emit: &mut dyn Emit) {
        let origin = Origin {
            path: self.path.clone(),
            blob: Some(self.new),
            ..base.clone()
        };
        if self.old.is_none() {
            emit.item(Item::new(origin.clone(), Input::Name(&self.path)));
        }
        emit.item(Item {
            origin,
            input: Input::Blob {
                id: self.new,
                objects,
            },
            baseline: self.old,
        });
    }
}

/// Where history added blobs: for each blob, each commit and path that adds it.
pub type Places = provenance::Places;
pub use provenance::Place;

/// What [`Source::locate`] learnt.
#[derive(Default)]
pub struct Located {
    pub places: Places,
    /// Each commit's author (`Name <email>`) and author date (ISO 8601).
    pub authors: std::collections::HashMap<ObjectId, (Option<String>, Option<String>)>,
    /// Why not every blob could be placed (the history walk failed).
    pub failed: Option<Error>,
}

/// Where bytes come from.
pub trait Source {
    /// Hands every item to `emit`. An error is one that stops the source before it is done
    /// (what it handed on was scanned).
    fn run(&mut self, emit: &mut dyn Emit) -> Result<(), Error>;

    /// For what was scanned [`Emit::concurrently`] and holds findings: where history added
    /// `blobs`, and who wrote `commits` when.
    fn locate(&mut self, _blobs: &HashSet<ObjectId>, _commits: &HashSet<ObjectId>) -> Located {
        Located::default()
    }

    /// Hands `scan` the blobs `ids` again, as the items [`Emit::concurrently`]'s scanner
    /// got: what is scanned there keeps which blobs hold findings, not the findings (a
    /// history of a million tokens must not hold a million findings until it is placed).
    fn rescan(&mut self, _ids: &[ObjectId], _scan: &mut dyn FnMut(Item<'_>)) -> Result<(), Error> {
        Err(Error::NoRescan)
    }
}

/// What a source could not read, or could not cover.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    File(#[from] files::FileError),
    #[error(transparent)]
    Objects(#[from] objects::ObjectsError),
    #[error("interrupted after {objects} objects: the rest was not checked. Run it again to finish")]
    Interrupted { objects: u64 },
    #[error(
        "this is a shallow clone: history beyond its boundary is not here and was not checked. Fetch it all \
         (`git fetch --unshallow`) to audit everything"
    )]
    Shallow,
    #[error(
        "this is a partial clone: {missing} blob{} that history refers to were never downloaded, so they were \
         not checked (intercept never fetches). Audit a full clone to cover them",
        if *.missing == 1 { "" } else { "s" }
    )]
    Partial { missing: usize },
    #[error(
        "this is a partial clone: blobs (they could not be counted: {source}) were never downloaded, so they \
         were not checked (intercept never fetches). Audit a full clone to cover them"
    )]
    PartialUncounted {
        #[source]
        source: Box<RepoError>,
    },
    #[error(
        "the message of {object} declares the encoding {encoding:?}, in which intercept cannot read a token \
         (it is not ASCII-compatible), so it was not checked. Look at it with `git log -1 {object}`; to go \
         ahead unchecked: --no-verify"
    )]
    Encoding { object: ObjectId, encoding: String },
    #[error(
        "internal error: this source cannot read a blob again, so the tokens found in its blobs could not be \
         reported. Please report it"
    )]
    NoRescan,
    #[error(
        "cannot walk the history to find where tokens were added: {source}. They are reported by blob id"
    )]
    Provenance {
        #[source]
        source: Box<RepoError>,
    },
}

impl Error {
    /// The path the problem is about, when it is about one.
    pub fn path(&self) -> Option<&[u8]> {
        match self {
            Error::File(e) => Some(e.path()),
            _ => None,
        }
    }
}

//! Sources: where bytes come from. Each turns its input into [`crate::chunk::Chunk`]s, or
//! into the blobs a change adds ([`Change`]), for `commands` to hand to the detector; a
//! source never sees the detector.

pub mod files;
pub mod history;
pub mod objects;
pub mod staged;
pub mod stream;
pub mod tree_diff;

use gix::ObjectId;

/// A path whose content is new in a commit (or in the staged index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: Vec<u8>,
    pub new: ObjectId,
    /// The blob at this path before (in `HEAD`, or the first parent), if there was one.
    pub old: Option<ObjectId>,
}

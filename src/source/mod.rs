//! Sources: where bytes come from. Each hands on what to scan — files, the blobs a staged
//! index or a commit adds ([`Change`]), messages, pushed refs, every object of a database —
//! with a typed [`crate::origin::Origin`]; the scan session runs it through the content
//! layer. A source never sees the detector.

pub mod files;
pub mod history;
pub mod objects;
pub mod provenance;
pub mod pushed;
pub mod staged;
pub mod tree_diff;

#[cfg(test)]
mod testing;

use gix::ObjectId;

/// A path whose content is new in a commit (or in the staged index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: Vec<u8>,
    pub new: ObjectId,
    /// The blob at this path before (in `HEAD`, or the first parent), if there was one.
    pub old: Option<ObjectId>,
}

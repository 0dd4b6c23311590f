//! Sources: where bytes come from. Each turns its input into [`crate::chunk::Chunk`]s and
//! hands them to a visitor supplied by `commands`; a source never sees the detector.

pub mod files;
pub mod staged;
pub mod stream;

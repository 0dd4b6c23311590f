//! How far a long scan has got: counters its source updates and a progress line reads, as
//! it happens (shared vocabulary, like [`crate::outcome`]: nothing here scans or prints).

use std::sync::atomic::AtomicU64;

/// Counters shared by a scan and a progress display.
#[derive(Default)]
pub struct Counters {
    pub objects: AtomicU64,
    pub bytes: AtomicU64,
    /// Objects the scan expects to visit (for a percentage and an ETA): planned up front,
    /// narrowed as the scan learns more.
    pub planned: AtomicU64,
}

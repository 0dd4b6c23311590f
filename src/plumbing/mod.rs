//! Plumbing: general-purpose readers of formats, which know nothing of intercept and import
//! nothing from it (the architecture test checks it). The product's modules use them; each
//! has its own tests.
//!
//! - [`zip`]: a sequential, bounded reader of zip-family archives from a stream.
//! - [`tar`]: a sequential, bounded reader of tar archives (ustar, GNU, pax) from a stream.
//! - [`reftable`]: a reader of git's reftable ref storage (gix cannot read it).
//! - [`objects`]: a light object reader for hooks (a pack index read a slice at a time).
//! - [`pack`]: every blob, commit and tag of a pack, each inflated once.

pub mod objects;
pub mod pack;
pub mod reftable;
pub mod tar;
pub mod zip;

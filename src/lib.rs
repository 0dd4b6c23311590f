//! intercept: stops Intercom access tokens before they enter history or leave a laptop.
//!
//! Data flows one way, and every source feeds the same content layer and session, so a
//! format one path reads, every path reads:
//!
//! ```text
//! cli → config ─→ commands (glue: settings + source + sink → session)
//!                    │
//!    source ──Item──▶ content ──Chunk──▶ detector ──Finding──▶ scan session ──▶ Sink (report) → outcome
//!    (files, staged,   (plain, gzip,       (anchors,           (blob cache, threads,
//!     pushed, history,  zip, zlib,          decode,             budget, added lines,
//!     objects,          UTF-16, LFS)        structure)          origins, allow-list)
//!     provenance)
//! installer + hooks (the one hook table), off the scanning path
//! ```
//!
//! - [`source`] says what to scan, with a typed [`origin::Origin`]: files, the blobs a staged
//!   index or a commit adds, pushed refs, every object of a database.
//! - [`content`] turns an item's bytes into every view the detector must see.
//! - [`detector`] turns chunks into [`finding::Finding`]s; raw token bytes never leave it.
//! - [`scan`] is the session: it keeps what a change added, applies the allow-list and
//!   streams results to a [`scan::Sink`], which [`report`] implements (human, JSON, SARIF).
//! - [`outcome`] maps the result to the exit code: 0 clean, 1 blocked, 2 unchecked.
//! - [`redact`] is the one step every string passes on its way out.

pub mod allowlist;
pub(crate) mod causes;
pub mod chunk;
pub mod cli;
pub mod commands;
pub mod config;
pub mod content;
pub mod detector;
pub mod finding;
pub mod hooks;
pub mod installer;
pub mod origin;
pub mod outcome;
pub(crate) mod path;
pub(crate) mod plan;
pub(crate) mod plumbing;
pub mod progress;
pub mod redact;
pub(crate) mod repo;
pub mod report;
pub mod scan;
pub mod source;

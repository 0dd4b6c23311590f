//! intercept: stops Intercom access tokens before they enter history or leave a laptop.
//!
//! Data flows one way, and every source feeds the same content layer and session, so a
//! format one path reads, every path reads:
//!
//! ```text
//! cli ─▶ commands (glue) ─Plan─▶ plan::run ─ config (layers, trust, value grammars) ─Settings─┐
//!                                  │                                                          ▼
//!    source ──Item──▶ content ──Chunk──▶ detector ──Finding──▶ scan session ──▶ Sink (report) → outcome
//!    (files, staged,   (decoder table:    (anchors,           (one entry point: blob cache,
//!     message, commit   lfs, utf-16,       decode,             threads, budget, added lines,
//!     walk, database)   gzip, zip, zlib)   structure)          allow-list, held results placed)
//! plumbing (zip, reftable, light objects, pack scan): knows nothing of intercept
//! installer + hooks (the one hook table), off the scanning path
//! ```
//!
//! - `plan` is what one run checks, built by the command line and by the hook parser, and
//!   runs it: repository, [`config`] settings, source, session, sink.
//! - [`source`] hands [`source::Item`]s with a typed [`origin::Origin`] to the session: files,
//!   what a staged index or a push adds, messages, every object of a database.
//! - [`content`] turns an item's bytes into every view the detector must see, through one
//!   table of decoders.
//! - [`detector`] turns chunks into [`finding::Finding`]s; raw token bytes never leave it.
//! - [`scan`] is the session: it keeps what a change added, works on every core, applies the
//!   allow-list and streams results to a [`scan::Sink`], which [`report`] implements (human,
//!   JSON, SARIF).
//! - [`outcome`] maps the result to the exit code: 0 clean, 1 blocked, 2 unchecked.
//! - [`redact`] is the one step every string passes on its way out.
//! - [`remedy`] acts on findings after a scan: liveness checks and history purge, the only
//!   code that uses a token (from the detector's vault, never from a finding).
//! - [`plumbing`] holds general readers (zip, reftable, objects, packs) that import nothing
//!   from the rest; `tests/integration/architecture.rs` checks the direction. It is public
//!   for the fuzz targets that exercise the zip and reftable readers on their own.

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
pub mod plumbing;
pub mod progress;
pub mod redact;
pub mod remedy;
pub(crate) mod repo;
pub mod report;
pub mod scan;
pub mod source;

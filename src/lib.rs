//! intercept: stops Intercom access tokens before they enter history or leave a laptop.
//!
//! Data flows one way:
//!
//! ```text
//! cli → config → commands ─┬─ source ──Chunk──▶ detector ──Finding──▶ allowlist → report → outcome
//!                          └─ installer (off the scanning path)
//! ```
//!
//! - [`source`] turns files (and, later, git objects) into [`chunk::Chunk`]s.
//! - [`detector`] turns chunks into [`finding::Finding`]s; raw token bytes never leave it.
//! - [`allowlist`] sets apart the findings the user allowed ([`config`] resolves them).
//! - [`report`] writes findings for people (human) or machines (JSON, SARIF).
//! - [`outcome`] maps the result to the exit code: 0 clean, 1 blocked, 2 unchecked.

pub mod added;
pub mod allowlist;
pub mod chunk;
pub mod cli;
pub mod commands;
pub mod config;
pub mod detector;
pub mod finding;
pub mod installer;
pub mod outcome;
pub mod path;
pub mod repo;
pub mod report;
pub mod source;

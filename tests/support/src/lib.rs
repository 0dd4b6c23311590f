//! What intercept's tests share: its unit tests, the integration tests, the benches and the
//! fuzz targets' seeds (as cargo's `cargo-test-support` and gitoxide's `gix-testtools` do).
//!
//! - [`token`]: Intercom access tokens made at run time from random UUIDs (never stored, see
//!   `../shared/intercom-tokens.md`), remembered per thread so a test can assert that no
//!   output holds one; and Intercom's other secrets (client, Identity Verification and
//!   webhook secrets), random values remembered the same way.
//! - [`git`]: a hermetic git environment (no system or user config, no `GIT_*` or
//!   `INTERCEPT_*` variable of the caller, a private HOME, fixed identities and dates,
//!   `gc.auto=0` and `maintenance.auto=false`), and which git binary to run (the machine's,
//!   or git 2.55 built from `../shared/git/` where a test needs a newer one).
//! - [`repo`]: fixture repositories built by shell scripts run under that environment.
//! - [`text`]: UTF-16 text, wrapped values, a deterministic byte source.
//! - [`tar`], [`compress`]: tar archives (ustar, GNU long names, pax), and xz, bzip2 and
//!   zstd streams made with the crates intercept reads them with.
//! - [`zip`]: zip archives built byte by byte, in every layout the readers must take
//!   (seekable, streamed with data descriptors, zip64), so no test depends on what one
//!   version of Python's `zipfile` writes.
//!
//! This crate never depends on intercept: unit tests use it, and a dependency on the crate
//! under test would build that crate twice.

pub mod compress;
pub mod git;
pub mod repo;
pub mod tar;
pub mod text;
pub mod token;
pub mod zip;

pub use git::{git_255_bin, hermetic, reftable_git, reftable_gits};
pub use repo::Repo;
pub use token::{
    client_secret, identity_secret, random_b64, random_u64, secret_values, token, token_and_twin, uuid,
    webhook_secret, Token,
};

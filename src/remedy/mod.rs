//! After a leak: what a scan's findings mean and what to do about them. Runs after the scan
//! session, on its findings and (for the two steps that must use a token) the detector's
//! [`Vault`](crate::detector::Vault):
//!
//! - [`verify`]: is a token live? One `GET /me` to Intercom's API per distinct token.
//! - [`purge`]: rewrite local history so the tokens read `***REMOVED***` (git-filter-repo, the
//!   expressions through a pipe), scan again, and say what to push and what no push reaches.
//!
//! The only module that calls [`Secret::expose`](crate::detector::Secret::expose)
//! (`tests/integration/architecture.rs` checks it).

pub mod purge;
pub mod verify;

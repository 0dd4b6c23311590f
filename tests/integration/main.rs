//! One integration-test binary (one link on a 2-core machine): the built `intercept`
//! driven as a user would, against files and real git repositories.

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

mod allow;
mod architecture;
mod audit;
mod ci_docs;
mod cli;
mod commit_hooks;
mod delivery;
mod exactness;
mod fuzz_corpus;
mod hostile;
mod install;
mod json_report;
mod leak;
mod leak_response;
mod mechanisms;
mod parity;
mod property;
mod purge;
mod push_hooks;
mod receive_hook;
mod remote_trust;
mod replace;
mod sarif;
mod scan_files;
mod secrets;
mod server_load;
mod snapshots;
mod support;
mod tools;

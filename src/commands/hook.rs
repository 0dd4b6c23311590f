//! `intercept hook <name> [args]`: plumbing that git runs through intercept's mechanisms
//! (`plan::hook` has the run: the install check, the decision shared within one git command,
//! the check, the gate).

use crate::outcome::Outcome;

pub fn run(name: &str, args: &[String], shim: bool) -> Outcome {
    crate::plan::hook::run(name, args, shim)
}

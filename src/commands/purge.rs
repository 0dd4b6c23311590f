//! `intercept purge`: the flags into options, stdout for the report and stderr for the
//! question; the work (scan, confirm, git-filter-repo, rescan, next steps) is
//! [`crate::remedy::purge`].

use crate::cli::PurgeArgs;
use crate::finding::Fingerprint;
use crate::outcome::Outcome;
use crate::remedy::purge::{self, Options, PurgeError};

pub fn run(args: &PurgeArgs) -> Result<Outcome, PurgeError> {
    let fingerprints = args
        .fingerprint
        .iter()
        .map(|f| Fingerprint::from_hex(f.trim()).ok_or_else(|| PurgeError::NotAFingerprint(f.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    let options = Options {
        fingerprints,
        yes: args.yes,
        force: args.force,
    };
    purge::run(&options, &mut super::stdout(), &mut super::stderr())
}

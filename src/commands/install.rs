//! `intercept install [--global]` and `intercept uninstall [--global]`: glue around
//! `installer`, reporting what was done on stderr.

use std::io::Write;

use crate::installer::{self, Done, InstallError};
use crate::outcome::Outcome;

pub fn install(global: bool) -> Outcome {
    let result = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| InstallError::Io {
            what: "cannot find intercept's own binary",
            path: crate::path::PathText(b"(current executable)".to_vec()),
            source: e,
        })
        .and_then(|bin| {
            if global {
                installer::install_global(&bin)
            } else {
                installer::repo_hooks().and_then(|hooks| installer::install_repo(&bin, &hooks))
            }
        });
    report(result)
}

pub fn uninstall(global: bool) -> Outcome {
    let result = if global {
        installer::uninstall_global()
    } else {
        installer::repo_hooks().and_then(|hooks| installer::uninstall_repo(&hooks))
    };
    report(result)
}

fn report(result: Result<Done, InstallError>) -> Outcome {
    let mut err = super::stderr();
    match result {
        Ok(done) => {
            for line in done.lines {
                let _ = writeln!(err, "intercept: {line}");
            }
            Outcome::Clean
        }
        Err(e) => {
            let _ = writeln!(err, "intercept: {e}");
            Outcome::Unchecked
        }
    }
}

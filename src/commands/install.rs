//! `intercept install [--global [--with-shims]]` and `intercept uninstall [--global]`: glue
//! around `installer`, saying on stderr what was done and then, inside a repository, what
//! runs intercept there now (as `intercept status` does).

use std::io::Write;

use crate::installer::{self, Done, InstallError};
use crate::outcome::Outcome;

/// The binary the hooks will call: this one, by its real path.
pub fn own_binary() -> Result<std::path::PathBuf, InstallError> {
    std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|source| InstallError::Io {
            what: "cannot find intercept's own binary",
            path: crate::path::PathText(b"(current executable)".to_vec()),
            source,
        })
}

pub fn install(global: bool, with_shims: bool) -> Result<Outcome, InstallError> {
    let result = own_binary().and_then(|bin| {
        if global {
            installer::install_global(&bin, installer::GlobalOptions { with_shims })
        } else {
            installer::repo_hooks().and_then(|hooks| installer::install_repo(&bin, &hooks))
        }
    });
    report(result, true)
}

pub fn uninstall(global: bool) -> Result<Outcome, InstallError> {
    let result = if global {
        installer::uninstall_global()
    } else {
        installer::repo_hooks().and_then(|hooks| installer::uninstall_repo(&hooks))
    };
    report(result, false)
}

fn report(result: Result<Done, InstallError>, show_status: bool) -> Result<Outcome, InstallError> {
    let done = result?;
    let mut err = super::stderr();
    for line in done.lines {
        let _ = writeln!(err, "intercept: {line}");
    }
    // Inside a repository: the truth about it, now.
    if show_status {
        if let Ok(model) = super::status::model_here() {
            let _ = writeln!(err, "intercept: in this repository:");
            let _ = super::status::write(&model, &mut err);
        }
    }
    Ok(Outcome::Clean)
}

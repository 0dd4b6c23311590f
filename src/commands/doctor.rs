//! `intercept doctor [DIR...] [--fix]`: every repository under the directories, whether its
//! commits and pushes are checked, by what, and if not why and the fix. Exit 0 when all are
//! checked, 1 when one is not, 2 when it cannot tell.

use std::io::Write;
use std::path::PathBuf;

use crate::installer::{doctor, InstallError};
use crate::outcome::Outcome;
use crate::path::PathText;

pub fn run(dirs: &[PathBuf], fix: bool) -> Result<Outcome, InstallError> {
    let dirs = if dirs.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        dirs.to_vec()
    };
    let report = doctor::run(&dirs, fix, &super::install::own_binary()?)?;
    let mut out = super::stdout();
    for line in &report.fixed_global {
        let _ = writeln!(out, "fixed: {line}");
    }
    let mut unchecked = 0;
    let mut unknown = 0;
    for found in &report.repos {
        let _ = writeln!(out, "{}", PathText::new(&found.path));
        for line in &found.fixed {
            let _ = writeln!(out, "  fixed: {line}");
        }
        match &found.model {
            Ok(model) => {
                if !model.ok() && model.counts() {
                    unchecked += 1;
                } else if !model.ok() {
                    let _ = writeln!(
                        out,
                        "  (a bare repository: what is pushed into it was checked when it was pushed)"
                    );
                }
                let _ = super::status::write_events(model, &mut out);
            }
            Err(e) => {
                unknown += 1;
                let _ = writeln!(out, "  cannot tell: {e}");
            }
        }
    }
    let total = report.repos.len();
    let _ = writeln!(
        out,
        "{total} repositor{} under {} (git {}): {}",
        if total == 1 { "y" } else { "ies" },
        dirs.iter()
            .map(|d| PathText::new(d).to_string())
            .collect::<Vec<_>>()
            .join(", "),
        report.git,
        match (unchecked, unknown) {
            (0, 0) => "every commit and push is checked".to_string(),
            (n, 0) => format!(
                "{n} not fully checked; {}",
                if fix {
                    "see above"
                } else {
                    "`intercept doctor --fix` applies the fixes that touch no tracked file"
                }
            ),
            (n, u) => format!("{n} not fully checked, {u} could not be read"),
        }
    );
    Ok(match (unchecked, unknown) {
        (0, 0) => Outcome::Clean,
        (0, _) => Outcome::Unchecked,
        _ => Outcome::Blocked,
    })
}

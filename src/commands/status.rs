//! `intercept status`: what runs intercept in this repository, event by event, and for
//! each event nothing runs it for, why and the command that fixes it. Exit 0 when every
//! event is checked, 1 when one is not, 2 when it cannot tell.

use std::io::Write;

use crate::installer::status::{self, Status};
use crate::outcome::Outcome;
use crate::path::PathText;

pub fn run() -> Outcome {
    match status::of_repo() {
        Ok(status) => {
            let _ = write(&status, &mut super::stdout());
            if status.ok() {
                Outcome::Clean
            } else {
                Outcome::Blocked
            }
        }
        Err(e) => {
            let _ = writeln!(super::stderr(), "intercept: {e}");
            Outcome::Unchecked
        }
    }
}

/// The report: what runs intercept, event by event, then notes and the verdict.
pub fn write(status: &Status, out: &mut dyn Write) -> std::io::Result<()> {
    let repo = &status.repo;
    writeln!(
        out,
        "repository: {}{} (git {})",
        PathText::new(&repo.base),
        if repo.bare { ", bare" } else { "" },
        status.git
    )?;
    match (&repo.scope, &repo.origin) {
        (Some(scope), origin) => writeln!(
            out,
            "hooks directory: {} (core.hooksPath, {scope} config{})",
            PathText::new(&repo.dir),
            origin.as_deref().map(|o| format!(", {o}")).unwrap_or_default()
        )?,
        (None, _) => writeln!(
            out,
            "hooks directory: {} (the repository's own)",
            PathText::new(&repo.dir)
        )?,
    }
    // The same reason for several events is told once.
    let mut reasons: Vec<&str> = Vec::new();
    for e in &status.events {
        match (&e.problem, e.runners.as_slice()) {
            (Some(problem), _) => {
                let n = match reasons.iter().position(|r| *r == problem.as_str()) {
                    Some(i) => i + 1,
                    None => {
                        reasons.push(problem);
                        reasons.len()
                    }
                };
                writeln!(out, "  {:<17} NOT CHECKED ({n})", e.name)?;
            }
            (None, [one]) => writeln!(out, "  {:<17} ok: {one}", e.name)?,
            (None, many) => writeln!(
                out,
                "  {:<17} runs {} times: {}",
                e.name,
                many.len(),
                many.join("; ")
            )?,
        }
    }
    for (i, reason) in reasons.iter().enumerate() {
        writeln!(out, "({}) {reason}", i + 1)?;
    }
    for note in &status.notes {
        writeln!(out, "note: {note}")?;
    }
    if status.ok() {
        writeln!(
            out,
            "intercept checks every {} here.",
            if repo.bare {
                "push it receives"
            } else {
                "commit and push"
            }
        )
    } else {
        writeln!(
            out,
            "intercept does NOT check everything here: see the lines above."
        )
    }
}

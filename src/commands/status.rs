//! `intercept status`: what git runs for each event intercept checks in this repository,
//! and for each event nothing checks, why and the command that fixes it. Exit 0 when every
//! event is checked, 1 when one is not, 2 when it cannot tell.

use std::io::Write;

use crate::installer::model::{self, Model};
use crate::installer::record::Record;
use crate::installer::{git, InstallError};
use crate::outcome::Outcome;
use crate::path::PathText;

pub fn run() -> Result<Outcome, InstallError> {
    let model = model_here()?;
    let _ = write(&model, &mut super::stdout());
    Ok(if model.ok() {
        Outcome::Clean
    } else {
        Outcome::Blocked
    })
}

/// The model of the repository around the current directory.
pub fn model_here() -> Result<Model, InstallError> {
    model::of(None, git::version(None)?, &Record::read()?)
}

/// The report: what runs intercept, event by event, then problems with their fixes.
pub fn write(model: &Model, out: &mut dyn Write) -> std::io::Result<()> {
    let repo = &model.repo;
    writeln!(
        out,
        "repository: {}{} (git {})",
        PathText::new(&repo.base),
        if repo.bare { ", bare" } else { "" },
        model.git
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
    write_events(model, out)?;
    if model.ok() {
        writeln!(
            out,
            "intercept checks every {} here{}.",
            if repo.bare {
                "push it receives"
            } else {
                "commit and push"
            },
            if model.advice.is_empty() {
                ""
            } else {
                "; the repository's own hooks need the fix above"
            }
        )
    } else {
        writeln!(
            out,
            "intercept does NOT check everything here: see the lines above."
        )
    }
}

/// The events and problems, numbered; shared with `doctor`.
pub fn write_events(model: &Model, out: &mut dyn Write) -> std::io::Result<()> {
    let problems = model.all_problems();
    let number = |p: &(String, crate::installer::model::Fix)| {
        problems.iter().position(|q| q == p).map_or(0, |i| i + 1)
    };
    for e in &model.events {
        let by = e.by();
        match (&e.problem, by.as_slice()) {
            (Some(p), []) => writeln!(out, "  {:<17} NOT CHECKED ({})", e.name, number(p))?,
            (Some(p), by) => writeln!(
                out,
                "  {:<17} checked by {}, but see ({})",
                e.name,
                by.join("; "),
                number(p)
            )?,
            (None, []) => writeln!(out, "  {:<17} NOT CHECKED", e.name)?,
            (None, [one]) => writeln!(out, "  {:<17} ok: {one}", e.name)?,
            (None, many) => writeln!(out, "  {:<17} ok: {}", e.name, many.join("; then "))?,
        }
    }
    for (i, (text, fix)) in problems.iter().enumerate() {
        writeln!(out, "({}) {text}. {}", i + 1, fix.command())?;
    }
    for note in &model.notes {
        writeln!(out, "note: {note}")?;
    }
    Ok(())
}

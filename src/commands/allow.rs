//! `intercept allow <fingerprint> --reason "…"`: appends an `[[allow]]` entry to the
//! repository's `.intercept.toml` (creating it), leaving what is there untouched, so the
//! block message can end with the exact command that allows a fixture.

use std::io::{self, Write};
use std::path::PathBuf;

use super::error::AllowError;
use crate::config::REPO_FILE;
use crate::finding::Fingerprint;
use crate::outcome::Outcome;
use crate::path::PathText;
use crate::repo::RepoError;

pub fn run(fingerprint: &str, reason: &str) -> Result<Outcome, AllowError> {
    let fp =
        Fingerprint::from_hex(fingerprint).ok_or_else(|| AllowError::NotAFingerprint(fingerprint.into()))?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AllowError::NoReason);
    }
    let path = config_path()?;
    let shown = PathText::new(&path);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(AllowError::Read { path: shown, source }),
    };
    let mut err = super::stderr();
    if existing.contains(&fp.hex()) {
        let _ = writeln!(err, "intercept: {shown} already allows {}", fp.short());
        return Ok(Outcome::Clean);
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!(
        "[[allow]]\nfingerprint = \"{}\"\nreason = {}\n",
        fp.hex(),
        toml::Value::String(reason.to_string())
    ));
    std::fs::write(&path, text).map_err(|source| AllowError::Write {
        path: shown.clone(),
        source,
    })?;
    let _ = writeln!(
        err,
        "intercept: allowed {} in {shown} ({reason}). Stage it with the change: git add {REPO_FILE}",
        fp.short(),
    );
    Ok(Outcome::Clean)
}

/// `.intercept.toml` at the top of the work tree. Outside a work tree there is no place
/// an allow entry would be read from when a commit is checked, so that is an error.
fn config_path() -> Result<PathBuf, AllowError> {
    let repo = crate::repo::open().map_err(|e| match e {
        RepoError::NotFound { dir } => AllowError::NoRepository { dir },
        e => AllowError::Repo(e),
    })?;
    repo.workdir()
        .map(|top| top.join(REPO_FILE))
        .ok_or(AllowError::Bare)
}

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
    let entry = format!(
        "[[allow]]\nfingerprint = \"{}\"\nreason = {}\n",
        fp.hex(),
        toml::Value::String(reason.to_string())
    );
    let mut err = super::stderr();
    match append(&path, &fp.hex(), &entry) {
        Ok(true) => {}
        Ok(false) => {
            let _ = writeln!(err, "intercept: {shown} already allows {}", fp.short());
            return Ok(Outcome::Clean);
        }
        Err(source) => return Err(AllowError::Write { path: shown, source }),
    }
    let _ = writeln!(
        err,
        "intercept: allowed {} in {shown} ({reason}). Stage it with the change: git add {REPO_FILE}",
        fp.short(),
    );
    Ok(Outcome::Clean)
}

/// Appends `entry` to the file at `path` (creating it) unless it names `fingerprint`
/// already; false when it does. The file is locked meanwhile (`File::lock`), so two runs at
/// once both land, and what is there is never rewritten.
fn append(path: &std::path::Path, fingerprint: &str, entry: &str) -> io::Result<bool> {
    use std::io::{Read, Seek};
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    file.lock()?;
    let mut existing = String::new();
    file.rewind()?;
    file.read_to_string(&mut existing)?;
    if existing.contains(fingerprint) {
        return Ok(false);
    }
    let separator = match (existing.is_empty(), existing.ends_with('\n')) {
        (true, _) => "",
        (false, true) => "\n",
        (false, false) => "\n\n",
    };
    file.write_all(format!("{separator}{entry}").as_bytes())?;
    Ok(true)
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

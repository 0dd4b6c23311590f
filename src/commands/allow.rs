//! `intercept allow <fingerprint> --reason "…"`: appends an `[[allow]]` entry to the
//! repository's `.intercept.toml` (creating it), leaving what is there untouched, so the
//! block message can end with the exact command that allows a fixture.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::config::REPO_FILE;
use crate::finding::Fingerprint;
use crate::outcome::Outcome;

pub fn run(fingerprint: &str, reason: &str) -> Outcome {
    let mut err = super::stderr();
    let Some(fp) = Fingerprint::from_hex(fingerprint) else {
        let _ = writeln!(
            err,
            "intercept: {fingerprint:?} is not a fingerprint (64 hex digits). Copy it from the block message, \
             `intercept scan` or its JSON output"
        );
        return Outcome::Unchecked;
    };
    if reason.trim().is_empty() {
        let _ = writeln!(
            err,
            "intercept: give a reason (--reason \"…\"): it is kept beside the entry for reviewers"
        );
        return Outcome::Unchecked;
    }
    let path = match config_path() {
        Ok(path) => path,
        Err(message) => {
            let _ = writeln!(err, "intercept: {message}");
            return Outcome::Unchecked;
        }
    };
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            let _ = writeln!(
                err,
                "intercept: cannot read {}: {e}. Make it readable and run it again",
                path.display()
            );
            return Outcome::Unchecked;
        }
    };
    if existing.contains(&fp.hex()) {
        let _ = writeln!(err, "intercept: {} already allows {}", path.display(), fp.short());
        return Outcome::Clean;
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
        toml::Value::String(reason.trim().to_string())
    ));
    match std::fs::write(&path, text) {
        Ok(()) => {
            let _ = writeln!(
                err,
                "intercept: allowed {} in {} ({}). Stage it with the change: git add {REPO_FILE}",
                fp.short(),
                path.display(),
                reason.trim()
            );
            Outcome::Clean
        }
        Err(e) => {
            let _ = writeln!(
                err,
                "intercept: cannot write {}: {e}. Check that you may write there",
                path.display()
            );
            Outcome::Unchecked
        }
    }
}

/// `.intercept.toml` at the top of the work tree. Outside a work tree there is no place
/// an allow entry would be read from when a commit is checked, so that is an error.
fn config_path() -> Result<PathBuf, String> {
    let repo = match crate::repo::open() {
        Ok(repo) => repo,
        Err(crate::repo::RepoError::NotFound { dir }) => {
            return Err(format!(
            "there is no git repository in {dir} or above it, and an allow entry belongs in a repository's \
                 {REPO_FILE}. Run `intercept allow` inside the repository whose commit was blocked"
        ))
        }
        Err(e) => return Err(e.to_string()),
    };
    match repo.workdir() {
        Some(top) => Ok(top.join(REPO_FILE)),
        None => Err(format!(
            "this is a bare repository: it has no work tree for {REPO_FILE}. Run `intercept allow` in a clone, \
             commit {REPO_FILE} and push it; on a server, allow-lists come from the pushed commits"
        )),
    }
}

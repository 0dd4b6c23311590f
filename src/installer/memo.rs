//! What intercept decided for an event of one git command, kept for the other programs of
//! the same command in the user's cache (`${XDG_CACHE_HOME:-~/.cache}/intercept/memo/`, one
//! small file per repository and event, overwritten; `uninstall --global` removes them).
//!
//! git may run intercept more than once for an event — a config-based hook and then the
//! repository's own shims, husky's `init.sh` or a gate — and runs other programs in
//! between that can change what is checked (a pre-commit hook that stages files). Each
//! check records its outcome with the identity of what it checked; a later run for the
//! same git command (the same git pid) and the same subject reuses it instead of checking
//! again, and a different subject (the index was written again) is checked again. So
//! "the commit git records is the one intercept checked" holds whatever ran in between,
//! and running twice costs one process start. A memo that cannot be written or read only
//! means checking again.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::outcome::Outcome;

/// The git directory of the repository a hook runs in, without starting git or opening
/// the repository: `$GIT_DIR`, else `.git` in the current directory (git runs hooks at the
/// top of the work tree), a directory or a `gitdir:` file.
pub fn git_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GIT_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let dot = Path::new(".git");
    let meta = fs::metadata(dot).ok()?;
    if meta.is_dir() {
        return Some(dot.to_path_buf());
    }
    let text = fs::read_to_string(dot).ok()?;
    let target = text.lines().next()?.strip_prefix("gitdir: ")?;
    Some(PathBuf::from(target))
}

/// The index a commit hook sees: `$GIT_INDEX_FILE` (git sets it for commit hooks), else
/// `<git dir>/index`.
pub fn index_file(git_dir: &Path) -> PathBuf {
    std::env::var_os("GIT_INDEX_FILE")
        .filter(|v| !v.is_empty())
        .map_or_else(|| git_dir.join("index"), PathBuf::from)
}

/// What was checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    /// An index file, by the identity of its last write: git writes an index to a lock
    /// file and renames it, so every write gives a new inode and times.
    pub fn index(path: &Path) -> Option<Subject> {
        let meta = fs::metadata(path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(Subject(format!(
                "index {} {} {} {}.{} {}.{}",
                meta.dev(),
                meta.ino(),
                meta.size(),
                meta.mtime(),
                meta.mtime_nsec(),
                meta.ctime(),
                meta.ctime_nsec()
            )))
        }
        #[cfg(not(unix))]
        {
            let modified = meta.modified().ok()?;
            Some(Subject(format!("index {} {:?}", meta.len(), modified)))
        }
    }

    /// Bytes (a message, a push's arguments and input), by their SHA-256.
    pub fn bytes(kind: &str, parts: &[&[u8]]) -> Subject {
        let mut h = Sha256::new();
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Subject(format!("{kind} {digest}"))
    }
}

/// Where the memos are kept.
pub fn dir() -> Option<PathBuf> {
    crate::path::cache_dir().map(|c| c.join("memo"))
}

fn path(base: &Path, git_dir: &Path, event: &str) -> Option<PathBuf> {
    let git_dir = fs::canonicalize(git_dir).ok()?;
    let key = Sha256::digest(crate::path::os_bytes(git_dir.as_os_str()));
    let key: String = key.iter().take(10).map(|b| format!("{b:02x}")).collect();
    Some(base.join(format!("{key}-{event}")))
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Clean | Outcome::ShimClean => "clean",
        Outcome::Blocked => "blocked",
        Outcome::Unchecked => "unchecked",
    }
}

/// Records `outcome` for `subject` of `event` in the git command `git_pid`.
pub fn record(git_dir: &Path, event: &str, git_pid: &str, subject: &Subject, outcome: Outcome) {
    if let Some(base) = dir() {
        record_in(&base, git_dir, event, git_pid, subject, outcome);
    }
}

fn record_in(base: &Path, git_dir: &Path, event: &str, git_pid: &str, subject: &Subject, outcome: Outcome) {
    let Some(file) = path(base, git_dir, event) else {
        return;
    };
    let result = (|| -> std::io::Result<()> {
        if let Some(dir) = file.parent() {
            fs::create_dir_all(dir)?;
        }
        let tmp = file.with_extension(format!("tmp-{}", std::process::id()));
        let mut f = fs::File::create(&tmp)?;
        writeln!(f, "{git_pid}\n{}\n{}", subject.0, outcome_name(outcome))?;
        drop(f);
        fs::rename(&tmp, &file)
    })();
    if let Err(e) = result {
        tracing::debug!(
            event,
            "cannot keep what this check decided ({}): {e}",
            file.display()
        );
    }
}

/// What a check of `subject` for one of `events` decided earlier in the git command
/// `git_pid`, if one did.
pub fn lookup(git_dir: &Path, events: &[&str], git_pid: &str, subject: &Subject) -> Option<Outcome> {
    lookup_in(&dir()?, git_dir, events, git_pid, subject)
}

fn lookup_in(
    base: &Path,
    git_dir: &Path,
    events: &[&str],
    git_pid: &str,
    subject: &Subject,
) -> Option<Outcome> {
    events.iter().find_map(|event| {
        let text = fs::read_to_string(path(base, git_dir, event)?).ok()?;
        let mut lines = text.lines();
        if lines.next()? != git_pid || lines.next()? != subject.0 {
            return None;
        }
        match lines.next()? {
            "clean" => Some(Outcome::Clean),
            "blocked" => Some(Outcome::Blocked),
            "unchecked" => Some(Outcome::Unchecked),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_answers_only_the_same_command_and_subject() {
        let dir = tempfile::tempdir().unwrap();
        let (base, git) = (dir.path(), dir.path());
        let s = Subject::bytes("push", &[b"origin", b"refs"]);
        record_in(base, git, "pre-push", "42", &s, Outcome::Blocked);
        assert_eq!(
            lookup_in(base, git, &["pre-push"], "42", &s),
            Some(Outcome::Blocked)
        );
        assert_eq!(lookup_in(base, git, &["pre-push"], "43", &s), None);
        let other = Subject::bytes("push", &[b"origin", b"other refs"]);
        assert_eq!(lookup_in(base, git, &["pre-push"], "42", &other), None);
        assert_eq!(lookup_in(base, git, &["commit-msg"], "42", &s), None);
    }

    #[test]
    fn an_index_written_again_is_another_subject() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        fs::write(&index, b"one").unwrap();
        let first = Subject::index(&index).unwrap();
        let tmp = dir.path().join("index.lock");
        fs::write(&tmp, b"one").unwrap();
        fs::rename(&tmp, &index).unwrap();
        assert_ne!(Subject::index(&index).unwrap(), first);
    }
}

//! Which remote-tracking refs pre-push may take as "already on the remote".
//!
//! Receives the remote's name and the URL git is pushing to (pre-push's `$1` and `$2`);
//! hands on the tips of `refs/remotes/<remote>/*` that describe **that** server, and why the
//! others were left out. A tracking ref is a local note of what a server had; it is wrong
//! after `git remote set-url` (a migration: the new server has nothing), when the push goes
//! somewhere else than fetches come from (`pushurl`, `pushInsteadOf`, a second `url`), and
//! for a branch deleted on the server (without `fetch --prune` the ref stays). Treating a
//! wrong one as known would let the commits behind it leave unchecked, so a ref is trusted
//! only on evidence, and otherwise the push checks more (see docs/hooks.md):
//!
//! 1. The push must go to the URL fetches come from (both anonymised, without a trailing
//!    `/` or `.git`, as git writes them into `FETCH_HEAD`). Else no ref is trusted.
//! 2. `FETCH_HEAD`, when its lines come from that URL, is the latest word: a ref it lists
//!    at the same id is trusted; one it does not list is not (deleted on the server, or a
//!    fetch of only some branches) unless a push updated the ref since.
//! 3. Without that: the ref's newest reflog entry. `update by push` counts when `.git/config`
//!    has not changed since (a second of slack: `push -u` writes the upstream into the
//!    config just after updating the ref); a fetch counts when the config is older than it
//!    (the fetch used today's URL).
//! 4. A ref with no reflog (clone writes the refs it fetched without one) counts when the
//!    repository was cloned from this URL (`clone: from <url>`, the first entry of HEAD's
//!    reflog).
//!
//! Reftable repositories keep reflogs in the table, which is not read here: only rules 1,
//! 2 and 4 apply there. Time stamps are whole seconds, as reflogs record them; comparisons
//! are strict, so anything done within the same second counts against trusting.

use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::{refs, RepoError};

/// The tips pre-push may treat as on the remote, and why others were not.
#[derive(Debug, Default)]
pub struct Known {
    pub tips: Vec<ObjectId>,
    /// Why some remote-tracking refs were left out (one line for the user), if any were.
    pub doubt: Option<String>,
}

/// The newest entry of a reflog.
struct Entry {
    new: Option<ObjectId>,
    time: i64,
    message: String,
}

/// `git`'s form of a URL for comparisons: no credentials, no trailing `/` or `.git`.
pub fn normalize(url: &str) -> String {
    let url = url.trim();
    let anonymous = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            let host_end = rest.find('/').unwrap_or(rest.len());
            match rest[..host_end].rfind('@') {
                Some(at) => format!("{}{}", &url[..i + 3], &rest[at + 1..]),
                None => url.to_string(),
            }
        }
        None => match (url.find('@'), url.find(':')) {
            // scp-like `user@host:path`.
            (Some(at), Some(colon)) if at < colon && !url[..at].contains('/') => url[at + 1..].to_string(),
            _ => url.to_string(),
        },
    };
    let trimmed = anonymous.trim_end_matches('/');
    trimmed.strip_suffix(".git").unwrap_or(trimmed).to_string()
}

fn seconds(path: &Path) -> Option<i64> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = modified.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// The newest line of a reflog (the file's last line; big logs are read from their end).
fn newest_entry(path: &Path) -> Option<Entry> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let start = len.saturating_sub(64 << 10);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    parse_entry(line)
}

fn first_entry(path: &Path) -> Option<Entry> {
    use std::io::{BufRead, BufReader};
    let file = std::fs::File::open(path).ok()?;
    let mut line = String::new();
    BufReader::new(file).read_line(&mut line).ok()?;
    parse_entry(line.trim_end())
}

/// `<old> <new> <name> <<email>> <time> <tz>\t<message>`.
fn parse_entry(line: &str) -> Option<Entry> {
    let (head, message) = line.split_once('\t').unwrap_or((line, ""));
    let fields: Vec<&str> = head.split(' ').collect();
    let time = fields.get(fields.len().checked_sub(2)?)?.parse().ok()?;
    let new = fields
        .get(1)
        .and_then(|id| ObjectId::from_hex(id.as_bytes()).ok());
    Some(Entry {
        new,
        time,
        message: message.to_string(),
    })
}

/// What `FETCH_HEAD` says the server at `url` had, and when.
struct Fetched {
    time: i64,
    branches: Vec<(String, ObjectId)>,
}

fn fetched_from(paths: &[PathBuf], url: &str) -> Option<Fetched> {
    let path = paths.iter().find(|p| p.is_file())?;
    let text = std::fs::read_to_string(path).ok()?;
    let mut branches = Vec::new();
    let mut any = false;
    for line in text.lines() {
        let mut fields = line.splitn(3, '\t');
        let (Some(id), Some(_), Some(what)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        let Some((desc, from)) = what.rsplit_once(" of ") else {
            continue;
        };
        if normalize(from) != url {
            continue;
        }
        any = true;
        if let (Some(name), Ok(id)) = (
            desc.strip_prefix("branch '").and_then(|d| d.strip_suffix('\'')),
            ObjectId::from_hex(id.as_bytes()),
        ) {
            branches.push((name.to_string(), id));
        }
    }
    any.then(|| Fetched {
        time: seconds(path).unwrap_or(i64::MAX),
        branches,
    })
}

/// The URL fetches from `remote` use: its first `url`, after `url.<base>.insteadOf`.
fn fetch_url(repo: &gix::Repository, remote: &str) -> Option<String> {
    let found = repo.find_remote(remote).ok()?;
    found
        .url(gix::remote::Direction::Fetch)
        .map(|url| url.to_bstring().to_string())
}

/// Whether two URLs name the same repository: the same text but for trailing slashes.
/// Nothing else is stripped: `srv/app` and `srv/app.git`, or `alice@host:r` and
/// `bob@host:r`, are different repositories.
fn same_repository(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/')
}

/// The newest change to any config file git reads here (the repository's, the user's,
/// the system's, included files), in seconds; `i64::MAX` when remotes or URL rewrites
/// also come from the environment or the command line, which leave no time stamp.
fn config_time(repo: &gix::Repository) -> i64 {
    use gix::config::Source;
    let snapshot = repo.config_snapshot();
    let mut newest = 0;
    let mut paths = std::collections::BTreeSet::new();
    for section in snapshot.plumbing().sections() {
        let meta = section.meta();
        let name = section.header().name().to_string();
        match &meta.path {
            Some(path) => {
                paths.insert(path.clone());
            }
            None if matches!(meta.source, Source::Env | Source::Cli | Source::EnvOverride)
                && (name.eq_ignore_ascii_case("url") || name.eq_ignore_ascii_case("remote")) =>
            {
                return i64::MAX;
            }
            None => {}
        }
    }
    paths.insert(repo.common_dir().join("config"));
    for path in paths {
        if let Some(t) = seconds(&path) {
            newest = newest.max(t);
        }
    }
    newest
}

/// The tips of `refs/remotes/<remote>/*` that describe the server at `push_url`. `reported`
/// are the remote's oids git passed on pre-push's input: a ref at one of them needs no
/// other evidence (and is left out of the result: the caller has it already).
pub fn known_tips(
    repo: &gix::Repository,
    remote: &str,
    push_url: Option<&str>,
    reported: &[ObjectId],
) -> Result<Known, RepoError> {
    let prefix = format!("refs/remotes/{remote}/");
    let tracking: Vec<(String, ObjectId)> = refs::all(repo, Some(&prefix))?
        .into_iter()
        .filter(|(name, id)| name != &format!("{prefix}HEAD") && !reported.contains(id))
        .collect();
    if tracking.is_empty() {
        return Ok(Known::default());
    }
    let fetch = fetch_url(repo, remote);
    let url = match (&fetch, push_url) {
        (Some(fetch), Some(push)) if same_repository(fetch, push) => normalize(fetch),
        _ => {
            return Ok(Known {
                tips: Vec::new(),
                doubt: Some(format!(
                    "this push goes to {}, but refs/remotes/{remote}/* come from {}: checked every commit the \
                     server did not report having",
                    push_url.unwrap_or("a URL git did not pass"),
                    fetch.as_deref().unwrap_or("nowhere (no url)")
                )),
            });
        }
    };
    let common = repo.common_dir();
    let config_time = config_time(repo);
    // A reflog entry from the future (a clock set ahead, a leftover GIT_COMMITTER_DATE)
    // proves nothing about order.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let fetched = fetched_from(
        &[repo.git_dir().join("FETCH_HEAD"), common.join("FETCH_HEAD")],
        &url,
    );
    let cloned_from_here = first_entry(&common.join("logs/HEAD"))
        .and_then(|e| e.message.strip_prefix("clone: from ").map(normalize))
        .is_some_and(|from| from == url);
    let reftable = super::reftable::is_reftable(common);
    let mut known = Known::default();
    let mut left_out = Vec::new();
    for (name, id) in tracking {
        let branch = &name[prefix.len()..];
        let entry = (!reftable)
            .then(|| newest_entry(&common.join("logs").join(&name)))
            .flatten()
            .filter(|e| e.new == Some(id));
        let from_the_future = entry.as_ref().is_some_and(|e| e.time > now + 5);
        let pushed_since = |time: i64| {
            entry
                .as_ref()
                .is_some_and(|e| e.message.starts_with("update by push") && e.time >= time)
        };
        let trusted = !from_the_future
            && match &fetched {
                Some(f) if f.branches.iter().any(|(b, at)| b == branch && *at == id) => true,
                Some(f) => {
                    pushed_since(f.time)
                        && config_time <= f.time.max(entry.as_ref().map_or(0, |e| e.time)) + 1
                }
                None => match &entry {
                    Some(e) if e.message.starts_with("update by push") => config_time <= e.time + 1,
                    Some(e) if e.message.starts_with("clone: from ") => cloned_from_here,
                    Some(e) => config_time < e.time,
                    None => cloned_from_here,
                },
            };
        if trusted {
            known.tips.push(id);
        } else {
            left_out.push(name);
        }
    }
    if !left_out.is_empty() {
        tracing::debug!(refs = ?left_out, "remote-tracking refs not trusted");
        let mut names = left_out.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
        if left_out.len() > 3 {
            names.push_str(&format!(" and {} more", left_out.len() - 3));
        }
        known.doubt = Some(format!(
            "{names} may not be on {url} any more, so the commits behind {} were checked as new (slower). \
             `git fetch --prune {remote}` brings the remote-tracking refs up to date",
            if left_out.len() == 1 { "it" } else { "them" }
        ));
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn urls_compare_as_git_writes_them_into_fetch_head() {
        for (a, b) in [
            (
                "https://user:secret@example.com/org/repo.git",
                "https://example.com/org/repo",
            ),
            ("git@github.com:org/repo.git", "github.com:org/repo"),
            ("/srv/git/repo.git/", "/srv/git/repo"),
            ("ssh://git@host:22/repo.git", "ssh://host:22/repo"),
        ] {
            assert_eq!(normalize(a), b, "{a}");
        }
        assert_ne!(normalize("/srv/a.git"), normalize("/srv/b.git"));
    }
}

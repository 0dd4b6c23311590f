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
//! 1. The push must go to the repository fetches come from: the same URL, or the same
//!    host and path in another form (fetch over https, push over ssh as `git@`; see
//!    `same_repository`). Else no ref is trusted.
//! 2. `FETCH_HEAD`, when its lines come from that URL, is the latest word: a ref it lists
//!    at the same id is trusted; one it does not list is not (deleted on the server, or a
//!    fetch of only some branches) unless a push recorded as in 3 updated the ref since
//!    (the record holds a digest of `FETCH_HEAD` as it was: no fetch came between).
//! 3. Without that: the ref's newest reflog entry. `update by push` counts when intercept's
//!    pre-push recorded (in the user's cache), before that push, that it checked this ref at
//!    this id for this URL, and where the reflog would grow (`record_push`): the entry must start exactly
//!    there, so a push that failed, went elsewhere or was made before `git remote set-url`
//!    proves nothing, with no clock involved. A fetch counts when every config file git
//!    reads is strictly older than it (the fetch used today's URL; a change within the same
//!    second does not count).
//! 4. A ref with no reflog (clone writes the refs it fetched without one) counts when the
//!    repository was cloned from this URL (`clone: from <url>`, the first entry of HEAD's
//!    reflog).
//!
//! Reftable repositories keep reflogs in the table, which is not read here: only rules 1,
//! 2 and 4 apply there.

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

/// Where intercept's record of checked pushes to this repository's remotes is kept: the
/// user's cache (`~/.cache/intercept/pushes/<repository>`), so that nothing is left in any
/// repository after `uninstall --global`.
fn pushes_file(common: &Path) -> Option<PathBuf> {
    use sha2::Digest as _;
    let common = std::fs::canonicalize(common).ok()?;
    let key: String = sha2::Sha256::digest(crate::path::os_bytes(common.as_os_str()))[..10]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(crate::path::cache_dir()?.join("pushes").join(key))
}

/// The record is cut to its newer half past this size.
const PUSHES_LIMIT: u64 = 64 << 10;

/// What a pushed branch's remote-tracking ref is (`refs/remotes/<remote>/<branch>`, the
/// default refspec's mapping), if it has one.
fn tracking_ref(remote: &str, remote_ref: &str) -> Option<String> {
    let branch = remote_ref.strip_prefix("refs/heads/")?;
    Some(format!("refs/remotes/{remote}/{branch}"))
}

/// One line of the record without its last field: `<url>\t<tracking ref>\t<id>\t<reflog
/// offset>\t`; the last is what `FETCH_HEAD` held then ([`fetch_head_digest`]).
fn push_line(url: &str, tracking: &str, id: ObjectId, offset: u64) -> String {
    format!("{url}\t{tracking}\t{id}\t{offset}\t")
}

/// What `FETCH_HEAD` holds now, as a short digest (`none` without one): a push recorded
/// under another digest happened before the latest fetch.
fn fetch_head_digest(paths: &[PathBuf]) -> String {
    use sha2::Digest as _;
    match paths.iter().find_map(|p| std::fs::read(p).ok()) {
        Some(bytes) => sha2::Sha256::digest(&bytes)[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        None => "none".to_string(),
    }
}

/// `FETCH_HEAD`'s paths: the worktree's, then the common directory's.
fn fetch_head_paths(repo: &gix::Repository) -> [PathBuf; 2] {
    [
        repo.git_dir().join("FETCH_HEAD"),
        repo.common_dir().join("FETCH_HEAD"),
    ]
}

/// Before a push that pre-push checked and let through: for each pushed branch, that its
/// remote-tracking ref may be trusted at `id` for `push_url`, if the next line of its
/// reflog is this push's (see rule 3). Best effort: without the record the next push
/// checks more.
pub fn record_push(repo: &gix::Repository, remote: &str, push_url: &str, pushed: &[(String, ObjectId)]) {
    use std::io::Write as _;
    let common = repo.common_dir();
    let url = url_key(push_url);
    let fetched = fetch_head_digest(&fetch_head_paths(repo));
    let mut lines = String::new();
    for (remote_ref, id) in pushed {
        let Some(tracking) = tracking_ref(remote, remote_ref) else {
            continue;
        };
        let offset = std::fs::metadata(common.join("logs").join(&tracking)).map_or(0, |m| m.len());
        lines.push_str(&push_line(&url, &tracking, *id, offset));
        lines.push_str(&fetched);
        lines.push('\n');
    }
    if lines.is_empty() {
        return;
    }
    let Some(path) = pushes_file(common) else {
        return;
    };
    let result = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(path.parent().expect("the record is in a directory"))?;
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > PUSHES_LIMIT) {
            let old = std::fs::read(&path)?;
            let half = old.len() / 2;
            let cut = memchr::memchr(b'\n', &old[half..]).map_or(old.len(), |i| half + i + 1);
            let tmp = path.with_extension("tmp");
            std::fs::write(&tmp, &old[cut..])?;
            std::fs::rename(&tmp, &path)?;
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?
            .write_all(lines.as_bytes())
    })();
    if let Err(e) = result {
        tracing::debug!(path = %path.display(), "cannot record the checked push: {e}");
    }
}

/// Where the newest line of a reflog starts (its byte offset), if it can be told.
fn newest_line_start(path: &Path) -> Option<u64> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    const TAIL: u64 = 64 << 10;
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let from = len.saturating_sub(TAIL);
    file.seek(SeekFrom::Start(from)).ok()?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).ok()?;
    let body = tail.strip_suffix(b"\n").unwrap_or(&tail);
    match memchr::memrchr(b'\n', body) {
        Some(i) => Some(from + i as u64 + 1),
        None if from == 0 => Some(0),
        None => None,
    }
}

/// Whether intercept's record says the newest entry of `tracking`'s reflog is a push it
/// checked of `id` to `url`; with `since`, one recorded when `FETCH_HEAD` held that (no
/// fetch came after the push).
fn pushed_here(
    common: &Path,
    records: &str,
    url: &str,
    tracking: &str,
    id: ObjectId,
    since: Option<&str>,
) -> bool {
    let Some(offset) = newest_line_start(&common.join("logs").join(tracking)) else {
        return false;
    };
    let line = push_line(url, tracking, id, offset);
    records.lines().any(|l| {
        l.strip_prefix(line.as_str())
            .is_some_and(|fetched| since.is_none_or(|s| s == fetched))
    })
}

/// `git`'s form of a URL for comparisons (as it writes them into `FETCH_HEAD`): no
/// credentials, no trailing `/` or `.git`.
pub fn normalize(url: &str) -> String {
    let anonymous = anonymous(url);
    let trimmed = anonymous.trim_end_matches('/');
    trimmed.strip_suffix(".git").unwrap_or(trimmed).to_string()
}

/// The form of `url` a record keeps: a network URL as [`normalize`] writes it (forges serve
/// `r` and `r.git` alike), a local path or `file://` URL as it is but for trailing slashes
/// (`srv/app` and `srv/app.git` are different directories).
fn url_key(url: &str) -> String {
    if place(url).is_some() {
        normalize(url)
    } else {
        url.trim().trim_end_matches('/').to_string()
    }
}

/// Whether `FETCH_HEAD`'s lines (git writes the URL without `.git`) could name another
/// repository than `fetch_url`: a local path for which both `<p>` and `<p>.git` exist.
fn fetch_head_ambiguous(fetch_url: &str) -> bool {
    if place(fetch_url).is_some() {
        return false;
    }
    let bare = normalize(fetch_url);
    let bare = bare.strip_prefix("file://").unwrap_or(&bare);
    Path::new(bare).exists() && Path::new(&format!("{bare}.git")).exists()
}

/// `url` without the user and password, fit to print (`https://user:ghp_…@host/r`), as
/// gix reads git URLs; what gix cannot read is shown as it is.
fn anonymous(url: &str) -> String {
    let url = url.trim();
    match gix::url::parse(url) {
        Ok(mut parsed) => {
            parsed.set_user(None);
            parsed.set_password(None);
            parsed.to_bstring().to_string()
        }
        Err(_) => url.to_string(),
    }
}

fn seconds(path: &Path) -> Option<i64> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = modified.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// The newest line of a reflog (read from the file's end by gix's reverse reader).
fn newest_entry(path: &Path) -> Option<Entry> {
    let file = std::fs::File::open(path).ok()?;
    let mut buf = vec![0; 4096];
    let line = gix::refs::file::log::iter::reverse(file, &mut buf)
        .ok()?
        .next()?
        .ok()?;
    Some(Entry {
        new: Some(line.new_oid).filter(|id| !id.is_null()),
        time: line.signature.time.seconds,
        message: line.message.to_string(),
    })
}

/// The oldest line of a reflog (gix's parser).
fn first_entry(path: &Path) -> Option<Entry> {
    use std::io::{BufRead, BufReader};
    let mut line = Vec::new();
    BufReader::new(std::fs::File::open(path).ok()?)
        .read_until(b'\n', &mut line)
        .ok()?;
    let line = gix::refs::file::log::iter::forward(&line).next()?.ok()?;
    Some(Entry {
        new: Some(line.new_oid()).filter(|id| !id.is_null()),
        time: line.signature.seconds(),
        message: line.message.to_string(),
    })
}

/// What `FETCH_HEAD` says the server at `url` had, and when.
struct Fetched {
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
    any.then_some(Fetched { branches })
}

/// The URL fetches from `remote` use: its first `url`, after `url.<base>.insteadOf`.
fn fetch_url(repo: &gix::Repository, remote: &str) -> Option<String> {
    let found = repo.find_remote(remote).ok()?;
    found
        .url(gix::remote::Direction::Fetch)
        .map(|url| url.to_bstring().to_string())
}

/// Where a network URL points: its kind (web or ssh), user, host, port and path.
#[derive(Debug, PartialEq, Eq)]
struct Place {
    ssh: bool,
    /// The path starts at the server's root (`ssh://host/p`, `host:/p`), not in the
    /// user's home (`host:p`).
    absolute: bool,
    user: Option<String>,
    host: String,
    port: Option<u16>,
    path: String,
}

/// Where `url` points, as gix reads git URLs: `scheme://[user@]host[:port]/path` (http,
/// https, ssh, git) and scp-like `[user@]host:path`; `None` for local paths, `file://` and
/// anything else.
fn place(url: &str) -> Option<Place> {
    use gix::url::Scheme;
    let parsed = gix::url::parse(url.trim()).ok()?;
    let ssh = match parsed.scheme {
        Scheme::Http | Scheme::Https | Scheme::Git => false,
        Scheme::Ssh => true,
        _ => return None,
    };
    let host = parsed.host()?;
    let path = parsed.path.to_string();
    // An scp-like `C:/repo` names a Windows drive, not a host; curl ends an authority at `?`
    // or `#` (`https://127.0.0.1:9?@github.com/r` connects to 127.0.0.1, which gix reads as
    // the host too, the rest as no path): such a URL is nobody's look-alike.
    if host.is_empty() || (parsed.serialize_alternative_form && host.len() == 1) || path.contains(['?', '#'])
    {
        return None;
    }
    let absolute = !parsed.serialize_alternative_form || path.starts_with('/');
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_end_matches('/');
    Some(Place {
        ssh,
        absolute,
        user: parsed.user().filter(|u| !u.is_empty()).map(str::to_string),
        host: host.to_ascii_lowercase(),
        port: parsed.port,
        path: path.to_string(),
    })
}

/// Whether a fetch URL and a push URL name the same repository.
///
/// The same text (but for trailing slashes) always does. Across forms, the common
/// "fetch over https, push over ssh" set-up (`pushurl`, `pushInsteadOf`) does too: the same
/// host (case aside) and the same path (but for a leading `/` and a trailing `.git`), as
/// every forge maps them, when the ssh side logs in as `git` (a forge's one ssh user).
/// Two ssh URLs must also agree on the user and the port (`alice@host:r` is in alice's
/// home, `bob@host:r` in bob's), and `host:p` (in the home) names `ssh://host/p` (at the
/// root) only for the forge user; two web URLs must agree on the port. Local paths and
/// `file://` only match themselves: `srv/app` and `srv/app.git` are different directories.
fn same_repository(a: &str, b: &str) -> bool {
    if a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/') {
        return true;
    }
    let (Some(a), Some(b)) = (place(a), place(b)) else {
        return false;
    };
    if a.host != b.host || a.path != b.path || a.path.is_empty() {
        return false;
    }
    let forge_user = |p: &Place| p.user.as_deref() == Some("git");
    match (a.ssh, b.ssh) {
        (true, true) => {
            a.user == b.user
                && a.port.unwrap_or(22) == b.port.unwrap_or(22)
                && (a.absolute == b.absolute || forge_user(&a))
        }
        (false, false) => a.port == b.port,
        (true, false) => forge_user(&a),
        (false, true) => forge_user(&b),
    }
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
                    push_url.map_or_else(|| "a URL git did not pass".to_string(), anonymous),
                    fetch.as_deref().map_or_else(|| "nowhere (no url)".to_string(), anonymous)
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
    let fetched = fetch
        .as_deref()
        .filter(|f| !fetch_head_ambiguous(f))
        .and_then(|_| fetched_from(&fetch_head_paths(repo), &url));
    let fetch_digest = fetch_head_digest(&fetch_head_paths(repo));
    let cloned_from_here = first_entry(&common.join("logs/HEAD"))
        .and_then(|e| e.message.strip_prefix("clone: from ").map(url_key))
        .is_some_and(|from| fetch.as_deref().is_some_and(|f| url_key(f) == from));
    let reftable = crate::plumbing::reftable::is_reftable(common);
    let records = pushes_file(common)
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    let mut known = Known::default();
    let mut left_out = Vec::new();
    for (name, id) in tracking {
        let branch = &name[prefix.len()..];
        let entry = (!reftable)
            .then(|| newest_entry(&common.join("logs").join(&name)))
            .flatten()
            .filter(|e| e.new == Some(id));
        let from_the_future = entry.as_ref().is_some_and(|e| e.time > now + 5);
        let pushed = |since: Option<&str>| {
            entry
                .as_ref()
                .is_some_and(|e| e.message.starts_with("update by push"))
                && push_url
                    .is_some_and(|push| pushed_here(common, &records, &url_key(push), &name, id, since))
        };
        let trusted = !from_the_future
            && match &fetched {
                Some(f) if f.branches.iter().any(|(b, at)| b == branch && *at == id) => true,
                Some(_) => pushed(Some(&fetch_digest)),
                None => match &entry {
                    Some(e) if e.message.starts_with("update by push") => pushed(None),
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

    #[test]
    fn fetching_over_https_and_pushing_over_ssh_is_one_repository() {
        for (fetch, push) in [
            ("https://github.com/org/repo.git", "git@github.com:org/repo.git"),
            ("https://github.com/org/repo", "git@github.com:org/repo.git"),
            (
                "https://user:secret@GitHub.com/org/repo.git/",
                "ssh://git@github.com/org/repo.git",
            ),
            (
                "https://gitlab.example.com/group/sub/repo.git",
                "ssh://git@gitlab.example.com:2222/group/sub/repo.git",
            ),
            (
                "ssh://git@example.invalid/org/repo.git",
                "git@example.invalid:org/repo.git",
            ),
            ("example.invalid:/srv/repo", "ssh://example.invalid/srv/repo.git"),
            ("/srv/git/repo.git/", "/srv/git/repo.git"),
        ] {
            assert!(super::same_repository(fetch, push), "{fetch} / {push}");
        }
    }

    #[test]
    fn another_host_path_user_or_port_is_another_repository() {
        for (fetch, push) in [
            ("https://github.com/org/repo.git", "git@github.com:org/other.git"),
            (
                "https://github.com/org/repo.git",
                "git@github.example.com:org/repo.git",
            ),
            ("https://github.com/org/repo.git", "git@evil.invalid:org/repo.git"),
            ("https://github.com/org/repo.git", "alice@github.com:org/repo.git"),
            ("alice@host:r", "bob@host:r"),
            ("ssh://host/srv/r", "host:srv/r"),
            ("https://host/org/r", "host:org/r"),
            ("ssh://git@host/r", "ssh://git@host:2222/r"),
            ("https://host/r", "https://host:8443/r"),
            ("https://host/r", "/srv/host/r"),
            ("/srv/app", "/srv/app.git"),
            ("file:///srv/app.git", "/srv/app.git"),
            ("https://host/", "git@host:"),
            ("C:/repo", "git@C:/repo"),
            (
                "https://127.0.0.1:9?@github.com/org/repo",
                "git@github.com:org/repo",
            ),
            (
                "https://127.0.0.1:9#@github.com/org/repo",
                "git@github.com:org/repo",
            ),
            (
                "https://evil.invalid\\@github.com/org/repo",
                "git@github.com:org/repo",
            ),
        ] {
            assert!(!super::same_repository(fetch, push), "{fetch} / {push}");
        }
    }
}

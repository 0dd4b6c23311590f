//! What a report says about the repository a scan ran in: the work tree's root, the
//! remote's URL (credentials removed), the commit and the branch.
//!
//! Receives an open repository; hands on plain strings and paths, so the reports that use
//! them (SARIF's `versionControlProvenance`) know nothing about git. Nothing here fails: a
//! detail that cannot be read is left out.

use std::path::{Path, PathBuf};

use gix::ObjectId;

/// Where a scan ran.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// The top of the work tree, canonical; `None` in a bare repository.
    pub root: Option<PathBuf>,
    /// The remote's URL without user name or password (`https://host/org/repo.git`,
    /// `ssh://host/org/repo.git` for `git@host:org/repo.git`), else the repository's own
    /// `file://` URL.
    pub repository_uri: String,
    /// The commit `HEAD` points at.
    pub head: Option<ObjectId>,
    /// The branch `HEAD` names (`main`), unless it is detached.
    pub branch: Option<String>,
}

/// The provenance of `repo`.
pub fn of(repo: &gix::Repository) -> Provenance {
    let root = repo
        .workdir()
        .map(|w| w.canonicalize().unwrap_or_else(|_| w.to_path_buf()));
    let branch = super::refs::head_name(repo).and_then(|n| n.strip_prefix("refs/heads/").map(str::to_string));
    let config = repo.config_snapshot();
    let remote = branch
        .as_ref()
        .and_then(|b| config.string(&format!("branch.{b}.remote")))
        .map(|n| n.to_string())
        .filter(|n| n != ".")
        .or_else(|| {
            repo.remote_default_name(gix::remote::Direction::Fetch)
                .map(|n| n.to_string())
        })
        .or_else(|| repo.remote_names().into_iter().next().map(|n| n.to_string()));
    // The URL fetches use: the remote's first `url`, after `url.<base>.insteadOf`.
    let url = remote.and_then(|name| {
        let remote = repo.find_remote(name.as_str()).ok()?;
        remote
            .url(gix::remote::Direction::Fetch)
            .map(|u| u.to_bstring().to_string())
    });
    let local = || {
        let dir = root.clone().unwrap_or_else(|| {
            let git = repo.git_dir();
            git.canonicalize().unwrap_or_else(|_| git.to_path_buf())
        });
        file_uri(&dir)
    };
    let repository_uri = url
        .and_then(|u| repository_uri(&u, root.as_deref()))
        .unwrap_or_else(local);
    Provenance {
        root,
        repository_uri,
        head: super::head_commit_id(repo),
        branch,
    }
}

/// The repository that holds `dir`, if any (for a files scan of a path outside the current
/// directory's repository).
pub fn discover(dir: &Path) -> Option<gix::Repository> {
    gix::discover(dir).ok()
}

/// Where a scan ran, with the commit its results belong to.
#[derive(Clone, Debug, Default)]
pub struct Described {
    pub provenance: Provenance,
    /// The commit the results belong to: a range's tip, else HEAD.
    pub revision: Option<ObjectId>,
    /// The branch, when the revision is HEAD's.
    pub branch: Option<String>,
}

/// The repository a scan ran in (the current directory's; for a files scan run from outside
/// one, the repository that holds `path`) and the commit its results belong to (`tip`, a
/// range's end, else HEAD). `None` outside any repository.
pub fn describe(path: Option<&Path>, tip: Option<&str>) -> Option<Described> {
    let repo = super::open().ok().or_else(|| {
        let path = path?;
        let dir = if path.is_dir() { path } else { path.parent()? };
        discover(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
    })?;
    let provenance = of(&repo);
    let (revision, branch) = match tip {
        Some(tip) => {
            let id = super::refs::resolve(&repo, tip).ok();
            let branch = provenance
                .branch
                .clone()
                .filter(|_| id.is_some() && id == provenance.head);
            (id, branch)
        }
        None => (provenance.head, provenance.branch.clone()),
    };
    Some(Described {
        provenance,
        revision,
        branch,
    })
}

/// True when discovery failed because no repository is there (not because one is broken).
pub fn is_not_found(e: &gix::Error) -> bool {
    use gix::discover::upwards::Error as Upwards;
    matches!(
        e.downcast_any_ref::<Upwards>(),
        Some(
            Upwards::NoGitRepository { .. }
                | Upwards::NoGitRepositoryWithinCeiling { .. }
                | Upwards::NoGitRepositoryWithinFs { .. }
        )
    )
}

/// `file:///abs/path`, percent-encoded.
fn file_uri(path: &Path) -> String {
    format!(
        "file://{}",
        crate::path::percent_encode(crate::path::os_bytes(path.as_os_str()))
    )
}

/// A remote URL as an absolute URI without credentials, as gix reads git URLs:
/// `scheme://host[:port]/path` keeps its scheme, host, port and path; `[user@]host:path`
/// (scp-like) becomes `ssh://host/path`; a local path becomes a `file://` URI (relative to
/// `base`). `None` for what cannot be read.
pub fn repository_uri(url: &str, base: Option<&Path>) -> Option<String> {
    use gix::url::Scheme;
    let parsed = gix::url::parse(url.trim()).ok()?;
    let path = parsed.path.to_string();
    match &parsed.scheme {
        Scheme::File => {
            let path = Path::new(path.as_str());
            let abs = match base {
                Some(base) if path.is_relative() => base.join(path),
                _ => path.to_path_buf(),
            };
            let abs = abs.canonicalize().unwrap_or_else(|_| crate::path::lexical(&abs));
            Some(file_uri(&abs))
        }
        scheme => {
            // A token in `https://user:token@host/…` must not reach a report.
            let host = parsed.host().filter(|h| !h.is_empty())?;
            let port = parsed.port.map(|p| format!(":{p}")).unwrap_or_default();
            Some(format!(
                "{}://{host}{port}/{}",
                scheme.as_str(),
                path.trim_start_matches('/')
            ))
        }
    }
}

/// A remote URL as it may be printed or handed back to `git remote add`: no password, and
/// for http(s) and other schemes no user either (`https://<token>@github.com/…` is common);
/// ssh's user stays (`ssh://git@host/x`, `git@host:x`: not a credential).
pub fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let authority = &rest[..authority_end];
            match authority.rfind('@') {
                Some(at) => {
                    let user = authority[..at].split(':').next().unwrap_or_default();
                    let ssh = scheme.eq_ignore_ascii_case("ssh") || scheme.eq_ignore_ascii_case("git+ssh");
                    let keep = if ssh && !user.is_empty() {
                        format!("{user}@")
                    } else {
                        String::new()
                    };
                    format!("{scheme}://{keep}{}", &rest[at + 1..])
                }
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{repository_uri, without_credentials};

    #[test]
    fn credentials_never_stay_in_a_printed_url() {
        for (url, shown) in [
            (
                "https://user:secret@github.com/a/b.git",
                "https://github.com/a/b.git",
            ),
            (
                "https://ghp_token@github.com/a/b.git",
                "https://github.com/a/b.git",
            ),
            ("ssh://git:pw@host/x.git", "ssh://git@host/x.git"),
            ("ssh://git@host/x.git", "ssh://git@host/x.git"),
            ("git@github.com:a/b.git", "git@github.com:a/b.git"),
            ("../origin.git", "../origin.git"),
            ("https://host/a@b", "https://host/a@b"),
        ] {
            assert_eq!(without_credentials(url), shown, "{url}");
        }
    }

    #[test]
    fn remote_urls_lose_their_credentials() {
        let u = |s| repository_uri(s, None);
        assert_eq!(
            u("https://github.com/acme/app.git").as_deref(),
            Some("https://github.com/acme/app.git")
        );
        assert_eq!(
            u("https://x-access-token:ghs_secret@github.com/acme/app").as_deref(),
            Some("https://github.com/acme/app")
        );
        assert_eq!(
            u("git@github.com:acme/app.git").as_deref(),
            Some("ssh://github.com/acme/app.git")
        );
        assert_eq!(u("ssh://git@host:22/a/b").as_deref(), Some("ssh://host:22/a/b"));
        assert_eq!(u("/srv/git/app.git").as_deref(), Some("file:///srv/git/app.git"));
        assert_eq!(u(""), None);
        // curl connects to 127.0.0.1 here, whatever git prints: no look-alike of github.com.
        assert_eq!(
            u("https://127.0.0.1:9?@github.com/r").as_deref(),
            Some("https://127.0.0.1:9/?@github.com/r")
        );
    }
}

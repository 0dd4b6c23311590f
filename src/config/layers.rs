//! Which layers count, for each thing intercept checks: the one place they are chosen.
//!
//! | what is checked | the repository's `.intercept.toml` | function |
//! | --- | --- | --- |
//! | plain files (`scan PATH`) | the nearest one from the current directory up to the top of its work tree | [`for_files`] |
//! | a commit (`pre-commit`, `scan --staged`; `commit-msg` when the message holds a token) | as staged | [`for_staged`] |
//! | a push, a range (`pre-push`, `scan --range`) | as of each pushed tip, their allow-lists adding up | [`for_tips`] |
//! | a history (`scan --all`) | as committed at HEAD | [`for_head`] |
//! | a push received (`pre-receive`) | none: the server's file and git config; with `pushed_allowlist = "target"`, the fingerprints each updated branch had | [`for_server`] |

use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::file::{self, Trust};
use super::{value, ConfigError, Flags, Layer, PushedAllowlist, Settings, REPO_FILE};
use crate::repo;

/// Reads a settings file; `None` when there is none.
pub fn read_file(path: Option<PathBuf>) -> Result<Option<Layer>, ConfigError> {
    let Some(path) = path else {
        return Ok(None);
    };
    match std::fs::read(&path) {
        Ok(text) => Ok(Some(Layer {
            label: path.display().to_string(),
            text,
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Read {
            file: path.display().to_string(),
            source,
        }),
    }
}

/// Plain files: the work tree's `.intercept.toml`.
pub fn for_files(flags: &Flags) -> Result<Settings, ConfigError> {
    let layers: Vec<Layer> = read_file(work_tree_file())?.into_iter().collect();
    super::resolve(&layers, flags)
}

/// The nearest `.intercept.toml` from the current directory up to the top of its git work
/// tree (or the filesystem root outside git).
fn work_tree_file() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    let mut dir: &Path = &cwd;
    loop {
        let candidate = dir.join(REPO_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
        dir = dir.parent()?;
    }
}

/// A commit: `.intercept.toml` as staged in `index`.
pub fn for_staged(
    objects: &impl gix::objs::Find,
    index: &gix::index::State,
    flags: &Flags,
) -> Result<Settings, ConfigError> {
    let layers: Vec<Layer> = repo::staged_file(objects, index, REPO_FILE)?
        .map(|text| Layer {
            label: format!("{REPO_FILE} (as staged)"),
            text,
        })
        .into_iter()
        .collect();
    super::resolve(&layers, flags)
}

/// A push or a range: `.intercept.toml` as of each tip (their allow-lists add up: an entry
/// needs to be in one of the commits being pushed).
pub fn for_tips(
    objects: &impl gix::objs::Find,
    tips: &[ObjectId],
    flags: &Flags,
) -> Result<Settings, ConfigError> {
    let mut layers = Vec::new();
    for tip in tips {
        if let Some(text) = repo::committed_file(objects, tip, REPO_FILE)? {
            layers.push(Layer {
                label: format!("{REPO_FILE} at {}", &tip.to_string()[..10]),
                text,
            });
        }
    }
    super::resolve(&layers, flags)
}

/// A history: `.intercept.toml` as committed at HEAD (none on an unborn branch).
pub fn for_head(repo: &gix::Repository, flags: &Flags) -> Result<Settings, ConfigError> {
    let layers: Vec<Layer> = match repo::head_commit_id(repo) {
        Some(head) => repo::committed_file(&repo.objects, &head, REPO_FILE)?
            .map(|text| Layer {
                label: format!("{REPO_FILE} at HEAD"),
                text,
            })
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    super::resolve(&layers, flags)
}

/// A branch a push updates, for `pushed_allowlist = "target"`.
pub struct Target<'a> {
    pub name: &'a str,
    /// What it pointed at before the push (`None`: a new ref).
    pub before: Option<ObjectId>,
}

/// pre-receive's settings: server defaults (inline markers off), the server file, the
/// repository's `intercept.*` git config (with the system and global config under it), the
/// `INTERCEPT_*` variables of the server process. Nothing a push contains is read, but for
/// the one opt-in exception (`pushed_allowlist = "target"`: the fingerprint entries every
/// updated branch already had before the push).
pub fn for_server(repo: &gix::Repository, targets: &[Target<'_>]) -> Result<Settings, ConfigError> {
    let mut settings = Settings::server_defaults();
    let mut mode = PushedAllowlist::Ignore;
    if let Some(server) = read_file(Some(super::server_file()))? {
        file::apply(&mut settings, &mut mode, &server, Trust::Server)?;
    }
    apply_git(repo, &mut settings, &mut mode)?;
    apply_env(&mut settings)?;
    if mode == PushedAllowlist::Target {
        settings.allow.rules.extend(target_fingerprints(repo, targets));
    }
    Ok(settings)
}

/// The server's `intercept.*` keys, read as git reads them.
fn apply_git(
    repo: &gix::Repository,
    settings: &mut Settings,
    mode: &mut PushedAllowlist,
) -> Result<(), ConfigError> {
    let config = repo.config_snapshot();
    let shown = |key: &str| config.string(key).map(|v| v.to_string()).unwrap_or_default();
    let bad = |key: &'static str, expected: &'static str| ConfigError::Git {
        key,
        value: shown(key),
        expected,
    };
    const MARKERS: &str = "intercept.inlineMarkers";
    if let Some(v) = config
        .try_boolean(MARKERS)
        .map_err(|_| bad(MARKERS, "use true or false"))?
    {
        settings.inline_markers = v;
    }
    const BUDGET: &str = "intercept.timeBudget";
    if let Some(v) = config.string(BUDGET) {
        let seconds = value::seconds(&v.to_string())
            .ok_or_else(|| bad(BUDGET, "give a number of seconds from 0 to 3600 (0 for no limit)"))?;
        settings.time_budget = value::budget(seconds);
    }
    const MAX: &str = "intercept.maxDecompressed";
    let max = config
        .try_integer(MAX)
        .ok()
        .map(|v| v.and_then(|n| u64::try_from(n).ok()));
    match max {
        Some(Some(n)) => settings.max_decompressed = n,
        Some(None) if config.string(MAX).is_none() => {}
        _ => return Err(bad(MAX, "give a number of bytes (a k, m or g suffix is allowed)")),
    }
    const PUSHED: &str = "intercept.pushedAllowlist";
    if let Some(v) = config.string(PUSHED) {
        *mode =
            file::pushed_allowlist_mode(&v.to_string()).ok_or_else(|| bad(PUSHED, "use ignore or target"))?;
    }
    Ok(())
}

/// `INTERCEPT_*` variables.
pub(super) fn apply_env(settings: &mut Settings) -> Result<(), ConfigError> {
    let var = |name: &'static str| std::env::var(name).ok().map(|v| (name, v));
    let bad = |(var, value): (&'static str, String), expected| ConfigError::Env { var, value, expected };
    if let Some(v) = var("INTERCEPT_MAX_DECOMPRESSED") {
        settings.max_decompressed = value::bytes(&v.1).ok_or_else(|| bad(v, "not a number of bytes"))?;
    }
    if let Some(v) = var("INTERCEPT_TIME_BUDGET") {
        let seconds = value::seconds(&v.1)
            .ok_or_else(|| bad(v, "not a number of seconds from 0 to 3600 (0 for no limit)"))?;
        settings.time_budget = value::budget(seconds);
    }
    if let Some(v) = var("INTERCEPT_INLINE_MARKERS") {
        settings.inline_markers = value::boolean(&v.1).ok_or_else(|| bad(v, "use true or false"))?;
    }
    Ok(())
}

/// `pushed_allowlist = "target"`: the fingerprint entries that every branch this push
/// updates already had in its `.intercept.toml` before the push (a new ref: the default
/// branch's). A file that cannot be read or parsed there allows nothing (it is logged):
/// the push is then checked in full rather than refused for the server's own state.
fn target_fingerprints(repo: &gix::Repository, targets: &[Target<'_>]) -> Vec<crate::allowlist::Rule> {
    use crate::allowlist::RuleKind::Fingerprint;
    let head = repo::head_commit_id(repo);
    let mut common: Option<Vec<crate::allowlist::Rule>> = None;
    for target in targets {
        let Some(before) = target.before.or(head) else {
            return Vec::new();
        };
        let text = match repo::committed_file(&repo.objects, &before, REPO_FILE) {
            Ok(Some(text)) => text,
            Ok(None) => return Vec::new(),
            Err(e) => {
                tracing::warn!("{REPO_FILE} before this push cannot be read, so it allows nothing: {e}");
                return Vec::new();
            }
        };
        let layer = Layer {
            label: format!("{REPO_FILE} on {} before this push", target.name),
            text,
        };
        let mut pushed = Settings::server_defaults();
        if let Err(e) = file::apply(
            &mut pushed,
            &mut PushedAllowlist::Ignore,
            &layer,
            Trust::Fingerprints,
        ) {
            tracing::warn!("{e} (it allows nothing in this push)");
            return Vec::new();
        }
        let rules = pushed.allow.rules;
        common = Some(match common {
            None => rules,
            Some(kept) => kept
                .into_iter()
                .filter(|k| {
                    rules
                        .iter()
                        .any(|r| matches!((&r.kind, &k.kind), (Fingerprint(x), Fingerprint(y)) if x == y))
                })
                .collect(),
        });
    }
    common.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server repository whose config holds `lines` under `[intercept]`.
    fn server(lines: &str) -> (intercept_test_support::Repo, gix::Repository) {
        let fixture = intercept_test_support::Repo::init_with("git", &["--bare"]);
        let config = fixture.root.join("config");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str(&format!("[intercept]\n{lines}"));
        std::fs::write(&config, text).unwrap();
        let repo = gix::open_opts(&fixture.root, gix::open::Options::isolated()).unwrap();
        (fixture, repo)
    }

    #[test]
    fn a_servers_git_values_read_as_git_reads_them() {
        let layers = [
            "MAX_DECOMPRESSED",
            "TIME_BUDGET",
            "INLINE_MARKERS",
            "SERVER_CONFIG",
        ];
        if layers
            .iter()
            .any(|v| std::env::var_os(format!("INTERCEPT_{v}")).is_some())
        {
            return; // the environment's layer would win
        }
        // `key =` is false to git; a key alone is true.
        let (_f, repo) = server("\tinlineMarkers =\n\tmaxDecompressed = 2k\n\ttimeBudget = 0\n");
        let s = for_server(&repo, &[]).unwrap();
        assert_eq!(
            (s.inline_markers, s.max_decompressed, s.time_budget),
            (false, 2048, None)
        );
        let (_f, repo) = server("\tinlineMarkers\n");
        assert!(for_server(&repo, &[]).unwrap().inline_markers);
        for (line, key) in [
            ("\tinlineMarkers = maybe\n", "intercept.inlineMarkers"),
            ("\tmaxDecompressed = -1\n", "intercept.maxDecompressed"),
            ("\ttimeBudget = 1e300\n", "intercept.timeBudget"),
            ("\tpushedAllowlist = sometimes\n", "intercept.pushedAllowlist"),
        ] {
            let (_f, repo) = server(line);
            let e = for_server(&repo, &[]).unwrap_err().to_string();
            assert!(e.contains(key) && e.contains("git config"), "{line}: {e}");
        }
    }
}

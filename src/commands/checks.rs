//! The git checks that `intercept hook` and `intercept scan` share: open the repository as
//! git handed it over, resolve the settings for what is checked, build the session with the
//! caller's sink, run the source through it.

use std::fmt::Display;
use std::sync::atomic::AtomicBool;

use gix::ObjectId;

use crate::config::{self, ConfigError, Layer, Overrides, Settings, REPO_FILE};
use crate::content::lfs;
use crate::detector::Detector;
use crate::outcome::Outcome;
use crate::path::PathText;
use crate::repo::{self, RepoError};
use crate::scan::audit::Counters;
use crate::scan::push::{peel_all, Pushed};
use crate::scan::{Budget, Problem, Session, Sink, Summary};
use crate::source::pushed::{self, LineError, PushUpdate};
use crate::source::staged;

/// Why a check could not start (it is reported through the check's sink: in a hook's block
/// message, a scan's problems).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Input(#[from] LineError),
    #[error(
        "the commit-msg hook was run without the message file. Reinstall the hooks with \
         `intercept install --global` (or `intercept install` in this repository)"
    )]
    NoMessageFile,
    #[error(
        "cannot read the commit message file {path}: {source}. git passes it to the commit-msg hook; check \
         that the hook passes its arguments on"
    )]
    MessageFile {
        path: PathText,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the refs git passed on standard input: {source}. Run the push again")]
    Stdin {
        #[source]
        source: std::io::Error,
    },
    #[error(
        "PRE_COMMIT_TO_REF / PRE_COMMIT_FROM_REF do not hold object ids (the pre-commit framework sets \
         them). Check the hook's configuration"
    )]
    FrameworkIds,
    #[error(
        "the pre-commit framework ran the pre-push hook without saying what is pushed (no \
         PRE_COMMIT_TO_REF or PRE_COMMIT_LOCAL_BRANCH), so nothing could be checked. Push with \
         intercept's own hooks (`intercept install --global`), or go ahead unchecked with `git push \
         --no-verify`"
    )]
    FrameworkRange,
}

/// Reports a check that could not start, and its outcome.
pub fn failed(sink: &mut dyn Sink, message: impl Display) -> Outcome {
    sink.problem(&Problem {
        path: None,
        message: message.to_string(),
    });
    let _ = sink.finish(&Summary {
        problems: 1,
        ..Summary::default()
    });
    Outcome::Unchecked
}

/// The repository's git-lfs store.
fn lfs_store(repo: &gix::Repository) -> lfs::Store {
    let storage = repo
        .config_snapshot()
        .string("lfs.storage")
        .map(|s| std::path::PathBuf::from(s.to_string()));
    lfs::Store::of_repository(repo.common_dir(), storage.as_deref())
}

macro_rules! try_or_fail {
    ($sink:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return failed($sink, e),
        }
    };
}

/// pre-commit, pre-merge-commit, pre-applypatch, `scan --staged`: the lines the staged
/// index adds to `HEAD`, with the repository's config as staged (what is being committed).
pub fn staged(detector: &Detector, overrides: &Overrides, sink: &mut dyn Sink) -> Outcome {
    let repo = try_or_fail!(sink, repo::open());
    let index = try_or_fail!(sink, repo::index(&repo));
    // A commit reads a handful of objects: the light reader skips loading pack indexes whole.
    let objects = repo::light::LightObjects::of(&repo);
    let layers: Vec<Layer> = try_or_fail!(sink, repo::staged_file(&objects, &index, REPO_FILE))
        .map(|text| Layer {
            label: format!("{REPO_FILE} (as staged)"),
            text,
        })
        .into_iter()
        .collect();
    let settings = try_or_fail!(sink, config::resolve(&layers, overrides));
    let head = try_or_fail!(sink, repo::head_tree(&repo, &objects));
    let changes = try_or_fail!(sink, staged::changes(&objects, &index, head));
    let dirs = repo::ObjectDirs::of(&repo);
    let lfs = lfs_store(&repo);
    let mut session = Session::new(detector, &settings, Some(&lfs), sink);
    session.changes(&objects, &dirs, &changes);
    session.finish()
}

/// git's scissors line: everything below it (`git commit -v`'s diff) is not part of the
/// message.
const SCISSORS: &[u8] = b"------------------------ >8 ------------------------";

/// commit-msg: a token in the message blocks.
pub fn message(detector: &Detector, file: Option<&str>, sink: &mut dyn Sink) -> Outcome {
    let Some(file) = file else {
        return failed(sink, CheckError::NoMessageFile);
    };
    let mut message = try_or_fail!(
        sink,
        std::fs::read(file).map_err(|source| CheckError::MessageFile {
            path: PathText(file.as_bytes().to_vec()),
            source,
        })
    );
    if let Some(at) = memchr::memmem::find(&message, SCISSORS) {
        let line_start = message[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        message.truncate(line_start);
    }
    // The usual case: no token, so no repository or config to read (pre-commit already
    // checked the staged config of this commit).
    let settings = if detector.prefilter(&message) {
        try_or_fail!(sink, staged_settings())
    } else {
        Settings::defaults()
    };
    let mut session = Session::new(detector, &settings, None, sink);
    session.message(&crate::origin::Origin::commit_message(None), &message);
    session.finish()
}

/// The settings with `.intercept.toml` as staged (for a message with a token in it).
fn staged_settings() -> Result<Settings, CheckError> {
    let repo = repo::open()?;
    let index = repo::index(&repo)?;
    let layers: Vec<Layer> = repo::staged_file(&repo.objects, &index, REPO_FILE)?
        .map(|text| Layer {
            label: format!("{REPO_FILE} (as staged)"),
            text,
        })
        .into_iter()
        .collect();
    Ok(config::resolve(&layers, &Overrides::default())?)
}

/// The settings with `.intercept.toml` as of each pushed tip (their allow-lists add up:
/// an entry needs to be in one of the commits being pushed).
fn tip_settings(
    objects: &impl gix::objs::Find,
    tips: &[ObjectId],
    overrides: &Overrides,
) -> Result<Settings, CheckError> {
    let mut layers = Vec::new();
    for tip in tips {
        if let Some(text) = repo::committed_file(objects, tip, REPO_FILE)? {
            layers.push(Layer {
                label: format!("{REPO_FILE} at {}", &tip.to_string()[..10]),
                text,
            });
        }
    }
    Ok(config::resolve(&layers, overrides)?)
}

/// pre-push: the commits the push sends. `input` is git's standard input; under the
/// pre-commit framework (which keeps it) the range comes from its environment. `remote`
/// and `url` are git's `$1` and `$2`.
pub fn pre_push(
    detector: &Detector,
    remote: Option<&str>,
    url: Option<&str>,
    input: &[u8],
    sink: &mut dyn Sink,
) -> Outcome {
    let mut updates: Vec<PushUpdate> = try_or_fail!(sink, pushed::push_updates(input));
    let repo = try_or_fail!(sink, repo::open());
    let framework_remote = std::env::var("PRE_COMMIT_REMOTE_NAME").ok();
    let framework_url = std::env::var("PRE_COMMIT_REMOTE_URL").ok();
    let remote = remote.or(framework_remote.as_deref());
    let url = url.or(framework_url.as_deref());
    if updates.is_empty() {
        if let Some(u) = try_or_fail!(sink, framework_update(&repo)) {
            updates.push(u);
        }
    }
    let light = repo::light::LightObjects::of(&repo);
    let objects = &light;
    let pushed: Vec<Pushed> = updates
        .iter()
        .filter_map(|u| {
            u.local.map(|id| Pushed {
                name: u.remote_ref.clone(),
                id,
            })
        })
        .collect();
    let mut hidden: Vec<ObjectId> = updates
        .iter()
        .filter_map(|u| u.remote)
        .filter(|id| gix::objs::Exists::exists(objects, id))
        .collect();
    // A remote given by name has remote-tracking refs: what it is known to have, while
    // they describe the server this push goes to (`repo::tracking`).
    let mut doubt = None;
    if let Some(name) = remote.filter(|r| !r.contains(['/', ':', '\\']) && !r.is_empty()) {
        let known = try_or_fail!(sink, repo::tracking::known_tips(&repo, name, url, &hidden));
        hidden.extend(
            known
                .tips
                .into_iter()
                .filter_map(|id| repo::peel_to_commit(&repo.objects, id)),
        );
        doubt = known.doubt;
    }
    let peels = try_or_fail!(sink, peel_all(objects, &pushed));
    let settings = try_or_fail!(sink, tip_settings(objects, &peels.tips, &Overrides::default()));
    let dirs = repo::ObjectDirs::of(&repo);
    let lfs = lfs_store(&repo);
    let mut session = Session::new(detector, &settings, Some(&lfs), sink);
    if let Some(doubt) = doubt {
        session.notice(doubt);
    }
    if let Err(e) = session.push(&repo, objects, &dirs, &pushed, &peels, &hidden) {
        session.problem(e);
    }
    session.finish()
}

/// The range the pre-commit framework passes in its environment, when it runs the hook
/// (it keeps git's input). On a first push whose history holds the root commit it sets
/// neither `PRE_COMMIT_FROM_REF` nor `PRE_COMMIT_TO_REF`: the branch being pushed is then
/// checked against everything the remote is known to have; when even that cannot be told,
/// the push is blocked.
fn framework_update(repo: &gix::Repository) -> Result<Option<PushUpdate>, CheckError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (to, branch) = (var("PRE_COMMIT_TO_REF"), var("PRE_COMMIT_LOCAL_BRANCH"));
    if to.is_none() && branch.is_none() && var("PRE_COMMIT_REMOTE_NAME").is_none() {
        return Ok(None);
    }
    let id = |v: &str| ObjectId::from_hex(v.trim().as_bytes()).map_err(|_| CheckError::FrameworkIds);
    let local = match (&to, &branch) {
        (Some(to), _) => id(to)?,
        (None, Some(branch)) => repo::refs::resolve(repo, branch)?,
        (None, None) => return Err(CheckError::FrameworkRange),
    };
    let remote = match var("PRE_COMMIT_FROM_REF") {
        Some(from) => Some(id(&from)?).filter(|r| !r.is_null()),
        None => None,
    };
    Ok(Some(PushUpdate {
        local_ref: branch.unwrap_or_default(),
        local: Some(local),
        remote_ref: var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_default(),
        remote,
    }))
}

/// The commits the references under `prefix` (all references when `None`) lead to.
fn ref_tips(repo: &gix::Repository, prefix: Option<&str>) -> Result<Vec<ObjectId>, RepoError> {
    Ok(repo::refs::all(repo, prefix)?
        .into_iter()
        .filter_map(|(_, id)| repo::peel_to_commit(&repo.objects, id))
        .collect())
}

/// pre-receive: the commits new to this server. The pushed objects are in git's quarantine.
/// The settings are the server's ([`config::resolve_server`]): nothing pushed widens them.
pub fn pre_receive(detector: &Detector, input: &[u8], sink: &mut dyn Sink) -> Outcome {
    let updates = try_or_fail!(sink, pushed::receive_updates(input));
    let pushed: Vec<Pushed> = updates
        .iter()
        .filter_map(|u| {
            u.new.map(|id| Pushed {
                name: u.name.clone(),
                id,
            })
        })
        .collect();
    let repo = try_or_fail!(sink, repo::open());
    let server = try_or_fail!(sink, config::resolve_server(&server_git_values(&repo)));
    let (objects, dirs) = try_or_fail!(sink, repo::incoming(&repo));
    let hidden = try_or_fail!(sink, ref_tips(&repo, None));
    let peels = try_or_fail!(sink, peel_all(&objects, &pushed));
    let mut settings = server.settings;
    if server.pushed_allowlist == config::PushedAllowlist::Target {
        settings.allow.rules.extend(target_fingerprints(&repo, &updates));
    }
    let lfs = lfs_store(&repo);
    let mut session = Session::new(detector, &settings, Some(&lfs), sink);
    session.budget = Budget::of(
        settings
            .time_budget
            .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok()),
    );
    if let Err(e) = session.push(&repo, &objects, &dirs, &pushed, &peels, &hidden) {
        session.problem(e);
    }
    session.finish()
}

/// The server's `intercept.*` keys, as git would read them for this repository.
fn server_git_values(repo: &gix::Repository) -> config::GitValues {
    let snapshot = repo.config_snapshot();
    let get = |key: &str| snapshot.string(key).map(|v| v.to_string());
    config::GitValues {
        inline_markers: get("intercept.inlineMarkers"),
        time_budget: get("intercept.timeBudget"),
        max_decompressed: get("intercept.maxDecompressed"),
        pushed_allowlist: get("intercept.pushedAllowlist"),
    }
}

/// `pushed_allowlist = "target"`: the fingerprint entries that every branch this push
/// updates already had in its `.intercept.toml` before the push (a new ref: the default
/// branch's). A file that cannot be read or parsed there allows nothing (it is logged):
/// the push is then checked in full rather than refused for the server's own state.
fn target_fingerprints(
    repo: &gix::Repository,
    updates: &[pushed::ReceiveUpdate],
) -> Vec<crate::allowlist::Rule> {
    let head = repo::head_commit_id(repo);
    let mut common: Option<Vec<crate::allowlist::Rule>> = None;
    for update in updates.iter().filter(|u| u.new.is_some()) {
        let Some(before) = update.old.or(head) else {
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
            label: format!("{REPO_FILE} on {} before this push", update.name),
            text,
        };
        let rules = match config::fingerprint_rules(&layer) {
            Ok(rules) => rules,
            Err(e) => {
                tracing::warn!("{e} (it allows nothing in this push)");
                return Vec::new();
            }
        };
        common = Some(match common {
            None => rules,
            Some(kept) => kept
                .into_iter()
                .filter(|k| rules.iter().any(|r| same_fingerprint(r, k)))
                .collect(),
        });
    }
    common.unwrap_or_default()
}

fn same_fingerprint(a: &crate::allowlist::Rule, b: &crate::allowlist::Rule) -> bool {
    use crate::allowlist::RuleKind::Fingerprint;
    matches!((&a.kind, &b.kind), (Fingerprint(x), Fingerprint(y)) if x == y)
}

/// `intercept scan --range A..B` (or `B`: all of its history): the same walk and scan.
pub fn range(detector: &Detector, range: &str, overrides: &Overrides, sink: &mut dyn Sink) -> Outcome {
    let repo = try_or_fail!(sink, repo::open());
    let resolve = |spec: &str| repo::refs::resolve(&repo, spec);
    let (hidden_spec, tip_spec) = match range.split_once("..") {
        Some((a, b)) => (
            Some(if a.is_empty() { "HEAD" } else { a }),
            if b.is_empty() { "HEAD" } else { b },
        ),
        None => (None, range),
    };
    let tip = try_or_fail!(sink, resolve(tip_spec));
    let hidden = match hidden_spec {
        Some(spec) => vec![try_or_fail!(sink, resolve(spec))],
        None => Vec::new(),
    };
    let pushed = [Pushed {
        name: String::new(),
        id: tip,
    }];
    let peels = try_or_fail!(sink, peel_all(&repo.objects, &pushed));
    let settings = try_or_fail!(sink, tip_settings(&repo.objects, &peels.tips, overrides));
    let dirs = repo::ObjectDirs::of(&repo);
    let lfs = lfs_store(&repo);
    let mut session = Session::new(detector, &settings, Some(&lfs), sink);
    if let Err(e) = session.push(&repo, &repo.objects, &dirs, &[], &peels, &hidden) {
        session.problem(e);
    }
    session.finish()
}

/// `intercept scan --all`: every object, with the repository's config as committed at HEAD.
pub fn audit(
    detector: &Detector,
    overrides: &Overrides,
    interrupt: &AtomicBool,
    counters: &Counters,
    sink: &mut dyn Sink,
) -> Outcome {
    let repo = try_or_fail!(sink, repo::open());
    let layers: Vec<Layer> = match repo::head_commit_id(&repo) {
        Some(head) => try_or_fail!(sink, repo::committed_file(&repo.objects, &head, REPO_FILE))
            .map(|text| Layer {
                label: format!("{REPO_FILE} at HEAD"),
                text,
            })
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    let settings = try_or_fail!(sink, config::resolve(&layers, overrides));
    let lfs = lfs_store(&repo);
    let mut session = Session::new(detector, &settings, Some(&lfs), sink);
    session.audit(&repo, interrupt, counters);
    session.finish()
}

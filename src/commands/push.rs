//! `intercept hook pre-push` and `intercept hook pre-receive`: the commits a push would
//! send (or a server is about to accept), walked and scanned.
//!
//! pre-push reads every stdin line `<local ref> <local oid> <remote ref> <remote oid>`
//! (or, under the pre-commit framework, `PRE_COMMIT_FROM_REF`/`PRE_COMMIT_TO_REF`);
//! the commits to check are those reachable from the pushed oids and not from what the
//! remote already has: each remote oid present here and every `refs/remotes/<remote>/*`.
//! pre-receive reads `<old> <new> <ref>` lines; its new commits are those reachable from
//! no existing ref, and the incoming objects live in git's quarantine directory, which is
//! opened as a second object store (looked up first; never written to).

use std::io::{self, BufRead};

use gix::ObjectId;

use super::hook::Checked;
use super::scanner::{scan_commits, threads_for, Budget, Scanner};
use crate::config::{self, ConfigError, Layer, Overrides, Settings, REPO_FILE};
use crate::detector::Detector;
use crate::outcome::Outcome;
use crate::repo::{self, cause, RepoError};
use crate::report::human;
use crate::source::history::{self, Graph};

/// What pre-push's block message says.
const PUSH: human::Blocked<'static> = human::Blocked {
    action: "push",
    remove: "from the commits that add it before pushing:\n     `git rebase -i <upstream>` and edit each \
             listed commit (for the last commit: `git commit --amend`)",
    bypass: Some("git push --no-verify"),
};

/// What pre-receive's block message says (it reaches the pusher as `remote:` lines).
const RECEIVE: human::Blocked<'static> = human::Blocked {
    action: "push",
    remove: "from the commits that add it (rewrite them with `git rebase -i`),\n     then push again",
    bypass: None,
};

#[derive(Debug, thiserror::Error)]
enum PushError {
    #[error(transparent)]
    Repo(#[from] RepoError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot read the refs git passed on standard input: {0}. Run the push again")]
    Stdin(io::Error),
    #[error(
        "cannot understand the line {line:?} git passed on standard input (expected {expected}). Check that \
         the hook is installed as {hook} and receives git's input unchanged"
    )]
    Line {
        line: String,
        expected: &'static str,
        hook: &'static str,
    },
    #[error("cannot list the references of this repository: {0}. Run `git show-ref` to see whether git can")]
    Refs(String),
}

fn is_null(id: &ObjectId) -> bool {
    id.is_null()
}

fn parse_id(s: &str, line: &str, expected: &'static str, hook: &'static str) -> Result<ObjectId, PushError> {
    ObjectId::from_hex(s.as_bytes()).map_err(|_| PushError::Line {
        line: line.to_string(),
        expected,
        hook,
    })
}

fn stdin_lines() -> Result<Vec<String>, PushError> {
    io::stdin()
        .lock()
        .lines()
        .filter(|l| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .collect::<Result<_, _>>()
        .map_err(PushError::Stdin)
}

/// `(pushed oid, remote oid)` pairs of a pre-push.
fn push_updates() -> Result<Vec<(ObjectId, Option<ObjectId>)>, PushError> {
    const EXPECTED: &str = "<local ref> <local oid> <remote ref> <remote oid>";
    let lines = stdin_lines()?;
    let mut updates = Vec::new();
    for line in &lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, local, _, remote] = fields[..] else {
            return Err(PushError::Line {
                line: line.clone(),
                expected: EXPECTED,
                hook: "pre-push",
            });
        };
        let local = parse_id(local, line, EXPECTED, "pre-push")?;
        let remote = parse_id(remote, line, EXPECTED, "pre-push")?;
        updates.push((local, (!is_null(&remote)).then_some(remote)));
    }
    // The pre-commit framework consumes stdin and passes the range in its environment.
    if lines.is_empty() {
        if let Ok(to) = std::env::var("PRE_COMMIT_TO_REF") {
            const ENV: &str = "an object id in PRE_COMMIT_TO_REF / PRE_COMMIT_FROM_REF";
            let local = parse_id(&to, &to, ENV, "pre-push")?;
            let remote = match std::env::var("PRE_COMMIT_FROM_REF") {
                Ok(from) if !from.is_empty() => Some(parse_id(&from, &from, ENV, "pre-push")?),
                _ => None,
            };
            updates.push((local, remote.filter(|r| !is_null(r))));
        }
    }
    Ok(updates)
}

/// Peeled ids of the references under `prefix` (all references when `None`).
fn ref_tips(repo: &gix::Repository, prefix: Option<&str>) -> Result<Vec<ObjectId>, PushError> {
    let platform = repo.references().map_err(|e| PushError::Refs(cause(&e)))?;
    let iter = match prefix {
        Some(prefix) => platform.prefixed(prefix),
        None => platform.all(),
    }
    .map_err(|e| PushError::Refs(cause(&e)))?;
    let mut tips = Vec::new();
    for reference in iter.flatten() {
        let mut reference = reference;
        if let Ok(id) = reference.peel_to_id() {
            tips.push(id.detach());
        }
    }
    Ok(tips)
}

pub fn pre_push(args: &[String]) -> Outcome {
    let detector = Detector::new();
    let mut checked = Checked::default();
    if let Err(e) = check_push(&detector, args.first().map(String::as_str), &mut checked) {
        checked.problem(&e);
    }
    checked.finish(&PUSH)
}

fn check_push(detector: &Detector, remote: Option<&str>, checked: &mut Checked) -> Result<(), PushError> {
    let updates = push_updates()?;
    if updates.iter().all(|(local, _)| is_null(local)) {
        return Ok(()); // only deletions: nothing leaves
    }
    let repo = repo::open()?;
    let objects = &repo.objects;
    let mut scanner = Scanner::new(detector, objects);
    let mut tips = Vec::new();
    let mut hidden = Vec::new();
    for (local, remote_id) in updates {
        if let Some(remote_id) = remote_id {
            if gix::objs::Exists::exists(objects, &remote_id) {
                hidden.push(remote_id);
            }
        }
        if !is_null(&local) {
            if let Some(commit) = scanner.peel(local)? {
                tips.push(commit);
            }
        }
    }
    // A remote given by name has remote-tracking refs: what it is known to have.
    if let Some(name) = remote.filter(|r| !r.contains(['/', ':', '\\']) && !r.is_empty()) {
        hidden.extend(ref_tips(&repo, Some(&format!("refs/remotes/{name}/")))?);
    }
    scan_pushed(
        &repo,
        objects,
        detector,
        scanner,
        &tips,
        &hidden,
        &Overrides::default(),
        Limit::None,
        checked,
    )
}

pub fn pre_receive() -> Outcome {
    let detector = Detector::new();
    let mut checked = Checked::default();
    if let Err(e) = check_receive(&detector, &mut checked) {
        checked.problem(&e);
    }
    checked.finish(&RECEIVE)
}

/// The settings with `.intercept.toml` as of each pushed tip (their allow-lists add up:
/// an entry needs to be in one of the commits being pushed).
fn tip_settings(
    objects: &impl gix::objs::Find,
    tips: &[ObjectId],
    overrides: &Overrides,
) -> Result<Settings, PushError> {
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

fn check_receive(detector: &Detector, checked: &mut Checked) -> Result<(), PushError> {
    const EXPECTED: &str = "<old oid> <new oid> <ref name>";
    let mut news = Vec::new();
    for line in stdin_lines()? {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, new, _] = fields[..] else {
            return Err(PushError::Line {
                line: line.clone(),
                expected: EXPECTED,
                hook: "pre-receive",
            });
        };
        let new = parse_id(new, &line, EXPECTED, "pre-receive")?;
        if !is_null(&new) {
            news.push(new);
        }
    }
    if news.is_empty() {
        return Ok(());
    }
    let repo = repo::open()?;
    // git names the quarantine GIT_QUARANTINE_PATH; some servers (GitLab's Gitaly) pass
    // only GIT_OBJECT_DIRECTORY, which points at the same place.
    let incoming_dir =
        std::env::var_os("GIT_QUARANTINE_PATH").or_else(|| std::env::var_os("GIT_OBJECT_DIRECTORY"));
    let quarantine = match incoming_dir {
        Some(dir) => Some(
            gix::odb::at(&dir, repo.object_hash()).map_err(|e| RepoError::Open {
                dir: crate::path::PathText::new(std::path::Path::new(&dir)),
                cause: e.to_string(),
            })?,
        ),
        None => None,
    };
    let objects = Incoming {
        quarantine: quarantine.clone(),
        existing: repo.objects.clone(),
    };
    let mut scanner = Scanner::new(detector, &objects);
    let mut tips = Vec::new();
    for new in news {
        if let Some(commit) = scanner.peel(new)? {
            tips.push(commit);
        }
    }
    let hidden = ref_tips(&repo, None)?;
    scan_pushed(
        &repo,
        &objects,
        detector,
        scanner,
        &tips,
        &hidden,
        &Overrides::default(),
        Limit::ServerBudget,
        checked,
    )
}

/// Whether a scan has a time limit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Limit {
    None,
    /// The server's budget (`time_budget`, `INTERCEPT_TIME_BUDGET`).
    ServerBudget,
}

/// The shared end of pre-push, pre-receive and `scan --range`: the settings as of the
/// tips, the walk from `tips` minus `hidden`, every commit scanned (on all cores for long
/// lists), and the allow-list applied.
#[allow(clippy::too_many_arguments)]
fn scan_pushed<F: gix::objs::Find + Clone + Send>(
    repo: &gix::Repository,
    objects: &F,
    detector: &Detector,
    scanner: Scanner<'_, F>,
    tips: &[ObjectId],
    hidden: &[ObjectId],
    overrides: &Overrides,
    limit: Limit,
    checked: &mut Checked,
) -> Result<(), PushError> {
    let settings = tip_settings(objects, tips, overrides)?;
    let budget = match (limit, settings.time_budget) {
        (Limit::ServerBudget, Some(seconds)) => Budget::seconds(seconds),
        _ => Budget::unlimited(),
    };
    let mut graph = Graph::new(repo, objects);
    let commits = history::commits(&mut graph, tips, hidden)?;
    tracing::debug!(commits = commits.len(), hidden = hidden.len(), "commits to check");
    let handles = (0..threads_for(commits.len())).map(|_| objects.clone()).collect();
    checked.absorb(scanner.checked);
    checked.absorb(scan_commits(detector, handles, graph.shallow(), &commits, budget));
    checked.settle(&settings);
    Ok(())
}

/// The objects of a push being received: the quarantine first, then the repository.
#[derive(Clone)]
struct Incoming {
    quarantine: Option<gix::odb::Handle>,
    existing: gix::OdbHandle,
}

impl gix::objs::Find for Incoming {
    fn try_find<'b>(
        &self,
        id: &gix::oid,
        buffer: &'b mut Vec<u8>,
    ) -> gix::Result<Option<gix::objs::Data<'b>>> {
        match &self.quarantine {
            Some(q) if gix::objs::Exists::exists(q, id) => q.try_find(id, buffer),
            _ => self.existing.try_find(id, buffer),
        }
    }
}

/// `intercept scan --range A..B` (or `B`: all of its history): the same walk and scan.
pub(crate) fn check_range(
    detector: &Detector,
    range: &str,
    overrides: &Overrides,
    checked: &mut Checked,
) -> Result<(), String> {
    let repo = repo::open().map_err(|e| e.to_string())?;
    let resolve = |spec: &str| -> Result<ObjectId, String> {
        repo.rev_parse_single(spec).map(|id| id.detach()).map_err(|e| {
            format!(
                "cannot resolve {spec:?}: {}. Name a commit, branch or tag",
                cause(&e)
            )
        })
    };
    let (hidden_spec, tip_spec) = match range.split_once("..") {
        Some((a, b)) => (
            Some(if a.is_empty() { "HEAD" } else { a }),
            if b.is_empty() { "HEAD" } else { b },
        ),
        None => (None, range),
    };
    let mut scanner = Scanner::new(detector, &repo.objects);
    let tip = scanner.peel(resolve(tip_spec)?).map_err(|e| e.to_string())?;
    let hidden = match hidden_spec {
        Some(spec) => vec![resolve(spec)?],
        None => Vec::new(),
    };
    let tips: Vec<ObjectId> = tip.into_iter().collect();
    scan_pushed(
        &repo,
        &repo.objects,
        detector,
        scanner,
        &tips,
        &hidden,
        overrides,
        Limit::None,
        checked,
    )
    .map_err(|e| e.to_string())
}

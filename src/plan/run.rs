//! Runs a [`Plan`]: the repository opened as git handed it over, the settings for what is
//! checked, the source, the session into the caller's sink. A check that cannot start is
//! reported through the sink (a hook's block message, a scan's problems) and its outcome
//! is "could not check" (exit 2).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use gix::ObjectId;

use super::annotate::{Annotate, Verifier, Verify};
use super::{Check, Plan, Range};
use crate::config::{self, ConfigError, Settings};
use crate::content::lfs;
use crate::detector::Detector;
use crate::outcome::Outcome;
use crate::path::PathText;
use crate::progress::Counters;
use crate::repo::{self, RepoError};
use crate::report::human::Brought;
use crate::scan::{Budget, Problem, Session, Sink, Summary};
use crate::source::commits::{CommitWalk, Pushed};
use crate::source::files::Files;
use crate::source::history;
use crate::source::message::Message;
use crate::source::objects::Database;
use crate::source::options::PushOptions;
use crate::source::pushed::{self, LineError, PushUpdate};
use crate::source::staged::{Part, Staged};

/// What a run shares with the command around it: the detector, and for a history audit
/// the Ctrl-C flag and the counters a progress line reads.
pub struct Context<'a> {
    pub detector: &'a Detector,
    pub interrupt: Arc<AtomicBool>,
    pub counters: Arc<Counters>,
    /// `scan --verify`: asks Intercom whether each token found works (the detector must
    /// keep the tokens: `Detector::keeping_secrets`).
    pub checker: Option<Box<dyn Verifier>>,
}

impl<'a> Context<'a> {
    pub fn new(detector: &'a Detector) -> Self {
        Context {
            detector,
            interrupt: Arc::default(),
            counters: Arc::default(),
            checker: None,
        }
    }

    /// What `Annotate` needs to verify tokens, when asked to.
    fn verify(&self) -> Option<Verify<'_>> {
        Some(Verify {
            checker: self.checker.as_deref()?,
            vault: self.detector.vault()?,
        })
    }
}

/// Why a check could not start (it is reported through the check's sink).
#[derive(Debug, thiserror::Error)]
pub enum Error {
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

/// Runs `plan` into `sink`.
pub fn run(plan: &Plan, cx: &Context<'_>, sink: &mut dyn Sink) -> Outcome {
    let flags = &plan.flags;
    let d = cx.detector;
    let result = match &plan.check {
        Check::Files(paths) => files(d, paths, flags, &mut Annotate::new(sink, None, cx.verify())),
        Check::Staged => staged(d, flags, &mut Annotate::new(sink, None, cx.verify())),
        Check::Message { file, cut } => self::message(d, file.as_deref(), *cut, sink),
        Check::Push { remote, url, input } => pre_push(d, remote.as_deref(), url.as_deref(), input, sink),
        Check::Receive { input } => pre_receive(d, input, sink),
        Check::Range(range) => self::range(cx, range, flags, sink),
        Check::Audit => audit(cx, flags, sink),
    };
    result.unwrap_or_else(|e| failed(sink, &e))
}

/// Reports a check that could not start, and its outcome.
pub fn failed(sink: &mut dyn Sink, message: &dyn std::fmt::Display) -> Outcome {
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

/// Plain files, with the work tree's `.intercept.toml`.
fn files(
    d: &Detector,
    paths: &[std::path::PathBuf],
    flags: &config::Flags,
    sink: &mut dyn Sink,
) -> Result<Outcome, Error> {
    let settings = config::layers::for_files(flags)?;
    let mut session = Session::new(d, &settings, None, sink);
    session.run(&mut Files { paths });
    // Fingerprint entries that match nothing any more, so allow-lists do not grow forever.
    for rule in settings.allow.stale(session.seen()) {
        if let crate::allowlist::RuleKind::Fingerprint(fp) = &rule.kind {
            session.notice(format!(
                "{}: the allow entry for fingerprint {} (\"{}\") matches nothing in this scan; if the fixture \
                 is gone, remove the entry",
                rule.source,
                fp.short(),
                rule.reason
            ));
        }
    }
    Ok(session.finish())
}

/// pre-commit, pre-merge-commit, pre-applypatch, `scan --staged`: the lines the staged
/// index adds to `HEAD`, with the repository's config as staged (what is being committed).
fn staged(d: &Detector, flags: &config::Flags, sink: &mut dyn Sink) -> Result<Outcome, Error> {
    let repo = repo::open()?;
    let index = repo::index(&repo)?;
    // A commit reads a handful of objects: the light reader skips loading pack indexes whole.
    let objects = repo::light_objects(&repo);
    let settings = config::layers::for_staged(&objects, &index, flags)?;
    let head = repo::head_tree(&repo, &objects)?;
    let dirs = repo::ObjectDirs::of(&repo);
    let lfs = lfs_store(&repo);
    // Concluding a merge: only what differs from every parent is the merge's own.
    let parents = repo::merge_heads(&repo);
    let others: Vec<ObjectId> = parents
        .iter()
        .filter_map(|c| repo::commit_tree(&objects, c))
        .collect();
    let mut session = Session::new(d, &settings, Some(&lfs), sink);
    let mut staged = Staged {
        objects: &objects,
        dirs: &dirs,
        index: &index,
        head,
        others: &others,
        part: Part::Adds,
    };
    session.run(&mut staged);
    if !others.is_empty() {
        // What the other parents bring is already in history: said once, never blocking.
        let mut brought = Brought::default();
        let mut quiet = Session::new(d, &settings, Some(&lfs), &mut brought);
        staged.part = Part::Brings;
        quiet.run(&mut staged);
        drop(quiet);
        if brought.count > 0 {
            session.notice(brought.note(shared_on(&repo, &parents).as_deref()));
        }
    }
    Ok(session.finish())
}

/// A remote-tracking ref whose history holds every one of `commits`, if one does.
fn shared_on(repo: &gix::Repository, commits: &[ObjectId]) -> Option<String> {
    let remotes = repo::refs::all(repo, Some("refs/remotes/")).ok()?;
    let tips: Vec<ObjectId> = remotes
        .iter()
        .filter_map(|(_, id)| repo::peel_to_commit(&repo.objects, *id))
        .collect();
    let mut graph = history::Graph::new(repo, repo.objects.clone());
    let outside = history::commits(&mut graph, commits, &tips).ok()?;
    if !outside.is_empty() {
        return None;
    }
    // Name a branch (not `<remote>/HEAD`) that points at one of them, else any.
    let branches = || remotes.iter().filter(|(name, _)| !name.ends_with("/HEAD"));
    branches()
        .find(|(_, id)| commits.contains(id))
        .or_else(|| branches().next())
        .or(remotes.first())
        .map(|(name, _)| name.trim_start_matches("refs/remotes/").to_string())
}

/// commit-msg and applypatch-msg: a token in the message git will record blocks.
fn message(
    d: &Detector,
    file: Option<&std::path::Path>,
    cut: bool,
    sink: &mut dyn Sink,
) -> Result<Outcome, Error> {
    let file = file.ok_or(Error::NoMessageFile)?;
    let whole = std::fs::read(file).map_err(|source| Error::MessageFile {
        path: PathText::new(file),
        source,
    })?;
    // applypatch-msg's file is the message already (git am cut the patch where asked).
    let message = if cut {
        super::cleanup::recorded(&whole, std::env::var("INTERCEPT_GIT_PID").ok().as_deref())
    } else {
        &whole[..]
    };
    // The usual case: no token, so no repository or config to read (pre-commit already
    // checked the staged config of this commit).
    let idents = Message::idents_from_env();
    let settings = if d.prefilter(message) || idents.iter().any(|(_, v)| d.prefilter(v)) {
        let repo = repo::open()?;
        let index = repo::index(&repo)?;
        config::layers::for_staged(&repo.objects, &index, &config::Flags::default())?
    } else {
        Settings::defaults()
    };
    let mut session = Session::new(d, &settings, None, sink);
    session.run(&mut Message {
        bytes: message,
        idents,
    });
    Ok(session.finish())
}

/// pre-push: the commits the push sends. `input` is git's standard input; under the
/// pre-commit framework (which keeps it) the range comes from its environment. `remote`
/// and `url` are git's `$1` and `$2`.
fn pre_push(
    d: &Detector,
    remote: Option<&str>,
    url: Option<&str>,
    input: &[u8],
    sink: &mut dyn Sink,
) -> Result<Outcome, Error> {
    let mut updates: Vec<PushUpdate> = pushed::push_updates(input)?;
    let repo = repo::open()?;
    let framework_remote = std::env::var("PRE_COMMIT_REMOTE_NAME").ok();
    let framework_url = std::env::var("PRE_COMMIT_REMOTE_URL").ok();
    let remote = remote.or(framework_remote.as_deref());
    let url = url.or(framework_url.as_deref());
    if updates.is_empty() {
        updates.extend(framework_update(&repo)?);
    }
    let objects = &repo::light_objects(&repo);
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
    let named = remote.filter(|r| !r.contains(['/', ':', '\\']) && !r.is_empty());
    if let Some(name) = named {
        let known = repo::tracking::known_tips(&repo, name, url, &hidden)?;
        hidden.extend(
            known
                .tips
                .into_iter()
                .filter_map(|id| repo::peel_to_commit(&repo.objects, id)),
        );
        doubt = known.doubt;
    }
    let dirs = repo::ObjectDirs::of(&repo);
    let mut walk = CommitWalk::new(&repo, objects, &dirs, pushed, hidden)?;
    let settings = config::layers::for_tips(objects, walk.tips(), &config::Flags::default())?;
    let lfs = lfs_store(&repo);
    // A blocked push says where its tokens already are (another remote).
    let mut annotate = Annotate::new(sink, Some(&repo), None).pushing_to(named);
    let mut session = Session::new(d, &settings, Some(&lfs), &mut annotate);
    if let Some(doubt) = doubt {
        session.notice(doubt);
    }
    session.run(&mut walk);
    let outcome = session.finish();
    // What this push leaves on the server: its remote-tracking refs may be trusted next
    // time, if git records the push as their next reflog line (`repo::tracking`).
    if let (Outcome::Clean, Some(name), Some(url)) = (outcome, named, url) {
        let pushed: Vec<(String, ObjectId)> = updates
            .iter()
            .filter_map(|u| u.local.map(|id| (u.remote_ref.clone(), id)))
            .collect();
        repo::tracking::record_push(&repo, name, url, &pushed);
    }
    Ok(outcome)
}

/// The range the pre-commit framework passes in its environment, when it runs the hook
/// (it keeps git's input). On a first push whose history holds the root commit it sets
/// neither `PRE_COMMIT_FROM_REF` nor `PRE_COMMIT_TO_REF`: the branch being pushed is then
/// checked against everything the remote is known to have; when even that cannot be told,
/// the push is blocked.
fn framework_update(repo: &gix::Repository) -> Result<Option<PushUpdate>, Error> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (to, branch) = (var("PRE_COMMIT_TO_REF"), var("PRE_COMMIT_LOCAL_BRANCH"));
    if to.is_none() && branch.is_none() && var("PRE_COMMIT_REMOTE_NAME").is_none() {
        return Ok(None);
    }
    let id = |v: &str| ObjectId::from_hex(v.trim().as_bytes()).map_err(|_| Error::FrameworkIds);
    let local = match (&to, &branch) {
        (Some(to), _) => id(to)?,
        (None, Some(branch)) => repo::refs::resolve(repo, branch)?,
        (None, None) => return Err(Error::FrameworkRange),
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

/// pre-receive: the commits new to this server. The pushed objects are in git's quarantine.
/// The settings are the server's ([`config::layers::for_server`]): nothing pushed widens them.
fn pre_receive(d: &Detector, input: &[u8], sink: &mut dyn Sink) -> Result<Outcome, Error> {
    let updates = pushed::receive_updates(input)?;
    let pushed: Vec<Pushed> = updates
        .iter()
        .filter_map(|u| {
            u.new.map(|id| Pushed {
                name: u.name.clone(),
                id,
            })
        })
        .collect();
    let repo = repo::open()?;
    let targets: Vec<config::Target<'_>> = updates
        .iter()
        .filter(|u| u.new.is_some())
        .map(|u| config::Target {
            name: &u.name,
            before: u.old,
        })
        .collect();
    let settings = config::layers::for_server(&repo, &targets)?;
    let (objects, dirs) = repo::incoming(&repo)?;
    let hidden: Vec<ObjectId> = repo::refs::all(&repo, None)?
        .into_iter()
        .filter_map(|(_, id)| repo::peel_to_commit(&repo.objects, id))
        .collect();
    let mut walk = CommitWalk::new(&repo, &objects, &dirs, pushed, hidden)?;
    let lfs = lfs_store(&repo);
    let mut session = Session::new(d, &settings, Some(&lfs), sink);
    session.budget = Budget::of(
        settings
            .time_budget
            .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok()),
    );
    session.run(&mut PushOptions::from_env());
    session.run(&mut walk);
    Ok(session.finish())
}

/// `intercept scan --range A..B` (or `B`: all of its history): the same walk and scan.
fn range(
    cx: &Context<'_>,
    range: &Range,
    flags: &config::Flags,
    sink: &mut dyn Sink,
) -> Result<Outcome, Error> {
    let d = cx.detector;
    let repo = repo::open()?;
    let tip = repo::refs::resolve(&repo, &range.tip)?;
    let hidden = match &range.hidden {
        Some(spec) => vec![repo::refs::resolve(&repo, spec)?],
        None => Vec::new(),
    };
    let pushed = vec![Pushed {
        name: String::new(),
        id: tip,
    }];
    let dirs = repo::ObjectDirs::of(&repo);
    let mut walk = CommitWalk::new(&repo, &repo.objects, &dirs, pushed, hidden)?;
    let settings = config::layers::for_tips(&repo.objects, walk.tips(), flags)?;
    let lfs = lfs_store(&repo);
    let mut annotate = Annotate::new(sink, Some(&repo), cx.verify());
    let mut session = Session::new(d, &settings, Some(&lfs), &mut annotate);
    session.run(&mut walk);
    Ok(session.finish())
}

/// `intercept scan --all`: every object, with the repository's config as committed at HEAD.
fn audit(cx: &Context<'_>, flags: &config::Flags, sink: &mut dyn Sink) -> Result<Outcome, Error> {
    let repo = repo::open()?;
    let settings = config::layers::for_head(&repo, flags)?;
    let lfs = lfs_store(&repo);
    let mut annotate = Annotate::new(sink, Some(&repo), cx.verify());
    let mut session = Session::new(cx.detector, &settings, Some(&lfs), &mut annotate);
    session.run(&mut Database {
        repo: &repo,
        interrupt: Arc::clone(&cx.interrupt),
        counters: Arc::clone(&cx.counters),
    });
    Ok(session.finish())
}

//! `intercept scan`: files (or, with --staged / --range / --all, git objects) → session →
//! report. Porcelain: findings on stdout in the chosen format; problems, advice and a
//! summary for people on stderr.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::checks;
use super::error::StartError;
use crate::cli::{FormatArg, ScanArgs};
use crate::config::{self, ConfigError, Layer, Overrides, REPO_FILE};
use crate::content::Input;
use crate::detector::Detector;
use crate::outcome::Outcome;
use crate::path::PathText;
use crate::report::human::{Footer, Listing};
use crate::report::json::Json;
use crate::report::progress::Progress;
use crate::report::sarif::{RunInfo, Sarif, Vcs};
use crate::scan::audit::Counters;
use crate::scan::{Session, Sink};
use crate::source::files::{self, Entry};

pub fn run(args: &ScanArgs) -> Result<Outcome, StartError> {
    let overrides = Overrides {
        max_decompressed: args.max_decompressed,
        time_budget: None,
    };
    // A new branch's push event names the all-zero id as what came before: the range is
    // then the branch's whole history.
    let range = args.range.as_deref().map(without_null_base);
    // When it cannot start: one line (from main), and no report: nothing was scanned.
    can_start(args, range)?;
    let detector = Detector::new();
    let mut out = super::stdout();
    let mut err = super::stderr();
    // Machine formats carry problems in the document; people see them (and the summary) on
    // stderr too.
    let mut sink: Box<dyn Sink + '_> = match args.format {
        FormatArg::Human => Box::new(Listing::new(&mut out, &mut err, args.show_allowed)),
        FormatArg::Json => Box::new(Footer::new(Json::new(&mut out), &mut err)),
        FormatArg::Sarif => Box::new(Footer::new(Sarif::new(&mut out, run_info(args, range)), &mut err)),
    };
    let sink = &mut *sink;
    Ok(if let Some(range) = range {
        checks::range(&detector, range, &overrides, sink)
    } else if args.all {
        let interrupt = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&interrupt);
        // Ignored if a handler exists already (a second scan in one process).
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
        let counters = Arc::new(Counters::default());
        let progress = Progress::start(&counters);
        let outcome = checks::audit(&detector, &overrides, &interrupt, &counters, sink);
        drop(progress);
        outcome
    } else if args.staged {
        checks::staged(&detector, &overrides, sink)
    } else {
        scan_files(&detector, &args.paths, &overrides, sink)
    })
}

/// `0000…0000..B` → `B`: git's null id as a range's base means "nothing before".
fn without_null_base(range: &str) -> &str {
    match range.split_once("..") {
        Some((base, tip)) if base.len() >= 40 && base.bytes().all(|b| b == b'0') => head_if_empty(tip),
        _ => range,
    }
}

/// `A..B` → (`A`, `B`), `B` → (none, `B`), an empty side meaning `HEAD`: the range as
/// `checks::range` reads it.
fn range_parts(range: &str) -> (Option<&str>, &str) {
    match range.split_once("..") {
        Some((a, b)) => (Some(head_if_empty(a)), head_if_empty(b)),
        None => (None, range),
    }
}

fn head_if_empty(spec: &str) -> &str {
    if spec.is_empty() {
        "HEAD"
    } else {
        spec
    }
}

/// Why a git scan cannot start, in one line (what, why, what to do); files scans always can.
fn can_start(args: &ScanArgs, range: Option<&str>) -> Result<(), StartError> {
    let what = match () {
        _ if args.staged => "--staged",
        _ if args.all => "--all",
        _ if range.is_some() => "--range",
        _ => return Ok(()),
    };
    let repo = match crate::repo::open() {
        Ok(repo) => repo,
        Err(crate::repo::RepoError::NotFound { dir }) => return Err(StartError::NoRepository { what, dir }),
        // Any other failure is reported by the check itself, with its cause.
        Err(_) => return Ok(()),
    };
    if args.staged && repo.workdir().is_none() {
        return Err(StartError::BareStaged);
    }
    if let Some(range) = range {
        let (base, tip) = range_parts(range);
        for spec in base.into_iter().chain([tip]) {
            let Err(source) = crate::repo::refs::resolve(&repo, spec) else {
                continue;
            };
            let range = PathText(range.as_bytes().to_vec());
            if spec == "HEAD" && crate::repo::head_commit_id(&repo).is_none() {
                return Err(StartError::Unborn { range });
            }
            let spec = PathText(spec.as_bytes().to_vec());
            return Err(StartError::Unknown {
                range,
                spec,
                source: Box::new(source),
            });
        }
    }
    Ok(())
}

/// What a SARIF log says about this run: the repository root its URIs are relative to,
/// the remote, commit and branch, and the analysis category.
fn run_info(args: &ScanArgs, range: Option<&str>) -> RunInfo {
    let cwd = std::env::current_dir().ok();
    let files = args.range.is_none() && !args.all && !args.staged;
    let mode = match () {
        _ if args.range.is_some() => "range",
        _ if args.all => "all",
        _ if args.staged => "staged",
        _ => "files",
    };
    let repo = crate::repo::open().ok().or_else(|| {
        // A files scan of a path inside a repository, run from outside it.
        let first = args.paths.first().filter(|_| files)?;
        let dir = if first.is_dir() {
            first.as_path()
        } else {
            first.parent()?
        };
        crate::repo::vcs::discover(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
    });
    let provenance = repo.as_ref().map(crate::repo::vcs::of);
    // The commit the results belong to: a range's tip, else HEAD.
    let tip = range.map(|range| range_parts(range).1);
    let (revision, branch) = match (&provenance, tip, &repo) {
        (Some(p), Some(tip), Some(repo)) => {
            let id = crate::repo::refs::resolve(repo, tip).ok();
            let branch = if id.is_some() && id == p.head {
                p.branch.clone()
            } else {
                None
            };
            (id, branch)
        }
        (Some(p), None, _) => (p.head, p.branch.clone()),
        _ => (None, None),
    };
    let root = match &provenance {
        Some(p) => p.root.clone(),
        None => cwd.clone(),
    };
    let revision = revision.map(|id| id.to_string());
    RunInfo {
        root,
        cwd: if files { cwd } else { None },
        automation_id: format!("intercept/{mode}/{}", revision.as_deref().unwrap_or_default()),
        vcs: provenance.map(|p| Vcs {
            repository_uri: p.repository_uri,
            revision_id: revision,
            branch,
        }),
    }
}

/// Plain files, with the work tree's `.intercept.toml`.
fn scan_files(detector: &Detector, paths: &[PathBuf], overrides: &Overrides, sink: &mut dyn Sink) -> Outcome {
    let layers: Vec<Layer> = match work_tree_config() {
        Some(path) => match std::fs::read(&path) {
            Ok(text) => vec![Layer {
                label: path.display().to_string(),
                text,
            }],
            Err(source) => {
                let file = path.display().to_string();
                return checks::failed(sink, ConfigError::Read { file, source });
            }
        },
        None => Vec::new(),
    };
    let settings = match config::resolve(&layers, overrides) {
        Ok(settings) => settings,
        Err(e) => return checks::failed(sink, e),
    };
    let mut session = Session::new(detector, &settings, None, sink);
    let (stats, errors) = files::walk(paths, &mut |entry| match entry {
        Entry::Name { origin, name } => session.path_name(origin, name),
        Entry::File { origin, path } => {
            let open =
                || -> std::io::Result<Box<dyn std::io::Read>> { Ok(Box::new(std::fs::File::open(path)?)) };
            session.item(origin, Input::Open(&open));
        }
        Entry::Stdin { origin } => {
            let mut stdin = std::io::stdin().lock();
            session.item(origin, Input::Stream(&mut stdin));
        }
    });
    session.skipped(stats.skipped);
    for e in errors {
        session.problem_at(e.path(), &e);
    }
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
    session.finish()
}

/// The nearest `.intercept.toml` from the current directory up to the top of its git
/// work tree (or the filesystem root outside git).
fn work_tree_config() -> Option<PathBuf> {
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

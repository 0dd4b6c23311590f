//! `intercept scan`: the plan from the flags, a sink for the format, the run. Porcelain:
//! findings on stdout in the chosen format; problems, advice and a summary on stderr.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::cli::{FormatArg, ScanArgs};
use crate::config::Flags;
use crate::detector::Detector;
use crate::outcome::Outcome;
use crate::plan::{self, Check, Plan, Range};
use crate::remedy::verify::{Api, Checker, DEFAULT_API};
use crate::report::human::{Footer, Listing};
use crate::report::json::Json;
use crate::report::progress::Progress;
use crate::report::sarif::{RunInfo, Sarif, Vcs};
use crate::scan::Sink;

pub fn run(args: &ScanArgs) -> Result<Outcome, super::Error> {
    let plan = plan_of(args);
    // When it cannot start: one line (from main), and no report: nothing was scanned.
    plan::can_start(&plan)?;
    let checker = match args.verify {
        true => {
            let from_env = std::env::var("INTERCEPT_INTERCOM_API")
                .ok()
                .filter(|v| !v.trim().is_empty());
            let base = args.intercom_api.clone().or(from_env);
            Some(Checker::new(Api::parse(base.as_deref().unwrap_or(DEFAULT_API))?))
        }
        false => None,
    };
    // Only a scan that verifies keeps the tokens it finds (to send them to Intercom).
    let keeping;
    let detector = match checker {
        Some(_) => {
            keeping = Detector::keeping_secrets();
            &keeping
        }
        None => crate::redact::detector(),
    };
    let mut out = super::stdout();
    let mut err = super::stderr();
    // Machine formats carry problems in the document; people see them (and the summary) on
    // stderr too.
    let mut sink: Box<dyn Sink + '_> = match args.format {
        FormatArg::Human => Box::new(Listing::new(&mut out, &mut err, args.show_allowed)),
        FormatArg::Json => Box::new(Footer::new(Json::new(&mut out), &mut err)),
        FormatArg::Sarif => Box::new(Footer::new(Sarif::new(&mut out, run_info(&plan)), &mut err)),
    };
    let mut cx = plan::Context::new(detector);
    cx.checker = checker.map(|c| Box::new(c) as Box<dyn plan::Verifier>);
    let progress = matches!(plan.check, Check::Audit).then(|| {
        let flag = Arc::clone(&cx.interrupt);
        // Ignored if a handler exists already (a second scan in one process).
        let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
        Progress::start(&cx.counters)
    });
    let outcome = plan::run(&plan, &cx, &mut *sink);
    drop(progress);
    Ok(outcome)
}

/// What the flags ask for.
fn plan_of(args: &ScanArgs) -> Plan {
    let check = match (&args.range, args.all, args.staged) {
        (Some(range), _, _) => Check::Range(Range::parse(range)),
        (None, true, _) => Check::Audit,
        (None, false, true) => Check::Staged,
        (None, false, false) => Check::Files(args.paths.clone()),
    };
    let flags = Flags {
        max_decompressed: args.max_decompressed,
    };
    Plan { check, flags }
}

/// What a SARIF log says about this run: the repository root its URIs are relative to,
/// the remote, commit and branch, and the analysis category.
fn run_info(plan: &Plan) -> RunInfo {
    let cwd = std::env::current_dir().ok();
    let (mode, path, tip) = match &plan.check {
        Check::Range(range) => ("range", None, Some(range.tip.as_str())),
        Check::Audit => ("all", None, None),
        Check::Staged => ("staged", None, None),
        Check::Files(paths) => ("files", paths.first(), None),
        _ => ("hook", None, None),
    };
    let files = mode == "files";
    let described = crate::repo::vcs::describe(path.map(|p| p.as_path()), tip);
    let revision = described
        .as_ref()
        .and_then(|d| d.revision)
        .map(|id| id.to_string());
    RunInfo {
        root: described
            .as_ref()
            .map_or(cwd.clone(), |d| d.provenance.root.clone()),
        cwd: if files { cwd } else { None },
        automation_id: format!("intercept/{mode}/{}", revision.as_deref().unwrap_or_default()),
        vcs: described.map(|d| Vcs {
            repository_uri: d.provenance.repository_uri,
            revision_id: revision,
            branch: d.branch,
        }),
    }
}

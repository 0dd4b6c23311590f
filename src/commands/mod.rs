//! Subcommands: glue only. Each builds settings, a source and a sink, runs the session and
//! returns an `Outcome`; this is the only place the stages meet. Every byte written to
//! stdout, stderr or the log passes [`crate::redact`] first.

pub mod allow;
pub mod doctor;
pub mod error;
pub mod hook;
pub mod install;
pub mod meta;
pub mod purge;
pub mod scan;
pub mod status;

use std::io;

use crate::cli::{Cli, Command};
use crate::outcome::Outcome;
use crate::redact::Redacting;
pub use error::Error;

/// Runs the parsed command line. An error is one that kept the command from doing its job
/// at all; `main` prints it (exit 2).
pub fn run(cli: &Cli) -> Result<Outcome, Error> {
    Ok(match &cli.command {
        Command::Scan(args) => scan::run(args)?,
        Command::Hook(args) => hook::run(&args.name, &args.args, args.shim),
        Command::Install(args) => install::install(args.global, args.with_shims)?,
        Command::Uninstall(args) => install::uninstall(args.global)?,
        Command::Status => status::run()?,
        Command::Doctor(args) => doctor::run(&args.dirs, args.fix)?,
        Command::Allow(args) => allow::run(&args.fingerprint, &args.reason)?,
        Command::Purge(args) => purge::run(args)?,
        Command::Version => meta::version()?,
        Command::Completions(args) => meta::completions(args.shell)?,
        Command::Man(args) => meta::man(args.dir.as_deref())?,
    })
}

/// Standard output, through the redaction step.
pub fn stdout() -> Redacting<io::StdoutLock<'static>> {
    Redacting::new(io::stdout().lock())
}

/// Standard error, through the redaction step.
pub fn stderr() -> Redacting<io::StderrLock<'static>> {
    Redacting::new(io::stderr().lock())
}

/// Diagnostics go to stderr through `tracing` (and the redaction step): `-v`/`-vv`/`-vvv`,
/// or `INTERCEPT_LOG` (an `EnvFilter` directive such as `debug` or `intercept=trace`).
pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = std::env::var("INTERCEPT_LOG")
        .ok()
        .and_then(|v| tracing_subscriber::EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| Redacting::new(io::stderr()))
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

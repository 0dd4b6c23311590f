//! Subcommands: glue only. Each wires a source to the detector and a report, and returns
//! an `Outcome`; this is the only place the stages meet.

pub mod allow;
pub mod audit;
pub mod hook;
pub mod install;
pub mod push;
pub mod scan;
pub mod scanner;
pub mod status;

use std::io;

use crate::cli::{Cli, Command};
use crate::outcome::Outcome;

/// Runs the parsed command line.
pub fn run(cli: &Cli) -> Outcome {
    match &cli.command {
        Command::Scan(args) => scan::run(&args.into()),
        Command::Hook(args) => hook::run(&args.name, &args.args),
        Command::Install(args) => install::install(args.global),
        Command::Uninstall(args) => install::uninstall(args.global),
        Command::Status => status::run(),
        Command::Allow(args) => allow::run(&args.fingerprint, &args.reason),
    }
}

/// Diagnostics go to stderr through `tracing`: `-v`/`-vv`/`-vvv`, or `INTERCEPT_LOG`
/// (an `EnvFilter` directive such as `debug` or `intercept=trace`).
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
        .with_writer(io::stderr)
        .with_target(false)
        .try_init();
}

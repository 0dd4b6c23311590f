//! The `intercept` binary: parse, set up logging, run, map the outcome to an exit code
//! (0 clean, 1 blocked, 2 could not check).

use std::process::ExitCode;

use clap::Parser as _;
use intercept::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    intercept::commands::init_logging(cli.verbose);
    let outcome = intercept::commands::run(&cli);
    ExitCode::from(outcome.code())
}

//! The `intercept` binary: parse, set up logging, run, map the outcome to an exit code
//! (0 clean, 1 blocked, 2 could not check).

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;
use intercept::cli::Cli;
use intercept::commands;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Usage errors quote what was typed: they go out through the redaction step too.
        Err(e) => {
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                commands::stderr().write_all(text.as_bytes())
            } else {
                commands::stdout().write_all(text.as_bytes())
            };
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    commands::init_logging(cli.verbose);
    let outcome = commands::run(&cli);
    ExitCode::from(outcome.code())
}

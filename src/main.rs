//! The `intercept` binary: parse, set up logging, run, map the outcome to an exit code
//! (0 clean, 1 blocked, 2 could not check).

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;
use intercept::cli::Cli;
use intercept::commands;
use intercept::outcome::Outcome;

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
    // A bug must not look like a pass, nor print a backtrace at a user: say what happened
    // and fail closed (exit 2, which blocks like any check that could not run).
    std::panic::set_hook(Box::new(|info| {
        let _ = writeln!(
            commands::stderr(),
            "intercept: internal error ({info}). Nothing more was checked, so this was stopped. Please \
             report it; to go ahead without checking, use --no-verify (git commit --no-verify, git push \
             --no-verify)"
        );
    }));
    let outcome = match std::panic::catch_unwind(|| commands::run(&cli)) {
        Ok(Ok(outcome)) => outcome,
        // The one place an error is printed: what could not be done, why, the way out.
        Ok(Err(e)) => {
            let _ = writeln!(commands::stderr(), "intercept: {e}");
            Outcome::Unchecked
        }
        Err(_) => Outcome::Unchecked,
    };
    ExitCode::from(outcome.code())
}

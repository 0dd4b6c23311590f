//! `intercept version`, `intercept completions <shell>` and `intercept man`: what the
//! command line says about itself, generated from the clap definitions (so completions and
//! man pages never fall behind the flags). Output on stdout; problems on stderr, exit 2.

use std::io::Write as _;
use std::path::Path;

use clap::CommandFactory as _;

use crate::cli::Cli;
use crate::outcome::Outcome;

/// `intercept 0.1.0 (commit 3f2a…)`, as `--version` prints it.
pub fn version() -> Outcome {
    match writeln!(super::stdout(), "intercept {}", crate::cli::version()) {
        Ok(()) => Outcome::Clean,
        Err(_) => Outcome::Unchecked,
    }
}

/// The completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "intercept", &mut script);
    write_out(&script)
}

/// The man page on stdout, or one page per command into `dir`.
pub fn man(dir: Option<&Path>) -> Outcome {
    let command = Cli::command();
    match dir {
        None => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(command).render(&mut page) {
                Ok(()) => write_out(&page),
                Err(e) => fail(format!("cannot render the man page: {e}")),
            }
        }
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return fail(format!(
                    "cannot create {}: {e}. Choose a directory you may write to",
                    crate::path::PathText::new(dir)
                ));
            }
            match clap_mangen::generate_to(command, dir) {
                Ok(()) => Outcome::Clean,
                Err(e) => fail(format!(
                    "cannot write the man pages into {}: {e}. Check that you may write there",
                    crate::path::PathText::new(dir)
                )),
            }
        }
    }
}

fn write_out(bytes: &[u8]) -> Outcome {
    let mut out = super::stdout();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Outcome::Clean,
        // A closed pipe (`intercept man | head`) is the reader's choice, not a failure to report.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Outcome::Clean,
        Err(e) => fail(format!("cannot write to standard output: {e}")),
    }
}

fn fail(message: String) -> Outcome {
    let _ = writeln!(super::stderr(), "intercept: {message}");
    Outcome::Unchecked
}

//! `intercept version`, `intercept completions <shell>` and `intercept man`: what the
//! command line says about itself, generated from the clap definitions (so completions and
//! man pages never fall behind the flags). Output on stdout; problems on stderr, exit 2.

use std::io::Write as _;
use std::path::Path;

use clap::CommandFactory as _;

use super::error::MetaError;
use crate::cli::Cli;
use crate::outcome::Outcome;
use crate::path::PathText;

/// `intercept 0.1.0 (commit 3f2a…)`, as `--version` prints it.
pub fn version() -> Result<Outcome, MetaError> {
    write_out(format!("intercept {}\n", crate::cli::version()).as_bytes())
}

/// The completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Result<Outcome, MetaError> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "intercept", &mut script);
    write_out(&script)
}

/// The man page on stdout, or one page per command into `dir`.
pub fn man(dir: Option<&Path>) -> Result<Outcome, MetaError> {
    let command = Cli::command();
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(command)
            .render(&mut page)
            .map_err(|source| MetaError::Render { source })?;
        return write_out(&page);
    };
    let path = || PathText::new(dir);
    std::fs::create_dir_all(dir).map_err(|source| MetaError::CreateDir { path: path(), source })?;
    clap_mangen::generate_to(command, dir)
        .map_err(|source| MetaError::WritePages { path: path(), source })?;
    Ok(Outcome::Clean)
}

fn write_out(bytes: &[u8]) -> Result<Outcome, MetaError> {
    let mut out = super::stdout();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(Outcome::Clean),
        // A closed pipe (`intercept man | head`) is the reader's choice, not a failure to report.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Outcome::Clean),
        Err(source) => Err(MetaError::Stdout { source }),
    }
}

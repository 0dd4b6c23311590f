//! The command line (clap structs only). Nothing below `commands` imports clap: `config`
//! turns these into one resolved `Config`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stops Intercom access tokens before they enter git history or leave a laptop.
///
/// Exit codes: 0 nothing found, 1 tokens found (blocked), 2 something could not be checked.
#[derive(Debug, Parser)]
#[command(name = "intercept", version, about, long_about = None)]
pub struct Cli {
    /// More diagnostics on stderr (-v info, -vv debug, -vvv trace); or set INTERCEPT_LOG.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for Intercom access tokens (no git involved).
    Scan(ScanArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan (`-` reads standard input).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format for findings (stdout); the summary always goes to stderr.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// Most bytes to read from one decompressed gzip file before giving up on it.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    pub max_decompressed: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Sarif,
}

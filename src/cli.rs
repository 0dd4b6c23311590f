//! The command line (clap structs only). Nothing below `commands` imports clap: `config`
//! turns these into one resolved `Config`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stops Intercom access tokens before they enter git history or leave a laptop.
///
/// Exit codes: 0 nothing found, 1 tokens found (blocked), 2 something could not be checked.
#[derive(Debug, Parser)]
#[command(name = "intercept", version = version(), about, long_about = None, after_long_help = EXIT_CODES)]
pub struct Cli {
    /// More diagnostics on stderr (-v info, -vv debug, -vvv trace); or set INTERCEPT_LOG.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories (or, with --staged, what `git commit` would record).
    Scan(ScanArgs),
    /// Run as the git hook NAME (plumbing: the installed shims call this).
    Hook(HookArgs),
    /// Install intercept's hooks: in this repository, or with --global for every repository.
    Install(InstallArgs),
    /// Remove intercept's hooks and restore what was there before.
    Uninstall(InstallArgs),
    /// Say which of intercept's hooks will run in this repository, and how to fix any that will not.
    Status,
    /// Find every repository under DIRs and say whether its commits and pushes are checked.
    Doctor(DoctorArgs),
    /// Allow one token (a deliberate fake) by its fingerprint: writes it to .intercept.toml.
    Allow(AllowArgs),
    /// Rewrite this repository's history to remove the tokens `scan --all` finds (git-filter-repo).
    /// Rotate them first: purging only cleans history.
    Purge(PurgeArgs),
    /// Print the version and the commit intercept was built from (as --version does).
    Version,
    /// Print the completion script for SHELL on stdout (./install.sh installs bash, zsh and fish).
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout, or with --dir write one page per command there.
    Man(ManArgs),
}

/// The exit codes, for `--help` and the man page.
const EXIT_CODES: &str =
    "Exit codes: 0 nothing found, 1 tokens found (blocked), 2 something could not be checked \
                          (also blocks). Hooks are silent when nothing is found.";

/// `0.1.0 (commit 3f2a…)`: the package version and the commit it was built from, which
/// the build gets from `INTERCEPT_BUILD_COMMIT` (./install.sh and CI set it from
/// `git rev-parse HEAD`; a plain `cargo build` says "commit unknown"). See docs/design.md.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        let version = env!("CARGO_PKG_VERSION");
        match build_commit() {
            Some(commit) => format!("{version} (commit {commit})"),
            None => format!("{version} (commit unknown: built without INTERCEPT_BUILD_COMMIT)"),
        }
    })
}

/// The commit the build names (`<hex>` or `<hex>-dirty`), if it names a well-formed one.
pub fn build_commit() -> Option<&'static str> {
    let commit = option_env!("INTERCEPT_BUILD_COMMIT")?.trim();
    let hex = commit.strip_suffix("-dirty").unwrap_or(commit);
    ((7..=64).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(commit)
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write intercept.1 and a page per subcommand (intercept-scan.1, …) into DIR instead.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// Run by intercept's shim: exit 3 (not 0) when everything was checked and nothing
    /// found, so the shim can tell intercept's answer from a program that exits 0 without
    /// checking (an empty or truncated binary, one put in its place).
    #[arg(long)]
    pub shim: bool,
    /// The hook git is running (pre-commit, pre-merge-commit, commit-msg, …).
    pub name: String,
    /// The hook's arguments, as git passed them.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Apply the fixes that touch no file a repository tracks (the global install, a
    /// repository's own intercept hooks directory in its .git), then look again.
    #[arg(long)]
    pub fix: bool,
    /// The directories to look in for repositories (default: the current directory).
    pub dirs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// For every repository of this user: config-based hooks in the global config (git ≥
    /// 2.54), or shims set as the global core.hooksPath (older git).
    #[arg(long)]
    pub global: bool,
    /// With --global on git ≥ 2.54: also install the shims (core.hooksPath), for an older git
    /// on this machine (an IDE's, Apple's) that ignores config-based hooks.
    #[arg(long, requires = "global")]
    pub with_shims: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan (`-` reads standard input).
    #[arg(default_value = ".", conflicts_with_all = ["staged", "range", "all"])]
    pub paths: Vec<PathBuf>,

    /// Scan what `git commit` would record: the lines the index adds to HEAD.
    #[arg(long, conflicts_with = "range")]
    pub staged: bool,

    /// Scan the commits of a range as a push would (`A..B`: in B, not in A; `B`: all of
    /// B's history): the lines each commit adds, and each commit message.
    #[arg(long, value_name = "RANGE", conflicts_with = "all")]
    pub range: Option<String>,

    /// Audit the whole repository: every blob in the object database (every pack, loose
    /// objects, alternates; reachable or not), every commit and tag message, with the
    /// commit and path that introduced each token.
    #[arg(long, conflicts_with = "staged")]
    pub all: bool,

    /// Output format for findings (stdout); the summary always goes to stderr.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// Most bytes to read from one decompressed gzip file before giving up on it
    /// (default 1 GiB, `k`/`m`/`g` suffixes as git takes them; also `max_decompressed` in the
    /// config, INTERCEPT_MAX_DECOMPRESSED).
    #[arg(long, value_name = "BYTES", value_parser = crate::config::value::bytes_flag)]
    pub max_decompressed: Option<u64>,

    /// Also list the tokens an allow-list entry or an inline marker allowed, with the reason.
    #[arg(long)]
    pub show_allowed: bool,

    /// Ask Intercom whether each distinct token found is live: one `GET /me` per token
    /// (the token leaves this machine, to Intercom only). Never done by a hook.
    #[arg(long)]
    pub verify: bool,

    /// Where --verify asks (default https://api.intercom.io; also INTERCEPT_INTERCOM_API):
    /// a regional host, a proxy, a test server. Plain http only to this machine.
    #[arg(long, value_name = "URL", requires = "verify")]
    pub intercom_api: Option<String>,
}

#[derive(Debug, Args)]
pub struct AllowArgs {
    /// The token's fingerprint (64 hex digits, from intercept's report or JSON output).
    pub fingerprint: String,
    /// Why this token may be committed (e.g. "fake token in the parser's test fixtures").
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Remove only the token with this fingerprint (64 hex digits, from `intercept scan --all`);
    /// repeat for more. Without it, every token the scan reports.
    #[arg(long, value_name = "FINGERPRINT")]
    pub fingerprint: Vec<String>,
    /// Do not ask before rewriting (needed when standard input is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Pass --force to git-filter-repo: rewrite even a repository that is not a fresh clone.
    /// Keep a copy first: a rewrite cannot be undone.
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Sarif,
}

//! Settings, resolved in one place: which layers count for what is checked, what each layer
//! may set, and one grammar per value type.
//!
//! Receives what is being checked (plain files, a staged commit, pushed tips, a history, a
//! server receiving a push: `layers`) and the flags; hands on one [`Settings`]. Layers,
//! later ones winning (allow-list entries add up):
//!
//! - on a client: built-in defaults, the user's file (`$XDG_CONFIG_HOME/intercept/
//!   config.toml`), the repository's `.intercept.toml` (as staged, as of each pushed tip,
//!   at HEAD, or the work tree's: see docs/configuration.md), `INTERCEPT_*` variables, flags;
//! - on a server (pre-receive): server defaults (inline markers off), the server's file,
//!   the bare repository's `intercept.*` git config, `INTERCEPT_*` variables, and with
//!   `pushed_allowlist = "target"` the fingerprint entries every updated branch already had.
//!
//! Each file layer has a [`Trust`]: a client's files cannot set the server's key, a pushed
//! file on a server only adds fingerprints. Text values (`value`) read as git reads them.
//! Unknown keys and invalid values are errors naming the file, the key and the way out; a
//! hook with a bad config fails closed with that message.

pub(crate) mod file;
pub(crate) mod layers;
pub(crate) mod value;

use std::path::PathBuf;

use crate::allowlist::Allowlist;
use crate::repo::RepoError;
pub use file::Trust;
pub use layers::Target;
pub use value::MAX_TIME_BUDGET;

/// The repository's config file name.
pub const REPO_FILE: &str = ".intercept.toml";

/// Default cap on the decompressed size of one item.
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 1 << 30;
/// Default time budget of pre-receive, in seconds (GitHub Enterprise stops pre-receive
/// hooks after about 5 s; running out is a clear rejection instead of a kill).
pub const DEFAULT_TIME_BUDGET: f64 = 4.0;

/// The server-wide file pre-receive reads: `$INTERCEPT_SERVER_CONFIG`, else this.
pub const SERVER_FILE: &str = "/etc/intercept/server.toml";

/// Values given on the command line (the last layer).
#[derive(Clone, Debug, Default)]
pub struct Flags {
    pub max_decompressed: Option<u64>,
}

/// One config file's text and where it came from (for messages).
#[derive(Clone, Debug)]
pub struct Layer {
    pub label: String,
    pub text: Vec<u8>,
}

/// Everything resolved.
#[derive(Clone, Debug)]
pub struct Settings {
    pub allow: Allowlist,
    /// Whether `intercept:allow` (and other scanners' markers) on a token's line allow it.
    pub inline_markers: bool,
    pub max_decompressed: u64,
    /// pre-receive's time budget in seconds (`None`: no limit).
    pub time_budget: Option<f64>,
}

impl Settings {
    /// The built-in defaults, before any file, variable or flag.
    pub fn defaults() -> Self {
        Settings {
            allow: Allowlist::default(),
            inline_markers: true,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            time_budget: Some(DEFAULT_TIME_BUDGET),
        }
    }

    /// A server's defaults: inline markers are the pusher's word, so they do not count.
    pub fn server_defaults() -> Self {
        Settings {
            inline_markers: false,
            ..Settings::defaults()
        }
    }
}

/// What a pushed `.intercept.toml` may do on a server (`pushed_allowlist`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushedAllowlist {
    /// Pushed config files count for nothing (the default): a push cannot allow its own tokens.
    Ignore,
    /// Fingerprint entries count when the branch pushed to already had them before the push
    /// (the repository's default branch for a new ref); nothing else in the file counts.
    Target,
}

/// A settings file, variable or git value that cannot be used, named with what is wrong and
/// how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: it is not UTF-8 text\n{FIX_FILE}")]
    NotUtf8 { file: String },
    #[error("{file}: {}\n{FIX_FILE}", .source.to_string().trim_end())]
    Toml {
        file: String,
        #[source]
        source: toml::de::Error,
    },
    #[error(
        "{file}: `pushed_allowlist` is a server setting: set it in the server's file or the bare repository's \
         git config (docs/server.md)\n{FIX_FILE}"
    )]
    ServerKey { file: String },
    #[error("{file}: pushed_allowlist = {value:?}: use \"ignore\" or \"target\"\n{FIX_FILE}")]
    PushedAllowlist { file: String, value: String },
    #[error(
        "{file}: time_budget = {value}: give a number of seconds from 0 to {MAX_TIME_BUDGET} (0 for no \
         limit)\n{FIX_FILE}"
    )]
    TimeBudget { file: String, value: f64 },
    #[error("{file}: [[allow]] entry {index}: {problem}. Fix the entry (see docs/configuration.md)")]
    Allow {
        file: String,
        index: usize,
        problem: AllowProblem,
    },
    #[error("{var}={value:?}: {expected}. Fix or unset the variable")]
    Env {
        var: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error(
        "{key} = {value:?} in the repository's git config: {expected}. Fix it with `git config {key} <value>`, \
         or remove it with `git config --unset {key}`"
    )]
    Git {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("cannot read {file}: {source}. Make it readable, or remove it")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Repo(#[from] Box<RepoError>),
}

impl From<RepoError> for ConfigError {
    fn from(e: RepoError) -> Self {
        ConfigError::Repo(Box::new(e))
    }
}

/// The way out every file error ends with.
const FIX_FILE: &str = "Fix the file (every key is listed in docs/configuration.md)";

impl ConfigError {
    /// The file the error is about, when it is about a file's content.
    pub fn file(&self) -> Option<&str> {
        match self {
            ConfigError::NotUtf8 { file }
            | ConfigError::Toml { file, .. }
            | ConfigError::ServerKey { file }
            | ConfigError::PushedAllowlist { file, .. }
            | ConfigError::TimeBudget { file, .. }
            | ConfigError::Allow { file, .. } => Some(file),
            ConfigError::Env { .. }
            | ConfigError::Git { .. }
            | ConfigError::Read { .. }
            | ConfigError::Repo(_) => None,
        }
    }
}

/// What is wrong with an `[[allow]]` entry.
#[derive(Debug, thiserror::Error)]
pub enum AllowProblem {
    #[error("`reason` is required: say why this token may be committed")]
    NoReason,
    #[error("fingerprint {0:?} is not 64 hex digits (copy it from intercept's report or JSON output)")]
    Fingerprint(String),
    #[error(
        "path {0:?} would allow files of any name (git's matcher matches it against names no fixture has); \
         name the fixtures' directory or files"
    )]
    EveryFile(String),
    #[error("path {0:?} is a negative pattern (`!`); an allow entry names the files to allow")]
    Negative(String),
    #[error(
        "with this entry, the path entries of this file together allow files of nearly any name; name the \
         fixtures' directories or files"
    )]
    Together,
    #[error("path {0:?} is not a valid pattern")]
    Pattern(String),
    #[error("give either `fingerprint` or `path`, not both")]
    Both,
    #[error("give a `fingerprint` or a `path` to allow")]
    Neither,
}

/// intercept's config directory: `$XDG_CONFIG_HOME/intercept`, else `~/.config/intercept`.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(x).join("intercept"));
    }
    let home = std::env::var_os("HOME").filter(|v| !v.is_empty())?;
    Some(PathBuf::from(home).join(".config/intercept"))
}

/// The user's config file.
pub fn user_file() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.toml"))
}

/// The server file's path.
pub fn server_file() -> PathBuf {
    std::env::var_os("INTERCEPT_SERVER_CONFIG")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(SERVER_FILE), PathBuf::from)
}

/// A client's settings from the user's file, `repo` layers (one `.intercept.toml`, or one
/// per pushed tip), the environment and `flags`: the resolver every client check uses
/// (through `layers`, which says which `.intercept.toml` counts).
pub fn resolve(repo: &[Layer], flags: &Flags) -> Result<Settings, ConfigError> {
    let mut settings = Settings::defaults();
    let mut mode = PushedAllowlist::Ignore;
    if let Some(user) = layers::read_file(user_file())? {
        file::apply(&mut settings, &mut mode, &user, Trust::Client)?;
    }
    for layer in repo {
        file::apply(&mut settings, &mut mode, layer, Trust::Client)?;
    }
    layers::apply_env(&mut settings)?;
    if let Some(v) = flags.max_decompressed {
        settings.max_decompressed = v;
    }
    Ok(settings)
}

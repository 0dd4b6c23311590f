//! Settings, resolved once: built-in defaults, then the user's file
//! (`$XDG_CONFIG_HOME/intercept/config.toml`), then the repository's `.intercept.toml`,
//! then `INTERCEPT_*` environment variables, then flags. Allow-list entries from both
//! files add up; every other key takes the last value set.
//!
//! Which `.intercept.toml` counts is the caller's to say (see `docs/configuration.md`):
//! as staged for a commit, as of the pushed tips for a push, from the work tree for a
//! plain scan. Unknown keys are errors naming the file, the key and the allowed keys; a
//! hook with a bad config fails closed with that message.

use std::path::PathBuf;

use serde::Deserialize;

use crate::allowlist::{Allowlist, Rule, RuleKind};
use crate::finding::Fingerprint;

/// The repository's config file name.
pub const REPO_FILE: &str = ".intercept.toml";

/// Default cap on the decompressed size of one gzip file.
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 1 << 30;
/// Default time budget of pre-receive, in seconds (GitHub Enterprise stops pre-receive
/// hooks after about 5 s; running out is a clear rejection instead of a kill).
pub const DEFAULT_TIME_BUDGET: f64 = 4.0;
/// The largest time budget accepted, in seconds (an hour; `0` means no limit).
pub const MAX_TIME_BUDGET: f64 = 3600.0;

/// Values given on the command line (the last layer).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub max_decompressed: Option<u64>,
    pub time_budget: Option<f64>,
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
    #[error("{var}={value:?}: {message}. Fix or unset the variable")]
    Env {
        var: &'static str,
        value: String,
        message: &'static str,
    },
    #[error("{key} = {value:?} in the repository's git config: {message}. Fix it with `git config {key} <value>`, or remove it with `git config --unset {key}`")]
    Git {
        key: &'static str,
        value: String,
        message: &'static str,
    },
    #[error("cannot read {file}: {source}. Make it readable, or remove it")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
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
            ConfigError::Env { .. } | ConfigError::Git { .. } | ConfigError::Read { .. } => None,
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
    #[error("path {0:?} would allow every file; name the fixtures' directory or files")]
    EveryFile(String),
    #[error("path {0:?} is not a valid pattern")]
    Pattern(String),
    #[error("give either `fingerprint` or `path`, not both")]
    Both,
    #[error("give a `fingerprint` or a `path` to allow")]
    Neither,
}

/// The file format (every file uses it; `pushed_allowlist` only counts in the server file).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    allow: Vec<AllowEntry>,
    inline_markers: Option<bool>,
    max_decompressed: Option<u64>,
    time_budget: Option<f64>,
    pushed_allowlist: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowEntry {
    fingerprint: Option<String>,
    path: Option<String>,
    reason: Option<String>,
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
}

/// The server-wide file pre-receive reads: `$INTERCEPT_SERVER_CONFIG`, else this.
pub const SERVER_FILE: &str = "/etc/intercept/server.toml";

/// What a pushed `.intercept.toml` may do on a server (`pushed_allowlist`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushedAllowlist {
    /// Pushed config files count for nothing (the default): a push cannot allow its own tokens.
    Ignore,
    /// Fingerprint entries count when the branch pushed to already had them before the push
    /// (the repository's default branch for a new ref); nothing else in the file counts.
    Target,
}

/// The server's settings as the bare repository's git config (`intercept.*`, with the
/// system and global config under it) gives them, unparsed.
#[derive(Clone, Debug, Default)]
pub struct GitValues {
    pub inline_markers: Option<String>,
    pub time_budget: Option<String>,
    pub max_decompressed: Option<String>,
    pub pushed_allowlist: Option<String>,
}

/// What pre-receive runs with: only what the server's admin configured.
#[derive(Clone, Debug)]
pub struct Server {
    pub settings: Settings,
    pub pushed_allowlist: PushedAllowlist,
}

/// The server file's path.
pub fn server_file() -> PathBuf {
    std::env::var_os("INTERCEPT_SERVER_CONFIG")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(SERVER_FILE), PathBuf::from)
}

fn pushed_allowlist_mode(value: &str) -> Option<PushedAllowlist> {
    match value.trim() {
        "ignore" => Some(PushedAllowlist::Ignore),
        "target" => Some(PushedAllowlist::Target),
        _ => None,
    }
}

/// git's boolean spellings (`git config --type=bool`); a key without a value is true.
fn git_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// A git integer: digits with an optional `k`, `m` or `g` suffix.
fn git_u64(value: &str) -> Option<u64> {
    let v = value.trim().to_ascii_lowercase();
    let (digits, scale) = match v.as_bytes().last() {
        Some(b'k') => (&v[..v.len() - 1], 1u64 << 10),
        Some(b'm') => (&v[..v.len() - 1], 1 << 20),
        Some(b'g') => (&v[..v.len() - 1], 1 << 30),
        _ => (&v[..], 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(scale)
}

/// A time budget in seconds, within 0..=[`MAX_TIME_BUDGET`] (`None` when outside or not a number).
fn budget_seconds(value: &str) -> Option<f64> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| (0.0..=MAX_TIME_BUDGET).contains(s))
}

/// pre-receive's settings: built-in server defaults (inline markers off), then the server
/// file, then the repository's git config, then `INTERCEPT_*` variables of the server
/// process. Nothing a push contains is read here (see [`fingerprint_rules`] for the one
/// opt-in exception).
pub fn resolve_server(git: &GitValues) -> Result<Server, ConfigError> {
    let mut settings = Settings {
        inline_markers: false,
        ..Settings::defaults()
    };
    let mut mode = PushedAllowlist::Ignore;
    let path = server_file();
    match std::fs::read(&path) {
        Ok(text) => {
            let layer = Layer {
                label: path.display().to_string(),
                text,
            };
            let mut file = parse(&layer)?;
            if let Some(m) = file.pushed_allowlist.take() {
                mode = pushed_allowlist_mode(&m).ok_or_else(|| ConfigError::PushedAllowlist {
                    file: layer.label.clone(),
                    value: m.clone(),
                })?;
            }
            apply_parsed(&mut settings, &layer, file)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(ConfigError::Read {
                file: path.display().to_string(),
                source,
            })
        }
    }
    let bad = |key: &'static str, value: &str, message: &'static str| ConfigError::Git {
        key,
        value: value.to_string(),
        message,
    };
    if let Some(v) = &git.inline_markers {
        settings.inline_markers =
            git_bool(v).ok_or_else(|| bad("intercept.inlineMarkers", v, "use true or false"))?;
    }
    if let Some(v) = &git.time_budget {
        let s = budget_seconds(v).ok_or_else(|| {
            bad(
                "intercept.timeBudget",
                v,
                "give a number of seconds from 0 to 3600 (0 for no limit)",
            )
        })?;
        settings.time_budget = (s > 0.0).then_some(s);
    }
    if let Some(v) = &git.max_decompressed {
        settings.max_decompressed = git_u64(v).ok_or_else(|| {
            bad(
                "intercept.maxDecompressed",
                v,
                "give a number of bytes (a k, m or g suffix is allowed)",
            )
        })?;
    }
    if let Some(v) = &git.pushed_allowlist {
        mode = pushed_allowlist_mode(v)
            .ok_or_else(|| bad("intercept.pushedAllowlist", v, "use ignore or target"))?;
    }
    apply_env(&mut settings)?;
    Ok(Server {
        settings,
        pushed_allowlist: mode,
    })
}

/// The fingerprint entries of a `.intercept.toml` already on the server (for
/// `pushed_allowlist = "target"`); path entries and every other key are not a pushed
/// file's to set on a server.
pub fn fingerprint_rules(layer: &Layer) -> Result<Vec<Rule>, ConfigError> {
    let file = parse(layer)?;
    Ok(rules(layer, file.allow)?
        .into_iter()
        .filter(|r| matches!(r.kind, RuleKind::Fingerprint(_)))
        .collect())
}

/// Resolves the settings from the user's file, `repo` layers (one `.intercept.toml`, or
/// one per pushed tip), the environment and `flags`.
pub fn resolve(repo: &[Layer], flags: &Overrides) -> Result<Settings, ConfigError> {
    let mut settings = Settings::defaults();
    let mut layers = Vec::new();
    if let Some(path) = user_file() {
        match std::fs::read(&path) {
            Ok(text) => layers.push(Layer {
                label: path.display().to_string(),
                text,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(ConfigError::Read {
                    file: path.display().to_string(),
                    source,
                })
            }
        }
    }
    layers.extend_from_slice(repo);
    for layer in &layers {
        apply(&mut settings, layer)?;
    }
    apply_env(&mut settings)?;
    if let Some(v) = flags.max_decompressed {
        settings.max_decompressed = v;
    }
    if let Some(v) = flags.time_budget {
        settings.time_budget = (v > 0.0).then_some(v.min(MAX_TIME_BUDGET));
    }
    Ok(settings)
}

fn parse(layer: &Layer) -> Result<FileConfig, ConfigError> {
    let file = || layer.label.clone();
    let text = std::str::from_utf8(&layer.text).map_err(|_| ConfigError::NotUtf8 { file: file() })?;
    toml::from_str(text).map_err(|source| ConfigError::Toml { file: file(), source })
}

/// Applies a user or repository file (the server-only key is an error there).
fn apply(settings: &mut Settings, layer: &Layer) -> Result<(), ConfigError> {
    let file = parse(layer)?;
    if file.pushed_allowlist.is_some() {
        return Err(ConfigError::ServerKey {
            file: layer.label.clone(),
        });
    }
    apply_parsed(settings, layer, file)
}

fn apply_parsed(settings: &mut Settings, layer: &Layer, file: FileConfig) -> Result<(), ConfigError> {
    if let Some(v) = file.inline_markers {
        settings.inline_markers = v;
    }
    if let Some(v) = file.max_decompressed {
        settings.max_decompressed = v;
    }
    if let Some(v) = file.time_budget {
        if !(0.0..=MAX_TIME_BUDGET).contains(&v) {
            return Err(ConfigError::TimeBudget {
                file: layer.label.clone(),
                value: v,
            });
        }
        settings.time_budget = (v > 0.0).then_some(v);
    }
    settings.allow.rules.extend(rules(layer, file.allow)?);
    Ok(())
}

/// The `[[allow]]` entries of a file, validated.
fn rules(layer: &Layer, entries: Vec<AllowEntry>) -> Result<Vec<Rule>, ConfigError> {
    let mut rules = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let allow_error = |problem: AllowProblem| ConfigError::Allow {
            file: layer.label.clone(),
            index: i + 1,
            problem,
        };
        let reason = entry
            .reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .ok_or_else(|| allow_error(AllowProblem::NoReason))?;
        let kind = match (entry.fingerprint, entry.path) {
            (Some(fp), None) => RuleKind::Fingerprint(
                Fingerprint::from_hex(&fp)
                    .ok_or_else(|| allow_error(AllowProblem::Fingerprint(fp.clone())))?,
            ),
            (None, Some(path)) => {
                if path
                    .trim_matches(|c| matches!(c, '*' | '/' | '?' | '.'))
                    .is_empty()
                {
                    return Err(allow_error(AllowProblem::EveryFile(path)));
                }
                RuleKind::path(&path).ok_or_else(|| allow_error(AllowProblem::Pattern(path.clone())))?
            }
            (Some(_), Some(_)) => return Err(allow_error(AllowProblem::Both)),
            (None, None) => return Err(allow_error(AllowProblem::Neither)),
        };
        rules.push(Rule {
            kind,
            reason,
            source: layer.label.clone(),
        });
    }
    Ok(rules)
}

fn apply_env(settings: &mut Settings) -> Result<(), ConfigError> {
    if let Ok(v) = std::env::var("INTERCEPT_MAX_DECOMPRESSED") {
        settings.max_decompressed = v.trim().parse().map_err(|_| ConfigError::Env {
            var: "INTERCEPT_MAX_DECOMPRESSED",
            value: v.clone(),
            message: "not a number of bytes",
        })?;
    }
    if let Ok(v) = std::env::var("INTERCEPT_TIME_BUDGET") {
        let seconds: f64 = v
            .trim()
            .parse()
            .ok()
            .filter(|s: &f64| (0.0..=MAX_TIME_BUDGET).contains(s))
            .ok_or(ConfigError::Env {
                var: "INTERCEPT_TIME_BUDGET",
                value: v.clone(),
                message: "not a number of seconds from 0 to 3600 (0 for no limit)",
            })?;
        settings.time_budget = (seconds > 0.0).then_some(seconds);
    }
    if let Ok(v) = std::env::var("INTERCEPT_INLINE_MARKERS") {
        settings.inline_markers = match v.trim() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" => false,
            _ => {
                return Err(ConfigError::Env {
                    var: "INTERCEPT_INLINE_MARKERS",
                    value: v,
                    message: "use true or false",
                })
            }
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(text: &str) -> Layer {
        Layer {
            label: ".intercept.toml".to_string(),
            text: text.as_bytes().to_vec(),
        }
    }

    fn settings(text: &str) -> Result<Settings, ConfigError> {
        let mut s = Settings {
            allow: Allowlist::default(),
            inline_markers: true,
            max_decompressed: 1,
            time_budget: None,
        };
        apply(&mut s, &layer(text)).map(|()| s)
    }

    #[test]
    fn reads_every_key() {
        let fp = "ab".repeat(32);
        let s = settings(&format!(
            "inline_markers = false\nmax_decompressed = 5\ntime_budget = 2.5\n\
             [[allow]]\nfingerprint = \"{fp}\"\nreason = \"fixture\"\n\
             [[allow]]\npath = \"tests/fixtures/**\"\nreason = \"fakes\"\n"
        ))
        .unwrap();
        assert!(!s.inline_markers);
        assert_eq!(s.max_decompressed, 5);
        assert_eq!(s.time_budget, Some(2.5));
        assert_eq!(s.allow.rules.len(), 2);
    }

    #[test]
    fn unknown_keys_name_the_file_the_line_and_the_allowed_keys() {
        let e = settings("inline_markers = true\nmax_decompresed = 5\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(".intercept.toml"), "{e}");
        assert!(e.contains("line 2"), "{e}");
        assert!(e.contains("max_decompresed"), "{e}");
        assert!(e.contains("max_decompressed"), "{e}");
    }

    #[test]
    fn allow_entries_are_validated() {
        for (text, needle) in [
            (
                "[[allow]]\nfingerprint = \"abc\"\nreason = \"x\"\n",
                "64 hex digits",
            ),
            ("[[allow]]\npath = \"a/**\"\n", "`reason` is required"),
            ("[[allow]]\npath = \"**\"\nreason = \"x\"\n", "every file"),
            ("[[allow]]\nreason = \"x\"\n", "a `fingerprint` or a `path`"),
            (
                "[[allow]]\npath = \"a\"\nreason = \"x\"\nwhy = 1\n",
                "unknown field",
            ),
        ] {
            let e = settings(text).unwrap_err().to_string();
            assert!(e.contains(needle), "{text}: {e}");
        }
    }

    #[test]
    fn time_budgets_outside_the_range_are_errors_not_panics() {
        for v in ["-1", "1e300", "nan", "inf", "3600.5"] {
            let e = settings(&format!("time_budget = {v}\n")).unwrap_err().to_string();
            assert!(e.contains("from 0 to 3600"), "{v}: {e}");
        }
        assert_eq!(settings("time_budget = 0\n").unwrap().time_budget, None);
        assert_eq!(
            settings("time_budget = 3600\n").unwrap().time_budget,
            Some(3600.0)
        );
    }
}

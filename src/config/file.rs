//! The settings file format (`.intercept.toml`, the user's `config.toml`, the server's
//! `server.toml`): TOML, unknown keys refused, every `[[allow]]` entry validated. What a
//! file may set depends on its [`Trust`].

use serde::Deserialize;

use super::{value, AllowProblem, ConfigError, Layer, PushedAllowlist, Settings};
use crate::allowlist::{PathRefusal, Rule, RuleKind};
use crate::finding::Fingerprint;

/// What a layer may set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trust {
    /// Every key but the server's (`pushed_allowlist`): the user's own file, and the
    /// repository's `.intercept.toml` on a client (the person committing chose it).
    Client,
    /// Every key: the server admin's file.
    Server,
    /// `[[allow]]` fingerprint entries only, and nothing else of the file: a branch's
    /// `.intercept.toml` on a server with `pushed_allowlist = "target"`.
    Fingerprints,
}

/// The file format.
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

fn parse(layer: &Layer) -> Result<FileConfig, ConfigError> {
    let file = || layer.label.clone();
    let text = std::str::from_utf8(&layer.text).map_err(|_| ConfigError::NotUtf8 { file: file() })?;
    toml::from_str(text).map_err(|source| ConfigError::Toml { file: file(), source })
}

/// `pushed_allowlist`'s values.
pub(super) fn pushed_allowlist_mode(value: &str) -> Option<PushedAllowlist> {
    match value.trim() {
        "ignore" => Some(PushedAllowlist::Ignore),
        "target" => Some(PushedAllowlist::Target),
        _ => None,
    }
}

/// Applies one layer to `settings` as its trust allows; a server file may also set the
/// pushed allow-list mode.
pub(super) fn apply(
    settings: &mut Settings,
    mode: &mut PushedAllowlist,
    layer: &Layer,
    trust: Trust,
) -> Result<(), ConfigError> {
    let file = parse(layer)?;
    if trust == Trust::Fingerprints {
        let rules = rules(layer, file.allow)?;
        settings.allow.rules.extend(
            rules
                .into_iter()
                .filter(|r| matches!(r.kind, RuleKind::Fingerprint(_))),
        );
        return Ok(());
    }
    if let Some(m) = &file.pushed_allowlist {
        if trust != Trust::Server {
            return Err(ConfigError::ServerKey {
                file: layer.label.clone(),
            });
        }
        *mode = pushed_allowlist_mode(m).ok_or_else(|| ConfigError::PushedAllowlist {
            file: layer.label.clone(),
            value: m.clone(),
        })?;
    }
    if let Some(v) = file.inline_markers {
        settings.inline_markers = v;
    }
    if let Some(v) = file.max_decompressed {
        settings.max_decompressed = v;
    }
    if let Some(v) = file.time_budget {
        if !(0.0..=value::MAX_TIME_BUDGET).contains(&v) {
            return Err(ConfigError::TimeBudget {
                file: layer.label.clone(),
                value: v,
            });
        }
        settings.time_budget = value::budget(v);
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
            (None, Some(path)) => RuleKind::path(&path).map_err(|refusal| {
                allow_error(match refusal {
                    PathRefusal::Invalid => AllowProblem::Pattern(path.clone()),
                    PathRefusal::Negative => AllowProblem::Negative(path.clone()),
                    PathRefusal::Everything => AllowProblem::EveryFile(path.clone()),
                })
            })?,
            (Some(_), Some(_)) => return Err(allow_error(AllowProblem::Both)),
            (None, None) => return Err(allow_error(AllowProblem::Neither)),
        };
        rules.push(Rule {
            kind,
            reason,
            source: layer.label.clone(),
        });
        let patterns: Vec<&gix::glob::Pattern> = rules
            .iter()
            .filter_map(|r| match &r.kind {
                RuleKind::Path { pattern, .. } => Some(pattern),
                RuleKind::Fingerprint(_) => None,
            })
            .collect();
        if crate::allowlist::too_wide(&patterns) {
            return Err(allow_error(AllowProblem::Together));
        }
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allowlist::Allowlist;

    fn layer(text: &str) -> Layer {
        Layer {
            label: ".intercept.toml".to_string(),
            text: text.as_bytes().to_vec(),
        }
    }

    fn settings_as(text: &str, trust: Trust) -> Result<Settings, ConfigError> {
        let mut s = Settings {
            allow: Allowlist::default(),
            inline_markers: true,
            max_decompressed: 1,
            time_budget: None,
        };
        apply(&mut s, &mut PushedAllowlist::Ignore, &layer(text), trust).map(|()| s)
    }

    fn settings(text: &str) -> Result<Settings, ConfigError> {
        settings_as(text, Trust::Client)
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
            ("[[allow]]\npath = \"**\"\nreason = \"x\"\n", "files of any name"),
            (
                "[[allow]]\npath = \"!a/**\"\nreason = \"x\"\n",
                "negative pattern",
            ),
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

    #[test]
    fn each_layer_sets_what_its_trust_allows() {
        let server_key = "pushed_allowlist = \"target\"\n";
        let e = settings(server_key).unwrap_err().to_string();
        assert!(e.contains("server setting"), "{e}");
        assert!(settings_as(server_key, Trust::Server).is_ok());
        let fp = "cd".repeat(32);
        let pushed = settings_as(
            &format!(
                "inline_markers = false\n[[allow]]\nfingerprint = \"{fp}\"\nreason = \"r\"\n\
                 [[allow]]\npath = \"x/**\"\nreason = \"r\"\n"
            ),
            Trust::Fingerprints,
        )
        .unwrap();
        assert!(
            pushed.inline_markers,
            "a pushed file sets nothing but fingerprints"
        );
        assert_eq!(pushed.allow.rules.len(), 1);
    }
}

//! `Finding`s the user allowed are set apart, never dropped silently.
//!
//! Receives findings and the resolved allow-list; hands on the findings that still block
//! and the allowed ones with the reason (reports count and, with `--show-allowed`, list
//! them). Three ways to allow: a token's fingerprint (valid everywhere: it does not
//! depend on commit, path or line), a path pattern in gitignore syntax, and an inline
//! marker on the token's line (`intercept:allow`, `gitleaks:allow`,
//! `pragma: allowlist secret`).

use gix::bstr::ByteSlice;
use gix::glob::pattern::Case;
use gix::glob::wildmatch::Mode;

use crate::finding::{Finding, Fingerprint};
use crate::origin::Subject;

/// What an allow rule matches.
#[derive(Clone, Debug)]
pub enum RuleKind {
    Fingerprint(Fingerprint),
    Path {
        text: String,
        pattern: gix::glob::Pattern,
    },
}

/// Paths no allow entry can mean to name (no fixture is called that): a pattern that
/// matches any of them, as git's matcher reads it, allows files of any name.
const NOBODYS_PATHS: [&[u8]; 8] = [
    b"qzxjvk",
    b"qzxjvk/wvbnmp",
    b"Wvbnmp/qzxjvk/kjvxzq",
    b".qzxjvk",
    b"0qzxjvk/~wvbnmp",
    b"oiaue",
    b"euoia/aeiou.ieo",
    b"Bavolet/Quenelle.ragout",
];

/// Paths of an ordinary project: allow entries that match many of them between them
/// (`*[aeiou]*`, `*[!kpq]`, `?*.*`, or `[a-m]*` beside `[n-z]*`) allow nearly everything.
const COMMON_PATHS: [&[u8]; 21] = [
    b".env",
    b"src/main.rs",
    b"src/app/config.py",
    b"Makefile",
    b"README.md",
    b"config/production.yml",
    b"lib/util.js",
    b"package.json",
    b"docs/index.html",
    b"app/models/user.rb",
    b"cmd/server/main.go",
    b"build.gradle",
    b"scripts/deploy.sh",
    b"test/unit/a_test.py",
    b"x",
    b"Z9",
    b"_",
    b"k.q",
    b"deep/a/b/c/d/e.txt",
    b"VERSION",
    b"settings.local.json",
];

/// Whether path patterns, between them, match more than a third of an ordinary project's
/// paths.
pub fn too_wide(patterns: &[&gix::glob::Pattern]) -> bool {
    let matched = COMMON_PATHS
        .iter()
        .filter(|p| patterns.iter().any(|pattern| path_matches(pattern, p)))
        .count();
    matched * 3 > COMMON_PATHS.len()
}

/// Why a path pattern cannot be an allow entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathRefusal {
    /// Not a pattern git's matcher reads.
    Invalid,
    /// `!pattern`: an allow entry names what to allow, not what not to.
    Negative,
    /// It matches files of any name.
    Everything,
}

impl RuleKind {
    /// A gitignore-style path pattern, unless it is one an allow-list must not hold: one
    /// that matches paths of any name (asked of the matcher itself, so every spelling of
    /// "everything" is caught: `**`, ` **`, `[!/]*`, `?*`, …) or a negative one.
    pub fn path(text: &str) -> Result<Self, PathRefusal> {
        let pattern = gix::glob::parse(text.trim()).ok_or(PathRefusal::Invalid)?;
        if pattern.is_negative() {
            return Err(PathRefusal::Negative);
        }
        if NOBODYS_PATHS.iter().any(|p| path_matches(&pattern, p)) || too_wide(&[&pattern]) {
            return Err(PathRefusal::Everything);
        }
        Ok(RuleKind::Path {
            text: text.trim().to_string(),
            pattern,
        })
    }
}

/// One `[[allow]]` entry.
#[derive(Clone, Debug)]
pub struct Rule {
    pub kind: RuleKind,
    pub reason: String,
    /// The file it came from.
    pub source: String,
}

#[derive(Clone, Debug, Default)]
pub struct Allowlist {
    pub rules: Vec<Rule>,
}

/// A finding that does not block, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowed {
    pub finding: Finding,
    pub why: String,
    /// Allowed by a marker in the file itself (not by a config entry).
    pub inline: bool,
}

/// True when `pattern` matches `path` (repository-relative) or one of its directories,
/// as a `.gitignore` line would.
fn path_matches(pattern: &gix::glob::Pattern, path: &[u8]) -> bool {
    let path = path.strip_prefix(b"./").unwrap_or(path);
    // An absolute path (`intercept scan /elsewhere`) is no path of the repository: its
    // entries do not name it (and the matcher takes only relative paths).
    if path.starts_with(b"/") {
        return false;
    }
    let check = |p: &[u8], is_dir: bool| {
        let basename = p.rfind_byte(b'/').map(|i| i + 1);
        pattern.matches_repo_relative_path(
            p.as_bstr(),
            basename,
            Some(is_dir),
            Case::Sensitive,
            Mode::NO_MATCH_SLASH_LITERAL,
        )
    };
    if check(path, false) {
        return true;
    }
    path.iter()
        .enumerate()
        .filter(|(_, &b)| b == b'/')
        .any(|(i, _)| check(&path[..i], true))
}

impl Allowlist {
    /// Why `finding` is allowed, if it is, and whether by an inline marker.
    fn why(&self, finding: &Finding, inline_markers: bool) -> Option<(String, bool)> {
        for rule in &self.rules {
            let hit = match &rule.kind {
                RuleKind::Fingerprint(fp) => *fp == finding.fingerprint,
                // A path entry names files: not a commit's header, message or a ref.
                RuleKind::Path { pattern, .. } => {
                    matches!(finding.origin.subject, Subject::Content | Subject::PathName)
                        && path_matches(pattern, &finding.origin.path)
                }
            };
            if hit {
                let by = match &rule.kind {
                    RuleKind::Fingerprint(_) => "fingerprint".to_string(),
                    RuleKind::Path { text, .. } => format!("path {text}"),
                };
                return Some((format!("{} ({by} in {})", rule.reason, rule.source), false));
            }
        }
        match finding.marker {
            Some(marker) if inline_markers => Some((format!("inline marker `{marker}` on its line"), true)),
            _ => None,
        }
    }

    /// The finding as allowed, if a rule or (with `inline_markers`) its line's marker allows it.
    pub fn allowed(&self, finding: &Finding, inline_markers: bool) -> Option<Allowed> {
        self.why(finding, inline_markers).map(|(why, inline)| Allowed {
            finding: finding.clone(),
            why,
            inline,
        })
    }

    /// Why the file at `path` is allowed whole by a path entry, if one matches it (for the
    /// parts of it that could not be checked; a fingerprint names a token, not a file).
    pub fn allows_path(&self, path: &[u8]) -> Option<String> {
        if path.is_empty() {
            return None;
        }
        self.rules.iter().find_map(|rule| match &rule.kind {
            RuleKind::Path { text, pattern } if path_matches(pattern, path) => {
                Some(format!("{} (path {text} in {})", rule.reason, rule.source))
            }
            _ => None,
        })
    }

    /// True when a fingerprint rule names `fp` (what a scan must remember of the tokens it
    /// saw, to say which rules are stale: nothing more, whatever their number).
    pub fn names(&self, fp: &Fingerprint) -> bool {
        self.rules
            .iter()
            .any(|r| matches!(&r.kind, RuleKind::Fingerprint(f) if f == fp))
    }

    /// Fingerprint rules that matched none of the tokens `seen` (so the list can shrink).
    pub fn stale<'a>(&'a self, seen: &std::collections::HashSet<Fingerprint>) -> Vec<&'a Rule> {
        self.rules
            .iter()
            .filter(|r| match &r.kind {
                RuleKind::Fingerprint(fp) => !seen.contains(fp),
                RuleKind::Path { .. } => false,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(p: &str) -> gix::glob::Pattern {
        gix::glob::parse(p).unwrap()
    }

    #[test]
    fn paths_match_like_gitignore() {
        assert!(path_matches(
            &pattern("tests/fixtures/**"),
            b"tests/fixtures/a/b.env"
        ));
        assert!(path_matches(&pattern("tests/fixtures/"), b"tests/fixtures/a.env"));
        assert!(path_matches(&pattern("fixtures"), b"x/fixtures/a.env"));
        assert!(path_matches(&pattern("*.fake"), b"deep/dir/token.fake"));
        assert!(path_matches(&pattern("/docs/example.env"), b"docs/example.env"));
        // A path outside the repository (absolute) is never matched, and never a panic.
        assert!(!path_matches(&pattern("fixtures/**"), b"/tmp/fixtures/a.env"));
        assert!(!path_matches(&pattern("**/a.env"), b"/a.env"));
        assert!(path_matches(&pattern("tests/fixtures/**"), b"./tests/fixtures/x"));
        assert!(!path_matches(&pattern("tests/fixtures/**"), b"src/app.env"));
        assert!(!path_matches(
            &pattern("/docs/example.env"),
            b"sub/docs/example.env"
        ));
        assert!(!path_matches(&pattern("*.fake"), b"token.fake.env"));
    }

    #[test]
    fn patterns_that_match_every_path_are_refused_in_any_spelling() {
        for everything in [
            "*",
            "**",
            " **",
            "** ",
            "**/*",
            "/**",
            "/*",
            "[!/]*",
            "[^/]*",
            "?*",
            "*?",
            "**/",
            "*/",
            "**/**",
            "[a-zA-Z0-9._~]*",
            ".*",
            "*/**",
            "[!q]*",
        ] {
            assert_eq!(
                RuleKind::path(everything).err(),
                Some(PathRefusal::Everything),
                "{everything:?}"
            );
        }
        for negative in ["!**", "!tests/fixtures/**", "!*"] {
            assert_eq!(
                RuleKind::path(negative).err(),
                Some(PathRefusal::Negative),
                "{negative:?}"
            );
        }
        for fine in [
            "tests/fixtures/**",
            "fixtures/",
            "*.fake",
            "/docs/example.env",
            "**/testdata/**",
            "spec/*.env",
            "\\**",
            "*.env",
            "*.fixture.json",
            "**/__snapshots__/**",
        ] {
            assert!(RuleKind::path(fine).is_ok(), "{fine:?}");
        }
        // Narrow one by one, everything together.
        let halves: Vec<gix::glob::Pattern> = ["[a-m]*", "[n-z]*", "[A-Z0-9._]*"]
            .iter()
            .map(|p| pattern(p))
            .collect();
        assert!(too_wide(&halves.iter().collect::<Vec<_>>()));
        let fine: Vec<gix::glob::Pattern> = ["tests/fixtures/**", "*.fake", "spec/*.env"]
            .iter()
            .map(|p| pattern(p))
            .collect();
        assert!(!too_wide(&fine.iter().collect::<Vec<_>>()));
    }
}

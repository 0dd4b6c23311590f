//! Running `git` for the installer (off the scanning path: it reads and writes config
//! exactly as git does), and git's version.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::InstallError;

/// A git version (`2.55.0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// The first version that runs config-based hooks (`hook.<name>.command`).
    pub const CONFIG_HOOKS: Version = Version(2, 54, 0);

    /// Parses `git version 2.55.0` (and vendor suffixes: `2.39.5 (Apple Git-154)`,
    /// `2.45.1.windows.1`).
    pub fn parse(text: &str) -> Option<Version> {
        let v = text.trim().strip_prefix("git version ")?;
        let mut parts = v.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty());
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        Some(Version(major, minor, patch))
    }

    pub fn has_config_hooks(self) -> bool {
        self >= Self::CONFIG_HOOKS
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// Runs `git` (the one on PATH, or `program`), returning trimmed stdout, or `None` when a
/// `git config` lookup finds nothing (exit 1).
pub fn run(
    program: Option<&Path>,
    cwd: Option<&Path>,
    args: &[&str],
) -> Result<Option<String>, InstallError> {
    let mut cmd = Command::new(program.map_or_else(|| PathBuf::from("git"), Path::to_path_buf));
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    let output = cmd.args(args).output().map_err(|source| InstallError::Git {
        args: args.join(" "),
        source,
    })?;
    let config_lookup = args.first() == Some(&"config") || args.first() == Some(&"hook");
    match output.status.code() {
        Some(0) => Ok(Some(
            String::from_utf8_lossy(&output.stdout)
                .trim_end_matches('\n')
                .to_string(),
        )),
        Some(1) if config_lookup => Ok(None),
        // `git config --unset` of a key that is not there.
        Some(5) if args.contains(&"--unset") || args.contains(&"--unset-all") => Ok(None),
        _ => Err(InstallError::GitFailed {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        }),
    }
}

/// `git` on PATH, in `cwd`.
pub fn git(cwd: Option<&Path>, args: &[&str]) -> Result<Option<String>, InstallError> {
    run(None, cwd, args)
}

/// The version of `program` (`git` on PATH by default).
pub fn version(program: Option<&Path>) -> Result<Version, InstallError> {
    let text = run(program, None, &["version"])?.unwrap_or_default();
    Version::parse(&text).ok_or_else(|| InstallError::GitFailed {
        args: "version".to_string(),
        stderr: format!("cannot read a version in {text:?}"),
    })
}

/// Other gits on this machine, older than config-based hooks: the rest of PATH, and where
/// IDEs and systems keep one (Xcode's and Apple's, Homebrew's, the distribution's).
pub fn older_gits(first: Version) -> Vec<(PathBuf, Version)> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("git")).collect())
        .unwrap_or_default();
    for p in [
        "/usr/bin/git",
        "/usr/local/bin/git",
        "/opt/homebrew/bin/git",
        "/Library/Developer/CommandLineTools/usr/bin/git",
        "/Applications/Xcode.app/Contents/Developer/usr/bin/git",
    ] {
        candidates.push(PathBuf::from(p));
    }
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut out = Vec::new();
    for c in candidates {
        let Ok(real) = c.canonicalize() else { continue };
        if seen.contains(&real) || !real.is_file() {
            continue;
        }
        seen.push(real);
        if let Ok(v) = version(Some(&c)) {
            if !v.has_config_hooks() && first.has_config_hooks() {
                out.push((c, v));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn parses_versions_as_vendors_write_them() {
        assert_eq!(Version::parse("git version 2.55.0\n"), Some(Version(2, 55, 0)));
        assert_eq!(
            Version::parse("git version 2.39.5 (Apple Git-154)"),
            Some(Version(2, 39, 5))
        );
        assert_eq!(
            Version::parse("git version 2.45.1.windows.1"),
            Some(Version(2, 45, 1))
        );
        assert_eq!(Version::parse("git version 3.0"), Some(Version(3, 0, 0)));
        assert_eq!(Version::parse("nonsense"), None);
        assert!(Version(2, 54, 0).has_config_hooks() && !Version(2, 47, 3).has_config_hooks());
    }
}

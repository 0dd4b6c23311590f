//! The human format: one line per finding, then (on stderr) problems, advice and a summary.
//!
//! Paths are escaped ([`crate::path::Escaped`]); a token is only ever shown redacted, and
//! the matching line is never printed (it holds the secret).

use std::io::{self, Write};

use super::Summary;
use crate::allowlist::Allowed;
use crate::finding::Finding;
use crate::path::Escaped;

/// `path:line:column: Intercom access token dG9rOmE5…OjA= (plain, fingerprint 3f2a9c1b7e4d)`
pub fn findings(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    for f in findings {
        if let Some(commit) = &f.origin.commit {
            write!(out, "{} ", &commit[..commit.len().min(10)])?;
        }
        writeln!(
            out,
            "{}:{}:{}: {} {} ({}, fingerprint {})",
            Escaped(&f.origin.path),
            f.line,
            f.column,
            f.kind.describe(),
            f.redacted,
            f.encoding,
            f.fingerprint.short(),
        )?;
    }
    Ok(())
}

/// `allowed: path:line:column: … — why`, one line per allowed finding.
pub fn allowed(allowed: &[Allowed], out: &mut dyn Write) -> io::Result<()> {
    for a in allowed {
        write!(out, "allowed: ")?;
        let mut line = Vec::new();
        findings(std::slice::from_ref(&a.finding), &mut line)?;
        let line = String::from_utf8_lossy(&line);
        writeln!(out, "{} -- {}", line.trim_end(), a.why)?;
    }
    Ok(())
}

/// One line on stderr when a hook let allowed tokens through: never silent.
pub fn allowed_note(allowed: &[Allowed], err: &mut dyn Write) -> io::Result<()> {
    match allowed.len() {
        0 => Ok(()),
        n => {
            let first = &allowed[0];
            writeln!(
                err,
                "intercept: {n} token{} allowed ({}:{} fingerprint {}: {}{})",
                if n == 1 { "" } else { "s" },
                Escaped(&first.finding.origin.path),
                first.finding.line,
                first.finding.fingerprint.short(),
                first.why,
                if n > 1 {
                    "; `intercept scan --show-allowed` lists all"
                } else {
                    ""
                }
            )
        }
    }
}

/// What a user must be told when a token is found (`../shared/intercom-tokens.md`).
pub const ADVICE: &str = "\
What to do:
  1. Remove the token and read it from the environment (INTERCOM_ACCESS_TOKEN) or a
     secret manager instead; keep .env files out of git (.gitignore).
  2. If it was ever pushed, shared or committed, treat it as leaked: generate a new token
     in the Intercom Developer Hub (your app > Authentication), deploy it, then revoke
     the old one.
  3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow
     it: `intercept allow <fingerprint> --reason '...'` (see docs/configuration.md).
";

/// What a hook was about to do, for its block message.
#[derive(Clone, Copy, Debug)]
pub struct Blocked<'a> {
    /// `commit`, `merge`, `push`.
    pub action: &'a str,
    /// How to take the token out of what is being done.
    pub remove: &'a str,
    /// The bypass (`git commit --no-verify`); `None` on a server, where there is none.
    pub bypass: Option<&'a str>,
}

/// The message a blocking hook prints on stderr: findings, problems, what to do.
pub fn blocked(
    findings: &[Finding],
    problems: &[super::Problem],
    b: &Blocked<'_>,
    err: &mut dyn Write,
) -> io::Result<()> {
    if !findings.is_empty() {
        let n = findings.len();
        writeln!(
            err,
            "intercept: blocked this {}: it adds {n} Intercom access token{}.",
            b.action,
            if n == 1 { "" } else { "s" }
        )?;
        for f in findings {
            write!(err, "  ")?;
            self::findings(std::slice::from_ref(f), err)?;
        }
        write!(
            err,
            "What to do:\n  \
             1. Remove the token {}.\n     \
             Read it from the environment (INTERCOM_ACCESS_TOKEN) or a secret manager instead,\n     \
             and keep .env files in .gitignore.\n  \
             2. If it was ever pushed, shared or committed, treat it as leaked: generate a new token\n     \
             in the Intercom Developer Hub (your app > Authentication), deploy it, then revoke the\n     \
             old one.\n  \
             3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow it\n     \
             (then commit .intercept.toml with it):\n",
            b.remove
        )?;
        let mut shown = Vec::new();
        for f in findings {
            if !shown.contains(&f.fingerprint) && shown.len() < 5 {
                shown.push(f.fingerprint);
                writeln!(
                    err,
                    "       intercept allow {} --reason \"test fixture\"",
                    f.fingerprint.hex()
                )?;
            }
        }
        match b.bypass {
            Some(bypass) => writeln!(err, "  4. To {} anyway (your responsibility): {bypass}", b.action)?,
            None => writeln!(
                err,
                "  4. This check runs on the server: `git push --no-verify` does not skip it."
            )?,
        }
    }
    if !problems.is_empty() {
        for p in problems {
            writeln!(err, "intercept: cannot check this {}: {}", b.action, p.message)?;
        }
        if findings.is_empty() {
            write!(
                err,
                "intercept: the {} was blocked because intercept could not check it.",
                b.action
            )?;
            match b.bypass {
                Some(bypass) => writeln!(err, " To {} anyway (your responsibility): {bypass}", b.action)?,
                None => writeln!(err, " Ask the repository's administrators.")?,
            }
        }
    }
    Ok(())
}

/// Problems, advice (when something was found) and the summary line, for stderr.
pub fn footer(findings: &[Finding], summary: &Summary, err: &mut dyn Write) -> io::Result<()> {
    for p in &summary.problems {
        writeln!(err, "intercept: {}", p.message)?;
    }
    if !findings.is_empty() {
        err.write_all(ADVICE.as_bytes())?;
    }
    let tokens = match findings.len() {
        0 => "no tokens found".to_string(),
        1 => "1 token found".to_string(),
        n => format!("{n} tokens found"),
    };
    let allowed = match summary.allowed.len() {
        0 => String::new(),
        n if summary.show_allowed => format!(", {n} allowed"),
        n => format!(", {n} allowed (--show-allowed lists them)"),
    };
    let problems = match summary.problems.len() {
        0 => String::new(),
        1 => ", 1 problem (not everything was checked)".to_string(),
        n => format!(", {n} problems (not everything was checked)"),
    };
    writeln!(
        err,
        "intercept: scanned {} {} ({}): {tokens}{allowed}{problems}",
        summary.files,
        match (summary.objects, summary.files == 1) {
            (false, true) => "file",
            (false, false) => "files",
            (true, true) => "object",
            (true, false) => "objects",
        },
        human_bytes(summary.bytes),
    )
}

/// `1.5 MiB`.
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn sizes() {
        assert_eq!(human_bytes(0), "0 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }
}

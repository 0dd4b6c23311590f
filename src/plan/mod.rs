//! The check plan: what one run of intercept checks, built by the two parsers that know
//! what the user or git asked for (`intercept scan …`'s flags in `commands::scan`, and
//! `intercept hook <name> <args>` with git's standard input, [`Plan::hook`]), and run by
//! [`run()`](run::run): open the repository as git handed it over, resolve the settings for
//! what is checked ([`crate::config::layers`]), choose the source, run the session into the
//! caller's sink.
//!
//! So a hook and the scan that reproduces it are one plan: `pre-push` and `scan --range`
//! share the range walk, `pre-commit` and `scan --staged` the staged check.

mod annotate;
mod cleanup;
pub mod hook;
mod run;
mod start;

use std::io::Read;
use std::path::PathBuf;

use crate::config::Flags;
use crate::hooks;
pub use annotate::Verifier;
pub use run::{failed, run, Context, Error};
pub use start::{can_start, StartError};

/// What one run checks.
#[derive(Clone, Debug)]
pub enum Check {
    /// Files and directories (`-` is standard input).
    Files(Vec<PathBuf>),
    /// What `git commit` would record: the lines the index adds to `HEAD`.
    Staged,
    /// commit-msg, applypatch-msg: the message in `file` (git's `$1`); `cut` where git cuts
    /// it at a scissors line (commit-msg: `cleanup`).
    Message { file: Option<PathBuf>, cut: bool },
    /// pre-push: the ref updates git passed on standard input, to `remote` at `url` (git's
    /// `$1` and `$2`).
    Push {
        remote: Option<String>,
        url: Option<String>,
        input: Vec<u8>,
    },
    /// pre-receive: the ref updates git passed on standard input.
    Receive { input: Vec<u8> },
    /// The commits of a range, as a push sends them.
    Range(Range),
    /// Every object of the repository.
    Audit,
}

/// One run: the check and the flags.
#[derive(Clone, Debug)]
pub struct Plan {
    pub check: Check,
    pub flags: Flags,
}

impl Plan {
    /// The plan of hook `check`, from git's arguments and standard input (read only for the
    /// hooks git feeds it to).
    pub fn hook(
        name: &str,
        check: hooks::Check,
        args: &[String],
        stdin: &mut dyn Read,
    ) -> Result<Plan, Error> {
        let arg = |i: usize| args.get(i).cloned();
        let mut input = || -> Result<Vec<u8>, Error> {
            let mut bytes = Vec::new();
            stdin
                .read_to_end(&mut bytes)
                .map_err(|source| Error::Stdin { source })?;
            Ok(bytes)
        };
        let check = match check {
            hooks::Check::Staged => Check::Staged,
            hooks::Check::Message => Check::Message {
                file: arg(0).map(PathBuf::from),
                cut: name == "commit-msg",
            },
            hooks::Check::Push => Check::Push {
                remote: arg(0),
                url: arg(1),
                input: input()?,
            },
            hooks::Check::Receive => Check::Receive { input: input()? },
        };
        Ok(Plan {
            check,
            flags: Flags::default(),
        })
    }
}

/// A range as `--range` takes it: `A..B` (in B, not in A), `B` (all of B's history), an
/// empty side meaning `HEAD`, and git's null id as the base meaning "nothing before" (what
/// a CI push event names as "before" for a new branch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// As the user wrote it.
    pub text: String,
    /// What the other side has (`A`).
    pub hidden: Option<String>,
    /// The tip (`B`).
    pub tip: String,
}

impl Range {
    pub fn parse(text: &str) -> Range {
        let head_if_empty = |spec: &str| if spec.is_empty() { "HEAD" } else { spec }.to_string();
        let (hidden, tip) = match text.split_once("..") {
            Some((base, tip)) if base.len() >= 40 && base.bytes().all(|b| b == b'0') => {
                (None, head_if_empty(tip))
            }
            Some((base, tip)) => (Some(head_if_empty(base)), head_if_empty(tip)),
            None => (None, text.to_string()),
        };
        Range {
            text: match &hidden {
                None if text.contains("..") => tip.clone(),
                _ => text.to_string(),
            },
            hidden,
            tip,
        }
    }

    /// Every revision the range names, base first.
    pub fn specs(&self) -> impl Iterator<Item = &str> {
        self.hidden.as_deref().into_iter().chain([self.tip.as_str()])
    }
}

#[cfg(test)]
mod tests {
    use super::Range;

    #[test]
    fn ranges_read_as_git_and_ci_write_them() {
        let r = Range::parse("origin/main..");
        assert_eq!(
            (r.hidden.as_deref(), r.tip.as_str()),
            (Some("origin/main"), "HEAD")
        );
        let r = Range::parse("..topic");
        assert_eq!((r.hidden.as_deref(), r.tip.as_str()), (Some("HEAD"), "topic"));
        let r = Range::parse("v1.0");
        assert_eq!((r.hidden, r.tip.as_str()), (None, "v1.0"));
        let null = format!("{}..abc123", "0".repeat(40));
        let r = Range::parse(&null);
        assert_eq!(
            (r.hidden, r.tip.as_str(), r.text.as_str()),
            (None, "abc123", "abc123")
        );
        assert_eq!(Range::parse("a..b").specs().collect::<Vec<_>>(), ["a", "b"]);
    }
}

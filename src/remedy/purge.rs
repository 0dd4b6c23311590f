//! `intercept purge`: rewrite this repository's history so the tokens `scan --all` finds
//! (all of them, or the ones named by fingerprint) read `***REMOVED***`, with git-filter-repo.
//!
//! Receives the options and the writers for the report (stdout) and the prompt (stderr);
//! hands on an [`Outcome`]: clean when a rescan finds none of the purged tokens, blocked
//! when some remain (each named, with what to do), or an error when it could not run.
//!
//! The order is the point: list what will be removed, say that rotating is what ends a leak
//! (and "rotate it now" for a token a remote already has), refuse a dirty work tree, ask,
//! rewrite, scan again, print exactly what to push and what teammates must do.
//!
//! The invariant: a token's bytes go from the detector's [`Vault`](crate::detector::Vault)
//! into git-filter-repo's standard input, a pipe, and nowhere else: never an argument, a
//! file or a line of output. git-filter-repo reads `--replace-text` and `--replace-message`
//! with `open(path)`, so each can read `/dev/stdin`; one pipe feeds one of them, so a history
//! with tokens in both files and messages is rewritten in two runs (the second continues the
//! first: git-filter-repo's `already_ran` lets it skip the fresh-clone check).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use gix::ObjectId;

use crate::allowlist::Allowed;
use crate::config::Flags;
use crate::detector::{Detector, Secret};
use crate::finding::{Encoding, Finding, Fingerprint};
use crate::origin::Subject;
use crate::outcome::Outcome;
use crate::path::Escaped;
use crate::plan::{self, Check, Plan};
use crate::scan::{Notice, Problem, Sink, Summary};

/// What replaces each token (git-filter-repo's default, written out so the docs and the
/// tests can name it).
pub const REMOVED: &str = "***REMOVED***";

/// What the user asked for.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Only these tokens; empty means every token `scan --all` reports.
    pub fingerprints: Vec<Fingerprint>,
    /// Do not ask.
    pub yes: bool,
    /// Pass `--force` to git-filter-repo (rewrite a repository that is not a fresh clone).
    pub force: bool,
}

/// Why `intercept purge` could not run, or stopped before it changed anything.
#[derive(Debug, thiserror::Error)]
pub enum PurgeError {
    #[error(
        "{0:?} is not a fingerprint (64 hex digits). Copy it from `intercept scan --all`'s report or its \
         JSON output"
    )]
    NotAFingerprint(String),
    #[error(transparent)]
    Start(#[from] plan::StartError),
    #[error(transparent)]
    Repo(#[from] crate::repo::RepoError),
    #[error(
        "cannot purge: git-filter-repo is not installed ({cause}). intercept purge rewrites history with \
         it. Install it with `pipx install git-filter-repo` (or `pip install --user git-filter-repo`), \
         `apt install git-filter-repo` or `brew install git-filter-repo`, check that `git filter-repo \
         --version` works, then run `intercept purge` again"
    )]
    NoFilterRepo { cause: String },
    #[error(
        "cannot purge: this repository has other worktrees ({paths}). git-filter-repo resets only this \
         one: their index and files would keep the tokens, and a commit there would bring them back. \
         Remove them first (`git worktree remove <path>`, after committing what they hold), or purge a \
         fresh clone. Nothing was changed"
    )]
    Worktrees { paths: String },
    #[error(
        "cannot purge: the work tree has uncommitted changes to tracked files ({paths}). Rewriting history \
         resets the work tree, so they would be lost. Commit them, or put them away with `git stash`, \
         then run `intercept purge` again. Nothing was changed"
    )]
    Dirty { paths: String },
    #[error(
        "cannot purge: no token in this repository's history has the fingerprint {0} (`intercept scan \
         --all` lists the ones it holds). Nothing was changed"
    )]
    UnknownFingerprint(Fingerprint),
    #[error(
        "not purging: standard input is not a terminal, so intercept cannot ask before it rewrites \
         history. Nothing was changed. Read the list above, then run `intercept purge --yes`"
    )]
    NoTerminal,
    #[error("not purging: you did not answer yes. Nothing was changed")]
    Declined,
    #[error("cannot read your answer: {source}. Nothing was changed")]
    Answer {
        #[source]
        source: io::Error,
    },
    #[error("cannot purge: the detector kept no tokens (a bug: please report it). Nothing was changed")]
    NoVault,
    #[error(
        "cannot purge: `git {what}` could not run: {source}. Check that git is installed and on PATH. \
         Nothing was changed"
    )]
    Git {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot purge: `git {what}` failed: {stderr}")]
    GitFailed { what: String, stderr: String },
    #[error(
        "git-filter-repo refused to rewrite history: {reason}. It rewrites only a fresh clone unless told \
         otherwise, because a rewrite cannot be undone and removes reflogs and old objects at once. \
         Nothing was changed. Either clone the repository again (`git clone --no-local <url> <dir>` for \
         a local one) and run `intercept purge` in the clone, or keep a copy of this repository and run \
         `intercept purge --force` here. What git-filter-repo said:\n{output}"
    )]
    Refused { reason: String, output: String },
    #[error(
        "git-filter-repo failed ({status}) while rewriting history. History may be partly rewritten: \
         look at `git log --all` and run `intercept scan --all`, then `intercept purge` again. What \
         git-filter-repo said:\n{output}"
    )]
    FilterRepoFailed { status: String, output: String },
    #[error("cannot write the report: {source}")]
    Write {
        #[from]
        source: io::Error,
    },
}

/// Everything a session reported, kept.
#[derive(Default)]
struct Collect {
    findings: Vec<Finding>,
    problems: Vec<Problem>,
}

impl Sink for Collect {
    fn finding(&mut self, finding: &Finding) {
        self.findings.push(finding.clone());
    }
    fn allowed(&mut self, _allowed: &Allowed) {}
    fn problem(&mut self, problem: &Problem) {
        self.problems.push(problem.clone());
    }
    fn notice(&mut self, _notice: &Notice) {}
    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

/// `scan --all`, in process, into a [`Collect`].
fn audit(detector: &Detector) -> (Collect, Outcome) {
    let plan = Plan {
        check: Check::Audit,
        flags: Flags::default(),
    };
    let cx = plan::Context::new(detector);
    let mut sink = Collect::default();
    let outcome = plan::run(&plan, &cx, &mut sink);
    (sink, outcome)
}

/// The repository as `git` sees it from here: where to run, refs and remotes.
struct Repo {
    /// The top of the work tree (the git directory for a bare repository).
    top: PathBuf,
    git_dir: PathBuf,
    bare: bool,
}

impl Repo {
    fn open() -> Result<Repo, PurgeError> {
        let check = Plan {
            check: Check::Audit,
            flags: Flags::default(),
        };
        plan::can_start(&check)?;
        let repo = crate::repo::open()?;
        let absolute = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let git_dir = absolute(repo.git_dir());
        let (top, bare) = match repo.workdir() {
            Some(dir) => (absolute(dir), false),
            None => (git_dir.clone(), true),
        };
        Ok(Repo { top, git_dir, bare })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.top).args(args);
        cmd
    }

    /// `git ARGS`' standard output; an error when it cannot run or fails.
    fn git(&self, args: &[&str]) -> Result<Vec<u8>, PurgeError> {
        let what = args.join(" ");
        let out = self
            .command(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|source| PurgeError::Git {
                what: what.clone(),
                source,
            })?;
        if !out.status.success() {
            return Err(PurgeError::GitFailed {
                what,
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(out.stdout)
    }

    /// Every ref and the object it names.
    fn refs(&self) -> Result<BTreeMap<String, String>, PurgeError> {
        let out = self.git(&["for-each-ref", "--format=%(objectname) %(refname)"])?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(id, name)| (name.to_string(), id.to_string()))
            .collect())
    }

    /// Every remote: its URL (as configured, before `insteadOf`) and whether it is a mirror.
    fn remotes(&self) -> Result<Remotes, PurgeError> {
        let names = self.git(&["remote"])?;
        let mut remotes = BTreeMap::new();
        for name in String::from_utf8_lossy(&names).lines() {
            let config = |args: &[&str]| {
                self.git(args)
                    .map(|u| String::from_utf8_lossy(&u).trim().to_string())
                    .unwrap_or_default()
            };
            let remote = Remote {
                url: config(&["config", "--get", &format!("remote.{name}.url")]),
                mirror: config(&["config", "--type=bool", "--get", &format!("remote.{name}.mirror")])
                    == "true",
            };
            remotes.insert(name.to_string(), remote);
        }
        Ok(remotes)
    }

    /// The refs whose history holds `object` (a commit, or an annotated tag a ref names).
    fn holders(&self, object: &ObjectId, tag: bool) -> Result<Vec<String>, PurgeError> {
        let id = object.to_string();
        let filter = if tag { "--points-at" } else { "--contains" };
        let out = self.git(&["for-each-ref", "--format=%(refname)", filter, &id])?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .map(str::to_string)
            .collect())
    }

    /// Tracked files with changes, staged or not.
    fn dirty(&self) -> Result<Vec<String>, PurgeError> {
        if self.bare {
            return Ok(Vec::new());
        }
        let out = self.git(&["status", "--porcelain=v1", "-z", "--untracked-files=no"])?;
        Ok(out
            .split(|&b| b == 0)
            .filter(|e| e.len() > 3)
            .map(|e| Escaped(&e[3..]).to_string())
            .collect())
    }
}

/// A remote as configured.
struct Remote {
    url: String,
    /// `git clone --mirror`'s remote: the local branches and tags are the remote's.
    mirror: bool,
}

type Remotes = BTreeMap<String, Remote>;

/// A token chosen for removal: its findings, and the refs that held it before the rewrite.
struct Chosen {
    fingerprint: Fingerprint,
    findings: Vec<Finding>,
    holders: BTreeSet<String>,
}

/// Runs `intercept purge`: the report goes to `out`, the question to `err`.
pub fn run(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, PurgeError> {
    let repo = Repo::open()?;
    let detector = Detector::keeping_secrets();
    let (found, _) = audit(&detector);
    let vault = detector.vault().ok_or(PurgeError::NoVault)?;
    for problem in &found.problems {
        writeln!(out, "note: {}", problem.message)?;
    }
    let mut chosen: BTreeMap<Fingerprint, Chosen> = BTreeMap::new();
    for f in found.findings {
        if !options.fingerprints.is_empty() && !options.fingerprints.contains(&f.fingerprint) {
            continue;
        }
        chosen
            .entry(f.fingerprint)
            .or_insert_with(|| Chosen {
                fingerprint: f.fingerprint,
                findings: Vec::new(),
                holders: BTreeSet::new(),
            })
            .findings
            .push(f);
    }
    if let Some(missing) = options.fingerprints.iter().find(|f| !chosen.contains_key(f)) {
        return Err(PurgeError::UnknownFingerprint(*missing));
    }
    if chosen.is_empty() {
        writeln!(
            out,
            "intercept: `scan --all` finds no token in this repository's history: nothing to purge"
        )?;
        return Ok(Outcome::Clean);
    }

    let refs_before = repo.refs()?;
    let remotes_before = repo.remotes()?;
    for c in chosen.values_mut() {
        let mut objects = BTreeSet::new();
        for f in &c.findings {
            match (f.origin.commit, f.origin.tag) {
                (Some(commit), _) => objects.insert((commit, false)),
                (None, Some(tag)) => objects.insert((tag, true)),
                _ => false,
            };
        }
        for (object, tag) in objects {
            c.holders.extend(repo.holders(&object, tag)?);
        }
    }

    // Told first, whatever happens next: what will go, and that rotation comes before it.
    list(out, &repo, &chosen, &remotes_before)?;
    out.flush()?;
    let program = find_filter_repo(&repo)?;
    let others = other_worktrees(&repo)?;
    if !others.is_empty() {
        return Err(PurgeError::Worktrees {
            paths: others.join(", "),
        });
    }
    let dirty = repo.dirty()?;
    if !dirty.is_empty() {
        let mut paths = dirty.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        if dirty.len() > 5 {
            paths.push_str(&format!(" and {} more", dirty.len() - 5));
        }
        return Err(PurgeError::Dirty { paths });
    }
    if !options.yes {
        confirm(err, &repo, chosen.len())?;
    }

    // The tokens, from the vault: the only place their bytes are.
    let secrets: Vec<Secret> = chosen.keys().filter_map(|fp| vault.get(fp)).collect::<Vec<_>>();
    let expressions = Expressions::of(&secrets);
    drop(secrets);
    let in_files = chosen
        .values()
        .any(|c| c.findings.iter().any(|f| f.origin.subject == Subject::Content));
    let in_messages = chosen.values().any(|c| {
        c.findings
            .iter()
            .any(|f| matches!(f.origin.subject, Subject::CommitMessage | Subject::TagMessage))
    });
    forget_stale_run(&repo, out)?;
    // A Ctrl-C reaches git-filter-repo too, which stops; intercept stays to say what was
    // rewritten (ignored if a handler exists already).
    let _ = ctrlc::set_handler(|| {});
    let mut runs = Vec::new();
    if in_files {
        runs.push(("--replace-text", "file contents"));
    }
    if in_messages {
        runs.push(("--replace-message", "commit and tag messages"));
    }
    for (option, what) in runs {
        writeln!(out, "\nRewriting {what} with git-filter-repo…")?;
        out.flush()?;
        if let Err(e) = filter_repo(&repo, &program, option, &expressions, options.force) {
            // A run that failed after it rewrote refs (interrupted, or a late error) must
            // still say what to push: the old ids are known only now.
            if repo.refs()? == refs_before {
                return Err(e);
            }
            writeln!(
                out,
                "\nwarning: git-filter-repo did not finish ({e}),\nbut it had already rewritten refs: \
                 what follows is what to run for them; then run `intercept purge` again to finish"
            )?;
            break;
        }
    }

    if in_files || in_messages {
        let refs_after = repo.refs()?;
        let remotes_after = repo.remotes()?;
        next_steps(
            out,
            &chosen,
            &refs_before,
            &refs_after,
            &remotes_before,
            &remotes_after,
        )?;
    } else {
        writeln!(
            out,
            "\nNo file content or message holds these tokens, so git-filter-repo's text replacement \
             cannot reach them: history is unchanged."
        )?;
    }

    // What is left: a fresh scan, the purged fingerprints only.
    let (after, _) = audit(&Detector::new());
    let remaining: Vec<&Finding> = after
        .findings
        .iter()
        .filter(|f| chosen.contains_key(&f.fingerprint))
        .collect();
    for problem in &after.problems {
        writeln!(out, "note: {}", problem.message)?;
    }
    if remaining.is_empty() {
        writeln!(
            out,
            "\nintercept: a new scan of the rewritten history finds none of the {} token(s).",
            chosen.len()
        )?;
    } else {
        left(out, &remaining)?;
    }
    Ok(Outcome::from_counts(
        remaining.len() as u64,
        after.problems.len() as u64,
    ))
}

/// The `git-filter-repo` program: on PATH, else in git's exec path, where `git filter-repo`
/// would find it. Run by its path, never through `git filter-repo`: an alias of that name (a
/// repository's config can set one) would receive the tokens, and a Ctrl-C that ends the
/// `git` wrapper leaves the rewrite running with nobody to say what it did.
fn find_filter_repo(repo: &Repo) -> Result<PathBuf, PurgeError> {
    let exec_path = repo
        .git(&["--exec-path"])
        .ok()
        .map(|p| PathBuf::from(String::from_utf8_lossy(&p).trim()));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain(exec_path)
        .map(|dir| dir.join("git-filter-repo"))
        .find(|p| p.is_file());
    let Some(program) = found else {
        return Err(PurgeError::NoFilterRepo {
            cause: "no git-filter-repo on PATH or in git's exec path".to_string(),
        });
    };
    let out = Command::new(&program)
        .arg("--version")
        .current_dir(&repo.top)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| PurgeError::NoFilterRepo {
            cause: format!("{} could not run: {e}", program.display()),
        })?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    // It prints one word: its version or the commit it was built from.
    if !out.status.success() || version.is_empty() || version.contains(char::is_whitespace) {
        return Err(PurgeError::NoFilterRepo {
            cause: format!(
                "`{} --version` did not answer as git-filter-repo does",
                program.display()
            ),
        });
    }
    tracing::debug!(%version, program = %program.display(), "git-filter-repo");
    Ok(program)
}

/// Linked worktrees besides this one.
fn other_worktrees(repo: &Repo) -> Result<Vec<String>, PurgeError> {
    let out = repo.git(&["worktree", "list", "--porcelain", "-z"])?;
    let this = repo.top.clone();
    Ok(out
        .split(|&b| b == 0)
        .filter_map(|field| field.strip_prefix(b"worktree "))
        .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
        .filter(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()) != this)
        .map(|p| Escaped(p.as_os_str().as_encoded_bytes()).to_string())
        .collect())
}

/// What will be removed, and that rotation comes first.
fn list(
    out: &mut dyn Write,
    repo: &Repo,
    chosen: &BTreeMap<Fingerprint, Chosen>,
    remotes: &Remotes,
) -> io::Result<()> {
    writeln!(
        out,
        "intercept purge: {} token(s) to remove from the history of {}:",
        chosen.len(),
        repo.top.display()
    )?;
    for c in chosen.values() {
        let first = &c.findings[0];
        writeln!(
            out,
            "\n  {} (fingerprint {})",
            first.redacted,
            c.fingerprint.short()
        )?;
        for f in c.findings.iter().take(10) {
            writeln!(out, "    {}", place(f))?;
        }
        if c.findings.len() > 10 {
            writeln!(out, "    … and {} more places", c.findings.len() - 10)?;
        }
        let on: BTreeSet<&str> = c
            .holders
            .iter()
            .filter_map(|r| remote_of(r, remotes).map(|(remote, _)| remote))
            .collect();
        if !on.is_empty() {
            let on = on.into_iter().collect::<Vec<_>>().join(", ");
            writeln!(
                out,
                "    It is on {on} already (a remote-tracking ref holds it): rotate it now, before purging."
            )?;
        }
    }
    writeln!(
        out,
        "\nRotate first: rotating is what ends a leak, purging only cleans history. For each token, \
         generate a new one in Intercom's Developer Hub (your app > Authentication), deploy it, then \
         revoke the old one (there is no API to revoke a token). Anyone who fetched or cloned the \
         history, and every forge or CI that stored it, may have a copy that no rewrite reaches."
    )
}

/// Where a finding is, for people.
fn place(f: &Finding) -> String {
    let o = &f.origin;
    let mut s = match o.subject {
        Subject::Content => format!("{}:{}", o.shown_path(), f.line),
        _ => o.label(),
    };
    if let Some(commit) = o.commit {
        s.push_str(&format!(" in commit {}", short(&commit)));
    } else if let Some(tag) = o.tag {
        s.push_str(&format!(" in tag object {}", short(&tag)));
    }
    if !o.via.is_empty() {
        let via: Vec<&str> = o.via.iter().map(|v| v.id()).collect();
        s.push_str(&format!(" (inside {})", via.join(" > ")));
    }
    if f.encoding == Encoding::NestedBase64 {
        s.push_str(" (base64-encoded again)");
    }
    s
}

fn short(id: &ObjectId) -> String {
    id.to_string()[..12].to_string()
}

/// `refs/remotes/<remote>/<branch>` → (remote, branch), for a remote that exists; in a mirror
/// clone, `refs/heads/<branch>` → (the mirrored remote, branch).
fn remote_of<'r>(refname: &'r str, remotes: &'r Remotes) -> Option<(&'r str, &'r str)> {
    if let Some(branch) = refname.strip_prefix("refs/heads/") {
        return remotes
            .iter()
            .find(|(_, r)| r.mirror)
            .map(|(name, _)| (name.as_str(), branch));
    }
    let rest = refname.strip_prefix("refs/remotes/")?;
    remotes
        .keys()
        .filter_map(|name| {
            let branch = rest.strip_prefix(name.as_str())?.strip_prefix('/')?;
            Some((name.as_str(), branch))
        })
        .max_by_key(|(name, _)| name.len())
        .filter(|(_, branch)| *branch != "HEAD")
}

/// Asks on the terminal; refuses without one.
fn confirm(err: &mut dyn Write, repo: &Repo, n: usize) -> Result<(), PurgeError> {
    let stdin = io::stdin();
    if !stdin.is_terminal() {
        return Err(PurgeError::NoTerminal);
    }
    write!(
        err,
        "Rewrite history of {} to remove {n} token(s)? [y/N] ",
        repo.top.display()
    )?;
    err.flush()?;
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|source| PurgeError::Answer { source })?;
    match answer.trim() {
        "y" | "Y" | "yes" | "Yes" | "YES" => Ok(()),
        _ => Err(PurgeError::Declined),
    }
}

/// git-filter-repo's expressions for these tokens, one per line, in the order it applies
/// them (literals, then regexes): the decoded text `tok:…` as a literal, then the base64 as
/// a regex that takes every way the detector reads it: each `+` and `/` plain or escaped
/// (`%2B`, `\u002b`, `\x2b`, JSON's `\/`; a token's base64 holds neither, but the escape
/// table is the detector's), followed by any run of padding, plain or escaped (`%3D`,
/// `\u003d`, `\x3d`, any case), so the trimmed and the padded forms both become
/// `***REMOVED***` with no stray `=` left. A token base64-encoded again, or inside a
/// compressed or archived file, has no bytes such an expression could match: the rescan
/// names it. The bytes are overwritten when dropped, like a [`Secret`]'s.
struct Expressions(Vec<u8>);

impl Drop for Expressions {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&self.0);
    }
}

impl Expressions {
    fn of(secrets: &[Secret]) -> Expressions {
        // Sized once (two lines of under 100 bytes per token): no reallocation leaves a copy.
        let mut lines = Vec::with_capacity(secrets.len() * 256);
        // Another secret (a client secret) is replaced as it was written.
        for secret in secrets.iter().filter(|s| !s.is_token()) {
            let value = secret.expose();
            let safe = !value.is_empty() && !value.contains(&b'\n') && !value.windows(3).any(|w| w == b"==>");
            if safe {
                lines.extend_from_slice(b"literal:");
                lines.extend_from_slice(value);
                lines.push(b'\n');
            }
        }
        for secret in secrets.iter().filter(|s| s.is_token()) {
            let canonical = secret.expose();
            if let Ok(mut text) = STANDARD.decode(canonical) {
                lines.extend_from_slice(b"literal:");
                lines.extend_from_slice(&text);
                lines.push(b'\n');
                text.iter_mut().for_each(|b| *b = 0);
            }
        }
        for secret in secrets.iter().filter(|s| s.is_token()) {
            lines.extend_from_slice(b"regex:");
            let unpadded: Vec<u8> = secret.expose().iter().copied().filter(|&b| b != b'=').collect();
            // The last symbol of a text whose length is not a multiple of 3 holds only 2 or 4
            // of the token's bits: glued to more base64 it is any symbol with those bits.
            let free_bits = match unpadded.len() % 4 {
                2 => 4,
                3 => 2,
                _ => 0,
            };
            let (whole, last) = match free_bits {
                0 => (&unpadded[..], None),
                _ => (&unpadded[..unpadded.len() - 1], unpadded.last().copied()),
            };
            for &b in whole {
                match b {
                    b'+' => lines.extend_from_slice(br"(?:\+|%2[bB]|\\u002[bB]|\\x2[bB])"),
                    b'/' => lines.extend_from_slice(br"(?:/|%2[fF]|\\u002[fF]|\\x2[fF]|\\/)"),
                    _ => lines.push(b),
                }
            }
            if let Some(last) = last {
                lines.extend_from_slice(&last_symbol_class(last, free_bits));
            }
            lines.extend_from_slice(br"(?:=|%3[dD]|\\u003[dD]|\\x3[dD])*");
            lines.push(b'\n');
        }
        Expressions(lines)
    }
}

/// `[ABCD]`: the base64 symbols that agree with `symbol` but for its `free_bits` low bits.
fn last_symbol_class(symbol: u8, free_bits: u32) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let Some(index) = ALPHABET.iter().position(|&c| c == symbol) else {
        return vec![symbol];
    };
    let mask = (1usize << free_bits) - 1;
    let mut class = vec![b'['];
    class.extend((index & !mask..=index | mask).map(|i| ALPHABET[i]));
    class.push(b']');
    class
}

/// git-filter-repo asks on standard input whether a run more than a day after the last one
/// continues it; ours carries the expressions, so answer as "no" would (remove the marker,
/// which makes the run a fresh one with its fresh-clone check).
fn forget_stale_run(repo: &Repo, out: &mut dyn Write) -> io::Result<()> {
    let marker = repo.git_dir.join("filter-repo/already_ran");
    let stale = std::fs::metadata(&marker)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 86_400);
    if stale {
        tracing::info!(path = %marker.display(), "removing git-filter-repo's day-old run marker");
        writeln!(
            out,
            "note: git-filter-repo ran here more than a day ago; this is a new run, not a continuation"
        )?;
        std::fs::remove_file(&marker)?;
    }
    Ok(())
}

/// One run of `git filter-repo <option> /dev/stdin`, the expressions written into the pipe.
fn filter_repo(
    repo: &Repo,
    program: &std::path::Path,
    option: &str,
    expressions: &Expressions,
    force: bool,
) -> Result<(), PurgeError> {
    let mut args = vec![option, "/dev/stdin"];
    if force {
        args.push("--force");
    }
    tracing::info!(args = %args.join(" "), dir = %repo.top.display(), "running git-filter-repo");
    let mut child = Command::new(program)
        .current_dir(&repo.top)
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| PurgeError::NoFilterRepo {
            cause: format!("git could not run: {e}"),
        })?;
    let writer = child.stdin.take().map(|mut stdin| {
        let expressions = Expressions(expressions.0.clone());
        std::thread::spawn(move || {
            // git-filter-repo may stop before it reads (a refusal): a closed pipe is its answer.
            let _ = stdin.write_all(&expressions.0);
        })
    });
    let output = child.wait_with_output().map_err(|source| PurgeError::Git {
        what: args.join(" "),
        source,
    })?;
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    let said = said(&output);
    for line in said.lines() {
        tracing::debug!("git-filter-repo: {line}");
    }
    if output.status.success() {
        return Ok(());
    }
    if said.contains("Refusing to destructively overwrite repo history") {
        let reason = said
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with('(') && l.ends_with(')'))
            .map(|l| l.trim_matches(|c| c == '(' || c == ')').to_string())
            .unwrap_or_else(|| "this does not look like a fresh clone".to_string());
        return Err(PurgeError::Refused { reason, output: said });
    }
    Err(PurgeError::FilterRepoFailed {
        status: output.status.to_string(),
        output: said,
    })
}

/// What a run printed, both streams, for messages (printed through the redaction step).
fn said(output: &Output) -> String {
    let mut s = String::from_utf8_lossy(&output.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&output.stderr));
    s.trim_end().to_string()
}

/// `word` as one shell word.
fn sh(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-:@=+,%".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// What to run next: the pushes that replace every remote branch that held a token, what
/// teammates must do, and what no push reaches.
fn next_steps(
    out: &mut dyn Write,
    chosen: &BTreeMap<Fingerprint, Chosen>,
    refs_before: &BTreeMap<String, String>,
    refs_after: &BTreeMap<String, String>,
    remotes_before: &Remotes,
    remotes_after: &Remotes,
) -> io::Result<()> {
    let holders: BTreeSet<&String> = chosen.values().flat_map(|c| &c.holders).collect();
    // remote → [(branch, its id before the rewrite)]
    let mut pushes: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    let mut tags = Vec::new();
    let mut local = Vec::new();
    for r in &holders {
        if let Some((remote, branch)) = remote_of(r, remotes_before) {
            if let Some(old) = refs_before.get(*r) {
                pushes.entry(remote).or_default().push((branch, old));
            }
        } else if let Some(tag) = r.strip_prefix("refs/tags/") {
            tags.push(tag);
        } else if let Some(branch) = r.strip_prefix("refs/heads/") {
            local.push(branch);
        }
    }
    writeln!(out, "\nHistory is rewritten here. What to run next:")?;
    // A remote git-filter-repo removed that held no token is still yours to add back.
    let removed: Vec<(&String, &Remote)> = remotes_before
        .iter()
        .filter(|(name, _)| !remotes_after.contains_key(*name) && !pushes.contains_key(name.as_str()))
        .collect();
    if !removed.is_empty() {
        writeln!(
            out,
            "\n0. git-filter-repo removed {} (so that nothing is pushed there by accident); add it back \
             when you are ready:",
            if removed.len() == 1 { "a remote" } else { "remotes" }
        )?;
        for (name, remote) in removed {
            writeln!(
                out,
                "   git remote add {} {}",
                sh(name),
                sh(&crate::repo::vcs::without_credentials(&remote.url))
            )?;
        }
    }
    if pushes.is_empty() {
        writeln!(
            out,
            "\n1. No remote-tracking ref held a token, so no remote is known to have one. If you pushed \
             these branches anyway (or fetched none since), push them again with --force-with-lease."
        )?;
    } else {
        writeln!(
            out,
            "\n1. Replace every remote branch that held a token (each push names the commit the \
             remote had, so it fails if someone pushed since):"
        )?;
    }
    for (remote, branches) in &pushes {
        if !remotes_after.contains_key(*remote) {
            let url = remotes_before.get(*remote).map_or("", |r| r.url.as_str());
            writeln!(
                out,
                "   git remote add {} {}    # git-filter-repo removed it",
                sh(remote),
                sh(&crate::repo::vcs::without_credentials(url))
            )?;
        }
        for (branch, old) in branches {
            let tracking = format!("refs/remotes/{remote}/{branch}");
            let head = format!("refs/heads/{branch}");
            let source = if refs_after.contains_key(&tracking) {
                format!("{tracking}:{head}")
            } else if refs_after.contains_key(&head) {
                (*branch).to_string()
            } else {
                writeln!(
                    out,
                    "   # {remote}/{branch} held a token, but no rewritten ref for it is left here: \
                     delete it on {remote} with `git push {remote} --delete {branch}` if it is not needed"
                )?;
                continue;
            };
            writeln!(
                out,
                "   git push --force-with-lease={}:{old} {} {}",
                sh(&head),
                sh(remote),
                sh(&source)
            )?;
            if refs_before.get(&head).is_some_and(|local| local.as_str() != *old) {
                writeln!(
                    out,
                    "   # your {branch} and {remote}/{branch} differed before the purge: check \
                     `git log {branch}` before this push"
                )?;
            }
        }
        for tag in &tags {
            writeln!(
                out,
                "   git push --force {} {}    # if {remote} has this tag",
                sh(remote),
                sh(&format!("refs/tags/{tag}"))
            )?;
        }
    }
    local.retain(|b| !pushes.values().flatten().any(|(pushed, _)| pushed == b));
    if !local.is_empty() {
        let local: Vec<String> = local.iter().map(|b| sh(b)).collect();
        writeln!(
            out,
            "   Local branches that held a token, now rewritten: {}. Push them only where they were \
             pushed before.",
            local.join(" ")
        )?;
    }
    writeln!(
        out,
        "\n2. Everyone with a clone (teammates, CI caches, forks) must re-clone, or fetch and run \
         `git reset --hard <remote>/<branch>` on each branch after saving their work. Nobody may push an \
         old branch or tag back: it would bring the token back."
    )?;
    writeln!(
        out,
        "\n3. Hosted forges (GitHub, GitLab, Bitbucket) keep old commits reachable by their ids and in \
         pull-request refs (refs/pull/*, refs/merge-requests/*) after a force-push. On GitHub, contact \
         GitHub Support to remove cached views and the pull requests that hold it. Until then the token \
         can be read there: rotation is what actually ends the leak."
    )
}

/// The purged tokens a rescan still finds, and what to do about each.
fn left(out: &mut dyn Write, remaining: &[&Finding]) -> io::Result<()> {
    writeln!(
        out,
        "\nintercept: {} place(s) still hold a purged token: git-filter-repo could not rewrite them byte \
         for byte.",
        remaining.len()
    )?;
    for f in remaining {
        writeln!(out, "  {} {}", f.redacted, place(f))?;
        writeln!(out, "    → {}", way_out(f))?;
    }
    writeln!(
        out,
        "Then run `intercept scan --all`; it exits 0 when no token is left. Rotate these tokens: they \
         are still in history."
    )
}

/// What to do about a purged token a text replacement could not reach.
fn way_out(f: &Finding) -> String {
    let o = &f.origin;
    let path = sh(&Escaped(&o.path).to_string());
    match o.subject {
        Subject::PathName => "the token is a file name, which text replacement does not touch: rename \
             the file in history with `git filter-repo --path-rename OLD:NEW` (intercept does not \
             print the name)"
            .to_string(),
        Subject::RefName => "the token is a ref's name: delete the ref (`git for-each-ref` lists it; \
             `git update-ref -d <ref>`), here and on every remote that has it"
            .to_string(),
        Subject::CommitHeader | Subject::TagHeader => format!(
            "the token is in the `{}` header, which --replace-message does not touch: rewrite it with \
             `git filter-repo --mailmap <file>` (author, committer, tagger) or drop the commit",
            Escaped(&o.path)
        ),
        Subject::CommitMessage | Subject::TagMessage => "the message holds the token in a form no text \
             replacement reaches (base64-encoded again): edit the message with `git filter-repo \
             --message-callback`, or drop the commit"
            .to_string(),
        Subject::PushOption => "a push option is not stored in history: nothing to purge".to_string(),
        Subject::Content if o.unnamed.is_some() => "the object is not in any commit's files (unreachable, \
             or its place is unknown): something outside history still holds it (a stash, the index, \
             a linked worktree's index); once nothing does, `git reflog expire --expire=now --all && \
             git gc --prune=now` removes it"
            .to_string(),
        Subject::Content if !o.via.is_empty() || f.encoding == Encoding::NestedBase64 => {
            let inside: Vec<&str> = o.via.iter().map(|v| v.id()).collect();
            let inside = if inside.is_empty() {
                "base64-encoded again".to_string()
            } else {
                format!("inside {}", inside.join(" > "))
            };
            format!(
                "the token is {inside}, where no text replacement reaches its bytes: remove the file \
                 from history with `git filter-repo --invert-paths --path {path}` (or rewrite the file \
                 without the token, commit it, and purge again)"
            )
        }
        Subject::Content => format!(
            "git-filter-repo left the file as it was: either it takes it for binary (a NUL byte in its \
             first 8 KiB, UTF-16 text too), or the token is written in a form no text replacement \
             matches byte for byte: remove the file from history with `git filter-repo --invert-paths \
             --path {path}`, or rewrite it without the token and purge again"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines git-filter-repo reads: the text as a literal, the base64 as a regex that
    /// takes the padding in every form; nothing else, and no line it would read otherwise.
    #[test]
    fn expressions_are_a_literal_text_and_a_base64_regex_per_token() {
        let t = intercept_test_support::token();
        let origin = crate::origin::Origin::file("t");
        let detector = Detector::keeping_secrets();
        let bytes = format!("A={}\n", t.b64());
        detector.scan(
            &crate::chunk::Chunk::whole(&origin, bytes.as_bytes()),
            &mut Vec::new(),
        );
        let secrets: Vec<Secret> = detector
            .vault()
            .unwrap()
            .all()
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        let expressions = Expressions::of(&secrets);
        let text = String::from_utf8(expressions.0.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // A 44-byte text: its last base64 symbol holds 4 of the token's bits, so the regex
        // takes the 4 symbols that share them (the token glued to more base64).
        let trimmed = t.no_padding();
        let (head, last) = trimmed.split_at(trimmed.len() - 1);
        let class = String::from_utf8(last_symbol_class(last.as_bytes()[0], 2)).unwrap();
        assert!(class.contains(last) && class.len() == 6, "{class}");
        assert_eq!(
            lines,
            [
                format!("literal:{}", t.text),
                format!(r"regex:{head}{class}(?:=|%3[dD]|\\u003[dD]|\\x3[dD])*"),
            ]
        );
        // git-filter-repo splits a line at its last `==>`: none may hold one.
        assert!(lines.iter().all(|l| !l.contains("==>")));
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn the_last_symbol_takes_every_value_of_its_free_bits() {
        assert_eq!(last_symbol_class(b'A', 2), b"[ABCD]");
        assert_eq!(last_symbol_class(b'C', 2), b"[ABCD]");
        assert_eq!(last_symbol_class(b'Q', 4), b"[QRSTUVWXYZabcdef]");
        assert_eq!(last_symbol_class(b'/', 2), b"[89+/]");
    }

    #[test]
    fn shell_words() {
        assert_eq!(sh("refs/heads/main"), "refs/heads/main");
        assert_eq!(sh("it's"), r"'it'\''s'");
        assert_eq!(sh("a b"), "'a b'");
    }

    #[test]
    fn remote_names_with_slashes() {
        let remote = |mirror| Remote {
            url: String::new(),
            mirror,
        };
        let mut remotes: Remotes = [
            ("a".to_string(), remote(false)),
            ("a/b".to_string(), remote(false)),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            remote_of("refs/remotes/a/b/main", &remotes),
            Some(("a/b", "main"))
        );
        assert_eq!(remote_of("refs/remotes/a/main", &remotes), Some(("a", "main")));
        assert_eq!(remote_of("refs/remotes/a/HEAD", &remotes), None);
        assert_eq!(remote_of("refs/heads/main", &remotes), None);
        remotes.insert("m".to_string(), remote(true));
        assert_eq!(remote_of("refs/heads/main", &remotes), Some(("m", "main")));
    }
}

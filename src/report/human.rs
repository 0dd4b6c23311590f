//! The human format: the listing of `intercept scan`, and the hooks' block messages.
//!
//! Paths are escaped (`crate::path::Escaped`); a token is only ever shown redacted, and
//! the matching line is never printed (it holds the secret). A block message lists at most
//! [`LIMIT`] findings (the rest are counted), so a hook's memory does not grow with them.

use std::io::{self, Write};

use super::describe;
use crate::allowlist::Allowed;
use crate::finding::{Finding, Fingerprint, Kind, Liveness, Verification};
use crate::origin::Remote;
use crate::origin::Subject;
use crate::scan::{Notice, Problem, Sink, Summary};

/// `[commit ]path:line:column: Intercom access token dG9rOmE5…OjA= (plain, fingerprint …)`
/// and, with `--verify`, what Intercom said (`: live, workspace Acme (app abc12345)`).
pub fn line(f: &Finding) -> String {
    let mut text = place_and_token(f);
    if let Some(v) = &f.verification {
        text.push_str(": ");
        text.push_str(&verdict(v));
    }
    text
}

/// `live, workspace Acme (app abc12345, US), as j…@acme.com`, `invalid (401 …)`, `unknown (…)`.
pub fn verdict(v: &Verification) -> String {
    match (v.status, &v.workspace) {
        (Liveness::Live, Some(w)) => {
            let mut text = format!("live, workspace {}", w.name.as_deref().unwrap_or("(unnamed)"));
            let about: Vec<&str> = [w.app_id.as_deref(), w.region.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !about.is_empty() {
                text.push_str(&format!(" (app {})", about.join(", ")));
            }
            if let Some(admin) = &w.admin {
                text.push_str(&format!(", as {admin}"));
            }
            text
        }
        (status, _) => match &v.reason {
            Some(reason) => format!("{} ({reason})", status.id()),
            None => status.id().to_string(),
        },
    }
}

fn place_and_token(f: &Finding) -> String {
    let object = f
        .origin
        .object()
        .map(|id| format!("{} ", &id.to_string()[..10]))
        .unwrap_or_default();
    match f.origin.subject {
        s if s.is_name() => format!("{object}{}: {}", f.origin.label(), describe(f)),
        _ => format!(
            "{object}{}:{}:{}: {}",
            f.origin.label(),
            f.line,
            f.column,
            describe(f)
        ),
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

/// What to do about an Intercom client secret.
pub const CLIENT_SECRET_ADVICE: &str = "\
What to do about the Intercom client secret:
  1. Remove it and read it from the environment (INTERCOM_CLIENT_SECRET) or a secret
     manager instead; keep .env files out of git (.gitignore).
  2. If it was ever pushed, shared or committed, treat it as leaked: it completes OAuth
     exchanges and is the HMAC key of your app's webhook signatures, so whoever holds it
     can forge webhooks. Regenerate it in the Intercom Developer Hub (your app > Basic
     information / Authentication) and deploy the new one wherever webhooks are verified
     and OAuth is completed.
  3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow
     it: `intercept allow <fingerprint> --reason '...'` (see docs/configuration.md).
";

/// What to do about an Intercom Identity Verification secret.
pub const IDENTITY_SECRET_ADVICE: &str = "\
What to do about the Intercom Identity Verification secret:
  1. Remove it and read it from the environment (INTERCOM_IDENTITY_SECRET) or a secret
     manager instead; keep .env files out of git (.gitignore).
  2. If it was ever pushed, shared or committed, treat it as leaked: it signs the
     Messenger's user_hash and JWTs, so whoever holds it can impersonate any user.
     Regenerate it in Intercom's Messenger security settings (Developer Hub), then
     redeploy the server that signs user_hash with the new one.
  3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow
     it: `intercept allow <fingerprint> --reason '...'` (see docs/configuration.md).
";

/// What a user must be told about a finding of `kind`.
pub fn advice(kind: Kind) -> &'static str {
    match kind {
        Kind::IntercomAccessToken => ADVICE,
        Kind::IntercomClientSecret => CLIENT_SECRET_ADVICE,
        Kind::IntercomIdentitySecret => IDENTITY_SECRET_ADVICE,
    }
}

/// The kinds of the findings a sink has seen, so its advice and summary name them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Kinds([bool; Kind::ALL.len()]);

impl Kinds {
    pub fn add(&mut self, kind: Kind) {
        self.0[kind.index()] = true;
    }

    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Kinds {
        let mut k = Kinds::default();
        findings.into_iter().for_each(|f| k.add(f.kind));
        k
    }

    /// Only access tokens (or nothing): the messages say "token".
    pub fn only_tokens(&self) -> bool {
        !self.0[Kind::IntercomClientSecret.index()] && !self.0[Kind::IntercomIdentitySecret.index()]
    }

    pub fn iter(&self) -> impl Iterator<Item = Kind> + '_ {
        Kind::ALL.into_iter().filter(|k| self.0[k.index()])
    }

    /// The advice for each kind seen (the token's when none was).
    fn write_advice(&self, err: &mut dyn Write) -> io::Result<()> {
        if self.only_tokens() {
            return err.write_all(ADVICE.as_bytes());
        }
        self.iter().try_for_each(|k| err.write_all(advice(k).as_bytes()))
    }

    /// `token`, or `secret` when any finding is not a token.
    fn noun(&self) -> &'static str {
        if self.only_tokens() {
            "token"
        } else {
            "secret"
        }
    }
}

/// `intercept scan`'s listing: findings on `out` as they come, problems and notes on
/// `err`, then advice and a summary line.
pub struct Listing<'w> {
    pub out: &'w mut dyn Write,
    pub err: &'w mut dyn Write,
    pub show_allowed: bool,
    error: Option<io::Error>,
    tracks: Tracks,
    kinds: Kinds,
}

/// What a history scan learnt of each distinct token, for the summary at its end: where
/// it first came in, which branches and remotes have it, what Intercom said.
#[derive(Default)]
struct Tracks {
    order: Vec<Fingerprint>,
    by: std::collections::HashMap<Fingerprint, Track>,
    /// Distinct tokens past [`Tracks::MAX`], counted only.
    more: u64,
}

struct Track {
    redacted: String,
    places: u64,
    /// The earliest commit that adds it: (date, commit).
    first: Option<(String, String)>,
    branches: std::collections::BTreeSet<String>,
    remotes: std::collections::BTreeSet<Remote>,
    doubts: std::collections::BTreeSet<String>,
    verification: Option<Verification>,
}

impl Tracks {
    /// Distinct tokens summarized at most (memory stays bounded whatever a history holds).
    const MAX: usize = 1000;

    fn add(&mut self, f: &Finding) {
        // Only findings in commits say where a token has gone.
        let Some(remotes) = &f.origin.remotes else {
            return;
        };
        if !self.by.contains_key(&f.fingerprint) {
            if self.order.len() >= Self::MAX {
                self.more += 1;
                return;
            }
            self.order.push(f.fingerprint);
            self.by.insert(
                f.fingerprint,
                Track {
                    redacted: f.redacted.as_str().to_string(),
                    places: 0,
                    first: None,
                    branches: Default::default(),
                    remotes: Default::default(),
                    doubts: Default::default(),
                    verification: None,
                },
            );
        }
        let Some(t) = self.by.get_mut(&f.fingerprint) else {
            return;
        };
        t.places += 1;
        if let (Some(commit), Some(date)) = (f.origin.commit, &f.origin.date) {
            if t.first.as_ref().is_none_or(|(d, _)| date < d) {
                t.first = Some((date.clone(), commit.to_string()[..10].to_string()));
            }
        }
        t.branches.extend(f.origin.branches.iter().cloned());
        t.remotes.extend(remotes.iter().cloned());
        t.doubts.extend(f.origin.doubts.iter().cloned());
        if t.verification.is_none() {
            t.verification.clone_from(&f.verification);
        }
    }

    /// `Where each token is:` and a few lines per token, with the verdict.
    fn write(&self, err: &mut dyn Write) -> io::Result<()> {
        if self.order.is_empty() {
            return Ok(());
        }
        writeln!(err, "Where each token is:")?;
        // What is on a remote first (rotate now), then by when it came in.
        let mut order: Vec<(&Fingerprint, &Track)> = self
            .order
            .iter()
            .filter_map(|fp| Some((fp, self.by.get(fp)?)))
            .collect();
        order.sort_by(|(fa, a), (fb, b)| {
            (a.remotes.is_empty(), &a.first, &a.redacted, fa).cmp(&(
                b.remotes.is_empty(),
                &b.first,
                &b.redacted,
                fb,
            ))
        });
        for (fp, t) in order {
            let places = if t.places == 1 {
                "1 place".to_string()
            } else {
                format!("{} places", t.places)
            };
            write!(err, "  {} (fingerprint {}): {places}", t.redacted, fp.short())?;
            match &t.first {
                Some((date, commit)) => writeln!(err, "; first added in commit {commit} on {date}")?,
                None => writeln!(err)?,
            }
            let mut held = Vec::new();
            if !t.branches.is_empty() {
                held.push(format!(
                    "branch{} {}",
                    if t.branches.len() == 1 { "" } else { "es" },
                    t.branches.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            if !t.remotes.is_empty() {
                held.push(format!(
                    "remote{} {}",
                    if t.remotes.len() == 1 { "" } else { "s" },
                    t.remotes.iter().map(remote_text).collect::<Vec<_>>().join(", ")
                ));
            }
            if !held.is_empty() {
                writeln!(err, "    in {}", held.join("; "))?;
            }
            if let Some(v) = &t.verification {
                writeln!(err, "    Intercom says: {}", verdict(v))?;
            }
            let invalid = t
                .verification
                .as_ref()
                .is_some_and(|v| v.status == Liveness::Invalid);
            let verdict = match (t.remotes.is_empty(), invalid) {
                (false, false) => format!(
                    "pushed to {}: treat it as leaked, rotate it now (then remove it from history: `intercept purge`)",
                    t.remotes.iter().map(remote_text).collect::<Vec<_>>().join(", ")
                ),
                (false, true) => format!(
                    "pushed to {}, but Intercom no longer accepts it: it was rotated or revoked; remove it from history (`intercept purge`) so scanners stop finding it",
                    t.remotes.iter().map(remote_text).collect::<Vec<_>>().join(", ")
                ),
                (true, _) if !t.doubts.is_empty() => format!(
                    "on no remote-tracking ref, but a remote may have it: {}; rotate it unless you are sure it \
                     never left this clone, then remove it from history (`intercept purge`)",
                    t.doubts.iter().cloned().collect::<Vec<_>>().join("; ")
                ),
                (true, _) => "only in local history (as far as the remote-tracking refs tell: `git fetch --all` \
                              first): remove it before you push (`intercept purge`); rotating is still wise"
                    .to_string(),
            };
            writeln!(err, "    {verdict}")?;
        }
        if self.more > 0 {
            writeln!(
                err,
                "  ... and {} more tokens (the JSON report has them all)",
                self.more
            )?;
        }
        Ok(())
    }
}

/// `origin (https://github.com/org/repo)`, or `this bare repository` for `.`.
pub fn remote_text(r: &Remote) -> String {
    match (r.name.as_str(), &r.url) {
        (".", _) => "this bare repository (a server or a mirror)".to_string(),
        (name, Some(url)) => format!("{name} ({url})"),
        (name, None) => name.to_string(),
    }
}

impl<'w> Listing<'w> {
    pub fn new(out: &'w mut dyn Write, err: &'w mut dyn Write, show_allowed: bool) -> Self {
        Listing {
            out,
            err,
            show_allowed,
            error: None,
            tracks: Tracks::default(),
            kinds: Kinds::default(),
        }
    }

    fn keep(&mut self, result: io::Result<()>) {
        if let Err(e) = result {
            self.error.get_or_insert(e);
        }
    }
}

impl Sink for Listing<'_> {
    fn finding(&mut self, finding: &Finding) {
        self.kinds.add(finding.kind);
        let r = writeln!(self.out, "{}", line(finding));
        self.keep(r);
        self.tracks.add(finding);
    }

    fn allowed(&mut self, allowed: &Allowed) {
        if self.show_allowed {
            let r = writeln!(self.out, "allowed: {} -- {}", line(&allowed.finding), allowed.why);
            self.keep(r);
        }
    }

    fn problem(&mut self, problem: &Problem) {
        let _ = writeln!(self.err, "intercept: {}", problem.message);
    }

    fn notice(&mut self, notice: &Notice) {
        let _ = writeln!(self.err, "intercept: note: {}", notice.message);
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let flushed = self.out.flush();
        self.keep(flushed);
        if summary.findings > 0 {
            self.tracks.write(&mut *self.err)?;
            self.kinds.write_advice(self.err)?;
        }
        writeln!(
            self.err,
            "intercept: {}",
            summary_line_of(summary, self.show_allowed, self.kinds.noun())
        )?;
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// A machine format's sink, with the problems, notes, advice and summary for people on
/// `err` as well.
pub struct Footer<'w, S> {
    inner: S,
    err: &'w mut dyn Write,
    kinds: Kinds,
}

impl<'w, S: Sink> Footer<'w, S> {
    pub fn new(inner: S, err: &'w mut dyn Write) -> Self {
        Footer {
            inner,
            err,
            kinds: Kinds::default(),
        }
    }
}

impl<S: Sink> Sink for Footer<'_, S> {
    fn finding(&mut self, finding: &Finding) {
        self.kinds.add(finding.kind);
        self.inner.finding(finding);
    }

    fn allowed(&mut self, allowed: &Allowed) {
        self.inner.allowed(allowed);
    }

    fn problem(&mut self, problem: &Problem) {
        let _ = writeln!(self.err, "intercept: {}", problem.message);
        self.inner.problem(problem);
    }

    fn notice(&mut self, notice: &Notice) {
        let _ = writeln!(self.err, "intercept: note: {}", notice.message);
        self.inner.notice(notice);
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let written = self.inner.finish(summary);
        if summary.findings > 0 {
            self.kinds.write_advice(self.err)?;
        }
        writeln!(
            self.err,
            "intercept: {}",
            summary_line_of(summary, false, self.kinds.noun())
        )?;
        written
    }
}

/// `scanned 12 files (3.4 KiB): 1 token found, 2 allowed`.
pub fn summary_line(summary: &Summary, show_allowed: bool) -> String {
    summary_line_of(summary, show_allowed, "token")
}

/// The summary line, counting `noun`s (`token`, or `secret` when other secrets were found).
fn summary_line_of(summary: &Summary, show_allowed: bool, noun: &str) -> String {
    let tokens = match summary.findings {
        0 => "no tokens found".to_string(),
        1 => format!("1 {noun} found"),
        n => format!("{n} {noun}s found"),
    };
    let allowed = match summary.allowed {
        0 => String::new(),
        n if show_allowed => format!(", {n} allowed"),
        n => format!(", {n} allowed (--show-allowed lists them)"),
    };
    let problems = match summary.problems {
        0 => String::new(),
        1 => ", 1 problem (not everything was checked)".to_string(),
        n => format!(", {n} problems (not everything was checked)"),
    };
    // `; verified with Intercom: 2 live, 1 invalid, 1 unknown`
    let verified = summary
        .verified
        .map(|v| {
            format!(
                "; verified with Intercom: {} live, {} invalid, {} unknown",
                v.live, v.invalid, v.unknown
            )
        })
        .unwrap_or_default();
    format!(
        "scanned {} {} ({}): {tokens}{allowed}{problems}{verified}",
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

/// What a hook was about to do, for its block message.
#[derive(Clone, Copy, Debug)]
pub struct Blocked<'a> {
    /// `commit`, `merge`, `push`.
    pub action: &'a str,
    /// How to take the token out of what is being done.
    pub remove: &'a str,
    /// The bypass (`git commit --no-verify`); `None` on a server, where there is none.
    pub bypass: Option<&'a str>,
    /// The command that lists every finding, when a block message shows only the first.
    pub list_all: &'a str,
    /// Where the token is while it is stopped, for what the message says about rotating.
    pub held: Held,
}

/// Where a blocked token is: it decides whether rotating is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Held {
    /// In a change not yet committed (a staged file, a message, a patch being applied).
    Staged,
    /// In local commits about to be pushed.
    LocalCommits,
    /// In a push a server refused: the pusher has it, and whatever they shared.
    Refused,
}

impl Blocked<'static> {
    /// What the block message of hook `name` says.
    pub fn for_hook(name: &str) -> Blocked<'static> {
        match name {
            "pre-merge-commit" => Blocked {
                action: "merge",
                remove: "from what the merge brings in (merge with --no-commit, fix, commit)",
                bypass: Some("git merge --no-verify"),
                list_all: "intercept scan --staged",
                held: Held::Staged,
            },
            "pre-applypatch" => Blocked {
                action: "patch",
                remove: "from the patch (`git am --abort`, edit the patch, apply it again)",
                bypass: Some("git am --no-verify"),
                list_all: "intercept scan --staged",
                held: Held::Staged,
            },
            "pre-push" => Blocked {
                action: "push",
                remove:
                    "from the commits that add it before pushing:\n     `git rebase -i <upstream>` and edit each \
                         listed commit (for the last commit: `git commit --amend`)",
                bypass: Some("git push --no-verify"),
                list_all: "intercept scan --range @{upstream}..",
                held: Held::LocalCommits,
            },
            "pre-receive" => Blocked {
                action: "push",
                remove: "from the commits that add it (rewrite them with `git rebase -i`),\n     then push again",
                bypass: None,
                list_all: "intercept scan --range <remote>/<branch>..",
                held: Held::Refused,
            },
            "applypatch-msg" => Blocked {
                action: "patch",
                remove: "from the patch's message (`git am --abort`, edit the patch, apply it again)",
                bypass: Some("git am --no-verify"),
                list_all: "intercept scan <the patch file>",
                held: Held::Staged,
            },
            "commit-msg" => Blocked {
                action: "commit",
                remove: "from the commit message",
                bypass: Some("git commit --no-verify"),
                list_all: "intercept scan --staged",
                held: Held::Staged,
            },
            _ => Blocked {
                action: "commit",
                remove: "from the staged change (edit the file, then `git add` it again)",
                bypass: Some("git commit --no-verify"),
                list_all: "intercept scan --staged",
                held: Held::Staged,
            },
        }
    }
}

/// Findings a block message lists; the rest are counted.
pub const LIMIT: usize = 100;

/// A hook's block message on stderr: findings, problems, what to do. Silent when clean
/// (but for a line naming what an allow-list let through, and notes).
pub struct Block<'w> {
    blocked: Blocked<'w>,
    err: &'w mut dyn Write,
    findings: Vec<Finding>,
    problems: Vec<Problem>,
    notices: Vec<Notice>,
    first_allowed: Option<Allowed>,
}

impl<'w> Block<'w> {
    pub fn new(blocked: Blocked<'w>, err: &'w mut dyn Write) -> Self {
        Block {
            blocked,
            err,
            findings: Vec::new(),
            problems: Vec::new(),
            notices: Vec::new(),
            first_allowed: None,
        }
    }
}

impl Sink for Block<'_> {
    fn finding(&mut self, finding: &Finding) {
        if self.findings.len() < LIMIT {
            self.findings.push(finding.clone());
        }
    }

    fn allowed(&mut self, allowed: &Allowed) {
        self.first_allowed.get_or_insert_with(|| allowed.clone());
    }

    fn problem(&mut self, problem: &Problem) {
        if self.problems.len() < LIMIT {
            self.problems.push(problem.clone());
        }
    }

    fn notice(&mut self, notice: &Notice) {
        if self.notices.len() < LIMIT {
            self.notices.push(notice.clone());
        }
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let b = self.blocked;
        let err = &mut *self.err;
        if summary.findings > 0 {
            let n = summary.findings;
            let kinds = Kinds::of(&self.findings);
            if kinds.only_tokens() {
                writeln!(
                    err,
                    "intercept: blocked this {}: it adds {n} Intercom access token{}.",
                    b.action,
                    if n == 1 { "" } else { "s" }
                )?;
            } else {
                let names: Vec<&str> = kinds.iter().map(Kind::describe).collect();
                writeln!(
                    err,
                    "intercept: blocked this {}: it adds {n} Intercom secret{} ({}).",
                    b.action,
                    if n == 1 { "" } else { "s" },
                    names.join(", ")
                )?;
            }
            for f in &self.findings {
                writeln!(err, "  {}", line(f))?;
            }
            if n > self.findings.len() as u64 {
                writeln!(
                    err,
                    "  ... and {} more (`{}` lists them all)",
                    n - self.findings.len() as u64,
                    b.list_all
                )?;
            }
            // A push option is no commit: it is taken out of the command, not the history.
            let remove = if n == self.findings.len() as u64
                && self
                    .findings
                    .iter()
                    .all(|f| f.origin.subject == Subject::PushOption)
            {
                "from the push options (`git push -o ...`) and push again"
            } else {
                b.remove
            };
            if kinds.only_tokens() {
                write!(
                    err,
                    "What to do:\n  \
                     1. Remove the token {remove}.\n     \
                     Read it from the environment (INTERCOM_ACCESS_TOKEN) or a secret manager instead,\n     \
                     and keep .env files in .gitignore.\n  \
                     2. {}\n",
                    rotation(b.held, &self.findings)
                )?;
            } else {
                write!(
                    err,
                    "What to do:\n  \
                     1. Remove the secret {remove}.\n     \
                     Read it from the environment or a secret manager instead, and keep .env files\n     \
                     in .gitignore.\n  \
                     2. {}\n",
                    leaked_when(b.held, &self.findings)
                )?;
                for k in kinds.iter() {
                    err.write_all(rotate(k).as_bytes())?;
                }
            }
            write!(
                err,
                "  3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow it\n     \
                 (then commit .intercept.toml with it):\n"
            )?;
            let mut shown = Vec::new();
            for f in &self.findings {
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
        for p in &self.problems {
            writeln!(err, "intercept: cannot check this {}: {}", b.action, p.message)?;
        }
        if summary.problems > self.problems.len() as u64 {
            writeln!(
                err,
                "intercept: ... and {} more problems",
                summary.problems - self.problems.len() as u64
            )?;
        }
        if summary.problems > 0 && summary.findings == 0 {
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
        for n in &self.notices {
            writeln!(err, "intercept: note: {}", n.message)?;
        }
        if let Some(first) = &self.first_allowed {
            let n = summary.allowed;
            writeln!(
                err,
                "intercept: {n} token{} allowed ({} fingerprint {}: {}{})",
                if n == 1 { "" } else { "s" },
                location(&first.finding),
                first.finding.fingerprint.short(),
                first.why,
                if n > 1 {
                    "; `intercept scan --show-allowed` lists all"
                } else {
                    ""
                }
            )?;
        }
        err.flush()
    }
}

/// The remotes that already have the findings' commits, for people (`origin (url)`), if any.
fn already_on(findings: &[Finding]) -> Option<String> {
    let remotes: std::collections::BTreeSet<&Remote> = findings
        .iter()
        .filter_map(|f| f.origin.remotes.as_ref())
        .flatten()
        .collect();
    (!remotes.is_empty()).then(|| {
        remotes
            .iter()
            .map(|r| remote_text(r))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Step 2 of a block message: whether to rotate, by what is known of where the token is.
fn rotation(held: Held, findings: &[Finding]) -> String {
    const ROTATE: &str = "generate a new token in the Intercom Developer\n     \
                          Hub (your app > Authentication), deploy it, then revoke the old one.";
    if let Some(on) = already_on(findings) {
        return format!(
            "It is already on {on}:\n     \
             treat it as leaked and rotate it now: {ROTATE}\n     \
             Then take it out of history (`intercept purge`, docs/remediation.md)."
        );
    }
    let doubts: std::collections::BTreeSet<&String> =
        findings.iter().flat_map(|f| &f.origin.doubts).collect();
    if held == Held::LocalCommits && !doubts.is_empty() {
        return format!(
            "No remote-tracking ref has it, but a remote may: {}.\n     \
             Unless you are sure it never left this clone, rotate it: {ROTATE}",
            doubts.into_iter().cloned().collect::<Vec<_>>().join("; ")
        );
    }
    match held {
        Held::Staged => "It is only in this change, not in a commit: once it is out, git has not spread it.\n     \
                         If it was shared some other way (chat, a ticket, a log), treat it as leaked:\n     \
                         generate a new token in the Intercom Developer Hub (your app > Authentication),\n     \
                         deploy it, then revoke the old one."
            .to_string(),
        Held::LocalCommits => "It is in local commits only: no remote intercept knows of has it. Rotating is \
                               still wise:\n     \
                               generate a new token in the Intercom Developer Hub (your app > Authentication),\n     \
                               deploy it, then revoke the old one. To take it out of every local commit at once:\n     \
                               `intercept purge` (docs/remediation.md)."
            .to_string(),
        Held::Refused => format!(
            "The server did not store it, but the pusher's commits hold it: if they were ever pushed\n     \
             elsewhere or shared, treat it as leaked: {ROTATE}"
        ),
    }
}

/// Step 2 of a block message that holds more than tokens: when to treat them as leaked, by
/// what is known of where they are (each kind's way to rotate follows).
fn leaked_when(held: Held, findings: &[Finding]) -> String {
    if let Some(on) = already_on(findings) {
        return format!("It is already on {on}: treat it as leaked and rotate it now:");
    }
    match held {
        Held::Staged => {
            "It is only in this change; if it was shared some other way, treat it as leaked:".to_string()
        }
        _ => "If it was ever pushed, shared or committed, treat it as leaked:".to_string(),
    }
}

/// How to rotate a secret of `kind`, for the block message's step 2.
fn rotate(kind: Kind) -> &'static str {
    match kind {
        Kind::IntercomAccessToken => {
            "     - an access token: generate a new token in the Intercom Developer Hub (your app >\n       \
             Authentication), deploy it, then revoke the old one.\n"
        }
        Kind::IntercomClientSecret => {
            "     - a client secret completes OAuth exchanges and signs your app's webhooks (whoever\n       \
             holds it can forge them): regenerate it in the Developer Hub (your app > Basic\n       \
             information / Authentication), deploy it wherever webhooks are verified and OAuth\n       \
             is completed (INTERCOM_CLIENT_SECRET).\n"
        }
        Kind::IntercomIdentitySecret => {
            "     - an Identity Verification secret signs the Messenger's user_hash and JWTs (whoever\n       \
             holds it can impersonate any user): regenerate it in the Messenger security settings\n       \
             (Developer Hub), then redeploy the server that signs user_hash (INTERCOM_IDENTITY_SECRET).\n"
        }
    }
}

/// `path:line` (or what the bytes are), for one-line notes.
fn location(f: &Finding) -> String {
    match f.origin.subject {
        s if s.is_name() => f.origin.label(),
        _ => format!("{}:{}", f.origin.label(), f.line),
    }
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

/// What the other parents of a merge bring that is already in history: counted, and a few
/// shown (redacted), for the one note the merge gets instead of a block.
#[derive(Default)]
pub struct Brought {
    pub count: u64,
    shown: Vec<String>,
}

impl Brought {
    const SHOWN: usize = 3;

    /// The note: what is there, that it is not this merge's doing, and what it means.
    pub fn note(&self, remote: Option<&str>) -> String {
        let tokens = if self.count == 1 {
            "1 Intercom access token".to_string()
        } else {
            format!("{} Intercom access tokens", self.count)
        };
        let mut note = format!(
            "this merge brings {tokens} that {} already committed on the branch being merged ({}), so the merge \
             does not add {} and was not stopped. ",
            if self.count == 1 { "was" } else { "were" },
            self.shown.join("; "),
            if self.count == 1 { "it" } else { "them" },
        );
        note.push_str(&match remote {
            Some(remote) => format!(
                "It is already on the server ({remote}): treat it as leaked and rotate it (a new token in \
                 the Intercom Developer Hub, deployed, then the old one revoked); `intercept scan --all` \
                 lists every place it is"
            ),
            None => "A push of that branch will be stopped until it is removed from its history \
                     (`intercept scan --range` shows where)"
                .to_string(),
        });
        note
    }
}

impl Sink for Brought {
    fn finding(&mut self, finding: &Finding) {
        self.count += 1;
        if self.shown.len() < Self::SHOWN {
            self.shown
                .push(location(finding) + " " + finding.redacted.as_str());
        }
    }
    fn allowed(&mut self, _: &Allowed) {}
    fn problem(&mut self, _: &Problem) {}
    fn notice(&mut self, _: &Notice) {}
    fn finish(&mut self, _: &Summary) -> io::Result<()> {
        Ok(())
    }
}

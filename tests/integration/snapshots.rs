//! Snapshots of what people read when intercept blocks: the commit, commit-msg, push and
//! pre-receive block messages and the scan listing, word for word, with what changes from
//! run to run (temporary paths, object ids, fingerprints, redacted tokens) replaced by
//! markers. A change of wording fails here and is reviewed; `SNAPSHOTS=overwrite cargo
//! test --test integration snapshots::` rewrites the expected text in place.

use snapbox::{assert_data_eq, str};

use crate::support::{token, Git, Run, TestRepo, PLACEHOLDER};

/// Replaces what varies between runs with stable markers: `root` (the scratch directory)
/// with `[ROOT]`, redacted tokens with `[REDACTED]`, and runs of hex digits by length:
/// 64 `[FINGERPRINT]`, 40 `[OID]`, 12 `[FP]`, 10 `[ID]`, 7 `[ABBREV]`.
fn normalize(text: &str, root: &std::path::Path) -> String {
    let mut text = text.to_string();
    for root in [root.canonicalize().unwrap(), root.to_path_buf()] {
        text = text.replace(root.to_str().unwrap(), "[ROOT]");
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while !rest.is_empty() {
        // A redacted token: `dG9rO` … `…` … up to the next character that is not base64.
        if let Some(tail) = rest.strip_prefix("dG9rO") {
            if let Some(end) = tail.find('…') {
                if end <= 8 && tail[..end].bytes().all(|b| b.is_ascii_alphanumeric()) {
                    let after = &tail[end + '…'.len_utf8()..];
                    let n = after
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '=' || c == '+' || c == '/'))
                        .unwrap_or(after.len());
                    out.push_str("[REDACTED]");
                    rest = &after[n..];
                    continue;
                }
            }
        }
        let c = rest.chars().next().unwrap();
        let boundary = out.chars().last().is_none_or(|p| !p.is_ascii_alphanumeric());
        if boundary && c.is_ascii_hexdigit() {
            let n = rest.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(rest.len());
            let next_ok = rest[n..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            let marker = match n {
                64 => Some("[FINGERPRINT]"),
                40 => Some("[OID]"),
                12 => Some("[FP]"),
                10 => Some("[ID]"),
                7 => Some("[ABBREV]"),
                _ => None,
            };
            if let (Some(marker), true) = (marker, next_ok) {
                if rest[..n].bytes().any(|b| b.is_ascii_digit()) {
                    out.push_str(marker);
                    rest = &rest[n..];
                    continue;
                }
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn stderr(run: &Run, repo: &TestRepo) -> String {
    normalize(&run.stderr, repo.scratch.path())
}

#[test]
fn normalize_replaces_only_what_varies() {
    let root = std::env::temp_dir();
    let text = format!(
        "{}/x: 3f2a9c1b7e app.env:1:3: Intercom access token dG9rOmE5…OjA= (plain, fingerprint 3f2a9c1b7e4d)\n\
         intercept allow {} --reason\nfacade 2026 cafe123 deadbeef",
        root.display(),
        "ab12".repeat(16)
    );
    assert_eq!(
        normalize(&text, &root),
        "[ROOT]/x: [ID] app.env:1:3: Intercom access token [REDACTED] (plain, fingerprint [FP])\n\
         intercept allow [FINGERPRINT] --reason\nfacade 2026 [ABBREV] deadbeef"
    );
}

#[test]
fn the_commit_block_message() {
    // The same words whichever mechanism runs the hook: shims (git 2.47) or config-based
    // hooks (git 2.55).
    for git in Git::BOTH {
        git.select();
        commit_block_message();
    }
}

fn commit_block_message() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let head = repo.head();
    let t = token();
    repo.write(
        "config/app.env",
        format!("# app\nINTERCOM_ACCESS_TOKEN={}\n", t.b64()),
    );
    repo.git(&["add", "config/app.env"]).code(0);
    let run = repo.git(&["commit", "-q", "-m", "add config"]);
    run.code(1);
    assert_eq!(repo.head(), head, "a blocked commit must not move HEAD");
    assert_data_eq!(
        stderr(&run, &repo),
        str![[r#"
intercept: blocked this commit: it adds 1 Intercom access token.
  config/app.env:2:23: Intercom access token [REDACTED] (plain, fingerprint [FP])
What to do:
  1. Remove the token from the staged change (edit the file, then `git add` it again).
     Read it from the environment (INTERCOM_ACCESS_TOKEN) or a secret manager instead,
     and keep .env files in .gitignore.
  2. It is only in this change, not in a commit: once it is out, git has not spread it.
     If it was shared some other way (chat, a ticket, a log), treat it as leaked:
     generate a new token in the Intercom Developer Hub (your app > Authentication),
     deploy it, then revoke the old one.
  3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow it
     (then commit .intercept.toml with it):
       intercept allow [FINGERPRINT] --reason "test fixture"
  4. To commit anyway (your responsibility): git commit --no-verify

"#]]
    );

    // Negative twin: the placeholder commits, and nothing is said.
    repo.write(
        "config/app.env",
        format!("# app\nINTERCOM_ACCESS_TOKEN={PLACEHOLDER}\n"),
    );
    repo.git(&["add", "config/app.env"]).code(0);
    let run = repo.git(&["commit", "-q", "-m", "add config"]);
    run.code(0);
    assert_data_eq!(stderr(&run, &repo), str![""]);
}

#[test]
fn the_commit_message_block_message() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let t = token();
    repo.write("notes.txt", "notes\n");
    repo.git(&["add", "notes.txt"]).code(0);
    let run = repo.git(&["commit", "-q", "-m", &format!("debug with {}", t.b64())]);
    run.code(1);
    assert_data_eq!(
        stderr(&run, &repo),
        str![[r#"
intercept: blocked this commit: it adds 1 Intercom access token.
  (commit message):1:12: Intercom access token [REDACTED] (plain, fingerprint [FP])
What to do:
  1. Remove the token from the commit message.
     Read it from the environment (INTERCOM_ACCESS_TOKEN) or a secret manager instead,
     and keep .env files in .gitignore.
  2. It is only in this change, not in a commit: once it is out, git has not spread it.
     If it was shared some other way (chat, a ticket, a log), treat it as leaked:
     generate a new token in the Intercom Developer Hub (your app > Authentication),
     deploy it, then revoke the old one.
  3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow it
     (then commit .intercept.toml with it):
       intercept allow [FINGERPRINT] --reason "test fixture"
  4. To commit anyway (your responsibility): git commit --no-verify

"#]]
    );
    let run = repo.git(&["commit", "-q", "-m", &format!("debug with {PLACEHOLDER}")]);
    run.code(0);
    assert_data_eq!(stderr(&run, &repo), str![""]);
}

#[test]
fn the_push_block_message() {
    let repo = TestRepo::new();
    repo.install();
    let bare = repo.remote_bare();
    repo.initial_commit();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let before = repo.refs_of(&bare);
    let t = token();
    repo.write("deploy/values.yaml", format!("intercom:\n  token: {}\n", t.b64()));
    repo.git(&["add", "deploy/values.yaml"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "deploy"]).code(0);
    let run = repo.git(&["push", "-q", "origin", "main"]);
    run.code(1);
    assert_eq!(
        repo.refs_of(&bare),
        before,
        "a blocked push must leave the remote as it was"
    );
    assert_data_eq!(
        stderr(&run, &repo),
        str![[r#"
intercept: blocked this push: it adds 1 Intercom access token.
  [ID] deploy/values.yaml:2:10: Intercom access token [REDACTED] (plain, fingerprint [FP])
What to do:
  1. Remove the token from the commits that add it before pushing:
     `git rebase -i <upstream>` and edit each listed commit (for the last commit: `git commit --amend`).
     Read it from the environment (INTERCOM_ACCESS_TOKEN) or a secret manager instead,
     and keep .env files in .gitignore.
  2. It is in local commits only: no remote intercept knows of has it. Rotating is still wise:
     generate a new token in the Intercom Developer Hub (your app > Authentication),
     deploy it, then revoke the old one. To take it out of every local commit at once:
     `intercept purge` (docs/remediation.md).
  3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow it
     (then commit .intercept.toml with it):
       intercept allow [FINGERPRINT] --reason "test fixture"
  4. To push anyway (your responsibility): git push --no-verify
error: failed to push some refs to '[ROOT]/remote.git'

"#]]
    );

    // Negative twin: the same push of a placeholder goes through, silently.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
    repo.write(
        "deploy/values.yaml",
        format!("intercom:\n  token: {PLACEHOLDER}\n"),
    );
    repo.git(&["add", "deploy/values.yaml"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "deploy"]).code(0);
    let run = repo.git(&["push", "-q", "origin", "main"]);
    run.code(0);
    assert_data_eq!(stderr(&run, &repo), str![""]);
}

#[test]
fn the_pre_receive_block_message() {
    // A client without intercept, a server with it.
    let repo = TestRepo::new();
    let bare = repo.remote_bare();
    repo.intercept_in(&bare, &["install"]).code(0);
    repo.initial_commit();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let before = repo.refs_of(&bare);
    let t = token();
    repo.commit_file("leak.env", format!("T={}\n", t.b64()), "leak")
        .code(0);
    let run = repo.git(&["push", "-q", "origin", "main"]);
    run.code(1);
    assert_eq!(repo.refs_of(&bare), before);
    // intercept's part of what the client sees (git's own lines vary with its version).
    let remote: String = stderr(&run, &repo)
        .lines()
        .filter(|l| l.starts_with("remote:"))
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    assert_data_eq!(
        remote,
        str![[r#"
remote: intercept: blocked this push: it adds 1 Intercom access token.
remote:   [ID] leak.env:1:3: Intercom access token [REDACTED] (plain, fingerprint [FP])
remote: What to do:
remote:   1. Remove the token from the commits that add it (rewrite them with `git rebase -i`),
remote:      then push again.
remote:      Read it from the environment (INTERCOM_ACCESS_TOKEN) or a secret manager instead,
remote:      and keep .env files in .gitignore.
remote:   2. The server did not store it, but the pusher's commits hold it: if they were ever pushed
remote:      elsewhere or shared, treat it as leaked: generate a new token in the Intercom Developer
remote:      Hub (your app > Authentication), deploy it, then revoke the old one.
remote:   3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow it
remote:      (then commit .intercept.toml with it):
remote:        intercept allow [FINGERPRINT] --reason "test fixture"
remote:   4. This check runs on the server: `git push --no-verify` does not skip it.

"#]]
    );

    repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
    repo.commit_file("leak.env", format!("T={PLACEHOLDER}\n"), "fine")
        .code(0);
    let run = repo.git(&["push", "-q", "origin", "main"]);
    run.code(0);
    assert_data_eq!(stderr(&run, &repo), str![""]);
}

#[test]
fn the_scan_listing() {
    let repo = TestRepo::new();
    let t = token();
    repo.write("config/app.env", format!("INTERCOM_ACCESS_TOKEN={}\n", t.b64()));
    repo.write("README.md", "# readme\n");
    let run = repo.intercept_in(&repo.root, &["scan", "."]);
    run.code(1);
    let all = format!(
        "--- stdout\n{}--- stderr\n{}",
        normalize(&run.stdout, repo.scratch.path()),
        stderr(&run, &repo)
    );
    assert_data_eq!(
        all,
        str![[r#"
--- stdout
./config/app.env:1:23: Intercom access token [REDACTED] (plain, fingerprint [FP])
--- stderr
What to do:
  1. Remove the token and read it from the environment (INTERCOM_ACCESS_TOKEN) or a
     secret manager instead; keep .env files out of git (.gitignore).
  2. If it was ever pushed, shared or committed, treat it as leaked: generate a new token
     in the Intercom Developer Hub (your app > Authentication), deploy it, then revoke
     the old one.
  3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow
     it: `intercept allow <fingerprint> --reason '...'` (see docs/configuration.md).
intercept: scanned 2 files (92 bytes): 1 token found

"#]]
    );

    repo.write("config/app.env", format!("INTERCOM_ACCESS_TOKEN={PLACEHOLDER}\n"));
    let run = repo.intercept_in(&repo.root, &["scan", "."]);
    run.code(0);
    assert_data_eq!(
        format!("--- stdout\n{}--- stderr\n{}", run.stdout, stderr(&run, &repo)),
        str![[r#"
--- stdout
--- stderr
intercept: scanned 2 files (50 bytes): no tokens found

"#]]
    );
}

#[test]
fn the_scan_listing_when_something_cannot_be_checked() {
    let repo = TestRepo::new();
    repo.write("config/app.env", format!("INTERCOM_ACCESS_TOKEN={PLACEHOLDER}\n"));
    let run = repo.intercept_in(&repo.root, &["scan", "config", "missing.env"]);
    run.code(2);
    assert_data_eq!(
        format!("--- stdout\n{}--- stderr\n{}", run.stdout, stderr(&run, &repo)),
        str![[r#"
--- stdout
--- stderr
intercept: cannot scan missing.env: it does not exist. Check the path, or leave it out of the scan
intercept: scanned 1 file (41 bytes): no tokens found, 1 problem (not everything was checked)

"#]]
    );
    // Twin: only what exists, nothing to report.
    let run = repo.intercept_in(&repo.root, &["scan", "config"]);
    run.code(0);
}

#[test]
fn the_history_scan_summary_per_token() {
    let repo = TestRepo::new();
    repo.remote_bare();
    repo.initial_commit();
    let (pushed, local) = (token(), token());
    crate::support::commit_unchecked(
        &repo,
        "config/app.env",
        &format!("T={}\n", pushed.b64()),
        "config",
    );
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    repo.git(&["checkout", "-q", "-b", "topic"]).code(0);
    crate::support::commit_unchecked(
        &repo,
        "deploy/values.yaml",
        &format!("token: {}\n", local.b64()),
        "deploy",
    );
    crate::support::commit_unchecked(
        &repo,
        "deploy/copy.yaml",
        &format!("copy: {}\n", local.b64()),
        "copy",
    );
    let run = repo.intercept_in(&repo.root, &["scan", "--all"]);
    run.code(1);
    // The listing comes in the order the audit places blobs: sorted here.
    let mut listing: Vec<String> = normalize(&run.stdout, repo.scratch.path())
        .lines()
        .map(String::from)
        .collect();
    listing.sort();
    assert_data_eq!(
        listing.join("\n") + "\n",
        str![[r#"
[ID] config/app.env:1:3: Intercom access token [REDACTED] (plain, fingerprint [FP])
[ID] deploy/copy.yaml:1:7: Intercom access token [REDACTED] (plain, fingerprint [FP])
[ID] deploy/values.yaml:1:8: Intercom access token [REDACTED] (plain, fingerprint [FP])

"#]]
    );
    assert_data_eq!(
        stderr(&run, &repo),
        str![[r#"
Where each token is:
  [REDACTED] (fingerprint [FP]): 1 place; first added in commit [ID] on 2026-01-01T00:00:00+00:00
    in branches main, topic; remote origin ([ROOT]/remote.git)
    pushed to origin ([ROOT]/remote.git): treat it as leaked, rotate it now (then remove it from history: `intercept purge`)
  [REDACTED] (fingerprint [FP]): 2 places; first added in commit [ID] on 2026-01-01T00:00:00+00:00
    in branch topic
    only in local history (as far as the remote-tracking refs tell: `git fetch --all` first): remove it before you push (`intercept purge`); rotating is still wise
What to do:
  1. Remove the token and read it from the environment (INTERCOM_ACCESS_TOKEN) or a
     secret manager instead; keep .env files out of git (.gitignore).
  2. If it was ever pushed, shared or committed, treat it as leaked: generate a new token
     in the Intercom Developer Hub (your app > Authentication), deploy it, then revoke
     the old one.
  3. If it is a deliberate fake (a test fixture), generate it when the test runs, or allow
     it: `intercept allow <fingerprint> --reason '...'` (see docs/configuration.md).
intercept: scanned 15 objects (1.4 KiB): 3 tokens found

"#]]
    );
    // Negative twin: a history with no token says nothing of where tokens are.
    let clean = TestRepo::new();
    clean.initial_commit();
    let run = clean.intercept_in(&clean.root, &["scan", "--all"]);
    run.code(0);
    assert!(!run.stderr.contains("Where each token is"), "{}", run.stderr);
}

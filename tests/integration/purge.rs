//! `intercept purge`: real git (2.47 and 2.55) and the pinned git-filter-repo, in hermetic
//! repositories. After a purge, `scan --all` exits 0, each token reads `***REMOVED***` and
//! every other byte of every file and message is what it was; what it refuses, it refuses
//! before anything changes.

use std::path::Path;
use std::process::Command;

use crate::support::{bin, filter_repo_dir, hermetic, token, Git, Run, TestRepo, Token, PLACEHOLDER};

const REMOVED: &str = "***REMOVED***";

/// `intercept ARGS` in `dir`, with git-filter-repo on PATH.
fn intercept(repo: &TestRepo, dir: &Path, args: &[&str]) -> Run {
    let mut cmd = hermetic(bin(), &repo.home());
    with_filter_repo(&mut cmd);
    cmd.current_dir(dir).args(args);
    Run::new(cmd.output().unwrap(), "intercept")
}

/// Puts git-filter-repo's directory first on `cmd`'s PATH (after this thread's git).
fn with_filter_repo(cmd: &mut Command) {
    let path = cmd
        .get_envs()
        .find(|(k, _)| *k == "PATH")
        .and_then(|(_, v)| v.map(|v| v.to_os_string()))
        .unwrap_or_default();
    let mut dirs: Vec<std::path::PathBuf> = std::env::split_paths(&path).collect();
    // This thread's git stays first; the tool goes right after it.
    dirs.insert(1.min(dirs.len()), filter_repo_dir().to_path_buf());
    cmd.env("PATH", std::env::join_paths(dirs).unwrap());
}

/// Every form of `t` a purge rewrites, with other bytes around each.
fn forms(t: &Token) -> String {
    let nopad = t.no_padding();
    format!(
        "# config\nPLAIN={}\nTRIMMED={nopad}\nurl=https://x.test/?t={nopad}%3D&next=1\n\
         json={{\"t\":\"{nopad}\\u003d\"}}\nhex=\"{nopad}\\x3d\"\ntext={}\nglued=[{}]\nend without newline",
        t.b64(),
        t.text,
        t.b64(),
    )
}

/// What `forms` (or any text) reads after the purge of `tokens`.
fn purged(text: &str, tokens: &[&Token]) -> String {
    let mut s = text.to_string();
    for t in tokens {
        s = s.replace(&t.text, REMOVED);
        for pad in ["=", "%3D", "%3d", "\\u003d", "\\u003D", "\\x3d", "\\x3D"] {
            s = s.replace(&format!("{}{pad}", t.no_padding()), REMOVED);
        }
        s = s.replace(&t.no_padding(), REMOVED);
    }
    s
}

/// `git ARGS`' output, read raw: what history holds, tokens included (not a `Run`, whose
/// leak check is for what intercept prints).
fn git_bytes(repo: &TestRepo, dir: &Path, args: &[&str]) -> Vec<u8> {
    let mut cmd = hermetic("git", &repo.home());
    let out = cmd.current_dir(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every commit of every ref, oldest first, with its message and its files' bytes; and each
/// annotated tag's message.
#[derive(Debug, PartialEq, Eq)]
struct History {
    commits: Vec<(String, Vec<(String, String)>)>,
    tags: Vec<(String, String)>,
}

fn history(repo: &TestRepo, dir: &Path) -> History {
    let list = repo.git_in(dir, &["rev-list", "--all", "--reverse", "--topo-order"]);
    let mut commits = Vec::new();
    for id in list.code(0).stdout.lines() {
        let msg = String::from_utf8(git_bytes(repo, dir, &["log", "-1", "--format=%B", id])).unwrap();
        let tree = String::from_utf8(git_bytes(repo, dir, &["ls-tree", "-r", "--name-only", id])).unwrap();
        let files = tree
            .lines()
            .map(|p| {
                let blob = git_bytes(repo, dir, &["show", &format!("{id}:{p}")]);
                (p.to_string(), String::from_utf8_lossy(&blob).into_owned())
            })
            .collect();
        commits.push((msg, files));
    }
    let mut tags = Vec::new();
    for name in repo.git_in(dir, &["tag"]).stdout.lines() {
        let raw = String::from_utf8(git_bytes(repo, dir, &["cat-file", "tag", name])).unwrap();
        let message = raw
            .split_once("\n\n")
            .map(|(_, m)| m.to_string())
            .unwrap_or_default();
        tags.push((name.to_string(), message));
    }
    History { commits, tags }
}

fn refs(repo: &TestRepo, dir: &Path) -> String {
    repo.refs_of(dir)
}

/// A remote holding a history with `a` in a file (every form), `b` in a file deleted later,
/// `a` in a commit message and `b` in a tag message; `secret(t)` writes each token.
fn leaky_remote(repo: &TestRepo, a: &str, b: &str, a_text: &str) -> std::path::PathBuf {
    let bare = repo.remote_bare();
    repo.initial_commit();
    repo.commit_file("config/app.env", a_text, "add config").code(0);
    repo.commit_file("old.env", format!("OLD={b}\nkeep me\n"), "add old")
        .code(0);
    repo.git(&["rm", "-q", "old.env"]).code(0);
    repo.git(&["commit", "-q", "-m", "remove old"]).code(0);
    repo.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        &format!("debug: token {a} here\n\nsecond paragraph stays"),
    ])
    .code(0);
    repo.git(&["tag", "-a", "v1", "-m", &format!("release {b}\nnotes stay")])
        .code(0);
    repo.git(&["push", "-q", "origin", "main", "v1"]).code(0);
    bare
}

/// The acceptance scenario, in a fresh clone (git-filter-repo's own check passes, no
/// --force): tokens in files, a deleted file, a commit message and a tag message.
fn fresh_clone_purge(git: Git) {
    git.select();
    let repo = TestRepo::new();
    let (a, b) = (token(), token());
    let bare = leaky_remote(&repo, &a.b64(), &b.b64(), &forms(&a));
    let clone = repo.scratch.path().join("clone");
    repo.git_in(
        repo.scratch.path(),
        &["clone", "-q", "--no-local", bare.to_str().unwrap(), "clone"],
    )
    .code(0);
    let old_main = repo
        .git_in(&clone, &["rev-parse", "main"])
        .stdout
        .trim()
        .to_string();
    let before = history(&repo, &clone);
    intercept(&repo, &clone, &["scan", "--all"]).code(1);

    let run = intercept(&repo, &clone, &["purge", "--yes"]);
    run.code(0);
    assert!(
        run.stdout.contains("rotate it now, before purging"),
        "{}",
        run.stdout
    );
    let rotate = run.stdout.find("Rotate first").unwrap();
    let rewrite = run.stdout.find("Rewriting").unwrap();
    assert!(
        rotate < rewrite,
        "rotation is said before the rewrite:\n{}",
        run.stdout
    );

    // Every byte but the tokens is what it was.
    let after = history(&repo, &clone);
    let tokens = [&a, &b];
    let expected = History {
        commits: before
            .commits
            .iter()
            .map(|(m, files)| {
                (
                    purged(m, &tokens),
                    files
                        .iter()
                        .map(|(p, c)| (p.clone(), purged(c, &tokens)))
                        .collect(),
                )
            })
            .collect(),
        tags: before
            .tags
            .iter()
            .map(|(n, m)| (n.clone(), purged(m, &tokens)))
            .collect(),
    };
    assert_eq!(after, expected);
    let app = &after.commits[1].1;
    assert!(
        app.iter().any(|(p, c)| p == "config/app.env"
            && c.contains(&format!("PLAIN={REMOVED}\n"))
            && c.contains(&format!("url=https://x.test/?t={REMOVED}&next=1"))),
        "{app:?}"
    );
    assert!(after.commits[4].0.contains(&format!("token {REMOVED} here")));
    assert!(after.tags[0]
        .1
        .contains(&format!("release {REMOVED}\nnotes stay")));
    intercept(&repo, &clone, &["scan", "--all"]).code(0);

    // The next steps name the remote git-filter-repo removed, the branch, the commit the
    // remote has, and the tag; run as printed, they replace the remote's refs.
    assert!(
        run.stdout
            .contains(&format!("git remote add origin {}", bare.display())),
        "{}",
        run.stdout
    );
    let push = format!("git push --force-with-lease=refs/heads/main:{old_main} origin main");
    assert!(run.stdout.contains(&push), "{}", run.stdout);
    assert!(
        run.stdout.contains("git push --force origin refs/tags/v1"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("pull-request refs"), "{}", run.stdout);
    run_next_steps(&repo, &clone, &run);
    let new_main = repo.git_in(&clone, &["rev-parse", "main"]).stdout;
    let new_tag = repo.git_in(&clone, &["rev-parse", "v1"]).stdout;
    let remote = refs(&repo, &bare);
    assert!(
        remote.contains(&format!("{} refs/heads/main", new_main.trim())),
        "{remote}"
    );
    assert!(
        remote.contains(&format!("{} refs/tags/v1", new_tag.trim())),
        "{remote}"
    );
}

#[test]
fn purge_in_a_fresh_clone_removes_every_token_and_nothing_else() {
    for git in Git::BOTH {
        fresh_clone_purge(git);
    }
}

/// The twin: the same history with placeholders has nothing to purge, and nothing changes.
#[test]
fn purge_of_a_clean_history_changes_nothing() {
    let repo = TestRepo::new();
    let bare = leaky_remote(&repo, PLACEHOLDER, PLACEHOLDER, "PLAIN=dG9rOm<YOUR_TOKEN>\n");
    let clone = repo.scratch.path().join("clone");
    repo.git_in(
        repo.scratch.path(),
        &["clone", "-q", "--no-local", bare.to_str().unwrap(), "clone"],
    )
    .code(0);
    let before = refs(&repo, &clone);
    let run = intercept(&repo, &clone, &["purge", "--yes"]);
    run.code(0);
    assert!(run.stdout.contains("nothing to purge"), "{}", run.stdout);
    assert_eq!(refs(&repo, &clone), before);
}

/// A repository where work happens (not a fresh clone) with `a` and `b` committed.
fn worked_in() -> (TestRepo, Token, Token) {
    let repo = TestRepo::new();
    let (a, b) = (token(), token());
    repo.initial_commit();
    repo.commit_file("a.env", format!("A={}\n", a.b64()), "a").code(0);
    repo.commit_file("b.env", format!("B={}\n", b.b64()), "b").code(0);
    (repo, a, b)
}

#[test]
fn a_dirty_work_tree_is_refused_and_nothing_changes() {
    for git in Git::BOTH {
        git.select();
        let (repo, _, _) = worked_in();
        repo.write("README.md", "# changed\n");
        let (head, before) = (repo.head(), refs(&repo, &repo.root));
        let run = intercept(&repo, &repo.root, &["purge", "--yes", "--force"]);
        run.code(2);
        assert!(run.stderr.contains("git stash"), "{}", run.stderr);
        assert!(run.stderr.contains("README.md"), "{}", run.stderr);
        assert_eq!((repo.head(), refs(&repo, &repo.root)), (head, before));

        // Staged is dirty too.
        repo.git(&["add", "README.md"]).code(0);
        intercept(&repo, &repo.root, &["purge", "--yes", "--force"]).code(2);

        // The twin: an untracked file is not a change to history's files.
        repo.git(&["checkout", "-q", "HEAD", "--", "README.md"]).code(0);
        repo.write("notes.txt", "untracked\n");
        intercept(&repo, &repo.root, &["purge", "--yes", "--force"]).code(0);
        assert_eq!(
            std::fs::read_to_string(repo.root.join("notes.txt")).unwrap(),
            "untracked\n"
        );
    }
}

#[test]
fn git_filter_repo_s_refusal_is_said_and_force_overrides_it() {
    let (repo, _, _) = worked_in();
    let (head, before) = (repo.head(), refs(&repo, &repo.root));
    let run = intercept(&repo, &repo.root, &["purge", "--yes"]);
    run.code(2);
    assert!(run.stderr.contains("git-filter-repo refused"), "{}", run.stderr);
    assert!(run.stderr.contains("fresh clone"), "{}", run.stderr);
    assert!(run.stderr.contains("intercept purge --force"), "{}", run.stderr);
    assert_eq!((repo.head(), refs(&repo, &repo.root)), (head, before));

    let run = intercept(&repo, &repo.root, &["purge", "--yes", "--force"]);
    run.code(0);
    // Nothing was pushed anywhere: no push to run.
    assert!(
        run.stdout.contains("No remote-tracking ref held a token"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("git push --force"), "{}", run.stdout);
    intercept(&repo, &repo.root, &["scan", "--all"]).code(0);
    assert_eq!(
        std::fs::read_to_string(repo.root.join("a.env")).unwrap(),
        format!("A={REMOVED}\n")
    );
}

#[test]
fn fingerprint_removes_only_the_named_token() {
    let (repo, a, b) = worked_in();
    let run = intercept(
        &repo,
        &repo.root,
        &["purge", "--yes", "--force", "--fingerprint", &a.fingerprint()],
    );
    run.code(0);
    assert!(run.stdout.contains("1 token(s)"), "{}", run.stdout);
    assert_eq!(
        std::fs::read_to_string(repo.root.join("a.env")).unwrap(),
        format!("A={REMOVED}\n")
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join("b.env")).unwrap(),
        format!("B={}\n", b.b64())
    );
    let scan = intercept(&repo, &repo.root, &["scan", "--all", "--format", "json"]);
    scan.code(1);
    assert!(scan.stdout.contains(&b.fingerprint()) && !scan.stdout.contains(&a.fingerprint()));

    // The twin: a fingerprint history does not hold changes nothing (exit 2), and so does
    // something that is not a fingerprint.
    let before = refs(&repo, &repo.root);
    let other = token();
    let run = intercept(
        &repo,
        &repo.root,
        &["purge", "--yes", "--force", "--fingerprint", &other.fingerprint()],
    );
    run.code(2);
    assert!(
        run.stderr.contains("no token in this repository's history"),
        "{}",
        run.stderr
    );
    intercept(&repo, &repo.root, &["purge", "--yes", "--fingerprint", "abc"]).code(2);
    assert_eq!(refs(&repo, &repo.root), before);
}

#[test]
fn without_yes_and_without_a_terminal_it_refuses() {
    let (repo, a, _) = worked_in();
    let (head, before) = (repo.head(), refs(&repo, &repo.root));
    let run = intercept(&repo, &repo.root, &["purge", "--force"]);
    run.code(2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert!(run.stdout.contains("Rotate first"), "{}", run.stdout);
    assert_eq!((repo.head(), refs(&repo, &repo.root)), (head, before));
    assert!(std::fs::read_to_string(repo.root.join("a.env"))
        .unwrap()
        .contains(&a.b64()));
    // The twin: --yes is the answer.
    intercept(&repo, &repo.root, &["purge", "--force", "--yes"]).code(0);
}

#[test]
fn a_token_inside_gzip_is_named_as_left_with_exit_1() {
    let repo = TestRepo::new();
    let (a, b) = (token(), token());
    repo.initial_commit();
    let gz = intercept_test_support::zip::gzip(format!("T={}\n", a.b64()).as_bytes());
    repo.commit_file("logs/app.log.gz", gz, "logs").code(0);
    repo.commit_file("plain.env", format!("T={}\n", b.b64()), "plain")
        .code(0);
    let run = intercept(&repo, &repo.root, &["purge", "--yes", "--force"]);
    run.code(1);
    assert!(run.stdout.contains("still hold a purged token"), "{}", run.stdout);
    assert!(run.stdout.contains("logs/app.log.gz"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("git filter-repo --invert-paths --path logs/app.log.gz"),
        "{}",
        run.stdout
    );
    // The plain one is gone; the twin (no archive) exits 0 above and in the other tests.
    assert_eq!(
        std::fs::read_to_string(repo.root.join("plain.env")).unwrap(),
        format!("T={REMOVED}\n")
    );
}

/// Runs every `git …` line of purge's next steps in `dir`, as printed: each must succeed.
fn run_next_steps(repo: &TestRepo, dir: &Path, run: &Run) {
    for line in run
        .stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("git "))
    {
        let mut cmd = hermetic("sh", &repo.home());
        cmd.current_dir(dir).args(["-c", line]);
        Run::new(cmd.output().unwrap(), "next step").code(0);
    }
}

/// A directory holding git alone (the git first on PATH), for a PATH without git-filter-repo.
fn only_git(repo: &TestRepo) -> std::path::PathBuf {
    let dir = repo.scratch.path().join("only-git");
    std::fs::create_dir_all(&dir).unwrap();
    let git = Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap()
        .stdout;
    let git = String::from_utf8(git).unwrap();
    std::os::unix::fs::symlink(git.trim(), dir.join("git")).unwrap();
    dir
}

#[test]
fn without_git_filter_repo_it_says_how_to_install_it() {
    let (repo, _, _) = worked_in();
    // PATH with git alone.
    let only_git = only_git(&repo);
    let mut cmd = hermetic(bin(), &repo.home());
    cmd.current_dir(&repo.root)
        .env("PATH", &only_git)
        .args(["purge", "--yes"]);
    let run = Run::new(cmd.output().unwrap(), "intercept");
    run.code(2);
    assert!(
        run.stderr.contains("pipx install git-filter-repo"),
        "{}",
        run.stderr
    );
    // The twin: with it on PATH, the same command gets as far as git-filter-repo's own check.
    let run = intercept(&repo, &repo.root, &["purge", "--yes"]);
    run.code(2);
    assert!(run.stderr.contains("git-filter-repo refused"), "{}", run.stderr);
}

fn rev(repo: &TestRepo, dir: &Path, spec: &str) -> String {
    let run = repo.git_in(dir, &["rev-parse", spec]);
    run.code(0);
    run.stdout.trim().to_string()
}

/// Two remotes and a branch only `origin` still has: one push per remote branch that held
/// the token, from the ref git-filter-repo left for it; none for a branch that never held it.
#[test]
fn next_steps_cover_every_remote_and_a_branch_only_a_remote_has() {
    let repo = TestRepo::new();
    let a = token();
    let origin = repo.remote_bare();
    let upstream = repo.scratch.path().join("upstream.git");
    repo.git_in(repo.scratch.path(), &["init", "-q", "--bare", "upstream.git"])
        .code(0);
    repo.git(&["remote", "add", "upstream", upstream.to_str().unwrap()])
        .code(0);
    repo.initial_commit();
    // The twin: a branch that never held a token gets no push.
    repo.git(&["push", "-q", "upstream", "main:refs/heads/old"])
        .code(0);
    repo.commit_file("a.env", format!("A={}\n", a.b64()), "a").code(0);
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    repo.git(&["push", "-q", "upstream", "main"]).code(0);
    repo.git(&["checkout", "-q", "-b", "topic"]).code(0);
    repo.commit_file("t.txt", "topic\n", "topic").code(0);
    repo.git(&["push", "-q", "origin", "topic"]).code(0);
    repo.git(&["checkout", "-q", "main"]).code(0);
    repo.git(&["branch", "-q", "-D", "topic"]).code(0);
    let (old_main, old_topic) = (
        rev(&repo, &repo.root, "main"),
        rev(&repo, &repo.root, "origin/topic"),
    );

    let run = intercept(&repo, &repo.root, &["purge", "--yes", "--force"]);
    run.code(0);
    let out = &run.stdout;
    for line in [
        format!("git remote add origin {}", origin.display()),
        format!("git push --force-with-lease=refs/heads/main:{old_main} origin main"),
        format!("git push --force-with-lease=refs/heads/topic:{old_topic} origin topic"),
        format!(
            "git push --force-with-lease=refs/heads/main:{old_main} upstream \
             refs/remotes/upstream/main:refs/heads/main"
        ),
    ] {
        assert!(out.contains(&line), "no `{line}` in:\n{out}");
    }
    assert!(!out.contains("refs/heads/old"), "{out}");
    for line in out.lines().map(str::trim).filter(|l| l.starts_with("git ")) {
        let mut cmd = hermetic("sh", &repo.home());
        cmd.current_dir(&repo.root).args(["-c", line]);
        Run::new(cmd.output().unwrap(), "next step").code(0);
    }
    let main = rev(&repo, &repo.root, "main");
    assert_ne!(main, old_main);
    assert_eq!(rev(&repo, &origin, "main"), main);
    assert_eq!(rev(&repo, &upstream, "main"), main);
    assert_eq!(rev(&repo, &origin, "topic"), rev(&repo, &repo.root, "topic"));
    assert_eq!(
        git_bytes(&repo, &origin, &["show", "topic:a.env"]),
        format!("A={REMOVED}\n").into_bytes()
    );
}

/// A mirror clone (bare; its branches are the remote's): the pushes name them, and run as
/// printed they replace the remote's branch.
#[test]
fn a_mirror_clone_is_purged_and_its_branches_pushed() {
    let repo = TestRepo::new();
    let a = token();
    let origin = repo.remote_bare();
    repo.initial_commit();
    repo.commit_file("a.env", format!("A={}\n", a.b64()), "a").code(0);
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let old_main = rev(&repo, &repo.root, "main");
    let mirror = repo.scratch.path().join("mirror.git");
    repo.git_in(
        repo.scratch.path(),
        &["clone", "-q", "--mirror", origin.to_str().unwrap(), "mirror.git"],
    )
    .code(0);
    let run = intercept(&repo, &mirror, &["purge", "--yes"]);
    run.code(0);
    let push = format!("git push --force-with-lease=refs/heads/main:{old_main} origin main");
    assert!(run.stdout.contains(&push), "{}", run.stdout);
    assert!(run.stdout.contains("rotate it now"), "{}", run.stdout);
    run_next_steps(&repo, &mirror, &run);
    assert_eq!(rev(&repo, &origin, "main"), rev(&repo, &mirror, "main"));
    assert_eq!(
        git_bytes(&repo, &origin, &["show", "main:a.env"]),
        format!("A={REMOVED}\n").into_bytes()
    );
    intercept(&repo, &mirror, &["scan", "--all"]).code(0);
}

#[test]
fn another_worktree_is_refused_and_nothing_changes() {
    let (repo, _, _) = worked_in();
    let other = repo.scratch.path().join("other");
    repo.git(&["worktree", "add", "-q", other.to_str().unwrap(), "-b", "side"])
        .code(0);
    let (head, before) = (repo.head(), refs(&repo, &repo.root));
    let run = intercept(&repo, &repo.root, &["purge", "--yes", "--force"]);
    run.code(2);
    assert!(run.stderr.contains("other worktrees"), "{}", run.stderr);
    assert!(run.stderr.contains("git worktree remove"), "{}", run.stderr);
    assert_eq!((repo.head(), refs(&repo, &repo.root)), (head, before));
    // Twin: once it is removed, the purge runs.
    repo.git(&["worktree", "remove", other.to_str().unwrap()]).code(0);
    intercept(&repo, &repo.root, &["purge", "--yes", "--force"]).code(0);
}

#[test]
fn an_alias_named_filter_repo_never_receives_the_tokens() {
    let (repo, _, _) = worked_in();
    let stolen = repo.scratch.path().join("stolen");
    repo.git(&[
        "config",
        "alias.filter-repo",
        &format!("!f(){{ cat > {}; }}; f", stolen.display()),
    ])
    .code(0);
    // Without git-filter-repo, `git filter-repo` would be the alias: intercept never asks git.
    let only_git = only_git(&repo);
    let mut cmd = hermetic(bin(), &repo.home());
    cmd.current_dir(&repo.root)
        .env("PATH", format!("{}:/bin:/usr/bin", only_git.display()))
        .args(["purge", "--yes", "--force"]);
    let run = Run::new(cmd.output().unwrap(), "intercept");
    run.code(2);
    assert!(
        run.stderr.contains("pipx install git-filter-repo"),
        "{}",
        run.stderr
    );
    assert!(!stolen.exists(), "the alias received the expressions");
    // Twin: with git-filter-repo installed, it runs by its path and purges.
    intercept(&repo, &repo.root, &["purge", "--yes", "--force"]).code(0);
    assert!(!stolen.exists(), "the alias received the expressions");
    intercept(&repo, &repo.root, &["scan", "--all"]).code(0);
}

#[test]
fn a_token_glued_to_more_base64_is_purged_too() {
    let repo = TestRepo::new();
    repo.initial_commit();
    let t = token();
    // The token's text and more, base64-encoded in one run: its last symbol differs from
    // the token's own.
    use base64::Engine as _;
    let glued = base64::engine::general_purpose::STANDARD.encode(format!("{}}}xyz", t.text));
    assert!(
        !glued.contains(&t.no_padding()),
        "the fixture must glue the last symbol"
    );
    repo.commit_file("a.txt", format!("a={glued}\n"), "a").code(0);
    intercept(&repo, &repo.root, &["scan", "--all"]).code(1);
    intercept(&repo, &repo.root, &["purge", "--yes", "--force"]).code(0);
    intercept(&repo, &repo.root, &["scan", "--all"]).code(0);
    let now = std::fs::read_to_string(repo.root.join("a.txt")).unwrap();
    assert!(now.starts_with(&format!("a={REMOVED}")), "{now}");
}

#[test]
fn a_remote_git_filter_repo_removes_is_named_to_add_back_even_without_tokens_on_it() {
    let repo = TestRepo::new();
    let bare = repo.remote_bare();
    repo.initial_commit();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let t = token();
    repo.commit_file("a.env", format!("A={}\n", t.b64()), "a").code(0);
    let run = intercept(&repo, &repo.root, &["purge", "--yes", "--force"]);
    run.code(0);
    let remotes = repo.git(&["remote"]).stdout;
    if remotes.trim().is_empty() {
        assert!(
            run.stdout
                .contains(&format!("git remote add origin {}", bare.display())),
            "{}",
            run.stdout
        );
    } else {
        // Twin (a git-filter-repo that keeps origin): nothing to add back.
        assert!(!run.stdout.contains("git remote add"), "{}", run.stdout);
    }
}

//! pre-push takes `refs/remotes/<remote>/*` as "already on the server" only while they
//! describe the server the push goes to (`src/repo/tracking.rs`). Old history holding a
//! token is on server A (pushed before anyone checked); each case pushes to where that
//! history is not, and its twin pushes where it is.

use std::path::PathBuf;

use crate::support::{token, Git, TestRepo};

const NOTE: &str = "intercept: note:";

/// Server A holding a token in `main`'s history (pushed with no hooks anywhere), and a
/// fresh bare server B. Returns the repository that made them, A and B.
fn servers() -> (TestRepo, PathBuf, PathBuf) {
    let maker = TestRepo::new();
    let a = maker.remote_bare();
    maker.initial_commit();
    let t = token();
    maker
        .commit_file("old.env", format!("T={}\n", t.b64()), "old leak")
        .code(0);
    maker.commit_file("fix.env", "T=nothing\n", "later work").code(0);
    maker.git(&["push", "-q", "origin", "main"]).code(0);
    let b = maker.scratch.path().join("b.git");
    maker
        .git_in(maker.scratch.path(), &["init", "-q", "--bare", "b.git"])
        .code(0);
    (maker, a, b)
}

/// A clone of A with intercept installed globally, in the maker's scratch dir.
fn clone_of(maker: &TestRepo, a: &std::path::Path) -> PathBuf {
    clone_from(maker, &[a.to_str().unwrap()])
}

/// `git clone <args> clone` in the maker's scratch dir, with intercept installed globally,
/// and a `feature` branch with one new commit.
fn clone_from(maker: &TestRepo, args: &[&str]) -> PathBuf {
    maker.intercept_in(&maker.root, &["install", "--global"]).code(0);
    let dir = maker.scratch.path().join("clone");
    let clone = [&["clone", "-q"][..], args, &["clone"]].concat();
    maker.git_in(maker.scratch.path(), &clone).code(0);
    maker.git_in(&dir, &["checkout", "-q", "-b", "feature"]).code(0);
    std::fs::write(dir.join("new.txt"), "new\n").unwrap();
    maker.git_in(&dir, &["add", "new.txt"]).code(0);
    maker.git_in(&dir, &["commit", "-q", "-m", "new work"]).code(0);
    dir
}

#[test]
fn after_remote_set_url_old_history_is_checked_on_the_new_server() {
    for git in Git::BOTH {
        git.select();
        let (maker, a, b) = servers();
        let dir = clone_of(&maker, &a);
        // Twin first: pushing a new branch to A itself is accepted, quickly and quietly
        // (the clone's tracking refs describe A).
        let run = maker.git_in(&dir, &["push", "origin", "feature"]);
        run.code(0);
        assert!(!run.stderr.contains(NOTE), "{git:?}: {}", run.stderr);

        maker
            .git_in(&dir, &["remote", "set-url", "origin", b.to_str().unwrap()])
            .code(0);
        let run = maker.git_in(&dir, &["push", "origin", "feature"]);
        run.code(1);
        assert!(run.stderr.contains("old.env:1:3"), "{git:?}: {}", run.stderr);
        assert!(run.stderr.contains(NOTE), "{git:?}: {}", run.stderr);
        assert_eq!(maker.refs_of(&b), "", "{git:?}: B must stay empty");
    }
}

#[test]
fn a_pushurl_other_than_the_fetch_url_is_not_described_by_the_tracking_refs() {
    for git in Git::BOTH {
        git.select();
        let (maker, a, b) = servers();
        let dir = clone_of(&maker, &a);
        maker
            .git_in(&dir, &["config", "remote.origin.pushurl", b.to_str().unwrap()])
            .code(0);
        let run = maker.git_in(&dir, &["push", "origin", "feature"]);
        run.code(1);
        assert!(run.stderr.contains("old.env:1:3"), "{git:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("this push goes to"),
            "{git:?}: {}",
            run.stderr
        );
        assert_eq!(maker.refs_of(&b), "");

        // Twin: a pushurl naming A itself (another spelling of it) is A.
        let spelled = format!("{}/", a.to_str().unwrap());
        maker
            .git_in(&dir, &["config", "remote.origin.pushurl", &spelled])
            .code(0);
        let run = maker.git_in(&dir, &["push", "origin", "feature"]);
        run.code(0);
        assert!(!run.stderr.contains(NOTE), "{git:?}: {}", run.stderr);
    }
}

#[test]
fn a_tracking_ref_of_a_branch_deleted_on_the_server_is_not_trusted() {
    let (maker, a, _) = servers();
    // The token's history is only on A's branch `old`; main is rewound to the start.
    maker.git_in(&a, &["branch", "old", "main"]).code(0);
    maker
        .git_in(&a, &["update-ref", "refs/heads/main", "main~2"])
        .code(0);
    let dir = clone_of(&maker, &a);
    maker
        .git_in(&dir, &["branch", "-f", "from-old", "origin/old"])
        .code(0);
    // Twin first: while A has `old`, a new branch from it is accepted.
    maker
        .git_in(&dir, &["push", "-q", "origin", "from-old:refs/heads/copy"])
        .code(0);
    maker.git_in(&a, &["update-ref", "-d", "refs/heads/copy"]).code(0);

    // Someone deletes `old` on the server; a fetch without --prune keeps origin/old.
    maker.git_in(&a, &["update-ref", "-d", "refs/heads/old"]).code(0);
    maker.git_in(&dir, &["fetch", "-q", "origin"]).code(0);
    assert!(!maker
        .git_in(&dir, &["rev-parse", "-q", "--verify", "origin/old"])
        .stdout
        .is_empty());
    let before = maker.refs_of(&a);
    let run = maker.git_in(&dir, &["push", "origin", "from-old:refs/heads/copy"]);
    run.code(1);
    assert!(run.stderr.contains("old.env:1:3"), "{}", run.stderr);
    assert!(run.stderr.contains("refs/remotes/origin/old"), "{}", run.stderr);
    assert_eq!(maker.refs_of(&a), before);
}

#[test]
fn after_a_fetch_and_after_push_u_the_tracking_refs_are_still_trusted() {
    let (maker, a, _) = servers();
    let dir = clone_of(&maker, &a);
    // Real clocks here: reflog entries carry the committer date, which the tests fix.
    let git = |args: &[&str]| {
        let mut cmd = crate::support::hermetic("git", &maker.home());
        cmd.current_dir(&dir)
            .env_remove("GIT_COMMITTER_DATE")
            .env_remove("GIT_AUTHOR_DATE")
            .args(args);
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = git(&["fetch", "-q", "origin"]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = git(&["push", "-u", "origin", "feature"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains(NOTE), "{stderr}");
    // `push -u` wrote the upstream into .git/config just after updating origin/feature.
    let (_, _) = git(&["checkout", "-q", "-b", "second"]);
    let (code, stderr) = git(&["push", "-u", "origin", "second"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains(NOTE), "{stderr}");
}

#[test]
fn a_second_url_or_a_global_rewrite_or_a_look_alike_path_is_not_the_fetched_server() {
    for case in ["second url", "global insteadOf", "look-alike"] {
        let (maker, a, b) = servers();
        let dir = clone_of(&maker, &a);
        maker.git_in(&dir, &["fetch", "-q", "origin"]).code(0);
        // Twin first: pushing to A itself is accepted without a note.
        let run = maker.git_in(&dir, &["push", "origin", "feature"]);
        run.code(0);
        assert!(!run.stderr.contains(NOTE), "{case}: {}", run.stderr);
        let target = match case {
            "second url" => {
                maker
                    .git_in(
                        &dir,
                        &["remote", "set-url", "--add", "origin", b.to_str().unwrap()],
                    )
                    .code(0);
                b.clone()
            }
            "global insteadOf" => {
                let key = format!("url.{}.insteadOf", b.to_str().unwrap());
                maker
                    .git_in(&dir, &["config", "--global", &key, a.to_str().unwrap()])
                    .code(0);
                b.clone()
            }
            _ => {
                // A.git's neighbour without `.git`: another repository.
                let other = a.with_extension("");
                maker
                    .git_in(
                        maker.scratch.path(),
                        &["init", "-q", "--bare", other.to_str().unwrap()],
                    )
                    .code(0);
                maker
                    .git_in(
                        &dir,
                        &["remote", "set-url", "--push", "origin", other.to_str().unwrap()],
                    )
                    .code(0);
                other
            }
        };
        let run = maker.git_in(&dir, &["push", "origin", "feature"]);
        assert_ne!(run.code, 0, "{case}: {}", run.stderr);
        assert!(run.stderr.contains("old.env:1:3"), "{case}: {}", run.stderr);
        assert_eq!(
            maker.refs_of(&target),
            "",
            "{case}: the other server must stay empty"
        );
    }
}

/// A stand-in for ssh that serves `<root>/<host>/<path>` from this machine. git runs
/// `<ssh> [options] [user@]host "git-upload-pack '<path>'"`; an `ssh://` URL's path
/// comes absolute, an scp-like one's relative: both land in the same directory.
fn fake_ssh(maker: &TestRepo, hosts: &[(&str, &std::path::Path)]) -> PathBuf {
    let root = maker.scratch.path().join("ssh-hosts");
    for (host, repo) in hosts {
        let dir = root.join(host).join("org");
        std::fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(repo, dir.join("repo.git")).unwrap();
    }
    let script = maker.scratch.path().join("fake-ssh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nwhile [ $# -gt 2 ]; do shift; done\nhost=${{1#*@}}\n\
             cmd=$(printf '%s' \"$2\" | sed \"s|'/|'|\")\ncd '{}'/\"$host\" || exit 128\nexec sh -c \"$cmd\"\n",
            root.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn fetching_over_ssh_url_and_pushing_over_scp_form_is_one_server() {
    for git in Git::BOTH {
        git.select();
        let (maker, a, b) = servers();
        let ssh = fake_ssh(&maker, &[("example.invalid", &a), ("other.invalid", &b)]);
        let ssh_config = format!("core.sshCommand={}", ssh.display());
        let dir = clone_from(
            &maker,
            &["-c", &ssh_config, "ssh://git@example.invalid/org/repo.git"],
        );

        // Fetch over `ssh://`, push in the scp form (what `pushInsteadOf` and `pushurl`
        // set-ups write): the same host and path, so the same server. The old history
        // behind origin/main is on it already: no note, nothing of it checked again.
        maker
            .git_in(
                &dir,
                &[
                    "config",
                    "remote.origin.pushurl",
                    "git@example.invalid:org/repo.git",
                ],
            )
            .code(0);
        let run = maker.git_in(&dir, &["push", "origin", "feature"]);
        run.code(0);
        assert!(!run.stderr.contains(NOTE), "{git:?}: {}", run.stderr);
        assert!(maker.refs_of(&a).contains("refs/heads/feature"), "{git:?}");

        // Twin: the same path on another host is another server, which has nothing.
        maker
            .git_in(
                &dir,
                &[
                    "config",
                    "remote.origin.pushurl",
                    "git@other.invalid:org/repo.git",
                ],
            )
            .code(0);
        let run = maker.git_in(&dir, &["push", "origin", "feature"]);
        run.code(1);
        assert!(run.stderr.contains("old.env:1:3"), "{git:?}: {}", run.stderr);
        assert!(run.stderr.contains(NOTE), "{git:?}: {}", run.stderr);
        assert_eq!(maker.refs_of(&b), "", "{git:?}: the other server must stay empty");
    }
}

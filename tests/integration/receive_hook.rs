//! The server side: a bare repository with intercept's pre-receive, pushed to by a client
//! that has no intercept at all.

use std::path::PathBuf;

use crate::support::{token, TestRepo};

/// A client without intercept, and a bare server with `intercept install` run in it.
fn server() -> (TestRepo, PathBuf) {
    let repo = TestRepo::new();
    let bare = repo.remote_bare();
    let run = repo.intercept_in(&bare, &["install"]);
    run.code(0);
    assert!(run.stderr.contains("pre-receive"), "{}", run.stderr);
    repo.initial_commit();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    (repo, bare)
}

#[test]
fn a_push_carrying_a_token_is_rejected_and_the_client_is_told() {
    let (repo, bare) = server();
    let before = repo.refs_of(&bare);
    let t = token();
    let c = repo.commit_file("leak.env", format!("T={}\n", t.b64()), "leak");
    c.code(0); // no intercept on the client
    let head = repo.head();
    let run = repo.git(&["push", "origin", "main"]);
    run.code(1);
    for needle in [
        "remote: intercept: blocked this push",
        &format!("remote:   {} leak.env:1:3:", &head[..10]),
        "does not skip it",
        "pre-receive hook declined",
    ] {
        assert!(
            run.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stderr
        );
    }
    assert_eq!(repo.refs_of(&bare), before, "the remote's refs must not move");

    // Twin: a clean push is accepted.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
    repo.commit_file("ok.txt", "ok\n", "ok").code(0);
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    assert_ne!(repo.refs_of(&bare), before);
}

#[test]
fn only_commits_new_to_the_server_are_checked() {
    let (repo, bare) = server();
    let t = token();
    // A branch the server already has (accepted before the hook was there).
    std::fs::remove_file(bare.join("hooks/pre-receive")).unwrap();
    repo.git(&["checkout", "-q", "-b", "old"]).code(0);
    repo.commit_file("old.env", format!("T={}\n", t.b64()), "old")
        .code(0);
    repo.git(&["push", "-q", "origin", "old"]).code(0);
    repo.intercept_in(&bare, &["install"]).code(0);
    // Pushing main with old merged in: the old commit is on the server already.
    repo.git(&["checkout", "-q", "main"]).code(0);
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge old", "old"])
        .code(0);
    repo.git(&["push", "-q", "origin", "main"]).code(0);
}

#[test]
fn a_corrupt_incoming_object_fails_closed() {
    let (repo, bare) = server();
    // What git would hand pre-receive: a quarantine holding a broken loose object.
    let quarantine = repo.scratch.path().join("incoming");
    let id = "1234567890123456789012345678901234567890";
    std::fs::create_dir_all(quarantine.join(&id[..2])).unwrap();
    std::fs::write(quarantine.join(&id[..2]).join(&id[2..]), b"this is not zlib").unwrap();
    let head = repo.head();
    let mut cmd = crate::support::hermetic(crate::support::bin(), &repo.home());
    cmd.current_dir(&bare)
        .env("GIT_DIR", ".")
        .env("GIT_QUARANTINE_PATH", &quarantine)
        .env("GIT_OBJECT_DIRECTORY", &quarantine)
        .args(["hook", "pre-receive"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{head} {id} refs/heads/main").unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("cannot read object {id}")), "{stderr}");
    assert!(stderr.contains("could not check it"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn running_out_of_time_rejects_with_a_clear_message() {
    let (repo, bare) = server();
    std::fs::write(
        bare.join("config"),
        std::fs::read_to_string(bare.join("config")).unwrap() + "[receive]\n\tdenyCurrentBranch = ignore\n",
    )
    .unwrap();
    repo.commit_file("a.txt", "a\n", "a").code(0);
    let mut cmd = crate::support::hermetic("git", &repo.home());
    cmd.current_dir(&repo.root)
        .env("INTERCEPT_TIME_BUDGET", "0.000001")
        .args(["push", "origin", "main"]);
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("ran out of its time budget"), "{stderr}");
}

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

/// `git config KEY VALUE` in the server's repository (what its admin sets).
fn admin_sets(repo: &TestRepo, bare: &std::path::Path, key: &str, value: &str) {
    repo.git_in(bare, &["config", key, value]).code(0);
}

/// The allow-list entry for `t`, as a pusher would write it.
fn allow_file(t: &crate::support::Token) -> String {
    format!(
        "[[allow]]\nfingerprint = \"{}\"\nreason = \"the pusher says so\"\n",
        t.fingerprint()
    )
}

#[test]
fn a_side_branch_allow_list_does_not_let_a_token_into_main_in_the_same_push() {
    for mode in [None, Some("target")] {
        let (repo, bare) = server();
        if let Some(mode) = mode {
            admin_sets(&repo, &bare, "intercept.pushedAllowlist", mode);
        }
        let t = token();
        repo.git(&["checkout", "-q", "-b", "side"]).code(0);
        repo.commit_file(".intercept.toml", allow_file(&t), "allow it")
            .code(0);
        repo.git(&["checkout", "-q", "main"]).code(0);
        repo.commit_file("leak.env", format!("T={}\n", t.b64()), "leak")
            .code(0);
        let before = repo.refs_of(&bare);
        let run = repo.git(&["push", "origin", "side", "main"]);
        run.code(1);
        assert!(run.stderr.contains("leak.env:1:3"), "{mode:?}: {}", run.stderr);
        assert_eq!(repo.refs_of(&bare), before, "{mode:?}: no ref may move");
        // Twin: without the token the same two branches are accepted.
        repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
        repo.git(&["push", "-q", "origin", "side", "main"]).code(0);
    }
}

#[test]
fn with_pushed_allowlist_target_only_entries_already_on_the_branch_count() {
    let (repo, bare) = server();
    admin_sets(&repo, &bare, "intercept.pushedAllowlist", "target");
    let t = token();
    // The entry reaches main first, in a push of its own (reviewed like any change).
    repo.commit_file(".intercept.toml", allow_file(&t), "allow the fixture")
        .code(0);
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    repo.commit_file("fixture.env", format!("T={}\n", t.b64()), "fixture")
        .code(0);
    let run = repo.git(&["push", "origin", "main"]);
    run.code(0);
    assert_eq!(repo.head_in(&bare), repo.head());
    // A new branch is judged by the default branch's file, which has the entry.
    repo.git(&["push", "-q", "origin", "main:refs/heads/copy"])
        .code(0);

    // Twin: the default policy ignores every pushed file, even one already on main.
    let (repo, bare) = server();
    repo.commit_file(".intercept.toml", allow_file(&t), "allow the fixture")
        .code(0);
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let before = repo.refs_of(&bare);
    repo.commit_file("fixture.env", format!("T={}\n", t.b64()), "fixture")
        .code(0);
    let run = repo.git(&["push", "origin", "main"]);
    run.code(1);
    assert!(run.stderr.contains("fixture.env:1:3"), "{}", run.stderr);
    assert_eq!(repo.refs_of(&bare), before);
}

#[test]
fn a_pushed_config_cannot_turn_inline_markers_back_on() {
    let t = token();
    let marked = format!("T={}  # intercept:allow\n", t.b64());
    let (repo, bare) = server();
    admin_sets(&repo, &bare, "intercept.inlineMarkers", "false");
    repo.write(".intercept.toml", "inline_markers = true\n");
    repo.git(&["add", ".intercept.toml"]).code(0);
    repo.commit_file("marked.env", &marked, "marked").code(0);
    let before = repo.refs_of(&bare);
    let run = repo.git(&["push", "origin", "main"]);
    run.code(1);
    assert!(run.stderr.contains("marked.env:1:3"), "{}", run.stderr);
    assert_eq!(repo.refs_of(&bare), before);

    // Twin: the admin allows markers, and the same push (config file and all) is accepted.
    admin_sets(&repo, &bare, "intercept.inlineMarkers", "true");
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    assert_eq!(repo.head_in(&bare), repo.head());
}

#[test]
fn markers_are_off_on_a_server_unless_its_admin_turns_them_on() {
    let t = token();
    let (repo, bare) = server();
    repo.commit_file(
        "marked.env",
        format!("T={}  # intercept:allow\n", t.b64()),
        "marked",
    )
    .code(0);
    repo.git(&["push", "origin", "main"]).code(1);
    admin_sets(&repo, &bare, "intercept.inlineMarkers", "yes");
    repo.git(&["push", "-q", "origin", "main"]).code(0);
}

#[test]
fn a_pushed_time_budget_has_no_effect_and_never_panics() {
    for value in ["0", "-1", "1e300", "nan", "inf"] {
        let (repo, bare) = server();
        // The server's budget: far too short for any push.
        admin_sets(&repo, &bare, "intercept.timeBudget", "0.000001");
        repo.commit_file(".intercept.toml", format!("time_budget = {value}\n"), "budget")
            .code(0);
        let before = repo.refs_of(&bare);
        let run = repo.git(&["push", "origin", "main"]);
        run.code(1);
        assert!(
            run.stderr.contains("ran out of its time budget"),
            "{value}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{value}: {}", run.stderr);
        assert_eq!(repo.refs_of(&bare), before);
        // Twin: with the server's default budget the same push is accepted.
        repo.git_in(&bare, &["config", "--unset", "intercept.timeBudget"])
            .code(0);
        repo.git(&["push", "-q", "origin", "main"]).code(0);
    }
}

#[test]
fn a_bad_value_in_the_servers_config_rejects_the_push_and_names_the_key() {
    for (key, value) in [
        ("intercept.timeBudget", "1e300"),
        ("intercept.timeBudget", "nan"),
        ("intercept.timeBudget", "-1"),
        ("intercept.inlineMarkers", "maybe"),
        ("intercept.maxDecompressed", "lots"),
        ("intercept.pushedAllowlist", "everything"),
    ] {
        let (repo, bare) = server();
        admin_sets(&repo, &bare, key, value);
        repo.commit_file("a.txt", "a\n", "a").code(0);
        let before = repo.refs_of(&bare);
        let run = repo.git(&["push", "origin", "main"]);
        run.code(1);
        assert!(run.stderr.contains(key), "{key}={value}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert_eq!(repo.refs_of(&bare), before);
    }
    // Twin: good values of each are accepted.
    let (repo, bare) = server();
    for (key, value) in [
        ("intercept.timeBudget", "30"),
        ("intercept.inlineMarkers", "off"),
        ("intercept.maxDecompressed", "64m"),
        ("intercept.pushedAllowlist", "ignore"),
    ] {
        admin_sets(&repo, &bare, key, value);
    }
    repo.commit_file("a.txt", "a\n", "a").code(0);
    repo.git(&["push", "-q", "origin", "main"]).code(0);
}

#[test]
fn the_server_file_sets_policy_and_a_pushed_file_cannot_widen_it() {
    let t = token();
    let (repo, bare) = server();
    let file = repo.scratch.write(
        "etc/server.toml",
        format!(
            "pushed_allowlist = \"ignore\"\n[[allow]]\nfingerprint = \"{}\"\nreason = \"the admin's fixture\"\n",
            t.fingerprint()
        ),
    );
    repo.commit_file("fixture.env", format!("T={}\n", t.b64()), "fixture")
        .code(0);
    let push = |server_file: Option<&std::path::Path>| {
        let mut cmd = crate::support::hermetic("git", &repo.home());
        cmd.current_dir(&repo.root).args(["push", "origin", "main"]);
        if let Some(f) = server_file {
            cmd.env("INTERCEPT_SERVER_CONFIG", f);
        }
        cmd.output().unwrap()
    };
    // Without the admin's entry the token is rejected.
    let out = push(Some(&repo.scratch.path().join("etc/missing.toml")));
    assert_eq!(out.status.code(), Some(1));
    assert_ne!(repo.head_in(&bare), repo.head());
    // With it, accepted.
    let out = push(Some(&file));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(repo.head_in(&bare), repo.head());
}

#[test]
fn a_bare_repository_under_the_global_install_is_protected_after_intercept_install() {
    for git in crate::support::Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        repo.install();
        let bare = repo.remote_bare();
        let run = repo.intercept_in(&bare, &["install"]);
        run.code(0);
        assert!(run.stderr.contains("pre-receive"), "{git:?}: {}", run.stderr);
        let status = repo.intercept_in(&bare, &["status"]);
        status.code(0);
        assert!(
            status.stdout.contains("pre-receive"),
            "{git:?}: {}",
            status.stdout
        );
        repo.initial_commit();
        repo.git(&["push", "-q", "origin", "main"]).code(0);
        let t = token();
        // The client's own hooks are skipped: only the server can stop it now.
        repo.write("leak.env", format!("T={}\n", t.b64()));
        repo.git(&["add", "leak.env"]).code(0);
        repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]).code(0);
        let before = repo.refs_of(&bare);
        let run = repo.git(&["push", "--no-verify", "origin", "main"]);
        run.code(1);
        assert!(
            run.stderr.contains("remote: intercept: blocked this push"),
            "{git:?}: {}",
            run.stderr
        );
        assert_eq!(repo.refs_of(&bare), before, "{git:?}");
        // Twin: a clean push is accepted.
        repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
        repo.commit_file("ok.txt", "ok\n", "ok").code(0);
        repo.git(&["push", "-q", "origin", "main"]).code(0);
        assert_eq!(repo.head_in(&bare), repo.head(), "{git:?}");
    }
}

#[test]
fn status_in_a_bare_repository_says_whether_a_checking_pre_receive_runs() {
    for git in crate::support::Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        repo.install();
        let bare = repo.remote_bare();
        let status = repo.intercept_in(&bare, &["status"]);
        assert_eq!(status.code, 1, "{git:?}: {status:?}");
        assert!(
            status
                .stdout
                .contains("Run `intercept install` in this repository"),
            "{git:?}: {}",
            status.stdout
        );
        repo.intercept_in(&bare, &["install"]).code(0);
        repo.intercept_in(&bare, &["status"]).code(0);
    }
}

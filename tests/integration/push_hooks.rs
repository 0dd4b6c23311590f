//! Push-time checks through the installed hooks, with the real git and a local bare
//! remote: each positive case has a negative twin, and a blocked push leaves the remote's
//! refs as they were.

use crate::support::{commit_unchecked, pushed, token, Run, PLACEHOLDER};

#[track_caller]
fn assert_push_blocked(run: &Run, commit: &str, location: &str) {
    run.code(1);
    for needle in [
        "intercept: blocked this push",
        &format!("{} {location}", &commit[..10]),
        "git rebase -i",
        "revoke",
        "git push --no-verify",
    ] {
        assert!(
            run.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_new_branch_carrying_a_token_is_blocked() {
    let (repo, bare) = pushed();
    let before = repo.refs_of(&bare);
    repo.git(&["checkout", "-q", "-b", "feature"]).code(0);
    let t = token();
    let c = commit_unchecked(&repo, "f.env", &format!("T={}\n", t.b64()), "feature");
    assert_push_blocked(&repo.git(&["push", "-q", "origin", "feature"]), &c, "f.env:1:3:");
    assert_eq!(repo.refs_of(&bare), before);

    repo.git(&["checkout", "-q", "-b", "clean", "main"]).code(0);
    commit_unchecked(&repo, "c.env", &format!("T={PLACEHOLDER}\n"), "clean");
    repo.git(&["push", "-q", "origin", "clean"]).code(0);
    assert_ne!(repo.refs_of(&bare), before);
}

#[test]
fn a_fast_forward_with_a_no_verify_commit_is_caught_at_push() {
    let (repo, bare) = pushed();
    let before = repo.refs_of(&bare);
    let t = token();
    commit_unchecked(&repo, "ok.txt", "fine\n", "ok");
    let c = commit_unchecked(&repo, "app.env", &format!("A=1\nT={}\n", t.b64()), "leak");
    commit_unchecked(&repo, "later.txt", "later\n", "later");
    assert_push_blocked(&repo.git(&["push", "-q", "origin", "main"]), &c, "app.env:2:3:");
    assert_eq!(repo.refs_of(&bare), before);

    repo.git(&["reset", "-q", "--hard", "origin/main"]).code(0);
    commit_unchecked(&repo, "app.env", "A=1\nT=${INTERCOM_ACCESS_TOKEN}\n", "fine");
    repo.git(&["push", "-q", "origin", "main"]).code(0);
}

#[test]
fn a_force_push_over_a_commit_we_do_not_have() {
    let (repo, bare) = pushed();
    // Someone else pushes a commit this clone never fetches.
    let other = repo.scratch.path().join("other");
    repo.git_in(
        repo.scratch.path(),
        &["clone", "-q", bare.to_str().unwrap(), "other"],
    )
    .code(0);
    std::fs::write(other.join("theirs.txt"), "theirs\n").unwrap();
    repo.git_in(&other, &["add", "theirs.txt"]).code(0);
    repo.git_in(&other, &["commit", "-q", "--no-verify", "-m", "theirs"])
        .code(0);
    repo.git_in(&other, &["push", "-q", "origin", "main"]).code(0);
    let before = repo.refs_of(&bare);

    let t = token();
    let c = commit_unchecked(&repo, "mine.env", &format!("T={}\n", t.b64()), "mine");
    assert_push_blocked(
        &repo.git(&["push", "-q", "--force", "origin", "main"]),
        &c,
        "mine.env:1:3:",
    );
    assert_eq!(repo.refs_of(&bare), before);

    repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
    commit_unchecked(&repo, "mine.txt", "mine\n", "mine");
    repo.git(&["push", "-q", "--force", "origin", "main"]).code(0);
    assert_ne!(repo.refs_of(&bare), before);
}

#[test]
fn deleting_a_branch_that_holds_a_token_is_not_blocked() {
    let (repo, bare) = pushed();
    repo.git(&["checkout", "-q", "-b", "old"]).code(0);
    let t = token();
    let c = commit_unchecked(&repo, "o.env", &format!("T={}\n", t.b64()), "old");
    // Pushing it is blocked ...
    assert_push_blocked(&repo.git(&["push", "-q", "origin", "old"]), &c, "o.env:1:3:");
    repo.git(&["push", "-q", "--no-verify", "origin", "old"]).code(0);
    assert!(repo.refs_of(&bare).contains("refs/heads/old"));
    // ... deleting it sends nothing and passes.
    repo.git(&["push", "-q", "origin", "--delete", "old"]).code(0);
    assert!(!repo.refs_of(&bare).contains("refs/heads/old"));
}

#[test]
fn tags_lightweight_and_annotated() {
    let (repo, bare) = pushed();
    let t = token();
    let c = commit_unchecked(&repo, "t.env", &format!("T={}\n", t.b64()), "tagged");
    repo.git(&["tag", "light"]).code(0);
    assert_push_blocked(&repo.git(&["push", "-q", "origin", "light"]), &c, "t.env:1:3:");
    repo.git(&["reset", "-q", "--hard", "origin/main"]).code(0);

    // An annotated tag whose message holds a token, on a clean commit.
    let before = repo.refs_of(&bare);
    repo.git(&[
        "tag",
        "-a",
        "v1",
        "-m",
        &format!("release, token {}", token().b64()),
    ])
    .code(0);
    let run = repo.git(&["push", "-q", "origin", "v1"]);
    run.code(1);
    assert!(run.stderr.contains("(tag message):1:16:"), "{}", run.stderr);
    assert_eq!(repo.refs_of(&bare), before);

    repo.git(&["tag", "-a", "v2", "-m", "release notes"]).code(0);
    repo.git(&["push", "-q", "origin", "v2"]).code(0);
    assert!(repo.refs_of(&bare).contains("refs/tags/v2"));
}

#[test]
fn every_ref_of_a_push_is_checked() {
    let (repo, bare) = pushed();
    let before = repo.refs_of(&bare);
    repo.git(&["checkout", "-q", "-b", "first"]).code(0);
    commit_unchecked(&repo, "a.txt", "a\n", "a");
    repo.git(&["checkout", "-q", "-b", "second", "main"]).code(0);
    let t = token();
    let c = commit_unchecked(&repo, "b.env", &format!("T={}\n", t.b64()), "b");
    assert_push_blocked(
        &repo.git(&["push", "-q", "origin", "first", "second"]),
        &c,
        "b.env:1:3:",
    );
    assert_eq!(repo.refs_of(&bare), before);

    repo.git(&["reset", "-q", "--hard", "main"]).code(0);
    commit_unchecked(&repo, "b.txt", "b\n", "b");
    repo.git(&["push", "-q", "origin", "first", "second"]).code(0);
}

#[test]
fn a_token_already_on_the_remote_is_not_reported_again() {
    let (repo, _bare) = pushed();
    let t = token();
    commit_unchecked(&repo, "legacy.env", &format!("T={}\n", t.b64()), "legacy");
    repo.git(&["push", "-q", "--no-verify", "origin", "main"]).code(0);
    // New work on top, touching the same file elsewhere: nothing new to report.
    commit_unchecked(&repo, "legacy.env", &format!("T={}\nB=2\n", t.b64()), "more");
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    // Twin: a new token on top is reported, the old one is not.
    let c = commit_unchecked(
        &repo,
        "legacy.env",
        &format!("T={}\nB=2\nN={}\n", t.b64(), token().b64()),
        "new",
    );
    let run = repo.git(&["push", "-q", "origin", "main"]);
    assert_push_blocked(&run, &c, "legacy.env:3:3:");
    assert!(!run.stderr.contains("legacy.env:1:"), "{}", run.stderr);
}

#[test]
fn a_token_added_then_removed_within_the_push_still_blocks() {
    let (repo, bare) = pushed();
    let before = repo.refs_of(&bare);
    let t = token();
    let c = commit_unchecked(&repo, "x.env", &format!("T={}\n", t.b64()), "add");
    commit_unchecked(&repo, "x.env", "T=\n", "remove");
    assert_push_blocked(&repo.git(&["push", "-q", "origin", "main"]), &c, "x.env:1:3:");
    assert_eq!(repo.refs_of(&bare), before);
    repo.git(&["reset", "-q", "--hard", "origin/main"]).code(0);
    commit_unchecked(&repo, "x.env", "T=1\n", "add");
    commit_unchecked(&repo, "x.env", "T=\n", "remove");
    repo.git(&["push", "-q", "origin", "main"]).code(0);
}

#[test]
fn an_evil_merge_is_caught_and_a_plain_merge_is_not() {
    let (repo, bare) = pushed();
    repo.git(&["checkout", "-q", "-b", "side"]).code(0);
    commit_unchecked(&repo, "side.txt", "side\n", "side");
    repo.git(&["checkout", "-q", "main"]).code(0);
    commit_unchecked(&repo, "main.txt", "main\n", "main");
    // A plain merge passes.
    repo.git(&["merge", "-q", "--no-ff", "--no-verify", "-m", "merge", "side"])
        .code(0);
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let before = repo.refs_of(&bare);
    // An evil merge: the merge commit itself adds a token that neither parent has.
    repo.git(&["checkout", "-q", "-b", "side2", "HEAD~1"]).code(0);
    commit_unchecked(&repo, "side2.txt", "side2\n", "side2");
    repo.git(&["checkout", "-q", "main"]).code(0);
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "side2"])
        .code(0);
    let t = token();
    repo.write("evil.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "evil.env"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "evil merge"])
        .code(0);
    let merge = repo.head();
    let run = repo.git(&["push", "-q", "origin", "main"]);
    assert_push_blocked(&run, &merge, "evil.env:1:3:");
    assert!(!run.stderr.contains("side2.txt"), "{}", run.stderr);
    assert_eq!(repo.refs_of(&bare), before);
}

#[test]
fn pushing_from_a_linked_worktree() {
    let (repo, bare) = pushed();
    let wt = repo.worktree("wt");
    let before = repo.refs_of(&bare);
    let t = token();
    std::fs::write(wt.join("w.env"), format!("T={}\n", t.b64())).unwrap();
    repo.git_in(&wt, &["add", "w.env"]).code(0);
    repo.git_in(&wt, &["commit", "-q", "--no-verify", "-m", "w"])
        .code(0);
    let c = repo.head_in(&wt);
    assert_push_blocked(
        &repo.git_in(&wt, &["push", "-q", "origin", "wt"]),
        &c,
        "w.env:1:3:",
    );
    assert_eq!(repo.refs_of(&bare), before);
    repo.git_in(&wt, &["reset", "-q", "--hard", "main"]).code(0);
    std::fs::write(wt.join("w.txt"), "w\n").unwrap();
    repo.git_in(&wt, &["add", "w.txt"]).code(0);
    repo.git_in(&wt, &["commit", "-q", "-m", "w"]).code(0);
    repo.git_in(&wt, &["push", "-q", "origin", "wt"]).code(0);
}

#[test]
fn pushing_from_a_shallow_clone() {
    let (repo, bare) = pushed();
    for i in 0..3 {
        commit_unchecked(&repo, &format!("h{i}.txt"), "history\n", "history");
    }
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let url = format!("file://{}", bare.display());
    repo.git_in(
        repo.scratch.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    )
    .code(0);
    let shallow = repo.scratch.path().join("shallow");
    assert!(shallow.join(".git/shallow").exists());
    let before = repo.refs_of(&bare);
    let t = token();
    std::fs::write(shallow.join("s.env"), format!("T={}\n", t.b64())).unwrap();
    repo.git_in(&shallow, &["add", "s.env"]).code(0);
    repo.git_in(&shallow, &["commit", "-q", "--no-verify", "-m", "s"])
        .code(0);
    let c = repo.head_in(&shallow);
    let run = repo.git_in(&shallow, &["push", "-q", "origin", "main"]);
    assert_push_blocked(&run, &c, "s.env:1:3:");
    assert!(!run.stderr.contains("h0.txt"), "{}", run.stderr);
    assert_eq!(repo.refs_of(&bare), before);
    repo.git_in(&shallow, &["reset", "-q", "--hard", "HEAD~1"])
        .code(0);
    std::fs::write(shallow.join("s.txt"), "s\n").unwrap();
    repo.git_in(&shallow, &["add", "s.txt"]).code(0);
    repo.git_in(&shallow, &["commit", "-q", "-m", "s"]).code(0);
    repo.git_in(&shallow, &["push", "-q", "origin", "main"]).code(0);
}

#[test]
fn the_pre_commit_framework_passes_the_range_in_its_environment() {
    let (repo, _bare) = pushed();
    let from = repo.head();
    let t = token();
    let c = commit_unchecked(&repo, "p.env", &format!("T={}\n", t.b64()), "p");
    let env = [
        ("PRE_COMMIT_FROM_REF", from.as_str()),
        ("PRE_COMMIT_TO_REF", c.as_str()),
    ];
    let mut cmd = crate::support::hermetic(crate::support::bin(), &repo.home());
    cmd.current_dir(&repo.root)
        .args(["hook", "pre-push", "origin", "url"])
        .envs(env);
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("p.env:1:3:"), "{stderr}");
    let env = [
        ("PRE_COMMIT_FROM_REF", c.as_str()),
        ("PRE_COMMIT_TO_REF", c.as_str()),
    ];
    let mut cmd = crate::support::hermetic(crate::support::bin(), &repo.home());
    cmd.current_dir(&repo.root)
        .args(["hook", "pre-push", "origin", "url"])
        .envs(env);
    assert_eq!(cmd.output().unwrap().status.code(), Some(0));
}

#[test]
fn scan_range_walks_like_a_push() {
    let (repo, _bare) = pushed();
    let t = token();
    let c = commit_unchecked(&repo, "r.env", &format!("T={}\n", t.b64()), "r");
    let run = repo.intercept_in(
        &repo.root,
        &["scan", "--range", "origin/main..HEAD", "--format", "json"],
    );
    run.code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["findings"][0]["commit"], c.as_str());
    assert_eq!(doc["findings"][0]["path"], "r.env");
    repo.intercept_in(&repo.root, &["scan", "--range", "HEAD..HEAD"])
        .code(0);
    repo.intercept_in(&repo.root, &["scan", "--range", "origin/main"])
        .code(0);
    let run = repo.intercept_in(&repo.root, &["scan", "--range", "no-such-branch..HEAD"]);
    run.code(2);
    assert!(
        run.stderr.contains("cannot resolve \"no-such-branch\""),
        "{}",
        run.stderr
    );
}

#[test]
fn long_ranges_are_scanned_in_parallel() {
    let (repo, _bare) = pushed();
    let (a, b) = (token(), token());
    let mut with_tokens = Vec::new();
    for i in 0..24 {
        let content = match i {
            6 => format!("T={}\n", a.b64()),
            17 => format!("T={}\n", b.b64()),
            _ => format!("n={i}\n"),
        };
        let c = commit_unchecked(&repo, &format!("f{i}.txt"), &content, &format!("c{i}"));
        if i == 6 || i == 17 {
            with_tokens.push(c);
        }
    }
    let run = repo.intercept_in(
        &repo.root,
        &["scan", "--range", "origin/main..HEAD", "--format", "json"],
    );
    run.code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut found: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["commit"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    // (The tests' commits share one committer date, so the walk's order among them is
    // by id; compare as sets.)
    found.sort();
    let mut expected = vec![
        (with_tokens[1].as_str(), "f17.txt"),
        (with_tokens[0].as_str(), "f6.txt"),
    ];
    expected.sort();
    assert_eq!(found, expected);
    // Twin: the range below the first token is clean.
    let below = format!("origin/main..{}~1", with_tokens[0]);
    repo.intercept_in(&repo.root, &["scan", "--range", &below])
        .code(0);
}

//! Replace refs (`git replace`) change what git *shows*, not what it sends, receives or
//! commits: intercept must read the objects themselves. Each case replaces a token-bearing
//! commit by a clean one (the check must still see the token) and, as its twin, a clean
//! commit by a token-bearing one (nothing that is sent carries a token).

use crate::support::{commit_unchecked as commit, pushed, token, Git, TestRepo};

/// A commit on the same parent as HEAD with `rel` holding `content` instead, which then
/// replaces HEAD (`git replace HEAD <it>`); HEAD is left where it was.
fn replace_head_with(repo: &TestRepo, rel: &str, content: &str) -> String {
    let head = repo.head();
    repo.git(&["checkout", "-q", "--detach", "HEAD~1"]).code(0);
    let other = commit(repo, rel, content, "the replacement");
    repo.git(&["checkout", "-q", "main"]).code(0);
    repo.git(&["replace", &head, &other]).code(0);
    // git now shows the replacement for HEAD.
    let shown = repo.git(&["log", "-1", "--format=%s", "main"]);
    assert_eq!(shown.stdout.trim(), "the replacement");
    other
}

#[test]
fn pre_push_checks_the_commit_git_sends_not_its_replacement() {
    for git in Git::BOTH {
        git.select();
        let t = token();
        let (repo, bare) = pushed();
        commit(&repo, "leak.env", &format!("T={}\n", t.b64()), "leak");
        replace_head_with(&repo, "leak.env", "T=nothing\n");
        let before = repo.refs_of(&bare);
        let run = repo.git(&["push", "origin", "main"]);
        run.code(1);
        assert!(run.stderr.contains("leak.env:1:3"), "{git:?}: {}", run.stderr);
        assert_eq!(repo.refs_of(&bare), before);

        // Twin: a clean commit replaced by one with a token is pushed (the token is not sent).
        let (repo, bare) = pushed();
        commit(&repo, "ok.env", "T=nothing\n", "ok");
        replace_head_with(&repo, "ok.env", &format!("T={}\n", t.b64()));
        repo.git(&["push", "-q", "origin", "main"]).code(0);
        assert_eq!(repo.head_in(&bare), repo.head());
    }
}

#[test]
fn pre_receive_ignores_replace_refs_a_pusher_sent_first() {
    let t = token();
    let repo = TestRepo::new();
    let bare = repo.remote_bare();
    repo.intercept_in(&bare, &["install"]).code(0);
    repo.initial_commit();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let leak = commit(&repo, "leak.env", &format!("T={}\n", t.b64()), "leak");
    let clean = replace_head_with(&repo, "leak.env", "T=nothing\n");
    // First the replacement (a clean commit) and its ref, then the real commit.
    repo.git(&["push", "-q", "origin", &format!("{clean}:refs/heads/decoy")])
        .code(0);
    repo.git(&["push", "-q", "origin", &format!("refs/replace/{leak}")])
        .code(0);
    let before = repo.refs_of(&bare);
    let run = repo.git(&["push", "origin", "main"]);
    run.code(1);
    assert!(
        run.stderr.contains("remote: intercept: blocked this push"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.refs_of(&bare), before);
    // Twin: without the token, the same steps are accepted.
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
    commit(&repo, "ok.txt", "ok\n", "ok");
    repo.git(&["push", "-q", "origin", "main"]).code(0);
}

#[test]
fn scan_range_and_staged_read_the_objects_themselves() {
    let t = token();
    let repo = TestRepo::new();
    repo.initial_commit();
    commit(&repo, "leak.env", &format!("T={}\n", t.b64()), "leak");
    replace_head_with(&repo, "leak.env", "T=nothing\n");
    let run = repo.intercept_in(&repo.root, &["scan", "--range", "HEAD~1..HEAD"]);
    run.code(1);
    assert!(run.stdout.contains("leak.env"), "{}", run.stdout);
    // Twin: a clean range.
    repo.intercept_in(&repo.root, &["scan", "--range", "HEAD~1..HEAD~1"])
        .code(0);

    // Staged: HEAD replaced by a commit whose tree already has the token, so that the token
    // would look old. It is new to the commit being made.
    let repo = TestRepo::new();
    repo.initial_commit();
    commit(&repo, "a.txt", "a\n", "a");
    replace_head_with(&repo, "leak.env", &format!("T={}\n", t.b64()));
    repo.write("leak.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "leak.env"]).code(0);
    let run = repo.intercept_in(&repo.root, &["scan", "--staged"]);
    run.code(1);
    // Twin: a clean staged change under the same replacement. (Not `git reset`: git applies
    // the replacement there, and the index would then hold the token's file.)
    let repo = TestRepo::new();
    repo.initial_commit();
    commit(&repo, "a.txt", "a\n", "a");
    replace_head_with(&repo, "leak.env", &format!("T={}\n", t.b64()));
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]).code(0);
    repo.intercept_in(&repo.root, &["scan", "--staged"]).code(0);
}

//! Exactly what leaves (issue 20): the text a commit or tag carries besides its message
//! (ident fields, a merged tag's text, unknown headers), names in `scan --all`, the message
//! paths (`git am`, a scissors line in `commit -F`), push options, merges that only bring
//! what is already in history, trust without a clock, and allow-lists no wider than they
//! look. Each case has its twin.

use std::path::PathBuf;

use intercept_test_support::token_and_twin;

use crate::support::{json, pushed, token, Git, Run, TestRepo};

/// A commit object written as is (`git hash-object --literally`), on top of `parent`.
fn craft_commit(repo: &TestRepo, parent: &str, headers: &str, message: &str) -> String {
    let tree = repo.git(&["rev-parse", &format!("{parent}^{{tree}}")]);
    let body = format!(
        "tree {}\nparent {parent}\nauthor A <a@example.com> 1700000000 +0000\n\
         committer C <c@example.com> 1700000000 +0000\n{headers}\n{message}\n",
        tree.stdout.trim()
    );
    let file = repo.scratch.path().join("crafted");
    std::fs::write(&file, body).unwrap();
    let run = repo.git(&[
        "hash-object",
        "-t",
        "commit",
        "-w",
        "--literally",
        file.to_str().unwrap(),
    ]);
    run.code(0);
    run.stdout.trim().to_string()
}

/// A mergetag header as git writes it for a merged signed tag: the tag's text, each line
/// indented by one space.
fn mergetag(target: &str, tag_message: &str) -> String {
    let tag =
        format!("object {target}\ntype commit\ntag v1\ntagger T <t@x> 1700000000 +0000\n\n{tag_message}");
    let mut header = String::from("mergetag");
    for (i, line) in tag.lines().enumerate() {
        header.push_str(if i == 0 { " " } else { "\n " });
        header.push_str(line);
    }
    header.push('\n');
    header
}

/// A bare server with intercept's pre-receive (push options advertised), and a client with
/// intercept installed globally whose `main` is on both `origin` (no hook) and `checked`.
fn client_and_servers() -> (TestRepo, PathBuf, PathBuf) {
    let (repo, origin) = pushed();
    let checked = repo.scratch.path().join("checked.git");
    repo.git_in(repo.scratch.path(), &["init", "-q", "--bare", "checked.git"])
        .code(0);
    repo.intercept_in(&checked, &["install"]).code(0);
    repo.git_in(&checked, &["config", "receive.advertisePushOptions", "true"])
        .code(0);
    repo.git(&["remote", "add", "checked", checked.to_str().unwrap()])
        .code(0);
    repo.git(&["push", "-q", "checked", "main"]).code(0);
    (repo, origin, checked)
}

/// The subjects and short fingerprints a JSON report names.
fn subjects(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["subject"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn text_a_commit_or_tag_carries_outside_its_message_is_read_on_every_path() {
    for git in Git::BOTH {
        git.select();
        let (repo, origin, checked) = client_and_servers();
        let base = repo.head();
        let (t_tag, twin_tag) = token_and_twin();
        let (t_author, twin_author) = token_and_twin();
        let (t_unknown, twin_unknown) = token_and_twin();
        let (t_tagger, twin_tagger) = token_and_twin();
        // One branch carries tokens in a mergetag, an author name and an unknown header, and
        // a tag whose tagger holds one; its twin the same shapes with near misses.
        let make = |tag: &str, author: &str, unknown: &str, tagger: &str, branch: &str| {
            let first = craft_commit(
                &repo,
                &base,
                &mergetag(&base, &format!("release notes {tag}")),
                "merge tag v1",
            );
            let second = craft_commit(&repo, &first, &format!("x-review-note {unknown}\n"), "reviewed");
            repo.git(&["branch", "-f", branch, &second]).code(0);
            let third = repo.git_env(
                &repo.root,
                &[("GIT_AUTHOR_NAME", author)],
                &[
                    "commit-tree",
                    &format!("{second}^{{tree}}"),
                    "-p",
                    &second,
                    "-m",
                    "authored",
                ],
            );
            third.code(0);
            let third = third.stdout.trim().to_string();
            repo.git(&["branch", "-f", branch, &third]).code(0);
            repo.git_env(
                &repo.root,
                &[("GIT_COMMITTER_NAME", tagger)],
                &["tag", "-a", "-m", "tagged", &format!("{branch}-tag"), &third],
            )
            .code(0);
        };
        make(&t_tag, &t_author, &t_unknown, &t_tagger, "leaky");
        make(&twin_tag, &twin_author, &twin_unknown, &twin_tagger, "twin");

        // pre-push: blocked, naming each header; the remote does not move.
        let before = repo.refs_of(&origin);
        let run = repo.git(&["push", "origin", "leaky", "leaky-tag"]);
        run.code(1);
        for needle in [
            "(commit header mergetag)",
            "(commit header author)",
            "(commit header x-review-note)",
            "(tag header tagger)",
        ] {
            assert!(
                run.stderr.contains(needle),
                "{git:?}: {needle} in\n{}",
                run.stderr
            );
        }
        assert_eq!(repo.refs_of(&origin), before, "{git:?}");
        // Twin: the near misses push.
        repo.git(&["push", "-q", "origin", "twin", "twin-tag"]).code(0);

        // pre-receive, which --no-verify does not skip.
        let before = repo.refs_of(&checked);
        let run = repo.git(&["push", "--no-verify", "checked", "leaky", "leaky-tag"]);
        run.code(1);
        assert!(
            run.stderr.contains("remote: intercept: blocked this push"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("(commit header mergetag)"), "{}", run.stderr);
        assert_eq!(repo.refs_of(&checked), before, "{git:?}");
        repo.git(&["push", "-q", "--no-verify", "checked", "twin", "twin-tag"])
            .code(0);

        // --range and --all report the same four places, each once; the twins nothing.
        let expected = |with_tag: bool| {
            let mut e = vec![
                (
                    "commit-header".to_string(),
                    "(commit header mergetag)".to_string(),
                ),
                (
                    "commit-header".to_string(),
                    "(commit header x-review-note)".to_string(),
                ),
                ("commit-header".to_string(), "(commit header author)".to_string()),
            ];
            if with_tag {
                e.push(("tag-header".to_string(), "(tag header tagger)".to_string()));
            }
            e.sort();
            e
        };
        let run = repo.intercept_in(
            &repo.root,
            &["scan", "--range", "main..leaky", "--format", "json"],
        );
        run.code(1);
        let mut found = subjects(&json(&run));
        found.sort();
        assert_eq!(found, expected(false), "{git:?}");
        let run = repo.intercept_in(&repo.root, &["scan", "--range", "main..twin", "--format", "json"]);
        run.code(0);
        let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "json"]);
        run.code(1);
        let mut found = subjects(&json(&run));
        found.sort();
        assert_eq!(found, expected(true), "{git:?}");
    }
}

#[test]
fn scan_all_reports_a_token_used_as_a_directory_or_a_branch_name() {
    let repo = TestRepo::new();
    repo.initial_commit();
    let (t, twin) = token_and_twin();
    for (dir, branch) in [(&t, "leaky"), (&twin, "twin")] {
        repo.git(&["checkout", "-q", "-b", branch, "main"]).code(0);
        repo.write(format!("keys/{dir}/prod/app.txt"), "no secret here\n");
        repo.git(&["add", "-A"]).code(0);
        repo.git(&["commit", "-q", "-m", "keys"]).code(0);
    }
    let (named, named_twin) = token_and_twin();
    repo.git(&["branch", &format!("fix/{named}"), "main"]).code(0);
    repo.git(&["branch", &format!("fix/{named_twin}"), "main"])
        .code(0);
    let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "json"]);
    run.code(1);
    let doc = json(&run);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{doc:#}");
    let kinds: Vec<&str> = findings.iter().map(|f| f["subject"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"path-name") && kinds.contains(&"ref-name"),
        "{kinds:?}"
    );
    // The same as --range reports for the directory (it sees the path).
    let run = repo.intercept_in(
        &repo.root,
        &["scan", "--range", "main..leaky", "--format", "json"],
    );
    run.code(1);
    let run = repo.intercept_in(&repo.root, &["scan", "--range", "main..twin", "--format", "json"]);
    run.code(0);
}

/// A patch from another repository whose message holds `text`.
fn patch_with_message(repo: &TestRepo, text: &str) -> PathBuf {
    let other = repo.scratch.path().join("other");
    repo.git_in(
        repo.scratch.path(),
        &["clone", "-q", repo.root.to_str().unwrap(), "other"],
    )
    .code(0);
    std::fs::write(other.join("feature.txt"), "feature\n").unwrap();
    repo.git_in(&other, &["add", "feature.txt"]).code(0);
    repo.git_in(
        &other,
        &[
            "commit",
            "-q",
            "--no-verify",
            "-m",
            &format!("feature\n\nconfig: {text}"),
        ],
    )
    .code(0);
    let out = repo
        .scratch
        .path()
        .join(format!("patches-{}", crate::support::random_u64()));
    let run = repo.git_in(&other, &["format-patch", "-q", "-1", "-o", out.to_str().unwrap()]);
    run.code(0);
    std::fs::remove_dir_all(&other).unwrap();
    std::fs::read_dir(&out).unwrap().next().unwrap().unwrap().path()
}

#[test]
fn git_am_of_a_patch_whose_message_holds_a_token_is_stopped() {
    for git in Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        repo.install();
        repo.initial_commit();
        let head = repo.head();
        let (t, twin) = token_and_twin();
        let patch = patch_with_message(&repo, &t);
        let run = repo.git(&["am", "-q", patch.to_str().unwrap()]);
        assert_ne!(run.code, 0, "{git:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("intercept: blocked"),
            "{git:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("(commit message)"), "{git:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("blocked this patch"),
            "{git:?}: {}",
            run.stderr
        );
        assert_eq!(repo.head(), head, "{git:?}");
        repo.git(&["am", "--abort"]).code(0);
        // Twin: the same patch with a near miss applies.
        let patch = patch_with_message(&repo, &twin);
        repo.git(&["am", "-q", patch.to_str().unwrap()]).code(0);
        assert_ne!(repo.head(), head, "{git:?}");
        assert!(repo.git(&["status", "--porcelain"]).stdout.is_empty());
    }
}

#[test]
fn commit_msg_reads_the_message_git_records_around_a_scissors_line() {
    let cut = "# ------------------------ >8 ------------------------";
    for git in Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        repo.install();
        repo.initial_commit();
        let (t, twin) = token_and_twin();
        let head = repo.head();
        // `commit -F`: git keeps a scissors line the user wrote, and what follows it.
        let msg = repo.scratch.path().join("msg");
        std::fs::write(&msg, format!("subject\n\n{cut}\nT={t}\n")).unwrap();
        repo.write("a.txt", "a\n");
        repo.git(&["add", "a.txt"]).code(0);
        let run = repo.git(&["commit", "-q", "-F", msg.to_str().unwrap()]);
        run.code(1);
        assert_eq!(repo.head(), head, "{git:?}");
        std::fs::write(&msg, format!("subject\n\n{cut}\nT={twin}\n")).unwrap();
        repo.git(&["commit", "-q", "-F", msg.to_str().unwrap()]).code(0);

        // `commit -v` removing a token: the diff below git's own scissors line shows it,
        // but git cuts it off, so the commit goes through.
        let leaked = repo.head();
        repo.write("old.env", format!("T={t}\n"));
        repo.git(&["add", "old.env"]).code(0);
        repo.git(&["commit", "-q", "--no-verify", "-m", "old"]).code(0);
        repo.git(&["rm", "-q", "old.env"]).code(0);
        let editor = "sed -i '1s/^/remove the token/'";
        let run = repo.git_env(&repo.root, &[("GIT_EDITOR", editor)], &["commit", "-q", "-v"]);
        run.code(0);
        let message = repo.git(&["log", "-1", "--format=%B"]).stdout;
        assert_eq!(message.trim(), "remove the token", "{git:?}");
        assert_ne!(repo.head(), leaked);
    }
}

#[test]
fn a_push_option_holding_a_token_is_rejected_by_pre_receive() {
    let (repo, _origin, checked) = client_and_servers();
    repo.commit_file("ok.txt", "ok\n", "ok").code(0);
    let before = repo.refs_of(&checked);
    let (t, twin) = token_and_twin();
    let run = repo.git(&["push", "-o", &format!("ci.variable=T={t}"), "checked", "main"]);
    run.code(1);
    assert!(run.stderr.contains("(push option 0)"), "{}", run.stderr);
    assert!(run.stderr.contains("from the push options"), "{}", run.stderr);
    assert_eq!(repo.refs_of(&checked), before);
    repo.git(&[
        "push",
        "-q",
        "-o",
        &format!("ci.variable=T={twin}"),
        "checked",
        "main",
    ])
    .code(0);
    assert_ne!(repo.refs_of(&checked), before);
}

/// A teammate's clone of `origin` with intercept installed, and `main` on origin gaining a
/// token pushed with --no-verify by someone else.
fn teammate_and_leak(git: Git) -> (TestRepo, PathBuf, String) {
    git.select();
    let (repo, origin) = pushed();
    let mate = repo.scratch.path().join("mate");
    repo.git_in(
        repo.scratch.path(),
        &["clone", "-q", origin.to_str().unwrap(), "mate"],
    )
    .code(0);
    let t = token();
    repo.commit_file("old.env", format!("T={}\n", t.b64()), "leak")
        .code(1);
    repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]).code(0);
    repo.git(&["push", "-q", "--no-verify", "origin", "main"]).code(0);
    std::fs::write(mate.join("mine.txt"), "mine\n").unwrap();
    repo.git_in(&mate, &["add", "mine.txt"]).code(0);
    repo.git_in(&mate, &["commit", "-q", "-m", "mine"]).code(0);
    (repo, mate, t.b64())
}

#[test]
fn a_pull_of_a_token_already_on_the_server_passes_with_one_note_and_an_evil_merge_blocks() {
    for git in Git::BOTH {
        let (repo, mate, _) = teammate_and_leak(git);
        let run = repo.git_in(&mate, &["pull", "--no-rebase", "-q", "origin", "main"]);
        run.code(0);
        assert_eq!(
            run.stderr
                .matches("intercept: note: this merge brings 1 Intercom access token")
                .count(),
            1,
            "{git:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("already on the server (origin/main)"),
            "{}",
            run.stderr
        );
        let parents = repo.git_in(&mate, &["log", "-1", "--format=%P"]).stdout;
        assert_eq!(parents.split_whitespace().count(), 2, "{git:?}: a merge was made");
        assert!(repo.git_in(&mate, &["status", "--porcelain"]).stdout.is_empty());
        // And it pushes: nothing new holds a token.
        repo.git_in(&mate, &["push", "-q", "origin", "HEAD:main"]).code(0);

        // Twin: a merge that adds a token of its own is stopped.
        let (repo, mate, _) = teammate_and_leak(git);
        repo.git_in(&mate, &["fetch", "-q", "origin"]).code(0);
        let head = repo.head_in(&mate);
        repo.git_in(&mate, &["merge", "--no-commit", "-q", "origin/main"])
            .code(0);
        std::fs::write(mate.join("evil.env"), format!("T={}\n", token().b64())).unwrap();
        repo.git_in(&mate, &["add", "evil.env"]).code(0);
        let run = repo.git_in(&mate, &["commit", "-q", "--no-edit"]);
        run.code(1);
        assert!(
            run.stderr.contains("it adds 1 Intercom access token."),
            "{git:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("  evil.env:1:3:"), "{git:?}: {}", run.stderr);
        assert!(!run.stderr.contains("  old.env:1:3:"), "{git:?}: {}", run.stderr);
        assert_eq!(repo.head_in(&mate), head, "{git:?}");
    }
}

#[test]
fn a_merge_of_a_local_branch_holding_a_token_says_its_push_will_be_stopped() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    repo.git(&["checkout", "-q", "-b", "topic"]).code(0);
    repo.write("t.env", format!("T={}\n", token().b64()));
    repo.git(&["add", "t.env"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "topic"]).code(0);
    repo.git(&["checkout", "-q", "main"]).code(0);
    repo.commit_file("m.txt", "m\n", "main work").code(0);
    let run = repo.git(&["merge", "-q", "--no-edit", "topic"]);
    run.code(0);
    assert!(
        run.stderr.contains("A push of that branch will be stopped"),
        "{}",
        run.stderr
    );
}

/// Old history on server A holds a token; the clone pushes to A, then moves to B within
/// the same second: B must get the old history checked.
#[test]
fn trust_after_set_url_in_the_same_second_is_not_given() {
    for git in Git::BOTH {
        git.select();
        let maker = TestRepo::new();
        let a = maker.remote_bare();
        maker.initial_commit();
        maker
            .commit_file("old.env", format!("T={}\n", token().b64()), "old leak")
            .code(0);
        maker.git(&["push", "-q", "origin", "main"]).code(0);
        maker.install();
        let b = maker.scratch.path().join("b.git");
        maker
            .git_in(maker.scratch.path(), &["init", "-q", "--bare", "b.git"])
            .code(0);
        maker.commit_file("new.txt", "new\n", "new").code(0);
        // Twin first: pushing to A, where the history is, passes (and records it).
        maker.git(&["push", "-q", "origin", "main"]).code(0);
        maker.commit_file("newer.txt", "newer\n", "newer").code(0);
        let run = maker.git(&["push", "origin", "main"]);
        run.code(0);
        assert!(
            !run.stderr.contains("intercept: note:"),
            "{git:?}: {}",
            run.stderr
        );
        // The migration: set-url and push at once.
        maker
            .git(&["remote", "set-url", "origin", b.to_str().unwrap()])
            .code(0);
        let run = maker.git(&["push", "origin", "main"]);
        run.code(1);
        assert!(run.stderr.contains("old.env"), "{git:?}: {}", run.stderr);
        assert!(maker.refs_of(&b).is_empty(), "{git:?}");
        let _ = &a;
        // The record lives in the user's cache, and uninstall takes it away.
        let record = maker.home().join(".cache/intercept/pushes");
        assert!(record.is_dir(), "{git:?}");
        maker
            .intercept_in(&maker.root, &["uninstall", "--global"])
            .code(0);
        assert!(!record.exists(), "{git:?}");
        assert!(!maker.root.join(".git/intercept").exists(), "{git:?}");
    }
}

fn allow_file(repo: &TestRepo, body: &str) {
    repo.write(".intercept.toml", body);
    repo.git(&["add", ".intercept.toml"]).code(0);
}

#[test]
fn allow_entries_that_match_every_path_are_refused_in_any_spelling() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    for path in [" **", "** ", "!**", "[!/]*", "?*"] {
        allow_file(
            &repo,
            &format!("[[allow]]\npath = {path:?}\nreason = \"fixtures\"\n"),
        );
        let run = repo.intercept_in(&repo.root, &["scan", "--staged"]);
        run.code(2);
        assert!(
            run.stderr.contains("would allow files of any name") || run.stderr.contains("negative pattern"),
            "{path:?}: {}",
            run.stderr
        );
    }
    // Twin: a fixtures directory is fine.
    allow_file(
        &repo,
        "[[allow]]\npath = \"tests/fixtures/**\"\nreason = \"fixtures\"\n",
    );
    repo.intercept_in(&repo.root, &["scan", "--staged"]).code(0);
}

#[test]
fn an_inline_marker_allows_only_the_token_beside_it() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let far = format!(
        "var a=\"{}\";{}/* intercept:allow */\n",
        token().b64(),
        "x=1;".repeat(5_000)
    );
    repo.write("bundle.min.js", &far);
    repo.git(&["add", "bundle.min.js"]).code(0);
    let head = repo.head();
    repo.git(&["commit", "-q", "-m", "bundle"]).code(1);
    assert_eq!(repo.head(), head);
    // Twin: the marker right beside the token allows it.
    let near = format!(
        "var a=\"{}\"; /* intercept:allow */{}\n",
        token().b64(),
        "x=1;".repeat(5_000)
    );
    repo.write("bundle.min.js", &near);
    repo.git(&["add", "bundle.min.js"]).code(0);
    repo.git(&["commit", "-q", "-m", "bundle"]).code(0);
}

/// The short fingerprints a JSON report names, with their subjects.
fn fingerprints(run: &Run) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = json(run)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["subject"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap()[..12].to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

/// The short fingerprints of a hook's block message.
fn blocked_fingerprints(run: &Run) -> Vec<String> {
    let mut found: Vec<String> = run
        .stderr
        .lines()
        .filter(|l| l.contains(": Intercom access token "))
        .filter_map(|l| {
            Some(
                l.split("fingerprint ")
                    .nth(1)?
                    .trim_end()
                    .trim_end_matches(')')
                    .to_string(),
            )
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// A token used as a directory name and one in an author's name: the seven paths that can
/// see each report the same token (scan PATH, --staged and pre-commit see names but not a
/// commit's idents, which do not exist before the commit).
#[test]
fn names_and_carried_text_are_found_alike_on_every_path() {
    for git in Git::BOTH {
        git.select();
        let (repo, _origin, _checked) = client_and_servers();
        let (dir, dir_twin) = token_and_twin();
        let (author, author_twin) = token_and_twin();
        repo.write(format!("keys/{dir}/app.txt"), "no secret\n");
        repo.write(format!("keys/{dir_twin}/app.txt"), "no secret\n");
        let name_fp = {
            let run = repo.intercept_in(&repo.root, &["scan", "--format", "json", "keys"]);
            run.code(1);
            let found = fingerprints(&run);
            assert_eq!(found.len(), 1, "{git:?}: scan PATH {found:?}");
            assert_eq!(found[0].0, "path-name");
            found[0].1.clone()
        };
        repo.git(&["add", "keys"]).code(0);
        let run = repo.intercept_in(&repo.root, &["scan", "--staged", "--format", "json"]);
        run.code(1);
        assert_eq!(
            fingerprints(&run),
            [("path-name".to_string(), name_fp.clone())],
            "{git:?}"
        );
        let run = repo.git(&["commit", "-q", "-m", "keys"]);
        run.code(1);
        assert_eq!(
            blocked_fingerprints(&run),
            std::slice::from_ref(&name_fp),
            "{git:?}: pre-commit"
        );
        repo.git_env(
            &repo.root,
            &[("GIT_AUTHOR_NAME", author.as_str())],
            &["commit", "-q", "--no-verify", "-m", "keys"],
        )
        .code(0);
        // The author's twin, on a commit of its own.
        repo.write("more.txt", "more\n");
        repo.git(&["add", "more.txt"]).code(0);
        repo.git_env(
            &repo.root,
            &[("GIT_AUTHOR_NAME", author_twin.as_str())],
            &["commit", "-q", "-m", "more"],
        )
        .code(0);
        let run = repo.intercept_in(
            &repo.root,
            &["scan", "--range", "origin/main..main", "--format", "json"],
        );
        run.code(1);
        let range = fingerprints(&run);
        assert_eq!(range.len(), 2, "{git:?}: {range:?}");
        assert!(
            range.contains(&("path-name".to_string(), name_fp.clone())),
            "{range:?}"
        );
        let author_fp = range
            .iter()
            .find(|(s, _)| s == "commit-header")
            .unwrap()
            .1
            .clone();
        let mut both = vec![name_fp.clone(), author_fp.clone()];
        both.sort();
        let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "json"]);
        run.code(1);
        assert_eq!(fingerprints(&run), range, "{git:?}: --all");
        let run = repo.git(&["push", "origin", "main"]);
        run.code(1);
        assert_eq!(blocked_fingerprints(&run), both, "{git:?}: pre-push");
        let run = repo.git(&["push", "--no-verify", "checked", "main"]);
        run.code(1);
        assert_eq!(blocked_fingerprints(&run), both, "{git:?}: pre-receive");
    }
}

/// A hostile review's findings, each with its twin: header names and misplaced id headers,
/// an encoding that hides ASCII, a move between `r.git` and `r`, a gitlink that is no blob, a
/// git-shaped scissors block in `commit -F`, spoofed merge parents, idents at commit time,
/// allow-lists wide in other spellings or aimed at headers.
#[test]
fn a_token_in_a_header_name_or_a_misplaced_id_header_is_read() {
    let (repo, origin, _) = client_and_servers();
    let base = repo.head();
    let (t, twin) = token_and_twin();
    for (header, blocks) in [
        (format!("{t} x\n"), true),
        (format!("parent {t}\n"), true),
        (format!("tree {t}\n"), true),
        (format!("{twin} x\n"), false),
        (format!("parent {twin}\n"), false),
    ] {
        let c = craft_commit(&repo, &base, &header, "crafted");
        let run = repo.git(&["push", "origin", &format!("{c}:refs/heads/crafted")]);
        run.code(if blocks { 1 } else { 0 });
        let run = repo.intercept_in(&repo.root, &["scan", "--range", &format!("{base}..{c}")]);
        run.code(if blocks { 1 } else { 0 });
        if !blocks {
            repo.git_in(&origin, &["update-ref", "-d", "refs/heads/crafted"])
                .code(0);
        }
    }
}

#[test]
fn a_message_in_an_encoding_intercept_cannot_read_is_not_passed() {
    let (repo, origin, _) = client_and_servers();
    let base = repo.head();
    for (encoding, code) in [("IBM037", 2), ("ISO-8859-1", 0)] {
        let c = craft_commit(&repo, &base, &format!("encoding {encoding}\n"), "subject");
        let before = repo.refs_of(&origin);
        let run = repo.git(&["push", "origin", &format!("{c}:refs/heads/enc")]);
        run.code(if code == 2 { 1 } else { 0 });
        if code == 2 {
            assert!(run.stderr.contains("IBM037"), "{}", run.stderr);
            assert_eq!(repo.refs_of(&origin), before);
        }
        let run = repo.intercept_in(&repo.root, &["scan", "--range", &format!("{base}..{c}")]);
        run.code(code);
    }
}

#[test]
fn a_move_between_r_git_and_r_is_a_move_to_another_server() {
    let maker = TestRepo::new();
    let w = maker.scratch.path();
    maker.git_in(w, &["init", "-q", "--bare", "app.git"]).code(0);
    maker.git_in(w, &["init", "-q", "--bare", "app"]).code(0);
    maker
        .git(&["remote", "add", "origin", w.join("app.git").to_str().unwrap()])
        .code(0);
    maker.initial_commit();
    maker
        .commit_file("leak.env", format!("T={}\n", token().b64()), "leak")
        .code(0);
    maker.git(&["rm", "-q", "leak.env"]).code(0);
    maker.git(&["commit", "-q", "-m", "clean"]).code(0);
    maker.git(&["push", "-q", "origin", "main"]).code(0);
    maker.install();
    maker
        .git_in(w, &["clone", "-q", w.join("app.git").to_str().unwrap(), "c"])
        .code(0);
    let c = w.join("c");
    maker.git_in(&c, &["fetch", "-q", "origin"]).code(0);
    std::fs::write(c.join("y"), "y\n").unwrap();
    maker.git_in(&c, &["add", "y"]).code(0);
    maker.git_in(&c, &["commit", "-q", "-m", "y"]).code(0);
    // Twin: to app.git itself, the new commit only.
    maker
        .git_in(&c, &["push", "-q", "origin", "HEAD:refs/heads/twin"])
        .code(0);
    maker
        .git_in(
            &c,
            &["remote", "set-url", "origin", w.join("app").to_str().unwrap()],
        )
        .code(0);
    let run = maker.git_in(&c, &["push", "origin", "main"]);
    run.code(1);
    assert!(run.stderr.contains("leak.env"), "{}", run.stderr);
    assert!(maker.refs_of(&w.join("app")).is_empty());
}

#[test]
fn a_gitlink_in_the_other_parent_brings_no_file() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let t = token();
    let blob_file = repo.scratch.path().join("blob");
    std::fs::write(&blob_file, format!("key={}\n", t.b64())).unwrap();
    let b = repo.git(&["hash-object", "-w", blob_file.to_str().unwrap()]);
    let b = b.stdout.trim().to_string();
    repo.git(&["checkout", "-q", "-b", "side"]).code(0);
    repo.git(&["update-index", "--add", "--cacheinfo", &format!("160000,{b},P")])
        .code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "gitlink"])
        .code(0);
    repo.git(&["checkout", "-q", "main"]).code(0);
    repo.commit_file("m", "m\n", "m").code(0);
    let head = repo.head();
    repo.git(&["merge", "-q", "--no-commit", "side"]).code(0);
    repo.git(&["update-index", "--force-remove", "P"]).code(0);
    repo.git(&["update-index", "--add", "--cacheinfo", &format!("100644,{b},P")])
        .code(0);
    let run = repo.git(&["commit", "-q", "-m", "merge"]);
    run.code(1);
    assert!(run.stderr.contains("P:1:"), "{}", run.stderr);
    assert_eq!(repo.head(), head);
}

#[test]
fn a_git_shaped_scissors_block_in_commit_f_is_kept_as_git_keeps_it() {
    let cut = "------------------------ >8 ------------------------";
    for git in Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        repo.install();
        repo.initial_commit();
        let head = repo.head();
        let (t, twin) = token_and_twin();
        let msg = repo.scratch.path().join("m1");
        let body = |k: &str| {
            format!("subject\n\n# {cut}\n# Do not modify or remove the line above.\n# Everything below it will be ignored.\nkey {k}\n")
        };
        std::fs::write(&msg, body(&t)).unwrap();
        let run = repo.git(&["commit", "-q", "--allow-empty", "-F", msg.to_str().unwrap()]);
        run.code(1);
        assert_eq!(repo.head(), head, "{git:?}");
        std::fs::write(&msg, body(&twin)).unwrap();
        repo.git(&["commit", "-q", "--allow-empty", "-F", msg.to_str().unwrap()])
            .code(0);
        // `-v -F`: git cuts at its comment string, so what follows is not recorded.
        std::fs::write(&msg, body(&t)).unwrap();
        repo.git(&["commit", "-q", "-v", "--allow-empty", "-F", msg.to_str().unwrap()])
            .code(0);
        let recorded = repo.git(&["log", "-1", "--format=%B"]).stdout;
        assert_eq!(recorded.trim(), "subject", "{git:?}");
    }
}

#[test]
fn spoofed_merge_parents_and_idents_at_commit_time() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let t = token();
    // A commit holding the token, reachable from nothing, named as a "merge parent".
    repo.write("s", format!("k={}\n", t.b64()));
    repo.git(&["add", "s"]).code(0);
    let tree = repo.git(&["write-tree"]).stdout.trim().to_string();
    let d = repo
        .git(&["commit-tree", "-m", "x", &tree])
        .stdout
        .trim()
        .to_string();
    let head = repo.head();
    let run = repo.git_env(
        &repo.root,
        &[(&format!("GITHEAD_{d}"), "x")],
        &["commit", "-q", "-m", "plain"],
    );
    run.code(1);
    assert_eq!(repo.head(), head);
    repo.git(&["reset", "-q"]).code(0);
    std::fs::remove_file(repo.root.join("s")).unwrap();
    // An author name holding a token, at commit time; its twin commits.
    let (a, twin) = token_and_twin();
    let run = repo.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
        &format!("--author=Eve {a} <e@x>"),
    ]);
    run.code(1);
    assert!(run.stderr.contains("(commit header author)"), "{}", run.stderr);
    repo.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
        &format!("--author=Eve {twin} <e@x>"),
    ])
    .code(0);
}

#[test]
fn allow_lists_wide_in_other_spellings_or_aimed_at_headers_do_not_allow() {
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    for path in ["*[aeiou]*", "*[!kpq]", "?*.*", "/[!.qW0]*/**"] {
        allow_file(
            &repo,
            &format!("[[allow]]\npath = {path:?}\nreason = \"fixtures\"\n"),
        );
        let run = repo.intercept_in(&repo.root, &["scan", "--staged"]);
        run.code(2);
    }
    let many: String = [
        "src/**",
        "config/**",
        "lib/**",
        "docs/**",
        "app/**",
        "cmd/**",
        "scripts/**",
        "test/**",
    ]
    .iter()
    .map(|p| format!("[[allow]]\npath = {p:?}\nreason = \"r\"\n"))
    .collect();
    allow_file(&repo, &many);
    let run = repo.intercept_in(&repo.root, &["scan", "--staged"]);
    run.code(2);
    assert!(run.stderr.contains("together"), "{}", run.stderr);
    // A path entry names files, never a commit header.
    allow_file(&repo, "[[allow]]\npath = \"author\"\nreason = \"a\"\n");
    repo.git(&["commit", "-q", "-m", "allow"]).code(0);
    let t = token();
    repo.git_env(
        &repo.root,
        &[("GIT_AUTHOR_NAME", &format!("Bob {}", t.b64()))],
        &["commit", "-q", "--no-verify", "--allow-empty", "-m", "x"],
    )
    .code(0);
    repo.intercept_in(&repo.root, &["scan", "--range", "HEAD~1..HEAD"])
        .code(1);
    // Twin: the same entry allows a file called `author`.
    repo.write("author", format!("k={}\n", token().b64()));
    repo.git(&["add", "author"]).code(0);
    repo.intercept_in(&repo.root, &["scan", "--staged"]).code(0);
}

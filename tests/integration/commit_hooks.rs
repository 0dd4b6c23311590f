//! Commit-time hooks through the installed shims, with the real git: each positive case
//! has a negative twin that must pass; blocked commits must leave HEAD where it was.

use crate::support::{token, Run, TestRepo, PLACEHOLDER};

/// Asserts a commit was blocked for a token at `location` (`path:line:column`).
#[track_caller]
fn assert_blocked(run: &Run, location: &str) {
    run.code(1);
    for needle in [
        "intercept: blocked this commit",
        location,
        "INTERCOM_ACCESS_TOKEN",
        "revoke",
        "git commit --no-verify",
    ] {
        assert!(
            run.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stderr
        );
    }
}

fn installed() -> TestRepo {
    let repo = TestRepo::new();
    repo.install();
    repo
}

#[test]
fn token_in_a_new_file_is_blocked_and_head_is_unchanged() {
    let repo = installed();
    repo.initial_commit();
    let head = repo.head();
    let t = token();
    let run = repo.commit_file(
        "config/app.env",
        format!("A=1\nINTERCOM_ACCESS_TOKEN={}\n", t.b64()),
        "add config",
    );
    assert_blocked(&run, "config/app.env:2:23:");
    assert!(run.stderr.contains(&t.fingerprint()[..12]), "{}", run.stderr);
    assert_eq!(repo.head(), head);

    let run = repo.commit_file(
        "config/app.env",
        format!("A=1\nINTERCOM_ACCESS_TOKEN={PLACEHOLDER}\n"),
        "add config",
    );
    run.code(0);
    assert_ne!(repo.head(), head);
}

#[test]
fn token_added_to_a_modified_file_is_blocked_but_an_old_one_is_not_reported_again() {
    let repo = installed();
    let (old, new) = (token(), token());
    repo.write("app.env", format!("OLD={}\nB=1\n", old.b64()));
    repo.git(&["add", "app.env"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "legacy"]).code(0);
    let head = repo.head();
    // Twin first: touching another line of the file is not this commit's token.
    let run = repo.commit_file("app.env", format!("OLD={}\nB=2\n", old.b64()), "tweak");
    run.code(0);
    assert_ne!(repo.head(), head);
    let head = repo.head();
    let run = repo.commit_file(
        "app.env",
        format!("OLD={}\nB=2\nNEW={}\n", old.b64(), new.b64()),
        "more",
    );
    assert_blocked(&run, "app.env:3:5:");
    assert!(
        !run.stderr.contains("app.env:1:"),
        "the old token is not this commit's: {}",
        run.stderr
    );
    assert_eq!(repo.head(), head);
}

#[test]
fn the_staged_blob_counts_not_the_work_tree() {
    let repo = installed();
    repo.initial_commit();
    let head = repo.head();
    let t = token();
    // Staged, then removed from the work tree: still blocked.
    repo.write("secret.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "secret.env"]).code(0);
    std::fs::remove_file(repo.root.join("secret.env")).unwrap();
    assert_blocked(&repo.git(&["commit", "-q", "-m", "x"]), "secret.env:1:3:");
    assert_eq!(repo.head(), head);
    repo.git(&["rm", "-q", "--cached", "secret.env"]).code(0);

    // Only in the work tree (not staged): passes.
    repo.write("README.md", format!("# project\nT={}\n", t.b64()));
    repo.write("notes.txt", "clean\n");
    repo.git(&["add", "notes.txt"]).code(0);
    repo.git(&["commit", "-q", "-m", "notes"]).code(0);
    assert_ne!(repo.head(), head);
}

#[test]
fn commit_all_reads_the_index_git_prepared() {
    let repo = installed();
    repo.initial_commit();
    let head = repo.head();
    let t = token();
    repo.write("README.md", format!("# project\nT={}\n", t.b64()));
    assert_blocked(&repo.git(&["commit", "-q", "-a", "-m", "all"]), "README.md:2:3:");
    assert_eq!(repo.head(), head);
    repo.write("README.md", format!("# project\nT={PLACEHOLDER}\n"));
    repo.git(&["commit", "-q", "-a", "-m", "all"]).code(0);
    assert_ne!(repo.head(), head);
}

#[test]
fn commit_with_paths_checks_only_what_that_commit_records() {
    let repo = installed();
    repo.initial_commit();
    let t = token();
    repo.write("secret.env", format!("T={}\n", t.b64()));
    repo.write("README.md", "# project\nmore\n");
    repo.git(&["add", "secret.env"]).code(0);
    // `git commit README.md` uses a temporary index without secret.env: it passes.
    let head = repo.head();
    repo.git(&["commit", "-q", "-m", "readme only", "README.md"])
        .code(0);
    assert_ne!(repo.head(), head);
    // Committing the path that holds the token is blocked.
    let head = repo.head();
    assert_blocked(
        &repo.git(&["commit", "-q", "-m", "secret", "secret.env"]),
        "secret.env:1:3:",
    );
    assert_eq!(repo.head(), head);
}

#[test]
fn amend_is_checked() {
    let repo = installed();
    repo.initial_commit();
    let head = repo.head();
    let t = token();
    repo.write("README.md", format!("# project\n{}\n", t.b64()));
    repo.git(&["add", "README.md"]).code(0);
    assert_blocked(
        &repo.git(&["commit", "-q", "--amend", "--no-edit"]),
        "README.md:2:1:",
    );
    assert_eq!(repo.head(), head);
    repo.write("README.md", "# project\nfixed\n");
    repo.git(&["add", "README.md"]).code(0);
    repo.git(&["commit", "-q", "--amend", "--no-edit"]).code(0);
    assert_ne!(repo.head(), head);
}

#[test]
fn first_commit_on_an_unborn_branch() {
    let repo = installed();
    let t = token();
    let run = repo.commit_file("a.txt", format!("{}\n", t.b64()), "first");
    assert_blocked(&run, "a.txt:1:1:");
    assert_eq!(repo.head(), "");
    let run = repo.commit_file("a.txt", "clean\n", "first");
    run.code(0);
    assert_ne!(repo.head(), "");
}

#[test]
fn a_clean_merge_checks_what_it_adds_and_names_what_the_other_branch_brings() {
    let repo = installed();
    let bare = repo.remote_bare();
    repo.initial_commit();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    let t = token();
    repo.git(&["checkout", "-q", "-b", "feature"]).code(0);
    repo.write("feature.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "feature.env"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "feature"])
        .code(0);
    repo.git(&["checkout", "-q", "main"]).code(0);
    repo.commit_file("main.txt", "main\n", "main work").code(0);
    let head = repo.head();
    // The token was committed on `feature`: the merge does not add it, and says so once.
    let run = repo.git(&["merge", "--no-ff", "-m", "merge feature", "feature"]);
    run.code(0);
    assert!(
        run.stderr
            .contains("intercept: note: this merge brings 1 Intercom access token")
            && run.stderr.contains("feature.env:1")
            && run.stderr.contains("A push of that branch will be stopped"),
        "{}",
        run.stderr
    );
    assert_ne!(repo.head(), head);
    // ... and the history still does not leave.
    let before = repo.refs_of(&bare);
    let run = repo.git(&["push", "origin", "main"]);
    run.code(1);
    assert!(run.stderr.contains("feature.env:1:3:"), "{}", run.stderr);
    assert_eq!(repo.refs_of(&bare), before);

    // Twin: a merge whose result adds a token of its own is stopped.
    repo.git(&["reset", "-q", "--hard", &head]).code(0);
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "feature"])
        .code(0);
    repo.write("main.txt", format!("main\nT={}\n", token().b64()));
    repo.git(&["add", "main.txt"]).code(0);
    let run = repo.git(&["commit", "-q", "--no-edit"]);
    assert_blocked(&run, "main.txt:2:3:");
    assert_eq!(repo.head(), head);
}

#[test]
fn a_conflicted_merge_committed_by_hand_is_checked() {
    for token_in_resolution in [true, false] {
        let repo = installed();
        repo.commit_file("shared.txt", "base\n", "base").code(0);
        repo.git(&["checkout", "-q", "-b", "other"]).code(0);
        repo.write("shared.txt", "theirs\n");
        repo.write("other.env", format!("T={}\n", token().b64()));
        repo.git(&["add", "."]).code(0);
        repo.git(&["commit", "-q", "--no-verify", "-m", "other"]).code(0);
        repo.git(&["checkout", "-q", "main"]).code(0);
        repo.commit_file("shared.txt", "ours\n", "ours").code(0);
        let head = repo.head();
        repo.git(&["merge", "-q", "other"]).code(1); // conflict
        let resolved = if token_in_resolution {
            format!("resolved {}\n", token().b64())
        } else {
            format!("resolved {PLACEHOLDER}\n")
        };
        repo.write("shared.txt", resolved);
        repo.git(&["add", "shared.txt"]).code(0);
        let run = repo.git(&["commit", "-q", "--no-edit"]);
        if token_in_resolution {
            assert_blocked(&run, "shared.txt:1:10:");
            assert_eq!(repo.head(), head);
        } else {
            // other.env came with `other`: noted, not blocked.
            run.code(0);
            assert!(run.stderr.contains("other.env:1"), "{}", run.stderr);
            assert_ne!(repo.head(), head);
        }
    }
}

#[test]
fn a_token_in_the_commit_message_is_blocked() {
    let repo = installed();
    repo.initial_commit();
    let head = repo.head();
    let t = token();
    repo.write("a.txt", "a\n");
    repo.git(&["add", "a.txt"]).code(0);
    let run = repo.git(&["commit", "-q", "-m", &format!("try token {}", t.b64())]);
    assert_blocked(&run, "(commit message):1:11:");
    assert_eq!(repo.head(), head);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        "use INTERCOM_ACCESS_TOKEN from the environment",
    ])
    .code(0);
    assert_ne!(repo.head(), head);
}

#[cfg(unix)]
#[test]
fn odd_paths_are_escaped_in_the_message() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let repo = installed();
    repo.initial_commit();
    repo.git(&["config", "core.quotePath", "false"]).code(0);
    let t = token();
    let names: [&[u8]; 3] = [b"with space.env", b"bad\xff.env", b"esc\x1b[31m.env"];
    for name in names {
        std::fs::write(
            repo.root.join(OsStr::from_bytes(name)),
            format!("T={}\n", t.b64()),
        )
        .unwrap();
    }
    repo.git(&["add", "-A"]).code(0);
    let head = repo.head();
    let run = repo.git(&["commit", "-q", "-m", "odd"]);
    run.code(1);
    assert!(run.stderr.contains("with space.env:1:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("\"bad\\377.env\":1:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("\"esc\\033[31m.env\":1:3:"), "{}", run.stderr);
    assert!(
        !run.stderr.contains('\u{1b}'),
        "a raw escape reached the terminal"
    );
    assert_eq!(repo.head(), head);
    for name in names {
        std::fs::write(repo.root.join(OsStr::from_bytes(name)), "clean\n").unwrap();
    }
    repo.git(&["add", "-A"]).code(0);
    repo.git(&["commit", "-q", "-m", "odd"]).code(0);
}

#[test]
fn binary_and_crlf_files() {
    let repo = installed();
    repo.initial_commit();
    let t = token();
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01".to_vec();
    png.extend_from_slice(t.b64().as_bytes());
    png.extend_from_slice(b"\x00IEND\xaeB`\x82");
    let head = repo.head();
    assert_blocked(&repo.commit_file("logo.png", &png, "logo"), "logo.png:3:");
    assert_blocked(
        &repo.commit_file("win.env", format!("A=1\r\nT={}\r\n", t.b64()), "crlf"),
        "win.env:2:3:",
    );
    assert_eq!(repo.head(), head);
    repo.git(&["reset", "-q"]).code(0);
    repo.write(
        "logo.png",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00IEND",
    );
    repo.write("win.env", "A=1\r\nT=${INTERCOM_ACCESS_TOKEN}\r\n");
    repo.git(&["add", "logo.png", "win.env"]).code(0);
    repo.git(&["commit", "-q", "-m", "clean"]).code(0);
}

#[test]
fn a_100_mb_file_is_checked_with_bounded_memory() {
    let repo = installed();
    repo.initial_commit();
    let t = token();
    let mut big = vec![b'x'; 100 << 20];
    for i in (0..big.len()).step_by(100) {
        big[i] = b'\n';
    }
    let at = big.len() - 500;
    big[at..at + 60].copy_from_slice(t.b64().as_bytes());
    repo.write("big.dat", &big);
    repo.git(&["add", "big.dat"]).code(0);
    // Peak memory of the same check, run by hand where GNU time is available.
    if let Some((run, kb)) =
        crate::support::intercept_with_peak_rss(&repo.root, &repo.home(), &["scan", "--staged"])
    {
        run.code(1);
        // The blob itself (100 MiB) plus bounded overhead; never a multiple of it.
        assert!(kb < 260 * 1024, "peak RSS {kb} KiB for a 100 MiB blob");
    }
    let head = repo.head();
    let run = repo.git(&["commit", "-q", "-m", "big"]);
    assert_blocked(&run, &format!("big.dat:{}:", (at / 100) + 1));
    assert_eq!(repo.head(), head);
    big[at..at + 60].fill(b'y');
    repo.write("big.dat", &big);
    repo.git(&["add", "big.dat"]).code(0);
    repo.git(&["commit", "-q", "-m", "big"]).code(0);
}

#[test]
fn submodules_are_skipped_by_the_superproject_and_checked_inside() {
    let repo = installed();
    repo.initial_commit();
    // A library repository with a token committed (bypassing the hook) becomes a submodule.
    let lib = repo.scratch.path().join("lib");
    let t = token();
    repo.git_in(repo.scratch.path(), &["init", "-q", "lib"]).code(0);
    std::fs::write(lib.join("lib.env"), format!("T={}\n", t.b64())).unwrap();
    repo.git_in(&lib, &["add", "lib.env"]).code(0);
    repo.git_in(&lib, &["commit", "-q", "--no-verify", "-m", "lib"])
        .code(0);
    repo.git(&["submodule", "add", "-q", lib.to_str().unwrap(), "vendor/lib"])
        .code(0);
    let head = repo.head();
    // The superproject records a gitlink, not the submodule's files: passes.
    repo.git(&["commit", "-q", "-m", "add submodule"]).code(0);
    assert_ne!(repo.head(), head);
    // Inside the submodule the hooks run too (its .git is a file pointing into .git/modules).
    let sub = repo.root.join("vendor/lib");
    let sub_head = repo.head_in(&sub);
    std::fs::write(sub.join("more.env"), format!("T={}\n", token().b64())).unwrap();
    repo.git_in(&sub, &["add", "more.env"]).code(0);
    assert_blocked(
        &repo.git_in(&sub, &["commit", "-q", "-m", "more"]),
        "more.env:1:3:",
    );
    assert_eq!(repo.head_in(&sub), sub_head);
    std::fs::write(sub.join("more.env"), "T=1\n").unwrap();
    repo.git_in(&sub, &["add", "more.env"]).code(0);
    repo.git_in(&sub, &["commit", "-q", "-m", "more"]).code(0);
}

#[cfg(unix)]
#[test]
fn symlinks_are_checked_as_git_stores_them() {
    let repo = installed();
    repo.initial_commit();
    let t = token();
    // git stores a symlink as its target text: a token as the target is recorded.
    std::os::unix::fs::symlink(t.b64(), repo.root.join("link")).unwrap();
    repo.git(&["add", "link"]).code(0);
    let head = repo.head();
    assert_blocked(&repo.git(&["commit", "-q", "-m", "link"]), "link:1:1:");
    assert_eq!(repo.head(), head);
    // A symlink to a file outside the repository holding a token records only its path.
    let outside = repo.scratch.path().join("outside.env");
    std::fs::write(&outside, format!("T={}\n", t.b64())).unwrap();
    repo.git(&["rm", "-q", "--cached", "link"]).code(0);
    std::fs::remove_file(repo.root.join("link")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.root.join("link")).unwrap();
    repo.git(&["add", "link"]).code(0);
    repo.git(&["commit", "-q", "-m", "link"]).code(0);
}

#[test]
fn linked_worktrees_are_checked() {
    let repo = installed();
    repo.initial_commit();
    let wt = repo.worktree("wt");
    let head = repo.head_in(&wt);
    let t = token();
    std::fs::write(wt.join("w.env"), format!("T={}\n", t.b64())).unwrap();
    repo.git_in(&wt, &["add", "w.env"]).code(0);
    assert_blocked(&repo.git_in(&wt, &["commit", "-q", "-m", "w"]), "w.env:1:3:");
    assert_eq!(repo.head_in(&wt), head);
    std::fs::write(wt.join("w.env"), "T=\n").unwrap();
    repo.git_in(&wt, &["add", "w.env"]).code(0);
    repo.git_in(&wt, &["commit", "-q", "-m", "w"]).code(0);
    assert_ne!(repo.head_in(&wt), head);
}

#[test]
fn sha256_repositories_are_checked() {
    let repo = TestRepo::with_init(&["--object-format=sha256"]);
    repo.install();
    repo.initial_commit();
    assert_eq!(repo.head().len(), 64);
    let head = repo.head();
    let t = token();
    assert_blocked(
        &repo.commit_file("a.env", format!("T={}\n", t.b64()), "a"),
        "a.env:1:3:",
    );
    assert_eq!(repo.head(), head);
    repo.commit_file("a.env", "T=\n", "a").code(0);
}

#[test]
fn a_missing_object_fails_closed_with_a_clear_message() {
    let repo = installed();
    repo.initial_commit();
    repo.write("data.txt", "some content that is not a token\n");
    repo.git(&["add", "data.txt"]).code(0);
    let id = repo.git(&["rev-parse", ":data.txt"]).stdout.trim().to_string();
    let loose = repo.root.join(".git/objects").join(&id[..2]).join(&id[2..]);
    std::fs::remove_file(&loose).unwrap();
    let head = repo.head();
    // git turns any hook failure into exit 1; intercept's own code is 2 ("could not check").
    let run = repo.git(&["commit", "-q", "-m", "data"]);
    run.code(1);
    let direct = repo.intercept_in(&repo.root, &["hook", "pre-commit"]);
    direct.code(2);
    assert_eq!(direct.stdout, "", "hooks print nothing on stdout");
    for needle in [
        "cannot check this commit",
        &format!("cannot read blob {id} (data.txt)"),
        "git fsck",
        "blocked because intercept could not check it",
        "git commit --no-verify",
    ] {
        assert!(
            run.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stderr
        );
        assert!(
            direct.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            direct.stderr
        );
    }
    assert!(
        !run.stderr.contains("class:"),
        "internal error formatting leaked: {}",
        run.stderr
    );
    assert_eq!(repo.head(), head);
    // Twin: with the object back, the same commit goes through.
    repo.write("data.txt", "some content that is not a token\n");
    repo.git(&["add", "data.txt"]).code(0);
    repo.git(&["commit", "-q", "-m", "data"]).code(0);
}

#[test]
fn no_verify_bypasses() {
    let repo = installed();
    repo.initial_commit();
    let head = repo.head();
    let t = token();
    repo.write("a.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "a.env"]).code(0);
    let run = repo.git(&["commit", "-q", "--no-verify", "-m", "bypass"]);
    run.code(0);
    assert!(!run.stderr.contains("intercept"), "{}", run.stderr);
    assert_ne!(repo.head(), head);
}

#[test]
fn scan_staged_reports_like_the_hook() {
    let repo = installed();
    repo.initial_commit();
    let t = token();
    repo.write("a.env", format!("X=1\nT={}\n", t.b64()));
    repo.git(&["add", "a.env"]).code(0);
    let run = repo.intercept_in(&repo.root, &["scan", "--staged", "--format", "json"]);
    run.code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["findings"][0]["path"], "a.env");
    assert_eq!(doc["findings"][0]["line"], 2);
    let blob = repo.git(&["rev-parse", ":a.env"]).stdout.trim().to_string();
    assert_eq!(doc["findings"][0]["blob"], blob.as_str());
    repo.git(&["rm", "-q", "--cached", "a.env"]).code(0);
    repo.intercept_in(&repo.root, &["scan", "--staged"]).code(0);
}

#[test]
fn unchanged_directories_are_skipped_through_the_cache_tree() {
    let repo = installed();
    for d in 0..30 {
        repo.write(format!("dir{d}/sub/file.txt"), format!("content {d}\n"));
    }
    repo.git(&["add", "."]).code(0);
    repo.git(&["commit", "-q", "-m", "many dirs"]).code(0);
    repo.write("dir7/sub/file.txt", "changed\n");
    repo.git(&["add", "dir7/sub/file.txt"]).code(0);
    let run = repo.intercept_in(&repo.root, &["scan", "--staged"]);
    run.code(0);
    let run = crate::support::hermetic(crate::support::bin(), &repo.home())
        .current_dir(&repo.root)
        .env("INTERCEPT_LOG", "debug")
        .args(["scan", "--staged"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&run.stderr);
    let trees: usize = log
        .lines()
        .find_map(|l| l.split("trees_read=").nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no trees_read in {log}"));
    // The root, dir7 and dir7/sub: not the other 29 directories.
    assert_eq!(trees, 3, "{log}");
}

#[test]
fn sparse_index_directory_entries_are_handled() {
    let repo = installed();
    repo.write("a/a.txt", "a\n");
    repo.write("b/b.txt", "b\n");
    repo.git(&["add", "."]).code(0);
    repo.git(&["commit", "-q", "-m", "two dirs"]).code(0);
    repo.git(&["sparse-checkout", "init", "--cone", "--sparse-index"])
        .code(0);
    repo.git(&["sparse-checkout", "set", "a"]).code(0);
    let ls = repo.git(&["ls-files", "--sparse", "-s"]);
    assert!(
        ls.stdout.contains("040000") && ls.stdout.contains("\tb/"),
        "not a sparse index: {}",
        ls.stdout
    );
    let head = repo.head();
    let t = token();
    assert_blocked(
        &repo.commit_file("a/secret.env", format!("T={}\n", t.b64()), "a"),
        "a/secret.env:1:3:",
    );
    assert_eq!(repo.head(), head);
    repo.commit_file("a/secret.env", "T=\n", "a").code(0);
    assert_ne!(repo.head(), head);
}

#[test]
fn a_large_staged_or_packed_blob_is_streamed_not_held() {
    let repo = installed();
    repo.initial_commit();
    let t = token();
    // 100 MiB, mostly zeros (quick for git to compress), a token near the end.
    let mut big = vec![0u8; 100 << 20];
    let tail = format!("\nT={}\n", t.b64());
    let at = big.len() - 4096;
    big[at..at + tail.len()].copy_from_slice(tail.as_bytes());
    repo.write("disk.img", &big);
    drop(big);
    repo.git(&["add", "disk.img"]).code(0);
    let head = repo.head();
    let run = repo.git(&["commit", "-q", "-m", "image"]);
    assert_blocked(&run, "disk.img:2:3:");
    assert_eq!(repo.head(), head);
    let Some((run, kb)) =
        crate::support::intercept_with_peak_rss(&repo.root, &repo.home(), &["scan", "--staged"])
    else {
        return;
    };
    run.code(1);
    assert!(
        kb < 64 * 1024,
        "peak RSS {kb} KiB for a staged 100 MiB loose blob"
    );
    // Packed (undeltified, as git packs a big file): streamed from the pack.
    repo.git(&["commit", "-q", "--no-verify", "-m", "image"]).code(0);
    repo.git(&["gc", "-q"]).code(0);
    let (run, kb) = crate::support::intercept_with_peak_rss(
        &repo.root,
        &repo.home(),
        &["scan", "--range", "HEAD~1..HEAD"],
    )
    .unwrap();
    run.code(1);
    assert!(run.stdout.contains("disk.img:2:3:"), "{}", run.stdout);
    assert!(kb < 64 * 1024, "peak RSS {kb} KiB for a packed 100 MiB blob");
}

//! The two mechanisms, under the git each is for: config-based hooks under git 2.55, shims
//! under the machine's git (2.47). The same scenarios run under both: where the mechanism
//! can run, a token commit and push are blocked (HEAD and the remote's refs unchanged), a
//! clean one passes, and the repository's own hooks still run with their arguments and
//! input; where it cannot (a local `core.hooksPath` under 2.47), `status` says so and exits 1.

use std::path::{Path, PathBuf};

use crate::support::{fake_husky9, token, write_hook, Git, Run, TestRepo, PLACEHOLDER};

/// A hook that logs its name, arguments and how many lines of input it got.
fn logging_hook(dir: &Path, name: &str, log: &Path) {
    write_hook(
        dir,
        name,
        &format!(
            "n=$(cat | wc -l | tr -d ' '); echo \"$(basename \"$0\") args=$# $* stdin=$n\" >> '{}'",
            log.display()
        ),
    );
}

fn read_log(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

/// A repository with intercept installed globally under `git`, `main` pushed to `origin`.
fn installed(git: Git) -> (TestRepo, PathBuf) {
    git.select();
    let repo = TestRepo::new();
    let run = repo.install();
    let expected = if git.has_config_hooks() {
        "config-based hooks"
    } else {
        "core.hooksPath"
    };
    assert!(run.stderr.contains(expected), "{git:?}: {}", run.stderr);
    let bare = repo.remote_bare();
    repo.initial_commit();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    (repo, bare)
}

#[track_caller]
fn assert_blocked(run: &Run, what: &str) {
    run.code(1);
    assert!(
        run.stderr.contains(&format!("intercept: blocked this {what}")),
        "{}",
        run.stderr
    );
}

/// A token commit and push are blocked in `dir`; clean ones pass.
fn commit_and_push_are_checked(repo: &TestRepo, dir: &Path, bare: &Path) {
    let head = repo.head_in(dir);
    let t = token();
    std::fs::write(dir.join("leak.env"), format!("T={}\n", t.b64())).unwrap();
    repo.git_in(dir, &["add", "leak.env"]).code(0);
    assert_blocked(&repo.git_in(dir, &["commit", "-q", "-m", "leak"]), "commit");
    assert_eq!(repo.head_in(dir), head, "HEAD moved");
    repo.git_in(dir, &["commit", "-q", "--no-verify", "-m", "leak"])
        .code(0);
    let before = repo.refs_of(bare);
    assert_blocked(
        &repo.git_in(dir, &["push", "-q", "origin", "HEAD:refs/heads/leak"]),
        "push",
    );
    assert_eq!(repo.refs_of(bare), before, "the remote's refs moved");
    repo.git_in(dir, &["reset", "-q", "--hard", &head]).code(0);
    // The twin.
    std::fs::write(dir.join("clean.env"), format!("T={PLACEHOLDER}\n")).unwrap();
    repo.git_in(dir, &["add", "clean.env"]).code(0);
    repo.git_in(dir, &["commit", "-q", "-m", "clean"]).code(0);
    assert_ne!(repo.head_in(dir), head);
    repo.git_in(dir, &["push", "-q", "origin", "HEAD:refs/heads/clean"])
        .code(0);
    assert_ne!(repo.refs_of(bare), before);
}

/// Every hook event a repository may have, with what a run of the scenario below gives it:
/// its arguments (count, then the first) and the lines of input.
const OWN_EVENTS: [(&str, &str); 10] = [
    ("pre-commit", "args=0 [] [] stdin=0"),
    (
        "prepare-commit-msg",
        "args=2 [.git/COMMIT_EDITMSG] [message] stdin=0",
    ),
    ("commit-msg", "args=1 [.git/COMMIT_EDITMSG] [] stdin=0"),
    ("post-commit", "args=0 [] [] stdin=0"),
    ("reference-transaction", "args=1 [prepared] [] stdin=1"),
    ("post-index-change", "args=2 [0] [0] stdin=0"),
    ("post-checkout", "args=3 ["),
    ("pre-rebase", "args=1 [main] [] stdin=0"),
    ("post-rewrite", "args=1 [rebase] [] stdin=1"),
    ("pre-push", "args=2 [origin] ["),
];

/// A hook that logs its name, its argument count and first argument, and its input lines.
fn event_hook(dir: &Path, name: &str, log: &Path) {
    write_hook(
        dir,
        name,
        &format!(
            "n=$(cat | wc -l | tr -d ' '); echo \"$(basename \"$0\") args=$# [${{1:-}}] [${{2:-}}] stdin=$n\" >> '{}'",
            log.display()
        ),
    );
}

/// Commits, checks out, rebases and pushes, so that every event of [`OWN_EVENTS`] happens.
fn every_event(repo: &TestRepo) {
    repo.commit_file("e1.txt", "1\n", "message").code(0);
    repo.git(&["checkout", "-q", "-b", "topic"]).code(0);
    repo.commit_file("e2.txt", "2\n", "two").code(0);
    repo.git(&["checkout", "-q", "main"]).code(0);
    repo.commit_file("e3.txt", "3\n", "three").code(0);
    repo.git(&["checkout", "-q", "topic"]).code(0);
    repo.git(&["rebase", "-q", "main"]).code(0);
    repo.git(&["push", "-q", "origin", "topic"]).code(0);
}

#[test]
fn a_plain_repository_is_checked_and_its_own_hooks_keep_their_arguments_and_input() {
    for git in Git::BOTH {
        let (repo, bare) = installed(git);
        let log = repo.scratch.path().join("hooks.log");
        let own = repo.root.join(".git/hooks");
        for (name, _) in OWN_EVENTS {
            event_hook(&own, name, &log);
        }
        commit_and_push_are_checked(&repo, &repo.root, &bare);
        if !git.has_config_hooks() {
            // The global shims leave out the hooks git runs for every commit, ref update or
            // index write, and status says so with the fix; the fix makes them run.
            let status = repo.intercept_in(&repo.root, &["status"]);
            status.code(0); // intercept checks everything; the repository's own hooks need the fix
            for name in [
                "prepare-commit-msg",
                "post-commit",
                "reference-transaction",
                "post-index-change",
            ] {
                assert!(status.stdout.contains(name), "{}", status.stdout);
            }
            assert!(
                status
                    .stdout
                    .contains("Run `intercept install` in this repository"),
                "{}",
                status.stdout
            );
            let config = std::fs::read(repo.root.join(".git/config")).unwrap();
            let hooks_before = std::fs::read(own.join("post-commit")).unwrap();
            repo.intercept_in(&repo.root, &["install"]).code(0);
            assert_eq!(std::fs::read(own.join("post-commit")).unwrap(), hooks_before);
            let head = repo.head();
            assert_blocked(
                &repo.commit_file("leak2.env", format!("T={}\n", token().b64()), "leak"),
                "commit",
            );
            assert_eq!(repo.head(), head);
            repo.git(&["reset", "-q"]).code(0);
            std::fs::remove_file(repo.root.join("leak2.env")).unwrap();
            let _ = std::fs::remove_file(&log);
            every_event(&repo);
            let seen = read_log(&log);
            for (name, expected) in OWN_EVENTS {
                assert!(
                    seen.lines().any(|l| l.starts_with(&format!("{name} {expected}"))),
                    "{git:?}: {name} did not run with `{expected}`:\n{seen}"
                );
            }
            repo.intercept_in(&repo.root, &["uninstall"]).code(0);
            assert_eq!(
                std::fs::read(repo.root.join(".git/config")).unwrap(),
                config,
                "uninstall gives the config back"
            );
        } else {
            let _ = std::fs::remove_file(&log);
            every_event(&repo);
            let seen = read_log(&log);
            for (name, expected) in OWN_EVENTS {
                assert!(
                    seen.lines().any(|l| l.starts_with(&format!("{name} {expected}"))),
                    "{git:?}: {name} did not run with `{expected}`:\n{seen}"
                );
            }
        }
        let origin = bare.to_str().unwrap();
        assert!(
            read_log(&log).contains(&format!("pre-push args=2 [origin] [{origin}] stdin=1")),
            "{git:?}: the repository's pre-push must get git's arguments and input:\n{}",
            read_log(&log)
        );
        if git.has_config_hooks() {
            let status = repo.intercept_in(&repo.root, &["status"]);
            status.code(0);
            assert!(
                status.stdout.contains("intercept checks every commit and push"),
                "{}",
                status.stdout
            );
        }
        assert_eq!(
            repo.git(&["status", "--porcelain"]).stdout,
            "",
            "{git:?}: nothing written into the work tree"
        );
    }
}

/// husky v9's layout: `.husky/_` as the local `core.hooksPath`, stubs that source `h`,
/// which (as husky 9.1's does) sources the user's `init.sh`, honours `HUSKY=0` and runs the
/// team's `.husky/<hook>`.
fn husky(repo: &TestRepo, log: &Path) {
    fake_husky9(
        &repo.root,
        &[
            "pre-commit",
            "pre-push",
            "commit-msg",
            "pre-merge-commit",
            "pre-applypatch",
            "post-checkout",
        ],
    );
    for name in ["pre-commit", "pre-push"] {
        std::fs::write(
            repo.root.join(".husky").join(name),
            format!(
                "echo \"husky {name} $# stdin=$(cat | wc -l | tr -d ' ')\" >> '{}'\n",
                log.display()
            ),
        )
        .unwrap();
    }
    repo.git(&["add", ".husky"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "husky"]).code(0);
    repo.git(&["config", "core.hooksPath", ".husky/_"]).code(0);
}

#[test]
fn a_husky_repository_is_checked_with_config_based_hooks_and_told_apart_under_shims() {
    for git in Git::BOTH {
        let (repo, bare) = installed(git);
        let log = repo.scratch.path().join("husky.log");
        husky(&repo, &log);
        let status = repo.intercept_in(&repo.root, &["status"]);
        if git.has_config_hooks() {
            status.code(0);
        } else {
            // husky's init.sh block covers the hooks the repository defines; husky runs
            // nothing for the others, and status says so with the fix.
            status.code(1);
            assert!(
                status.stdout.contains("pre-commit        ok: husky's init.sh"),
                "{}",
                status.stdout
            );
            assert!(
                status.stdout.contains("husky runs nothing for"),
                "{}",
                status.stdout
            );
            assert!(status.stdout.contains(".husky/_"), "{}", status.stdout);
            for husky in ["1", "0"] {
                // Even with HUSKY=0, which turns husky's own hooks off.
                repo.token_commit_stopped(&repo.root, &[("HUSKY", husky)]);
            }
            repo.intercept_in(&repo.root, &["install"]).code(0);
            repo.intercept_in(&repo.root, &["status"]).code(0);
        }
        commit_and_push_are_checked(&repo, &repo.root, &bare);
        let seen = read_log(&log);
        assert!(seen.contains("husky pre-commit 0"), "{seen}");
        assert!(seen.contains("husky pre-push 2 stdin=1"), "{seen}");
        assert_eq!(
            repo.git(&["status", "--porcelain"]).stdout,
            "",
            "{git:?}: nothing written into .husky"
        );
    }
}

#[test]
fn a_hooks_path_from_an_include_if_file_is_seen() {
    for git in Git::BOTH {
        let (repo, bare) = installed(git);
        let team = repo.scratch.path().join("team-hooks");
        let log = repo.scratch.path().join("team.log");
        logging_hook(&team, "pre-commit", &log);
        let inc = repo.scratch.path().join("hooks.inc");
        std::fs::write(&inc, format!("[core]\n\thooksPath = {}\n", team.display())).unwrap();
        let key = format!("includeIf.gitdir:{}/.path", repo.root.display());
        repo.git(&["config", "--global", &key, inc.to_str().unwrap()])
            .code(0);
        let status = repo.intercept_in(&repo.root, &["status"]);
        if !git.has_config_hooks() {
            status.code(1);
            assert!(
                status.stdout.contains("hooks.inc"),
                "status names the included file:\n{}",
                status.stdout
            );
            // The fix it names: the repository's own intercept hooks directory, set in its
            // .git/config after the include, in front of the team's directory.
            repo.intercept_in(&repo.root, &["install"]).code(0);
        }
        repo.intercept_in(&repo.root, &["status"]).code(0);
        commit_and_push_are_checked(&repo, &repo.root, &bare);
        assert!(
            read_log(&log).contains("pre-commit args=0"),
            "the team's hook must still run"
        );
    }
}

#[test]
fn a_linked_worktree_is_checked() {
    for git in Git::BOTH {
        let (repo, bare) = installed(git);
        let wt = repo.worktree("wt");
        commit_and_push_are_checked(&repo, &wt, &bare);
        repo.intercept_in(&wt, &["status"]).code(0);
    }
}

#[test]
fn git_am_of_a_patch_adding_a_token_is_blocked() {
    for git in Git::BOTH {
        let (repo, _bare) = installed(git);
        let patch_of = |content: &str| -> PathBuf {
            repo.git(&["checkout", "-q", "-B", "side", "main"]).code(0);
            repo.write("patched.env", content);
            repo.git(&["add", "patched.env"]).code(0);
            repo.git(&["commit", "-q", "--no-verify", "-m", "patch"]).code(0);
            let dir = repo.scratch.path().join("patches");
            let _ = std::fs::remove_dir_all(&dir);
            let out = repo.git(&["format-patch", "-q", "-1", "-o", dir.to_str().unwrap()]);
            out.code(0);
            repo.git(&["checkout", "-q", "main"]).code(0);
            std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path()
        };
        let t = token();
        let patch = patch_of(&format!("T={}\n", t.b64()));
        let head = repo.head();
        let run = repo.git(&["am", "-q", patch.to_str().unwrap()]);
        assert_blocked(&run, "patch");
        assert_eq!(repo.head(), head);
        repo.git(&["am", "--abort"]).code(0);
        let patch = patch_of(&format!("T={PLACEHOLDER}\n"));
        repo.git(&["am", "-q", patch.to_str().unwrap()]).code(0);
        assert_ne!(repo.head(), head);
    }
}

/// Installs globally with a copy of the binary (which the test then breaks).
fn installed_with_copy(git: Git) -> (TestRepo, PathBuf) {
    git.select();
    let repo = TestRepo::new();
    let copy = repo.scratch.path().join("bin/intercept");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(crate::support::bin(), &copy).unwrap();
    // A binary just written can be "busy" while another test thread forks: retry.
    let status = (0..100)
        .find_map(|_| {
            let mut cmd = crate::support::hermetic(&copy, &repo.home());
            match cmd.current_dir(&repo.root).args(["install", "--global"]).status() {
                Err(e) if e.raw_os_error() == Some(26) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    None
                }
                other => Some(other.unwrap()),
            }
        })
        .expect("the copied binary stays busy");
    assert!(status.success());
    repo.initial_commit();
    (repo, copy)
}

#[test]
fn an_empty_or_replaced_binary_blocks_and_says_why() {
    for git in Git::BOTH {
        for (what, breakage) in [
            ("empty", None),
            ("/bin/true", Some("/bin/true")),
            ("truncated", Some("half")),
        ] {
            let (repo, copy) = installed_with_copy(git);
            match breakage {
                None => std::fs::write(&copy, b"").unwrap(),
                Some("half") => {
                    let bytes = std::fs::read(&copy).unwrap();
                    // Cut inside the code (a cut in the debug info at the end still runs).
                    std::fs::write(&copy, &bytes[..100_000]).unwrap();
                }
                Some(other) => {
                    std::fs::copy(other, &copy).unwrap();
                }
            }
            repo.write("x.txt", "clean\n");
            repo.git(&["add", "x.txt"]).code(0);
            let head = repo.head();
            let run = repo.git(&["commit", "-q", "-m", "x"]);
            assert_ne!(
                run.code, 0,
                "{git:?} {what}: a broken binary must block:\n{}",
                run.stderr
            );
            assert_eq!(repo.head(), head, "{git:?} {what}");
            assert!(
                run.stderr.contains("--no-verify"),
                "{git:?} {what}: names the bypass:\n{}",
                run.stderr
            );
        }
    }
}

#[test]
fn an_unwritable_tmpdir_does_not_let_a_push_through() {
    for git in Git::BOTH {
        let (repo, bare) = installed(git);
        let log = repo.scratch.path().join("pre-push.log");
        logging_hook(&repo.root.join(".git/hooks"), "pre-push", &log);
        let t = token();
        repo.commit_file("leak.env", format!("T={}\n", t.b64()), "leak");
        repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]).code(0);
        let before = repo.refs_of(&bare);
        let mut cmd = crate::support::hermetic("git", &repo.home());
        let out = cmd
            .current_dir(&repo.root)
            .env("TMPDIR", "/proc/no-such-dir")
            .args(["push", "-q", "origin", "main"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{git:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(repo.refs_of(&bare), before);
        // The twin: a clean push goes through, and the repository's pre-push gets its input.
        repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
        repo.commit_file("ok.txt", "ok\n", "ok").code(0);
        let mut cmd = crate::support::hermetic("git", &repo.home());
        let out = cmd
            .current_dir(&repo.root)
            .env("TMPDIR", "/proc/no-such-dir")
            .args(["push", "-q", "origin", "main"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{git:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(read_log(&log).contains("stdin=1"), "{}", read_log(&log));
    }
}

#[test]
fn install_is_idempotent_and_uninstall_removes_exactly_what_it_added() {
    for git in Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        repo.git(&["config", "--global", "alias.st", "status"]).code(0);
        let before = std::fs::read(repo.home().join(".gitconfig")).unwrap();
        repo.install();
        let once = std::fs::read(repo.home().join(".gitconfig")).unwrap();
        repo.install();
        assert_eq!(
            std::fs::read(repo.home().join(".gitconfig")).unwrap(),
            once,
            "{git:?}: re-running changed it"
        );
        repo.intercept_in(&repo.root, &["uninstall", "--global"]).code(0);
        assert_eq!(
            String::from_utf8_lossy(&std::fs::read(repo.home().join(".gitconfig")).unwrap()),
            String::from_utf8_lossy(&before),
            "{git:?}"
        );
        assert!(!repo.home().join(".config/intercept/install.toml").exists());
        // Uninstalled: a token goes through (the twin of every blocked test).
        repo.commit_file("a.env", format!("T={}\n", token().b64()), "a")
            .code(0);
    }
}

#[test]
fn a_shim_install_is_migrated_when_git_is_new_enough_and_status_sees_a_downgrade() {
    Git::System.select();
    let repo = TestRepo::new();
    repo.install();
    assert!(repo.git(&["config", "--global", "core.hooksPath"]).code == 0);
    // git upgraded to 2.55 under the install: status says to switch, install switches.
    Git::V255.select();
    let status = repo.intercept_in(&repo.root, &["status"]);
    assert!(
        status.stdout.contains("switch to config-based hooks"),
        "{}",
        status.stdout
    );
    let run = repo.install();
    assert!(run.stderr.contains("replaced by them"), "{}", run.stderr);
    assert_eq!(
        repo.git(&["config", "--global", "core.hooksPath"]).code,
        1,
        "core.hooksPath restored (unset)"
    );
    repo.initial_commit();
    repo.commit_file("a.env", format!("T={}\n", token().b64()), "a")
        .code(1);
    repo.git(&["reset", "-q"]).code(0);
    // git downgraded to 2.47: config-based hooks do not run there, and status says so.
    Git::System.select();
    let status = repo.intercept_in(&repo.root, &["status"]);
    status.code(1);
    assert!(status.stdout.contains("ignores them"), "{}", status.stdout);
}

#[test]
fn both_mechanisms_check_once_under_each_git() {
    Git::V255.select();
    let repo = TestRepo::new();
    let run = repo.intercept_in(&repo.root, &["install", "--global", "--with-shims"]);
    run.code(0);
    repo.initial_commit();
    for git in Git::BOTH {
        git.select();
        let t = token();
        repo.write("a.env", format!("T={}\n", t.b64()));
        repo.git(&["add", "a.env"]).code(0);
        let run = repo.git(&["commit", "-q", "-m", "a"]);
        assert_blocked(&run, "commit");
        assert_eq!(
            run.stderr.matches("intercept: blocked this commit").count(),
            1,
            "{git:?}: checked exactly once:\n{}",
            run.stderr
        );
        repo.git(&["reset", "-q", "--hard"]).code(0);
        let status = repo.intercept_in(&repo.root, &["status"]);
        status.code(0);
        assert!(!status.stdout.contains("times"), "{git:?}: {}", status.stdout);
    }
}

#[test]
fn a_reftable_repository_works_everywhere() {
    for git in Git::BOTH {
        git.select();
        let repo = TestRepo::with_init(&["--ref-format=reftable"]);
        repo.install();
        // The first commit (an unborn branch), then commits on top.
        repo.commit_file("a.env", format!("T={}\n", token().b64()), "first")
            .code(1);
        assert_eq!(repo.head(), "");
        repo.commit_file("a.env", format!("T={PLACEHOLDER}\n"), "first")
            .code(0);
        let bare = repo.scratch.path().join("remote.git");
        repo.git_in(
            repo.scratch.path(),
            &["init", "-q", "--bare", "--ref-format=reftable", "remote.git"],
        )
        .code(0);
        repo.git(&["remote", "add", "origin", bare.to_str().unwrap()])
            .code(0);
        repo.git(&["push", "-q", "origin", "main"]).code(0);
        commit_and_push_are_checked(&repo, &repo.root, &bare);
        // History scans resolve names and name refs.
        let t = token();
        repo.commit_file("b.env", format!("T={}\n", t.b64()), "b");
        repo.git(&["commit", "-q", "--no-verify", "-m", "b"]).code(0);
        let run = repo.intercept_in(
            &repo.root,
            &["scan", "--range", "origin/main..main", "--format", "json"],
        );
        run.code(1);
        let run = repo.intercept_in(&repo.root, &["scan", "--all", "--format", "json"]);
        run.code(1);
        let doc = crate::support::json(&run);
        let refs: Vec<&str> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["ref"].as_str())
            .collect();
        assert!(refs.contains(&"refs/heads/main"), "{git:?}: {}", run.stdout);
        // A server in reftable format checks what it receives.
        let server = repo.scratch.path().join("server.git");
        repo.git_in(
            repo.scratch.path(),
            &["init", "-q", "--bare", "--ref-format=reftable", "server.git"],
        )
        .code(0);
        repo.intercept_in(&server, &["install"]).code(0);
        let run = repo.git(&["push", "--no-verify", server.to_str().unwrap(), "main"]);
        run.code(1);
        assert!(
            run.stderr.contains("remote: intercept: blocked this push"),
            "{git:?}: {}",
            run.stderr
        );
    }
}

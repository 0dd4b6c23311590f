//! Hook delivery at its edges (issue 19), under both gits where both apply: a damaged
//! install blocks where something of intercept's still runs and `doctor` repairs it; a hook
//! that stages a token after intercept's check is caught; a committed hooks directory is
//! never written and still gets checked; `doctor` over a directory of repositories; and
//! nothing is left in the work tree or the user's config after uninstall.

use std::path::{Path, PathBuf};

use crate::support::{fake_husky9, token, write_hook, Git, Run, TestRepo, PLACEHOLDER};

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The tracked files are as committed (what `git status` shows, untracked files aside).
#[track_caller]
fn tracked_unchanged(repo: &TestRepo, dir: &Path) {
    assert_eq!(
        repo.git_in(dir, &["status", "--porcelain", "--untracked-files=no"])
            .stdout,
        "",
        "a tracked file was changed"
    );
}

/// A commit of a fresh token is blocked and leaves HEAD where it was; returns the run.
#[track_caller]
fn token_commit_blocked(repo: &TestRepo, dir: &Path) -> Run {
    repo.token_commit_stopped(dir, &[])
}

/// A commit of a placeholder goes through (the twin).
#[track_caller]
fn clean_commit_passes(repo: &TestRepo, dir: &Path, name: &str) {
    let head = repo.head_in(dir);
    std::fs::write(dir.join(name), format!("T={PLACEHOLDER}\n")).unwrap();
    repo.git_in(dir, &["add", name]).code(0);
    repo.git_in(dir, &["commit", "-q", "-m", name]).code(0);
    assert_ne!(repo.head_in(dir), head);
}

/// Under git < 2.54 the global shims directory is what git runs: a shim that loses its
/// executable bit, or is written over, blocks the next commit with the reason and the fix,
/// and `doctor --fix` puts it back. A lost directory, which git itself cannot notice, is
/// reported by status and doctor, blocks where intercept's own hooks directory of a
/// repository still runs, and is put back by `doctor --fix`.
#[test]
fn a_damaged_global_shims_directory_blocks_where_intercept_still_runs_and_doctor_repairs_it() {
    Git::System.select();
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let shims = repo.home().join(".config/intercept/hooks");
    // One shim without its executable bit: git would skip it with a hint.
    set_mode(&shims.join("pre-push"), 0o644);
    let run = token_commit_blocked(&repo, &repo.root);
    assert!(run.stderr.contains("lost its executable bit"), "{}", run.stderr);
    assert!(run.stderr.contains("--no-verify"), "{}", run.stderr);
    let head = repo.head();
    let run = repo.commit_file("clean.txt", "clean\n", "clean");
    assert_eq!(
        run.code, 1,
        "a clean commit is stopped too: pushes are not checked"
    );
    assert_eq!(repo.head(), head);
    repo.intercept_in(&repo.root, &["doctor", "--fix"]).code(0);
    repo.git(&["commit", "-q", "-m", "clean"]).code(0);

    // A second repository with its own hooks path: it gets its own intercept hooks directory.
    let other = repo.scratch.path().join("other");
    repo.git_in(repo.scratch.path(), &["init", "-q", "other"]).code(0);
    write_hook(&other.join(".githooks"), "pre-commit", "true");
    repo.git_in(&other, &["add", ".githooks"]).code(0);
    repo.git_in(&other, &["commit", "-q", "--no-verify", "-m", "hooks"])
        .code(0);
    repo.git_in(&other, &["config", "core.hooksPath", ".githooks"])
        .code(0);
    repo.intercept_in(&other, &["install"]).code(0);
    clean_commit_passes(&repo, &other, "ok.env");

    // The whole shims directory goes (a dotfiles sync, a cleanup).
    std::fs::remove_dir_all(&shims).unwrap();
    let status = repo.intercept_in(&repo.root, &["status"]);
    status.code(1);
    assert!(status.stdout.contains("does not exist"), "{}", status.stdout);
    let doctor = repo.intercept_in(repo.scratch.path(), &["doctor"]);
    doctor.code(1);
    assert!(doctor.stdout.contains("does not exist"), "{}", doctor.stdout);
    // Where intercept still runs (the other repository's own directory), git is stopped.
    let run = token_commit_blocked(&repo, &other);
    assert!(run.stderr.contains("global shims directory"), "{}", run.stderr);
    let run = repo.git_in(&other, &["commit", "-q", "--allow-empty", "-m", "clean"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // The fix.
    let fixed = repo.intercept_in(repo.scratch.path(), &["doctor", "--fix"]);
    fixed.code(0);
    repo.intercept_in(&repo.root, &["status"]).code(0);
    token_commit_blocked(&repo, &repo.root);
    clean_commit_passes(&repo, &repo.root, "after.env");
    clean_commit_passes(&repo, &other, "after.env");
    tracked_unchanged(&repo, &other);
}

/// git 2.55 with both mechanisms (`--with-shims`): the config-based hooks still run when the
/// shims directory is lost, and they stop git and say so.
#[test]
fn config_based_hooks_report_a_lost_shims_directory() {
    Git::V255.select();
    let repo = TestRepo::new();
    repo.intercept_in(&repo.root, &["install", "--global", "--with-shims"])
        .code(0);
    repo.initial_commit();
    std::fs::remove_dir_all(repo.home().join(".config/intercept/hooks")).unwrap();
    let run = repo.commit_file("a.txt", "a\n", "a");
    run.code(1);
    assert!(run.stderr.contains("global shims directory"), "{}", run.stderr);
    repo.intercept_in(&repo.root, &["doctor", "--fix"]).code(0);
    repo.git(&["commit", "-q", "-m", "a"]).code(0);
}

/// A pre-commit hook of the repository's own that stages a file after intercept's check
/// (a formatter, a generator, lint-staged): what it stages is checked before git records
/// the commit, under both gits; a placeholder goes through.
#[test]
fn a_chained_pre_commit_hook_that_stages_a_token_is_caught() {
    for git in Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        repo.install();
        repo.initial_commit();
        let t = token();
        let staged = repo.scratch.path().join("to-stage");
        write_hook(
            &repo.root.join(".git/hooks"),
            "pre-commit",
            &format!("cp '{}' generated.env && git add generated.env", staged.display()),
        );
        for (content, blocked) in [
            (format!("T={}\n", t.b64()), true),
            (format!("T={PLACEHOLDER}\n"), false),
        ] {
            std::fs::write(&staged, &content).unwrap();
            let head = repo.head();
            let run = repo.commit_file(&format!("x{blocked}.txt"), "x\n", "x");
            if blocked {
                assert_eq!(
                    run.code, 1,
                    "{git:?}: the staged token went through:\n{}",
                    run.stderr
                );
                assert!(run.stderr.contains("generated.env"), "{git:?}: {}", run.stderr);
                assert_eq!(repo.head(), head, "{git:?}");
                repo.git(&["reset", "-q"]).code(0);
            } else {
                run.code(0);
                let files = repo.git(&["show", "--name-only", "--format=", "HEAD"]).stdout;
                assert!(files.contains("generated.env"), "{git:?}: {files}");
            }
        }
    }
}

/// A team's committed hooks directory (`core.hooksPath=.githooks`): intercept never writes
/// into it. Under git < 2.54 status says the global shims do not run there, and the fix
/// is a hooks directory of the repository's own (in .git) in front of the team's; under
/// 2.55 a committed pre-push that sends data on (here it writes a marker) would still run
/// after a stopped push, which status says, and the same fix stops it. Uninstall gives the
/// repository's config back byte for byte.
#[test]
fn a_committed_hooks_directory_is_never_written_and_still_checked() {
    for git in Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        repo.install();
        let bare = repo.remote_bare();
        let marker = repo.scratch.path().join("team.log");
        let team = repo.root.join(".githooks");
        write_hook(
            &team,
            "pre-commit",
            &format!("echo team-commit >> '{}'", marker.display()),
        );
        write_hook(
            &team,
            "pre-push",
            &format!(
                "echo \"team-push $(cat | wc -l | tr -d ' ')\" >> '{}'",
                marker.display()
            ),
        );
        repo.git(&["add", ".githooks"]).code(0);
        repo.git(&["commit", "-q", "--no-verify", "-m", "team hooks"])
            .code(0);
        repo.git(&["push", "-q", "--no-verify", "origin", "main"]).code(0);
        repo.git(&["config", "core.hooksPath", ".githooks"]).code(0);
        let config_before = std::fs::read(repo.root.join(".git/config")).unwrap();
        let status = repo.intercept_in(&repo.root, &["status"]);
        status.code(1);
        assert!(status.stdout.contains(".githooks"), "{git:?}: {}", status.stdout);
        let run = repo.intercept_in(&repo.root, &["install"]);
        run.code(0);
        repo.intercept_in(&repo.root, &["status"]).code(0);
        token_commit_blocked(&repo, &repo.root);
        clean_commit_passes(&repo, &repo.root, "clean.env");
        assert!(
            std::fs::read_to_string(&marker).unwrap().contains("team-commit"),
            "{git:?}"
        );
        // A stopped push: the team's pre-push does not run.
        repo.commit_file("leak.env", format!("T={}\n", token().b64()), "leak");
        repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]).code(0);
        std::fs::remove_file(&marker).unwrap();
        let before = repo.refs_of(&bare);
        repo.git(&["push", "-q", "origin", "main"]).code(1);
        assert_eq!(repo.refs_of(&bare), before);
        assert!(
            !marker.exists(),
            "{git:?}: the team's pre-push ran after a stopped push"
        );
        repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
        repo.git(&["push", "-q", "origin", "main"]).code(0);
        assert_eq!(
            std::fs::read_to_string(&marker).unwrap(),
            "team-push 1\n",
            "{git:?}"
        );
        tracked_unchanged(&repo, &repo.root);
        repo.intercept_in(&repo.root, &["uninstall"]).code(0);
        assert_eq!(
            std::fs::read(repo.root.join(".git/config")).unwrap(),
            config_before,
            "{git:?}"
        );
        assert!(!repo.root.join(".git/intercept").exists(), "{git:?}");
    }
}

/// `intercept doctor` over a directory of repositories: a plain one, a husky 9 one that
/// defines only pre-commit, one whose hooks path comes from an included file, and one
/// where git-lfs wrote over intercept's pre-push (`git lfs install --force`). The report
/// names each and why; exit 1; `--fix` applies what touches no tracked file, and then every
/// repository is checked (exit 0), with nothing written into their work trees.
#[test]
fn doctor_reports_every_repository_and_fixes_what_it_can() {
    Git::System.select();
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let root = repo.scratch.path().join("src");
    let make = |name: &str| -> PathBuf {
        let dir = root.join(name);
        std::fs::create_dir_all(&root).unwrap();
        repo.git_in(&root, &["init", "-q", name]).code(0);
        repo.git_in(
            &dir,
            &["commit", "-q", "--allow-empty", "--no-verify", "-m", "init"],
        )
        .code(0);
        dir
    };
    let plain = make("plain");
    let husky = make("husky");
    fake_husky9(
        &husky,
        &[
            "pre-commit",
            "pre-merge-commit",
            "commit-msg",
            "pre-applypatch",
            "pre-push",
        ],
    );
    std::fs::write(husky.join(".husky/pre-commit"), "true\n").unwrap();
    repo.git_in(&husky, &["add", ".husky"]).code(0);
    repo.git_in(&husky, &["commit", "-q", "--no-verify", "-m", "husky"])
        .code(0);
    repo.git_in(&husky, &["config", "core.hooksPath", ".husky/_"])
        .code(0);
    let included = make("included");
    let team = repo.scratch.path().join("team-hooks");
    write_hook(&team, "pre-commit", "true");
    let inc = repo.scratch.path().join("team.inc");
    std::fs::write(&inc, format!("[core]\n\thooksPath = {}\n", team.display())).unwrap();
    repo.git_in(&included, &["config", "include.path", inc.to_str().unwrap()])
        .code(0);
    let lfs = make("lfs");
    crate::support::tools();
    repo.git_in(&lfs, &["lfs", "install", "--force"]).code(0);

    let doctor = repo.intercept_in(&root, &["doctor"]);
    doctor.code(1);
    let out = &doctor.stdout;
    for needle in [
        "husky runs nothing for pre-push here",
        "team.inc",
        "was replaced by git-lfs's hook",
        "4 repositories under",
        "not fully checked",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
    assert!(
        out.contains("husky\n  pre-commit        ok: husky's init.sh"),
        "{out}"
    );
    let fixed = repo.intercept_in(&root, &["doctor", "--fix"]);
    fixed.code(0);
    assert!(
        fixed.stdout.contains("every commit and push is checked"),
        "{}",
        fixed.stdout
    );
    repo.intercept_in(&root, &["doctor"]).code(0);
    for dir in [&plain, &husky, &included, &lfs] {
        token_commit_blocked(&repo, dir);
        clean_commit_passes(&repo, dir, "clean.env");
        tracked_unchanged(&repo, dir);
    }
}

/// What install and uninstall do to the user's own files: the global config (comments,
/// a core.hooksPath of the user's, no trailing newline), husky's init.sh with the user's
/// lines, all byte for byte after uninstall; and nothing of intercept's left under the
/// config and cache directories.
#[test]
fn uninstall_gives_back_every_byte_it_touched() {
    for git in Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        let own_hooks = repo.scratch.path().join("my-hooks");
        write_hook(&own_hooks, "post-checkout", "true");
        let gitconfig = repo.home().join(".gitconfig");
        let mut text = std::fs::read_to_string(&gitconfig).unwrap();
        text.push_str(&format!(
            "# my hooks for every repository\n[core]\n\t# keep this\n  hooksPath = {}   ; mine\n[alias]\n\tst = status",
            own_hooks.display()
        ));
        std::fs::write(&gitconfig, &text).unwrap();
        let init = repo.home().join(".config/husky/init.sh");
        std::fs::create_dir_all(init.parent().unwrap()).unwrap();
        std::fs::write(&init, "export PATH=\"$HOME/.nvm/bin:$PATH\"").unwrap();
        repo.install();
        repo.install();
        repo.initial_commit();
        repo.intercept_in(&repo.root, &["uninstall", "--global"]).code(0);
        assert_eq!(std::fs::read_to_string(&gitconfig).unwrap(), text, "{git:?}");
        assert_eq!(
            std::fs::read_to_string(&init).unwrap(),
            "export PATH=\"$HOME/.nvm/bin:$PATH\"",
            "{git:?}"
        );
        assert!(!repo.home().join(".config/intercept").exists(), "{git:?}");
        assert!(!repo.home().join(".cache/intercept").exists(), "{git:?}");
        repo.commit_file("a.env", format!("T={}\n", token().b64()), "a")
            .code(0);
    }
}

/// husky's `.husky/_` deleted (`git clean -fdX` removes what .gitignore ignores): under git
/// < 2.54 git runs no hook at all there, which intercept cannot change from outside the
/// repository; status and doctor say so (exit 1) with the way back. A repository with its
/// own intercept hooks directory stays checked (its shims live in .git).
#[test]
fn a_deleted_husky_directory_is_reported() {
    Git::System.select();
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let stubs = repo.root.join(".husky/_");
    std::fs::create_dir_all(&stubs).unwrap();
    std::fs::write(stubs.join("h"), "#!/bin/sh\n# husky\n").unwrap();
    std::fs::write(stubs.join(".gitignore"), "*\n").unwrap();
    std::fs::write(repo.root.join(".husky/pre-commit"), "true\n").unwrap();
    repo.git(&["add", ".husky"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "husky"]).code(0);
    repo.git(&["config", "core.hooksPath", ".husky/_"]).code(0);
    repo.git(&["clean", "-q", "-fdX"]).code(0);
    assert!(!stubs.exists());
    let status = repo.intercept_in(&repo.root, &["status"]);
    status.code(1);
    assert!(
        status.stdout.contains("does not exist") && status.stdout.contains("npm install"),
        "{}",
        status.stdout
    );
    repo.intercept_in(repo.scratch.path(), &["doctor"]).code(1);
    // Its own intercept hooks directory does not depend on .husky/_.
    repo.intercept_in(&repo.root, &["install"]).code(0);
    repo.intercept_in(&repo.root, &["status"]).code(0);
    token_commit_blocked(&repo, &repo.root);
    clean_commit_passes(&repo, &repo.root, "ok.env");
}

/// The user's own global hooks path kept in an included file or in the XDG config file
/// still runs after a git < 2.54 install, and a setting git writes into the last `[core]`
/// section (intercept's block's) stays the user's: it survives a re-install and uninstall,
/// and does not count as damage.
#[test]
fn the_users_global_settings_stay_theirs() {
    Git::System.select();
    let repo = TestRepo::new();
    let mine = repo.scratch.path().join("my-hooks");
    let ran = repo.scratch.path().join("mine.ran");
    write_hook(&mine, "pre-commit", &format!("echo ran >> '{}'", ran.display()));
    let inc = repo.scratch.path().join("hooks.inc");
    std::fs::write(&inc, format!("[core]\n\thooksPath = {}\n", mine.display())).unwrap();
    repo.git(&["config", "--global", "include.path", inc.to_str().unwrap()])
        .code(0);
    repo.install();
    repo.initial_commit();
    assert!(ran.exists(), "the user's own global hooks path no longer runs");
    repo.git(&["config", "--global", "core.editor", "vim"]).code(0);
    clean_commit_passes(&repo, &repo.root, "a.env");
    repo.install();
    assert_eq!(
        repo.git(&["config", "--global", "core.editor"]).stdout.trim(),
        "vim"
    );
    repo.intercept_in(&repo.root, &["uninstall", "--global"]).code(0);
    assert_eq!(
        repo.git(&["config", "--global", "core.editor"]).stdout.trim(),
        "vim"
    );
}

/// A path git config cannot hold (not UTF-8) is refused at install with the reason,
/// instead of a setting that points nowhere.
#[test]
fn a_home_that_is_not_utf8_is_refused_plainly() {
    use std::os::unix::ffi::OsStrExt;
    Git::System.select();
    let repo = TestRepo::new();
    let odd = repo.scratch.path().join(std::ffi::OsStr::from_bytes(b"odd-\xff"));
    std::fs::create_dir_all(&odd).unwrap();
    let run = crate::support::hermetic(crate::support::bin(), &repo.home())
        .current_dir(&repo.root)
        .env("XDG_CONFIG_HOME", &odd)
        .args(["install", "--global"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("not a UTF-8 path"));
    assert_eq!(
        repo.git(&["config", "--global", "core.hooksPath"]).code,
        1,
        "nothing was installed"
    );
}

/// git 2.55: another config-based pre-push hook (one that could upload) runs whatever
/// intercept decides; status says so (exit 1) and how to put intercept in front of it.
#[test]
fn another_config_based_pre_push_hook_is_reported() {
    Git::V255.select();
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    repo.intercept_in(&repo.root, &["status"]).code(0);
    repo.git(&["config", "hook.uploader.command", "true"]).code(0);
    repo.git(&["config", "hook.uploader.event", "pre-push"]).code(0);
    let status = repo.intercept_in(&repo.root, &["status"]);
    status.code(1);
    assert!(
        status
            .stdout
            .contains("uploader (local config), runs after intercept's"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("hook.uploader.enabled false"),
        "{}",
        status.stdout
    );
}

/// A repository copied after `intercept install` (git < 2.54) points at the original's
/// intercept hooks directory: status says so, and uninstall then install set it right.
#[test]
fn a_copied_repository_is_told_and_set_right() {
    Git::System.select();
    let repo = TestRepo::new();
    repo.install();
    repo.initial_commit();
    let marker = repo.scratch.path().join("own.log");
    write_hook(
        &repo.root.join(".githooks"),
        "pre-commit",
        &format!("echo \"$PWD\" >> '{}'", marker.display()),
    );
    repo.git(&["add", ".githooks"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "hooks"]).code(0);
    repo.git(&["config", "core.hooksPath", ".githooks"]).code(0);
    repo.intercept_in(&repo.root, &["install"]).code(0);
    let copy = repo.scratch.path().join("copy");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(&repo.root)
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    let status = repo.intercept_in(&copy, &["status"]);
    status.code(1);
    assert!(status.stdout.contains("copied or moved"), "{}", status.stdout);
    repo.intercept_in(&copy, &["uninstall"]).code(0);
    assert_eq!(
        repo.git_in(&copy, &["config", "core.hooksPath"]).stdout.trim(),
        ".githooks"
    );
    repo.intercept_in(&copy, &["install"]).code(0);
    repo.intercept_in(&copy, &["status"]).code(0);
    token_commit_blocked(&repo, &copy);
    let _ = std::fs::remove_file(&marker);
    clean_commit_passes(&repo, &copy, "ok.env");
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap().trim(),
        copy.to_str().unwrap()
    );
    // The original is untouched by all that.
    repo.intercept_in(&repo.root, &["status"]).code(0);
    token_commit_blocked(&repo, &repo.root);
}

/// An install by the intercept before this layout (hooks set with `git config`, shim files
/// in `config-hooks/` for git 2.55; a direct global `core.hooksPath` for git 2.47) is
/// migrated by `install --global`: nothing of it stays, a commit is checked once, and
/// uninstall then leaves the config as it was before either install.
#[test]
fn an_earlier_layout_is_migrated_cleanly() {
    for git in Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        let gitconfig = repo.home().join(".gitconfig");
        let before = std::fs::read_to_string(&gitconfig).unwrap();
        let dir = repo.home().join(".config/intercept");
        std::fs::create_dir_all(dir.join("hooks")).unwrap();
        if git.has_config_hooks() {
            std::fs::create_dir_all(dir.join("config-hooks")).unwrap();
            let shim = dir.join("config-hooks/pre-commit");
            write_hook(
                &dir.join("config-hooks"),
                "pre-commit",
                &format!(
                    "# intercept-shim: v2\nexec '{}' hook --shim pre-commit",
                    crate::support::bin().display()
                ),
            );
            repo.git(&[
                "config",
                "--global",
                "hook.intercept-pre-commit.command",
                shim.to_str().unwrap(),
            ])
            .code(0);
            repo.git(&[
                "config",
                "--global",
                "hook.intercept-pre-commit.event",
                "pre-commit",
            ])
            .code(0);
            std::fs::write(
                dir.join("install.toml"),
                "config_hooks = true\nshims = false\ngit = \"2.55.0\"\n",
            )
            .unwrap();
        } else {
            let hooks = dir.join("hooks");
            repo.git(&["config", "--global", "core.hooksPath", hooks.to_str().unwrap()])
                .code(0);
            std::fs::write(
                dir.join("install.toml"),
                "config_hooks = false\nshims = true\ngit = \"2.47.3\"\n",
            )
            .unwrap();
        }
        repo.install();
        let text = std::fs::read_to_string(&gitconfig).unwrap();
        assert_eq!(
            text.matches("[hook \"intercept-pre-commit\"]").count(),
            usize::from(git.has_config_hooks()),
            "{git:?}: {text}"
        );
        assert_eq!(
            text.matches("hooksPath").count(),
            usize::from(!git.has_config_hooks()),
            "{git:?}: {text}"
        );
        assert!(!dir.join("config-hooks").exists(), "{git:?}");
        repo.initial_commit();
        let run = token_commit_blocked(&repo, &repo.root);
        assert_eq!(
            run.stderr.matches("intercept: blocked this commit").count(),
            1,
            "{git:?}: {}",
            run.stderr
        );
        repo.intercept_in(&repo.root, &["uninstall", "--global"]).code(0);
        assert_eq!(std::fs::read_to_string(&gitconfig).unwrap(), before, "{git:?}");
    }
}

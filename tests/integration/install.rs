//! The installer: global and per-repository installs, chaining of existing hooks,
//! status, uninstall, and a shim whose binary is gone.

use std::path::Path;

use crate::support::{token, write_hook, Git, TestRepo};

fn global_hooks_path(repo: &TestRepo) -> Option<String> {
    let run = repo.git(&["config", "--global", "--get", "core.hooksPath"]);
    (run.code == 0).then(|| run.stdout.trim().to_string())
}

#[test]
fn global_install_keeps_the_repositorys_own_hooks_running() {
    let repo = TestRepo::new();
    let run = repo.install();
    assert!(
        run.stderr.contains("set the global core.hooksPath"),
        "{}",
        run.stderr
    );
    let hooks = repo.home().join(".config/intercept/hooks");
    assert_eq!(global_hooks_path(&repo).as_deref(), hooks.to_str());
    // Idempotent.
    repo.install();
    assert_eq!(global_hooks_path(&repo).as_deref(), hooks.to_str());

    repo.initial_commit();
    let own = repo.root.join(".git/hooks");
    write_hook(&own, "post-checkout", "echo \"$@\" > post-checkout.ran");
    write_hook(
        &own,
        "pre-commit",
        "echo ran > pre-commit.ran; exit ${FAIL_OWN_HOOK:-0}",
    );
    repo.git(&["checkout", "-q", "-b", "topic"]).code(0);
    assert!(
        repo.root.join("post-checkout.ran").exists(),
        "the repository's post-checkout did not run"
    );

    // The repository's pre-commit runs after intercept passes, and its failure still blocks.
    repo.write("b.txt", "b\n");
    repo.git(&["add", "b.txt"]).code(0);
    repo.git(&["commit", "-q", "-m", "b"]).code(0);
    assert!(repo.root.join("pre-commit.ran").exists());
    std::fs::remove_file(repo.root.join("pre-commit.ran")).unwrap();

    // When intercept blocks, the repository's hook is not reached.
    let t = token();
    repo.write("c.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "c.env"]).code(0);
    repo.git(&["commit", "-q", "-m", "c"]).code(1);
    assert!(!repo.root.join("pre-commit.ran").exists());
}

#[test]
fn global_install_chains_a_previous_global_hooks_path_and_uninstall_restores_it() {
    let repo = TestRepo::new();
    let previous = repo.scratch.path().join("team-hooks");
    write_hook(
        &previous,
        "pre-commit",
        "echo team > \"$(git rev-parse --show-toplevel)/team.ran\"",
    );
    repo.git(&["config", "--global", "core.hooksPath", previous.to_str().unwrap()])
        .code(0);
    let run = repo.install();
    assert!(
        run.stderr.contains("previous global core.hooksPath"),
        "{}",
        run.stderr
    );
    repo.initial_commit();
    assert!(
        repo.root.join("team.ran").exists(),
        "the previous global hook did not run"
    );

    let run = repo.intercept_in(&repo.root, &["uninstall", "--global"]);
    run.code(0);
    assert_eq!(global_hooks_path(&repo).as_deref(), previous.to_str());
    assert!(!repo.home().join(".config/intercept/hooks").exists());
}

#[test]
fn uninstall_global_unsets_what_was_unset() {
    let repo = TestRepo::new();
    assert_eq!(global_hooks_path(&repo), None);
    repo.install();
    repo.intercept_in(&repo.root, &["uninstall", "--global"]).code(0);
    assert_eq!(global_hooks_path(&repo), None);
    // Without intercept a token goes through (the twin of every blocked test).
    let t = token();
    repo.commit_file("a.env", format!("T={}\n", t.b64()), "a").code(0);
}

#[test]
fn status_reports_a_husky_style_local_hooks_path() {
    let repo = TestRepo::new();
    repo.install();
    let run = repo.intercept_in(&repo.root, &["status"]);
    run.code(0);
    assert!(run.stdout.contains("pre-commit        ok"), "{}", run.stdout);

    repo.git(&["config", "core.hooksPath", ".husky/_"]).code(0);
    std::fs::create_dir_all(repo.root.join(".husky/_")).unwrap();
    let run = repo.intercept_in(&repo.root, &["status"]);
    run.code(1);
    for needle in [
        "core.hooksPath, local config",
        "NOT CHECKED",
        "not from intercept's global shims",
        "intercept install",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in\n{}",
            run.stdout
        );
    }
    // And a token goes through there: that is what status warns about.
    let t = token();
    repo.commit_file("a.env", format!("T={}\n", t.b64()), "a").code(0);

    // The fix it names works: the repository gets its own intercept hooks directory (in
    // .git), and the token is blocked.
    repo.intercept_in(&repo.root, &["install"]).code(0);
    repo.intercept_in(&repo.root, &["status"]).code(0);
    repo.commit_file("b.env", format!("T={}\n", token().b64()), "b")
        .code(1);
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"])
            .stdout,
        "A  b.env\n"
    );
}

#[test]
fn per_repository_install_chains_an_existing_hook_and_uninstall_restores_it_exactly() {
    let repo = TestRepo::new();
    let hooks = repo.root.join(".git/hooks");
    write_hook(&hooks, "pre-commit", "echo own > own.ran");
    let before = std::fs::read(hooks.join("pre-commit")).unwrap();
    let config_before = std::fs::read(repo.root.join(".git/config")).unwrap();
    let run = repo.intercept_in(&repo.root, &["install"]);
    run.code(0);
    assert!(run.stderr.contains("runs from there as before"), "{}", run.stderr);
    // The repository's own hooks directory is not touched: git runs intercept's mirror of it.
    assert_eq!(std::fs::read(hooks.join("pre-commit")).unwrap(), before);
    let config = std::fs::read(repo.root.join(".git/config")).unwrap();
    repo.intercept_in(&repo.root, &["install"]).code(0); // idempotent
    assert_eq!(std::fs::read(repo.root.join(".git/config")).unwrap(), config);
    repo.initial_commit();
    assert!(repo.root.join("own.ran").exists(), "the chained hook did not run");
    let t = token();
    repo.commit_file("a.env", format!("T={}\n", t.b64()), "a").code(1);
    repo.git(&["reset", "-q"]).code(0);

    repo.intercept_in(&repo.root, &["uninstall"]).code(0);
    assert_eq!(std::fs::read(hooks.join("pre-commit")).unwrap(), before);
    assert_eq!(
        std::fs::read(repo.root.join(".git/config")).unwrap(),
        config_before
    );
    assert!(!hooks.join("commit-msg").exists());
    assert!(!hooks.join(".intercept-chained").exists());
    assert!(!repo.root.join(".git/intercept").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(hooks.join("pre-commit"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}

#[test]
fn a_missing_binary_fails_closed_and_names_the_bypass() {
    let repo = TestRepo::new();
    let copy = repo.scratch.path().join("bin/intercept");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(crate::support::bin(), &copy).unwrap();
    let mut cmd = crate::support::hermetic(&copy, &repo.home());
    assert!(cmd
        .current_dir(&repo.root)
        .args(["install", "--global"])
        .status()
        .unwrap()
        .success());
    repo.initial_commit();
    std::fs::remove_file(&copy).unwrap();
    let mut cmd = crate::support::hermetic("git", &repo.home());
    // PATH without intercept on it.
    cmd.env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .current_dir(&repo.root);
    repo.write("x.txt", "x\n");
    repo.git(&["add", "x.txt"]).code(0);
    let out = cmd.args(["commit", "-q", "-m", "x"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("is gone") && stderr.contains("--no-verify"),
        "{stderr}"
    );
    let status = repo.intercept_in(&repo.root, &["status"]);
    status.code(1);
    assert!(status.stdout.contains("which is gone"), "{}", status.stdout);
}

/// Hooks of every shape survive a per-repository install (git < 2.54 writes shims into the
/// hooks directory): a relative symlink (`../../scripts/…`) still resolves and runs after
/// intercept, a non-shell hook runs, an odd mode is kept, and uninstall restores each one
/// exactly (symlink text, bytes, mode).
#[test]
fn per_repository_install_keeps_symlinks_non_shell_hooks_and_modes() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    Git::System.select();
    let repo = TestRepo::new();
    let hooks = repo.root.join(".git/hooks");
    let scripts = repo.root.join("scripts");
    std::fs::create_dir_all(&scripts).unwrap();
    std::fs::write(
        scripts.join("pre-commit"),
        "#!/bin/sh\necho linked > linked.ran\n",
    )
    .unwrap();
    std::fs::set_permissions(scripts.join("pre-commit"), std::fs::Permissions::from_mode(0o755)).unwrap();
    symlink("../../scripts/pre-commit", hooks.join("pre-commit")).unwrap();
    std::fs::write(
        hooks.join("commit-msg"),
        "#!/usr/bin/env python3\nimport sys\nopen('python.ran', 'w').write(open(sys.argv[1]).read())\n",
    )
    .unwrap();
    std::fs::set_permissions(hooks.join("commit-msg"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let before_msg = std::fs::read(hooks.join("commit-msg")).unwrap();
    repo.intercept_in(&repo.root, &["install"]).code(0);
    repo.initial_commit();
    assert!(
        repo.root.join("linked.ran").exists(),
        "the relative symlink's hook did not run"
    );
    assert_eq!(
        std::fs::read_to_string(repo.root.join("python.ran")).unwrap(),
        "initial\n"
    );
    let t = token();
    repo.commit_file("a.env", format!("T={}\n", t.b64()), "a").code(1);
    repo.git(&["reset", "-q"]).code(0);
    repo.intercept_in(&repo.root, &["uninstall"]).code(0);
    assert_eq!(
        std::fs::read_link(hooks.join("pre-commit")).unwrap(),
        Path::new("../../scripts/pre-commit"),
        "the symlink's text"
    );
    assert_eq!(std::fs::read(hooks.join("commit-msg")).unwrap(), before_msg);
    let mode = std::fs::metadata(hooks.join("commit-msg"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(!hooks.join(".intercept-chained").exists());
    // The twin: without intercept the token commit goes through (the hooks are really back).
    repo.commit_file("b.env", format!("T={}\n", t.b64()), "b").code(0);
}

/// Sixteen installs at once, three times over (a lock serialises them; without it an
/// install could move another's fresh shim over the kept hook): the original hook is kept
/// exactly once and runs after intercept, and uninstall restores it.
#[test]
fn concurrent_installs_keep_the_original_hook() {
    Git::System.select();
    let repo = TestRepo::new();
    let hooks = repo.root.join(".git/hooks");
    write_hook(&hooks, "pre-commit", "echo own >> own.ran");
    let before = std::fs::read(hooks.join("pre-commit")).unwrap();
    repo.initial_commit();
    for round in 0..3 {
        let children: Vec<_> = (0..16)
            .map(|_| {
                crate::support::hermetic(crate::support::bin(), &repo.home())
                    .current_dir(&repo.root)
                    .arg("install")
                    // Debug builds: a pause between looking at the hook and moving it.
                    .env("INTERCEPT_TEST_PAUSE_MS", "20")
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let _ = std::fs::remove_file(repo.root.join("own.ran"));
        repo.commit_file(&format!("ok{round}.txt"), "ok\n", "ok").code(0);
        assert_eq!(
            std::fs::read_to_string(repo.root.join("own.ran")).unwrap_or_default(),
            "own\n",
            "round {round}: the original hook did not run once"
        );
        repo.commit_file("a.env", format!("T={}\n", token().b64()), "a")
            .code(1);
        repo.git(&["reset", "-q"]).code(0);
        repo.intercept_in(&repo.root, &["uninstall"]).code(0);
        assert_eq!(
            std::fs::read(hooks.join("pre-commit")).unwrap(),
            before,
            "round {round}"
        );
        assert!(!hooks.join(".intercept-chained").exists(), "round {round}");
    }
}

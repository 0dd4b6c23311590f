//! The tools developers already have — husky v9, lefthook, the pre-commit framework and
//! git-lfs, the real ones (see `support::tools`) — beside intercept, in both install
//! orders and under both gits: a token commit and push are blocked, a clean one passes, and
//! the tool's own hook visibly ran (it writes a marker). Where a tool's own install cannot
//! work beside intercept's shims (git < 2.54), `status` says so and the alternative it
//! names is run and must work.

use std::path::{Path, PathBuf};

use crate::support::{token, tools, Git, Run, TestRepo, PLACEHOLDER};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    InterceptFirst,
    ToolFirst,
}

const ORDERS: [Order; 2] = [Order::InterceptFirst, Order::ToolFirst];

/// A repository with `origin`, one commit pushed, and intercept installed globally when
/// `install` is true.
fn repo(git: Git) -> (TestRepo, PathBuf) {
    git.select();
    let repo = TestRepo::new();
    let bare = repo.remote_bare();
    repo.initial_commit();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    (repo, bare)
}

fn run_in(repo: &TestRepo, program: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = crate::support::hermetic(program, &repo.home());
    cmd.current_dir(&repo.root).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout_bytes: out.stdout,
    }
}

fn marker(repo: &TestRepo) -> PathBuf {
    repo.scratch.path().join("tool.log")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A token commit and push are blocked; a clean commit and push pass and the tool's hooks
/// wrote `commit_mark` and `push_mark` into the marker file.
fn checked_with_tool(repo: &TestRepo, bare: &Path, file: &str, commit_mark: &str, push_mark: &str) {
    let head = repo.head();
    let t = token();
    repo.write(file, format!("T={}\n", t.b64()));
    repo.git(&["add", "--", file]).code(0);
    let run = repo.git(&["commit", "-q", "-m", "leak"]);
    run.code(1);
    assert!(
        run.stderr.contains("intercept: blocked this commit"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.head(), head);
    repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]).code(0);
    let before = repo.refs_of(bare);
    for _ in 0..2 {
        let _ = std::fs::remove_file(marker(repo));
        let run = repo.git(&["push", "-q", "origin", "HEAD:refs/heads/leak"]);
        run.code(1);
        assert!(
            run.stderr.contains("intercept: blocked this push"),
            "{}",
            run.stderr
        );
        assert_eq!(repo.refs_of(bare), before);
        assert_eq!(
            repo.git(&["status", "--porcelain", "--untracked-files=no"])
                .stdout,
            "",
            "a stopped push changed a tracked file"
        );
        // The tool's pre-push (which may send data on) does not run for a stopped push,
        // under git >= 2.54 either (intercept's gate).
        assert!(
            !read(&marker(repo)).contains(push_mark),
            "{}\n{}",
            read(&marker(repo)),
            run.stderr
        );
    }
    repo.git(&["reset", "-q", "--hard", &head]).code(0);
    let _ = std::fs::remove_file(marker(repo));
    repo.write(file, format!("T={PLACEHOLDER}\n"));
    repo.git(&["add", "--", file]).code(0);
    repo.git(&["commit", "-q", "-m", "clean"]).code(0);
    assert!(
        read(&marker(repo)).contains(commit_mark),
        "the tool's commit hook did not run: {}",
        read(&marker(repo))
    );
    repo.git(&["push", "-q", "origin", "HEAD:refs/heads/clean"])
        .code(0);
    assert!(
        read(&marker(repo)).contains(push_mark),
        "the tool's push hook did not run: {}",
        read(&marker(repo))
    );
}

#[test]
fn husky() {
    for git in Git::BOTH {
        for order in ORDERS {
            let (repo, bare) = repo(git);
            let t = tools();
            if order == Order::InterceptFirst {
                repo.install();
            }
            run_in(&repo, &t.husky, &[], &[]).code(0);
            let log = marker(&repo);
            repo.write(
                ".husky/pre-commit",
                format!("echo husky-commit >> '{}'\n", log.display()),
            );
            repo.write(
                ".husky/pre-push",
                format!(
                    "echo \"husky-push $# $(cat | wc -l | tr -d ' ')\" >> '{}'\n",
                    log.display()
                ),
            );
            let own = std::fs::read(repo.root.join(".husky/pre-commit")).unwrap();
            if order == Order::ToolFirst {
                repo.install();
            }
            // HUSKY=0 turns husky's hooks off, not intercept (husky 9 sources init.sh first).
            repo.token_commit_stopped(&repo.root, &[("HUSKY", "0")]);
            let status = repo.intercept_in(&repo.root, &["status"]);
            if !git.has_config_hooks() {
                // The shims are shadowed by .husky/_: status says so, and its fix works.
                status.code(1);
                assert!(status.stdout.contains("intercept install"), "{}", status.stdout);
                let run = repo.intercept_in(&repo.root, &["install"]);
                run.code(0);
                assert!(run.stderr.contains(".husky"), "{}", run.stderr);
            }
            repo.intercept_in(&repo.root, &["status"]).code(0);
            checked_with_tool(&repo, &bare, "a.env", "husky-commit", "husky-push 2 1");
            // husky's own re-install (what `npm install` runs) keeps working. Under old git it
            // sets core.hooksPath back to .husky/_: the hooks the team defines stay checked
            // (husky's init.sh), status says what is not, and its fix works again.
            run_in(&repo, &t.husky, &[], &[]).code(0);
            if !git.has_config_hooks() {
                let status = repo.intercept_in(&repo.root, &["status"]);
                status.code(1);
                assert!(
                    status.stdout.contains("pre-commit        ok: husky's init.sh"),
                    "{}",
                    status.stdout
                );
                assert!(status.stdout.contains("was set to"), "{}", status.stdout);
                repo.intercept_in(&repo.root, &["install"]).code(0);
            }
            repo.intercept_in(&repo.root, &["status"]).code(0);
            checked_with_tool(&repo, &bare, "b.env", "husky-commit", "husky-push 2 1");
            assert_eq!(
                std::fs::read(repo.root.join(".husky/pre-commit")).unwrap(),
                own,
                "{order:?}"
            );
            repo.intercept_in(&repo.root, &["uninstall"]).code(0);
            assert_eq!(
                std::fs::read(repo.root.join(".husky/pre-commit")).unwrap(),
                own,
                "{order:?}"
            );
            assert!(!repo.root.join(".husky/pre-merge-commit").exists());
        }
    }
}

/// husky 8.0.3's `.husky/_/husky.sh`, as `husky install` writes it (husky 5 to 8 share
/// the layout: `core.hooksPath=.husky`, and each `.husky/<hook>` sources this file
/// relative to its own `$0`).
const HUSKY_8_SH: &str = r#"#!/usr/bin/env sh
if [ -z "$husky_skip_init" ]; then
  debug () {
    if [ "$HUSKY_DEBUG" = "1" ]; then
      echo "husky (debug) - $1"
    fi
  }

  readonly hook_name="$(basename -- "$0")"
  debug "starting $hook_name..."

  if [ "$HUSKY" = "0" ]; then
    debug "HUSKY env variable is set to 0, skipping hook"
    exit 0
  fi

  if [ -f ~/.huskyrc ]; then
    debug "sourcing ~/.huskyrc"
    . ~/.huskyrc
  fi

  readonly husky_skip_init=1
  export husky_skip_init
  sh -e "$0" "$@"
  exitCode="$?"

  if [ $exitCode != 0 ]; then
    echo "husky - $hook_name hook exited with code $exitCode (error)"
  fi

  if [ $exitCode = 127 ]; then
    echo "husky - command not found in PATH=$PATH"
  fi

  exit $exitCode
fi
"#;

#[test]
fn husky_5_to_8_hooks_keep_their_place_and_keep_working() {
    use std::os::unix::fs::PermissionsExt;
    for git in Git::BOTH {
        let (repo, bare) = repo(git);
        let log = marker(&repo);
        repo.write(".husky/_/husky.sh", HUSKY_8_SH);
        repo.write(".husky/_/.gitignore", "*\n");
        repo.write(
            ".husky/pre-commit",
            format!(
                "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\necho husky8-commit >> '{}'\n",
                log.display()
            ),
        );
        repo.write(
            ".husky/pre-push",
            format!(
                "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\necho \"husky8-push $# $(cat | wc -l | tr -d ' ')\" >> '{}'\n",
                log.display()
            ),
        );
        for hook in ["pre-commit", "pre-push"] {
            let path = repo.root.join(".husky").join(hook);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        repo.git(&["add", ".husky"]).code(0);
        repo.git(&["commit", "-q", "--no-verify", "-m", "husky"]).code(0);
        repo.git(&["config", "core.hooksPath", ".husky"]).code(0);
        let own = std::fs::read(repo.root.join(".husky/pre-commit")).unwrap();
        repo.install();
        if !git.has_config_hooks() {
            // The local core.hooksPath shadows the global shims: status says so.
            repo.intercept_in(&repo.root, &["status"]).code(1);
        }
        let run = repo.intercept_in(&repo.root, &["install"]);
        run.code(0);
        repo.intercept_in(&repo.root, &["status"]).code(0);
        if !git.has_config_hooks() {
            // HUSKY=0 turns husky's hooks off, not intercept, which runs in front of them.
            repo.token_commit_stopped(&repo.root, &[("HUSKY", "0")]);
        }
        // `.husky/<hook>` must stay where it is: it finds `_/husky.sh` from its own path.
        assert!(
            !repo.root.join(".husky/.intercept-chained").exists(),
            "{git:?}: {}",
            run.stderr
        );
        checked_with_tool(&repo, &bare, "a.env", "husky8-commit", "husky8-push 2 1");
        assert_eq!(std::fs::read(repo.root.join(".husky/pre-commit")).unwrap(), own);
        assert_eq!(
            repo.git(&["status", "--porcelain"]).stdout,
            "",
            "{git:?}: .husky is the team's"
        );
        repo.intercept_in(&repo.root, &["uninstall"]).code(0);
        assert_eq!(std::fs::read(repo.root.join(".husky/pre-commit")).unwrap(), own);
        assert_eq!(repo.git(&["config", "core.hooksPath"]).stdout.trim(), ".husky");
    }
}

/// husky 4's hooks, as its installer writes them into `.git/hooks` (trimmed to what matters
/// here: every lookup goes through the hook's own `$0`). The real `husky.sh` then runs
/// `npx husky-run <hook>`; this one writes what it found into the marker.
fn husky_4_files(marker: &Path) -> [(&'static str, String); 4] {
    let hook = "#!/bin/sh\n# husky\n\n# Hook created by Husky v4.3.8 (https://github.com/typicode/husky#readme)\n\n. \"$(dirname \"$0\")/husky.sh\"\n".to_string();
    [
        ("pre-commit", hook.clone()),
        ("pre-push", hook),
        ("husky.local.sh", "packageManager=npm\ncd \".\"\n".to_string()),
        (
            "husky.sh",
            format!(
                "#!/bin/sh\n# husky\nhookName=`basename \"$0\"`\n\
                 . \"$(dirname \"$0\")/husky.local.sh\" || exit 1\n\
                 echo \"husky4-$hookName $packageManager $# $(cat | wc -l | tr -d ' ')\" >> '{}'\n",
                marker.display()
            ),
        ),
    ]
}

#[test]
fn husky_4_hooks_moved_aside_still_find_their_helpers() {
    use std::os::unix::fs::PermissionsExt;
    for git in Git::BOTH {
        let (repo, bare) = repo(git);
        let hooks = repo.root.join(".git/hooks");
        let files = husky_4_files(&marker(&repo));
        for (name, text) in &files {
            std::fs::write(hooks.join(name), text).unwrap();
            std::fs::set_permissions(hooks.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let run = repo.intercept_in(&repo.root, &["install"]);
        run.code(0);
        repo.intercept_in(&repo.root, &["status"]).code(0);
        checked_with_tool(
            &repo,
            &bare,
            "a.env",
            "husky4-pre-commit npm 0",
            "husky4-pre-push npm 2 1",
        );
        repo.intercept_in(&repo.root, &["uninstall"]).code(0);
        for (name, text) in &files {
            assert_eq!(
                &std::fs::read_to_string(hooks.join(name)).unwrap(),
                text,
                "{git:?}: {name}"
            );
        }
        assert!(
            !hooks.join(".intercept-chained").exists(),
            "{git:?}: the links are gone too"
        );
    }
}

const LEFTHOOK_YML: &str = "pre-commit:\n  commands:\n    marker:\n      run: echo lefthook-commit >> MARKER\npre-push:\n  commands:\n    marker:\n      run: echo \"lefthook-push $(cat | wc -l | tr -d ' ')\" >> MARKER\n      use_stdin: true\n";

/// Runs `install` the tool's own way. Where old git's global shims make it refuse, status
/// must name the alternative while the tool's hooks are missing (and only then), and the
/// alternative is run.
fn tool_install(repo: &TestRepo, git: Git, program: &Path, args: &[&str], refusal: &str) {
    let advice = "GIT_CONFIG_GLOBAL=/dev/null";
    let before = repo.intercept_in(&repo.root, &["status"]);
    let run = run_in(repo, program, args, &[]);
    let shims_installed = repo.git(&["config", "--global", "--get", "core.hooksPath"]).code == 0;
    if git.has_config_hooks() || !shims_installed {
        run.code(0);
        assert!(!before.stdout.contains(advice), "{}", before.stdout);
        return;
    }
    assert_ne!(
        run.code, 0,
        "{program:?} refuses while core.hooksPath is set:\n{run:?}"
    );
    assert!(
        run.stderr.contains(refusal) || run.stdout.contains(refusal),
        "{run:?}"
    );
    let installed =
        std::fs::read_to_string(repo.root.join(".git/hooks/pre-commit")).is_ok_and(|t| !t.is_empty());
    assert_eq!(
        before.stdout.contains(advice),
        !installed,
        "status names the way out exactly when the tool's hooks are missing:\n{}",
        before.stdout
    );
    run_in(repo, program, args, &[("GIT_CONFIG_GLOBAL", "/dev/null")]).code(0);
    let after = repo.intercept_in(&repo.root, &["status"]);
    assert!(!after.stdout.contains(advice), "{}", after.stdout);
}

#[test]
fn lefthook() {
    for git in Git::BOTH {
        for order in ORDERS {
            let (repo, bare) = repo(git);
            let t = tools();
            repo.write(
                "lefthook.yml",
                LEFTHOOK_YML.replace("MARKER", &marker(&repo).display().to_string()),
            );
            repo.git(&["add", "lefthook.yml"]).code(0);
            repo.git(&["commit", "-q", "--no-verify", "-m", "lefthook"])
                .code(0);
            if order == Order::InterceptFirst {
                repo.install();
            }
            tool_install(&repo, git, &t.lefthook, &["install"], "core.hooksPath");
            if order == Order::ToolFirst {
                repo.install();
            }
            repo.intercept_in(&repo.root, &["status"]).code(0);
            checked_with_tool(&repo, &bare, "a.env", "lefthook-commit", "lefthook-push 1");
            tool_install(&repo, git, &t.lefthook, &["install"], "core.hooksPath");
            checked_with_tool(&repo, &bare, "b.env", "lefthook-commit", "lefthook-push 1");
        }
    }
}

#[test]
fn pre_commit_framework() {
    for git in Git::BOTH {
        for order in ORDERS {
            let (repo, bare) = repo(git);
            let t = tools();
            let log = marker(&repo);
            repo.write(
                ".pre-commit-config.yaml",
                format!(
                    "default_install_hook_types: [pre-commit, pre-push]\nrepos:\n- repo: local\n  hooks:\n  - id: marker\n    name: marker\n    entry: sh -c 'echo \"framework-$0\" >> {}' \n    args: [ran]\n    language: system\n    pass_filenames: false\n    always_run: true\n    stages: [pre-commit, pre-push]\n",
                    log.display()
                ),
            );
            repo.git(&["add", ".pre-commit-config.yaml"]).code(0);
            repo.git(&["commit", "-q", "--no-verify", "-m", "framework"])
                .code(0);
            if order == Order::InterceptFirst {
                repo.install();
            }
            tool_install(&repo, git, &t.pre_commit, &["install"], "core.hooksPath");
            if order == Order::ToolFirst {
                repo.install();
            }
            repo.intercept_in(&repo.root, &["status"]).code(0);
            checked_with_tool(&repo, &bare, "a.env", "framework-ran", "framework-ran");
            tool_install(&repo, git, &t.pre_commit, &["install"], "core.hooksPath");
            run_in(&repo, &t.pre_commit, &["uninstall"], &[]).code(0);
            tool_install(&repo, git, &t.pre_commit, &["install"], "core.hooksPath");
            checked_with_tool(&repo, &bare, "b.env", "framework-ran", "framework-ran");
        }
    }
}

/// A file tracked by git-lfs reached the remote's LFS store, and a fresh clone checks out
/// its content.
fn lfs_object_reached(repo: &TestRepo, bare: &Path, file: &str, content: &[u8]) {
    use sha2::{Digest, Sha256};
    let oid: String = Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stored = bare
        .join("lfs/objects")
        .join(&oid[..2])
        .join(&oid[2..4])
        .join(&oid);
    assert!(
        stored.is_file(),
        "the LFS object is not on the remote: {}",
        stored.display()
    );
    let clone = repo.scratch.path().join(format!("clone-{}", &oid[..8]));
    repo.git_in(
        repo.scratch.path(),
        &["clone", "-q", bare.to_str().unwrap(), clone.to_str().unwrap()],
    )
    .code(0);
    assert_eq!(
        std::fs::read(clone.join(file)).unwrap(),
        content,
        "the fresh clone's checkout"
    );
}

#[test]
fn git_lfs() {
    for git in Git::BOTH {
        for order in ORDERS {
            let (repo, bare) = repo(git);
            tools();
            let lfs = Path::new("git");
            let install = |repo: &TestRepo| {
                let run = run_in(repo, lfs, &["lfs", "install"], &[]);
                let shims = repo.git(&["config", "--global", "--get", "core.hooksPath"]).code == 0;
                let gated = std::fs::read_to_string(repo.root.join(".git/hooks/pre-push"))
                    .is_ok_and(|t| t.contains("INTERCEPT_VIA=gate"));
                if gated {
                    assert!(run.stderr.contains("Hook already exists"), "{run:?}");
                    let status = repo.intercept_in(&repo.root, &["status"]);
                    status.code(0);
                    assert!(
                        status.stdout.contains("git lfs install --skip-repo"),
                        "{}",
                        status.stdout
                    );
                    run_in(repo, lfs, &["lfs", "install", "--skip-repo"], &[]).code(0);
                } else if git.has_config_hooks() || !shims {
                    run.code(0);
                } else {
                    // git-lfs cannot write into intercept's global hooks directory; intercept's
                    // shims run git-lfs's hooks, and --skip-repo sets up the rest.
                    assert!(run.stderr.contains("Hook already exists"), "{run:?}");
                    let own =
                        std::fs::read_to_string(repo.root.join(".git/hooks/pre-push")).unwrap_or_default();
                    let status = repo.intercept_in(&repo.root, &["status"]);
                    assert_eq!(
                        status.stdout.contains("git lfs install --skip-repo"),
                        !own.contains("git lfs pre-push"),
                        "status advises --skip-repo exactly when git-lfs's own hook is not there:\n{}",
                        status.stdout
                    );
                    run_in(repo, lfs, &["lfs", "install", "--skip-repo"], &[]).code(0);
                }
            };
            if order == Order::InterceptFirst {
                repo.install();
            }
            // A repository that uses LFS (its .gitattributes says so), then git-lfs's install.
            run_in(&repo, lfs, &["lfs", "track", "*.bin"], &[]).code(0);
            install(&repo);
            repo.git(&["add", ".gitattributes"]).code(0);
            repo.git(&["commit", "-q", "-m", "lfs"]).code(0);
            if order == Order::ToolFirst {
                repo.install();
            }
            repo.intercept_in(&repo.root, &["status"]).code(0);
            // A clean LFS file: its object reaches the remote.
            let content = format!("binary-ish {}\n", crate::support::uuid()).into_bytes();
            repo.write("data.bin", &content);
            repo.git(&["add", "data.bin"]).code(0);
            repo.git(&["commit", "-q", "-m", "data"]).code(0);
            repo.git(&["push", "-q", "origin", "main"]).code(0);
            lfs_object_reached(&repo, &bare, "data.bin", &content);
            // A token in an LFS file: the commit is blocked (its content is read from the
            // LFS store), and so is a push of it.
            let head = repo.head();
            let t = token();
            repo.write("secret.bin", format!("T={}\n", t.b64()));
            repo.git(&["add", "secret.bin"]).code(0);
            let run = repo.git(&["commit", "-q", "-m", "secret"]);
            run.code(1);
            assert!(run.stderr.contains("secret.bin"), "{}", run.stderr);
            assert_eq!(repo.head(), head);
            repo.git(&["commit", "-q", "--no-verify", "-m", "secret"]).code(0);
            let secret = format!("T={}\n", t.b64()).into_bytes();
            // Twice: the second push meets the gate the first one put in front of git-lfs's
            // hook (under git >= 2.54 git runs that hook after intercept's stopped the push).
            for attempt in 0..2 {
                let before = repo.refs_of(&bare);
                let run = repo.git(&["push", "-q", "origin", "main"]);
                run.code(1);
                assert!(
                    run.stderr.contains("intercept: blocked this push"),
                    "{}",
                    run.stderr
                );
                assert_eq!(repo.refs_of(&bare), before);
                assert!(
                    !lfs_stored(&bare, &secret),
                    "attempt {attempt}: the token's LFS object reached the remote"
                );
                if git.has_config_hooks() && attempt == 1 {
                    assert!(
                        run.stderr.contains("own pre-push hook was not run either"),
                        "{}",
                        run.stderr
                    );
                    assert_eq!(
                        run.stderr.matches("intercept: blocked this push").count(),
                        1,
                        "{}",
                        run.stderr
                    );
                }
            }
            // With the gate in place, a clean push still uploads its LFS objects.
            repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
            let more = format!("more {}\n", crate::support::uuid()).into_bytes();
            repo.write("more.bin", &more);
            repo.git(&["add", "more.bin"]).code(0);
            repo.git(&["commit", "-q", "-m", "more"]).code(0);
            repo.git(&["push", "-q", "origin", "main"]).code(0);
            lfs_object_reached(&repo, &bare, "more.bin", &more);
            // git-lfs's own re-install, and intercept's uninstall restores git-lfs's hook.
            install(&repo);
            if git.has_config_hooks() {
                repo.intercept_in(&repo.root, &["uninstall"]).code(0);
                let own = std::fs::read_to_string(repo.root.join(".git/hooks/pre-push")).unwrap();
                assert!(own.contains("git lfs pre-push"), "{own}");
            }
        }
    }
}

fn lfs_stored(bare: &Path, content: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    let oid: String = Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    bare.join("lfs/objects")
        .join(&oid[..2])
        .join(&oid[2..4])
        .join(&oid)
        .is_file()
}

/// A team that uses intercept through the pre-commit framework and this repository's
/// `.pre-commit-hooks.yaml` (no intercept install): the framework builds intercept from the
/// manifest (`language: rust`, `cargo install`) and its hooks block a token commit, a
/// token in a commit message, a first push (where the framework passes no range) and a
/// later one; `intercept-files` finds a tracked token with `--all-files`. Each has its
/// clean twin.
#[test]
fn pre_commit_framework_builds_and_runs_intercept_from_this_manifest() {
    let t = tools();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rev = std::process::Command::new("git")
        .arg("-C")
        .arg(manifest)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    assert!(
        rev.status.success(),
        "the source tree must be a git repository: the framework clones it"
    );
    let rev = String::from_utf8(rev.stdout).unwrap().trim().to_string();
    let shown = std::process::Command::new("git")
        .arg("-C")
        .arg(manifest)
        .args(["cat-file", "-e", &format!("{rev}:.pre-commit-hooks.yaml")])
        .status()
        .unwrap();
    assert!(
        shown.success(),
        "commit .pre-commit-hooks.yaml: the framework reads it from HEAD"
    );
    // The framework's build: cargo from this machine (its registry cache, offline), a
    // target directory kept between runs, a quick release profile.
    let real_home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME").map_or_else(|| real_home.join(".cargo"), PathBuf::from);
    let rustup_home =
        std::env::var_os("RUSTUP_HOME").map_or_else(|| real_home.join(".rustup"), PathBuf::from);
    let tools_dir = t
        .pre_commit
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let framework_home = tools_dir.join("pre-commit-home");
    let target = tools_dir.join("framework-target");
    let (ch, rh, fh, tg) = (
        cargo_home.display().to_string(),
        rustup_home.display().to_string(),
        framework_home.display().to_string(),
        target.display().to_string(),
    );
    let env: Vec<(&str, &str)> = vec![
        ("CARGO_HOME", &ch),
        ("RUSTUP_HOME", &rh),
        ("PRE_COMMIT_HOME", &fh),
        ("CARGO_TARGET_DIR", &tg),
        ("CARGO_NET_OFFLINE", "true"),
        ("CARGO_PROFILE_RELEASE_LTO", "false"),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1"),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
    ];
    for git in Git::BOTH {
        git.select();
        let repo = TestRepo::new();
        let bare = repo.remote_bare();
        repo.write(
            ".pre-commit-config.yaml",
            format!(
                "default_install_hook_types: [pre-commit, commit-msg, pre-push]\nrepos:\n- repo: {}\n  rev: {rev}\n  \
                 hooks:\n  - id: intercept\n  - id: intercept-commit-msg\n  - id: intercept-push\n  - id: \
                 intercept-files\n    stages: [manual]\n",
                manifest.display()
            ),
        );
        repo.git(&["add", ".pre-commit-config.yaml"]).code(0);
        run_in(&repo, &t.pre_commit, &["install"], &env).code(0);
        // The first commit builds intercept (once per revision: the framework caches it).
        let run = run_in(
            &repo,
            Path::new("git"),
            &["commit", "-q", "-m", "framework"],
            &env,
        );
        run.code(0);
        let t1 = token();
        // A token commit, and its twin.
        let head = repo.head();
        repo.write("a.env", format!("T={}\n", t1.b64()));
        repo.git(&["add", "a.env"]).code(0);
        let run = run_in(&repo, Path::new("git"), &["commit", "-q", "-m", "leak"], &env);
        run.code(1);
        assert!(
            run.stdout.contains("blocked this commit") || run.stderr.contains("blocked this commit"),
            "{run:?}"
        );
        assert!(
            !run.stdout.contains(&t1.b64()) && !run.stderr.contains(&t1.b64()),
            "the token was printed"
        );
        assert_eq!(repo.head(), head);
        // The message hook.
        repo.write("a.env", format!("T={PLACEHOLDER}\n"));
        repo.git(&["add", "a.env"]).code(0);
        let msg = format!("deploy with {}", t1.b64());
        run_in(&repo, Path::new("git"), &["commit", "-q", "-m", &msg], &env).code(1);
        assert_eq!(repo.head(), head);
        run_in(&repo, Path::new("git"), &["commit", "-q", "-m", "clean"], &env).code(0);
        assert_ne!(repo.head(), head);
        // A first push (no range from the framework) of history holding a token, then its twin.
        repo.write("b.env", format!("T={}\n", t1.b64()));
        repo.git(&["add", "b.env"]).code(0);
        repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]).code(0);
        let run = run_in(&repo, Path::new("git"), &["push", "-q", "origin", "main"], &env);
        run.code(1);
        assert!(
            run.stdout.contains("b.env") || run.stderr.contains("b.env"),
            "{run:?}"
        );
        assert_eq!(repo.refs_of(&bare), "", "the first push reached the remote");
        repo.git(&["reset", "-q", "--hard", "HEAD~1"]).code(0);
        run_in(&repo, Path::new("git"), &["push", "-q", "origin", "main"], &env).code(0);
        // A later push: the framework passes the range.
        repo.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", &msg])
            .code(0);
        repo.write("c.env", format!("T={}\n", t1.b64()));
        repo.git(&["add", "c.env"]).code(0);
        repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]).code(0);
        let before = repo.refs_of(&bare);
        run_in(&repo, Path::new("git"), &["push", "-q", "origin", "main"], &env).code(1);
        assert_eq!(repo.refs_of(&bare), before);
        // intercept-files over every tracked file, and its twin.
        let files = ["run", "--hook-stage", "manual", "intercept-files", "--all-files"];
        let run = run_in(&repo, &t.pre_commit, &files, &env);
        run.code(1);
        assert!(run.stdout.contains("c.env"), "{run:?}");
        repo.git(&["reset", "-q", "--hard", "HEAD~2"]).code(0);
        run_in(&repo, &t.pre_commit, &files, &env).code(0);
        run_in(&repo, Path::new("git"), &["push", "-q", "origin", "main"], &env).code(0);
    }
}

/// Under git < 2.54, `git lfs install --force` overwrites intercept's global pre-push: status
/// says so (exit 1) and names the fix, and the fix restores the check while git-lfs's
/// objects still reach the remote.
#[test]
fn a_tool_that_overwrites_the_global_shims_is_reported_and_the_fix_works() {
    let (repo, bare) = repo(Git::System);
    tools();
    repo.install();
    run_in(&repo, Path::new("git"), &["lfs", "install", "--force"], &[]).code(0);
    let status = repo.intercept_in(&repo.root, &["status"]);
    status.code(1);
    assert!(
        status.stdout.contains("was replaced by git-lfs's hook"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("intercept install --global"),
        "{}",
        status.stdout
    );
    // The next commit, which still runs intercept's pre-commit, is stopped and says why: no
    // push would be checked any more.
    let head = repo.head();
    let run = repo.commit_file("clean.txt", "clean\n", "clean");
    run.code(1);
    assert!(
        run.stderr.contains("was replaced by git-lfs's hook"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("intercept doctor --fix") && run.stderr.contains("--no-verify"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.head(), head);
    repo.intercept_in(&repo.root, &["doctor", "--fix"]).code(0);
    repo.intercept_in(&repo.root, &["status"]).code(0);
    repo.git(&["commit", "-q", "-m", "clean"]).code(0);
    run_in(&repo, Path::new("git"), &["lfs", "track", "*.bin"], &[]).code(0);
    let content = format!("clean {}\n", crate::support::uuid()).into_bytes();
    repo.write("data.bin", &content);
    repo.git(&["add", ".gitattributes", "data.bin"]).code(0);
    repo.git(&["commit", "-q", "-m", "data"]).code(0);
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    lfs_object_reached(&repo, &bare, "data.bin", &content);
    let t = token();
    repo.write("s.env", format!("T={}\n", t.b64()));
    repo.git(&["add", "s.env"]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", "leak"]).code(0);
    let before = repo.refs_of(&bare);
    repo.git(&["push", "-q", "origin", "main"]).code(1);
    assert_eq!(repo.refs_of(&bare), before);
}

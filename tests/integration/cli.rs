//! The command line's own surface: `--version` with the build's commit, completions for
//! bash, zsh and fish, man pages, what `./install.sh` installs, and the one-line errors of
//! a command run where it cannot work (outside a repository, a bare one, a range that
//! names nothing).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{bin, hermetic, token, Run, Scratch, TestRepo, PLACEHOLDER};

/// What `--version` must say after the program's name, for the way this test binary was
/// built (the same cargo invocation built the program, with the same environment).
fn expected_version() -> String {
    let version = env!("CARGO_PKG_VERSION");
    match option_env!("INTERCEPT_BUILD_COMMIT") {
        Some(commit) if !commit.trim().is_empty() => {
            format!("intercept {version} (commit {})", commit.trim())
        }
        _ => format!("intercept {version} (commit unknown: built without INTERCEPT_BUILD_COMMIT)"),
    }
}

#[test]
fn version_names_the_package_version_and_the_build_commit() {
    let s = Scratch::new();
    for args in [&["--version"][..], &["version"], &["-V"]] {
        let run = s.intercept(".", args);
        run.code(0);
        assert_eq!(run.stdout.trim_end(), expected_version(), "{args:?}");
        assert_eq!(run.stderr, "");
    }
    // Negative twin: a misspelt flag is a usage error, not a version.
    let run = s.intercept(".", ["--versoin"]);
    run.code(2);
    assert!(!run.stdout.contains(env!("CARGO_PKG_VERSION")), "{}", run.stdout);
}

fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn completions_for_bash_zsh_and_fish_know_the_subcommands_and_flags() {
    let s = Scratch::new();
    for (shell, marker) in [
        ("bash", "complete -F _intercept"),
        ("zsh", "#compdef intercept"),
        ("fish", "complete -c intercept"),
    ] {
        let run = s.intercept(".", ["completions", shell]);
        run.code(0);
        let (staged, range) = if shell == "fish" {
            ("-l staged", "-l range")
        } else {
            ("--staged", "--range")
        };
        for needle in [marker, "scan", staged, range, "completions", "allow"] {
            assert!(
                run.stdout.contains(needle),
                "{shell}: no {needle:?} in\n{}",
                run.stdout
            );
        }
        // The script parses in its shell, where that shell is installed.
        if has(shell) {
            let file = s.write(format!("completion.{shell}"), &run.stdout);
            let check = Command::new(shell).arg("-n").arg(&file).output().unwrap();
            assert!(
                check.status.success(),
                "{shell} -n: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
    // Negative twin: an unknown shell is a usage error naming the shells there are.
    let run = s.intercept(".", ["completions", "tcsh"]);
    run.code(2);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("bash") && run.stderr.contains("zsh"),
        "{}",
        run.stderr
    );
}

#[test]
fn man_pages_render_for_the_program_and_each_subcommand() {
    let s = Scratch::new();
    let run = s.intercept(".", ["man"]);
    run.code(0);
    assert!(
        run.stdout.contains(".TH intercept 1"),
        "{}",
        &run.stdout[..run.stdout.len().min(400)]
    );
    assert!(
        run.stdout.contains("Exit codes"),
        "the exit codes are not in the man page"
    );
    let run = s.intercept(".", ["man", "--dir", "man1"]);
    run.code(0);
    let dir = s.path().join("man1");
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in [
        "intercept.1",
        "intercept-scan.1",
        "intercept-install.1",
        "intercept-completions.1",
    ] {
        assert!(pages.iter().any(|p| p == page), "no {page} in {pages:?}");
    }
    // groff reads them without a warning, where it is installed (`-k`: UTF-8 input, as
    // man-db passes it).
    if has("groff") {
        for page in &pages {
            let out = Command::new("groff")
                .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
                .arg(dir.join(page))
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "groff on {page}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    // Negative twin: a directory that cannot be made is an error that says so (exit 2).
    s.write("a-file", "x");
    let run = s.intercept(".", ["man", "--dir", "a-file/man1"]);
    run.code(2);
    assert!(
        run.stderr.starts_with("intercept: cannot create"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

/// `./install.sh` with a stand-in `cargo` that records the environment it was given and
/// installs the binary under test.
fn run_install_sh(s: &Scratch, env: &[(&str, &str)]) -> (Run, String) {
    let fake = s.write(
        "fakebin/cargo",
        "#!/bin/sh\n\
         root=\n\
         while [ $# -gt 0 ]; do [ \"$1\" = --root ] && root=$2; shift; done\n\
         printf '%s' \"${INTERCEPT_BUILD_COMMIT-<unset>}\" > \"$FAKE_CARGO_LOG\"\n\
         mkdir -p \"$root/bin\" && cp \"$INTERCEPT_UNDER_TEST\" \"$root/bin/intercept\"\n",
    );
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = s.path().join("cargo-env");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("install.sh");
    let mut cmd = hermetic("sh", &s.home());
    let path = format!(
        "{}:{}",
        s.path().join("fakebin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.arg(&script)
        .env("PATH", path)
        .env("CARGO_INSTALL_ROOT", s.path().join("cargo-root"))
        .env("FAKE_CARGO_LOG", &log)
        .env("INTERCEPT_UNDER_TEST", bin())
        .env_remove("XDG_DATA_HOME")
        .env("SHELL", "/bin/bash");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout_bytes: out.stdout,
    };
    (run, std::fs::read_to_string(&log).unwrap_or_default())
}

/// The commit (with `-dirty`) install.sh should pass for this checkout, if it is one.
fn checkout_commit(home: &Path) -> Option<String> {
    let dir = env!("CARGO_MANIFEST_DIR");
    let git = |args: &[&str]| {
        let out = hermetic("git", home)
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let head = git(&["rev-parse", "--verify", "-q", "HEAD"])?;
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"])?.is_empty();
    Some(if dirty { format!("{head}-dirty") } else { head })
}

fn installed(home: &Path, data: &Path) -> Vec<(PathBuf, String)> {
    [
        data.join("bash-completion/completions/intercept"),
        data.join("zsh/site-functions/_intercept"),
        home.join(".config/fish/completions/intercept.fish"),
        data.join("man/man1/intercept.1"),
        data.join("man/man1/intercept-scan.1"),
    ]
    .into_iter()
    .map(|p| {
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        (p, text)
    })
    .collect()
}

#[test]
fn install_sh_builds_with_the_commit_and_installs_completions_and_man_pages() {
    let s = Scratch::new();
    let (run, commit) = run_install_sh(&s, &[]);
    run.code(0);
    match checkout_commit(&s.home()) {
        Some(expected) => assert_eq!(commit, expected, "install.sh passed the wrong commit"),
        None => assert_eq!(commit, "<unset>"),
    }
    let home = s.home();
    let files = installed(&home, &home.join(".local/share"));
    assert!(files[0].1.contains("complete -F _intercept"), "{}", files[0].1);
    assert!(files[1].1.starts_with("#compdef intercept"));
    assert!(files[2].1.contains("complete -c intercept"));
    assert!(files[3].1.contains(".TH intercept 1"));
    assert!(run.stdout.contains("man pages"), "{}", run.stdout);

    // Twin: again, nothing changes; and XDG_DATA_HOME moves the data files.
    let (again, _) = run_install_sh(&s, &[]);
    again.code(0);
    assert_eq!(installed(&home, &home.join(".local/share")), files);
    let xdg = s.path().join("xdg-data");
    let (moved, _) = run_install_sh(&s, &[("XDG_DATA_HOME", xdg.to_str().unwrap())]);
    moved.code(0);
    assert_eq!(installed(&home, &xdg).len(), files.len());
}

/// Asserts a one-line error: exit 2, nothing on stdout, one `intercept: ` line on stderr
/// that names no internal error kind.
#[track_caller]
fn one_line_error(run: &Run, says: &str) {
    run.code(2);
    assert_eq!(run.stdout, "", "a report was written for a scan that did not run");
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "more than one line:\n{}",
        run.stderr
    );
    assert!(run.stderr.starts_with("intercept: "), "{}", run.stderr);
    assert!(run.stderr.contains(says), "expected {says:?} in {}", run.stderr);
    for internal in ["NotFound", "Error {", "gix", "panicked", "Os {"] {
        assert!(
            !run.stderr.contains(internal),
            "internal detail {internal:?} in {}",
            run.stderr
        );
    }
}

#[test]
fn outside_a_repository_git_commands_say_so_in_one_line() {
    let s = Scratch::new();
    std::fs::create_dir_all(s.path().join("plain")).unwrap();
    for format in ["human", "json", "sarif"] {
        for args in [
            &["scan", "--staged"][..],
            &["scan", "--all"],
            &["scan", "--range", "HEAD"],
        ] {
            let mut args = args.to_vec();
            args.extend(["--format", format]);
            let run = s.intercept("plain", &args);
            one_line_error(&run, "there is none in");
            assert!(run.stderr.contains("intercept scan PATH"), "{}", run.stderr);
        }
    }
    let fp = "a".repeat(64);
    let run = s.intercept("plain", ["allow", fp.as_str(), "--reason", "fixture"]);
    one_line_error(&run, "there is no git repository");
    assert!(
        !s.path().join("plain/.intercept.toml").exists(),
        "allow wrote outside a repository"
    );

    // Negative twin: the same commands in a repository run.
    let repo = TestRepo::new();
    repo.initial_commit();
    for args in [
        &["scan", "--staged"][..],
        &["scan", "--all"],
        &["scan", "--range", "HEAD"],
    ] {
        repo.intercept_in(&repo.root, args).code(0);
    }
    repo.intercept_in(&repo.root, &["allow", fp.as_str(), "--reason", "fixture"])
        .code(0);
    assert!(repo.root.join(".intercept.toml").exists());
}

#[test]
fn a_bare_repository_has_nothing_staged_and_allow_says_where_to_run() {
    let repo = TestRepo::with_init(&["--bare"]);
    let bare = &repo.root;
    let run = repo.intercept_in(bare, &["scan", "--staged"]);
    one_line_error(&run, "bare repository");
    assert!(run.stderr.contains("nothing is staged here"), "{}", run.stderr);
    let run = repo.intercept_in(bare, &["allow", &"b".repeat(64), "--reason", "x"]);
    one_line_error(&run, "bare repository");
    // An empty bare repository: HEAD names no commit yet.
    let run = repo.intercept_in(bare, &["scan", "--range", "HEAD"]);
    one_line_error(&run, "HEAD names no commit yet");
    // Negative twin: its history can be audited (clean, exit 0).
    repo.intercept_in(bare, &["scan", "--all"]).code(0);
}

#[test]
fn a_range_that_names_nothing_says_which_part_and_how_to_check_it() {
    let repo = TestRepo::new();
    repo.initial_commit();
    for (range, part) in [
        ("nosuch", "cannot resolve \"nosuch\""),
        ("nosuch..HEAD", "cannot resolve \"nosuch\""),
        ("HEAD..nope", "cannot resolve \"nope\""),
    ] {
        let run = repo.intercept_in(&repo.root, &["scan", "--range", range]);
        one_line_error(&run, part);
        assert!(run.stderr.contains("git rev-parse"), "{}", run.stderr);
    }
    // Negative twin.
    repo.intercept_in(&repo.root, &["scan", "--range", "HEAD..HEAD"])
        .code(0);
}

#[test]
fn a_new_branch_range_from_the_null_id_scans_the_whole_branch() {
    // CI's push event for a new branch: `before` is forty zeros.
    let null = "0".repeat(40);
    for value in [Some(token()), None] {
        let repo = TestRepo::new();
        repo.initial_commit();
        let text = value.as_ref().map_or(PLACEHOLDER.to_string(), |t| t.b64());
        repo.commit_file("app.env", format!("T={text}\n"), "config")
            .code(0);
        let head = repo.head();
        let range = format!("{null}..{head}");
        let run = repo.intercept_in(&repo.root, &["scan", "--range", &range, "--format", "json"]);
        let whole = repo.intercept_in(&repo.root, &["scan", "--range", &head, "--format", "json"]);
        match value {
            Some(_) => {
                run.code(1);
                whole.code(1);
            }
            None => {
                run.code(0);
                whole.code(0);
            }
        }
        assert_eq!(
            crate::support::json(&run)["findings"],
            crate::support::json(&whole)["findings"]
        );
    }
}

//! Test support for the integration tests: which git a test drives, hermetic commands, and
//! a `Run` result that asserts on every call that no generated token appears in what the
//! program wrote. Tokens, the hermetic environment and git 2.55 come from the shared
//! test-support crate (`tests/support`), which unit tests, benches and fuzz seeds use too.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

pub use intercept_test_support::{
    client_secret, git_255_bin, identity_secret, random_b64, random_u64, token, uuid, webhook_secret, Token,
};

thread_local! {
    /// The git this test thread runs (each test runs on its own thread).
    static GIT: std::cell::Cell<Git> = const { std::cell::Cell::new(Git::System) };
}

/// Which git a test drives: the machine's (2.47 here: shims), or 2.55 (config-based hooks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Git {
    System,
    V255,
}

impl Git {
    /// Both, for scenarios that must hold under each mechanism.
    pub const BOTH: [Git; 2] = [Git::System, Git::V255];

    /// Makes every command this test thread runs use this git (first on PATH).
    pub fn select(self) {
        GIT.with(|g| g.set(self));
    }

    pub fn has_config_hooks(self) -> bool {
        self == Git::V255
    }
}

/// The git this thread runs now.
fn selected() -> Git {
    GIT.with(std::cell::Cell::get)
}

/// PATH for this test thread's git.
fn test_path() -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    match selected() {
        Git::System => path,
        Git::V255 => {
            let mut dirs = vec![git_255_bin().to_path_buf()];
            dirs.extend(std::env::split_paths(&path));
            std::env::join_paths(dirs).unwrap()
        }
    }
}

/// Strings that must never appear in output: long slices of each secret in each form,
/// its base64 at each of the three alignments (a nested token, or a path's `path_bytes`)
/// included.
fn leak_markers() -> Vec<String> {
    intercept_test_support::token::secrets()
        .iter()
        .flat_map(|text| {
            let b64 = STANDARD.encode(text);
            let mut markers = vec![b64[10..50].to_string(), text[10..36].to_string()];
            for prefix in ["", "x", "xy"] {
                let outer = STANDARD.encode(format!("{prefix}{b64}"));
                markers.push(outer[12..60].to_string());
            }
            markers
        })
        .chain(intercept_test_support::secret_values().iter().flat_map(|v| {
            // At most four characters of a value are ever shown; of its base64 (a
            // Kubernetes `data:` value), none past the first four.
            let b64 = STANDARD.encode(v);
            [v[5..29].to_string(), b64[6..30].to_string()]
        }))
        .collect()
}

/// What a command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub stdout_bytes: Vec<u8>,
}

impl Run {
    pub fn new(output: std::process::Output, what: &str) -> Run {
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            stdout_bytes: output.stdout,
        };
        for marker in leak_markers() {
            assert!(
                !run.stdout.contains(&marker) && !run.stderr.contains(&marker),
                "{what} printed a full token:\n{run:?}"
            );
        }
        run
    }

    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "unexpected exit code:\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_intercept"))
}

/// A command with a hermetic environment (the shared crate's: no inherited git or
/// intercept settings, a private HOME and global git config, fixed identities and dates)
/// and this thread's git first on PATH.
pub fn hermetic(program: impl AsRef<OsStr>, home: &Path) -> Command {
    let mut cmd = intercept_test_support::hermetic(program, home);
    cmd.env("PATH", test_path());
    cmd
}

/// Writes an executable `#!/bin/sh` hook `name` with `body` into `dir`.
pub fn write_hook(dir: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// husky 9's layout in `root`, as `husky` (9.1) writes it: `.husky/_` with `h` (which
/// sources the user's `init.sh` before honouring `HUSKY=0`) and a stub per event.
pub fn fake_husky9(root: &Path, events: &[&str]) {
    let stubs = root.join(".husky/_");
    std::fs::create_dir_all(&stubs).unwrap();
    std::fs::write(
        stubs.join("h"),
        "#!/usr/bin/env sh\n# husky\nn=$(basename \"$0\")\ns=$(dirname \"$(dirname \"$0\")\")/$n\n[ ! -f \"$s\" ] && exit 0\n\
         i=\"${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh\"\n[ -f \"$i\" ] && . \"$i\"\n[ \"${HUSKY-}\" = \"0\" ] && exit 0\n\
         sh -e \"$s\" \"$@\"\nc=$?\nexit $c\n",
    )
    .unwrap();
    std::fs::write(stubs.join(".gitignore"), "*\n").unwrap();
    for name in events {
        write_hook(&stubs, name, ". \"$(dirname \"$0\")/h\"");
    }
}

/// A scratch directory with its own HOME.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix("intercept-test")
            .tempdir()
            .unwrap();
        std::fs::create_dir_all(dir.path().join("home/.config")).unwrap();
        Scratch { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Writes a file (creating directories).
    pub fn write(&self, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Runs `intercept ARGS` in `cwd` (relative to the scratch root).
    pub fn intercept<I, S>(&self, cwd: impl AsRef<Path>, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.intercept_env(cwd, args, &[])
    }

    pub fn intercept_env<I, S>(&self, cwd: impl AsRef<Path>, args: I, env: &[(&str, &str)]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = hermetic(bin(), &self.home());
        cmd.current_dir(self.path().join(cwd)).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::new(cmd.output().unwrap(), "intercept")
    }

    /// Runs `intercept ARGS` in `cwd` with `input` on its standard input.
    pub fn intercept_stdin(&self, cwd: impl AsRef<Path>, args: &[&str], input: &[u8]) -> Run {
        let mut cmd = hermetic(bin(), &self.home());
        cmd.current_dir(self.path().join(cwd)).args(args);
        run_with_stdin(cmd, input)
    }
}

/// Runs `cmd` with `input` on its standard input.
fn run_with_stdin(mut cmd: Command, input: &[u8]) -> Run {
    use std::io::Write;
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // intercept may stop reading early (at its cap): a broken pipe is its business.
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Run::new(out, "intercept")
}

/// Makes sure this thread's git can write a reftable repository (git >= 2.45): a machine
/// whose own git is older (Debian 12 has 2.39) has no reftable repositories to protect, so
/// such a test runs its "machine's git" part under git 2.55 as well.
#[allow(clippy::print_stderr)] // the test's own log: says why it runs another git
fn reftable_capable() {
    if selected() == Git::System
        && intercept_test_support::git::version("git")
            .is_none_or(|v| v < intercept_test_support::git::REFTABLE)
    {
        eprintln!("the machine's git is older than 2.45 (no reftable): this test uses git 2.55 instead");
        Git::V255.select();
    }
}

/// A hermetic git repository with its own HOME and global config.
pub struct TestRepo {
    pub scratch: Scratch,
    /// The work tree.
    pub root: PathBuf,
}

impl TestRepo {
    /// `git init` (SHA-1) in `<scratch>/repo`.
    pub fn new() -> TestRepo {
        Self::with_init(&[])
    }

    /// `git init <extra>` in `<scratch>/repo`.
    pub fn with_init(extra: &[&str]) -> TestRepo {
        let scratch = Scratch::new();
        intercept_test_support::git::write_global_config(&scratch.home());
        if extra.iter().any(|a| a.starts_with("--ref-format=reftable")) {
            reftable_capable();
        }
        let root = scratch.path().join("repo");
        let repo = TestRepo { scratch, root };
        let mut args = vec!["init", "-q"];
        args.extend_from_slice(extra);
        args.push("repo");
        repo.git_in(repo.scratch.path(), &args).code(0);
        repo
    }

    pub fn home(&self) -> PathBuf {
        self.scratch.home()
    }

    /// Runs git in `dir`.
    pub fn git_in(&self, dir: impl AsRef<Path>, args: &[&str]) -> Run {
        let mut cmd = hermetic("git", &self.home());
        cmd.current_dir(dir).args(args);
        Run::new(cmd.output().unwrap(), "git")
    }

    /// Runs git in `dir` with extra environment variables (`HUSKY=0`, …).
    pub fn git_env(&self, dir: impl AsRef<Path>, env: &[(&str, &str)], args: &[&str]) -> Run {
        let mut cmd = hermetic("git", &self.home());
        cmd.current_dir(dir).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::new(cmd.output().unwrap(), "git")
    }

    /// Stages a fresh token in `dir` and commits it (git with `env`): the commit must be
    /// stopped (exit 1) with HEAD where it was; the file is then unstaged and removed.
    #[track_caller]
    pub fn token_commit_stopped(&self, dir: impl AsRef<Path>, env: &[(&str, &str)]) -> Run {
        let dir = dir.as_ref();
        let head = self.head_in(dir);
        std::fs::write(dir.join("leak.env"), format!("T={}\n", token().b64())).unwrap();
        self.git_in(dir, &["add", "leak.env"]).code(0);
        let run = self.git_env(dir, env, &["commit", "-q", "-m", "leak"]);
        assert_eq!(
            run.code, 1,
            "a token commit was not stopped ({env:?}):\n{}",
            run.stderr
        );
        assert_eq!(self.head_in(dir), head, "HEAD moved");
        self.git_in(dir, &["reset", "-q"]).code(0);
        std::fs::remove_file(dir.join("leak.env")).unwrap();
        run
    }

    /// Runs git in the work tree.
    pub fn git(&self, args: &[&str]) -> Run {
        self.git_in(&self.root, args)
    }

    /// Runs intercept in `dir`.
    pub fn intercept_in(&self, dir: impl AsRef<Path>, args: &[&str]) -> Run {
        let mut cmd = hermetic(bin(), &self.home());
        cmd.current_dir(dir).args(args);
        Run::new(cmd.output().unwrap(), "intercept")
    }

    /// Runs intercept in `dir` with `input` on its standard input.
    pub fn intercept_stdin(&self, dir: impl AsRef<Path>, args: &[&str], input: &[u8]) -> Run {
        let mut cmd = hermetic(bin(), &self.home());
        cmd.current_dir(dir).args(args);
        run_with_stdin(cmd, input)
    }

    /// `intercept install --global` (what ./install.sh ends with).
    pub fn install(&self) -> Run {
        let run = self.intercept_in(&self.root, &["install", "--global"]);
        run.code(0);
        run
    }

    /// Writes a file in the work tree (creating directories).
    pub fn write(&self, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// `HEAD`'s commit id, or "" on an unborn branch.
    pub fn head(&self) -> String {
        self.head_in(&self.root)
    }

    pub fn head_in(&self, dir: impl AsRef<Path>) -> String {
        let run = self.git_in(dir, &["rev-parse", "-q", "--verify", "HEAD"]);
        run.stdout.trim().to_string()
    }

    /// Commits a token-free file so `HEAD` exists.
    pub fn initial_commit(&self) {
        self.write("README.md", "# project\n");
        self.git(&["add", "README.md"]).code(0);
        self.git(&["commit", "-q", "-m", "initial"]).code(0);
    }

    /// `git add PATH && git commit -m MSG`, returning the commit's run.
    pub fn commit_file(&self, rel: &str, bytes: impl AsRef<[u8]>, msg: &str) -> Run {
        self.write(rel, bytes);
        self.git(&["add", "--", rel]).code(0);
        self.git(&["commit", "-q", "-m", msg])
    }

    /// A bare repository beside the work tree, added as remote `origin`.
    pub fn remote_bare(&self) -> PathBuf {
        let bare = self.scratch.path().join("remote.git");
        self.git_in(self.scratch.path(), &["init", "-q", "--bare", "remote.git"])
            .code(0);
        self.git(&["remote", "add", "origin", bare.to_str().unwrap()])
            .code(0);
        bare
    }

    /// `git for-each-ref` in another repository (a remote's refs and their ids).
    pub fn refs_of(&self, repo: &Path) -> String {
        self.git_in(repo, &["for-each-ref", "--format=%(objectname) %(refname)"])
            .stdout
    }

    /// Stages `rel` the way git-lfs's clean filter does, without git-lfs: the work tree keeps
    /// `content`, the LFS store (`.git/lfs/objects/<aa>/<bb>/<oid>`) gets it, and the index
    /// gets a pointer blob.
    pub fn stage_lfs(&self, rel: &str, content: &[u8]) {
        use sha2::{Digest, Sha256};
        let oid: String = Sha256::digest(content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let store = self
            .root
            .join(".git/lfs/objects")
            .join(&oid[..2])
            .join(&oid[2..4]);
        std::fs::create_dir_all(&store).unwrap();
        std::fs::write(store.join(&oid), content).unwrap();
        let pointer = format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {}\n",
            content.len()
        );
        let tmp = self.scratch.path().join("lfs-pointer");
        std::fs::write(&tmp, pointer).unwrap();
        let blob = self.git(&["hash-object", "-w", tmp.to_str().unwrap()]);
        blob.code(0);
        let cacheinfo = format!("100644,{},{rel}", blob.stdout.trim());
        self.git(&["update-index", "--add", "--cacheinfo", &cacheinfo])
            .code(0);
    }

    /// A linked worktree on a new branch `name`.
    pub fn worktree(&self, name: &str) -> PathBuf {
        let dir = self.scratch.path().join(name);
        self.git(&["worktree", "add", "-q", "-b", name, dir.to_str().unwrap()])
            .code(0);
        dir
    }
}

/// Placeholders that look like configuration but are not tokens (negative twins).
pub const PLACEHOLDER: &str = "dG9rOm<YOUR_TOKEN>";

/// What `intercept ARGS` (run in `dir` with HOME `home`) did, and its peak resident memory
/// in KiB, measured with GNU time; `None` where `/usr/bin/time` is not installed.
pub fn intercept_with_peak_rss(dir: &Path, home: &Path, args: &[&str]) -> Option<(Run, u64)> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let mut cmd = hermetic("/usr/bin/time", home);
    cmd.current_dir(dir)
        .args(["-f", "maxrss_kb=%M"])
        .arg(bin())
        .args(args);
    let run = Run::new(cmd.output().unwrap(), "intercept (timed)");
    let kb = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kb="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no maxrss in {}", run.stderr));
    Some((run, kb))
}

/// The fixture corpus (`tests/fixtures`).
pub fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

/// Fills a fixture's placeholders.
pub fn fill(template: &[u8], t: &Token) -> Vec<u8> {
    let b64 = t.b64();
    let env = format!("INTERCOM_ACCESS_TOKEN={b64}\nOTHER=1\n");
    let env_b64 = STANDARD.encode(&env);
    let wrapped: Vec<String> = env_b64
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let pairs = [
        ("{{TOKEN}}", b64.clone()),
        ("{{TOKEN_NOPAD}}", t.no_padding()),
        ("{{TOKEN_URL}}", format!("{}%3D", t.no_padding())),
        ("{{TOKEN_JSON}}", format!("{}\\u003d", t.no_padding())),
        ("{{TOKEN_HEX}}", format!("{}\\x3d", t.no_padding())),
        ("{{TOKEN_TEXT}}", t.text.clone()),
        ("{{TOKEN_B64}}", STANDARD.encode(&b64)),
        ("{{TOKEN_B64_1}}", STANDARD.encode(format!("x{b64}"))),
        ("{{TOKEN_B64_2}}", STANDARD.encode(format!("xy{b64}"))),
        ("{{ENV_B64}}", env_b64.clone()),
        ("{{ENV_B64_WRAPPED}}", wrapped.join("\n")),
        ("{{TOKEN_TRUNCATED}}", b64[..40].to_string()),
        ("{{RANDOM_B64}}", random_b64(4096)),
        ("{{RANDOM60}}", random_b64(60)),
    ];
    let mut text = String::from_utf8(template.to_vec()).expect("fixtures are UTF-8");
    for (placeholder, value) in pairs {
        text = text.replace(placeholder, &value);
    }
    assert!(!text.contains("{{"), "unfilled placeholder in {text}");
    text.into_bytes()
}

/// Copies `fixtures/<dir>` into the scratch directory with placeholders filled.
pub fn materialize(scratch: &Scratch, dir: &str, t: &Token) {
    let root = fixtures().join(dir);
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(fixtures()).unwrap();
                scratch.write(rel, fill(&std::fs::read(&path).unwrap(), t));
            }
        }
    }
}

pub fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout))
}

/// The hook managers and git-lfs the tool tests drive, pinned: husky and lefthook from npm,
/// the pre-commit framework from PyPI, git-lfs from Debian.
pub struct Tools {
    pub husky: PathBuf,
    pub lefthook: PathBuf,
    pub pre_commit: PathBuf,
}

/// The versions the tests pin.
pub const HUSKY: &str = "husky@9.1.7";
pub const LEFTHOOK: &str = "lefthook@2.2.2";
pub const PRE_COMMIT: &str = "pre-commit==4.7.0";

/// The tools, from `INTERCEPT_TEST_TOOLS` (what `.ci/run` installs), else installed once
/// into `target/test-tools` (npm, pip and, for git-lfs, apt-get: a fresh machine has them
/// all). A tool that cannot be installed fails the test that needs it, saying why.
pub fn tools() -> &'static Tools {
    static TOOLS: std::sync::OnceLock<Tools> = std::sync::OnceLock::new();
    TOOLS.get_or_init(|| {
        let dir = std::env::var_os("INTERCEPT_TEST_TOOLS")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools"));
        let run = |what: &str, cmd: &mut Command| {
            let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
            assert!(
                out.status.success(),
                "{what} failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let husky = dir.join("node_modules/.bin/husky");
        let lefthook = dir.join("node_modules/lefthook-linux-x64/bin/lefthook");
        if !husky.exists() || !lefthook.exists() {
            std::fs::create_dir_all(&dir).unwrap();
            run(
                "npm install husky lefthook",
                // No install scripts: lefthook's would run `lefthook install` in the directory
                // npm was started from — this repository.
                Command::new("npm")
                    .args([
                        "install",
                        "--ignore-scripts",
                        "--no-audit",
                        "--no-fund",
                        "--prefix",
                    ])
                    .arg(&dir)
                    .args([HUSKY, LEFTHOOK]),
            );
        }
        let pre_commit = dir.join("venv/bin/pre-commit");
        if !pre_commit.exists() {
            run(
                "python3 -m venv",
                Command::new("python3").args(["-m", "venv"]).arg(dir.join("venv")),
            );
            run(
                "pip install pre-commit",
                Command::new(dir.join("venv/bin/pip")).args(["install", "-q", PRE_COMMIT]),
            );
        }
        let has_lfs = Command::new("git-lfs")
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_lfs {
            run(
                "apt-get install git-lfs",
                Command::new("apt-get").args(["install", "-y", "-q", "git-lfs"]),
            );
        }
        Tools {
            husky,
            lefthook,
            pre_commit,
        }
    })
}

/// The git-filter-repo `intercept purge` drives in the tests, pinned (`.ci/run` installs it).
pub const GIT_FILTER_REPO: &str = "git-filter-repo==2.47.0";

/// The directory holding `git-filter-repo`: the venv under `INTERCEPT_TEST_TOOLS` (what
/// `.ci/run` installs), else `target/test-tools`, installed there with pip when missing. A
/// tool that cannot be installed fails the test, saying why: never a silent skip.
pub fn filter_repo_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let tools = std::env::var_os("INTERCEPT_TEST_TOOLS")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools"));
        let venv = tools.join("venv");
        let bin = venv.join("bin");
        if !bin.join("git-filter-repo").exists() {
            if !bin.join("pip").exists() {
                let out = Command::new("python3").args(["-m", "venv"]).arg(&venv).output();
                let out = out.unwrap_or_else(|e| panic!("python3 -m venv: {e}"));
                assert!(out.status.success(), "python3 -m venv failed: {out:?}");
            }
            let out = Command::new(bin.join("pip"))
                .args(["install", "-q", GIT_FILTER_REPO])
                .output()
                .unwrap_or_else(|e| panic!("pip install {GIT_FILTER_REPO}: {e}"));
            assert!(
                out.status.success(),
                "pip install {GIT_FILTER_REPO} failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            bin.join("git-filter-repo").exists(),
            "no git-filter-repo in {}",
            bin.display()
        );
        bin
    })
}

/// A repository with intercept installed globally, an `origin` bare remote and `main`
/// pushed to it.
pub fn pushed() -> (TestRepo, PathBuf) {
    let repo = TestRepo::new();
    repo.install();
    let bare = repo.remote_bare();
    repo.initial_commit();
    repo.git(&["push", "-q", "origin", "main"]).code(0);
    (repo, bare)
}

/// Commits a file without running the hooks (as on another machine, or before install).
pub fn commit_unchecked(repo: &TestRepo, rel: &str, content: &str, msg: &str) -> String {
    repo.write(rel, content);
    repo.git(&["add", "--", rel]).code(0);
    repo.git(&["commit", "-q", "--no-verify", "-m", msg]).code(0);
    repo.head()
}

//! Fixture repositories: built by a shell script, under the hermetic environment of
//! [`crate::git`], in a temporary directory removed when the [`Repo`] is dropped.
//!
//! ```text
//! let repo = Repo::script("echo a > a.txt && git add a.txt && git commit -qm one");
//! let head = repo.rev("HEAD");
//! ```
//!
//! A script sees `$TOKEN`-style variables only when the test passes them
//! ([`Repo::run_with`]): token-bearing fixtures get tokens made at run time.

use std::ffi::{OsStr, OsString};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::git::{hermetic, write_global_config};

/// A repository made by real git.
pub struct Repo {
    scratch: tempfile::TempDir,
    /// The work tree (the repository itself when bare).
    pub root: PathBuf,
    /// The git binary this repository is driven with.
    git: OsString,
}

impl Repo {
    /// `git init` (SHA-1, branch `main`) with the machine's git.
    pub fn new() -> Repo {
        Repo::init_with("git", &[])
    }

    /// `git init <args> repo` with `git` (a path, or a name found on PATH).
    pub fn init_with(git: impl AsRef<OsStr>, args: &[&str]) -> Repo {
        let scratch = tempfile::Builder::new()
            .prefix("intercept-fixture")
            .tempdir()
            .expect("a temporary directory");
        write_global_config(&scratch.path().join("home"));
        let repo = Repo {
            root: scratch.path().join("repo"),
            scratch,
            git: git.as_ref().to_os_string(),
        };
        let mut init = vec!["init", "-q"];
        init.extend_from_slice(args);
        init.push("repo");
        let dir = repo.scratch.path().to_path_buf();
        repo.git_in(&dir, &init, "");
        repo
    }

    /// A new repository, then `script` run in its work tree (`sh -e`).
    pub fn script(script: &str) -> Repo {
        let repo = Repo::new();
        repo.run(script);
        repo
    }

    /// The scratch directory (the repository is `repo/` in it, HOME is `home/`).
    pub fn scratch(&self) -> &Path {
        self.scratch.path()
    }

    /// The hermetic HOME.
    pub fn home(&self) -> PathBuf {
        self.scratch.path().join("home")
    }

    /// `.git` of a work tree (the root of a bare repository).
    pub fn git_dir(&self) -> PathBuf {
        let dot_git = self.root.join(".git");
        if dot_git.exists() {
            dot_git
        } else {
            self.root.clone()
        }
    }

    /// A hermetic command for this repository's git, in the work tree. The git binary's
    /// directory comes first on PATH, so scripts and hooks run the same git.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = hermetic(program, &self.home());
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs: Vec<PathBuf> = Path::new(&self.git)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .into_iter()
            .collect();
        dirs.extend(std::env::split_paths(&path));
        cmd.env(
            "PATH",
            std::env::join_paths(dirs).expect("PATH entries hold no separator"),
        );
        cmd.current_dir(&self.root);
        cmd
    }

    /// Runs `script` with `sh -e` in the work tree.
    pub fn run(&self, script: &str) {
        self.run_with(script, &[]);
    }

    /// Runs `script` with `sh -e` in the work tree, with `vars` in its environment.
    pub fn run_with(&self, script: &str, vars: &[(&str, &str)]) {
        let mut cmd = self.command("sh");
        cmd.args(["-e", "-c", script]);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("sh runs");
        assert!(
            out.status.success(),
            "fixture script failed:\n{script}\n--- stdout\n{}\n--- stderr\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `git ARGS` in the work tree; its standard output, trimmed. Panics when git fails.
    pub fn git(&self, args: &[&str]) -> String {
        let root = self.root.clone();
        self.git_in(&root, args, "")
    }

    /// `git ARGS` in the work tree with `input` on its standard input.
    pub fn git_stdin(&self, args: &[&str], input: &str) -> String {
        let root = self.root.clone();
        self.git_in(&root, args, input)
    }

    /// `git ARGS` in `dir`.
    pub fn git_in(&self, dir: &Path, args: &[&str], input: &str) -> String {
        let mut cmd = self.command(&self.git);
        cmd.current_dir(dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("git runs");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())
            .expect("git reads its input");
        let out = child.wait_with_output().expect("git ends");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim_end().to_string()
    }

    /// The object id `spec` names.
    pub fn rev(&self, spec: &str) -> String {
        self.git(&["rev-parse", "--verify", "-q", spec])
    }

    /// Writes `rel` in the work tree (creating directories).
    pub fn write(&self, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("a file has a parent")).expect("directories");
        std::fs::write(path, bytes).expect("the file can be written");
    }

    /// `git add -A && git commit -m MSG` (no hooks); the new commit's id.
    pub fn commit_all(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", msg]);
        self.rev("HEAD")
    }
}

impl Default for Repo {
    fn default() -> Self {
        Repo::new()
    }
}

//! The one table of git hooks: which intercept checks and how, which git feeds standard
//! input, which the global shims run for a repository, and which git-lfs installs.
//! The installer writes from it and `intercept hook <name>` dispatches on it.

/// What intercept checks in a hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// pre-commit, pre-merge-commit, pre-applypatch: the lines the staged index adds to `HEAD`.
    Staged,
    /// commit-msg, applypatch-msg (`git am`): the message git will record.
    Message,
    /// pre-push: the commits a push sends.
    Push,
    /// pre-receive: the commits a server is about to accept.
    Receive,
}

/// One hook git runs by name (githooks(5)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hook {
    pub name: &'static str,
    pub check: Option<Check>,
    /// git feeds it standard input.
    pub stdin: bool,
    /// The global shims directory (git < 2.54, the global `core.hooksPath`) has a shim for
    /// it, which runs the repository's own hook of that name. Every hook git starts costs a
    /// process whatever it does, so the hooks git runs for every commit, ref update or index
    /// write are left out — `prepare-commit-msg`, `post-commit`, `reference-transaction`,
    /// `post-index-change` (measured: no-op shims for those four made a 100-commit rebase
    /// 6.5x slower, with 1,800 hook runs) — and so are the hooks whose mere presence changes
    /// what git does (`push-to-checkout`, `proc-receive`), and a server's hooks
    /// (`pre-receive`, `update`, `post-receive`, `post-update`: a push to a repository on
    /// the same machine ran four shims on the receiving side). A repository with its own
    /// hook of such a name gets a hooks directory of its own instead (`intercept install`,
    /// or `intercept doctor --fix`), where git runs it directly.
    pub global_shim: bool,
    /// git-lfs installs it (`git lfs install`) and cannot where intercept's shims are the
    /// hooks directory: the shim runs `git lfs <name>` in a repository that stores LFS
    /// objects and has no hook of that name. (git-lfs's `post-commit`, which only makes
    /// lockable files read-only again, runs for every commit and is left out.)
    pub lfs: bool,
}

const fn hook(name: &'static str, check: Option<Check>, stdin: bool, global_shim: bool) -> Hook {
    Hook {
        name,
        check,
        stdin,
        global_shim,
        lfs: matches!(name.as_bytes(), b"pre-push" | b"post-checkout" | b"post-merge"),
    }
}

/// Every hook intercept knows, checked ones first.
pub const HOOKS: [Hook; 27] = [
    hook("pre-commit", Some(Check::Staged), false, true),
    hook("pre-merge-commit", Some(Check::Staged), false, true),
    hook("commit-msg", Some(Check::Message), false, true),
    hook("applypatch-msg", Some(Check::Message), false, true),
    hook("pre-applypatch", Some(Check::Staged), false, true),
    hook("pre-push", Some(Check::Push), true, true),
    hook("pre-receive", Some(Check::Receive), true, false),
    hook("post-applypatch", None, false, true),
    hook("prepare-commit-msg", None, false, false),
    hook("post-commit", None, false, false),
    hook("pre-rebase", None, false, true),
    hook("post-checkout", None, false, true),
    hook("post-merge", None, false, true),
    hook("post-rewrite", None, true, true),
    hook("pre-auto-gc", None, false, true),
    hook("sendemail-validate", None, false, true),
    hook("update", None, false, false),
    hook("post-receive", None, true, false),
    hook("post-update", None, false, false),
    hook("p4-changelist", None, false, true),
    hook("p4-prepare-changelist", None, false, true),
    hook("p4-post-changelist", None, false, true),
    hook("p4-pre-submit", None, false, true),
    hook("reference-transaction", None, true, false),
    hook("post-index-change", None, false, false),
    hook("push-to-checkout", None, true, false),
    hook("proc-receive", None, true, false),
];

/// The hooks intercept checks on a client (a repository with a work tree).
pub fn client_checks() -> impl Iterator<Item = &'static Hook> {
    HOOKS
        .iter()
        .filter(|h| h.check.is_some() && h.check != Some(Check::Receive))
}

/// The hook intercept checks on a server (a bare repository).
pub fn server_check() -> &'static Hook {
    find("pre-receive").expect("pre-receive is in the table")
}

/// The hook called `name`, if git has one.
pub fn find(name: &str) -> Option<&'static Hook> {
    HOOKS.iter().find(|h| h.name == name)
}

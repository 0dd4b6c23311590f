//! Fixture repositories for the sources' unit tests: built by shell scripts (the shared
//! test-support crate runs them under a hermetic git), opened with gix.

use gix::ObjectId;
pub use intercept_test_support::Repo;

/// Shell functions every fixture script may use: `at N` sets the author and committer date
/// to N minutes past a fixed time (commit order by date is then the order of the script),
/// `commit MSG` commits everything staged (and what `-a` adds) at the next minute.
pub const PRELUDE: &str = r#"
n=0
commit() { n=$((n + 1)); GIT_AUTHOR_DATE="2026-01-01T00:$(printf %02d $n):00Z" GIT_COMMITTER_DATE="2026-01-01T00:$(printf %02d $n):00Z" git commit -q --allow-empty -m "$1"; }
"#;

/// A repository built by `script` (after [`PRELUDE`]).
pub fn repo(script: &str) -> Repo {
    Repo::script(&format!("{PRELUDE}\n{script}"))
}

/// The repository, opened as intercept opens it (replace refs off).
pub fn open(repo: &Repo) -> gix::Repository {
    gix::open_opts(
        &repo.root,
        gix::open::Options::isolated().config_overrides(["core.useReplaceRefs=false"]),
    )
    .expect("the fixture opens")
}

/// The id `spec` names in `repo`.
pub fn id(repo: &Repo, spec: &str) -> ObjectId {
    ObjectId::from_hex(repo.rev(spec).as_bytes()).expect("git prints hex ids")
}

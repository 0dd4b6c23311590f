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

use super::{Emit, Error, Input, Item, Scanner, UnitWork};
use std::sync::Mutex;

/// What a source handed on, as text: `kind path [subject] [commit] [baseline]`.
#[derive(Default)]
pub struct Recorder {
    pub items: Vec<String>,
    pub problems: Vec<String>,
    pub counted: (u64, u64),
}

/// One item as text.
fn describe(item: &Item<'_>) -> String {
    let kind = match &item.input {
        Input::Name(_) => "name",
        Input::Bytes(_) => "bytes",
        Input::Open(_) => "open",
        Input::Stream(_) => "stream",
        Input::Blob { .. } => "blob",
    };
    let o = &item.origin;
    let mut text = format!("{kind} {} {}", o.label(), o.subject.id());
    if let Some(c) = o.commit {
        text.push_str(&format!(" commit={}", &c.to_string()[..7]));
    }
    if let Some(b) = item.baseline {
        text.push_str(&format!(" baseline={}", &b.to_string()[..7]));
    }
    if o.author.is_some() {
        text.push_str(" +author");
    }
    text
}

impl Emit for Recorder {
    fn item(&mut self, item: Item<'_>) {
        self.items.push(describe(&item));
    }
    fn problem(&mut self, problem: Error) {
        self.problems.push(problem.to_string());
    }
    fn notice(&mut self, _notice: String) {}
    fn skipped(&mut self, _n: u64) {}
    fn count(&mut self, objects: u64, bytes: u64) {
        self.counted = (self.counted.0 + objects, self.counted.1 + bytes);
    }
    fn units(&mut self, units: usize, _what: &'static str, work: &UnitWork<'_>) {
        for unit in 0..units {
            work(0, unit, self);
        }
    }
    fn threads_for(&self, _units: usize) -> usize {
        1
    }
    fn concurrently(&mut self, run: &mut dyn FnMut(&Scanner<'_>)) {
        let items = Mutex::new(Vec::new());
        run(&|item: Item<'_>| items.lock().unwrap().push(describe(&item)));
        let mut items = items.into_inner().unwrap();
        items.sort();
        self.items.extend(items);
    }
}

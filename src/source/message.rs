//! A commit message that is being written (commit-msg, applypatch-msg): its bytes, and the
//! ident fields git hands the hook in its environment (`GIT_AUTHOR_NAME`, …: git exports
//! them to commit hooks; they become the commit's `author` and `committer` headers).

use super::{Emit, Error, Input, Item, Source};
use crate::origin::{Origin, Subject};

/// The message of the commit being made, and its idents as far as the hook is told.
pub struct Message<'a> {
    pub bytes: &'a [u8],
    /// `(header, value)`: `author` or `committer`, the name or email git will write.
    pub idents: Vec<(&'static str, Vec<u8>)>,
}

impl Message<'_> {
    /// The ident variables git set for this hook.
    pub fn idents_from_env() -> Vec<(&'static str, Vec<u8>)> {
        use std::os::unix::ffi::OsStringExt as _;
        [
            ("author", "GIT_AUTHOR_NAME"),
            ("author", "GIT_AUTHOR_EMAIL"),
            ("committer", "GIT_COMMITTER_NAME"),
            ("committer", "GIT_COMMITTER_EMAIL"),
        ]
        .into_iter()
        .filter_map(|(header, var)| Some((header, std::env::var_os(var)?.into_vec())))
        .collect()
    }
}

impl Source for Message<'_> {
    fn run(&mut self, emit: &mut dyn Emit) -> Result<(), Error> {
        for (header, value) in &self.idents {
            let origin = Origin {
                subject: Subject::CommitHeader,
                path: header.as_bytes().to_vec(),
                ..Origin::default()
            };
            emit.item(Item::new(origin, Input::Bytes(value)));
        }
        emit.item(Item::new(Origin::commit_message(None), Input::Bytes(self.bytes)));
        Ok(())
    }
}

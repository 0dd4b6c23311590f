//! A commit message that is being written (commit-msg): one item, the message's bytes.

use super::{Emit, Error, Input, Item, Source};
use crate::origin::Origin;

/// The message of the commit being made.
pub struct Message<'a> {
    pub bytes: &'a [u8],
}

impl Source for Message<'_> {
    fn run(&mut self, emit: &mut dyn Emit) -> Result<(), Error> {
        emit.item(Item::new(Origin::commit_message(None), Input::Bytes(self.bytes)));
        Ok(())
    }
}

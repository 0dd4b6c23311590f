//! Push options (`git push -o <option>`), as a server's pre-receive hook receives them in
//! its environment (`GIT_PUSH_OPTION_COUNT`, `GIT_PUSH_OPTION_<n>`): the [`PushOptions`]
//! source. A client's pre-push hook never sees them (git does not pass them on).

use super::{Emit, Error, Input, Item, Source};
use crate::origin::{Origin, Subject};

/// The push options of one push: each is an item whose path is its number.
pub struct PushOptions {
    pub options: Vec<Vec<u8>>,
}

impl PushOptions {
    /// The options git put in this process's environment (none when the server does not
    /// advertise them, `receive.advertisePushOptions`): `GIT_PUSH_OPTION_0`, `_1`, … as
    /// far as they go (git numbers them without gaps; `GIT_PUSH_OPTION_COUNT` is not needed).
    pub fn from_env() -> Self {
        use std::os::unix::ffi::OsStringExt as _;
        let options = (0..)
            .map_while(|n| std::env::var_os(format!("GIT_PUSH_OPTION_{n}")))
            .map(|v| v.into_vec())
            .collect();
        PushOptions { options }
    }
}

impl Source for PushOptions {
    fn run(&mut self, emit: &mut dyn Emit) -> Result<(), Error> {
        for (n, option) in self.options.iter().enumerate() {
            let origin = Origin {
                subject: Subject::PushOption,
                path: n.to_string().into_bytes(),
                ..Origin::default()
            };
            emit.item(Item::new(origin, Input::Bytes(option)));
        }
        Ok(())
    }
}

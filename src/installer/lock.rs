//! A lock for installs into one directory: two `intercept install` runs at once must not
//! both move the same hook aside (the second would take the first's shim for the original
//! and lose it). An advisory lock on `<dir>/.intercept.lock` (std's `File::lock`): the
//! operating system releases it when the holder exits, however it exits, so there is no
//! stale lock to guess about.

use std::fs;
use std::path::Path;

use super::{io_error, InstallError};

/// Held while it lives.
pub struct Lock {
    _file: fs::File,
}

impl Lock {
    /// Takes the lock of `dir` (creating both), waiting for another install to finish.
    pub fn take(dir: &Path) -> Result<Lock, InstallError> {
        fs::create_dir_all(dir).map_err(io_error("cannot create", dir))?;
        let path = dir.join(".intercept.lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error("cannot create", &path))?;
        file.lock().map_err(io_error("cannot lock", &path))?;
        Ok(Lock { _file: file })
    }
}

impl Lock {
    /// Releases the lock and removes its file: for an uninstall, which leaves nothing behind.
    pub fn remove(self, dir: &Path) {
        drop(self);
        let _ = fs::remove_file(dir.join(".intercept.lock"));
    }
}

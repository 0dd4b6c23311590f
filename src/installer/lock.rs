//! A lock for installs into one directory: two `intercept install` runs at once must not
//! both move the same hook aside (the second would take the first's shim for the
//! original and lose it).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{io_error, InstallError};

/// Held while it lives; removed when dropped.
pub struct Lock {
    path: PathBuf,
}

/// How long to wait for another install, and when a lock is taken as left behind by a
/// run that died.
const WAIT: Duration = Duration::from_secs(10);
const STALE: Duration = Duration::from_secs(120);

impl Lock {
    /// Takes `<dir>/.intercept.lock`, waiting for another install to finish.
    pub fn take(dir: &Path) -> Result<Lock, InstallError> {
        fs::create_dir_all(dir).map_err(io_error("cannot create", dir))?;
        let path = dir.join(".intercept.lock");
        let started = SystemTime::now();
        loop {
            match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => return Ok(Lock { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .unwrap_or_default();
                    if age > STALE {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if started.elapsed().unwrap_or_default() > WAIT {
                        return Err(InstallError::Locked {
                            path: crate::path::PathText::new(&path),
                            age: age.as_secs(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(io_error("cannot create", &path)(e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

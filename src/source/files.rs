//! Plain files and directories → items (no git involved): the [`Files`] source.
//!
//! Receives the paths the user named; hands on, in name order, each file as an item the
//! content layer opens and reads (so gzip, zip, UTF-16 and the rest are read as for every
//! other source), standard input for `-`, and every path as a name (a token used as a file
//! or directory name is a leak too). Skips `.git`, never follows a symlink found inside a
//! directory (so it cannot leave the tree or loop; a named path that is a symlink is
//! followed), skips FIFOs, sockets and devices inside directories. A path that cannot be
//! listed or found becomes a `FileError` and the walk goes on.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Emit, Input, Item, Source};
use crate::origin::Origin;
use crate::path::{os_bytes, PathText};

/// The paths the user named, as a source.
pub struct Files<'a> {
    pub paths: &'a [PathBuf],
}

impl Source for Files<'_> {
    fn run(&mut self, emit: &mut dyn Emit) -> Result<(), super::Error> {
        let (stats, errors) = walk(self.paths, &mut |entry| match entry {
            Entry::Name { origin, name } => emit.item(Item::new(origin.clone(), Input::Name(name))),
            Entry::File { origin, path } => {
                let open = || -> io::Result<Box<dyn io::Read>> { Ok(Box::new(fs::File::open(path)?)) };
                emit.item(Item::new(origin.clone(), Input::Open(&open)));
            }
            Entry::Stdin { origin } => {
                let mut stdin = io::stdin().lock();
                emit.item(Item::new(origin.clone(), Input::Stream(&mut stdin)));
            }
        });
        emit.skipped(stats.skipped);
        for e in errors {
            emit.problem(e.into());
        }
        Ok(())
    }
}

/// What the walk saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Symlinks, FIFOs, sockets and devices found inside directories.
    pub skipped: u64,
}

/// What the walk hands on.
pub enum Entry<'a> {
    /// A path to scan as a name: `name` is the part of `origin.path` not scanned before
    /// (a named path whole, then each entry's own name).
    Name { origin: &'a Origin, name: &'a [u8] },
    /// A file to open and scan.
    File { origin: &'a Origin, path: &'a Path },
    /// Standard input.
    Stdin { origin: &'a Origin },
}

/// A path that could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot scan {path}: it does not exist. Check the path, or leave it out of the scan")]
    Missing {
        path: PathText,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot read {path}: {source}. It was not checked; make it readable (check its permissions \
         and, for a symlink, its target), or leave it out of the scan"
    )]
    Read {
        path: PathText,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot scan {path}: it is {kind}, not a regular file or a directory, so it was not read \
         (reading it could block or never end). Name the file it stands for, or pipe what it \
         holds to `intercept scan -`"
    )]
    Special { path: PathText, kind: &'static str },
    #[error(
        "cannot list directory {path}: {source}. Nothing under it was checked; make it readable, \
         or leave it out of the scan"
    )]
    List {
        path: PathText,
        #[source]
        source: io::Error,
    },
}

impl FileError {
    /// The path the error is about.
    pub fn path(&self) -> &[u8] {
        match self {
            FileError::Missing { path, .. }
            | FileError::Read { path, .. }
            | FileError::List { path, .. }
            | FileError::Special { path, .. } => &path.0,
        }
    }
}

/// Walks `paths` (`-` is standard input) and calls `visit` for every entry.
pub fn walk(paths: &[PathBuf], visit: &mut dyn FnMut(Entry<'_>)) -> (Stats, Vec<FileError>) {
    let mut walker = Walker {
        stats: Stats::default(),
        errors: Vec::new(),
        visit,
    };
    for path in paths {
        walker.named(path);
    }
    (walker.stats, walker.errors)
}

struct Walker<'a> {
    stats: Stats,
    errors: Vec<FileError>,
    visit: &'a mut dyn FnMut(Entry<'_>),
}

impl Walker<'_> {
    /// A path the user named: symlinks are followed; a directory is walked, a regular file
    /// read, and anything else (a device, a FIFO, a socket: `/dev/zero` never ends, a FIFO
    /// without a writer never starts) refused with an error, as inside directories it is
    /// skipped. Standard input is `-`.
    fn named(&mut self, path: &Path) {
        if path.as_os_str() == "-" {
            let origin = Origin::stdin();
            (self.visit)(Entry::Stdin { origin: &origin });
            return;
        }
        let origin = Origin::file(os_bytes(path.as_os_str()));
        let name = || Entry::Name {
            origin: &origin,
            name: &origin.path,
        };
        // A path that exists is scanned as a name too (one that does not is only an error).
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                (self.visit)(name());
                self.directory(path);
            }
            Ok(meta) if !meta.is_file() => {
                (self.visit)(name());
                self.errors.push(FileError::Special {
                    path: PathText::new(path),
                    kind: special_kind(&meta.file_type()),
                });
            }
            Ok(_) => {
                (self.visit)(name());
                (self.visit)(Entry::File {
                    origin: &origin,
                    path,
                });
            }
            Err(source) if source.kind() == io::ErrorKind::NotFound => {
                // A dangling symlink exists but cannot be read: say which.
                let error = if fs::symlink_metadata(path).is_ok() {
                    FileError::Read {
                        path: PathText::new(path),
                        source,
                    }
                } else {
                    FileError::Missing {
                        path: PathText::new(path),
                        source,
                    }
                };
                self.errors.push(error);
            }
            Err(source) => self.errors.push(FileError::Read {
                path: PathText::new(path),
                source,
            }),
        }
    }

    /// Depth-first, in name order, without following symlinks.
    fn directory(&mut self, root: &Path) {
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let entries = match fs::read_dir(&dir).and_then(|rd| rd.collect::<io::Result<Vec<_>>>()) {
                Ok(entries) => entries,
                Err(source) => {
                    self.errors.push(FileError::List {
                        path: PathText::new(&dir),
                        source,
                    });
                    continue;
                }
            };
            let mut entries: Vec<(PathBuf, io::Result<fs::FileType>)> =
                entries.into_iter().map(|e| (e.path(), e.file_type())).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut subdirs = Vec::new();
            for (path, file_type) in entries {
                if path.file_name().is_some_and(|n| n == ".git") {
                    tracing::debug!(path = %PathText::new(&path), "skipping .git");
                    continue;
                }
                let origin = Origin::file(os_bytes(path.as_os_str()));
                let name = path.file_name().map_or(&b""[..], |n| os_bytes(n));
                (self.visit)(Entry::Name {
                    origin: &origin,
                    name,
                });
                match file_type {
                    Ok(t) if t.is_dir() => subdirs.push(path),
                    Ok(t) if t.is_file() => (self.visit)(Entry::File {
                        origin: &origin,
                        path: &path,
                    }),
                    Ok(_) => {
                        tracing::debug!(path = %PathText::new(&path), "skipping symlink or special file");
                        self.stats.skipped += 1;
                    }
                    Err(source) => self.errors.push(FileError::Read {
                        path: PathText::new(&path),
                        source,
                    }),
                }
            }
            stack.extend(subdirs.into_iter().rev());
        }
    }
}

/// What a file that is neither a regular file nor a directory is, for a message.
#[cfg(unix)]
fn special_kind(t: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "a special file"
}

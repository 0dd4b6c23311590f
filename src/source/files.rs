//! Plain files and directories → `Chunk`s (no git involved).
//!
//! Receives the paths the user named; hands each file's bytes, in bounded pieces, to the
//! visitor. Walks directories recursively in name order, skips `.git`, never follows a
//! symlink found inside a directory (so it cannot leave the tree or loop; a named path
//! that is a symlink is followed), skips FIFOs, sockets and devices inside directories,
//! and reads gzip files (by their magic bytes) decompressed, up to a cap. A file that
//! cannot be read becomes a `FileError` and the walk goes on.

use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

use super::stream::{pieces, Streamed};
use crate::chunk::{Chunk, Origin};
use crate::path::{os_bytes, PathText};

/// What the walk may do.
#[derive(Clone, Debug)]
pub struct Options {
    /// Most decompressed bytes read from one gzip file.
    pub max_decompressed: u64,
}

/// What the walk saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub files: u64,
    pub bytes: u64,
    /// Symlinks, FIFOs, sockets and devices found inside directories.
    pub skipped: u64,
}

/// A path that could not be checked (fully).
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
        "cannot list directory {path}: {source}. Nothing under it was checked; make it readable, \
         or leave it out of the scan"
    )]
    List {
        path: PathText,
        #[source]
        source: io::Error,
    },
    #[error(
        "cannot decompress {path}: {source}. It looks like gzip (it starts with 1f 8b) but is not \
         valid gzip, so its decompressed text was not fully checked (its raw bytes were); repair or \
         re-create the file"
    )]
    Decompress {
        path: PathText,
        #[source]
        source: io::Error,
    },
    #[error(
        "{path} was not fully checked: it decompresses to more than {limit} bytes, and only the \
         first {limit} were scanned. Raise the cap with --max-decompressed <BYTES>, or scan the \
         decompressed text directly"
    )]
    DecompressLimit { path: PathText, limit: u64 },
}

impl FileError {
    /// The path the error is about.
    pub fn path(&self) -> &[u8] {
        match self {
            FileError::Missing { path, .. }
            | FileError::Read { path, .. }
            | FileError::List { path, .. }
            | FileError::Decompress { path, .. }
            | FileError::DecompressLimit { path, .. } => &path.0,
        }
    }
}

/// Gzip's magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Walks `paths` (`-` is standard input) and calls `visit` for every piece of every file.
pub fn walk(
    paths: &[PathBuf],
    options: &Options,
    visit: &mut dyn FnMut(&Chunk<'_>),
) -> (Stats, Vec<FileError>) {
    let mut walker = Walker {
        options,
        stats: Stats::default(),
        errors: Vec::new(),
        buf: Vec::new(),
        visit,
    };
    for path in paths {
        walker.named(path);
    }
    (walker.stats, walker.errors)
}

struct Walker<'a> {
    options: &'a Options,
    stats: Stats,
    errors: Vec<FileError>,
    buf: Vec<u8>,
    visit: &'a mut dyn FnMut(&Chunk<'_>),
}

impl Walker<'_> {
    /// A path the user named: symlinks are followed, anything that is not a directory is
    /// read (a FIFO such as `<(cmd)` included).
    fn named(&mut self, path: &Path) {
        if path.as_os_str() == "-" {
            let stdin = io::stdin();
            self.read(Path::new("<stdin>"), Box::new(stdin.lock()));
            return;
        }
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => self.directory(path),
            Ok(_) => self.file(path),
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
                match file_type {
                    Ok(t) if t.is_dir() => subdirs.push(path),
                    Ok(t) if t.is_file() => self.file(&path),
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

    fn file(&mut self, path: &Path) {
        match fs::File::open(path) {
            Ok(file) => self.read(path, Box::new(file)),
            Err(source) => self.errors.push(FileError::Read {
                path: PathText::new(path),
                source,
            }),
        }
    }

    /// Reads one file, decompressing gzip.
    fn read(&mut self, path: &Path, reader: Box<dyn Read + '_>) {
        let origin = Origin::file(os_bytes(path.as_os_str()));
        let mut reader = BufReader::with_capacity(64 << 10, reader);
        let is_gzip = match reader.fill_buf() {
            Ok(head) => head.starts_with(&GZIP_MAGIC),
            Err(source) => {
                self.errors.push(FileError::Read {
                    path: PathText::new(path),
                    source,
                });
                return;
            }
        };
        self.stats.files += 1;
        if !is_gzip {
            if let Err(source) = self.stream(&mut reader, &origin, None) {
                self.errors.push(FileError::Read {
                    path: PathText::new(path),
                    source,
                });
            }
            return;
        }
        let limit = self.options.max_decompressed;
        let mut gz = MultiGzDecoder::new(reader);
        match self.stream(&mut gz, &origin, Some(limit)) {
            Ok(Streamed { truncated: true, .. }) => self.errors.push(FileError::DecompressLimit {
                path: PathText::new(path),
                limit,
            }),
            Ok(_) => {}
            Err(source) => {
                // Not (valid) gzip: still check the raw bytes, then say what was not checked.
                self.errors.push(FileError::Decompress {
                    path: PathText::new(path),
                    source,
                });
                let raw = fs::File::open(path).and_then(|mut f| self.stream(&mut f, &origin, None));
                if let Err(source) = raw {
                    self.errors.push(FileError::Read {
                        path: PathText::new(path),
                        source,
                    });
                }
            }
        }
    }

    fn stream(&mut self, reader: &mut dyn Read, origin: &Origin, limit: Option<u64>) -> io::Result<Streamed> {
        let result = pieces(reader, origin, limit, &mut self.buf, self.visit);
        if let Ok(streamed) = &result {
            self.stats.bytes += streamed.bytes;
        }
        result
    }
}

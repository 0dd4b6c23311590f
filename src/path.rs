//! Printing paths (and other user-controlled bytes) safely.
//!
//! Receives raw bytes (paths may be non-UTF-8 and may hold terminal escape sequences) and
//! hands on text that is safe on a terminal: a path that needs no escaping is shown as it
//! is; any other is quoted the way git quotes it (`"a\033b\377"`), so a file name can never
//! move the cursor, recolour the terminal or hide part of a report.

use std::fmt;

/// Displays bytes as a safe, unambiguous path.
pub struct Escaped<'a>(pub &'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(self.0) {
            Ok(s) if !s.chars().any(needs_escape) => f.write_str(s),
            _ => {
                f.write_str("\"")?;
                for piece in self.0.utf8_chunks() {
                    for c in piece.valid().chars() {
                        match c {
                            '"' => f.write_str("\\\"")?,
                            '\\' => f.write_str("\\\\")?,
                            '\t' => f.write_str("\\t")?,
                            '\n' => f.write_str("\\n")?,
                            '\r' => f.write_str("\\r")?,
                            c if needs_escape(c) => {
                                let mut buf = [0u8; 4];
                                for b in c.encode_utf8(&mut buf).bytes() {
                                    write!(f, "\\{b:03o}")?;
                                }
                            }
                            c => write!(f, "{c}")?,
                        }
                    }
                    for b in piece.invalid() {
                        write!(f, "\\{b:03o}")?;
                    }
                }
                f.write_str("\"")
            }
        }
    }
}

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Control characters (C0, DEL, C1), quotes and backslashes, and the Unicode
/// bidirectional overrides that can make a path read differently than it is.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || c == '"'
        || c == '\\'
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Bytes of an `OsStr`/`Path` (lossless on Unix).
#[cfg(unix)]
pub fn os_bytes(p: &std::ffi::OsStr) -> &[u8] {
    use std::os::unix::ffi::OsStrExt;
    p.as_bytes()
}

/// Bytes of an `OsStr`/`Path` (lossy where the platform's paths are not bytes).
#[cfg(not(unix))]
pub fn os_bytes(p: &std::ffi::OsStr) -> &[u8] {
    p.as_encoded_bytes()
}

/// Path bytes as a URI path: unreserved bytes and `/` as they are, every other byte
/// percent-encoded (so non-UTF-8 and odd paths survive).
pub fn percent_encode(path: &[u8]) -> String {
    let mut s = String::with_capacity(path.len());
    for &b in path {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// An `OsStr` of path bytes (lossless on Unix).
#[cfg(unix)]
pub fn os_str(bytes: &[u8]) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes)
}

/// An `OsStr` of path bytes (lossy where the platform's paths are not bytes).
#[cfg(not(unix))]
pub fn os_str(bytes: &[u8]) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(std::str::from_utf8(bytes).unwrap_or("?"))
}

/// `path` without `.` components and with each `..` taking the component before it away,
/// without touching the filesystem (`/r/sub/../a` → `/r/a`). A `..` above the root stays
/// at the root.
pub fn lexical(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if out.file_name().is_some() {
                    out.pop();
                } else if !out.has_root() {
                    out.push(c);
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Escaped;

    #[test]
    fn lexical_paths() {
        use std::path::Path;
        assert_eq!(super::lexical(Path::new("/r/./sub/../a")), Path::new("/r/a"));
        assert_eq!(super::lexical(Path::new("/../a")), Path::new("/a"));
    }

    #[test]
    fn plain_paths_are_shown_as_they_are() {
        assert_eq!(Escaped(b"src/app.env").to_string(), "src/app.env");
        assert_eq!(
            Escaped("dir/caf\u{e9} x.txt".as_bytes()).to_string(),
            "dir/caf\u{e9} x.txt"
        );
    }

    #[test]
    fn odd_paths_are_quoted_and_escaped() {
        assert_eq!(Escaped(b"a\x1b[31mb").to_string(), "\"a\\033[31mb\"");
        assert_eq!(Escaped(b"bad\xff.txt").to_string(), "\"bad\\377.txt\"");
        assert_eq!(Escaped(b"new\nline").to_string(), "\"new\\nline\"");
        assert_eq!(Escaped(b"q\"uote").to_string(), "\"q\\\"uote\"");
        assert_eq!(
            Escaped("x\u{202e}y".as_bytes()).to_string(),
            "\"x\\342\\200\\256y\""
        );
    }
}

/// Owned path bytes that display escaped: the type error enums store.
#[derive(Clone, PartialEq, Eq)]
pub struct PathText(pub Vec<u8>);

impl PathText {
    pub fn new(path: &std::path::Path) -> Self {
        Self(os_bytes(path.as_os_str()).to_vec())
    }
}

impl fmt::Display for PathText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Escaped(&self.0), f)
    }
}

impl fmt::Debug for PathText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Escaped(&self.0), f)
    }
}

/// intercept's cache directory: `$XDG_CACHE_HOME/intercept`, else `~/.cache/intercept`
/// (what one git command decided, what pre-push checked); `uninstall --global` removes it.
pub fn cache_dir() -> Option<std::path::PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| std::path::PathBuf::from(h).join(".cache"))
        })?;
    Some(cache.join("intercept"))
}

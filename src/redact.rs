//! The one redaction step for everything the program writes.
//!
//! Receives text on its way out (reports, messages, logs); hands it on with every token the
//! detector recognises replaced by its redacted form. Findings are already safe, but a
//! token can also arrive in a path, an argument, an environment value or a config file's
//! line quoted in a parse error: every writer to stdout, stderr and the log goes through
//! [`Redacting`], line by line, so none of them can print one whole.

use std::io::{self, Write};
use std::sync::OnceLock;

use crate::detector::Detector;

/// The detector used for redaction (built once per process, on first use).
pub fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(Detector::new)
}

/// `text` with every token redacted.
pub fn text(text: &str) -> std::borrow::Cow<'_, str> {
    match detector().redact(text.as_bytes()) {
        Some(bytes) => std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// A writer that redacts each line before passing it on. Flushing (or dropping) writes a
/// partial last line, redacted too.
pub struct Redacting<W: Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: Write> Redacting<W> {
    pub fn new(inner: W) -> Self {
        Redacting {
            inner,
            line: Vec::new(),
        }
    }

    fn emit(&mut self, upto: usize) -> io::Result<()> {
        let line = &self.line[..upto];
        match detector().redact(line) {
            Some(safe) => self.inner.write_all(&safe)?,
            None => self.inner.write_all(line)?,
        }
        self.line.drain(..upto);
        Ok(())
    }
}

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let had = self.line.len();
        self.line.extend_from_slice(buf);
        // Whole lines only: a token is never cut in two on its way out. Only the new bytes
        // are searched: a long line written in small pieces (a path escaped character by
        // character) must not be searched again for every piece.
        if let Some(nl) = memchr::memrchr(b'\n', buf) {
            self.emit(had + nl + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let len = self.line.len();
        self.emit(len)?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Redacting<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;

    #[test]
    fn tokens_never_pass_in_any_form() {
        let token = intercept_test_support::token();
        let text = token.text.as_str();
        let b64 = STANDARD.encode(text);
        let nested = STANDARD.encode(format!("T={b64}\n"));
        let mut out = Vec::new();
        {
            let mut w = Redacting::new(&mut out);
            write!(
                w,
                "path {b64}.env\nerr: line 3: \"{}\" nested {nested}",
                &b64[..59]
            )
            .unwrap();
        }
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains(&b64[10..50]), "{out}");
        assert!(!out.contains(&nested[10..60]), "{out}");
        let shown = format!("path {}\u{2026}OjA=.env\n", &b64[..8]);
        assert!(out.contains(&shown), "{out}");
        assert_eq!(super::text(text), format!("{}\u{2026}:1:0", &text[..8]));
        assert_eq!(super::text("nothing here"), "nothing here");
    }
}

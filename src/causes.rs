//! An error and the errors under it, on one line.
//!
//! Each of intercept's errors keeps what caused it as its `#[source]` (an I/O error, gix's
//! error), and its message quotes that cause in the middle of "what could not be done, why,
//! and the way out". A library's error often says only its own part ("cannot find object")
//! and keeps the detail in its own source; [`Causes`] writes the whole chain, `a: b: c`,
//! leaving out a part the text before already holds.

use std::error::Error;
use std::fmt;

/// A boxed cause (gix's own errors are many types).
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

/// Displays an error and its sources as `a: b: c`, skipping repeats.
pub struct Causes<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for Causes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.0.to_string();
        let mut source = self.0.source();
        while let Some(s) = source {
            let next = s.to_string();
            if !text.contains(&next) {
                text.push_str(": ");
                text.push_str(&next);
            }
            source = s.source();
        }
        f.write_str(&text)
    }
}

/// [`Causes`] of a boxed cause.
pub fn of(e: &BoxError) -> Causes<'_> {
    Causes(e.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn writes_the_chain_once() {
        let e = Outer(std::io::Error::other("inner"));
        assert_eq!(Causes(&e).to_string(), "outer: inner");
        let repeated = std::io::Error::other("same");
        assert_eq!(Causes(&repeated).to_string(), "same");
    }
}

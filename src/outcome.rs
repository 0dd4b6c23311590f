//! The end of the pipeline: what happened, as an exit code.
//!
//! 0 nothing found, 1 tokens found (blocked), 2 something could not be checked (also
//! blocks: hooks fail closed). Tokens found win over problems: 1 is the more important
//! news, and both block. `intercept hook --shim` answers 3 instead of 0, so its shim can
//! tell intercept's "clean" from a binary that exits 0 without checking.

/// The result of a scan or a hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was checked and nothing was found.
    Clean,
    /// At least one token was found.
    Blocked,
    /// Nothing was found, but something could not be checked.
    Unchecked,
    /// Clean, answered to intercept's shim (which tells it from a program that exits 0
    /// without checking).
    ShimClean,
}

impl Outcome {
    /// From the number of (reported) findings and of problems.
    pub fn from_counts(findings: u64, problems: u64) -> Self {
        match (findings, problems) {
            (0, 0) => Outcome::Clean,
            (0, _) => Outcome::Unchecked,
            _ => Outcome::Blocked,
        }
    }

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Blocked => 1,
            Outcome::Unchecked => 2,
            Outcome::ShimClean => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn exit_codes() {
        assert_eq!(Outcome::from_counts(0, 0).code(), 0);
        assert_eq!(Outcome::from_counts(2, 0).code(), 1);
        assert_eq!(Outcome::from_counts(1, 3).code(), 1);
        assert_eq!(Outcome::from_counts(0, 1).code(), 2);
    }
}

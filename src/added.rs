//! Which lines of a new blob a change added (`Finding` → `Finding`).
//!
//! Receives the old and new bytes of a file and the findings in the new one; keeps the
//! findings on lines the change added. A token already committed on an untouched line is
//! not this change's doing. Only called for blobs that have findings, so the usual commit
//! computes no diff at all. Uses gix's imara-diff (Histogram), line by line as bytes.

use gix_imara_diff::{sources::byte_lines, Algorithm, Diff, InternedInput};

use crate::finding::Finding;

/// Keeps the findings whose line (1-based) was added in `new` relative to `old`.
pub fn retain_added(findings: &mut Vec<Finding>, old: &[u8], new: &[u8]) {
    let input = InternedInput::new(byte_lines(old), byte_lines(new));
    let diff = Diff::compute(Algorithm::Histogram, &input);
    findings.retain(|f| {
        let index = f.line.saturating_sub(1);
        u32::try_from(index).map_or(true, |i| i >= input.after.len() as u32 || diff.is_added(i))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::Origin;
    use crate::finding::{Encoding, Fingerprint, Kind, Redacted};

    fn at_lines(lines: &[u64]) -> Vec<Finding> {
        lines
            .iter()
            .map(|&line| Finding {
                origin: Origin::file("f"),
                line,
                column: 1,
                kind: Kind::IntercomAccessToken,
                encoding: Encoding::Plain,
                redacted: Redacted(String::new()),
                fingerprint: Fingerprint([0; 32]),
                marker: None,
            })
            .collect()
    }

    #[test]
    fn keeps_only_added_lines() {
        let old = b"a\nTOKEN\nc\n";
        let new = b"a\nTOKEN\nc\nTOKEN2\n";
        let mut f = at_lines(&[2, 4]);
        retain_added(&mut f, old, new);
        assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), vec![4]);
    }

    #[test]
    fn a_changed_line_counts_as_added_and_so_does_a_line_past_the_end() {
        let mut f = at_lines(&[1, 9]);
        retain_added(&mut f, b"x = 1\n", b"x = 2");
        assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), vec![1, 9]);
    }
}

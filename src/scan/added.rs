//! Which findings of a new blob a change added (`Finding` → `Finding`).
//!
//! Receives the findings in a new blob and the old blob's bytes (or its findings); keeps the
//! findings the change brought. A token already committed on an untouched line is not this
//! change's doing. Only called for blobs that have findings, so the usual commit computes
//! no diff at all.
//!
//! - Text as stored (the plain view): a line diff (gix's imara-diff, Histogram, lines as
//!   bytes); a finding counts as added when any line its token covers was added, so a
//!   wrapped nested value that changed on its third line is caught.
//! - Decoded views (archive members, gzip, UTF-16, LFS objects), whose lines are not the
//!   blob's lines, and blobs too large to diff in memory: a finding counts as added when
//!   its token (by fingerprint, at the same member) occurs more often than in the old blob.

use std::collections::HashMap;

use gix_imara_diff::{sources::byte_lines, Algorithm, Diff, InternedInput};

use crate::finding::Finding;

/// The lines (1-based) a change from `old` to `new` added, for judging findings one at a
/// time as they stream.
pub struct AddedLines {
    diff: Diff,
    lines: u64,
}

impl AddedLines {
    pub fn new(old: &[u8], new: &[u8]) -> Self {
        let input = InternedInput::new(byte_lines(old), byte_lines(new));
        let diff = Diff::compute(Algorithm::Histogram, &input);
        let lines = input.after.len() as u64;
        AddedLines { diff, lines }
    }

    /// True when any line the finding's token covers was added.
    pub fn covers(&self, f: &Finding) -> bool {
        f.lines().any(|line| {
            let index = line.saturating_sub(1);
            index >= self.lines || u32::try_from(index).is_ok_and(|i| self.diff.is_added(i))
        })
    }
}

/// Keeps the plain-view findings whose lines (1-based) were added in `new` relative to
/// `old`.
pub fn retain_added_lines(findings: &mut Vec<Finding>, old: &[u8], new: &[u8]) {
    let added = AddedLines::new(old, new);
    findings.retain(|f| added.covers(f));
}

/// Where a token is, for counting: a 64-bit hash of its member path and fingerprint
/// (12 bytes an entry instead of ~100: an old blob of a million distinct tokens is counted
/// in tens of MB; two keys colliding, about 1 in 10^7 at that size, would count one token's
/// occurrence as the other's).
fn key(f: &Finding) -> u64 {
    use std::hash::{Hash, Hasher};
    // Keyed the same in every process: a plain in-memory key, not a fingerprint.
    let mut h = std::hash::DefaultHasher::new();
    f.origin.members.hash(&mut h);
    f.fingerprint.hash(&mut h);
    h.finish()
}

/// How often each token occurs at each member of the old blob, taken away one by one by
/// the new blob's occurrences. (Its size is the old blob's distinct tokens.)
#[derive(Default)]
pub struct Counts(HashMap<u64, u32>);

impl Counts {
    pub fn add(&mut self, f: &Finding) {
        let n = self.0.entry(key(f)).or_default();
        *n = n.saturating_add(1);
    }

    /// True when `f` is an occurrence beyond those of the old blob (one is used up if not).
    pub fn is_new(&mut self, f: &Finding) -> bool {
        match self.0.get_mut(&key(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Encoding, Fingerprint, Kind, Redacted};
    use crate::origin::Origin;

    fn at_lines(lines: &[(u64, u64)]) -> Vec<Finding> {
        lines
            .iter()
            .map(|&(line, end_line)| Finding {
                origin: Origin::file("f"),
                line,
                column: 1,
                end_line,
                end_column: 2,
                kind: Kind::IntercomAccessToken,
                encoding: Encoding::Plain,
                redacted: Redacted(String::new()),
                fingerprint: Fingerprint([line as u8; 32]),
                marker: None,
                verification: None,
            })
            .collect()
    }

    #[test]
    fn keeps_only_added_lines() {
        let old = b"a\nTOKEN\nc\n";
        let new = b"a\nTOKEN\nc\nTOKEN2\n";
        let mut f = at_lines(&[(2, 2), (4, 4)]);
        retain_added_lines(&mut f, old, new);
        assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), vec![4]);
    }

    #[test]
    fn a_changed_line_counts_as_added_and_so_does_a_line_past_the_end() {
        let mut f = at_lines(&[(1, 1), (9, 9)]);
        retain_added_lines(&mut f, b"x = 1\n", b"x = 2");
        assert_eq!(f.iter().map(|f| f.line).collect::<Vec<_>>(), vec![1, 9]);
    }

    #[test]
    fn a_value_spanning_lines_counts_when_any_of_its_lines_was_added() {
        let old = b"k: |\n  AAAA\n  BBBB\n  CCCC\n";
        let new = b"k: |\n  AAAA\n  BBBB\n  CCCX\n";
        let mut f = at_lines(&[(2, 4)]);
        retain_added_lines(&mut f, old, new);
        assert_eq!(f.len(), 1);
        let mut f = at_lines(&[(2, 3)]);
        retain_added_lines(&mut f, old, new);
        assert!(f.is_empty());
    }

    #[test]
    fn counts_occurrences_per_member() {
        let old = at_lines(&[(1, 1)]);
        let mut new = at_lines(&[(1, 1), (1, 1), (2, 2)]);
        let mut before = Counts::default();
        old.iter().for_each(|f| before.add(f));
        new.retain(|f| before.is_new(f));
        assert_eq!(new.iter().map(|f| f.line).collect::<Vec<_>>(), vec![1, 2]);
    }
}

//! One grammar per value type, for every place a value arrives as text: `INTERCEPT_*`
//! variables, a server's `intercept.*` git config, the `--max-decompressed` flag. (TOML
//! files type their values themselves.)
//!
//! Booleans and byte counts read as git reads them (gix's `Boolean` and `Integer`, what
//! `try_boolean` and `try_integer` use): `yes`/`on`/`true`/`1` and `no`/`off`/`false`/`0`
//! in any case, an empty value is false; integers take a `k`, `m` or `g` suffix. A time
//! budget is a number of seconds from 0 to [`MAX_TIME_BUDGET`].

use gix::bstr::BStr;

/// The largest time budget accepted, in seconds (an hour; `0` means no limit).
pub const MAX_TIME_BUDGET: f64 = 3600.0;

/// A boolean as git reads one (`git config --type=bool`).
pub fn boolean(text: &str) -> Option<bool> {
    gix::config::Boolean::try_from(BStr::new(text.trim()))
        .ok()
        .map(bool::from)
}

/// A number of bytes as git reads an integer: digits with an optional `k`, `m` or `g`.
pub fn bytes(text: &str) -> Option<u64> {
    let integer = gix::config::Integer::try_from(BStr::new(text.trim())).ok()?;
    u64::try_from(integer.to_decimal()?).ok()
}

/// A time budget in seconds, within 0..=[`MAX_TIME_BUDGET`].
pub fn seconds(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| (0.0..=MAX_TIME_BUDGET).contains(s))
}

/// A time budget as kept: `None` for no limit (`0`).
pub fn budget(seconds: f64) -> Option<f64> {
    (seconds > 0.0).then_some(seconds)
}

/// What `--max-decompressed` says about a value that is no number of bytes.
#[derive(Debug, thiserror::Error)]
#[error("give a number of bytes (a k, m or g suffix is allowed)")]
pub struct NotBytes;

/// `--max-decompressed`'s parser: [`bytes`], with the error clap shows.
pub fn bytes_flag(text: &str) -> Result<u64, NotBytes> {
    bytes(text).ok_or(NotBytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_read_as_git_reads_them() {
        for t in ["true", "YES", "on", "1", " True "] {
            assert_eq!(boolean(t), Some(true), "{t}");
        }
        // An empty value is false to git (`key =`), unlike a key without `=` (which git
        // config handles before it reaches text).
        for f in ["false", "no", "Off", "0", ""] {
            assert_eq!(boolean(f), Some(false), "{f:?}");
        }
        assert_eq!(boolean("maybe"), None);
    }

    #[test]
    fn byte_counts_take_gits_suffixes() {
        assert_eq!(bytes("5"), Some(5));
        assert_eq!(bytes("2k"), Some(2048));
        assert_eq!(bytes("1G"), Some(1 << 30));
        assert_eq!(bytes("3m"), Some(3 << 20));
        assert_eq!(bytes("-1"), None);
        assert_eq!(bytes("lots"), None);
        assert_eq!(bytes(""), None);
    }

    #[test]
    fn budgets_stay_in_range() {
        assert_eq!(seconds("2.5"), Some(2.5));
        for bad in ["-1", "1e300", "nan", "inf", "3600.5", "x"] {
            assert_eq!(seconds(bad), None, "{bad}");
        }
        assert_eq!(budget(0.0), None);
    }
}

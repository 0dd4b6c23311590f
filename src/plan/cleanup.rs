//! What part of a commit-msg hook's message file git records: git cuts the message at its
//! scissors line only when `git commit` is verbose (`-v`, `commit.verbose`) or cleans up in
//! `scissors` mode with the editor (`--cleanup=scissors`, `commit.cleanup`), and only at the
//! line written with the configured comment string (`core.commentChar`/`commentString`).
//!
//! The hook is not told how git was run. intercept's shims pass git's process id
//! (`INTERCEPT_GIT_PID`), whose command line `/proc` shows; with it, the cut is made exactly
//! where git makes it. Without it (another hook manager, no `/proc`), the cut is made only in
//! the shape git writes itself: the cut line and two commented lines of explanation after it.

use std::path::Path;

/// git's cut line, after the comment string.
const CUT: &[u8] = b" ------------------------ >8 ------------------------";

/// How git was asked to commit, as far as cutting goes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Invocation {
    /// `commit` (or another command that runs commit-msg: `merge`, …).
    pub commit: bool,
    pub verbose: Option<bool>,
    pub cleanup: Option<String>,
    /// The message comes from `-m`, `-F` or `-C` (no editor unless `-e`).
    pub given: bool,
    pub edit: Option<bool>,
}

impl Invocation {
    /// Reads git's arguments (as `/proc/<pid>/cmdline` lists them, `git` first).
    pub fn parse(args: &[&str]) -> Invocation {
        let mut inv = Invocation::default();
        let mut rest = args.iter().skip(1).copied();
        // Global options before the command (`-c k=v`, `-C dir`, `--git-dir=…`).
        let mut command = None;
        while let Some(a) = rest.next() {
            if matches!(a, "-c" | "-C") {
                rest.next();
            } else if !a.starts_with('-') {
                command = Some(a);
                break;
            }
        }
        inv.commit = command == Some("commit");
        let mut args = rest;
        while let Some(a) = args.next() {
            match a {
                "--" => break,
                "-v" | "--verbose" => inv.verbose = Some(true),
                "--no-verbose" => inv.verbose = Some(false),
                "-e" | "--edit" => inv.edit = Some(true),
                "--no-edit" => inv.edit = Some(false),
                "--cleanup" => inv.cleanup = args.next().map(str::to_string),
                "-m" | "--message" | "-F" | "--file" | "-C" | "--reuse-message" => {
                    inv.given = true;
                    args.next();
                }
                "-c"
                | "--reedit-message"
                | "--author"
                | "--date"
                | "-t"
                | "--template"
                | "--fixup"
                | "--squash"
                | "--trailer"
                | "--pathspec-from-file" => {
                    args.next();
                }
                long if long.starts_with("--") => {
                    if let Some(mode) = long.strip_prefix("--cleanup=") {
                        inv.cleanup = Some(mode.to_string());
                    } else if ["--message=", "--file=", "--reuse-message="]
                        .iter()
                        .any(|p| long.starts_with(p))
                    {
                        inv.given = true;
                    }
                }
                short if short.starts_with('-') => {
                    // A cluster (`-av`, `-qm msg`): flags until one that takes a value.
                    for (i, c) in short.char_indices().skip(1) {
                        match c {
                            'v' => inv.verbose = Some(true),
                            'e' => inv.edit = Some(true),
                            'm' | 'F' | 'C' | 'c' | 't' => {
                                inv.given |= matches!(c, 'm' | 'F' | 'C');
                                if i + 1 == short.len() {
                                    args.next();
                                }
                                break;
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        inv
    }

    /// Whether git cuts at the scissors line, given `commit.verbose` and `commit.cleanup`.
    pub fn cuts(&self, config_verbose: bool, config_cleanup: Option<&str>) -> bool {
        if !self.commit {
            return false;
        }
        let editor = self.edit.unwrap_or(!self.given);
        let cleanup = self.cleanup.as_deref().or(config_cleanup).unwrap_or("default");
        self.verbose.unwrap_or(config_verbose) || (cleanup == "scissors" && editor)
    }
}

/// git's arguments for process `pid`, if `/proc` shows them.
fn git_args(pid: &str) -> Option<Vec<String>> {
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let raw = std::fs::read(Path::new("/proc").join(pid).join("cmdline")).ok()?;
    let args: Vec<String> = raw
        .split(|&b| b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    args.first()
        .is_some_and(|a| a == "git" || a.ends_with("/git"))
        .then_some(args)
}

/// Where the cut line starts in `message`, written with `comment` (any comment string when
/// `None`), and followed by two commented lines when `explained`.
fn cut_at(message: &[u8], comment: Option<&[u8]>, explained: bool) -> Option<usize> {
    let mut starts = vec![0];
    starts.extend(memchr::memchr_iter(b'\n', message).map(|i| i + 1));
    let line_at = |k: usize| -> Option<&[u8]> {
        let s = *starts.get(k)?;
        let e = starts.get(k + 1).map_or(message.len(), |n| n - 1);
        (s <= e).then(|| &message[s..e])
    };
    (0..starts.len()).find_map(|k| {
        let line = line_at(k)?;
        let c = line.strip_suffix(CUT)?;
        let ok_comment = match comment {
            Some(want) => c == want,
            None => !c.is_empty() && !c.contains(&b' '),
        };
        let commented =
            |j: usize| line_at(k + j).is_some_and(|l| l.starts_with(c) && l.get(c.len()) == Some(&b' '));
        (ok_comment && (!explained || (commented(1) && commented(2)))).then_some(starts[k])
    })
}

/// The part of `message` git will record, for the commit-msg hook.
pub fn recorded<'m>(message: &'m [u8], git_pid: Option<&str>) -> &'m [u8] {
    if memchr::memmem::find(message, CUT).is_none() {
        return message;
    }
    let known = git_pid.and_then(git_args).map(|args| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Invocation::parse(&args)
    });
    let cut = match known {
        Some(inv) => {
            let config = crate::repo::open().ok();
            let snapshot = config.as_ref().map(|r| r.config_snapshot());
            let get = |key: &str| {
                snapshot
                    .as_ref()
                    .and_then(|s| s.string(key))
                    .map(|v| v.to_string())
            };
            let verbose = get("commit.verbose").is_some_and(|v| {
                matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "on")
                    || v.parse::<i64>().is_ok_and(|n| n > 0)
            });
            if !inv.cuts(verbose, get("commit.cleanup").as_deref()) {
                return message;
            }
            let comment = get("core.commentString")
                .or_else(|| get("core.commentChar"))
                .unwrap_or_else(|| "#".to_string());
            if comment == "auto" {
                cut_at(message, None, false)
            } else {
                cut_at(message, Some(comment.as_bytes()), false)
            }
        }
        None => cut_at(message, None, true),
    };
    cut.map_or(message, |at| &message[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_cuts_when_verbose_or_cleaning_up_scissors_in_the_editor() {
        let cuts = |args: &[&str]| Invocation::parse(args).cuts(false, None);
        assert!(cuts(&["git", "commit", "-v"]));
        assert!(cuts(&["git", "-c", "x=y", "commit", "-qav"]));
        assert!(
            cuts(&["git", "commit", "-v", "-F", "msg"]),
            "-v cuts whatever the source"
        );
        assert!(cuts(&["git", "commit", "--cleanup=scissors"]));
        assert!(cuts(&["git", "commit", "--cleanup", "scissors", "-e", "-F", "m"]));
        assert!(!cuts(&["git", "commit", "-F", "msg"]));
        assert!(
            !cuts(&["git", "commit", "--cleanup=scissors", "-F", "msg"]),
            "no editor"
        );
        assert!(!cuts(&["git", "commit", "-m", "-v"]), "-v is the message");
        assert!(!cuts(&["git", "commit", "-v", "--no-verbose"]));
        assert!(!cuts(&["git", "am", "-v"]));
        assert!(
            Invocation::parse(&["git", "commit"]).cuts(true, None),
            "commit.verbose"
        );
        assert!(Invocation::parse(&["git", "commit"]).cuts(false, Some("scissors")));
    }

    #[test]
    fn the_cut_is_at_the_configured_comment_string_or_in_gits_own_shape() {
        let cut = "------------------------ >8 ------------------------";
        let file = format!("s\n\n; {cut}\nkey\n");
        assert_eq!(cut_at(file.as_bytes(), Some(b"#"), false), None);
        assert_eq!(cut_at(file.as_bytes(), Some(b";"), false), Some(3));
        // Unknown invocation: only git's shape (cut line and two commented lines).
        let shaped = format!("s\n# {cut}\n# a\n# b\ndiff\n");
        assert_eq!(recorded(shaped.as_bytes(), None), b"s\n");
        let bare = format!("s\n# {cut}\nkey\n");
        assert_eq!(recorded(bare.as_bytes(), None), bare.as_bytes());
        assert_eq!(recorded(b"no cut line", None), b"no cut line");
    }
}

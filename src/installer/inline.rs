//! intercept as one marked block inside a sh script that is not a team's file: husky 9's
//! per-user `init.sh`, and (see [`super::gate`]) a repository's own untracked pre-push
//! hook that git ≥ 2.54 would run after a stopped push. The script stays where it is, so
//! everything it finds from `$0` still works; every other byte is kept, and removing the
//! block gives the file back byte for byte.

use std::fs;
use std::path::Path;

use super::{io_error, InstallError};

/// The first and last lines of what intercept adds.
pub const BEGIN: &str = "# >>> intercept: `intercept uninstall` removes this block";
pub const END: &str = "# <<< intercept";
/// [`BEGIN`] when intercept also ended the file's last line (removal takes that newline back).
const BEGIN_NL: &str = "# >>> intercept (it ended the line above): `intercept uninstall` removes this block";

/// What a file intercept creates holds besides its block (so removal can tell it).
const CREATED_NOTE: &str = "# created by intercept; removing intercept's block removes this file\n";

/// Where the block goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// At the top (after a `#!` line): it runs before the rest of the script.
    Top,
    /// At the end: it runs after what the script sets up (a sourced file's settings).
    End,
}

/// Adds (or updates) intercept's block (from [`super::shim::Spec::block`] with [`BEGIN`]
/// and [`END`], or any text between them) in `path`, creating the file when it is missing
/// (`header` first, then the block, executable when `executable`). Returns whether the file
/// changed. An existing file is written in place (same inode and mode: it may be a hard
/// link or have a mode of its own).
pub fn add(
    path: &Path,
    block: &str,
    place: Place,
    header: &str,
    executable: bool,
) -> Result<bool, InstallError> {
    let text = match fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let text = match place {
                Place::Top => format!("{header}{block}{CREATED_NOTE}"),
                Place::End => format!("{header}{CREATED_NOTE}{block}"),
            };
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(io_error("cannot create", dir))?;
            }
            if executable {
                super::shim::write_executable(path, text.as_bytes())?;
            } else {
                super::record::write_atomic(path, text.as_bytes())?;
            }
            return Ok(true);
        }
        Err(e) => return Err(io_error("cannot read", path)(e)),
    };
    let mut kept = without(&text, BEGIN, END);
    let at = match place {
        Place::Top if kept.starts_with(b"#!") => {
            if !kept.contains(&b'\n') {
                kept.push(b'\n');
            }
            kept.iter()
                .position(|&b| b == b'\n')
                .map_or(kept.len(), |i| i + 1)
        }
        Place::Top => 0,
        Place::End => kept.len(),
    };
    let mut block = block.to_string();
    if place == Place::End && !kept.is_empty() && !kept.ends_with(b"\n") {
        block = format!("\n{}", block.replacen(BEGIN, BEGIN_NL, 1));
    }
    kept.splice(at..at, block.bytes());
    if kept == text {
        return Ok(false);
    }
    fs::write(path, &kept).map_err(io_error("cannot write", path))?;
    Ok(true)
}

/// `text` without the blocks between `begin` and `end` lines (and the newline a block
/// marked [`BEGIN_NL`] added).
fn without(text: &[u8], begin: &str, end: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut inside = false;
    for l in text.split_inclusive(|&b| b == b'\n') {
        let bare = l.trim_ascii_end();
        if !inside && (bare == begin.as_bytes() || (begin == BEGIN && bare == BEGIN_NL.as_bytes())) {
            if bare == BEGIN_NL.as_bytes() && out.ends_with(b"\n") {
                out.pop();
            }
            inside = true;
        } else if inside {
            inside = bare != end.as_bytes();
        } else {
            out.extend_from_slice(l);
        }
    }
    out
}

/// Removes intercept's block from `path`, and the file when intercept created it. Returns
/// whether it changed anything.
pub fn remove(path: &Path) -> Result<bool, InstallError> {
    remove_between(path, BEGIN, END)
}

/// [`remove`] for the markers of another layout.
pub fn remove_between(path: &Path, begin: &str, end: &str) -> Result<bool, InstallError> {
    let Ok(text) = fs::read(path) else {
        return Ok(false);
    };
    let kept = without(&text, begin, end);
    if kept == text {
        return Ok(false);
    }
    let rest = String::from_utf8_lossy(&kept);
    let created = rest.lines().any(|l| l.starts_with("# created by"))
        && rest
            .lines()
            .all(|l| l.trim().is_empty() || l.starts_with("#!") || l.starts_with("# created by"));
    if created {
        fs::remove_file(path).map_err(io_error("cannot remove", path))?;
    } else {
        fs::write(path, kept).map_err(io_error("cannot write", path))?;
    }
    Ok(true)
}

/// intercept's block in `path`, if it has one, as it was rendered (with [`BEGIN`] first).
pub fn block(path: &Path) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    let mut out = String::new();
    let mut inside = false;
    for l in text.split_inclusive('\n') {
        let bare = l.trim_end();
        if !inside && (bare == BEGIN || bare == BEGIN_NL) {
            inside = true;
            out.push_str(BEGIN);
            out.push('\n');
            continue;
        }
        if inside {
            out.push_str(l);
            if bare == END {
                return Some(out);
            }
        }
    }
    None
}

/// Whether git runs `path` with a POSIX shell: a `#!` line naming sh, bash, dash, ksh, zsh
/// or ash (directly or through `env`), or text with no `#!` line (git runs it with sh).
pub fn is_sh_script(path: &Path) -> bool {
    let Ok(text) = fs::read(path) else { return false };
    let head = &text[..text.len().min(256)];
    if head.contains(&0) {
        return false;
    }
    let Some(rest) = head.strip_prefix(b"#!") else {
        return true;
    };
    let first = rest.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first);
    let mut words = first.split_whitespace();
    let mut program = words
        .next()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or_default();
    if program == "env" {
        program = words.find(|w| !w.starts_with('-')).unwrap_or_default();
    }
    matches!(
        program,
        "sh" | "bash" | "dash" | "ksh" | "zsh" | "ash" | "mksh" | "posh"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hooks;
    use crate::installer::shim::{Spec, Via};
    use std::path::PathBuf;

    fn pre_push_block(bin: &Path) -> String {
        Spec::new(bin, hooks::find("pre-push").unwrap(), Via::Gate).block(BEGIN, END)
    }

    #[test]
    fn add_then_remove_keeps_every_other_byte() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [&[u8]; 5] = [
            b"#!/usr/bin/env sh\r\nnpm test\r\n",
            b"npm test",
            b"#!/bin/sh",
            b"",
            b"echo a\n\n# intercept: a comment of the team's\n",
        ];
        let bin = Path::new("/opt/it's; a | b/intercept");
        for own in cases {
            for place in [Place::Top, Place::End] {
                let path = dir.path().join("pre-push");
                if own.is_empty() {
                    let _ = fs::remove_file(&path);
                } else {
                    fs::write(&path, own).unwrap();
                }
                let block = pre_push_block(bin);
                assert!(add(&path, &block, place, "#!/bin/sh\n", true).unwrap());
                assert!(
                    !add(&path, &block, place, "#!/bin/sh\n", true).unwrap(),
                    "a second add changes nothing"
                );
                let text = fs::read_to_string(&path).unwrap();
                assert_eq!(text.matches("# >>> intercept").count(), 1, "{text}");
                assert_eq!(
                    Spec::parse_block(&super::block(&path).unwrap()),
                    Some((PathBuf::from(bin), Via::Gate))
                );
                if own.starts_with(b"#!") {
                    assert!(text.starts_with("#!"), "the shebang stays first: {text}");
                }
                assert!(remove(&path).unwrap());
                let after = fs::read(&path).ok();
                match own {
                    b"" => assert_eq!(after, None, "a file intercept created is removed"),
                    b"#!/bin/sh" if place == Place::Top => assert_eq!(after.unwrap(), b"#!/bin/sh\n"),
                    _ => assert_eq!(after.unwrap(), own),
                }
            }
        }
    }

    #[test]
    fn sh_scripts_are_told_from_other_programs() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&[u8], bool); 9] = [
            (b"#!/bin/sh\ngit lfs pre-push \"$@\"\n", true),
            (b"#!/usr/bin/env bash\n", true),
            (b"#!/usr/bin/env -S bash -e\n", true),
            (b"#!/bin/zsh\n", true),
            (b"echo no shebang\n", true),
            (b"#!/usr/bin/env python3\n", false),
            (b"#!/usr/bin/env node\n", false),
            (b"#!/bin/shell-like\n", false),
            (b"\x7fELF\x02\x01\x01\0\0", false),
        ];
        for (text, sh) in cases {
            let path = dir.path().join("hook");
            fs::write(&path, text).unwrap();
            assert_eq!(is_sh_script(&path), sh, "{}", String::from_utf8_lossy(text));
        }
    }

    /// The pre-push block hands intercept and the rest of the script the same input, byte
    /// for byte, under sh, `sh -e` (husky) and bash; intercept's "found" stops the script.
    #[cfg(unix)]
    #[test]
    fn the_pre_push_block_keeps_the_input_for_the_rest_of_the_script() {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        use std::process::{Command, Stdio};
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("fake intercept");
        let seen = dir.path().join("seen");
        let rest = dir.path().join("rest");
        let inputs: [&[u8]; 3] = [
            b"refs/heads/main 1111 refs/heads/main 2222\nrefs/heads/b 3333 refs/heads/b 4444\n",
            b"no newline at the end",
            b"",
        ];
        for answer in [3, 1, 0] {
            fs::write(
                &bin,
                format!("#!/bin/sh\ncat > '{}'\nexit {answer}\n", seen.display()),
            )
            .unwrap();
            fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
            let script = dir.path().join("pre-push");
            fs::write(&script, format!("#!/bin/sh\ncat > '{}'\n", rest.display())).unwrap();
            add(&script, &pre_push_block(&bin), Place::Top, "", true).unwrap();
            for shell in [&["sh"][..], &["sh", "-e"], &["bash"]] {
                for input in inputs {
                    let _ = fs::remove_file(&rest);
                    let mut child = Command::new(shell[0])
                        .args(&shell[1..])
                        .arg(&script)
                        .args(["origin", "/remote"])
                        .stdin(Stdio::piped())
                        .stderr(Stdio::null())
                        .spawn()
                        .unwrap();
                    child.stdin.take().unwrap().write_all(input).unwrap();
                    let code = child.wait().unwrap().code();
                    assert_eq!(fs::read(&seen).unwrap(), input, "{shell:?}: what intercept read");
                    if answer == 3 {
                        assert_eq!(code, Some(0), "{shell:?}");
                        let mut expected = input.to_vec();
                        if !expected.is_empty() && !expected.ends_with(b"\n") {
                            expected.push(b'\n');
                        }
                        assert_eq!(
                            fs::read(&rest).unwrap(),
                            expected,
                            "{shell:?}: what the rest read"
                        );
                    } else {
                        assert_eq!(code, Some(1), "{shell:?}: answer {answer}");
                        assert!(!rest.exists(), "{shell:?}: the rest ran after answer {answer}");
                    }
                }
            }
        }
    }
}

//! intercept as one marked block at the top of a sh script that runs a hook: husky's
//! `.husky/<hook>` files, and (see [`super::gate`]) a repository's own sh hook that git
//! ≥ 2.54 would run after a stopped push. The script stays where it is, so everything it
//! finds from `$0` (husky's `h`, `_/husky.sh`, its own name) still works; every other byte
//! is kept, and uninstall removes exactly the line.

use std::fs;
use std::path::{Path, PathBuf};

use super::{io_error, InstallError};

/// The first and last lines of what intercept adds.
pub const BEGIN: &str =
    "# >>> intercept: added by `intercept install`; `intercept uninstall` removes this block";
pub const END: &str = "# <<< intercept";

/// The block for `event`. It requires intercept's own answer (exit 3 of `hook --shim`), so
/// a missing or broken binary blocks. For pre-push it keeps git's input in a variable (no
/// temp file: a full or unwritable TMPDIR must not stop clean pushes) and hands it to the
/// rest of the script with a here-document, byte for byte (a last line without its newline
/// gets one; git always sends it). husky runs the file with `sh -e`, so the binary's exit status is caught
/// with `||` (a bare failing command would end the script with intercept's code).
pub fn block(bin: &Path, event: &str, gate: bool) -> String {
    let bin =
        String::from_utf8_lossy(&super::shim::sh_quote(crate::path::os_bytes(bin.as_os_str()))).into_owned();
    let mode = if gate { "INTERCEPT_DUAL=gate " } else { "" };
    let answer = format!(
        "case $intercept_rc in 3) ;; 1|2) exit 1 ;; *) echo \"intercept: {bin} did not check this {event} \
         (missing or broken): reinstall intercept, or go ahead unchecked with --no-verify\" >&2; exit 1 ;; esac"
    );
    // husky 5 to 8 run the file again from its `_/husky.sh` (`sh -e "$0"`): the block in
    // that second run, a direct child of the shell that checked, does not check again.
    let once = format!("if [ \"${{INTERCEPT_RAN:-}}\" != \"{event}:$PPID\" ]; then");
    let done = format!("INTERCEPT_RAN=\"{event}:$$\"; export INTERCEPT_RAN");
    if event == "pre-push" {
        format!(
            "{BEGIN}\n\
             {once}\n\
             intercept_in=$(cat; echo .) || exit 1; intercept_in=${{intercept_in%.}}; intercept_nl=$(printf '\\n.'); \
             intercept_rc=0\n\
             printf '%s' \"$intercept_in\" | {mode}{bin} hook --shim {event} \"$@\" || intercept_rc=$?\n\
             {answer}\n\
             {done}\n\
             if [ -z \"$intercept_in\" ]; then exec < /dev/null; else exec <<intercept_input_end\n\
             ${{intercept_in%\"${{intercept_nl%.}}\"}}\n\
             intercept_input_end\n\
             fi\n\
             fi\n\
             {END}\n"
        )
    } else {
        format!(
            "{BEGIN}\n\
             {once}\n\
             intercept_rc=0; {mode}{bin} hook --shim {event} \"$@\" < /dev/null || intercept_rc=$?\n\
             {answer}\n\
             {done}\n\
             fi\n\
             {END}\n"
        )
    }
}

/// A hook file intercept creates is `#!` line, block, note: git runs it directly (husky 5
/// to 8 point `core.hooksPath` at `.husky`), so it needs a `#!` line and the executable
/// bit; the note lets uninstall tell it from a user's file.
const CREATED_SHEBANG: &str = "#!/bin/sh\n";
const CREATED_NOTE: &str = "# created by `intercept install`; `intercept uninstall` removes this file\n";

/// Adds (or updates) intercept's line at the top of `path` (after a `#!` line), creating
/// the file (executable) when it is missing. Returns whether the file changed.
pub fn add(path: &Path, bin: &Path, event: &str, gate: bool) -> Result<bool, InstallError> {
    let text = match fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let text = format!("{CREATED_SHEBANG}{}{CREATED_NOTE}", block(bin, event, gate));
            super::shim::write_executable(path, text.as_bytes())?;
            return Ok(true);
        }
        Err(e) => return Err(io_error("cannot read", path)(e)),
    };
    let mut kept = without_ours(&text);
    if kept.starts_with(b"#!") && !kept.contains(&b'\n') {
        kept.push(b'\n');
    }
    let at = if kept.starts_with(b"#!") {
        kept.iter()
            .position(|&b| b == b'\n')
            .map_or(kept.len(), |i| i + 1)
    } else {
        0
    };
    kept.splice(at..at, block(bin, event, gate).into_bytes());
    if kept == text {
        return Ok(false);
    }
    // In place (same inode, same mode): the file may be a hard link or have its own mode.
    fs::write(path, &kept).map_err(io_error("cannot write", path))?;
    Ok(true)
}

/// `text` without intercept's blocks.
fn without_ours(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut inside = false;
    for l in text.split_inclusive(|&b| b == b'\n') {
        let bare = l.trim_ascii_end();
        if !inside && bare == BEGIN.as_bytes() {
            inside = true;
        } else if inside {
            inside = bare != END.as_bytes();
        } else {
            out.extend_from_slice(l);
        }
    }
    out
}

/// Removes intercept's lines from `path`, and the file when nothing but blank lines is left
/// (one intercept created). Returns whether it changed anything.
pub fn remove(path: &Path) -> Result<bool, InstallError> {
    let Ok(text) = fs::read(path) else {
        return Ok(false);
    };
    let kept = without_ours(&text);
    if kept == text {
        return Ok(false);
    }
    if kept.iter().all(u8::is_ascii_whitespace)
        || kept == format!("{CREATED_SHEBANG}{CREATED_NOTE}").as_bytes()
    {
        fs::remove_file(path).map_err(io_error("cannot remove", path))?;
    } else {
        fs::write(path, kept).map_err(io_error("cannot write", path))?;
    }
    Ok(true)
}

/// The binary intercept's block in `path` calls, and whether it is a gate.
pub fn installed(path: &Path) -> Option<(PathBuf, bool)> {
    let text = fs::read_to_string(path).ok()?;
    let mut lines = text.lines().skip_while(|l| *l != BEGIN).take_while(|l| *l != END);
    let line = lines.find(|l| l.contains(" hook --shim "))?;
    let start = line.find(" hook --shim ").map(|end| &line[..end])?;
    let start = start
        .strip_prefix("printf '%s' \"$intercept_in\" | ")
        .or_else(|| start.strip_prefix("intercept_rc=0; "))?;
    let (start, gate) = match start.strip_prefix("INTERCEPT_DUAL=gate ") {
        Some(rest) => (rest, true),
        None => (start, false),
    };
    let unquoted = start.strip_prefix('\'').and_then(|s| s.strip_suffix('\''))?;
    Some((PathBuf::from(unquoted.replace("'\\''", "'")), gate))
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
            for gate in [false, true] {
                let path = dir.path().join("pre-push");
                if own.is_empty() {
                    let _ = fs::remove_file(&path);
                } else {
                    fs::write(&path, own).unwrap();
                }
                assert!(add(&path, bin, "pre-push", gate).unwrap());
                assert!(
                    !add(&path, bin, "pre-push", gate).unwrap(),
                    "a second add changes nothing"
                );
                let text = fs::read_to_string(&path).unwrap();
                assert_eq!(text.matches(BEGIN).count(), 1, "{text}");
                #[cfg(unix)]
                if own.is_empty() {
                    // git runs a created file itself (husky 5 to 8): `#!` line and +x.
                    use std::os::unix::fs::PermissionsExt;
                    assert!(text.starts_with("#!/bin/sh\n"), "{text}");
                    assert!(fs::metadata(&path).unwrap().permissions().mode() & 0o111 != 0);
                }
                assert_eq!(installed(&path), Some((bin.to_path_buf(), gate)));
                if own.starts_with(b"#!") {
                    assert!(text.starts_with("#!"), "the shebang stays first: {text}");
                }
                assert!(remove(&path).unwrap());
                let after = fs::read(&path).ok();
                if own.is_empty() {
                    assert_eq!(after, None, "a file intercept created is removed");
                } else if own == b"#!/bin/sh" {
                    assert_eq!(after.unwrap(), b"#!/bin/sh\n");
                } else {
                    assert_eq!(after.unwrap(), own);
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
    #[test]
    fn a_file_run_again_by_husky_sh_checks_once_and_a_new_run_checks_again() {
        use std::os::unix::fs::PermissionsExt;
        use std::process::Command;
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("fake intercept");
        let calls = dir.path().join("calls");
        let rest = dir.path().join("rest");
        fs::write(
            &bin,
            format!("#!/bin/sh\necho \"$1 $2 $3\" >> '{}'\nexit 3\n", calls.display()),
        )
        .unwrap();
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
        // What husky 5 to 8's `_/husky.sh` does: run the file once more, then end.
        fs::create_dir(dir.path().join("_")).unwrap();
        fs::write(
            dir.path().join("_/husky.sh"),
            "if [ -z \"$husky_skip_init\" ]; then\n  husky_skip_init=1; export husky_skip_init\n  sh -e \"$0\" \"$@\"\n  exit $?\nfi\n",
        )
        .unwrap();
        for event in ["pre-commit", "pre-push"] {
            let script = dir.path().join(event);
            fs::write(
                &script,
                format!(
                    "#!/bin/sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\ncat >> '{}'; echo ran >> '{}'\n",
                    rest.display(),
                    rest.display()
                ),
            )
            .unwrap();
            add(&script, &bin, event, false).unwrap();
            for run in 0..2 {
                let _ = fs::remove_file(&calls);
                let _ = fs::remove_file(&rest);
                let out = Command::new("sh")
                    .arg(&script)
                    .env_remove("INTERCEPT_RAN")
                    .env_remove("husky_skip_init")
                    .stdin(std::process::Stdio::null())
                    .output()
                    .unwrap();
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{event}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                assert_eq!(
                    fs::read_to_string(&calls).unwrap().lines().count(),
                    1,
                    "{event}, run {run}: intercept checks once per git run"
                );
                assert_eq!(
                    fs::read_to_string(&rest).unwrap(),
                    "ran\n",
                    "{event}: the team's lines ran once"
                );
            }
        }
    }

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
            add(&script, &bin, "pre-push", false).unwrap();
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

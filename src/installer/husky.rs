//! husky repositories, and intercept in husky 9's per-user `init.sh`.
//!
//! husky 9 points a repository's `core.hooksPath` at `.husky/_`, whose stubs run `h`: for a
//! hook the repository defines in `.husky/<hook>`, `h` sources
//! `${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh`, then honours `HUSKY=0`, then runs the
//! team's file. That file is the user's own, outside every repository, so intercept adds
//! one marked block to it ([`init_block`]): for the commit events it checks when husky's
//! hook is done (an `EXIT` trap), so what the team's hook staged or wrote into the message
//! is what intercept checked; for pre-push it checks first and hands git's input on, so a
//! stopped push never reaches the team's file (which may run `git lfs pre-push`). `HUSKY=0`
//! does not turn it off. Nothing is written into `.husky/`: those files are the team's.
//!
//! husky 5 to 8 point `core.hooksPath` at `.husky` itself and source `_/husky.sh` from
//! each hook; those repositories get a hooks directory of their own ([`super::mirror`]).

use std::fs;
use std::path::{Path, PathBuf};

use super::inline::{self, Place, BEGIN, END};
use super::shim::{sh_quote, Spec, Via, ANSWER_CLEAN};
use super::InstallError;
use crate::hooks;
use crate::path::os_bytes;

/// How a repository uses husky, from the hooks directory git runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// husky 9: `core.hooksPath=.husky/_`; `.husky/_/h` runs `.husky/<hook>`.
    V9 { husky: PathBuf },
    /// husky 5 to 8: `core.hooksPath=.husky`; each `.husky/<hook>` sources `_/husky.sh`.
    V5to8 { husky: PathBuf },
}

impl Layout {
    /// The `.husky` directory.
    pub fn husky_dir(&self) -> &Path {
        match self {
            Layout::V9 { husky } | Layout::V5to8 { husky } => husky,
        }
    }
}

/// The husky layout of a hooks directory, if it is husky's.
pub fn layout(hooks_dir: &Path) -> Option<Layout> {
    if hooks_dir.file_name().is_some_and(|n| n == "_") {
        if let Ok(h) = fs::read(hooks_dir.join("h")) {
            if memchr::memmem::find(&h, b"husky").is_some() {
                return hooks_dir.parent().map(|p| Layout::V9 {
                    husky: p.to_path_buf(),
                });
            }
        }
    }
    hooks_dir
        .join("_")
        .join("husky.sh")
        .is_file()
        .then(|| Layout::V5to8 {
            husky: hooks_dir.to_path_buf(),
        })
}

/// husky's per-user file, `${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh`.
pub fn init_file() -> Result<PathBuf, InstallError> {
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(x).join("husky/init.sh"));
    }
    let home = std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .ok_or(InstallError::NoHome)?;
    Ok(PathBuf::from(home).join(".config/husky/init.sh"))
}

/// intercept's block in `init.sh`. husky sources it with the hook's name in `$n` (and its
/// arguments in `"$@"`) in the shell git started for the hook, so `$PPID` is git's pid.
pub fn init_block(bin: &Path) -> String {
    let q = String::from_utf8_lossy(&sh_quote(os_bytes(bin.as_os_str()))).into_owned();
    let after: Vec<&str> = hooks::client_checks()
        .filter(|h| !h.stdin)
        .map(|h| h.name)
        .collect();
    let pre_push = Spec::new(bin, hooks::find("pre-push").expect("in the table"), Via::Husky);
    // The pre-push block, without its marker lines: it is a branch of the `case` below.
    let push = pre_push.block("", "");
    let push = push.trim_matches('\n');
    format!(
        "{BEGIN}\n\
         # intercept checks what husky's hooks commit and push (it is installed for every repository).\n\
         case ${{n:-${{0##*/}}}} in\n\
         {after})\n\
         intercept_after() {{\n\
         \tintercept_status=$?\n\
         \ttrap - EXIT\n\
         \t[ \"$intercept_status\" = 0 ] || exit \"$intercept_status\"\n\
         \tintercept_rc=0\n\
         \tINTERCEPT_VIA=husky INTERCEPT_GIT_PID=$PPID {q} hook --shim \"${{n:-${{0##*/}}}}\" \"$@\" < /dev/null || intercept_rc=$?\n\
         \tcase $intercept_rc in {ANSWER_CLEAN}) exit 0 ;; 1|2) exit 1 ;; *) echo \"intercept: {q} did not check this \
         hook (missing or broken): reinstall intercept, or go ahead unchecked with --no-verify\" >&2; exit 1 ;; esac\n\
         }}\n\
         trap 'intercept_after \"$@\"' EXIT\n\
         ;;\n\
         pre-push)\n\
         {push}\n\
         ;;\n\
         esac\n\
         {END}\n",
        after = after.join("|"),
    )
}

/// Adds intercept's block to `init.sh` (creating the file). Returns whether it changed.
pub fn install_init(bin: &Path) -> Result<bool, InstallError> {
    inline::add(&init_file()?, &init_block(bin), Place::End, "", false)
}

/// Removes it. Returns whether there was one.
pub fn remove_init() -> Result<bool, InstallError> {
    let file = init_file()?;
    let removed = inline::remove(&file)?;
    if let Some(dir) = file.parent().filter(|_| removed && !file.exists()) {
        let _ = fs::remove_dir(dir); // only when empty: the directory intercept made for it
    }
    Ok(removed)
}

/// Whether `init.sh` holds intercept's block for `bin`, as this version writes it.
pub fn init_ok(bin: &Path) -> bool {
    init_file()
        .ok()
        .and_then(|f| inline::block(&f))
        .is_some_and(|b| b == init_block(bin))
}

/// The events a husky 9 repository defines (git runs nothing of husky's for the others).
pub fn defined(husky: &Path, event: &str) -> bool {
    husky.join(event).is_file()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::process::{Command, Stdio};

    /// What husky 9.1's `h` does, reduced: source init.sh, honour HUSKY=0, run the file.
    const H: &str = "n=$(basename \"$0\")\ns=$(dirname \"$(dirname \"$0\")\")/$n\n[ ! -f \"$s\" ] && exit 0\n\
                     i=\"$XDG_CONFIG_HOME/husky/init.sh\"\n[ -f \"$i\" ] && . \"$i\"\n[ \"${HUSKY-}\" = \"0\" ] && exit 0\n\
                     sh -e \"$s\" \"$@\"\nc=$?\nexit $c\n";

    #[test]
    fn init_checks_after_the_teams_hook_and_before_a_push_even_with_husky_0() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let calls = root.join("calls");
        let bin = root.join("fake intercept");
        for answer in [3, 1] {
            fs::write(
                &bin,
                format!(
                    "#!/bin/sh\necho \"$INTERCEPT_VIA $3 $(cat team 2>/dev/null)\" >> '{}'\nexit {answer}\n",
                    calls.display()
                ),
            )
            .unwrap();
            fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
            fs::create_dir_all(root.join("config/husky")).unwrap();
            fs::write(
                root.join("config/husky/init.sh"),
                format!("export FROM_USER=1\n{}", init_block(&bin)),
            )
            .unwrap();
            fs::create_dir_all(root.join(".husky/_")).unwrap();
            fs::write(root.join(".husky/_/h"), H).unwrap();
            for event in ["pre-commit", "pre-push"] {
                fs::write(
                    root.join(".husky/_").join(event),
                    "#!/bin/sh\n. \"$(dirname \"$0\")/h\"\n",
                )
                .unwrap();
                fs::set_permissions(
                    root.join(".husky/_").join(event),
                    fs::Permissions::from_mode(0o755),
                )
                .unwrap();
                fs::write(
                    root.join(".husky").join(event),
                    "echo staged-by-team > team\ncat > pushed 2>/dev/null || true\n",
                )
                .unwrap();
            }
            for husky in ["1", "0"] {
                let _ = fs::remove_file(&calls);
                let _ = fs::remove_file(root.join("team"));
                let out = Command::new(root.join(".husky/_/pre-commit"))
                    .current_dir(root)
                    .env("XDG_CONFIG_HOME", root.join("config"))
                    .env("HUSKY", husky)
                    .stdin(Stdio::null())
                    .output()
                    .unwrap();
                let seen = fs::read_to_string(&calls).unwrap_or_default();
                assert_eq!(seen.lines().count(), 1, "HUSKY={husky}: checked once: {seen}");
                assert!(seen.starts_with("husky "), "{seen}");
                if husky == "1" {
                    assert!(
                        seen.contains("staged-by-team"),
                        "checked after the team's hook: {seen}"
                    );
                }
                assert_eq!(out.status.code(), Some(if answer == 3 { 0 } else { 1 }));
                let _ = fs::remove_file(root.join("pushed"));
                let mut child = Command::new(root.join(".husky/_/pre-push"))
                    .current_dir(root)
                    .env("XDG_CONFIG_HOME", root.join("config"))
                    .env("HUSKY", husky)
                    .stdin(Stdio::piped())
                    .spawn()
                    .unwrap();
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(b"refs/heads/a 1 refs/heads/a 2\n")
                    .unwrap();
                let code = child.wait().unwrap().code();
                assert_eq!(code, Some(if answer == 3 { 0 } else { 1 }));
                assert_eq!(
                    root.join("pushed").exists(),
                    answer == 3 && husky == "1",
                    "the team's pre-push runs only after a clean check"
                );
            }
        }
    }
}

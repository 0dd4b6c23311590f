//! husky v9 repositories: `.husky/_` is the local `core.hooksPath`; its stubs source `h`,
//! which runs the team's `.husky/<hook>` file with `sh -e`. Under git < 2.54 (no
//! config-based hooks) intercept joins by adding one marked line at the top of
//! `.husky/<hook>` — a file the team owns and husky never rewrites (it regenerates
//! `.husky/_` on every `npm install`) — and `intercept uninstall` removes exactly that line
//! (and the file, when intercept created it).

use std::fs;
use std::path::{Path, PathBuf};

use super::{inline, io_error, Done, InstallError};
use crate::path::PathText;

/// The `.husky` directory when `hooks_dir` is husky's: `.husky/_` (husky 9, whose `h`
/// runs `.husky/<hook>`), or `.husky` itself (husky 5 to 8: git runs `.husky/<hook>`,
/// which sources `$(dirname "$0")/_/husky.sh`, so it must stay where it is).
pub fn husky_dir(hooks_dir: &Path) -> Option<PathBuf> {
    if let Ok(h) = fs::read(hooks_dir.join("h")) {
        if hooks_dir.file_name().is_some_and(|n| n == "_") && memchr::memmem::find(&h, b"husky").is_some() {
            return hooks_dir.parent().map(Path::to_path_buf);
        }
    }
    hooks_dir
        .join("_")
        .join("husky.sh")
        .is_file()
        .then(|| hooks_dir.to_path_buf())
}

/// Adds (or updates) intercept's line in `.husky/<event>` for each event.
pub fn install(
    husky: &Path,
    bin: &Path,
    events: &[&str],
    gate: bool,
    done: &mut Done,
) -> Result<(), InstallError> {
    for event in events {
        inline::add(&husky.join(event), bin, event, gate)?;
    }
    done.lines.push(format!(
        "husky runs this repository's hooks: added intercept to {} in {} (husky never rewrites those \
         files; `intercept uninstall` removes exactly the lines it added). Those files are usually \
         committed: leave intercept's lines out of commits, since they name this machine's intercept and \
         would block a teammate who has none there",
        events.join(", "),
        PathText::new(husky)
    ));
    Ok(())
}

/// husky 5 to 8: git runs `.husky/<event>` itself, so a file that is not executable
/// (`core.fileMode=false`, a checkout from Windows) would be skipped with only a hint, and
/// intercept's block in it with it. Makes each one executable (as husky's own install
/// does), saying which.
pub fn make_runnable(husky: &Path, events: &[&str], done: &mut Done) -> Result<(), InstallError> {
    #[cfg(unix)]
    for event in events {
        use std::os::unix::fs::PermissionsExt;
        let path = husky.join(event);
        let Ok(meta) = fs::metadata(&path) else { continue };
        let mode = meta.permissions().mode();
        if mode & 0o111 == 0o111 {
            continue;
        }
        // +x wherever it is readable (what `chmod +x` does under the usual umask).
        let wanted = mode | ((mode & 0o444) >> 2) | 0o100;
        fs::set_permissions(&path, fs::Permissions::from_mode(wanted))
            .map_err(io_error("cannot make executable", &path))?;
        done.lines.push(format!(
            "made {} executable: git runs it itself (husky before 9), and skipped it before",
            PathText::new(&path)
        ));
    }
    Ok(())
}

/// Whether git runs `.husky/<event>` itself (husky 5 to 8, `core.hooksPath=.husky`) and
/// will not, because it is not executable.
pub fn skipped_by_git(hooks_dir: &Path, husky: &Path, event: &str) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        super::same_dir(hooks_dir, husky)
            && fs::metadata(husky.join(event)).is_ok_and(|m| m.permissions().mode() & 0o111 == 0)
    }
    #[cfg(not(unix))]
    {
        let _ = (hooks_dir, husky, event);
        false
    }
}

/// Removes intercept's lines, and a file left with nothing but blank lines (one intercept
/// created).
pub fn uninstall(husky: &Path, events: &[&str], done: &mut Done) -> Result<(), InstallError> {
    for event in events {
        let path = husky.join(event);
        if inline::remove(&path)? {
            done.lines
                .push(format!("removed intercept's line from {}", PathText::new(&path)));
        }
    }
    Ok(())
}

/// The binary intercept's line in `.husky/<event>` calls, if the file has one.
pub fn installed_line(husky: &Path, event: &str) -> Option<PathBuf> {
    inline::installed(&husky.join(event)).map(|(bin, _)| bin)
}

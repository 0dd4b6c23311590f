//! husky v9 repositories: `.husky/_` is the local `core.hooksPath`; its stubs source `h`,
//! which runs the team's `.husky/<hook>` file with `sh -e`. Under git < 2.54 (no
//! config-based hooks) intercept joins by adding one marked line at the top of
//! `.husky/<hook>` — a file the team owns and husky never rewrites (it regenerates
//! `.husky/_` on every `npm install`) — and `intercept uninstall` removes exactly that line
//! (and the file, when intercept created it).

use std::fs;
use std::path::{Path, PathBuf};

use super::{inline, Done, InstallError};
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
         files; `intercept uninstall` removes exactly the lines it added)",
        events.join(", "),
        PathText::new(husky)
    ));
    Ok(())
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

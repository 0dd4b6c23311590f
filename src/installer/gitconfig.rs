//! intercept's settings in a git config file, as one marked block that uninstall removes
//! byte for byte: everything else in the file — the user's comments, order, spacing — is
//! never rewritten (`git config --unset` and `--remove-section` can drop a comment or an
//! empty section header). Writes take git's own lock (`<file>.lock`, then a rename), follow
//! a symlinked file to its target as git does, and keep the file's mode.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{io_error, InstallError};
use crate::path::PathText;

/// The first line of intercept's block.
pub const BEGIN: &str = "# >>> intercept: `intercept uninstall` removes this block";
/// The first line when intercept also added the newline that ended the file's last line.
const BEGIN_NL: &str = "# >>> intercept (it ended the line above): `intercept uninstall` removes this block";
/// The last line.
pub const END: &str = "# <<< intercept";

/// The global config file git writes with `--global`: `$GIT_CONFIG_GLOBAL`, else
/// `~/.gitconfig`, or the XDG file when only that one exists.
pub fn global_file() -> Result<PathBuf, InstallError> {
    if let Some(path) = std::env::var_os("GIT_CONFIG_GLOBAL").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let home = std::env::var_os("HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .ok_or(InstallError::NoHome)?;
    let user = home.join(".gitconfig");
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map_or_else(|| home.join(".config"), PathBuf::from)
        .join("git/config");
    Ok(if !user.exists() && xdg.exists() { xdg } else { user })
}

/// A value for a config file: quoted, with `"` and `\` escaped, so `;` and `#` stay text.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Where intercept's block is in `text`: the byte range to remove (with the newline it
/// added, if it did), and the block's body (the lines between the markers).
fn find(text: &str) -> Option<(std::ops::Range<usize>, &str)> {
    let mut offset = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        match start {
            None if bare == BEGIN => start = Some((offset, offset + line.len())),
            None if bare == BEGIN_NL => {
                // Its newline ended the line before: take it back too.
                let from = if offset > 0 && text.as_bytes()[offset - 1] == b'\n' {
                    offset - 1
                } else {
                    offset
                };
                start = Some((from, offset + line.len()));
            }
            Some((from, body)) if bare == END => {
                return Some((from..offset + line.len(), &text[body..offset]));
            }
            _ => {}
        }
        offset += line.len();
    }
    None
}

/// The body of intercept's block in the file at `path`, if there is one, without the lines
/// that are not intercept's (see `split`).
pub fn block(path: &Path) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    find(&text).map(|(_, body)| split(body).0)
}

/// Splits a block's body into intercept's lines and the lines someone else put there, with
/// their section headers. `git config --global core.editor vim` appends to the last `[core]`
/// section of the file, which may be intercept's: such a line is the user's, and moves out
/// of the block (right after it, under its own header) when the block is written again or
/// removed, instead of being lost.
fn split(body: &str) -> (String, String) {
    let mut ours = String::new();
    let mut foreign = String::new();
    let mut header = "";
    let mut header_written = false;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            header = line;
            header_written = false;
            ours.push_str(line);
            continue;
        }
        let key = trimmed
            .split(['=', ' ', '\t'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let head = header.trim().to_ascii_lowercase();
        let mine = (head.starts_with("[hook \"intercept-") && (key == "command" || key == "event"))
            || (head == "[core]" && key == "hookspath")
            || head.starts_with("[include]") && key == "path"
            || trimmed.is_empty();
        if mine {
            ours.push_str(line);
        } else {
            if !header_written {
                foreign.push_str(if header.is_empty() { "" } else { header });
                header_written = true;
            }
            foreign.push_str(line);
        }
    }
    (ours, foreign)
}

/// Where a new block goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// First in the file: its config-based hooks run before any other the file defines.
    Top,
    /// Last: its values are read last and win.
    End,
}

/// Sets intercept's block in `path` to `body` (config lines, each ending in a newline): in
/// place when there is one, else at `place`. Lines someone else added inside the block are
/// kept, after it. Returns whether the file changed.
pub fn set_block(path: &Path, body: &str, place: Place) -> Result<bool, InstallError> {
    edit(path, |text| {
        let mut out = text.to_string();
        match find(text) {
            Some((_, old)) if old == body => return None,
            Some((range, old)) => {
                let (_, foreign) = split(old);
                let nl = text[range.clone()].starts_with('\n');
                let begin = if nl {
                    format!("\n{BEGIN_NL}")
                } else {
                    BEGIN.to_string()
                };
                out.replace_range(range, &format!("{begin}\n{body}{END}\n{foreign}"));
            }
            None if place == Place::Top => {
                out.insert_str(0, &format!("{BEGIN}\n{body}{END}\n"));
            }
            None => {
                if !text.is_empty() && !text.ends_with('\n') {
                    out.push('\n');
                    out.push_str(BEGIN_NL);
                } else {
                    out.push_str(BEGIN);
                }
                out.push('\n');
                out.push_str(body);
                out.push_str(END);
                out.push('\n');
            }
        }
        Some(out)
    })
}

/// Removes intercept's block from `path` (and the newline it added). Returns whether there
/// was one.
pub fn remove_block(path: &Path) -> Result<bool, InstallError> {
    if !path.exists() {
        return Ok(false);
    }
    edit(path, |text| {
        let (range, body) = find(text)?;
        let (_, foreign) = split(body);
        let mut out = text.to_string();
        out.replace_range(range, &foreign);
        Some(out)
    })
}

/// Rewrites the file at `path` (following a symlink) under git's lock when `change` returns
/// new text. A file that does not exist reads as empty and is created.
fn edit(path: &Path, change: impl FnOnce(&str) -> Option<String>) -> Result<bool, InstallError> {
    let target = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir).map_err(io_error("cannot create", dir))?;
    }
    let lock_path = {
        let mut p = target.clone().into_os_string();
        p.push(".lock");
        PathBuf::from(p)
    };
    let mut lock = take_lock(&lock_path)?;
    let result = (|| {
        let text = match fs::read(&target) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| InstallError::NotText {
                path: PathText::new(&target),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io_error("cannot read", &target)(e)),
        };
        let Some(new) = change(&text) else {
            return Ok(false);
        };
        lock.write_all(new.as_bytes())
            .and_then(|()| lock.sync_all())
            .map_err(io_error("cannot write", &lock_path))?;
        if let Ok(meta) = fs::metadata(&target) {
            fs::set_permissions(&lock_path, meta.permissions())
                .map_err(io_error("cannot set the mode of", &lock_path))?;
        }
        fs::rename(&lock_path, &target).map_err(io_error("cannot write", &target))?;
        Ok(true)
    })();
    if !matches!(result, Ok(true)) {
        let _ = fs::remove_file(&lock_path);
    }
    result
}

/// git's lock on a config file: `<file>.lock`, created exclusively. A git writing the same
/// file holds it for milliseconds, so wait a little before giving up.
fn take_lock(lock_path: &Path) -> Result<fs::File, InstallError> {
    let started = Instant::now();
    loop {
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(lock_path)
        {
            Ok(file) => return Ok(file),
            Err(e)
                if e.kind() == std::io::ErrorKind::AlreadyExists
                    && started.elapsed() < Duration::from_secs(5) =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(InstallError::ConfigLocked {
                    path: PathText::new(lock_path),
                })
            }
            Err(e) => return Err(io_error("cannot create", lock_path)(e)),
        }
    }
}

/// The last line of `path` that sets `section.key` by itself on a line (`[core]` …
/// `hooksPath = x`), case-insensitively as git matches names, outside intercept's block.
fn key_line(text: &str, section: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let block = find(text).map(|(r, _)| r);
    let mut offset = 0;
    let mut current = String::new();
    let mut found = None;
    for line in text.split_inclusive('\n') {
        let range = offset..offset + line.len();
        offset += line.len();
        if block.as_ref().is_some_and(|b| b.contains(&range.start)) {
            continue;
        }
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix('[') {
            let Some((name, after)) = rest.split_once(']') else {
                continue;
            };
            current = name.trim().to_ascii_lowercase();
            if !after.trim().is_empty() && !after.trim().starts_with(['#', ';']) {
                current.clear(); // a key on the header's line: not one this edits
            }
            continue;
        }
        let name = trimmed.split(['=', ' ', '\t']).next().unwrap_or_default();
        if current == section && name.eq_ignore_ascii_case(key) && !trimmed.ends_with('\\') {
            found = Some(range);
        }
    }
    found
}

/// Sets `section.key` to `value` by rewriting the line that sets it now, in place (one
/// value, where git has it: a tool that sets it again replaces it as usual). Returns the
/// line it replaced, or `None` when no line sets it (nothing is written then).
pub fn replace_key(
    path: &Path,
    section: &str,
    key: &str,
    value: &str,
) -> Result<Option<String>, InstallError> {
    let mut original = None;
    edit(path, |text| {
        let range = key_line(text, section, key)?;
        let line = &text[range.clone()];
        let ending = &line[line.trim_end_matches(['\n', '\r']).len()..];
        let new = format!("\t{key} = {}{ending}", quote(value));
        if line == new {
            original = Some(line.to_string());
            return None;
        }
        original = Some(line.to_string());
        let mut out = text.to_string();
        out.replace_range(range, &new);
        Some(out)
    })?;
    Ok(original)
}

/// Puts back a line [`replace_key`] replaced, if the line it wrote is still there. Returns
/// whether it did.
pub fn restore_key(
    path: &Path,
    section: &str,
    key: &str,
    value: &str,
    original: &str,
) -> Result<bool, InstallError> {
    edit(path, |text| {
        let range = key_line(text, section, key)?;
        let line = &text[range.clone()];
        // intercept's value, or one intercept wrote in the repository this one was copied
        // from (its own intercept hooks directory, by another path).
        let mine = line.trim_end() == format!("\t{key} = {}", quote(value)).trim_end()
            || (line.trim_start().starts_with(&format!("{key} = \""))
                && line.trim_end().ends_with("/intercept/hooks\""));
        if !mine {
            return None; // someone set it since: theirs stays
        }
        let mut out = text.to_string();
        out.replace_range(range, original);
        Some(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_then_remove_gives_back_every_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        let originals = [
            "",
            "[user]\n\tname = A\n",
            "[user]\n\tname = A",
            "# my settings\n[core]\n\t# keep this comment\n\teditor = vim\n\n",
            "[core]\r\n\teditor = vim\r\n",
        ];
        for original in originals {
            fs::write(&path, original).unwrap();
            assert!(set_block(&path, "[core]\n\thooksPath = /x\n", Place::End).unwrap());
            assert!(
                !set_block(&path, "[core]\n\thooksPath = /x\n", Place::End).unwrap(),
                "a second set changes nothing"
            );
            assert_eq!(block(&path).as_deref(), Some("[core]\n\thooksPath = /x\n"));
            assert!(set_block(&path, "[core]\n\thooksPath = /y\n", Place::End).unwrap());
            let text = fs::read_to_string(&path).unwrap();
            assert!(text.starts_with(original), "{text:?}");
            assert_eq!(text.matches(END).count(), 1);
            assert!(remove_block(&path).unwrap());
            assert_eq!(fs::read_to_string(&path).unwrap(), original);
            assert!(!remove_block(&path).unwrap());
        }
    }

    #[test]
    fn text_after_the_block_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        fs::write(&path, "[a]\n\tb = c\n").unwrap();
        set_block(&path, "[core]\n\thooksPath = /z\n", Place::End).unwrap();
        let mut text = fs::read_to_string(&path).unwrap();
        text.push_str("[later]\n\tkey = 1\n");
        fs::write(&path, &text).unwrap();
        remove_block(&path).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "[a]\n\tb = c\n[later]\n\tkey = 1\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_file_stays_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles-gitconfig");
        fs::write(&real, "[user]\n\tname = A\n").unwrap();
        let link = dir.path().join(".gitconfig");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        set_block(&link, "[core]\n\thooksPath = /z\n", Place::End).unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert!(fs::read_to_string(&real).unwrap().contains("/z"));
    }

    #[test]
    fn a_key_is_replaced_in_place_and_put_back_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        let original =
            "[core]\n\tbare = false\n  hooksPath=.githooks   # the team's\n[Core \"x\"]\n\thooksPath = no\n";
        fs::write(&path, original).unwrap();
        let old = replace_key(&path, "core", "hooksPath", "/r/.git/intercept/hooks").unwrap();
        assert_eq!(old.as_deref(), Some("  hooksPath=.githooks   # the team's\n"));
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\thooksPath = \"/r/.git/intercept/hooks\"\n"),
            "{text}"
        );
        assert!(
            text.contains("\thooksPath = no"),
            "another section is left alone: {text}"
        );
        assert!(restore_key(
            &path,
            "core",
            "hooksPath",
            "/r/.git/intercept/hooks",
            old.as_deref().unwrap()
        )
        .unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), original);
        fs::write(&path, "[user]\n\tname = a\n").unwrap();
        assert_eq!(replace_key(&path, "core", "hooksPath", "/x").unwrap(), None);
        assert_eq!(fs::read_to_string(&path).unwrap(), "[user]\n\tname = a\n");
    }

    #[test]
    fn a_users_line_git_put_into_the_block_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        fs::write(&path, "[user]\n\tname = a\n").unwrap();
        set_block(&path, "[core]\n\thooksPath = /x\n", Place::End).unwrap();
        // What `git config --global core.editor vim` does: append to the last [core].
        let text = fs::read_to_string(&path)
            .unwrap()
            .replace("/x\n", "/x\n\teditor = vim\n");
        fs::write(&path, &text).unwrap();
        assert_eq!(
            block(&path).as_deref(),
            Some("[core]\n\thooksPath = /x\n"),
            "not intercept's"
        );
        set_block(&path, "[core]\n\thooksPath = /y\n", Place::End).unwrap();
        assert!(fs::read_to_string(&path)
            .unwrap()
            .contains(&format!("{END}\n[core]\n\teditor = vim\n")));
        remove_block(&path).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "[user]\n\tname = a\n[core]\n\teditor = vim\n"
        );
        fs::write(&path, "[user]\n\tname = a\n").unwrap();
        set_block(
            &path,
            "[hook \"intercept-pre-push\"]\n\tcommand = x\n\tevent = pre-push\n",
            Place::Top,
        )
        .unwrap();
        assert!(fs::read_to_string(&path).unwrap().starts_with(BEGIN));
        remove_block(&path).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "[user]\n\tname = a\n");
    }

    #[test]
    fn values_are_quoted_for_git() {
        assert_eq!(quote("a \"b\" \\ ; # c"), "\"a \\\"b\\\" \\\\ ; # c\"");
    }
}

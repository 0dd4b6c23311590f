//! Every hook run checks that intercept's install is still whole, so that damage never
//! turns protection off without a word: a shim that another tool wrote over
//! (`git lfs install --force` does), one that lost its executable bit or is gone, the global
//! shims directory gone while the config-based hooks still run, the block in the global
//! config or husky's `init.sh` removed or changed. Damage found here blocks the git command
//! (exit 2), says what is broken, what that leaves unchecked and the fix, and names the
//! bypass. It reads a handful of small files and starts no process: it is on every hook's
//! path. A repository's own hooks directory ([`super::mirror`]) is brought up to date here.

use std::fs;
use std::path::Path;

use super::global::{config_hooks_body, global_chain, global_hooks, global_spec, hooks_path_body};
use super::record::Record;
use super::shim::{self, Chain, Spec, Via};
use super::{gitconfig, global_shims_dir, husky, mirror, neighbour};
use crate::path::PathText;

/// What is broken, each a sentence for people.
#[derive(Debug, Default)]
pub struct Damage {
    pub found: Vec<String>,
}

impl Damage {
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }
}

/// Checks the per-user install as recorded, and the mechanism that is running (`via`, the
/// shim file at `shim_path` if it is one).
pub fn verify(via: Option<Via>, shim_path: Option<&Path>) -> Damage {
    let mut damage = Damage::default();
    let record = match Record::read() {
        Ok(r) => r,
        Err(e) => {
            damage.found.push(format!("{e}"));
            return damage;
        }
    };
    if let Some(bin) = &record.bin {
        global(&record, bin, &mut damage);
    }
    if via == Some(Via::Repo) {
        // A repository's own intercept hooks directory (`<git dir>/intercept/hooks`); a
        // server's pre-receive shim sits in its hooks directory and has nothing to mirror.
        let dir = shim_path
            .and_then(Path::parent)
            .filter(|d| mirror::looks_like_one(d));
        if let Some(dir) = dir {
            repo_dir(dir, &mut damage);
        }
    }
    damage
}

fn global(record: &Record, bin: &Path, damage: &mut Damage) {
    let Some(file) = &record.config_file else { return };
    let mut body = String::new();
    if record.global.config_hooks() {
        body.push_str(&config_hooks_body(bin));
    }
    let dir = global_shims_dir().unwrap_or_default();
    if record.global.shims() && record.hooks_path_line.is_none() {
        body.push_str(&hooks_path_body(&dir));
    }
    if !body.is_empty() && gitconfig::block(file).as_deref() != Some(body.as_str()) {
        damage.found.push(format!(
            "intercept's block in your global git config ({}) was removed or changed, so repositories may not run \
             intercept's hooks. Run `intercept install --global` to write it again",
            PathText::new(file)
        ));
    }
    if record.global.shims() {
        shims_dir(record, bin, &dir, damage);
    }
    if record.husky_init && !husky::init_ok(bin) {
        let init = husky::init_file().unwrap_or_default();
        damage.found.push(format!(
            "intercept's block in husky's {} was removed or changed, so husky 9 repositories whose hooks git runs \
             from .husky/_ may not be checked. Run `intercept install --global` to write it again",
            PathText::new(&init)
        ));
    }
}

fn shims_dir(record: &Record, bin: &Path, dir: &Path, damage: &mut Damage) {
    if !dir.is_dir() {
        damage.found.push(format!(
            "intercept's global shims directory {} is gone: git runs no intercept hook in repositories that rely on \
             it. Run `intercept install --global` to put it back",
            PathText::new(dir)
        ));
        return;
    }
    let chain = global_chain(record);
    for hook in global_hooks().filter(|h| h.check.is_some()) {
        let path = dir.join(hook.name);
        let expected = global_spec(bin, hook, &chain);
        if !expected.check {
            continue;
        }
        if let Some(why) = shim_damage(&path, &expected) {
            damage.found.push(format!(
                "intercept's global {} shim ({}) {why}, so no repository that uses the global shims is checked on \
                 {}. Run `intercept doctor --fix` (or `intercept install --global`) to put it back",
                hook.name,
                PathText::new(&path),
                hook.name
            ));
        }
    }
}

/// Why the file at `path` is not the shim `expected`, if it is not.
pub fn shim_damage(path: &Path, expected: &Spec) -> Option<String> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(_) => return Some("is gone".to_string()),
    };
    if Spec::parse_file(&bytes).as_ref() != Some(expected) {
        return Some(if shim::is_shim(path) {
            "is not the shim this install wrote (another version of intercept, or damaged)".to_string()
        } else {
            match neighbour::identify(&bytes) {
                Some(tool) => format!("was replaced by {tool}'s hook"),
                None => "was replaced by another program".to_string(),
            }
        });
    }
    if !shim::is_executable(path) {
        return Some("lost its executable bit (git skips it)".to_string());
    }
    None
}

/// A repository's own intercept hooks directory: its shims whole, its mirror up to date.
fn repo_dir(dir: &Path, damage: &mut Damage) {
    let Some(chain) = shim::read(&dir.join("pre-commit"))
        .or_else(|| shim::read(&dir.join("pre-push")))
        .or_else(|| shim::read(&dir.join("pre-receive")))
        .and_then(|s| match s.chain {
            Chain::Dir(d) => Some(d),
            _ => None,
        })
    else {
        damage.found.push(format!(
            "this repository's intercept hooks directory ({}) lost its shims. Run `intercept install` here",
            PathText::new(dir)
        ));
        return;
    };
    for why in mirror::damage(dir, &chain) {
        damage.found.push(format!(
            "in this repository's intercept hooks directory ({}), {why}. Run `intercept install` here",
            PathText::new(dir)
        ));
    }
    if let Err(e) = mirror::sync(dir, &chain) {
        tracing::debug!("cannot bring {} up to date: {e}", dir.display());
    }
}

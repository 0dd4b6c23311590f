//! What intercept installed, so that it can check its own install on every hook run and
//! uninstall can undo exactly that: `install.toml` for the per-user install, and the list
//! of repositories where it changed something of their own (`repositories`).

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{config_dir, io_error, InstallError};
use crate::path::{os_bytes, os_str, PathText};

/// How the per-user install reaches every repository.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Global {
    /// Nothing is installed for every repository.
    #[default]
    None,
    /// Config-based hooks in the global config (git ≥ 2.54).
    Config,
    /// The global shims directory, as the global `core.hooksPath` (git < 2.54).
    Shims,
    /// Both: an older git on the same machine runs the shims.
    Both,
}

impl Global {
    pub fn config_hooks(self) -> bool {
        matches!(self, Global::Config | Global::Both)
    }
    pub fn shims(self) -> bool {
        matches!(self, Global::Shims | Global::Both)
    }
}

/// `install.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Record {
    #[serde(default)]
    pub global: Global,
    /// The binary the hooks call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin: Option<PathBuf>,
    /// The git version the install was made for.
    #[serde(default)]
    pub git: String,
    /// The global config file that holds intercept's block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_file: Option<PathBuf>,
    /// The global config file did not exist before intercept wrote its block.
    #[serde(default)]
    pub created_config_file: bool,
    /// The global `core.hooksPath` the user had set: the global shims run its hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_hooks_path: Option<String>,
    /// The user's own global `core.hooksPath` line, which intercept's replaced (put back
    /// on uninstall).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks_path_line: Option<String>,
    /// intercept's block is in husky's `init.sh`.
    #[serde(default)]
    pub husky_init: bool,
    /// An install by an intercept before this layout (hooks written with `git config`,
    /// shim files for the config-based hooks): what it set, for the migration.
    #[serde(default, rename = "config_hooks", skip_serializing)]
    pub legacy_config_hooks: bool,
    #[serde(default, rename = "shims", skip_serializing)]
    pub legacy_shims: bool,
    /// An install of that earlier layout was migrated: it may have written into repositories
    /// that nothing records (husky's `.husky/<hook>` files).
    #[serde(default)]
    pub legacy_seen: bool,
}

impl Record {
    pub fn path() -> Result<PathBuf, InstallError> {
        Ok(config_dir()?.join("install.toml"))
    }

    /// The record; an empty one when nothing is installed.
    pub fn read() -> Result<Record, InstallError> {
        let path = Self::path()?;
        match fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|source| InstallError::Record {
                path: PathText::new(&path),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // The first layout kept only this.
                let legacy = config_dir()?.join("previous-hooks-path");
                Ok(match fs::read_to_string(legacy) {
                    Ok(text) => {
                        let mut lines = text.lines();
                        Record {
                            legacy_shims: true,
                            previous_hooks_path: match (lines.next(), lines.next()) {
                                (Some("set"), Some(value)) => Some(value.to_string()),
                                _ => None,
                            },
                            ..Record::default()
                        }
                    }
                    Err(_) => Record::default(),
                })
            }
            Err(e) => Err(io_error("cannot read", &path)(e)),
        }
    }

    /// Whether anything is recorded as installed.
    pub fn installed(&self) -> bool {
        self.global != Global::None || self.husky_init || self.legacy_config_hooks || self.legacy_shims
    }

    pub fn write(&self) -> Result<(), InstallError> {
        let path = Self::path()?;
        let _ = fs::remove_file(config_dir()?.join("previous-hooks-path"));
        if !self.installed() {
            return match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(io_error("cannot remove", &path)(e))
                }
                _ => Ok(()),
            };
        }
        let text = format!(
            "# What `intercept install --global` did: every hook run checks that it is still in place, and\n\
             # `intercept uninstall --global` undoes exactly this. Written by intercept; do not edit.\n{}",
            toml::to_string(self).unwrap_or_default()
        );
        write_atomic(&path, text.as_bytes())
    }
}

/// Writes a small file atomically (temp file + rename), creating its directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), InstallError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io_error("cannot create", dir))?;
    }
    let tmp = path.with_extension(format!("intercept-tmp-{}", std::process::id()));
    fs::write(&tmp, bytes).map_err(io_error("cannot write", &tmp))?;
    fs::rename(&tmp, path).map_err(io_error("cannot write", path))
}

/// The repositories where intercept changed something of their own (a per-repository
/// hooks directory, its config, a gate): `intercept uninstall --global` visits each.
pub struct Registry;

impl Registry {
    pub fn path() -> Result<PathBuf, InstallError> {
        Ok(config_dir()?.join("repositories"))
    }

    /// The common git directories recorded, one per line.
    pub fn list() -> Result<Vec<PathBuf>, InstallError> {
        let path = Self::path()?;
        match fs::read(&path) {
            Ok(bytes) => Ok(bytes
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| PathBuf::from(os_str(l)))
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io_error("cannot read", &path)(e)),
        }
    }

    fn save(list: &[PathBuf]) -> Result<(), InstallError> {
        let path = Self::path()?;
        if list.is_empty() {
            return match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(io_error("cannot remove", &path)(e))
                }
                _ => Ok(()),
            };
        }
        let mut bytes = Vec::new();
        for p in list {
            bytes.extend_from_slice(os_bytes(p.as_os_str()));
            bytes.push(b'\n');
        }
        write_atomic(&path, &bytes)
    }

    /// Records a repository (by its common git directory).
    pub fn add(common_dir: &Path) -> Result<(), InstallError> {
        let common = fs::canonicalize(common_dir).unwrap_or_else(|_| common_dir.to_path_buf());
        let mut list = Self::list()?;
        if !list.contains(&common) {
            list.push(common);
            Self::save(&list)?;
        }
        Ok(())
    }

    /// Forgets a repository.
    pub fn remove(common_dir: &Path) -> Result<(), InstallError> {
        let common = fs::canonicalize(common_dir).unwrap_or_else(|_| common_dir.to_path_buf());
        let mut list = Self::list()?;
        let before = list.len();
        list.retain(|p| *p != common && p != common_dir);
        if list.len() != before {
            Self::save(&list)?;
        }
        Ok(())
    }
}

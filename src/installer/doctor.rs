//! `intercept doctor [DIR...] [--fix]`: every repository under the given directories, with
//! what checks its commits and pushes and, where something does not, why and the fix.
//! `--fix` applies the fixes that touch no tracked file: the global install once, then a
//! per-repository install where one is needed; then it looks again.

use std::path::{Path, PathBuf};

use super::git::{self, Version};
use super::model::{self, Fix, Model};
use super::record::{Global, Record};
use super::{install_global, repo, GlobalOptions, InstallError};

/// One repository's result.
pub struct Found {
    pub path: PathBuf,
    pub model: Result<Model, InstallError>,
    /// What `--fix` did there.
    pub fixed: Vec<String>,
}

/// What doctor saw.
pub struct Report {
    pub git: Version,
    pub repos: Vec<Found>,
    /// What `--fix` did for every repository.
    pub fixed_global: Vec<String>,
}

impl Report {
    /// Every repository checked and nothing to fix.
    pub fn ok(&self) -> bool {
        self.repos
            .iter()
            .all(|f| f.model.as_ref().is_ok_and(|m| m.ok() || !m.counts()))
    }
}

/// Looks at (and with `fix`, repairs) every repository under `dirs`.
pub fn run(dirs: &[PathBuf], fix: bool, bin: &Path) -> Result<Report, InstallError> {
    let version = git::version(None)?;
    let mut paths = Vec::new();
    for dir in dirs {
        model::find_repositories(dir, &mut paths);
    }
    let mut record = Record::read()?;
    let mut report = Report {
        git: version,
        repos: Vec::new(),
        fixed_global: Vec::new(),
    };
    let needs = |m: &Result<Model, InstallError>, fix: &Fix| {
        m.as_ref()
            .is_ok_and(|m| m.all_problems().iter().any(|(_, f)| f == fix))
    };
    if fix {
        let damaged = record.installed() && !super::integrity::verify(None, None).is_empty();
        let any_global = paths
            .iter()
            .any(|p| needs(&model::of(Some(p), version, &record), &Fix::Global));
        if damaged || any_global {
            let with_shims = record.global == Global::Both;
            report.fixed_global = install_global(bin, GlobalOptions { with_shims })?.lines;
            record = Record::read()?;
        }
    }
    for path in paths {
        let mut model = model::of(Some(&path), version, &record);
        let mut fixed = Vec::new();
        if fix && needs(&model, &Fix::Repo) {
            if let Ok(m) = &model {
                match repo::install_repo_with(bin, &m.repo, repo::Legacy::KeepTracked) {
                    Ok(done) => fixed = done.lines,
                    Err(e) => fixed.push(format!("could not fix: {e}")),
                }
            }
            model = model::of(Some(&path), version, &record);
        }
        report.repos.push(Found { path, model, fixed });
    }
    Ok(report)
}

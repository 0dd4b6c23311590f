//! Flags (and, as they come, files and `INTERCEPT_*` variables) → one resolved `Config`.
//!
//! Every subcommand reads its settings from here, so defaults live in one place.

use std::path::PathBuf;

use crate::cli::{FormatArg, ScanArgs};
use crate::report::Format;
use crate::source::files;

/// Settings of `intercept scan`.
#[derive(Clone, Debug)]
pub struct ScanConfig {
    pub paths: Vec<PathBuf>,
    pub staged: bool,
    pub range: Option<String>,
    pub format: Format,
    pub files: files::Options,
}

impl From<&ScanArgs> for ScanConfig {
    fn from(args: &ScanArgs) -> Self {
        Self {
            paths: args.paths.clone(),
            staged: args.staged,
            range: args.range.clone(),
            format: match args.format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
                FormatArg::Sarif => Format::Sarif,
            },
            files: files::Options {
                max_decompressed: args.max_decompressed,
            },
        }
    }
}

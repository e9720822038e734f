//! The error every subcommand returns, and how it maps to an exit code.

use crate::config::ConfigError;
use crate::render::RenderError;

/// Exit codes: 0 success, 1 any error (usage errors too), 2 changes pending (with `--exit-code`),
/// 3 blocked by a failed check.
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const CHANGES: u8 = 2;
    pub const BLOCKED: u8 = 3;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{file}: {source}")]
    Render { file: String, source: RenderError },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        exit::ERROR
    }
}

//! Files generated from code and committed: `schemas/opctl.schema.json` and `completions/*`.
//! A test regenerates them and fails with a diff when the committed copies are stale.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::config::ChainFile;

/// JSON Schema of the chain TOML.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(ChainFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Completion script for one shell.
pub fn completions(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "opctl", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Committed file name of each shell's completions under `completions/`.
pub const COMPLETION_FILES: &[(Shell, &str)] = &[
    (Shell::Bash, "opctl.bash"),
    (Shell::Zsh, "_opctl"),
    (Shell::Fish, "opctl.fish"),
    (Shell::PowerShell, "_opctl.ps1"),
];

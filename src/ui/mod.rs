//! The only module that prints. Data goes to stdout, everything else to stderr, so
//! `opctl render > out.yaml` and `opctl ... -o json | jq` always work.

use std::io::{IsTerminal, Write};

use crate::cli::{ColorChoice, Global};

/// Where and how output goes; a value passed to commands, never a global.
#[derive(Debug, Clone)]
pub struct Printer {
    /// Colour on stderr (messages).
    pub color: bool,
    /// Colour on stdout (data: plans, diffs, tables); off when stdout is redirected.
    pub data_color: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub stderr_is_terminal: bool,
}

impl Printer {
    pub fn from_global(g: &Global) -> Self {
        let stderr_is_terminal = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let (color, data_color) = match g.color {
            ColorChoice::Always => (true, true),
            ColorChoice::Never => (false, false),
            ColorChoice::Auto => (
                stderr_is_terminal && !no_color,
                stdout_is_terminal && !no_color,
            ),
        };
        Printer {
            color,
            data_color,
            quiet: g.quiet,
            verbose: g.verbose,
            stderr_is_terminal,
        }
    }

    /// Data on stdout (never suppressed by `--quiet`).
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    /// A status line on stderr.
    pub fn info(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    pub fn warn(&self, text: &str) {
        if !self.quiet {
            eprintln!("{} {text}", self.paint("warning:", "33"));
        }
    }

    pub fn error(&self, text: &str) {
        eprintln!("{} {text}", self.paint("error:", "31;1"));
    }

    pub fn success(&self, text: &str) {
        if !self.quiet {
            eprintln!("{} {text}", self.paint("ok:", "32"));
        }
    }

    /// Data text in an ANSI colour when stdout gets colour.
    pub fn paint_data(&self, text: &str, ansi: &str) -> String {
        if self.data_color {
            format!("\x1b[{ansi}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn paint(&self, text: &str, ansi: &str) -> String {
        if self.color {
            format!("\x1b[{ansi}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

pub mod checks;
pub mod plan;
pub mod progress;

/// Ask for confirmation on a terminal; on a non-terminal without `--yes` it is an error.
pub fn confirm(prompt: &str, yes: bool) -> Result<bool, String> {
    if yes {
        return Ok(true);
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err("not a terminal, so opctl cannot ask for confirmation\n  hint: review the plan and pass --yes".into());
    }
    dialoguer::Confirm::new()
        .with_prompt(prompt)
        .default(false)
        .interact()
        .map_err(|e| format!("cannot read the answer: {e}"))
}

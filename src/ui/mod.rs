//! The only module that prints. Data goes to stdout, everything else to stderr, so
//! `opctl render > out.yaml` and `opctl ... -o json | jq` always work.
//!
//! Colour: [`style`]s are `anstyle` values; `anstream` decides whether a stream gets them
//! (`--color`, `NO_COLOR`, `CLICOLOR`, a terminal or not) and strips them from messages when it
//! does not. Data is painted only when stdout gets colour, so tables keep their widths and data
//! bytes stay as they are.

use std::io::{IsTerminal, Write};

use anstream::stream::RawStream;
use anstream::AutoStream;
use anstyle::Style;

use crate::cli::{ColorChoice, Global};

/// The styles opctl paints with.
pub mod style {
    use anstyle::{AnsiColor, Style};

    pub const WARNING: Style = AnsiColor::Yellow.on_default();
    pub const ERROR: Style = AnsiColor::Red.on_default().bold();
    pub const OK: Style = AnsiColor::Green.on_default();
    /// A check that passed.
    pub const PASS: Style = AnsiColor::Green.on_default();
    /// A check that failed.
    pub const FAIL: Style = AnsiColor::Red.on_default().bold();
    /// A diff's `---`/`+++` file lines.
    pub const DIFF_FILE: Style = Style::new().bold();
    pub const DIFF_ADDED: Style = AnsiColor::Green.on_default();
    pub const DIFF_REMOVED: Style = AnsiColor::Red.on_default();
    pub const DIFF_HUNK: Style = AnsiColor::Cyan.on_default();
}

/// `text` in `style`.
pub fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Whether `stream` gets colour under `--color`: `auto` asks anstream (a terminal, and neither
/// `NO_COLOR` nor `CLICOLOR=0`).
fn wants_color(choice: ColorChoice, stream: impl RawStream) -> bool {
    let choice = match choice {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto => anstream::ColorChoice::Auto,
    };
    AutoStream::new(stream, choice).current_choice() != anstream::ColorChoice::Never
}

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
        Printer {
            color: wants_color(g.color, std::io::stderr()),
            data_color: wants_color(g.color, std::io::stdout()),
            quiet: g.quiet,
            verbose: g.verbose,
            stderr_is_terminal: std::io::stderr().is_terminal(),
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

    /// One line on stderr, through anstream: styles stay only when stderr gets colour.
    fn message(&self, line: &str) {
        let choice = if self.color {
            anstream::ColorChoice::AlwaysAnsi
        } else {
            anstream::ColorChoice::Never
        };
        let mut err = AutoStream::new(std::io::stderr().lock(), choice);
        let _ = writeln!(err, "{line}");
    }

    /// A status line on stderr.
    pub fn info(&self, text: &str) {
        if !self.quiet {
            self.message(text);
        }
    }

    pub fn warn(&self, text: &str) {
        if !self.quiet {
            self.message(&format!("{} {text}", paint(style::WARNING, "warning:")));
        }
    }

    pub fn error(&self, text: &str) {
        self.message(&format!("{} {text}", paint(style::ERROR, "error:")));
    }

    pub fn success(&self, text: &str) {
        if !self.quiet {
            self.message(&format!("{} {text}", paint(style::OK, "ok:")));
        }
    }

    /// Data text in `style` when stdout gets colour.
    pub fn paint_data(&self, style: Style, text: &str) -> String {
        if self.data_color {
            paint(style, text)
        } else {
            text.to_string()
        }
    }
}

pub mod checks;
pub mod plan;
pub mod progress;
pub mod status;

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

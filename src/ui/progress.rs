//! Waiting for rollouts: an indicatif bar on a terminal, plain lines otherwise.

use indicatif::{ProgressBar, ProgressStyle};

use super::Printer;

pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
}

impl Progress {
    pub fn new(printer: &Printer, total: usize) -> Self {
        let bar = (printer.stderr_is_terminal && !printer.quiet).then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} waiting for rollouts [{pos}/{len}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            quiet: printer.quiet,
        }
    }

    pub fn waiting(&self, object: &str, why: &str) {
        match &self.bar {
            Some(bar) => bar.set_message(format!("{object}: {why}")),
            None if !self.quiet => eprintln!("waiting: {object}: {why}"),
            None => {}
        }
    }

    pub fn done(&self, object: &str) {
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.println(format!("ready: {object}"));
            }
            None if !self.quiet => eprintln!("ready: {object}"),
            None => {}
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

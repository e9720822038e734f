//! opctl entry point: parse, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use opctl::{cli::Cli, error::exit, ui::Printer};

#[tokio::main]
async fn main() -> ExitCode {
    opctl::install_crypto_provider();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are successes; usage errors exit 1 (2 means "changes pending").
            return ExitCode::from(if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            });
        }
    };
    let printer = Printer::from_global(&cli.global);
    // `watch` sets up its own logs (info by default, text or JSON).
    if !matches!(cli.command, opctl::cli::Command::Watch(_)) {
        init_logs(cli.global.verbose, cli.global.quiet);
    }
    match opctl::cmd::run(cli, &printer).await {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            printer.error(&e.to_string());
            ExitCode::from(e.exit_code())
        }
    }
}

/// Logs go to stderr: warnings by default, `-v` info, `-vv` debug, `-vvv` trace (opctl only;
/// HTTP client internals stay at warn so request bodies never reach a log). `RUST_LOG` overrides.
fn init_logs(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "info",
        (_, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("warn,opctl={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

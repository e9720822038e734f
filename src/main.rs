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
    match opctl::cmd::run(cli, &printer).await {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            printer.error(&e.to_string());
            ExitCode::from(e.exit_code())
        }
    }
}

//! One module per subcommand; `run` dispatches.

mod apply;
mod common;
mod destroy;
mod discover;
mod networks;
mod plan;
mod preflight;
mod render;
mod status;
mod upgrade;
mod validate;
mod watch;

use crate::cli::{Cli, Command};
use crate::error::{exit, Error};
use crate::generated;
use crate::ui::Printer;

/// Run a parsed command line; returns the exit code on success.
pub async fn run(cli: Cli, printer: &Printer) -> Result<u8, Error> {
    match &cli.command {
        Command::Render(args) => render::run(args, &cli.global, printer),
        Command::Validate(args) => validate::run(args, printer),
        Command::Preflight(args) => preflight::run(args, &cli.global, printer).await,
        Command::Discover(args) => discover::run(args, &cli.global, printer).await,
        Command::Plan(args) => plan::run(args, &cli.global, printer).await,
        Command::Apply(args) => apply::run(args, &cli.global, printer).await,
        Command::Destroy(args) => destroy::run(args, &cli.global, printer).await,
        Command::Status(args) => status::run(args, &cli.global, printer).await,
        Command::Upgrade(args) => upgrade::run(args, &cli.global, printer).await,
        Command::Watch(args) => watch::run(args, &cli.global, printer).await,
        Command::Networks => networks::run(&cli.global, printer),
        Command::Schema => {
            printer.data(&generated::schema_json());
            Ok(exit::OK)
        }
        Command::Completions(args) => {
            printer.data(&generated::completions(args.shell));
            Ok(exit::OK)
        }
    }
}

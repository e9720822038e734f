//! `opctl validate CHAIN.toml...`: every problem of every file, then exit 1 if there was any.

use crate::cli::ValidateArgs;
use crate::config;
use crate::error::{exit, Error};
use crate::render::{self, Input};
use crate::ui::Printer;

pub fn run(args: &ValidateArgs, printer: &Printer) -> Result<u8, Error> {
    let mut failed = 0usize;
    for path in &args.chains {
        let result = config::load(path).map_err(Error::from).and_then(|chain| {
            if let (Some(rollup), Some(genesis)) = (&chain.rollup_json, &chain.genesis_json) {
                if let config::genesis::GenesisCheck::CannotVerify(why) =
                    config::genesis::check(rollup, genesis)
                {
                    printer.warn(&format!(
                        "{}: cannot verify rollup.json's genesis.l2.hash against genesis.json: {why}",
                        path.display()
                    ));
                }
            }
            let resolved = super::common::resolve(&chain, printer)?;
            let mut input = Input::from_chain(&chain);
            input.contracts = resolved.contracts;
            render::render(&input)
                .map(|objects| objects.len())
                .map_err(|source| Error::Render {
                    file: path.display().to_string(),
                    source,
                })
        });
        match result {
            Ok(n) => printer.success(&format!("{}: valid ({n} objects)", path.display())),
            Err(e) => {
                failed += 1;
                printer.error(&e.to_string());
            }
        }
    }
    if failed > 0 {
        return Err(Error::InvalidChainFiles {
            failed,
            total: args.chains.len(),
        });
    }
    Ok(exit::OK)
}

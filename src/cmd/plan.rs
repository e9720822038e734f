//! `opctl plan CHAIN.toml...`: what would change, and why; nothing is written.

use crate::cli::{Global, PlanArgs};
use crate::error::{exit, Error};
use crate::plan::PlanFile;
use crate::reconcile::{self, ChainInput, Inputs, PlanOptions, Policy};
use crate::ui::Printer;

use super::common::{self, Terminal};

pub async fn run(args: &PlanArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    let chains = args
        .chains
        .iter()
        .map(|p| common::load_chain(p, global).map(ChainInput::new))
        .collect::<Result<Vec<_>, _>>()?;
    let cluster = common::connect(global).await?;
    let policy = Policy::plan(
        PlanOptions {
            prune: args.prune.prune,
            delete_secrets: args.prune.prune_secrets,
        },
        args.checks.skip.clone(),
    );
    let view = Terminal::new(printer, global, false);
    let outcome = reconcile::run(&cluster, &Inputs::Chains(chains), &policy, &view).await?;
    if let Some(out) = &args.out {
        let file = PlanFile::new(outcome.chains.iter().map(|c| c.plan.clone()).collect());
        write_atomic(out, &file.to_json())?;
        printer.info(&format!(
            "saved plan to {}; apply it with `opctl apply {}`",
            out.display(),
            out.display()
        ));
    }
    Ok(
        match (
            args.exit_code,
            !outcome.blocked.is_empty(),
            outcome.pending(),
        ) {
            (true, true, _) => exit::BLOCKED,
            (true, false, true) => exit::CHANGES,
            _ => exit::OK,
        },
    )
}

pub fn write_atomic(path: &std::path::Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|source| Error::Write {
        path: path.display().to_string(),
        source,
    })?;
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        Error::Write {
            path: path.display().to_string(),
            source,
        }
    })
}

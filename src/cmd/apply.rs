//! `opctl apply CHAIN.toml... | PLAN.json`: the reconcile pass with the apply policy (confirm
//! unless `--yes`, write in order, converge, wait).

use std::path::{Path, PathBuf};

use crate::cli::{ApplyArgs, Global};
use crate::error::{exit, Error};
use crate::plan::{PlanFile, PlanFileError};
use crate::reconcile::{self, ApplyOptions, ChainInput, Ended, Inputs, PlanOptions, Policy};
use crate::ui::Printer;

use super::common::{self, Terminal};

fn is_plan_file(inputs: &[PathBuf]) -> bool {
    inputs.len() == 1 && inputs[0].extension().is_some_and(|e| e == "json")
}

/// A saved plan and the chain files it names, loaded for the namespace it was made for.
fn saved_plan(path: &Path, global: &Global) -> Result<Inputs, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| PlanFileError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let file = PlanFile::from_json(&text, &path.display().to_string())?;
    let chains = file
        .chains
        .iter()
        .map(|p| {
            let mut chain = common::load_chain(&p.file, global)?;
            // The plan was made for this namespace (possibly with -n): check against the same one.
            chain.file.chain.namespace = Some(p.namespace.clone());
            Ok(chain)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Inputs::Saved { file, chains })
}

pub async fn run(args: &ApplyArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    let inputs = if is_plan_file(&args.inputs) {
        saved_plan(&args.inputs[0], global)?
    } else {
        Inputs::Chains(
            args.inputs
                .iter()
                .map(|p| common::load_chain(p, global).map(ChainInput::new))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let cluster = common::connect(global).await?;
    let mut policy = Policy::apply(
        PlanOptions {
            prune: args.prune.prune,
            delete_secrets: args.prune.prune_secrets,
        },
        args.checks.skip.clone(),
        args.yes,
        ApplyOptions {
            force_conflicts: args.force_conflicts,
            allow_recreate: args.allow_recreate,
        },
        (!args.no_wait).then_some(args.timeout),
    );
    policy.parallel = args.parallel;
    let view = Terminal::new(printer, global, args.yes);
    let outcome = reconcile::run(&cluster, &inputs, &policy, &view).await;
    view.finish();
    let outcome = outcome?;
    match outcome.ended {
        Ended::NothingToDo => printer.success("nothing to change"),
        Ended::Cancelled => printer.info("cancelled; nothing was written"),
        Ended::Applied if outcome.waited > 0 => printer.success("all workloads are ready"),
        Ended::Applied | Ended::Planned => {}
    }
    Ok(exit::OK)
}

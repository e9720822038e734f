//! `opctl plan CHAIN.toml...`: what would change, and why; nothing is written.

use futures::future::try_join_all;

use crate::cli::{Global, OutputFormat, PlanArgs};
use crate::error::{exit, Error};
use crate::reconcile::{self, ChainPlan, PlanFile, PlanOptions};
use crate::ui::{self, Printer};

use super::common;

/// Plan every chain file concurrently against one cluster.
pub async fn plan_all(
    paths: &[std::path::PathBuf],
    global: &Global,
    opts: PlanOptions,
) -> Result<(crate::cluster::Cluster, Vec<ChainPlan>), Error> {
    let chains = paths
        .iter()
        .map(|p| common::load_chain(p, global))
        .collect::<Result<Vec<_>, _>>()?;
    let cluster = common::connect(global).await?;
    let plans = try_join_all(
        chains
            .iter()
            .map(|c| reconcile::plan_chain(&cluster, c, common::contracts(c), opts)),
    )
    .await?;
    Ok((cluster, plans))
}

pub fn show(plans: &[ChainPlan], global: &Global, printer: &Printer) {
    match global.output {
        Some(OutputFormat::Json) => printer
            .data(&serde_json::to_string_pretty(&reconcile::plan_json(plans)).unwrap_or_default()),
        _ => {
            for p in plans {
                printer.data(&ui::plan::render(p, printer));
            }
        }
    }
}

pub async fn run(args: &PlanArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    let opts = PlanOptions {
        prune: args.prune.prune,
        delete_secrets: args.prune.prune_secrets,
    };
    let (_, plans) = plan_all(&args.chains, global, opts).await?;
    show(&plans, global, printer);
    if let Some(out) = &args.out {
        let file = PlanFile::new(plans.clone());
        write_atomic(out, &file.to_json())?;
        printer.info(&format!(
            "saved plan to {}; apply it with `opctl apply {}`",
            out.display(),
            out.display()
        ));
    }
    let pending = plans.iter().any(|p| p.summary.pending());
    Ok(if args.exit_code && pending {
        exit::CHANGES
    } else {
        exit::OK
    })
}

pub fn write_atomic(path: &std::path::Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension("tmp");
    let werr = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    std::fs::write(&tmp, text).map_err(werr)?;
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        Error::Write {
            path: path.display().to_string(),
            source,
        }
    })
}

//! `opctl plan CHAIN.toml...`: what would change, and why; nothing is written.

use futures::future::try_join_all;

use crate::cli::{Global, OutputFormat, PlanArgs};
use crate::error::{exit, Error};
use crate::reconcile::{self, ChainPlan, PlanFile, PlanOptions};
use crate::resolve::KeySource;
use crate::rpc::CheckResult;
use crate::ui::{self, Printer};

use super::common;

/// Plans of several chains, with each chain's check results.
pub struct Planned {
    pub cluster: crate::cluster::Cluster,
    pub plans: Vec<ChainPlan>,
    pub checks: Vec<Vec<CheckResult>>,
}

impl Planned {
    /// Failed checks not overridden with `--skip-check`, over all chains.
    pub fn blocking(&self, skipped: &[String]) -> Vec<String> {
        self.plans
            .iter()
            .zip(&self.checks)
            .flat_map(|(p, c)| {
                crate::resolve::blocking(c, skipped)
                    .into_iter()
                    .map(move |line| format!("{}: {line}", p.chain))
            })
            .collect()
    }
}

/// Plan every chain file concurrently against one cluster, and run the checks.
pub async fn plan_all(
    paths: &[std::path::PathBuf],
    global: &Global,
    printer: &Printer,
    opts: PlanOptions,
) -> Result<Planned, Error> {
    let chains = paths
        .iter()
        .map(|p| common::load_chain(p, global))
        .collect::<Result<Vec<_>, _>>()?;
    let resolved = chains
        .iter()
        .map(|c| common::resolve(c, printer))
        .collect::<Result<Vec<_>, _>>()?;
    let cluster = common::connect(global).await?;
    let plans = try_join_all(
        chains
            .iter()
            .zip(&resolved)
            .map(|(c, r)| reconcile::plan_chain(&cluster, c, r.contracts.clone(), opts)),
    )
    .await?;
    let keys = KeySource::Cluster(&cluster);
    let checks = try_join_all(
        chains
            .iter()
            .zip(&resolved)
            .map(|(c, r)| common::checks(c, r, &keys)),
    )
    .await?;
    Ok(Planned {
        cluster,
        plans,
        checks,
    })
}

pub fn show(planned: &Planned, global: &Global, printer: &Printer) {
    match global.output {
        Some(OutputFormat::Json) => printer.data(
            &serde_json::to_string_pretty(&reconcile::plan_json(&planned.plans, &planned.checks))
                .unwrap_or_default(),
        ),
        _ => {
            for (p, c) in planned.plans.iter().zip(&planned.checks) {
                if !c.is_empty() {
                    printer.data(&ui::checks::render(c, printer));
                }
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
    let planned = plan_all(&args.chains, global, printer, opts).await?;
    show(&planned, global, printer);
    if let Some(out) = &args.out {
        let file = PlanFile::new(planned.plans.clone());
        write_atomic(out, &file.to_json())?;
        printer.info(&format!(
            "saved plan to {}; apply it with `opctl apply {}`",
            out.display(),
            out.display()
        ));
    }
    let pending = planned.plans.iter().any(|p| p.summary.pending());
    let blocked = !planned.blocking(&args.checks.skip).is_empty();
    Ok(match (args.exit_code, blocked, pending) {
        (true, true, _) => exit::BLOCKED,
        (true, false, true) => exit::CHANGES,
        _ => exit::OK,
    })
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

//! `opctl apply CHAIN.toml... | PLAN.json`: plan, check, show, confirm, apply in order, wait.

use std::path::PathBuf;

use crate::cli::{ApplyArgs, Global};
use crate::error::{exit, Error};
use crate::plan::ready::Readiness;
use crate::reconcile::{self, ApplyOptions, PlanFile, PlanOptions};
use crate::resolve::KeySource;
use crate::ui::{self, Printer};

use super::{common, plan};

fn is_plan_file(inputs: &[PathBuf]) -> bool {
    inputs.len() == 1 && inputs[0].extension().is_some_and(|e| e == "json")
}

/// A saved plan, refused when its inputs or the cluster moved since it was made.
async fn saved_plan(
    path: &std::path::Path,
    global: &Global,
    printer: &Printer,
) -> Result<plan::Planned, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read plan file {}: {e}", path.display())))?;
    let file = PlanFile::from_json(&text, &path.display().to_string())?;
    let cluster = common::connect(global).await?;
    let mut reasons = Vec::new();
    let mut checks = Vec::new();
    for p in &file.chains {
        let mut chain = common::load_chain(&p.file, global)?;
        // The plan was made for this namespace (possibly with -n): check against the same one.
        chain.file.chain.namespace = Some(p.namespace.clone());
        reasons.extend(reconcile::stale_reasons(&cluster, p, &chain).await?);
        let resolved = common::resolve(&chain, printer)?;
        checks.push(common::checks(&chain, &resolved, &KeySource::Cluster(&cluster)).await?);
    }
    if !reasons.is_empty() {
        return Err(Error::StalePlan { reasons });
    }
    Ok(plan::Planned {
        cluster,
        plans: file.chains,
        checks,
    })
}

pub async fn run(args: &ApplyArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    let opts = ApplyOptions {
        force_conflicts: args.force_conflicts,
        allow_recreate: args.allow_recreate,
    };
    let planned = if is_plan_file(&args.inputs) {
        saved_plan(&args.inputs[0], global, printer).await?
    } else {
        let popts = PlanOptions {
            prune: args.prune.prune,
            delete_secrets: args.prune.prune_secrets,
        };
        plan::plan_all(&args.inputs, global, printer, popts).await?
    };
    plan::show(&planned, global, printer);
    let failed = planned.blocking(&args.checks.skip);
    if !failed.is_empty() {
        return Err(Error::Blocked { failed });
    }
    let (cluster, plans) = (planned.cluster, planned.plans);
    if !plans.iter().any(|p| p.summary.pending()) {
        printer.success("nothing to change");
        return Ok(exit::OK);
    }
    for p in &plans {
        reconcile::preflight(p, opts)?;
        // A running `opctl watch` reconciles this chain from its own copy of the file.
        let lease = crate::render::watcher::name(&p.chain);
        if let Ok(Some(holder)) = crate::watch::lease::holder(&cluster, &p.namespace, &lease).await
        {
            printer.warn(&format!(
                "{}: `opctl watch` ({holder}) holds the lease {lease} and keeps this chain matching its own chain file; a change made here and not there is taken back (or reported) by it",
                p.chain
            ));
        }
    }
    if !ui::confirm("Apply these changes?", args.yes).map_err(Error::Usage)? {
        printer.info("cancelled; nothing was written");
        return Ok(exit::OK);
    }
    for p in &plans {
        let report = reconcile::apply_plan(&cluster, p, opts).await?;
        printer.success(&format!(
            "{}: {} objects written, {} deleted",
            p.chain,
            report.written.len(),
            report.deleted.len()
        ));
    }
    // The sequencer's peer ID is known once its key exists: converge replicas onto it.
    // Only a run that generated a sequencer p2p key needs this second pass (and its requests).
    if !is_plan_file(&args.inputs) {
        for (path, p) in args.inputs.iter().zip(&plans) {
            let generated_peer_key = p.changes.iter().any(|c| {
                c.op == crate::plan::Op::CreateGenerated
                    && c.object.name == format!("{}-sequencer-p2p", p.chain)
            });
            if !generated_peer_key {
                continue;
            }
            let chain = common::load_chain(path, global)?;
            let contracts = crate::resolve::resolve(&chain)?.contracts;
            let again =
                reconcile::plan_chain(&cluster, &chain, contracts, PlanOptions::default()).await?;
            if again.summary.pending() && again.changes.iter().all(|c| c.drift.is_empty()) {
                printer.info(&format!(
                    "{}: the sequencer's peer ID is known now; converging ({})",
                    again.chain, again.summary
                ));
                printer.data(&ui::plan::render(&again, printer));
                let report = reconcile::apply_plan(&cluster, &again, opts).await?;
                printer.success(&format!(
                    "{}: {} more objects written",
                    again.chain,
                    report.written.len()
                ));
            }
        }
    }
    if args.no_wait {
        return Ok(exit::OK);
    }
    let workloads: Vec<_> = plans
        .iter()
        .flat_map(reconcile::workloads_to_wait_for)
        .collect();
    if workloads.is_empty() {
        return Ok(exit::OK);
    }
    let progress = ui::progress::Progress::new(printer, workloads.len());
    reconcile::wait_ready(&cluster, &workloads, args.timeout, |r, state| match state {
        Readiness::Ready => progress.done(&r.to_string()),
        Readiness::Waiting(why) => progress.waiting(&r.to_string(), why),
    })
    .await?;
    progress.finish();
    printer.success("all workloads are ready");
    Ok(exit::OK)
}

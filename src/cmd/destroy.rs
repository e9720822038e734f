//! `opctl destroy CHAIN.toml`: delete the chain's members in reverse apply order, with confirmation.
//! Volumes and generated key Secrets stay unless asked; the namespace stays (it may hold your
//! Secrets) unless `--delete-namespace`, which then waits for the namespace controller to finish.

use std::collections::BTreeSet;

use crate::cli::{DestroyArgs, Global};
use crate::cluster::{Kind, ObjectRef, Propagation};
use crate::error::{exit, Error};
use crate::plan;
use crate::render::{self, Input, LABEL_APPLYSET_PART_OF, LABEL_CHAIN};
use crate::ui::{self, Printer};

use super::common;

/// Deletion order: workloads first, then their disruption budgets, network policies (after the
/// pods they fence) and Services, ConfigMaps, Secrets, the ServiceAccount, and the ApplySet parent
/// last.
fn rank(kind: &str) -> u8 {
    match kind {
        "Deployment" | "StatefulSet" => 0,
        "PodDisruptionBudget" | "NetworkPolicy" | "Service" => 1,
        "ConfigMap" => 2,
        "Secret" => 3,
        "ServiceAccount" => 4,
        _ => 5,
    }
}

/// Only objects opctl wrote: a same-named object of someone else is never deleted.
fn managed_by_opctl(live: Option<&serde_json::Value>) -> bool {
    live.and_then(|l| l.pointer("/metadata/labels/app.kubernetes.io~1managed-by"))
        .and_then(serde_json::Value::as_str)
        == Some("opctl")
}

pub async fn run(args: &DestroyArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    let chain = common::load_chain(&args.chain, global)?;
    let cluster = common::connect(global).await?;
    let ns = chain.namespace().to_string();
    let name = &chain.file.chain.name;
    let parent = format!("{name}-applyset");
    let selector = format!(
        "{LABEL_APPLYSET_PART_OF}={}",
        render::applyset_id(&parent, &ns)
    );
    let mut members = Vec::new();
    for kind in Kind::ALL.into_iter().filter(|k| k.namespaced()) {
        members.extend(cluster.list(kind, Some(&ns), &selector).await?);
    }
    let mut kept = 0usize;
    let mut targets: Vec<ObjectRef> = members
        .iter()
        .filter(|m| {
            let keep = !args.delete_secrets && plan::is_generated_secret(m);
            kept += usize::from(keep);
            !keep
        })
        .map(ObjectRef::of)
        .collect();
    // Objects rendered now but somehow unlabelled (e.g. written by an older opctl) are included too.
    let mut input = Input::from_chain(&chain);
    input.contracts = common::resolve(&chain, printer)?.contracts;
    let desired = render::render(&input).map_err(|source| Error::Render {
        file: args.chain.display().to_string(),
        source,
    })?;
    let known: BTreeSet<ObjectRef> = targets.iter().cloned().collect();
    for d in desired
        .iter()
        .filter(|d| d.kind() != "Namespace" && !d.create_only)
    {
        let r = ObjectRef::of(&d.object);
        if !known.contains(&r) && managed_by_opctl(cluster.get(&r).await?.as_ref()) {
            targets.push(r);
        }
    }
    let parent_ref = ObjectRef {
        kind: "ConfigMap".into(),
        namespace: Some(ns.clone()),
        name: parent.clone(),
    };
    if managed_by_opctl(cluster.get(&parent_ref).await?.as_ref()) {
        targets.push(ObjectRef {
            kind: "ConfigMap".into(),
            namespace: Some(ns.clone()),
            name: parent,
        });
    }
    targets.sort_by_key(|r| (rank(&r.kind), r.clone()));
    targets.dedup();
    let volumes = if args.delete_volumes {
        cluster
            .list(
                Kind::PersistentVolumeClaim,
                Some(&ns),
                &format!("{LABEL_CHAIN}={name}"),
            )
            .await?
    } else {
        Vec::new()
    };
    let namespace = ObjectRef {
        kind: "Namespace".into(),
        namespace: None,
        name: ns.clone(),
    };
    let delete_namespace = args.delete_namespace && cluster.get(&namespace).await?.is_some();
    if targets.is_empty() && volumes.is_empty() && !delete_namespace {
        printer.success(&format!("{name}: nothing to delete in namespace {ns}"));
        return Ok(exit::OK);
    }
    for t in &targets {
        printer.data(&format!("delete {t}"));
    }
    for v in &volumes {
        printer.data(&format!("delete {} (chain data is lost)", ObjectRef::of(v)));
    }
    if kept > 0 {
        printer.info(&format!(
            "keeping {kept} generated key Secrets (--delete-secrets deletes them)"
        ));
    }
    if delete_namespace {
        printer.data(&format!(
            "delete {namespace} with everything in it, including objects opctl did not create \
             (Secrets, volumes)"
        ));
    } else if !args.delete_volumes {
        printer.info("keeping PersistentVolumeClaims (--delete-volumes deletes them)");
    }
    let question = if delete_namespace {
        format!(
            "Delete {} objects of chain {name} and namespace {ns} with all it holds?",
            targets.len() + volumes.len()
        )
    } else {
        format!(
            "Delete {} objects of chain {name}?",
            targets.len() + volumes.len()
        )
    };
    if !ui::confirm(&question, args.yes).map_err(Error::Usage)? {
        printer.info("cancelled; nothing was deleted");
        return Ok(exit::OK);
    }
    for t in targets
        .iter()
        .chain(volumes.iter().map(ObjectRef::of).collect::<Vec<_>>().iter())
    {
        cluster.delete(t, Propagation::Background).await?;
    }
    if delete_namespace {
        cluster.delete(&namespace, Propagation::Background).await?;
        printer.info(&format!(
            "waiting for Kubernetes to finish deleting namespace {ns} (up to {}s)",
            args.timeout.as_secs()
        ));
        crate::reconcile::wait_gone(&cluster, &namespace, args.timeout).await?;
        printer.success(&format!(
            "{name}: deleted {} objects and namespace {ns}",
            targets.len() + volumes.len()
        ));
        return Ok(exit::OK);
    }
    printer.success(&format!(
        "{name}: deleted {} objects",
        targets.len() + volumes.len()
    ));
    Ok(exit::OK)
}

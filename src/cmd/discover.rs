//! `opctl discover CHAIN.toml`: find the chain's L1 contracts and roles from its SystemConfig, run the
//! named checks, and write (or update) the lock file next to the chain file.
//!
//! Exit codes: 0 lock written and unchanged (or new), 2 the chain changed on-chain since the lock
//! file was written (the diff is shown), 3 a check failed, 1 an error.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde_json::json;

use crate::cli::{DiscoverArgs, Global, OutputFormat};
use crate::config::{LoadedChain, UrlSource};
use crate::error::{exit, Error};
use crate::lock::Lock;
use crate::model::games::GameTypeLabel;
use crate::networks;
use crate::resolve::{self, KeySource};
use crate::rpc::{self, Discovery, L1Rpc, RpcOptions};
use crate::ui::{self, Printer};

use super::common;

/// The L1 RPC URL; the cluster is contacted only when the chain file names a Secret.
async fn l1_url(
    args: &DiscoverArgs,
    chain: &LoadedChain,
    global: &Global,
) -> Result<String, Error> {
    let needs_cluster =
        args.l1_rpc_url.is_none() && matches!(chain.file.l1.rpc_url, UrlSource::Secret(_));
    let cluster = if needs_cluster {
        Some(common::connect(global).await?)
    } else {
        None
    };
    resolve::l1_rpc_url(chain, args.l1_rpc_url.as_deref(), cluster.as_ref()).await
}

fn contracts_table(d: &Discovery) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(180)
        .set_header(vec!["contract", "address", "version", "source"]);
    for (name, c) in &d.contracts {
        t.add_row(vec![
            name.to_string(),
            c.address.to_checksum(None),
            c.version.clone().unwrap_or_default(),
            c.source.to_string(),
        ]);
    }
    for (name, r) in &d.roles {
        t.add_row(vec![
            format!("role: {name}"),
            r.value.to_checksum(None),
            String::new(),
            r.source.to_string(),
        ]);
    }
    for g in d.games.values() {
        let label = GameTypeLabel(g.game_type);
        let respected = if d.respected_game_type() == Some(g.game_type) {
            ", respected"
        } else {
            ""
        };
        t.add_row(vec![
            format!("game {label}{respected}"),
            g.implementation.address.to_checksum(None),
            g.implementation.version.clone().unwrap_or_default(),
            format!("prestate {}", g.absolute_prestate.value),
        ]);
        for (role, value) in [("proposer", &g.proposer), ("challenger", &g.challenger)] {
            if let Some(v) = value {
                t.add_row(vec![
                    format!("game {label} {role}"),
                    v.value.to_checksum(None),
                    String::new(),
                    v.source.to_string(),
                ]);
            }
        }
    }
    if let Some(rgt) = &d.respected_game_type {
        t.add_row(vec![
            "respected game type".to_string(),
            rgt.value.to_string(),
            String::new(),
            rgt.source.to_string(),
        ]);
    }
    match &d.batch_inbox {
        Some(inbox) => t.add_row(vec![
            "batch inbox".to_string(),
            inbox.value.to_checksum(None),
            String::new(),
            inbox.source.to_string(),
        ]),
        None => t.add_row(vec![
            "batch inbox".to_string(),
            "unknown".to_string(),
            String::new(),
            "not on L1 (SystemConfig 4.x)".to_string(),
        ]),
    };
    t.to_string()
}

/// SystemConfig 4.x no longer names the batch inbox: take it from op-node's `optimism_rollupConfig`
/// when `--rollup-rpc` is given (the live value; a rollup.json that disagrees is a warning), else
/// rollup.json, else the registry entry, else say how to supply it.
async fn fill_batch_inbox(
    args: &DiscoverArgs,
    chain: &LoadedChain,
    d: &mut Discovery,
    printer: &Printer,
) -> Result<(), Error> {
    if d.batch_inbox.is_some() {
        if args.rollup_rpc.is_some() {
            printer.info("--rollup-rpc is not needed: the SystemConfig names the batch inbox");
        }
        return Ok(());
    }
    let offline = resolve::offline_batch_inbox(chain);
    d.batch_inbox = match &args.rollup_rpc {
        Some(url) => {
            let inbox = rpc::batch_inbox_from_op_node(url, args.rpc_timeout)
                .await
                .map_err(Error::L1Url)?;
            if let Some(other) = offline.filter(|o| o.value != inbox) {
                printer.warn(&format!(
                    "op-node's optimism_rollupConfig names batch inbox {inbox}, but {} says {}; using op-node's",
                    other.source, other.value
                ));
            }
            Some(rpc::Sourced::new(
                inbox,
                rpc::Source::Rpc {
                    method: "optimism_rollupConfig".into(),
                },
            ))
        }
        None => offline,
    };
    match &d.batch_inbox {
        Some(inbox) => printer.info(&format!(
            "SystemConfig 4.x does not name the batch inbox; using {} from {}",
            inbox.value, inbox.source
        )),
        None if chain.file.contracts.addresses().batch_inbox.is_none() => {
            printer.warn(resolve::UNKNOWN_BATCH_INBOX)
        }
        None => {}
    }
    Ok(())
}

pub async fn run(args: &DiscoverArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    let chain = common::load_chain(&args.chain, global)?;
    let (system_config, origin) =
        resolve::system_config(&chain).ok_or_else(|| Error::NoSystemConfig {
            file: args.chain.display().to_string(),
            networks: format!(
                "{} superchain-registry chains: `opctl networks` lists them",
                networks::all().len()
            ),
        })?;
    let url = l1_url(args, &chain, global).await?;
    let options = RpcOptions {
        timeout: args.rpc_timeout,
        ..RpcOptions::default()
    };
    let rpc = L1Rpc::new(&url, options)?;
    printer.info(&format!(
        "discovering from SystemConfig {system_config} via {}",
        rpc.url()
    ));
    let mut discovery = rpc::discover(&rpc, system_config, origin).await?;
    fill_batch_inbox(args, &chain, &mut discovery, printer).await?;
    for note in resolve::apply_overrides(&chain, &mut discovery) {
        printer.warn(&note);
    }
    if let Some(known) = chain
        .file
        .chain
        .network
        .as_deref()
        .and_then(networks::lookup)
    {
        for m in networks::compare(known, &discovery) {
            printer.warn(&format!(
                "on-chain value differs from opctl's built-in {} data (on-chain wins): {m}",
                known.name
            ));
        }
    }
    let cluster;
    let keys = if args.keys_from_cluster {
        cluster = common::connect(global).await?;
        KeySource::Cluster(&cluster)
    } else if args.keys.is_empty() {
        KeySource::None
    } else {
        KeySource::Files(&args.keys)
    };
    let checks = resolve::checks(&chain, Some(&discovery), &keys).await?;
    let lock_path = Lock::path_for(&args.chain);
    let old = Lock::read(&lock_path)?;
    if let Some(old) = &old {
        old.check_matches(
            &chain.file.chain.name,
            chain.file.chain.l2_chain_id,
            system_config,
        )
        .map_err(|source| Error::LockMismatch {
            file: lock_path.display().to_string(),
            source,
        })?;
    }
    let new = Lock::from_discovery(
        &chain.file.chain.name,
        chain.file.chain.l2_chain_id,
        &discovery,
    )
    .with_forks(resolve::fork_schedule(&chain));
    let changes = old
        .as_ref()
        .map(|o| Lock::diff(o, &new))
        .unwrap_or_default();
    new.write(&lock_path)?;

    if global.output == Some(OutputFormat::Json) {
        let out = json!({
            "apiVersion": "opctl.io/discover/v1",
            "chain": chain.file.chain.name,
            "lockFile": lock_path,
            "httpRequests": rpc.http_requests(),
            "discovery": discovery,
            "checks": checks,
            "changes": changes.iter().map(|c| json!({"path": c.path, "old": c.old, "new": c.new})).collect::<Vec<_>>(),
        });
        printer.data(&serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        let block = discovery
            .block
            .as_ref()
            .map(|b| format!(" at L1 block {} ({})", b.number, b.hash))
            .unwrap_or_default();
        printer.data(&format!(
            "chain {}{block}, {} HTTP requests",
            chain.file.chain.name,
            rpc.http_requests()
        ));
        printer.data(&contracts_table(&discovery));
        printer.data(&ui::checks::render(&checks, printer));
        if !changes.is_empty() {
            printer.data(&format!(
                "changed on-chain since {} was written:",
                lock_path.display()
            ));
            for c in &changes {
                printer.data(&format!("  {c}"));
            }
        }
    }
    printer.info(&format!("wrote {}", lock_path.display()));
    if checks.iter().any(rpc::CheckResult::is_failure) {
        return Ok(exit::BLOCKED);
    }
    Ok(if changes.is_empty() {
        exit::OK
    } else {
        exit::CHANGES
    })
}

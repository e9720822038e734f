//! `opctl status CHAIN.toml`: per workload, ready/desired, image, restarts, age; then per node
//! (sequencer, replicas) what op-node and the execution client report and a verdict
//! (`crate::status`).

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::{json, Value};

use crate::cli::{Global, OutputFormat, StatusArgs};
use crate::cluster::Kind;
use crate::config::LoadedChain;
use crate::error::{exit, Error};
use crate::render::LABEL_CHAIN;
use crate::ui::Printer;

use super::common;

fn age(created: Option<&str>) -> String {
    let Some(created) = created else {
        return String::new();
    };
    let Ok(t) = created.parse::<k8s_openapi::jiff::Timestamp>() else {
        return String::new();
    };
    let secs = k8s_openapi::jiff::Timestamp::now().as_second() - t.as_second();
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// The chain's next hardfork as a header line and as JSON: `next fork: karst at 2026-12-04
/// 15:00:00 UTC (in 3d 0h), from chain.rollup_config`; `None` when the schedule is unknown.
fn next_fork(chain: &crate::config::LoadedChain) -> Option<(String, Value)> {
    let schedule = crate::resolve::fork_schedule(chain)?;
    let now = k8s_openapi::jiff::Timestamp::now().as_second().max(0) as u64;
    Some(match schedule.next(now) {
        Some(next) => {
            let countdown = crate::model::forks::countdown(next.time - now);
            let at = crate::model::releases::utc(next.time);
            (
                format!(
                    "next fork: {} at {at} (in {countdown}), from {}",
                    next.fork, schedule.source
                ),
                json!({"fork": next.fork, "time": next.time, "utc": at, "countdown": countdown}),
            )
        }
        None => (
            format!(
                "next fork: none scheduled after now ({}; latest active: {})",
                schedule.source,
                schedule
                    .latest_active(now)
                    .map_or_else(|| "none".to_string(), |f| f.to_string())
            ),
            Value::Null,
        ),
    })
}

pub async fn run(args: &StatusArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    let chain = common::load_chain(&args.chain, global)?;
    let next_fork = next_fork(&chain);
    let cluster = common::connect(global).await?;
    let ns = chain.namespace().to_string();
    let selector = format!("{LABEL_CHAIN}={}", chain.file.chain.name);
    let mut rows = Vec::new();
    for kind in [Kind::StatefulSet, Kind::Deployment] {
        for w in cluster.list(kind, Some(&ns), &selector).await? {
            let name = w
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let instance = w
                .pointer("/metadata/labels/app.kubernetes.io~1instance")
                .and_then(Value::as_str)
                .unwrap_or(&name)
                .to_string();
            let pods = cluster
                .list(
                    Kind::Pod,
                    Some(&ns),
                    &format!("app.kubernetes.io/instance={instance},{selector}"),
                )
                .await?;
            let restarts: i64 = pods
                .iter()
                .flat_map(|p| {
                    p.pointer("/status/containerStatuses")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                })
                .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
                .sum();
            let images: Vec<String> = w
                .pointer("/spec/template/spec/containers")
                .and_then(Value::as_array)
                .map(|cs| {
                    cs.iter()
                        .filter_map(|c| c.get("image").and_then(Value::as_str))
                        .map(|i| i.rsplit('/').next().unwrap_or(i).to_string())
                        .collect()
                })
                .unwrap_or_default();
            rows.push(json!({
                "kind": kind.name(),
                "name": name,
                "role": w.pointer("/metadata/labels/opctl.io~1role").and_then(Value::as_str).unwrap_or(""),
                "ready": w.pointer("/status/readyReplicas").and_then(Value::as_i64).unwrap_or(0),
                "desired": w.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1),
                "images": images,
                "restarts": restarts,
                "age": age(w.pointer("/metadata/creationTimestamp").and_then(Value::as_str)),
            }));
        }
    }
    rows.sort_by_key(|r| {
        (
            r["role"].as_str().unwrap_or("").to_string(),
            r["name"].as_str().unwrap_or("").to_string(),
        )
    });
    let nodes = if args.no_nodes || rows.is_empty() {
        None
    } else {
        let reference = crate::status::reference_url(&chain, &cluster).await;
        Some(crate::status::nodes(&cluster, &chain, node_settings(args, &chain), reference).await)
    };
    let operators = if args.no_operators {
        None
    } else {
        crate::status::read_operators(&chain, &cluster, None, args.rpc_timeout, args.deadline).await
    };
    if global.output == Some(OutputFormat::Json) {
        let mut out = json!({
            "apiVersion": crate::status::API_VERSION,
            "chain": chain.file.chain.name,
            "namespace": ns,
            "next_fork": next_fork.as_ref().map(|(_, v)| v),
            "workloads": rows,
        });
        if let Some(nodes) = &nodes {
            out["sampling"] = serde_json::to_value(&nodes.sampling).unwrap_or_default();
            out["sampling"]["l1_requests"] = json!(operators.as_ref().map(|o| o.requests));
            out["reference"] = json!(nodes.reference);
            if let Some(why) = &nodes.reference_error {
                out["reference_error"] = json!(why);
            }
            out["nodes"] = serde_json::to_value(&nodes.nodes).unwrap_or_default();
        }
        if let Some(operators) = &operators {
            out["operators"] = serde_json::to_value(operators).unwrap_or_default();
        }
        printer.data(&serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(exit::OK);
    }
    if let Some((line, _)) = &next_fork {
        printer.data(line);
    }
    if rows.is_empty() {
        printer.info(&format!(
            "{}: no workloads in namespace {ns} (run `opctl apply`)",
            chain.file.chain.name
        ));
        if let Some(operators) = &operators {
            printer.data(&crate::ui::status::operators_lines(operators));
        }
        return Ok(exit::OK);
    }
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_header(vec![
        "role", "kind", "name", "ready", "images", "restarts", "age",
    ]);
    for r in &rows {
        t.add_row(vec![
            r["role"].as_str().unwrap_or("").to_string(),
            r["kind"].as_str().unwrap_or("").to_string(),
            r["name"].as_str().unwrap_or("").to_string(),
            format!("{}/{}", r["ready"], r["desired"]),
            r["images"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            r["restarts"].to_string(),
            r["age"].as_str().unwrap_or("").to_string(),
        ]);
    }
    printer.data(&t.to_string());
    if let Some(nodes) = &nodes {
        printer.data(&crate::ui::status::nodes_table(nodes));
    }
    if let Some(operators) = &operators {
        printer.data(&crate::ui::status::operators_lines(operators));
    }
    Ok(exit::OK)
}

/// A URL of the chain file: a literal, `env:VAR`, or a key of a Secret in the chain's namespace.
fn node_settings(args: &StatusArgs, chain: &LoadedChain) -> crate::status::Settings {
    crate::status::Settings {
        limits: crate::status::Limits {
            interval: args.interval,
            rpc_timeout: args.rpc_timeout,
            deadline: args.deadline,
        },
        max_lag: args.max_lag.unwrap_or_else(|| chain.file.status.max_lag()),
    }
}

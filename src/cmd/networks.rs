//! `opctl networks`: every superchain-registry network opctl knows offline, and the registry
//! commit and date the data comes from (table, or `-o json` / `-o yaml`).

use std::time::{SystemTime, UNIX_EPOCH};

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde_json::json;

use crate::cli::{Global, OutputFormat};
use crate::error::{exit, Error};
use crate::networks::{self, NetworkSummary};
use crate::ui::Printer;

pub fn run(global: &Global, printer: &Printer) -> Result<u8, Error> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let rows = networks::summaries(now);
    let text = match global.output.unwrap_or(OutputFormat::Table) {
        OutputFormat::Table => table(&rows),
        OutputFormat::Json => {
            serde_json::to_string_pretty(&document(&rows)).map_err(|e| Error::Output {
                what: "JSON".into(),
                message: e.to_string(),
            })?
        }
        OutputFormat::Yaml => {
            serde_saphyr::to_string(&document(&rows)).map_err(|e| Error::Output {
                what: "YAML".into(),
                message: e.to_string(),
            })?
        }
    };
    printer.data(&text);
    Ok(exit::OK)
}

/// The JSON/YAML document: the registry header, the networks, the removed chains.
pub fn document(rows: &[NetworkSummary]) -> serde_json::Value {
    let r = networks::registry();
    json!({
        "registry": r.registry,
        "networks": rows,
        "removed": r.removed,
    })
}

/// The human table, with the registry commit and date above it and the removed chains below.
pub fn table(rows: &[NetworkSummary]) -> String {
    let r = networks::registry();
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(160)
        .set_header(vec![
            "network",
            "name",
            "L2 chain id",
            "L1 chain id",
            "superchain",
            "fault proofs",
            "next fork",
        ]);
    for n in rows {
        t.add_row(vec![
            n.name.clone(),
            n.display_name.clone(),
            n.l2_chain_id.to_string(),
            n.l1_chain_id.to_string(),
            n.superchain.clone(),
            n.fault_proofs.as_str().to_string(),
            n.next_fork.map_or("none scheduled".to_string(), |s| {
                format!("{} at {}", s.fork, networks::utc_time(s.time))
            }),
        ]);
    }
    let removed = r
        .removed
        .iter()
        .map(|x| format!("{} ({})", x.name, x.removed_on))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "superchain-registry {} ({}): {} networks\n{t}\nremoved from the registry (give rollup_config + genesis instead): {removed}",
        r.registry.commit,
        r.registry.date,
        rows.len()
    )
}

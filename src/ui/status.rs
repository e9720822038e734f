//! The nodes table of `opctl status` and its one-line verdicts.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use crate::status::judge::L2Ref;
use crate::status::operators::OperatorsReport;
use crate::status::report::NodesReport;

fn head(head: Option<L2Ref>, lag: Option<u64>) -> String {
    match (head, lag) {
        (Some(h), Some(lag)) => format!("{} (-{lag})", h.number),
        (Some(h), None) => h.number.to_string(),
        (None, _) => "-".to_string(),
    }
}

fn count(n: Option<u64>) -> String {
    n.map_or("-".to_string(), |n| n.to_string())
}

/// One row per node (heads with their lag behind the sequencer, L1 origin and how far it is
/// behind the L1 head, the execution client's head and sync flag, peers), then one verdict line
/// per node with its reason.
pub fn nodes_table(report: &NodesReport) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED).set_header(vec![
        "node",
        "unsafe (lag)",
        "safe (lag)",
        "finalized (lag)",
        "L1 origin (behind head)",
        "EL head",
        "EL syncing",
        "peers node/gossip/EL",
        "verdict",
    ]);
    for n in &report.nodes {
        let o = &n.op_node;
        let origin = match (o.current_l1, o.l1_origin_lag) {
            (Some(l1), Some(lag)) => format!("{} (-{lag})", l1.number),
            _ => "-".to_string(),
        };
        let syncing = match &n.el.syncing {
            Some(serde_json::Value::Bool(b)) => b.to_string(),
            Some(_) => "true".to_string(),
            None => "-".to_string(),
        };
        t.add_row(vec![
            n.name.clone(),
            head(o.unsafe_l2, n.lag.map(|l| l.unsafe_l2)),
            head(o.safe_l2, n.lag.and_then(|l| l.safe_l2)),
            head(o.finalized_l2, n.lag.and_then(|l| l.finalized_l2)),
            origin,
            count(n.el.block_number),
            syncing,
            format!(
                "{}/{}/{}",
                count(o.peers),
                count(o.gossip_peers),
                count(n.el.peers)
            ),
            n.verdict.headline(),
        ]);
    }
    let mut out = t.to_string();
    out.push('\n');
    for n in &report.nodes {
        out.push_str(&format!("{}: {}\n", n.name, n.verdict.line()));
    }
    let s = &report.sampling;
    out.push_str(&format!(
        "lags behind {}; {} sample(s) {} ms apart; {} requests through the API server's pod proxy in {} ms\n",
        report.reference.as_deref().unwrap_or_else(|| report
            .reference_error
            .as_deref()
            .unwrap_or("no reference")),
        s.samples,
        s.interval_ms,
        s.requests,
        s.wall_ms
    ));
    out
}

/// The operator roles on L1: one verdict line per role, then where they were read.
pub fn operators_lines(report: &OperatorsReport) -> String {
    let mut out = String::new();
    for r in &report.roles {
        out.push_str(&r.line);
        out.push('\n');
    }
    out.push_str(&format!(
        "operators read from L1 RPC {} at block {}: {} requests in {} ms (latest tx searched up to {} blocks back; games: the newest {})\n",
        report.l1_rpc.as_deref().unwrap_or("(none)"),
        report.l1_head.map_or("-".to_string(), |h| h.to_string()),
        report.requests,
        report.wall_ms,
        report.search_window_blocks,
        report.games_window,
    ));
    out
}

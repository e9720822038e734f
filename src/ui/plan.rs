//! Plans on a terminal: a summary table and a coloured unified diff per changed object.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, ContentArrangement, Table};

use super::{paint, style, Printer};
use crate::plan::ChainPlan;
use crate::plan::{KeyState, Op};

fn role_name(c: &crate::plan::Change) -> &'static str {
    c.role.map_or("chain", |r| r.as_str())
}

/// The summary table of one chain's plan (changed objects only).
pub fn table(plan: &ChainPlan) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(160)
        .set_header(vec![
            "operation",
            "kind",
            "name",
            "role",
            "restarts",
            "reason",
        ]);
    for c in plan.changes.iter().filter(|c| c.op != Op::Unchanged) {
        t.add_row(vec![
            Cell::new(c.op.label()),
            Cell::new(&c.object.kind),
            Cell::new(&c.object.name),
            Cell::new(role_name(c)),
            Cell::new(if c.restarts { "yes" } else { "" }),
            Cell::new(&c.reason),
        ]);
    }
    t.to_string()
}

fn paint_diff(diff: &str, color: bool) -> String {
    if !color {
        return diff.to_string();
    }
    diff.lines()
        .map(|l| {
            let line_style = if l.starts_with("+++") || l.starts_with("---") {
                style::DIFF_FILE
            } else if l.starts_with('+') {
                style::DIFF_ADDED
            } else if l.starts_with('-') {
                style::DIFF_REMOVED
            } else if l.starts_with("@@") {
                style::DIFF_HUNK
            } else {
                return l.to_string();
            };
            paint(line_style, l)
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// What a NetworkPolicy lets in, from the one-line summary the renderer puts on it.
fn allows(c: &crate::plan::Change) -> Option<&str> {
    if c.object.kind != "NetworkPolicy" {
        return None;
    }
    let pointer = format!(
        "/metadata/annotations/{}",
        crate::render::netpol::ANN_ALLOWS.replace('/', "~1")
    );
    c.desired.as_ref()?.object.pointer(&pointer)?.as_str()
}

/// The whole human-readable plan of one chain.
pub fn render(plan: &ChainPlan, printer: &Printer) -> String {
    let mut out = format!(
        "chain {} ({}) in namespace {}\n",
        plan.chain,
        plan.file.display(),
        plan.namespace
    );
    out.push_str(&forks(plan));
    if !plan.summary.pending() {
        out.push_str(&format!(
            "No changes. {} objects match the cluster.\n",
            plan.summary.unchanged
        ));
        out.push_str(&rollouts(plan));
        return out;
    }
    out.push_str(&table(plan));
    out.push('\n');
    for c in plan.changes.iter().filter(|c| c.op != Op::Unchanged) {
        out.push_str(&format!(
            "\n# {} {} ({})\n",
            c.op.label(),
            c.object,
            role_name(c)
        ));
        for d in &c.drift {
            out.push_str(&format!("#   drift: {} set by {}\n", d.field, d.manager));
        }
        if let Some(allows) = allows(c) {
            out.push_str(&format!("#   allows: {allows}\n"));
        }
        if c.object.kind == "Secret" {
            for k in &c.secret_keys {
                let state = match k.state {
                    KeyState::Added => "added",
                    KeyState::Changed => "changed",
                    KeyState::Unchanged => "unchanged",
                    KeyState::Removed => "removed",
                    KeyState::Generated => "generated at apply",
                };
                out.push_str(&format!(
                    "#   key {}: {state} {}\n",
                    k.key,
                    k.fingerprint.as_deref().unwrap_or("")
                ));
            }
            // A Secret's diff is metadata plus fingerprints only; values never reach it.
        }
        if !c.diff.is_empty() && c.op != Op::CreateGenerated {
            out.push_str(&paint_diff(&c.diff, printer.data_color));
        }
    }
    out.push_str(&rollouts(plan));
    out.push_str(&crate::plan::order::render_text(plan));
    out.push_str(&format!("\nPlan: {}.\n", plan.summary));
    out
}

/// Hardforks scheduled in the next 30 days: name, UTC time, countdown.
fn forks(plan: &ChainPlan) -> String {
    plan.forks
        .iter()
        .map(|f| {
            format!(
                "fork {} activates {} (in {})\n",
                f.fork,
                f.utc,
                crate::model::forks::countdown(f.in_seconds)
            )
        })
        .collect()
}

/// Unfinished rollouts in the cluster, with the pods that do not serve and what apply does
/// about pods the StatefulSet controller would never replace.
fn rollouts(plan: &ChainPlan) -> String {
    let mut out = String::new();
    for r in &plan.rollouts {
        out.push_str(&format!(
            "\n# unfinished rollout: {}: {}\n",
            r.object, r.state
        ));
        for p in &r.pods {
            out.push_str(&format!("#   pod {}: {}\n", p.pod, p.problem));
        }
        for pod in &r.delete_stuck {
            out.push_str(&format!(
                "#   apply deletes pod {pod} once the new revision is in place: it never became \
                 ready, and Kubernetes does not replace such a pod by itself\n"
            ));
        }
    }
    out
}

//! The watcher reads the chain's nodes as `opctl status` does (`crate::status`, through the
//! apiserver's pod proxy), every `--node-status-every` while it holds the lease: it exports the
//! measurements as `opctl_node_*` metrics, records an Event when a node stalls, becomes
//! unreachable, follows only the safe chain, or recovers, and keeps the replicas' readiness gate
//! (`[replicas] readiness_gate`, `crate::status::gate`) current. It reads the chain-operator roles
//! on L1 too (signer balances, latest batch and proposal, nonce gaps, games in progress) for the
//! `opctl_signer_*` metrics and low-balance Events.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::events::Level;
use super::metrics::Context;
use crate::cluster::Cluster;
use crate::config::LoadedChain;
use crate::status::judge::State;
use crate::status::operators::OperatorsReport;
use crate::status::{self, NodesReport};

/// An Event to record: level, reason, message.
pub type NodeEvent = (Level, String, String);

/// The Events one reading calls for, given each node's state in the previous one (`previous`
/// is updated). A node seen for the first time reports only a bad state; a node that leaves a
/// bad state (stalled, unreachable, following safe only) for synced or syncing has recovered.
pub fn transitions(previous: &mut BTreeMap<String, State>, report: &NodesReport) -> Vec<NodeEvent> {
    let bad = |s: State| {
        matches!(
            s,
            State::Stalled | State::Unreachable | State::FollowingSafeOnly
        )
    };
    let mut out = Vec::new();
    for n in &report.nodes {
        let now = n.verdict.state;
        let before = previous.insert(n.name.clone(), now);
        if before == Some(now) {
            continue;
        }
        let line = n.verdict.line();
        let event = match now {
            State::Stalled => Some((Level::Warning, "NodeStalled")),
            State::Unreachable => Some((Level::Warning, "NodeUnreachable")),
            State::FollowingSafeOnly => Some((Level::Warning, "NodeFollowingSafeOnly")),
            State::Synced | State::Syncing if before.is_some_and(bad) => {
                Some((Level::Normal, "NodeRecovered"))
            }
            _ => None,
        };
        if let Some((level, reason)) = event {
            let from = before.map_or(String::new(), |b| format!(" (was {})", b.as_str()));
            out.push((
                level,
                reason.to_string(),
                format!("{}{from}: {line}", n.name),
            ));
        }
    }
    previous.retain(|name, _| report.nodes.iter().any(|n| &n.name == name));
    out
}

/// The Events a reading of the operator roles calls for: a signer whose balance falls below
/// `[status] low_balance` (Warning `SignerLowBalance`), and one funded again (Normal
/// `SignerFunded`). `previous` holds each role's last `low`.
pub fn balance_transitions(
    previous: &mut BTreeMap<&'static str, bool>,
    report: &OperatorsReport,
) -> Vec<NodeEvent> {
    let mut out = Vec::new();
    for r in &report.roles {
        let Some(low) = r.low else { continue };
        let before = previous.insert(r.role.as_str(), low);
        let event = match (before, low) {
            (Some(true), false) => Some((Level::Normal, "SignerFunded")),
            (b, true) if b != Some(true) => Some((Level::Warning, "SignerLowBalance")),
            _ => None,
        };
        if let Some((level, reason)) = event {
            out.push((level, reason.to_string(), r.line.clone()));
        }
    }
    out
}

/// Read the nodes every `every` while `leader` is true, until `stop`; the operator roles on L1
/// at most every `operators_every` (zero: never). `l1_rpc_flag`: the watcher's `--l1-rpc-url`.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    cluster: Cluster,
    chain: watch::Receiver<Arc<LoadedChain>>,
    mut leader: watch::Receiver<bool>,
    every: Duration,
    operators_every: Duration,
    l1_rpc_flag: Option<String>,
    ctx: Arc<Context>,
    events: mpsc::UnboundedSender<NodeEvent>,
    mut stop: watch::Receiver<bool>,
) {
    let mut previous: BTreeMap<String, State> = BTreeMap::new();
    let mut balances: BTreeMap<&'static str, bool> = BTreeMap::new();
    let mut operators_at: Option<std::time::Instant> = None;
    let mut strikes: BTreeMap<String, u32> = BTreeMap::new();
    let mut gates: BTreeMap<String, bool> = BTreeMap::new();
    loop {
        tokio::select! {
            r = leader.wait_for(|l| *l) => if r.is_err() { return },
            _ = stop.changed() => return,
        }
        let current = chain.borrow().clone();
        let f = &current.file;
        if f.sequencer.enabled || f.replicas.enabled {
            let settings = status::Settings {
                limits: status::Limits {
                    interval: Duration::from_secs(2),
                    rpc_timeout: Duration::from_secs(5),
                    deadline: Duration::from_secs(20),
                },
                max_lag: f.status.max_lag(),
            };
            let read_from = status::now_s() as i64;
            let reference = status::reference_url(&current, &cluster).await;
            let report = status::nodes(&cluster, &current, settings, reference).await;
            ctx.set_nodes(&report);
            for e in transitions(&mut previous, &report) {
                if events.send(e).is_err() {
                    return;
                }
            }
            // A reading that started as leader writes only while this process still leads.
            if f.replicas.enabled && f.replicas.readiness_gate && *leader.borrow() {
                let reading = Reading {
                    report: &report,
                    read_from,
                };
                keep_gates(
                    &cluster,
                    &current,
                    reading,
                    &ctx,
                    &events,
                    &mut gates,
                    &mut strikes,
                )
                .await;
            }
        }
        let operators_due = !operators_every.is_zero()
            && operators_at.is_none_or(|t| t.elapsed() >= operators_every);
        let operators = if operators_due {
            operators_at = Some(std::time::Instant::now());
            status::read_operators(
                &current,
                &cluster,
                l1_rpc_flag.as_deref(),
                Duration::from_secs(5),
                Duration::from_secs(20),
            )
            .await
        } else {
            None
        };
        if let Some(report) = operators {
            ctx.set_operators(&report);
            for e in balance_transitions(&mut balances, &report) {
                if events.send(e).is_err() {
                    return;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// A reading and the unix second it started.
#[derive(Clone, Copy)]
struct Reading<'a> {
    report: &'a NodesReport,
    read_from: i64,
}

/// Writes the gate conditions the reading calls for; an Event for each replica that leaves or
/// rejoins the RPC Service.
async fn keep_gates(
    cluster: &Cluster,
    chain: &LoadedChain,
    reading: Reading<'_>,
    ctx: &Context,
    events: &mpsc::UnboundedSender<NodeEvent>,
    gates: &mut BTreeMap<String, bool>,
    strikes: &mut BTreeMap<String, u32>,
) {
    let (report, read_from) = (reading.report, reading.read_from);
    let name = &chain.file.chain.name;
    match status::gate::sync(cluster, chain.namespace(), name, report, read_from, strikes).await {
        Ok(changes) => {
            for c in changes {
                let service = crate::render::replicas_service_name(name);
                // A replica that never served (a new pod, not caught up yet) leaves nothing.
                let event = match (c.was, c.caught_up) {
                    (_, true) => Some((Level::Normal, "ReplicaCaughtUp", "serves in")),
                    (Some(true), false) => Some((Level::Warning, "ReplicaBehind", "left")),
                    _ => None,
                };
                if let Some((level, reason, what)) = event {
                    let _ = events.send((
                        level,
                        reason.to_string(),
                        format!(
                            "{} {what} Service {service} (pod {}, {}): {}",
                            c.node, c.pod, c.reason, c.message
                        ),
                    ));
                }
                gates.insert(c.node, c.caught_up);
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not write the replicas' readiness gate"),
    }
    for (node, d) in status::gate::decisions(report) {
        gates.entry(node.clone()).or_insert(d.caught_up);
        ctx.set_caught_up(&node, gates[&node]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::judge::Verdict;

    fn report(states: &[(&str, State)]) -> NodesReport {
        let mut r = crate::status::report::example();
        let one = r.nodes.remove(0);
        r.nodes = states
            .iter()
            .map(|(name, state)| {
                let mut n = one.clone();
                n.name = name.to_string();
                n.verdict = Verdict {
                    state: *state,
                    reason: "why".into(),
                    since: None,
                    blocks_per_minute: None,
                };
                n
            })
            .collect();
        r
    }

    #[test]
    fn a_low_balance_is_one_warning_and_funding_it_one_normal_event() {
        let mut seen = BTreeMap::new();
        let mut report = crate::status::operators::example();
        let first = balance_transitions(&mut seen, &report);
        assert_eq!(first.len(), 1, "{first:?}");
        assert_eq!(
            (first[0].0, first[0].1.as_str()),
            (Level::Warning, "SignerLowBalance")
        );
        assert!(first[0].2.starts_with("batcher "), "{first:?}");
        assert!(balance_transitions(&mut seen, &report).is_empty());
        report.roles[0].low = Some(false);
        let funded = balance_transitions(&mut seen, &report);
        assert_eq!(funded.len(), 1);
        assert_eq!(
            (funded[0].0, funded[0].1.as_str()),
            (Level::Normal, "SignerFunded")
        );
    }

    fn reasons(events: &[NodeEvent]) -> Vec<String> {
        events.iter().map(|(_, r, m)| format!("{r} {m}")).collect()
    }

    #[test]
    fn a_stall_and_its_recovery_are_one_event_each_and_steady_states_none() {
        let mut seen = BTreeMap::new();
        let first = transitions(
            &mut seen,
            &report(&[("a", State::Synced), ("b", State::Stalled)]),
        );
        assert_eq!(reasons(&first), ["NodeStalled b: stalled: why"]);
        assert_eq!(first[0].0, Level::Warning);
        let same = transitions(
            &mut seen,
            &report(&[("a", State::Synced), ("b", State::Stalled)]),
        );
        assert!(same.is_empty(), "{same:?}");
        let back = transitions(
            &mut seen,
            &report(&[("a", State::Unreachable), ("b", State::Syncing)]),
        );
        assert_eq!(
            reasons(&back),
            [
                "NodeUnreachable a (was synced): unreachable: why",
                "NodeRecovered b (was stalled): syncing: why"
            ]
        );
        assert_eq!(back[1].0, Level::Normal);
        // Syncing to synced is no recovery: nothing was wrong.
        let fine = transitions(
            &mut seen,
            &report(&[("a", State::Synced), ("b", State::Synced)]),
        );
        assert_eq!(
            reasons(&fine),
            ["NodeRecovered a (was unreachable): synced: why"]
        );
        // A node gone from the file is forgotten.
        transitions(&mut seen, &report(&[("a", State::Synced)]));
        assert!(!seen.contains_key("b"));
    }
}

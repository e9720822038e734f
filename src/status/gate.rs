//! The replicas' readiness gate (`[replicas] readiness_gate`): each replica pod carries the
//! readiness gate [`CAUGHT_UP`]; the kubelet counts the pod Ready only while that condition is
//! `True`, and the endpoint controllers put only Ready pods in a Service's ready endpoints. This
//! module decides the condition from a status reading (pure, [`decide`]) and writes it on the pods
//! whose condition changes ([`sync`]). `opctl watch` runs it every status period; `opctl apply`
//! runs it while it waits for replicas, so an apply without a watcher still completes.
//!
//! Why a readiness gate rather than a label the Service selects on or a probe: a gate keeps the
//! pod in the Service's EndpointSlices as `ready: false` (visible, and the PodDisruptionBudget
//! treats it as unhealthy), needs no change of selectors, keeps the pod's own probes as they are,
//! and is the mechanism Kubernetes provides for an outside judge of readiness. A probe cannot
//! judge sync: op-node's RPC is JSON-RPC over POST and the images carry no client to ask it.

use std::collections::BTreeMap;

use super::judge::State;
use super::report::{NodeStatus, NodesReport};
use crate::cluster::conditions::PodCondition;
use crate::cluster::{Cluster, ClusterError};
use crate::render::{CAUGHT_UP, LABEL_CHAIN, LABEL_ROLE};

/// What a replica pod's gate condition should say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub pod: String,
    pub caught_up: bool,
    /// CamelCase, as Kubernetes condition reasons are.
    pub reason: &'static str,
    pub message: String,
}

/// A gate condition opctl wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub node: String,
    pub pod: String,
    /// What the condition said before (`None`: never written).
    pub was: Option<bool>,
    pub caught_up: bool,
    pub reason: &'static str,
    pub message: String,
}

/// Condition messages are kept short (the API allows 32 KiB; `kubectl describe` shows them whole).
const MESSAGE_MAX: usize = 512;

/// The gate condition of one replica: caught up only when its verdict is `synced` (within the
/// lag of the reference) and its execution client answers with a head that keeps up with
/// op-node's unsafe head, since the Service routes the execution client's RPC too.
pub fn decide(node: &NodeStatus, max_lag: u64) -> Decision {
    let v = &node.verdict;
    let (caught_up, reason) = match v.state {
        State::Synced => match (node.el.block_number, node.op_node.unsafe_l2) {
            (None, _) => (false, "ExecutionClientUnreachable"),
            (Some(head), Some(unsafe_l2)) if head.saturating_add(max_lag) < unsafe_l2.number => {
                (false, "ExecutionClientBehind")
            }
            _ => (true, "CaughtUp"),
        },
        State::Syncing => (false, "Syncing"),
        State::Stalled => (false, "Stalled"),
        State::FollowingSafeOnly => (false, "FollowingSafeOnly"),
        State::Unreachable => (false, "Unreachable"),
    };
    let mut message = v.line();
    if message.len() > MESSAGE_MAX {
        let mut cut = MESSAGE_MAX;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
    }
    Decision {
        pod: node.pod.clone(),
        caught_up,
        reason,
        message,
    }
}

/// The decisions for every replica of a reading.
pub fn decisions(report: &NodesReport) -> Vec<(String, Decision)> {
    report
        .nodes
        .iter()
        .filter(|n| n.role == "replica")
        .map(|n| (n.name.clone(), decide(n, report.sampling.max_lag_blocks)))
        .collect()
}

/// Whether a pod's gate needs writing: it is missing, or says the other thing, or gives a
/// different reason (except between `Syncing` and `Stalled`: a one-sample reading cannot tell
/// them apart, and the gate would be rewritten on every reading).
fn needs_write(current: Option<&PodCondition>, d: &Decision) -> bool {
    let behind = |r: &str| matches!(r, "Syncing" | "Stalled");
    match current {
        None => true,
        Some(c) => {
            let want = if d.caught_up { "True" } else { "False" };
            let reason = c.reason.as_deref().unwrap_or("");
            c.status != want || (reason != d.reason && !(behind(reason) && behind(d.reason)))
        }
    }
}

/// Readings in a row that must find a serving replica behind before it leaves the Service.
pub const STRIKES_TO_LEAVE: u32 = 2;

/// Whether a write the reading calls for goes ahead: taking a serving replica out needs
/// [`STRIKES_TO_LEAVE`] readings in a row (counted in `strikes` by pod UID); anything else at once.
fn confirmed(
    strikes: &mut BTreeMap<String, u32>,
    uid: &str,
    was: Option<bool>,
    caught_up: bool,
) -> bool {
    if was != Some(true) || caught_up {
        strikes.remove(uid);
        return true;
    }
    let n = strikes.entry(uid.to_string()).or_insert(0);
    *n += 1;
    if *n >= STRIKES_TO_LEAVE {
        strikes.remove(uid);
        true
    } else {
        false
    }
}

/// Whether a reading may take a serving replica out: not when it had no reference (the
/// sequencer did not answer and no `reference_rpc`: replicas are then judged by the clock, and a
/// sequencer outage would empty the RPC Service), and not when the node could not be read
/// because the Kubernetes API refused (a permission or proxy problem of the reader, not of the
/// node).
fn may_take_out(report: &NodesReport, node: &NodeStatus) -> bool {
    let refused = node
        .op_node
        .error
        .as_deref()
        .is_some_and(|e| e.contains("forbidden") || e.contains("HTTP 403"));
    report.reference.is_some() && !refused
}

/// Writes the gate condition on every replica pod of `chain` whose condition is missing or says
/// otherwise; returns what it wrote. `read_from`: unix seconds when the reading started; a pod
/// created since (a re-created pod of the same name) is left for the next reading, and each write
/// is bound to the UID of the pod listed, so a verdict never lands on a pod it was not about.
/// A serving replica is kept in when the reading cannot judge it ([`may_take_out`]).
///
/// `strikes` is the caller's memory between readings (pod UID → readings in a row that would take
/// it out): a serving replica leaves only after [`STRIKES_TO_LEAVE`] such readings, so one
/// that hovers at the lag does not flap in and out of the Service; joining is at once.
pub async fn sync(
    cluster: &Cluster,
    namespace: &str,
    chain: &str,
    report: &NodesReport,
    read_from: i64,
    strikes: &mut BTreeMap<String, u32>,
) -> Result<Vec<Change>, ClusterError> {
    let selector = format!("{LABEL_CHAIN}={chain},{LABEL_ROLE}=replica");
    let pods: BTreeMap<String, _> = cluster
        .pods_with_condition(namespace, &selector, CAUGHT_UP)
        .await?
        .into_iter()
        .map(|p| (p.name.clone(), p))
        .collect();
    let mut changes = Vec::new();
    for n in report.nodes.iter().filter(|n| n.role == "replica") {
        let d = decide(n, report.sampling.max_lag_blocks);
        let Some(pod) = pods.get(&d.pod) else {
            continue;
        };
        if pod.created.is_none_or(|c| c > read_from) || !needs_write(pod.gate.as_ref(), &d) {
            continue;
        }
        let was = pod.gate.as_ref().map(|c| c.status == "True");
        if was == Some(true) && !d.caught_up && !may_take_out(report, n) {
            continue;
        }
        if !confirmed(strikes, &pod.uid, was, d.caught_up) {
            continue;
        }
        cluster
            .set_pod_condition(
                namespace,
                &d.pod,
                &pod.uid,
                CAUGHT_UP,
                d.caught_up,
                was != Some(d.caught_up),
                d.reason,
                &d.message,
            )
            .await?;
        changes.push(Change {
            node: n.name.clone(),
            pod: d.pod,
            was,
            caught_up: d.caught_up,
            reason: d.reason,
            message: d.message,
        });
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::judge::Verdict;

    fn node(state: State, unsafe_l2: u64, el: Option<u64>) -> NodeStatus {
        let mut n = crate::status::report::example().nodes.remove(0);
        if let Some(r) = n.op_node.unsafe_l2.as_mut() {
            r.number = unsafe_l2;
        }
        n.el.block_number = el;
        n.el.reachable = el.is_some();
        n.verdict = Verdict {
            state,
            reason: "why".into(),
            since: None,
            blocks_per_minute: None,
        };
        n
    }

    #[test]
    fn only_a_synced_replica_whose_execution_client_keeps_up_is_caught_up() {
        let d = decide(&node(State::Synced, 100, Some(100)), 10);
        assert!(d.caught_up);
        assert_eq!(
            (d.reason, d.pod.as_str()),
            ("CaughtUp", "devnet-replica-0-0")
        );
        assert_eq!(
            decide(&node(State::Synced, 100, Some(95)), 10).reason,
            "CaughtUp"
        );
        let behind = decide(&node(State::Synced, 100, Some(50)), 10);
        assert_eq!(
            (behind.caught_up, behind.reason),
            (false, "ExecutionClientBehind")
        );
        let no_el = decide(&node(State::Synced, 100, None), 10);
        assert_eq!(
            (no_el.caught_up, no_el.reason),
            (false, "ExecutionClientUnreachable")
        );
        for (state, reason) in [
            (State::Syncing, "Syncing"),
            (State::Stalled, "Stalled"),
            (State::FollowingSafeOnly, "FollowingSafeOnly"),
            (State::Unreachable, "Unreachable"),
        ] {
            let d = decide(&node(state, 100, Some(100)), 10);
            assert_eq!((d.caught_up, d.reason), (false, reason));
        }
    }

    #[test]
    fn the_gate_is_rewritten_on_a_flip_or_a_new_reason_but_not_between_syncing_and_stalled() {
        let cond = |status: &str, reason: &str| PodCondition {
            status: status.into(),
            reason: Some(reason.into()),
        };
        let stalled = decide(&node(State::Stalled, 100, Some(100)), 10);
        let synced = decide(&node(State::Synced, 100, Some(100)), 10);
        assert!(needs_write(None, &stalled));
        assert!(!needs_write(Some(&cond("False", "Syncing")), &stalled));
        assert!(!needs_write(Some(&cond("False", "Stalled")), &stalled));
        assert!(needs_write(Some(&cond("False", "Unreachable")), &stalled));
        assert!(needs_write(Some(&cond("False", "Stalled")), &synced));
        assert!(!needs_write(Some(&cond("True", "CaughtUp")), &synced));
    }

    #[test]
    fn without_a_reference_or_when_the_api_refused_no_replica_is_taken_out() {
        let mut report = crate::status::report::example();
        let n = report.nodes[0].clone();
        assert!(may_take_out(&report, &n));
        let mut refused = n.clone();
        refused.op_node.error = Some("port 9545: forbidden: cannot create pods/proxy".to_string());
        assert!(!may_take_out(&report, &refused));
        report.reference = None;
        assert!(!may_take_out(&report, &n));
    }

    #[test]
    fn a_serving_replica_leaves_after_two_readings_in_a_row_and_joins_at_once() {
        let mut strikes = BTreeMap::new();
        // Serving, behind once, then caught up: stays; the count starts over.
        assert!(!confirmed(&mut strikes, "uid", Some(true), false));
        assert!(confirmed(&mut strikes, "uid", Some(true), true));
        assert!(!confirmed(&mut strikes, "uid", Some(true), false));
        // Behind twice in a row: leaves.
        assert!(confirmed(&mut strikes, "uid", Some(true), false));
        assert!(strikes.is_empty());
        // Joining, or a first write, is at once.
        assert!(confirmed(&mut strikes, "uid", Some(false), true));
        assert!(confirmed(&mut strikes, "new", None, false));
    }

    #[test]
    fn a_long_reason_is_cut_on_a_character_boundary() {
        let mut n = node(State::Syncing, 1, Some(1));
        n.verdict.reason = "é".repeat(600);
        let d = decide(&n, 10);
        assert!(d.message.len() <= MESSAGE_MAX);
        assert!(d.message.starts_with("syncing: é"));
    }
}

/// One chain's gates, as `opctl apply` keeps them while it waits.
#[derive(Debug)]
pub struct Keeper<'a> {
    chain: &'a crate::config::LoadedChain,
    strikes: std::sync::Mutex<BTreeMap<String, u32>>,
}

impl<'a> Keeper<'a> {
    /// `None` unless the chain file asks for the gate.
    pub fn for_chain(chain: &'a crate::config::LoadedChain) -> Option<Keeper<'a>> {
        let f = &chain.file;
        (f.replicas.enabled && f.replicas.readiness_gate).then(|| Keeper {
            chain,
            strikes: Default::default(),
        })
    }

    pub fn namespace(&self) -> &str {
        self.chain.namespace()
    }

    /// One reading of the chain's nodes (one sample: only "within the lag" matters here, against
    /// the sequencer or `[status] reference_rpc`) and the gate conditions it calls for, written.
    pub async fn tick(&self, cluster: &Cluster) -> Result<Vec<Change>, ClusterError> {
        let chain = self.chain;
        let settings = super::Settings {
            limits: super::Limits {
                interval: std::time::Duration::ZERO,
                rpc_timeout: std::time::Duration::from_secs(5),
                deadline: std::time::Duration::from_secs(10),
            },
            max_lag: chain.file.status.max_lag(),
        };
        let read_from = super::now_s() as i64;
        let reference = super::reference_url(chain, cluster).await;
        let report = super::nodes(cluster, chain, settings, reference).await;
        let mut strikes =
            std::mem::take(&mut *self.strikes.lock().unwrap_or_else(|e| e.into_inner()));
        let result = sync(
            cluster,
            chain.namespace(),
            &chain.file.chain.name,
            &report,
            read_from,
            &mut strikes,
        )
        .await;
        *self.strikes.lock().unwrap_or_else(|e| e.into_inner()) = strikes;
        result
    }
}

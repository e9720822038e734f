//! What the watch loop reports about itself: Prometheus series (prometheus-client) and health, kept
//! in a context struct the loop and the HTTP server share (no globals).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use prometheus_client::encoding::{prometheus_text, EncodeMetric, MetricEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Metric, Registry};

/// Upper bounds (seconds) of the pass-duration histogram buckets.
pub const DURATION_BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// How long the loop may go without a heartbeat before `/healthz` fails.
pub const HEARTBEAT_LIMIT: Duration = Duration::from_secs(120);

/// The `Content-Type` of [`Context::render`]'s text.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// Every series `/metrics` exposes, with its type and help text (the documented set).
pub const SERIES: [(&str, &str, &str); 28] = [
    ("opctl_watch_passes_total", "counter", "Reconcile passes that completed."),
    ("opctl_watch_pass_failures_total", "counter", "Reconcile passes that failed, by reason."),
    ("opctl_watch_pass_duration_seconds", "histogram", "Duration of reconcile passes, successful or not."),
    ("opctl_watch_objects_changed_total", "counter", "Objects written by the watcher, by operation."),
    ("opctl_watch_drift_corrections_total", "counter", "Drifted objects taken back (policy correct)."),
    ("opctl_watch_drift_reported_total", "counter", "Drifted or held objects reported and left alone (policy warn, failed checks, immutable fields)."),
    ("opctl_watch_last_success_timestamp_seconds", "gauge", "Unix time of the last successful pass."),
    ("opctl_watch_discoveries_total", "counter", "L1 re-discoveries, by result."),
    ("opctl_watch_l1_changes_total", "counter", "Discovered L1 values (addresses, roles, versions) that changed."),
    ("opctl_watch_l1_change_held", "gauge", "1 while an on-chain change is held (lock_policy hold, or checks fail)."),
    ("opctl_watch_check_failed", "gauge", "1 for each role check that fails against the newest discovery."),
    ("opctl_watch_leader", "gauge", "1 while this process holds the chain's lease and may write."),
    ("opctl_watch_triggers_total", "counter", "Reasons a pass was scheduled, by source."),
    ("opctl_watch_rollout_unfinished", "gauge", "1 for each workload whose rollout is not finished (a stalled rollout stays 1)."),
    ("opctl_node_head_block", "gauge", "L2 block number of each op-node head (unsafe, safe, finalized), per node."),
    ("opctl_node_lag_blocks", "gauge", "Blocks each head of a replica is behind the reference's same head."),
    ("opctl_node_l1_origin_lag_blocks", "gauge", "L1 blocks between op-node's L1 head and the L1 block its derivation is at."),
    ("opctl_node_execution_head_block", "gauge", "eth_blockNumber of the node's execution client."),
    ("opctl_node_peers", "gauge", "Connected peers, by client (op-node, op-node-gossip, execution)."),
    ("opctl_node_up", "gauge", "1 when the component (op-node, execution) answered the last reading."),
    ("opctl_node_state", "gauge", "1 for the node's verdict of the last reading (synced, syncing, stalled, following-safe-only, unreachable)."),
    ("opctl_node_blocks_per_minute", "gauge", "Unsafe-head progress between the two samples of the last reading."),
    ("opctl_node_caught_up", "gauge", "1 while a replica's readiness gate says caught up (with [replicas] readiness_gate)."),
    ("opctl_signer_balance_eth", "gauge", "L1 balance of each chain-operator role's signer (batcher, proposer, challenger), in ETH."),
    ("opctl_signer_low_balance", "gauge", "1 while a signer's balance is below [status] low_balance."),
    ("opctl_signer_nonce_gap", "gauge", "Pending minus latest nonce of a signer: transactions sent and not yet included."),
    ("opctl_signer_last_tx_age_seconds", "gauge", "Age of the latest L1 transaction of the batcher and the proposer (last batch, last proposal)."),
    ("opctl_challenger_games_in_progress", "gauge", "Dispute games in progress among the newest games of the DisputeGameFactory."),
];

/// One label beside `chain`.
type By = [(&'static str, String); 1];
/// Two labels beside `chain`.
type By2 = [(&'static str, String); 2];
/// No label beside `chain`: a family of at most one series, absent until first set.
type Unlabelled = [(&'static str, String); 0];

/// A block number or count as a gauge value (saturating: no chain is near 2^63).
fn gauge(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn by(key: &'static str, value: &str) -> By {
    [(key, value.to_string())]
}

/// The series, as handles into the registry that renders them.
#[derive(Debug)]
struct Series {
    passes: Counter,
    failures: Family<By, Counter>,
    duration: Histogram,
    objects_changed: Family<By, Counter>,
    drift_corrections: Counter,
    drift_reported: Counter,
    last_success: Family<Unlabelled, Gauge<f64, AtomicU64>>,
    discoveries: Family<By, Counter>,
    l1_changes: Counter,
    l1_held: Gauge,
    checks_failed: Family<By, Gauge>,
    rollouts: Family<By, Gauge>,
    leader: Gauge,
    triggers: Family<By, Counter>,
    node_head: Family<By2, Gauge>,
    node_lag: Family<By2, Gauge>,
    node_l1_lag: Family<By, Gauge>,
    node_el_head: Family<By, Gauge>,
    node_peers: Family<By2, Gauge>,
    node_up: Family<By2, Gauge>,
    node_state: Family<By2, Gauge>,
    node_rate: Family<By, Gauge<f64, AtomicU64>>,
    node_caught_up: Family<By, Gauge>,
    signer_balance: Family<By, Gauge<f64, AtomicU64>>,
    signer_low: Family<By, Gauge>,
    signer_nonce_gap: Family<By, Gauge>,
    signer_last_tx_age: Family<By, Gauge>,
    games_in_progress: Family<Unlabelled, Gauge>,
}

impl Series {
    /// Every series registered under its documented name, each labelled `chain`; `leader` also
    /// `identity`.
    fn register(chain: &str, identity: &str) -> (Registry, Series) {
        let s = Series {
            passes: Counter::default(),
            failures: Family::default(),
            duration: Histogram::new(DURATION_BUCKETS),
            objects_changed: Family::default(),
            drift_corrections: Counter::default(),
            drift_reported: Counter::default(),
            last_success: Family::default(),
            discoveries: Family::default(),
            l1_changes: Counter::default(),
            l1_held: Gauge::default(),
            checks_failed: Family::default(),
            rollouts: Family::default(),
            leader: Gauge::default(),
            triggers: Family::default(),
            node_head: Family::default(),
            node_lag: Family::default(),
            node_l1_lag: Family::default(),
            node_el_head: Family::default(),
            node_peers: Family::default(),
            node_up: Family::default(),
            node_state: Family::default(),
            node_rate: Family::default(),
            node_caught_up: Family::default(),
            signer_balance: Family::default(),
            signer_low: Family::default(),
            signer_nonce_gap: Family::default(),
            signer_last_tx_age: Family::default(),
            games_in_progress: Family::default(),
        };
        let mut registry =
            Registry::with_labels([("chain".into(), chain.to_string().into())].into_iter());
        let r = &mut registry;
        register(r, "opctl_watch_passes_total", s.passes.clone());
        register(r, "opctl_watch_pass_failures_total", s.failures.clone());
        register(r, "opctl_watch_pass_duration_seconds", s.duration.clone());
        register(
            r,
            "opctl_watch_objects_changed_total",
            s.objects_changed.clone(),
        );
        register(
            r,
            "opctl_watch_drift_corrections_total",
            s.drift_corrections.clone(),
        );
        register(
            r,
            "opctl_watch_drift_reported_total",
            s.drift_reported.clone(),
        );
        register(
            r,
            "opctl_watch_last_success_timestamp_seconds",
            s.last_success.clone(),
        );
        register(r, "opctl_watch_discoveries_total", s.discoveries.clone());
        register(r, "opctl_watch_l1_changes_total", s.l1_changes.clone());
        register(r, "opctl_watch_l1_change_held", s.l1_held.clone());
        register(r, "opctl_watch_check_failed", s.checks_failed.clone());
        register(r, "opctl_watch_triggers_total", s.triggers.clone());
        register(r, "opctl_watch_rollout_unfinished", s.rollouts.clone());
        register(r, "opctl_node_head_block", s.node_head.clone());
        register(r, "opctl_node_lag_blocks", s.node_lag.clone());
        register(r, "opctl_node_l1_origin_lag_blocks", s.node_l1_lag.clone());
        register(r, "opctl_node_execution_head_block", s.node_el_head.clone());
        register(r, "opctl_node_peers", s.node_peers.clone());
        register(r, "opctl_node_up", s.node_up.clone());
        register(r, "opctl_node_state", s.node_state.clone());
        register(r, "opctl_node_blocks_per_minute", s.node_rate.clone());
        register(r, "opctl_node_caught_up", s.node_caught_up.clone());
        register(r, "opctl_signer_balance_eth", s.signer_balance.clone());
        register(r, "opctl_signer_low_balance", s.signer_low.clone());
        register(r, "opctl_signer_nonce_gap", s.signer_nonce_gap.clone());
        register(
            r,
            "opctl_signer_last_tx_age_seconds",
            s.signer_last_tx_age.clone(),
        );
        register(
            r,
            "opctl_challenger_games_in_progress",
            s.games_in_progress.clone(),
        );
        let with_identity =
            r.sub_registry_with_label(("identity".into(), identity.to_string().into()));
        register(with_identity, "opctl_watch_leader", s.leader.clone());
        (registry, s)
    }
}

/// A series listed (`# HELP`, `# TYPE`) before it has a sample too, as every documented one is;
/// prometheus-client leaves out families without children.
#[derive(Debug)]
struct Listed<M>(M);

impl<M: EncodeMetric> EncodeMetric for Listed<M> {
    fn encode(&self, encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        self.0.encode(encoder)
    }

    fn metric_type(&self) -> MetricType {
        self.0.metric_type()
    }
}

/// Registers `metric` as the documented series `name`: prometheus-client adds a counter's `_total`
/// and the help text's final `.` itself.
fn register(registry: &mut Registry, name: &str, metric: impl Metric) {
    let (_, kind, help) = SERIES
        .iter()
        .find(|(n, _, _)| *n == name)
        .copied()
        .unwrap_or((name, "", ""));
    let name = match kind {
        "counter" => name.strip_suffix("_total").unwrap_or(name),
        _ => name,
    };
    registry.register(name, help.strip_suffix('.').unwrap_or(help), Listed(metric));
}

/// Health as `/healthz` and `/readyz` see it.
#[derive(Debug)]
struct Health {
    heartbeat: Instant,
    last_pass: Option<Result<(), String>>,
    lease: Result<Option<String>, String>,
}

/// Shared by the loop, the lease task, the L1 task and the HTTP server.
#[derive(Debug)]
pub struct Context {
    pub chain: String,
    pub identity: String,
    registry: Registry,
    series: Series,
    health: Mutex<Health>,
}

/// An answer of `/healthz` or `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub ok: bool,
    pub body: String,
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl Context {
    pub fn new(chain: &str, identity: &str) -> Self {
        let (registry, series) = Series::register(chain, identity);
        Context {
            chain: chain.to_string(),
            identity: identity.to_string(),
            registry,
            series,
            health: Mutex::new(Health {
                heartbeat: Instant::now(),
                last_pass: None,
                lease: Err("the lease has not been read yet".into()),
            }),
        }
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The loop is alive.
    pub fn heartbeat(&self) {
        self.health().heartbeat = Instant::now();
    }

    /// A pass completed: `changed` counts written objects per operation.
    pub fn pass_succeeded(
        &self,
        took: Duration,
        changed: &BTreeMap<String, u64>,
        corrected: u64,
        reported: u64,
    ) {
        let s = &self.series;
        s.passes.inc();
        s.duration.observe(took.as_secs_f64());
        for (op, n) in changed {
            s.objects_changed.get_or_create(&by("op", op)).inc_by(*n);
        }
        s.drift_corrections.inc_by(corrected);
        s.drift_reported.inc_by(reported);
        s.last_success.get_or_create(&[]).set(unix_now());
        self.health().last_pass = Some(Ok(()));
    }

    /// A pass failed for `reason` (a short kebab-case word, see `reason_of`).
    pub fn pass_failed(&self, took: Duration, reason: &str, message: &str) {
        self.series
            .failures
            .get_or_create(&by("reason", reason))
            .inc();
        self.series.duration.observe(took.as_secs_f64());
        self.health().last_pass = Some(Err(format!("{reason}: {message}")));
    }

    /// A failure outside a pass (an invalid chain file on reload): counted, and readiness says why,
    /// but no pass duration is observed.
    pub fn failed(&self, reason: &str, message: &str) {
        self.series
            .failures
            .get_or_create(&by("reason", reason))
            .inc();
        self.health().last_pass = Some(Err(format!("{reason}: {message}")));
    }

    /// Objects written by a pass that then failed part-way.
    pub fn objects_written(&self, op: &str, n: u64) {
        self.series
            .objects_changed
            .get_or_create(&by("op", op))
            .inc_by(n);
    }

    pub fn discovery(&self, ok: bool) {
        let result = if ok { "success" } else { "failure" };
        self.series
            .discoveries
            .get_or_create(&by("result", result))
            .inc();
    }

    pub fn l1_changed(&self, n: u64) {
        self.series.l1_changes.inc_by(n);
    }

    pub fn set_l1_held(&self, held: bool) {
        self.series.l1_held.set(i64::from(held));
    }

    pub fn set_checks_failed(&self, failed: BTreeSet<String>) {
        let checks = &self.series.checks_failed;
        checks.clear();
        for check in &failed {
            checks.get_or_create(&by("check", check)).set(1);
        }
    }

    /// The workloads (`Kind/name`) whose rollout is unfinished now; the others drop out.
    pub fn set_rollouts_unfinished(&self, workloads: BTreeSet<String>) {
        let family = &self.series.rollouts;
        family.clear();
        for w in &workloads {
            family.get_or_create(&by("workload", w)).set(1);
        }
    }

    /// The measurements of the last node reading; nodes it does not name drop out.
    pub fn set_nodes(&self, report: &crate::status::NodesReport) {
        let s = &self.series;
        s.node_head.clear();
        s.node_lag.clear();
        s.node_l1_lag.clear();
        s.node_el_head.clear();
        s.node_peers.clear();
        s.node_up.clear();
        s.node_state.clear();
        s.node_rate.clear();
        let two = |node: &str, key: &'static str, value: &str| -> By2 {
            [("node", node.to_string()), (key, value.to_string())]
        };
        for n in &report.nodes {
            let node = n.name.as_str();
            let o = &n.op_node;
            for (head, r) in [
                ("unsafe", o.unsafe_l2),
                ("safe", o.safe_l2),
                ("finalized", o.finalized_l2),
            ] {
                if let Some(r) = r {
                    s.node_head
                        .get_or_create(&two(node, "head", head))
                        .set(gauge(r.number));
                }
            }
            if let Some(lag) = n.lag {
                for (head, v) in [
                    ("unsafe", Some(lag.unsafe_l2)),
                    ("safe", lag.safe_l2),
                    ("finalized", lag.finalized_l2),
                ] {
                    if let Some(v) = v {
                        s.node_lag
                            .get_or_create(&two(node, "head", head))
                            .set(gauge(v));
                    }
                }
            }
            if let Some(v) = o.l1_origin_lag {
                s.node_l1_lag.get_or_create(&by("node", node)).set(gauge(v));
            }
            if let Some(v) = n.el.block_number {
                s.node_el_head
                    .get_or_create(&by("node", node))
                    .set(gauge(v));
            }
            for (client, v) in [
                ("op-node", o.peers),
                ("op-node-gossip", o.gossip_peers),
                ("execution", n.el.peers),
            ] {
                if let Some(v) = v {
                    s.node_peers
                        .get_or_create(&two(node, "client", client))
                        .set(gauge(v));
                }
            }
            for (client, up) in [("op-node", o.reachable), ("execution", n.el.reachable)] {
                s.node_up
                    .get_or_create(&two(node, "client", client))
                    .set(i64::from(up));
            }
            for state in crate::status::judge::State::ALL {
                s.node_state
                    .get_or_create(&two(node, "state", state.as_str()))
                    .set(i64::from(n.verdict.state == state));
            }
            if let Some(rate) = n.verdict.blocks_per_minute {
                s.node_rate.get_or_create(&by("node", node)).set(rate);
            }
        }
    }

    /// The chain-operator roles of the last L1 reading; a role it does not name drops out.
    pub fn set_operators(&self, report: &crate::status::operators::OperatorsReport) {
        let s = &self.series;
        s.signer_balance.clear();
        s.signer_low.clear();
        s.signer_nonce_gap.clear();
        s.signer_last_tx_age.clear();
        s.games_in_progress.clear();
        for r in &report.roles {
            if let Some(n) = r.games.as_ref().and_then(|g| g.in_progress) {
                s.games_in_progress.get_or_create(&[]).set(gauge(n));
            }
            let role = by("role", r.role.as_str());
            let balance = r
                .balance_wei
                .as_deref()
                .and_then(|w| w.parse::<alloy::primitives::U256>().ok());
            if let Some(wei) = balance {
                // f64 is exact enough for a balance gauge (15 significant digits).
                let eth = f64::from(wei) / 1e18;
                s.signer_balance.get_or_create(&role).set(eth);
            }
            if let Some(low) = r.low {
                s.signer_low.get_or_create(&role).set(i64::from(low));
            }
            if let Some(gap) = r.nonce_gap {
                s.signer_nonce_gap.get_or_create(&role).set(gauge(gap));
            }
            if let Some(age) = r.last_tx.as_ref().and_then(|t| t.age_s) {
                s.signer_last_tx_age.get_or_create(&role).set(gauge(age));
            }
        }
    }

    /// The readiness gate of each replica as last written or confirmed.
    pub fn set_caught_up(&self, node: &str, caught_up: bool) {
        self.series
            .node_caught_up
            .get_or_create(&by("node", node))
            .set(i64::from(caught_up));
    }

    pub fn set_leader(&self, leader: bool) {
        self.series.leader.set(i64::from(leader));
    }

    pub fn is_leader(&self) -> bool {
        self.series.leader.get() == 1
    }

    /// The last lease read: `Ok(holder)` or why it failed.
    pub fn set_lease(&self, lease: Result<Option<String>, String>) {
        self.health().lease = lease;
    }

    pub fn trigger(&self, source: &str) {
        self.series
            .triggers
            .get_or_create(&by("source", source))
            .inc();
    }

    /// `/healthz`: the loop is not stuck.
    pub fn healthz(&self) -> Probe {
        let age = self.health().heartbeat.elapsed();
        if age <= HEARTBEAT_LIMIT {
            Probe {
                ok: true,
                body: "ok\n".into(),
            }
        } else {
            Probe {
                ok: false,
                body: format!("the watch loop has not run for {}s\n", age.as_secs()),
            }
        }
    }

    /// `/readyz`: the leader's last pass succeeded, or a standby can read the lease.
    pub fn readyz(&self) -> Probe {
        let leader = self.is_leader();
        let h = self.health();
        readiness(leader, h.last_pass.as_ref(), &h.lease)
    }

    /// Prometheus text format (version 0.0.4), see [`CONTENT_TYPE`].
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing to a String does not fail.
        let _ = prometheus_text::encode(&mut text, &self.registry);
        text
    }
}

fn readiness(
    leader: bool,
    last_pass: Option<&Result<(), String>>,
    lease: &Result<Option<String>, String>,
) -> Probe {
    let (ok, body) = match (leader, last_pass, lease) {
        (true, Some(Ok(())), _) => (true, "ok: leader; the last pass succeeded".to_string()),
        (true, Some(Err(why)), _) => (false, format!("the last pass failed: {why}")),
        (true, None, _) => (false, "starting: no pass has completed yet".to_string()),
        (false, _, Ok(holder)) => (
            true,
            format!(
                "ok: standby; the lease is held by {}",
                holder.as_deref().unwrap_or("nobody")
            ),
        ),
        (false, _, Err(why)) => (false, format!("standby; cannot read the lease: {why}")),
    };
    Probe {
        ok,
        body: format!("{body}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_reading_becomes_one_series_per_measurement_and_its_state_is_one_hot() {
        let ctx = Context::new("devnet", "pod-1");
        ctx.set_nodes(&crate::status::report::example());
        ctx.set_caught_up("devnet-replica-0", false);
        let text = ctx.render();
        for expected in [
            "opctl_node_head_block{chain=\"devnet\",node=\"devnet-replica-0\",head=\"safe\"} 940\n",
            "opctl_node_lag_blocks{chain=\"devnet\",node=\"devnet-replica-0\",head=\"unsafe\"} 50\n",
            "opctl_node_l1_origin_lag_blocks{chain=\"devnet\",node=\"devnet-replica-0\"} 3\n",
            "opctl_node_execution_head_block{chain=\"devnet\",node=\"devnet-replica-0\"} 1000\n",
            "opctl_node_peers{chain=\"devnet\",node=\"devnet-replica-0\",client=\"op-node-gossip\"} 4\n",
            "opctl_node_peers{chain=\"devnet\",node=\"devnet-replica-0\",client=\"execution\"} 12\n",
            "opctl_node_up{chain=\"devnet\",node=\"devnet-replica-0\",client=\"op-node\"} 1\n",
            "opctl_node_state{chain=\"devnet\",node=\"devnet-replica-0\",state=\"syncing\"} 1\n",
            "opctl_node_state{chain=\"devnet\",node=\"devnet-replica-0\",state=\"synced\"} 0\n",
            "opctl_node_blocks_per_minute{chain=\"devnet\",node=\"devnet-replica-0\"} 600.0\n",
            "opctl_node_caught_up{chain=\"devnet\",node=\"devnet-replica-0\"} 0\n",
        ] {
            assert!(text.contains(expected), "{expected}in\n{text}");
        }
        ctx.set_operators(&crate::status::operators::example());
        let text = ctx.render();
        for expected in [
            "opctl_signer_balance_eth{chain=\"devnet\",role=\"batcher\"} 0.05\n",
            "opctl_signer_low_balance{chain=\"devnet\",role=\"batcher\"} 1\n",
            "opctl_signer_low_balance{chain=\"devnet\",role=\"challenger\"} 0\n",
            "opctl_signer_nonce_gap{chain=\"devnet\",role=\"batcher\"} 2\n",
            "opctl_signer_last_tx_age_seconds{chain=\"devnet\",role=\"batcher\"} 125\n",
            "opctl_challenger_games_in_progress{chain=\"devnet\"} 3\n",
        ] {
            assert!(text.contains(expected), "{expected}in\n{text}");
        }
        // A node gone from the next reading drops out.
        let mut empty = crate::status::report::example();
        empty.nodes.clear();
        ctx.set_nodes(&empty);
        assert!(!ctx.render().contains("opctl_node_head_block{"));
    }

    #[test]
    fn every_documented_series_is_rendered_with_help_and_type() {
        let ctx = Context::new("devnet", "pod-1");
        ctx.pass_succeeded(
            Duration::from_millis(300),
            &BTreeMap::from([("create".to_string(), 3)]),
            1,
            0,
        );
        ctx.pass_failed(
            Duration::from_secs(2),
            "api-unreachable",
            "connection refused",
        );
        ctx.discovery(true);
        ctx.l1_changed(2);
        ctx.set_l1_held(true);
        ctx.set_checks_failed(BTreeSet::from(["batcher-key".to_string()]));
        ctx.set_leader(true);
        ctx.trigger("watch");
        let text = ctx.render();
        for (name, kind, _) in SERIES {
            assert!(
                text.contains(&format!("# TYPE {name} {kind}\n")),
                "{name}:\n{text}"
            );
        }
        for expected in [
            "opctl_watch_passes_total{chain=\"devnet\"} 1\n",
            "opctl_watch_pass_failures_total{chain=\"devnet\",reason=\"api-unreachable\"} 1\n",
            "opctl_watch_pass_duration_seconds_bucket{chain=\"devnet\",le=\"0.5\"} 1\n",
            "opctl_watch_pass_duration_seconds_bucket{chain=\"devnet\",le=\"2.5\"} 2\n",
            "opctl_watch_pass_duration_seconds_bucket{chain=\"devnet\",le=\"+Inf\"} 2\n",
            "opctl_watch_pass_duration_seconds_count{chain=\"devnet\"} 2\n",
            "opctl_watch_objects_changed_total{chain=\"devnet\",op=\"create\"} 3\n",
            "opctl_watch_drift_corrections_total{chain=\"devnet\"} 1\n",
            "opctl_watch_discoveries_total{chain=\"devnet\",result=\"success\"} 1\n",
            "opctl_watch_l1_changes_total{chain=\"devnet\"} 2\n",
            "opctl_watch_l1_change_held{chain=\"devnet\"} 1\n",
            "opctl_watch_check_failed{chain=\"devnet\",check=\"batcher-key\"} 1\n",
            "opctl_watch_leader{chain=\"devnet\",identity=\"pod-1\"} 1\n",
            "opctl_watch_triggers_total{chain=\"devnet\",source=\"watch\"} 1\n",
        ] {
            assert!(text.contains(expected), "{expected}in\n{text}");
        }
        assert!(text.contains("opctl_watch_last_success_timestamp_seconds{chain=\"devnet\"} 1"));
    }

    #[test]
    fn label_values_are_escaped() {
        let text = Context::new("a\"b\\c\nd", "i").render();
        assert!(
            text.contains("opctl_watch_passes_total{chain=\"a\\\"b\\\\c\\nd\"} 0\n"),
            "{text}"
        );
    }

    #[test]
    fn series_without_samples_are_listed_and_checks_that_pass_again_disappear() {
        let ctx = Context::new("devnet", "pod-1");
        let text = ctx.render();
        for (name, kind, help) in SERIES {
            assert!(text.contains(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n")));
        }
        assert!(!text.contains("opctl_watch_last_success_timestamp_seconds{"));
        ctx.set_checks_failed(BTreeSet::from(["a".to_string(), "b".to_string()]));
        ctx.set_checks_failed(BTreeSet::from(["b".to_string()]));
        let text = ctx.render();
        assert!(!text.contains("check=\"a\""), "{text}");
        assert!(text.contains("opctl_watch_check_failed{chain=\"devnet\",check=\"b\"} 1\n"));
    }

    #[test]
    fn a_leader_is_ready_after_a_good_pass_and_a_standby_while_it_reads_the_lease() {
        let ok: Result<(), String> = Ok(());
        let failed: Result<(), String> = Err("forbidden: cannot patch".into());
        assert!(!readiness(true, None, &Ok(None)).ok);
        assert!(readiness(true, Some(&ok), &Ok(None)).ok);
        let r = readiness(true, Some(&failed), &Ok(None));
        assert!(!r.ok && r.body.contains("forbidden"), "{r:?}");
        let s = readiness(false, None, &Ok(Some("pod-2".into())));
        assert!(s.ok && s.body.contains("pod-2"), "{s:?}");
        assert!(!readiness(false, None, &Err("connection refused".into())).ok);
    }

    #[test]
    fn health_fails_only_when_the_loop_stops_beating() {
        let ctx = Context::new("c", "i");
        assert!(ctx.healthz().ok);
        if let Some(old) = Instant::now().checked_sub(HEARTBEAT_LIMIT + Duration::from_secs(1)) {
            ctx.health().heartbeat = old;
            assert!(!ctx.healthz().ok);
        }
        ctx.heartbeat();
        assert!(ctx.healthz().ok);
    }
}

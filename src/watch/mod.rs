//! `opctl watch`: the reconcile pass of `opctl apply` (`reconcile::plan_chain` then
//! `reconcile::apply_plan`), run in a loop. It runs when the chain's objects change (watch streams,
//! debounced), when the chain file or its lock file change, on a resync timer, and after an L1
//! re-discovery. Only the holder of the chain's Lease writes. Errors back off and never end the
//! process; SIGTERM/SIGINT finish or abandon the current pass, release the lease and return.
//!
//! What the loop decides beyond `apply` (which changes are drift, which roles are held, what is
//! reported) is in [`policy`], pure; the edges are [`lease`], [`triggers`], [`l1`], [`events`],
//! and [`http`] with [`metrics`].

pub mod events;
pub mod http;
pub mod l1;
pub mod lease;
pub mod metrics;
pub mod nodes;
pub mod triggers;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use kube::runtime::utils::Backoff as _;
use kube::runtime::watcher::ExponentialBackoff;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::cluster::{Cluster, ClusterError, ObjectRef};
use crate::config::{LoadedChain, LockPolicy};
use crate::error::Error;
use crate::lock::Lock;
use crate::model::discovery::Discovery;
use crate::plan::Op;
use crate::reconcile::{self, ChainInput, Inputs};
use crate::render;

use crate::plan::policy::{self, Decision, Held, Memory};
use events::Level;
use metrics::Context;
use triggers::Trigger;

/// A condition the loop waits for (namespace, lease, RPC, permissions) is logged at most this
/// often at info level.
pub const WAIT_LOG_EVERY: Duration = Duration::from_secs(5);
/// Triggers closer together than this are one pass.
pub const DEBOUNCE: Duration = Duration::from_millis(200);
/// A pass that takes longer is abandoned (and retried).
pub const PASS_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a running pass may go on after SIGTERM before it is abandoned.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);
/// The first and the longest delay before a failed pass is retried.
const PASS_RETRY: (Duration, Duration) = (Duration::from_millis(500), Duration::from_secs(4));
/// Passes that wrote something are followed by another (to converge, e.g. onto the sequencer's
/// peer ID) at most this many times in a row.
const MAX_FOLLOWUPS: u32 = 3;

/// Settings of one `opctl watch` process (flags already resolved; the chain file's `[watch]` is
/// re-read with the file).
#[derive(Debug, Clone)]
pub struct Options {
    pub chain_path: PathBuf,
    /// Where `/healthz`, `/readyz` and `/metrics` listen; `None`: nowhere.
    pub listen: Option<SocketAddr>,
    /// Name in the lease (the pod name in a cluster).
    pub identity: String,
    pub lease_duration: Duration,
    /// Overrides `[watch] resync`.
    pub resync: Option<Duration>,
    /// Overrides `[watch] rediscover`.
    pub rediscover: Option<Duration>,
    /// Overrides `l1.rpc_url` for re-discovery.
    pub l1_rpc_url: Option<String>,
    /// How often the nodes are read (metrics, Events, readiness gate); zero: never.
    pub node_status_every: Duration,
    /// How often the operator roles are read on L1 (metrics, Events); zero: never.
    pub operator_status_every: Duration,
}

/// Capped exponential backoff with jitter, the one used for every retry of the watcher (passes, L1
/// re-discovery, lease calls, watch streams): kube-runtime's, built on `backon`. The n-th delay
/// is `initial * 2^n`, at most `max`, shortened by a random share of up to half so that replicas
/// and streams do not retry in lockstep (`backon` adds up to 100% to a delay, so it starts from
/// half of each bound). `reset` after a success.
pub fn backoff(initial: Duration, max: Duration) -> ExponentialBackoff {
    backon::ExponentialBuilder::default()
        .with_min_delay(initial / 2)
        .with_max_delay(max / 2)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
        .into()
}

/// Loads and validates the chain file (with the command line's overrides).
pub type Loader = Box<dyn Fn(&Path) -> Result<LoadedChain, Error> + Send + Sync>;

/// Short kebab-case cause of a failed pass, for the failure metric.
pub fn reason_of(e: &Error) -> &'static str {
    match e {
        Error::Cluster(c) => match c {
            ClusterError::Unreachable { .. } => "api-unreachable",
            ClusterError::Forbidden { .. } => "forbidden",
            ClusterError::Conflict { .. } => "conflict",
            ClusterError::Invalid { .. } => "invalid",
            ClusterError::NotServed { .. } => "not-served",
            ClusterError::ServerTooOld { .. } | ClusterError::UnknownServerVersion { .. } => {
                "unsupported-kubernetes"
            }
            ClusterError::Config { .. } => "kubeconfig",
            ClusterError::NotFound { .. } => "not-found",
            ClusterError::Api { .. } => "api-error",
        },
        Error::Partial { source, .. } => reason_of(source),
        Error::Config(_) => "chain-file",
        Error::Render { .. } => "render",
        Error::EnvMissing { .. } => "env",
        Error::Timeout { .. } => "timeout",
        Error::Lock(_) | Error::LockMismatch { .. } => "lock",
        Error::Discovery(_) | Error::Rpc(_) => "rpc",
        Error::PruneRefused { .. } => "prune-refused",
        _ => "other",
    }
}

/// Create the chain's namespace when it does not exist, retrying until it does; what it waits for
/// is logged at info level, at most every [`WAIT_LOG_EVERY`]. A watcher that may not read
/// namespaces (the rendered Role is namespaced) goes on to the lease, which says what it lacks.
async fn ensure_namespace(cluster: &Cluster, namespace: &str) {
    let object = serde_json::to_value(render::namespace_object(namespace)).unwrap_or_default();
    let r = ObjectRef::of(&object);
    let cap = Duration::from_secs(5);
    let mut backoff = backoff(Duration::from_millis(200), cap);
    let mut last_log: Option<Instant> = None;
    loop {
        // Read first: a watcher with only its rendered Role may get its namespace but not create one.
        let waiting = match cluster.get(&r).await {
            Ok(Some(_)) | Err(ClusterError::Forbidden { .. }) => return,
            Ok(None) => match cluster.create_if_absent(&object).await {
                Ok(created) => {
                    if created {
                        tracing::info!(namespace, "created the chain's namespace");
                    }
                    return;
                }
                Err(e) => {
                    format!("cannot create the chain's namespace (the lease lives there): {e}")
                }
            },
            Err(e) => format!("cannot read the chain's namespace: {e}"),
        };
        if last_log.is_none_or(|t| t.elapsed() >= WAIT_LOG_EVERY) {
            tracing::info!(namespace, "waiting: {waiting}");
            last_log = Some(Instant::now());
        }
        tokio::time::sleep(backoff.next().unwrap_or(cap)).await;
    }
}

/// `after` from `at`; a deadline past what an `Instant` holds becomes about 30 years away (tokio's
/// own cap for timers), so no interval overflows.
fn deadline(at: Instant, after: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(30 * 365 * 24 * 3600);
    at.checked_add(after)
        .or_else(|| at.checked_add(FAR))
        .unwrap_or(at)
}

/// `after` from now (see [`deadline`]).
fn later(after: Duration) -> Instant {
    deadline(Instant::now(), after)
}

/// Files whose change reloads the chain.
fn watched_files(chain: &LoadedChain) -> Vec<PathBuf> {
    let base = chain.path.parent().unwrap_or(Path::new("."));
    let mut files = vec![chain.path.clone(), Lock::path_for(&chain.path)];
    for rel in [&chain.file.chain.rollup_config, &chain.file.chain.genesis]
        .into_iter()
        .flatten()
    {
        files.push(base.join(rel));
    }
    files
}

fn describe(objects: &[String]) -> String {
    const SHOWN: usize = 6;
    let mut text = objects
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if objects.len() > SHOWN {
        text.push_str(&format!("; and {} more", objects.len() - SHOWN));
    }
    text
}

/// What the loop knows about L1.
#[derive(Debug, Default)]
struct L1State {
    /// The newest successful discovery: what the chain authorises now.
    latest: Option<Discovery>,
    /// The last discovery changes were reported against.
    seen: Option<Lock>,
    /// A discovery rendered from instead of the lock file (`lock_policy = "apply"`).
    adopted: Option<Discovery>,
    /// An on-chain change the lock file does not record yet (`lock_policy = "hold"`).
    hold_pending: bool,
    failing: bool,
}

/// Names of the failed checks.
fn failed_checks(checks: &[crate::model::checks::CheckResult]) -> BTreeSet<String> {
    checks
        .iter()
        .filter(|c| c.is_failure())
        .map(|c| c.name.to_string())
        .collect()
}

/// Sets the check and hold gauges as soon as the pass has checked, before it writes: whoever sees
/// a write of this pass sees the gauges of the same pass.
struct Gauges<'a> {
    ctx: &'a Context,
    hold_pending: bool,
}

impl reconcile::Observer for Gauges<'_> {
    fn planned(&self, chains: &[reconcile::ChainOutcome]) {
        let failed = chains
            .iter()
            .flat_map(|c| failed_checks(&c.checks))
            .collect();
        self.ctx.set_checks_failed(failed);
        let held = chains.iter().any(|c| !c.held_roles().is_empty());
        self.ctx.set_l1_held(self.hold_pending || held);
        let mut unfinished = BTreeSet::new();
        for r in chains.iter().flat_map(|c| &c.plan.rollouts) {
            unfinished.insert(format!("{}/{}", r.object.kind, r.object.name));
            let pods = r
                .pods
                .iter()
                .map(|p| format!("pod {}: {}", p.pod, p.problem))
                .collect::<Vec<_>>()
                .join("; ");
            tracing::warn!(
                workload = %r.object,
                state = %r.state,
                pods = %pods,
                "rollout unfinished"
            );
        }
        self.ctx.set_rollouts_unfinished(unfinished);
    }
}

/// What one successful pass did.
struct PassOutcome {
    decision: Decision,
    written: usize,
    deleted: usize,
    /// Objects applied that were not drift (the chain file or L1 changed them).
    changed: Vec<String>,
}

/// The loop's state; one pass at a time.
struct Loop {
    cluster: Cluster,
    opts: Options,
    load: Loader,
    ctx: Arc<Context>,
    chain: Arc<LoadedChain>,
    chain_tx: watch::Sender<Arc<LoadedChain>>,
    files_tx: watch::Sender<Vec<PathBuf>>,
    events: mpsc::UnboundedSender<(Level, String, String)>,
    triggers_tx: mpsc::UnboundedSender<Trigger>,
    secret_watch: (Vec<String>, Vec<JoinHandle<()>>),
    memory: Memory,
    l1: L1State,
    failed_checks: BTreeSet<String>,
    served: bool,
}

impl Loop {
    fn event(&self, level: Level, reason: &str, message: String) {
        let _ = self.events.send((level, reason.to_string(), message));
    }

    /// Never zero (a zero resync would spin the loop), whoever built `Options`.
    fn resync(&self) -> Duration {
        let resync = self
            .opts
            .resync
            .unwrap_or_else(|| self.chain.file.watch.resync());
        crate::config::duration::RESYNC.clamp(resync)
    }

    /// Re-read the chain file after a change on disk; an invalid file keeps the last good one.
    fn reload(&mut self) {
        match (self.load)(&self.opts.chain_path) {
            Ok(new) => {
                if new.file.chain.name != self.chain.file.chain.name
                    || new.namespace() != self.chain.namespace()
                {
                    let msg = format!(
                        "{}: the chain name or namespace changed ({} in {} -> {} in {}); restart the watcher to follow it. Still reconciling the previous file",
                        self.opts.chain_path.display(),
                        self.chain.file.chain.name,
                        self.chain.namespace(),
                        new.file.chain.name,
                        new.namespace()
                    );
                    tracing::error!("{msg}");
                    self.event(Level::Warning, "ChainFileRejected", msg);
                    return;
                }
                let chain = Arc::new(new);
                tracing::info!(file = %self.opts.chain_path.display(), "chain file reloaded");
                self.files_tx.send_replace(watched_files(&chain));
                self.chain_tx.send_replace(chain.clone());
                self.chain = chain;
                self.recheck_hold();
            }
            Err(e) => {
                let msg = format!("{e}\nstill reconciling the last valid version of the file");
                tracing::error!("{msg}");
                self.ctx.failed("chain-file", &e.to_string());
                self.event(Level::Warning, "ChainFileInvalid", msg);
            }
        }
    }

    /// Whether the lock file on disk still lacks an on-chain change (policy `hold`).
    fn recheck_hold(&mut self) {
        let was = self.l1.hold_pending;
        self.l1.hold_pending = match (&self.l1.seen, self.chain.file.watch.lock_policy) {
            (Some(seen), LockPolicy::Hold) => match Lock::read(&Lock::path_for(&self.chain.path)) {
                Ok(Some(disk)) => !Lock::diff(&disk, seen).is_empty(),
                _ => false,
            },
            _ => false,
        };
        if was && !self.l1.hold_pending {
            self.event(
                Level::Normal,
                "L1ChangeAdopted",
                "the lock file now records the on-chain state".into(),
            );
        }
    }

    fn on_l1(&mut self, found: l1::Found) -> bool {
        match found {
            l1::Found::Lock { lock, rpc } => {
                self.ctx.discovery(true);
                if self.l1.failing {
                    tracing::info!(rpc = %rpc, "L1 re-discovery works again");
                }
                self.l1.failing = false;
                let path = Lock::path_for(&self.chain.path);
                let disk = Lock::read(&path).ok().flatten();
                let first = self.l1.seen.is_none();
                let baseline = self.l1.seen.clone().or_else(|| disk.clone());
                let changes = baseline.map(|b| Lock::diff(&b, &lock)).unwrap_or_default();
                let block = lock
                    .discovery
                    .block
                    .map(|b| b.number.to_string())
                    .unwrap_or_else(|| "?".into());
                if !changes.is_empty() {
                    self.ctx.l1_changed(changes.len() as u64);
                    let list: Vec<String> = changes.iter().map(ToString::to_string).collect();
                    let msg = format!(
                        "L1 changed (read at block {block} from {rpc}): {}",
                        describe(&list)
                    );
                    tracing::warn!("{msg}");
                    self.event(Level::Warning, "L1Changed", msg);
                }
                self.l1.latest = Some(lock.discovery.clone());
                self.l1.seen = Some((*lock).clone());
                match self.chain.file.watch.lock_policy {
                    LockPolicy::Apply => {
                        self.l1.adopted = Some(lock.discovery.clone());
                        self.l1.hold_pending = false;
                        if !changes.is_empty() {
                            self.event(
                                Level::Normal,
                                "L1ChangeApplied",
                                "lock_policy = \"apply\": rendering from the new on-chain values; roles whose key check fails stay held".into(),
                            );
                        }
                    }
                    LockPolicy::Hold => {
                        let pending = disk
                            .as_ref()
                            .map(|d| Lock::diff(d, &lock))
                            .unwrap_or_default();
                        self.l1.hold_pending = !pending.is_empty();
                        if self.l1.hold_pending && (first || !changes.is_empty()) {
                            let msg = format!(
                                "held: lock_policy = \"hold\" and {} still records the previous values ({}); run `opctl discover {}` and roll the new lock file out to adopt them",
                                path.display(),
                                describe(&pending.iter().map(ToString::to_string).collect::<Vec<_>>()),
                                self.chain.path.display()
                            );
                            tracing::warn!("{msg}");
                            self.event(Level::Warning, "L1ChangeHeld", msg);
                        }
                    }
                }
                first || !changes.is_empty()
            }
            l1::Found::Failed { message } => {
                self.ctx.discovery(false);
                if !self.l1.failing {
                    let msg = format!(
                        "L1 re-discovery failed; rendering from the last good lock file meanwhile: {message}"
                    );
                    tracing::warn!("{msg}");
                    self.event(Level::Warning, "L1DiscoveryFailed", msg);
                }
                self.l1.failing = true;
                false
            }
            l1::Found::Unavailable { why } => {
                tracing::info!("L1 re-discovery is off: {why}");
                false
            }
        }
    }

    /// Start or replace the per-name Secret watches when the set of names changed.
    fn watch_secrets(&mut self, mut names: Vec<String>) {
        names.sort();
        names.dedup();
        if names == self.secret_watch.0 {
            return;
        }
        for h in self.secret_watch.1.drain(..) {
            h.abort();
        }
        let handles = triggers::spawn_secrets(
            &self.cluster,
            self.chain.namespace(),
            &names,
            &self.triggers_tx,
        );
        self.secret_watch = (names, handles);
    }

    /// One reconcile pass: `reconcile::run` with the watch policy (drift rules, held roles,
    /// unattended), from the newest L1 state this loop knows.
    async fn pass(&mut self) -> Result<PassOutcome, Error> {
        let chain = self.chain.clone();
        if !self.served {
            self.cluster.check_served().await?;
            self.served = true;
        }
        let adopted = match chain.file.watch.lock_policy {
            LockPolicy::Apply => self.l1.adopted.clone(),
            LockPolicy::Hold => None,
        };
        let input = ChainInput {
            chain: chain.clone(),
            adopted,
            l1_now: self.l1.latest.clone(),
            memory: self.memory.clone(),
        };
        let policy = reconcile::Policy::watch(&chain, &self.opts.identity);
        let observer = Gauges {
            ctx: &self.ctx,
            hold_pending: self.l1.hold_pending,
        };
        let outcome = reconcile::run(
            &self.cluster,
            &Inputs::Chains(vec![input]),
            &policy,
            &observer,
        )
        .await;
        // The key checks are known even when the pass then failed to write.
        let outcome = outcome?;
        // One chain in, one chain out: `run` returns a result per input.
        let Some(c) = outcome.chains.into_iter().next() else {
            return Err(Error::Usage(
                "the pass returned no result for the chain".into(),
            ));
        };
        let failed = failed_checks(&c.checks);
        if failed != self.failed_checks {
            if failed.is_empty() {
                self.event(
                    Level::Normal,
                    "ChecksPass",
                    "every role check passes again".into(),
                );
            }
            self.failed_checks = failed;
        }

        let mut secrets: Vec<String> = c
            .plan
            .changes
            .iter()
            .filter(|c| c.object.kind == "Secret" && c.op != Op::Prune)
            .map(|c| c.object.name.clone())
            .collect();
        secrets.extend(render::watcher::referenced_secrets(&chain.file));
        self.watch_secrets(secrets);

        self.memory.record(&c.plan, &c.decision);
        let decision = c.decision;
        let changed = decision
            .apply
            .changes
            .iter()
            .filter(|ch| !decision.corrections.contains(&ch.object))
            .map(|ch| format!("{} {}", policy::op_label(ch.op), ch.object))
            .collect();
        Ok(PassOutcome {
            written: c.report.written.len()
                + c.converged.as_ref().map_or(0, |p| {
                    p.changes.iter().filter(|ch| ch.op != Op::Unchanged).count()
                }),
            deleted: c.report.deleted.len(),
            decision,
            changed,
        })
    }

    /// Metrics, logs and Events of a successful pass.
    fn report(&mut self, outcome: &PassOutcome, took: Duration) {
        let d = &outcome.decision;
        let mut by_op: BTreeMap<String, u64> = BTreeMap::new();
        for c in &d.apply.changes {
            *by_op.entry(policy::op_label(c.op).to_string()).or_default() += 1;
        }
        self.ctx.pass_succeeded(
            took,
            &by_op,
            d.corrections.len() as u64,
            d.skipped.len() as u64,
        );
        if !d.corrections.is_empty() {
            let list: Vec<String> = d
                .apply
                .changes
                .iter()
                .filter(|c| d.corrections.contains(&c.object))
                .map(|c| {
                    if c.op == Op::Create || c.op == Op::CreateGenerated {
                        format!("{} (deleted; created again)", c.object)
                    } else {
                        format!("{} ({})", c.object, c.reason)
                    }
                })
                .collect();
            let msg = format!(
                "took back {} drifted objects: {}",
                list.len(),
                describe(&list)
            );
            tracing::info!(took_ms = took.as_millis() as u64, "{msg}");
            self.event(Level::Normal, "DriftCorrected", msg);
        }
        if !outcome.changed.is_empty() {
            let msg = format!("applied: {}", describe(&outcome.changed));
            tracing::info!(took_ms = took.as_millis() as u64, "{msg}");
            self.event(Level::Normal, "Applied", msg);
        }
        let mut by_why: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut check_lines = BTreeSet::new();
        for s in &d.skipped {
            let key = match &s.held {
                Held::Drift => "DriftDetected",
                Held::Immutable => "NeedsRecreate",
                Held::Checks { failed } => {
                    check_lines.extend(failed.iter().cloned());
                    "HeldByChecks"
                }
            };
            let what = if s.op == Op::Create {
                format!("{} (deleted)", s.object)
            } else {
                format!("{} ({})", s.object, s.reason)
            };
            by_why.entry(key).or_default().push(what);
        }
        for (reason, objects) in by_why {
            let msg = match reason {
                "DriftDetected" => format!(
                    "drift left alone (drift = \"warn\"): {}",
                    describe(&objects)
                ),
                "NeedsRecreate" => format!(
                    "immutable fields change; run `opctl apply --allow-recreate` to replace: {}",
                    describe(&objects)
                ),
                _ => format!(
                    "not written because a role check fails ({}): {}",
                    check_lines.iter().cloned().collect::<Vec<_>>().join("; "),
                    describe(&objects)
                ),
            };
            tracing::warn!("{msg}");
            self.event(Level::Warning, reason, msg);
        }
        if outcome.written + outcome.deleted == 0 && d.skipped.is_empty() {
            tracing::debug!(took_ms = took.as_millis() as u64, "pass: nothing to change");
        }
    }

    fn report_failure(&mut self, e: &Error, took: Duration, retry_in: Duration) {
        let reason = reason_of(e);
        let message = e.to_string();
        self.ctx.pass_failed(took, reason, &message);
        tracing::warn!(
            reason,
            retry_in_ms = retry_in.as_millis() as u64,
            "pass failed: {message}"
        );
        // An unreachable API server cannot store the Event either.
        if reason != "api-unreachable" {
            self.event(Level::Warning, "ReconcileFailed", message);
        }
    }
}

/// Run the watch loop until `shutdown` completes.
pub async fn run(
    cluster: Cluster,
    opts: Options,
    load: Loader,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let chain = Arc::new(load(&opts.chain_path)?);
    let name = chain.file.chain.name.clone();
    let namespace = chain.namespace().to_string();
    let ctx = Arc::new(Context::new(&name, &opts.identity));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn({
        let stop_tx = stop_tx.clone();
        async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        }
    });

    let mut tasks: Vec<JoinHandle<()>> = Vec::new();
    if let Some(addr) = opts.listen {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            Error::Usage(format!(
                "cannot listen on {addr}: {e}\n  hint: pick another --listen address"
            ))
        })?;
        tracing::info!(address = %listener.local_addr().unwrap_or(addr), "serving /healthz, /readyz and /metrics");
        tasks.push(tokio::spawn(http::serve(
            listener,
            ctx.clone(),
            stop_rx.clone(),
        )));
    }

    let (leader_tx, mut leader_rx) = watch::channel(false);
    // The Lease lives in the chain's namespace: on a new cluster nothing exists yet, so the
    // namespace is created first (the pass would create it, but only the lease holder passes).
    let lease_task = tokio::spawn({
        let (cluster, namespace, ctx, mut stop) = (
            cluster.clone(),
            namespace.clone(),
            ctx.clone(),
            stop_rx.clone(),
        );
        let settings = lease::LeaseSettings {
            namespace: namespace.clone(),
            name: render::watcher::name(&name),
            identity: opts.identity.clone(),
            duration: opts.lease_duration,
        };
        async move {
            tokio::select! {
                _ = ensure_namespace(&cluster, &namespace) => {}
                _ = stop.changed() => return,
            }
            lease::run(cluster, settings, ctx, leader_tx, stop).await;
        }
    });

    let (triggers_tx, mut triggers_rx) = mpsc::unbounded_channel();
    tasks.extend(triggers::spawn_kinds(
        &cluster,
        &namespace,
        &name,
        &triggers_tx,
    ));
    let (files_tx, files_rx) = watch::channel(watched_files(&chain));
    tasks.push(tokio::spawn(triggers::poll_files(
        files_rx,
        triggers_tx.clone(),
    )));

    let (chain_tx, chain_rx) = watch::channel(chain.clone());
    let (l1_tx, mut l1_rx) = mpsc::unbounded_channel();
    tasks.push(tokio::spawn(l1::run(
        cluster.clone(),
        chain_rx,
        leader_rx.clone(),
        opts.l1_rpc_url.clone(),
        opts.rediscover,
        l1_tx,
        stop_rx.clone(),
    )));

    let (events_tx, mut events_rx) = mpsc::unbounded_channel::<(Level, String, String)>();
    if !opts.node_status_every.is_zero() {
        tasks.push(tokio::spawn(nodes::run(
            cluster.clone(),
            chain_tx.subscribe(),
            leader_rx.clone(),
            opts.node_status_every,
            opts.operator_status_every,
            opts.l1_rpc_url.clone(),
            ctx.clone(),
            events_tx.clone(),
            stop_rx.clone(),
        )));
    }
    let mut recorder = events::Recorder::new(&cluster, &namespace, &name, &opts.identity);
    tasks.push(tokio::spawn(async move {
        while let Some((level, reason, message)) = events_rx.recv().await {
            recorder.record(level, &reason, &message).await;
        }
    }));

    let mut state = Loop {
        cluster,
        opts,
        load,
        ctx: ctx.clone(),
        chain,
        chain_tx,
        files_tx,
        events: events_tx,
        triggers_tx,
        secret_watch: (Vec::new(), Vec::new()),
        memory: Memory::default(),
        l1: L1State::default(),
        failed_checks: BTreeSet::new(),
        served: false,
    };
    tracing::info!(chain = %name, namespace = %namespace, identity = %state.opts.identity, "watching");

    let mut stop = stop_rx.clone();
    let mut backoff = backoff(PASS_RETRY.0, PASS_RETRY.1);
    let mut due: Option<Instant> = None;
    let mut resync_at = later(state.resync());
    let mut followups = 0u32;
    let far = || Instant::now() + Duration::from_secs(3600);
    let schedule = |due: &mut Option<Instant>, at: Instant| {
        *due = Some(due.map_or(at, |d| d.min(at)));
    };

    loop {
        ctx.heartbeat();
        let leading = *leader_rx.borrow();
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            r = leader_rx.changed() => {
                if r.is_err() {
                    break;
                }
                if *leader_rx.borrow() {
                    ctx.trigger("leader");
                    backoff.reset();
                    schedule(&mut due, Instant::now());
                } else {
                    due = None;
                }
            }
            Some(t) = triggers_rx.recv() => {
                ctx.trigger(t.source());
                tracing::debug!(trigger = ?t, "trigger");
                if t == Trigger::Files {
                    state.reload();
                }
                if leading {
                    schedule(&mut due, Instant::now() + DEBOUNCE);
                }
            }
            Some(found) = l1_rx.recv() => {
                if state.on_l1(found) && leading {
                    ctx.trigger("rediscover");
                    schedule(&mut due, Instant::now());
                }
            }
            _ = tokio::time::sleep_until(resync_at) => {
                resync_at = later(state.resync());
                if leading {
                    ctx.trigger("resync");
                    schedule(&mut due, Instant::now());
                }
            }
            _ = tokio::time::sleep_until(due.unwrap_or_else(far)), if leading && due.is_some() => {
                due = None;
                let started = Instant::now();
                let mut lost = leader_rx.clone();
                let mut stop_pass = stop_rx.clone();
                let result = {
                    let pass = tokio::time::timeout(PASS_TIMEOUT, state.pass());
                    let mut pass = std::pin::pin!(pass);
                    tokio::select! {
                        r = &mut pass => Some(r),
                        _ = lost.wait_for(|l| !*l) => {
                            tracing::warn!("lost the lease during a pass: abandoned it");
                            None
                        }
                        _ = stop_pass.wait_for(|s| *s) => {
                            match tokio::time::timeout(SHUTDOWN_GRACE, &mut pass).await {
                                Ok(r) => Some(r),
                                Err(_) => {
                                    tracing::warn!("shutting down: abandoned the running pass");
                                    None
                                }
                            }
                        }
                    }
                };
                let took = started.elapsed();
                match result {
                    Some(Ok(Ok(outcome))) => {
                        backoff.reset();
                        state.report(&outcome, took);
                        if outcome.written + outcome.deleted > 0 && followups < MAX_FOLLOWUPS {
                            followups += 1;
                            schedule(&mut due, Instant::now() + DEBOUNCE);
                        } else {
                            followups = 0;
                        }
                        resync_at = later(state.resync());
                    }
                    Some(Ok(Err(e))) => {
                        let delay = backoff.next().unwrap_or(PASS_RETRY.1);
                        state.report_failure(&e, took, delay);
                        schedule(&mut due, Instant::now() + delay);
                    }
                    Some(Err(_)) => {
                        let delay = backoff.next().unwrap_or(PASS_RETRY.1);
                        let e = Error::Timeout { what: format!("a reconcile pass ({}s)", PASS_TIMEOUT.as_secs()) };
                        state.report_failure(&e, took, delay);
                        schedule(&mut due, Instant::now() + delay);
                    }
                    None => {}
                }
            }
            _ = tokio::time::sleep(Duration::from_secs(10)) => {}
        }
    }

    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    // The lease task gives the release 2 s; SIGTERM to exit stays under 5 s.
    let _ = tokio::time::timeout(Duration::from_millis(2500), lease_task).await;
    for t in tasks {
        t.abort();
    }
    for h in state.secret_watch.1.drain(..) {
        h.abort();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn failure_reasons_name_the_cause() {
        let unreachable = Error::Cluster(ClusterError::Unreachable {
            url: "https://x".into(),
            message: "connection refused".into(),
        });
        assert_eq!(reason_of(&unreachable), "api-unreachable");
        let partial = Error::Partial {
            written: vec![],
            source: Box::new(Error::Cluster(ClusterError::Forbidden {
                verb: "patch".into(),
                resource: "services".into(),
                scope: "namespace n".into(),
                message: String::new(),
            })),
        };
        assert_eq!(reason_of(&partial), "forbidden");
        assert_eq!(reason_of(&Error::Usage("x".into())), "other");
    }

    #[test]
    fn retry_delays_double_up_to_the_cap_and_jitter_only_shortens_them() {
        let ms = Duration::from_millis;
        let mut b = backoff(ms(250), ms(4000));
        for bound in [250, 500, 1000, 2000, 4000, 4000, 4000, 4000].map(ms) {
            let d = b.next().expect("never runs out");
            assert!(d <= bound && d >= bound / 2, "{d:?} for {bound:?}");
        }
        b.reset();
        let d = b.next().expect("never runs out");
        assert!(d <= ms(250) && d >= ms(125), "a reset starts over: {d:?}");
        let delays: BTreeSet<Duration> = (0..20)
            .map(|_| backoff(ms(1000), ms(1000)).next().unwrap_or_default())
            .collect();
        assert!(delays.len() > 1, "jittered: {delays:?}");
    }

    #[test]
    fn deadlines_never_overflow_an_instant() {
        let now = Instant::now();
        assert_eq!(
            deadline(now, Duration::from_secs(5)),
            now + Duration::from_secs(5)
        );
        for huge in [Duration::from_secs(u64::MAX), Duration::MAX] {
            assert!(deadline(now, huge) > now + Duration::from_secs(100 * 24 * 3600));
        }
    }

    #[test]
    fn long_object_lists_are_cut_short() {
        let many: Vec<String> = (0..9).map(|i| format!("o{i}")).collect();
        assert_eq!(describe(&many[..2]), "o0; o1");
        assert!(describe(&many).ends_with("o5; and 3 more"));
    }

    #[test]
    fn a_changed_lock_file_or_side_file_reloads_the_chain() {
        let loaded = crate::config::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/devnet.toml"
        )))
        .expect("example loads");
        let files = watched_files(&loaded);
        let names: Vec<String> = files
            .iter()
            .map(|p| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            names,
            ["devnet.toml", "devnet.lock", "rollup.json", "genesis.json"]
        );
    }
}

//! The one reconcile pass that `plan`, `apply`, `apply PLAN.json` and every `watch` iteration run:
//!
//! served kinds -> resolve contracts (lock / registry / re-discovery) -> identities -> render ->
//! plan -> checks -> gate -> confirm -> apply in order -> prune -> converge on generated
//! identities -> wait -> report.
//!
//! What differs between the callers is a [`Policy`] value (does it write, does it ask, what a failed
//! check does, drift rules, force-conflicts, waits), never a code path of their own. The pass
//! never prints: it tells an [`Observer`] what happens, and `cmd`/`watch` decide how to show it.

mod steps;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures::future::try_join_all;

pub use steps::{
    apply_plan, apply_staged, env_fingerprint, identities, inputs_hash, plan_chain, preflight,
    stale_reasons, wait_gone, wait_ready, workloads_to_wait_for, ApplyOptions, ApplyReport,
    Ordered, OrderedEvent, PlanOptions,
};

use crate::cluster::Cluster;
use crate::config::LoadedChain;
use crate::error::Error;
use crate::model::checks::{names as check_names, CheckResult};
use crate::model::discovery::Discovery;
use crate::model::object::ObjectRef;
use crate::plan::policy::{self as drift, Decision, Memory};
use crate::plan::ready::Readiness;
use crate::plan::{ChainPlan, Op, PlanFile};
use crate::render::{self, Contracts, Input, Role};
use crate::resolve::{self, KeySource};

/// What a failed check does to the pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Any failed check not named in `skip` blocks every write of the pass (exit 3).
    Block { skip: Vec<String> },
    /// A failed check holds the roles it concerns; everything else is written (`watch`).
    HoldRoles,
}

/// The whole difference between the pass's callers.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Write at all (`plan`: no).
    pub write: bool,
    /// Ask the observer before the first write (`apply` without `--yes`).
    pub confirm: bool,
    pub prune: PlanOptions,
    pub gate: Gate,
    /// Drift rules (`watch`): which drifted changes are taken back and which only reported.
    /// `None`: every change of the plan is written (`apply`).
    pub drift: Option<drift::Policy>,
    pub force_conflicts: bool,
    pub allow_recreate: bool,
    /// Wait for the rollouts this pass started, up to this long.
    pub wait: Option<Duration>,
    /// With `wait`: roll every role at once (`--parallel`) instead of one workload at a time in
    /// role order (replicas, sequencer, batcher, proposer, challenger).
    pub parallel: bool,
    /// Warn when an `opctl watch` holds the chain's lease (its copy of the chain file wins).
    pub warn_if_watched: bool,
    /// This process is the watcher pod of that identity: write nothing once its own Deployment
    /// is gone (the chain is being destroyed or the watcher uninstalled).
    pub watcher_identity: Option<String>,
}

impl Policy {
    /// `opctl plan`: nothing is written.
    pub fn plan(prune: PlanOptions, skip: Vec<String>) -> Policy {
        Policy {
            write: false,
            confirm: false,
            prune,
            gate: Gate::Block { skip },
            drift: None,
            force_conflicts: false,
            allow_recreate: false,
            wait: None,
            parallel: false,
            warn_if_watched: false,
            watcher_identity: None,
        }
    }

    /// `opctl apply` (chain files or a saved plan).
    pub fn apply(
        prune: PlanOptions,
        skip: Vec<String>,
        yes: bool,
        opts: ApplyOptions,
        wait: Option<Duration>,
    ) -> Policy {
        Policy {
            write: true,
            confirm: !yes,
            prune,
            gate: Gate::Block { skip },
            drift: None,
            force_conflicts: opts.force_conflicts,
            allow_recreate: opts.allow_recreate,
            wait,
            parallel: false,
            warn_if_watched: true,
            watcher_identity: None,
        }
    }

    /// One `opctl watch` pass: unattended, so never replaces, takes drifted fields back per the
    /// drift rules, and holds the roles whose checks fail instead of stopping.
    pub fn watch(chain: &LoadedChain, identity: &str) -> Policy {
        Policy {
            write: true,
            confirm: false,
            prune: PlanOptions {
                prune: chain.file.watch.prune,
                delete_secrets: false,
            },
            gate: Gate::HoldRoles,
            drift: Some(drift::Policy::from_config(&chain.file.watch)),
            force_conflicts: true,
            allow_recreate: false,
            wait: None,
            parallel: false,
            warn_if_watched: false,
            watcher_identity: Some(identity.to_string()),
        }
    }

    fn apply_options(&self) -> ApplyOptions {
        ApplyOptions {
            force_conflicts: self.force_conflicts,
            allow_recreate: self.allow_recreate,
        }
    }
}

/// One chain as the pass gets it.
#[derive(Debug, Clone)]
pub struct ChainInput {
    /// Shared, not copied: `watch` passes the chain it holds (with its genesis text) every pass.
    pub chain: Arc<LoadedChain>,
    /// Render from this discovery instead of the lock file (`watch` with `lock_policy = "apply"`).
    pub adopted: Option<Discovery>,
    /// Check the keys against this discovery (the newest L1 state) instead of the lock file's.
    pub l1_now: Option<Discovery>,
    /// What the cluster was last seen to match (`watch`); drift is judged against it.
    pub memory: Memory,
}

impl ChainInput {
    pub fn new(chain: LoadedChain) -> ChainInput {
        ChainInput {
            chain: Arc::new(chain),
            adopted: None,
            l1_now: None,
            memory: Memory::default(),
        }
    }
}

/// What the pass plans from.
#[derive(Debug, Clone)]
pub enum Inputs {
    /// Chain files: render and plan now.
    Chains(Vec<ChainInput>),
    /// A saved plan (`opctl apply PLAN.json`), with its chain files loaded as the plan names them.
    /// Applied exactly, or refused when its inputs or the cluster moved since it was made.
    Saved {
        file: PlanFile,
        chains: Vec<LoadedChain>,
    },
}

/// What the pass tells its caller while it runs. Every method has a silent default.
pub trait Observer: Sync {
    /// Something the operator should know that does not stop the pass.
    fn warn(&self, _message: &str) {}
    /// Every chain is planned and checked (before any write).
    fn planned(&self, _chains: &[ChainOutcome]) {}
    /// Ask before writing; `Ok(false)` cancels the pass with nothing written.
    fn confirm(&self, _chains: &[ChainOutcome]) -> Result<bool, Error> {
        Ok(true)
    }
    /// A chain's writes are done.
    fn applied(&self, _chain: &str, _report: &ApplyReport) {}
    /// The sequencer's peer ID is known now; the replicas are converged onto it with this plan.
    fn converging(&self, _plan: &ChainPlan) {}
    /// The pass waits for these rollouts now.
    fn waiting(&self, _workloads: &[ObjectRef]) {}
    /// A rollout this pass started changed state.
    fn rollout(&self, _object: &ObjectRef, _state: &Readiness) {}
    /// A role-ordered rollout writes step `index` (from 1) of `total` now.
    fn rollout_step(&self, _chain: &str, _index: usize, _total: usize, _object: &ObjectRef) {}
}

/// A silent observer.
pub struct Quiet;
impl Observer for Quiet {}

/// One chain's result.
#[derive(Debug, Clone)]
pub struct ChainOutcome {
    /// Everything that differs from the cluster.
    pub plan: ChainPlan,
    pub checks: Vec<CheckResult>,
    /// The part of `plan` this pass writes, and what it only reports (drift rules, held roles).
    pub decision: Decision,
    pub report: ApplyReport,
    /// The converge step's plan, when it ran.
    pub converged: Option<ChainPlan>,
    contracts: Option<Contracts>,
}

impl ChainOutcome {
    /// Roles held by failed checks, with the checks that hold them (`Gate::HoldRoles`).
    pub fn held_roles(&self) -> BTreeMap<Role, Vec<String>> {
        held_roles(&self.checks)
    }
}

/// How the pass ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Planned only (`Policy::write` is false).
    Planned,
    /// Nothing differed (or everything that did is held / reported only).
    NothingToDo,
    /// The observer's confirmation said no; nothing was written.
    Cancelled,
    /// Written (and waited for, when the policy says so).
    Applied,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub chains: Vec<ChainOutcome>,
    /// Failed checks that block (`Gate::Block`), as `chain: check: message`.
    pub blocked: Vec<String>,
    pub ended: Ended,
    /// Rollouts waited for until ready.
    pub waited: usize,
}

impl Outcome {
    pub fn pending(&self) -> bool {
        self.chains.iter().any(|c| c.plan.summary.pending())
    }
}

/// The roles a failed check holds: key checks hold their role; checks about the chain as a whole
/// (L1 chain id, SystemConfig, rollup.json) hold every role that signs.
pub fn held_roles(checks: &[CheckResult]) -> BTreeMap<Role, Vec<String>> {
    const SIGNERS: [Role; 4] = [
        Role::Sequencer,
        Role::Batcher,
        Role::Proposer,
        Role::Challenger,
    ];
    let mut out: BTreeMap<Role, Vec<String>> = BTreeMap::new();
    for c in checks.iter().filter(|c| c.is_failure()) {
        let roles: &[Role] = match c.name {
            check_names::BATCHER_KEY => &[Role::Batcher],
            check_names::SEQUENCER_KEY => &[Role::Sequencer],
            check_names::PROPOSER_KEY => &[Role::Proposer],
            check_names::CHALLENGER_KEY => &[Role::Challenger],
            check_names::DISTINCT_KEYS => &[Role::Batcher, Role::Proposer, Role::Challenger],
            check_names::GAME_TYPE => &[Role::Proposer, Role::Challenger],
            check_names::BLOB_RETENTION => &[Role::Replica],
            check_names::SIGNER_BALANCE => &[Role::Batcher, Role::Proposer, Role::Challenger],
            // A component below a fork's minimum can run in any role: hold them all.
            check_names::HARDFORK => &[
                Role::Sequencer,
                Role::Replica,
                Role::Batcher,
                Role::Proposer,
                Role::Challenger,
            ],
            _ => &SIGNERS,
        };
        for r in roles {
            out.entry(*r)
                .or_default()
                .push(format!("{}: {}", c.name, c.message));
        }
    }
    out
}

/// Split a chain's plan into what the pass writes and what it only reports, per the policy.
/// Pure: the table-driven tests below pin every caller's behaviour.
pub fn decide(
    plan: &ChainPlan,
    checks: &[CheckResult],
    policy: &Policy,
    memory: &Memory,
) -> Decision {
    let held = match policy.gate {
        Gate::HoldRoles => held_roles(checks),
        Gate::Block { .. } => BTreeMap::new(),
    };
    match &policy.drift {
        Some(rules) => drift::decide(plan, rules, memory, &held),
        // `apply`: the whole plan as confirmed; preflight refuses replaces without
        // --allow-recreate and conflicts without --force-conflicts, and a failed check has
        // already blocked the pass.
        None => Decision {
            apply: plan.clone(),
            corrections: Vec::new(),
            skipped: Vec::new(),
        },
    }
}

/// Failed checks that are not overridden, as `chain: check: message` lines.
fn blocking(outcomes: &[ChainOutcome], policy: &Policy) -> Vec<String> {
    match &policy.gate {
        Gate::Block { skip } => outcomes
            .iter()
            .flat_map(|o| {
                resolve::blocking(&o.checks, skip)
                    .into_iter()
                    .map(move |line| format!("{}: {line}", o.plan.chain))
            })
            .collect(),
        Gate::HoldRoles => Vec::new(),
    }
}

/// A plan of one chain with its checks, before the gate.
async fn plan_one(
    cluster: &Cluster,
    input: &ChainInput,
    policy: &Policy,
    observer: &dyn Observer,
) -> Result<ChainOutcome, Error> {
    let chain = &input.chain;
    let resolved = resolve::resolve(chain)?;
    for w in &resolved.warnings {
        observer.warn(&format!("{}: {w}", chain.path.display()));
    }
    let contracts = match &input.adopted {
        Some(d) => resolve::contracts_of(chain, d),
        None => resolved.contracts.clone(),
    };
    let plan = plan_chain(cluster, chain, contracts.clone(), policy.prune).await?;
    let discovery = input.l1_now.as_ref().or(resolved.discovery.as_ref());
    let mut checks = resolve::checks(chain, discovery, &KeySource::Cluster(cluster)).await?;
    checks.extend(preflight_checks(cluster, chain, discovery, policy).await);
    let decision = decide(&plan, &checks, policy, &input.memory);
    Ok(ChainOutcome {
        plan,
        checks,
        decision,
        report: ApplyReport::default(),
        converged: None,
        contracts: Some(contracts),
    })
}

/// The preflight probes of the chain's L1 endpoints, for passes that stop on a failed check
/// (`plan`, `apply`). `watch` does not probe external endpoints on every pass; `opctl preflight`
/// runs them on demand.
async fn preflight_checks(
    cluster: &Cluster,
    chain: &LoadedChain,
    discovery: Option<&Discovery>,
    policy: &Policy,
) -> Vec<CheckResult> {
    if !matches!(policy.gate, Gate::Block { .. }) {
        return Vec::new();
    }
    crate::preflight::run(
        chain,
        &crate::preflight::Context {
            cluster: Some(cluster),
            discovery,
            l1_rpc_url: None,
            timeout: crate::preflight::PROBE_TIMEOUT,
        },
    )
    .await
}

/// A saved plan, refused when its inputs or the cluster moved since it was made.
async fn saved(
    cluster: &Cluster,
    file: &PlanFile,
    chains: &[LoadedChain],
    policy: &Policy,
    observer: &dyn Observer,
) -> Result<Vec<ChainOutcome>, Error> {
    let mut reasons = Vec::new();
    let mut out = Vec::new();
    for (p, chain) in file.chains.iter().zip(chains) {
        reasons.extend(stale_reasons(cluster, p, chain).await?);
        let resolved = resolve::resolve(chain)?;
        for w in &resolved.warnings {
            observer.warn(&format!("{}: {w}", chain.path.display()));
        }
        let mut checks = resolve::checks(
            chain,
            resolved.discovery.as_ref(),
            &KeySource::Cluster(cluster),
        )
        .await?;
        checks.extend(preflight_checks(cluster, chain, resolved.discovery.as_ref(), policy).await);
        let decision = decide(p, &checks, policy, &Memory::default());
        out.push(ChainOutcome {
            plan: p.clone(),
            checks,
            decision,
            report: ApplyReport::default(),
            converged: None,
            contracts: Some(resolved.contracts),
        });
    }
    if !reasons.is_empty() {
        return Err(Error::StalePlan { reasons });
    }
    Ok(out)
}

/// The sequencer's op-node p2p key or its execution client's node key Secret was created by this
/// pass: the replicas' peer lists name identities derived from them.
fn generated_peer_key(plan: &ChainPlan) -> bool {
    let names = [
        format!("{}-sequencer-p2p", plan.chain),
        format!("{}-sequencer-el-key", plan.chain),
    ];
    plan.changes.iter().any(|c| {
        c.op == Op::CreateGenerated && c.object.kind == "Secret" && names.contains(&c.object.name)
    })
}

/// Converge the replicas onto the sequencer's peer ID, which exists only once this pass generated
/// its key. Only what the confirmed inputs render differently with the new identity may change:
/// anything else (the chain file edited since the confirmation, the cluster moved) stops the pass.
async fn converge(
    cluster: &Cluster,
    chain: &LoadedChain,
    contracts: &Contracts,
    confirmed: &ChainPlan,
    policy: &Policy,
) -> Result<Option<ChainPlan>, Error> {
    let chain_name = &confirmed.chain;
    // The files as they are on disk now, not the copy loaded before the confirmation.
    let on_disk = crate::config::load(&chain.path)
        .ok()
        .map(|c| inputs_hash(&c));
    if on_disk.as_deref() != Some(confirmed.inputs_hash.as_str()) {
        return Err(Error::ConvergeRefused {
            chain: chain_name.clone(),
            why: format!(
                "{} (or its rollup/genesis/lock file) changed after the plan was confirmed",
                chain.path.display()
            ),
            objects: Vec::new(),
        });
    }
    let mut before = identities(cluster, chain).await?;
    before.env_fingerprint = env_fingerprint(chain);
    if before.sequencer_peer_id.is_none() && before.sequencer_enode_id.is_none() {
        return Ok(None);
    }
    let mut without = before.clone();
    without.sequencer_peer_id = None;
    without.sequencer_enode_id = None;
    let render_with = |ids| {
        render::render(&Input {
            chain,
            contracts: contracts.clone(),
            identities: ids,
        })
        .map_err(|source| Error::Render {
            file: chain.path.display().to_string(),
            source,
        })
    };
    let old = render_with(without)?;
    let new = render_with(before)?;
    let allowed: BTreeSet<ObjectRef> = new
        .iter()
        // Rendered differently once the peer ID exists (the object bodies include their names).
        .filter(|n| !old.iter().any(|o| o.object == n.object))
        .map(|n| ObjectRef::of(&n.object))
        .collect();
    let again = plan_chain(cluster, chain, contracts.clone(), PlanOptions::default()).await?;
    if !again.summary.pending() {
        return Ok(None);
    }
    let outside: Vec<String> = again
        .changes
        .iter()
        .filter(|c| c.op != Op::Unchanged)
        .filter(|c| !allowed.contains(&c.object) || !c.drift.is_empty())
        .map(|c| format!("{} ({})", c.object, c.reason))
        .collect();
    if !outside.is_empty() {
        return Err(Error::ConvergeRefused {
            chain: chain_name.clone(),
            why: "converging onto the sequencer's peer ID would change more than the replicas' peer list".into(),
            objects: outside,
        });
    }
    apply_plan(cluster, &again, policy.apply_options()).await?;
    Ok(Some(again))
}

/// The pass. `cluster` must have been checked for served kinds ([`Cluster::check_served`]) once
/// by the caller's connection; everything else happens here, in this order, for every caller.
pub async fn run(
    cluster: &Cluster,
    inputs: &Inputs,
    policy: &Policy,
    observer: &dyn Observer,
) -> Result<Outcome, Error> {
    // plan + checks
    let (mut chains, loaded): (Vec<ChainOutcome>, Vec<&LoadedChain>) = match inputs {
        Inputs::Chains(list) => (
            try_join_all(list.iter().map(|i| plan_one(cluster, i, policy, observer))).await?,
            list.iter().map(|i| &*i.chain).collect(),
        ),
        Inputs::Saved { file, chains } => (
            saved(cluster, file, chains, policy, observer).await?,
            chains.iter().collect(),
        ),
    };
    // gate
    let blocked = blocking(&chains, policy);
    observer.planned(&chains);
    if !policy.write {
        return Ok(Outcome {
            chains,
            blocked,
            ended: Ended::Planned,
            waited: 0,
        });
    }
    if !blocked.is_empty() {
        return Err(Error::Blocked { failed: blocked });
    }
    if let Some(identity) = &policy.watcher_identity {
        for (o, chain) in chains.iter().zip(&loaded) {
            if let Some(why) = uninstalled(&o.plan, chain, identity) {
                return Err(Error::WatcherUninstalled { why });
            }
        }
    }
    if !chains.iter().any(|c| c.decision.apply.summary.pending()) {
        return Ok(Outcome {
            chains,
            blocked,
            ended: Ended::NothingToDo,
            waited: 0,
        });
    }
    for c in &chains {
        preflight(&c.decision.apply, policy.apply_options())?;
    }
    if policy.warn_if_watched {
        for c in &chains {
            let lease = render::watcher::name(&c.plan.chain);
            let read = cluster.lease(&c.plan.namespace, &lease).await;
            let now_ms = k8s_openapi::jiff::Timestamp::now().as_millisecond();
            let holder = read.ok().and_then(|l| {
                let spec = l.as_ref().and_then(|l| l.spec.as_ref());
                crate::model::lease::holder(spec, l.is_some(), now_ms)
            });
            if let Some(holder) = holder {
                observer.warn(&format!(
                    "{}: `opctl watch` ({holder}) holds the lease {lease} and keeps this chain matching its own chain file; a change made here and not there is taken back (or reported) by it",
                    c.plan.chain
                ));
            }
        }
    }
    // confirm
    if policy.confirm && !observer.confirm(&chains)? {
        return Ok(Outcome {
            chains,
            blocked,
            ended: Ended::Cancelled,
            waited: 0,
        });
    }
    // Readiness gates apply keeps while it waits (chains with `[replicas] readiness_gate`).
    let gates: Vec<crate::status::gate::Keeper> = loaded
        .iter()
        .filter_map(|c| crate::status::gate::Keeper::for_chain(c))
        .collect();
    // apply in order (rolling workloads one at a time in role order unless --parallel), prune
    for c in chains.iter_mut() {
        // Each chain's ordered rollout has the whole --timeout (chains are applied one after
        // the other); the final wait below keeps the pass's own deadline.
        let chain_started = std::time::Instant::now();
        let ordered = match (policy.wait, policy.parallel) {
            (Some(timeout), false) => Some(timeout),
            _ => None,
        };
        c.report = match ordered {
            Some(timeout) => {
                let stuck = steps::stuck_pods_to_delete(&c.decision.apply);
                let chain = c.plan.chain.clone();
                let progress = |e: OrderedEvent<'_>| match e {
                    OrderedEvent::Step {
                        index,
                        total,
                        object,
                    } => observer.rollout_step(&chain, index, total, object),
                    OrderedEvent::Rollout(r, s) => observer.rollout(r, s),
                };
                let o = Ordered {
                    deadline: chain_started + timeout,
                    timeout,
                    stuck: &stuck,
                    gates: &gates,
                    progress: &progress,
                };
                apply_staged(cluster, &c.decision.apply, policy.apply_options(), Some(&o)).await?
            }
            None => apply_plan(cluster, &c.decision.apply, policy.apply_options()).await?,
        };
        observer.applied(&c.plan.chain, &c.report);
    }
    // converge on generated identities
    for (c, chain) in chains.iter_mut().zip(&loaded) {
        if !generated_peer_key(&c.decision.apply) {
            continue;
        }
        let Some(contracts) = c.contracts.clone() else {
            continue;
        };
        if let Some(again) = converge(cluster, chain, &contracts, &c.plan, policy).await? {
            observer.converging(&again);
            c.converged = Some(again);
        }
    }
    // wait
    let mut waited = 0;
    if let Some(timeout) = policy.wait {
        let workloads: Vec<_> = chains
            .iter()
            .flat_map(|c| {
                workloads_to_wait_for(&c.decision.apply)
                    .into_iter()
                    .chain(c.converged.iter().flat_map(workloads_to_wait_for))
            })
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .collect();
        if !workloads.is_empty() {
            let refs: Vec<ObjectRef> = workloads.iter().map(|(r, _)| r.clone()).collect();
            observer.waiting(&refs);
            let stuck: BTreeMap<ObjectRef, Vec<String>> = chains
                .iter()
                .flat_map(|c| steps::stuck_pods_to_delete(&c.decision.apply))
                .collect();
            wait_ready(cluster, &workloads, &stuck, &gates, timeout, |r, s| {
                observer.rollout(r, s)
            })
            .await?;
            waited = workloads.len();
        }
    }
    Ok(Outcome {
        chains,
        blocked,
        ended: Ended::Applied,
        waited,
    })
}

/// When this process is the chain's watcher pod (`[watch] deploy`, identity = a pod of the
/// watcher Deployment) and that Deployment is gone, the chain is being destroyed or the watcher
/// uninstalled: it must not recreate what is being removed. Returns why.
pub fn uninstalled(plan: &ChainPlan, chain: &LoadedChain, identity: &str) -> Option<String> {
    let own = render::watcher::name(&chain.file.chain.name);
    let is_pod = identity.starts_with(&format!("{own}-"));
    let gone = plan
        .changes
        .iter()
        .any(|c| c.object.kind == "Deployment" && c.object.name == own && c.op == Op::Create);
    (chain.file.watch.deploy && is_pod && gone).then(|| {
        format!("this watcher's Deployment {own} is gone (opctl destroy, or `[watch] deploy` switched off): not writing")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::watch::RoleDrift;
    use crate::config::{DriftPolicy, Watch};
    use crate::model::checks::CheckStatus;
    use crate::plan::fixtures::plan;
    use crate::plan::policy::Held;
    use crate::plan::{Change, Drift};
    use std::path::Path;

    fn check(name: &'static str, status: CheckStatus) -> CheckResult {
        CheckResult {
            name,
            status,
            message: format!("{name} says so"),
        }
    }

    fn change(name: &str, role: Option<Role>, op: Op) -> Change {
        crate::plan::fixtures::change("Service", name, role, op, name)
    }

    /// One plan with every kind of change the policies treat differently.
    fn mixed_plan() -> ChainPlan {
        let mut drifted = change("drifted", Some(Role::Sequencer), Op::Update);
        drifted.drift = vec![Drift {
            manager: "kubectl-edit".into(),
            field: ".spec.x".into(),
        }];
        plan(vec![
            change("new", Some(Role::Replica), Op::Create),
            drifted,
            change("immutable", Some(Role::Replica), Op::Replace),
            change("batcher", Some(Role::Batcher), Op::Update),
            change("same", None, Op::Unchanged),
        ])
    }

    fn watch_policy(drift: DriftPolicy) -> Policy {
        let chain = crate::config::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/devnet.toml"
        )))
        .expect("example loads");
        let mut p = Policy::watch(&chain, "me");
        p.drift = Some(drift::Policy::from_config(&Watch {
            drift,
            roles: RoleDrift::default(),
            ..Watch::default()
        }));
        p
    }

    fn names<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Vec<&'a str> {
        changes
            .into_iter()
            .map(|c| c.object.name.as_str())
            .collect()
    }

    fn mixed_outcome(policy: &Policy, checks: Vec<CheckResult>) -> ChainOutcome {
        let p = mixed_plan();
        let decision = decide(&p, &checks, policy, &Memory::default());
        ChainOutcome {
            plan: p,
            checks,
            decision,
            report: ApplyReport::default(),
            converged: None,
            contracts: None,
        }
    }

    #[test]
    fn each_caller_writes_blocks_or_reports_what_its_policy_says() {
        let batcher_fails = || vec![check(check_names::BATCHER_KEY, CheckStatus::Fail)];
        let apply = |allow_recreate, force_conflicts| {
            Policy::apply(
                PlanOptions::default(),
                Vec::new(),
                true,
                ApplyOptions {
                    force_conflicts,
                    allow_recreate,
                },
                None,
            )
        };
        struct Row {
            name: &'static str,
            policy: Policy,
            checks: Vec<CheckResult>,
            writes: Vec<&'static str>,
            reports: Vec<(&'static str, Held)>,
            blocked: bool,
            preflight_ok: bool,
        }
        let everything = vec!["new", "drifted", "immutable", "batcher"];
        let rows = vec![
            Row {
                name: "plan: writes nothing, but a failed check blocks (exit 3)",
                policy: Policy::plan(PlanOptions::default(), Vec::new()),
                checks: batcher_fails(),
                writes: everything.clone(),
                reports: vec![],
                blocked: true,
                preflight_ok: false,
            },
            Row {
                name: "plan --skip-check: the named check no longer blocks",
                policy: Policy::plan(PlanOptions::default(), vec!["batcher-key".into()]),
                checks: batcher_fails(),
                writes: everything.clone(),
                reports: vec![],
                blocked: false,
                preflight_ok: false,
            },
            Row {
                name: "apply: everything as confirmed; replace and drift refused before any write",
                policy: apply(false, false),
                checks: vec![],
                writes: everything.clone(),
                reports: vec![],
                blocked: false,
                preflight_ok: false,
            },
            Row {
                name: "apply --allow-recreate --force-conflicts: everything",
                policy: apply(true, true),
                checks: vec![],
                writes: everything.clone(),
                reports: vec![],
                blocked: false,
                preflight_ok: true,
            },
            Row {
                name: "apply with a failed check: blocked",
                policy: apply(true, true),
                checks: batcher_fails(),
                writes: everything.clone(),
                reports: vec![],
                blocked: true,
                preflight_ok: true,
            },
            Row {
                name: "watch, drift corrected: never replaces, holds the failed role",
                policy: watch_policy(DriftPolicy::Correct),
                checks: batcher_fails(),
                writes: vec!["new", "drifted"],
                reports: vec![
                    ("immutable", Held::Immutable),
                    (
                        "batcher",
                        Held::Checks {
                            failed: vec!["batcher-key: batcher-key says so".into()],
                        },
                    ),
                ],
                blocked: false,
                preflight_ok: true,
            },
            Row {
                name: "watch, drift warned: the drifted object is only reported",
                policy: watch_policy(DriftPolicy::Warn),
                checks: vec![],
                writes: vec!["new", "batcher"],
                reports: vec![("drifted", Held::Drift), ("immutable", Held::Immutable)],
                blocked: false,
                preflight_ok: true,
            },
        ];
        for row in rows {
            let o = mixed_outcome(&row.policy, row.checks.clone());
            let writes = o
                .decision
                .apply
                .changes
                .iter()
                .filter(|c| c.op != Op::Unchanged);
            assert_eq!(names(writes), row.writes, "{}", row.name);
            let mut reports: Vec<(&str, Held)> = o
                .decision
                .skipped
                .iter()
                .map(|s| (s.object.name.as_str(), s.held.clone()))
                .collect();
            reports.sort_by(|a, b| a.0.cmp(b.0));
            let mut want = row.reports.clone();
            want.sort_by(|a, b| a.0.cmp(b.0));
            assert_eq!(reports, want, "{}", row.name);
            let blocked = blocking(std::slice::from_ref(&o), &row.policy);
            assert_eq!(
                !blocked.is_empty(),
                row.blocked,
                "{}: {blocked:?}",
                row.name
            );
            if row.blocked {
                assert!(blocked[0].starts_with("c: batcher-key"), "{}", row.name);
            }
            assert_eq!(
                preflight(&o.decision.apply, row.policy.apply_options()).is_ok(),
                row.preflight_ok,
                "{}",
                row.name
            );
        }
    }

    #[test]
    fn apply_without_allow_recreate_names_the_object_to_replace() {
        let o = mixed_outcome(
            &Policy::apply(
                PlanOptions::default(),
                Vec::new(),
                true,
                ApplyOptions {
                    force_conflicts: true,
                    allow_recreate: false,
                },
                None,
            ),
            vec![],
        );
        let err = preflight(
            &o.decision.apply,
            ApplyOptions {
                force_conflicts: true,
                allow_recreate: false,
            },
        )
        .expect_err("a replace needs --allow-recreate");
        assert!(
            matches!(err, Error::NeedsRecreate { ref objects } if objects[0].contains("Service/immutable"))
        );
    }

    #[test]
    fn only_a_pass_that_created_the_sequencer_key_converges() {
        let mut p = plan(vec![change("c-sequencer-p2p", None, Op::Unchanged)]);
        p.changes[0].object.kind = "Secret".into();
        assert!(!generated_peer_key(&p));
        p.changes[0].op = Op::CreateGenerated;
        assert!(generated_peer_key(&p));
        p.changes[0].object.name = "c-sequencer-el-key".into();
        assert!(generated_peer_key(&p));
        p.changes[0].object.name = "c-sequencer-jwt".into();
        assert!(!generated_peer_key(&p));
    }

    #[test]
    fn a_failed_key_check_holds_only_its_role_and_a_chain_check_holds_every_signer() {
        let held = held_roles(&[
            check(check_names::BATCHER_KEY, CheckStatus::Fail),
            check(check_names::PROPOSER_KEY, CheckStatus::Pass),
            check(check_names::SEQUENCER_KEY, CheckStatus::Skip),
        ]);
        assert_eq!(held.keys().copied().collect::<Vec<_>>(), [Role::Batcher]);
        assert!(held[&Role::Batcher][0].starts_with("batcher-key: "));
        let held = held_roles(&[check(check_names::L1_CHAIN_ID, CheckStatus::Fail)]);
        assert_eq!(
            held.keys().copied().collect::<Vec<_>>(),
            [
                Role::Sequencer,
                Role::Batcher,
                Role::Proposer,
                Role::Challenger
            ]
        );
        assert!(!held.contains_key(&Role::Replica));
        // A component below a fork's minimum may run in any role, replicas included.
        let held = held_roles(&[check(check_names::HARDFORK, CheckStatus::Fail)]);
        assert_eq!(held.len(), 5);
        assert!(held[&Role::Replica][0].starts_with("hardfork: "));
    }

    #[test]
    fn an_adopted_discovery_fills_the_contracts_the_chain_file_does_not_pin() {
        use crate::model::discovery::{ContractInfo, ContractName, Source, Sourced};
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/devnet.toml"));
        let chain = crate::config::load(path).expect("example loads");
        let mut d = Discovery::new(alloy::primitives::Address::repeat_byte(1));
        d.contracts.insert(
            ContractName::L2OutputOracle,
            ContractInfo {
                address: alloy::primitives::Address::repeat_byte(7),
                version: None,
                source: Source::call("SystemConfig", "l2OutputOracle()"),
            },
        );
        d.respected_game_type = Some(Sourced::new(
            0,
            Source::call("OptimismPortal", "respectedGameType()"),
        ));
        let c = crate::resolve::contracts_of(&chain, &d);
        // devnet.toml pins the factory and the game type; discovery fills the rest.
        assert_eq!(
            c.dispute_game_factory.as_deref(),
            chain.file.contracts.dispute_game_factory.as_deref()
        );
        assert_eq!(c.respected_game_type, Some(1));
        assert_eq!(
            c.l2_output_oracle,
            Some(alloy::primitives::Address::repeat_byte(7).to_checksum(None))
        );
    }

    #[test]
    fn the_watcher_pod_stops_writing_once_its_own_deployment_is_gone() {
        use crate::plan::ChainPlan;
        use crate::plan::Summary;
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/devnet.toml"));
        let text = std::fs::read_to_string(path).expect("example");
        let chain = crate::config::load_str(
            path,
            &format!("{text}\n[watch]\ndeploy = true\nimage = \"example.org/opctl:v1.0.0\"\n"),
        )
        .expect("valid");
        let change = |op| crate::plan::Change {
            op,
            object: ObjectRef {
                kind: "Deployment".into(),
                namespace: Some("op-devnet".into()),
                name: "devnet-opctl-watch".into(),
            },
            role: None,
            phase: None,
            restarts: false,
            reason: String::new(),
            drift: Vec::new(),
            diff: String::new(),
            secret_keys: Vec::new(),
            live_resource_version: None,
            desired: None,
        };
        let plan = |op| ChainPlan {
            file: path.into(),
            chain: "devnet".into(),
            namespace: "op-devnet".into(),
            inputs_hash: String::new(),
            env_fingerprints: BTreeMap::new(),
            summary: Summary::default(),
            changes: vec![change(op)],
            rollouts: Vec::new(),
            forks: Vec::new(),
        };
        let pod = "devnet-opctl-watch-7d9f-x2k";
        assert!(uninstalled(&plan(Op::Create), &chain, pod).is_some());
        assert!(uninstalled(&plan(Op::Unchanged), &chain, pod).is_none());
        assert!(
            uninstalled(&plan(Op::Create), &chain, "laptop-123").is_none(),
            "a watcher outside the cluster recreates it"
        );
    }
}

//! The steps of the pass, each against the cluster: plan one chain (render, dry-run server-side
//! apply, classify), check a saved plan for staleness, apply a plan in order, wait for rollouts.
//! Only [`super::run`] strings them together.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use base64::Engine;
use futures::future::{join_all, try_join_all};
use rand::RngCore;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::cluster::{Cluster, ClusterError, Kind, ObjectRef, Propagation};
use crate::config::LoadedChain;
use crate::error::Error;
use crate::plan::order::rollout_order;
use crate::plan::{self, ready, ChainPlan, Change, Drift, DryRun, Op, Summary};
use crate::render::{self, Desired, Identities, Input, Role, SecretFill};

#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// Include members of the chain's ApplySet that are no longer desired.
    pub prune: bool,
    /// With `prune`: also delete generated key Secrets.
    pub delete_secrets: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    pub force_conflicts: bool,
    pub allow_recreate: bool,
}

/// SHA-256 over everything a plan is computed from on the local side.
pub fn inputs_hash(chain: &LoadedChain) -> String {
    let mut h = Sha256::new();
    for part in [
        Some(&chain.text),
        chain.rollup_json.as_ref(),
        chain.genesis_json.as_ref(),
    ] {
        h.update(part.map(String::as_bytes).unwrap_or_default());
        h.update([0]);
    }
    if let Ok(text) = std::fs::read(crate::lock::Lock::path_for(&chain.path)) {
        h.update(&text);
    }
    hex::encode(h.finalize())
}

/// The sequencer's libp2p peer ID and its execution client's devp2p node ID, derived from their
/// generated keys when those Secrets exist.
pub async fn identities(cluster: &Cluster, chain: &LoadedChain) -> Result<Identities, Error> {
    let f = &chain.file;
    if !(f.sequencer.enabled && f.replicas.enabled) {
        return Ok(Identities::default());
    }
    let derive = |secret: String,
                  key: Option<String>,
                  f: fn(&str) -> Result<String, render::identity::IdentityError>| {
        key.map(|k| f(&k)).transpose().map_err(|e| Error::Identity {
            secret,
            namespace: chain.namespace().to_string(),
            message: e.to_string(),
        })
    };
    let name = format!("{}-sequencer-p2p", f.chain.name);
    let key = cluster
        .secret_value(chain.namespace(), &name, "p2p-key")
        .await?;
    let peer = derive(name, key, render::identity::peer_id_from_private_key_hex)?;
    let name = format!("{}-sequencer-el-key", f.chain.name);
    let key = cluster
        .secret_value(chain.namespace(), &name, "node-key")
        .await?;
    let enode = derive(name, key, render::identity::enode_id_from_private_key_hex)?;
    Ok(Identities {
        sequencer_peer_id: peer,
        sequencer_enode_id: enode,
        env_fingerprint: None,
    })
}

/// Fingerprint over the values of every `env:VAR` the chain file names (unset ones count as empty;
/// apply reports them). `None` when there are none.
pub fn env_fingerprint(chain: &LoadedChain) -> Option<String> {
    let l1 = &chain.file.l1;
    let mut vars: Vec<&str> = [&l1.rpc_url, &l1.beacon_url]
        .into_iter()
        .filter_map(|u| u.env_var())
        .collect();
    if vars.is_empty() {
        return None;
    }
    vars.sort_unstable();
    let mut h = Sha256::new();
    for var in vars {
        h.update(var.as_bytes());
        h.update([0]);
        h.update(std::env::var(var).unwrap_or_default().as_bytes());
        h.update([0]);
    }
    Some(hex::encode(&h.finalize()[..8]))
}

/// Fill Secrets whose values come from opctl's environment; returns the object to send.
fn with_env_values(desired: &Desired) -> Result<Value, Error> {
    let mut object = desired.object.clone();
    let mut data = serde_json::Map::new();
    for (key, fill) in &desired.fills {
        if let SecretFill::Env { var } = fill {
            let value = std::env::var(var).map_err(|_| Error::EnvMissing {
                var: var.clone(),
                object: ObjectRef::of(&desired.object).to_string(),
            })?;
            data.insert(
                key.clone(),
                Value::String(base64::engine::general_purpose::STANDARD.encode(value)),
            );
        }
    }
    if !data.is_empty() {
        object["data"] = Value::Object(data);
    }
    Ok(object)
}

/// The change of one object, and its live state when it is a workload (for its rollout note).
async fn plan_object(
    cluster: &Cluster,
    desired: &Desired,
) -> Result<(Change, Option<Value>), Error> {
    let r = ObjectRef::of(&desired.object);
    let live = cluster.get(&r).await?;
    if desired.create_only {
        return Ok((
            plan::classify(desired, live.as_ref(), DryRun::Skipped),
            None,
        ));
    }
    let object = with_env_values(desired)?;
    let dry = match cluster.apply(&object, true, false).await {
        Ok(v) => DryRun::Result(v),
        Err(ClusterError::Conflict { conflicts, .. }) => {
            let forced = cluster.apply(&object, true, true).await?;
            let drift = conflicts
                .into_iter()
                .map(|(manager, field)| Drift { manager, field })
                .collect();
            DryRun::Conflict { drift, forced }
        }
        Err(ClusterError::Invalid {
            message, causes, ..
        }) if crate::cluster::is_immutable(&causes) => DryRun::Immutable {
            message: first_line(&message),
        },
        // A new namespace is created by this same plan; its members cannot be dry-run yet.
        Err(e) if live.is_none() && e.is_namespace_missing() => DryRun::Skipped,
        Err(e) => return Err(e.into()),
    };
    let change = plan::classify(desired, live.as_ref(), dry);
    let workload = matches!(desired.kind(), "StatefulSet" | "Deployment");
    Ok((change, live.filter(|_| workload)))
}

/// Rollout notes of the live workloads that are not finished: their pods are listed only then
/// (one request per unfinished workload; none on a settled chain).
async fn rollouts(
    cluster: &Cluster,
    planned: &[(Change, Option<Value>)],
) -> Result<Vec<ready::Rollout>, Error> {
    let unfinished: Vec<(&Change, &Value)> = planned
        .iter()
        .filter_map(|(c, live)| live.as_ref().map(|l| (c, l)))
        .filter(|(_, live)| ready::readiness(live) != ready::Readiness::Ready)
        .collect();
    let pods = try_join_all(
        unfinished
            .iter()
            .map(|(_, live)| workload_pods(cluster, live)),
    )
    .await?;
    Ok(unfinished
        .iter()
        .zip(pods)
        .filter_map(|((change, live), pods)| {
            let rolls = change.restarts && change.op != Op::Unchanged;
            ready::rollout(live, &pods, rolls)
        })
        .collect())
}

/// The pods a workload selects.
async fn workload_pods(cluster: &Cluster, live: &Value) -> Result<Vec<Value>, Error> {
    let Some(selector) = ready::pod_selector(live) else {
        return Ok(Vec::new());
    };
    let namespace = live.pointer("/metadata/namespace").and_then(Value::as_str);
    Ok(cluster.list(Kind::Pod, namespace, &selector).await?)
}

fn first_line(s: &str) -> String {
    let s = s.lines().next().unwrap_or(s);
    if s.len() > 200 {
        format!(
            "{}...",
            &s[..s
                .char_indices()
                .take_while(|(i, _)| *i < 200)
                .last()
                .map_or(0, |(i, c)| i + c.len_utf8())]
        )
    } else {
        s.to_string()
    }
}

/// Plan one chain against the cluster. `contracts` come from the TOML overrides and the lock file.
pub async fn plan_chain(
    cluster: &Cluster,
    chain: &LoadedChain,
    contracts: render::Contracts,
    opts: PlanOptions,
) -> Result<ChainPlan, Error> {
    let mut ids = identities(cluster, chain).await?;
    ids.env_fingerprint = env_fingerprint(chain);
    let input = Input {
        chain,
        contracts,
        identities: ids,
    };
    let desired = render::render(&input).map_err(|source| Error::Render {
        file: chain.path.display().to_string(),
        source,
    })?;
    let planned = try_join_all(desired.iter().map(|d| plan_object(cluster, d))).await?;
    let rollouts = rollouts(cluster, &planned).await?;
    let mut changes: Vec<Change> = planned.into_iter().map(|(c, _)| c).collect();
    let namespace = chain.namespace().to_string();
    if opts.prune {
        let has_workloads = desired
            .iter()
            .any(|d| matches!(d.kind(), "StatefulSet" | "Deployment"));
        if !has_workloads {
            return Err(Error::PruneRefused {
                file: chain.path.display().to_string(),
            });
        }
        let wanted: BTreeSet<ObjectRef> =
            desired.iter().map(|d| ObjectRef::of(&d.object)).collect();
        let parent = format!("{}-applyset", chain.file.chain.name);
        let selector = format!(
            "{}={}",
            render::LABEL_APPLYSET_PART_OF,
            render::applyset_id(&parent, &namespace)
        );
        let kinds: Vec<Kind> = Kind::ALL.into_iter().filter(|k| k.namespaced()).collect();
        let lists = try_join_all(
            kinds
                .iter()
                .map(|k| cluster.list(*k, Some(&namespace), &selector)),
        )
        .await?;
        let mut pruned: Vec<Change> = lists
            .into_iter()
            .flatten()
            .filter(|live| !wanted.contains(&ObjectRef::of(live)))
            .filter(|live| opts.delete_secrets || !plan::is_generated_secret(live))
            .map(|live| plan::prune_change(&live))
            .collect();
        pruned.sort_by(|a, b| a.object.cmp(&b.object));
        changes.extend(pruned);
    }
    let env_fingerprints = desired
        .iter()
        .flat_map(|d| {
            d.fills.iter().filter_map(move |(k, f)| match f {
                SecretFill::Env { var } => std::env::var(var)
                    .ok()
                    .map(|v| (format!("{}/{k}", d.name()), plan::fingerprint(v.as_bytes()))),
                _ => None,
            })
        })
        .collect();
    Ok(ChainPlan {
        // Absolute, so that a saved plan applies from any working directory.
        file: std::fs::canonicalize(&chain.path).unwrap_or_else(|_| chain.path.clone()),
        chain: chain.file.chain.name.clone(),
        namespace,
        inputs_hash: inputs_hash(chain),
        env_fingerprints,
        summary: Summary::of(&changes),
        changes,
        rollouts,
        forks: upcoming_forks(chain),
    })
}

/// The chain's forks activating within 30 days of now (the wall clock is read here, at the
/// edge; the window itself is `ForkSchedule::upcoming_for_plan`).
fn upcoming_forks(chain: &LoadedChain) -> Vec<crate::model::forks::UpcomingFork> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    crate::resolve::fork_schedule(chain)
        .map(|s| s.upcoming_for_plan(now))
        .unwrap_or_default()
}

/// What an apply wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub written: Vec<ObjectRef>,
    pub deleted: Vec<ObjectRef>,
}

/// Checks that must pass before anything is written.
pub fn preflight(plan: &ChainPlan, opts: ApplyOptions) -> Result<(), Error> {
    if !opts.allow_recreate {
        let replace: Vec<String> = plan
            .changes
            .iter()
            .filter(|c| c.op == Op::Replace)
            .map(|c| format!("{}: {}", c.object, c.reason))
            .collect();
        if !replace.is_empty() {
            return Err(Error::NeedsRecreate { objects: replace });
        }
    }
    if !opts.force_conflicts {
        if let Some(c) = plan.changes.iter().find(|c| !c.drift.is_empty()) {
            return Err(ClusterError::Conflict {
                object: c.object.to_string(),
                conflicts: c
                    .drift
                    .iter()
                    .map(|d| (d.manager.clone(), d.field.clone()))
                    .collect(),
            }
            .into());
        }
    }
    Ok(())
}

/// A fresh secret value: 32 bytes from the OS-seeded CSPRNG, hex (a valid secp256k1 scalar for keys).
fn generate(fill: &SecretFill) -> Option<String> {
    let mut rng = rand::rng();
    match fill {
        SecretFill::Jwt => {
            let mut b = [0u8; 32];
            rng.fill_bytes(&mut b);
            Some(hex::encode(b))
        }
        SecretFill::P2pKey => loop {
            let mut b = [0u8; 32];
            rng.fill_bytes(&mut b);
            if alloy::signers::k256::ecdsa::SigningKey::from_slice(&b).is_ok() {
                break Some(hex::encode(b));
            }
        },
        SecretFill::Env { .. } => None,
    }
}

fn generated_secret(desired: &Desired) -> Value {
    let mut object = desired.object.clone();
    let data: serde_json::Map<String, Value> = desired
        .fills
        .iter()
        .filter_map(|(k, f)| {
            generate(f).map(|v| {
                (
                    k.clone(),
                    Value::String(base64::engine::general_purpose::STANDARD.encode(v)),
                )
            })
        })
        .collect();
    object["data"] = Value::Object(data);
    object
}

/// Apply a plan: writes in phase order, then prunes in reverse. Stops at the first failure and says
/// what was already written (re-running converges).
pub async fn apply_plan(
    cluster: &Cluster,
    plan: &ChainPlan,
    opts: ApplyOptions,
) -> Result<ApplyReport, Error> {
    apply_staged(cluster, plan, opts, None).await
}

/// What the ordered apply waits with: the pass's deadline, the pods the plan names as stuck, and
/// who hears progress.
pub struct Ordered<'a> {
    pub deadline: Instant,
    pub timeout: Duration,
    pub stuck: &'a BTreeMap<ObjectRef, Vec<String>>,
    /// Readiness gates to keep while waiting (chains with `[replicas] readiness_gate`).
    pub gates: &'a [crate::status::gate::Keeper<'a>],
    pub progress: &'a (dyn Fn(OrderedEvent<'_>) + Sync),
}

/// Progress of a role-ordered rollout.
pub enum OrderedEvent<'a> {
    /// Step `index` (from 1) of `total` starts: `object` is written now.
    Step {
        index: usize,
        total: usize,
        object: &'a ObjectRef,
    },
    /// A rollout changed state.
    Rollout(&'a ObjectRef, &'a ready::Readiness),
}

/// Apply a plan; with `ordered`, the rollout steps of [`rollout_order`] are written one at a time,
/// each waited for until ready before the next, and the first that does not get ready stops the
/// apply with every later step untouched.
pub async fn apply_staged(
    cluster: &Cluster,
    plan: &ChainPlan,
    opts: ApplyOptions,
    ordered: Option<&Ordered<'_>>,
) -> Result<ApplyReport, Error> {
    preflight(plan, opts)?;
    let mut report = ApplyReport::default();
    let fail = |report: &ApplyReport, e: Error| Error::Partial {
        written: report
            .written
            .iter()
            .chain(report.deleted.iter())
            .map(ToString::to_string)
            .collect(),
        source: Box::new(e),
    };
    let steps: Vec<&Change> = match ordered {
        Some(_) => rollout_order(plan),
        None => Vec::new(),
    };
    let is_step = |c: &Change| steps.iter().any(|s| s.object == c.object);
    for change in plan
        .changes
        .iter()
        .filter(|c| c.op != Op::Prune && c.op != Op::Unchanged && !is_step(c))
    {
        match write_change(cluster, change, opts).await {
            Ok(true) => report.written.push(change.object.clone()),
            Ok(false) => {}
            Err(e) => return Err(fail(&report, e)),
        }
    }
    if let Some(o) = ordered {
        for (i, change) in steps.iter().enumerate() {
            (o.progress)(OrderedEvent::Step {
                index: i + 1,
                total: steps.len(),
                object: &change.object,
            });
            match write_change(cluster, change, opts).await {
                Ok(true) => report.written.push(change.object.clone()),
                Ok(false) => {}
                Err(e) => return Err(fail(&report, e)),
            }
            let stuck: BTreeMap<ObjectRef, Vec<String>> = o
                .stuck
                .get(&change.object)
                .map(|p| (change.object.clone(), p.clone()))
                .into_iter()
                .collect();
            let left = o.deadline.saturating_duration_since(Instant::now());
            let waited = wait_ready(
                cluster,
                &[(change.object.clone(), change.role)],
                &stuck,
                o.gates,
                left,
                |r, s| (o.progress)(OrderedEvent::Rollout(r, s)),
            )
            .await;
            match waited {
                Ok(()) => {}
                Err(Error::Rollout { workloads, .. }) => {
                    return Err(Error::RolloutStopped(Box::new(
                        crate::error::StoppedRollout {
                            step: format!("{} ({})", change.object, rollout_role(change.role)),
                            index: i + 1,
                            total: steps.len(),
                            untouched: steps[i + 1..]
                                .iter()
                                .map(|c| c.object.to_string())
                                .collect(),
                            written: report.written.iter().map(ToString::to_string).collect(),
                            timeout: format!("{}s", o.timeout.as_secs()),
                            detail: workloads,
                        },
                    )))
                }
                Err(e) => return Err(fail(&report, e)),
            }
        }
    }
    for change in plan.changes.iter().rev().filter(|c| c.op == Op::Prune) {
        match cluster
            .delete(&change.object, Propagation::Background)
            .await
        {
            Ok(()) => report.deleted.push(change.object.clone()),
            Err(e) => return Err(fail(&report, e.into())),
        }
    }
    Ok(report)
}

fn rollout_role(role: Option<Role>) -> &'static str {
    role.map_or("watcher", Role::as_str)
}

/// Write one change; `Ok(false)` when there was nothing to write.
async fn write_change(
    cluster: &Cluster,
    change: &Change,
    opts: ApplyOptions,
) -> Result<bool, Error> {
    let Some(desired) = &change.desired else {
        return Ok(false);
    };
    match change.op {
        Op::CreateGenerated => {
            cluster.create_if_absent(&generated_secret(desired)).await?;
        }
        Op::Replace => {
            // A StatefulSet's pods are orphaned and adopted by the new object (volumes
            // stay). A Deployment runs a single signer, so its pods must be gone before
            // the new one starts: never two batchers or proposers with one key.
            let how = if change.object.kind == "Deployment" {
                Propagation::Foreground
            } else {
                Propagation::Orphan
            };
            cluster.delete(&change.object, how).await?;
            wait_gone(cluster, &change.object, Duration::from_secs(120)).await?;
            cluster
                .apply(&with_env_values(desired)?, false, opts.force_conflicts)
                .await?;
        }
        _ => {
            cluster
                .apply(&with_env_values(desired)?, false, opts.force_conflicts)
                .await?;
        }
    }
    Ok(true)
}

/// Polls until `r` is gone. An object with finalizers (a namespace lingers in `Terminating` until
/// the namespace controller has emptied it) can take a while; on timeout the error quotes the
/// object's true conditions, which say what it still waits for.
pub async fn wait_gone(cluster: &Cluster, r: &ObjectRef, timeout: Duration) -> Result<(), Error> {
    let start = Instant::now();
    while let Some(live) = cluster.get(r).await? {
        if start.elapsed() > timeout {
            let conditions: Vec<&str> = live
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|c| c.get("status").and_then(Value::as_str) == Some("True"))
                .filter_map(|c| c.get("message").and_then(Value::as_str))
                .collect();
            let why = if conditions.is_empty() {
                String::new()
            } else {
                format!(" ({})", conditions.join("; "))
            };
            return Err(Error::Timeout {
                what: format!("{r} to be deleted{why}"),
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// Workloads of a plan that apply changed, to wait for.
pub fn workloads_to_wait_for(plan: &ChainPlan) -> Vec<(ObjectRef, Option<Role>)> {
    let mut out: Vec<(ObjectRef, Option<Role>)> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.op, Op::Create | Op::Update | Op::Replace))
        .filter(|c| matches!(c.object.kind.as_str(), "StatefulSet" | "Deployment"))
        .map(|c| (c.object.clone(), c.role))
        .collect();
    // A rollout left unfinished by an earlier apply is waited for too (and its stuck pods
    // replaced), even when this plan does not change the workload.
    for r in &plan.rollouts {
        if !out.iter().any(|(o, _)| o == &r.object) {
            let role = plan
                .changes
                .iter()
                .find(|c| c.object == r.object)
                .and_then(|c| c.role);
            out.push((r.object.clone(), role));
        }
    }
    out
}

/// Pods the plan confirmed deleting because their StatefulSet would never replace them.
pub fn stuck_pods_to_delete(plan: &ChainPlan) -> BTreeMap<ObjectRef, Vec<String>> {
    plan.rollouts
        .iter()
        .filter(|r| !r.delete_stuck.is_empty())
        .map(|r| (r.object.clone(), r.delete_stuck.clone()))
        .collect()
}

/// Poll until every workload's rollout is complete; `progress` hears each state change.
///
/// `stuck` names pods the confirmed plan deletes: each is deleted once, when its StatefulSet's
/// controller has seen the new template and the pod is still unready on an older revision (the
/// controller would wait for it forever). On timeout the error names every unfinished workload,
/// its state, and each pod that does not serve with its conditions.
///
/// `gates`: chains whose replicas carry the caught-up readiness gate; while waiting, their nodes
/// are read and the gate conditions written (at most every [`GATE_EVERY`]), so an apply completes
/// without a watcher and a rolled replica counts as ready only once it has caught up.
pub async fn wait_ready(
    cluster: &Cluster,
    objects: &[(ObjectRef, Option<Role>)],
    stuck: &BTreeMap<ObjectRef, Vec<String>>,
    gates: &[crate::status::gate::Keeper<'_>],
    timeout: Duration,
    mut progress: impl FnMut(&ObjectRef, &ready::Readiness),
) -> Result<(), Error> {
    let start = Instant::now();
    let mut gated_at: Option<Instant> = None;
    let mut gate_error: Option<String> = None;
    let mut pending: Vec<ObjectRef> = objects.iter().map(|(r, _)| r.clone()).collect();
    let mut last: BTreeMap<ObjectRef, ready::Readiness> = BTreeMap::new();
    let mut lives: BTreeMap<ObjectRef, Value> = BTreeMap::new();
    let mut deleted: BTreeSet<(ObjectRef, String)> = BTreeSet::new();
    while !pending.is_empty() {
        if !gates.is_empty() && gated_at.is_none_or(|t| t.elapsed() >= GATE_EVERY) {
            gated_at = Some(Instant::now());
            for keeper in gates {
                // A gate that cannot be written (no `patch` on `pods/status`, an API hiccup) is
                // said and retried; the wait's timeout names the pods still not ready.
                let changes = match keeper.tick(cluster).await {
                    Ok(changes) => changes,
                    Err(e) => {
                        let text = format!("cannot write the replicas' readiness gate: {e}");
                        if gate_error.as_deref() != Some(text.as_str()) {
                            let why = ready::Readiness::Waiting(text.clone());
                            for (r, _) in objects.iter().filter(|(r, _)| pending.contains(r)) {
                                if r.namespace.as_deref() == Some(keeper.namespace()) {
                                    progress(r, &why);
                                }
                            }
                            gate_error = Some(text);
                        }
                        Vec::new()
                    }
                };
                for c in changes {
                    let sts = ObjectRef {
                        kind: "StatefulSet".into(),
                        namespace: Some(keeper.namespace().to_string()),
                        name: c.node.clone(),
                    };
                    if pending.contains(&sts) {
                        let word = if c.caught_up {
                            "caught up"
                        } else {
                            "not caught up"
                        };
                        progress(
                            &sts,
                            &ready::Readiness::Waiting(format!(
                                "pod {} {word} ({}): {}",
                                c.pod, c.reason, c.message
                            )),
                        );
                    }
                }
            }
        }
        let states = join_all(pending.iter().map(|r| cluster.get(r))).await;
        let mut still = Vec::new();
        for (r, state) in pending.iter().zip(states) {
            let live = state?;
            let state = match &live {
                Some(live) => ready::readiness(live),
                None => ready::Readiness::Waiting("not found".into()),
            };
            if let (Some(live), Some(names), ready::Readiness::Waiting(_)) =
                (&live, stuck.get(r), &state)
            {
                for pod in replace_stuck(cluster, live, names, &deleted).await? {
                    progress(
                        r,
                        &ready::Readiness::Waiting(format!(
                            "deleted pod {pod}: it never became ready on an old revision, so \
                             the controller re-creates it on the new one"
                        )),
                    );
                    deleted.insert((r.clone(), pod));
                }
            }
            if last.get(r) != Some(&state) {
                progress(r, &state);
                last.insert(r.clone(), state.clone());
            }
            if state != ready::Readiness::Ready {
                still.push(r.clone());
            }
            if let Some(live) = live {
                lives.insert(r.clone(), live);
            }
        }
        pending = still;
        if pending.is_empty() {
            break;
        }
        if start.elapsed() >= timeout {
            let mut lines = Vec::new();
            for r in &pending {
                let state = match last.get(r) {
                    Some(ready::Readiness::Waiting(why)) => why.clone(),
                    _ => "not ready".to_string(),
                };
                lines.push(format!("{r}: {state}"));
                if let Some(live) = lives.get(r) {
                    // Best effort: the timeout is the error; a failed pod listing only loses detail.
                    let pods = workload_pods(cluster, live).await.unwrap_or_default();
                    for p in ready::pod_problems(&pods) {
                        lines.push(format!("  pod {}: {}", p.pod, p.problem));
                    }
                }
            }
            return Err(Error::Rollout {
                timeout: format!("{}s", timeout.as_secs()),
                workloads: lines,
            });
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(())
}

/// How often a waiting apply reads the nodes of gated chains.
pub const GATE_EVERY: Duration = Duration::from_secs(2);

/// Deletes the pods of `names` that are stuck now (see [`ready::stuck_pods`]) and not deleted
/// before; returns their names.
async fn replace_stuck(
    cluster: &Cluster,
    live: &Value,
    names: &[String],
    deleted: &BTreeSet<(ObjectRef, String)>,
) -> Result<Vec<String>, Error> {
    let owner = ObjectRef::of(live);
    let pods = workload_pods(cluster, live).await?;
    let mut out = Vec::new();
    for p in ready::stuck_pods(live, &pods) {
        if !names.contains(&p.pod) || deleted.contains(&(owner.clone(), p.pod.clone())) {
            continue;
        }
        let pod = ObjectRef {
            kind: "Pod".into(),
            namespace: owner.namespace.clone(),
            name: p.pod.clone(),
        };
        cluster.delete(&pod, Propagation::Background).await?;
        out.push(p.pod);
    }
    Ok(out)
}

/// Why a saved plan no longer applies: the inputs or the cluster moved since it was made.
pub async fn stale_reasons(
    cluster: &Cluster,
    plan: &ChainPlan,
    chain: &LoadedChain,
) -> Result<Vec<String>, Error> {
    let mut reasons = Vec::new();
    if inputs_hash(chain) != plan.inputs_hash {
        reasons.push(format!(
            "{} (or its rollup/genesis/lock file) changed since the plan was made",
            plan.file.display()
        ));
    }
    for (key, fp) in &plan.env_fingerprints {
        let var = plan
            .changes
            .iter()
            .filter_map(|c| c.desired.as_ref())
            .flat_map(|d| {
                d.fills
                    .iter()
                    .map(move |(k, f)| (format!("{}/{k}", d.name()), f))
            })
            .find_map(|(k, f)| match f {
                SecretFill::Env { var } if &k == key => Some(var.clone()),
                _ => None,
            });
        if let Some(var) = var {
            let now = std::env::var(&var)
                .ok()
                .map(|v| plan::fingerprint(v.as_bytes()));
            if now.as_ref() != Some(fp) {
                reasons.push(format!(
                    "environment variable {var} changed since the plan was made"
                ));
            }
        }
    }
    let lives = try_join_all(plan.changes.iter().map(|c| cluster.get(&c.object))).await?;
    for (c, live) in plan.changes.iter().zip(lives) {
        let now = live
            .as_ref()
            .and_then(|l| l.pointer("/metadata/resourceVersion"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if now != c.live_resource_version {
            reasons.push(match (&c.live_resource_version, &now) {
                (None, Some(_)) => format!("{} was created since the plan was made", c.object),
                (Some(_), None) => format!("{} was deleted since the plan was made", c.object),
                _ => format!(
                    "{} changed in the cluster since the plan was made",
                    c.object
                ),
            });
        }
    }
    Ok(reasons)
}

//! op-batcher, op-proposer and op-challenger.
//!
//! Batcher and proposer are single writers: one replica with the `Recreate` strategy, so an update
//! never runs two signers with one key (two would race for nonces and double-post).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, StatefulSet, StatefulSetSpec,
};
use k8s_openapi::api::core::v1::{Container, EnvVar, PodSpec, PodTemplateSpec, Volume};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::common::*;
use super::nodes::{
    self, el_url, http_probe, node_rpc_url, sequencer_el_url, signer_settings, tcp_probe, Node,
};
use super::{games, Desired, Phase, RenderError, Role};
use crate::config::{ExecutionClient, Signer};

const RPC_PORT: i32 = 8545;

struct Workload<'a> {
    role: Role,
    app: &'static str,
    name: String,
    container: Container,
    volumes: Vec<Volume>,
    e: &'a Effective,
}

/// The node a role calls: the sequencer, or replica 0 when asked to prefer a replica (or when there
/// is no sequencer).
pub(crate) fn rpc_node(ctx: &Ctx<'_>, prefer_replica: bool) -> Node {
    let f = &ctx.chain.file;
    if (prefer_replica || !f.sequencer.enabled) && f.replicas.enabled {
        Node::Replica(0)
    } else {
        Node::Sequencer
    }
}

fn signer(
    s: Option<&Signer>,
    prefix: &str,
    args: &mut Vec<String>,
    env: &mut Vec<EnvVar>,
    volumes: &mut Vec<Volume>,
) -> bool {
    let Some(s) = s else { return false };
    match signer_settings(s, &format!("{prefix}_PRIVATE_KEY"), args, env) {
        Some(tls) => {
            volumes.push(secret_volume("signer-tls", &tls));
            true
        }
        None => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn op_service_container(
    ctx: &Ctx<'_>,
    app: &str,
    mut args: Vec<String>,
    env: Vec<EnvVar>,
    e: &Effective,
    rpc: bool,
    tls: bool,
    extra: &[String],
) -> Container {
    if rpc {
        args.push("--rpc.addr=0.0.0.0".to_string());
        args.push(format!("--rpc.port={RPC_PORT}"));
    }
    args.extend(op_metrics_args(e));
    args.extend(op_log_args(e));
    args.extend(extra.iter().cloned());
    let mut env = env;
    env.extend(plain_env(&e.env));
    let mut ports = Vec::new();
    if rpc {
        ports.push(port("rpc", RPC_PORT, "TCP"));
    }
    if e.metrics {
        ports.push(port("metrics", e.metrics_port as i32, "TCP"));
    }
    let mut c = container(app, ctx.image(app), app, args, env, e);
    c.ports = (!ports.is_empty()).then_some(ports);
    let mut mounts = vec![mount("tmp", "/tmp", false)];
    if tls {
        mounts.push(mount("signer-tls", "/secrets/signer-tls", true));
    }
    c.volume_mounts = Some(mounts);
    if rpc {
        c.liveness_probe = Some(http_probe("/healthz", RPC_PORT, 20, 6));
        c.readiness_probe = Some(http_probe("/healthz", RPC_PORT, 10, 3));
    }
    c
}

fn pod(ctx: &Ctx<'_>, w: &Workload<'_>, mut volumes: Vec<Volume>) -> PodTemplateSpec {
    volumes.insert(0, tmp_volume());
    let version = image_tag(w.container.image.as_deref().unwrap_or("")).map(str::to_string);
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(ctx.labels(Some(w.role), &w.name, w.app, version.as_deref())),
            annotations: Some(BTreeMap::from([(
                ANN_CONFIG_HASH.to_string(),
                ctx.config_hash().to_string(),
            )])),
            ..Default::default()
        }),
        spec: Some(PodSpec {
            service_account_name: Some(ctx.service_account_name().to_string()),
            automount_service_account_token: Some(false),
            enable_service_links: Some(false),
            termination_grace_period_seconds: Some(60),
            security_context: Some(pod_security(w.e)),
            containers: vec![w.container.clone()],
            volumes: Some(volumes),
            node_selector: node_selector(w.e),
            tolerations: tolerations(w.e),
            ..Default::default()
        }),
    }
}

/// A single-writer Deployment plus its Service.
fn single_writer(ctx: &Ctx<'_>, w: Workload<'_>, phase: Phase) -> Vec<Desired> {
    let version = image_tag(w.container.image.as_deref().unwrap_or("")).map(str::to_string);
    let labels = ctx.labels(Some(w.role), &w.name, w.app, version.as_deref());
    let dep = Deployment {
        metadata: ctx.meta(&w.name, labels),
        spec: Some(DeploymentSpec {
            replicas: Some(1),
            strategy: Some(DeploymentStrategy {
                type_: Some("Recreate".into()),
                ..Default::default()
            }),
            selector: LabelSelector {
                match_labels: Some(ctx.selector(Some(w.role), &w.name)),
                ..Default::default()
            },
            template: pod(ctx, &w, w.volumes.clone()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut ports = vec![service_port("rpc", RPC_PORT, "TCP")];
    if w.e.metrics {
        ports.push(service_port("metrics", w.e.metrics_port as i32, "TCP"));
    }
    vec![
        ctx.service(w.role, &w.name, &w.name, w.app, false, ports),
        ctx.desired(Some(w.role), phase, &dep),
    ]
}

pub fn batcher(ctx: &Ctx<'_>) -> Vec<Desired> {
    let b = &ctx.chain.file.batcher;
    let e = ctx.effective(&b.overrides);
    let mut args = Vec::new();
    let mut env = Vec::new();
    let mut volumes = Vec::new();
    ctx.url_arg(
        "rpc-url",
        &ctx.chain.file.l1.rpc_url,
        "--l1-eth-rpc",
        "OP_BATCHER_L1_ETH_RPC",
        &mut args,
        &mut env,
    );
    args.push(format!("--l2-eth-rpc={}", sequencer_el_url(ctx)));
    args.push(format!(
        "--rollup-rpc={}",
        node_rpc_url(ctx, Node::Sequencer)
    ));
    args.push(format!(
        "--data-availability-type={}",
        match b.data_availability {
            crate::config::DataAvailability::Blobs => "blobs",
            crate::config::DataAvailability::Calldata => "calldata",
            crate::config::DataAvailability::Auto => "auto",
        }
    ));
    args.push(format!(
        "--batch-type={}",
        u8::from(b.span_batches.unwrap_or(true))
    ));
    args.push(format!(
        "--max-channel-duration={}",
        b.max_channel_duration.unwrap_or(1500)
    ));
    args.push("--wait-node-sync".to_string());
    let tls = signer(
        b.signer.as_ref(),
        "OP_BATCHER",
        &mut args,
        &mut env,
        &mut volumes,
    );
    let container =
        op_service_container(ctx, "op-batcher", args, env, &e, true, tls, &b.extra_args);
    let mut c = container;
    c.resources = Some(resources(e.resources.as_ref(), "250m", "512Mi"));
    single_writer(
        ctx,
        Workload {
            role: Role::Batcher,
            app: "op-batcher",
            name: format!("{}-batcher", ctx.name),
            container: c,
            volumes,
            e: &e,
        },
        Phase::Batcher,
    )
}

fn missing(
    ctx: &Ctx<'_>,
    role: &'static str,
    what: &'static str,
    key: &'static str,
) -> RenderError {
    RenderError::MissingContract {
        role,
        what,
        key,
        file: ctx.chain.path.display().to_string(),
    }
}

pub fn proposer(ctx: &Ctx<'_>) -> Result<Vec<Desired>, RenderError> {
    let p = &ctx.chain.file.proposer;
    let contracts = &ctx.input.contracts;
    let e = ctx.effective(&p.overrides);
    let mut args = Vec::new();
    let mut env = Vec::new();
    let mut volumes = Vec::new();
    ctx.url_arg(
        "rpc-url",
        &ctx.chain.file.l1.rpc_url,
        "--l1-eth-rpc",
        "OP_PROPOSER_L1_ETH_RPC",
        &mut args,
        &mut env,
    );
    let node_url = node_rpc_url(ctx, rpc_node(ctx, false));
    match (&contracts.dispute_game_factory, &contracts.l2_output_oracle) {
        (Some(dgf), _) => {
            let game_type = games::proposer_game_type(p.game_type, contracts).ok_or_else(|| {
                missing(
                    ctx,
                    "op-proposer",
                    "respected game type (OptimismPortal.respectedGameType())",
                    "respected_game_type",
                )
            })?;
            // Rule proposer-game-type: super-root games (5, 9) are proposed from the node's
            // `superroot_atTimestamp` (it has the safe-head DB), not its output roots.
            if games::is_super_root(game_type) {
                args.push(format!("--superroot-rpcs={node_url}"));
            } else {
                args.push(format!("--rollup-rpc={node_url}"));
            }
            args.push(format!("--game-factory-address={dgf}"));
            args.push(format!(
                "--proposal-interval={}",
                p.proposal_interval.as_deref().unwrap_or("1h")
            ));
            args.push(format!("--game-type={game_type}"));
        }
        // Legacy chains: only op-proposer builds from before 2026-01 still accept `--l2oo-address`.
        (None, Some(l2oo)) => {
            args.push(format!("--rollup-rpc={node_url}"));
            args.push(format!("--l2oo-address={l2oo}"));
            args.push("--poll-interval=12s".to_string());
        }
        (None, None) => {
            return Err(missing(
                ctx,
                "op-proposer",
                "DisputeGameFactory",
                "dispute_game_factory",
            ))
        }
    }
    args.push("--wait-node-sync".to_string());
    let tls = signer(
        p.signer.as_ref(),
        "OP_PROPOSER",
        &mut args,
        &mut env,
        &mut volumes,
    );
    let mut c = op_service_container(ctx, "op-proposer", args, env, &e, true, tls, &p.extra_args);
    c.resources = Some(resources(e.resources.as_ref(), "100m", "256Mi"));
    Ok(single_writer(
        ctx,
        Workload {
            role: Role::Proposer,
            app: "op-proposer",
            name: format!("{}-proposer", ctx.name),
            container: c,
            volumes,
            e: &e,
        },
        Phase::Proposer,
    ))
}

pub fn challenger(ctx: &Ctx<'_>) -> Result<Vec<Desired>, RenderError> {
    let ch = &ctx.chain.file.challenger;
    let f = &ctx.chain.file;
    let mut e = ctx.effective(&ch.overrides);
    // The metrics server is op-challenger's only HTTP surface, so it is what the probes use.
    e.metrics = true;
    let mut args = Vec::new();
    let mut env = Vec::new();
    let mut volumes = Vec::new();
    ctx.url_arg(
        "rpc-url",
        &f.l1.rpc_url,
        "--l1-eth-rpc",
        "OP_CHALLENGER_L1_ETH_RPC",
        &mut args,
        &mut env,
    );
    ctx.url_arg(
        "beacon-url",
        &f.l1.beacon_url,
        "--l1-beacon",
        "OP_CHALLENGER_L1_BEACON",
        &mut args,
        &mut env,
    );
    let node = rpc_node(ctx, true);
    args.push(format!("--l2-eth-rpc={}", el_url(ctx, node)));
    if ctx.chain.challenger_el() == ExecutionClient::OpReth {
        // Rule challenger-vm-state: without it op-program fetches trie nodes with debug_dbGet
        // (optimism op-service/sources/debug_client.go:21-49), which reth serves only for code keys
        // (reth crates/rpc/rpc/src/debug.rs:1032-1054); with it, op-program reads state through
        // eth_getProof (op-challenger trace/vm/op_program_server_executor.go:54-55), within the
        // proof window rendered on that node. Permissionless VM games are refused by validation.
        args.push(format!("--l2-experimental-eth-rpc={}", el_url(ctx, node)));
    }
    // Rule challenger-game-types: what it plays follows the respected and enabled game types.
    let games_error = |e: games::GamesError| RenderError::Games {
        role: "op-challenger",
        reason: e.to_string(),
        file: ctx.chain.path.display().to_string(),
    };
    let kinds = games::challenger_kinds(ch, &ctx.input.contracts).map_err(games_error)?;
    // Rule challenger-vm-state for game types taken from discovery (validation refuses the ones
    // the chain file names).
    if ch.game_types.is_empty() && ctx.chain.challenger_el() == ExecutionClient::OpReth {
        if let Some(t) = kinds
            .iter()
            .filter(|k| k.runs_vm_for_anyone())
            .find_map(|k| k.trace_type)
        {
            return Err(RenderError::Games {
                role: "op-challenger",
                reason: format!(
                    "the chain's enabled game types include {}\n  hint: {}",
                    crate::config::validate::vm_game_against_op_reth(t),
                    crate::config::validate::VM_GAME_AGAINST_OP_RETH_HINT
                ),
                file: ctx.chain.path.display().to_string(),
            });
        }
    }
    let prestates = games::prestate_args(ch, &kinds).map_err(games_error)?;
    let trace_types = games::trace_types(ch, &kinds);
    let super_roots = kinds.iter().any(|k| k.super_root);
    let output_roots = kinds.iter().any(|k| !k.super_root) || kinds.is_empty();
    if output_roots {
        args.push(format!("--rollup-rpc={}", node_rpc_url(ctx, node)));
    }
    if super_roots {
        args.push(format!("--superroot-rpc={}", node_rpc_url(ctx, node)));
    }
    args.push("--datadir=/data".to_string());
    match &f.chain.network {
        // `--network` gives the factory, rollup config and genesis; it must not be combined with them.
        Some(n) => args.push(format!("--network={n}")),
        None => {
            let dgf = ctx
                .input
                .contracts
                .dispute_game_factory
                .as_ref()
                .ok_or_else(|| {
                    missing(
                        ctx,
                        "op-challenger",
                        "DisputeGameFactory",
                        "dispute_game_factory",
                    )
                })?;
            args.push(format!("--game-factory-address={dgf}"));
            args.push("--rollup-config=/config/rollup.json".to_string());
            args.push(format!("--l2-genesis={}", super::genesis::GENESIS_FILE));
            if ctx.chain.l1_genesis_json.is_some() {
                args.push(format!("--l1-genesis=/config/{L1_GENESIS_KEY}"));
            }
        }
    }
    args.push(format!("--game-types={}", trace_types.join(",")));
    args.extend(prestates);
    let tls = signer(
        ch.signer.as_ref(),
        "OP_CHALLENGER",
        &mut args,
        &mut env,
        &mut volumes,
    );
    let mut c = op_service_container(
        ctx,
        "op-challenger",
        args,
        env,
        &e,
        false,
        tls,
        &ch.extra_args,
    );
    c.resources = Some(resources(e.resources.as_ref(), "2", "4Gi"));
    let mut mounts = c.volume_mounts.take().unwrap_or_default();
    mounts.push(mount("data", "/data", false));
    if ctx.has_config_map() {
        mounts.push(mount("chain-config", "/config", true));
        volumes.push(config_volume(ctx));
    }
    if super::genesis::delivered(ctx) {
        mounts.push(super::genesis::mount_genesis());
        volumes.extend(super::genesis::volumes(ctx));
    }
    c.volume_mounts = Some(mounts);
    c.liveness_probe = Some(tcp_probe(e.metrics_port as i32, 20, 6));
    c.readiness_probe = Some(http_probe("/metrics", e.metrics_port as i32, 10, 3));

    let name = format!("{}-challenger", ctx.name);
    let headless = format!("{name}-headless");
    let w = Workload {
        role: Role::Challenger,
        app: "op-challenger",
        name: name.clone(),
        container: c,
        volumes: Vec::new(),
        e: &e,
    };
    let version = image_tag(w.container.image.as_deref().unwrap_or("")).map(str::to_string);
    let sts = StatefulSet {
        metadata: ctx.meta(
            &name,
            ctx.labels(
                Some(Role::Challenger),
                &name,
                "op-challenger",
                version.as_deref(),
            ),
        ),
        spec: Some(StatefulSetSpec {
            replicas: Some(1),
            service_name: Some(headless.clone()),
            selector: LabelSelector {
                match_labels: Some(ctx.selector(Some(Role::Challenger), &name)),
                ..Default::default()
            },
            template: {
                let mut t = pod(ctx, &w, volumes);
                if let Some(spec) = t.spec.as_mut() {
                    spec.init_containers = super::genesis::init_container(ctx, &e).map(|c| vec![c]);
                }
                t
            },
            volume_claim_templates: Some(vec![nodes::data_claim(
                &ch.storage,
                "100Gi",
                ctx.selector(Some(Role::Challenger), &name),
            )]),
            persistent_volume_claim_retention_policy: Some(nodes::keep_claims()),
            ..Default::default()
        }),
        ..Default::default()
    };
    Ok(vec![
        ctx.service(
            Role::Challenger,
            &headless,
            &name,
            "op-challenger",
            true,
            vec![service_port("metrics", e.metrics_port as i32, "TCP")],
        ),
        ctx.desired(Some(Role::Challenger), Phase::Challenger, &sts),
    ])
}

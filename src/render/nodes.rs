//! Sequencer and replica nodes: op-node plus an execution client (op-reth or op-geth) in one pod, one
//! StatefulSet per node, with its JWT and p2p identity Secrets and its Services; and the replicas'
//! PodDisruptionBudget.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec,
    StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::{
    Container, EnvVar, HTTPGetAction, PersistentVolumeClaim, PersistentVolumeClaimSpec, PodSpec,
    PodTemplateSpec, Probe, TCPSocketAction, VolumeResourceRequirements,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::common::*;
use super::{Desired, Phase, Role, SecretFill};
use crate::config::{Common, ExecutionClient, LogLevel, P2p, Resources, Storage};

pub const EL_HTTP: i32 = 8545;
pub const EL_WS: i32 = 8546;
pub const EL_AUTH: i32 = 8551;
pub const EL_P2P: i32 = 30303;
pub const RETH_METRICS: i32 = 9001;
pub const GETH_METRICS: i32 = 6060;
pub const NODE_RPC: i32 = 9545;
pub const NODE_P2P: i32 = 9222;

const JWT_PATH: &str = "/secrets/jwt/jwt.hex";
const P2P_KEY_PATH: &str = "/secrets/p2p/p2p-key";
const EL_DATA: &str = "/data/el";
const NODE_DATA: &str = "/data/op-node";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Sequencer,
    Replica(u32),
}

struct NodeSettings<'a> {
    role: Role,
    el: ExecutionClient,
    storage: &'a Storage,
    p2p: &'a P2p,
    overrides: &'a Common,
    op_node_resources: Option<&'a Resources>,
    op_node_args: &'a [String],
    execution_args: &'a [String],
    archive: bool,
}

/// Object base name of a node: `<chain>-sequencer` or `<chain>-replica-<i>`.
pub fn node_name(chain: &str, node: Node) -> String {
    match node {
        Node::Sequencer => format!("{chain}-sequencer"),
        Node::Replica(i) => format!("{chain}-replica-{i}"),
    }
}

pub fn node(ctx: &Ctx<'_>, node: Node) -> Vec<Desired> {
    let f = &ctx.chain.file;
    let s = match node {
        Node::Sequencer => NodeSettings {
            role: Role::Sequencer,
            el: f.sequencer.execution_client,
            storage: &f.sequencer.storage,
            p2p: &f.sequencer.p2p,
            overrides: &f.sequencer.overrides,
            op_node_resources: f.sequencer.op_node_resources.as_ref(),
            op_node_args: &f.sequencer.op_node_args,
            execution_args: &f.sequencer.execution_args,
            archive: false,
        },
        Node::Replica(_) => NodeSettings {
            role: Role::Replica,
            el: f.replicas.execution_client,
            storage: &f.replicas.storage,
            p2p: &f.replicas.p2p,
            overrides: &f.replicas.overrides,
            op_node_resources: f.replicas.op_node_resources.as_ref(),
            op_node_args: &f.replicas.op_node_args,
            execution_args: &f.replicas.execution_args,
            archive: f.replicas.archive,
        },
    };
    let name = node_name(ctx.name, node);
    let e = ctx.effective(s.overrides);
    let el_name = el_component(s.el);
    let el_metrics = match s.el {
        ExecutionClient::OpReth => RETH_METRICS,
        ExecutionClient::OpGeth => GETH_METRICS,
    };

    let jwt = format!("{name}-jwt");
    let p2p = format!("{name}-p2p");
    let headless = format!("{name}-headless");
    let mut out = vec![
        ctx.secret(
            Some(s.role),
            &jwt,
            BTreeMap::from([("jwt.hex".to_string(), SecretFill::Jwt)]),
            true,
        ),
        ctx.secret(
            Some(s.role),
            &p2p,
            BTreeMap::from([("p2p-key".to_string(), SecretFill::P2pKey)]),
            true,
        ),
    ];

    let mut client_ports = vec![
        service_port("el-http", EL_HTTP, "TCP"),
        service_port("el-ws", EL_WS, "TCP"),
        service_port("node-rpc", NODE_RPC, "TCP"),
    ];
    if e.metrics {
        client_ports.push(service_port("el-metrics", el_metrics, "TCP"));
        client_ports.push(service_port("node-metrics", e.metrics_port as i32, "TCP"));
    }
    out.push(ctx.service(s.role, &name, &name, el_name, false, client_ports));
    out.push(ctx.service(
        s.role,
        &headless,
        &name,
        el_name,
        true,
        vec![
            service_port("node-p2p-tcp", NODE_P2P, "TCP"),
            service_port("node-p2p-udp", NODE_P2P, "UDP"),
            service_port("el-p2p-tcp", EL_P2P, "TCP"),
            service_port("el-p2p-udp", EL_P2P, "UDP"),
        ],
    ));

    let el = execution_container(ctx, node, &s, &e, el_metrics);
    let op_node = op_node_container(ctx, node, &s, &e);
    let mut init = Vec::new();
    if ctx.custom_chain() {
        init.push(init_container(ctx, &s, &e));
    }
    let mut volumes = vec![
        tmp_volume(),
        secret_volume("jwt", &jwt),
        secret_volume("p2p", &p2p),
    ];
    if ctx.has_config_map() {
        volumes.push(config_volume(ctx));
    }
    if let Some(tls) = f
        .sequencer
        .signing_key
        .as_ref()
        .and_then(|k| k.tls_secret.as_ref())
        .filter(|_| matches!(node, Node::Sequencer))
    {
        volumes.push(secret_volume("signer-tls", tls));
    }
    let selector = ctx.selector(Some(s.role), &name);
    // `name` is the execution client, so `version` is its tag too (op-node's is on its container).
    let el_image = ctx.image(el_name);
    let version = image_tag(&el_image).map(str::to_string);
    let labels = ctx.labels(Some(s.role), &name, el_name, version.as_deref());
    let sts = StatefulSet {
        metadata: ctx.meta(&name, labels.clone()),
        spec: Some(StatefulSetSpec {
            replicas: Some(1),
            service_name: Some(headless.clone()),
            pod_management_policy: Some("OrderedReady".into()),
            update_strategy: Some(StatefulSetUpdateStrategy {
                type_: Some("RollingUpdate".into()),
                ..Default::default()
            }),
            selector: LabelSelector {
                match_labels: Some(selector),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels.clone()),
                    annotations: Some(BTreeMap::from([
                        (ANN_CONFIG_HASH.to_string(), ctx.config_hash().to_string()),
                        (
                            "kubectl.kubernetes.io/default-container".to_string(),
                            "op-node".to_string(),
                        ),
                    ])),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(ctx.service_account_name().to_string()),
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    termination_grace_period_seconds: Some(120),
                    security_context: Some(pod_security(&e)),
                    init_containers: (!init.is_empty()).then_some(init),
                    containers: vec![el, op_node],
                    volumes: Some(volumes),
                    node_selector: node_selector(&e),
                    tolerations: tolerations(&e),
                    ..Default::default()
                }),
            },
            volume_claim_templates: Some(vec![data_claim(
                s.storage,
                if s.archive { "2Ti" } else { "500Gi" },
                ctx.selector(Some(s.role), &name),
            )]),
            persistent_volume_claim_retention_policy: Some(keep_claims()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let phase = match node {
        Node::Sequencer => Phase::Sequencer,
        Node::Replica(_) => Phase::Replicas,
    };
    out.push(ctx.desired(Some(s.role), phase, &sts));
    out
}

pub fn el_component(el: ExecutionClient) -> &'static str {
    match el {
        ExecutionClient::OpReth => "op-reth",
        ExecutionClient::OpGeth => "op-geth",
    }
}

/// Every StatefulSet keeps its volume claims when it is deleted or scaled down: they hold chain
/// data that takes days to sync. Explicit, so opctl owns the fields and a `Delete` set by hand
/// shows up as drift; `destroy --delete-volumes` is the only way opctl removes them.
pub fn keep_claims() -> StatefulSetPersistentVolumeClaimRetentionPolicy {
    StatefulSetPersistentVolumeClaimRetentionPolicy {
        when_deleted: Some("Retain".into()),
        when_scaled: Some("Retain".into()),
    }
}

/// Name of the replicas' PodDisruptionBudget.
pub fn replica_budget_name(chain: &str) -> String {
    format!("{chain}-replicas")
}

/// One PodDisruptionBudget over every replica pod of the chain (each replica is its own 1-pod
/// StatefulSet, so it selects by chain and role, not by instance), allowing one voluntary
/// disruption at a time: a node drain never takes two replicas down at once. `None` below two
/// replicas, where a budget could only block drains or allow everything.
///
/// The sequencer gets none on purpose: it is a single pod, and the only budget that would protect
/// it (`maxUnavailable: 0`) makes every node drain hang until someone deletes the budget. Moving
/// the sequencer is an operator's decision, not an eviction's.
pub fn replica_budget(ctx: &Ctx<'_>) -> Option<Desired> {
    let r = &ctx.chain.file.replicas;
    if !r.enabled || r.count < 2 {
        return None;
    }
    let name = replica_budget_name(ctx.name);
    let app = el_component(r.execution_client);
    let selector = BTreeMap::from([
        (LABEL_CHAIN.to_string(), ctx.name.to_string()),
        (LABEL_ROLE.to_string(), Role::Replica.as_str().to_string()),
    ]);
    let pdb = PodDisruptionBudget {
        metadata: ctx.meta(&name, ctx.labels(Some(Role::Replica), &name, app, None)),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(selector),
                ..Default::default()
            }),
            // A replica that is not ready serves nothing, so evicting it costs nothing; with the
            // default (`IfHealthyBudget`) two syncing replicas would block a drain indefinitely.
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    Some(ctx.desired(Some(Role::Replica), Phase::Replicas, &pdb))
}

/// The `data` volume claim template; its PVCs carry the selector labels (not the ApplySet label:
/// volumes are never pruned) so that `destroy --delete-volumes` can find them.
pub fn data_claim(
    storage: &Storage,
    default_size: &str,
    labels: std::collections::BTreeMap<String, String>,
) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some("data".into()),
            labels: Some(labels),
            ..Default::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: storage.class.clone(),
            volume_mode: Some("Filesystem".into()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".to_string(),
                    Quantity(
                        storage
                            .size
                            .clone()
                            .unwrap_or_else(|| default_size.to_string()),
                    ),
                )])),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The sequencer's EL HTTP endpoint inside the cluster.
pub fn sequencer_el_url(ctx: &Ctx<'_>) -> String {
    format!(
        "http://{}.{}.svc:{EL_HTTP}",
        node_name(ctx.name, Node::Sequencer),
        ctx.namespace
    )
}

/// The op-node RPC of a node inside the cluster.
pub fn node_rpc_url(ctx: &Ctx<'_>, node: Node) -> String {
    format!(
        "http://{}.{}.svc:{NODE_RPC}",
        node_name(ctx.name, node),
        ctx.namespace
    )
}

/// The EL HTTP endpoint of a node inside the cluster.
pub fn el_url(ctx: &Ctx<'_>, node: Node) -> String {
    format!(
        "http://{}.{}.svc:{EL_HTTP}",
        node_name(ctx.name, node),
        ctx.namespace
    )
}

fn execution_container(
    ctx: &Ctx<'_>,
    node: Node,
    s: &NodeSettings<'_>,
    e: &Effective,
    metrics_port: i32,
) -> Container {
    let f = &ctx.chain.file;
    let sequencer = matches!(node, Node::Sequencer);
    let forward_to = if sequencer {
        None
    } else if f.sequencer.enabled {
        Some(sequencer_el_url(ctx))
    } else {
        f.replicas.sequencer_http.clone()
    };
    // The sequencer's EL serves `miner` so op-batcher can throttle DA (fact sheet 1.2 / 1.7); the
    // challenger's replica serves `debug` for op-program. Every other replica is public RPC, and a
    // NetworkPolicy cannot filter JSON-RPC namespaces on a port it opens: those serve only
    // `eth,net,web3`.
    let apis = if sequencer {
        "eth,net,web3,txpool,debug,miner"
    } else if super::netpol::serves_public_rpc(ctx, node) {
        "eth,net,web3"
    } else {
        "eth,net,web3,txpool,debug"
    };
    let mut args = Vec::new();
    let command;
    match s.el {
        ExecutionClient::OpReth => {
            command = "op-reth";
            args.push("node".to_string());
            args.push(format!("--datadir={EL_DATA}"));
            args.push(match &f.chain.network {
                Some(n) => format!("--chain={n}"),
                None => "--chain=/config/genesis.json".to_string(),
            });
            args.extend([
                "--http".to_string(),
                "--http.addr=0.0.0.0".to_string(),
                format!("--http.port={EL_HTTP}"),
                format!("--http.api={apis}"),
                "--ws".to_string(),
                "--ws.addr=0.0.0.0".to_string(),
                format!("--ws.port={EL_WS}"),
                format!("--ws.api={apis}"),
                "--authrpc.addr=127.0.0.1".to_string(),
                format!("--authrpc.port={EL_AUTH}"),
                format!("--authrpc.jwtsecret={JWT_PATH}"),
                format!("--port={EL_P2P}"),
                format!("--discovery.port={EL_P2P}"),
                "--rollup.disable-tx-pool-gossip".to_string(),
            ]);
            if let Some(url) = forward_to {
                args.push(format!("--rollup.sequencer={url}"));
            }
            if e.metrics {
                args.push(format!("--metrics=0.0.0.0:{metrics_port}"));
            }
            args.push(reth_verbosity(e.log_level).to_string());
            if e.log_format == crate::config::LogFormat::Json {
                args.push("--log.stdout.format=json".to_string());
            }
        }
        ExecutionClient::OpGeth => {
            command = "geth";
            args.push(format!("--datadir={EL_DATA}"));
            if let Some(n) = &f.chain.network {
                args.push(format!("--op-network={n}"));
            }
            args.extend([
                "--http".to_string(),
                "--http.addr=0.0.0.0".to_string(),
                format!("--http.port={EL_HTTP}"),
                "--http.vhosts=*".to_string(),
                format!("--http.api={apis}"),
                "--ws".to_string(),
                "--ws.addr=0.0.0.0".to_string(),
                format!("--ws.port={EL_WS}"),
                "--ws.origins=*".to_string(),
                format!("--ws.api={apis}"),
                "--authrpc.addr=127.0.0.1".to_string(),
                format!("--authrpc.port={EL_AUTH}"),
                "--authrpc.vhosts=*".to_string(),
                format!("--authrpc.jwtsecret={JWT_PATH}"),
                format!("--port={EL_P2P}"),
                format!("--discovery.port={EL_P2P}"),
                "--syncmode=full".to_string(),
                format!("--gcmode={}", if s.archive { "archive" } else { "full" }),
                "--rollup.disabletxpoolgossip=true".to_string(),
            ]);
            if let Some(url) = forward_to {
                args.push(format!("--rollup.sequencerhttp={url}"));
            }
            if e.metrics {
                args.extend([
                    "--metrics".to_string(),
                    "--metrics.addr=0.0.0.0".to_string(),
                    format!("--metrics.port={metrics_port}"),
                ]);
            }
            args.push(format!("--verbosity={}", geth_verbosity(e.log_level)));
            if e.log_format == crate::config::LogFormat::Json {
                args.push("--log.format=json".to_string());
            }
        }
    }
    args.extend(s.execution_args.iter().cloned());
    let el_name = el_component(s.el);
    let mut ports = vec![
        port("el-http", EL_HTTP, "TCP"),
        port("el-ws", EL_WS, "TCP"),
        port("el-p2p-tcp", EL_P2P, "TCP"),
        port("el-p2p-udp", EL_P2P, "UDP"),
    ];
    if e.metrics {
        ports.push(port("el-metrics", metrics_port, "TCP"));
    }
    let mut c = container(
        el_name,
        ctx.image(el_name),
        command,
        args,
        plain_env(&e.env),
        e,
    );
    c.ports = Some(ports);
    c.resources = Some(resources(e.resources.as_ref(), "2", "8Gi"));
    c.volume_mounts = Some(node_mounts(ctx, false));
    // A synced EL answers RPC within seconds of start; a fresh one may spend minutes opening its DB.
    c.startup_probe = Some(tcp_probe(EL_HTTP, 10, 90));
    c.liveness_probe = Some(tcp_probe(EL_HTTP, 20, 6));
    c.readiness_probe = Some(tcp_probe(EL_HTTP, 10, 3));
    c
}

fn op_node_container(ctx: &Ctx<'_>, node: Node, s: &NodeSettings<'_>, e: &Effective) -> Container {
    let f = &ctx.chain.file;
    let mut args = Vec::new();
    let mut env = Vec::new();
    ctx.url_arg(
        "rpc-url",
        &f.l1.rpc_url,
        "--l1",
        "OP_NODE_L1_ETH_RPC",
        &mut args,
        &mut env,
    );
    ctx.url_arg(
        "beacon-url",
        &f.l1.beacon_url,
        "--l1.beacon",
        "OP_NODE_L1_BEACON",
        &mut args,
        &mut env,
    );
    args.push(format!("--l1.rpckind={}", f.l1.rpc_kind.as_flag()));
    if f.l1.trust_rpc {
        args.push("--l1.trustrpc".to_string());
    }
    args.push(format!("--l2=http://127.0.0.1:{EL_AUTH}"));
    args.push(format!("--l2.jwt-secret={JWT_PATH}"));
    args.push(format!(
        "--l2.enginekind={}",
        match s.el {
            ExecutionClient::OpReth => "reth",
            ExecutionClient::OpGeth => "geth",
        }
    ));
    match &f.chain.network {
        Some(n) => args.push(format!("--network={n}")),
        None => args.push("--rollup.config=/config/rollup.json".to_string()),
    }
    if ctx.chain.l1_genesis_json.is_some() {
        // L1s other than mainnet/sepolia/holesky/hoodi (op-node >= 1.16, Fusaka).
        args.push(format!("--rollup.l1-chain-config=/config/{L1_GENESIS_KEY}"));
    }
    args.extend([
        // op-node's own default RPC address was 127.0.0.1 in older builds: always bind explicitly.
        "--rpc.addr=0.0.0.0".to_string(),
        format!("--rpc.port={NODE_RPC}"),
        format!("--p2p.listen.tcp={NODE_P2P}"),
        format!("--p2p.listen.udp={NODE_P2P}"),
        format!("--p2p.priv.path={P2P_KEY_PATH}"),
        format!("--p2p.peerstore.path={NODE_DATA}/peerstore"),
        format!("--p2p.discovery.path={NODE_DATA}/discovery"),
        // The safe-head DB lets op-challenger and op-proposer use any node as their rollup RPC.
        format!("--safedb.path={NODE_DATA}/safedb"),
    ]);
    if let Some(ip) = &s.p2p.advertise_ip {
        args.push(format!("--p2p.advertise.ip={ip}"));
    }
    if s.p2p.no_discovery {
        args.push("--p2p.no-discovery".to_string());
    }
    if !s.p2p.bootnodes.is_empty() {
        args.push(format!("--p2p.bootnodes={}", s.p2p.bootnodes.join(",")));
    }
    let mut statics = Vec::new();
    let mut signer_tls = None;
    match node {
        Node::Sequencer => {
            let seq = &f.sequencer;
            args.push("--sequencer.enabled".to_string());
            args.push(format!(
                "--sequencer.l1-confs={}",
                seq.l1_confs.unwrap_or(4)
            ));
            if seq.start_stopped {
                args.push("--sequencer.stopped".to_string());
            }
            args.push("--rpc.enable-admin".to_string());
            args.push(format!("--rpc.admin-state={NODE_DATA}/admin-state.json"));
            if let Some(k) = &seq.signing_key {
                signer_tls = signer_settings(k, "OP_NODE_P2P_SEQUENCER_KEY", &mut args, &mut env);
            }
        }
        Node::Replica(_) => {
            if f.sequencer.enabled {
                if let Some(peer) = &ctx.input.identities.sequencer_peer_id {
                    let seq = node_name(ctx.name, Node::Sequencer);
                    statics.push(format!(
                        "/dns4/{seq}-0.{seq}-headless.{}.svc.cluster.local/tcp/{NODE_P2P}/p2p/{peer}",
                        ctx.namespace
                    ));
                }
            }
        }
    }
    statics.extend(s.p2p.static_peers.iter().cloned());
    if !statics.is_empty() {
        args.push(format!("--p2p.static={}", statics.join(",")));
    }
    args.extend(op_metrics_args(e));
    args.extend(op_log_args(e));
    args.extend(s.op_node_args.iter().cloned());
    env.extend(plain_env(&e.env));

    let mut ports = vec![
        port("node-rpc", NODE_RPC, "TCP"),
        port("node-p2p-tcp", NODE_P2P, "TCP"),
        port("node-p2p-udp", NODE_P2P, "UDP"),
    ];
    if e.metrics {
        ports.push(port("node-metrics", e.metrics_port as i32, "TCP"));
    }
    let mut c = container("op-node", ctx.image("op-node"), "op-node", args, env, e);
    c.ports = Some(ports);
    c.resources = Some(resources(s.op_node_resources, "1", "2Gi"));
    let mut mounts = node_mounts(ctx, true);
    if signer_tls.is_some() {
        mounts.push(mount("signer-tls", "/secrets/signer-tls", true));
    }
    c.volume_mounts = Some(mounts);
    c.startup_probe = Some(http_probe("/healthz", NODE_RPC, 5, 60));
    c.liveness_probe = Some(http_probe("/healthz", NODE_RPC, 20, 6));
    c.readiness_probe = Some(http_probe("/healthz", NODE_RPC, 10, 3));
    c
}

/// Initialise the execution client's database from genesis.json exactly once (custom chains).
fn init_container(ctx: &Ctx<'_>, s: &NodeSettings<'_>, e: &Effective) -> Container {
    let (name, script) = match s.el {
        ExecutionClient::OpGeth => (
            "init-op-geth",
            format!("if [ ! -d {EL_DATA}/geth/chaindata ]; then exec geth init --datadir={EL_DATA} --state.scheme=hash /config/genesis.json; fi"),
        ),
        ExecutionClient::OpReth => (
            "init-op-reth",
            format!("if [ ! -d {EL_DATA}/db ]; then exec op-reth init --datadir={EL_DATA} --chain=/config/genesis.json; fi"),
        ),
    };
    let image = ctx.image(el_component(s.el));
    let mut c = container(
        name,
        image,
        "/bin/sh",
        vec!["-c".to_string(), script],
        Vec::new(),
        e,
    );
    c.resources = Some(resources(e.resources.as_ref(), "2", "8Gi"));
    c.volume_mounts = Some(node_mounts(ctx, false));
    c
}

fn node_mounts(ctx: &Ctx<'_>, op_node: bool) -> Vec<k8s_openapi::api::core::v1::VolumeMount> {
    let mut m = vec![
        mount("data", "/data", false),
        mount("tmp", "/tmp", false),
        mount("jwt", "/secrets/jwt", true),
    ];
    if op_node {
        m.push(mount("p2p", "/secrets/p2p", true));
    }
    if ctx.has_config_map() {
        m.push(mount("chain-config", "/config", true));
    }
    m
}

/// Key settings for op-node's sequencer key or an op-* service's transaction signer: a Secret becomes
/// an env var from `secretKeyRef` (never a literal argument); a remote signer becomes `--signer.*` flags.
/// Returns the TLS Secret to mount at `/secrets/signer-tls`, if any.
pub fn signer_settings(
    s: &crate::config::Signer,
    key_env: &str,
    args: &mut Vec<String>,
    env: &mut Vec<EnvVar>,
) -> Option<String> {
    if let (Some(secret), Some(key)) = (&s.secret, &s.key) {
        env.push(secret_env(key_env, secret, key));
        return None;
    }
    if let (Some(endpoint), Some(address)) = (&s.endpoint, &s.address) {
        args.push(format!("--signer.endpoint={endpoint}"));
        args.push(format!("--signer.address={address}"));
        match &s.tls_secret {
            Some(_) => args.extend([
                "--signer.tls.ca=/secrets/signer-tls/ca.crt".to_string(),
                "--signer.tls.cert=/secrets/signer-tls/tls.crt".to_string(),
                "--signer.tls.key=/secrets/signer-tls/tls.key".to_string(),
            ]),
            None => args.push("--signer.tls.enabled=false".to_string()),
        }
    }
    s.tls_secret.clone()
}

fn reth_verbosity(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Error => "-v",
        LogLevel::Warn => "-vv",
        LogLevel::Info => "-vvv",
        LogLevel::Debug => "-vvvv",
        LogLevel::Trace => "-vvvvv",
    }
}

fn geth_verbosity(level: LogLevel) -> u8 {
    match level {
        LogLevel::Error => 1,
        LogLevel::Warn => 2,
        LogLevel::Info => 3,
        LogLevel::Debug => 4,
        LogLevel::Trace => 5,
    }
}

pub fn tcp_probe(port: i32, period: i32, failures: i32) -> Probe {
    Probe {
        tcp_socket: Some(TCPSocketAction {
            port: IntOrString::Int(port),
            ..Default::default()
        }),
        period_seconds: Some(period),
        failure_threshold: Some(failures),
        timeout_seconds: Some(5),
        ..Default::default()
    }
}

pub fn http_probe(path: &str, port: i32, period: i32, failures: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.to_string()),
            port: IntOrString::Int(port),
            scheme: Some("HTTP".into()),
            ..Default::default()
        }),
        period_seconds: Some(period),
        failure_threshold: Some(failures),
        timeout_seconds: Some(5),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::Value;

    use crate::render::{render, Desired, Input, Phase};

    /// The devnet example (sequencer, 2 replicas, batcher, proposer, challenger) with its
    /// `[replicas]` count replaced.
    fn devnet(replicas: u32) -> Vec<Desired> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
        let text = std::fs::read_to_string(&path).expect("example");
        assert!(
            text.contains("[replicas]\ncount = 2\n"),
            "the example changed"
        );
        let text = text.replace(
            "[replicas]\ncount = 2\n",
            &format!("[replicas]\ncount = {replicas}\n"),
        );
        let chain = crate::config::load_str(&path, &text).expect("valid");
        render(&Input::from_chain(&chain)).expect("renders")
    }

    fn budgets(objects: &[Desired]) -> Vec<&Desired> {
        objects
            .iter()
            .filter(|d| d.kind() == "PodDisruptionBudget")
            .collect()
    }

    fn pod_labels(d: &Desired) -> &serde_json::Map<String, Value> {
        d.object
            .pointer("/spec/template/metadata/labels")
            .and_then(Value::as_object)
            .expect("pod labels")
    }

    fn selects(pdb: &Desired, labels: &serde_json::Map<String, Value>) -> bool {
        pdb.object
            .pointer("/spec/selector/matchLabels")
            .and_then(Value::as_object)
            .expect("matchLabels")
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
    }

    #[test]
    fn one_replica_renders_no_disruption_budget() {
        assert!(budgets(&devnet(1)).is_empty());
    }

    #[test]
    fn two_replicas_share_one_budget_that_lets_one_replica_down_at_a_time() {
        for count in [2, 3] {
            let objects = devnet(count);
            let found = budgets(&objects);
            assert_eq!(found.len(), 1, "one budget for {count} replicas");
            let pdb = found[0];
            assert_eq!(pdb.name(), "devnet-replicas");
            assert_eq!(pdb.object["apiVersion"], "policy/v1");
            assert_eq!(pdb.object["metadata"]["namespace"], "op-devnet");
            assert_eq!(pdb.object["spec"]["maxUnavailable"], 1);
            assert!(pdb.object["spec"].get("minAvailable").is_none());
            assert_eq!(pdb.phase, Phase::Replicas);
            let workloads = objects
                .iter()
                .filter(|d| matches!(d.kind(), "StatefulSet" | "Deployment"));
            let mut covered = Vec::new();
            for w in workloads {
                if selects(pdb, pod_labels(w)) {
                    covered.push(w.name());
                }
            }
            let replicas: Vec<String> = (0..count).map(|i| format!("devnet-replica-{i}")).collect();
            assert_eq!(covered, replicas, "covers exactly the replica pods");
        }
    }

    #[test]
    fn the_sequencer_is_never_under_a_disruption_budget() {
        let objects = devnet(2);
        let sequencer = objects
            .iter()
            .find(|d| d.kind() == "StatefulSet" && d.name() == "devnet-sequencer")
            .expect("sequencer");
        for pdb in budgets(&objects) {
            assert!(!selects(pdb, pod_labels(sequencer)), "{}", pdb.name());
        }
    }

    #[test]
    fn every_stateful_set_keeps_its_volumes_when_deleted_or_scaled_down() {
        let objects = devnet(2);
        let sets: Vec<&Desired> = objects
            .iter()
            .filter(|d| d.kind() == "StatefulSet")
            .collect();
        let names: Vec<&str> = sets.iter().map(|d| d.name()).collect();
        assert_eq!(
            names,
            [
                "devnet-replica-0",
                "devnet-replica-1",
                "devnet-sequencer",
                "devnet-challenger"
            ]
        );
        for d in sets {
            assert_eq!(
                d.object["spec"]["persistentVolumeClaimRetentionPolicy"],
                serde_json::json!({ "whenDeleted": "Retain", "whenScaled": "Retain" }),
                "{}",
                d.name()
            );
        }
    }
}

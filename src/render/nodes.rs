//! Sequencer and replica nodes: op-node plus an execution client (op-reth or op-geth) in one pod, one
//! StatefulSet per node, with its JWT and p2p identity Secrets and its Services; and the replicas'
//! PodDisruptionBudget.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec,
    StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::{
    Container, EnvVar, HTTPGetAction, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PodReadinessGate, PodSpec, PodTemplateSpec, Probe, Service, ServiceSpec, TCPSocketAction,
    VolumeResourceRequirements,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::common::*;
use super::{Desired, Phase, Role, SecretFill};
use crate::config::{
    Common, ExecutionClient, LogFormat, LogLevel, P2p, Resources, Storage, SyncMode,
};

pub const EL_HTTP: i32 = 8545;
pub const EL_WS: i32 = 8546;
pub const EL_AUTH: i32 = 8551;
pub const EL_P2P: i32 = 30303;
/// op-reth's discv5 UDP port (reth `crates/net/discv5/src/config.rs` `DEFAULT_DISCOVERY_V5_PORT`);
/// op-reth runs discv5 only: discv4 is off unless `--rollup.discovery.v4` (audit 2.2).
pub const RETH_DISCV5: i32 = 9200;
pub const RETH_METRICS: i32 = 9001;
pub const GETH_METRICS: i32 = 6060;
pub const NODE_RPC: i32 = 9545;
pub const NODE_P2P: i32 = 9222;

/// The pod condition type of the replicas' readiness gate (`[replicas] readiness_gate`): `True`
/// while the replica is within `[status] max_lag` blocks of the reference. The kubelet counts a
/// pod Ready only when every readiness gate's condition is `True`, and Services route only to
/// Ready pods; `opctl watch` (and `opctl apply` while it waits) writes the condition.
pub const CAUGHT_UP: &str = "opctl.io/caught-up";

const JWT_PATH: &str = "/secrets/jwt/jwt.hex";
const P2P_KEY_PATH: &str = "/secrets/p2p/p2p-key";
const EL_KEY_PATH: &str = "/secrets/el/node-key";
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
    /// op-node and the execution client look for peers (discv5 / devp2p discovery).
    discovery: bool,
    /// op-node `--syncmode`.
    sync_mode: SyncMode,
    /// op-reth `--rpc.eth-proof-window` in blocks, when this node's EL serves proofs.
    proof_window: Option<u64>,
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
            archive: sequencer_archive(ctx),
            // Rule sequencer-isolated: a sequencer that joins a public DHT advertises its pod IP
            // there (op-node/p2p/cli/load_config.go falls back to p2p.DefaultBootnodes).
            discovery: f.sequencer.p2p_discovery && !f.sequencer.p2p.no_discovery,
            // Rule sequencer-consensus-layer: the sequencer builds the chain; it derives from L1.
            sync_mode: SyncMode::ConsensusLayer,
            // Rule proof-window: op-proposer reads outputs through the sequencer's op-node.
            proof_window: f
                .proposer
                .enabled
                .then(|| proof_window(ctx, f.sequencer.proof_window.as_deref(), true)),
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
            discovery: !f.replicas.p2p.no_discovery,
            sync_mode: f.replicas.sync_mode,
            // Rule proof-window: replicas serve withdrawal proofs and op-challenger.
            proof_window: Some(proof_window(
                ctx,
                f.replicas.proof_window.as_deref(),
                f.replicas.archive,
            )),
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
    let el_key = format!("{name}-el-key");
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
        // Rule el-peering: a stable devp2p identity, so replicas can name the sequencer's EL.
        ctx.secret(
            Some(s.role),
            &el_key,
            BTreeMap::from([("node-key".to_string(), SecretFill::P2pKey)]),
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
    let mut peer_ports = vec![
        service_port("node-p2p-tcp", NODE_P2P, "TCP"),
        service_port("node-p2p-udp", NODE_P2P, "UDP"),
        service_port("el-p2p-tcp", EL_P2P, "TCP"),
        service_port("el-p2p-udp", EL_P2P, "UDP"),
    ];
    if reth_discv5(&s) {
        peer_ports.push(service_port("el-discv5", RETH_DISCV5, "UDP"));
    }
    out.push(ctx.service(s.role, &headless, &name, el_name, true, peer_ports));

    let el = execution_container(ctx, node, &s, &e, el_metrics);
    let op_node = op_node_container(ctx, node, &s, &e);
    let mut init = Vec::new();
    init.extend(super::genesis::init_container(ctx, &e));
    if super::genesis::delivered(ctx) && s.el == ExecutionClient::OpGeth {
        init.push(init_op_geth(ctx, &e));
    }
    let mut volumes = vec![
        tmp_volume(),
        secret_volume("jwt", &jwt),
        secret_volume("p2p", &p2p),
        secret_volume("el-key", &el_key),
    ];
    volumes.extend(super::genesis::volumes(ctx));
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
    // Rule replicas-rpc-service: the public replicas' pods are what `<chain>-rpc` selects.
    let mut pod_labels = labels.clone();
    if super::netpol::serves_public_rpc(ctx, node) {
        pod_labels.insert(LABEL_PUBLIC_RPC.to_string(), "true".to_string());
    }
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
                    labels: Some(pod_labels),
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
                    // Rule caught-up-gate: never on the sequencer, whose readiness is its own.
                    readiness_gates: (matches!(node, Node::Replica(_))
                        && f.replicas.readiness_gate)
                        .then(|| {
                            vec![PodReadinessGate {
                                condition_type: CAUGHT_UP.to_string(),
                            }]
                        }),
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

/// The chain's public RPC Service: every public replica, load-balanced. Point applications and
/// ingresses here.
pub fn replicas_service_name(chain: &str) -> String {
    format!("{chain}-rpc")
}

/// Label of the pods of replicas that serve the public RPC (not the challenger's, whose
/// execution client serves `debug` and which the NetworkPolicies keep internal).
pub const LABEL_PUBLIC_RPC: &str = "opctl.io/public-rpc";

/// One ClusterIP Service over the public replicas' pods (chain, role and [`LABEL_PUBLIC_RPC`]):
/// the execution client's HTTP RPC, the one port the NetworkPolicies open to applications. It
/// routes only to Ready replicas; with `[replicas] readiness_gate` a replica is Ready only while
/// it is caught up, so a lagging replica leaves this Service's endpoints and comes back when it
/// has caught up. `None` without a public replica.
pub fn replicas_service(ctx: &Ctx<'_>) -> Option<Desired> {
    let r = &ctx.chain.file.replicas;
    let public = (0..r.count).any(|i| super::netpol::serves_public_rpc(ctx, Node::Replica(i)));
    if !r.enabled || !public {
        return None;
    }
    let name = replicas_service_name(ctx.name);
    let app = el_component(r.execution_client);
    let selector = BTreeMap::from([
        (LABEL_CHAIN.to_string(), ctx.name.to_string()),
        (LABEL_ROLE.to_string(), Role::Replica.as_str().to_string()),
        (LABEL_PUBLIC_RPC.to_string(), "true".to_string()),
    ]);
    let svc = Service {
        metadata: ctx.meta(&name, ctx.labels(Some(Role::Replica), &name, app, None)),
        spec: Some(ServiceSpec {
            selector: Some(selector),
            ports: Some(vec![service_port("el-http", EL_HTTP, "TCP")]),
            ..Default::default()
        }),
        ..Default::default()
    };
    Some(ctx.desired(Some(Role::Replica), Phase::Services, &svc))
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

/// Whether the sequencer's EL keeps every historical state. Rule legacy-proposer-archive: before
/// Isthmus op-node computes each output root with `eth_getProof` at the proposed block
/// (optimism `op-service/sources/l2_client.go:205-218`, audit F5), and op-proposer reads outputs
/// through the sequencer; op-geth `--gcmode=full` has pruned that state ("missing trie node").
/// op-reth on the sequencer is always archive (it never gets `--full`).
fn sequencer_archive(ctx: &Ctx<'_>) -> bool {
    ctx.chain.file.proposer.enabled && !ctx.chain.isthmus_at_genesis()
}

/// op-reth `--rpc.eth-proof-window` in blocks. Validation has refused settings that op-reth cannot
/// serve, so an error here only falls back to what a full node keeps.
fn proof_window(ctx: &Ctx<'_>, setting: Option<&str>, archive: bool) -> u64 {
    ctx.chain
        .proof_window_blocks(setting, archive)
        .unwrap_or(crate::config::state::FULL_NODE_HISTORY)
}

/// op-reth runs discv5 on 9200/udp unless discovery is off.
fn reth_discv5(s: &NodeSettings<'_>) -> bool {
    s.el == ExecutionClient::OpReth && s.discovery
}

/// The stable DNS name of a node's pod (`<sts>-0` behind its headless Service), qualified with the
/// cluster's domain. Rule cluster-domain: `svc.cluster.local` is only the default domain.
pub fn peer_host(ctx: &Ctx<'_>, node: Node) -> String {
    let n = node_name(ctx.name, node);
    format!(
        "{n}-0.{n}-headless.{}.svc.{}",
        ctx.namespace,
        ctx.cluster_domain()
    )
}

/// op-reth's name for a registry chain. Rule reth-chain-name: op-reth knows the registry chains
/// compiled into it as `<stem>` on the mainnet superchain and `<stem>-<superchain>` elsewhere
/// (`chain_spec_macro.rs` `key_for!`); OP Mainnet and OP Sepolia keep `optimism` and
/// `optimism-sepolia`, which every version accepts (`op-sepolia` only since optimism #21397,
/// 2026-06-18). The names come with the compiled-in registry data (`crate::networks`); a name
/// opctl does not know passes through (validation refuses it first).
pub fn reth_chain_name(network: &str) -> &str {
    crate::networks::lookup(network)
        .and_then(|n| n.op_reth_chain())
        .unwrap_or(network)
}

/// Where a replica forwards transactions (op-reth `--rollup.sequencer`, op-geth
/// `--rollup.sequencerhttp`): the chain's own sequencer, else `replicas.sequencer_http`, else the
/// registry network's public sequencer endpoint (rule registry-sequencer).
pub fn replica_forward_url(ctx: &Ctx<'_>) -> Option<String> {
    let f = &ctx.chain.file;
    if f.sequencer.enabled {
        return Some(sequencer_el_url(ctx));
    }
    f.replicas.sequencer_http.clone().or_else(|| {
        f.chain
            .network
            .as_deref()
            .and_then(crate::networks::lookup)
            .and_then(|n| n.sequencer_rpc.clone())
    })
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
    // Rule el-peering: replicas dial the sequencer's EL by the node ID of its generated key
    // (custom chains have no bootnodes: op-reth takes them from the chainspec, None for a genesis
    // file; op-geth falls back to Ethereum mainnet's, audit F8).
    let sequencer_enode = match (node, &ctx.input.identities.sequencer_enode_id) {
        (Node::Replica(_), Some(id)) if f.sequencer.enabled => Some(format!(
            "enode://{id}@{}:{EL_P2P}",
            peer_host(ctx, Node::Sequencer)
        )),
        _ => None,
    };
    let forward_to = if sequencer {
        None
    } else {
        replica_forward_url(ctx)
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
                Some(n) => format!("--chain={}", reth_chain_name(n)),
                // op-reth writes its genesis on first start from this file: no init needed.
                None => format!("--chain={}", super::genesis::GENESIS_FILE),
            });
            if !s.archive && !sequencer {
                // Rule reth-full: op-reth is an archive node unless told otherwise (audit F13).
                args.push("--full".to_string());
            }
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
                // RLPx; `--discovery.port` is discv4's, which op-reth does not run (audit 2.2).
                format!("--port={EL_P2P}"),
                format!("--p2p-secret-key={EL_KEY_PATH}"),
                "--rollup.disable-tx-pool-gossip".to_string(),
            ]);
            if !s.discovery {
                args.push("--disable-discovery".to_string());
            }
            if let Some(enode) = &sequencer_enode {
                // reth `NetworkArgs::trusted_peers` (TrustedPeer: DNS names allowed), kept connected.
                args.push(format!("--trusted-peers={enode}"));
            }
            if let Some(blocks) = s.proof_window {
                // Rule proof-window: reth's default is 0, eth_getProof at the tip only (reth
                // crates/rpc/rpc-server-types/src/constants.rs:62, audit F7).
                args.push(format!("--rpc.eth-proof-window={blocks}"));
            }
            if let Some(url) = forward_to {
                args.push(format!("--rollup.sequencer={url}"));
            }
            if e.metrics {
                args.push(format!("--metrics=0.0.0.0:{metrics_port}"));
            }
            args.push(reth_verbosity(e.log_level).to_string());
            // Rule el-log-format: reth logs in terminal format with ANSI colour by default
            // (reth crates/node/core/src/args/log.rs:383 `--color` default always, audit F13).
            args.push(format!(
                "--log.stdout.format={}",
                match e.log_format {
                    LogFormat::Json => "json",
                    LogFormat::Logfmt => "log-fmt",
                    LogFormat::Text => "terminal",
                }
            ));
            args.push("--color=never".to_string());
            // Rule reth-file-logs-off: `node` writes 5 x 200 MB debug logs to $HOME/.cache/reth/logs
            // (an emptyDir here); 0 disables file logging (reth log.rs `--log.file.max-files`).
            args.push("--log.file.max-files=0".to_string());
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
                format!("--nodekey={EL_KEY_PATH}"),
                "--syncmode=full".to_string(),
                format!("--gcmode={}", if s.archive { "archive" } else { "full" }),
                "--rollup.disabletxpoolgossip=true".to_string(),
            ]);
            // op-geth keeps discovery on even on an isolated sequencer: geth has no static-peer flag,
            // so replicas find it through its discovery port; with no bootnodes it looks for no one.
            match (&sequencer_enode, sequencer) {
                (Some(enode), _) => args.push(format!("--bootnodes={enode}")),
                // Without `--bootnodes` op-geth joins Ethereum mainnet's DHT
                // (op-geth cmd/utils/flags.go `setBootstrapNodes`, audit F8); an empty list means
                // none, and replicas still find the sequencer through its discovery port.
                (None, true) => args.push("--bootnodes=".to_string()),
                (None, false) => {}
            }
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
            // Rule el-log-format: geth's default is terminal format (internal/debug/flags.go:67).
            args.push(format!(
                "--log.format={}",
                match e.log_format {
                    LogFormat::Json => "json",
                    LogFormat::Logfmt => "logfmt",
                    LogFormat::Text => "terminal",
                }
            ));
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
    if reth_discv5(s) {
        ports.push(port("el-discv5", RETH_DISCV5, "UDP"));
    }
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
    let mut mounts = node_mounts(ctx, false);
    mounts.push(mount("el-key", "/secrets/el", true));
    c.volume_mounts = Some(mounts);
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
    if !s.discovery {
        args.push("--p2p.no-discovery".to_string());
    }
    // Rule replica-el-sync: a replica deriving from genesis needs every blob since then, but beacon
    // nodes keep them ~18 days (docs blobs.mdx:17-21; op-node flags.go:121-125 defaults to
    // consensus-layer; archive-node.mdx:32-41: EL sync "required ... not the default").
    args.push(format!("--syncmode={}", s.sync_mode.as_flag()));
    if s.sync_mode == SyncMode::ConsensusLayer {
        // Rule req-resp: off by default since op-node v1.16.12. It only runs in consensus-layer
        // mode, client and server alike (op-node/p2p/node.go `ReqRespSyncEnabled() &&
        // !elSyncEnabled`): on the sequencer it serves the unsafe blocks only it has to replicas
        // filling gaps; on an execution-layer replica it would be inert, EL peers fill the gaps.
        args.push("--syncmode.req-resp=true".to_string());
    }
    beacon_fallbacks(ctx, &mut args, &mut env);
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
                    statics.push(format!(
                        "/dns4/{}/tcp/{NODE_P2P}/p2p/{peer}",
                        peer_host(ctx, Node::Sequencer)
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

/// Rule beacon-fallbacks: op-node `--l1.beacon-fallbacks` (alias `--l1.beacon-archiver`, op-node
/// flags.go `BeaconFallbackAddrs`) for blobs the beacon node has pruned. Literal URLs go in the
/// argument; Secret references become env vars the argument names as `$(VAR)` (Kubernetes expands
/// them), so no URL with a key reaches the pod spec.
fn beacon_fallbacks(ctx: &Ctx<'_>, args: &mut Vec<String>, env: &mut Vec<EnvVar>) {
    let fallbacks = &ctx.chain.file.l1.beacon_fallbacks;
    if fallbacks.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    for (i, src) in fallbacks.iter().enumerate() {
        match src.parsed() {
            crate::config::UrlRef::Literal(url) => parts.push(url.to_string()),
            crate::config::UrlRef::Secret(r) => {
                let var = format!("OPCTL_L1_BEACON_FALLBACK_{i}");
                env.push(secret_env(&var, &r.secret, &r.key));
                parts.push(format!("$({var})"));
            }
            // Validation refuses `env:` here.
            crate::config::UrlRef::Env(_) => {}
        }
    }
    args.push(format!("--l1.beacon-fallbacks={}", parts.join(",")));
}

/// op-geth's database is initialised from the assembled genesis by `geth init` itself, with no
/// shell (op-geth images after PR #794 have none). `geth init` is idempotent for the genesis
/// already in the datadir and refuses a different one (`cmd/geth/chaincmd.go` `initGenesis` ->
/// `core.SetupGenesisBlockWithOverride`), so it runs on every start.
fn init_op_geth(ctx: &Ctx<'_>, e: &Effective) -> Container {
    let image = ctx.image("op-geth");
    let mut c = container(
        "init-op-geth",
        image,
        "geth",
        vec![
            "init".to_string(),
            format!("--datadir={EL_DATA}"),
            "--state.scheme=hash".to_string(),
            super::genesis::GENESIS_FILE.to_string(),
        ],
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
    if !op_node && super::genesis::delivered(ctx) {
        m.push(super::genesis::mount_genesis());
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

    fn selector_of(svc: &Desired) -> &serde_json::Map<String, Value> {
        svc.object
            .pointer("/spec/selector")
            .and_then(Value::as_object)
            .expect("selector")
    }

    #[test]
    fn the_public_rpc_service_selects_the_public_replicas_never_the_challengers_or_the_sequencer() {
        let objects = devnet(3);
        let svc = objects
            .iter()
            .find(|d| d.kind() == "Service" && d.name() == "devnet-rpc")
            .expect("devnet-rpc");
        let selected: Vec<&str> = objects
            .iter()
            .filter(|d| d.kind() == "StatefulSet")
            .filter(|d| {
                let labels = pod_labels(d);
                selector_of(svc)
                    .iter()
                    .all(|(k, v)| labels.get(k) == Some(v))
            })
            .map(Desired::name)
            .collect();
        // replica-0 backs op-challenger (debug namespace, kept internal).
        assert_eq!(selected, ["devnet-replica-1", "devnet-replica-2"]);
        let ports: Vec<i64> = svc
            .object
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .expect("ports")
            .iter()
            .filter_map(|p| p["port"].as_i64())
            .collect();
        assert_eq!(ports, [i64::from(super::EL_HTTP)]);
        // One replica, and it is the challenger's: no public RPC Service at all.
        assert!(!devnet(1)
            .iter()
            .any(|d| d.kind() == "Service" && d.name() == "devnet-rpc"));
    }

    #[test]
    fn only_replicas_get_the_caught_up_readiness_gate_and_only_when_asked() {
        let gates = |objects: &[Desired]| -> Vec<String> {
            objects
                .iter()
                .filter(|d| d.kind() == "StatefulSet")
                .filter(|d| {
                    d.object
                        .pointer("/spec/template/spec/readinessGates")
                        .is_some()
                })
                .map(|d| d.name().to_string())
                .collect()
        };
        assert!(gates(&devnet(2)).is_empty());
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
        let text = std::fs::read_to_string(&path)
            .expect("example")
            .replace("[replicas]\n", "[replicas]\nreadiness_gate = true\n");
        let chain = crate::config::load_str(&path, &text).expect("valid");
        let objects = render(&Input::from_chain(&chain)).expect("renders");
        assert_eq!(gates(&objects), ["devnet-replica-0", "devnet-replica-1"]);
        let sts = objects
            .iter()
            .find(|d| d.name() == "devnet-replica-1" && d.kind() == "StatefulSet")
            .expect("replica-1");
        assert_eq!(
            sts.object
                .pointer("/spec/template/spec/readinessGates/0/conditionType"),
            Some(&Value::from(super::CAUGHT_UP))
        );
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

/// Rules "Sync, peering and state the consumers need" (docs/rendering-rules.md).
#[cfg(test)]
mod sync_peering_state {
    use std::path::Path;

    use serde_json::Value;

    use crate::render::{render, Desired, Identities, Input};

    fn load(example: &str, edit: impl Fn(String) -> String) -> crate::config::LoadedChain {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example);
        let text = edit(std::fs::read_to_string(&path).expect("example"));
        crate::config::load_str(&path, &text).expect("valid")
    }

    fn objects(chain: &crate::config::LoadedChain, ids: Identities) -> Vec<Desired> {
        let mut input = Input::from_chain(chain);
        input.identities = ids;
        render(&input).expect("renders")
    }

    fn devnet(edit: impl Fn(String) -> String) -> Vec<Desired> {
        objects(&load("devnet.toml", edit), Identities::default())
    }

    /// Replace `from` (which must be in the example) with `to`.
    fn edit(from: &'static str, to: &'static str) -> impl Fn(String) -> String {
        move |t: String| {
            assert!(t.contains(from), "the example changed: {from}");
            t.replacen(from, to, 1)
        }
    }

    fn find<'a>(objects: &'a [Desired], kind: &str, name: &str) -> &'a Desired {
        objects
            .iter()
            .find(|d| d.kind() == kind && d.name() == name)
            .unwrap_or_else(|| panic!("{kind}/{name}"))
    }

    fn container<'a>(objects: &'a [Desired], sts: &str, name: &str) -> &'a Value {
        find(objects, "StatefulSet", sts)
            .object
            .pointer("/spec/template/spec/containers")
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| c["name"] == name))
            .unwrap_or_else(|| panic!("{sts}/{name}"))
    }

    fn args(objects: &[Desired], sts: &str, name: &str) -> Vec<String> {
        container(objects, sts, name)["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|a| a.as_str().expect("string").to_string())
            .collect()
    }

    fn has(args: &[String], flag: &str) -> bool {
        args.iter().any(|a| a == flag)
    }

    fn starting(args: &[String], prefix: &str) -> Vec<String> {
        args.iter()
            .filter(|a| a.starts_with(prefix))
            .cloned()
            .collect()
    }

    fn udp_ports(v: &Value, pointer: &str) -> Vec<i64> {
        v.pointer(pointer)
            .and_then(Value::as_array)
            .expect("ports")
            .iter()
            .filter(|p| p["protocol"] == "UDP")
            .map(|p| {
                p.get("containerPort")
                    .or(p.get("port"))
                    .and_then(Value::as_i64)
                    .expect("port")
            })
            .collect()
    }

    const SEQ: &str = "devnet-sequencer";
    const REP: &str = "devnet-replica-0";

    #[test]
    fn replicas_el_sync_by_default_and_the_sequencer_derives_from_l1() {
        let o = devnet(|t| t);
        assert!(has(&args(&o, REP, "op-node"), "--syncmode=execution-layer"));
        assert!(has(&args(&o, SEQ, "op-node"), "--syncmode=consensus-layer"));
        let o = devnet(edit(
            "[replicas]\ncount = 2\n",
            "[replicas]\ncount = 2\nsync_mode = \"consensus-layer\"\n",
        ));
        assert!(has(&args(&o, REP, "op-node"), "--syncmode=consensus-layer"));
    }

    #[test]
    fn req_resp_runs_where_op_node_serves_or_uses_it() {
        let o = devnet(|t| t);
        assert!(has(&args(&o, SEQ, "op-node"), "--syncmode.req-resp=true"));
        // Inert in execution-layer mode (op-node/p2p/node.go): not rendered there.
        assert!(starting(&args(&o, REP, "op-node"), "--syncmode.req-resp").is_empty());
        let o = devnet(edit(
            "[replicas]\ncount = 2\n",
            "[replicas]\ncount = 2\nsync_mode = \"consensus-layer\"\n",
        ));
        assert!(has(&args(&o, REP, "op-node"), "--syncmode.req-resp=true"));
    }

    #[test]
    fn beacon_fallbacks_reach_op_node_and_secret_urls_stay_in_secrets() {
        let o = devnet(edit(
            "[l1]\n",
            "[l1]\nbeacon_fallbacks = [\"https://blobs.example.org\", { secret = \"archiver\", key = \"url\" }]\n",
        ));
        for sts in [SEQ, REP] {
            let a = args(&o, sts, "op-node");
            assert_eq!(
                starting(&a, "--l1.beacon-fallbacks="),
                ["--l1.beacon-fallbacks=https://blobs.example.org,$(OPCTL_L1_BEACON_FALLBACK_1)"]
            );
            let env = &container(&o, sts, "op-node")["env"];
            let var = env
                .as_array()
                .expect("env")
                .iter()
                .find(|v| v["name"] == "OPCTL_L1_BEACON_FALLBACK_1")
                .expect("fallback env");
            assert_eq!(var["valueFrom"]["secretKeyRef"]["name"], "archiver");
            assert_eq!(var["valueFrom"]["secretKeyRef"]["key"], "url");
        }
        assert!(starting(
            &args(&devnet(|t| t), REP, "op-node"),
            "--l1.beacon-fallbacks"
        )
        .is_empty());
    }

    #[test]
    fn every_execution_client_has_a_generated_node_key() {
        for (example, seq) in [
            ("devnet.toml", SEQ),
            ("legacy-op-geth.toml", "legacy-sequencer"),
        ] {
            let o = objects(&load(example, |t| t), Identities::default());
            let secret = find(&o, "Secret", &format!("{seq}-el-key"));
            assert!(secret.create_only);
            assert_eq!(
                secret.fills.get("node-key"),
                Some(&crate::render::SecretFill::P2pKey)
            );
            let el = if example == "devnet.toml" {
                "op-reth"
            } else {
                "op-geth"
            };
            let a = args(&o, seq, el);
            let flag = if el == "op-reth" {
                "--p2p-secret-key=/secrets/el/node-key"
            } else {
                "--nodekey=/secrets/el/node-key"
            };
            assert!(has(&a, flag), "{el}: {a:?}");
        }
    }

    #[test]
    fn replicas_peer_with_the_sequencer_el_by_its_node_id() {
        let id = crate::render::identity::enode_id_from_private_key_hex(&format!("{:064x}", 5))
            .expect("key");
        let ids = Identities {
            sequencer_enode_id: Some(id.clone()),
            ..Default::default()
        };
        let o = objects(&load("devnet.toml", |t| t), ids.clone());
        let enode = format!("enode://{id}@devnet-sequencer-0.devnet-sequencer-headless.op-devnet.svc.cluster.local:30303");
        assert_eq!(
            starting(&args(&o, REP, "op-reth"), "--trusted-peers="),
            [format!("--trusted-peers={enode}")]
        );
        assert!(starting(&args(&o, SEQ, "op-reth"), "--trusted-peers").is_empty());
        let o = objects(&load("legacy-op-geth.toml", |t| t), ids);
        let enode = format!("enode://{id}@legacy-sequencer-0.legacy-sequencer-headless.op-legacy.svc.cluster.local:30303");
        assert!(has(
            &args(&o, "legacy-replica-0", "op-geth"),
            &format!("--bootnodes={enode}")
        ));
        // The sequencer's op-geth looks for no one (no Ethereum mainnet bootnodes).
        assert!(has(
            &args(&o, "legacy-sequencer", "op-geth"),
            "--bootnodes="
        ));
    }

    #[test]
    fn the_sequencer_is_isolated_unless_the_chain_file_asks_for_discovery() {
        let o = devnet(|t| t);
        assert!(has(&args(&o, SEQ, "op-node"), "--p2p.no-discovery"));
        assert!(has(&args(&o, SEQ, "op-reth"), "--disable-discovery"));
        assert!(!has(&args(&o, REP, "op-node"), "--p2p.no-discovery"));
        assert!(!has(&args(&o, REP, "op-reth"), "--disable-discovery"));
        let o = devnet(edit("[sequencer]\n", "[sequencer]\np2p_discovery = true\n"));
        assert!(!has(&args(&o, SEQ, "op-node"), "--p2p.no-discovery"));
        assert!(!has(&args(&o, SEQ, "op-reth"), "--disable-discovery"));
    }

    #[test]
    fn op_reth_discv5_port_is_declared_where_discovery_runs() {
        let o = devnet(|t| t);
        let rep = container(&o, REP, "op-reth");
        assert!(udp_ports(rep, "/ports").contains(&9200));
        let svc = &find(&o, "Service", "devnet-replica-0-headless").object;
        assert!(udp_ports(svc, "/spec/ports").contains(&9200));
        // The isolated sequencer runs no discovery.
        assert!(!udp_ports(container(&o, SEQ, "op-reth"), "/ports").contains(&9200));
        assert!(!has(&args(&o, REP, "op-reth"), "--discovery.port=30303"));
    }

    #[test]
    fn peer_addresses_use_the_configured_cluster_domain() {
        let chain = load(
            "devnet.toml",
            edit(
                "[defaults]\n",
                "[defaults]\ncluster_domain = \"corp.internal\"\n",
            ),
        );
        let peer = crate::render::identity::peer_id_from_private_key_hex(&format!("{:064x}", 7))
            .expect("key");
        let id = crate::render::identity::enode_id_from_private_key_hex(&format!("{:064x}", 5))
            .expect("key");
        let o = objects(
            &chain,
            Identities {
                sequencer_peer_id: Some(peer),
                sequencer_enode_id: Some(id),
                env_fingerprint: None,
            },
        );
        let node = starting(&args(&o, REP, "op-node"), "--p2p.static=");
        let el = starting(&args(&o, REP, "op-reth"), "--trusted-peers=");
        for a in node.iter().chain(&el) {
            assert!(a.contains(".op-devnet.svc.corp.internal"), "{a}");
            assert!(!a.contains("cluster.local"), "{a}");
        }
        assert_eq!((node.len(), el.len()), (1, 1));
    }

    #[test]
    fn op_reth_serves_proofs_to_its_consumers_for_the_proof_window() {
        let o = devnet(|t| t);
        // 12 h at the devnet's 2 s blocks.
        for sts in [SEQ, REP] {
            assert!(
                has(&args(&o, sts, "op-reth"), "--rpc.eth-proof-window=21600"),
                "{sts}"
            );
        }
        let o = devnet(edit(
            "[replicas]\ncount = 2\n",
            "[replicas]\ncount = 2\nproof_window = \"72h\"\n",
        ));
        assert!(has(
            &args(&o, REP, "op-reth"),
            "--rpc.eth-proof-window=129600"
        ));
        // Without a proposer the sequencer serves no proofs.
        let o = devnet(edit("[proposer]\n", "[proposer]\nenabled = false\n"));
        assert!(starting(&args(&o, SEQ, "op-reth"), "--rpc.eth-proof-window").is_empty());
    }

    #[test]
    fn replicas_without_archive_run_op_reth_full_with_a_window_it_keeps() {
        let o = devnet(|t| t);
        assert!(!has(&args(&o, REP, "op-reth"), "--full"));
        let o = devnet(edit("archive = true\n", "archive = false\n"));
        let a = args(&o, REP, "op-reth");
        assert!(has(&a, "--full"));
        assert!(has(&a, "--rpc.eth-proof-window=10064"), "{a:?}");
        assert!(!has(&args(&o, SEQ, "op-reth"), "--full"));
    }

    #[test]
    fn a_pre_isthmus_proposer_reads_outputs_from_an_archive_sequencer() {
        let o = objects(&load("legacy-op-geth.toml", |t| t), Identities::default());
        assert!(has(
            &args(&o, "legacy-sequencer", "op-geth"),
            "--gcmode=archive"
        ));
        assert!(has(
            &args(&o, "legacy-replica-0", "op-geth"),
            "--gcmode=full"
        ));
        let o = objects(
            &load(
                "legacy-op-geth.toml",
                edit("[proposer]\n", "[proposer]\nenabled = false\n"),
            ),
            Identities::default(),
        );
        assert!(has(
            &args(&o, "legacy-sequencer", "op-geth"),
            "--gcmode=full"
        ));
    }

    #[test]
    fn execution_clients_log_in_the_chain_format_without_colour_or_files() {
        let o = devnet(edit("log_format = \"json\"\n", "log_format = \"logfmt\"\n"));
        let a = args(&o, REP, "op-reth");
        for flag in [
            "--log.stdout.format=log-fmt",
            "--color=never",
            "--log.file.max-files=0",
        ] {
            assert!(has(&a, flag), "{flag}");
        }
        let o = devnet(|t| t);
        assert!(has(&args(&o, REP, "op-reth"), "--log.stdout.format=json"));
        let o = objects(&load("legacy-op-geth.toml", |t| t), Identities::default());
        assert!(has(
            &args(&o, "legacy-sequencer", "op-geth"),
            "--log.format=logfmt"
        ));
    }

    #[test]
    fn op_reth_names_registry_chains_the_way_every_version_accepts() {
        let o = objects(
            &load("op-sepolia-replicas.toml", |t| t),
            Identities::default(),
        );
        assert!(has(
            &args(&o, "op-sepolia-replica-0", "op-reth"),
            "--chain=optimism-sepolia"
        ));
        assert_eq!(super::reth_chain_name("op-mainnet"), "optimism");
        // Other chains: `<stem>` on mainnet, `<stem>-<superchain>` elsewhere (op-reth `key_for!`).
        assert_eq!(super::reth_chain_name("unichain-mainnet"), "unichain");
        assert_eq!(
            super::reth_chain_name("unichain-sepolia"),
            "unichain-sepolia"
        );
        assert_eq!(
            super::reth_chain_name("settlus-mainnet-mainnet"),
            "settlus-mainnet"
        );
    }

    #[test]
    fn replicas_of_a_registry_network_forward_to_its_public_sequencer() {
        // No `sequencer_http`: the registry's sequencer endpoint is the default.
        let o = objects(
            &load("op-sepolia-replicas.toml", |t| {
                t.replace(
                    "sequencer_http = \"https://sepolia-sequencer.optimism.io\"\n",
                    "",
                )
            }),
            Identities::default(),
        );
        assert!(has(
            &args(&o, "op-sepolia-replica-0", "op-reth"),
            "--rollup.sequencer=https://sepolia-sequencer.optimism.io"
        ));
        // An explicit `sequencer_http` wins over the registry.
        let o = objects(
            &load("op-sepolia-replicas.toml", |t| {
                t.replace(
                    "https://sepolia-sequencer.optimism.io",
                    "https://sequencer.example.org",
                )
            }),
            Identities::default(),
        );
        let a = args(&o, "op-sepolia-replica-0", "op-reth");
        assert!(has(&a, "--rollup.sequencer=https://sequencer.example.org"));
        assert!(!a
            .iter()
            .any(|x| x.contains("sepolia-sequencer.optimism.io")));
    }

    #[test]
    fn the_challenger_reads_op_reth_state_through_eth_get_proof() {
        let o = devnet(|t| t);
        let c = find(&o, "StatefulSet", "devnet-challenger");
        let a: Vec<String> = c.object["spec"]["template"]["spec"]["containers"][0]["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|v| v.as_str().expect("s").to_string())
            .collect();
        let url = "http://devnet-replica-0.op-devnet.svc:8545";
        assert!(has(&a, &format!("--l2-eth-rpc={url}")));
        assert!(has(&a, &format!("--l2-experimental-eth-rpc={url}")));
    }
}

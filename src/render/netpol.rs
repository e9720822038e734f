//! NetworkPolicies (`[network_policy]`, networking.k8s.io/v1): ingress to every pod of the chain is
//! denied, then each node and role gets exactly the ingress the other roles, the chain's nodes,
//! the metrics scrapers and the public need. Pure.
//!
//! The rule set is a table of [`Grant`]s (who may reach which port of which pods, and why) that the
//! tests query; the objects are rendered from it, one policy per node or role. Policies only add
//! allowed traffic, so a port that no grant names stays closed: the engine API (8551) and the
//! batcher's and proposer's RPC servers have none. Egress is not restricted.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::common::*;
use super::nodes::{self, node_name, Node};
use super::services::rpc_node;
use super::{Desired, Phase, Role};
use crate::config::ExecutionClient;

/// Annotation on every NetworkPolicy: what it lets in, in one line (shown by `opctl plan`).
pub const ANN_ALLOWS: &str = "opctl.io/allows";

/// op-reth's discv5 listener (reth `DEFAULT_DISCOVERY_V5_PORT`); `--discovery.port` does not move it.
pub const RETH_DISCV5: i32 = 9200;

/// The pods a policy protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// One node's pod (op-node plus its execution client).
    Node(Node),
    /// The pods of a single-pod role (batcher, proposer, challenger).
    Role(Role),
    /// The `opctl watch` pod(s).
    Watcher,
}

/// Where allowed traffic comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Peer {
    /// The chain's pods of one role, in the chain's namespace.
    Role(Role),
    /// Every node pod of the chain (sequencer and replicas).
    ChainNodes,
    /// Any pod in these namespaces.
    Namespaces(Vec<String>),
    /// Any source, inside or outside the cluster.
    Anywhere,
}

impl Peer {
    fn label(&self) -> String {
        match self {
            Peer::Role(r) => r.as_str().to_string(),
            Peer::ChainNodes => "the chain's nodes".to_string(),
            Peer::Namespaces(ns) => format!("namespaces {}", ns.join(",")),
            Peer::Anywhere => "anywhere".to_string(),
        }
    }
}

/// One port of the pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    pub what: &'static str,
    pub number: i32,
    pub protocol: &'static str,
}

const fn tcp(what: &'static str, number: i32) -> Port {
    Port {
        what,
        number,
        protocol: "TCP",
    }
}

const fn udp(what: &'static str, number: i32) -> Port {
    Port {
        what,
        number,
        protocol: "UDP",
    }
}

pub const NODE_RPC: Port = tcp("op-node-rpc", nodes::NODE_RPC);
pub const EL_HTTP: Port = tcp("el-http", nodes::EL_HTTP);
pub const EL_WS: Port = tcp("el-ws", nodes::EL_WS);

/// One allowed path: `from` may reach `port` of the `target` pods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub target: Target,
    pub port: Port,
    pub from: Peer,
}

fn node_exists(ctx: &Ctx<'_>, node: Node) -> bool {
    let f = &ctx.chain.file;
    match node {
        Node::Sequencer => f.sequencer.enabled,
        Node::Replica(i) => f.replicas.enabled && i < f.replicas.count,
    }
}

/// The roles that call a node's execution-client RPC: op-batcher (the sequencer: `eth`, `miner`),
/// op-challenger (its node: `eth`, `debug` for op-program) and the replicas, which forward
/// transactions to the sequencer.
pub fn el_clients(ctx: &Ctx<'_>, node: Node) -> Vec<Role> {
    let f = &ctx.chain.file;
    let mut out = Vec::new();
    if matches!(node, Node::Sequencer) {
        if f.batcher.enabled {
            out.push(Role::Batcher);
        }
        if f.replicas.enabled {
            out.push(Role::Replica);
        }
    }
    if f.challenger.enabled && rpc_node(ctx, true) == node {
        out.push(Role::Challenger);
    }
    out
}

/// The roles that call a node's op-node RPC (`optimism_*`; `admin_*` too on the sequencer).
pub fn node_rpc_clients(ctx: &Ctx<'_>, node: Node) -> Vec<Role> {
    let f = &ctx.chain.file;
    let mut out = Vec::new();
    if f.batcher.enabled && matches!(node, Node::Sequencer) {
        out.push(Role::Batcher);
    }
    if f.proposer.enabled && rpc_node(ctx, false) == node {
        out.push(Role::Proposer);
    }
    if f.challenger.enabled && rpc_node(ctx, true) == node {
        out.push(Role::Challenger);
    }
    out
}

/// A replica serves the public RPC unless one of the chain's roles uses its execution client (the
/// challenger's replica, which needs `debug`). Public replicas serve only `eth,net,web3`: a
/// NetworkPolicy cannot filter JSON-RPC namespaces on a port it opens.
pub fn serves_public_rpc(ctx: &Ctx<'_>, node: Node) -> bool {
    matches!(node, Node::Replica(_)) && el_clients(ctx, node).is_empty()
}

/// A node accepts p2p from anywhere when it peers outside the chain: replicas of a registry
/// network (they join its public gossip), or any node with an advertised address. Otherwise
/// only the chain's own nodes reach its p2p ports (connections it opens itself get their replies
/// regardless).
pub fn peers_publicly(ctx: &Ctx<'_>, node: Node) -> bool {
    let f = &ctx.chain.file;
    match node {
        Node::Sequencer => f.sequencer.p2p.advertise_ip.is_some(),
        Node::Replica(_) => f.chain.network.is_some() || f.replicas.p2p.advertise_ip.is_some(),
    }
}

fn nodes_of(ctx: &Ctx<'_>) -> Vec<Node> {
    let f = &ctx.chain.file;
    let mut out = vec![Node::Sequencer];
    if f.replicas.enabled {
        out.extend((0..f.replicas.count).map(Node::Replica));
    }
    out.into_iter().filter(|n| node_exists(ctx, *n)).collect()
}

/// Every allowed path of the chain, in rendering order. Empty when `[network_policy]` is off.
pub fn grants(ctx: &Ctx<'_>) -> Vec<Grant> {
    let f = &ctx.chain.file;
    let np = &f.network_policy;
    if !np.enabled {
        return Vec::new();
    }
    let monitoring = (!np.monitoring_namespaces.is_empty())
        .then(|| Peer::Namespaces(np.monitoring_namespaces.clone()));
    let mut out = Vec::new();
    let mut grant = |target: Target, port: Port, from: Peer| {
        out.push(Grant { target, port, from });
    };
    for node in nodes_of(ctx) {
        let t = Target::Node(node);
        for r in node_rpc_clients(ctx, node) {
            grant(t, NODE_RPC, Peer::Role(r));
        }
        for r in el_clients(ctx, node) {
            grant(t, EL_HTTP, Peer::Role(r));
        }
        if serves_public_rpc(ctx, node) {
            let from = match &np.public_rpc_namespaces {
                None => Some(Peer::Anywhere),
                Some(ns) if ns.is_empty() => None,
                Some(ns) => Some(Peer::Namespaces(ns.clone())),
            };
            if let Some(from) = from {
                grant(t, EL_HTTP, from.clone());
                grant(t, EL_WS, from);
            }
        }
        let (el, overrides) = match node {
            Node::Sequencer => (f.sequencer.execution_client, &f.sequencer.overrides),
            Node::Replica(_) => (f.replicas.execution_client, &f.replicas.overrides),
        };
        let mut p2p = vec![
            tcp("op-node-p2p", nodes::NODE_P2P),
            udp("op-node-p2p", nodes::NODE_P2P),
            tcp("el-p2p", nodes::EL_P2P),
            udp("el-p2p", nodes::EL_P2P),
        ];
        if el == ExecutionClient::OpReth {
            p2p.push(udp("op-reth-discv5", RETH_DISCV5));
        }
        let p2p_from = if peers_publicly(ctx, node) {
            Peer::Anywhere
        } else {
            Peer::ChainNodes
        };
        for port in p2p {
            grant(t, port, p2p_from.clone());
        }
        let e = ctx.effective(overrides);
        if let (true, Some(m)) = (e.metrics, &monitoring) {
            let el_metrics = match el {
                ExecutionClient::OpReth => nodes::RETH_METRICS,
                ExecutionClient::OpGeth => nodes::GETH_METRICS,
            };
            grant(t, tcp("op-node-metrics", e.metrics_port.into()), m.clone());
            grant(t, tcp("el-metrics", el_metrics), m.clone());
        }
    }
    let services = [
        (f.batcher.enabled, Role::Batcher, &f.batcher.overrides),
        (f.proposer.enabled, Role::Proposer, &f.proposer.overrides),
        (
            f.challenger.enabled,
            Role::Challenger,
            &f.challenger.overrides,
        ),
    ];
    for (enabled, role, overrides) in services {
        let e = ctx.effective(overrides);
        // op-challenger always serves metrics: its probes use them.
        let metrics = e.metrics || role == Role::Challenger;
        if let (true, true, Some(m)) = (enabled, metrics, &monitoring) {
            grant(
                Target::Role(role),
                tcp("metrics", e.metrics_port.into()),
                m.clone(),
            );
        }
    }
    if let (true, Some(m)) = (f.watch.deploy, &monitoring) {
        grant(
            Target::Watcher,
            tcp("metrics", f.watch.port().into()),
            m.clone(),
        );
    }
    out
}

fn target_name(ctx: &Ctx<'_>, t: Target) -> String {
    match t {
        Target::Node(n) => format!("{}-ingress", node_name(ctx.name, n)),
        Target::Role(r) => format!("{}-{}-ingress", ctx.name, r.as_str()),
        Target::Watcher => format!("{}-ingress", super::watcher::name(ctx.name)),
    }
}

fn target_role(t: Target) -> Option<Role> {
    match t {
        Target::Node(Node::Sequencer) => Some(Role::Sequencer),
        Target::Node(Node::Replica(_)) => Some(Role::Replica),
        Target::Role(r) => Some(r),
        Target::Watcher => None,
    }
}

fn target_selector(ctx: &Ctx<'_>, t: Target) -> BTreeMap<String, String> {
    match t {
        Target::Node(n) => ctx.selector(target_role(t), &node_name(ctx.name, n)),
        Target::Role(r) => BTreeMap::from([
            (LABEL_CHAIN.to_string(), ctx.name.to_string()),
            (LABEL_ROLE.to_string(), r.as_str().to_string()),
        ]),
        Target::Watcher => BTreeMap::from([
            (LABEL_CHAIN.to_string(), ctx.name.to_string()),
            (
                LABEL_ROLE.to_string(),
                super::watcher::COMPONENT.to_string(),
            ),
        ]),
    }
}

fn peer(ctx: &Ctx<'_>, p: &Peer) -> Option<Vec<NetworkPolicyPeer>> {
    let chain = (LABEL_CHAIN.to_string(), ctx.name.to_string());
    let pods = |selector: LabelSelector| NetworkPolicyPeer {
        pod_selector: Some(selector),
        ..Default::default()
    };
    match p {
        Peer::Anywhere => None,
        Peer::Role(r) => Some(vec![pods(LabelSelector {
            match_labels: Some(BTreeMap::from([
                chain,
                (LABEL_ROLE.to_string(), r.as_str().to_string()),
            ])),
            ..Default::default()
        })]),
        Peer::ChainNodes => Some(vec![pods(LabelSelector {
            match_labels: Some(BTreeMap::from([chain])),
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: LABEL_ROLE.to_string(),
                operator: "In".to_string(),
                values: Some(vec![
                    Role::Replica.as_str().to_string(),
                    Role::Sequencer.as_str().to_string(),
                ]),
            }]),
        })]),
        Peer::Namespaces(ns) => Some(vec![NetworkPolicyPeer {
            namespace_selector: Some(LabelSelector {
                match_expressions: Some(vec![LabelSelectorRequirement {
                    key: "kubernetes.io/metadata.name".to_string(),
                    operator: "In".to_string(),
                    values: Some(ns.clone()),
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }]),
    }
}

fn policy(
    ctx: &Ctx<'_>,
    name: &str,
    role: Option<Role>,
    selector: BTreeMap<String, String>,
    ingress: Option<Vec<NetworkPolicyIngressRule>>,
    allows: String,
) -> Desired {
    let mut meta = ctx.meta(name, ctx.labels(role, name, "op-stack", None));
    meta.annotations = Some(BTreeMap::from([(ANN_ALLOWS.to_string(), allows)]));
    let np = NetworkPolicy {
        metadata: meta,
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector),
                ..Default::default()
            }),
            policy_types: Some(vec!["Ingress".to_string()]),
            ingress,
            ..Default::default()
        }),
    };
    // Applied with the Services, before any workload: no pod of the chain starts unfenced.
    ctx.desired(role, Phase::Services, &np)
}

/// The chain's NetworkPolicies: one that denies all ingress to its pods, and one per node and
/// role with what the grants allow.
pub fn objects(ctx: &Ctx<'_>) -> Vec<Desired> {
    if !ctx.chain.file.network_policy.enabled {
        return Vec::new();
    }
    let mut out = vec![policy(
        ctx,
        &format!("{}-deny-ingress", ctx.name),
        None,
        BTreeMap::from([(LABEL_CHAIN.to_string(), ctx.name.to_string())]),
        None,
        "nothing: ingress to every pod of the chain is denied unless another policy allows it"
            .to_string(),
    )];
    let all = grants(ctx);
    let mut targets: Vec<Target> = Vec::new();
    for g in &all {
        if !targets.contains(&g.target) {
            targets.push(g.target);
        }
    }
    for t in targets {
        // One ingress rule per peer, with its ports in grant order.
        let mut by_peer: Vec<(Peer, Vec<Port>)> = Vec::new();
        for g in all.iter().filter(|g| g.target == t) {
            match by_peer.iter_mut().find(|(p, _)| *p == g.from) {
                Some((_, ports)) => ports.push(g.port),
                None => by_peer.push((g.from.clone(), vec![g.port])),
            }
        }
        let rules = by_peer
            .iter()
            .map(|(p, ports)| NetworkPolicyIngressRule {
                from: peer(ctx, p),
                ports: Some(
                    ports
                        .iter()
                        .map(|port| NetworkPolicyPort {
                            port: Some(IntOrString::Int(port.number)),
                            protocol: Some(port.protocol.to_string()),
                            ..Default::default()
                        })
                        .collect(),
                ),
            })
            .collect();
        let allows = by_peer
            .iter()
            .map(|(p, ports)| {
                let ports: Vec<String> = ports
                    .iter()
                    .map(|port| format!("{} {}/{}", port.what, port.number, port.protocol))
                    .collect();
                format!("{} from {}", ports.join(", "), p.label())
            })
            .collect::<Vec<_>>()
            .join("; ");
        out.push(policy(
            ctx,
            &target_name(ctx, t),
            target_role(t),
            target_selector(ctx, t),
            Some(rules),
            allows,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::LoadedChain;
    use crate::render::{render, Input};

    fn example(file: &str, extra: &str) -> LoadedChain {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(file);
        let text = std::fs::read_to_string(&path).expect("example");
        crate::config::load_str(&path, &format!("{text}\n{extra}\n")).expect("valid")
    }

    fn grants_of(chain: &LoadedChain) -> Vec<Grant> {
        let input = Input::from_chain(chain);
        grants(&Ctx::new(&input))
    }

    /// Whether `from` may reach `port`/`protocol` of `target`, by the grant table.
    fn may_reach(g: &[Grant], from: &Peer, target: Target, port: i32, protocol: &str) -> bool {
        g.iter().any(|g| {
            g.target == target
                && g.port.number == port
                && g.port.protocol == protocol
                && (g.from == *from
                    || g.from == Peer::Anywhere
                    || (g.from == Peer::ChainNodes
                        && matches!(from, Peer::Role(Role::Sequencer | Role::Replica))))
        })
    }

    fn everyone() -> Vec<Peer> {
        vec![
            Peer::Role(Role::Sequencer),
            Peer::Role(Role::Replica),
            Peer::Role(Role::Batcher),
            Peer::Role(Role::Proposer),
            Peer::Role(Role::Challenger),
            Peer::Namespaces(vec!["monitoring".into()]),
            Peer::Namespaces(vec!["default".into()]),
            Peer::Anywhere,
        ]
    }

    const SEQ: Target = Target::Node(Node::Sequencer);
    const R0: Target = Target::Node(Node::Replica(0));
    const R1: Target = Target::Node(Node::Replica(1));

    #[test]
    fn no_one_reaches_the_engine_api_of_any_node() {
        for file in [
            "devnet.toml",
            "legacy-op-geth.toml",
            "op-sepolia-replicas.toml",
        ] {
            let g = grants_of(&example(file, ""));
            assert!(!g.is_empty(), "{file}");
            assert!(g.iter().all(|g| g.port.number != nodes::EL_AUTH), "{file}");
        }
    }

    #[test]
    fn only_the_batcher_proposer_and_challenger_reach_the_sequencer_op_node_rpc() {
        // devnet: the proposer uses the sequencer; the challenger uses replica 0.
        let g = grants_of(&example("devnet.toml", ""));
        let allowed: Vec<Peer> = everyone()
            .into_iter()
            .filter(|p| may_reach(&g, p, SEQ, 9545, "TCP"))
            .collect();
        assert_eq!(
            allowed,
            [Peer::Role(Role::Batcher), Peer::Role(Role::Proposer)]
        );
        let allowed: Vec<Peer> = everyone()
            .into_iter()
            .filter(|p| may_reach(&g, p, R0, 9545, "TCP"))
            .collect();
        assert_eq!(allowed, [Peer::Role(Role::Challenger)]);
        assert!(everyone()
            .iter()
            .all(|p| !may_reach(&g, p, R1, 9545, "TCP")));
    }

    #[test]
    fn the_sequencer_el_rpc_admits_the_batcher_and_the_replicas_forwarding_transactions() {
        let g = grants_of(&example("devnet.toml", ""));
        for port in [8545, 8546] {
            let allowed: Vec<Peer> = everyone()
                .into_iter()
                .filter(|p| may_reach(&g, p, SEQ, port, "TCP"))
                .collect();
            let expected: &[Peer] = if port == 8545 {
                &[Peer::Role(Role::Replica), Peer::Role(Role::Batcher)]
            } else {
                &[]
            };
            assert_eq!(allowed, expected, "port {port}");
        }
    }

    #[test]
    fn the_challengers_replica_is_internal_and_the_others_serve_the_public_rpc() {
        let chain = example("devnet.toml", "");
        let g = grants_of(&chain);
        let input = Input::from_chain(&chain);
        let ctx = Ctx::new(&input);
        assert!(!serves_public_rpc(&ctx, Node::Replica(0)));
        assert!(serves_public_rpc(&ctx, Node::Replica(1)));
        assert!(!serves_public_rpc(&ctx, Node::Sequencer));
        let r0: Vec<Peer> = everyone()
            .into_iter()
            .filter(|p| may_reach(&g, p, R0, 8545, "TCP"))
            .collect();
        assert_eq!(r0, [Peer::Role(Role::Challenger)]);
        for port in [8545, 8546] {
            assert!(may_reach(&g, &Peer::Anywhere, R1, port, "TCP"));
        }
    }

    #[test]
    fn public_rpc_namespaces_limit_who_reaches_the_public_replicas() {
        let chain = example(
            "op-sepolia-replicas.toml",
            "[network_policy]\npublic_rpc_namespaces = [\"ingress-nginx\"]",
        );
        let g = grants_of(&chain);
        let ingress = Peer::Namespaces(vec!["ingress-nginx".into()]);
        for t in [R0, R1] {
            for port in [8545, 8546] {
                assert!(may_reach(&g, &ingress, t, port, "TCP"));
                assert!(!may_reach(&g, &Peer::Anywhere, t, port, "TCP"));
                assert!(!may_reach(
                    &g,
                    &Peer::Namespaces(vec!["default".into()]),
                    t,
                    port,
                    "TCP"
                ));
            }
        }
        let none = grants_of(&example(
            "op-sepolia-replicas.toml",
            "[network_policy]\npublic_rpc_namespaces = []",
        ));
        assert!(none
            .iter()
            .all(|g| g.port.number != 8545 && g.port.number != 8546));
    }

    #[test]
    fn metrics_ports_are_open_only_to_the_monitoring_namespaces() {
        let chain = example(
            "devnet.toml",
            "[watch]\ndeploy = true\nimage = \"example.org/opctl:v0.1.0\"",
        );
        let g = grants_of(&chain);
        let mon = Peer::Namespaces(vec!["monitoring".into()]);
        let metrics = [
            (SEQ, 7300),
            (SEQ, 9001),
            (R1, 7300),
            (R1, 9001),
            (Target::Role(Role::Batcher), 7300),
            (Target::Role(Role::Proposer), 7300),
            (Target::Role(Role::Challenger), 7300),
            (Target::Watcher, 9090),
        ];
        for (t, port) in metrics {
            let allowed: Vec<Peer> = everyone()
                .into_iter()
                .filter(|p| may_reach(&g, p, t, port, "TCP"))
                .collect();
            assert_eq!(allowed, std::slice::from_ref(&mon), "{t:?} {port}");
        }
        // The batcher's and proposer's RPC servers (admin-capable) admit no one.
        for t in [Target::Role(Role::Batcher), Target::Role(Role::Proposer)] {
            assert!(everyone().iter().all(|p| !may_reach(&g, p, t, 8545, "TCP")));
        }
        let custom = grants_of(&example(
            "devnet.toml",
            "[network_policy]\nmonitoring_namespaces = [\"obs\", \"prom\"]",
        ));
        assert!(may_reach(
            &custom,
            &Peer::Namespaces(vec!["obs".into(), "prom".into()]),
            SEQ,
            7300,
            "TCP"
        ));
        assert!(!may_reach(&custom, &mon, SEQ, 7300, "TCP"));
    }

    #[test]
    fn p2p_is_open_to_the_chain_nodes_and_to_anywhere_only_for_publicly_peering_replicas() {
        let devnet = grants_of(&example("devnet.toml", ""));
        for t in [SEQ, R0, R1] {
            for (port, proto) in [
                (9222, "TCP"),
                (9222, "UDP"),
                (30303, "TCP"),
                (30303, "UDP"),
                (9200, "UDP"),
            ] {
                assert!(may_reach(
                    &devnet,
                    &Peer::Role(Role::Replica),
                    t,
                    port,
                    proto
                ));
                assert!(may_reach(
                    &devnet,
                    &Peer::Role(Role::Sequencer),
                    t,
                    port,
                    proto
                ));
                assert!(!may_reach(
                    &devnet,
                    &Peer::Role(Role::Batcher),
                    t,
                    port,
                    proto
                ));
                assert!(!may_reach(&devnet, &Peer::Anywhere, t, port, proto));
            }
        }
        let sepolia = grants_of(&example("op-sepolia-replicas.toml", ""));
        for t in [R0, R1] {
            assert!(may_reach(&sepolia, &Peer::Anywhere, t, 9222, "TCP"));
            assert!(may_reach(&sepolia, &Peer::Anywhere, t, 9200, "UDP"));
        }
        // op-geth has no discv5 listener on 9200.
        let legacy = grants_of(&example("legacy-op-geth.toml", ""));
        assert!(legacy.iter().all(|g| g.port.number != RETH_DISCV5));
        assert!(may_reach(
            &legacy,
            &Peer::Role(Role::Replica),
            SEQ,
            30303,
            "UDP"
        ));
    }

    #[test]
    fn public_replicas_serve_only_eth_net_web3_and_internal_nodes_keep_their_namespaces() {
        let objects = render(&Input::from_chain(&example("devnet.toml", ""))).expect("renders");
        let api = |name: &str| -> Vec<String> {
            let sts = objects
                .iter()
                .find(|d| d.kind() == "StatefulSet" && d.name() == name)
                .expect("node");
            sts.object["spec"]["template"]["spec"]["containers"][0]["args"]
                .as_array()
                .expect("args")
                .iter()
                .filter_map(|a| a.as_str())
                .filter(|a| a.starts_with("--http.api=") || a.starts_with("--ws.api="))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(
            api("devnet-replica-1"),
            ["--http.api=eth,net,web3", "--ws.api=eth,net,web3"]
        );
        assert_eq!(
            api("devnet-replica-0"),
            [
                "--http.api=eth,net,web3,txpool,debug",
                "--ws.api=eth,net,web3,txpool,debug"
            ]
        );
        assert!(api("devnet-sequencer")[0].ends_with(",miner"));
    }

    #[test]
    fn a_default_deny_selects_every_pod_of_the_chain_and_each_policy_selects_one_role() {
        let chain = example(
            "devnet.toml",
            "[watch]\ndeploy = true\nimage = \"example.org/opctl:v0.1.0\"",
        );
        let objects = render(&Input::from_chain(&chain)).expect("renders");
        let policies: Vec<&Desired> = objects
            .iter()
            .filter(|d| d.kind() == "NetworkPolicy")
            .collect();
        let names: Vec<&str> = policies.iter().map(|d| d.name()).collect();
        assert_eq!(
            names,
            [
                "devnet-batcher-ingress",
                "devnet-challenger-ingress",
                "devnet-deny-ingress",
                "devnet-opctl-watch-ingress",
                "devnet-proposer-ingress",
                "devnet-replica-0-ingress",
                "devnet-replica-1-ingress",
                "devnet-sequencer-ingress",
            ]
        );
        let pods: Vec<(&str, &serde_json::Map<String, serde_json::Value>)> = objects
            .iter()
            .filter(|d| matches!(d.kind(), "StatefulSet" | "Deployment"))
            .map(|d| {
                (
                    d.name(),
                    d.object["spec"]["template"]["metadata"]["labels"]
                        .as_object()
                        .expect("labels"),
                )
            })
            .collect();
        for p in &policies {
            assert_eq!(p.object["apiVersion"], "networking.k8s.io/v1");
            assert_eq!(p.phase, Phase::Services);
            assert_eq!(
                p.object["spec"]["policyTypes"],
                serde_json::json!(["Ingress"])
            );
            assert!(p.object["metadata"]["annotations"][ANN_ALLOWS].is_string());
            let sel = p.object["spec"]["podSelector"]["matchLabels"]
                .as_object()
                .expect("matchLabels");
            let selected: Vec<&str> = pods
                .iter()
                .filter(|(_, l)| sel.iter().all(|(k, v)| l.get(k) == Some(v)))
                .map(|(n, _)| *n)
                .collect();
            let expected: Vec<&str> = match p.name() {
                "devnet-deny-ingress" => pods.iter().map(|(n, _)| *n).collect(),
                n => vec![pods
                    .iter()
                    .map(|(w, _)| *w)
                    .find(|w| n == format!("{w}-ingress"))
                    .expect("a workload per policy")],
            };
            assert_eq!(selected, expected, "{}", p.name());
        }
        let deny = policies
            .iter()
            .find(|d| d.name() == "devnet-deny-ingress")
            .expect("deny");
        assert!(deny.object["spec"].get("ingress").is_none());
    }

    #[test]
    fn switching_network_policy_off_renders_none() {
        let chain = example("devnet.toml", "[network_policy]\nenabled = false");
        let objects = render(&Input::from_chain(&chain)).expect("renders");
        assert!(objects.iter().all(|d| d.kind() != "NetworkPolicy"));
        assert!(grants_of(&chain).is_empty());
    }
}

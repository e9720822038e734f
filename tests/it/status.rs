//! `opctl status` reading the chain's nodes through the real apiserver's pod proxy: the kubelet
//! stand-in gives pods addresses on this machine ([`TestCluster::start_with_pod_network`]), a
//! real anvil serves each node's execution-client JSON-RPC at its pod's IP, and the op-node
//! stand-in ([`crate::support::op_node`]) serves op-node's sync status in op-node's own shapes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

use crate::support::chain::ElAnvil;
use crate::support::cluster::TestCluster;
use crate::support::op_node::{OpNodeStandIn, SyncState};

const NODE_RPC: u16 = 9545;
const EL_HTTP: u16 = 8545;
const L2_CHAIN_ID: u64 = 42069;

fn random_hex() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// The devnet example with `replicas` replicas, in a temp dir with its rollup.json and genesis.
fn devnet(dir: &Path, replicas: u32) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.join("devnet")).expect("mkdir");
    for f in ["rollup.json", "genesis.json"] {
        std::fs::copy(root.join("devnet").join(f), dir.join("devnet").join(f)).expect("copy");
    }
    let text = std::fs::read_to_string(root.join("devnet.toml")).expect("read example");
    assert!(
        text.contains("count = 2"),
        "the devnet example has 2 replicas"
    );
    let chain = dir.join("devnet.toml");
    std::fs::write(
        &chain,
        text.replace("count = 2", &format!("count = {replicas}")),
    )
    .expect("write chain");
    chain
}

fn rollup_json() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet/rollup.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read rollup.json")).expect("json")
}

fn opctl(cluster: &TestCluster, ns: &str, args: &[&str]) -> Output {
    opctl_as(cluster.admin_kubeconfig(), ns, args)
}

fn opctl_as(kubeconfig: &Path, ns: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opctl"))
        .env(
            "L1_BEACON_URL",
            format!("https://beacon.example.org/{}", random_hex()),
        )
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["-n", ns])
        .args(args)
        .output()
        .expect("opctl runs")
}

fn assert_ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A cluster with the devnet applied (sequencer + `replicas` replicas), rolled out by the real
/// controllers, its pods on the pod network.
async fn applied_devnet(replicas: u32) -> (TestCluster, String, tempfile::TempDir, PathBuf) {
    let cluster = TestCluster::start_with_pod_network().await;
    let ns = cluster.fresh_namespace().await;
    cluster
        .create_secret(
            &ns,
            "l1-endpoints",
            &[("rpc", &format!("https://l1.example.org/{}", random_hex()))],
        )
        .await;
    // 64 hex digits: the key-format check refuses anything else.
    let keys: Vec<String> = (0..4).map(|_| random_hex() + &random_hex()).collect();
    cluster
        .create_secret(
            &ns,
            "devnet-keys",
            &[
                ("sequencer", &keys[0]),
                ("batcher", &keys[1]),
                ("proposer", &keys[2]),
                ("challenger", &keys[3]),
            ],
        )
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let chain = devnet(dir.path(), replicas);
    let chain_arg = chain.to_str().expect("utf-8").to_string();
    assert_ok(&opctl(
        &cluster,
        &ns,
        &["apply", &chain_arg, "--yes", "--timeout", "300s"],
    ));
    (cluster, ns, dir, chain)
}

fn node<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["nodes"]
        .as_array()
        .and_then(|nodes| nodes.iter().find(|n| n["name"] == name))
        .unwrap_or_else(|| panic!("no node {name} in {status:#}"))
}

#[tokio::test]
async fn every_node_gets_the_verdict_its_sync_state_calls_for_in_the_table_and_in_json() {
    let (cluster, ns, _dir, chain) = applied_devnet(5).await;
    let chain = chain.to_str().expect("utf-8");
    let rollup = rollup_json();

    let pods = [
        "devnet-sequencer-0",
        "devnet-replica-0-0",
        "devnet-replica-1-0",
        "devnet-replica-2-0",
        "devnet-replica-3-0",
        "devnet-replica-4-0",
    ];
    let mut ips = Vec::new();
    for pod in pods {
        ips.push(cluster.pod_ip(&ns, pod).await);
    }
    let subnet = cluster.pod_network().expect("pod network").subnet();
    let prefix = subnet.trim_end_matches("0/24");
    assert!(
        ips.iter().all(|ip| ip.to_string().starts_with(prefix)),
        "{ips:?} in {subnet}"
    );

    // Execution clients: a real anvil at each pod's IP, except replica-4's (unreachable).
    let mut els = Vec::new();
    for ip in &ips[..5] {
        els.push(ElAnvil::start(&ip.to_string(), EL_HTTP, L2_CHAIN_ID));
    }
    let sequencer_el_head = els[0].mine(7).await;

    // op-node: the stand-in at each pod's IP, except replica-4's.
    let sequencer = SyncState::live(100_000);
    let safe_head = sequencer.safe_l2;
    let states = [
        // The sequencer: producing blocks.
        sequencer.clone(),
        // replica-0: synced, on the sequencer's heads.
        SyncState::live(100_000),
        // replica-1: far behind and catching up fast.
        SyncState {
            unsafe_l2: 1_000,
            safe_l2: 900,
            finalized_l2: 500,
            blocks_per_minute: 1_200,
            head_age: Duration::from_secs(2 * 86_400),
            ..SyncState::live(1_000)
        },
        // replica-2: stuck an hour ago.
        SyncState {
            unsafe_l2: 5_000,
            safe_l2: 4_900,
            finalized_l2: 4_000,
            blocks_per_minute: 0,
            head_age: Duration::from_secs(3_600),
            ..SyncState::live(5_000)
        },
        // replica-3: no unsafe gossip; derives the safe chain as fast as the sequencer's.
        SyncState {
            unsafe_l2: safe_head,
            safe_l2: safe_head,
            head_age: Duration::from_secs(120),
            peers: 0,
            ..SyncState::live(safe_head)
        },
    ];
    let _op_nodes: Vec<OpNodeStandIn> = ips
        .iter()
        .zip(states)
        .map(|(ip, state)| OpNodeStandIn::start(*ip, NODE_RPC, rollup.clone(), state))
        .collect();

    let out = opctl(
        &cluster,
        &ns,
        &["status", chain, "-o", "json", "--interval", "2s"],
    );
    let status: Value = serde_json::from_str(&assert_ok(&out)).expect("status JSON");
    assert_eq!(status["apiVersion"], "opctl.io/status/v1");
    assert_eq!(status["reference"], "devnet-sequencer");
    assert_eq!(status["sampling"]["samples"], 2);
    let expected = [
        ("devnet-sequencer", "synced"),
        ("devnet-replica-0", "synced"),
        ("devnet-replica-1", "syncing"),
        ("devnet-replica-2", "stalled"),
        ("devnet-replica-3", "following-safe-only"),
        ("devnet-replica-4", "unreachable"),
    ];
    for (name, state) in expected {
        assert_eq!(
            node(&status, name)["verdict"]["state"],
            state,
            "{name}: {:#}",
            node(&status, name)
        );
    }

    // The execution client half is anvil's own answers, read through the pod proxy.
    let seq = node(&status, "devnet-sequencer");
    assert_eq!(seq["el"]["block_number"], sequencer_el_head);
    assert_eq!(seq["el"]["syncing"], false);
    assert_eq!(seq["el"]["chain_id"], L2_CHAIN_ID);
    assert_eq!(
        seq["el"]["peers"],
        Value::Null,
        "anvil does not serve net_peerCount"
    );
    assert_eq!(seq["op_node"]["l2_chain_id"], L2_CHAIN_ID);
    assert_eq!(seq["op_node"]["peers"], 5);
    assert_eq!(seq["op_node"]["l1_origin_lag"], 3);
    // The stand-in's heads are far above anvil's: the engine note says so.
    let reason = seq["verdict"]["reason"].as_str().expect("reason");
    assert!(
        reason.contains(&format!(
            "execution client head {sequencer_el_head} is behind"
        )),
        "{reason}"
    );

    let lagging = node(&status, "devnet-replica-1");
    let rate = lagging["verdict"]["blocks_per_minute"]
        .as_f64()
        .expect("a rate");
    assert!(rate > 0.0, "{lagging:#}");
    assert!(
        lagging["lag"]["unsafe"].as_u64().expect("lag") > 90_000,
        "{lagging:#}"
    );

    let stalled = node(&status, "devnet-replica-2");
    let head_time = stalled["op_node"]["unsafe_l2"]["timestamp"]
        .as_i64()
        .expect("time");
    let since = k8s_openapi::jiff::Timestamp::from_second(head_time)
        .expect("time")
        .to_string();
    assert_eq!(stalled["verdict"]["since"], since.as_str());

    let safe_only = node(&status, "devnet-replica-3");
    assert_eq!(
        safe_only["op_node"]["unsafe_l2"]["number"],
        safe_only["op_node"]["safe_l2"]["number"]
    );
    assert_eq!(safe_only["op_node"]["peers"], 0);

    let unreachable = node(&status, "devnet-replica-4");
    let reason = unreachable["verdict"]["reason"].as_str().expect("reason");
    assert!(reason.contains("9545"), "{reason}");
    assert_eq!(unreachable["op_node"]["reachable"], false);
    assert_eq!(unreachable["el"]["reachable"], false);

    // The table says the same, one verdict line per node.
    let table = assert_ok(&opctl(
        &cluster,
        &ns,
        &["status", chain, "--interval", "2s"],
    ));
    eprintln!("{table}");
    for (name, headline) in [
        ("devnet-sequencer", "synced: sequencer"),
        ("devnet-replica-0", "synced: "),
        ("devnet-replica-1", "syncing at "),
        ("devnet-replica-2", "stalled since "),
        ("devnet-replica-3", "following safe only: "),
        ("devnet-replica-4", "unreachable: "),
    ] {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(&format!("{name}: {headline}"))),
            "no `{name}: {headline}` line in:\n{table}"
        );
    }
    assert!(table.contains("blocks/min"), "{table}");
}

#[tokio::test]
async fn without_the_sequencer_replicas_are_judged_by_their_own_heads_and_nothing_fails() {
    let (cluster, ns, _dir, chain) = applied_devnet(1).await;
    let chain = chain.to_str().expect("utf-8");
    let replica_ip = cluster.pod_ip(&ns, "devnet-replica-0-0").await;
    // Nothing listens at the sequencer's pod; the replica's op-node is live.
    let _op_node = OpNodeStandIn::start(replica_ip, NODE_RPC, rollup_json(), SyncState::live(500));
    let out = opctl(
        &cluster,
        &ns,
        &["status", chain, "-o", "json", "--interval", "0"],
    );
    let status: Value = serde_json::from_str(&assert_ok(&out)).expect("status JSON");
    assert_eq!(status["reference"], Value::Null);
    assert_eq!(status["sampling"]["samples"], 1);
    assert_eq!(
        node(&status, "devnet-sequencer")["verdict"]["state"],
        "unreachable"
    );
    let replica = node(&status, "devnet-replica-0");
    assert_eq!(replica["verdict"]["state"], "synced", "{replica:#}");
    assert!(
        replica["verdict"]["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("no reference")),
        "{replica:#}"
    );
    assert_eq!(replica["lag"], Value::Null);
    assert_eq!(replica["el"]["reachable"], false);
}

#[tokio::test]
async fn a_user_who_may_not_proxy_to_pods_sees_each_node_unreachable_with_the_permission_named() {
    let (cluster, ns, _dir, chain) = applied_devnet(1).await;
    let chain = chain.to_str().expect("utf-8");
    // A live op-node: the denial, not the node, is what makes it unreachable.
    let ip = cluster.pod_ip(&ns, "devnet-sequencer-0").await;
    let _op_node = OpNodeStandIn::start(ip, NODE_RPC, rollup_json(), SyncState::live(500));
    // `view` reads workloads and pods but grants nothing on pods/proxy.
    cluster.grant_limited_user(&ns, "view").await;
    let out = opctl_as(
        cluster.limited_kubeconfig(),
        &ns,
        &["status", chain, "-o", "json", "--interval", "0"],
    );
    let status: Value = serde_json::from_str(&assert_ok(&out)).expect("status JSON");
    assert_eq!(status["workloads"].as_array().map(Vec::len), Some(5));
    for name in ["devnet-sequencer", "devnet-replica-0"] {
        let n = node(&status, name);
        assert_eq!(n["verdict"]["state"], "unreachable", "{n:#}");
        let reason = n["verdict"]["reason"].as_str().expect("reason");
        for part in ["forbidden", "create", "pods/proxy", &ns] {
            assert!(reason.contains(part), "{part:?} missing from: {reason}");
        }
    }
}

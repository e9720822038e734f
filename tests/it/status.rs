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
    let chain = crate::support::devnet_copy(dir);
    let text = std::fs::read_to_string(&chain).expect("read example");
    assert!(
        text.contains("count = 2"),
        "the devnet example has 2 replicas"
    );
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

// ---------------------------------------------------------------------------------------------
// Operator roles on L1: a real anvil as the chain file's L1 RPC, the roles' keys in the chain's
// Secret, and the batcher and proposer sending real transactions from their own addresses.

/// The devnet example (1 replica) with `l1.rpc_url` set to `l1_url` and `extra` appended, and the
/// roles' keys in the Secret `devnet-keys` of `ns`. Returns the chain file and the batcher,
/// proposer and challenger addresses.
async fn operators_devnet(
    cluster: &TestCluster,
    ns: &str,
    dir: &Path,
    l1_url: &str,
    extra: &str,
) -> (PathBuf, [alloy::primitives::Address; 3]) {
    use alloy::signers::local::PrivateKeySigner;
    let signers: Vec<PrivateKeySigner> = (0..4).map(|_| PrivateKeySigner::random()).collect();
    let keys: Vec<String> = signers.iter().map(|s| hex::encode(s.to_bytes())).collect();
    cluster
        .create_secret(
            ns,
            "devnet-keys",
            &[
                ("sequencer", &keys[0]),
                ("batcher", &keys[1]),
                ("proposer", &keys[2]),
                ("challenger", &keys[3]),
            ],
        )
        .await;
    // The devnet example reads l1.rpc_url from this Secret.
    cluster
        .create_secret(ns, "l1-endpoints", &[("rpc", l1_url)])
        .await;
    let chain = devnet(dir, 1);
    let text = std::fs::read_to_string(&chain).expect("read chain");
    assert!(text.contains(r#"rpc_url = { secret = "l1-endpoints", key = "rpc" }"#));
    std::fs::write(&chain, format!("{text}\n{extra}")).expect("write chain");
    (
        chain,
        [
            signers[1].address(),
            signers[2].address(),
            signers[3].address(),
        ],
    )
}

fn hex_u64(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().expect("hex").trim_start_matches("0x"), 16).expect("hex")
}

/// Sends a transaction from `from` (impersonated) and returns the block it was mined in.
async fn send_from(l1: &ElAnvil, from: alloy::primitives::Address) -> u64 {
    let hash = l1
        .request(
            "eth_sendTransaction",
            serde_json::json!([{ "from": from, "to": from, "value": "0x1" }]),
        )
        .await;
    let receipt = crate::support::poll(|| async {
        let r = l1
            .request("eth_getTransactionReceipt", serde_json::json!([hash]))
            .await;
        r.get("blockNumber").filter(|b| b.is_string()).cloned()
    })
    .await
    .unwrap_or_else(|| panic!("transaction {hash} from {from} was not mined"));
    hex_u64(&receipt)
}

fn role<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["operators"]["roles"]
        .as_array()
        .and_then(|roles| roles.iter().find(|r| r["role"] == name))
        .unwrap_or_else(|| panic!("no role {name} in {status:#}"))
}

alloy::sol! {
    /// DisputeGameFactory's and a game's getters (contracts-bedrock), for the stand-ins.
    interface games {
        function gameCount() external view returns (uint256);
        function gameAtIndex(uint256 index) external view returns (uint32 gameType, uint64 timestamp, address proxy);
        function status() external view returns (uint8);
    }
}

#[tokio::test]
async fn status_reads_each_operator_role_from_l1_balance_latest_tx_nonce_gap_and_low_balance() {
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let l1 = ElAnvil::start("127.0.0.1", crate::support::free_port(), 11_155_111);
    let dir = tempfile::tempdir().expect("tempdir");
    let (chain, [batcher, proposer, challenger]) = operators_devnet(
        &cluster,
        &ns,
        dir.path(),
        l1.url(),
        "[status]\nlow_balance = \"0.06\"\n",
    )
    .await;
    let chain = chain.to_str().expect("utf-8");

    // 1 ETH, 0.05 ETH (below low_balance 0.06), 2 ETH.
    for (who, wei) in [
        (batcher, "0xde0b6b3a7640000"),
        (proposer, "0xb1a2bc2ec50000"),
        (challenger, "0x1bc16d674ec80000"),
    ] {
        l1.request("anvil_setBalance", serde_json::json!([who, wei]))
            .await;
        l1.request("anvil_impersonateAccount", serde_json::json!([who]))
            .await;
    }
    // The DisputeGameFactory and two games (stand-ins with the real getters' ABI): the newer
    // game is in progress, the older one resolved (DEFENDER_WINS).
    let deployer = challenger;
    let game = |status: u8| {
        l1.deploy_stand_in(
            deployer,
            vec![crate::support::chain::answer(games::statusCall {}, status)],
        )
    };
    let resolved = game(2).await;
    let in_progress = game(0).await;
    let at = |index: u64, proxy: alloy::primitives::Address| {
        crate::support::chain::answer(
            games::gameAtIndexCall {
                index: alloy::primitives::U256::from(index),
            },
            games::gameAtIndexReturn {
                gameType: 1,
                timestamp: 1_700_000_000,
                proxy,
            },
        )
    };
    let factory = l1
        .deploy_stand_in(
            deployer,
            vec![
                crate::support::chain::answer(
                    games::gameCountCall {},
                    alloy::primitives::U256::from(2),
                ),
                at(0, resolved),
                at(1, in_progress),
            ],
        )
        .await;
    let text = std::fs::read_to_string(chain).expect("read chain");
    let example_factory = r#"dispute_game_factory = "0x4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7""#;
    assert!(text.contains(example_factory));
    std::fs::write(
        chain,
        text.replace(
            example_factory,
            &format!("dispute_game_factory = \"{factory}\""),
        ),
    )
    .expect("write chain");

    l1.mine(5).await;
    send_from(&l1, batcher).await;
    l1.mine(10).await;
    let batcher_last = send_from(&l1, batcher).await;
    l1.mine(3).await;
    let proposer_last = send_from(&l1, proposer).await;
    l1.mine(20).await;
    // One batcher transaction left pending: a nonce gap of 1.
    l1.request("evm_setAutomine", serde_json::json!([false]))
        .await;
    l1.request(
        "eth_sendTransaction",
        serde_json::json!([{ "from": batcher, "to": batcher, "value": "0x1" }]),
    )
    .await;

    let out = opctl(&cluster, &ns, &["status", chain, "-o", "json"]);
    let status: Value = serde_json::from_str(&assert_ok(&out)).expect("status JSON");
    let ops = &status["operators"];
    assert_eq!(ops["l1_head"], l1.block_number().await, "{ops:#}");
    let requests = ops["requests"].as_u64().expect("requests");
    eprintln!("operators: {requests} L1 requests, head {}", ops["l1_head"]);
    assert!(
        (3..=9).contains(&requests),
        "{requests} L1 requests: {ops:#}"
    );

    let b = role(&status, "batcher");
    assert_eq!(b["address"], batcher.to_checksum(None));
    assert_eq!(b["address_source"], "key in Secret devnet-keys/batcher");
    let balance = l1
        .request("eth_getBalance", serde_json::json!([batcher, "latest"]))
        .await;
    let wei = alloy::primitives::U256::from_str_radix(
        balance.as_str().expect("hex").trim_start_matches("0x"),
        16,
    )
    .expect("balance");
    assert_eq!(b["balance_wei"], wei.to_string());
    assert_eq!(b["low"], false);
    assert_eq!(b["state"], "ok", "{b:#}");
    assert_eq!(b["nonce"], 2);
    assert_eq!(b["pending_nonce"], 3);
    assert_eq!(b["nonce_gap"], 1);
    assert_eq!(b["last_tx"]["found"], true, "{b:#}");
    assert_eq!(b["last_tx"]["block"], batcher_last, "{b:#}");
    let block = l1
        .request(
            "eth_getBlockByNumber",
            serde_json::json!([format!("{batcher_last:#x}"), false]),
        )
        .await;
    assert_eq!(b["last_tx"]["timestamp"], hex_u64(&block["timestamp"]));
    assert!(b["last_tx"]["age_s"].as_u64().expect("age") < 600, "{b:#}");

    let p = role(&status, "proposer");
    assert_eq!(p["last_tx"]["block"], proposer_last, "{p:#}");
    assert_eq!(p["nonce_gap"], 0);
    assert_eq!(p["low"], true, "{p:#}");
    assert_eq!(p["state"], "low");
    assert!(
        p["line"]
            .as_str()
            .expect("line")
            .contains("(low: below 0.06)"),
        "{p:#}"
    );

    // The challenger: nonces (it deployed the stand-ins), and the games in progress.
    let c = role(&status, "challenger");
    assert_eq!(c["nonce"], 6);
    assert_eq!(c["nonce_gap"], 0);
    assert!(c.get("last_tx").is_none(), "{c:#}");
    assert_eq!(c["games"]["total"], 2, "{c:#}");
    assert_eq!(c["games"]["in_progress"], 1, "{c:#}");
    assert_eq!(c["games"]["factory"], factory.to_checksum(None));
    assert!(
        c["line"]
            .as_str()
            .is_some_and(|l| l.ends_with("1 game(s) in progress among the newest 2 of 2")),
        "{c:#}"
    );

    // The table: one line per role, the low one flagged.
    let table = assert_ok(&opctl(&cluster, &ns, &["status", chain]));
    eprintln!("{table}");
    let line = |prefix: &str| {
        table
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{table}"))
            .to_string()
    };
    assert!(line("batcher 0x").contains(&format!("last tx block {batcher_last} (")));
    assert!(line("batcher 0x").ends_with("nonce gap 1"), "{table}");
    assert!(
        line("proposer 0x").contains("ETH (low: below 0.06), last tx block"),
        "{table}"
    );
}

#[tokio::test]
async fn status_reports_an_l1_rpc_that_does_not_answer_per_role_and_exits_0() {
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = random_hex();
    // Nothing listens there; the path token is a credential and must not be printed.
    let url = format!(
        "http://127.0.0.1:{}/v2/{secret}",
        crate::support::free_port()
    );
    let (chain, _) = operators_devnet(&cluster, &ns, dir.path(), &url, "").await;
    // A disabled role is skipped.
    let text = std::fs::read_to_string(&chain).expect("read chain");
    assert!(text.contains("[challenger]\n"));
    std::fs::write(
        &chain,
        text.replace("[challenger]\n", "[challenger]\nenabled = false\n"),
    )
    .expect("write chain");
    let chain = chain.to_str().expect("utf-8");
    let out = opctl(
        &cluster,
        &ns,
        &["status", chain, "-o", "json", "--rpc-timeout", "2s"],
    );
    let stdout = assert_ok(&out);
    assert!(
        !stdout.contains(&secret) && !String::from_utf8_lossy(&out.stderr).contains(&secret),
        "the L1 RPC's key leaked:\n{stdout}"
    );
    let status: Value = serde_json::from_str(&stdout).expect("status JSON");
    let roles: Vec<&str> = status["operators"]["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(|r| r["role"].as_str())
        .collect();
    assert_eq!(roles, ["batcher", "proposer"], "the challenger is disabled");
    for name in ["batcher", "proposer"] {
        let r = role(&status, name);
        assert_eq!(r["state"], "unreachable", "{r:#}");
        assert_eq!(r["reachable"], false);
        assert!(
            r["line"]
                .as_str()
                .is_some_and(|l| l.contains("L1 RPC did not answer")),
            "{r:#}"
        );
    }
    let table = assert_ok(&opctl(
        &cluster,
        &ns,
        &["status", chain, "--rpc-timeout", "2s"],
    ));
    assert!(!table.contains(&secret));
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("batcher 0x") && l.contains("L1 RPC did not answer")),
        "{table}"
    );
}

// ---------------------------------------------------------------------------------------------
// Sync mode, engine reachability and the reference RPC.

#[tokio::test]
async fn status_shows_sync_mode_and_engine_and_measures_lags_against_the_reference_rpc() {
    let (cluster, ns, _dir, chain) = applied_devnet(1).await;
    let rollup = rollup_json();
    let seq_ip = cluster.pod_ip(&ns, "devnet-sequencer-0").await;
    let replica_ip = cluster.pod_ip(&ns, "devnet-replica-0-0").await;
    // The sequencer: producing blocks, its execution client answering.
    let _seq_el = ElAnvil::start(&seq_ip.to_string(), EL_HTTP, L2_CHAIN_ID);
    let _seq = OpNodeStandIn::start(
        seq_ip,
        NODE_RPC,
        rollup.clone(),
        SyncState {
            blocks_per_minute: 600,
            ..SyncState::live(100_000)
        },
    );
    // The replica: on the sequencer's head, but stuck, and its execution client is gone.
    let _replica = OpNodeStandIn::start(
        replica_ip,
        NODE_RPC,
        rollup.clone(),
        SyncState {
            blocks_per_minute: 0,
            ..SyncState::live(100_000)
        },
    );
    // The reference: an op-node (stand-in) outside the cluster, far ahead of both.
    let reference = OpNodeStandIn::start(
        std::net::Ipv4Addr::LOCALHOST,
        crate::support::free_port(),
        rollup.clone(),
        SyncState::live(200_000),
    );
    let text = std::fs::read_to_string(&chain).expect("read chain");
    let with_reference = |url: &str| {
        std::fs::write(
            &chain,
            format!("{text}\n[status]\nreference_rpc = {url:?}\nmax_lag = 7\n"),
        )
        .expect("write chain")
    };
    with_reference(&format!("http://{}", reference.address()));
    let chain_arg = chain.to_str().expect("utf-8");

    let out = opctl(
        &cluster,
        &ns,
        &[
            "status",
            chain_arg,
            "-o",
            "json",
            "--interval",
            "2s",
            "--no-operators",
        ],
    );
    let status: Value = serde_json::from_str(&assert_ok(&out)).expect("status JSON");
    assert_eq!(
        status["reference"],
        format!("reference_rpc http://{}/", reference.address()).as_str(),
        "{status:#}"
    );
    assert_eq!(status["sampling"]["max_lag_blocks"], 7, "[status] max_lag");
    assert_eq!(status["sampling"]["reference_requests"], 1);
    assert!(status.get("operators").is_none());

    let seq = node(&status, "devnet-sequencer");
    assert_eq!(seq["op_node"]["sync_mode"], "consensus-layer");
    assert_eq!(seq["op_node"]["engine_reachable"], true, "{seq:#}");
    // The sequencer's lag is measured too when the reference is another node.
    assert!(
        seq["lag"]["unsafe"].as_u64().expect("lag") > 90_000,
        "{seq:#}"
    );

    let replica = node(&status, "devnet-replica-0");
    assert_eq!(replica["op_node"]["sync_mode"], "execution-layer");
    assert_eq!(replica["op_node"]["engine_reachable"], false, "{replica:#}");
    assert!(replica["lag"]["unsafe"].as_u64().expect("lag") > 90_000);
    assert!(replica["lag"]["safe"].as_u64().expect("safe lag") > 90_000);
    assert_eq!(replica["verdict"]["state"], "stalled", "{replica:#}");
    let reason = replica["verdict"]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("behind the reference RPC's unsafe head"),
        "{reason}"
    );

    // An L2 RPC that is not an op-node: its eth_blockNumber is the reference's unsafe head.
    let l2 = ElAnvil::start("127.0.0.1", crate::support::free_port(), L2_CHAIN_ID);
    let l2_head = l2.mine(60).await;
    _replica.set(SyncState {
        blocks_per_minute: 0,
        ..SyncState::live(10)
    });
    with_reference(l2.url());
    let out = opctl(
        &cluster,
        &ns,
        &[
            "status",
            chain_arg,
            "-o",
            "json",
            "--interval",
            "0",
            "--no-operators",
        ],
    );
    let status: Value = serde_json::from_str(&assert_ok(&out)).expect("status JSON");
    let replica = node(&status, "devnet-replica-0");
    let lag = replica["lag"]["unsafe"].as_u64().expect("lag");
    assert_eq!(lag, l2_head - 10, "{replica:#}");
    assert_eq!(replica["lag"]["safe"], Value::Null, "{replica:#}");

    // A reference that does not answer: no reference, said why, exit 0.
    with_reference(&format!(
        "http://127.0.0.1:{}/",
        crate::support::free_port()
    ));
    let out = opctl(
        &cluster,
        &ns,
        &[
            "status",
            chain_arg,
            "-o",
            "json",
            "--interval",
            "0",
            "--no-operators",
            "--rpc-timeout",
            "2s",
        ],
    );
    let status: Value = serde_json::from_str(&assert_ok(&out)).expect("status JSON");
    assert_eq!(status["reference"], Value::Null);
    assert!(
        status["reference_error"]
            .as_str()
            .is_some_and(|e| e.starts_with("the reference RPC did not answer")),
        "{status:#}"
    );
    let table = assert_ok(&opctl(
        &cluster,
        &ns,
        &[
            "status",
            chain_arg,
            "--interval",
            "0",
            "--no-operators",
            "--rpc-timeout",
            "2s",
        ],
    ));
    assert!(
        table.contains("devnet-replica-0: stalled") || table.contains("devnet-replica-0: synced"),
        "{table}"
    );
    assert!(
        table.contains("no reference (the reference RPC did not answer"),
        "{table}"
    );
}

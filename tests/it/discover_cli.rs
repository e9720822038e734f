//! `opctl discover` and the checks as users run them: a chain file pointing at the harness's anvil
//! with real OP contracts, the lock file it writes, on-chain changes (exit 2), failed checks (exit 3)
//! that block `apply`, and rendering from the lock file without any RPC.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use serde_json::{json, Value};

use crate::support::chain::{key_hex, Flavor, TestChain, L1_CHAIN_ID};
use crate::support::cluster::TestCluster;

struct Files {
    _dir: tempfile::TempDir,
    chain: PathBuf,
    keys: PathBuf,
}

/// A chain file for the fixture chain: rollup.json agreeing with the contracts (and passing
/// op-node's start-up checks: genesis time and scalar set), and the role keys written to local
/// files (never printed).
fn files(chain: &TestChain, name: &str) -> Files {
    let dir = tempfile::tempdir().expect("tmp");
    let f = &chain.fixture;
    let genesis_json = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet/genesis.json");
    // The hash of the block that genesis.json produces, or `validate` refuses the file.
    let l2_genesis = opctl::config::genesis::genesis_hash(
        &std::fs::read_to_string(&genesis_json).expect("read genesis"),
    )
    .expect("the devnet genesis hash computes");
    let rollup = json!({
        "genesis": {"l1": {"hash": format!("{:#066x}", 1), "number": 0}, "l2": {"hash": l2_genesis, "number": 0}, "l2_time": 1735689600,
                    "system_config": {"batcherAddr": f.roles.batcher, "overhead": format!("{:#066x}", 0), "scalar": format!("{:#066x}", 1), "gasLimit": 30000000}},
        "block_time": 2, "max_sequencer_drift": 600, "seq_window_size": 3600, "channel_timeout": 300,
        "l1_chain_id": L1_CHAIN_ID, "l2_chain_id": 901,
        "batch_inbox_address": f.batch_inbox, "deposit_contract_address": f.optimism_portal,
        "l1_system_config_address": f.system_config,
    });
    std::fs::write(
        dir.path().join("rollup.json"),
        serde_json::to_string_pretty(&rollup).expect("json"),
    )
    .expect("write");
    std::fs::copy(&genesis_json, dir.path().join("genesis.json")).expect("copy");
    let toml = format!(
        r#"[chain]
name = "{name}"
l2_chain_id = 901
rollup_config = "rollup.json"
genesis = "genesis.json"

[l1]
chain_id = {L1_CHAIN_ID}
rpc_url = "{url}"
beacon_url = "https://beacon.example.org"

[contracts]
system_config = "{sc}"

[sequencer]
signing_key = {{ secret = "keys", key = "sequencer" }}

[batcher]
signer = {{ secret = "keys", key = "batcher" }}

[proposer]
signer = {{ secret = "keys", key = "proposer" }}
"#,
        url = chain.url(),
        sc = f.system_config,
    );
    let path = dir.path().join("anvil.toml");
    std::fs::write(&path, toml).expect("write");
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).expect("mkdir");
    for (role, signer) in [
        ("sequencer", &chain.keys.unsafe_block_signer),
        ("batcher", &chain.keys.batcher),
        ("proposer", &chain.keys.proposer),
        ("challenger", &chain.keys.challenger),
    ] {
        std::fs::write(keys.join(role), key_hex(signer)).expect("write key");
    }
    Files {
        _dir: dir,
        chain: path,
        keys,
    }
}

fn opctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opctl"))
        .env("NO_COLOR", "1")
        .env_remove("OPCTL_L1_RPC_URL")
        .args(args)
        .output()
        .expect("opctl runs")
}

fn key_args(files: &Files) -> Vec<String> {
    ["sequencer", "batcher", "proposer"]
        .iter()
        .flat_map(|r| {
            [
                "--key".to_string(),
                format!("{r}={}", files.keys.join(r).display()),
            ]
        })
        .collect()
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_no_keys(chain: &TestChain, out: &Output) {
    let text = all_output(out);
    for k in [
        &chain.keys.unsafe_block_signer,
        &chain.keys.batcher,
        &chain.keys.proposer,
        &chain.keys.challenger,
    ] {
        let hex = key_hex(k);
        assert!(
            !text.contains(&hex[2..]),
            "a private key leaked into output"
        );
    }
}

#[tokio::test]
async fn discover_writes_a_lock_with_the_fixture_addresses_and_passes_every_check() {
    let chain = TestChain::start(Flavor::PermissionedV1).await;
    let files = files(&chain, "anvil");
    let mut args = vec![
        "discover".to_string(),
        files.chain.display().to_string(),
        "-o".into(),
        "json".into(),
    ];
    args.extend(key_args(&files));
    let out = opctl(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_no_keys(&chain, &out);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = &chain.fixture;
    let d = &v["discovery"];
    assert_eq!(
        d["roles"]["batcher"]["value"]
            .as_str()
            .map(str::to_lowercase),
        Some(format!("{:#x}", f.roles.batcher))
    );
    assert_eq!(
        d["contracts"]["dispute_game_factory"]["address"]
            .as_str()
            .map(str::to_lowercase),
        f.dispute_game_factory.map(|a| format!("{a:#x}"))
    );
    let checks = v["checks"].as_array().expect("checks");
    let status = |name: &str| {
        checks
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["status"].as_str().unwrap_or("").to_string())
    };
    for name in [
        "l1-chain-id",
        "system-config",
        "rollup-config",
        "batcher-key",
        "sequencer-key",
        "proposer-key",
        "distinct-keys",
    ] {
        assert_eq!(status(name).as_deref(), Some("pass"), "{name}: {checks:#?}");
    }
    let lock = files.chain.with_file_name("anvil.lock");
    let text = std::fs::read_to_string(&lock).expect("lock file written");
    assert!(
        text.contains(&format!("{}", f.system_config).to_lowercase())
            || text
                .to_lowercase()
                .contains(&format!("{:#x}", f.system_config))
    );

    // Offline from here on: render uses the lock for the factory and the respected game type.
    let rendered = opctl(&["render", files.chain.to_str().expect("utf-8"), "-o", "json"]);
    assert_eq!(rendered.status.code(), Some(0), "{}", all_output(&rendered));
    let text = String::from_utf8_lossy(&rendered.stdout).to_lowercase();
    let dgf = format!(
        "--game-factory-address={:#x}",
        f.dispute_game_factory.expect("dgf")
    );
    assert!(text.contains(&dgf), "proposer args lack {dgf}");
    assert!(text.contains("--game-type=1"));
}

#[tokio::test]
async fn a_rotated_batcher_is_a_change_exit_2_and_its_old_key_fails_exit_3() {
    let mut chain = TestChain::start(Flavor::PermissionedV1).await;
    let files = files(&chain, "anvil");
    let c = files.chain.to_str().expect("utf-8");
    assert_eq!(opctl(&["discover", c]).status.code(), Some(0));
    let new_batcher = chain.rotate_batcher().await;
    let out = opctl(&["discover", c]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let text = all_output(&out);
    assert!(
        text.contains("changed on-chain") && text.contains("batcher"),
        "{text}"
    );
    assert!(
        text.to_lowercase()
            .contains(&format!("{:#x}", new_batcher.address())),
        "{text}"
    );
    // Unchanged since the lock was refreshed.
    assert_eq!(opctl(&["discover", c]).status.code(), Some(0));
    // The old batcher key no longer matches.
    let mut args = vec!["discover".to_string(), c.to_string()];
    args.extend(key_args(&files));
    let out = opctl(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_no_keys(&chain, &out);
    assert_eq!(out.status.code(), Some(3), "{}", all_output(&out));
    assert!(all_output(&out).contains("batcher-key"));
}

#[tokio::test]
async fn a_wrong_sequencer_key_and_a_shared_key_fail_their_checks() {
    let chain = TestChain::start(Flavor::PermissionedV1).await;
    let files = files(&chain, "anvil");
    std::fs::write(
        files.keys.join("sequencer"),
        key_hex(&chain.keys.challenger),
    )
    .expect("write");
    std::fs::write(files.keys.join("proposer"), key_hex(&chain.keys.batcher)).expect("write");
    let mut args = vec![
        "discover".to_string(),
        files.chain.display().to_string(),
        "-o".into(),
        "json".into(),
    ];
    args.extend(key_args(&files));
    let out = opctl(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_no_keys(&chain, &out);
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(
        failed.contains(&"sequencer-key")
            && failed.contains(&"distinct-keys")
            && failed.contains(&"proposer-key"),
        "{failed:?}"
    );
}

#[tokio::test]
async fn a_lock_file_of_another_chain_is_an_error() {
    let chain = TestChain::start(Flavor::PermissionedV1).await;
    let files = files(&chain, "anvil");
    let c = files.chain.to_str().expect("utf-8");
    assert_eq!(opctl(&["discover", c]).status.code(), Some(0));
    let text = std::fs::read_to_string(&files.chain)
        .expect("read")
        .replace("name = \"anvil\"", "name = \"other\"");
    std::fs::write(&files.chain, text).expect("write");
    for cmd in ["render", "discover"] {
        let out = opctl(&[cmd, c]);
        assert_eq!(out.status.code(), Some(1), "{cmd}: {}", all_output(&out));
        assert!(
            all_output(&out).contains("anvil.lock"),
            "{cmd}: {}",
            all_output(&out)
        );
    }
}

#[tokio::test]
async fn apply_is_blocked_by_a_failed_check_unless_that_check_is_skipped() {
    let chain = TestChain::start(Flavor::PermissionedV1).await;
    let files = files(&chain, "anvil");
    let c = files.chain.to_str().expect("utf-8");
    assert_eq!(opctl(&["discover", c]).status.code(), Some(0));
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    // The batcher Secret holds the wrong key: the challenger's.
    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "keys", "namespace": ns},
        "stringData": {"sequencer": key_hex(&chain.keys.unsafe_block_signer), "batcher": key_hex(&chain.keys.challenger), "proposer": key_hex(&chain.keys.proposer)},
    }))
    .expect("secret");
    Api::<Secret>::namespaced(cluster.admin_client().await, &ns)
        .create(&PostParams::default(), &secret)
        .await
        .expect("create");
    let kc = cluster
        .admin_kubeconfig()
        .to_str()
        .expect("utf-8")
        .to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["--kubeconfig", &kc, "-n", &ns];
        args.extend_from_slice(extra);
        opctl(&args)
    };
    let plan = run(&["plan", c, "--exit-code"]);
    assert_no_keys(&chain, &plan);
    assert_eq!(plan.status.code(), Some(3), "{}", all_output(&plan));
    let blocked = run(&["apply", c, "--yes", "--no-wait"]);
    assert_no_keys(&chain, &blocked);
    assert_eq!(blocked.status.code(), Some(3), "{}", all_output(&blocked));
    assert!(all_output(&blocked).contains("batcher-key"));
    let sts = Api::<StatefulSet>::namespaced(cluster.admin_client().await, &ns);
    assert!(
        sts.get_opt("anvil-sequencer").await.expect("get").is_none(),
        "a blocked apply wrote objects"
    );
    let forced = run(&[
        "apply",
        c,
        "--yes",
        "--no-wait",
        "--skip-check",
        "batcher-key",
        "--skip-check",
        "distinct-keys",
    ]);
    assert_eq!(forced.status.code(), Some(0), "{}", all_output(&forced));
    assert!(sts.get_opt("anvil-sequencer").await.expect("get").is_some());
}

#[tokio::test]
async fn an_explicit_address_in_the_chain_file_overrides_discovery_and_is_reported() {
    let chain = TestChain::start(Flavor::PermissionedV1).await;
    let files = files(&chain, "anvil");
    let pinned = "0x00000000000000000000000000000000000000aa";
    let text = std::fs::read_to_string(&files.chain).expect("read");
    let text = text.replace(
        "[contracts]\n",
        &format!("[contracts]\ndispute_game_factory = \"{pinned}\"\n"),
    );
    std::fs::write(&files.chain, text).expect("write");
    let c = files.chain.to_str().expect("utf-8");
    let out = opctl(&["discover", c, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("contracts.dispute_game_factory pins DisputeGameFactory"),
        "{stderr}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let dgf = &v["discovery"]["contracts"]["dispute_game_factory"];
    assert_eq!(
        dgf["address"].as_str().map(str::to_lowercase).as_deref(),
        Some(pinned)
    );
    assert_eq!(dgf["source"], "toml contracts.dispute_game_factory");
}

/// A one-connection-at-a-time op-node stand-in answering `optimism_rollupConfig` with `inbox`.
/// Returns its URL (with a token that must never be printed).
async fn fake_op_node(inbox: alloy::primitives::Address) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("local addr").port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the whole request (head and content-length body) before answering.
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let request = loop {
                    let Ok(n) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .to_ascii_lowercase()
                            .lines()
                            .find_map(|l| {
                                l.strip_prefix("content-length:")
                                    .map(str::trim)
                                    .and_then(|v| v.parse::<usize>().ok())
                            })
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + length {
                            break text;
                        }
                    }
                };
                let id = request
                    .split("\"id\":")
                    .nth(1)
                    .and_then(|rest| rest.split([',', '}']).next())
                    .unwrap_or("0")
                    .trim()
                    .to_string();
                let body = format!(
                    r#"{{"jsonrpc":"2.0","id":{id},"result":{{"batch_inbox_address":"{inbox:#x}","l2_chain_id":901}}}}"#
                );
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://127.0.0.1:{port}/opnode-Tk7Qm2Zp9")
}

#[tokio::test]
async fn discover_on_an_upgrade_20_chain_takes_the_batch_inbox_from_rollup_json_and_exits_0() {
    let chain = TestChain::start(Flavor::Upgrade20).await;
    let files = files(&chain, "anvil");
    let f = &chain.fixture;
    let mut args = vec![
        "discover".to_string(),
        files.chain.display().to_string(),
        "-o".into(),
        "json".into(),
    ];
    args.extend(key_args(&files));
    let out = opctl(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_no_keys(&chain, &out);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let requests = v["httpRequests"].as_u64().expect("httpRequests");
    assert!(requests <= 2, "{requests} L1 requests");
    let d = &v["discovery"];
    let lower = |v: &Value| v.as_str().map(str::to_lowercase);
    assert_eq!(
        lower(&d["batch_inbox"]["value"]),
        Some(format!("{:#x}", f.batch_inbox))
    );
    assert_eq!(
        d["batch_inbox"]["source"],
        "toml chain.rollup_config (batch_inbox_address)"
    );
    assert_eq!(d["respected_game_type"]["value"], 5);
    assert_eq!(
        lower(&d["games"]["5"]["proposer"]["value"]),
        Some(format!("{:#x}", f.roles.proposer))
    );
    assert!(d["games"]["1"].is_object(), "game 1 is reported too");
    let checks = v["checks"].as_array().expect("checks");
    let proposer = checks
        .iter()
        .find(|c| c["name"] == "proposer-key")
        .expect("proposer-key ran");
    assert_eq!(proposer["status"], "pass", "{proposer}");
    assert!(
        proposer["message"]
            .as_str()
            .is_some_and(|m| m.contains("gameArgs(5)")),
        "{proposer}"
    );
    let lock = std::fs::read_to_string(files.chain.with_file_name("anvil.lock")).expect("lock");
    assert!(
        lock.contains("toml chain.rollup_config (batch_inbox_address)"),
        "{lock}"
    );

    // The table names every game type.
    let out = opctl(&["discover", files.chain.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let text = all_output(&out);
    assert!(
        text.contains("5 (SUPER_PERMISSIONED_CANNON), respected")
            && text.contains("1 (PERMISSIONED_CANNON)"),
        "{text}"
    );
}

// Multi-threaded: the fake op-node answers while the test thread waits for the opctl process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_on_an_upgrade_20_chain_reads_the_batch_inbox_from_op_node_when_asked() {
    let chain = TestChain::start(Flavor::Upgrade20).await;
    let files = files(&chain, "anvil");
    let c = files.chain.to_str().expect("utf-8");

    // An op-node that agrees with rollup.json: its value, recorded as such.
    let url = fake_op_node(chain.fixture.batch_inbox).await;
    let out = opctl(&["discover", c, "-o", "json", "--rollup-rpc", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(
        !all_output(&out).contains("Tk7Qm2Zp9"),
        "the op-node URL token leaked"
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["discovery"]["batch_inbox"]["source"],
        "rpc optimism_rollupConfig"
    );
    assert_eq!(
        v["discovery"]["batch_inbox"]["value"]
            .as_str()
            .map(str::to_lowercase),
        Some(format!("{:#x}", chain.fixture.batch_inbox))
    );

    // One that disagrees: a warning, and the rollup-config check fails (exit 3).
    let node_inbox = alloy::primitives::Address::repeat_byte(0x42);
    let url = fake_op_node(node_inbox).await;
    let out = opctl(&["discover", c, "-o", "json", "--rollup-rpc", &url]);
    assert_eq!(out.status.code(), Some(3), "{}", all_output(&out));
    let text = all_output(&out);
    assert!(
        text.contains("op-node's optimism_rollupConfig names batch inbox"),
        "{text}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let failed: Vec<&str> = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(failed, vec!["rollup-config"]);

    // An op-node that does not answer is a clear error naming the flag.
    let port = crate::support::free_port();
    let dead = format!("http://127.0.0.1:{port}/opnode-Tk7Qm2Zp9");
    let out = opctl(&["discover", c, "--rollup-rpc", &dead, "--rpc-timeout", "2s"]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let text = all_output(&out);
    assert!(text.contains("--rollup-rpc"), "{text}");
    assert!(
        !text.contains("Tk7Qm2Zp9"),
        "the op-node URL token leaked: {text}"
    );
}

#[tokio::test]
async fn discover_on_a_kona_chain_reports_games_8_and_0() {
    let chain = TestChain::start(Flavor::KonaPermissionless).await;
    let files = files(&chain, "anvil");
    let c = files.chain.to_str().expect("utf-8");
    let out = opctl(&["discover", c, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v["httpRequests"].as_u64().is_some_and(|n| n <= 2), "{v}");
    let d = &v["discovery"];
    assert_eq!(d["respected_game_type"]["value"], 8);
    let games: Vec<&String> = d["games"].as_object().expect("games").keys().collect();
    assert_eq!(games, vec!["0", "8"]);
    let out = opctl(&["discover", c]);
    let text = all_output(&out);
    assert!(
        text.contains("8 (CANNON_KONA), respected") && text.contains("0 (CANNON)"),
        "{text}"
    );
}

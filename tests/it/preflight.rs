//! The preflight checks as users run them (`opctl preflight`, and `apply` blocked by one): a
//! chain file pointing at the harness's real anvil with real OP contracts (discovered into the
//! lock file), a beacon-node stand-in with configurable blob retention, and an L1 provider
//! stand-in in front of anvil that refuses a method.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alloy::primitives::Address;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use serde_json::{json, Value};

use crate::support::beacon::{BeaconStandIn, BeaconState};
use crate::support::chain::{key_hex, Flavor, TestChain, L1_CHAIN_ID};
use crate::support::cluster::TestCluster;
use crate::support::rpc_filter::RpcFilter;

/// A secret-looking query token on the beacon URL: it must never be printed.
const BEACON_TOKEN: &str = "bt0ken5ecret0123456789abcdef";

/// The chain's rollup.json `genesis.l2_time`.
const L2_GENESIS_TIME: u64 = 1_735_689_600;

/// Head 10 000: a replica that EL-syncs needs slots from 10 000 - (3600 + 300) = 6 100; one that
/// CL-syncs needs them from the L2 genesis, at slot 2 000.
fn beacon(oldest_blob_slot: u64) -> BeaconStandIn {
    BeaconStandIn::start(BeaconState {
        genesis_time: L2_GENESIS_TIME - 12 * 2_000,
        seconds_per_slot: 12,
        head_slot: 10_000,
        oldest_blob_slot,
    })
}

struct Env {
    chain: TestChain,
    dir: tempfile::TempDir,
    file: PathBuf,
    /// The beacon URL (with a secret-looking token), given to opctl as `OPCTL_TEST_BEACON_URL`
    /// (`validate` refuses literal URLs with credentials).
    beacon: Option<String>,
}

impl Env {
    /// The fixture chain, a chain file for it whose L1 RPC is `rpc_url` (anvil when `None`) and
    /// whose beacon is `beacon_url`, and the lock file `opctl discover` writes.
    async fn start(beacon: Option<String>, rpc_url: Option<&str>) -> Env {
        let chain = TestChain::start(Flavor::PermissionedV1).await;
        let dir = tempfile::tempdir().expect("tmp");
        let f = &chain.fixture;
        let genesis_json =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet/genesis.json");
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
        std::fs::write(dir.path().join("rollup.json"), rollup.to_string()).expect("write");
        std::fs::copy(&genesis_json, dir.path().join("genesis.json")).expect("copy");
        let toml = format!(
            r#"[chain]
name = "pf"
l2_chain_id = 901
rollup_config = "rollup.json"
genesis = "genesis.json"

[l1]
chain_id = {L1_CHAIN_ID}
rpc_url = "{rpc}"
beacon_url = "env:{beacon_var}"

[contracts]
system_config = "{sc}"

[sequencer]
signing_key = {{ secret = "keys", key = "sequencer" }}

[batcher]
signer = {{ secret = "keys", key = "batcher" }}

[proposer]
signer = {{ secret = "keys", key = "proposer" }}
"#,
            rpc = rpc_url.unwrap_or(chain.url()),
            beacon_var = if beacon.is_some() {
                "OPCTL_TEST_BEACON_URL"
            } else {
                "OPCTL_TEST_UNSET_BEACON"
            },
            sc = f.system_config,
        );
        let file = dir.path().join("pf.toml");
        std::fs::write(&file, toml).expect("write");
        let env = Env {
            chain,
            dir,
            file,
            beacon,
        };
        // The lock file: discovery's roles give the signer addresses without any key.
        let discovered = env.opctl(&["discover", env.file(), "--l1-rpc-url", env.chain.url()]);
        assert_eq!(discovered.status.code(), Some(0), "{}", all(&discovered));
        env
    }

    fn file(&self) -> &str {
        self.file.to_str().expect("utf-8")
    }

    fn preflight(&self, extra: &[&str]) -> Output {
        let mut args = vec!["preflight", self.file(), "--no-cluster"];
        args.extend_from_slice(extra);
        let out = self.opctl(&args);
        assert!(
            !all(&out).contains(BEACON_TOKEN),
            "a URL secret was printed: {}",
            all(&out)
        );
        out
    }

    async fn set_balance(&self, who: Address, wei: u128) {
        self.chain
            .request("anvil_setBalance", json!([who, format!("{wei:#x}")]))
            .await;
    }
}

impl Env {
    fn opctl(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opctl"));
        cmd.env("NO_COLOR", "1")
            .env_remove("OPCTL_L1_RPC_URL")
            .env_remove("KUBECONFIG")
            .env_remove("OPCTL_TEST_UNSET_BEACON")
            .args(args);
        if let Some(b) = &self.beacon {
            cmd.env("OPCTL_TEST_BEACON_URL", b);
        }
        cmd.output().expect("opctl runs")
    }
}

fn all(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `opctl preflight -o json`'s checks by name: (status, message).
fn checks(out: &Output) -> Vec<(String, String, String)> {
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", all(out)));
    assert_eq!(v["apiVersion"], "opctl.io/preflight/v1");
    v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["status"].as_str().unwrap_or_default().to_string(),
                c["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn check<'a>(list: &'a [(String, String, String)], name: &str) -> &'a (String, String, String) {
    list.iter()
        .find(|c| c.0 == name)
        .unwrap_or_else(|| panic!("no check {name} in {list:?}"))
}

fn beacon_url(b: &BeaconStandIn) -> String {
    format!("{}/?token={BEACON_TOKEN}", b.url())
}

#[tokio::test]
async fn preflight_passes_against_anvil_with_full_blob_retention_and_funded_signers() {
    let b = beacon(0);
    let env = Env::start(Some(beacon_url(&b)), None).await;
    let out = env.preflight(&["-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let list = checks(&out);
    let names: Vec<&str> = list.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["l1-methods", "blob-retention", "signer-balance"]);
    for (name, status, message) in &list {
        assert_eq!(status, "pass", "{name}: {message}");
    }
    let blobs = check(&list, "blob-retention");
    assert!(blobs.2.contains("slot 6100"), "{}", blobs.2);
    let balance = check(&list, "signer-balance");
    assert!(
        balance.2.contains("batcher") && balance.2.contains("proposer"),
        "{}",
        balance.2
    );
    // The table names every check too.
    let table = env.preflight(&[]);
    assert_eq!(table.status.code(), Some(0), "{}", all(&table));
    let text = String::from_utf8_lossy(&table.stdout);
    for name in ["l1-methods", "blob-retention", "signer-balance"] {
        assert!(text.contains(name), "{text}");
    }
}

#[tokio::test]
async fn pruned_blobs_fail_blob_retention_naming_the_fix_and_an_archiver_fallback_passes_it() {
    let pruned = beacon(9_000);
    let env = Env::start(Some(beacon_url(&pruned)), None).await;
    let out = env.preflight(&["-o", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", all(&out));
    let list = checks(&out);
    let (_, status, message) = check(&list, "blob-retention");
    assert_eq!(status, "fail", "{message}");
    for part in [
        "prunes blobs older than",
        "slot 6100",
        "sync_mode = \"execution-layer\"",
        "beacon_fallbacks",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    // The other checks do not fail for it.
    assert_eq!(check(&list, "l1-methods").1, "pass");

    // An archiver holding everything, as a fallback: op-node would read the old blobs there.
    let archiver = beacon(0);
    let text = std::fs::read_to_string(&env.file).expect("read");
    std::fs::write(
        &env.file,
        text.replace(
            "[contracts]",
            &format!("beacon_fallbacks = [\"{}\"]\n\n[contracts]", archiver.url()),
        ),
    )
    .expect("write");
    let out = env.preflight(&["-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let list = checks(&out);
    let (_, status, message) = check(&list, "blob-retention");
    assert_eq!(status, "pass", "{message}");
    assert!(message.contains(&archiver.url()), "{message}");

    // Retention that covers the window again passes without the fallback.
    pruned.set_oldest_blob_slot(6_000);
    std::fs::write(&env.file, text).expect("write");
    let out = env.preflight(&["-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
}

#[tokio::test]
async fn consensus_layer_sync_needs_blobs_since_the_l2_genesis_and_execution_layer_sync_does_not() {
    // Blobs kept from slot 6 000: enough for EL sync (6 100), not for CL sync (2 000).
    let b = beacon(6_000);
    let env = Env::start(Some(beacon_url(&b)), None).await;
    let el = env.preflight(&["-o", "json"]);
    assert_eq!(el.status.code(), Some(0), "{}", all(&el));
    assert_eq!(check(&checks(&el), "blob-retention").1, "pass");
    let text = std::fs::read_to_string(&env.file).expect("read");
    std::fs::write(
        &env.file,
        text.replace(
            "[batcher]",
            "[replicas]\ncount = 1\nsync_mode = \"consensus-layer\"\n\n[batcher]",
        ),
    )
    .expect("write");
    let cl = env.preflight(&["-o", "json"]);
    assert_eq!(cl.status.code(), Some(3), "{}", all(&cl));
    let list = checks(&cl);
    let (_, status, message) = check(&list, "blob-retention");
    assert_eq!(status, "fail", "{message}");
    assert!(
        message.contains("slot 2000") && message.contains("consensus-layer"),
        "{message}"
    );
}

#[tokio::test]
async fn an_l1_that_refuses_a_method_fails_l1_methods_naming_the_role_and_the_method() {
    let b = beacon(0);
    // Started first with anvil's URL to learn it; the proxy goes in front of that anvil.
    let env = Env::start(Some(beacon_url(&b)), None).await;
    let proxy = RpcFilter::start(env.chain.url(), &["eth_maxPriorityFeePerGas"]);
    let out = env.preflight(&["-o", "json", "--l1-rpc-url", &proxy.url()]);
    assert_eq!(out.status.code(), Some(3), "{}", all(&out));
    let list = checks(&out);
    let (_, status, message) = check(&list, "l1-methods");
    assert_eq!(status, "fail", "{message}");
    assert!(
        message.contains("op-batcher needs eth_maxPriorityFeePerGas")
            && message.contains("op-proposer needs eth_maxPriorityFeePerGas"),
        "{message}"
    );
    assert!(!message.contains("op-node"), "{message}");
    // The same proxy refusing nothing the roles call: pass.
    let open = RpcFilter::start(env.chain.url(), &["eth_mining"]);
    let out = env.preflight(&["-o", "json", "--l1-rpc-url", &open.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
}

#[tokio::test]
async fn a_low_signer_balance_fails_naming_role_address_and_threshold_and_passes_once_funded() {
    let b = beacon(0);
    let env = Env::start(Some(beacon_url(&b)), None).await;
    let batcher = env.chain.keys.batcher.address();
    env.set_balance(batcher, 10_000_000_000_000_000).await; // 0.01 ETH
    let out = env.preflight(&["-o", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", all(&out));
    let list = checks(&out);
    let (_, status, message) = check(&list, "signer-balance");
    assert_eq!(status, "fail", "{message}");
    for part in [
        "batcher",
        &batcher.to_string(),
        "0.010000000000000000 ETH",
        "low_balance = 0.100000000000000000 ETH",
        "fund it",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    assert!(!message.contains("proposer"), "{message}");
    env.set_balance(batcher, 1_000_000_000_000_000_000).await; // 1 ETH
    let out = env.preflight(&["-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    assert_eq!(check(&checks(&out), "signer-balance").1, "pass");
    // A threshold above the balance, from [status]: fails again.
    let text = std::fs::read_to_string(&env.file).expect("read");
    std::fs::write(
        &env.file,
        format!("{text}\n[status]\nlow_balance = \"5\"\n"),
    )
    .expect("write");
    let out = env.preflight(&["-o", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", all(&out));
}

#[tokio::test]
async fn endpoints_that_cannot_be_probed_are_skips_and_bad_input_exits_1() {
    // A closed port for L1 and an unset env var for the beacon: every check skips, saying why.
    let closed = crate::support::free_port();
    let env = Env::start(None, Some(&format!("http://127.0.0.1:{closed}"))).await;
    let out = env.preflight(&["-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", all(&out));
    let list = checks(&out);
    for (name, status, message) in &list {
        assert_eq!(status, "skip", "{name}: {message}");
    }
    assert!(
        check(&list, "blob-retention")
            .2
            .contains("OPCTL_TEST_UNSET_BEACON"),
        "{list:?}"
    );
    assert!(
        check(&list, "l1-methods").2.contains("unreachable"),
        "{list:?}"
    );

    let missing = env.dir.path().join("missing.toml");
    let out = env.opctl(&[
        "preflight",
        missing.to_str().expect("utf-8"),
        "--no-cluster",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", all(&out));
    assert!(all(&out).contains("missing.toml"), "{}", all(&out));
}

#[tokio::test]
async fn apply_is_blocked_by_a_failed_preflight_check_and_proceeds_with_skip_check() {
    let pruned = beacon(9_000);
    let env = Env::start(Some(beacon_url(&pruned)), None).await;
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let keys = &env.chain.keys;
    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "keys", "namespace": ns},
        "stringData": {"sequencer": key_hex(&keys.unsafe_block_signer), "batcher": key_hex(&keys.batcher), "proposer": key_hex(&keys.proposer)},
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
        let out = env.opctl(&args);
        assert!(!all(&out).contains(BEACON_TOKEN), "{}", all(&out));
        out
    };
    let plan = run(&["plan", env.file(), "--exit-code"]);
    assert_eq!(plan.status.code(), Some(3), "{}", all(&plan));
    assert!(all(&plan).contains("blob-retention"), "{}", all(&plan));
    let blocked = run(&["apply", env.file(), "--yes", "--no-wait"]);
    assert_eq!(blocked.status.code(), Some(3), "{}", all(&blocked));
    let text = all(&blocked);
    assert!(
        text.contains("blob-retention") && text.contains("beacon_fallbacks"),
        "{text}"
    );
    let sts = Api::<StatefulSet>::namespaced(cluster.admin_client().await, &ns);
    assert!(
        sts.get_opt("pf-sequencer").await.expect("get").is_none(),
        "a blocked apply wrote objects"
    );
    let forced = run(&[
        "apply",
        env.file(),
        "--yes",
        "--no-wait",
        "--skip-check",
        "blob-retention",
    ]);
    assert_eq!(forced.status.code(), Some(0), "{}", all(&forced));
    assert!(sts.get_opt("pf-sequencer").await.expect("get").is_some());
}

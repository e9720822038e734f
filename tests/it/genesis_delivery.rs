//! A real-size custom genesis reaches the pods byte-identical: a synthetic genesis of more than
//! 64 MB (generated here, never committed) validates, renders, is applied to the real apiserver,
//! and is reassembled from the applied ConfigMaps by the pods' own init step — its exact script,
//! run by busybox, the image the step runs in — and compared byte for byte and by digest.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::cluster::TestCluster;

/// Bytes of genesis.json the test builds: more than the 64 MB.
const TARGET_BYTES: usize = 66 * 1024 * 1024;

fn random_hex(bytes: usize, seed: &mut u64) -> String {
    let mut out = String::with_capacity(bytes * 2);
    for _ in 0..bytes.div_ceil(8) {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        out.push_str(&format!("{:016x}", *seed));
    }
    out.truncate(bytes * 2);
    out
}

/// The devnet example with its genesis grown past [`TARGET_BYTES`] by contract accounts with
/// random code (random bytes compress badly: many parts), and rollup.json naming the genesis
/// block that file produces.
fn big_devnet(dir: &Path) -> (PathBuf, Vec<u8>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.join("devnet")).expect("mkdir");
    std::fs::copy(root.join("devnet.toml"), dir.join("devnet.toml")).expect("copy");
    let mut genesis: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("devnet/genesis.json")).expect("read genesis"),
    )
    .expect("genesis JSON");
    let alloc = genesis["alloc"].as_object_mut().expect("alloc");
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut size = 0usize;
    let mut i = 0u64;
    while size < TARGET_BYTES {
        let code = format!("0x{}", random_hex(24 * 1024, &mut seed));
        size += code.len() + 120;
        alloc.insert(
            format!("0x{:040x}", 0x10_0000 + i),
            json!({ "balance": "0x0", "nonce": "0x1", "code": code }),
        );
        i += 1;
    }
    let text = serde_json::to_vec(&genesis).expect("serialise");
    assert!(text.len() >= 64 * 1024 * 1024, "{} bytes", text.len());
    std::fs::write(dir.join("devnet/genesis.json"), &text).expect("write genesis");
    // The rollup config must name the block this genesis produces (validate checks it).
    let hash = opctl::config::genesis::genesis_hash(std::str::from_utf8(&text).expect("utf-8"))
        .expect("hash the genesis");
    let mut rollup: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("devnet/rollup.json")).expect("read rollup"),
    )
    .expect("rollup JSON");
    rollup["genesis"]["l2"]["hash"] = json!(format!("{hash:#x}"));
    std::fs::write(
        dir.join("devnet/rollup.json"),
        serde_json::to_vec_pretty(&rollup).expect("serialise"),
    )
    .expect("write rollup");
    (dir.join("devnet.toml"), text)
}

fn opctl(cluster: Option<&TestCluster>, ns: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opctl"));
    cmd.env("L1_BEACON_URL", "https://beacon.example.org/x")
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1");
    if let Some(cluster) = cluster {
        cmd.arg("--kubeconfig")
            .arg(cluster.admin_kubeconfig())
            .args(["-n", ns]);
    }
    cmd.args(args).output().expect("opctl runs")
}

fn assert_ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_genesis_over_64_mb_is_applied_in_parts_and_the_pods_init_step_reassembles_it_byte_identical(
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (chain, original) = big_devnet(dir.path());
    let chain = chain.to_str().expect("utf-8");
    assert_ok(&opctl(None, "", &["validate", chain]));

    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let client = cluster.admin_client().await;
    for (name, keys) in [
        ("l1-endpoints", vec!["rpc"]),
        (
            "devnet-keys",
            vec!["sequencer", "batcher", "proposer", "challenger"],
        ),
    ] {
        let values: Vec<String> = keys
            .iter()
            .map(|_| format!("{:064x}", rand::random::<u128>() | 1))
            .collect();
        let data: Vec<(&str, &str)> = keys
            .iter()
            .copied()
            .zip(values.iter().map(String::as_str))
            .collect();
        cluster.create_secret(&ns, name, &data).await;
    }
    let plan = opctl(Some(&cluster), &ns, &["plan", chain]);
    assert_ok(&plan);
    let stdout = String::from_utf8_lossy(&plan.stdout);
    // The plan shows the parts by size and digest, not megabytes of base64.
    assert!(
        stdout.contains("ConfigMap/devnet-genesis-000"),
        "{}",
        &stdout[..2000.min(stdout.len())]
    );
    assert!(
        stdout.len() < 2 * 1024 * 1024,
        "plan output is {} bytes",
        stdout.len()
    );
    assert_ok(&opctl(
        Some(&cluster),
        &ns,
        &["apply", chain, "--yes", "--no-wait"],
    ));

    // The applied parts, in order, as the projected volume would lay them out.
    let maps = Api::<ConfigMap>::namespaced(client.clone(), &ns)
        .list(&ListParams::default())
        .await
        .expect("list config maps");
    let parts_dir = dir.path().join("pod/genesis-parts");
    std::fs::create_dir_all(&parts_dir).expect("mkdir");
    let mut parts = 0;
    for cm in &maps.items {
        let name = cm.metadata.name.clone().unwrap_or_default();
        if !name.starts_with("devnet-genesis-") {
            continue;
        }
        for (key, bytes) in cm.binary_data.clone().unwrap_or_default() {
            std::fs::write(parts_dir.join(&key), &bytes.0).expect("write part");
            parts += 1;
        }
    }
    assert!(
        parts > 1,
        "a genesis this size needs several parts, got {parts}"
    );

    // The sequencer pod's init step, exactly as applied.
    let set = Api::<StatefulSet>::namespaced(client, &ns)
        .get("devnet-sequencer")
        .await
        .expect("get sequencer");
    let pod = set.spec.expect("spec").template.spec.expect("pod spec");
    let init = pod
        .init_containers
        .expect("init containers")
        .into_iter()
        .find(|c| c.name == "assemble-genesis")
        .expect("the assemble-genesis init step");
    assert!(init.image.as_deref().unwrap_or("").contains("busybox"));
    let command = init.command.expect("command");
    let args = init.args.expect("args");
    assert_eq!(command, ["/bin/sh"]);
    assert_eq!(args[0], "-c");
    let env: std::collections::BTreeMap<String, String> = init
        .env
        .expect("env")
        .into_iter()
        .filter_map(|v| Some((v.name, v.value?)))
        .collect();
    // The container's absolute paths, re-rooted under the test's directory.
    let reroot = |p: &str| dir.path().join("pod").join(p.trim_start_matches('/'));
    let out_file = reroot(&env["GENESIS_OUT"]);
    assert_eq!(reroot(&env["GENESIS_PARTS"]), parts_dir);
    let run = Command::new("busybox")
        .args(["sh", "-c", &args[1]])
        .env("GENESIS_PARTS", &parts_dir)
        .env("GENESIS_OUT", &out_file)
        .env("GENESIS_SHA256", &env["GENESIS_SHA256"])
        .output()
        .expect("run busybox (scripts/provision installs it)");
    assert!(
        run.status.success(),
        "the init step failed:\n{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let assembled = std::fs::read(&out_file).expect("the init step wrote the genesis");
    assert_eq!(assembled.len(), original.len());
    assert!(
        assembled == original,
        "the reassembled genesis differs from the original"
    );
    assert_eq!(
        env["GENESIS_SHA256"],
        hex::encode(Sha256::digest(&original))
    );

    // One changed byte in a part: the step refuses and writes nothing.
    let first = parts_dir.join("part-000");
    let mut bytes = std::fs::read(&first).expect("read part");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    std::fs::write(&first, bytes).expect("write part");
    std::fs::remove_file(&out_file).expect("remove");
    let refused = Command::new("busybox")
        .args(["sh", "-c", &args[1]])
        .env("GENESIS_PARTS", &parts_dir)
        .env("GENESIS_OUT", &out_file)
        .env("GENESIS_SHA256", &env["GENESIS_SHA256"])
        .output()
        .expect("run busybox");
    assert!(
        !refused.status.success(),
        "a corrupted part must fail the step"
    );
    assert!(
        !out_file.exists(),
        "nothing may be written when the digest does not match"
    );
}

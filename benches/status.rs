//! `opctl status` of the devnet example (sequencer and 2 replicas) against a real cluster (the
//! integration tests' `TestCluster` with its pod network: real etcd, kube-apiserver,
//! kube-controller-manager, kube-scheduler of Kubernetes 1.37.2 and the kubelet stand-in), with a
//! real anvil as every node's execution client and the op-node stand-in as its op-node, both bound
//! at the pods' IPs and reached through the apiserver's pod proxy.
//!
//! Two chain heights: low (op-node heads about 1 000, anvil at 10 blocks) and high (op-node
//! heads about 50 000 000, anvil at 1 010 blocks). For each, `OPCTL_BENCH_RUNS` (default 10) runs of
//! `opctl status -o json` with `--interval 0` (one sample: the time is the requests' own) and one
//! with the default `--interval 2s`; reported: wall time of the process (min/median/max), the
//! requests opctl counts itself (`sampling.requests`), and the apiserver's own
//! `apiserver_request_total` delta for `pods/proxy` around one run. The figures must not grow
//! with the height.
//!
//! Run: `scripts/bench-status` (builds the release binary, then `cargo bench --bench status`).
//! Env: `OPCTL_BENCH_OPCTL` (default `target/release/opctl`, under `CARGO_TARGET_DIR` if set),
//! `OPCTL_BENCH_RUNS`. Needs root and `ip` (the pod network).
//!
//! Not a test: `cargo test`/`cargo nextest` run or list this binary without `--bench`; it then
//! does nothing.

#[path = "../tests/it/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::chain::ElAnvil;
use support::cluster::TestCluster;
use support::op_node::{OpNodeStandIn, SyncState};

const PODS: [&str; 3] = [
    "devnet-sequencer-0",
    "devnet-replica-0-0",
    "devnet-replica-1-0",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        if !args.iter().any(|a| a == "--list") {
            eprintln!("benches/status: a benchmark, not a test; run `scripts/bench-status`");
        }
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(bench());
}

fn opctl_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("OPCTL_BENCH_OPCTL") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("release/opctl")
}

fn random_hex() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn run(opctl: &Path, cluster: &TestCluster, ns: &str, args: &[&str]) -> Output {
    let out = Command::new(opctl)
        .env("L1_BEACON_URL", "https://beacon.bench.example.org/v1")
        .env_remove("KUBECONFIG")
        .env("NO_COLOR", "1")
        .arg("--kubeconfig")
        .arg(cluster.admin_kubeconfig())
        .args(["-n", ns])
        .args(args)
        .output()
        .expect("opctl runs");
    assert!(
        out.status.success(),
        "opctl {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `apiserver_request_total` of `pods/proxy`, summed over verbs and codes.
async fn proxy_requests(cluster: &TestCluster) -> f64 {
    let client = cluster.admin_client().await;
    let request = http::Request::get("/metrics")
        .body(Vec::new())
        .expect("a static request is valid");
    let text = client
        .request_text(request)
        .await
        .unwrap_or_else(|e| panic!("read /metrics: {e}"));
    text.lines()
        .filter(|l| l.starts_with("apiserver_request_total{"))
        .filter(|l| l.contains("resource=\"pods\"") && l.contains("subresource=\"proxy\""))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

struct Figures {
    label: String,
    walls: Vec<Duration>,
    requests_opctl: u64,
    requests_apiserver: f64,
}

async fn measure(
    opctl: &Path,
    cluster: &TestCluster,
    ns: &str,
    chain: &str,
    label: &str,
    interval: &str,
    runs: usize,
) -> Figures {
    // The node part only: the operators part would read the L1 RPC (a placeholder URL here).
    let args = [
        "status",
        chain,
        "-o",
        "json",
        "--interval",
        interval,
        "--no-operators",
    ];
    eprintln!("bench: {label}: warm-up");
    run(opctl, cluster, ns, &args);
    eprintln!("bench: {label}: counting requests");
    let before = proxy_requests(cluster).await;
    let out = run(opctl, cluster, ns, &args);
    let after = proxy_requests(cluster).await;
    eprintln!("bench: {label}: {runs} timed runs");
    let status: Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    for node in status["nodes"].as_array().expect("nodes") {
        assert_eq!(node["op_node"]["reachable"], true, "{node:#}");
        assert_eq!(node["el"]["reachable"], true, "{node:#}");
    }
    let mut walls = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        run(opctl, cluster, ns, &args);
        walls.push(t.elapsed());
    }
    walls.sort();
    Figures {
        label: label.to_string(),
        walls,
        requests_opctl: status["sampling"]["requests"].as_u64().unwrap_or(0),
        requests_apiserver: after - before,
    }
}

async fn bench() {
    let runs: usize = std::env::var("OPCTL_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10)
        .max(3);
    let opctl = opctl_binary();
    assert!(
        opctl.is_file(),
        "{} missing: `cargo build --release --bin opctl` (scripts/bench-status does)",
        opctl.display()
    );
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
    let chain = support::devnet_copy(dir.path());
    let chain = chain.to_str().expect("utf-8").to_string();
    run(
        &opctl,
        &cluster,
        &ns,
        &["apply", &chain, "--yes", "--timeout", "300s"],
    );

    let rollup: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("devnet/rollup.json")).expect("rollup.json"),
    )
    .expect("json");
    let mut ips = Vec::new();
    for pod in PODS {
        ips.push(cluster.pod_ip(&ns, pod).await);
    }
    let els: Vec<ElAnvil> = ips
        .iter()
        .map(|ip| ElAnvil::start(&ip.to_string(), 8545, 42069))
        .collect();
    let op_nodes: Vec<OpNodeStandIn> = ips
        .iter()
        .map(|ip| OpNodeStandIn::start(*ip, 9545, rollup.clone(), SyncState::live(1_000)))
        .collect();
    for el in &els {
        el.mine(10).await;
    }

    eprintln!("bench: measuring at a low height");
    let mut figures = Vec::new();
    figures.push(
        measure(
            &opctl,
            &cluster,
            &ns,
            &chain,
            "low height, --interval 0",
            "0",
            runs,
        )
        .await,
    );
    figures.push(
        measure(
            &opctl,
            &cluster,
            &ns,
            &chain,
            "low height, --interval 2s",
            "2s",
            3,
        )
        .await,
    );
    // anvil mines about 150 blocks/s here, so the execution clients go up 100x; op-node's heads
    // (what the verdicts and lags are computed from) go up 50 000x.
    futures::future::join_all(els.iter().map(|el| el.mine(1_000))).await;
    for op_node in &op_nodes {
        op_node.set(SyncState::live(50_000_000));
    }
    eprintln!("bench: measuring at a high height");
    figures.push(
        measure(
            &opctl,
            &cluster,
            &ns,
            &chain,
            "high height, --interval 0",
            "0",
            runs,
        )
        .await,
    );
    figures.push(
        measure(
            &opctl,
            &cluster,
            &ns,
            &chain,
            "high height, --interval 2s",
            "2s",
            3,
        )
        .await,
    );

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "opctl status, devnet example (sequencer + 2 replicas), {} (load average: {})",
        opctl.display(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    for f in &figures {
        let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
        println!(
            "  {:<28} wall min {:>6.0} ms, median {:>6.0} ms, max {:>6.0} ms ({} runs); \
             requests: {} counted by opctl, {} pods/proxy at the apiserver",
            f.label,
            ms(&f.walls[0]),
            ms(&f.walls[f.walls.len() / 2]),
            ms(&f.walls[f.walls.len() - 1]),
            f.walls.len(),
            f.requests_opctl,
            f.requests_apiserver
        );
    }
}

//! `opctl watch` against the integration tests' real kube-apiserver (`TestCluster`): drift-repair
//! latency (p50, p95 over 20 repetitions: a deleted Service, an image edited by another field
//! manager), idle RSS and CPU over 60 s, and API requests per minute at steady state (from the
//! apiserver's own `apiserver_request_total`, minus the same window without the watcher).
//!
//! Run: `cargo bench --bench watch` (needs the peers from `scripts/provision`). Figures, not a
//! pass/fail test; the targets are p50 < 1 s and idle RSS < 30 MiB.
//! `OPCTL_BENCH_IDLE_SECS` shortens the idle windows (default 60).

#[path = "../tests/it/support/mod.rs"]
mod support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Secret, Service};
use kube::api::{Api, DeleteParams, PostParams};
use kube::Client;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use support::cluster::TestCluster;

const BATCHER_IMAGE: &str = "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-batcher:v1.16.13";

struct Watcher(Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).await.ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, text.split_once("\r\n\r\n")?.1.to_string()))
}

fn sample(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

/// Until the watcher leads, its last pass succeeded, and two polls 1 s apart saw no new pass.
async fn settle(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut last = -1.0;
    loop {
        let ready = matches!(http_get(port, "/readyz").await, Some((200, _)));
        let passes = sample(
            &http_get(port, "/metrics").await.unwrap_or_default().1,
            "opctl_watch_passes_total",
        );
        if ready && passes >= 1.0 && passes == last {
            return;
        }
        last = passes;
        assert!(Instant::now() < deadline, "the watcher did not settle");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn poll_until(timeout: Duration, mut done: impl AsyncFnMut() -> bool) -> Option<Duration> {
    let t = Instant::now();
    while t.elapsed() < timeout {
        if done().await {
            return Some(t.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

async fn image(api: &Api<Deployment>, name: &str) -> String {
    api.get(name)
        .await
        .ok()
        .and_then(|d| d.spec)
        .and_then(|s| s.template.spec)
        .and_then(|p| p.containers.first().and_then(|c| c.image.clone()))
        .unwrap_or_default()
}

async fn edit_image(api: &Api<Deployment>, name: &str, image: &str) {
    let mut live = api.get(name).await.expect("get");
    if let Some(c) = live
        .spec
        .as_mut()
        .and_then(|s| s.template.spec.as_mut())
        .and_then(|p| p.containers.first_mut())
    {
        c.image = Some(image.to_string());
    }
    live.metadata.managed_fields = None;
    let pp = PostParams {
        field_manager: Some("kubectl-edit".into()),
        ..Default::default()
    };
    api.replace(name, &pp, &live).await.expect("edit");
}

/// Sum of `apiserver_request_total` (every verb, resource and code).
async fn api_requests(client: &Client) -> f64 {
    let req = http::Request::get("/metrics")
        .body(Vec::new())
        .expect("request");
    let text = client.request_text(req).await.expect("apiserver /metrics");
    sample(&text, "apiserver_request_total{")
}

/// (RSS in KiB, CPU seconds) of a process.
fn usage(pid: u32) -> (u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    // USER_HZ is 100 on Linux.
    (rss, ticks / 100.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn run(idle: Duration) {
    let cluster = TestCluster::start().await;
    let ns = cluster.fresh_namespace().await;
    let client = cluster.admin_client().await;
    let (dir, chain) = support::devnet_with_watch("rediscover = \"0\"");
    let key = || {
        format!(
            "{:032x}{:032x}",
            rand::random::<u128>(),
            rand::random::<u128>()
        )
    };
    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "devnet-keys", "namespace": ns},
        "stringData": {"sequencer": key(), "batcher": key(), "proposer": key(), "challenger": key()},
    }))
    .expect("secret");
    Api::<Secret>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &secret)
        .await
        .expect("keys");

    // The API server on its own, for the request-rate baseline.
    let before = api_requests(&client).await;
    tokio::time::sleep(idle).await;
    let baseline = api_requests(&client).await - before;

    let port = support::free_port();
    let log = std::fs::File::create(dir.path().join("watch.log")).expect("log");
    let child = Command::new(env!("CARGO_BIN_EXE_opctl"))
        .env("L1_BEACON_URL", "https://beacon.example.org/x")
        .env_remove("KUBECONFIG")
        .arg("--kubeconfig")
        .arg(cluster.admin_kubeconfig())
        .args(["-n", &ns, "watch"])
        .arg(&chain)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("spawn opctl watch");
    let pid = child.id();
    let _watcher = Watcher(child);
    let started = Instant::now();
    settle(port).await;
    let first = started.elapsed();

    // Idle: RSS, CPU and API requests over the window.
    let (_, cpu0) = usage(pid);
    let requests0 = api_requests(&client).await;
    tokio::time::sleep(idle).await;
    let requests1 = api_requests(&client).await;
    let (rss, cpu1) = usage(pid);
    let per_minute = |n: f64| n * 60.0 / idle.as_secs_f64();
    // The two /metrics reads of the window count once; the baseline window had the same two.
    let watcher_requests = (requests1 - requests0) - baseline;

    // One pass with nothing to change (what every resync costs): a comment added to the file.
    let passes = sample(
        &http_get(port, "/metrics").await.unwrap_or_default().1,
        "opctl_watch_passes_total",
    );
    let r0 = api_requests(&client).await;
    let t0 = Instant::now();
    let text = std::fs::read_to_string(&chain).expect("read");
    std::fs::write(&chain, format!("{text}# touched by the benchmark\n")).expect("write");
    poll_until(Duration::from_secs(10), async || {
        sample(
            &http_get(port, "/metrics").await.unwrap_or_default().1,
            "opctl_watch_passes_total",
        ) > passes
    })
    .await
    .expect("a pass after the file change");
    let r1 = api_requests(&client).await;
    let per_pass = (r1 - r0) - baseline * t0.elapsed().as_secs_f64() / idle.as_secs_f64() - 1.0;

    // Drift repair, 10 deleted Services and 10 edited images, alternating.
    let services = Api::<Service>::namespaced(client.clone(), &ns);
    let deployments = Api::<Deployment>::namespaced(client.clone(), &ns);
    let mut deleted = Vec::new();
    let mut edited = Vec::new();
    for i in 0..20 {
        let took = if i % 2 == 0 {
            services
                .delete("devnet-sequencer", &DeleteParams::default())
                .await
                .expect("delete");
            poll_until(Duration::from_secs(10), async || {
                services
                    .get_opt("devnet-sequencer")
                    .await
                    .ok()
                    .flatten()
                    .is_some()
            })
            .await
        } else {
            edit_image(
                &deployments,
                "devnet-batcher",
                &format!("example.org/op-batcher:drift-{i}"),
            )
            .await;
            poll_until(Duration::from_secs(10), async || {
                image(&deployments, "devnet-batcher").await == BATCHER_IMAGE
            })
            .await
        };
        let took = took.expect("repaired within 10 s");
        if i % 2 == 0 {
            deleted.push(took)
        } else {
            edited.push(took)
        }
        // Let the follow-up pass run before the next drift.
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let (rss_after, _) = usage(pid);
    let mut all: Vec<Duration> = deleted.iter().chain(edited.iter()).copied().collect();
    all.sort();
    deleted.sort();
    edited.sort();
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!("opctl watch on the devnet example (26 objects), release build, 2-core machine");
    println!("first pass until settled:              {}", ms(first));
    println!(
        "drift repair, 20 repetitions:          p50 {}  p95 {}  max {}",
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.95)),
        ms(all[all.len() - 1])
    );
    println!(
        "  deleted Service (10):                p50 {}  p95 {}",
        ms(percentile(&deleted, 0.5)),
        ms(percentile(&deleted, 0.95))
    );
    println!(
        "  image edited by kubectl-edit (10):   p50 {}  p95 {}",
        ms(percentile(&edited, 0.5)),
        ms(percentile(&edited, 0.95))
    );
    println!(
        "idle over {}s:                          RSS {:.1} MiB, CPU {:.2} s ({:.2}% of one core)",
        idle.as_secs(),
        rss as f64 / 1024.0,
        cpu1 - cpu0,
        (cpu1 - cpu0) * 100.0 / idle.as_secs_f64()
    );
    println!(
        "RSS after the 20 repairs:              {:.1} MiB",
        rss_after as f64 / 1024.0
    );
    println!(
        "API requests per minute at steady state: {:.1} (apiserver alone: {:.1}/min, subtracted)",
        per_minute(watcher_requests),
        per_minute(baseline)
    );
    println!("API requests of one pass with nothing to change (each resync): {per_pass:.0}");
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` and nextest listing do not.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let idle = Duration::from_secs(
        std::env::var("OPCTL_BENCH_IDLE_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(60),
    );
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(idle));
}

//! Discovery round trips: the default (two HTTP requests: chain id, header and ProxyAdmin slot, then
//! one DiscoveryLens `eth_call` with every getter) versus naive (one HTTP request per getter),
//! against a real anvil with OP contracts (the integration tests' `TestChain`) behind a loopback
//! proxy that adds a fixed latency to every HTTP request and counts them.
//!
//! Measured on the 2-core development machine (shared with other builds) with 100 ms added per
//! request; wall times include that latency:
//!
//! | chain | before the lens (rounds, Multicall3) | with the lens | naive, with the lens's plan |
//! |---|---|---|---|
//! | current chain, v2 games (stand-ins) | 3 requests, 308 ms | 2 requests, 207 ms | 79, 10955 ms |
//! | v1 permissioned games (real OP code) | 4 requests, 409 ms | 2 requests, 210 ms | 69, 7548 ms |
//! | legacy L2OutputOracle (real OP code) | 3 requests, 319 ms | 2 requests, 207 ms | 44, 4494 ms |
//! | Upgrade 20, games 1+5 (stand-ins) | (unsupported: exit 1) | 2 requests, 208 ms | 79, 9141 ms |
//! | kona, games 8+0 (stand-ins) | - | 2 requests, 207 ms | 79, 8193 ms |
//!
//! The naive baseline makes one request per getter the plan calls; with the speculative plan that
//! includes the v1 getters of every registered game (which v2 games revert), so it grew from 65 to
//! 79 requests on a current chain.
//!
//! Run: `cargo bench --bench discovery` (needs the peers from `scripts/provision`).
//! `OPCTL_BENCH_LATENCY_MS` sets the added latency (default 100).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use opctl::rpc::{discover, L1Rpc, ReadMode, RpcOptions, Source};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// The few harness helpers `chain.rs` reaches through `super::` (the integration tests get them
// from `tests/it/support/mod.rs`, which also builds the Kubernetes harness this bench does not
// need).

const PROVISION_COMMAND: &str = "scripts/provision";

fn cache_dir() -> std::path::PathBuf {
    match std::env::var_os("OPCTL_TEST_CACHE").filter(|d| !d.is_empty()) {
        Some(dir) => std::path::PathBuf::from(dir),
        None => {
            std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into()))
                .join(".cache/opctl-test")
        }
    }
}

fn anvil_binary() -> std::path::PathBuf {
    let path = std::env::var_os("OPCTL_TEST_ANVIL")
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| cache_dir().join("bin/anvil"));
    assert!(
        path.is_file(),
        "anvil not found at {}; run `{PROVISION_COMMAND}`",
        path.display()
    );
    path
}

fn npm_dir() -> std::path::PathBuf {
    let dir = cache_dir().join("npm");
    assert!(
        dir.join("node_modules").is_dir(),
        "npm test packages not found in {}; run `{PROVISION_COMMAND}`",
        dir.display()
    );
    dir
}

fn install_crypto_provider() {
    opctl::install_crypto_provider();
}

fn temp_dir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .expect("create a temp dir")
}

fn log_tail(path: &std::path::Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[path = "../tests/it/support/chain.rs"]
mod chain;

use chain::{Flavor, TestChain};

/// Forwards HTTP/1.1 requests to `upstream`, sleeping `latency` before each, and counts them.
struct LatencyProxy {
    url: String,
    requests: Arc<AtomicU64>,
}

impl LatencyProxy {
    async fn start(upstream: String, latency: Duration) -> LatencyProxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let requests = Arc::new(AtomicU64::new(0));
        let counter = requests.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let counter = counter.clone();
                tokio::spawn(async move {
                    let _ = serve(client, &upstream, latency, &counter).await;
                });
            }
        });
        LatencyProxy { url, requests }
    }

    fn take_count(&self) -> u64 {
        self.requests.swap(0, Ordering::SeqCst)
    }
}

/// One client connection: read a request, wait, forward it on a fresh upstream connection, copy
/// the response back; repeat while the client keeps the connection open.
async fn serve(
    mut client: TcpStream,
    upstream: &str,
    latency: Duration,
    counter: &AtomicU64,
) -> std::io::Result<()> {
    loop {
        let Some(request) = read_message(&mut client).await? else {
            return Ok(());
        };
        counter.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(latency).await;
        let mut server = TcpStream::connect(upstream).await?;
        server.write_all(&request).await?;
        let Some(response) = read_message(&mut server).await? else {
            return Ok(());
        };
        client.write_all(&response).await?;
    }
}

/// Reads one HTTP/1.1 message framed by `content-length` (what reqwest and anvil send).
async fn read_message(stream: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(buf))
}

struct Row {
    flavor: &'static str,
    mode: &'static str,
    requests: u64,
    wall: Duration,
}

async fn measure(flavor: Flavor, name: &'static str, latency: Duration, rows: &mut Vec<Row>) {
    let chain = TestChain::start(flavor).await;
    let upstream = chain.url().trim_start_matches("http://").to_owned();
    let proxy = LatencyProxy::start(upstream, latency).await;
    let mut reference = None;
    for (mode, label) in [(ReadMode::Auto, "lens"), (ReadMode::Sequential, "naive")] {
        let rpc = L1Rpc::new(
            &proxy.url,
            RpcOptions {
                mode,
                ..RpcOptions::default()
            },
        )
        .expect("proxy URL");
        proxy.take_count();
        let began = Instant::now();
        let found = discover(
            &rpc,
            chain.fixture.system_config,
            Source::Toml {
                key: "bench".into(),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{name} {label}: {e}"));
        let wall = began.elapsed();
        let requests = proxy.take_count();
        assert_eq!(
            requests,
            rpc.http_requests(),
            "proxy and client agree on the request count"
        );
        match &reference {
            None => reference = Some(found),
            Some(r) => assert_eq!(&found, r, "{label} finds what the lens found"),
        }
        rows.push(Row {
            flavor: name,
            mode: label,
            requests,
            wall,
        });
    }
}

fn main() {
    let latency_ms: u64 = std::env::var("OPCTL_BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let latency = Duration::from_millis(latency_ms);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut rows = Vec::new();
    let start_times = runtime.block_on(async {
        let mut starts = Vec::new();
        for (flavor, name) in [
            (Flavor::CurrentV2, "current chain, v2 games (stand-ins)"),
            (
                Flavor::PermissionedV1,
                "v1 permissioned games (real OP code)",
            ),
            (
                Flavor::LegacyOutputOracle,
                "legacy L2OutputOracle (real OP code)",
            ),
            (Flavor::Upgrade20, "Upgrade 20, games 1+5 (stand-ins)"),
            (Flavor::KonaPermissionless, "kona, games 8+0 (stand-ins)"),
        ] {
            let began = Instant::now();
            let chain = TestChain::start(flavor).await;
            starts.push((name, began.elapsed(), chain.timings.transactions));
            drop(chain);
            measure(flavor, name, latency, &mut rows).await;
        }
        starts
    });
    println!("discovery with {latency_ms} ms added per HTTP request");
    println!(
        "{:<40} {:<8} {:>9} {:>10}",
        "chain", "mode", "requests", "wall"
    );
    for r in &rows {
        println!(
            "{:<40} {:<8} {:>9} {:>8.0}ms",
            r.flavor,
            r.mode,
            r.requests,
            r.wall.as_secs_f64() * 1000.0
        );
    }
    println!();
    println!("TestChain start (anvil + contracts):");
    for (name, took, txs) in start_times {
        println!(
            "  {name:<40} {:>6.0}ms ({txs} transactions)",
            took.as_secs_f64() * 1000.0
        );
    }
}

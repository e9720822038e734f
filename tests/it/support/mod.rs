//! Shared test support: real peers (a Kubernetes control plane — etcd, kube-apiserver,
//! kube-controller-manager, kube-scheduler — with a kubelet stand-in, and anvil) started on
//! loopback, and the helpers they share: locating the provisioned binaries, free ports, temp dirs,
//! log tails.
//!
//! Peers come from `scripts/provision`, which caches them under `$OPCTL_TEST_CACHE`
//! (default `~/.cache/opctl-test`). Each binary can be overridden with an env var
//! (`OPCTL_TEST_KUBE_APISERVER`, `OPCTL_TEST_KUBE_CONTROLLER_MANAGER`, `OPCTL_TEST_KUBE_SCHEDULER`,
//! `OPCTL_TEST_KUBECTL`, `OPCTL_TEST_ETCD`, `OPCTL_TEST_ANVIL`). A missing peer makes
//! the test fail with the provisioning command in the message; nothing is skipped silently.

#![allow(dead_code)] // Each test module uses a different subset of the helpers.

pub mod beacon;
pub mod chain;
pub mod cluster;
pub mod kubelet;
pub mod op_node;
pub mod podnet;
pub mod rpc_filter;

use std::ffi::OsString;
use std::future::Future;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The command that provisions every peer; named in every "peer missing" failure.
pub const PROVISION_COMMAND: &str = "scripts/provision";

/// Kubernetes release the harness runs: kube-apiserver, kube-controller-manager, kube-scheduler
/// and kubectl, built by `scripts/provision` from the `k8s.io/kubernetes` Go module
/// (`tools/kube/go.mod` pins it).
pub const KUBERNETES_VERSION: &str = "1.37.2";
/// Kept for the benchmarks' reports.
pub const KUBE_APISERVER_VERSION: &str = KUBERNETES_VERSION;
/// etcd release the harness runs, built from the `go.etcd.io/etcd/server/v3` module.
pub const ETCD_VERSION: &str = "3.7.3";

/// Where `scripts/provision` puts the Kubernetes and etcd binaries.
pub fn kubernetes_bin_dir() -> PathBuf {
    cache_dir()
        .join(format!(
            "kubernetes-v{KUBERNETES_VERSION}-etcd-v{ETCD_VERSION}"
        ))
        .join("bin")
}

fn kubernetes_binary(name: &str, env_var: &str) -> PathBuf {
    require(PeerSpec {
        name,
        env_var,
        env_value: std::env::var_os(env_var),
        candidates: vec![kubernetes_bin_dir().join(name)],
    })
}

/// The cache `scripts/provision` fills.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OPCTL_TEST_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| OsString::from("/root"));
    PathBuf::from(home).join(".cache").join("opctl-test")
}

/// Where to look for one peer binary: an env override wins, then the given candidates in order.
pub struct PeerSpec<'a> {
    /// Human name, e.g. "kube-apiserver".
    pub name: &'a str,
    /// Env var that overrides the path.
    pub env_var: &'a str,
    /// Value of `env_var`, if set (passed in so the lookup itself is a pure function).
    pub env_value: Option<OsString>,
    /// Paths tried when the env var is unset.
    pub candidates: Vec<PathBuf>,
}

/// Resolves a peer binary, or explains what is missing and how to provision it.
pub fn find_peer(spec: PeerSpec<'_>) -> Result<PathBuf, String> {
    if let Some(value) = spec.env_value.filter(|v| !v.is_empty()) {
        let path = PathBuf::from(value);
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(format!(
                "{name} not found: {env}={path} is not an executable file. \
                 Unset {env} or run `{cmd}` to provision the test peers.",
                name = spec.name,
                env = spec.env_var,
                path = path.display(),
                cmd = PROVISION_COMMAND,
            ))
        };
    }
    if let Some(path) = spec.candidates.iter().find(|p| is_executable(p)) {
        return Ok(path.clone());
    }
    let tried = spec
        .candidates
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Err(format!(
        "{name} not found (tried {tried}). Run `{cmd}` to provision the test peers \
         (or set {env} to the binary).",
        name = spec.name,
        env = spec.env_var,
        cmd = PROVISION_COMMAND,
    ))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn on_path(name: &str) -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .collect()
        })
        .unwrap_or_default()
}

fn require(spec: PeerSpec<'_>) -> PathBuf {
    match find_peer(spec) {
        Ok(path) => path,
        Err(message) => panic!("{message}"),
    }
}

/// The kube-apiserver binary; panics naming `scripts/provision` when it is missing.
pub fn kube_apiserver_binary() -> PathBuf {
    kubernetes_binary("kube-apiserver", "OPCTL_TEST_KUBE_APISERVER")
}

/// The kube-controller-manager binary; panics naming `scripts/provision` when it is missing.
pub fn kube_controller_manager_binary() -> PathBuf {
    kubernetes_binary(
        "kube-controller-manager",
        "OPCTL_TEST_KUBE_CONTROLLER_MANAGER",
    )
}

/// The kube-scheduler binary; panics naming `scripts/provision` when it is missing.
pub fn kube_scheduler_binary() -> PathBuf {
    kubernetes_binary("kube-scheduler", "OPCTL_TEST_KUBE_SCHEDULER")
}

/// The kubectl binary of the same release; panics naming `scripts/provision` when it is missing.
pub fn kubectl_binary() -> PathBuf {
    kubernetes_binary("kubectl", "OPCTL_TEST_KUBECTL")
}

/// The etcd binary; panics naming `scripts/provision` when it is missing.
pub fn etcd_binary() -> PathBuf {
    kubernetes_binary("etcd", "OPCTL_TEST_ETCD")
}

/// The anvil binary (npm `@foundry-rs/anvil-linux-amd64`); panics naming `scripts/provision`
/// when missing.
pub fn anvil_binary() -> PathBuf {
    require(PeerSpec {
        name: "anvil",
        env_var: "OPCTL_TEST_ANVIL",
        env_value: std::env::var_os("OPCTL_TEST_ANVIL"),
        candidates: vec![cache_dir().join("bin").join("anvil")],
    })
}

/// The cast binary (npm `@foundry-rs/cast-linux-amd64`); panics naming `scripts/provision`
/// when missing.
pub fn cast_binary() -> PathBuf {
    require(PeerSpec {
        name: "cast",
        env_var: "OPCTL_TEST_CAST",
        env_value: std::env::var_os("OPCTL_TEST_CAST"),
        candidates: vec![cache_dir().join("bin").join("cast")],
    })
}

/// Root of the npm packages `scripts/provision` installs (`node_modules` lives inside), e.g. for
/// `@eth-optimism/contracts-bedrock` artifacts and `solc`.
pub fn npm_dir() -> PathBuf {
    let dir = cache_dir().join("npm");
    if !dir.join("node_modules").is_dir() {
        panic!(
            "npm test packages not found in {}. Run `{PROVISION_COMMAND}` to provision the test peers.",
            dir.display()
        );
    }
    dir
}

/// How long a test waits for something to happen before it fails. Generous on purpose: tests
/// assert *what* happens; how fast it happens is measured by `benches/`, not asserted on a
/// loaded 2-core machine.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Polls `f` every 50 ms until it answers `Some`, or [`DEADLINE`] passes (then `None`).
pub async fn poll<T, F, Fut>(mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A loopback port that was free a moment ago. The kernel may hand it out again before the
/// peer binds it; peers that can bind port 0 themselves (anvil) should do that instead.
pub fn free_port() -> u16 {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral loopback port");
    listener
        .local_addr()
        .expect("read the ephemeral port")
        .port()
}

/// A fresh temp dir, on tmpfs (`/dev/shm`) when there is one: etcd fsyncs on every write and
/// tmpfs makes that free, which keeps apiserver writes fast on a small machine.
pub fn temp_dir(prefix: &str) -> tempfile::TempDir {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = builder.tempdir_in(shm) {
            return dir;
        }
    }
    builder.tempdir().expect("create a temp dir")
}

/// The last `lines` lines of a peer's log file, for failure messages.
pub fn log_tail(path: &Path, lines: usize) -> String {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let all: Vec<&str> = text.lines().collect();
            let start = all.len().saturating_sub(lines);
            all[start..].join("\n")
        }
        Err(err) => format!("(cannot read {}: {err})", path.display()),
    }
}

/// Installs the process-wide rustls crypto provider before any kube or alloy client is built,
/// through the same function the opctl binary calls at startup.
pub fn install_crypto_provider() {
    opctl::install_crypto_provider();
}

#[test]
fn a_missing_peer_fails_naming_the_provisioning_command() {
    let err = find_peer(PeerSpec {
        name: "kube-apiserver",
        env_var: "OPCTL_TEST_KUBE_APISERVER",
        env_value: None,
        candidates: vec![PathBuf::from("/nonexistent/kube-apiserver")],
    })
    .expect_err("a nonexistent binary must not be found");
    assert!(err.contains("scripts/provision"), "{err}");
    assert!(err.contains("/nonexistent/kube-apiserver"), "{err}");
}

#[test]
fn a_bad_env_override_fails_instead_of_falling_back() {
    let err = find_peer(PeerSpec {
        name: "etcd",
        env_var: "OPCTL_TEST_ETCD",
        env_value: Some(OsString::from("/nonexistent/etcd")),
        candidates: vec![PathBuf::from("/bin/sh")],
    })
    .expect_err("an env override that points nowhere must fail");
    assert!(err.contains("OPCTL_TEST_ETCD=/nonexistent/etcd"), "{err}");
    assert!(err.contains("scripts/provision"), "{err}");
}

#[test]
fn an_env_override_wins_over_the_cache() {
    let found = find_peer(PeerSpec {
        name: "etcd",
        env_var: "OPCTL_TEST_ETCD",
        env_value: Some(OsString::from("/bin/sh")),
        candidates: vec![PathBuf::from("/bin/true")],
    })
    .expect("an executable override is used");
    assert_eq!(found, PathBuf::from("/bin/sh"));
}

/// The devnet example copied into `dir` (`devnet.toml` with `devnet/rollup.json` and
/// `devnet/genesis.json`); returns the chain file's path.
pub fn devnet_copy(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.join("devnet")).expect("mkdir");
    for f in ["rollup.json", "genesis.json"] {
        std::fs::copy(root.join("devnet").join(f), dir.join("devnet").join(f)).expect("copy");
    }
    let chain = dir.join("devnet.toml");
    std::fs::copy(root.join("devnet.toml"), &chain).expect("copy example");
    chain
}

/// The devnet example (with its rollup.json and genesis.json) in a temp dir, with `[watch]` set.
pub fn devnet_with_watch(watch: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let chain = devnet_copy(dir.path());
    let text = std::fs::read_to_string(&chain).expect("read example");
    std::fs::write(&chain, format!("{text}\n[watch]\n{watch}\n")).expect("write chain");
    (dir, chain)
}

/// An HTTP server on its own thread and runtime, so it answers while a test blocks on an opctl
/// child process; stops when dropped.
pub struct ServerThread {
    pub address: std::net::SocketAddr,
    stop: tokio::sync::watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Binds `addr` and serves `app` (HTTP/1) on a thread of its own.
pub fn serve_on_thread(
    name: &str,
    addr: impl std::net::ToSocketAddrs,
    app: axum::Router,
) -> ServerThread {
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;
    let listener =
        std::net::TcpListener::bind(addr).unwrap_or_else(|e| panic!("{name}: bind: {e}"));
    listener
        .set_nonblocking(true)
        .unwrap_or_else(|e| panic!("{name}: non-blocking listener: {e}"));
    let address = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{name}: address: {e}"));
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let label = name.to_string();
    let thread = std::thread::Builder::new()
        .name(format!("{name}-{address}"))
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap_or_else(|e| panic!("{label}: runtime: {e}"));
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)
                    .unwrap_or_else(|e| panic!("{label}: tokio listener: {e}"));
                loop {
                    tokio::select! {
                        _ = stopped.wait_for(|s| *s) => return,
                        accepted = listener.accept() => {
                            let Ok((stream, _)) = accepted else { continue };
                            let service = TowerToHyperService::new(app.clone());
                            tokio::spawn(async move {
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                            });
                        }
                    }
                }
            });
        })
        .unwrap_or_else(|e| panic!("spawn the {name} thread: {e}"));
    ServerThread {
        address,
        stop,
        thread: Some(thread),
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

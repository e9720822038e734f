//! `cargo run --example sandbox -- STATE_DIR`: the test suite's cluster as a local sandbox.
//!
//! Starts the same control plane the integration tests use — etcd, kube-apiserver,
//! kube-controller-manager and kube-scheduler of the release `scripts/provision` builds, with the
//! **kubelet stand-in** (no container runtime exists here, so **no container ever runs**: pods are
//! scheduled, get addresses and become Ready, but nothing executes) — writes its admin
//! kubeconfig to `STATE_DIR/kubeconfig`, and runs until SIGINT or SIGTERM, then stops everything
//! and removes its files. `scripts/sandbox up|down|kubeconfig|demo` drives it.

#[path = "../tests/it/support/mod.rs"]
mod support;

use std::path::PathBuf;

use support::cluster::TestCluster;

#[tokio::main]
async fn main() {
    let Some(state) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: sandbox STATE_DIR");
        std::process::exit(1);
    };
    if let Err(e) = std::fs::create_dir_all(&state) {
        eprintln!("cannot create {}: {e}", state.display());
        std::process::exit(1);
    }
    let cluster = TestCluster::start().await;
    let kubeconfig = state.join("kubeconfig");
    let staged = state.join(".kubeconfig.partial");
    let copied = std::fs::copy(cluster.admin_kubeconfig(), &staged)
        .and_then(|_| std::fs::rename(&staged, &kubeconfig));
    if let Err(e) = copied {
        eprintln!("cannot write {}: {e}", kubeconfig.display());
        std::process::exit(1);
    }
    println!(
        "sandbox up: Kubernetes v{} at {} (nodes: {}); kubeconfig {}",
        support::KUBERNETES_VERSION,
        cluster.url(),
        cluster.nodes().join(", "),
        kubeconfig.display()
    );
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("install a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    let _ = std::fs::remove_file(&kubeconfig);
    drop(cluster);
    println!("sandbox down");
}

//! opctl: desired state for OP Stack chains on Kubernetes, from one TOML file.
//!
//! Pipeline: load TOML -> resolve contracts (lock file or RPC) -> render desired objects -> read live
//! objects -> plan (diff) -> confirm -> apply in order -> wait -> report. The core (`config`,
//! `render`) is pure; `ui` is the only module that prints.

/// clap types: the command line as typed, nothing resolved.
pub mod cli;
/// The Kubernetes edge: connect, discover served kinds, read, server-side apply, delete.
pub mod cluster;
/// One function per subcommand, wiring the core to the edges.
pub mod cmd;
/// The chain TOML: model, loading with positioned errors, validation.
pub mod config;
/// Top-level error type and exit codes.
pub mod error;
/// Generated artefacts kept in the repo: JSON Schema and shell completions.
pub mod generated;
/// The lock file next to the chain TOML: discovered contracts and roles, read-at block, diffs.
pub mod lock;
/// The pure core's shared values: object references, the discovered-contracts model, check decisions,
/// supported Kubernetes releases.
pub mod model;
/// Every superchain-registry chain, compiled in from `data/superchain-registry.json`, for offline use.
pub mod networks;
/// Planning, pure: normalise, classify, mask Secrets, diff; readiness predicates.
pub mod plan;
/// The preflight probes of a chain's L1 endpoints (L1 methods, blob retention, signer balances).
pub mod preflight;
/// One reconcile pass (plan, then apply in order), shared by `apply` and `watch`.
pub mod reconcile;
/// Desired Kubernetes objects per role; pure and deterministic.
pub mod render;
/// Contracts for rendering (TOML overrides, lock file, registry) and signer addresses for checks.
pub mod resolve;
/// The L1 edge: contract discovery over JSON-RPC (alloy) and the pre-deployment role checks.
pub mod rpc;
/// Chain-aware node status: op-node and execution client read through the apiserver's pod proxy.
pub mod status;
/// Terminal output: the only place that prints.
pub mod ui;
/// `opctl watch`: the reconcile pass in a loop, with triggers, drift policy, lease, health, metrics.
pub mod watch;

/// Install the process-wide rustls crypto provider (aws-lc-rs), shared by kube and alloy's HTTP
/// client. Without one chosen explicitly, building a TLS client can panic when several providers are
/// compiled in. Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

//! Command-line arguments as typed by the user (clap derive); resolution happens in `cmd`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::duration;

/// Run OP Stack L2 chains on Kubernetes from one TOML file.
#[derive(Debug, Parser)]
#[command(
    name = "opctl",
    version,
    about,
    propagate_version = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by every subcommand.
#[derive(Debug, Args)]
pub struct Global {
    /// Path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster).
    #[arg(long, global = true, env = "KUBECONFIG", value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// kubeconfig context to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Override the chain's namespace.
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// More output (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Output format of the data a command prints on stdout.
    #[arg(short = 'o', long, global = true, value_enum)]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Yaml,
    Json,
    Table,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the Kubernetes objects of a chain (offline: no cluster, no RPC).
    Render(RenderArgs),
    /// Check chain files and report every problem with file:line:col and key path.
    Validate(ValidateArgs),
    /// Show what would change in the cluster, and why (server-side dry run; nothing is written).
    Plan(PlanArgs),
    /// Make the cluster match the chain files (or apply a saved plan exactly).
    Apply(ApplyArgs),
    /// Remove a chain's objects, in reverse order (volumes and key Secrets kept unless asked).
    Destroy(DestroyArgs),
    /// Per role: ready/desired, image, restarts, age; and the chain's next hardfork.
    Status(StatusArgs),
    /// Show what moving the chain to another release set changes: images, version-dependent
    /// flags, forks newly supported, checks, and the plan (server-side dry run; nothing is written).
    Upgrade(UpgradeArgs),
    /// Keep the cluster matching a chain file: apply's reconcile pass in a loop (drift repair, L1
    /// re-discovery, leader lease, /healthz /readyz /metrics).
    Watch(WatchArgs),
    /// Probe the chain's L1 endpoints: the RPC methods each role calls, blob retention of the
    /// beacon API, the signers' L1 balances (exit 3 when a check fails; `-o json`).
    Preflight(PreflightArgs),
    /// Find the chain's L1 contracts and roles from its SystemConfig, check the keys, write the lock file.
    Discover(DiscoverArgs),
    /// List every superchain-registry network opctl knows offline (`network = "..."`), with chain
    /// ids, fault proofs, the next scheduled fork and the registry commit and date (`-o json`).
    Networks,
    /// Print the JSON Schema of the chain TOML (for editors: `#:schema` comment).
    Schema,
    /// Print shell completions.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The chain file.
    #[arg(value_name = "CHAIN.toml")]
    pub chain: PathBuf,
    /// libp2p peer ID of the sequencer's op-node, for replicas' `--p2p.static` (apply derives it from
    /// the generated key; offline rendering leaves it out unless given).
    #[arg(long, value_name = "PEER_ID")]
    pub sequencer_peer_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Chain files.
    #[arg(value_name = "CHAIN.toml", required = true)]
    pub chains: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Chain files, planned concurrently.
    #[arg(value_name = "CHAIN.toml", required = true)]
    pub chains: Vec<PathBuf>,
    /// Exit 2 when changes are pending, 0 when none (1 on error).
    #[arg(long)]
    pub exit_code: bool,
    /// Save the plan (no secret material) for `opctl apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub prune: PruneArgs,
    #[command(flatten)]
    pub checks: CheckArgs,
}

#[derive(Debug, Args, Clone, Default)]
pub struct CheckArgs {
    /// Override one failed check by name (repeatable), e.g. `--skip-check batcher-key`.
    #[arg(long = "skip-check", value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(crate::model::checks::ALL_CHECKS))]
    pub skip: Vec<String>,
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// The chain file (not modified: set `[images] release` yourself to apply the upgrade).
    #[arg(value_name = "CHAIN.toml")]
    pub chain: PathBuf,
    /// The release set to move to (data/releases.toml).
    #[arg(long, value_name = "RELEASE", value_parser = clap::builder::PossibleValuesParser::new(crate::model::releases::builtin().names()))]
    pub to: String,
    /// Exit 2 when changes are pending, 3 when a check fails, 0 otherwise (1 on error).
    #[arg(long)]
    pub exit_code: bool,
    #[command(flatten)]
    pub checks: CheckArgs,
}

#[derive(Debug, Args)]
pub struct PreflightArgs {
    /// The chain file.
    #[arg(value_name = "CHAIN.toml")]
    pub chain: PathBuf,
    /// L1 JSON-RPC URL; overrides the chain file (keep API keys out of files and CI logs).
    #[arg(
        long,
        env = "OPCTL_L1_RPC_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub l1_rpc_url: Option<String>,
    /// Per-request timeout, e.g. `10s`: 1s to 10m.
    #[arg(long, default_value = "10s", value_parser = rpc_timeout)]
    pub rpc_timeout: std::time::Duration,
    /// Do not read Secrets from the cluster (URLs and keys stored there are then not known).
    #[arg(long)]
    pub no_cluster: bool,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The chain file.
    #[arg(value_name = "CHAIN.toml")]
    pub chain: PathBuf,
    /// L1 JSON-RPC URL; overrides the chain file (keep API keys out of files and CI logs).
    #[arg(
        long,
        env = "OPCTL_L1_RPC_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub l1_rpc_url: Option<String>,
    /// A local hex key file to check against its on-chain role: ROLE=FILE with ROLE one of
    /// sequencer, batcher, proposer, challenger (repeatable). Only the derived address is printed.
    #[arg(long = "key", value_name = "ROLE=FILE", value_parser = parse_key_file)]
    pub keys: Vec<(String, PathBuf)>,
    /// Read the keys from the chain's Kubernetes Secrets instead (needs a reachable cluster).
    #[arg(long, conflicts_with = "keys")]
    pub keys_from_cluster: bool,
    /// Per-request timeout, e.g. `10s`: 1s to 10m.
    #[arg(long, default_value = "10s", value_parser = rpc_timeout)]
    pub rpc_timeout: std::time::Duration,
    /// The chain's op-node RPC URL: on a SystemConfig 4.x chain (Upgrade 20), which no longer names
    /// the batch inbox on L1, its `optimism_rollupConfig` gives it (one read-only request within
    /// --rpc-timeout, before rollup.json and the registry).
    #[arg(
        long,
        value_name = "URL",
        env = "OPCTL_ROLLUP_RPC",
        hide_env_values = true
    )]
    pub rollup_rpc: Option<String>,
}

fn parse_key_file(s: &str) -> Result<(String, PathBuf), String> {
    let (role, file) = s.split_once('=').ok_or("expected ROLE=FILE")?;
    if !["sequencer", "batcher", "proposer", "challenger"].contains(&role) {
        return Err(format!(
            "unknown role `{role}`: use sequencer, batcher, proposer or challenger"
        ));
    }
    Ok((role.to_string(), PathBuf::from(file)))
}

#[derive(Debug, Args, Clone, Copy)]
pub struct PruneArgs {
    /// Delete members of the chain that are no longer desired (PersistentVolumeClaims never).
    #[arg(long)]
    pub prune: bool,
    /// With --prune: also delete generated key Secrets (JWT, p2p identity).
    #[arg(long, requires = "prune")]
    pub prune_secrets: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Chain files, or one plan file saved with `opctl plan --out`.
    #[arg(value_name = "CHAIN.toml|PLAN.json", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(short, long)]
    pub yes: bool,
    /// Take back fields another field manager changed (drift) instead of stopping.
    #[arg(long)]
    pub force_conflicts: bool,
    /// Allow delete-and-recreate of objects whose immutable fields change (pods orphaned, volumes kept).
    #[arg(long)]
    pub allow_recreate: bool,
    /// Do not wait for workloads to become ready (every role rolls at once).
    #[arg(long)]
    pub no_wait: bool,
    /// Roll every changed workload at once instead of one at a time in role order (replicas,
    /// sequencer, batcher, proposer, challenger), each ready before the next.
    #[arg(long)]
    pub parallel: bool,
    /// How long to wait for readiness, e.g. `10m`, `90s`: 1s to 24h.
    #[arg(long, default_value = "10m", value_parser = apply_timeout)]
    pub timeout: std::time::Duration,
    #[command(flatten)]
    pub prune: PruneArgs,
    #[command(flatten)]
    pub checks: CheckArgs,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// The chain file.
    #[arg(value_name = "CHAIN.toml")]
    pub chain: PathBuf,
    #[arg(short, long)]
    pub yes: bool,
    /// Also delete the chain's PersistentVolumeClaims (chain data is lost).
    #[arg(long)]
    pub delete_volumes: bool,
    /// Also delete generated key Secrets (node identities change on the next apply).
    #[arg(long)]
    pub delete_secrets: bool,
    /// Also delete the chain's namespace with everything in it, including Secrets opctl did
    /// not create, and wait until Kubernetes has finished removing it.
    #[arg(long)]
    pub delete_namespace: bool,
    /// How long to wait for the namespace to be gone (with --delete-namespace), e.g. `5m`.
    #[arg(long, default_value = "10m", value_parser = apply_timeout)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The chain file.
    #[arg(value_name = "CHAIN.toml")]
    pub chain: PathBuf,
    /// Time between the two samples of every node's heads, which give its blocks/min (`0`: one
    /// sample, no rate).
    #[arg(long, default_value = "2s", value_parser = status_interval)]
    pub interval: std::time::Duration,
    /// Per JSON-RPC request to a node (through the API server's pod proxy).
    #[arg(long = "rpc-timeout", default_value = "5s", value_parser = status_rpc_timeout)]
    pub rpc_timeout: std::time::Duration,
    /// The whole reading of the nodes; nodes not read by then are reported unreachable.
    #[arg(long, default_value = "30s", value_parser = status_deadline)]
    pub deadline: std::time::Duration,
    /// Blocks behind the reference's unsafe head (the sequencer, or `[status] reference_rpc`)
    /// that still count as synced [default: `[status] max_lag`, else 10].
    #[arg(long = "max-lag", value_name = "BLOCKS")]
    pub max_lag: Option<u64>,
    /// Only the workloads: do not read the nodes.
    #[arg(long = "no-nodes")]
    pub no_nodes: bool,
    /// Do not read the operator roles (batcher, proposer, challenger) from the L1 RPC.
    #[arg(long = "no-operators")]
    pub no_operators: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The chain file; re-read when it, its lock file, rollup.json or genesis.json change.
    #[arg(value_name = "CHAIN.toml")]
    pub chain: PathBuf,
    /// Address of /healthz, /readyz and /metrics (`off` for none).
    #[arg(long, default_value = "127.0.0.1:9090", value_name = "ADDR")]
    pub listen: String,
    /// Log lines as text or JSON (stderr).
    #[arg(long, value_enum, default_value_t = WatchLogFormat::Text)]
    pub log_format: WatchLogFormat,
    /// This process's name in the chain's lease (default: $POD_NAME, else host name and pid).
    #[arg(long, env = "POD_NAME", value_name = "NAME")]
    pub identity: Option<String>,
    /// How long the lease lasts without renewal: a standby takes over this long after the holder
    /// dies. 5s to 10m.
    #[arg(long, default_value = "15s", value_parser = lease_duration)]
    pub lease_duration: std::time::Duration,
    /// Full reconcile at least this often: 1s to 24h (overrides `[watch] resync`, default 5m).
    #[arg(long, value_parser = resync)]
    pub resync: Option<std::time::Duration>,
    /// Re-read the L1 contracts this often: 1s to 24h, or `0` to turn it off (overrides
    /// `[watch] rediscover`, default 10m).
    #[arg(long, value_parser = rediscover)]
    pub rediscover: Option<std::time::Duration>,
    /// Read every node (as `opctl status` does) this often, for the `opctl_node_*` metrics, the
    /// stall and recovery Events and the replicas' readiness gate: 1s to 24h, or `0` to turn it
    /// off (the readiness gate then stays as last written).
    #[arg(long, default_value = "30s", value_parser = node_status_every)]
    pub node_status_every: std::time::Duration,
    /// Read the chain-operator roles on L1 (balances, latest batch and proposal, nonce gaps,
    /// games in progress) this often, for the `opctl_signer_*` metrics and low-balance Events:
    /// 1s to 24h, or `0` to turn it off. Each reading is up to ~240 JSON-RPC calls to the L1.
    #[arg(long, default_value = "5m", value_parser = node_status_every)]
    pub operator_status_every: std::time::Duration,
    /// L1 JSON-RPC URL for re-discovery; overrides the chain file.
    #[arg(
        long,
        env = "OPCTL_L1_RPC_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub l1_rpc_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WatchLogFormat {
    Text,
    Json,
}

/// Durations on the command line read like the chain file's: `90s`, `10m`, `1h30m`, `500ms`, or
/// plain seconds.
pub use crate::config::duration::parse_duration;

// Each duration flag accepts the range of its chain-file twin (`config::duration`); a value
// outside it is a usage error naming the flag.

fn resync(s: &str) -> Result<std::time::Duration, String> {
    duration::RESYNC.parse(s)
}

fn rediscover(s: &str) -> Result<std::time::Duration, String> {
    duration::REDISCOVER.parse(s)
}

fn node_status_every(s: &str) -> Result<std::time::Duration, String> {
    duration::REDISCOVER.parse(s)
}

fn lease_duration(s: &str) -> Result<std::time::Duration, String> {
    duration::LEASE_DURATION.parse(s)
}

fn apply_timeout(s: &str) -> Result<std::time::Duration, String> {
    duration::APPLY_TIMEOUT.parse(s)
}

/// `opctl status --interval`: `0` (one sample) or 100 ms to 1 min.
const STATUS_INTERVAL: duration::Bounds = duration::Bounds::new(
    std::time::Duration::from_millis(100),
    std::time::Duration::from_secs(60),
)
.or_off();
/// `opctl status --rpc-timeout`: 100 ms to 1 min.
const STATUS_RPC_TIMEOUT: duration::Bounds = duration::Bounds::new(
    std::time::Duration::from_millis(100),
    std::time::Duration::from_secs(60),
);
/// `opctl status --deadline`: 1 s to 10 min.
const STATUS_DEADLINE: duration::Bounds = duration::Bounds::new(
    std::time::Duration::from_secs(1),
    std::time::Duration::from_secs(600),
);

fn status_interval(s: &str) -> Result<std::time::Duration, String> {
    STATUS_INTERVAL.parse(s)
}

fn status_rpc_timeout(s: &str) -> Result<std::time::Duration, String> {
    STATUS_RPC_TIMEOUT.parse(s)
}

fn status_deadline(s: &str) -> Result<std::time::Duration, String> {
    STATUS_DEADLINE.parse(s)
}

fn rpc_timeout(s: &str) -> Result<std::time::Duration, String> {
    duration::RPC_TIMEOUT.parse(s)
}

//! The chain TOML as typed data: what the user wrote, before defaults are merged and before validation.
//!
//! Every struct denies unknown keys so that a typo is an error with a position, never silently ignored.

use std::collections::BTreeMap;

use alloy::primitives::Address;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One chain: the whole desired state opctl makes a cluster match.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChainFile {
    /// Identity of the L2 chain and where its genesis comes from.
    pub chain: Chain,
    /// The L1 the chain settles on.
    pub l1: L1,
    /// L1 contract addresses. `system_config` is the anchor; the rest are explicit overrides of discovery.
    #[serde(default)]
    pub contracts: Contracts,
    /// Container images per component (pinned defaults).
    #[serde(default)]
    pub images: Images,
    /// Settings inherited by every role and overridable per role under `[<role>.overrides]`.
    #[serde(default)]
    pub defaults: Common,
    /// The sequencer: op-node with `--sequencer.enabled` plus an execution client, in one pod.
    #[serde(default)]
    pub sequencer: Sequencer,
    /// Replica (verifier/RPC) nodes that follow the sequencer or a registry chain.
    #[serde(default)]
    pub replicas: Replicas,
    /// op-batcher: posts L2 batches to L1.
    #[serde(default)]
    pub batcher: Batcher,
    /// op-proposer: posts output roots / dispute games to L1.
    #[serde(default)]
    pub proposer: Proposer,
    /// op-challenger: plays dispute games.
    #[serde(default)]
    pub challenger: Challenger,
    /// How `opctl watch` keeps the cluster matching this file, and whether apply installs it as a pod.
    #[serde(default)]
    pub watch: super::watch::Watch,
    /// NetworkPolicies (networking.k8s.io/v1) that fence the chain's admin surfaces: on by default.
    #[serde(default)]
    pub network_policy: NetworkPolicy,
    /// What "caught up" and "low balance" mean for `opctl status`, the preflight checks, the
    /// replicas' readiness gate and `opctl watch`.
    #[serde(default)]
    pub status: super::status::Status,
}

/// `[network_policy]`: ingress to the chain's pods is denied except what each role needs.
/// Kubernetes stores these policies whatever the cluster runs; only a CNI plugin that implements
/// NetworkPolicy (Calico, Cilium, ...) enforces them.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetworkPolicy {
    /// Render the chain's NetworkPolicies (default true). `false` renders none, and apply prunes
    /// the ones it rendered before.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Namespaces whose pods may scrape the metrics ports (default `["monitoring"]`).
    #[serde(default = "default_monitoring_namespaces")]
    pub monitoring_namespaces: Vec<String>,
    /// Namespaces whose pods may reach the replicas' public RPC (execution client HTTP and
    /// WebSocket, `eth,net,web3` only). Absent: any source, inside or outside the cluster (what a
    /// LoadBalancer or NodePort Service needs). `[]`: none.
    pub public_rpc_namespaces: Option<Vec<String>>,
}

impl Default for NetworkPolicy {
    fn default() -> Self {
        NetworkPolicy {
            enabled: true,
            monitoring_namespaces: default_monitoring_namespaces(),
            public_rpc_namespaces: None,
        }
    }
}

fn default_monitoring_namespaces() -> Vec<String> {
    vec!["monitoring".to_string()]
}

/// `[chain]`
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    /// DNS label (lowercase letters, digits, `-`, at most 40 characters); prefix of every object name.
    pub name: String,
    /// Kubernetes namespace the chain lives in (a DNS label). Defaults to the chain name.
    pub namespace: Option<String>,
    /// L2 chain id.
    pub l2_chain_id: u64,
    /// superchain-registry network name, e.g. `op-sepolia`: the alternative to `rollup_config`/`genesis`.
    pub network: Option<String>,
    /// Path to rollup.json, relative to this TOML file (custom chains).
    pub rollup_config: Option<String>,
    /// Path to the L2 genesis.json, relative to this TOML file (custom chains).
    pub genesis: Option<String>,
}

/// `[l1]`
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct L1 {
    /// L1 chain id (1 mainnet, 11155111 sepolia, ...).
    pub chain_id: u64,
    /// L1 execution JSON-RPC URL: a literal, `env:VAR`, or `{ secret = "name", key = "key" }`.
    pub rpc_url: UrlSource,
    /// L1 beacon API URL: a literal, `env:VAR`, or `{ secret = "name", key = "key" }`.
    pub beacon_url: UrlSource,
    /// op-node `--l1.rpckind`.
    #[serde(default)]
    pub rpc_kind: RpcKind,
    /// Trust the L1 RPC (op-node `--l1.trustrpc`, needed for Erigon L1s without eth_getProof).
    #[serde(default)]
    pub trust_rpc: bool,
    /// Path to the L1's genesis.json, relative to this file. Needed when the L1 is not Ethereum
    /// mainnet, Sepolia, Holesky or Hoodi: op-node `--rollup.l1-chain-config`, op-challenger
    /// `--l1-genesis`.
    pub genesis: Option<String>,
    /// Beacon-API endpoints op-node asks for blobs its `beacon_url` no longer keeps (beacon nodes
    /// prune blobs after about 18 days): other beacon nodes or a blob archiver, which serves the
    /// same API (op-node `--l1.beacon-fallbacks`, alias `--l1.beacon-archiver`). Literal URLs or
    /// `{ secret = "name", key = "key" }`.
    #[serde(default)]
    pub beacon_fallbacks: Vec<UrlSource>,
}

/// A URL given as a literal string (`https://...`), as `env:VAR` (read by opctl at apply time and stored
/// in a Secret it manages), or as a key of an existing Kubernetes Secret.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum UrlSource {
    /// `"https://..."` or `"env:VAR"`.
    Text(String),
    /// `{ secret = "l1-endpoints", key = "rpc" }`
    Secret(SecretKeyRef),
}

/// What a [`UrlSource`] says, parsed: the one place that knows the `env:` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlRef<'a> {
    /// A URL written in the chain file.
    Literal(&'a str),
    /// `env:VAR`: opctl reads `VAR` at apply time and stores it in a Secret it manages.
    Env(&'a str),
    /// A key of an existing Secret.
    Secret(&'a SecretKeyRef),
}

impl UrlSource {
    pub fn parsed(&self) -> UrlRef<'_> {
        match self {
            UrlSource::Text(s) => match s.strip_prefix("env:") {
                Some(var) => UrlRef::Env(var),
                None => UrlRef::Literal(s),
            },
            UrlSource::Secret(r) => UrlRef::Secret(r),
        }
    }

    /// The environment variable of an `env:VAR` URL.
    pub fn env_var(&self) -> Option<&str> {
        match self.parsed() {
            UrlRef::Env(var) => Some(var),
            _ => None,
        }
    }
}

/// A key of a Kubernetes Secret in the chain's namespace.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct SecretKeyRef {
    /// Secret name.
    pub secret: String,
    /// Key inside the Secret.
    pub key: String,
}

/// op-node `--l1.rpckind` values.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RpcKind {
    Alchemy,
    Quicknode,
    Infura,
    Parity,
    Nethermind,
    DebugGeth,
    Erigon,
    Basic,
    Any,
    #[default]
    Standard,
}

impl RpcKind {
    /// The flag value op-node expects.
    pub fn as_flag(self) -> &'static str {
        match self {
            RpcKind::Alchemy => "alchemy",
            RpcKind::Quicknode => "quicknode",
            RpcKind::Infura => "infura",
            RpcKind::Parity => "parity",
            RpcKind::Nethermind => "nethermind",
            RpcKind::DebugGeth => "debug_geth",
            RpcKind::Erigon => "erigon",
            RpcKind::Basic => "basic",
            RpcKind::Any => "any",
            RpcKind::Standard => "standard",
        }
    }
}

/// `[contracts]`: addresses as 0x-prefixed hex. Only `system_config` is needed; the others override discovery.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Contracts {
    /// SystemConfig proxy: the anchor from which everything else is discovered.
    pub system_config: Option<String>,
    /// OptimismPortal proxy.
    pub optimism_portal: Option<String>,
    /// DisputeGameFactory proxy (fault-proof chains).
    pub dispute_game_factory: Option<String>,
    /// L2OutputOracle proxy (legacy chains without fault proofs).
    pub l2_output_oracle: Option<String>,
    /// AnchorStateRegistry proxy.
    pub anchor_state_registry: Option<String>,
    /// L1CrossDomainMessenger proxy.
    pub l1_cross_domain_messenger: Option<String>,
    /// L1StandardBridge proxy.
    pub l1_standard_bridge: Option<String>,
    /// Batch inbox address.
    pub batch_inbox: Option<String>,
    /// Respected game type (`OptimismPortal.respectedGameType()`), when not discovered.
    pub respected_game_type: Option<u32>,
}

/// The addresses `[contracts]` pins, parsed: the one place the chain file's address strings become
/// addresses. Validation has refused any that do not parse, so `None` means "not pinned".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PinnedAddresses {
    pub system_config: Option<Address>,
    pub optimism_portal: Option<Address>,
    pub dispute_game_factory: Option<Address>,
    pub l2_output_oracle: Option<Address>,
    pub anchor_state_registry: Option<Address>,
    pub l1_cross_domain_messenger: Option<Address>,
    pub l1_standard_bridge: Option<Address>,
    pub batch_inbox: Option<Address>,
}

fn address(text: &Option<String>) -> Option<Address> {
    text.as_deref().and_then(|s| s.trim().parse().ok())
}

impl Contracts {
    pub fn addresses(&self) -> PinnedAddresses {
        PinnedAddresses {
            system_config: address(&self.system_config),
            optimism_portal: address(&self.optimism_portal),
            dispute_game_factory: address(&self.dispute_game_factory),
            l2_output_oracle: address(&self.l2_output_oracle),
            anchor_state_registry: address(&self.anchor_state_registry),
            l1_cross_domain_messenger: address(&self.l1_cross_domain_messenger),
            l1_standard_bridge: address(&self.l1_standard_bridge),
            batch_inbox: address(&self.batch_inbox),
        }
    }
}

impl Signer {
    /// `address` (a remote signer's), parsed.
    pub fn signer_address(&self) -> Option<Address> {
        address(&self.address)
    }
}

/// `[images]`: a release set (component versions known to work together), optionally with
/// single images pinned over it (full image references).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Images {
    /// Release set the OP Stack images come from (`opctl upgrade --help` lists them; default:
    /// the newest set whose every image is confirmed). Single images below override it.
    pub release: Option<String>,
    /// How far ahead the `hardfork` check looks for a scheduled hardfork that a rendered
    /// component's version does not support, e.g. `14d`, `72h` (1h to 180d; default 14d).
    pub hardfork_window: Option<String>,
    /// Image of the init step that reassembles a custom chain's genesis (needs a POSIX shell,
    /// `gunzip` and `sha256sum`; default busybox, pinned).
    pub busybox: Option<String>,
    pub op_node: Option<String>,
    pub op_reth: Option<String>,
    pub op_geth: Option<String>,
    pub op_batcher: Option<String>,
    pub op_proposer: Option<String>,
    pub op_challenger: Option<String>,
}

impl Images {
    /// The chosen release set (`release`, else the default set). Validation refuses an unknown
    /// name; one that slipped through falls back to the default set.
    pub fn release_set(&self) -> &'static crate::model::releases::ReleaseSet {
        let m = crate::model::releases::builtin();
        self.release
            .as_deref()
            .and_then(|n| m.set(n))
            .unwrap_or_else(|| m.default_set())
    }

    /// `hardfork_window`, parsed (validation has checked it; kept in range regardless).
    pub fn hardfork_window(&self) -> std::time::Duration {
        use super::duration;
        self.hardfork_window
            .as_deref()
            .and_then(|t| duration::parse_duration(t).ok())
            .map_or(super::default_images::HARDFORK_WINDOW, |d| {
                duration::HARDFORK_WINDOW.clamp(d)
            })
    }

    /// The image pinned for `component` (`op-node`), with its key (`op_node`).
    pub fn pinned(&self, component: &str) -> Option<(&'static str, &str)> {
        let (key, value) = match component {
            "op-node" => ("op_node", &self.op_node),
            "op-reth" => ("op_reth", &self.op_reth),
            "op-geth" => ("op_geth", &self.op_geth),
            "op-batcher" => ("op_batcher", &self.op_batcher),
            "op-proposer" => ("op_proposer", &self.op_proposer),
            "op-challenger" => ("op_challenger", &self.op_challenger),
            "busybox" => ("busybox", &self.busybox),
            _ => return None,
        };
        value.as_deref().map(|v| (key, v))
    }

    /// The image opctl renders for `component`: the pin, else the release set's image (else the
    /// default set's, for a component validation has already asked the operator to pin).
    pub fn image(&self, component: &str) -> String {
        if let Some((_, image)) = self.pinned(component) {
            return image.to_string();
        }
        if component == "busybox" {
            return super::default_images::BUSYBOX.to_string();
        }
        let m = crate::model::releases::builtin();
        self.release_set()
            .image(component)
            .or_else(|| m.default_set().image(component))
            .unwrap_or_else(|| format!("{}/{component}", super::default_images::REGISTRY))
    }
}

impl ChainFile {
    /// The OP Stack components this chain renders (`op-node`, its execution clients, the
    /// services of the enabled roles), each once, in pipeline order.
    pub fn components(&self) -> Vec<&'static str> {
        let el = |e: ExecutionClient| match e {
            ExecutionClient::OpGeth => "op-geth",
            ExecutionClient::OpReth => "op-reth",
        };
        let mut out = Vec::new();
        let mut add = |c: &'static str| {
            if !out.contains(&c) {
                out.push(c);
            }
        };
        if self.sequencer.enabled {
            add("op-node");
            add(el(self.sequencer.execution_client));
        }
        if self.replicas.enabled && self.replicas.count > 0 {
            add("op-node");
            add(el(self.replicas.execution_client));
        }
        if self.batcher.enabled {
            add("op-batcher");
        }
        if self.proposer.enabled {
            add("op-proposer");
        }
        if self.challenger.enabled {
            add("op-challenger");
        }
        out
    }

    /// The images of [`ChainFile::components`], with the key that pins each (if pinned).
    pub fn rendered_images(&self) -> Vec<crate::model::releases::RenderedImage> {
        self.components()
            .into_iter()
            .map(|c| crate::model::releases::RenderedImage {
                component: c,
                image: self.images.image(c),
                pinned_by: self.images.pinned(c).map(|(k, _)| format!("images.{k}")),
            })
            .collect()
    }
}

/// Settings shared by all roles (`[defaults]`) and overridable per role (`[<role>.overrides]`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Common {
    /// `error`, `warn`, `info`, `debug`, `trace`.
    pub log_level: Option<LogLevel>,
    /// `text`, `logfmt`, `json`.
    pub log_format: Option<LogFormat>,
    /// Expose Prometheus metrics.
    pub metrics: Option<bool>,
    /// Metrics port of the op-* services (the execution clients keep their own: op-reth 9001, op-geth 6060).
    pub metrics_port: Option<u16>,
    /// Resources of the role's main container (the execution client on node roles).
    pub resources: Option<Resources>,
    /// Pod and container security settings.
    pub security: Option<Security>,
    /// Node selector for the role's pods.
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Tolerations for the role's pods.
    pub tolerations: Option<Vec<Toleration>>,
    /// Extra environment variables for every container of the role (values are plain text: never secrets).
    pub env: Option<BTreeMap<String, String>>,
    /// The cluster's DNS domain (`[defaults]` only; default `cluster.local`): peer addresses are
    /// fully qualified with it.
    pub cluster_domain: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Logfmt,
    Json,
}

/// CPU and memory as Kubernetes quantities (`"500m"`, `"4Gi"`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub cpu_limit: Option<String>,
    pub memory_limit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Security {
    /// UID the containers run as (non-root; default 10001).
    pub run_as_user: Option<i64>,
    /// GID and fsGroup (default 10001).
    pub run_as_group: Option<i64>,
    /// Mount the root filesystem read-only (default true; `/tmp` is an emptyDir).
    pub read_only_root_filesystem: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Toleration {
    pub key: Option<String>,
    /// `Exists` or `Equal`.
    pub operator: Option<String>,
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule`, `NoExecute`.
    pub effect: Option<String>,
}

/// Execution client of a node role.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ExecutionClient {
    /// op-reth: the supported execution client.
    #[default]
    OpReth,
    /// op-geth: legacy, end of support 2026-05-31.
    OpGeth,
}

/// Persistent volume of a role.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    /// Size as a Kubernetes quantity, e.g. `"500Gi"`.
    pub size: Option<String>,
    /// StorageClass name; the cluster default when absent.
    pub class: Option<String>,
}

/// op-node peer-to-peer settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct P2p {
    /// Extra bootnodes (ENRs or enodes), `--p2p.bootnodes`.
    #[serde(default)]
    pub bootnodes: Vec<String>,
    /// Extra static peers (multiaddrs), `--p2p.static`.
    #[serde(default)]
    pub static_peers: Vec<String>,
    /// Address other nodes reach this one at (`--p2p.advertise.ip`), e.g. a load balancer IP.
    pub advertise_ip: Option<String>,
    /// Disable discovery: op-node `--p2p.no-discovery`, op-reth `--disable-discovery`.
    #[serde(default)]
    pub no_discovery: bool,
}

/// A signing key: a key of a Kubernetes Secret holding a hex private key, or a remote signer (op-signer).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// Secret holding the hex private key.
    pub secret: Option<String>,
    /// Key inside that Secret.
    pub key: Option<String>,
    /// Remote signer endpoint (`--signer.endpoint`).
    pub endpoint: Option<String>,
    /// Address the remote signer signs for (`--signer.address`).
    pub address: Option<String>,
    /// Secret with `ca.crt`, `tls.crt`, `tls.key` for the remote signer's mutual TLS.
    pub tls_secret: Option<String>,
}

/// `[sequencer]`
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sequencer {
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub execution_client: ExecutionClient,
    #[serde(default)]
    pub storage: Storage,
    #[serde(default)]
    pub p2p: P2p,
    /// Block-signing key; its address must be `SystemConfig.unsafeBlockSigner()`.
    pub signing_key: Option<Signer>,
    /// `--sequencer.l1-confs` (default 4).
    pub l1_confs: Option<u64>,
    /// Start with the sequencer stopped (`--sequencer.stopped`); start it with `admin_startSequencer`.
    #[serde(default)]
    pub start_stopped: bool,
    /// Resources of the op-node container.
    pub op_node_resources: Option<Resources>,
    /// Extra op-node arguments, appended verbatim.
    #[serde(default)]
    pub op_node_args: Vec<String>,
    /// Extra execution-client arguments, appended verbatim.
    #[serde(default)]
    pub execution_args: Vec<String>,
    /// Let the sequencer's op-node and execution client discover peers. Off by default: the
    /// sequencer talks only to the peers it is given (`p2p.static_peers`) and the chain's
    /// replicas, which dial it.
    #[serde(default)]
    pub p2p_discovery: bool,
    /// How far back op-reth serves `eth_getProof` (`--rpc.eth-proof-window`) when op-proposer reads
    /// outputs from this node, as a duration (`12h`); converted to blocks with the chain's block time.
    pub proof_window: Option<String>,
    #[serde(default)]
    pub overrides: Common,
}

/// How a replica's op-node brings its execution client to the chain's head.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum SyncMode {
    /// The execution client syncs from its peers; op-node then follows L1 from the synced head.
    #[default]
    ExecutionLayer,
    /// op-node derives every block from L1 data (needs every blob since genesis).
    ConsensusLayer,
}

impl SyncMode {
    /// The op-node `--syncmode` value.
    pub fn as_flag(self) -> &'static str {
        match self {
            SyncMode::ExecutionLayer => "execution-layer",
            SyncMode::ConsensusLayer => "consensus-layer",
        }
    }
}

/// `[replicas]`
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Replicas {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Number of replica nodes (one StatefulSet each).
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub execution_client: ExecutionClient,
    #[serde(default)]
    pub storage: Storage,
    #[serde(default)]
    pub p2p: P2p,
    /// Where replicas forward transactions when the sequencer is not in this file (e.g. a public
    /// registry chain's sequencer endpoint). Ignored when `[sequencer]` is enabled.
    pub sequencer_http: Option<String>,
    /// Archive mode (needed by op-proposer/op-challenger backing nodes).
    #[serde(default)]
    pub archive: bool,
    /// `execution-layer` (default) or `consensus-layer` (op-node `--syncmode`).
    #[serde(default)]
    pub sync_mode: SyncMode,
    /// How far back op-reth serves `eth_getProof` (`--rpc.eth-proof-window`), as a duration (`12h`);
    /// converted to blocks with the chain's block time. Withdrawal proofs and op-challenger need it.
    pub proof_window: Option<String>,
    /// Route the replicas' RPC Service only to replicas that are caught up (within `[status]
    /// max_lag` blocks of the reference): each replica pod gets the readiness gate
    /// `opctl.io/caught-up`, which `opctl watch` (and `opctl apply` while it waits) keeps current.
    /// Needs a running `opctl watch` to follow the replicas after the apply. Off by default.
    #[serde(default)]
    pub readiness_gate: bool,
    pub op_node_resources: Option<Resources>,
    #[serde(default)]
    pub op_node_args: Vec<String>,
    #[serde(default)]
    pub execution_args: Vec<String>,
    #[serde(default)]
    pub overrides: Common,
}

impl Default for Replicas {
    fn default() -> Self {
        Replicas {
            enabled: false,
            count: 1,
            execution_client: ExecutionClient::default(),
            storage: Storage::default(),
            p2p: P2p::default(),
            sequencer_http: None,
            archive: false,
            sync_mode: SyncMode::default(),
            proof_window: None,
            readiness_gate: false,
            op_node_resources: None,
            op_node_args: Vec::new(),
            execution_args: Vec::new(),
            overrides: Common::default(),
        }
    }
}

/// `[batcher]`
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Batcher {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Transaction signer; its address must be the batcher in `SystemConfig.batcherHash()`.
    pub signer: Option<Signer>,
    /// `blobs` (default), `calldata` or `auto`.
    #[serde(default)]
    pub data_availability: DataAvailability,
    /// `--max-channel-duration` in L1 blocks (default 1500, about 5 hours).
    pub max_channel_duration: Option<u64>,
    /// Span batches (`--batch-type=1`, default true).
    pub span_batches: Option<bool>,
    #[serde(default)]
    pub extra_args: Vec<String>,
    #[serde(default)]
    pub overrides: Common,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DataAvailability {
    #[default]
    Blobs,
    Calldata,
    Auto,
}

/// `[proposer]`
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Proposer {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Transaction signer; must be the permissioned game's proposer when game type 1 is used.
    pub signer: Option<Signer>,
    /// `--proposal-interval` as a Go duration (default `1h`).
    pub proposal_interval: Option<String>,
    /// Game type to propose; defaults to the on-chain respected game type.
    pub game_type: Option<u32>,
    #[serde(default)]
    pub extra_args: Vec<String>,
    #[serde(default)]
    pub overrides: Common,
}

/// `[challenger]`
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Challenger {
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Transaction signer; must be the permissioned game's challenger when game type 1 is used.
    pub signer: Option<Signer>,
    /// `--game-types`, e.g. `["permissioned", "cannon-kona"]`. Empty (the default): the respected
    /// game type, every other enabled type op-challenger plays, and the type a super-root move
    /// replaced, from discovery.
    #[serde(default)]
    pub game_types: Vec<String>,
    /// Base URL (or directory) of absolute prestates named by hash, per fault-proof program:
    /// `cannon` (op-program, `--cannon-prestates-url`) and `cannon-kona` (kona-client,
    /// `--cannon-kona-prestates-url`). They are published under different locations.
    #[serde(default)]
    pub prestates: BTreeMap<String, String>,
    /// One base URL for every program (`--prestates-url`); enough only when the games in play
    /// run one program.
    pub prestates_url: Option<String>,
    #[serde(default)]
    pub storage: Storage,
    #[serde(default)]
    pub extra_args: Vec<String>,
    #[serde(default)]
    pub overrides: Common,
}

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

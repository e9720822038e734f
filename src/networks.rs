//! Every superchain-registry network opctl knows offline, so `network = "unichain-mainnet"` renders
//! without an L1 RPC: chain ids, endpoints, hardfork times, genesis and every L1 address and role.
//!
//! The data is `data/superchain-registry.json`, generated from the registry by
//! `scripts/gen-registry` and checked in (its header names the registry commit and date), compiled
//! in with `include_str!` and parsed once. Why not the `kona-registry` crate: its newest release
//! (0.4.5) carries registry data from mid-2025 (no Karst, no `karst_time`) and its `kona-genesis`
//! types refuse keys they do not know, such as `karst_time`; a generated file can be refreshed the
//! day the registry changes and reviewed as a diff. Chains removed from the registry (Base on
//! 2026-04-27, among others) are listed with the date and commit of their removal, so their old
//! names get a message saying what to do instead.
//!
//! Registry data is a snapshot: keys get rotated and contracts upgraded. When an L1 RPC is
//! given, on-chain values win and [`compare`] reports every disagreement.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use alloy::primitives::{Address, B256};
use serde::{Deserialize, Serialize};

use crate::model::discovery::{
    ContractInfo, ContractName, Discovery, ProofSystem, RoleName, Source, Sourced,
};
use crate::model::forks::{Fork, ForkSchedule};

/// The generated data file, compiled in.
pub const DATA: &str = include_str!("../data/superchain-registry.json");

/// Which registry commit the compiled-in data was generated from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryInfo {
    /// Repository URL.
    pub repository: String,
    /// Full commit hash.
    pub commit: String,
    /// Commit date, `YYYY-MM-DD`.
    pub date: String,
    /// The generator.
    pub generated_by: String,
}

/// One superchain (`superchain/configs/<name>/superchain.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Superchain {
    /// Human name, e.g. `Sepolia`.
    pub display_name: String,
    /// Its L1's chain id.
    pub l1_chain_id: u64,
    /// A public RPC of its L1.
    pub l1_public_rpc: Option<String>,
    /// SuperchainConfig proxy.
    pub superchain_config: Option<Address>,
    /// Superchain-wide activation times (`<fork>_time`), inherited by chains that opt in.
    pub hardforks: BTreeMap<String, u64>,
}

/// Fault-proof status as `chainList.toml` states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultProofs {
    /// Legacy L2OutputOracle (or no proofs at all).
    None,
    /// Permissioned dispute games only.
    Permissioned,
    /// Permissionless dispute games.
    Permissionless,
}

impl FaultProofs {
    /// The registry's word for it.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultProofs::None => "none",
            FaultProofs::Permissioned => "permissioned",
            FaultProofs::Permissionless => "permissionless",
        }
    }
}

/// An L1 or L2 block by hash and number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockId {
    pub hash: B256,
    pub number: u64,
}

/// The genesis `SystemConfig` values of rollup.json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisSystemConfig {
    pub batcher: Option<Address>,
    pub overhead: Option<B256>,
    pub scalar: Option<B256>,
    pub gas_limit: Option<u64>,
}

/// A chain's genesis as rollup.json states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    pub l1: BlockId,
    pub l2: BlockId,
    pub l2_time: u64,
    pub system_config: GenesisSystemConfig,
}

/// One registry chain (`superchain/configs/<superchain>/<stem>.toml` plus its addresses.json
/// entry and its fault-proof status in chainList.toml).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownNetwork {
    /// Registry identifier `<stem>-<superchain>` (op-node `--network`), e.g. `op-sepolia`.
    pub name: String,
    /// Human name, e.g. `OP Sepolia Testnet`.
    pub display_name: String,
    /// Superchain directory, e.g. `sepolia`.
    pub superchain: String,
    /// The chain's file in the registry.
    pub registry_path: String,
    /// L2 chain id.
    pub l2_chain_id: u64,
    /// L1 chain id (from the superchain).
    pub l1_chain_id: u64,
    /// Public RPC endpoint.
    pub public_rpc: Option<String>,
    /// Public sequencer endpoint, where replicas forward transactions.
    pub sequencer_rpc: Option<String>,
    /// Block explorer.
    pub explorer: Option<String>,
    /// Whether Optimism governance governs the chain.
    pub governed_by_optimism: bool,
    /// From when the chain takes superchain-wide hardforks (unset: it does not).
    pub superchain_time: Option<u64>,
    /// `eth-da` or `alt-da`.
    pub data_availability_type: String,
    /// Fault-proof status.
    pub fault_proofs: FaultProofs,
    /// Custom gas token, if any.
    pub gas_paying_token: Option<Address>,
    /// L2 block time (seconds).
    pub block_time: u64,
    /// Sequencing window (L1 blocks).
    pub seq_window_size: u64,
    /// Max sequencer drift (seconds).
    pub max_sequencer_drift: u64,
    /// Batch inbox.
    pub batch_inbox: Address,
    /// Activation times by registry key (`karst_time`), superchain inheritance applied.
    pub hardforks: BTreeMap<String, u64>,
    /// Karst upgrade-gas opt-out (registry `keep_karst_upgrade_gas`).
    pub keep_karst_upgrade_gas: bool,
    /// Hardfork keys the generator filled from the superchain (empty while the registry writes
    /// inherited times into each chain file itself, as it does since 2.0).
    pub inherited: Vec<String>,
    /// `[optimism]` EIP-1559 parameters.
    pub eip1559: Option<BTreeMap<String, u64>>,
    /// `[alt_da]`, for alt-DA chains.
    pub alt_da: Option<serde_json::Value>,
    /// Interop dependency set (chain ids).
    pub interop_dependencies: Vec<u64>,
    /// Genesis.
    pub genesis: Genesis,
    /// L1 contracts by registry name (`SystemConfigProxy`, ...).
    pub contracts: BTreeMap<String, Address>,
    /// Roles by registry name (`BatchSubmitter`, ...).
    pub roles: BTreeMap<String, Address>,
    /// op-reth's `--chain` name for it, `None` when op-reth has no built-in spec.
    pub op_reth_chain: Option<String>,
    /// Where the chain file and addresses.json disagreed, and which value was taken.
    pub notes: Vec<String>,
    /// SystemConfigProxy (the discovery entry point), from `contracts`.
    #[serde(skip)]
    pub system_config: Address,
}

/// A chain the registry once had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedNetwork {
    /// Its registry identifier then, e.g. `base-mainnet`.
    pub name: String,
    /// Its human name.
    pub display_name: String,
    /// Its superchain.
    pub superchain: String,
    /// Its L2 chain id.
    pub l2_chain_id: Option<u64>,
    /// When it was removed (`YYYY-MM-DD`).
    pub removed_on: String,
    /// The registry commit that removed it.
    pub commit: String,
    /// That commit's subject.
    pub reason: String,
}

/// The whole compiled-in registry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Registry {
    /// Data format version.
    pub schema: u32,
    /// Which registry commit.
    pub registry: RegistryInfo,
    /// Superchains by directory name.
    pub superchains: BTreeMap<String, Superchain>,
    /// Every chain, sorted by name.
    pub chains: Vec<KnownNetwork>,
    /// Chains removed from the registry, newest removal first.
    pub removed: Vec<RemovedNetwork>,
}

impl Registry {
    /// Parse a data file as `scripts/gen-registry` writes it.
    pub fn parse(text: &str) -> Result<Registry, String> {
        let mut r: Registry = serde_json::from_str(text).map_err(|e| e.to_string())?;
        for n in &mut r.chains {
            n.system_config = n
                .contracts
                .get("SystemConfigProxy")
                .copied()
                .ok_or_else(|| format!("{}: no SystemConfigProxy", n.name))?;
        }
        Ok(r)
    }
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| match Registry::parse(DATA) {
    Ok(r) => r,
    // The file is compiled in and parsed by the unit tests: this is a build defect, not input.
    Err(e) => panic!("data/superchain-registry.json does not parse: {e}"),
});

/// The compiled-in registry.
pub fn registry() -> &'static Registry {
    &REGISTRY
}

/// Every known network, sorted by name.
pub fn all() -> &'static [KnownNetwork] {
    &REGISTRY.chains
}

/// The network called `name` (a registry identifier).
pub fn lookup(name: &str) -> Option<&'static KnownNetwork> {
    REGISTRY.chains.iter().find(|n| n.name == name)
}

/// Names of all known networks.
pub fn names() -> impl Iterator<Item = &'static str> {
    REGISTRY.chains.iter().map(|n| n.name.as_str())
}

/// The removed chain called `name`, if the registry once had it.
pub fn removed(name: &str) -> Option<&'static RemovedNetwork> {
    REGISTRY.removed.iter().find(|n| n.name == name)
}

/// Why a `network` name is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkError {
    /// The registry removed it.
    #[error("`{}` ({}, chain id {}) was removed from the superchain registry on {} ({}, commit {}): opctl's registry data (superchain-registry {}, {}) no longer has it", .0.name, .0.display_name, .0.l2_chain_id.map_or("?".to_string(), |i| i.to_string()), .0.removed_on, .0.reason, short(&.0.commit), short(&REGISTRY.registry.commit), REGISTRY.registry.date)]
    Removed(&'static RemovedNetwork),
    /// Not a registry identifier.
    #[error("`{name}` is not a superchain-registry network{}", suggestion_text(.suggestions))]
    Unknown {
        /// What was asked for.
        name: String,
        /// The closest known names.
        suggestions: Vec<&'static str>,
    },
}

impl NetworkError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            NetworkError::Removed(_) => "describe it as a custom chain: remove `network`, set `chain.rollup_config` (its rollup.json) and `chain.genesis` (its genesis.json), and `contracts.system_config` (its SystemConfig proxy); opctl discovers the rest from L1 (`opctl discover`)".to_string(),
            NetworkError::Unknown { .. } => "`opctl networks` lists every known name (`<chain>-<superchain>`, e.g. `op-sepolia`, `unichain-mainnet`); for a chain outside the registry give `rollup_config` and `genesis` instead".to_string(),
        }
    }
}

fn short(commit: &str) -> &str {
    commit.get(..8).unwrap_or(commit)
}

fn suggestion_text(s: &[&str]) -> String {
    match s {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => format!(
            "; did you mean one of {}?",
            many.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The network called `name`, or why there is none (removed, or unknown with the closest names).
pub fn resolve(name: &str) -> Result<&'static KnownNetwork, NetworkError> {
    if let Some(n) = lookup(name) {
        return Ok(n);
    }
    if let Some(r) = removed(name) {
        return Err(NetworkError::Removed(r));
    }
    Err(NetworkError::Unknown {
        name: name.to_string(),
        suggestions: suggest(name),
    })
}

/// Up to three known names closest to `name`: names containing it (or contained in it) first,
/// then by edit distance (at most a third of the name's length, at least 2).
pub fn suggest(name: &str) -> Vec<&'static str> {
    let wanted = name.to_ascii_lowercase().replace('_', "-");
    let limit = (wanted.len() / 3).max(2);
    let mut scored: Vec<(usize, &'static str)> = names()
        .filter_map(|n| {
            let norm = n.replace('_', "-");
            let stem_match = !wanted.is_empty()
                && (norm.starts_with(&format!("{wanted}-"))
                    || wanted.starts_with(&format!("{norm}-")));
            let d = edit_distance(&wanted, &norm);
            if stem_match {
                Some((0, n))
            } else if d <= limit {
                Some((d, n))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Registry contract names and opctl's.
const CONTRACTS: [(&str, ContractName); 11] = [
    ("SystemConfigProxy", ContractName::SystemConfig),
    ("ProxyAdmin", ContractName::ProxyAdmin),
    ("OptimismPortalProxy", ContractName::OptimismPortal),
    (
        "L1CrossDomainMessengerProxy",
        ContractName::L1CrossDomainMessenger,
    ),
    ("L1StandardBridgeProxy", ContractName::L1StandardBridge),
    ("L1ERC721BridgeProxy", ContractName::L1Erc721Bridge),
    (
        "OptimismMintableERC20FactoryProxy",
        ContractName::OptimismMintableErc20Factory,
    ),
    ("SuperchainConfig", ContractName::SuperchainConfig),
    ("DisputeGameFactoryProxy", ContractName::DisputeGameFactory),
    (
        "AnchorStateRegistryProxy",
        ContractName::AnchorStateRegistry,
    ),
    ("L2OutputOracleProxy", ContractName::L2OutputOracle),
];

/// Registry role names and opctl's (`Challenger` is the output-deletion role on legacy chains).
const ROLES: [(&str, RoleName); 7] = [
    ("BatchSubmitter", RoleName::Batcher),
    ("UnsafeBlockSigner", RoleName::UnsafeBlockSigner),
    ("Proposer", RoleName::Proposer),
    ("Challenger", RoleName::Challenger),
    ("Guardian", RoleName::Guardian),
    ("SystemConfigOwner", RoleName::SystemConfigOwner),
    ("ProxyAdminOwner", RoleName::ProxyAdminOwner),
];

impl KnownNetwork {
    /// The L1 contracts the registry names, by opctl's names.
    pub fn contracts(&self) -> Vec<(ContractName, Address)> {
        CONTRACTS
            .iter()
            .filter_map(|(key, name)| self.contracts.get(*key).map(|a| (*name, *a)))
            .collect()
    }

    /// One contract by opctl's name.
    pub fn contract(&self, name: ContractName) -> Option<Address> {
        self.contracts()
            .into_iter()
            .find_map(|(n, a)| (n == name).then_some(a))
    }

    /// The roles the registry names, by opctl's names.
    pub fn roles(&self) -> Vec<(RoleName, Address)> {
        let legacy = self.proof_system() == Some(ProofSystem::OutputOracle);
        ROLES
            .iter()
            .filter_map(|(key, role)| {
                let role = match role {
                    RoleName::Challenger if legacy => RoleName::OutputChallenger,
                    r => *r,
                };
                self.roles.get(*key).map(|a| (role, *a))
            })
            .collect()
    }

    /// One role by opctl's name.
    pub fn role(&self, role: RoleName) -> Option<Address> {
        self.roles()
            .into_iter()
            .find_map(|(r, a)| (r == role).then_some(a))
    }

    /// Fault proofs when chainList says so; the output oracle for `none` chains that have one.
    pub fn proof_system(&self) -> Option<ProofSystem> {
        match self.fault_proofs {
            FaultProofs::Permissioned | FaultProofs::Permissionless => {
                Some(ProofSystem::FaultProofs)
            }
            FaultProofs::None if self.contracts.contains_key("L2OutputOracleProxy") => {
                Some(ProofSystem::OutputOracle)
            }
            FaultProofs::None => None,
        }
    }

    fn source(&self) -> Source {
        Source::Registry {
            network: self.name.clone(),
        }
    }

    /// The chain's hardfork schedule, sourced `registry <name>`. Regolith is active from genesis
    /// on every registry chain (op-node `rollup/superchain.go` sets `regolith_time = 0`); keys
    /// opctl does not know as forks (none at the data's commit) are left out.
    pub fn forks(&self) -> ForkSchedule {
        let mut s = ForkSchedule::new(self.source());
        s.times.insert(Fork::Regolith, 0);
        for (key, time) in &self.hardforks {
            if let Some(fork) = Fork::from_time_key(key) {
                s.times.insert(fork, *time);
            }
        }
        s
    }

    /// op-reth's `--chain` value for this network, if op-reth has it built in.
    pub fn op_reth_chain(&self) -> Option<&str> {
        self.op_reth_chain.as_deref()
    }

    /// The built-in data as an (offline) [`Discovery`]: every value sourced `registry <name>`,
    /// no block, no versions, no game implementations (those change with every upgrade).
    pub fn to_discovery(&self) -> Discovery {
        let mut d = Discovery::new(self.system_config);
        let source = self.source();
        d.l1_chain_id = Some(Sourced::new(self.l1_chain_id, source.clone()));
        d.l2_chain_id = Some(Sourced::new(self.l2_chain_id, source.clone()));
        d.batch_inbox = Some(Sourced::new(self.batch_inbox, source.clone()));
        d.start_block = Some(Sourced::new(self.genesis.l1.number, source.clone()));
        d.proof_system = self.proof_system();
        for (name, address) in self.contracts() {
            d.contracts.insert(
                name,
                ContractInfo {
                    address,
                    version: None,
                    source: source.clone(),
                },
            );
        }
        for (role, address) in self.roles() {
            d.roles.insert(role, Sourced::new(address, source.clone()));
        }
        d
    }
}

/// One value where the built-in registry data and the chain disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkMismatch {
    /// What differs, e.g. `roles.batcher`.
    pub field: String,
    /// Built-in value.
    pub registry: String,
    /// On-chain value (which wins).
    pub on_chain: String,
}

impl std::fmt::Display for NetworkMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: built-in registry data says {}, the chain says {} (using the chain's value)",
            self.field, self.registry, self.on_chain
        )
    }
}

/// Every value of `network` that on-chain discovery found to be different. Values discovery did
/// not read are not compared.
pub fn compare(network: &KnownNetwork, discovered: &Discovery) -> Vec<NetworkMismatch> {
    let mut out = Vec::new();
    let mut check = |field: String, registry: String, on_chain: Option<String>| {
        if let Some(on_chain) = on_chain {
            if on_chain != registry {
                out.push(NetworkMismatch {
                    field,
                    registry,
                    on_chain,
                });
            }
        }
    };
    check(
        "l1_chain_id".into(),
        network.l1_chain_id.to_string(),
        discovered.l1_chain_id.as_ref().map(|v| v.value.to_string()),
    );
    check(
        "l2_chain_id".into(),
        network.l2_chain_id.to_string(),
        discovered.l2_chain_id.as_ref().map(|v| v.value.to_string()),
    );
    check(
        "batch_inbox".into(),
        network.batch_inbox.to_string(),
        discovered.batch_inbox.as_ref().map(|v| v.value.to_string()),
    );
    for (name, address) in network.contracts() {
        let key = serde_json::to_value(name)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        check(
            format!("contracts.{key}"),
            address.to_string(),
            discovered.contract(name).map(|a| a.to_string()),
        );
    }
    for (role, address) in network.roles() {
        check(
            format!("roles.{role}"),
            address.to_string(),
            discovered.role(role).map(|a| a.to_string()),
        );
    }
    out
}

/// One row of `opctl networks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkSummary {
    pub name: String,
    pub display_name: String,
    pub superchain: String,
    pub l2_chain_id: u64,
    pub l1_chain_id: u64,
    pub fault_proofs: FaultProofs,
    /// The next fork after `now`: `{fork, time}`.
    pub next_fork: Option<crate::model::forks::Scheduled>,
    pub sequencer_rpc: Option<String>,
    pub op_reth_chain: Option<String>,
}

/// Every known network as `opctl networks` lists it, next forks counted from `now` (unix s).
pub fn summaries(now: u64) -> Vec<NetworkSummary> {
    all()
        .iter()
        .map(|n| NetworkSummary {
            name: n.name.clone(),
            display_name: n.display_name.clone(),
            superchain: n.superchain.clone(),
            l2_chain_id: n.l2_chain_id,
            l1_chain_id: n.l1_chain_id,
            fault_proofs: n.fault_proofs,
            next_fork: n.forks().next(now),
            sequencer_rpc: n.sequencer_rpc.clone(),
            op_reth_chain: n.op_reth_chain.clone(),
        })
        .collect()
}

/// `YYYY-MM-DD HH:MM UTC` of a unix time.
pub fn utc_time(secs: u64) -> String {
    crate::model::forks::format_utc(secs, "%Y-%m-%d %H:%M UTC")
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;

    #[test]
    fn the_compiled_in_data_parses_and_names_its_registry_commit_and_date() {
        let r = Registry::parse(DATA).expect("the data file parses");
        assert_eq!(r.schema, 1);
        assert_eq!(r.registry.commit.len(), 40);
        assert!(r.registry.commit.bytes().all(|b| b.is_ascii_hexdigit()));
        let d = r.registry.date.as_bytes();
        assert!(
            d.len() == 10 && d[4] == b'-' && d[7] == b'-',
            "{}",
            r.registry.date
        );
        assert_eq!(r.chains.len(), 53);
        let mut sorted = r.chains.iter().map(|n| n.name.clone()).collect::<Vec<_>>();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), r.chains.len(), "names are unique and sorted");
    }

    #[test]
    fn every_entry_has_what_rendering_needs() {
        for n in all() {
            let sc = &registry().superchains[&n.superchain];
            assert_eq!(n.l1_chain_id, sc.l1_chain_id, "{}", n.name);
            assert!(
                n.name.ends_with(&format!("-{}", n.superchain)),
                "{}",
                n.name
            );
            assert!(n.l2_chain_id > 0 && n.block_time > 0, "{}", n.name);
            assert_ne!(n.system_config, Address::ZERO, "{}", n.name);
            assert_ne!(n.batch_inbox, Address::ZERO, "{}", n.name);
            assert!(
                n.contract(ContractName::OptimismPortal).is_some(),
                "{}",
                n.name
            );
            assert!(n.public_rpc.is_some(), "{}", n.name);
            assert!(n.op_reth_chain.is_some(), "{}", n.name);
            assert_ne!(n.genesis.l2.hash, B256::ZERO, "{}", n.name);
            // Regolith, Canyon and Delta at least (swan-mainnet stops at Delta).
            let forks = n.forks();
            assert!(
                [Fork::Regolith, Fork::Canyon, Fork::Delta]
                    .iter()
                    .all(|f| forks.time(*f).is_some()),
                "{}",
                n.name
            );
            // Forks are scheduled in op-node's order (the blob-schedule switch is not a fork).
            let ordered: Vec<u64> = n
                .forks()
                .times
                .iter()
                .filter(|(f, _)| f.is_ordered())
                .map(|(_, t)| *t)
                .collect();
            assert!(
                ordered.windows(2).all(|w| w[0] <= w[1]),
                "{}: {ordered:?}",
                n.name
            );
        }
    }

    #[test]
    fn op_sepolia_and_unichain_carry_the_registry_values() {
        let sepolia = lookup("op-sepolia").expect("op-sepolia is built in");
        assert_eq!(
            (sepolia.l2_chain_id, sepolia.l1_chain_id),
            (11_155_420, 11_155_111)
        );
        assert_eq!(
            sepolia.system_config,
            address!("034edD2A225f7f429A63E0f1D2084B9E0A93b538")
        );
        assert_eq!(
            sepolia.sequencer_rpc.as_deref(),
            Some("https://sepolia-sequencer.optimism.io")
        );
        let forks = sepolia.forks();
        assert_eq!(forks.time(Fork::Karst), Some(1_781_712_001));
        assert_eq!(forks.time(Fork::PectraBlobSchedule), Some(1_742_486_400));
        assert_eq!(forks.source.to_string(), "registry op-sepolia");
        let uni = lookup("unichain-mainnet").expect("unichain is built in");
        assert_eq!((uni.l2_chain_id, uni.block_time), (130, 1));
        assert_eq!(uni.op_reth_chain(), Some("unichain"));
        assert_eq!(lookup("op-mainnet").map(|n| n.l1_chain_id), Some(1));
        assert_eq!(
            lookup("op-mainnet").and_then(|n| n.role(RoleName::Batcher)),
            Some(address!("6887246668a3b87F54DeB3b94Ba47a6f63F32985"))
        );
    }

    #[test]
    fn base_is_a_removed_network_with_its_date_and_what_to_do() {
        assert!(lookup("base-mainnet").is_none());
        let err = resolve("base-mainnet").expect_err("removed");
        let text = err.to_string();
        assert!(
            text.contains("removed from the superchain registry on 2026-04-27"),
            "{text}"
        );
        assert!(text.contains("chain id 8453"), "{text}");
        assert!(err.hint().contains("rollup_config") && err.hint().contains("genesis"));
        assert!(err.hint().contains("contracts.system_config"));
        assert!(matches!(
            resolve("base-sepolia"),
            Err(NetworkError::Removed(_))
        ));
    }

    #[test]
    fn unknown_names_get_the_closest_known_ones() {
        assert_eq!(suggest("op-sepolai"), vec!["op-sepolia"]);
        assert_eq!(
            suggest("unichain"),
            vec!["unichain-mainnet", "unichain-sepolia"]
        );
        let err = resolve("unichain").expect_err("not an identifier");
        assert!(
            err.to_string()
                .contains("did you mean one of `unichain-mainnet`, `unichain-sepolia`?"),
            "{err}"
        );
        assert!(suggest("qqqqqqqqqq").is_empty());
        assert_eq!(
            resolve("qqqqqqqqqq").expect_err("unknown").to_string(),
            "`qqqqqqqqqq` is not a superchain-registry network"
        );
    }

    #[test]
    fn legacy_chains_have_the_output_oracle_and_its_challenger_role() {
        let fraxtal = lookup("fraxtal-mainnet").expect("built in");
        assert_eq!(fraxtal.proof_system(), Some(ProofSystem::OutputOracle));
        let d = fraxtal.to_discovery();
        assert!(d.contract(ContractName::L2OutputOracle).is_some());
        assert!(d.contract(ContractName::DisputeGameFactory).is_none());
        assert!(d.role(RoleName::Challenger).is_none());
    }

    #[test]
    fn an_offline_discovery_is_sourced_from_the_registry() {
        let d = lookup("op-sepolia").expect("built in").to_discovery();
        assert_eq!(
            d.system_config,
            address!("034edD2A225f7f429A63E0f1D2084B9E0A93b538")
        );
        assert_eq!(d.block, None);
        assert_eq!(d.proof_system, Some(ProofSystem::FaultProofs));
        assert_eq!(
            d.contract(ContractName::DisputeGameFactory),
            Some(address!("05F9613aDB30026FFd634f38e5C4dFd30a197Fa1"))
        );
        assert_eq!(
            d.role(RoleName::Batcher),
            Some(address!("8F23BB38F531600e5d8FDDaAEC41F13FaB46E98c"))
        );
        let source = &d.roles[&RoleName::Batcher].source;
        assert_eq!(source.to_string(), "registry op-sepolia");
        assert!(!source.is_on_chain());
    }

    #[test]
    fn compare_reports_each_on_chain_difference() {
        let network = lookup("op-mainnet").expect("built in");
        let mut on_chain = network.to_discovery();
        assert!(compare(network, &on_chain).is_empty());
        let rotated = Address::repeat_byte(0x42);
        on_chain.roles.insert(
            RoleName::Batcher,
            Sourced::new(rotated, Source::call("SystemConfig", "batcherHash()")),
        );
        on_chain.l1_chain_id = Some(Sourced::new(
            11_155_111,
            Source::Rpc {
                method: "eth_chainId".into(),
            },
        ));
        on_chain
            .contracts
            .remove(&ContractName::AnchorStateRegistry);
        let mismatches = compare(network, &on_chain);
        let fields: Vec<&str> = mismatches.iter().map(|m| m.field.as_str()).collect();
        assert_eq!(fields, vec!["l1_chain_id", "roles.batcher"]);
        assert_eq!(mismatches[1].on_chain, rotated.to_string());
        assert!(mismatches[1]
            .to_string()
            .contains("using the chain's value"));
    }

    #[test]
    fn summaries_name_the_next_fork_after_now() {
        // 2026-06-01: Karst was scheduled on Sepolia for 2026-06-17 and on mainnet for 2026-07-08.
        let rows = summaries(1_780_272_000);
        let row = |name: &str| rows.iter().find(|r| r.name == name).expect(name);
        let next = row("op-sepolia").next_fork.expect("karst ahead");
        assert_eq!((next.fork, next.time), (Fork::Karst, 1_781_712_001));
        assert_eq!(
            row("op-mainnet").next_fork.map(|s| s.fork),
            Some(Fork::Karst)
        );
        // Long after: nothing scheduled.
        assert!(summaries(4_000_000_000)
            .iter()
            .all(|r| r.next_fork.is_none()));
    }

    #[test]
    fn unix_times_print_as_utc_dates() {
        assert_eq!(utc_time(0), "1970-01-01 00:00 UTC");
        // op-sepolia's karst_time: "Wed 17 Jun 2026 16:00:01 UTC" in the registry's comment.
        assert_eq!(utc_time(1_781_712_001), "2026-06-17 16:00 UTC");
        assert_eq!(utc_time(951_782_400), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn the_data_file_is_what_the_generator_writes() {
        // Regenerating needs the registry checkout; where it is present, the file must be current.
        let repo = std::env::var("OPCTL_REGISTRY_REPO").unwrap_or_else(|_| {
            "/work/.mirror/ethereum-optimism+superchain-registry/repo".to_string()
        });
        if !std::path::Path::new(&repo).is_dir() {
            eprintln!("skipped: no registry checkout at {repo}");
            return;
        }
        let commit = &registry().registry.commit;
        let out = std::process::Command::new("python3")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/gen-registry"))
            .args(["--repo", &repo, "--commit", commit, "--check"])
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

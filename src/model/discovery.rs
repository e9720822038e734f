//! What discovery found, as plain serialisable data: every contract address, role, version and
//! game, each with where it came from ([`Source`]). Pure data; the lock file stores it as is and
//! rendering reads it (re-exported from `crate::lock` so the core never imports the RPC edge).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use alloy::primitives::{Address, B256};
use serde::{Deserialize, Serialize};

/// Game type 0: permissionless Cannon fault proofs (op-program).
pub const GAME_TYPE_CANNON: u32 = 0;
/// Game type 1: permissioned Cannon (PermissionedDisputeGame: fixed proposer and challenger).
pub const GAME_TYPE_PERMISSIONED_CANNON: u32 = 1;
/// Game type 5: permissioned super-root games (Upgrade 20; fixed proposer and challenger).
pub const GAME_TYPE_SUPER_PERMISSIONED: u32 = 5;
/// Game type 8: permissionless Cannon with kona (the respected type after Upgrade 19).
pub const GAME_TYPE_CANNON_KONA: u32 = 8;
/// Game type 9: permissionless super-root Cannon with kona (Upgrade 20).
pub const GAME_TYPE_SUPER_CANNON_KONA: u32 = 9;

/// op-challenger's name of a known game type (its trace type), for display; see
/// [`crate::model::games`] for everything else about a type.
pub fn game_type_name(game_type: u32) -> Option<&'static str> {
    crate::model::games::game_kind(game_type).map(|k| k.trace_type.unwrap_or(k.constant))
}

/// An L1 block: what a discovery was read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRef {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
}

/// Where one value came from. Serialised as one string, e.g. `call SystemConfig.batcherHash()`,
/// `storage SystemConfig[eip1967.admin]`, `rpc eth_chainId`, `registry op-sepolia`,
/// `toml contracts.l1_standard_bridge`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// An on-chain getter call.
    Call {
        /// Contract name, e.g. `SystemConfig`.
        contract: String,
        /// Getter with arguments (and a byte range for packed values), e.g. `gameArgs(1)[124:144]`.
        getter: String,
    },
    /// An on-chain storage slot.
    Storage {
        /// Contract name.
        contract: String,
        /// Slot name, e.g. `eip1967.admin`.
        slot: String,
    },
    /// A plain JSON-RPC method, e.g. `eth_chainId`.
    Rpc {
        /// Method name.
        method: String,
    },
    /// opctl's built-in superchain-registry data for a network (see `crate::networks`).
    Registry {
        /// Network name, e.g. `op-sepolia`.
        network: String,
    },
    /// A value set explicitly in the chain TOML.
    Toml {
        /// TOML key path.
        key: String,
    },
}

impl Source {
    /// An on-chain call.
    pub fn call(contract: &str, getter: impl Into<String>) -> Self {
        Source::Call {
            contract: contract.to_owned(),
            getter: getter.into(),
        }
    }

    /// Whether the value was read on-chain (call, storage or RPC) rather than taken from
    /// built-in or configured knowledge.
    pub fn is_on_chain(&self) -> bool {
        matches!(
            self,
            Source::Call { .. } | Source::Storage { .. } | Source::Rpc { .. }
        )
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Call { contract, getter } => write!(f, "call {contract}.{getter}"),
            Source::Storage { contract, slot } => write!(f, "storage {contract}[{slot}]"),
            Source::Rpc { method } => write!(f, "rpc {method}"),
            Source::Registry { network } => write!(f, "registry {network}"),
            Source::Toml { key } => write!(f, "toml {key}"),
        }
    }
}

/// A [`Source`] string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid source {0:?}: expected `call C.getter()`, `storage C[slot]`, `rpc method`, `registry name` or `toml key`")]
pub struct SourceParseError(pub String);

impl FromStr for Source {
    type Err = SourceParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || SourceParseError(s.to_owned());
        let (kind, rest) = s.split_once(' ').ok_or_else(err)?;
        let rest = rest.trim();
        if rest.is_empty() {
            return Err(err());
        }
        match kind {
            "call" => {
                let (contract, getter) = rest.split_once('.').ok_or_else(err)?;
                Ok(Source::call(contract, getter))
            }
            "storage" => {
                let (contract, slot) = rest
                    .strip_suffix(']')
                    .and_then(|r| r.split_once('['))
                    .ok_or_else(err)?;
                Ok(Source::Storage {
                    contract: contract.to_owned(),
                    slot: slot.to_owned(),
                })
            }
            "rpc" => Ok(Source::Rpc {
                method: rest.to_owned(),
            }),
            "registry" => Ok(Source::Registry {
                network: rest.to_owned(),
            }),
            "toml" => Ok(Source::Toml {
                key: rest.to_owned(),
            }),
            _ => Err(err()),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

impl<T> Sourced<T> {
    /// Pairs a value with its source.
    pub fn new(value: T, source: Source) -> Self {
        Sourced { value, source }
    }
}

/// The L1 contracts discovery knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContractName {
    /// SystemConfig proxy: the entry point.
    SystemConfig,
    /// ProxyAdmin of the SystemConfig proxy.
    ProxyAdmin,
    /// OptimismPortal proxy (rollup.json `deposit_contract_address`).
    OptimismPortal,
    /// L1CrossDomainMessenger proxy.
    L1CrossDomainMessenger,
    /// L1StandardBridge proxy.
    L1StandardBridge,
    /// L1ERC721Bridge proxy.
    #[serde(rename = "l1_erc721_bridge")]
    L1Erc721Bridge,
    /// OptimismMintableERC20Factory proxy.
    #[serde(rename = "optimism_mintable_erc20_factory")]
    OptimismMintableErc20Factory,
    /// SuperchainConfig proxy.
    SuperchainConfig,
    /// DisputeGameFactory proxy (fault-proof chains).
    DisputeGameFactory,
    /// AnchorStateRegistry proxy (fault-proof chains).
    AnchorStateRegistry,
    /// L2OutputOracle proxy (legacy chains without fault proofs).
    L2OutputOracle,
}

impl ContractName {
    /// Every name, in display order.
    pub const ALL: [ContractName; 11] = [
        ContractName::SystemConfig,
        ContractName::ProxyAdmin,
        ContractName::OptimismPortal,
        ContractName::L1CrossDomainMessenger,
        ContractName::L1StandardBridge,
        ContractName::L1Erc721Bridge,
        ContractName::OptimismMintableErc20Factory,
        ContractName::SuperchainConfig,
        ContractName::DisputeGameFactory,
        ContractName::AnchorStateRegistry,
        ContractName::L2OutputOracle,
    ];

    /// The Solidity contract name, e.g. `L1ERC721Bridge`.
    pub fn solidity_name(self) -> &'static str {
        match self {
            ContractName::SystemConfig => "SystemConfig",
            ContractName::ProxyAdmin => "ProxyAdmin",
            ContractName::OptimismPortal => "OptimismPortal",
            ContractName::L1CrossDomainMessenger => "L1CrossDomainMessenger",
            ContractName::L1StandardBridge => "L1StandardBridge",
            ContractName::L1Erc721Bridge => "L1ERC721Bridge",
            ContractName::OptimismMintableErc20Factory => "OptimismMintableERC20Factory",
            ContractName::SuperchainConfig => "SuperchainConfig",
            ContractName::DisputeGameFactory => "DisputeGameFactory",
            ContractName::AnchorStateRegistry => "AnchorStateRegistry",
            ContractName::L2OutputOracle => "L2OutputOracle",
        }
    }
}

impl fmt::Display for ContractName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.solidity_name())
    }
}

/// The accounts the contracts authorise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoleName {
    /// Batch submitter: low 20 bytes of `SystemConfig.batcherHash()`.
    Batcher,
    /// Sequencer's P2P block-signing key: `SystemConfig.unsafeBlockSigner()`.
    UnsafeBlockSigner,
    /// Proposer: the PermissionedDisputeGame's proposer, or `L2OutputOracle.PROPOSER()` on
    /// legacy chains.
    Proposer,
    /// Challenger: the PermissionedDisputeGame's challenger.
    Challenger,
    /// `L2OutputOracle.CHALLENGER()` on legacy chains: the output-deletion role (usually a
    /// multisig), not op-challenger's key.
    OutputChallenger,
    /// `SystemConfig.owner()`.
    SystemConfigOwner,
    /// `ProxyAdmin.owner()`.
    ProxyAdminOwner,
    /// `OptimismPortal.guardian()`.
    Guardian,
}

impl RoleName {
    /// The name as written in lock files and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleName::Batcher => "batcher",
            RoleName::UnsafeBlockSigner => "unsafe_block_signer",
            RoleName::Proposer => "proposer",
            RoleName::Challenger => "challenger",
            RoleName::OutputChallenger => "output_challenger",
            RoleName::SystemConfigOwner => "system_config_owner",
            RoleName::ProxyAdminOwner => "proxy_admin_owner",
            RoleName::Guardian => "guardian",
        }
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One contract: address, version (when read) and where the address came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractInfo {
    /// Address (the proxy, for proxied contracts).
    pub address: Address,
    /// `version()` at the block read, when it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Where the address came from.
    pub source: Source,
}

/// How the chain proves outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProofSystem {
    /// DisputeGameFactory + dispute games (OptimismPortal2).
    FaultProofs,
    /// Legacy L2OutputOracle (OptimismPortal 2.x).
    OutputOracle,
}

/// Where a game's parameters live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GameArgsLayout {
    /// v1 games: immutables of the implementation, read with its getters.
    Immutables,
    /// v2 games: packed `DisputeGameFactory.gameArgs(gameType)`.
    GameArgs,
}

/// One enabled dispute game type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Game {
    /// Game type number.
    pub game_type: u32,
    /// Implementation (`DisputeGameFactory.gameImpls(t)`), with its version.
    pub implementation: ContractInfo,
    /// Where the parameters below come from.
    pub layout: GameArgsLayout,
    /// Absolute prestate (op-challenger's prestate must match).
    pub absolute_prestate: Sourced<B256>,
    /// The VM (MIPS) contract.
    pub vm: Sourced<Address>,
    /// DelayedWETH used for bonds.
    pub weth: Sourced<Address>,
    /// AnchorStateRegistry used by this game.
    pub anchor_state_registry: Sourced<Address>,
    /// L2 chain id the game is for.
    pub l2_chain_id: Sourced<u64>,
    /// Permissioned games only: the only account that may propose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposer: Option<Sourced<Address>>,
    /// Permissioned games only: the only account besides the proposer that may challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenger: Option<Sourced<Address>>,
}

/// L2OutputOracle parameters of a legacy chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputOracleParams {
    /// L2 blocks between outputs.
    pub submission_interval: Sourced<u64>,
    /// L2 block time in seconds.
    pub l2_block_time: Sourced<u64>,
    /// Finalization period in seconds.
    pub finalization_period_seconds: Sourced<u64>,
}

/// Everything discovery found, from the SystemConfig proxy outwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    /// The SystemConfig proxy discovery started from.
    pub system_config: Address,
    /// The L1 block every on-chain value was read at (`None` for built-in registry data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<BlockRef>,
    /// L1 chain id (`eth_chainId`, or the registry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l1_chain_id: Option<Sourced<u64>>,
    /// L2 chain id as L1 knows it (SystemConfig >= 3.x, the dispute games, or the registry).
    /// Legacy chains do not record it on L1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2_chain_id: Option<Sourced<u64>>,
    /// Batch inbox address (rollup.json `batch_inbox_address`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_inbox: Option<Sourced<Address>>,
    /// L1 block the chain starts from (`SystemConfig.startBlock()`, or the registry's genesis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_block: Option<Sourced<u64>>,
    /// Fault proofs or legacy output oracle (`None` when not known offline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_system: Option<ProofSystem>,
    /// `OptimismPortal.respectedGameType()` on fault-proof chains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respected_game_type: Option<Sourced<u32>>,
    /// Contracts by name.
    #[serde(default)]
    pub contracts: BTreeMap<ContractName, ContractInfo>,
    /// Roles by name.
    #[serde(default)]
    pub roles: BTreeMap<RoleName, Sourced<Address>>,
    /// Enabled dispute games by game type (decimal string keys, so TOML can hold them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub games: BTreeMap<String, Game>,
    /// L2OutputOracle parameters on legacy chains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_oracle: Option<OutputOracleParams>,
}

impl Discovery {
    /// An empty discovery for `system_config`, to be filled in.
    pub fn new(system_config: Address) -> Self {
        Discovery {
            system_config,
            block: None,
            l1_chain_id: None,
            l2_chain_id: None,
            batch_inbox: None,
            start_block: None,
            proof_system: None,
            respected_game_type: None,
            contracts: BTreeMap::new(),
            roles: BTreeMap::new(),
            games: BTreeMap::new(),
            output_oracle: None,
        }
    }

    /// Address of a contract, if known.
    pub fn contract(&self, name: ContractName) -> Option<Address> {
        self.contracts.get(&name).map(|c| c.address)
    }

    /// Address of a role, if known.
    pub fn role(&self, name: RoleName) -> Option<Address> {
        self.roles.get(&name).map(|r| r.value)
    }

    /// The game of one type, if enabled.
    pub fn game(&self, game_type: u32) -> Option<&Game> {
        self.games.get(&game_type.to_string())
    }

    /// Adds a game, keyed by its type.
    pub fn insert_game(&mut self, game: Game) {
        self.games.insert(game.game_type.to_string(), game);
    }

    /// The respected game type's value, if known.
    pub fn respected_game_type(&self) -> Option<u32> {
        self.respected_game_type.as_ref().map(|s| s.value)
    }

    /// Whether the respected game type is a permissioned one (1 PERMISSIONED_CANNON, 5
    /// SUPER_PERMISSIONED_CANNON), i.e. whether the proposer and challenger keys must be exactly
    /// that game's.
    pub fn permissioned_game_in_use(&self) -> bool {
        self.respected_game_type()
            .and_then(crate::model::games::game_kind)
            .is_some_and(|k| k.permissioned)
    }

    /// The game of the respected type, if that type is enabled.
    pub fn respected_game(&self) -> Option<&Game> {
        self.respected_game_type().and_then(|t| self.game(t))
    }

    /// Pins a contract to an address set in the chain TOML at `toml_key` (source
    /// `toml <key>`). Returns the entry it replaced, so the caller can report an on-chain value
    /// that differs from the pin.
    pub fn override_contract(
        &mut self,
        name: ContractName,
        address: Address,
        toml_key: &str,
    ) -> Option<ContractInfo> {
        let previous = self.contracts.get(&name).cloned();
        let version = previous
            .as_ref()
            .filter(|p| p.address == address)
            .and_then(|p| p.version.clone());
        self.contracts.insert(
            name,
            ContractInfo {
                address,
                version,
                source: Source::Toml {
                    key: toml_key.to_owned(),
                },
            },
        );
        previous
    }

    /// Pins a role to an address set in the chain TOML at `toml_key`. Returns the value it
    /// replaced.
    pub fn override_role(
        &mut self,
        role: RoleName,
        address: Address,
        toml_key: &str,
    ) -> Option<Sourced<Address>> {
        self.roles.insert(
            role,
            Sourced::new(
                address,
                Source::Toml {
                    key: toml_key.to_owned(),
                },
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_round_trip_through_their_string_form() {
        let cases = [
            Source::call("SystemConfig", "batcherHash()"),
            Source::call("DisputeGameFactory", "gameArgs(1)[124:144]"),
            Source::Storage {
                contract: "SystemConfig".into(),
                slot: "eip1967.admin".into(),
            },
            Source::Rpc {
                method: "eth_chainId".into(),
            },
            Source::Registry {
                network: "op-sepolia".into(),
            },
            Source::Toml {
                key: "contracts.l1_standard_bridge".into(),
            },
        ];
        for source in cases {
            let text = source.to_string();
            assert_eq!(text.parse::<Source>().as_ref(), Ok(&source), "{text}");
        }
        assert!("bogus".parse::<Source>().is_err());
        assert!("call nodot".parse::<Source>().is_err());
        assert!("storage X".parse::<Source>().is_err());
    }

    #[test]
    fn toml_overrides_replace_values_and_return_what_they_replaced() {
        let mut d = Discovery::new(Address::repeat_byte(1));
        d.contracts.insert(
            ContractName::L1StandardBridge,
            ContractInfo {
                address: Address::repeat_byte(2),
                version: Some("2.2.0".into()),
                source: Source::call("SystemConfig", "l1StandardBridge()"),
            },
        );
        let same = d.override_contract(
            ContractName::L1StandardBridge,
            Address::repeat_byte(2),
            "contracts.l1_standard_bridge",
        );
        assert_eq!(same.map(|c| c.address), Some(Address::repeat_byte(2)));
        let pinned = &d.contracts[&ContractName::L1StandardBridge];
        assert_eq!(
            pinned.version.as_deref(),
            Some("2.2.0"),
            "same address keeps its version"
        );
        assert_eq!(
            pinned.source.to_string(),
            "toml contracts.l1_standard_bridge"
        );
        let replaced = d.override_contract(
            ContractName::L1StandardBridge,
            Address::repeat_byte(3),
            "contracts.l1_standard_bridge",
        );
        assert_eq!(replaced.map(|c| c.address), Some(Address::repeat_byte(2)));
        assert_eq!(
            d.contracts[&ContractName::L1StandardBridge].version,
            None,
            "another address: version unknown"
        );
        assert_eq!(
            d.override_role(RoleName::Batcher, Address::repeat_byte(4), "roles.batcher"),
            None
        );
        assert_eq!(d.role(RoleName::Batcher), Some(Address::repeat_byte(4)));
    }

    #[test]
    fn a_discovery_round_trips_through_toml() {
        let mut d = Discovery::new(Address::repeat_byte(1));
        d.block = Some(BlockRef {
            number: 12,
            hash: B256::repeat_byte(2),
        });
        d.contracts.insert(
            ContractName::L1Erc721Bridge,
            ContractInfo {
                address: Address::repeat_byte(3),
                version: Some("2.1.0".into()),
                source: Source::call("SystemConfig", "l1ERC721Bridge()"),
            },
        );
        d.roles.insert(
            RoleName::Batcher,
            Sourced::new(
                Address::repeat_byte(4),
                Source::call("SystemConfig", "batcherHash()"),
            ),
        );
        let text = toml::to_string(&d).expect("serialises");
        assert!(text.contains("[contracts.l1_erc721_bridge]"), "{text}");
        let back: Discovery = toml::from_str(&text).expect("parses");
        assert_eq!(back, d);
    }
}

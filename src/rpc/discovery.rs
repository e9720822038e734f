//! Contract discovery from the SystemConfig proxy outwards (fact sheet section 3.1).
//!
//! Discovery plans *speculatively*: every getter any supported version of each contract has,
//! every probed game type's `gameImpls` and `gameArgs`, and every implementation getter of v1
//! games, each call's target being either the SystemConfig or an address returned by an earlier
//! call of the same plan (the portal named by `optimismPortal()`, the game implementation named
//! by `gameImpls(t)`, ...). The transport runs the whole plan at one L1 block in two HTTP
//! requests (chain id, header and the ProxyAdmin slot; then one lens `eth_call` with every call,
//! see `lens`). What the answers mean is decided here, after the fact, from each contract's
//! `version()` (see `versions`): a getter a version does not have is simply not looked at.

use alloy::primitives::{Address, B256, U256};

use super::abi::{
    IDisputeGame, IDisputeGameFactory, IL2OutputOracle, IOptimismPortal, IOwnable, ISemver,
    ISystemConfig,
};
use super::decode::{batcher_from_hash, decode_game_args, ranges, GameArgs};
use super::error::{CallFailure, DiscoveryError};
use super::reads::{CallError, CallHandle, Outcome, RawHandle, ReadSet, Results, Target};
use super::transport::L1Rpc;
use super::versions::{
    check_l2_output_oracle, dispute_game_factory_has_game_args, dispute_game_major, PortalLayout,
    SystemConfigLayout,
};
use crate::model::discovery::{
    ContractInfo, ContractName, Discovery, Game, GameArgsLayout, OutputOracleParams, ProofSystem,
    RoleName, Source, Sourced, GAME_TYPE_PERMISSIONED_CANNON, GAME_TYPE_SUPER_PERMISSIONED,
};
use crate::model::games::{game_kind, GAME_KINDS};

/// Game types probed with `gameImpls(t)`: every type `model::games::GAME_KINDS` defines (0-9,
/// the test types 254 and 255, and 1337).
pub const PROBED_GAME_TYPES: [u32; GAME_KINDS.len()] = {
    let mut out = [0u32; GAME_KINDS.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = GAME_KINDS[i].number;
        i += 1;
    }
    out
};

/// EIP-1967 admin slot.
pub const EIP1967_ADMIN_SLOT: B256 =
    alloy::primitives::b256!("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103");

const SC: &str = "SystemConfig";
const PORTAL: &str = "OptimismPortal";
const DGF: &str = "DisputeGameFactory";
const ASR: &str = "AnchorStateRegistry";
const L2OO: &str = "L2OutputOracle";

/// Discovers every contract, role and game reachable from the SystemConfig proxy at
/// `system_config`, reading all values at one L1 block. `origin` says where the SystemConfig
/// address itself came from (TOML, rollup.json, registry) and is recorded as its source.
///
/// On a SystemConfig 4.x (Upgrade 20) the batch inbox is not on L1: `batch_inbox` is `None`,
/// for the caller to fill from the rollup config or the registry.
pub async fn discover(
    rpc: &L1Rpc,
    system_config: Address,
    origin: Source,
) -> Result<Discovery, DiscoveryError> {
    let mut set = ReadSet::default();
    let plan = Plan::new(&mut set, system_config);
    let (chain_id, block, results) = rpc.read_pinned(&set, "discovery").await?;
    let sc = match plan.sc.decode(&results, system_config) {
        Ok(sc) => sc,
        Err(ScFailure::NoVersion(failure)) => {
            return Err(explain_missing_version(rpc, system_config, block.number, failure).await)
        }
        Err(ScFailure::Other(err)) => return Err(err),
    };
    let mut discovery = plan.assemble(sc, &results, origin)?;
    discovery.block = Some(block);
    discovery.l1_chain_id = Some(Sourced::new(
        chain_id,
        Source::Rpc {
            method: "eth_chainId".to_owned(),
        },
    ));
    Ok(discovery)
}

/// `version()` on the SystemConfig gave nothing usable: tell "no code" from "not a SystemConfig"
/// (costs one extra request, only on this error path).
async fn explain_missing_version(
    rpc: &L1Rpc,
    address: Address,
    block: u64,
    failure: CallFailure,
) -> DiscoveryError {
    if failure == CallFailure::Empty {
        let mut set = ReadSet::default();
        let code = set.code(SC, address);
        match rpc.read(&set, block, "SystemConfig code").await {
            Ok(results) if matches!(results.raw(code), Outcome::Empty) => {
                return DiscoveryError::NoCode {
                    what: "SystemConfig".to_owned(),
                    address,
                    block,
                }
            }
            Ok(_) => {}
            Err(err) => return err.into(),
        }
    }
    DiscoveryError::NotSystemConfig {
        address,
        reason: format!("version() {failure}"),
    }
}

// ---------------------------------------------------------------------------------------------
// SystemConfig

struct ScHandles {
    version: CallHandle<ISemver::versionCall>,
    owner: CallHandle<IOwnable::ownerCall>,
    batcher_hash: CallHandle<ISystemConfig::batcherHashCall>,
    unsafe_block_signer: CallHandle<ISystemConfig::unsafeBlockSignerCall>,
    portal: CallHandle<ISystemConfig::optimismPortalCall>,
    l1cdm: CallHandle<ISystemConfig::l1CrossDomainMessengerCall>,
    l1sb: CallHandle<ISystemConfig::l1StandardBridgeCall>,
    l1erc721: CallHandle<ISystemConfig::l1ERC721BridgeCall>,
    factory: CallHandle<ISystemConfig::optimismMintableERC20FactoryCall>,
    batch_inbox: CallHandle<ISystemConfig::batchInboxCall>,
    start_block: CallHandle<ISystemConfig::startBlockCall>,
    l2oo: CallHandle<ISystemConfig::l2OutputOracleCall>,
    dgf: CallHandle<ISystemConfig::disputeGameFactoryCall>,
    l2_chain_id: CallHandle<ISystemConfig::l2ChainIdCall>,
    superchain_config: CallHandle<ISystemConfig::superchainConfigCall>,
}

struct ScValues {
    address: Address,
    version: String,
    owner: Address,
    batcher: Address,
    unsafe_block_signer: Address,
    portal: Address,
    l1cdm: Address,
    l1sb: Address,
    l1erc721: Address,
    factory: Address,
    /// `None` on SystemConfig 4.x, which no longer has `batchInbox()`.
    batch_inbox: Option<Address>,
    start_block: u64,
    l2oo: Option<Address>,
    dgf: Option<Address>,
    l2_chain_id: Option<u64>,
    superchain_config: Option<Address>,
}

enum ScFailure {
    NoVersion(CallFailure),
    Other(DiscoveryError),
}

impl From<DiscoveryError> for ScFailure {
    fn from(err: DiscoveryError) -> Self {
        ScFailure::Other(err)
    }
}

impl ScHandles {
    fn plan(set: &mut ReadSet, a: Address) -> Self {
        ScHandles {
            version: set.call(SC, a, ISemver::versionCall {}),
            owner: set.call(SC, a, IOwnable::ownerCall {}),
            batcher_hash: set.call(SC, a, ISystemConfig::batcherHashCall {}),
            unsafe_block_signer: set.call(SC, a, ISystemConfig::unsafeBlockSignerCall {}),
            portal: set.call(SC, a, ISystemConfig::optimismPortalCall {}),
            l1cdm: set.call(SC, a, ISystemConfig::l1CrossDomainMessengerCall {}),
            l1sb: set.call(SC, a, ISystemConfig::l1StandardBridgeCall {}),
            l1erc721: set.call(SC, a, ISystemConfig::l1ERC721BridgeCall {}),
            factory: set.call(SC, a, ISystemConfig::optimismMintableERC20FactoryCall {}),
            batch_inbox: set.call(SC, a, ISystemConfig::batchInboxCall {}),
            start_block: set.call(SC, a, ISystemConfig::startBlockCall {}),
            l2oo: set.call(SC, a, ISystemConfig::l2OutputOracleCall {}),
            dgf: set.call(SC, a, ISystemConfig::disputeGameFactoryCall {}),
            l2_chain_id: set.call(SC, a, ISystemConfig::l2ChainIdCall {}),
            superchain_config: set.call(SC, a, ISystemConfig::superchainConfigCall {}),
        }
    }

    fn decode(&self, r: &Results, address: Address) -> Result<ScValues, ScFailure> {
        let version = r
            .get(&self.version)
            .map_err(|e| ScFailure::NoVersion(e.failure))?;
        let layout = SystemConfigLayout::from_version(address, &version)?;
        let hash = r
            .get(&self.batcher_hash)
            .map_err(|e| DiscoveryError::NotSystemConfig {
                address,
                reason: format!(
                    "it answers version() {version:?} but batcherHash() {}",
                    e.failure
                ),
            })?;
        let batcher = batcher_from_hash(hash).map_err(|detail| DiscoveryError::BadValue {
            contract: SC,
            getter: "batcherHash()".to_owned(),
            address,
            detail,
        })?;
        let need = |e: CallError| e.required(Some(&version));
        let nonzero = |a: Address| (a != Address::ZERO).then_some(a);
        let (l2oo, dgf, l2_chain_id, superchain_config) = match layout {
            SystemConfigLayout::V1_12 => {
                (nonzero(r.get(&self.l2oo).map_err(need)?), None, None, None)
            }
            SystemConfigLayout::V2 => (None, nonzero(r.get(&self.dgf).map_err(need)?), None, None),
            SystemConfigLayout::V3 | SystemConfigLayout::V4 => (
                None,
                nonzero(r.get(&self.dgf).map_err(need)?),
                Some(u256_to_u64(
                    r.get(&self.l2_chain_id).map_err(need)?,
                    SC,
                    "l2ChainId()",
                    address,
                )?),
                r.get(&self.superchain_config).ok().and_then(nonzero),
            ),
        };
        Ok(ScValues {
            address,
            owner: r.get(&self.owner).map_err(need)?,
            batcher,
            unsafe_block_signer: r.get(&self.unsafe_block_signer).map_err(need)?,
            portal: r.get(&self.portal).map_err(need)?,
            l1cdm: r.get(&self.l1cdm).map_err(need)?,
            l1sb: r.get(&self.l1sb).map_err(need)?,
            l1erc721: r.get(&self.l1erc721).map_err(need)?,
            factory: r.get(&self.factory).map_err(need)?,
            batch_inbox: if layout.has_batch_inbox() {
                Some(r.get(&self.batch_inbox).map_err(need)?)
            } else {
                None
            },
            start_block: u256_to_u64(
                r.get(&self.start_block).map_err(need)?,
                SC,
                "startBlock()",
                address,
            )?,
            l2oo,
            dgf,
            l2_chain_id,
            superchain_config,
            version,
        })
    }
}

fn u256_to_u64(
    value: U256,
    contract: &'static str,
    getter: &str,
    address: Address,
) -> Result<u64, DiscoveryError> {
    u64::try_from(value).map_err(|_| DiscoveryError::BadValue {
        contract,
        getter: getter.to_owned(),
        address,
        detail: format!("{value}, which does not fit in 64 bits"),
    })
}

// ---------------------------------------------------------------------------------------------
// The speculative plan beyond the SystemConfig

struct PortalHandles {
    version: CallHandle<ISemver::versionCall>,
    respected: CallHandle<IOptimismPortal::respectedGameTypeCall>,
    l2_oracle: CallHandle<IOptimismPortal::l2OracleCall>,
    l2_oracle_legacy: CallHandle<IOptimismPortal::L2_ORACLECall>,
    dgf: CallHandle<IOptimismPortal::disputeGameFactoryCall>,
    asr: CallHandle<IOptimismPortal::anchorStateRegistryCall>,
    guardian: CallHandle<IOptimismPortal::guardianCall>,
    system_config: CallHandle<IOptimismPortal::systemConfigCall>,
    superchain_config: CallHandle<IOptimismPortal::superchainConfigCall>,
}

struct PortalValues {
    version: String,
    layout: PortalLayout,
    respected: Option<u32>,
    l2_oracle: Option<(Address, &'static str)>,
    dgf: Option<Address>,
    asr: Option<Address>,
    guardian: Option<Address>,
    superchain_config: Option<Address>,
}

/// One probed game type: its implementation and `gameArgs`, the implementation's getters (which
/// only v1 games answer), and the `version()` of the AnchorStateRegistry the game names.
struct GameHandles {
    game_type: u32,
    implementation: CallHandle<IDisputeGameFactory::gameImplsCall>,
    args: CallHandle<IDisputeGameFactory::gameArgsCall>,
    version: CallHandle<ISemver::versionCall>,
    v1: V1GameHandles,
    asr_version: CallHandle<ISemver::versionCall>,
}

struct V1GameHandles {
    absolute_prestate: CallHandle<IDisputeGame::absolutePrestateCall>,
    vm: CallHandle<IDisputeGame::vmCall>,
    weth: CallHandle<IDisputeGame::wethCall>,
    asr: CallHandle<IDisputeGame::anchorStateRegistryCall>,
    l2_chain_id: CallHandle<IDisputeGame::l2ChainIdCall>,
    proposer: CallHandle<IDisputeGame::proposerCall>,
    challenger: CallHandle<IDisputeGame::challengerCall>,
}

struct DgfHandles {
    version: CallHandle<ISemver::versionCall>,
    games: Vec<GameHandles>,
}

struct L2ooHandles {
    version: CallHandle<ISemver::versionCall>,
    proposer_legacy: CallHandle<IL2OutputOracle::PROPOSERCall>,
    proposer: CallHandle<IL2OutputOracle::proposerCall>,
    challenger_legacy: CallHandle<IL2OutputOracle::CHALLENGERCall>,
    challenger: CallHandle<IL2OutputOracle::challengerCall>,
    interval_legacy: CallHandle<IL2OutputOracle::SUBMISSION_INTERVALCall>,
    interval: CallHandle<IL2OutputOracle::submissionIntervalCall>,
    block_time_legacy: CallHandle<IL2OutputOracle::L2_BLOCK_TIMECall>,
    block_time: CallHandle<IL2OutputOracle::l2BlockTimeCall>,
    finalization_legacy: CallHandle<IL2OutputOracle::FINALIZATION_PERIOD_SECONDSCall>,
    finalization: CallHandle<IL2OutputOracle::finalizationPeriodSecondsCall>,
}

struct L2ooValues {
    address: Address,
    source: Source,
    version: String,
    proposer: Sourced<Address>,
    challenger: Option<Sourced<Address>>,
    params: OutputOracleParams,
}

/// Every read of a discovery.
struct Plan {
    sc: ScHandles,
    proxy_admin_slot: RawHandle,
    proxy_admin_owner: CallHandle<IOwnable::ownerCall>,
    portal: PortalHandles,
    /// Bridges, messenger and factory: name, SystemConfig getter, `version()`.
    versions: Vec<(ContractName, &'static str, CallHandle<ISemver::versionCall>)>,
    superchain_config: CallHandle<ISemver::versionCall>,
    dgf: DgfHandles,
    portal_asr_version: CallHandle<ISemver::versionCall>,
    l2oo: L2ooHandles,
}

impl Plan {
    fn new(set: &mut ReadSet, system_config: Address) -> Plan {
        let sc = ScHandles::plan(set, system_config);
        let proxy_admin_slot = set.storage(SC, system_config, EIP1967_ADMIN_SLOT, "eip1967.admin");
        let proxy_admin_owner = set.getter_via(
            "ProxyAdmin",
            vec![proxy_admin_slot.address()],
            IOwnable::ownerCall {},
        );
        let p = vec![sc.portal.address_word(0)];
        let portal = PortalHandles {
            version: set.getter_via(PORTAL, p.clone(), ISemver::versionCall {}),
            respected: set.getter_via(PORTAL, p.clone(), IOptimismPortal::respectedGameTypeCall {}),
            l2_oracle: set.getter_via(PORTAL, p.clone(), IOptimismPortal::l2OracleCall {}),
            l2_oracle_legacy: set.getter_via(PORTAL, p.clone(), IOptimismPortal::L2_ORACLECall {}),
            dgf: set.getter_via(
                PORTAL,
                p.clone(),
                IOptimismPortal::disputeGameFactoryCall {},
            ),
            asr: set.getter_via(
                PORTAL,
                p.clone(),
                IOptimismPortal::anchorStateRegistryCall {},
            ),
            guardian: set.getter_via(PORTAL, p.clone(), IOptimismPortal::guardianCall {}),
            system_config: set.getter_via(PORTAL, p.clone(), IOptimismPortal::systemConfigCall {}),
            superchain_config: set.getter_via(PORTAL, p, IOptimismPortal::superchainConfigCall {}),
        };
        let versions = [
            (
                ContractName::L1CrossDomainMessenger,
                "l1CrossDomainMessenger()",
                sc.l1cdm.address_word(0),
            ),
            (
                ContractName::L1StandardBridge,
                "l1StandardBridge()",
                sc.l1sb.address_word(0),
            ),
            (
                ContractName::L1Erc721Bridge,
                "l1ERC721Bridge()",
                sc.l1erc721.address_word(0),
            ),
            (
                ContractName::OptimismMintableErc20Factory,
                "optimismMintableERC20Factory()",
                sc.factory.address_word(0),
            ),
        ]
        .into_iter()
        .map(|(name, getter, target)| {
            let h = set.getter_via(name.solidity_name(), vec![target], ISemver::versionCall {});
            (name, getter, h)
        })
        .collect();
        let superchain_config = set.getter_via(
            "SuperchainConfig",
            vec![
                sc.superchain_config.address_word(0),
                portal.superchain_config.address_word(0),
            ],
            ISemver::versionCall {},
        );
        // The factory: the SystemConfig's (2.x own slot, 3.x via the portal), else the portal's.
        let f = vec![sc.dgf.address_word(0), portal.dgf.address_word(0)];
        let dgf = DgfHandles {
            version: set.getter_via(DGF, f.clone(), ISemver::versionCall {}),
            games: PROBED_GAME_TYPES
                .iter()
                .map(|&t| plan_game(set, &f, t))
                .collect(),
        };
        let portal_asr_version = set.getter_via(
            ASR,
            vec![portal.asr.address_word(0)],
            ISemver::versionCall {},
        );
        let o = vec![
            sc.l2oo.address_word(0),
            portal.l2_oracle.address_word(0),
            portal.l2_oracle_legacy.address_word(0),
        ];
        let l2oo = L2ooHandles {
            version: set.getter_via(L2OO, o.clone(), ISemver::versionCall {}),
            proposer_legacy: set.getter_via(L2OO, o.clone(), IL2OutputOracle::PROPOSERCall {}),
            proposer: set.getter_via(L2OO, o.clone(), IL2OutputOracle::proposerCall {}),
            challenger_legacy: set.getter_via(L2OO, o.clone(), IL2OutputOracle::CHALLENGERCall {}),
            challenger: set.getter_via(L2OO, o.clone(), IL2OutputOracle::challengerCall {}),
            interval_legacy: set.getter_via(
                L2OO,
                o.clone(),
                IL2OutputOracle::SUBMISSION_INTERVALCall {},
            ),
            interval: set.getter_via(L2OO, o.clone(), IL2OutputOracle::submissionIntervalCall {}),
            block_time_legacy: set.getter_via(
                L2OO,
                o.clone(),
                IL2OutputOracle::L2_BLOCK_TIMECall {},
            ),
            block_time: set.getter_via(L2OO, o.clone(), IL2OutputOracle::l2BlockTimeCall {}),
            finalization_legacy: set.getter_via(
                L2OO,
                o.clone(),
                IL2OutputOracle::FINALIZATION_PERIOD_SECONDSCall {},
            ),
            finalization: set.getter_via(
                L2OO,
                o,
                IL2OutputOracle::finalizationPeriodSecondsCall {},
            ),
        };
        Plan {
            sc,
            proxy_admin_slot,
            proxy_admin_owner,
            portal,
            versions,
            superchain_config,
            dgf,
            portal_asr_version,
            l2oo,
        }
    }

    /// Interprets the answers, version by version, into a [`Discovery`].
    fn assemble(
        &self,
        sc: ScValues,
        r: &Results,
        origin: Source,
    ) -> Result<Discovery, DiscoveryError> {
        let portal = decode_portal(&self.portal, r, &sc)?;
        let mut d = Discovery::new(sc.address);
        d.contracts.insert(
            ContractName::SystemConfig,
            ContractInfo {
                address: sc.address,
                version: Some(sc.version.clone()),
                source: origin,
            },
        );
        d.contracts.insert(
            ContractName::OptimismPortal,
            ContractInfo {
                address: sc.portal,
                version: Some(portal.version.clone()),
                source: Source::call(SC, "optimismPortal()"),
            },
        );
        for (name, getter, version) in &self.versions {
            let address = r.address_of(version);
            d.contracts.insert(
                *name,
                ContractInfo {
                    address: if address == Address::ZERO {
                        sc_address_of(&sc, *name)
                    } else {
                        address
                    },
                    version: r.get(version).ok(),
                    source: Source::call(SC, *getter),
                },
            );
        }
        let superchain_config = match (sc.superchain_config, portal.superchain_config) {
            (Some(a), _) => Some((a, Source::call(SC, "superchainConfig()"))),
            (None, Some(a)) => Some((a, Source::call(PORTAL, "superchainConfig()"))),
            (None, None) => None,
        };
        if let Some((address, source)) = superchain_config {
            d.contracts.insert(
                ContractName::SuperchainConfig,
                ContractInfo {
                    address,
                    version: version_at(r, &[&self.superchain_config], address),
                    source,
                },
            );
        }
        let admin = match r.raw(self.proxy_admin_slot) {
            Outcome::Data(word) if word.len() == 32 => {
                Some(Address::from_slice(&word[12..])).filter(|a| *a != Address::ZERO)
            }
            _ => None,
        };
        if let Some(admin) = admin {
            d.contracts.insert(
                ContractName::ProxyAdmin,
                ContractInfo {
                    address: admin,
                    version: None,
                    source: Source::Storage {
                        contract: SC.to_owned(),
                        slot: "eip1967.admin".to_owned(),
                    },
                },
            );
            if r.address_of(&self.proxy_admin_owner) == admin {
                if let Ok(owner) = r.get(&self.proxy_admin_owner) {
                    d.roles.insert(
                        RoleName::ProxyAdminOwner,
                        Sourced::new(owner, Source::call("ProxyAdmin", "owner()")),
                    );
                }
            }
        }
        let call = |contract: &str, getter: &str| Source::call(contract, getter);
        d.roles.insert(
            RoleName::Batcher,
            Sourced::new(sc.batcher, call(SC, "batcherHash()")),
        );
        d.roles.insert(
            RoleName::UnsafeBlockSigner,
            Sourced::new(sc.unsafe_block_signer, call(SC, "unsafeBlockSigner()")),
        );
        d.roles.insert(
            RoleName::SystemConfigOwner,
            Sourced::new(sc.owner, call(SC, "owner()")),
        );
        if let Some(guardian) = portal.guardian {
            d.roles.insert(
                RoleName::Guardian,
                Sourced::new(guardian, call(PORTAL, "guardian()")),
            );
        }
        d.batch_inbox = sc
            .batch_inbox
            .map(|inbox| Sourced::new(inbox, call(SC, "batchInbox()")));
        d.start_block = Some(Sourced::new(sc.start_block, call(SC, "startBlock()")));
        if let Some(id) = sc.l2_chain_id {
            d.l2_chain_id = Some(Sourced::new(id, call(SC, "l2ChainId()")));
        }
        if portal.layout.fault_proofs() {
            self.assemble_fault_proofs(&sc, &portal, r, &mut d)?;
        } else {
            self.assemble_output_oracle(&sc, &portal, r, &mut d)?;
        }
        Ok(d)
    }

    fn assemble_fault_proofs(
        &self,
        sc: &ScValues,
        portal: &PortalValues,
        r: &Results,
        d: &mut Discovery,
    ) -> Result<(), DiscoveryError> {
        d.proof_system = Some(ProofSystem::FaultProofs);
        let respected = portal.respected.unwrap_or_default();
        d.respected_game_type = Some(Sourced::new(
            respected,
            Source::call(PORTAL, "respectedGameType()"),
        ));
        let (dgf, dgf_source) = match (sc.dgf, portal.dgf) {
            (Some(a), _) => (a, Source::call(SC, "disputeGameFactory()")),
            (None, Some(a)) => (a, Source::call(PORTAL, "disputeGameFactory()")),
            (None, None) => {
                return Err(DiscoveryError::Inconsistent {
                    detail: format!(
                        "OptimismPortal {} {} uses fault proofs but neither it nor the SystemConfig names a \
                         DisputeGameFactory",
                        sc.portal, portal.version
                    ),
                })
            }
        };
        let read_at = r.address_of(&self.dgf.version);
        if read_at != dgf {
            return Err(DiscoveryError::Inconsistent {
                detail: format!(
                    "{dgf_source} is {dgf}, but the SystemConfig and the portal name different \
                     DisputeGameFactories ({read_at} was read); pin contracts.dispute_game_factory"
                ),
            });
        }
        let version = r.get(&self.dgf.version).map_err(|e| e.required(None))?;
        let has_game_args = dispute_game_factory_has_game_args(dgf, &version)?;
        d.contracts.insert(
            ContractName::DisputeGameFactory,
            ContractInfo {
                address: dgf,
                version: Some(version.clone()),
                source: dgf_source,
            },
        );
        for g in &self.dgf.games {
            let t = g.game_type;
            let implementation = r
                .get(&g.implementation)
                .map_err(|e| e.required(Some(&version)))?;
            if implementation == Address::ZERO {
                continue;
            }
            let args = if has_game_args {
                match r.get(&g.args) {
                    Ok(bytes) if bytes.is_empty() => None,
                    Ok(bytes) => Some(decode_game_args(&bytes).map_err(|detail| {
                        DiscoveryError::BadValue {
                            contract: DGF,
                            getter: format!("gameArgs({t})"),
                            address: dgf,
                            detail,
                        }
                    })?),
                    Err(e) => return Err(e.required(Some(&version))),
                }
            } else {
                None
            };
            d.insert_game(decode_game(g, implementation, args.as_ref(), r)?);
        }
        // The AnchorStateRegistry: the portal's (4.x+), else the one the respected (or a
        // permissioned, or the first) game uses.
        let from_games = || {
            d.game(respected)
                .or_else(|| d.game(GAME_TYPE_PERMISSIONED_CANNON))
                .or_else(|| d.game(GAME_TYPE_SUPER_PERMISSIONED))
                .or_else(|| d.games.values().next())
                .map(|g| {
                    (
                        g.anchor_state_registry.value,
                        g.anchor_state_registry.source.clone(),
                    )
                })
        };
        let asr = match portal.asr {
            Some(a) => Some((a, Source::call(PORTAL, "anchorStateRegistry()"))),
            None => from_games(),
        };
        if let Some((address, source)) = asr {
            let mut candidates = vec![&self.portal_asr_version];
            candidates.extend(self.dgf.games.iter().map(|g| &g.asr_version));
            d.contracts.insert(
                ContractName::AnchorStateRegistry,
                ContractInfo {
                    address,
                    version: version_at(r, &candidates, address),
                    source,
                },
            );
        }
        // Proposer and challenger: the respected game's when it is permissioned, else those of
        // the permissioned games there are (1 before 5).
        let permissioned = d
            .respected_game()
            .filter(|g| game_kind(g.game_type).is_some_and(|k| k.permissioned))
            .or_else(|| d.game(GAME_TYPE_PERMISSIONED_CANNON))
            .or_else(|| d.game(GAME_TYPE_SUPER_PERMISSIONED))
            .cloned();
        if let Some(game) = permissioned {
            if let Some(p) = game.proposer {
                d.roles.insert(RoleName::Proposer, p);
            }
            if let Some(c) = game.challenger {
                d.roles.insert(RoleName::Challenger, c);
            }
        }
        if d.l2_chain_id.is_none() {
            let game = d.game(respected).or_else(|| d.games.values().next());
            d.l2_chain_id = game.map(|g| g.l2_chain_id.clone());
        }
        Ok(())
    }

    fn assemble_output_oracle(
        &self,
        sc: &ScValues,
        portal: &PortalValues,
        r: &Results,
        d: &mut Discovery,
    ) -> Result<(), DiscoveryError> {
        d.proof_system = Some(ProofSystem::OutputOracle);
        let (address, source) = match (sc.l2oo, portal.l2_oracle) {
            (Some(a), _) => (a, Source::call(SC, "l2OutputOracle()")),
            (None, Some((a, getter))) => (a, Source::call(PORTAL, getter)),
            (None, None) => {
                return Err(DiscoveryError::Inconsistent {
                    detail: format!(
                    "OptimismPortal {} {} is a pre-fault-proof portal but names no L2OutputOracle \
                         (l2Oracle() and L2_ORACLE() gave nothing)",
                    sc.portal, portal.version
                ),
                })
            }
        };
        let read_at = r.address_of(&self.l2oo.version);
        if read_at != address {
            return Err(DiscoveryError::Inconsistent {
                detail: format!(
                    "{source} is {address}, but the SystemConfig and the portal name different \
                     L2OutputOracles ({read_at} was read); pin contracts.l2_output_oracle"
                ),
            });
        }
        let l2oo = decode_l2oo(&self.l2oo, r, address, source)?;
        d.contracts.insert(
            ContractName::L2OutputOracle,
            ContractInfo {
                address: l2oo.address,
                version: Some(l2oo.version),
                source: l2oo.source,
            },
        );
        d.roles.insert(RoleName::Proposer, l2oo.proposer);
        if let Some(c) = l2oo.challenger {
            d.roles.insert(RoleName::OutputChallenger, c);
        }
        d.output_oracle = Some(l2oo.params);
        Ok(())
    }
}

/// The reads of one probed game type, on the factory at `factory`.
fn plan_game(set: &mut ReadSet, factory: &[Target], t: u32) -> GameHandles {
    let implementation = set.call_via(
        DGF,
        factory.to_vec(),
        IDisputeGameFactory::gameImplsCall { gameType: t },
        format!("gameImpls({t})"),
    );
    let args = set.call_via(
        DGF,
        factory.to_vec(),
        IDisputeGameFactory::gameArgsCall { gameType: t },
        format!("gameArgs({t})"),
    );
    let name = game_contract_name(t);
    let i = vec![implementation.address_word(0)];
    let v1 = V1GameHandles {
        absolute_prestate: set.getter_via(name, i.clone(), IDisputeGame::absolutePrestateCall {}),
        vm: set.getter_via(name, i.clone(), IDisputeGame::vmCall {}),
        weth: set.getter_via(name, i.clone(), IDisputeGame::wethCall {}),
        asr: set.getter_via(name, i.clone(), IDisputeGame::anchorStateRegistryCall {}),
        l2_chain_id: set.getter_via(name, i.clone(), IDisputeGame::l2ChainIdCall {}),
        proposer: set.getter_via(name, i.clone(), IDisputeGame::proposerCall {}),
        challenger: set.getter_via(name, i.clone(), IDisputeGame::challengerCall {}),
    };
    let version = set.getter_via(name, i, ISemver::versionCall {});
    // v2 games name their AnchorStateRegistry in gameArgs [52:72], v1 games by a getter.
    let asr_version = set.getter_via(
        ASR,
        vec![args.address_in_bytes(52), v1.asr.address_word(0)],
        ISemver::versionCall {},
    );
    GameHandles {
        game_type: t,
        implementation,
        args,
        version,
        v1,
        asr_version,
    }
}

/// The `version()` of the contract at `address`, from whichever of `reads` went there.
fn version_at(
    r: &Results,
    reads: &[&CallHandle<ISemver::versionCall>],
    address: Address,
) -> Option<String> {
    reads
        .iter()
        .filter(|h| r.address_of(h) == address)
        .find_map(|h| r.get(h).ok())
}

/// The address the SystemConfig named for a bridge-like contract (used when its `version()`
/// was not called because that address was zero).
fn sc_address_of(sc: &ScValues, name: ContractName) -> Address {
    match name {
        ContractName::L1CrossDomainMessenger => sc.l1cdm,
        ContractName::L1StandardBridge => sc.l1sb,
        ContractName::L1Erc721Bridge => sc.l1erc721,
        ContractName::OptimismMintableErc20Factory => sc.factory,
        _ => Address::ZERO,
    }
}

fn decode_portal(
    h: &PortalHandles,
    r: &Results,
    sc: &ScValues,
) -> Result<PortalValues, DiscoveryError> {
    let address = sc.portal;
    let version = r.get(&h.version).map_err(|e| e.required(None))?;
    let layout = PortalLayout::from_version(address, &version)?;
    if let Ok(back) = r.get(&h.system_config) {
        if back != sc.address {
            return Err(DiscoveryError::Inconsistent {
                detail: format!(
                    "SystemConfig {} names OptimismPortal {address}, but that portal's systemConfig() is {back}; \
                     check that {} is the SystemConfig proxy of this chain",
                    sc.address, sc.address
                ),
            });
        }
    }
    let nonzero = |a: Address| (a != Address::ZERO).then_some(a);
    let respected = if layout.fault_proofs() {
        Some(
            r.get(&h.respected)
                .map_err(|e| e.required(Some(&version)))?,
        )
    } else {
        None
    };
    let l2_oracle = if layout.fault_proofs() {
        None
    } else {
        r.get(&h.l2_oracle)
            .ok()
            .and_then(nonzero)
            .map(|a| (a, "l2Oracle()"))
            .or_else(|| {
                r.get(&h.l2_oracle_legacy)
                    .ok()
                    .and_then(nonzero)
                    .map(|a| (a, "L2_ORACLE()"))
            })
    };
    Ok(PortalValues {
        respected,
        l2_oracle,
        dgf: if layout.fault_proofs() {
            r.get(&h.dgf).ok().and_then(nonzero)
        } else {
            None
        },
        asr: match layout {
            PortalLayout::FaultProofsV4 => r.get(&h.asr).ok().and_then(nonzero),
            _ => None,
        },
        guardian: r.get(&h.guardian).ok().and_then(nonzero),
        superchain_config: r.get(&h.superchain_config).ok().and_then(nonzero),
        version,
        layout,
    })
}

/// The Solidity contract behind a game type, for messages and value sources.
fn game_contract_name(game_type: u32) -> &'static str {
    match game_kind(game_type).map(|k| (k.super_root, k.permissioned)) {
        Some((false, true)) => "PermissionedDisputeGame",
        Some((true, true)) => "SuperPermissionedDisputeGame",
        Some((true, false)) => "SuperFaultDisputeGame",
        _ => "FaultDisputeGame",
    }
}

/// One enabled game type: parameters from `args` (v2) or from the implementation's getters (v1).
fn decode_game(
    h: &GameHandles,
    implementation: Address,
    args: Option<&GameArgs>,
    r: &Results,
) -> Result<Game, DiscoveryError> {
    let t = h.game_type;
    let name = game_contract_name(t);
    let version = r.get(&h.version).ok();
    if let Some(v) = &version {
        let major = dispute_game_major(name, implementation, v)?;
        let expected = if args.is_some() { 2 } else { 1 };
        if major != expected {
            return Err(DiscoveryError::Inconsistent {
                detail: format!(
                    "{name} {} (game type {t}) is version {v}, but DisputeGameFactory {} gameArgs({t}); \
                     v1 games keep their parameters in the implementation, v2 games in gameArgs",
                    implementation,
                    if args.is_some() { "has" } else { "has no" }
                ),
            });
        }
    }
    let implementation_info = ContractInfo {
        address: implementation,
        version: version.clone(),
        source: Source::call(DGF, format!("gameImpls({t})")),
    };
    let game = match args {
        Some(args) => {
            let src = |range: &str| Source::call(DGF, format!("gameArgs({t}){range}"));
            Game {
                game_type: t,
                implementation: implementation_info.clone(),
                layout: GameArgsLayout::GameArgs,
                absolute_prestate: Sourced::new(
                    args.absolute_prestate,
                    src(ranges::ABSOLUTE_PRESTATE),
                ),
                vm: Sourced::new(args.vm, src(ranges::VM)),
                weth: Sourced::new(args.weth, src(ranges::WETH)),
                anchor_state_registry: Sourced::new(
                    args.anchor_state_registry,
                    src(ranges::ANCHOR_STATE_REGISTRY),
                ),
                l2_chain_id: Sourced::new(
                    u256_to_u64(
                        args.l2_chain_id,
                        DGF,
                        &format!("gameArgs({t})"),
                        implementation,
                    )?,
                    src(ranges::L2_CHAIN_ID),
                ),
                proposer: args
                    .proposer
                    .map(|p| Sourced::new(p, src(ranges::PROPOSER))),
                challenger: args
                    .challenger
                    .map(|c| Sourced::new(c, src(ranges::CHALLENGER))),
            }
        }
        None => {
            let v1 = &h.v1;
            let need = |e: CallError| e.required(version.as_deref());
            let src = |getter: &str| Source::call(name, getter);
            let optional = |x: Result<Address, CallError>, getter: &str| {
                x.ok()
                    .filter(|a| *a != Address::ZERO)
                    .map(|a| Sourced::new(a, src(getter)))
            };
            Game {
                game_type: t,
                implementation: implementation_info.clone(),
                layout: GameArgsLayout::Immutables,
                absolute_prestate: Sourced::new(
                    r.get(&v1.absolute_prestate).map_err(need)?,
                    src("absolutePrestate()"),
                ),
                vm: Sourced::new(r.get(&v1.vm).map_err(need)?, src("vm()")),
                weth: Sourced::new(r.get(&v1.weth).map_err(need)?, src("weth()")),
                anchor_state_registry: Sourced::new(
                    r.get(&v1.asr).map_err(need)?,
                    src("anchorStateRegistry()"),
                ),
                l2_chain_id: Sourced::new(
                    u256_to_u64(
                        r.get(&v1.l2_chain_id).map_err(need)?,
                        name,
                        "l2ChainId()",
                        implementation,
                    )?,
                    src("l2ChainId()"),
                ),
                proposer: optional(r.get(&v1.proposer), "proposer()"),
                challenger: optional(r.get(&v1.challenger), "challenger()"),
            }
        }
    };
    let permissioned = game_kind(t).is_some_and(|k| k.permissioned);
    if permissioned && (game.proposer.is_none() || game.challenger.is_none()) {
        return Err(DiscoveryError::BadValue {
            contract: name,
            getter: if args.is_some() {
                format!("gameArgs({t})")
            } else {
                "proposer()/challenger()".to_owned()
            },
            address: implementation,
            detail: format!(
                "no proposer or challenger for the permissioned game type {}",
                crate::model::games::GameTypeLabel(t)
            ),
        });
    }
    Ok(game)
}

fn decode_l2oo(
    h: &L2ooHandles,
    r: &Results,
    address: Address,
    source: Source,
) -> Result<L2ooValues, DiscoveryError> {
    let version = r.get(&h.version).map_err(|e| e.required(None))?;
    check_l2_output_oracle(address, &version)?;
    let need = |e: CallError| e.required(Some(&version));
    let either = |legacy: Result<Address, CallError>,
                  modern: Result<Address, CallError>,
                  l: &str,
                  m: &str| {
        match (legacy, modern) {
            (Ok(a), _) => Ok(Sourced::new(a, Source::call(L2OO, l))),
            (Err(_), Ok(a)) => Ok(Sourced::new(a, Source::call(L2OO, m))),
            (Err(e), Err(_)) => Err(need(e)),
        }
    };
    let number =
        |legacy: Result<U256, CallError>, modern: Result<U256, CallError>, l: &str, m: &str| {
            let (value, getter) = match (legacy, modern) {
                (Ok(v), _) => (v, l),
                (Err(_), Ok(v)) => (v, m),
                (Err(e), Err(_)) => return Err(need(e)),
            };
            Ok(Sourced::new(
                u256_to_u64(value, L2OO, getter, address)?,
                Source::call(L2OO, getter),
            ))
        };
    Ok(L2ooValues {
        address,
        source,
        proposer: either(
            r.get(&h.proposer_legacy),
            r.get(&h.proposer),
            "PROPOSER()",
            "proposer()",
        )?,
        challenger: either(
            r.get(&h.challenger_legacy),
            r.get(&h.challenger),
            "CHALLENGER()",
            "challenger()",
        )
        .ok(),
        params: OutputOracleParams {
            submission_interval: number(
                r.get(&h.interval_legacy),
                r.get(&h.interval),
                "SUBMISSION_INTERVAL()",
                "submissionInterval()",
            )?,
            l2_block_time: number(
                r.get(&h.block_time_legacy),
                r.get(&h.block_time),
                "L2_BLOCK_TIME()",
                "l2BlockTime()",
            )?,
            finalization_period_seconds: number(
                r.get(&h.finalization_legacy),
                r.get(&h.finalization),
                "FINALIZATION_PERIOD_SECONDS()",
                "finalizationPeriodSeconds()",
            )?,
        },
        version,
    })
}

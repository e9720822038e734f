//! Contract discovery from the SystemConfig proxy outwards (fact sheet section 3.1).
//!
//! Discovery runs in rounds. The first round reads every SystemConfig getter any supported
//! version has (together with `eth_chainId` and the latest header); each later round reads
//! everything whose address became known in the round before, all in one HTTP request, pinned to
//! the first round's block. A current chain takes three requests: SystemConfig; portal, bridges
//! and DisputeGameFactory (with `gameArgs`); game implementations and AnchorStateRegistry. What
//! to read, and how to interpret it, follows the `version()` of each contract (see `versions`).

use alloy::primitives::{Address, B256, U256};

use super::abi::{
    IDisputeGame, IDisputeGameFactory, IL2OutputOracle, IOptimismPortal, IOwnable, ISemver,
    ISystemConfig,
};
use super::decode::{batcher_from_hash, decode_game_args, ranges, GameArgs};
use super::error::{CallFailure, DiscoveryError};
use super::reads::{CallError, CallHandle, Outcome, RawHandle, ReadSet, Results};
use super::transport::L1Rpc;
use super::versions::{
    check_l2_output_oracle, dispute_game_factory_has_game_args, dispute_game_major, PortalLayout,
    SystemConfigLayout,
};
use crate::model::discovery::{
    ContractInfo, ContractName, Discovery, Game, GameArgsLayout, OutputOracleParams, ProofSystem,
    RoleName, Source, Sourced, GAME_TYPE_PERMISSIONED_CANNON,
};

/// Game types probed with `gameImpls(t)`: the ones OP has assigned so far (0 cannon,
/// 1 permissioned cannon, 2-7 asterisc/super/succinct variants, 8 cannon-kona, ...), plus the
/// test types 254 and 255 and 1337 (kona).
pub const PROBED_GAME_TYPES: [u32; 14] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 254, 255, 1337];

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
pub async fn discover(
    rpc: &L1Rpc,
    system_config: Address,
    origin: Source,
) -> Result<Discovery, DiscoveryError> {
    let mut set = ReadSet::default();
    let sc_handles = ScHandles::plan(&mut set, system_config);
    let (chain_id, block, results) = rpc.read_head(&set, "SystemConfig").await?;
    let sc = match sc_handles.decode(&results, system_config) {
        Ok(sc) => sc,
        Err(ScFailure::NoVersion(failure)) => {
            return Err(explain_missing_version(rpc, system_config, block.number, failure).await)
        }
        Err(ScFailure::Other(err)) => return Err(err),
    };

    let mut state = State::new(sc);
    let mut round = 1;
    loop {
        let mut set = ReadSet::default();
        let planned = state.plan(&mut set);
        if set.is_empty() {
            break;
        }
        round += 1;
        let results = rpc
            .read(&set, block.number, &planned.step_name(round))
            .await?;
        state.absorb(planned, &results)?;
    }

    let mut discovery = state.assemble(origin)?;
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
    batch_inbox: Address,
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
            SystemConfigLayout::V3 => (
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
            batch_inbox: r.get(&self.batch_inbox).map_err(need)?,
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
// Later rounds

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

struct DgfHandles {
    address: Address,
    version: CallHandle<ISemver::versionCall>,
    impls: Vec<(u32, CallHandle<IDisputeGameFactory::gameImplsCall>)>,
    args: Vec<(u32, CallHandle<IDisputeGameFactory::gameArgsCall>)>,
}

struct DgfValues {
    address: Address,
    version: String,
    /// Enabled game types with their implementation and, for v2 games, decoded `gameArgs`.
    games: Vec<(u32, Address, Option<GameArgs>)>,
}

struct GameHandles {
    game_type: u32,
    implementation: Address,
    version: CallHandle<ISemver::versionCall>,
    args: Option<GameArgs>,
    v1: Option<V1GameHandles>,
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

struct L2ooHandles {
    address: Address,
    source: Source,
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

/// Version reads of contracts that only need their version recorded.
struct VersionHandles {
    entries: Vec<(
        ContractName,
        Address,
        Source,
        CallHandle<ISemver::versionCall>,
    )>,
}

/// What one round planned.
#[derive(Default)]
struct Planned {
    proxy_admin_slot: Option<RawHandle>,
    portal: Option<PortalHandles>,
    versions: Option<VersionHandles>,
    dgf: Option<DgfHandles>,
    games: Option<Vec<GameHandles>>,
    asr: Option<(Address, Source, CallHandle<ISemver::versionCall>)>,
    superchain_config: Option<(Address, Source, CallHandle<ISemver::versionCall>)>,
    l2oo: Option<L2ooHandles>,
    proxy_admin_owner: Option<CallHandle<IOwnable::ownerCall>>,
}

impl Planned {
    fn step_name(&self, round: usize) -> String {
        let mut parts = Vec::new();
        if self.portal.is_some() {
            parts.push("OptimismPortal");
        }
        if self.versions.is_some() {
            parts.push("bridges");
        }
        if self.dgf.is_some() {
            parts.push("DisputeGameFactory");
        }
        if self.games.is_some() {
            parts.push("games");
        }
        if self.asr.is_some() {
            parts.push("AnchorStateRegistry");
        }
        if self.superchain_config.is_some() {
            parts.push("SuperchainConfig");
        }
        if self.l2oo.is_some() {
            parts.push("L2OutputOracle");
        }
        if self.proxy_admin_owner.is_some() {
            parts.push("ProxyAdmin");
        }
        format!("round {round}: {}", parts.join(", "))
    }
}

/// A game after its implementation was read.
struct GameValues {
    game: Game,
}

/// Discovery state between rounds. Each `Option` is `None` until that part was read; parts read
/// speculatively (before the portal said which proof system is in use) keep their errors until
/// assembly decides whether they matter.
struct State {
    sc: ScValues,
    proxy_admin: Option<Option<Address>>,
    portal: Option<PortalValues>,
    versions: Option<Vec<(ContractName, ContractInfo)>>,
    dgf: Option<Result<DgfValues, DiscoveryError>>,
    games: Option<Result<Vec<GameValues>, DiscoveryError>>,
    asr: Option<ContractInfo>,
    superchain_config: Option<ContractInfo>,
    l2oo: Option<Result<L2ooValues, DiscoveryError>>,
    proxy_admin_owner: Option<Option<Address>>,
}

impl State {
    fn new(sc: ScValues) -> Self {
        State {
            sc,
            proxy_admin: None,
            portal: None,
            versions: None,
            dgf: None,
            games: None,
            asr: None,
            superchain_config: None,
            l2oo: None,
            proxy_admin_owner: None,
        }
    }

    fn fault_proofs(&self) -> Option<bool> {
        self.portal.as_ref().map(|p| p.layout.fault_proofs())
    }

    fn dgf_address(&self) -> Option<(Address, Source)> {
        if let Some(a) = self.sc.dgf {
            return Some((a, Source::call(SC, "disputeGameFactory()")));
        }
        match &self.portal {
            Some(p) if p.layout.fault_proofs() => p
                .dgf
                .map(|a| (a, Source::call(PORTAL, "disputeGameFactory()"))),
            _ => None,
        }
    }

    fn l2oo_address(&self) -> Option<(Address, Source)> {
        if let Some(a) = self.sc.l2oo {
            return Some((a, Source::call(SC, "l2OutputOracle()")));
        }
        match &self.portal {
            Some(p) if !p.layout.fault_proofs() => p
                .l2_oracle
                .map(|(a, getter)| (a, Source::call(PORTAL, getter))),
            _ => None,
        }
    }

    /// The AnchorStateRegistry: the portal's (4.x+), else the one the respected (or the
    /// permissioned, or the first) game uses.
    fn asr_address(&self) -> Option<(Address, Source)> {
        if let Some(a) = self.portal.as_ref().and_then(|p| p.asr) {
            return Some((a, Source::call(PORTAL, "anchorStateRegistry()")));
        }
        if let Some(Ok(dgf)) = &self.dgf {
            let respected = self.portal.as_ref().and_then(|p| p.respected);
            let pick = |games: Vec<(u32, Address, Source)>| {
                games
                    .iter()
                    .find(|(t, _, _)| Some(*t) == respected)
                    .or_else(|| {
                        games
                            .iter()
                            .find(|(t, _, _)| *t == GAME_TYPE_PERMISSIONED_CANNON)
                    })
                    .or_else(|| games.first())
                    .map(|(_, a, s)| (*a, s.clone()))
            };
            let from_args: Vec<_> = dgf
                .games
                .iter()
                .filter_map(|(t, _, args)| {
                    args.as_ref().map(|a| {
                        (
                            *t,
                            a.anchor_state_registry,
                            Source::call(
                                DGF,
                                format!("gameArgs({t}){}", ranges::ANCHOR_STATE_REGISTRY),
                            ),
                        )
                    })
                })
                .collect();
            if let Some(found) = pick(from_args) {
                return Some(found);
            }
            if let Some(Ok(games)) = &self.games {
                let from_games = games
                    .iter()
                    .map(|g| {
                        (
                            g.game.game_type,
                            g.game.anchor_state_registry.value,
                            g.game.anchor_state_registry.source.clone(),
                        )
                    })
                    .collect();
                return pick(from_games);
            }
        }
        None
    }

    fn plan(&self, set: &mut ReadSet) -> Planned {
        let mut p = Planned::default();
        let sc = &self.sc;
        if self.proxy_admin.is_none() {
            p.proxy_admin_slot =
                Some(set.storage(SC, sc.address, EIP1967_ADMIN_SLOT, "eip1967.admin"));
        }
        if self.portal.is_none() {
            let a = sc.portal;
            p.portal = Some(PortalHandles {
                version: set.call(PORTAL, a, ISemver::versionCall {}),
                respected: set.call(PORTAL, a, IOptimismPortal::respectedGameTypeCall {}),
                l2_oracle: set.call(PORTAL, a, IOptimismPortal::l2OracleCall {}),
                l2_oracle_legacy: set.call(PORTAL, a, IOptimismPortal::L2_ORACLECall {}),
                dgf: set.call(PORTAL, a, IOptimismPortal::disputeGameFactoryCall {}),
                asr: set.call(PORTAL, a, IOptimismPortal::anchorStateRegistryCall {}),
                guardian: set.call(PORTAL, a, IOptimismPortal::guardianCall {}),
                system_config: set.call(PORTAL, a, IOptimismPortal::systemConfigCall {}),
                superchain_config: set.call(PORTAL, a, IOptimismPortal::superchainConfigCall {}),
            });
        }
        if self.versions.is_none() {
            let entries = vec![
                (
                    ContractName::L1CrossDomainMessenger,
                    sc.l1cdm,
                    Source::call(SC, "l1CrossDomainMessenger()"),
                ),
                (
                    ContractName::L1StandardBridge,
                    sc.l1sb,
                    Source::call(SC, "l1StandardBridge()"),
                ),
                (
                    ContractName::L1Erc721Bridge,
                    sc.l1erc721,
                    Source::call(SC, "l1ERC721Bridge()"),
                ),
                (
                    ContractName::OptimismMintableErc20Factory,
                    sc.factory,
                    Source::call(SC, "optimismMintableERC20Factory()"),
                ),
            ];
            p.versions = Some(VersionHandles {
                entries: entries
                    .into_iter()
                    .map(|(name, a, source)| {
                        let h = set.call(name.solidity_name(), a, ISemver::versionCall {});
                        (name, a, source, h)
                    })
                    .collect(),
            });
        }
        if self.dgf.is_none() {
            if let Some((a, _)) = self.dgf_address() {
                p.dgf = Some(DgfHandles {
                    address: a,
                    version: set.call(DGF, a, ISemver::versionCall {}),
                    impls: PROBED_GAME_TYPES
                        .iter()
                        .map(|&t| {
                            (
                                t,
                                set.call_labelled(
                                    DGF,
                                    a,
                                    IDisputeGameFactory::gameImplsCall { gameType: t },
                                    format!("gameImpls({t})"),
                                ),
                            )
                        })
                        .collect(),
                    args: PROBED_GAME_TYPES
                        .iter()
                        .map(|&t| {
                            (
                                t,
                                set.call_labelled(
                                    DGF,
                                    a,
                                    IDisputeGameFactory::gameArgsCall { gameType: t },
                                    format!("gameArgs({t})"),
                                ),
                            )
                        })
                        .collect(),
                });
            }
        }
        if self.games.is_none() {
            if let Some(Ok(dgf)) = &self.dgf {
                p.games = Some(
                    dgf.games
                        .iter()
                        .map(|(t, implementation, args)| {
                            let name = game_contract_name(*t);
                            let a = *implementation;
                            GameHandles {
                                game_type: *t,
                                implementation: a,
                                version: set.call(name, a, ISemver::versionCall {}),
                                args: args.clone(),
                                v1: args.is_none().then(|| V1GameHandles {
                                    absolute_prestate: set.call(
                                        name,
                                        a,
                                        IDisputeGame::absolutePrestateCall {},
                                    ),
                                    vm: set.call(name, a, IDisputeGame::vmCall {}),
                                    weth: set.call(name, a, IDisputeGame::wethCall {}),
                                    asr: set.call(
                                        name,
                                        a,
                                        IDisputeGame::anchorStateRegistryCall {},
                                    ),
                                    l2_chain_id: set.call(name, a, IDisputeGame::l2ChainIdCall {}),
                                    proposer: set.call(name, a, IDisputeGame::proposerCall {}),
                                    challenger: set.call(name, a, IDisputeGame::challengerCall {}),
                                }),
                            }
                        })
                        .collect(),
                );
            }
        }
        if self.asr.is_none() && self.fault_proofs() == Some(true) {
            if let Some((a, source)) = self.asr_address() {
                p.asr = Some((a, source, set.call(ASR, a, ISemver::versionCall {})));
            }
        }
        if self.superchain_config.is_none() {
            let known = match (
                sc.superchain_config,
                self.portal.as_ref().and_then(|p| p.superchain_config),
            ) {
                (Some(a), _) => Some((a, Source::call(SC, "superchainConfig()"))),
                (None, Some(a)) => Some((a, Source::call(PORTAL, "superchainConfig()"))),
                (None, None) => None,
            };
            if let Some((a, source)) = known {
                p.superchain_config = Some((
                    a,
                    source,
                    set.call("SuperchainConfig", a, ISemver::versionCall {}),
                ));
            }
        }
        if self.l2oo.is_none() {
            if let Some((a, source)) = self.l2oo_address() {
                p.l2oo = Some(L2ooHandles {
                    address: a,
                    source,
                    version: set.call(L2OO, a, ISemver::versionCall {}),
                    proposer_legacy: set.call(L2OO, a, IL2OutputOracle::PROPOSERCall {}),
                    proposer: set.call(L2OO, a, IL2OutputOracle::proposerCall {}),
                    challenger_legacy: set.call(L2OO, a, IL2OutputOracle::CHALLENGERCall {}),
                    challenger: set.call(L2OO, a, IL2OutputOracle::challengerCall {}),
                    interval_legacy: set.call(L2OO, a, IL2OutputOracle::SUBMISSION_INTERVALCall {}),
                    interval: set.call(L2OO, a, IL2OutputOracle::submissionIntervalCall {}),
                    block_time_legacy: set.call(L2OO, a, IL2OutputOracle::L2_BLOCK_TIMECall {}),
                    block_time: set.call(L2OO, a, IL2OutputOracle::l2BlockTimeCall {}),
                    finalization_legacy: set.call(
                        L2OO,
                        a,
                        IL2OutputOracle::FINALIZATION_PERIOD_SECONDSCall {},
                    ),
                    finalization: set.call(
                        L2OO,
                        a,
                        IL2OutputOracle::finalizationPeriodSecondsCall {},
                    ),
                });
            }
        }
        if self.proxy_admin_owner.is_none() {
            match self.proxy_admin {
                Some(Some(admin)) => {
                    p.proxy_admin_owner =
                        Some(set.call("ProxyAdmin", admin, IOwnable::ownerCall {}))
                }
                Some(None) => {}
                None => {}
            }
        }
        p
    }

    fn absorb(&mut self, p: Planned, r: &Results) -> Result<(), DiscoveryError> {
        if let Some(admin) = p.proxy_admin_slot {
            let admin = match r.raw(admin) {
                Outcome::Data(d) if d.len() == 32 => Some(Address::from_slice(&d[12..])),
                _ => None,
            };
            self.proxy_admin = Some(admin.filter(|a| *a != Address::ZERO));
        }
        if let Some(h) = p.portal {
            self.portal = Some(self.decode_portal(&h, r)?);
        }
        if let Some(h) = p.versions {
            self.versions = Some(
                h.entries
                    .into_iter()
                    .map(|(name, address, source, version)| {
                        (
                            name,
                            ContractInfo {
                                address,
                                version: r.get(&version).ok(),
                                source,
                            },
                        )
                    })
                    .collect(),
            );
        }
        if let Some(h) = p.dgf {
            self.dgf = Some(decode_dgf(&h, r));
        }
        if let Some(games) = p.games {
            self.games = Some(games.iter().map(|g| decode_game(g, r)).collect());
        }
        if let Some((address, source, version)) = p.asr {
            self.asr = Some(ContractInfo {
                address,
                version: r.get(&version).ok(),
                source,
            });
        }
        if let Some((address, source, version)) = p.superchain_config {
            self.superchain_config = Some(ContractInfo {
                address,
                version: r.get(&version).ok(),
                source,
            });
        }
        if let Some(h) = p.l2oo {
            self.l2oo = Some(decode_l2oo(&h, r));
        }
        if let Some(h) = p.proxy_admin_owner {
            self.proxy_admin_owner = Some(r.get(&h).ok());
        } else if self.proxy_admin == Some(None) {
            self.proxy_admin_owner = Some(None);
        }
        Ok(())
    }

    fn decode_portal(
        &self,
        h: &PortalHandles,
        r: &Results,
    ) -> Result<PortalValues, DiscoveryError> {
        let address = self.sc.portal;
        let version = r.get(&h.version).map_err(|e| e.required(None))?;
        let layout = PortalLayout::from_version(address, &version)?;
        if let Ok(back) = r.get(&h.system_config) {
            if back != self.sc.address {
                return Err(DiscoveryError::Inconsistent {
                    detail: format!(
                        "SystemConfig {} names OptimismPortal {address}, but that portal's systemConfig() is {back}; \
                         check that {} is the SystemConfig proxy of this chain",
                        self.sc.address, self.sc.address
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
        let l2_oracle = r
            .get(&h.l2_oracle)
            .ok()
            .and_then(nonzero)
            .map(|a| (a, "l2Oracle()"))
            .or_else(|| {
                r.get(&h.l2_oracle_legacy)
                    .ok()
                    .and_then(nonzero)
                    .map(|a| (a, "L2_ORACLE()"))
            });
        Ok(PortalValues {
            respected,
            l2_oracle,
            dgf: r.get(&h.dgf).ok().and_then(nonzero),
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

    fn assemble(self, origin: Source) -> Result<Discovery, DiscoveryError> {
        let sc = self.sc;
        let Some(portal) = self.portal else {
            return Err(DiscoveryError::Inconsistent {
                detail: "the OptimismPortal was never read".to_owned(),
            });
        };
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
        for (name, info) in self.versions.unwrap_or_default() {
            d.contracts.insert(name, info);
        }
        if let Some(info) = self.superchain_config {
            d.contracts.insert(ContractName::SuperchainConfig, info);
        }
        if let Some(admin) = self.proxy_admin.flatten() {
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
        if let Some(owner) = self.proxy_admin_owner.flatten() {
            d.roles.insert(
                RoleName::ProxyAdminOwner,
                Sourced::new(owner, call("ProxyAdmin", "owner()")),
            );
        }
        if let Some(guardian) = portal.guardian {
            d.roles.insert(
                RoleName::Guardian,
                Sourced::new(guardian, call(PORTAL, "guardian()")),
            );
        }
        d.batch_inbox = Some(Sourced::new(sc.batch_inbox, call(SC, "batchInbox()")));
        d.start_block = Some(Sourced::new(sc.start_block, call(SC, "startBlock()")));
        if let Some(id) = sc.l2_chain_id {
            d.l2_chain_id = Some(Sourced::new(id, call(SC, "l2ChainId()")));
        }

        if portal.layout.fault_proofs() {
            d.proof_system = Some(ProofSystem::FaultProofs);
            let respected = portal.respected.unwrap_or_default();
            d.respected_game_type =
                Some(Sourced::new(respected, call(PORTAL, "respectedGameType()")));
            let (dgf_source, dgf) = match (dgf_source(&sc, &portal), self.dgf) {
                (Some(source), Some(result)) => (source, result?),
                _ => {
                    return Err(DiscoveryError::Inconsistent {
                        detail: format!(
                            "OptimismPortal {} {} uses fault proofs but neither it nor the SystemConfig names a \
                             DisputeGameFactory",
                            sc.portal, portal.version
                        ),
                    })
                }
            };
            d.contracts.insert(
                ContractName::DisputeGameFactory,
                ContractInfo {
                    address: dgf.address,
                    version: Some(dgf.version.clone()),
                    source: dgf_source,
                },
            );
            let games = match self.games {
                Some(result) => result?,
                None => Vec::new(),
            };
            for g in games {
                d.insert_game(g.game);
            }
            if let Some(asr) = self.asr {
                d.contracts.insert(ContractName::AnchorStateRegistry, asr);
            }
            if let Some(pdg) = d.game(GAME_TYPE_PERMISSIONED_CANNON).cloned() {
                if let Some(p) = pdg.proposer {
                    d.roles.insert(RoleName::Proposer, p);
                }
                if let Some(c) = pdg.challenger {
                    d.roles.insert(RoleName::Challenger, c);
                }
            }
            if d.l2_chain_id.is_none() {
                let game = d.game(respected).or_else(|| d.games.values().next());
                d.l2_chain_id = game.map(|g| g.l2_chain_id.clone());
            }
        } else {
            d.proof_system = Some(ProofSystem::OutputOracle);
            let l2oo = match self.l2oo {
                Some(result) => result?,
                None => {
                    return Err(DiscoveryError::Inconsistent {
                        detail: format!(
                            "OptimismPortal {} {} is a pre-fault-proof portal but names no L2OutputOracle \
                             (l2Oracle() and L2_ORACLE() gave nothing)",
                            sc.portal, portal.version
                        ),
                    })
                }
            };
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
        }
        Ok(d)
    }
}

fn dgf_source(sc: &ScValues, portal: &PortalValues) -> Option<Source> {
    if sc.dgf.is_some() {
        Some(Source::call(SC, "disputeGameFactory()"))
    } else {
        portal
            .dgf
            .map(|_| Source::call(PORTAL, "disputeGameFactory()"))
    }
}

fn game_contract_name(game_type: u32) -> &'static str {
    if game_type == GAME_TYPE_PERMISSIONED_CANNON {
        "PermissionedDisputeGame"
    } else {
        "FaultDisputeGame"
    }
}

fn decode_dgf(h: &DgfHandles, r: &Results) -> Result<DgfValues, DiscoveryError> {
    let version = r.get(&h.version).map_err(|e| e.required(None))?;
    let has_game_args = dispute_game_factory_has_game_args(h.address, &version)?;
    let mut games = Vec::new();
    for ((t, impl_handle), (_, args_handle)) in h.impls.iter().zip(&h.args) {
        let implementation = r.get(impl_handle).map_err(|e| e.required(Some(&version)))?;
        if implementation == Address::ZERO {
            continue;
        }
        let args =
            if has_game_args {
                match r.get(args_handle) {
                    Ok(bytes) if bytes.is_empty() => None,
                    Ok(bytes) => Some(decode_game_args(&bytes).map_err(|detail| {
                        DiscoveryError::BadValue {
                            contract: DGF,
                            getter: format!("gameArgs({t})"),
                            address: h.address,
                            detail,
                        }
                    })?),
                    Err(e) => return Err(e.required(Some(&version))),
                }
            } else {
                None
            };
        games.push((*t, implementation, args));
    }
    Ok(DgfValues {
        address: h.address,
        version,
        games,
    })
}

fn decode_game(h: &GameHandles, r: &Results) -> Result<GameValues, DiscoveryError> {
    let t = h.game_type;
    let name = game_contract_name(t);
    let version = r.get(&h.version).ok();
    if let Some(v) = &version {
        let major = dispute_game_major(name, h.implementation, v)?;
        let expected = if h.args.is_some() { 2 } else { 1 };
        if major != expected {
            return Err(DiscoveryError::Inconsistent {
                detail: format!(
                    "{name} {} (game type {t}) is version {v}, but DisputeGameFactory {} gameArgs({t}); \
                     v1 games keep their parameters in the implementation, v2 games in gameArgs",
                    h.implementation,
                    if h.args.is_some() { "has" } else { "has no" }
                ),
            });
        }
    }
    let implementation = ContractInfo {
        address: h.implementation,
        version: version.clone(),
        source: Source::call(DGF, format!("gameImpls({t})")),
    };
    let game = match (&h.args, &h.v1) {
        (Some(args), _) => {
            let src = |range: &str| Source::call(DGF, format!("gameArgs({t}){range}"));
            Game {
                game_type: t,
                implementation,
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
                        h.implementation,
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
        (None, Some(v1)) => {
            let need = |e: CallError| e.required(version.as_deref());
            let src = |getter: &str| Source::call(name, getter);
            let optional = |x: Result<Address, CallError>, getter: &str| {
                x.ok()
                    .filter(|a| *a != Address::ZERO)
                    .map(|a| Sourced::new(a, src(getter)))
            };
            Game {
                game_type: t,
                implementation,
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
                        h.implementation,
                    )?,
                    src("l2ChainId()"),
                ),
                proposer: optional(r.get(&v1.proposer), "proposer()"),
                challenger: optional(r.get(&v1.challenger), "challenger()"),
            }
        }
        (None, None) => {
            return Err(DiscoveryError::Inconsistent {
                detail: format!("game type {t} was planned without parameters"),
            })
        }
    };
    if t == GAME_TYPE_PERMISSIONED_CANNON && (game.proposer.is_none() || game.challenger.is_none())
    {
        return Err(DiscoveryError::BadValue {
            contract: name,
            getter: "proposer()/challenger()".to_owned(),
            address: h.implementation,
            detail: "no proposer or challenger for the permissioned game type 1".to_owned(),
        });
    }
    Ok(GameValues { game })
}

fn decode_l2oo(h: &L2ooHandles, r: &Results) -> Result<L2ooValues, DiscoveryError> {
    let version = r.get(&h.version).map_err(|e| e.required(None))?;
    check_l2_output_oracle(h.address, &version)?;
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
                u256_to_u64(value, L2OO, getter, h.address)?,
                Source::call(L2OO, getter),
            ))
        };
    Ok(L2ooValues {
        address: h.address,
        source: h.source.clone(),
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

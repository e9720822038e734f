//! `TestChain`: a real anvil on a free loopback port with OP Stack L1 contracts installed at known
//! addresses and known roles, killed when dropped (also on panic).
//!
//! What is real and what is a stand-in:
//! - **Real OP bytecode** (npm `@eth-optimism/contracts-bedrock@0.17.3`, deployed with signed
//!   transactions and initialised through `ProxyAdmin.upgradeAndCall`): ProxyAdmin, Proxy,
//!   SystemConfig 2.3.0-beta.2, OptimismPortal2 3.10.0, OptimismPortal 2.8.1-beta.1,
//!   L1CrossDomainMessenger 2.4.0, L1StandardBridge 2.2.0, L1ERC721Bridge 2.1.0,
//!   OptimismMintableERC20Factory 1.9.0, SuperchainConfig 1.1.0, DisputeGameFactory 1.0.0,
//!   PermissionedDisputeGame 1.2.0 (v1 game: parameters are immutables), PreimageOracle 1.0.0,
//!   MIPS 1.0.1, DelayedWETH 1.0.0, AnchorStateRegistry 1.0.0, L2OutputOracle 1.8.0, and
//!   Multicall3's runtime code from `src/libraries/Preinstalls.sol` at its canonical address.
//! - **Stand-ins** (`tests/fixtures/contracts/GetterStandIn.sol`, which returns the documented
//!   ABI bytes for exactly the calls it was given): everything newer than that package, used by
//!   [`Flavor::CurrentV2`]: SystemConfig 3.14.2 (behind a real Proxy + ProxyAdmin),
//!   OptimismPortal2 4.6.0, DisputeGameFactory 1.3.0 with packed v2 `gameArgs`, the v2
//!   FaultDisputeGame/PermissionedDisputeGame implementations, AnchorStateRegistry 3.5.0. The
//!   bridges, messenger, factory and SuperchainConfig of that flavor are the real ones.
//!   [`Flavor::Upgrade20`] (SystemConfig 4.0.0 whose `batchInbox()` reverts, games 1 and 5,
//!   respected 5) and [`Flavor::KonaPermissionless`] (games 8 and 0, respected 8) are built the
//!   same way: no public package has those contracts.
//!
//! Keys: every role key (batcher, unsafe block signer, proposer, challenger, owner, deployer) is
//! generated at start with `PrivateKeySigner::random()` and funded with `anvil_setBalance`; no key
//! is committed anywhere, and anvil is started with `--accounts 0`.

#![allow(dead_code)] // Each test uses a different part of the fixture.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::eip2718::Encodable2718;
use alloy::network::TxSignerSync;
use alloy::primitives::{Address, Bytes, TxKind, B256, U256};
use alloy::rpc::client::{ClientBuilder, RpcClient};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol;
use alloy::sol_types::{SolCall, SolValue};
use serde_json::{json, Value};

use super::{anvil_binary, install_crypto_provider, npm_dir, PROVISION_COMMAND};

/// L1 chain id the fixture's anvil runs with.
pub const L1_CHAIN_ID: u64 = 900;
/// L2 chain id the fixture's contracts are configured for.
pub const L2_CHAIN_ID: u64 = 901;
/// Canonical Multicall3 address.
pub const MULTICALL3: Address =
    alloy::primitives::address!("cA11bde05977b3631167028862bE2a173976CA11");
/// Batch inbox the fixture configures.
pub const BATCH_INBOX: Address =
    alloy::primitives::address!("ff00000000000000000000000000000000000901");

/// How long anvil may take to print its `Listening on` line: generous, like every deadline of the
/// harness (a loaded 2-core machine can be slow; only a hang should fail).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Creation bytecode of the stand-in contract (see `tests/fixtures/contracts/README.md`).
const STAND_IN_BIN: &str = include_str!("../../fixtures/contracts/GetterStandIn.bin");

sol! {
    interface FxSemver { function version() external view returns (string memory); }
    interface FxOwnable { function owner() external view returns (address); }
    interface FxProxyAdmin {
        function upgradeAndCall(address _proxy, address _implementation, bytes _data) external payable;
        function upgrade(address _proxy, address _implementation) external;
    }
    interface FxSystemConfig {
        struct ResourceConfig {
            uint32 maxResourceLimit;
            uint8 elasticityMultiplier;
            uint8 baseFeeMaxChangeDenominator;
            uint32 minimumBaseFee;
            uint32 systemTxMaxGas;
            uint128 maximumBaseFee;
        }
        struct Addresses {
            address l1CrossDomainMessenger;
            address l1ERC721Bridge;
            address l1StandardBridge;
            address disputeGameFactory;
            address optimismPortal;
            address optimismMintableERC20Factory;
            address gasPayingToken;
        }
        function initialize(
            address _owner,
            uint32 _basefeeScalar,
            uint32 _blobbasefeeScalar,
            bytes32 _batcherHash,
            uint64 _gasLimit,
            address _unsafeBlockSigner,
            ResourceConfig _config,
            address _batchInbox,
            Addresses _addresses
        ) external;
        function setBatcherHash(bytes32 _batcherHash) external;
        function batcherHash() external view returns (bytes32);
        function unsafeBlockSigner() external view returns (address);
        function optimismPortal() external view returns (address);
        function l1CrossDomainMessenger() external view returns (address);
        function l1StandardBridge() external view returns (address);
        function l1ERC721Bridge() external view returns (address);
        function optimismMintableERC20Factory() external view returns (address);
        function batchInbox() external view returns (address);
        function startBlock() external view returns (uint256);
        function disputeGameFactory() external view returns (address);
        function l2ChainId() external view returns (uint256);
        function superchainConfig() external view returns (address);
        function l2OutputOracle() external view returns (address);
    }
    interface FxPortal2 {
        function initialize(address _disputeGameFactory, address _systemConfig, address _superchainConfig, uint32 _initialRespectedGameType) external;
        function respectedGameType() external view returns (uint32);
        function disputeGameFactory() external view returns (address);
        function anchorStateRegistry() external view returns (address);
        function guardian() external view returns (address);
        function systemConfig() external view returns (address);
        function superchainConfig() external view returns (address);
    }
    interface FxPortal {
        function initialize(address _l2Oracle, address _systemConfig, address _superchainConfig) external;
        function l2Oracle() external view returns (address);
    }
    interface FxSuperchainConfig { function initialize(address _guardian, bool _paused) external; }
    interface FxMessenger { function initialize(address _superchainConfig, address _portal, address _systemConfig) external; }
    interface FxStandardBridge { function initialize(address _messenger, address _superchainConfig, address _systemConfig) external; }
    interface FxErc721Bridge { function initialize(address _messenger, address _superchainConfig) external; }
    interface FxMintableFactory { function initialize(address _bridge) external; }
    interface FxDgf {
        function initialize(address _owner) external;
        function setImplementation(uint32 _gameType, address _impl) external;
        function gameImpls(uint32 _gameType) external view returns (address);
        function gameArgs(uint32 _gameType) external view returns (bytes memory);
    }
    interface FxGame { function gameType() external view returns (uint32); }
    interface FxAsr {
        struct OutputRoot { bytes32 root; uint256 l2BlockNumber; }
        struct StartingAnchorRoot { uint32 gameType; OutputRoot outputRoot; }
        function initialize(StartingAnchorRoot[] _startingAnchorRoots) external;
    }
    interface FxDelayedWeth { function initialize(address _owner, address _config) external; }
    interface FxL2OutputOracle {
        function initialize(
            uint256 _submissionInterval,
            uint256 _l2BlockTime,
            uint256 _startingBlockNumber,
            uint256 _startingTimestamp,
            address _proposer,
            address _challenger,
            uint256 _finalizationPeriodSeconds
        ) external;
    }
    interface FxStandIn { function standInSet(bytes[] calls, bytes[] results) external; }
}

/// Which chain layout to install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Fault proofs with a v1 PermissionedDisputeGame as game type 1 (respected). All real OP
    /// bytecode: SystemConfig 2.3.0-beta.2, OptimismPortal2 3.10.0, DisputeGameFactory 1.0.0,
    /// PermissionedDisputeGame 1.2.0.
    PermissionedV1,
    /// Legacy output-oracle chain. All real OP bytecode: SystemConfig 2.3.0-beta.2 (no
    /// DisputeGameFactory), OptimismPortal 2.8.1-beta.1, L2OutputOracle 1.8.0.
    LegacyOutputOracle,
    /// A current chain: SystemConfig 3.x, OptimismPortal2 4.x, DisputeGameFactory 1.3 with v2
    /// games (types 0 and 1) whose parameters live in `gameArgs`. Stand-ins (see module docs).
    CurrentV2,
    /// An Upgrade 20 chain: SystemConfig 4.0.0 whose `batchInbox()` reverts, respected game type 5
    /// (SUPER_PERMISSIONED_CANNON), v2 games 1 and 5 registered. Game 1 still carries the
    /// proposer and challenger from before the move to 5 (`Fixture::previous_roles`), so a test
    /// can tell which game's roles a check compared against. Stand-ins, like [`Flavor::CurrentV2`].
    Upgrade20,
    /// A permissionless kona chain (Upgrade 19): SystemConfig 3.14.2, respected game type 8
    /// (CANNON_KONA), v2 games 8 and 0 registered. Stand-ins, like [`Flavor::CurrentV2`].
    KonaPermissionless,
}

impl Flavor {
    /// Whether this flavor's newer contracts are [`GetterStandIn`]s (see the module docs).
    pub fn stand_ins(self) -> bool {
        matches!(
            self,
            Flavor::CurrentV2 | Flavor::Upgrade20 | Flavor::KonaPermissionless
        )
    }

    /// The respected game type the flavor installs by default.
    pub fn default_respected_game_type(self) -> u32 {
        match self {
            Flavor::Upgrade20 => 5,
            Flavor::KonaPermissionless => 8,
            _ => 1,
        }
    }
}

/// Options for [`TestChain::start_with`].
#[derive(Debug, Clone, Copy)]
pub struct ChainOptions {
    /// Layout to install.
    pub flavor: Flavor,
    /// Put Multicall3 at its canonical address (anvil has none by default).
    pub multicall3: bool,
    /// Respected game type of fault-proof flavors.
    pub respected_game_type: u32,
}

impl ChainOptions {
    /// Defaults for a flavor: Multicall3 present, the flavor's usual game type respected (1, or 5
    /// on [`Flavor::Upgrade20`], 8 on [`Flavor::KonaPermissionless`]).
    pub fn new(flavor: Flavor) -> Self {
        ChainOptions {
            flavor,
            multicall3: true,
            respected_game_type: flavor.default_respected_game_type(),
        }
    }
}

/// The randomly generated role keys. Never printed; tests pass them to opctl as hex.
pub struct Keys {
    pub deployer: PrivateKeySigner,
    pub owner: PrivateKeySigner,
    pub batcher: PrivateKeySigner,
    pub unsafe_block_signer: PrivateKeySigner,
    pub proposer: PrivateKeySigner,
    pub challenger: PrivateKeySigner,
}

impl Keys {
    fn random() -> Self {
        Keys {
            deployer: PrivateKeySigner::random(),
            owner: PrivateKeySigner::random(),
            batcher: PrivateKeySigner::random(),
            unsafe_block_signer: PrivateKeySigner::random(),
            proposer: PrivateKeySigner::random(),
            challenger: PrivateKeySigner::random(),
        }
    }
}

/// Hex of a signer's private key, as a key file or Secret would hold it.
pub fn key_hex(signer: &PrivateKeySigner) -> String {
    format!("0x{}", hex::encode(signer.to_bytes()))
}

/// One enabled dispute game the fixture registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureGame {
    pub game_type: u32,
    pub implementation: Address,
    pub version: &'static str,
    pub v2: bool,
}

/// The role addresses the fixture configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles {
    pub batcher: Address,
    pub unsafe_block_signer: Address,
    pub proposer: Address,
    pub challenger: Address,
    /// Owner of SystemConfig, ProxyAdmin, DisputeGameFactory.
    pub owner: Address,
    pub guardian: Address,
}

/// Everything the fixture installed, for exact assertions.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub flavor: Flavor,
    pub system_config: Address,
    pub proxy_admin: Address,
    pub optimism_portal: Address,
    pub l1_cross_domain_messenger: Address,
    pub l1_standard_bridge: Address,
    pub l1_erc721_bridge: Address,
    pub optimism_mintable_erc20_factory: Address,
    pub superchain_config: Address,
    pub batch_inbox: Address,
    /// Whether the SystemConfig names the batch inbox (`false` on SystemConfig 4.x).
    pub batch_inbox_on_l1: bool,
    pub start_block: u64,
    pub dispute_game_factory: Option<Address>,
    pub anchor_state_registry: Option<Address>,
    pub delayed_weth: Option<Address>,
    pub mips: Option<Address>,
    pub l2_output_oracle: Option<Address>,
    pub respected_game_type: Option<u32>,
    pub games: Vec<FixtureGame>,
    pub absolute_prestate: B256,
    pub roles: Roles,
    /// [`Flavor::Upgrade20`]: the proposer and challenger game type 1 still carries (the roles
    /// before the move to game type 5).
    pub previous_roles: Option<(Address, Address)>,
    /// Contract name (as opctl's `ContractName::solidity_name`) -> version.
    pub versions: BTreeMap<&'static str, &'static str>,
}

/// How long start-up took.
#[derive(Debug, Clone, Copy)]
pub struct ChainTimings {
    /// Spawn until anvil printed `Listening on`.
    pub anvil: Duration,
    /// Contract deployment and initialisation.
    pub contracts: Duration,
    /// Everything.
    pub total: Duration,
    /// Transactions sent.
    pub transactions: usize,
}

/// anvil killed on drop.
struct AnvilProcess {
    child: Child,
    log: PathBuf,
}

impl Drop for AnvilProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running anvil with OP contracts installed. See the module docs.
pub struct TestChain {
    rpc: RpcClient,
    url: String,
    nonces: HashMap<Address, u64>,
    pub keys: Keys,
    pub fixture: Fixture,
    pub timings: ChainTimings,
    anvil: AnvilProcess,
    /// Last field: removed after anvil is gone.
    dir: tempfile::TempDir,
}

impl TestChain {
    /// Starts anvil and installs `flavor` with Multicall3 and the permissioned game respected.
    pub async fn start(flavor: Flavor) -> TestChain {
        Self::start_with(ChainOptions::new(flavor)).await
    }

    /// Starts anvil and installs the contracts `options` ask for. Panics (naming the
    /// provisioning command when a peer is missing) if anything fails.
    pub async fn start_with(options: ChainOptions) -> TestChain {
        install_crypto_provider();
        let begin = Instant::now();
        let dir = super::temp_dir("opctl-anvil-");
        let anvil = spawn_anvil(&dir);
        let url = wait_for_listening(&anvil);
        let anvil_time = begin.elapsed();
        let rpc = ClientBuilder::default().http(url.parse().expect("anvil URL parses"));
        let keys = Keys::random();
        let roles = Roles {
            batcher: keys.batcher.address(),
            unsafe_block_signer: keys.unsafe_block_signer.address(),
            proposer: keys.proposer.address(),
            challenger: keys.challenger.address(),
            owner: keys.owner.address(),
            guardian: PrivateKeySigner::random().address(),
        };
        let mut chain = TestChain {
            rpc,
            url,
            nonces: HashMap::new(),
            fixture: Fixture {
                flavor: options.flavor,
                system_config: Address::ZERO,
                proxy_admin: Address::ZERO,
                optimism_portal: Address::ZERO,
                l1_cross_domain_messenger: Address::ZERO,
                l1_standard_bridge: Address::ZERO,
                l1_erc721_bridge: Address::ZERO,
                optimism_mintable_erc20_factory: Address::ZERO,
                superchain_config: Address::ZERO,
                batch_inbox: BATCH_INBOX,
                batch_inbox_on_l1: true,
                start_block: 0,
                dispute_game_factory: None,
                anchor_state_registry: None,
                delayed_weth: None,
                mips: None,
                l2_output_oracle: None,
                respected_game_type: None,
                games: Vec::new(),
                absolute_prestate: B256::from(U256::from_be_bytes(rand_bytes32())),
                roles,
                previous_roles: None,
                versions: BTreeMap::new(),
            },
            keys,
            timings: ChainTimings {
                anvil: anvil_time,
                contracts: Duration::ZERO,
                total: Duration::ZERO,
                transactions: 0,
            },
            anvil,
            dir,
        };
        let t = Instant::now();
        chain.install(options).await;
        chain.timings.contracts = t.elapsed();
        chain.timings.total = begin.elapsed();
        chain
    }

    /// The anvil HTTP endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// anvil's log file.
    pub fn log(&self) -> &Path {
        &self.anvil.log
    }

    /// Rotates the batcher on-chain: a real `SystemConfig.setBatcherHash` transaction signed by
    /// the owner (for the stand-in SystemConfig of [`Flavor::CurrentV2`], its answer is
    /// updated instead). Returns the new batcher's key.
    pub async fn rotate_batcher(&mut self) -> PrivateKeySigner {
        let new = PrivateKeySigner::random();
        let hash = B256::left_padding_from(new.address().as_slice());
        let sc = self.fixture.system_config;
        match self.fixture.flavor {
            flavor if flavor.stand_ins() => {
                let answers = vec![answer(FxSystemConfig::batcherHashCall {}, hash)];
                self.stand_in_set(sc, answers).await;
            }
            _ => {
                let owner = self.keys.owner.clone();
                let data = FxSystemConfig::setBatcherHashCall { _batcherHash: hash }.abi_encode();
                self.send(&owner, Some(sc), data, "SystemConfig.setBatcherHash")
                    .await;
            }
        }
        self.request(
            "anvil_setBalance",
            json!([new.address(), "0x3635C9ADC5DEA00000"]),
        )
        .await; // 1000 ETH, like the first batcher
        self.fixture.roles.batcher = new.address();
        new
    }

    /// Deploys a stand-in answering exactly `answers` (calldata -> raw return data).
    pub async fn deploy_stand_in(&mut self, answers: Vec<(Vec<u8>, Vec<u8>)>) -> Address {
        let address = self.deploy_raw(stand_in_bytecode(), "GetterStandIn").await;
        if !answers.is_empty() {
            self.stand_in_set(address, answers).await;
        }
        address
    }

    /// Adds answers to a stand-in deployed with [`TestChain::deploy_stand_in`].
    pub async fn set_stand_in_answers(
        &mut self,
        stand_in: Address,
        answers: Vec<(Vec<u8>, Vec<u8>)>,
    ) {
        self.stand_in_set(stand_in, answers).await;
    }

    /// A raw JSON-RPC request to anvil.
    pub async fn request(&self, method: &'static str, params: Value) -> Value {
        self.rpc
            .request::<_, Value>(method, params)
            .await
            .unwrap_or_else(|e| panic!("anvil {method} failed: {e}"))
    }

    /// Mines `n` empty blocks.
    pub async fn mine(&self, n: u64) {
        self.request("anvil_mine", json!([format!("{n:#x}")])).await;
    }

    // -----------------------------------------------------------------------------------------

    async fn install(&mut self, options: ChainOptions) {
        let deployer = self.keys.deployer.address();
        let owner = self.keys.owner.address();
        // The operator's signers are funded too, as on a real chain (the `signer-balance`
        // preflight check reads their balances).
        let signers = [
            self.keys.batcher.address(),
            self.keys.proposer.address(),
            self.keys.challenger.address(),
        ];
        for who in [deployer, owner].into_iter().chain(signers) {
            self.request("anvil_setBalance", json!([who, "0x3635C9ADC5DEA00000"]))
                .await; // 1000 ETH
        }
        if options.multicall3 {
            self.request("anvil_setCode", json!([MULTICALL3, multicall3_runtime()]))
                .await;
        }

        // Real ProxyAdmin owned by the owner, and real Proxies for the chain's contracts.
        let proxy_admin = self
            .deploy("ProxyAdmin", (owner,).abi_encode_params())
            .await;
        self.fixture.proxy_admin = proxy_admin;
        let sc = self.proxy("SystemConfig").await;
        let superchain_config = self.proxy("SuperchainConfig").await;
        let l1cdm = self.proxy("L1CrossDomainMessenger").await;
        let l1sb = self.proxy("L1StandardBridge").await;
        let l1erc721 = self.proxy("L1ERC721Bridge").await;
        let factory = self.proxy("OptimismMintableERC20Factory").await;
        let f = &mut self.fixture;
        f.system_config = sc;
        f.superchain_config = superchain_config;
        f.l1_cross_domain_messenger = l1cdm;
        f.l1_standard_bridge = l1sb;
        f.l1_erc721_bridge = l1erc721;
        f.optimism_mintable_erc20_factory = factory;

        let portal = match options.flavor {
            flavor if flavor.stand_ins() => Address::ZERO, // stand-in, deployed below
            _ => self.proxy("OptimismPortal").await,
        };
        self.fixture.optimism_portal = portal;

        let guardian = self.fixture.roles.guardian;
        self.upgrade_and_call(
            superchain_config,
            "SuperchainConfig",
            Vec::new(),
            FxSuperchainConfig::initializeCall {
                _guardian: guardian,
                _paused: false,
            }
            .abi_encode(),
        )
        .await;

        match options.flavor {
            Flavor::PermissionedV1 => self.install_permissioned_v1(options).await,
            Flavor::LegacyOutputOracle => self.install_legacy().await,
            Flavor::CurrentV2 | Flavor::Upgrade20 | Flavor::KonaPermissionless => {
                self.install_stand_in_chain(options).await
            }
        }

        let (sc, portal) = (self.fixture.system_config, self.fixture.optimism_portal);
        self.upgrade_and_call(
            l1cdm,
            "L1CrossDomainMessenger",
            Vec::new(),
            FxMessenger::initializeCall {
                _superchainConfig: superchain_config,
                _portal: portal,
                _systemConfig: sc,
            }
            .abi_encode(),
        )
        .await;
        self.upgrade_and_call(
            l1sb,
            "L1StandardBridge",
            Vec::new(),
            FxStandardBridge::initializeCall {
                _messenger: l1cdm,
                _superchainConfig: superchain_config,
                _systemConfig: sc,
            }
            .abi_encode(),
        )
        .await;
        self.upgrade_and_call(
            l1erc721,
            "L1ERC721Bridge",
            Vec::new(),
            FxErc721Bridge::initializeCall {
                _messenger: l1cdm,
                _superchainConfig: superchain_config,
            }
            .abi_encode(),
        )
        .await;
        self.upgrade_and_call(
            factory,
            "OptimismMintableERC20Factory",
            Vec::new(),
            FxMintableFactory::initializeCall { _bridge: l1sb }.abi_encode(),
        )
        .await;
        let v = &mut self.fixture.versions;
        v.insert("SuperchainConfig", "1.1.0");
        v.insert("L1CrossDomainMessenger", "2.4.0");
        v.insert("L1StandardBridge", "2.2.0");
        v.insert("L1ERC721Bridge", "2.1.0");
        v.insert("OptimismMintableERC20Factory", "1.9.0");
    }

    /// Real SystemConfig 2.3.0-beta.2 initialised with the fixture's roles.
    async fn init_real_system_config(&mut self, dispute_game_factory: Address) {
        let f = &self.fixture;
        let call = FxSystemConfig::initializeCall {
            _owner: f.roles.owner,
            _basefeeScalar: 1368,
            _blobbasefeeScalar: 810_949,
            _batcherHash: B256::left_padding_from(f.roles.batcher.as_slice()),
            _gasLimit: 30_000_000,
            _unsafeBlockSigner: f.roles.unsafe_block_signer,
            _config: FxSystemConfig::ResourceConfig {
                maxResourceLimit: 20_000_000,
                elasticityMultiplier: 10,
                baseFeeMaxChangeDenominator: 8,
                minimumBaseFee: 1_000_000_000,
                systemTxMaxGas: 1_000_000,
                maximumBaseFee: u128::MAX,
            },
            _batchInbox: f.batch_inbox,
            _addresses: FxSystemConfig::Addresses {
                l1CrossDomainMessenger: f.l1_cross_domain_messenger,
                l1ERC721Bridge: f.l1_erc721_bridge,
                l1StandardBridge: f.l1_standard_bridge,
                disputeGameFactory: dispute_game_factory,
                optimismPortal: f.optimism_portal,
                optimismMintableERC20Factory: f.optimism_mintable_erc20_factory,
                gasPayingToken: Address::ZERO,
            },
        };
        let sc = f.system_config;
        let receipt = self
            .upgrade_and_call(sc, "SystemConfig", Vec::new(), call.abi_encode())
            .await;
        self.fixture.start_block = hex_u64(&receipt["blockNumber"]);
        self.fixture.versions.insert("SystemConfig", "2.3.0-beta.2");
    }

    async fn install_permissioned_v1(&mut self, options: ChainOptions) {
        let owner = self.keys.owner.address();
        let dgf = self.proxy("DisputeGameFactory").await;
        let asr = self.proxy("AnchorStateRegistry").await;
        let weth = self.proxy("DelayedWETH").await;
        let (sc, portal, superchain_config) = (
            self.fixture.system_config,
            self.fixture.optimism_portal,
            self.fixture.superchain_config,
        );
        self.upgrade_and_call(
            dgf,
            "DisputeGameFactory",
            Vec::new(),
            FxDgf::initializeCall { _owner: owner }.abi_encode(),
        )
        .await;
        let asr_init = FxAsr::initializeCall {
            _startingAnchorRoots: vec![FxAsr::StartingAnchorRoot {
                gameType: 1,
                outputRoot: FxAsr::OutputRoot {
                    root: B256::repeat_byte(0xa1),
                    l2BlockNumber: U256::ZERO,
                },
            }],
        };
        self.upgrade_and_call(
            asr,
            "AnchorStateRegistry",
            (dgf,).abi_encode_params(),
            asr_init.abi_encode(),
        )
        .await;
        self.upgrade_and_call(
            weth,
            "DelayedWETH",
            (U256::from(302_400u64),).abi_encode_params(),
            FxDelayedWeth::initializeCall {
                _owner: owner,
                _config: superchain_config,
            }
            .abi_encode(),
        )
        .await;
        let oracle = self
            .deploy(
                "PreimageOracle",
                (U256::from(126_000u64), U256::from(86_400u64)).abi_encode_params(),
            )
            .await;
        let mips = self.deploy("MIPS", (oracle,).abi_encode_params()).await;
        let f = &self.fixture;
        let pdg_args = (
            1u32,
            f.absolute_prestate,
            U256::from(73u64),
            U256::from(30u64),
            10_800u64,
            302_400u64,
            mips,
            weth,
            asr,
            U256::from(L2_CHAIN_ID),
            f.roles.proposer,
            f.roles.challenger,
        )
            .abi_encode_params();
        let pdg = self.deploy("PermissionedDisputeGame", pdg_args).await;
        let owner_key = self.keys.owner.clone();
        self.send(
            &owner_key,
            Some(dgf),
            FxDgf::setImplementationCall {
                _gameType: 1,
                _impl: pdg,
            }
            .abi_encode(),
            "DisputeGameFactory.setImplementation(1)",
        )
        .await;
        self.upgrade_and_call(
            portal,
            "OptimismPortal2",
            (U256::from(604_800u64), U256::from(302_400u64)).abi_encode_params(),
            FxPortal2::initializeCall {
                _disputeGameFactory: dgf,
                _systemConfig: sc,
                _superchainConfig: superchain_config,
                _initialRespectedGameType: options.respected_game_type,
            }
            .abi_encode(),
        )
        .await;
        self.init_real_system_config(dgf).await;
        let f = &mut self.fixture;
        f.dispute_game_factory = Some(dgf);
        f.anchor_state_registry = Some(asr);
        f.delayed_weth = Some(weth);
        f.mips = Some(mips);
        f.respected_game_type = Some(options.respected_game_type);
        f.games = vec![FixtureGame {
            game_type: 1,
            implementation: pdg,
            version: "1.2.0",
            v2: false,
        }];
        f.versions.insert("OptimismPortal", "3.10.0");
        f.versions.insert("DisputeGameFactory", "1.0.0");
        f.versions.insert("AnchorStateRegistry", "1.0.0");
    }

    async fn install_legacy(&mut self) {
        let l2oo = self.proxy("L2OutputOracle").await;
        let (sc, portal, superchain_config) = (
            self.fixture.system_config,
            self.fixture.optimism_portal,
            self.fixture.superchain_config,
        );
        let now = self.latest_timestamp().await;
        let f = &self.fixture;
        let init = FxL2OutputOracle::initializeCall {
            _submissionInterval: U256::from(120u64),
            _l2BlockTime: U256::from(2u64),
            _startingBlockNumber: U256::ZERO,
            _startingTimestamp: U256::from(now),
            _proposer: f.roles.proposer,
            _challenger: f.roles.challenger,
            _finalizationPeriodSeconds: U256::from(12u64),
        };
        self.upgrade_and_call(l2oo, "L2OutputOracle", Vec::new(), init.abi_encode())
            .await;
        self.upgrade_and_call(
            portal,
            "OptimismPortal",
            Vec::new(),
            FxPortal::initializeCall {
                _l2Oracle: l2oo,
                _systemConfig: sc,
                _superchainConfig: superchain_config,
            }
            .abi_encode(),
        )
        .await;
        self.init_real_system_config(Address::ZERO).await;
        let f = &mut self.fixture;
        f.l2_output_oracle = Some(l2oo);
        f.versions.insert("OptimismPortal", "2.8.1-beta.1");
        f.versions.insert("L2OutputOracle", "1.8.0");
    }

    /// [`Flavor::CurrentV2`], [`Flavor::Upgrade20`], [`Flavor::KonaPermissionless`]: the
    /// SystemConfig behind the real Proxy, the portal, factory, games and AnchorStateRegistry
    /// are stand-ins answering what those versions answer.
    async fn install_stand_in_chain(&mut self, options: ChainOptions) {
        let (sc_version, batch_inbox_getter, game_types): (&str, bool, [u32; 2]) =
            match options.flavor {
                Flavor::Upgrade20 => ("4.0.0", false, [1, 5]),
                Flavor::KonaPermissionless => ("3.14.2", true, [0, 8]),
                _ => ("3.14.2", true, [0, 1]),
            };
        if options.flavor == Flavor::Upgrade20 {
            self.fixture.previous_roles = Some((
                PrivateKeySigner::random().address(),
                PrivateKeySigner::random().address(),
            ));
        }
        let f = self.fixture.clone();
        let weth = PrivateKeySigner::random().address();
        let vm = PrivateKeySigner::random().address();
        let portal = self
            .deploy_raw(stand_in_bytecode(), "GetterStandIn (OptimismPortal2)")
            .await;
        let dgf = self
            .deploy_raw(stand_in_bytecode(), "GetterStandIn (DisputeGameFactory)")
            .await;
        let asr = self
            .deploy_raw(stand_in_bytecode(), "GetterStandIn (AnchorStateRegistry)")
            .await;
        let mut impls = Vec::new();
        for t in game_types {
            let implementation = self
                .deploy_raw(
                    stand_in_bytecode(),
                    &format!("GetterStandIn (game type {t})"),
                )
                .await;
            impls.push((t, implementation));
        }
        let sc_impl = self
            .deploy_raw(stand_in_bytecode(), "GetterStandIn (SystemConfig)")
            .await;
        self.fixture.optimism_portal = portal;
        let owner_key = self.keys.owner.clone();
        self.send(
            &owner_key,
            Some(f.proxy_admin),
            FxProxyAdmin::upgradeCall {
                _proxy: f.system_config,
                _implementation: sc_impl,
            }
            .abi_encode(),
            "ProxyAdmin.upgrade(SystemConfig -> stand-in)",
        )
        .await;
        let start_block = self.block_number().await;

        let mut sc_answers = vec![
            answer(FxSemver::versionCall {}, sc_version.to_string()),
            answer(FxOwnable::ownerCall {}, f.roles.owner),
            answer(
                FxSystemConfig::batcherHashCall {},
                B256::left_padding_from(f.roles.batcher.as_slice()),
            ),
            answer(
                FxSystemConfig::unsafeBlockSignerCall {},
                f.roles.unsafe_block_signer,
            ),
            answer(FxSystemConfig::optimismPortalCall {}, portal),
            answer(
                FxSystemConfig::l1CrossDomainMessengerCall {},
                f.l1_cross_domain_messenger,
            ),
            answer(
                FxSystemConfig::l1StandardBridgeCall {},
                f.l1_standard_bridge,
            ),
            answer(FxSystemConfig::l1ERC721BridgeCall {}, f.l1_erc721_bridge),
            answer(
                FxSystemConfig::optimismMintableERC20FactoryCall {},
                f.optimism_mintable_erc20_factory,
            ),
            answer(FxSystemConfig::startBlockCall {}, U256::from(start_block)),
            answer(FxSystemConfig::disputeGameFactoryCall {}, dgf),
            answer(FxSystemConfig::l2ChainIdCall {}, U256::from(L2_CHAIN_ID)),
            answer(FxSystemConfig::superchainConfigCall {}, f.superchain_config),
        ];
        // SystemConfig 4.x: batchInbox() reverts (the stand-in reverts for calls it was not told).
        if batch_inbox_getter {
            sc_answers.push(answer(FxSystemConfig::batchInboxCall {}, f.batch_inbox));
        }
        self.stand_in_set(f.system_config, sc_answers).await;

        let portal_answers = vec![
            answer(FxSemver::versionCall {}, "4.6.0".to_string()),
            answer(
                FxPortal2::respectedGameTypeCall {},
                options.respected_game_type,
            ),
            answer(FxPortal2::disputeGameFactoryCall {}, dgf),
            answer(FxPortal2::anchorStateRegistryCall {}, asr),
            answer(FxPortal2::guardianCall {}, f.roles.guardian),
            answer(FxPortal2::systemConfigCall {}, f.system_config),
            answer(FxPortal2::superchainConfigCall {}, f.superchain_config),
        ];
        self.stand_in_set(portal, portal_answers).await;

        // v2 games: parameters packed into DisputeGameFactory.gameArgs (fact sheet 3.4).
        // Permissioned types carry proposer and challenger; type 1 on an Upgrade 20 chain the
        // ones from before the move to type 5.
        let args = |t: u32| {
            let mut out = Vec::new();
            out.extend_from_slice(f.absolute_prestate.as_slice());
            out.extend_from_slice(vm.as_slice());
            out.extend_from_slice(asr.as_slice());
            out.extend_from_slice(weth.as_slice());
            out.extend_from_slice(&U256::from(L2_CHAIN_ID).to_be_bytes::<32>());
            let roles = match (t, f.previous_roles) {
                (1, Some(previous)) => Some(previous),
                (1 | 5, _) => Some((f.roles.proposer, f.roles.challenger)),
                _ => None,
            };
            if let Some((proposer, challenger)) = roles {
                out.extend_from_slice(proposer.as_slice());
                out.extend_from_slice(challenger.as_slice());
            }
            Bytes::from(out)
        };
        // Like the real factory, it answers every game type opctl asks about: zero and empty
        // for the types that are not registered.
        let mut dgf_answers = vec![answer(FxSemver::versionCall {}, "1.3.0".to_string())];
        for t in opctl::rpc::PROBED_GAME_TYPES {
            let (implementation, game_args) = match impls.iter().find(|(it, _)| *it == t) {
                Some((_, implementation)) => (*implementation, args(t)),
                None => (Address::ZERO, Bytes::new()),
            };
            dgf_answers.push(answer(
                FxDgf::gameImplsCall { _gameType: t },
                implementation,
            ));
            dgf_answers.push(answer(FxDgf::gameArgsCall { _gameType: t }, game_args));
        }
        self.stand_in_set(dgf, dgf_answers).await;
        for (t, implementation) in &impls {
            self.stand_in_set(
                *implementation,
                vec![
                    answer(FxSemver::versionCall {}, "2.0.0".to_string()),
                    answer(FxGame::gameTypeCall {}, *t),
                ],
            )
            .await;
        }
        self.stand_in_set(
            asr,
            vec![answer(FxSemver::versionCall {}, "3.5.0".to_string())],
        )
        .await;

        let f = &mut self.fixture;
        f.start_block = start_block;
        f.dispute_game_factory = Some(dgf);
        f.anchor_state_registry = Some(asr);
        f.delayed_weth = Some(weth);
        f.mips = Some(vm);
        f.respected_game_type = Some(options.respected_game_type);
        f.games = impls
            .iter()
            .map(|(t, implementation)| FixtureGame {
                game_type: *t,
                implementation: *implementation,
                version: "2.0.0",
                v2: true,
            })
            .collect();
        if !batch_inbox_getter {
            f.batch_inbox_on_l1 = false;
        }
        f.versions.insert("SystemConfig", sc_version);
        f.versions.insert("OptimismPortal", "4.6.0");
        f.versions.insert("DisputeGameFactory", "1.3.0");
        f.versions.insert("AnchorStateRegistry", "3.5.0");
    }

    // -----------------------------------------------------------------------------------------
    // Transactions

    /// A real OP `Proxy` administered by the fixture's ProxyAdmin; `what` is for messages.
    async fn proxy(&mut self, what: &str) -> Address {
        let admin = self.fixture.proxy_admin;
        let code = artifact_bytecode("Proxy", "Proxy");
        let mut data = code;
        data.extend((admin,).abi_encode_params());
        self.deploy_raw(data, &format!("Proxy ({what})")).await
    }

    /// Deploys the implementation `contract` (constructor args appended) and points `proxy` at
    /// it through `ProxyAdmin.upgradeAndCall(proxy, impl, init)`. Returns the upgrade's receipt.
    async fn upgrade_and_call(
        &mut self,
        proxy: Address,
        contract: &str,
        ctor_args: Vec<u8>,
        init: Vec<u8>,
    ) -> Value {
        let implementation = self.deploy(contract, ctor_args).await;
        let owner_key = self.keys.owner.clone();
        let admin = self.fixture.proxy_admin;
        self.send(
            &owner_key,
            Some(admin),
            FxProxyAdmin::upgradeAndCallCall {
                _proxy: proxy,
                _implementation: implementation,
                _data: init.into(),
            }
            .abi_encode(),
            &format!("ProxyAdmin.upgradeAndCall({contract})"),
        )
        .await
    }

    async fn deploy(&mut self, contract: &str, ctor_args: Vec<u8>) -> Address {
        let mut data = artifact_bytecode(contract, contract);
        data.extend(ctor_args);
        self.deploy_raw(data, contract).await
    }

    async fn deploy_raw(&mut self, data: Vec<u8>, what: &str) -> Address {
        let deployer = self.keys.deployer.clone();
        let nonce = self.next_nonce(deployer.address());
        self.send_with_nonce(&deployer, nonce, None, data, &format!("deploy {what}"))
            .await;
        deployer.address().create(nonce)
    }

    async fn stand_in_set(&mut self, target: Address, answers: Vec<(Vec<u8>, Vec<u8>)>) {
        let (calls, results): (Vec<Bytes>, Vec<Bytes>) = answers
            .into_iter()
            .map(|(c, r)| (Bytes::from(c), Bytes::from(r)))
            .unzip();
        let deployer = self.keys.deployer.clone();
        self.send(
            &deployer,
            Some(target),
            FxStandIn::standInSetCall { calls, results }.abi_encode(),
            "GetterStandIn.standInSet",
        )
        .await;
    }

    fn next_nonce(&mut self, who: Address) -> u64 {
        let n = self.nonces.entry(who).or_insert(0);
        let current = *n;
        *n += 1;
        current
    }

    async fn send(
        &mut self,
        signer: &PrivateKeySigner,
        to: Option<Address>,
        data: Vec<u8>,
        what: &str,
    ) -> Value {
        let nonce = self.next_nonce(signer.address());
        self.send_with_nonce(signer, nonce, to, data, what).await
    }

    /// Signs an EIP-1559 transaction locally and sends it raw; anvil mines it at once.
    async fn send_with_nonce(
        &mut self,
        signer: &PrivateKeySigner,
        nonce: u64,
        to: Option<Address>,
        data: Vec<u8>,
        what: &str,
    ) -> Value {
        let mut tx = TxEip1559 {
            chain_id: L1_CHAIN_ID,
            nonce,
            gas_limit: 15_000_000,
            max_fee_per_gas: 200_000_000_000,
            max_priority_fee_per_gas: 1_000_000_000,
            to: to.map_or(TxKind::Create, TxKind::Call),
            value: U256::ZERO,
            access_list: Default::default(),
            input: data.into(),
        };
        let signature = signer
            .sign_transaction_sync(&mut tx)
            .unwrap_or_else(|e| panic!("signing {what}: {e}"));
        let envelope = TxEnvelope::from(tx.into_signed(signature));
        let raw = Bytes::from(envelope.encoded_2718());
        // EIP-7966: anvil mines the transaction and answers with its receipt, so a dependent
        // transaction is never sent before the one it depends on is in a block.
        let receipt: Value = self
            .rpc
            .request("eth_sendRawTransactionSync", (raw,))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "anvil rejected transaction {what}: {e}\n--- anvil log ---\n{}",
                    self.log_tail()
                )
            });
        let status = receipt
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("missing");
        assert_eq!(
            status, "0x1",
            "fixture transaction {what} failed (status {status}): {receipt}"
        );
        self.timings.transactions += 1;
        receipt
    }

    async fn block_number(&self) -> u64 {
        hex_u64(&self.request("eth_blockNumber", json!([])).await)
    }

    async fn latest_timestamp(&self) -> u64 {
        let block = self
            .request("eth_getBlockByNumber", json!(["latest", false]))
            .await;
        hex_u64(&block["timestamp"])
    }

    fn log_tail(&self) -> String {
        super::log_tail(&self.anvil.log, 20)
    }
}

/// `(calldata, raw return data)` for a stand-in, from a typed call and its return value.
pub fn answer<C: SolCall>(call: C, ret: impl Into<C::Return>) -> (Vec<u8>, Vec<u8>) {
    let ret = ret.into();
    (call.abi_encode(), C::abi_encode_returns(&ret))
}

fn hex_u64(v: &Value) -> u64 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("expected a hex quantity, got {v}"));
    u64::from_str_radix(s.trim_start_matches("0x"), 16)
        .unwrap_or_else(|e| panic!("bad quantity {s}: {e}"))
}

fn rand_bytes32() -> [u8; 32] {
    PrivateKeySigner::random().to_bytes().0
}

fn spawn_anvil(dir: &tempfile::TempDir) -> AnvilProcess {
    let bin = anvil_binary();
    let log = dir.path().join("anvil.log");
    let out = std::fs::File::create(&log).expect("create anvil log");
    let err = out.try_clone().expect("clone anvil log handle");
    let child = Command::new(&bin)
        .args(["--host", "127.0.0.1", "--port", "0", "--accounts", "0"])
        .args(["--chain-id", &L1_CHAIN_ID.to_string()])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start anvil {}: {e}; run `{PROVISION_COMMAND}`",
                bin.display()
            )
        });
    AnvilProcess { child, log }
}

/// Waits for anvil's `Listening on 127.0.0.1:PORT` line and returns the HTTP URL.
fn wait_for_listening(anvil: &AnvilProcess) -> String {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let text = std::fs::read_to_string(&anvil.log).unwrap_or_default();
        if let Some(rest) = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Listening on "))
        {
            return format!("http://{}", rest.trim());
        }
        assert!(
            Instant::now() < deadline,
            "anvil printed no `Listening on` line within {START_TIMEOUT:?}\n--- {} ---\n{}",
            anvil.log.display(),
            super::log_tail(&anvil.log, 20)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn contracts_bedrock() -> PathBuf {
    let dir = npm_dir().join("node_modules/@eth-optimism/contracts-bedrock");
    assert!(
        dir.join("package.json").is_file(),
        "@eth-optimism/contracts-bedrock is not installed in {}; run `{PROVISION_COMMAND}`",
        dir.display()
    );
    dir
}

/// Creation bytecode of `forge-artifacts/<file>.sol/<contract>.json`.
pub fn artifact_bytecode(file: &str, contract: &str) -> Vec<u8> {
    #[derive(serde::Deserialize)]
    struct Artifact {
        bytecode: Code,
    }
    #[derive(serde::Deserialize)]
    struct Code {
        object: String,
    }
    let path = contracts_bedrock().join(format!("forge-artifacts/{file}.sol/{contract}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {}: {e}; run `{PROVISION_COMMAND}`", path.display()));
    let artifact: Artifact =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()));
    hex::decode(artifact.bytecode.object.trim_start_matches("0x"))
        .unwrap_or_else(|e| panic!("bytecode of {}: {e}", path.display()))
}

/// Multicall3's runtime code from contracts-bedrock's `src/libraries/Preinstalls.sol`.
pub fn multicall3_runtime() -> Bytes {
    let path = contracts_bedrock().join("src/libraries/Preinstalls.sol");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let start = text
        .find("MultiCall3Code =")
        .unwrap_or_else(|| panic!("no MultiCall3Code in {}", path.display()));
    let rest = &text[start..];
    let open = rest.find("hex\"").expect("MultiCall3Code hex literal") + 4;
    let close = rest[open..]
        .find('"')
        .expect("end of MultiCall3Code literal");
    Bytes::from(hex::decode(&rest[open..open + close]).expect("MultiCall3Code is hex"))
}

/// The stand-in's creation bytecode.
pub fn stand_in_bytecode() -> Vec<u8> {
    hex::decode(STAND_IN_BIN.trim()).expect("GetterStandIn.bin is hex")
}

/// Path of the stand-in's Solidity source.
pub fn stand_in_source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/contracts")
}

/// A bare anvil as an L2 execution client's JSON-RPC stand-in for `opctl status`: real
/// `eth_blockNumber`, `eth_syncing`, `eth_chainId` (and anvil's own answer to `net_peerCount`,
/// which it does not serve), bound at `host:port` (a pod's IP on the test pod network).
/// Killed on drop.
pub struct ElAnvil {
    rpc: RpcClient,
    url: String,
    anvil: AnvilProcess,
    _dir: tempfile::TempDir,
}

impl ElAnvil {
    pub fn start(host: &str, port: u16, chain_id: u64) -> ElAnvil {
        install_crypto_provider();
        let dir = super::temp_dir("opctl-el-anvil-");
        let bin = anvil_binary();
        let log = dir.path().join("anvil.log");
        let out = std::fs::File::create(&log).expect("create anvil log");
        let err = out.try_clone().expect("clone anvil log handle");
        let child = Command::new(&bin)
            .args([
                "--host",
                host,
                "--port",
                &port.to_string(),
                "--accounts",
                "0",
            ])
            .args(["--chain-id", &chain_id.to_string()])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start anvil {}: {e}; run `{PROVISION_COMMAND}`",
                    bin.display()
                )
            });
        let anvil = AnvilProcess { child, log };
        let url = wait_for_listening(&anvil);
        let rpc = ClientBuilder::default().http(url.parse().expect("anvil URL parses"));
        ElAnvil {
            rpc,
            url,
            anvil,
            _dir: dir,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Any JSON-RPC call (anvil's cheat codes included); panics when it fails.
    pub async fn request(&self, method: &'static str, params: Value) -> Value {
        self.rpc
            .request::<_, Value>(method, params)
            .await
            .unwrap_or_else(|e| panic!("{method} on {}: {e}", self.url))
    }

    /// Deploys the getter stand-in from `from` (impersonated and funded) answering exactly
    /// `answers` (calldata -> raw return data); needs automine.
    pub async fn deploy_stand_in(
        &self,
        from: Address,
        answers: Vec<(Vec<u8>, Vec<u8>)>,
    ) -> Address {
        // anvil answers eth_sendTransaction before the block with it is mined.
        // (This file is also compiled into the benches, without `super::poll`.)
        let receipt = |hash: Value| async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let r = self
                    .request("eth_getTransactionReceipt", json!([hash]))
                    .await;
                if !r.is_null() {
                    assert_eq!(r["status"], "0x1", "stand-in transaction failed: {r}");
                    return r;
                }
                assert!(
                    Instant::now() < deadline,
                    "stand-in transaction {hash} was not mined"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        let hash = self
            .request(
                "eth_sendTransaction",
                json!([{ "from": from, "data": Bytes::from(stand_in_bytecode()), "gas": "0x1c9c380" }]),
            )
            .await;
        let address: Address = receipt(hash).await["contractAddress"]
            .as_str()
            .and_then(|a| a.parse().ok())
            .expect("the stand-in's address");
        let (calls, results): (Vec<Bytes>, Vec<Bytes>) = answers
            .into_iter()
            .map(|(c, r)| (Bytes::from(c), Bytes::from(r)))
            .unzip();
        let data = FxStandIn::standInSetCall { calls, results }.abi_encode();
        let hash = self
            .request(
                "eth_sendTransaction",
                json!([{ "from": from, "to": address, "data": Bytes::from(data), "gas": "0x1c9c380" }]),
            )
            .await;
        receipt(hash).await;
        address
    }

    /// Mines `n` empty blocks and returns the new head.
    pub async fn mine(&self, n: u64) -> u64 {
        self.rpc
            .request::<_, Value>("anvil_mine", json!([format!("{n:#x}")]))
            .await
            .unwrap_or_else(|e| panic!("anvil_mine on {}: {e}", self.url));
        self.block_number().await
    }

    /// `anvil_setBalance`: gives `address` exactly `wei`.
    pub async fn set_balance(&self, address: &str, wei: u128) {
        self.rpc
            .request::<_, Value>("anvil_setBalance", json!([address, format!("{wei:#x}")]))
            .await
            .unwrap_or_else(|e| panic!("anvil_setBalance on {}: {e}", self.url));
    }

    pub async fn block_number(&self) -> u64 {
        let head: Value = self
            .rpc
            .request("eth_blockNumber", json!([]))
            .await
            .unwrap_or_else(|e| panic!("eth_blockNumber on {}: {e}", self.url));
        u64::from_str_radix(head.as_str().unwrap_or("0x0").trim_start_matches("0x"), 16)
            .unwrap_or_else(|e| panic!("eth_blockNumber answered {head}: {e}"))
    }
}

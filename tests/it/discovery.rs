//! Contract discovery, checks and the lock file against a real anvil with real OP contract
//! bytecode (see `support::chain` for exactly which parts are real OP code and which are
//! stand-ins), plus misbehaving RPC endpoints served from local TCP sockets.

use std::time::Duration;

use alloy::primitives::{Address, B256, U256};
use alloy::signers::local::PrivateKeySigner;
use opctl::lock::Lock;
use opctl::rpc::{
    address_from_private_key_hex, discover, run_checks, CheckInput, CheckStatus, ContractName,
    Discovery, DiscoveryError, GameArgsLayout, L1Rpc, ProofSystem, ReadMode, RoleName, RollupFacts,
    RpcError, RpcOptions, SignerAddresses, Source,
};
use serde_json::json;

use crate::support::chain::{
    answer, key_hex, ChainOptions, Fixture, Flavor, FxOwnable, FxPortal, FxPortal2, FxSemver,
    FxSystemConfig, TestChain, L1_CHAIN_ID, L2_CHAIN_ID, MULTICALL3,
};

fn origin() -> Source {
    Source::Toml {
        key: "l1.system_config".into(),
    }
}

fn rpc(chain: &TestChain, mode: ReadMode) -> L1Rpc {
    L1Rpc::new(
        chain.url(),
        RpcOptions {
            mode,
            ..RpcOptions::default()
        },
    )
    .expect("anvil URL is valid")
}

async fn discover_chain(chain: &TestChain) -> (Discovery, u64) {
    let rpc = rpc(chain, ReadMode::Auto);
    let d = discover(&rpc, chain.fixture.system_config, origin())
        .await
        .unwrap_or_else(|e| panic!("discovery failed: {e}"));
    (d, rpc.http_requests())
}

/// Asserts what every flavor shares: SystemConfig, bridges, batcher, signer, owners.
fn assert_common(d: &Discovery, f: &Fixture) {
    let c = |name| d.contract(name);
    assert_eq!(d.system_config, f.system_config);
    assert_eq!(c(ContractName::SystemConfig), Some(f.system_config));
    assert_eq!(c(ContractName::ProxyAdmin), Some(f.proxy_admin));
    assert_eq!(c(ContractName::OptimismPortal), Some(f.optimism_portal));
    assert_eq!(
        c(ContractName::L1CrossDomainMessenger),
        Some(f.l1_cross_domain_messenger)
    );
    assert_eq!(
        c(ContractName::L1StandardBridge),
        Some(f.l1_standard_bridge)
    );
    assert_eq!(c(ContractName::L1Erc721Bridge), Some(f.l1_erc721_bridge));
    assert_eq!(
        c(ContractName::OptimismMintableErc20Factory),
        Some(f.optimism_mintable_erc20_factory)
    );
    for (name, version) in &f.versions {
        let contract = ContractName::ALL
            .into_iter()
            .find(|n| n.solidity_name() == *name)
            .unwrap_or_else(|| panic!("{name} is not a ContractName"));
        let found = d
            .contracts
            .get(&contract)
            .and_then(|info| info.version.as_deref());
        assert_eq!(found, Some(*version), "version of {name}");
    }
    assert_eq!(d.role(RoleName::Batcher), Some(f.roles.batcher));
    assert_eq!(
        d.role(RoleName::UnsafeBlockSigner),
        Some(f.roles.unsafe_block_signer)
    );
    assert_eq!(d.role(RoleName::SystemConfigOwner), Some(f.roles.owner));
    assert_eq!(d.role(RoleName::ProxyAdminOwner), Some(f.roles.owner));
    if f.batch_inbox_on_l1 {
        assert_eq!(d.batch_inbox.as_ref().map(|b| b.value), Some(f.batch_inbox));
    } else {
        assert_eq!(d.batch_inbox, None, "SystemConfig 4.x does not name it");
    }
    assert_eq!(d.start_block.as_ref().map(|b| b.value), Some(f.start_block));
    assert_eq!(d.l1_chain_id.as_ref().map(|c| c.value), Some(L1_CHAIN_ID));
    assert_eq!(
        d.roles[&RoleName::Batcher].source,
        Source::call("SystemConfig", "batcherHash()")
    );
    assert_eq!(d.contracts[&ContractName::SystemConfig].source, origin());
    let block = d.block.expect("read at a block");
    assert!(block.number > 0 && block.hash != B256::ZERO);
}

#[tokio::test]
async fn discovery_of_a_permissioned_v1_chain_returns_exactly_the_fixture() {
    let chain = TestChain::start(Flavor::PermissionedV1).await;
    let f = &chain.fixture;
    let (d, requests) = discover_chain(&chain).await;
    assert_common(&d, f);
    assert_eq!(d.proof_system, Some(ProofSystem::FaultProofs));
    assert_eq!(d.respected_game_type(), Some(1));
    assert_eq!(
        d.contract(ContractName::DisputeGameFactory),
        f.dispute_game_factory
    );
    assert_eq!(
        d.contract(ContractName::AnchorStateRegistry),
        f.anchor_state_registry
    );
    assert_eq!(d.contract(ContractName::L2OutputOracle), None);
    assert_eq!(d.role(RoleName::Guardian), Some(f.roles.guardian));
    assert_eq!(d.role(RoleName::Proposer), Some(f.roles.proposer));
    assert_eq!(d.role(RoleName::Challenger), Some(f.roles.challenger));
    assert_eq!(d.games.len(), 1, "only the permissioned game is registered");
    let game = d.game(1).expect("game type 1");
    assert_eq!(game.implementation.address, f.games[0].implementation);
    assert_eq!(game.implementation.version.as_deref(), Some("1.2.0"));
    assert_eq!(game.layout, GameArgsLayout::Immutables);
    assert_eq!(game.absolute_prestate.value, f.absolute_prestate);
    assert_eq!(
        game.absolute_prestate.source,
        Source::call("PermissionedDisputeGame", "absolutePrestate()")
    );
    assert_eq!(Some(game.vm.value), f.mips);
    assert_eq!(Some(game.weth.value), f.delayed_weth);
    assert_eq!(game.l2_chain_id.value, L2_CHAIN_ID);
    assert_eq!(d.l2_chain_id.as_ref().map(|c| c.value), Some(L2_CHAIN_ID));
    // Chain id, header and the ProxyAdmin slot; then one lens eth_call reaching the game
    // implementation's getters and the AnchorStateRegistry it names (4 requests before the lens).
    assert!(requests <= 2, "{requests} HTTP requests for a v1 chain");
    eprintln!(
        "TestChain(PermissionedV1) started in {:?} (anvil {:?}, {} txs in {:?})",
        chain.timings.total,
        chain.timings.anvil,
        chain.timings.transactions,
        chain.timings.contracts
    );
}

#[tokio::test]
async fn discovery_of_a_current_chain_with_v2_games_takes_two_requests() {
    let chain = TestChain::start(Flavor::CurrentV2).await;
    let f = &chain.fixture;
    let (d, requests) = discover_chain(&chain).await;
    assert_common(&d, f);
    assert!(
        requests <= 2,
        "{requests} HTTP requests for a current chain"
    );
    assert_eq!(d.respected_game_type(), Some(1));
    assert_eq!(
        d.contract(ContractName::DisputeGameFactory),
        f.dispute_game_factory
    );
    assert_eq!(
        d.contract(ContractName::AnchorStateRegistry),
        f.anchor_state_registry
    );
    assert_eq!(
        d.contracts[&ContractName::AnchorStateRegistry].source,
        Source::call("OptimismPortal", "anchorStateRegistry()")
    );
    assert_eq!(
        d.contract(ContractName::SuperchainConfig),
        Some(f.superchain_config)
    );
    assert_eq!(d.l2_chain_id.as_ref().map(|c| c.value), Some(L2_CHAIN_ID));
    assert_eq!(d.games.len(), 2);
    for fg in &f.games {
        let game = d.game(fg.game_type).expect("registered game type");
        assert_eq!(game.implementation.address, fg.implementation);
        assert_eq!(game.implementation.version.as_deref(), Some(fg.version));
        assert_eq!(game.layout, GameArgsLayout::GameArgs);
        assert_eq!(game.absolute_prestate.value, f.absolute_prestate);
        assert_eq!(
            Some(game.anchor_state_registry.value),
            f.anchor_state_registry
        );
        assert_eq!(Some(game.weth.value), f.delayed_weth);
        assert_eq!(Some(game.vm.value), f.mips);
        assert_eq!(game.l2_chain_id.value, L2_CHAIN_ID);
    }
    assert_eq!(
        d.game(0).and_then(|g| g.proposer.as_ref()),
        None,
        "permissionless game has no proposer"
    );
    let pdg = d.game(1).expect("permissioned game");
    assert_eq!(
        pdg.proposer.as_ref().map(|p| p.value),
        Some(f.roles.proposer)
    );
    assert_eq!(
        pdg.proposer
            .as_ref()
            .map(|p| p.source.to_string())
            .as_deref(),
        Some("call DisputeGameFactory.gameArgs(1)[124:144]")
    );
    assert_eq!(d.role(RoleName::Proposer), Some(f.roles.proposer));
    assert_eq!(d.role(RoleName::Challenger), Some(f.roles.challenger));
}

#[tokio::test]
async fn discovery_of_a_legacy_output_oracle_chain_returns_exactly_the_fixture() {
    let chain = TestChain::start(Flavor::LegacyOutputOracle).await;
    let f = &chain.fixture;
    let (d, requests) = discover_chain(&chain).await;
    assert_common(&d, f);
    assert!(requests <= 2, "{requests} HTTP requests for a legacy chain");
    assert_eq!(d.proof_system, Some(ProofSystem::OutputOracle));
    assert_eq!(d.contract(ContractName::L2OutputOracle), f.l2_output_oracle);
    assert_eq!(
        d.contracts[&ContractName::L2OutputOracle].source,
        Source::call("OptimismPortal", "l2Oracle()")
    );
    assert_eq!(d.contract(ContractName::DisputeGameFactory), None);
    assert_eq!(d.respected_game_type, None);
    assert!(d.games.is_empty());
    assert_eq!(d.role(RoleName::Proposer), Some(f.roles.proposer));
    assert_eq!(d.role(RoleName::OutputChallenger), Some(f.roles.challenger));
    assert_eq!(
        d.role(RoleName::Challenger),
        None,
        "L2OO CHALLENGER is not op-challenger's role"
    );
    let oracle = d.output_oracle.as_ref().expect("L2OutputOracle parameters");
    assert_eq!(oracle.submission_interval.value, 120);
    assert_eq!(oracle.l2_block_time.value, 2);
    assert_eq!(oracle.finalization_period_seconds.value, 12);
    assert_eq!(
        d.l2_chain_id, None,
        "a legacy chain does not record its L2 chain id on L1"
    );
}

#[tokio::test]
async fn every_read_mode_finds_the_same_values_at_the_same_block() {
    let chain = TestChain::start(Flavor::CurrentV2).await;
    let (auto, auto_requests) = discover_chain(&chain).await;
    for mode in [ReadMode::JsonRpcBatch, ReadMode::Sequential] {
        let rpc = rpc(&chain, mode);
        let d = discover(&rpc, chain.fixture.system_config, origin())
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert_eq!(d, auto, "{mode:?}");
        assert!(
            rpc.http_requests() > auto_requests,
            "{mode:?} sends more requests"
        );
    }
}

/// Upgrade 20 (stand-ins): SystemConfig 4.0.0 whose `batchInbox()` reverts, games 1 and 5,
/// respected 5. Game 1 still carries the proposer and challenger from before the move.
#[tokio::test]
async fn discovery_of_an_upgrade_20_chain_reports_both_permissioned_games_and_respects_5() {
    let chain = TestChain::start(Flavor::Upgrade20).await;
    let f = &chain.fixture;
    let (d, requests) = discover_chain(&chain).await;
    assert_common(&d, f);
    assert!(
        requests <= 2,
        "{requests} HTTP requests for an Upgrade 20 chain"
    );
    assert_eq!(
        d.contracts[&ContractName::SystemConfig].version.as_deref(),
        Some("4.0.0")
    );
    assert_eq!(
        d.batch_inbox, None,
        "batchInbox() reverts on SystemConfig 4.x"
    );
    assert_eq!(d.respected_game_type(), Some(5));
    assert!(d.permissioned_game_in_use());
    assert_eq!(
        d.games.keys().map(String::as_str).collect::<Vec<_>>(),
        vec!["1", "5"]
    );
    let (old_proposer, old_challenger) = f.previous_roles.expect("previous roles");
    let super_game = d.respected_game().expect("game 5 is enabled");
    assert_eq!(super_game.game_type, 5);
    assert_eq!(
        super_game.proposer.as_ref().map(|p| p.value),
        Some(f.roles.proposer)
    );
    assert_eq!(
        super_game
            .challenger
            .as_ref()
            .map(|c| c.source.to_string())
            .as_deref(),
        Some("call DisputeGameFactory.gameArgs(5)[144:164]")
    );
    assert_eq!(super_game.implementation.version.as_deref(), Some("2.0.0"));
    let old_game = d.game(1).expect("game 1 is still registered");
    assert_eq!(
        old_game.proposer.as_ref().map(|p| p.value),
        Some(old_proposer)
    );
    assert_eq!(
        old_game.challenger.as_ref().map(|c| c.value),
        Some(old_challenger)
    );
    assert_eq!(d.role(RoleName::Proposer), Some(f.roles.proposer));
    assert_eq!(d.role(RoleName::Challenger), Some(f.roles.challenger));
    assert_eq!(
        d.contract(ContractName::AnchorStateRegistry),
        f.anchor_state_registry
    );

    // The key checks compare against game 5's roles, not game 1's.
    let keys = keys_of(&chain);
    let good = CheckInput {
        expected_l1_chain_id: Some(L1_CHAIN_ID),
        rollup: None,
        keys,
        stored_keys: None,
        game_pins: &[],
        hardfork: None,
    };
    assert!(failing(&d, &good).is_empty(), "{:?}", run_checks(&d, &good));
    let proposer_check = run_checks(&d, &good)
        .into_iter()
        .find(|r| r.name == "proposer-key")
        .expect("proposer-key ran");
    assert!(
        proposer_check.message.contains("gameArgs(5)"),
        "{}",
        proposer_check.message
    );
    let previous_keys = CheckInput {
        keys: SignerAddresses {
            proposer: Some(old_proposer),
            challenger: Some(old_challenger),
            ..keys
        },
        ..good
    };
    assert_eq!(
        failing(&d, &previous_keys),
        vec!["proposer-key", "challenger-key"]
    );
}

/// Upgrade 19 (stand-ins): a permissionless chain respecting CANNON_KONA (8), games 8 and 0.
#[tokio::test]
async fn discovery_of_a_permissionless_kona_chain_reports_games_8_and_0_and_respects_8() {
    let chain = TestChain::start(Flavor::KonaPermissionless).await;
    let f = &chain.fixture;
    let (d, requests) = discover_chain(&chain).await;
    assert_common(&d, f);
    assert!(requests <= 2, "{requests} HTTP requests for a kona chain");
    assert_eq!(d.respected_game_type(), Some(8));
    assert!(!d.permissioned_game_in_use());
    assert_eq!(
        d.games.keys().map(String::as_str).collect::<Vec<_>>(),
        vec!["0", "8"]
    );
    for fg in &f.games {
        let game = d.game(fg.game_type).expect("registered game type");
        assert_eq!(game.implementation.address, fg.implementation);
        assert_eq!(game.layout, GameArgsLayout::GameArgs);
        assert_eq!(game.proposer, None, "permissionless games have no proposer");
        assert_eq!(game.absolute_prestate.value, f.absolute_prestate);
    }
    assert_eq!(d.respected_game().map(|g| g.game_type), Some(8));
    assert_eq!(d.role(RoleName::Proposer), None);
    let input = CheckInput {
        keys: keys_of(&chain),
        ..CheckInput::default()
    };
    let results = statuses(&d, &input);
    assert!(
        results.contains(&("proposer-key", CheckStatus::Skip))
            && results.contains(&("challenger-key", CheckStatus::Skip)),
        "{results:?}"
    );
}

#[tokio::test]
async fn a_chain_without_multicall3_is_read_in_two_requests_too() {
    let chain = TestChain::start_with(ChainOptions {
        multicall3: false,
        ..ChainOptions::new(Flavor::PermissionedV1)
    })
    .await;
    let code = chain
        .request("eth_getCode", json!([MULTICALL3, "latest"]))
        .await;
    assert_eq!(code, json!("0x"), "no Multicall3 on this chain");
    let rpc = rpc(&chain, ReadMode::Auto);
    let d = discover(&rpc, chain.fixture.system_config, origin())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_common(&d, &chain.fixture);
    assert_eq!(rpc.lens_works(), Some(true), "the lens needs no Multicall3");
    assert!(rpc.http_requests() <= 2, "{} requests", rpc.http_requests());
}

/// SystemConfig 1.12 (op-contracts v1.3.0) names the L2OutputOracle itself. No such contract is
/// in the pinned package, so SystemConfig 1.12 and its OptimismPortal 2.5 are stand-ins; the
/// L2OutputOracle, bridges and messenger they point at are the legacy fixture's real contracts.
#[tokio::test]
async fn a_system_config_1_12_chain_names_its_output_oracle_itself() {
    let mut chain = TestChain::start(Flavor::LegacyOutputOracle).await;
    let f = chain.fixture.clone();
    let l2oo = f
        .l2_output_oracle
        .expect("legacy fixture has an L2OutputOracle");
    let portal = chain.deploy_stand_in(Vec::new()).await;
    let sc = chain
        .deploy_stand_in(vec![
            answer(FxSemver::versionCall {}, "1.12.0".to_string()),
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
            answer(FxSystemConfig::batchInboxCall {}, f.batch_inbox),
            answer(FxSystemConfig::startBlockCall {}, U256::from(7u64)),
            answer(FxSystemConfig::l2OutputOracleCall {}, l2oo),
        ])
        .await;
    chain
        .set_stand_in_answers(
            portal,
            vec![
                answer(FxSemver::versionCall {}, "2.5.0".to_string()),
                answer(FxPortal::l2OracleCall {}, l2oo),
                answer(FxPortal2::systemConfigCall {}, sc),
            ],
        )
        .await;
    let d = discover(&rpc(&chain, ReadMode::Auto), sc, origin())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.proof_system, Some(ProofSystem::OutputOracle));
    assert_eq!(d.contract(ContractName::L2OutputOracle), Some(l2oo));
    assert_eq!(
        d.contracts[&ContractName::L2OutputOracle].source,
        Source::call("SystemConfig", "l2OutputOracle()")
    );
    assert_eq!(
        d.contracts[&ContractName::SystemConfig].version.as_deref(),
        Some("1.12.0")
    );
    assert_eq!(
        d.contracts[&ContractName::OptimismPortal]
            .version
            .as_deref(),
        Some("2.5.0")
    );
    assert_eq!(d.role(RoleName::Proposer), Some(f.roles.proposer));
    assert_eq!(d.role(RoleName::Batcher), Some(f.roles.batcher));
    assert_eq!(d.start_block.as_ref().map(|b| b.value), Some(7));
    assert_eq!(
        d.contract(ContractName::ProxyAdmin),
        None,
        "the stand-in is not behind a proxy"
    );
}

#[tokio::test]
async fn a_portal_that_belongs_to_another_system_config_is_an_inconsistency() {
    let mut chain = TestChain::start(Flavor::LegacyOutputOracle).await;
    let f = chain.fixture.clone();
    // A SystemConfig look-alike that names the fixture's real portal, whose systemConfig() is the
    // fixture's real SystemConfig, not this one.
    let impostor = chain
        .deploy_stand_in(vec![
            answer(FxSemver::versionCall {}, "2.3.0".to_string()),
            answer(FxOwnable::ownerCall {}, f.roles.owner),
            answer(FxSystemConfig::batcherHashCall {}, B256::ZERO),
            answer(
                FxSystemConfig::unsafeBlockSignerCall {},
                f.roles.unsafe_block_signer,
            ),
            answer(FxSystemConfig::optimismPortalCall {}, f.optimism_portal),
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
            answer(FxSystemConfig::batchInboxCall {}, f.batch_inbox),
            answer(FxSystemConfig::startBlockCall {}, U256::from(1u64)),
            answer(FxSystemConfig::disputeGameFactoryCall {}, Address::ZERO),
        ])
        .await;
    let err = discover(&rpc(&chain, ReadMode::Auto), impostor, origin())
        .await
        .expect_err("the portal points elsewhere");
    let message = err.to_string();
    assert!(
        matches!(err, DiscoveryError::Inconsistent { .. }),
        "{message}"
    );
    assert!(
        message.contains(&f.system_config.to_string()) && message.contains(&impostor.to_string()),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------------
// Checks

fn keys_of(chain: &TestChain) -> SignerAddresses {
    let addr =
        |s: &PrivateKeySigner| Some(address_from_private_key_hex(&key_hex(s)).expect("valid key"));
    SignerAddresses {
        batcher: addr(&chain.keys.batcher),
        sequencer: addr(&chain.keys.unsafe_block_signer),
        proposer: addr(&chain.keys.proposer),
        challenger: addr(&chain.keys.challenger),
    }
}

fn rollup_of(f: &Fixture) -> RollupFacts {
    RollupFacts {
        l1_system_config_address: f.system_config,
        batch_inbox_address: f.batch_inbox,
        deposit_contract_address: f.optimism_portal,
        l1_chain_id: L1_CHAIN_ID,
        l2_chain_id: L2_CHAIN_ID,
    }
}

fn statuses(d: &Discovery, input: &CheckInput<'_>) -> Vec<(&'static str, CheckStatus)> {
    run_checks(d, input)
        .into_iter()
        .map(|r| (r.name, r.status))
        .collect()
}

fn failing(d: &Discovery, input: &CheckInput<'_>) -> Vec<&'static str> {
    run_checks(d, input)
        .into_iter()
        .filter(|r| r.status == CheckStatus::Fail)
        .map(|r| r.name)
        .collect()
}

/// The four signer keys as read from well-formed Secrets.
fn clean_stored_keys() -> Vec<opctl::model::key_format::StoredKey> {
    use opctl::model::key_format::{KeyFinding, StoredKey};
    ["sequencer", "batcher", "proposer", "challenger"]
        .into_iter()
        .map(|role| StoredKey {
            role,
            namespace: "op".into(),
            secret: "signers".into(),
            key: role.into(),
            finding: KeyFinding::Clean,
        })
        .collect()
}

#[tokio::test]
async fn every_check_passes_for_the_right_keys_and_fails_for_each_wrong_fact() {
    let mut chain = TestChain::start(Flavor::PermissionedV1).await;
    let (d, _) = discover_chain(&chain).await;
    let rollup = rollup_of(&chain.fixture);
    let keys = keys_of(&chain);
    let stored = clean_stored_keys();
    // The proposer pins the type the portal respects: `game-type` passes.
    let pins = [opctl::model::checks::GamePin::Equals {
        key: "proposer.game_type",
        value: d.respected_game_type().expect("respected type read"),
    }];
    // No fork scheduled: `hardfork` passes.
    let no_forks = opctl::model::checks::HardforkInput {
        schedule: Some(opctl::model::forks::ForkSchedule::new(
            opctl::model::discovery::Source::Toml {
                key: "chain.rollup_config".into(),
            },
        )),
        ..Default::default()
    };
    let good = CheckInput {
        expected_l1_chain_id: Some(L1_CHAIN_ID),
        rollup: Some(&rollup),
        keys,
        stored_keys: Some(&stored),
        game_pins: &pins,
        hardfork: Some(&no_forks),
    };
    for (name, status) in statuses(&d, &good) {
        assert_eq!(status, CheckStatus::Pass, "{name}");
    }

    // Wrong L1 chain id in the TOML.
    let wrong_l1 = CheckInput {
        expected_l1_chain_id: Some(1),
        ..good
    };
    assert_eq!(failing(&d, &wrong_l1), vec!["l1-chain-id"]);

    // rollup.json for another SystemConfig.
    let other_rollup = RollupFacts {
        l1_system_config_address: PrivateKeySigner::random().address(),
        ..rollup
    };
    let with_other_rollup = CheckInput {
        rollup: Some(&other_rollup),
        ..good
    };
    assert_eq!(failing(&d, &with_other_rollup), vec!["rollup-config"]);

    // Wrong sequencer key.
    let wrong_sequencer = CheckInput {
        keys: SignerAddresses {
            sequencer: Some(PrivateKeySigner::random().address()),
            ..keys
        },
        ..good
    };
    assert_eq!(failing(&d, &wrong_sequencer), vec!["sequencer-key"]);

    // The same key for batcher and proposer.
    let shared = CheckInput {
        keys: SignerAddresses {
            proposer: keys.batcher,
            ..keys
        },
        ..good
    };
    assert_eq!(failing(&d, &shared), vec!["proposer-key", "distinct-keys"]);

    // Wrong challenger key.
    let wrong_challenger = CheckInput {
        keys: SignerAddresses {
            challenger: keys.proposer,
            ..keys
        },
        ..good
    };
    assert_eq!(
        failing(&d, &wrong_challenger),
        vec!["challenger-key", "distinct-keys"]
    );

    // Batcher rotated on-chain: a real setBatcherHash from the owner.
    let new_batcher = chain.rotate_batcher().await;
    let (after, _) = discover_chain(&chain).await;
    assert_eq!(after.role(RoleName::Batcher), Some(new_batcher.address()));
    let results = run_checks(&after, &good);
    let batcher = results
        .iter()
        .find(|r| r.name == "batcher-key")
        .expect("batcher-key ran");
    assert_eq!(batcher.status, CheckStatus::Fail);
    assert!(
        batcher.message.contains(&new_batcher.address().to_string()),
        "{}",
        batcher.message
    );
    assert_eq!(failing(&after, &good), vec!["batcher-key"]);
    let rotated_keys = CheckInput {
        keys: SignerAddresses {
            batcher: Some(address_from_private_key_hex(&key_hex(&new_batcher)).expect("valid key")),
            ..keys
        },
        ..good
    };
    assert!(failing(&after, &rotated_keys).is_empty());
}

#[tokio::test]
async fn v2_game_roles_come_from_game_args_and_are_checked() {
    let chain = TestChain::start(Flavor::CurrentV2).await;
    let (d, _) = discover_chain(&chain).await;
    let rollup = rollup_of(&chain.fixture);
    let keys = keys_of(&chain);
    let good = CheckInput {
        expected_l1_chain_id: Some(L1_CHAIN_ID),
        rollup: Some(&rollup),
        keys,
        stored_keys: None,
        game_pins: &[],
        hardfork: None,
    };
    assert!(failing(&d, &good).is_empty(), "{:?}", run_checks(&d, &good));
    let swapped = CheckInput {
        keys: SignerAddresses {
            proposer: keys.challenger,
            challenger: keys.proposer,
            ..keys
        },
        ..good
    };
    assert_eq!(
        failing(&d, &swapped),
        vec!["proposer-key", "challenger-key"]
    );
}

#[tokio::test]
async fn proposer_and_challenger_keys_are_free_when_the_permissionless_game_is_respected() {
    let chain = TestChain::start_with(ChainOptions {
        respected_game_type: 0,
        ..ChainOptions::new(Flavor::CurrentV2)
    })
    .await;
    let (d, _) = discover_chain(&chain).await;
    assert_eq!(d.respected_game_type(), Some(0));
    let input = CheckInput {
        keys: SignerAddresses {
            proposer: Some(PrivateKeySigner::random().address()),
            challenger: Some(PrivateKeySigner::random().address()),
            ..keys_of(&chain)
        },
        ..CheckInput::default()
    };
    let results = statuses(&d, &input);
    assert!(
        results.contains(&("proposer-key", CheckStatus::Skip)),
        "{results:?}"
    );
    assert!(
        results.contains(&("challenger-key", CheckStatus::Skip)),
        "{results:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Lock file

#[tokio::test]
async fn the_lock_round_trips_and_shows_an_on_chain_batcher_rotation() {
    let mut chain = TestChain::start(Flavor::LegacyOutputOracle).await;
    let (before, _) = discover_chain(&chain).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = Lock::path_for(&dir.path().join("devnet.toml"));
    let lock = Lock::from_discovery("devnet", L2_CHAIN_ID, &before);
    lock.write(&path).expect("write the lock");
    let text = std::fs::read_to_string(&path).expect("lock text");
    for table in [
        "[lock]",
        "[block]",
        "[contracts.l2_output_oracle]",
        "[roles.batcher]",
        "[output_oracle",
    ] {
        assert!(text.contains(table), "{table} missing from:\n{text}");
    }
    let read = Lock::read(&path)
        .expect("read the lock")
        .expect("the lock exists");
    assert_eq!(read, lock);
    read.check_matches("devnet", L2_CHAIN_ID, chain.fixture.system_config)
        .expect("lock matches its chain");

    // Nothing changed on-chain: only the block may differ.
    chain.mine(3).await;
    let (again, _) = discover_chain(&chain).await;
    assert_ne!(again.block, before.block);
    assert!(Lock::diff(&read, &Lock::from_discovery("devnet", L2_CHAIN_ID, &again)).is_empty());

    let old_batcher = chain.fixture.roles.batcher;
    let new_batcher = chain.rotate_batcher().await;
    let (after, _) = discover_chain(&chain).await;
    let changes = Lock::diff(&read, &Lock::from_discovery("devnet", L2_CHAIN_ID, &after));
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].path, "roles.batcher.value");
    assert_eq!(changes[0].old, Some(old_batcher.to_string()));
    assert_eq!(changes[0].new, Some(new_batcher.address().to_string()));
}

// ---------------------------------------------------------------------------------------------
// Bad input

#[tokio::test]
async fn an_address_without_code_is_a_no_code_error() {
    let chain = TestChain::start(Flavor::LegacyOutputOracle).await;
    let nobody = PrivateKeySigner::random().address();
    let err = discover(&rpc(&chain, ReadMode::Auto), nobody, origin())
        .await
        .expect_err("no contract there");
    assert!(
        matches!(err, DiscoveryError::NoCode { address, .. } if address == nobody),
        "{err}"
    );
    assert!(err.is_system_config_problem(nobody));
    assert!(err.to_string().contains("no contract code"), "{err}");
}

#[tokio::test]
async fn contracts_that_are_not_a_system_config_are_rejected_by_name() {
    let mut chain = TestChain::start(Flavor::LegacyOutputOracle).await;
    let rpc = rpc(&chain, ReadMode::Auto);

    // Multicall3: not an OP contract at all (no version()).
    let err = discover(&rpc, MULTICALL3, origin())
        .await
        .expect_err("not a SystemConfig");
    assert!(
        matches!(err, DiscoveryError::NotSystemConfig { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("version()"), "{err}");

    // A real OP contract of another kind: L1StandardBridge answers version() "2.2.0".
    let bridge = chain.fixture.l1_standard_bridge;
    let err = discover(&rpc, bridge, origin())
        .await
        .expect_err("a bridge is not a SystemConfig");
    let message = err.to_string();
    assert!(
        matches!(err, DiscoveryError::NotSystemConfig { .. }),
        "{message}"
    );
    assert!(
        message.contains("batcherHash()") && message.contains("2.2.0"),
        "{message}"
    );

    // A SystemConfig from the future: an unknown version is an error, not a guess.
    let future = chain
        .deploy_stand_in(vec![answer(FxSemver::versionCall {}, "9.0.0".to_string())])
        .await;
    let err = discover(&rpc, future, origin())
        .await
        .expect_err("unknown version");
    let message = err.to_string();
    assert!(
        matches!(err, DiscoveryError::UnsupportedVersion { .. }),
        "{message}"
    );
    assert!(
        message.contains("SystemConfig") && message.contains("\"9.0.0\""),
        "{message}"
    );
}

/// Serves every connection on a loopback port with `respond` (raw bytes; `None` = accept and
/// never answer). Returns the URL.
async fn misbehaving_rpc(respond: Option<&'static [u8]>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("local addr").port();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = socket.read(&mut buf).await;
                match respond {
                    Some(bytes) => {
                        let _ = socket.write_all(bytes).await;
                        let _ = socket.shutdown().await;
                    }
                    // A server that never answers: hold the connection open until the test ends.
                    None => std::future::pending::<()>().await,
                }
            });
        }
    });
    format!("http://user:hunter22@127.0.0.1:{port}/v2/Zx81kQ9wq3RvB7aT2LmN5pY4?apikey=s3cr3tkey")
}

fn assert_redacted(message: &str) {
    for secret in ["hunter22", "Zx81kQ9wq3RvB7aT2LmN5pY4", "s3cr3tkey"] {
        assert!(!message.contains(secret), "{secret} leaked: {message}");
    }
    assert!(message.contains("***"), "{message}");
}

#[tokio::test]
async fn an_rpc_that_answers_garbage_is_a_clear_error() {
    let url = misbehaving_rpc(Some(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 26\r\nconnection: close\r\n\r\n<html>nope hunter22</html>",
    ))
    .await;
    let rpc = L1Rpc::new(&url, RpcOptions::default()).expect("valid URL");
    let err = discover(&rpc, Address::repeat_byte(1), origin())
        .await
        .expect_err("garbage");
    let message = err.to_string();
    assert!(
        matches!(err, DiscoveryError::Rpc(RpcError::Garbage { .. })),
        "{message}"
    );
    assert!(message.contains("not valid JSON-RPC"), "{message}");
    assert_redacted(&message);
}

#[tokio::test]
async fn an_rpc_that_never_answers_times_out_after_bounded_retries() {
    let url = misbehaving_rpc(None).await;
    let options = RpcOptions {
        timeout: Duration::from_millis(300),
        backoff: opctl::rpc::Backoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(100),
            max_attempts: 2,
        },
        ..RpcOptions::default()
    };
    let rpc = L1Rpc::new(&url, options).expect("valid URL");
    let err = discover(&rpc, Address::repeat_byte(1), origin())
        .await
        .expect_err("timeout");
    let message = err.to_string();
    // The server never answers: only the configured per-request timeout ends each attempt.
    assert!(
        matches!(
            err,
            DiscoveryError::Rpc(RpcError::Timeout { attempts: 2, timeout, .. })
                if timeout == Duration::from_millis(300)
        ),
        "{message}"
    );
    assert_eq!(rpc.http_requests(), 2);
    assert_redacted(&message);
}

#[tokio::test]
async fn an_unreachable_rpc_names_the_redacted_url() {
    let port = crate::support::free_port();
    let url = format!(
        "http://user:hunter22@127.0.0.1:{port}/v2/Zx81kQ9wq3RvB7aT2LmN5pY4?apikey=s3cr3tkey"
    );
    let options = RpcOptions {
        backoff: opctl::rpc::Backoff {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(20),
            max_attempts: 3,
        },
        ..RpcOptions::default()
    };
    let rpc = L1Rpc::new(&url, options).expect("valid URL");
    let err = discover(&rpc, Address::repeat_byte(1), origin())
        .await
        .expect_err("nothing listens there");
    let message = err.to_string();
    assert!(
        matches!(
            err,
            DiscoveryError::Rpc(RpcError::Unreachable { attempts: 3, .. })
        ),
        "{message}"
    );
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert_redacted(&message);
}

#[test]
fn the_committed_stand_in_bytecode_matches_its_source() {
    let dir = crate::support::chain::stand_in_source_dir();
    let out = tempfile::tempdir().expect("temp dir");
    let solc = crate::support::npm_dir().join("node_modules/solc/solc.js");
    let status = std::process::Command::new("node")
        .arg(&solc)
        .args(["--bin", "--optimize", "--optimize-runs", "200", "-o"])
        .arg(out.path())
        .arg("GetterStandIn.sol")
        .current_dir(&dir)
        .status()
        .unwrap_or_else(|e| panic!("run node {}: {e}; run `scripts/provision`", solc.display()));
    assert!(status.success(), "solc failed on GetterStandIn.sol");
    let compiled = std::fs::read_to_string(out.path().join("GetterStandIn_sol_GetterStandIn.bin"))
        .expect("compiled bytecode");
    let committed =
        std::fs::read_to_string(dir.join("GetterStandIn.bin")).expect("committed bytecode");
    assert_eq!(
        compiled.trim(),
        committed.trim(),
        "tests/fixtures/contracts/GetterStandIn.bin is stale; regenerate it (see the README there)"
    );
}

#[test]
fn the_committed_lens_bytecode_matches_its_source() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("contracts");
    let out = tempfile::tempdir().expect("temp dir");
    let solc = crate::support::npm_dir().join("node_modules/solc/solc.js");
    let status = std::process::Command::new("node")
        .arg(&solc)
        .args(["--bin", "--optimize", "--optimize-runs", "200", "-o"])
        .arg(out.path())
        .arg("DiscoveryLens.sol")
        .current_dir(&dir)
        .status()
        .unwrap_or_else(|e| panic!("run node {}: {e}; run `scripts/provision`", solc.display()));
    assert!(status.success(), "solc failed on DiscoveryLens.sol");
    let compiled = std::fs::read_to_string(out.path().join("DiscoveryLens_sol_DiscoveryLens.bin"))
        .expect("compiled bytecode");
    let committed =
        std::fs::read_to_string(dir.join("DiscoveryLens.bin")).expect("committed bytecode");
    assert_eq!(
        compiled.trim(),
        committed.trim(),
        "contracts/DiscoveryLens.bin is stale; regenerate it (see contracts/README.md)"
    );
}

#[test]
fn private_keys_never_reach_check_messages() {
    let key = PrivateKeySigner::random();
    let hex = key_hex(&key);
    let address = address_from_private_key_hex(&hex).expect("valid");
    assert_eq!(address, key.address());
    let mut d = Discovery::new(Address::repeat_byte(1));
    d.roles.insert(
        RoleName::Batcher,
        opctl::rpc::Sourced::new(
            Address::repeat_byte(2),
            Source::call("SystemConfig", "batcherHash()"),
        ),
    );
    let input = CheckInput {
        keys: SignerAddresses {
            batcher: Some(address),
            ..SignerAddresses::default()
        },
        ..CheckInput::default()
    };
    for result in run_checks(&d, &input) {
        assert!(!result.message.contains(&hex[2..12]), "{}", result.message);
    }
}

//! Built-in knowledge of well-known OP Stack chains, so `network = "op-sepolia"` works without an
//! L1 RPC. Data: superchain-registry `superchain/extra/addresses/addresses.json` (codegen
//! 2026-08-04) as summarised in the fact sheet, section 4.2; Base Mainnet is the last registry
//! entry before its removal (2026-04-27).
//!
//! Registry data is a snapshot: keys get rotated and contracts upgraded. When an L1 RPC is
//! given, on-chain values win and [`compare`] reports every disagreement.

use alloy::primitives::{address, Address};
use serde::Serialize;

use crate::model::discovery::{
    ContractInfo, ContractName, Discovery, ProofSystem, RoleName, Source, Sourced,
};

/// One well-known chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownNetwork {
    /// opctl's name, e.g. `op-sepolia`.
    pub name: &'static str,
    /// Human name.
    pub display_name: &'static str,
    /// L2 chain id.
    pub l2_chain_id: u64,
    /// L1 chain id.
    pub l1_chain_id: u64,
    /// Where the data comes from.
    pub data_source: &'static str,
    /// SystemConfigProxy.
    pub system_config: Address,
    /// OptimismPortalProxy.
    pub optimism_portal: Address,
    /// DisputeGameFactoryProxy.
    pub dispute_game_factory: Address,
    /// AnchorStateRegistryProxy.
    pub anchor_state_registry: Address,
    /// L1CrossDomainMessengerProxy.
    pub l1_cross_domain_messenger: Address,
    /// L1StandardBridgeProxy.
    pub l1_standard_bridge: Address,
    /// L1ERC721BridgeProxy.
    pub l1_erc721_bridge: Address,
    /// OptimismMintableERC20FactoryProxy.
    pub optimism_mintable_erc20_factory: Address,
    /// ProxyAdmin.
    pub proxy_admin: Address,
    /// SuperchainConfig.
    pub superchain_config: Address,
    /// Batch inbox.
    pub batch_inbox: Address,
    /// BatchSubmitter.
    pub batcher: Address,
    /// Proposer.
    pub proposer: Address,
    /// Challenger.
    pub challenger: Address,
    /// UnsafeBlockSigner.
    pub unsafe_block_signer: Address,
    /// Guardian.
    pub guardian: Address,
    /// SystemConfigOwner.
    pub system_config_owner: Address,
    /// ProxyAdminOwner.
    pub proxy_admin_owner: Address,
    /// Genesis L1 block number.
    pub genesis_l1_block: u64,
}

const REGISTRY_2026_08: &str = "superchain-registry addresses.json, codegen 2026-08-04";

/// The built-in networks.
pub static NETWORKS: [KnownNetwork; 3] = [
    KnownNetwork {
        name: "op-mainnet",
        display_name: "OP Mainnet",
        l2_chain_id: 10,
        l1_chain_id: 1,
        data_source: REGISTRY_2026_08,
        system_config: address!("229047fed2591dbec1eF1118d64F7aF3dB9EB290"),
        optimism_portal: address!("bEb5Fc579115071764c7423A4f12eDde41f106Ed"),
        dispute_game_factory: address!("e5965Ab5962eDc7477C8520243A95517CD252fA9"),
        anchor_state_registry: address!("23B2C62946350F4246f9f9D027e071f0264FD113"),
        l1_cross_domain_messenger: address!("25ace71c97B33Cc4729CF772ae268934F7ab5fA1"),
        l1_standard_bridge: address!("99C9fc46f92E8a1c0deC1b1747d010903E884bE1"),
        l1_erc721_bridge: address!("5a7749f83b81B301cAb5f48EB8516B986DAef23D"),
        optimism_mintable_erc20_factory: address!("75505a97BD334E7BD3C476893285569C4136Fa0F"),
        proxy_admin: address!("543bA4AADBAb8f9025686Bd03993043599c6fB04"),
        superchain_config: address!("95703e0982140D16f8ebA6d158FccEde42f04a4C"),
        batch_inbox: address!("FF00000000000000000000000000000000000010"),
        batcher: address!("6887246668a3b87F54DeB3b94Ba47a6f63F32985"),
        proposer: address!("473300df21D047806A082244b417f96b32f13A33"),
        challenger: address!("9BA6e03D8B90dE867373Db8cF1A58d2F7F006b3A"),
        unsafe_block_signer: address!("AAAA45d9549EDA09E70937013520214382Ffc4A2"),
        guardian: address!("09f7150D8c019BeF34450d6920f6B3608ceFdAf2"),
        system_config_owner: address!("847B5c174615B1B7fDF770882256e2D3E95b9D92"),
        proxy_admin_owner: address!("5a0Aae59D09fccBdDb6C6CcEB07B7279367C3d2A"),
        genesis_l1_block: 17_422_590,
    },
    KnownNetwork {
        name: "op-sepolia",
        display_name: "OP Sepolia",
        l2_chain_id: 11_155_420,
        l1_chain_id: 11_155_111,
        data_source: REGISTRY_2026_08,
        system_config: address!("034edD2A225f7f429A63E0f1D2084B9E0A93b538"),
        optimism_portal: address!("16Fc5058F25648194471939df75CF27A2fdC48BC"),
        dispute_game_factory: address!("05F9613aDB30026FFd634f38e5C4dFd30a197Fa1"),
        anchor_state_registry: address!("a1Cec548926eb5d69aa3B7B57d371EdBdD03e64b"),
        l1_cross_domain_messenger: address!("58Cc85b8D04EA49cC6DBd3CbFFd00B4B8D6cb3ef"),
        l1_standard_bridge: address!("FBb0621E0B23b5478B630BD55a5f21f67730B0F1"),
        l1_erc721_bridge: address!("d83e03D576d23C9AEab8cC44Fa98d058D2176D1f"),
        optimism_mintable_erc20_factory: address!("868D59fF9710159C2B330Cc0fBDF57144dD7A13b"),
        proxy_admin: address!("189aBAAaa82DfC015A588A7dbaD6F13b1D3485Bc"),
        superchain_config: address!("C2Be75506d5724086DEB7245bd260Cc9753911Be"),
        batch_inbox: address!("ff00000000000000000000000000000011155420"),
        batcher: address!("8F23BB38F531600e5d8FDDaAEC41F13FaB46E98c"),
        proposer: address!("49277EE36A024120Ee218127354c4a3591dc90A9"),
        challenger: address!("fd1D2e729aE8eEe2E146c033bf4400fE75284301"),
        unsafe_block_signer: address!("57CACBB0d30b01eb2462e5dC940c161aff3230D3"),
        guardian: address!("7a50f00e8D05b95F98fE38d8BeE366a7324dCf7E"),
        system_config_owner: address!("fd1D2e729aE8eEe2E146c033bf4400fE75284301"),
        proxy_admin_owner: address!("1Eb2fFc903729a0F03966B917003800b145F56E2"),
        genesis_l1_block: 4_071_408,
    },
    KnownNetwork {
        name: "base-mainnet",
        display_name: "Base Mainnet",
        l2_chain_id: 8453,
        l1_chain_id: 1,
        data_source: "superchain-registry addresses.json before Base's removal (commit 0d9aefc4^, 2026-04-27)",
        system_config: address!("73a79Fab69143498Ed3712e519A88a918e1f4072"),
        optimism_portal: address!("49048044D57e1C92A77f79988d21Fa8fAF74E97e"),
        dispute_game_factory: address!("43edB88C4B80fDD2AdFF2412A7BebF9dF42cB40e"),
        anchor_state_registry: address!("909f6cf47ed12f010A796527f562bFc26C7F4E72"),
        l1_cross_domain_messenger: address!("866E82a600A1414e583f7F13623F1aC5d58b0Afa"),
        l1_standard_bridge: address!("3154Cf16ccdb4C6d922629664174b904d80F2C35"),
        l1_erc721_bridge: address!("608d94945A64503E642E6370Ec598e519a2C1E53"),
        optimism_mintable_erc20_factory: address!("05cc379EBD9B30BbA19C6fA282AB29218EC61D84"),
        proxy_admin: address!("0475cBCAebd9CE8AfA5025828d5b98DFb67E059E"),
        superchain_config: address!("b535ff7F118260a952CE65e7fF41B1743De8EE6c"),
        batch_inbox: address!("Ff00000000000000000000000000000000008453"),
        batcher: address!("5050F69a9786F081509234F1a7F4684b5E5b76C9"),
        proposer: address!("642229f238fb9dE03374Be34B0eD8D9De80752c5"),
        challenger: address!("8Ca1E12404d16373Aef756179B185F27b2994F3a"),
        unsafe_block_signer: address!("Af6E19BE0F9cE7f8afd49a1824851023A8249e8a"),
        guardian: address!("7bB41C3008B3f03FE483B28b8DB90e19Cf07595c"),
        system_config_owner: address!("14536667Cd30e52C0b458BaACcB9faDA7046E056"),
        proxy_admin_owner: address!("7bB41C3008B3f03FE483B28b8DB90e19Cf07595c"),
        genesis_l1_block: 17_481_768,
    },
];

/// The built-in network called `name`.
pub fn lookup(name: &str) -> Option<&'static KnownNetwork> {
    NETWORKS.iter().find(|n| n.name == name)
}

/// Names of all built-in networks.
pub fn names() -> impl Iterator<Item = &'static str> {
    NETWORKS.iter().map(|n| n.name)
}

impl KnownNetwork {
    fn contracts(&self) -> [(ContractName, Address); 10] {
        [
            (ContractName::SystemConfig, self.system_config),
            (ContractName::ProxyAdmin, self.proxy_admin),
            (ContractName::OptimismPortal, self.optimism_portal),
            (
                ContractName::L1CrossDomainMessenger,
                self.l1_cross_domain_messenger,
            ),
            (ContractName::L1StandardBridge, self.l1_standard_bridge),
            (ContractName::L1Erc721Bridge, self.l1_erc721_bridge),
            (
                ContractName::OptimismMintableErc20Factory,
                self.optimism_mintable_erc20_factory,
            ),
            (ContractName::SuperchainConfig, self.superchain_config),
            (ContractName::DisputeGameFactory, self.dispute_game_factory),
            (
                ContractName::AnchorStateRegistry,
                self.anchor_state_registry,
            ),
        ]
    }

    fn roles(&self) -> [(RoleName, Address); 7] {
        [
            (RoleName::Batcher, self.batcher),
            (RoleName::UnsafeBlockSigner, self.unsafe_block_signer),
            (RoleName::Proposer, self.proposer),
            (RoleName::Challenger, self.challenger),
            (RoleName::Guardian, self.guardian),
            (RoleName::SystemConfigOwner, self.system_config_owner),
            (RoleName::ProxyAdminOwner, self.proxy_admin_owner),
        ]
    }

    fn source(&self) -> Source {
        Source::Registry {
            network: self.name.to_owned(),
        }
    }

    /// The built-in data as an (offline) [`Discovery`]: every value sourced `registry <name>`,
    /// no block, no versions, no game implementations (those change with every upgrade).
    pub fn to_discovery(&self) -> Discovery {
        let mut d = Discovery::new(self.system_config);
        let source = self.source();
        d.l1_chain_id = Some(Sourced::new(self.l1_chain_id, source.clone()));
        d.l2_chain_id = Some(Sourced::new(self.l2_chain_id, source.clone()));
        d.batch_inbox = Some(Sourced::new(self.batch_inbox, source.clone()));
        d.start_block = Some(Sourced::new(self.genesis_l1_block, source.clone()));
        d.proof_system = Some(ProofSystem::FaultProofs);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_networks_are_built_in_with_their_chain_ids() {
        assert_eq!(
            names().collect::<Vec<_>>(),
            vec!["op-mainnet", "op-sepolia", "base-mainnet"]
        );
        let sepolia = lookup("op-sepolia").expect("op-sepolia is built in");
        assert_eq!(
            (sepolia.l2_chain_id, sepolia.l1_chain_id),
            (11_155_420, 11_155_111)
        );
        assert_eq!(lookup("base-mainnet").map(|n| n.l2_chain_id), Some(8453));
        assert_eq!(lookup("op-mainnet").map(|n| n.l1_chain_id), Some(1));
        assert!(lookup("op-goerli").is_none());
    }

    #[test]
    fn registry_addresses_match_the_fact_sheet() {
        let op = lookup("op-mainnet").expect("built in");
        assert_eq!(
            op.system_config.to_string(),
            "0x229047fed2591dbec1eF1118d64F7aF3dB9EB290"
        );
        assert_eq!(
            op.batcher.to_string(),
            "0x6887246668a3b87F54DeB3b94Ba47a6f63F32985"
        );
        let base = lookup("base-mainnet").expect("built in");
        assert_eq!(
            base.batch_inbox.to_string(),
            "0xFf00000000000000000000000000000000008453"
        );
        // Every entry has distinct, non-zero contract addresses.
        for network in &NETWORKS {
            let mut seen = std::collections::BTreeSet::new();
            for (name, address) in network.contracts() {
                assert_ne!(address, Address::ZERO, "{} {name}", network.name);
                assert!(
                    seen.insert(address),
                    "{} {name} repeats an address",
                    network.name
                );
            }
        }
    }

    #[test]
    fn an_offline_discovery_is_sourced_from_the_registry() {
        let d = lookup("op-sepolia").expect("built in").to_discovery();
        assert_eq!(
            d.system_config,
            address!("034edD2A225f7f429A63E0f1D2084B9E0A93b538")
        );
        assert_eq!(d.block, None);
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
}

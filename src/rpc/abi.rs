//! `sol!` interfaces for the view functions discovery reads (fact sheet section 3). Only getters; opctl never sends a transaction to L1.
//!
//! OP's user-defined value types are spelled as their ABI types here: `GameType` = `uint32`,
//! `Claim` = `bytes32`.

#![allow(missing_docs)] // Generated bindings; the Solidity signatures are the documentation.

use alloy::sol;

sol! {
    /// `ISemver`: every OP contract opctl reads.
    interface ISemver {
        function version() external view returns (string memory);
    }

    /// `Ownable.owner()` (SystemConfig, ProxyAdmin, DisputeGameFactory).
    interface IOwnable {
        function owner() external view returns (address);
    }

    /// SystemConfig, all versions (each getter exists only in some, see `versions`).
    interface ISystemConfig {
        function batcherHash() external view returns (bytes32);
        function unsafeBlockSigner() external view returns (address);
        function optimismPortal() external view returns (address);
        function l1CrossDomainMessenger() external view returns (address);
        function l1StandardBridge() external view returns (address);
        function l1ERC721Bridge() external view returns (address);
        function optimismMintableERC20Factory() external view returns (address);
        function batchInbox() external view returns (address);
        function startBlock() external view returns (uint256);
        function l2OutputOracle() external view returns (address);
        function disputeGameFactory() external view returns (address);
        function l2ChainId() external view returns (uint256);
        function superchainConfig() external view returns (address);
    }

    /// OptimismPortal (2.x, legacy L2OutputOracle chains) and OptimismPortal2 (3.x+).
    interface IOptimismPortal {
        function respectedGameType() external view returns (uint32);
        function l2Oracle() external view returns (address);
        function L2_ORACLE() external view returns (address);
        function disputeGameFactory() external view returns (address);
        function anchorStateRegistry() external view returns (address);
        function guardian() external view returns (address);
        function systemConfig() external view returns (address);
        function superchainConfig() external view returns (address);
    }

    /// DisputeGameFactory.
    interface IDisputeGameFactory {
        function gameImpls(uint32 gameType) external view returns (address);
        function gameArgs(uint32 gameType) external view returns (bytes memory);
    }

    /// FaultDisputeGame / PermissionedDisputeGame implementation getters (v1 games keep these
    /// values as immutables of the implementation).
    interface IDisputeGame {
        function gameType() external view returns (uint32);
        function absolutePrestate() external view returns (bytes32);
        function vm() external view returns (address);
        function weth() external view returns (address);
        function anchorStateRegistry() external view returns (address);
        function l2ChainId() external view returns (uint256);
        function proposer() external view returns (address);
        function challenger() external view returns (address);
    }

    /// L2OutputOracle: legacy upper-case getters and their lower-case successors.
    interface IL2OutputOracle {
        function PROPOSER() external view returns (address);
        function proposer() external view returns (address);
        function CHALLENGER() external view returns (address);
        function challenger() external view returns (address);
        function SUBMISSION_INTERVAL() external view returns (uint256);
        function submissionInterval() external view returns (uint256);
        function L2_BLOCK_TIME() external view returns (uint256);
        function l2BlockTime() external view returns (uint256);
        function FINALIZATION_PERIOD_SECONDS() external view returns (uint256);
        function finalizationPeriodSeconds() external view returns (uint256);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolCall;

    /// Selectors from the fact sheet (section 3), so a typo in a signature above cannot go unseen.
    #[test]
    fn selectors_match_the_fact_sheet() {
        let cases: &[([u8; 4], &str)] = &[
            (ISemver::versionCall::SELECTOR, "54fd4d50"),
            (IOwnable::ownerCall::SELECTOR, "8da5cb5b"),
            (ISystemConfig::batcherHashCall::SELECTOR, "e81b2c6d"),
            (ISystemConfig::unsafeBlockSignerCall::SELECTOR, "1fd19ee1"),
            (ISystemConfig::optimismPortalCall::SELECTOR, "0a49cb03"),
            (
                ISystemConfig::l1CrossDomainMessengerCall::SELECTOR,
                "a7119869",
            ),
            (ISystemConfig::l1StandardBridgeCall::SELECTOR, "078f29cf"),
            (ISystemConfig::l1ERC721BridgeCall::SELECTOR, "c4e8ddfa"),
            (
                ISystemConfig::optimismMintableERC20FactoryCall::SELECTOR,
                "9b7d7f0a",
            ),
            (ISystemConfig::batchInboxCall::SELECTOR, "dac6e63a"),
            (ISystemConfig::startBlockCall::SELECTOR, "48cd4cb1"),
            (ISystemConfig::l2OutputOracleCall::SELECTOR, "4d9f1559"),
            (ISystemConfig::disputeGameFactoryCall::SELECTOR, "f2b4e617"),
            (ISystemConfig::l2ChainIdCall::SELECTOR, "d6ae3cd5"),
            (ISystemConfig::superchainConfigCall::SELECTOR, "35e80ab3"),
            (IOptimismPortal::respectedGameTypeCall::SELECTOR, "3c9f397c"),
            (IOptimismPortal::l2OracleCall::SELECTOR, "9b5f694a"),
            (IOptimismPortal::L2_ORACLECall::SELECTOR, "001c2ff6"),
            (
                IOptimismPortal::anchorStateRegistryCall::SELECTOR,
                "5c0cba33",
            ),
            (IOptimismPortal::guardianCall::SELECTOR, "452a9320"),
            (IOptimismPortal::systemConfigCall::SELECTOR, "33d7e2bd"),
            (IDisputeGameFactory::gameImplsCall::SELECTOR, "1b685b9e"),
            (IDisputeGameFactory::gameArgsCall::SELECTOR, "74cc86ac"),
            (IDisputeGame::absolutePrestateCall::SELECTOR, "8d450a95"),
            (IDisputeGame::proposerCall::SELECTOR, "a8e4fb90"),
            (IDisputeGame::challengerCall::SELECTOR, "534db0e2"),
            (IDisputeGame::vmCall::SELECTOR, "3a768463"),
            (IDisputeGame::wethCall::SELECTOR, "3fc8cef3"),
            (IDisputeGame::gameTypeCall::SELECTOR, "bbdc02db"),
            (IL2OutputOracle::PROPOSERCall::SELECTOR, "bffa7f0f"),
            (IL2OutputOracle::CHALLENGERCall::SELECTOR, "6b4d98dd"),
            (
                IL2OutputOracle::SUBMISSION_INTERVALCall::SELECTOR,
                "529933df",
            ),
            (IL2OutputOracle::L2_BLOCK_TIMECall::SELECTOR, "002134cc"),
            (
                IL2OutputOracle::FINALIZATION_PERIOD_SECONDSCall::SELECTOR,
                "f4daa291",
            ),
        ];
        for (selector, expected) in cases {
            assert_eq!(hex::encode(selector), *expected);
        }
    }
}

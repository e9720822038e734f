//! Version dispatch: which getters a contract has, decided from its `version()` string
//! (fact sheet sections 3.2-3.4). An unknown version is an error naming the contract and the
//! version, never a guess.

use alloy::primitives::Address;

use super::error::DiscoveryError;

/// `major.minor.patch` of a `version()` string; pre-release and build suffixes are ignored
/// (`2.3.0-beta.2` reads as 2.3.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Semver {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
}

impl Semver {
    /// Parses `1.2.3`, `v1.2.3`, `1.2.3-beta.1`, `1.2.3+build`.
    pub fn parse(text: &str) -> Option<Semver> {
        let core = text.trim().trim_start_matches('v');
        let core = core.split(['-', '+']).next()?;
        let mut parts = core.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Some(Semver {
            major,
            minor,
            patch,
        })
    }
}

fn unsupported(
    contract: &'static str,
    address: Address,
    version: &str,
    supported: &str,
) -> DiscoveryError {
    DiscoveryError::UnsupportedVersion {
        contract,
        address,
        version: version.to_owned(),
        supported: supported.to_owned(),
    }
}

/// SystemConfig getter sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemConfigLayout {
    /// 1.12.x (op-contracts v1.3.0): address getters and `l2OutputOracle()`.
    V1_12,
    /// 2.x: `disputeGameFactory()` (own slot; zero on chains still on L2OutputOracle).
    V2,
    /// 3.x: also `l2ChainId()`, `superchainConfig()`; `disputeGameFactory()` via the portal.
    V3,
    /// 4.x (Upgrade 20): as 3.x, but `batchInbox()` reverts: the batch inbox comes from the
    /// rollup config (rollup.json, op-node) or the registry.
    V4,
}

impl SystemConfigLayout {
    const SUPPORTED: &'static str = "SystemConfig 1.12.x, 2.x, 3.x, 4.x";

    /// The layout for a SystemConfig `version()`.
    pub fn from_version(address: Address, version: &str) -> Result<Self, DiscoveryError> {
        let fail = || unsupported("SystemConfig", address, version, Self::SUPPORTED);
        let v = Semver::parse(version).ok_or_else(fail)?;
        match (v.major, v.minor) {
            (1, 12..) => Ok(SystemConfigLayout::V1_12),
            (1, _) => Err(unsupported(
                "SystemConfig",
                address,
                version,
                "SystemConfig before 1.12.0 (op-contracts v1.3.0) has no address getters; \
                 opctl supports SystemConfig 1.12.x, 2.x, 3.x, 4.x",
            )),
            (2, _) => Ok(SystemConfigLayout::V2),
            (3, _) => Ok(SystemConfigLayout::V3),
            (4, _) => Ok(SystemConfigLayout::V4),
            _ => Err(fail()),
        }
    }

    /// Whether `batchInbox()` exists (it reverts from 4.0.0 on).
    pub fn has_batch_inbox(self) -> bool {
        !matches!(self, SystemConfigLayout::V4)
    }
}

/// OptimismPortal getter sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalLayout {
    /// OptimismPortal 2.x: legacy, proofs by L2OutputOracle (`l2Oracle()` / `L2_ORACLE()`).
    OutputOracle,
    /// OptimismPortal2 3.x: `disputeGameFactory()`, `respectedGameType()` in the portal.
    FaultProofsV3,
    /// OptimismPortal2 4.x and 5.x: also `anchorStateRegistry()` (respected type forwarded to it).
    FaultProofsV4,
}

impl PortalLayout {
    const SUPPORTED: &'static str = "OptimismPortal 2.x, OptimismPortal2 3.x-5.x";

    /// The layout for an OptimismPortal `version()`.
    pub fn from_version(address: Address, version: &str) -> Result<Self, DiscoveryError> {
        let fail = || unsupported("OptimismPortal", address, version, Self::SUPPORTED);
        match Semver::parse(version).ok_or_else(fail)?.major {
            2 => Ok(PortalLayout::OutputOracle),
            3 => Ok(PortalLayout::FaultProofsV3),
            4 | 5 => Ok(PortalLayout::FaultProofsV4),
            _ => Err(fail()),
        }
    }

    /// Whether the chain uses fault proofs.
    pub fn fault_proofs(self) -> bool {
        !matches!(self, PortalLayout::OutputOracle)
    }
}

/// Checks a DisputeGameFactory `version()`; returns whether it has `gameArgs(uint32)` (>= 1.3.0).
pub fn dispute_game_factory_has_game_args(
    address: Address,
    version: &str,
) -> Result<bool, DiscoveryError> {
    let fail = || {
        unsupported(
            "DisputeGameFactory",
            address,
            version,
            "DisputeGameFactory 1.x",
        )
    };
    let v = Semver::parse(version).ok_or_else(fail)?;
    if v.major != 1 {
        return Err(fail());
    }
    Ok(v.minor >= 3)
}

/// Checks a dispute game implementation's `version()`: 1.x keeps parameters as immutables
/// (v1), 2.x reads them from `gameArgs` (v2). Returns the major version.
pub fn dispute_game_major(
    contract: &'static str,
    address: Address,
    version: &str,
) -> Result<u64, DiscoveryError> {
    let fail = || {
        unsupported(
            contract,
            address,
            version,
            "dispute games 1.x (v1) and 2.x (v2)",
        )
    };
    match Semver::parse(version).ok_or_else(fail)?.major {
        major @ (1 | 2) => Ok(major),
        _ => Err(fail()),
    }
}

/// Checks an L2OutputOracle `version()` (1.x).
pub fn check_l2_output_oracle(address: Address, version: &str) -> Result<(), DiscoveryError> {
    let fail = || unsupported("L2OutputOracle", address, version, "L2OutputOracle 1.x");
    match Semver::parse(version).ok_or_else(fail)?.major {
        1 => Ok(()),
        _ => Err(fail()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Address = Address::ZERO;

    #[test]
    fn semver_ignores_prerelease_and_build_suffixes() {
        let v = |major, minor, patch| {
            Some(Semver {
                major,
                minor,
                patch,
            })
        };
        assert_eq!(Semver::parse("2.3.0-beta.2"), v(2, 3, 0));
        assert_eq!(Semver::parse("v1.12.0"), v(1, 12, 0));
        assert_eq!(Semver::parse("3.14.2+abc"), v(3, 14, 2));
        assert_eq!(Semver::parse("1.2"), None);
        assert_eq!(Semver::parse("1.2.3.4"), None);
        assert_eq!(Semver::parse("banana"), None);
    }

    #[test]
    fn system_config_versions_dispatch_to_their_layouts() {
        let layout = |v| SystemConfigLayout::from_version(A, v);
        assert_eq!(layout("1.12.0").ok(), Some(SystemConfigLayout::V1_12));
        assert_eq!(layout("2.2.0").ok(), Some(SystemConfigLayout::V2));
        assert_eq!(layout("2.3.0-beta.2").ok(), Some(SystemConfigLayout::V2));
        assert_eq!(layout("2.5.0").ok(), Some(SystemConfigLayout::V2));
        assert_eq!(layout("3.4.0").ok(), Some(SystemConfigLayout::V3));
        assert_eq!(layout("3.14.2").ok(), Some(SystemConfigLayout::V3));
        assert_eq!(layout("4.0.0").ok(), Some(SystemConfigLayout::V4));
        assert_eq!(layout("4.1.0-rc.1").ok(), Some(SystemConfigLayout::V4));
    }

    #[test]
    fn only_system_config_4_has_no_batch_inbox_getter() {
        for layout in [
            SystemConfigLayout::V1_12,
            SystemConfigLayout::V2,
            SystemConfigLayout::V3,
        ] {
            assert!(layout.has_batch_inbox(), "{layout:?}");
        }
        assert!(!SystemConfigLayout::V4.has_batch_inbox());
    }

    #[test]
    fn unknown_system_config_versions_are_errors_naming_contract_and_version() {
        for v in ["1.11.0", "1.9.1", "5.0.0", "0.1.0", "garbage", ""] {
            let err = SystemConfigLayout::from_version(A, v)
                .expect_err(v)
                .to_string();
            assert!(err.contains("SystemConfig"), "{err}");
            assert!(err.contains(&format!("{v:?}")), "{err}");
        }
        let old = SystemConfigLayout::from_version(A, "1.11.0")
            .expect_err("too old")
            .to_string();
        assert!(old.contains("no address getters"), "{old}");
    }

    #[test]
    fn portal_versions_dispatch_to_their_proof_systems() {
        let layout = |v| PortalLayout::from_version(A, v);
        assert_eq!(
            layout("2.8.1-beta.1").ok(),
            Some(PortalLayout::OutputOracle)
        );
        assert_eq!(layout("3.10.0").ok(), Some(PortalLayout::FaultProofsV3));
        assert_eq!(layout("4.6.0").ok(), Some(PortalLayout::FaultProofsV4));
        assert_eq!(layout("5.1.0").ok(), Some(PortalLayout::FaultProofsV4));
        assert!(layout("1.7.0").is_err());
        assert!(layout("6.0.0").is_err());
        assert!(!PortalLayout::OutputOracle.fault_proofs());
    }

    #[test]
    fn game_and_factory_versions_are_checked() {
        assert_eq!(
            dispute_game_factory_has_game_args(A, "1.0.0").ok(),
            Some(false)
        );
        assert_eq!(
            dispute_game_factory_has_game_args(A, "1.3.0").ok(),
            Some(true)
        );
        assert!(dispute_game_factory_has_game_args(A, "2.0.0").is_err());
        assert_eq!(
            dispute_game_major("PermissionedDisputeGame", A, "1.2.0").ok(),
            Some(1)
        );
        assert_eq!(
            dispute_game_major("PermissionedDisputeGame", A, "2.0.0").ok(),
            Some(2)
        );
        let err = dispute_game_major("FaultDisputeGame", A, "3.0.0").expect_err("unknown");
        assert!(err.to_string().contains("FaultDisputeGame"), "{err}");
        assert!(check_l2_output_oracle(A, "1.8.0").is_ok());
        assert!(check_l2_output_oracle(A, "2.0.0").is_err());
    }
}

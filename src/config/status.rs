//! `[status]` of the chain TOML: what "caught up" means and what a low signer balance is. Read by
//! `opctl status`, the preflight checks, the replicas' readiness gate and `opctl watch`. Model and
//! validation; pure.

use alloy::primitives::utils::parse_ether;
use alloy::primitives::U256;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::diag::{Diagnostic, SourceMap};
use super::model::UrlSource;
use super::LoadedChain;

/// Default of `max_lag`: blocks behind the reference that still count as caught up.
pub const DEFAULT_MAX_LAG: u64 = 10;
/// The largest `max_lag` accepted (about 3 weeks of 2 s blocks).
pub const MAX_LAG_LIMIT: u64 = 1_000_000;
/// Default of `low_balance`, in ETH.
pub const DEFAULT_LOW_BALANCE: &str = "0.1";

/// `[status]`
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// An L2 JSON-RPC endpoint of the same chain to measure lag against instead of the sequencer
    /// (a node you trust, e.g. the chain's public RPC when the sequencer is not in this file):
    /// `"https://..."`, `"env:VAR"` or `{ secret, key }`. Read-only calls only.
    pub reference_rpc: Option<UrlSource>,
    /// Blocks behind the reference (sequencer or `reference_rpc`) that still count as caught up:
    /// `opctl status` calls such a node synced, and with `[replicas] readiness_gate` a replica
    /// further behind leaves its RPC Service. Default 10.
    pub max_lag: Option<u64>,
    /// L1 balance, in ETH (`"0.5"`), below which a signer (batcher, proposer, challenger) is low:
    /// `opctl status` flags it and the `signer-balance` check fails. Default `"0.1"`.
    pub low_balance: Option<String>,
}

impl Status {
    /// `max_lag`, or its default.
    pub fn max_lag(&self) -> u64 {
        self.max_lag.unwrap_or(DEFAULT_MAX_LAG)
    }

    /// `low_balance` in wei (validation has checked it; the default when it does not parse).
    pub fn low_balance_wei(&self) -> U256 {
        self.low_balance
            .as_deref()
            .and_then(|t| parse_ether(t.trim()).ok())
            .unwrap_or_else(|| parse_ether(DEFAULT_LOW_BALANCE).unwrap_or(U256::ZERO))
    }
}

/// Errors of `[status]`, with their positions.
pub fn validate(chain: &LoadedChain, map: &SourceMap<'_>) -> Vec<Diagnostic> {
    let s = &chain.file.status;
    let mut out = Vec::new();
    if let Some(text) = &s.low_balance {
        if parse_ether(text.trim()).is_err() {
            out.push(map.at_path(
                "status.low_balance",
                format!("`{text}` is not an amount of ETH"),
                Some("write the amount in ETH as a string, e.g. low_balance = \"0.5\"".to_string()),
            ));
        }
    }
    if s.max_lag == Some(0) {
        out.push(
            map.at_path(
                "status.max_lag",
                "0 blocks leaves no room: a node one block behind would never count as caught up"
                    .to_string(),
                Some(
                    "use the blocks a healthy node may trail by, e.g. 10 (the default)".to_string(),
                ),
            ),
        );
    }
    if s.max_lag.is_some_and(|l| l > MAX_LAG_LIMIT) {
        out.push(map.at_path(
            "status.max_lag",
            format!("more than {MAX_LAG_LIMIT} blocks is no measure of being caught up"),
            Some("use the blocks a healthy node may trail by, e.g. 10 (the default)".to_string()),
        ));
    }
    if chain.file.replicas.readiness_gate && !chain.file.replicas.enabled {
        out.push(map.at_path(
            "replicas.readiness_gate",
            "the readiness gate is for replicas, and [replicas] is not enabled".to_string(),
            Some("remove readiness_gate or enable the replicas".to_string()),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_balance_reads_ether_and_falls_back_to_the_default() {
        let s = Status {
            low_balance: Some("0.5".to_string()),
            ..Status::default()
        };
        assert_eq!(s.low_balance_wei(), U256::from(500_000_000_000_000_000u128));
        assert_eq!(
            Status::default().low_balance_wei(),
            U256::from(100_000_000_000_000_000u128)
        );
        assert_eq!(Status::default().max_lag(), 10);
    }
}

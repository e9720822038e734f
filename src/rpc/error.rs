//! Typed errors of the L1 edge: what failed (which call on which contract, or which HTTP request)
//! and what the operator can do about it. RPC URLs in messages are always redacted.

use std::time::Duration;

use alloy::primitives::Address;

/// A failure talking to the L1 JSON-RPC endpoint itself (as opposed to a contract answering
/// something unexpected, see [`DiscoveryError`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RpcError {
    /// The URL could not be used at all.
    #[error("invalid L1 RPC URL {url}: {reason}")]
    InvalidUrl {
        /// Redacted URL.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// No connection could be made (refused, DNS, TLS).
    #[error(
        "L1 RPC {url} is unreachable ({detail}) after {attempts} attempt(s) while sending {what}; \
         check --l1-rpc-url / OPCTL_L1_RPC_URL and that the node is running"
    )]
    Unreachable {
        /// Redacted URL.
        url: String,
        /// The request that could not be sent.
        what: String,
        /// Attempts made, including retries.
        attempts: u32,
        /// Scrubbed transport message.
        detail: String,
    },
    /// The endpoint accepted the connection but did not answer in time.
    #[error(
        "L1 RPC {url} did not answer {what} within {}s ({attempts} attempt(s)); the node may be \
         overloaded, or raise the timeout",
        timeout.as_secs_f64()
    )]
    Timeout {
        /// Redacted URL.
        url: String,
        /// The request that timed out.
        what: String,
        /// Per-attempt timeout.
        timeout: Duration,
        /// Attempts made, including retries.
        attempts: u32,
    },
    /// The endpoint answered with a non-success HTTP status and no JSON-RPC error body.
    #[error(
        "L1 RPC {url} answered {what} with HTTP {status} after {attempts} attempt(s){body}; \
         check the URL, credentials and rate limits of the endpoint"
    )]
    HttpStatus {
        /// Redacted URL.
        url: String,
        /// The request that failed.
        what: String,
        /// HTTP status code.
        status: u16,
        /// Attempts made, including retries.
        attempts: u32,
        /// Scrubbed excerpt of the body, prefixed with `: ` (empty when there was none).
        body: String,
    },
    /// The endpoint answered, but not with JSON-RPC that fits the request.
    #[error(
        "L1 RPC {url} sent a response to {what} that is not valid JSON-RPC ({detail}); is this URL \
         an Ethereum JSON-RPC endpoint?"
    )]
    Garbage {
        /// Redacted URL.
        url: String,
        /// The request whose answer was garbage.
        what: String,
        /// Scrubbed description of what was wrong.
        detail: String,
    },
    /// The node returned a JSON-RPC error object.
    #[error("L1 RPC {url} rejected {what}: JSON-RPC error {code}: {message}")]
    JsonRpc {
        /// Redacted URL.
        url: String,
        /// The call that was rejected.
        what: String,
        /// JSON-RPC error code.
        code: i64,
        /// Scrubbed error message.
        message: String,
    },
}

/// Why one contract call did not yield a usable value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallFailure {
    /// The call reverted (with the decoded reason when there was one).
    Reverted(Option<String>),
    /// The call succeeded but returned no data: usually no contract code at the address, or a
    /// contract without this function and with a fallback.
    Empty,
    /// The returned data does not decode as the getter's return type.
    Undecodable(String),
    /// The call was not made: the address it goes to comes from another read that gave none.
    NoAddress,
}

impl std::fmt::Display for CallFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallFailure::Reverted(Some(reason)) => write!(f, "reverted: {reason}"),
            CallFailure::Reverted(None) => write!(f, "reverted without a reason"),
            CallFailure::Empty => write!(f, "returned no data (no contract code at this address?)"),
            CallFailure::Undecodable(detail) => write!(f, "returned undecodable data ({detail})"),
            CallFailure::NoAddress => write!(
                f,
                "was not called: the read that names this contract's address gave none"
            ),
        }
    }
}

/// A discovery failure: the RPC failed, or the contracts are not what opctl expects.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The L1 endpoint failed (see [`RpcError`]).
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// An address that must be a contract has no code at the block read.
    #[error(
        "no contract code at {address} ({what}) at L1 block {block}; check the address, and that \
         the L1 RPC serves the chain it was deployed on"
    )]
    NoCode {
        /// What the address was supposed to be, e.g. "SystemConfig".
        what: String,
        /// The address.
        address: Address,
        /// L1 block number read at.
        block: u64,
    },
    /// The given address has code but does not behave like a SystemConfig.
    #[error(
        "{address} is not an OP Stack SystemConfig: {reason}; give the SystemConfig proxy address \
         (rollup.json `l1_system_config_address`)"
    )]
    NotSystemConfig {
        /// The address given.
        address: Address,
        /// What it did instead.
        reason: String,
    },
    /// A contract reports a version opctl has no reading rules for.
    #[error(
        "{contract} at {address} reports version {version:?}, which opctl does not support \
         ({supported}); upgrade opctl, or pin the addresses in the chain TOML"
    )]
    UnsupportedVersion {
        /// Contract name, e.g. "SystemConfig".
        contract: &'static str,
        /// Its address.
        address: Address,
        /// The version string it returned.
        version: String,
        /// The versions opctl knows.
        supported: String,
    },
    /// A getter opctl needs failed.
    #[error("{0}")]
    CallFailed(Box<FailedCall>),
    /// A value read on-chain has a shape opctl cannot interpret.
    #[error("{contract}.{getter} on {address} returned {detail}")]
    BadValue {
        /// Contract name.
        contract: &'static str,
        /// Getter.
        getter: String,
        /// Contract address.
        address: Address,
        /// What is wrong with the value.
        detail: String,
    },
    /// Two contracts disagree about how they are wired together.
    #[error("inconsistent L1 contracts: {detail}")]
    Inconsistent {
        /// Both sides of the disagreement.
        detail: String,
    },
}

impl DiscoveryError {
    /// Whether this error means "the given address is not a usable SystemConfig" (no code, not a
    /// SystemConfig, unsupported version), which the `system-config` check reports as a failure.
    pub fn is_system_config_problem(&self, system_config: Address) -> bool {
        match self {
            DiscoveryError::NoCode { address, .. } => *address == system_config,
            DiscoveryError::NotSystemConfig { .. } => true,
            DiscoveryError::UnsupportedVersion {
                contract, address, ..
            } => *contract == "SystemConfig" && *address == system_config,
            _ => false,
        }
    }
}

/// A getter call that did not yield the value discovery needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedCall {
    /// Contract name.
    pub contract: &'static str,
    /// Getter with arguments, e.g. `gameImpls(1)`.
    pub getter: String,
    /// Contract address.
    pub address: Address,
    /// L1 block number read at.
    pub block: u64,
    /// What went wrong.
    pub failure: CallFailure,
    /// The contract's `version()`, when known.
    pub version: Option<String>,
}

impl std::fmt::Display for FailedCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "call {}.{} on {} at L1 block {} {}; ",
            self.contract, self.getter, self.address, self.block, self.failure
        )?;
        match &self.version {
            Some(v) => write!(f, "{} {v} does not behave as opctl expects", self.contract),
            None => write!(f, "{} does not behave as opctl expects", self.contract),
        }
    }
}

/// `system-config` for a discovery that failed because the address is not a usable
/// SystemConfig; `None` when the error is about something else (e.g. the RPC).
pub fn system_config_failure(
    system_config: alloy::primitives::Address,
    err: &DiscoveryError,
) -> Option<crate::model::checks::CheckResult> {
    use crate::model::checks::{names, CheckResult};
    err.is_system_config_problem(system_config)
        .then(|| CheckResult::fail(names::SYSTEM_CONFIG, err.to_string()))
}

#[cfg(test)]
mod system_config_failure_tests {
    use super::*;
    use crate::model::checks::CheckStatus;

    #[test]
    fn a_missing_system_config_is_a_failed_check_and_other_errors_are_not() {
        let a = alloy::primitives::Address::repeat_byte(1);
        let err = DiscoveryError::NoCode {
            what: "SystemConfig".into(),
            address: a,
            block: 5,
        };
        let failed = system_config_failure(a, &err).expect("a SystemConfig problem");
        assert_eq!(failed.status, CheckStatus::Fail);
        let other = DiscoveryError::Inconsistent { detail: "x".into() };
        assert!(system_config_failure(a, &other).is_none());
    }
}

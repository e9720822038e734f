//! The L1 edge: contract discovery over JSON-RPC with alloy, and the pre-deployment checks that
//! compare it with what opctl is about to deploy.
//!
//! Start from the SystemConfig proxy (rollup.json `l1_system_config_address`):
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use opctl::rpc::{discover, L1Rpc, RpcOptions, Source};
//! let rpc = L1Rpc::new("https://ethereum-sepolia-rpc.example", RpcOptions::default())?;
//! let system_config = "0x034edD2A225f7f429A63E0f1D2084B9E0A93b538".parse()?;
//! let found = discover(&rpc, system_config, Source::Toml { key: "l1.system_config".into() }).await?;
//! println!("batcher {:?} after {} HTTP requests", found.role(opctl::rpc::RoleName::Batcher), rpc.http_requests());
//! # Ok(()) }
//! ```
//!
//! - [`discover`] reads every value at one L1 block in two HTTP requests (the second one runs
//!   every getter, including those whose contract another getter names, in one `eth_call` of the
//!   read-only `DiscoveryLens`), and interprets the answers by each contract's `version()`
//!   (module [`versions`]).
//! - [`run_checks`] and the `check_*` functions are pure: discovery + inputs in, named results out.
//! - Errors are [`DiscoveryError`] / [`RpcError`]; RPC URLs in them are redacted ([`redact_url`]).

mod abi;
pub mod beacon;
pub mod decode;
mod discovery;
mod error;
mod keys;
mod lens;
mod op_node;
mod reads;
mod redact;
mod transport;
pub mod versions;

pub use crate::model::checks::{
    check_batcher_key, check_challenger_key, check_distinct_keys, check_l1_chain_id,
    check_proposer_key, check_rollup_config, check_sequencer_key, check_system_config,
    names as check_names, run_checks, CheckInput, CheckResult, CheckStatus, RollupFacts,
    SignerAddresses, ALL_CHECKS,
};
pub use crate::model::discovery::{
    game_type_name, BlockRef, ContractInfo, ContractName, Discovery, Game, GameArgsLayout,
    OutputOracleParams, ProofSystem, RoleName, Source, SourceParseError, Sourced, GAME_TYPE_CANNON,
    GAME_TYPE_CANNON_KONA, GAME_TYPE_PERMISSIONED_CANNON, GAME_TYPE_SUPER_CANNON_KONA,
    GAME_TYPE_SUPER_PERMISSIONED,
};
pub use discovery::{discover, EIP1967_ADMIN_SLOT, PROBED_GAME_TYPES};
pub use error::{system_config_failure, CallFailure, DiscoveryError, FailedCall, RpcError};
pub use keys::{address_from_private_key_hex, KeyError};
pub use op_node::batch_inbox_from_op_node;
pub use redact::redact_url;
pub use transport::{Backoff, L1Rpc, ReadMode, RpcOptions};

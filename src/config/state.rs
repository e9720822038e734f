//! What the chain's execution clients must keep for their consumers, derived from the chain file and
//! its rollup.json: block time, Isthmus, and op-reth's `eth_getProof` window. Pure.

use super::{duration, ExecutionClient, LoadedChain};

/// op-reth refuses a larger `--rpc.eth-proof-window` (reth
/// `crates/rpc/rpc-server-types/src/constants.rs`: `MAX_ETH_PROOF_WINDOW = 7 * 24 * 60 * 60 / 2`).
pub const MAX_ETH_PROOF_WINDOW: u64 = 7 * 24 * 60 * 60 / 2;

/// Blocks of state history an op-reth `--full` node keeps (reth `crates/prune/types`:
/// `MINIMUM_PRUNING_DISTANCE = 32 * 2 + 10_000`): a proof window beyond it finds pruned state.
pub const FULL_NODE_HISTORY: u64 = 32 * 2 + 10_000;

/// Default proof window: "Permissioned chains only need a few hours of lookback" (optimism docs
/// `tutorials/reth-historical-proofs.mdx`); 12 h covers a withdrawal proven against any game the
/// proposer created with the default 1 h interval, and the permissioned challenger.
pub const DEFAULT_PROOF_WINDOW: &str = "12h";

impl LoadedChain {
    /// L2 block time in seconds: rollup.json's `block_time`, else 2 (every registry chain).
    pub fn block_time(&self) -> u64 {
        self.rollup()
            .and_then(Result::ok)
            .map(|r| r.config.block_time)
            .filter(|t| *t > 0)
            .unwrap_or(2)
    }

    /// Whether Isthmus is active from the L2 genesis: rollup.json's `isthmus_time` is at or before
    /// `genesis.l2_time`. Registry chains have it. Before Isthmus op-node computes output roots with
    /// `eth_getProof` (optimism `op-service/sources/l2_client.go` `outputV0`); after, from the
    /// header's withdrawalsRoot.
    pub fn isthmus_at_genesis(&self) -> bool {
        if self.file.chain.network.is_some() {
            return true;
        }
        let Some(Ok(r)) = self.rollup() else {
            return false;
        };
        r.config
            .hardforks
            .isthmus_time
            .is_some_and(|t| t <= r.config.genesis.l2_time)
    }

    /// The execution client behind op-challenger's `--l2-eth-rpc`: replica-0's when replicas run,
    /// else the sequencer's.
    pub fn challenger_el(&self) -> ExecutionClient {
        let f = &self.file;
        if f.replicas.enabled {
            f.replicas.execution_client
        } else {
            f.sequencer.execution_client
        }
    }

    /// op-reth `--rpc.eth-proof-window` in blocks for a setting (a duration; the default when
    /// unset), on an archive node or a `--full` one. Errors say why the value cannot be served.
    pub fn proof_window_blocks(&self, setting: Option<&str>, archive: bool) -> Result<u64, String> {
        let text = setting.unwrap_or(DEFAULT_PROOF_WINDOW);
        let d = duration::parse_duration(text)?;
        let blocks = d.as_secs().div_ceil(self.block_time());
        if blocks > MAX_ETH_PROOF_WINDOW {
            return Err(format!(
                "`{text}` is {blocks} blocks; op-reth accepts at most {MAX_ETH_PROOF_WINDOW} (MAX_ETH_PROOF_WINDOW)"
            ));
        }
        if !archive && blocks > FULL_NODE_HISTORY {
            if setting.is_none() {
                // The default shrinks to what a full node keeps.
                return Ok(FULL_NODE_HISTORY);
            }
            return Err(format!(
                "`{text}` is {blocks} blocks, but an op-reth `--full` node keeps {FULL_NODE_HISTORY} blocks of state history"
            ));
        }
        Ok(blocks)
    }
}

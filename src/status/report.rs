//! The nodes part of `opctl status` as data: what each node answered, its lag and its verdict, in
//! the shape of the `opctl.io/status/v1` JSON (docs/status.md). Pure: built from the readings.

use serde::Serialize;
use serde_json::Value;

use super::judge::{
    self, L1Ref, L2Ref, Lag, Reading, Reference, State, SyncStatus, Thresholds, Verdict,
};
use super::probe::{Collected, NodeReads, NodeRole, Sample};

/// How the nodes were sampled.
#[derive(Debug, Clone, Serialize)]
pub struct Sampling {
    pub interval_ms: u64,
    /// Samples taken of the nodes that answered (1 or 2).
    pub samples: u8,
    /// HTTP requests made through the apiserver's pod proxy.
    pub requests: usize,
    pub wall_ms: u64,
    pub max_lag_blocks: u64,
    pub block_time_s: u64,
    /// HTTP requests to `[status] reference_rpc` (direct, not through the cluster); 0 without it.
    pub reference_requests: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpNodeView {
    pub reachable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub unsafe_l2: Option<L2Ref>,
    pub safe_l2: Option<L2Ref>,
    pub finalized_l2: Option<L2Ref>,
    /// The L1 block derivation is at.
    pub current_l1: Option<L1Ref>,
    pub head_l1: Option<L1Ref>,
    /// `head_l1 - current_l1`, blocks.
    pub l1_origin_lag: Option<u64>,
    /// `opp2p_peerStats.connected`.
    pub peers: Option<u64>,
    /// `opp2p_peerStats.blocksTopic`: peers in the blocks gossip topic.
    pub gossip_peers: Option<u64>,
    /// `optimism_rollupConfig.l2_chain_id`.
    pub l2_chain_id: Option<u64>,
    /// op-node's `--syncmode` as opctl rendered it (`consensus-layer`, `execution-layer`):
    /// op-node serves no RPC that tells it.
    pub sync_mode: &'static str,
    /// Where `sync_mode` comes from.
    pub sync_mode_source: &'static str,
    /// Whether op-node's engine (its execution client) is reachable, inferred: `null` when
    /// unknown. See `engine`.
    pub engine_reachable: Option<bool>,
    /// Why `engine_reachable` says what it says.
    pub engine: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ElView {
    pub reachable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub block_number: Option<u64>,
    /// `eth_syncing` as answered: `false`, or the client's progress object.
    pub syncing: Option<Value>,
    /// `net_peerCount`; `null` when the client does not serve it.
    pub peers: Option<u64>,
    pub chain_id: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NodeStatus {
    pub name: String,
    pub role: &'static str,
    pub pod: String,
    pub op_node: OpNodeView,
    pub el: ElView,
    /// Behind the reference's heads; `null` for the sequencer (unless the reference is
    /// `reference_rpc`) and when there is no reference.
    pub lag: Option<Lag>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Serialize)]
pub struct NodesReport {
    pub sampling: Sampling,
    /// What lags are measured against, when it answered: the sequencer's name, or
    /// `reference_rpc <redacted URL>`.
    pub reference: Option<String>,
    /// Why there is no reference (the sequencer or the reference RPC did not answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_error: Option<String>,
    pub nodes: Vec<NodeStatus>,
}

fn latest(node: &NodeReads) -> &Sample {
    node.second
        .as_ref()
        .filter(|s| s.op_node.sync.is_ok())
        .unwrap_or(&node.first)
}

fn reading(sample: &Sample) -> Option<Reading> {
    sample.op_node.sync.as_ref().ok().map(|sync| Reading {
        at_ms: sample.at_ms,
        sync: *sync,
    })
}

/// The block time: rollup.json of the chain file, else what a node's op-node serves, else 2 s.
pub fn block_time(from_chain_file: Option<u64>, collected: &Collected) -> u64 {
    from_chain_file
        .or_else(|| {
            collected.nodes.iter().find_map(|n| {
                n.first
                    .op_node
                    .rollup
                    .as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .map(|r| r.block_time)
            })
        })
        .unwrap_or(2)
        .max(1)
}

/// What `[status] reference_rpc` answered: its printable name and the heads it told, or why it
/// did not.
#[derive(Debug, Clone)]
pub struct ExternalReference {
    /// `reference_rpc https://host/***`.
    pub label: String,
    pub read: Result<Reference, String>,
    pub requests: u64,
}

/// Builds the report. `l2_chain_id` is the chain file's; `now_s` the clock (unix seconds);
/// `external` the reference RPC's answer when `[status] reference_rpc` is set (else the
/// sequencer is the reference).
pub fn build(
    collected: &Collected,
    l2_chain_id: u64,
    thresholds: Thresholds,
    interval_ms: u64,
    now_s: u64,
    external: Option<&ExternalReference>,
) -> NodesReport {
    let sequencer = collected
        .nodes
        .iter()
        .find(|n| n.target.role == NodeRole::Sequencer);
    let (reference, name, missing): (Option<Reference>, Option<String>, String) = match external {
        Some(ext) => match &ext.read {
            Ok(r) => (Some(r.clone()), Some(ext.label.clone()), String::new()),
            Err(e) => (None, None, format!("the reference RPC did not answer: {e}")),
        },
        None => {
            let sync = sequencer.and_then(|n| latest(n).op_node.sync.as_ref().ok().copied());
            match (sync, sequencer) {
                (Some(s), Some(seq)) => (
                    Some(Reference::from_sync("the sequencer", &s)),
                    Some(seq.target.name.clone()),
                    String::new(),
                ),
                _ => (None, None, "the sequencer did not answer".to_string()),
            }
        }
    };
    let reference_for = match &reference {
        Some(r) => Ok(r),
        None => Err(missing.as_str()),
    };
    let external_reference = external.is_some_and(|e| e.read.is_ok());
    let nodes = collected
        .nodes
        .iter()
        .map(|n| {
            node(
                n,
                reference_for,
                external_reference,
                l2_chain_id,
                thresholds,
                now_s,
            )
        })
        .collect();
    let samples = if collected.nodes.iter().any(|n| n.second.is_some()) {
        2
    } else {
        1
    };
    NodesReport {
        sampling: Sampling {
            interval_ms,
            samples,
            requests: collected.requests,
            wall_ms: collected.elapsed.as_millis() as u64,
            max_lag_blocks: thresholds.max_lag,
            block_time_s: thresholds.block_time,
            reference_requests: external.map_or(0, |e| e.requests),
        },
        reference: name,
        reference_error: reference.is_none().then_some(missing),
        nodes,
    }
}

/// Where a node's `sync_mode` comes from.
pub const SYNC_MODE_SOURCE: &str =
    "rendered --syncmode (sequencer: consensus-layer; replicas: chain file replicas.sync_mode)";

/// Whether op-node's engine is reachable, inferred from what op-node and the execution client
/// answered: op-node only moves its unsafe head by inserting blocks through the engine API, and
/// the engine API is served by the same execution client process as the HTTP RPC opctl reads.
pub fn engine(
    n: &NodeReads,
    sync: Option<SyncStatus>,
    el_head: Option<u64>,
    max_lag: u64,
) -> (Option<bool>, String) {
    let Some(sync) = sync else {
        return (None, "unknown: op-node did not answer".to_string());
    };
    let first = n.first.op_node.sync.as_ref().ok();
    let second = n.second.as_ref().and_then(|s| s.op_node.sync.as_ref().ok());
    if let (Some(a), Some(b)) = (first, second) {
        if b.unsafe_l2.number > a.unsafe_l2.number {
            return (
                Some(true),
                "op-node's unsafe head moved between the samples (blocks reach the engine)"
                    .to_string(),
            );
        }
    }
    match el_head {
        Some(head) if head + max_lag >= sync.unsafe_l2.number => (
            Some(true),
            format!(
                "the execution client answers at op-node's unsafe head ({head} vs {})",
                sync.unsafe_l2.number
            ),
        ),
        Some(head) => (
            None,
            format!(
                "unknown: the execution client answers (head {head}) but is behind op-node's \
                 unsafe head {} and that head did not move",
                sync.unsafe_l2.number
            ),
        ),
        None => (
            Some(false),
            "the execution client does not answer and op-node's unsafe head did not move"
                .to_string(),
        ),
    }
}

fn node(
    n: &NodeReads,
    reference: Result<&Reference, &str>,
    external_reference: bool,
    l2_chain_id: u64,
    t: Thresholds,
    now_s: u64,
) -> NodeStatus {
    let first = &n.first;
    let last = latest(n);
    let sync = last.op_node.sync.as_ref().ok();
    let peers = first.op_node.peers.as_ref().and_then(|p| p.as_ref().ok());
    let rollup = first.op_node.rollup.as_ref().and_then(|r| r.as_ref().ok());
    let op_node = OpNodeView {
        reachable: sync.is_some(),
        error: last.op_node.sync.as_ref().err().cloned(),
        unsafe_l2: sync.map(|s| s.unsafe_l2),
        safe_l2: sync.map(|s| s.safe_l2),
        finalized_l2: sync.map(|s| s.finalized_l2),
        current_l1: sync.map(|s| s.current_l1),
        head_l1: sync.map(|s| s.head_l1),
        l1_origin_lag: sync.map(|s| s.head_l1.number.saturating_sub(s.current_l1.number)),
        peers: peers.map(|p| p.connected),
        gossip_peers: peers.map(|p| p.blocks_topic),
        l2_chain_id: rollup.map(|r| r.l2_chain_id),
        sync_mode: n.target.sync_mode,
        sync_mode_source: SYNC_MODE_SOURCE,
        engine_reachable: None,
        engine: String::new(),
    };
    let el_last = if n.second.as_ref().is_some_and(|s| s.el.block_number.is_ok()) {
        n.second.as_ref().map(|s| &s.el).unwrap_or(&first.el)
    } else {
        &first.el
    };
    let el = ElView {
        reachable: el_last.block_number.is_ok(),
        error: el_last.block_number.as_ref().err().cloned(),
        block_number: el_last.block_number.as_ref().ok().copied(),
        syncing: first
            .el
            .syncing
            .as_ref()
            .and_then(|s| s.as_ref().ok())
            .cloned(),
        peers: first
            .el
            .peers
            .as_ref()
            .and_then(|p| p.as_ref().ok())
            .copied(),
        chain_id: first
            .el
            .chain_id
            .as_ref()
            .and_then(|c| c.as_ref().ok())
            .copied(),
    };
    let mut op_node = op_node;
    let (reachable, why) = engine(n, sync.copied(), el.block_number, t.max_lag);
    op_node.engine_reachable = reachable;
    op_node.engine = why;
    let is_sequencer = n.target.role == NodeRole::Sequencer;
    let mut verdict = match (reading(first), n.second.as_ref().and_then(reading)) {
        (Some(a), b) => judge::judge(&a, b.as_ref(), reference, is_sequencer, now_s, t),
        (None, Some(b)) => judge::judge(&b, None, reference, is_sequencer, now_s, t),
        (None, None) => {
            let why = last
                .op_node
                .sync
                .as_ref()
                .err()
                .cloned()
                .unwrap_or_default();
            let el_part = match &el.block_number {
                Some(head) => format!("execution client answers (head {head})"),
                None => "execution client does not answer either".to_string(),
            };
            Verdict {
                state: State::Unreachable,
                reason: format!("op-node {why}; {el_part}"),
                since: None,
                blocks_per_minute: None,
            }
        }
    };
    if verdict.state != State::Unreachable {
        let mut notes = Vec::new();
        if let Some(e) = &el.error {
            notes.push(format!("execution client unreachable: {e}"));
        }
        if let (Some(head), Some(s)) = (el.block_number, sync) {
            if head + t.max_lag < s.unsafe_l2.number {
                notes.push(format!(
                    "execution client head {head} is behind op-node's unsafe head {}",
                    s.unsafe_l2.number
                ));
            }
        }
        for (who, id) in [
            ("op-node", op_node.l2_chain_id),
            ("execution client", el.chain_id),
        ] {
            if let Some(id) = id.filter(|id| *id != l2_chain_id) {
                notes.push(format!(
                    "{who} serves chain id {id}, the chain file says {l2_chain_id}"
                ));
            }
        }
        for note in notes {
            verdict.reason.push_str("; ");
            verdict.reason.push_str(&note);
        }
    }
    NodeStatus {
        name: n.target.name.clone(),
        role: n.target.role.as_str(),
        pod: n.target.pod.clone(),
        op_node,
        el,
        lag: match (sync, reference) {
            (Some(s), Ok(r)) if !is_sequencer || external_reference => Some(judge::lag(s, r)),
            _ => None,
        },
        verdict,
    }
}

/// A reading of one replica with every measurement, for tests (metrics, gate, Events).
#[cfg(test)]
pub(crate) fn example() -> NodesReport {
    use crate::status::judge::{BlockId, L1Ref, L2Ref, Lag, State, Verdict};
    let l2 = |number| L2Ref {
        number,
        timestamp: 1_796_000_000,
        l1origin: BlockId { number: 7 },
    };
    let l1 = |number| L1Ref {
        number,
        timestamp: 1_796_000_000,
    };
    NodesReport {
        sampling: Sampling {
            interval_ms: 2000,
            samples: 2,
            requests: 4,
            wall_ms: 2100,
            max_lag_blocks: 10,
            block_time_s: 2,
            reference_requests: 0,
        },
        reference: Some("devnet-sequencer".into()),
        reference_error: None,
        nodes: vec![NodeStatus {
            name: "devnet-replica-0".into(),
            role: "replica",
            pod: "devnet-replica-0-0".into(),
            op_node: OpNodeView {
                reachable: true,
                error: None,
                unsafe_l2: Some(l2(1000)),
                safe_l2: Some(l2(940)),
                finalized_l2: Some(l2(400)),
                current_l1: Some(l1(5000)),
                head_l1: Some(l1(5003)),
                l1_origin_lag: Some(3),
                peers: Some(5),
                gossip_peers: Some(4),
                l2_chain_id: Some(42069),
                sync_mode: "execution-layer",
                sync_mode_source: "rendered",
                engine_reachable: Some(true),
                engine: "reachable".into(),
            },
            el: ElView {
                reachable: true,
                error: None,
                block_number: Some(1000),
                syncing: None,
                peers: Some(12),
                chain_id: Some(42069),
            },
            lag: Some(Lag {
                unsafe_l2: 50,
                safe_l2: Some(50),
                finalized_l2: Some(0),
            }),
            verdict: Verdict {
                state: State::Syncing,
                reason: "50 blocks behind".into(),
                since: None,
                blocks_per_minute: Some(600.0),
            },
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::judge::BlockId;
    use crate::status::probe::{ElRead, OpNodeRead, Target};

    fn sync(unsafe_l2: u64) -> SyncStatus {
        let l1 = L1Ref {
            number: 10,
            timestamp: 1000,
        };
        let l2 = |number| L2Ref {
            number,
            timestamp: 2000 + number,
            l1origin: BlockId { number: 10 },
        };
        SyncStatus {
            current_l1: l1,
            head_l1: l1,
            unsafe_l2: l2(unsafe_l2),
            safe_l2: l2(unsafe_l2.saturating_sub(60)),
            finalized_l2: l2(unsafe_l2.saturating_sub(600)),
        }
    }

    fn sample(unsafe_l2: Option<u64>, el_head: Option<u64>) -> Sample {
        Sample {
            at_ms: 0,
            op_node: OpNodeRead {
                sync: unsafe_l2.map(sync).ok_or_else(|| "down".to_string()),
                peers: None,
                rollup: None,
            },
            el: ElRead {
                block_number: el_head.ok_or_else(|| "down".to_string()),
                syncing: None,
                peers: None,
                chain_id: None,
            },
        }
    }

    fn reads(first: Sample, second: Option<Sample>) -> NodeReads {
        NodeReads {
            target: Target {
                name: "c-replica-0".to_string(),
                role: NodeRole::Replica,
                pod: "c-replica-0-0".to_string(),
                sync_mode: "execution-layer",
            },
            first,
            second,
        }
    }

    fn judge_engine(n: &NodeReads) -> Option<bool> {
        let last = n.second.as_ref().unwrap_or(&n.first);
        engine(
            n,
            last.op_node.sync.as_ref().ok().copied(),
            last.el.block_number.as_ref().ok().copied(),
            10,
        )
        .0
    }

    #[test]
    fn the_engine_is_reachable_when_the_head_moves_or_the_execution_client_is_at_it() {
        let moving = reads(sample(Some(100), None), Some(sample(Some(101), None)));
        assert_eq!(judge_engine(&moving), Some(true));
        let at_head = reads(sample(Some(100), Some(95)), None);
        assert_eq!(judge_engine(&at_head), Some(true));
    }

    #[test]
    fn the_engine_is_unreachable_when_the_execution_client_is_gone_and_the_head_still() {
        let gone = reads(sample(Some(100), None), Some(sample(Some(100), None)));
        assert_eq!(judge_engine(&gone), Some(false));
        let behind = reads(sample(Some(100), Some(5)), Some(sample(Some(100), Some(5))));
        assert_eq!(judge_engine(&behind), None, "answers, far behind: unknown");
        let no_op_node = reads(sample(None, Some(100)), None);
        assert_eq!(judge_engine(&no_op_node), None);
    }
}

//! Reading the chain's nodes through the Kubernetes API (the apiserver's pod proxy): one JSON-RPC
//! batch per component and sample, read-only methods only, each bounded by the per-call timeout
//! and by the run's deadline. A node that does not answer is a value ("unreachable"), never an
//! error of the run.
//!
//! Requests per run: 2 per node for the first sample (op-node, execution client) and 2 per
//! reachable node for the second; independent of the chain's height.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{json, Value};

use super::judge::{PeerStats, SyncStatus};
use crate::cluster::{Cluster, ClusterError};
use crate::render::{EL_HTTP, NODE_RPC};

/// Which node of the chain file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRole {
    Sequencer,
    Replica,
}

impl NodeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::Sequencer => "sequencer",
            NodeRole::Replica => "replica",
        }
    }
}

/// A node to read: its object name and the pod serving it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    pub role: NodeRole,
    pub pod: String,
    /// The op-node `--syncmode` opctl renders for this node (op-node serves no RPC that tells
    /// it).
    pub sync_mode: &'static str,
}

/// How long a run may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time between the two samples (0: one sample, no rate).
    pub interval: Duration,
    /// Per JSON-RPC batch.
    pub rpc_timeout: Duration,
    /// The whole run: calls after it are not made and count as unreachable.
    pub deadline: Duration,
}

/// What `optimism_rollupConfig` tells opctl (a `rollup.Config`, i.e. rollup.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct RollupInfo {
    pub block_time: u64,
    pub l2_chain_id: u64,
}

/// One sample of op-node.
#[derive(Debug, Clone)]
pub struct OpNodeRead {
    pub sync: Result<SyncStatus, String>,
    /// First sample only.
    pub peers: Option<Result<PeerStats, String>>,
    /// First sample only.
    pub rollup: Option<Result<RollupInfo, String>>,
}

/// One sample of the execution client.
#[derive(Debug, Clone)]
pub struct ElRead {
    pub block_number: Result<u64, String>,
    /// `eth_syncing` as answered (`false` or an object); first sample only.
    pub syncing: Option<Result<Value, String>>,
    /// `net_peerCount`; first sample only.
    pub peers: Option<Result<u64, String>>,
    /// `eth_chainId`; first sample only.
    pub chain_id: Option<Result<u64, String>>,
}

/// One sample of a node at a moment (unix milliseconds).
#[derive(Debug, Clone)]
pub struct Sample {
    pub at_ms: u64,
    pub op_node: OpNodeRead,
    pub el: ElRead,
}

/// Everything read from one node.
#[derive(Debug, Clone)]
pub struct NodeReads {
    pub target: Target,
    pub first: Sample,
    pub second: Option<Sample>,
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Collected {
    pub nodes: Vec<NodeReads>,
    /// HTTP requests made through the pod proxy.
    pub requests: usize,
    pub elapsed: Duration,
}

struct Budget {
    started: Instant,
    deadline: Instant,
    rpc_timeout: Duration,
    requests: AtomicUsize,
}

impl Budget {
    /// The time the next call may take: the per-call timeout, cut at the deadline.
    fn allowance(&self) -> Option<Duration> {
        let left = self.deadline.checked_duration_since(Instant::now())?;
        Some(left.min(self.rpc_timeout)).filter(|d| !d.is_zero())
    }
}

/// Reads every target: a full sample, then (after `interval`) the heads again from the nodes that
/// answered.
pub async fn collect(
    cluster: &Cluster,
    namespace: &str,
    targets: &[Target],
    limits: Limits,
) -> Collected {
    let started = Instant::now();
    let budget = Budget {
        started,
        deadline: started + limits.deadline,
        rpc_timeout: limits.rpc_timeout,
        requests: AtomicUsize::new(0),
    };
    let budget = &budget;
    let firsts = futures::future::join_all(
        targets
            .iter()
            .map(|t| sample(cluster, budget, namespace, &t.pod, true, true)),
    )
    .await;
    let any_answered = firsts.iter().any(|s| s.op_node.sync.is_ok());
    let room = budget
        .deadline
        .checked_duration_since(Instant::now())
        .is_some_and(|left| left > limits.interval + limits.rpc_timeout.min(left / 2));
    let seconds: Vec<Option<Sample>> = if !limits.interval.is_zero() && any_answered && room {
        tokio::time::sleep(limits.interval).await;
        futures::future::join_all(targets.iter().zip(&firsts).map(|(t, first)| {
            let op = first.op_node.sync.is_ok();
            let el = first.el.block_number.is_ok();
            async move {
                if op || el {
                    Some(sample(cluster, budget, namespace, &t.pod, false, op).await)
                } else {
                    None
                }
            }
        }))
        .await
    } else {
        vec![None; targets.len()]
    };
    let nodes = targets
        .iter()
        .cloned()
        .zip(firsts)
        .zip(seconds)
        .map(|((target, first), second)| NodeReads {
            target,
            first,
            second,
        })
        .collect();
    Collected {
        nodes,
        requests: budget.requests.load(Ordering::Relaxed),
        elapsed: budget.started.elapsed(),
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// One sample of a pod: op-node and the execution client concurrently. `full` adds the calls
/// only the first sample makes; `op_node` false skips op-node (it did not answer before).
async fn sample(
    cluster: &Cluster,
    budget: &Budget,
    namespace: &str,
    pod: &str,
    full: bool,
    op_node: bool,
) -> Sample {
    let op_calls: Vec<(&str, Value)> = if full {
        vec![
            ("optimism_syncStatus", json!([])),
            ("opp2p_peerStats", json!([])),
            ("optimism_rollupConfig", json!([])),
        ]
    } else {
        vec![("optimism_syncStatus", json!([]))]
    };
    let el_calls: Vec<(&str, Value)> = if full {
        vec![
            ("eth_blockNumber", json!([])),
            ("eth_syncing", json!([])),
            ("net_peerCount", json!([])),
            ("eth_chainId", json!([])),
        ]
    } else {
        vec![("eth_blockNumber", json!([]))]
    };
    let at_ms = now_ms();
    let op = async {
        if op_node {
            batch(cluster, budget, namespace, pod, NODE_RPC, &op_calls).await
        } else {
            Err("did not answer the first sample".to_string())
        }
    };
    let el = batch(cluster, budget, namespace, pod, EL_HTTP, &el_calls);
    let (op, el) = futures::join!(op, el);
    let at_ms = at_ms + (now_ms().saturating_sub(at_ms)) / 2;
    Sample {
        at_ms,
        op_node: op_node_read(op, full),
        el: el_read(el, full),
    }
}

fn op_node_read(answers: Result<Vec<Result<Value, String>>, String>, full: bool) -> OpNodeRead {
    match answers {
        Err(e) => OpNodeRead {
            sync: Err(e.clone()),
            peers: full.then(|| Err(e.clone())),
            rollup: full.then_some(Err(e)),
        },
        Ok(mut answers) => {
            let mut next = || answers.remove(0);
            OpNodeRead {
                sync: decode(next(), "optimism_syncStatus"),
                peers: full.then(|| decode(next(), "opp2p_peerStats")),
                rollup: full.then(|| decode(next(), "optimism_rollupConfig")),
            }
        }
    }
}

fn el_read(answers: Result<Vec<Result<Value, String>>, String>, full: bool) -> ElRead {
    match answers {
        Err(e) => ElRead {
            block_number: Err(e.clone()),
            syncing: full.then(|| Err(e.clone())),
            peers: full.then(|| Err(e.clone())),
            chain_id: full.then_some(Err(e)),
        },
        Ok(mut answers) => {
            let mut next = || answers.remove(0);
            ElRead {
                block_number: quantity(next(), "eth_blockNumber"),
                syncing: full.then(&mut next),
                peers: full.then(|| quantity(next(), "net_peerCount")),
                chain_id: full.then(|| quantity(next(), "eth_chainId")),
            }
        }
    }
}

fn decode<T: serde::de::DeserializeOwned>(
    answer: Result<Value, String>,
    method: &str,
) -> Result<T, String> {
    serde_json::from_value(answer?).map_err(|e| format!("{method}: unexpected answer: {e}"))
}

/// A JSON-RPC quantity (`"0x1a"`).
fn quantity(answer: Result<Value, String>, method: &str) -> Result<u64, String> {
    let value = answer?;
    value
        .as_str()
        .and_then(|s| s.strip_prefix("0x"))
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .ok_or_else(|| format!("{method}: not a quantity: {value}"))
}

/// One JSON-RPC batch through the pod proxy. `Err` when the batch got no answer (pod missing,
/// nothing listening, timeout); otherwise one result per call, in call order.
async fn batch(
    cluster: &Cluster,
    budget: &Budget,
    namespace: &str,
    pod: &str,
    port: i32,
    calls: &[(&str, Value)],
) -> Result<Vec<Result<Value, String>>, String> {
    let Some(allowance) = budget.allowance() else {
        return Err("not asked: the status deadline had passed".to_string());
    };
    let body: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(id, (method, params))| {
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        })
        .collect();
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let port = u16::try_from(port).unwrap_or(0);
    budget.requests.fetch_add(1, Ordering::Relaxed);
    let answer = tokio::time::timeout(
        allowance,
        cluster.pod_proxy_post(namespace, pod, port, body),
    )
    .await
    .map_err(|_| format!("port {port}: no answer within {allowance:.1?}"))?
    .map_err(|e| format!("port {port}: {}", short(&e)))?;
    parse_batch(&answer, calls.len()).map_err(|e| format!("port {port}: {e}"))
}

/// What went wrong, short: the apiserver's own message for a proxy failure (it names the dial
/// error), the full error with its hint for RBAC denials.
fn short(e: &ClusterError) -> String {
    match e {
        ClusterError::Api { code, message, .. } if *code != 0 => {
            format!("{message} (HTTP {code} from the API server's pod proxy)")
        }
        ClusterError::NotFound { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Splits a batch answer into one result per call (by `id`).
pub fn parse_batch(text: &str, calls: usize) -> Result<Vec<Result<Value, String>>, String> {
    let value: Value = serde_json::from_str(text).map_err(|_| {
        let head: String = text.chars().take(120).collect();
        format!("not a JSON-RPC answer: {head:?}")
    })?;
    let Value::Array(items) = value else {
        // A server that refuses batches answers with one error object.
        return Err(
            match value.pointer("/error/message").and_then(Value::as_str) {
                Some(m) => format!("batch refused: {m}"),
                None => "not a JSON-RPC batch answer".to_string(),
            },
        );
    };
    let mut out: Vec<Result<Value, String>> =
        vec![Err("no answer to this call in the batch".to_string()); calls];
    for item in items {
        let Some(id) = item.get("id").and_then(Value::as_u64) else {
            continue;
        };
        let Some(slot) = usize::try_from(id).ok().and_then(|i| out.get_mut(i)) else {
            continue;
        };
        *slot = match (item.get("result"), item.get("error")) {
            (_, Some(error)) => Err(format!(
                "error {}: {}",
                error.get("code").and_then(Value::as_i64).unwrap_or(0),
                error.get("message").and_then(Value::as_str).unwrap_or("")
            )),
            (Some(result), None) => Ok(result.clone()),
            (None, None) => Err("answer without result".to_string()),
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_answer_is_matched_to_calls_by_id_and_errors_stay_per_call() {
        let text = r#"[{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}},
                      {"jsonrpc":"2.0","id":0,"result":"0x10"}]"#;
        let out = parse_batch(text, 3).expect("a batch");
        assert_eq!(out[0], Ok(json!("0x10")));
        assert_eq!(out[1], Err("error -32601: Method not found".to_string()));
        assert!(out[2].is_err());
        assert_eq!(quantity(out[0].clone(), "eth_blockNumber"), Ok(16));
    }

    #[test]
    fn a_refused_batch_and_a_non_json_answer_are_errors_of_the_whole_batch() {
        let refused =
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch too large"}}"#;
        assert_eq!(
            parse_batch(refused, 2),
            Err("batch refused: batch too large".to_string())
        );
        assert!(parse_batch("<html>bad gateway</html>", 1)
            .expect_err("not JSON")
            .starts_with("not a JSON-RPC answer"));
    }

    #[test]
    fn op_node_shapes_decode_from_op_node_json() {
        // Field names and number encoding of op-node's eth.SyncStatus and p2p.PeerStats.
        let at = |n: u64| json!({"hash": "0x00", "number": n, "parentHash": "0x00", "timestamp": 1000 + n});
        let l2 = |n: u64| {
            json!({"hash": "0x00", "number": n, "parentHash": "0x00", "timestamp": 2000 + n,
            "l1origin": {"hash": "0x00", "number": 7}, "sequenceNumber": 0})
        };
        let sync = json!({"current_l1": at(5), "current_l1_finalized": at(1), "head_l1": at(8),
            "safe_l1": at(6), "finalized_l1": at(1), "unsafe_l2": l2(30), "safe_l2": l2(20),
            "finalized_l2": l2(10), "pending_safe_l2": l2(20), "queued_unsafe_l2": l2(0)});
        let s: SyncStatus = decode(Ok(sync), "optimism_syncStatus").expect("decodes");
        assert_eq!(
            (s.unsafe_l2.number, s.safe_l2.number, s.head_l1.number),
            (30, 20, 8)
        );
        assert_eq!(s.unsafe_l2.l1origin.number, 7);
        let p: PeerStats = decode(
            Ok(json!({"connected": 3, "table": 9, "blocksTopic": 2, "banned": 0, "known": 12})),
            "opp2p_peerStats",
        )
        .expect("decodes");
        assert_eq!((p.connected, p.blocks_topic), (3, 2));
    }
}

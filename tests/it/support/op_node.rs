//! **OP-NODE STAND-IN** (tests only): a JSON-RPC server that answers the three read-only methods
//! `opctl status` asks op-node, with the response shapes of op-node's own Go types, bound at a
//! pod's IP (see [`super::podnet`]) so the real apiserver's pod proxy reaches it. It runs no
//! derivation and no p2p: the test sets the heads it reports and how fast they move.
//!
//! Shapes, taken from op-node's source (ethereum-optimism/optimism):
//! - `optimism_syncStatus` -> `eth.SyncStatus` (`op-service/eth/sync_status.go`): `current_l1`,
//!   `current_l1_finalized`, `head_l1`, `safe_l1`, `finalized_l1` are `eth.L1BlockRef`
//!   (`hash`, `number`, `parentHash`, `timestamp`); `unsafe_l2`, `safe_l2`, `finalized_l2`,
//!   `pending_safe_l2`, `queued_unsafe_l2` are `eth.L2BlockRef` (those plus `l1origin`
//!   {`hash`, `number`} and `sequenceNumber`), all in `op-service/eth/id.go`. Numbers and
//!   timestamps are JSON numbers (Go `uint64`), not hex.
//! - `opp2p_peerStats` -> `p2p.PeerStats` (`op-node/p2p/rpc_server.go`): `connected`, `table`,
//!   `blocksTopic`, `banned`, `known`.
//! - `optimism_rollupConfig` -> `rollup.Config`, which is what `rollup.json` holds: the stand-in
//!   serves the chain's own rollup.json.
//!
//! Batches (a JSON array of calls) are answered like go-ethereum's RPC server does; an unknown
//! method gets `-32601`.
//!
//! Nothing more is served because op-node serves nothing more that `opctl status` could use: no
//! RPC tells its `--syncmode` or the state of its engine connection (`op-node/node/api.go`:
//! `optimism_*` and `admin_*`; `op-node/p2p/rpc_api.go`: `opp2p_*`). `opctl status` reports the
//! sync mode it rendered and infers the engine from the heads (docs/status.md).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

/// What the stand-in reports. Every L2 head advances at `blocks_per_minute` from the moment the
/// state is set (0: the node is stuck).
#[derive(Debug, Clone)]
pub struct SyncState {
    pub unsafe_l2: u64,
    pub safe_l2: u64,
    pub finalized_l2: u64,
    pub blocks_per_minute: u64,
    /// How old the unsafe head is when the state is set (its L2 timestamp is that far in the
    /// past); other heads' timestamps follow from the block time.
    pub head_age: Duration,
    /// `current_l1`: the L1 block derivation is at.
    pub current_l1: u64,
    /// `head_l1`: the L1 head the node sees.
    pub head_l1: u64,
    /// `opp2p_peerStats.connected`.
    pub peers: u32,
}

impl SyncState {
    /// A healthy node at `unsafe_l2`, following a 2 s chain live: safe 60 blocks behind,
    /// finalized 600 behind, L1 origin 3 blocks behind L1 head, 5 peers.
    pub fn live(unsafe_l2: u64) -> SyncState {
        SyncState {
            unsafe_l2,
            safe_l2: unsafe_l2.saturating_sub(60),
            finalized_l2: unsafe_l2.saturating_sub(600),
            blocks_per_minute: 30,
            head_age: Duration::ZERO,
            current_l1: 5_000,
            head_l1: 5_003,
            peers: 5,
        }
    }
}

struct Shared {
    state: SyncState,
    set_at: SystemTime,
    block_time: u64,
    rollup_config: Value,
}

/// A running op-node stand-in; stops when dropped.
pub struct OpNodeStandIn {
    shared: Arc<Mutex<Shared>>,
    server: super::ServerThread,
}

impl OpNodeStandIn {
    /// Binds `ip:port` (a pod's IP and op-node's RPC port) and serves `state`, with
    /// `rollup_config` (the chain's rollup.json) as `optimism_rollupConfig`. Runs on its own
    /// thread, so it answers while the test blocks on an opctl child process.
    pub fn start(ip: Ipv4Addr, port: u16, rollup_config: Value, state: SyncState) -> Self {
        let block_time = rollup_config
            .get("block_time")
            .and_then(Value::as_u64)
            .unwrap_or(2)
            .max(1);
        let shared = Arc::new(Mutex::new(Shared {
            state,
            set_at: SystemTime::now(),
            block_time,
            rollup_config,
        }));
        let app = Router::new()
            .fallback(post(answer))
            .with_state(shared.clone());
        OpNodeStandIn {
            shared,
            server: super::serve_on_thread("op-node-stand-in", (ip, port), app),
        }
    }

    /// Replaces what the stand-in reports; heads advance from now.
    pub fn set(&self, state: SyncState) {
        let mut shared = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        shared.state = state;
        shared.set_at = SystemTime::now();
    }

    pub fn address(&self) -> SocketAddr {
        self.server.address
    }
}

async fn answer(State(shared): State<Arc<Mutex<Shared>>>, body: Bytes) -> String {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return json!({"jsonrpc": "2.0", "id": null,
                "error": {"code": -32700, "message": format!("parse error: {e}")}})
            .to_string()
        }
    };
    let shared = shared.lock().unwrap_or_else(|e| e.into_inner());
    match request {
        Value::Array(calls) => {
            Value::Array(calls.iter().map(|c| one(&shared, c)).collect()).to_string()
        }
        call => one(&shared, &call).to_string(),
    }
}

fn one(shared: &Shared, call: &Value) -> Value {
    let id = call.get("id").cloned().unwrap_or(Value::Null);
    let result = match call.get("method").and_then(Value::as_str) {
        Some("optimism_syncStatus") => sync_status(shared),
        Some("opp2p_peerStats") => json!({
            "connected": shared.state.peers,
            "table": shared.state.peers * 4,
            "blocksTopic": shared.state.peers,
            "banned": 0,
            "known": shared.state.peers * 8,
        }),
        Some("optimism_rollupConfig") => shared.rollup_config.clone(),
        other => {
            return json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601,
                "message": format!("the method {} does not exist/is not available", other.unwrap_or(""))}})
        }
    };
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A deterministic stand-in hash for block `n` of chain `tag`.
fn hash(tag: u8, n: u64) -> String {
    format!("0x{tag:02x}{:062x}", n)
}

fn sync_status(shared: &Shared) -> Value {
    let s = &shared.state;
    let elapsed = SystemTime::now()
        .duration_since(shared.set_at)
        .unwrap_or_default();
    let advance = (elapsed.as_secs_f64() * s.blocks_per_minute as f64 / 60.0) as u64;
    // L2 time of the state's unsafe head when it was set.
    let anchor_time = unix(shared.set_at).saturating_sub(s.head_age.as_secs());
    let l2_time = |n: u64| {
        (anchor_time + n * shared.block_time).saturating_sub(s.unsafe_l2 * shared.block_time)
    };
    let l1 = |n: u64| {
        json!({
            "hash": hash(1, n), "number": n, "parentHash": hash(1, n.saturating_sub(1)),
            "timestamp": 1_700_000_000 + n * 12,
        })
    };
    let l2 = |n: u64| {
        // Origin: derivation's L1 block, or older for older heads (one epoch per 6 blocks).
        let origin = s
            .current_l1
            .saturating_sub((s.unsafe_l2 + advance).saturating_sub(n) / 6);
        json!({
            "hash": hash(2, n), "number": n, "parentHash": hash(2, n.saturating_sub(1)),
            "timestamp": l2_time(n),
            "l1origin": { "hash": hash(1, origin), "number": origin },
            "sequenceNumber": n % 6,
        })
    };
    let safe = s.safe_l2 + advance;
    json!({
        "current_l1": l1(s.current_l1),
        "current_l1_finalized": l1(s.current_l1.saturating_sub(64)),
        "head_l1": l1(s.head_l1),
        "safe_l1": l1(s.head_l1.saturating_sub(32)),
        "finalized_l1": l1(s.head_l1.saturating_sub(64)),
        "unsafe_l2": l2(s.unsafe_l2 + advance),
        "safe_l2": l2(safe),
        "finalized_l2": l2(s.finalized_l2 + advance),
        "pending_safe_l2": l2(safe),
        "queued_unsafe_l2": l2(0),
    })
}

//! **BEACON-NODE STAND-IN** (tests only): an HTTP server answering the four beacon-API routes
//! the `blob-retention` preflight check reads, with the JSON shapes of the beacon-APIs spec
//! (ethereum/beacon-APIs, `beacon-node-oapi.yaml`): no consensus, no p2p, no real blobs beyond
//! their size. It stands in for a beacon node because none can run here (a beacon node needs an
//! execution client and a beacon chain to follow).
//!
//! - `GET /eth/v1/beacon/genesis` (`getGenesis`): `{"data": {"genesis_time", "genesis_validators_root",
//!   "genesis_fork_version"}}`, numbers as decimal strings.
//! - `GET /eth/v1/config/spec` (`getSpec`): `{"data": {"SECONDS_PER_SLOT": "12", ...}}`.
//! - `GET /eth/v1/beacon/headers/head` (`getBlockHeader`): `{"execution_optimistic", "finalized",
//!   "data": {"root", "canonical", "header": {"message": {"slot", "proposer_index",
//!   "parent_root", "state_root", "body_root"}, "signature"}}}`.
//! - `GET /eth/v1/beacon/blobs/{block_id}` (`getBlobs`, added for Fulu; what op-node reads,
//!   `op-service/sources/l1_beacon_client.go`): `{"execution_optimistic", "finalized", "data":
//!   [blob hex, ...]}`. Slots at or after the retention boundary hold one blob of the real size
//!   (131072 bytes); older slots answer what Lighthouse answers for pruned blobs since
//!   sigp/lighthouse#6331: HTTP 404 with the API's error body `{"code": 404, "message": ...}`.
//!   Slots after the head are 404 too (no such block).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::serve_on_thread;

/// What the stand-in reports.
#[derive(Debug, Clone, Copy)]
pub struct BeaconState {
    pub genesis_time: u64,
    pub seconds_per_slot: u64,
    pub head_slot: u64,
    /// The oldest slot whose blobs are still kept (0: every slot since genesis).
    pub oldest_blob_slot: u64,
}

/// A running beacon stand-in; stops when dropped.
pub struct BeaconStandIn {
    state: Arc<Mutex<BeaconState>>,
    server: super::ServerThread,
}

impl BeaconStandIn {
    /// Serves `state` on a free loopback port, on its own thread.
    pub fn start(state: BeaconState) -> Self {
        let state = Arc::new(Mutex::new(state));
        let app = Router::new()
            .route("/eth/v1/beacon/genesis", get(genesis))
            .route("/eth/v1/config/spec", get(spec))
            .route("/eth/v1/beacon/headers/head", get(head))
            .route("/eth/v1/beacon/blobs/{block_id}", get(blobs))
            .with_state(state.clone());
        let server = serve_on_thread("beacon-stand-in", (Ipv4Addr::LOCALHOST, 0), app);
        BeaconStandIn { state, server }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address())
    }

    pub fn address(&self) -> SocketAddr {
        self.server.address
    }

    /// Changes the retention boundary (as pruning moves it).
    pub fn set_oldest_blob_slot(&self, slot: u64) {
        self.state.lock().expect("lock").oldest_blob_slot = slot;
    }
}

type Shared = State<Arc<Mutex<BeaconState>>>;

/// A JSON body with its status, as a beacon node sends it.
fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn now(s: &Shared) -> BeaconState {
    *s.lock().expect("lock")
}

fn root(byte: u8) -> String {
    format!("0x{}", hex::encode([byte; 32]))
}

async fn genesis(s: Shared) -> Response {
    json_response(
        StatusCode::OK,
        json!({"data": {
            "genesis_time": now(&s).genesis_time.to_string(),
            "genesis_validators_root": root(0x4b),
            "genesis_fork_version": "0x00000000",
        }}),
    )
}

async fn spec(s: Shared) -> Response {
    json_response(
        StatusCode::OK,
        json!({"data": {
            "CONFIG_NAME": "stand-in",
            "SECONDS_PER_SLOT": now(&s).seconds_per_slot.to_string(),
            "SLOTS_PER_EPOCH": "32",
            "MIN_EPOCHS_FOR_BLOB_SIDECARS_REQUESTS": "4096",
        }}),
    )
}

async fn head(s: Shared) -> Response {
    json_response(
        StatusCode::OK,
        json!({
            "execution_optimistic": false,
            "finalized": false,
            "data": {
                "root": root(0x11),
                "canonical": true,
                "header": {
                    "message": {
                        "slot": now(&s).head_slot.to_string(),
                        "proposer_index": "7",
                        "parent_root": root(0x12),
                        "state_root": root(0x13),
                        "body_root": root(0x14),
                    },
                    "signature": format!("0x{}", "00".repeat(96)),
                },
            },
        }),
    )
}

fn not_found(message: &str) -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({"code": 404, "message": message}),
    )
}

async fn blobs(s: Shared, Path(block_id): Path<String>) -> Response {
    let st = now(&s);
    let slot = match block_id.as_str() {
        "head" => st.head_slot,
        id => match id.parse::<u64>() {
            Ok(n) => n,
            Err(_) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    json!({"code": 400, "message": format!("Invalid block ID: {id}")}),
                )
            }
        },
    };
    if slot > st.head_slot {
        return not_found("NOT_FOUND: beacon block");
    }
    if slot < st.oldest_blob_slot {
        return not_found("NOT_FOUND: blobs not found (pruned)");
    }
    let blob = format!("0x{}", "00".repeat(131_072));
    json_response(
        StatusCode::OK,
        json!({"execution_optimistic": false, "finalized": false, "data": [blob]}),
    )
}

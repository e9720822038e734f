//! **L1 PROVIDER STAND-IN** (tests only): a JSON-RPC proxy in front of the harness's real anvil
//! that refuses some methods the way a node or provider without them does — JSON-RPC 2.0 error
//! `-32601` with go-ethereum's wording "the method X does not exist/is not available" — and
//! forwards every other call to anvil unchanged. It stands in for an L1 endpoint that lacks a
//! method, since anvil itself offers every method the OP Stack roles call. Batches (a JSON array)
//! are answered element by element, in order, as the JSON-RPC 2.0 spec allows.

use std::net::Ipv4Addr;
use std::sync::Arc;

use alloy::transports::http::reqwest;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use super::{serve_on_thread, ServerThread};

struct Shared {
    target: String,
    refused: Vec<String>,
    http: reqwest::Client,
}

/// A running proxy; stops when dropped.
pub struct RpcFilter {
    server: ServerThread,
}

impl RpcFilter {
    /// Proxies to `target` (anvil's URL), refusing `refused`.
    pub fn start(target: &str, refused: &[&str]) -> Self {
        let shared = Arc::new(Shared {
            target: target.to_string(),
            refused: refused.iter().map(|m| m.to_string()).collect(),
            http: reqwest::Client::new(),
        });
        let app = Router::new().fallback(post(answer)).with_state(shared);
        RpcFilter {
            server: serve_on_thread("rpc-filter", (Ipv4Addr::LOCALHOST, 0), app),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.server.address)
    }
}

async fn answer(State(shared): State<Arc<Shared>>, body: Bytes) -> String {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return json!({"jsonrpc": "2.0", "id": null,
                "error": {"code": -32700, "message": format!("parse error: {e}")}})
            .to_string()
        }
    };
    match request {
        Value::Array(calls) => {
            let mut out = Vec::with_capacity(calls.len());
            for c in &calls {
                out.push(one(&shared, c).await);
            }
            Value::Array(out).to_string()
        }
        call => one(&shared, &call).await.to_string(),
    }
}

async fn one(shared: &Shared, call: &Value) -> Value {
    let id = call.get("id").cloned().unwrap_or(Value::Null);
    let method = call.get("method").and_then(Value::as_str).unwrap_or("");
    if shared.refused.iter().any(|m| m == method) {
        return json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601,
            "message": format!("the method {method} does not exist/is not available")}});
    }
    let failed =
        |e: String| json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32603, "message": e}});
    let forwarded = shared
        .http
        .post(&shared.target)
        .header("content-type", "application/json")
        .body(call.to_string())
        .send()
        .await;
    match forwarded {
        Ok(resp) => match resp.text().await {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| failed(e.to_string())),
            Err(e) => failed(e.to_string()),
        },
        Err(e) => failed(e.to_string()),
    }
}

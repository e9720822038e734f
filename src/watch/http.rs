//! `/healthz`, `/readyz` and `/metrics`: an axum router served by hyper over HTTP/1.1, one request
//! per connection, bounded request heads. Nothing else is served.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use super::metrics::{Context, Probe, CONTENT_TYPE};

/// Largest request head read.
const MAX_HEAD: usize = 8 * 1024;
/// A client that sends no complete request head for this long is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long requests in flight may finish after `stop`.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

const TEXT: &str = "text/plain; charset=utf-8";

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, TEXT)], body.into()).into_response()
}

fn probe(p: Probe) -> Response {
    let status = if p.ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    text(status, p.body)
}

async fn healthz(State(ctx): State<Arc<Context>>) -> Response {
    probe(ctx.healthz())
}

async fn readyz(State(ctx): State<Arc<Context>>) -> Response {
    probe(ctx.readyz())
}

async fn metrics(State(ctx): State<Arc<Context>>) -> Response {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], ctx.render()).into_response()
}

async fn method_not_allowed() -> Response {
    text(
        StatusCode::METHOD_NOT_ALLOWED,
        "only GET and HEAD are served\n",
    )
}

async fn not_found(method: Method) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed().await;
    }
    text(
        StatusCode::NOT_FOUND,
        "not found: try /healthz, /readyz or /metrics\n",
    )
}

/// The routes (`GET` and `HEAD`; any query string is ignored).
pub fn router(ctx: Arc<Context>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/livez", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .with_state(ctx)
}

/// Serve until `stop` fires, then give requests in flight [`SHUTDOWN_GRACE`] to finish.
pub async fn serve(
    listener: TcpListener,
    ctx: Arc<Context>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let service = TowerToHyperService::new(router(ctx));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(READ_TIMEOUT)
        .max_header_size(MAX_HEAD)
        .keep_alive(false);
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let conn = http.serve_connection(TokioIo::new(stream), service.clone());
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        if let Err(e) = conn.await {
                            tracing::debug!(error = %e, "metrics server: connection failed");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics server: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = stop.changed() => break,
        }
    }
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use axum::body::Body;
    use axum::http::Request;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tower::ServiceExt;

    use super::*;
    use crate::watch::metrics::SERIES;

    async fn call(ctx: &Arc<Context>, method: Method, uri: &str) -> (u16, String, String) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .expect("request");
        let response = router(ctx.clone())
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        (
            status,
            content_type,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    #[tokio::test]
    async fn the_three_paths_answer_and_everything_else_is_refused() {
        let ctx = Arc::new(Context::new("devnet", "me"));
        let (status, _, body) = call(&ctx, Method::GET, "/healthz").await;
        assert_eq!((status, body.as_str()), (200, "ok\n"));
        let (status, _, body) = call(&ctx, Method::GET, "/readyz").await;
        assert_eq!(status, 503, "a standby reads the lease first: {body}");
        ctx.set_lease(Ok(Some("other".into())));
        assert_eq!(call(&ctx, Method::GET, "/readyz").await.0, 200);
        let (status, content_type, body) = call(&ctx, Method::GET, "/metrics?x=1").await;
        assert_eq!(status, 200);
        assert!(content_type.contains("version=0.0.4"), "{content_type}");
        assert!(body.contains("opctl_watch_passes_total"));
        assert_eq!(call(&ctx, Method::GET, "/secrets").await.0, 404);
        let (status, _, body) = call(&ctx, Method::POST, "/metrics").await;
        assert_eq!(
            (status, body.as_str()),
            (405, "only GET and HEAD are served\n")
        );
        assert_eq!(call(&ctx, Method::DELETE, "/secrets").await.0, 405);
        let (status, _, body) = call(&ctx, Method::HEAD, "/healthz").await;
        assert_eq!((status, body.as_str()), (200, ""));
    }

    #[tokio::test]
    async fn metrics_parse_as_prometheus_text_with_every_documented_family_and_type() {
        let ctx = Arc::new(Context::new("devnet", "pod-1"));
        ctx.pass_succeeded(
            Duration::from_millis(300),
            &BTreeMap::from([("create".to_string(), 3)]),
            1,
            2,
        );
        ctx.pass_failed(Duration::from_secs(2), "forbidden", "no");
        ctx.discovery(false);
        ctx.l1_changed(1);
        ctx.set_checks_failed(BTreeSet::from(["batcher-key".to_string()]));
        ctx.set_rollouts_unfinished(BTreeSet::from(["StatefulSet/devnet-replica-0".to_string()]));
        ctx.trigger("resync");
        ctx.set_nodes(&crate::status::report::example());
        ctx.set_caught_up("devnet-replica-0", true);
        ctx.set_operators(&crate::status::operators::example());
        let (_, _, body) = call(&ctx, Method::GET, "/metrics").await;
        let scrape = prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_string())))
            .expect("Prometheus text");
        for (name, kind, help) in SERIES {
            assert_eq!(
                scrape.docs.get(name).map(String::as_str),
                Some(help),
                "{name}:\n{body}"
            );
            let samples: Vec<_> = scrape.samples.iter().filter(|s| s.metric == name).collect();
            assert!(!samples.is_empty(), "{name} has no sample:\n{body}");
            for s in samples {
                let parsed = match s.value {
                    prometheus_parse::Value::Counter(_) => "counter",
                    prometheus_parse::Value::Gauge(_) => "gauge",
                    prometheus_parse::Value::Histogram(_) => "histogram",
                    _ => "other",
                };
                assert_eq!(parsed, kind, "{name}:\n{body}");
                assert_eq!(s.labels.get("chain"), Some("devnet"), "{name}");
            }
        }
        let leader = scrape
            .samples
            .iter()
            .find(|s| s.metric == "opctl_watch_leader")
            .expect("leader");
        assert_eq!(leader.labels.get("identity"), Some("pod-1"));
    }

    #[tokio::test]
    async fn a_real_connection_gets_a_complete_response_and_is_closed() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let ctx = Arc::new(Context::new("devnet", "me"));
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let server = tokio::spawn(serve(listener, ctx, stop_rx));
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut answer))
            .await
            .expect("the server closes the connection")
            .expect("read");
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\nok\n"), "{answer}");
        let _ = stop_tx.send(true);
        server.await.expect("server stops");
    }

    #[tokio::test]
    async fn an_oversized_request_head_is_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let server = tokio::spawn(serve(
            listener,
            Arc::new(Context::new("devnet", "me")),
            stop_rx,
        ));
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let head = format!(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n",
            "a".repeat(MAX_HEAD)
        );
        let _ = s.write_all(head.as_bytes()).await;
        let mut answer = String::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut answer)).await;
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
            "{answer}"
        );
        let _ = stop_tx.send(true);
        server.await.expect("server stops");
    }
}

//! `/healthz`, `/readyz` and `/metrics` over a minimal HTTP/1.1 server on tokio: three GET paths,
//! one request per connection, bounded reads. Nothing else is served.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::metrics::Context;

/// Largest request head read.
const MAX_HEAD: usize = 8 * 1024;
/// A client that sends nothing for this long is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// One response: status, content type, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

fn text(status: u16, body: impl Into<String>) -> Response {
    Response {
        status,
        content_type: "text/plain; charset=utf-8",
        body: body.into(),
    }
}

/// Route a request line (`GET /metrics HTTP/1.1`). Pure but for reading the context.
pub fn route(request_line: &str, ctx: &Context) -> (Response, bool) {
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return (text(405, "only GET and HEAD are served\n"), false);
    }
    let path = target.split('?').next().unwrap_or("");
    let response = match path {
        "/healthz" | "/livez" => {
            let p = ctx.healthz();
            text(if p.ok { 200 } else { 503 }, p.body)
        }
        "/readyz" => {
            let p = ctx.readyz();
            text(if p.ok { 200 } else { 503 }, p.body)
        }
        "/metrics" => Response {
            status: 200,
            content_type: "text/plain; version=0.0.4; charset=utf-8",
            body: ctx.render(),
        },
        _ => text(404, "not found: try /healthz, /readyz or /metrics\n"),
    };
    (response, head_only)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    }
}

async fn handle(mut stream: TcpStream, ctx: Arc<Context>) {
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    let read = tokio::time::timeout(READ_TIMEOUT, async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && !buf.windows(2).any(|w| w == b"\n\n") {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            if buf.len() > MAX_HEAD {
                return false;
            }
        }
        true
    })
    .await;
    let (response, head_only) = match read {
        Ok(true) => {
            let head = String::from_utf8_lossy(&buf);
            let line = head.lines().next().unwrap_or("");
            route(line, &ctx)
        }
        Ok(false) if buf.len() > MAX_HEAD => (text(400, "request too large\n"), false),
        _ => return,
    };
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    if !head_only {
        let _ = stream.write_all(response.body.as_bytes()).await;
    }
    let _ = stream.shutdown().await;
}

/// Serve until `stop` fires.
pub async fn serve(
    listener: TcpListener,
    ctx: Arc<Context>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(handle(stream, ctx.clone()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics server: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_paths_answer_and_everything_else_is_refused() {
        let ctx = Context::new("devnet", "me");
        let (r, _) = route("GET /healthz HTTP/1.1", &ctx);
        assert_eq!((r.status, r.body.as_str()), (200, "ok\n"));
        let (r, _) = route("GET /readyz HTTP/1.1", &ctx);
        assert_eq!(r.status, 503, "a standby reads the lease first: {r:?}");
        ctx.set_lease(Ok(Some("other".into())));
        assert_eq!(route("GET /readyz HTTP/1.1", &ctx).0.status, 200);
        let (r, _) = route("GET /metrics?x=1 HTTP/1.1", &ctx);
        assert_eq!(r.status, 200);
        assert!(r.content_type.contains("version=0.0.4"));
        assert!(r.body.contains("opctl_watch_passes_total"));
        assert_eq!(route("GET /secrets HTTP/1.1", &ctx).0.status, 404);
        assert_eq!(route("POST /metrics HTTP/1.1", &ctx).0.status, 405);
        assert!(route("HEAD /healthz HTTP/1.1", &ctx).1);
    }

    #[tokio::test]
    async fn a_real_connection_gets_a_complete_response() {
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
        s.read_to_string(&mut answer).await.expect("read");
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\nok\n"), "{answer}");
        let _ = stop_tx.send(true);
        server.await.expect("server stops");
    }
}

//! The one op-node read discovery may make: `optimism_rollupConfig`, for the batch inbox of a chain
//! whose SystemConfig (4.x) no longer names it. Read-only, one HTTP request, bounded by a timeout,
//! no retries; the URL is redacted in every message.

use std::time::Duration;

use alloy::primitives::Address;
use alloy::rpc::client::RpcClient;
use alloy::transports::http::{reqwest, Http};
use serde_json::{json, Value};

use super::reads::short;
use super::redact::Redactor;

/// `batch_inbox_address` of op-node's `optimism_rollupConfig` at `url`, within `timeout`.
/// The error is a complete sentence naming the (redacted) URL.
pub async fn batch_inbox_from_op_node(url: &str, timeout: Duration) -> Result<Address, String> {
    let redactor = Redactor::new(url);
    let shown = redactor.url().to_owned();
    let fail = |what: String| format!("op-node RPC {shown} (--rollup-rpc): {what}");
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| fail(format!("not a URL ({})", redactor.scrub(&e.to_string()))))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(fail(format!(
            "scheme {:?} is not http or https",
            parsed.scheme()
        )));
    }
    crate::install_crypto_provider();
    let http = reqwest::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .build()
        .map_err(|e| fail(redactor.scrub(&short(&e.to_string()))))?;
    let client = RpcClient::new(Http::with_client(http, parsed), false);
    let call = client.request::<_, Value>("optimism_rollupConfig", json!([]));
    let config = match tokio::time::timeout(timeout, call).await {
        Err(_) => {
            return Err(fail(format!(
                "no answer to optimism_rollupConfig within {}s",
                timeout.as_secs_f64()
            )))
        }
        Ok(Err(e)) => {
            return Err(fail(format!(
                "optimism_rollupConfig failed: {}; is this the chain's op-node RPC?",
                redactor.scrub(&short(&e.to_string()))
            )))
        }
        Ok(Ok(config)) => config,
    };
    parse_batch_inbox(&config).map_err(fail)
}

fn parse_batch_inbox(config: &Value) -> Result<Address, String> {
    let text = config
        .get("batch_inbox_address")
        .and_then(Value::as_str)
        .ok_or("optimism_rollupConfig has no batch_inbox_address")?;
    text.parse().map_err(|_| {
        format!(
            "optimism_rollupConfig batch_inbox_address {:?} is not an address",
            short(text)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_inbox_is_read_from_a_rollup_config_answer() {
        let config = json!({"batch_inbox_address": "0xff00000000000000000000000000000000000901"});
        assert_eq!(
            parse_batch_inbox(&config),
            Ok(alloy::primitives::address!(
                "ff00000000000000000000000000000000000901"
            ))
        );
        assert!(parse_batch_inbox(&json!({})).is_err());
        assert!(parse_batch_inbox(&json!({"batch_inbox_address": "nope"})).is_err());
    }

    #[tokio::test]
    async fn an_unusable_url_is_an_error_that_never_shows_its_secrets() {
        let err = batch_inbox_from_op_node("ws://u:hunter22@host/", Duration::from_secs(1))
            .await
            .expect_err("ws is not http");
        assert!(err.contains("--rollup-rpc"), "{err}");
        assert!(!err.contains("hunter22"), "{err}");
    }
}

//! The L1 beacon API, read-only and only what the `blob-retention` preflight check needs: the
//! chain's clock (`/eth/v1/beacon/genesis`, `/eth/v1/config/spec`), its head
//! (`/eth/v1/beacon/headers/head`) and the blobs of a slot (`/eth/v1/beacon/blobs/{slot}`, the
//! endpoint op-node reads since Fulu). Every request has a timeout; URLs and error texts are
//! redacted before they leave this module.

use std::time::Duration;

use alloy::transports::http::reqwest;
use serde::Deserialize;

use super::redact::Redactor;
use crate::model::preflight::{BeaconClock, SlotsAnswer};

/// One beacon API endpoint. Its `Debug` output shows the redacted URL only.
pub struct Beacon {
    base: reqwest::Url,
    http: reqwest::Client,
    redactor: Redactor,
}

impl std::fmt::Debug for Beacon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Beacon")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

/// Beacon-API numbers are decimal strings (`"12"`), per the beacon-APIs spec's `Uint64`.
fn uint(s: &str) -> Result<u64, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("`{}` is not a number", super::reads::short(s)))
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct Genesis {
    genesis_time: String,
}

#[derive(Deserialize)]
struct Spec {
    #[serde(rename = "SECONDS_PER_SLOT")]
    seconds_per_slot: String,
}

#[derive(Deserialize)]
struct HeaderEnvelope {
    header: SignedHeader,
}

#[derive(Deserialize)]
struct SignedHeader {
    message: HeaderMessage,
}

#[derive(Deserialize)]
struct HeaderMessage {
    slot: String,
}

/// What one slot's blob request answered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SlotBlobs {
    Some,
    Empty,
    NotFound,
    Failed(String),
}

impl Beacon {
    /// A client for `url` (http or https); `Err` says why the URL cannot be used (redacted).
    pub fn new(url: &str, timeout: Duration) -> Result<Self, String> {
        let redactor = Redactor::new(url);
        let base = reqwest::Url::parse(url.trim())
            .map_err(|e| format!("{}: {}", redactor.url(), redactor.scrub(&e.to_string())))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(format!("{}: not an http(s) URL", redactor.url()));
        }
        crate::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .build()
            .map_err(|e| redactor.scrub(&e.to_string()))?;
        Ok(Beacon {
            base,
            http,
            redactor,
        })
    }

    /// The URL with credentials redacted.
    pub fn url(&self) -> &str {
        self.redactor.url()
    }

    /// `route` under the base URL's path, keeping its query (API keys often live there).
    fn endpoint(&self, route: &str) -> reqwest::Url {
        let mut u = self.base.clone();
        let path = format!("{}/{route}", u.path().trim_end_matches('/'));
        u.set_path(&path);
        u
    }

    /// GET `route`: the status and body, or a redacted transport error.
    async fn get(&self, route: &str) -> Result<(u16, String), String> {
        let resp = self
            .http
            .get(self.endpoint(route))
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| self.redactor.scrub(&transport_text(&e)))?;
        let status = resp.status().as_u16();
        let body = resp
            .text()
            .await
            .map_err(|e| self.redactor.scrub(&transport_text(&e)))?;
        Ok((status, body))
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, route: &str) -> Result<T, String> {
        let (status, body) = self
            .get(route)
            .await
            .map_err(|e| format!("GET /{route}: {e}"))?;
        if status != 200 {
            return Err(format!(
                "GET /{route} answered HTTP {status}: {}",
                self.redactor.scrub(&super::reads::short(&body))
            ));
        }
        serde_json::from_str::<Data<T>>(&body)
            .map(|d| d.data)
            .map_err(|e| format!("GET /{route}: not the beacon-API shape ({e})"))
    }

    /// Genesis time, seconds per slot and the head slot.
    pub async fn clock(&self) -> Result<BeaconClock, String> {
        let g: Genesis = self.get_json("eth/v1/beacon/genesis").await?;
        let s: Spec = self.get_json("eth/v1/config/spec").await?;
        let h: HeaderEnvelope = self.get_json("eth/v1/beacon/headers/head").await?;
        let seconds_per_slot = uint(&s.seconds_per_slot)?;
        if seconds_per_slot == 0 {
            return Err("the spec says SECONDS_PER_SLOT is 0".into());
        }
        Ok(BeaconClock {
            genesis_time: uint(&g.genesis_time)?,
            seconds_per_slot,
            head_slot: uint(&h.header.message.slot)?,
        })
    }

    async fn slot(&self, slot: u64) -> SlotBlobs {
        let route = format!("eth/v1/beacon/blobs/{slot}");
        match self.get(&route).await {
            Err(e) => SlotBlobs::Failed(e),
            Ok((404, _)) => SlotBlobs::NotFound,
            Ok((200, body)) => match serde_json::from_str::<Data<Vec<serde_json::Value>>>(&body) {
                Ok(d) if d.data.is_empty() => SlotBlobs::Empty,
                Ok(_) => SlotBlobs::Some,
                Err(e) => {
                    SlotBlobs::Failed(format!("GET /{route}: not the beacon-API shape ({e})"))
                }
            },
            Ok((status, body)) => SlotBlobs::Failed(format!(
                "GET /{route} answered HTTP {status}: {}",
                self.redactor.scrub(&super::reads::short(&body))
            )),
        }
    }

    /// The blobs of `slots`, in order, until one slot serves some (a slot may be missed (404)
    /// or carry no blobs, so one slot alone does not tell) or a request fails.
    pub async fn blobs(&self, slots: impl IntoIterator<Item = u64>) -> SlotsAnswer {
        let mut seen = Vec::new();
        for s in slots {
            match self.slot(s).await {
                SlotBlobs::Some => return SlotsAnswer::Served,
                // A node that errs or times out on one slot will on the next: stop asking.
                SlotBlobs::Failed(e) => return SlotsAnswer::Failed(e),
                a => seen.push(a),
            }
        }
        if seen.contains(&SlotBlobs::Empty) {
            SlotsAnswer::Empty
        } else {
            SlotsAnswer::NotFound
        }
    }
}

/// A reqwest error with its sources (connection refused, timeout), without the URL.
fn transport_text(e: &reqwest::Error) -> String {
    let mut out = if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        "request failed".to_string()
    };
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_go_under_the_base_path_and_keep_its_query() {
        let b = Beacon::new(
            "https://beacon.example/v1/key123456789012345678901234?token=abc",
            Duration::from_secs(1),
        )
        .unwrap();
        let u = b.endpoint("eth/v1/beacon/blobs/7");
        assert_eq!(
            u.as_str(),
            "https://beacon.example/v1/key123456789012345678901234/eth/v1/beacon/blobs/7?token=abc"
        );
        assert!(!b.url().contains("abc") && !b.url().contains("key1234"));
        assert!(!format!("{b:?}").contains("abc"));
    }
}

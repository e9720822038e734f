//! The L1 JSON-RPC client discovery reads through: alloy's RPC client over HTTP, one HTTP request
//! per step (a Multicall3 `aggregate3`, or a JSON-RPC batch when the chain has no Multicall3),
//! every read pinned to one block number, per-request timeouts and capped exponential backoff.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::time::Duration;

use alloy::primitives::{Address, Bytes, B256, U256, U64};
use alloy::rpc::client::RpcClient;
use alloy::rpc::json_rpc::ErrorPayload;
use alloy::sol_types::SolCall;
use alloy::transports::http::reqwest;
use alloy::transports::http::Http;
use alloy::transports::{TransportError, TransportErrorKind};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::abi::IMulticall3;
use super::error::RpcError;
use super::reads::{
    aggregate3_calldata, decode_aggregate3, short, Outcome, Read, ReadSet, Results, MULTICALL3,
};
use super::redact::Redactor;
use crate::model::discovery::BlockRef;

/// `from` of direct `eth_call`s: neither the zero address nor any proxy admin, so calls through
/// an OP `Proxy` reach the implementation (the proxy answers its own admin functions itself
/// when called from its admin or from address 0).
const READ_AS: Address = alloy::primitives::address!("000000000000000000000000000000000000dEaD");

/// How reads are grouped into HTTP requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadMode {
    /// Multicall3 `aggregate3` when the chain has it, else a JSON-RPC batch. The default.
    #[default]
    Auto,
    /// Always a JSON-RPC batch per step (for endpoints that misbehave with large `eth_call`s).
    JsonRpcBatch,
    /// One HTTP request per read: the naive baseline, and a last resort for endpoints that reject
    /// batches.
    Sequential,
}

/// Capped exponential backoff between retries of one HTTP request: the settings; the delays come
/// from the same `backon` backoff the watch loop and kube-runtime use (no jitter here: an L1
/// request's retries are few and `Retry-After` sets the floor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Delay before the first retry.
    pub initial: Duration,
    /// Upper bound of any delay.
    pub max: Duration,
    /// Attempts in total, including the first (1 = no retries).
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(4),
            max_attempts: 3,
        }
    }
}

impl Backoff {
    /// No retries.
    pub const fn none() -> Self {
        Backoff {
            initial: Duration::ZERO,
            max: Duration::ZERO,
            max_attempts: 1,
        }
    }

    /// The delays before each retry: `initial`, doubling, at most `max`; `max_attempts - 1` of
    /// them.
    pub fn delays(&self) -> backon::ExponentialBackoff {
        use backon::BackoffBuilder;
        backon::ExponentialBuilder::default()
            .with_min_delay(self.initial)
            .with_max_delay(self.max)
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .build()
    }
}

/// Options of an [`L1Rpc`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpcOptions {
    /// Timeout of one HTTP request (one attempt).
    pub timeout: Duration,
    /// Retries of transient failures (connection errors, timeouts, HTTP 429/5xx, rate limits).
    pub backoff: Backoff,
    /// How reads are grouped.
    pub mode: ReadMode,
    /// Largest JSON-RPC batch sent at once (providers cap batch sizes).
    pub max_batch_size: usize,
}

impl Default for RpcOptions {
    fn default() -> Self {
        RpcOptions {
            timeout: Duration::from_secs(10),
            backoff: Backoff::default(),
            mode: ReadMode::Auto,
            max_batch_size: 100,
        }
    }
}

const MC_UNKNOWN: u8 = 0;
const MC_PRESENT: u8 = 1;
const MC_ABSENT: u8 = 2;

/// An L1 JSON-RPC endpoint. Cheap to keep around; counts the HTTP requests it sends. Its
/// `Debug` output shows the redacted URL only.
pub struct L1Rpc {
    client: RpcClient,
    redactor: Redactor,
    options: RpcOptions,
    requests: AtomicU64,
    multicall: AtomicU8,
}

impl std::fmt::Debug for L1Rpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L1Rpc")
            .field("url", &self.url())
            .field("options", &self.options)
            .field("http_requests", &self.http_requests())
            .finish_non_exhaustive()
    }
}

/// One JSON-RPC request inside an HTTP request.
struct Item {
    method: &'static str,
    params: Value,
}

/// Per-item answer: the raw result, or the JSON-RPC error object.
type ItemResult = Result<Box<RawValue>, ErrorPayload>;

/// A failed attempt, before it becomes an [`RpcError`].
enum Failure {
    Timeout,
    Unreachable {
        detail: String,
        retry: bool,
    },
    Http {
        status: u16,
        body: String,
        retry_after: Option<Duration>,
    },
    Garbage(String),
    Transient(ErrorPayload),
}

impl Failure {
    fn retryable(&self) -> bool {
        match self {
            Failure::Timeout | Failure::Transient(_) => true,
            Failure::Unreachable { retry, .. } => *retry,
            Failure::Http { status, .. } => *status == 429 || *status >= 500,
            Failure::Garbage(_) => false,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HeaderFields {
    number: U64,
    hash: B256,
    parent_hash: B256,
}

impl L1Rpc {
    /// A client for `url` (http or https). Installs the process-wide rustls provider if none is
    /// installed yet.
    pub fn new(url: &str, options: RpcOptions) -> Result<Self, RpcError> {
        let redactor = Redactor::new(url);
        let parsed = reqwest::Url::parse(url.trim()).map_err(|e| RpcError::InvalidUrl {
            url: redactor.url().to_owned(),
            reason: redactor.scrub(&e.to_string()),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(RpcError::InvalidUrl {
                url: redactor.url().to_owned(),
                reason: format!("scheme {:?} is not http or https", parsed.scheme()),
            });
        }
        crate::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(options.timeout)
            .timeout(options.timeout)
            .build()
            .map_err(|e| RpcError::InvalidUrl {
                url: redactor.url().to_owned(),
                reason: redactor.scrub(&error_chain(&e)),
            })?;
        let is_local = parsed
            .host_str()
            .is_some_and(|h| h == "localhost" || h == "127.0.0.1" || h == "::1");
        let client = RpcClient::new(Http::with_client(http, parsed), is_local);
        Ok(L1Rpc {
            client,
            redactor,
            options,
            requests: AtomicU64::new(0),
            multicall: AtomicU8::new(MC_UNKNOWN),
        })
    }

    /// The endpoint's URL with credentials and path tokens redacted.
    pub fn url(&self) -> &str {
        self.redactor.url()
    }

    /// The options this client was built with.
    pub fn options(&self) -> &RpcOptions {
        &self.options
    }

    /// HTTP requests sent so far, retries included.
    pub fn http_requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Whether Multicall3 was found (`None` until a read found out).
    pub fn has_multicall3(&self) -> Option<bool> {
        match self.multicall.load(Ordering::Relaxed) {
            MC_PRESENT => Some(true),
            MC_ABSENT => Some(false),
            _ => None,
        }
    }

    /// `eth_chainId`.
    pub async fn chain_id(&self) -> Result<u64, RpcError> {
        let mut answers = self
            .exchange("eth_chainId", vec![item("eth_chainId", json!([]))])
            .await?;
        let raw = self.expect_result(answers.remove(0), "eth_chainId")?;
        Ok(self.parse::<U64>(&raw, "eth_chainId")?.to::<u64>())
    }

    /// Reads `set` pinned to block `block`, as one step.
    pub(crate) async fn read(
        &self,
        set: &ReadSet,
        block: u64,
        step: &str,
    ) -> Result<Results, RpcError> {
        let tag = format!("{block:#x}");
        let outcomes = match self.effective_mode() {
            ReadMode::Sequential => self.read_sequential(set, &tag).await?,
            ReadMode::JsonRpcBatch => self.read_batched(set, &tag, step).await?,
            ReadMode::Auto => match self.read_multicall(set, &tag, step).await? {
                Some(outcomes) => outcomes,
                None => {
                    self.multicall.store(MC_ABSENT, Ordering::Relaxed);
                    self.read_batched(set, &tag, step).await?
                }
            },
        };
        Ok(self.results(set, outcomes, block))
    }

    /// The first step: `eth_chainId`, the latest header, and `set` (calls only). With Multicall3
    /// all three go out in one request and `set` is read at `latest` inside an `aggregate3` that
    /// also returns `block.number` and `blockhash(number - 1)`; the reads count as pinned to the
    /// header's block only when both match the header, otherwise `set` is read again at the
    /// header's number. Without Multicall3, `set` is read at the header's number in a second
    /// request.
    pub(crate) async fn read_head(
        &self,
        set: &ReadSet,
        step: &str,
    ) -> Result<(u64, BlockRef, Results), RpcError> {
        let mode = self.effective_mode();
        let header_item = || item("eth_getBlockByNumber", json!(["latest", false]));
        if mode == ReadMode::Sequential {
            let chain_id = self.chain_id().await?;
            let mut answers = self
                .exchange("eth_getBlockByNumber(latest)", vec![header_item()])
                .await?;
            let (block, _parent) = self.parse_header(answers.remove(0))?;
            let results = self.read(set, block.number, step).await?;
            return Ok((chain_id, block, results));
        }
        let mut items = vec![item("eth_chainId", json!([])), header_item()];
        // Speculative pinned read: only in Auto mode and only for plain calls.
        let speculative = mode == ReadMode::Auto
            && set
                .entries
                .iter()
                .all(|(r, _)| matches!(r, Read::Call { .. }));
        let mut calls = Vec::new();
        if speculative {
            calls.push((
                MULTICALL3,
                Bytes::from(IMulticall3::getBlockNumberCall {}.abi_encode()),
            ));
            calls.push((
                MULTICALL3,
                Bytes::from(IMulticall3::getLastBlockHashCall {}.abi_encode()),
            ));
            calls.extend(set.entries.iter().filter_map(|(r, l)| match r {
                Read::Call { data } => Some((l.address, data.clone())),
                _ => None,
            }));
            items.push(item(
                "eth_call",
                json!([{ "to": MULTICALL3, "data": aggregate3_calldata(&calls) }, "latest"]),
            ));
        }
        let what = format!(
            "eth_chainId + latest header + step '{step}' ({} reads)",
            set.len()
        );
        let mut answers = self.exchange(&what, items).await?.into_iter();
        let chain_answer = answers
            .next()
            .ok_or_else(|| self.garbage(&what, "missing eth_chainId answer"))?;
        let chain_raw = self.expect_result(chain_answer, "eth_chainId")?;
        let chain_id = self.parse::<U64>(&chain_raw, "eth_chainId")?.to::<u64>();
        let header_answer = answers
            .next()
            .ok_or_else(|| self.garbage(&what, "missing header answer"))?;
        let (block, parent) = self.parse_header(header_answer)?;
        let mut pinned_outcomes = None;
        // An error answer to the speculative call is not fatal: the step is read again, pinned.
        if let Some(Ok(raw)) = answers.next() {
            let aggregate = "eth_call Multicall3.aggregate3 at latest";
            let data = self.parse::<Bytes>(&raw, aggregate)?;
            if data.is_empty() {
                self.multicall.store(MC_ABSENT, Ordering::Relaxed);
            } else {
                self.multicall.store(MC_PRESENT, Ordering::Relaxed);
                let mut outcomes =
                    decode_aggregate3(&data, calls.len()).map_err(|d| self.garbage(&what, &d))?;
                let rest = outcomes.split_off(2.min(outcomes.len()));
                let number_matches = matches!(outcomes.first(), Some(Outcome::Data(d))
                    if IMulticall3::getBlockNumberCall::abi_decode_returns(d).is_ok_and(|n| n == U256::from(block.number)));
                let parent_matches = matches!(outcomes.get(1), Some(Outcome::Data(d))
                    if IMulticall3::getLastBlockHashCall::abi_decode_returns(d).is_ok_and(|h| h == parent));
                if number_matches && parent_matches {
                    pinned_outcomes = Some(rest);
                } else {
                    tracing::debug!(
                        block = block.number,
                        "speculative read was not at the header's block; reading again pinned"
                    );
                }
            }
        }
        let results = match pinned_outcomes {
            Some(outcomes) => self.results(set, outcomes, block.number),
            None => self.read(set, block.number, step).await?,
        };
        Ok((chain_id, block, results))
    }

    fn effective_mode(&self) -> ReadMode {
        match (self.options.mode, self.multicall.load(Ordering::Relaxed)) {
            (ReadMode::Auto, MC_ABSENT) => ReadMode::JsonRpcBatch,
            (mode, _) => mode,
        }
    }

    fn results(&self, set: &ReadSet, outcomes: Vec<Outcome>, block: u64) -> Results {
        Results {
            outcomes,
            labels: set.entries.iter().map(|(_, l)| l.clone()).collect(),
            block,
        }
    }

    /// Calls in one `aggregate3`, storage/code reads as further items of the same HTTP request.
    /// `None` when Multicall3 has no code at that block.
    async fn read_multicall(
        &self,
        set: &ReadSet,
        tag: &str,
        step: &str,
    ) -> Result<Option<Vec<Outcome>>, RpcError> {
        let calls: Vec<(Address, Bytes)> = set
            .entries
            .iter()
            .filter_map(|(r, l)| match r {
                Read::Call { data } => Some((l.address, data.clone())),
                _ => None,
            })
            .collect();
        let mut items = Vec::new();
        if !calls.is_empty() {
            items.push(item(
                "eth_call",
                json!([{ "to": MULTICALL3, "data": aggregate3_calldata(&calls) }, tag]),
            ));
        }
        for (read, label) in &set.entries {
            match read {
                Read::Call { .. } => {}
                other => items.push(raw_item(other, label.address, tag)),
            }
        }
        let what = format!(
            "step '{step}' ({} reads at block {tag}) via Multicall3.aggregate3",
            set.len()
        );
        let mut answers = self.exchange(&what, items).await?.into_iter();
        let mut call_outcomes = Vec::new().into_iter();
        if !calls.is_empty() {
            let answer = answers
                .next()
                .ok_or_else(|| self.garbage(&what, "missing aggregate3 answer"))?;
            let raw = match answer {
                Ok(raw) => raw,
                Err(payload) => {
                    // Some endpoints reject large eth_calls (gas caps, payload limits): read
                    // this step as a JSON-RPC batch instead; real node errors resurface there.
                    tracing::debug!(
                        code = payload.code,
                        "Multicall3.aggregate3 rejected; using a JSON-RPC batch"
                    );
                    return Ok(None);
                }
            };
            let data = self.parse::<Bytes>(&raw, &what)?;
            if data.is_empty() {
                return Ok(None);
            }
            self.multicall.store(MC_PRESENT, Ordering::Relaxed);
            call_outcomes = decode_aggregate3(&data, calls.len())
                .map_err(|d| self.garbage(&what, &d))?
                .into_iter();
        }
        let mut outcomes = Vec::with_capacity(set.len());
        for (read, label) in &set.entries {
            match read {
                Read::Call { .. } => outcomes.push(
                    call_outcomes
                        .next()
                        .ok_or_else(|| self.garbage(&what, "too few aggregate3 results"))?,
                ),
                other => {
                    let answer = answers
                        .next()
                        .ok_or_else(|| self.garbage(&what, "missing answer"))?;
                    outcomes.push(self.raw_outcome(
                        other,
                        answer,
                        &format!("{}.{}", label.contract, label.getter),
                    )?);
                }
            }
        }
        Ok(Some(outcomes))
    }

    /// Every read as one item of a JSON-RPC batch (chunked at `max_batch_size`).
    async fn read_batched(
        &self,
        set: &ReadSet,
        tag: &str,
        step: &str,
    ) -> Result<Vec<Outcome>, RpcError> {
        let mut outcomes = Vec::with_capacity(set.len());
        let chunk = self.options.max_batch_size.max(1);
        for entries in set.entries.chunks(chunk) {
            let items = entries
                .iter()
                .map(|(r, l)| raw_item(r, l.address, tag))
                .collect();
            let what = format!(
                "step '{step}' ({} reads at block {tag}) as a JSON-RPC batch",
                entries.len()
            );
            let answers = self.exchange(&what, items).await?;
            for ((read, label), answer) in entries.iter().zip(answers) {
                outcomes.push(self.raw_outcome(
                    read,
                    answer,
                    &format!("{}.{}", label.contract, label.getter),
                )?);
            }
        }
        Ok(outcomes)
    }

    /// One HTTP request per read.
    async fn read_sequential(&self, set: &ReadSet, tag: &str) -> Result<Vec<Outcome>, RpcError> {
        let mut outcomes = Vec::with_capacity(set.len());
        for (read, label) in &set.entries {
            let what = format!(
                "{} {}.{} at block {tag}",
                method_of(read),
                label.contract,
                label.getter
            );
            let mut answers = self
                .exchange(&what, vec![raw_item(read, label.address, tag)])
                .await?;
            outcomes.push(self.raw_outcome(read, answers.remove(0), &what)?);
        }
        Ok(outcomes)
    }

    fn raw_outcome(
        &self,
        read: &Read,
        answer: ItemResult,
        what: &str,
    ) -> Result<Outcome, RpcError> {
        match (read, answer) {
            (Read::Call { .. }, Err(payload)) if is_revert(&payload) => {
                let data = payload
                    .data
                    .as_ref()
                    .and_then(|d| serde_json::from_str::<Bytes>(d.get()).ok())
                    .unwrap_or_default();
                Ok(Outcome::Reverted(data))
            }
            (_, Err(payload)) => Err(self.json_rpc_error(what, &payload)),
            (Read::Call { .. }, Ok(raw)) => {
                Ok(Outcome::from_call_data(self.parse::<Bytes>(&raw, what)?))
            }
            (Read::Code, Ok(raw)) => Ok(Outcome::from_call_data(self.parse::<Bytes>(&raw, what)?)),
            (Read::Storage { .. }, Ok(raw)) => {
                let value = self.parse::<U256>(&raw, what)?;
                Ok(Outcome::Data(Bytes::copy_from_slice(
                    B256::from(value).as_slice(),
                )))
            }
        }
    }

    fn parse_header(&self, answer: ItemResult) -> Result<(BlockRef, B256), RpcError> {
        let what = "eth_getBlockByNumber(latest)";
        let raw = self.expect_result(answer, what)?;
        let fields: HeaderFields = self.parse(&raw, what)?;
        Ok((
            BlockRef {
                number: fields.number.to::<u64>(),
                hash: fields.hash,
            },
            fields.parent_hash,
        ))
    }

    fn expect_result(&self, answer: ItemResult, what: &str) -> Result<Box<RawValue>, RpcError> {
        answer.map_err(|payload| self.json_rpc_error(what, &payload))
    }

    fn parse<T: serde::de::DeserializeOwned>(
        &self,
        raw: &RawValue,
        what: &str,
    ) -> Result<T, RpcError> {
        serde_json::from_str(raw.get()).map_err(|e| {
            self.garbage(
                what,
                &format!(
                    "result {} is not the expected type: {}",
                    excerpt(raw.get()),
                    short(&e.to_string())
                ),
            )
        })
    }

    fn garbage(&self, what: &str, detail: &str) -> RpcError {
        RpcError::Garbage {
            url: self.url().to_owned(),
            what: what.to_owned(),
            detail: self.redactor.scrub(detail),
        }
    }

    fn json_rpc_error(&self, what: &str, payload: &ErrorPayload) -> RpcError {
        RpcError::JsonRpc {
            url: self.url().to_owned(),
            what: what.to_owned(),
            code: payload.code,
            message: self.redactor.scrub(&short(&payload.message)),
        }
    }

    /// Sends `items` as one HTTP request (a single call, or a batch), retrying transient
    /// failures with backoff.
    async fn exchange(&self, what: &str, items: Vec<Item>) -> Result<Vec<ItemResult>, RpcError> {
        let backoff = self.options.backoff;
        let mut delays = backoff.delays();
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let failure =
                match tokio::time::timeout(self.options.timeout, self.send_once(&items)).await {
                    Err(_elapsed) => Failure::Timeout,
                    Ok(Ok(answers)) => match answers
                        .iter()
                        .find_map(|a| a.as_ref().err().filter(|p| is_rate_limit(p)))
                    {
                        Some(payload) => Failure::Transient(payload.clone()),
                        None => return Ok(answers),
                    },
                    Ok(Err(failure)) => failure,
                };
            if let Some(mut delay) = failure.retryable().then(|| delays.next()).flatten() {
                if let Failure::Http {
                    retry_after: Some(after),
                    ..
                } = &failure
                {
                    delay = delay.max(*after).min(backoff.max);
                }
                tracing::debug!(attempt, ?delay, what, "retrying L1 RPC request");
                tokio::time::sleep(delay).await;
                continue;
            }
            return Err(self.to_error(what, failure, attempt));
        }
    }

    fn to_error(&self, what: &str, failure: Failure, attempts: u32) -> RpcError {
        let url = self.url().to_owned();
        let what = what.to_owned();
        match failure {
            Failure::Timeout => RpcError::Timeout {
                url,
                what,
                timeout: self.options.timeout,
                attempts,
            },
            Failure::Unreachable { detail, .. } => RpcError::Unreachable {
                url,
                what,
                attempts,
                detail: self.redactor.scrub(&detail),
            },
            Failure::Http { status, body, .. } => RpcError::HttpStatus {
                url,
                what,
                status,
                attempts,
                body: if body.trim().is_empty() {
                    String::new()
                } else {
                    format!(": {}", self.redactor.scrub(&excerpt(&body)))
                },
            },
            Failure::Garbage(detail) => RpcError::Garbage {
                url,
                what,
                detail: self.redactor.scrub(&detail),
            },
            Failure::Transient(payload) => RpcError::JsonRpc {
                url,
                what: format!("{what} (still failing after {attempts} attempts)"),
                code: payload.code,
                message: self.redactor.scrub(&short(&payload.message)),
            },
        }
    }

    async fn send_once(&self, items: &[Item]) -> Result<Vec<ItemResult>, Failure> {
        if let [only] = items {
            let call = self
                .client
                .request::<_, Box<RawValue>>(only.method, only.params.clone());
            return match call.await {
                Ok(raw) => Ok(vec![Ok(raw)]),
                Err(alloy::transports::RpcError::ErrorResp(payload)) => Ok(vec![Err(payload)]),
                Err(err) => Err(classify(err)),
            };
        }
        let mut batch = self.client.new_batch();
        let mut waiters = Vec::with_capacity(items.len());
        for it in items {
            let waiter = batch
                .add_call::<_, Box<RawValue>>(it.method, &it.params)
                .map_err(|e| {
                    Failure::Garbage(format!(
                        "cannot serialise request: {}",
                        short(&e.to_string())
                    ))
                })?;
            waiters.push(waiter);
        }
        batch.send().await.map_err(classify)?;
        let mut answers = Vec::with_capacity(waiters.len());
        for waiter in waiters {
            match waiter.await {
                Ok(raw) => answers.push(Ok(raw)),
                Err(alloy::transports::RpcError::ErrorResp(payload)) => answers.push(Err(payload)),
                Err(err) => return Err(classify(err)),
            }
        }
        Ok(answers)
    }
}

fn item(method: &'static str, params: Value) -> Item {
    Item { method, params }
}

fn method_of(read: &Read) -> &'static str {
    match read {
        Read::Call { .. } => "eth_call",
        Read::Storage { .. } => "eth_getStorageAt",
        Read::Code => "eth_getCode",
    }
}

fn raw_item(read: &Read, address: Address, tag: &str) -> Item {
    match read {
        Read::Call { data } => item(
            "eth_call",
            json!([{ "from": READ_AS, "to": address, "data": data }, tag]),
        ),
        Read::Storage { slot } => item("eth_getStorageAt", json!([address, slot, tag])),
        Read::Code => item("eth_getCode", json!([address, tag])),
    }
}

/// Whether a JSON-RPC error on `eth_call` is an EVM revert rather than a node problem.
fn is_revert(payload: &ErrorPayload) -> bool {
    payload.code == 3 || payload.message.to_ascii_lowercase().contains("revert")
}

/// Whether a JSON-RPC error is transient and worth a retry: rate limits, and load-balanced
/// nodes that have not seen the pinned block yet.
fn is_rate_limit(payload: &ErrorPayload) -> bool {
    let message = payload.message.to_ascii_lowercase();
    payload.code == 429
        || payload.code == -32005
        || message.contains("rate limit")
        || message.contains("too many requests")
        || message.contains("header not found")
        || message.contains("unknown block")
}

/// Maps an alloy transport error to a [`Failure`] without keeping any of its text unscrubbed.
fn classify(err: TransportError) -> Failure {
    match err {
        alloy::transports::RpcError::DeserError { err, text } => Failure::Garbage(format!(
            "{}; body starts {}",
            short(&err.to_string()),
            excerpt(&text)
        )),
        alloy::transports::RpcError::NullResp => Failure::Garbage("null response".to_owned()),
        alloy::transports::RpcError::ErrorResp(payload) => Failure::Garbage(format!(
            "unexpected error object {}: {}",
            payload.code,
            short(&payload.message)
        )),
        alloy::transports::RpcError::Transport(kind) => match kind {
            TransportErrorKind::HttpError(http) => Failure::Http {
                status: http.status,
                body: http.body,
                retry_after: None,
            },
            TransportErrorKind::HttpErrorWithRetryAfter { error, retry_after } => Failure::Http {
                status: error.status,
                body: error.body,
                retry_after: Some(retry_after),
            },
            TransportErrorKind::MissingBatchResponse(id) => Failure::Garbage(format!(
                "the batch response has no answer for request id {id}"
            )),
            TransportErrorKind::Custom(inner) => match inner.downcast_ref::<reqwest::Error>() {
                Some(e) if e.is_timeout() => Failure::Timeout,
                Some(e) if e.is_connect() => Failure::Unreachable {
                    detail: error_chain(e),
                    retry: true,
                },
                Some(e) if e.is_decode() => Failure::Garbage(error_chain(e)),
                Some(e) => Failure::Unreachable {
                    detail: error_chain(e),
                    retry: true,
                },
                None => Failure::Unreachable {
                    detail: short(&inner.to_string()),
                    retry: true,
                },
            },
            TransportErrorKind::NonRetryable(inner) => Failure::Unreachable {
                detail: short(&inner.to_string()),
                retry: false,
            },
            other => Failure::Unreachable {
                detail: short(&other.to_string()),
                retry: false,
            },
        },
        other => Failure::Garbage(short(&other.to_string())),
    }
}

/// `err: source: source...` on one line (reqwest's own Display hides the cause).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    short(&out)
}

/// At most 80 characters of untrusted response text, quoted.
fn excerpt(text: &str) -> String {
    let one_line: String = text
        .chars()
        .take(80)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > 80 {
        format!("{one_line:?}...")
    } else {
        format!("{one_line:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(350),
            max_attempts: 5,
        };
        let ms = |d: Duration| d.as_millis();
        assert_eq!(
            b.delays().map(ms).collect::<Vec<_>>(),
            [100, 200, 350, 350],
            "max_attempts - 1 retries"
        );
        assert_eq!(Backoff::none().delays().count(), 0);
        let huge = Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(4),
            max_attempts: u32::MAX,
        };
        assert!(huge.delays().take(100).all(|d| d <= Duration::from_secs(4)));
    }

    #[test]
    fn reverts_and_rate_limits_are_told_apart_from_other_errors() {
        let p = |code: i64, message: &'static str| ErrorPayload {
            code,
            message: message.into(),
            data: None,
        };
        assert!(is_revert(&p(3, "execution reverted")));
        assert!(is_revert(&p(-32000, "execution reverted: nope")));
        assert!(!is_revert(&p(-32000, "header not found")));
        assert!(is_rate_limit(&p(429, "Too Many Requests")));
        assert!(is_rate_limit(&p(-32005, "limit exceeded")));
        assert!(is_rate_limit(&p(-32000, "header not found")));
        assert!(!is_rate_limit(&p(-32602, "invalid argument 0")));
    }

    #[test]
    fn non_http_urls_are_rejected_without_echoing_them() {
        let err = L1Rpc::new("ws://user:topsecret@host/", RpcOptions::default())
            .expect_err("ws is not http");
        let message = err.to_string();
        assert!(message.contains("not http or https"), "{message}");
        assert!(!message.contains("topsecret"), "{message}");
        let err =
            L1Rpc::new("::garbage topsecret", RpcOptions::default()).expect_err("unparseable");
        assert!(!err.to_string().contains("topsecret"), "{err}");
    }

    #[test]
    fn debug_output_never_shows_the_raw_url() {
        let rpc = L1Rpc::new(
            "https://bob:pw1234@rpc.example.org/v2/Zz9Yy8Xx7Ww6Vv5Uu4?key=abc123",
            RpcOptions::default(),
        )
        .expect("valid URL");
        let debug = format!("{rpc:?}");
        for secret in ["pw1234", "Zz9Yy8Xx7Ww6Vv5Uu4", "abc123"] {
            assert!(!debug.contains(secret), "{secret} leaked: {debug}");
        }
        assert!(debug.contains("rpc.example.org"), "{debug}");
    }

    #[test]
    fn excerpts_are_short_and_single_line() {
        let long = "x\n".repeat(100);
        let e = excerpt(&long);
        assert!(!e.contains('\n'));
        assert!(e.len() < 100);
    }
}

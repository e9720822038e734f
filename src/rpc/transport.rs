//! The L1 JSON-RPC client discovery reads through: alloy's RPC client over HTTP, every read
//! pinned to one block number, per-request timeouts and capped exponential backoff.
//!
//! A discovery is two HTTP requests: `eth_chainId`, the latest header and the storage reads at
//! `latest`; then every call in one lens `eth_call` (see `lens`) at that header's number, with
//! the storage reads again at that number. Where the node refuses the lens, or in
//! [`ReadMode::JsonRpcBatch`], the calls go out as JSON-RPC batches, one per dependency level.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::time::Duration;

use alloy::primitives::{Address, Bytes, B256, U256, U64};
use alloy::rpc::client::RpcClient;
use alloy::rpc::json_rpc::ErrorPayload;
use alloy::transports::http::reqwest;
use alloy::transports::http::Http;
use alloy::transports::{TransportError, TransportErrorKind};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::error::RpcError;
use super::lens;
use super::reads::{resolve_target, short, Outcome, Read, ReadSet, Results};
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
    /// Every call in one lens `eth_call` (two HTTP requests in all), else a JSON-RPC batch per
    /// dependency level. The default.
    #[default]
    Auto,
    /// A JSON-RPC batch per dependency level (for endpoints that misbehave with large
    /// `eth_call`s).
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

const LENS_UNKNOWN: u8 = 0;
const LENS_WORKS: u8 = 1;
const LENS_REFUSED: u8 = 2;

/// An L1 JSON-RPC endpoint. Cheap to keep around; counts the HTTP requests it sends. Its
/// `Debug` output shows the redacted URL only.
pub struct L1Rpc {
    client: RpcClient,
    redactor: Redactor,
    options: RpcOptions,
    requests: AtomicU64,
    lens: AtomicU8,
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
            lens: AtomicU8::new(LENS_UNKNOWN),
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

    /// Whether the node ran the discovery lens (`None` until a read found out; `Some(false)` when
    /// it refused it and the calls went out as JSON-RPC batches).
    pub fn lens_works(&self) -> Option<bool> {
        match self.lens.load(Ordering::Relaxed) {
            LENS_WORKS => Some(true),
            LENS_REFUSED => Some(false),
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

    /// Probes `methods` in one JSON-RPC batch of read-only calls with harmless arguments (zero
    /// hashes, the `0x…dEaD` address) and returns those the node says it does not offer
    /// ([`is_method_missing`](crate::model::preflight::is_method_missing)). Any other answer,
    /// an error about the arguments included, shows the method exists.
    pub async fn missing_methods(
        &self,
        methods: &[&'static str],
    ) -> Result<std::collections::BTreeSet<&'static str>, RpcError> {
        let items: Vec<Item> = methods.iter().map(|m| item(m, probe_params(m))).collect();
        let what = format!("a probe of {} L1 methods", methods.len());
        let answers = self.exchange(&what, items).await?;
        Ok(methods
            .iter()
            .zip(answers)
            .filter_map(|(m, a)| match a {
                Err(p) if crate::model::preflight::is_method_missing(p.code, &p.message) => {
                    Some(*m)
                }
                _ => None,
            })
            .collect())
    }

    /// `eth_getBalance` of each address at `latest`, in one JSON-RPC batch; a per-address error
    /// is its scrubbed text.
    pub async fn balances(
        &self,
        addresses: &[Address],
    ) -> Result<Vec<Result<U256, String>>, RpcError> {
        if addresses.is_empty() {
            return Ok(Vec::new());
        }
        let items = addresses
            .iter()
            .map(|a| item("eth_getBalance", json!([a, "latest"])))
            .collect();
        let answers = self.exchange("eth_getBalance", items).await?;
        Ok(answers
            .into_iter()
            .map(|a| match a {
                Ok(raw) => self
                    .parse::<U256>(&raw, "eth_getBalance")
                    .map_err(|e| e.to_string()),
                Err(p) => Err(self.json_rpc_error("eth_getBalance", &p).to_string()),
            })
            .collect())
    }

    /// Read-only JSON-RPC calls as one HTTP request (one batch), with this client's timeout,
    /// retries and redaction: one answer per call, in call order, each the raw result or the
    /// node's error for that call (redacted). `Err` when the request as a whole failed.
    pub async fn calls(
        &self,
        what: &str,
        calls: Vec<(&'static str, Value)>,
    ) -> Result<Vec<Result<Value, String>>, RpcError> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let items = calls
            .into_iter()
            .map(|(method, params)| item(method, params))
            .collect();
        let answers = self.exchange(what, items).await?;
        Ok(answers
            .into_iter()
            .map(|answer| match answer {
                Ok(raw) => {
                    serde_json::from_str(raw.get()).map_err(|e| format!("unexpected answer: {e}"))
                }
                Err(payload) => Err(format!(
                    "error {}: {}",
                    payload.code,
                    self.redactor.scrub(&short(&payload.message))
                )),
            })
            .collect())
    }

    /// Reads `set` pinned to block `block`, level by level (JSON-RPC batches, or one request per
    /// read in [`ReadMode::Sequential`]).
    pub(crate) async fn read(
        &self,
        set: &ReadSet,
        block: u64,
        step: &str,
    ) -> Result<Results, RpcError> {
        let tag = format!("{block:#x}");
        let outcomes = self.read_levels(set, &tag, step).await?;
        Ok(self.results(set, outcomes, block))
    }

    /// `eth_chainId`, the latest header, and `set` read at that header's block. In
    /// [`ReadMode::Auto`] that is two HTTP requests: chain id, header and the storage reads at
    /// `latest`; then every call in one lens `eth_call` at the header's number, with the storage
    /// reads again at that number (should a storage value that a call depends on have changed
    /// in between, the lens runs once more with the pinned value).
    pub(crate) async fn read_pinned(
        &self,
        set: &ReadSet,
        step: &str,
    ) -> Result<(u64, BlockRef, Results), RpcError> {
        let header_item = || item("eth_getBlockByNumber", json!(["latest", false]));
        let mode = self.effective_mode();
        if mode == ReadMode::Sequential {
            let chain_id = self.chain_id().await?;
            let mut answers = self
                .exchange("eth_getBlockByNumber(latest)", vec![header_item()])
                .await?;
            let block = self.parse_header(answers.remove(0))?;
            let results = self.read(set, block.number, step).await?;
            return Ok((chain_id, block, results));
        }
        let mut items = vec![item("eth_chainId", json!([])), header_item()];
        let raw_reads: Vec<usize> = if mode == ReadMode::Auto {
            set.entries
                .iter()
                .enumerate()
                .filter(|(_, (r, _))| !matches!(r, Read::Call { .. }))
                .map(|(i, _)| i)
                .collect()
        } else {
            Vec::new()
        };
        for &i in &raw_reads {
            let (read, label) = &set.entries[i];
            items.push(raw_item(read, label.address, "latest"));
        }
        let what = "eth_chainId + latest header";
        let mut answers = self.exchange(what, items).await?.into_iter();
        let chain_answer = answers
            .next()
            .ok_or_else(|| self.garbage(what, "missing eth_chainId answer"))?;
        let chain_raw = self.expect_result(chain_answer, "eth_chainId")?;
        let chain_id = self.parse::<U64>(&chain_raw, "eth_chainId")?.to::<u64>();
        let header_answer = answers
            .next()
            .ok_or_else(|| self.garbage(what, "missing header answer"))?;
        let block = self.parse_header(header_answer)?;
        let tag = format!("{:#x}", block.number);
        if mode == ReadMode::JsonRpcBatch {
            let outcomes = self.read_levels(set, &tag, step).await?;
            return Ok((chain_id, block, self.results(set, outcomes, block.number)));
        }
        let mut latest: Vec<Option<Outcome>> = vec![None; set.entries.len()];
        for &i in &raw_reads {
            let (read, label) = &set.entries[i];
            let answer = answers
                .next()
                .ok_or_else(|| self.garbage(what, "missing storage answer"))?;
            latest[i] = Some(self.raw_outcome(
                read,
                answer,
                &format!("{}.{} at latest", label.contract, label.getter),
            )?);
        }
        let outcomes = match self.read_lens(set, &tag, step, &raw_reads, &latest).await? {
            Some(outcomes) => outcomes,
            None => self.read_levels(set, &tag, step).await?,
        };
        Ok((chain_id, block, self.results(set, outcomes, block.number)))
    }

    /// Every call of `set` in one lens `eth_call` at `tag`, the reads `raw_reads` (storage, code)
    /// beside it; `latest` holds their values read before, which the calls depend on. `None` when
    /// the node refuses the lens (the caller then reads level by level).
    async fn read_lens(
        &self,
        set: &ReadSet,
        tag: &str,
        step: &str,
        raw_reads: &[usize],
        latest: &[Option<Outcome>],
    ) -> Result<Option<Vec<Outcome>>, RpcError> {
        let mut known = latest.to_vec();
        let mut with_raw_reads = true;
        // Twice at most: the second time with storage values pinned to `tag`, should they differ
        // from those read at `latest`.
        loop {
            let (data, steps) = lens::encode(set, &known).map_err(|d| self.garbage(step, &d))?;
            let mut items = vec![item(
                "eth_call",
                json!([{ "from": READ_AS, "data": data, "gas": format!("{:#x}", lens::LENS_GAS) }, tag]),
            )];
            if with_raw_reads {
                for &i in raw_reads {
                    let (read, label) = &set.entries[i];
                    items.push(raw_item(read, label.address, tag));
                }
            }
            let what = format!(
                "step '{step}' ({} reads at block {tag}) in one DiscoveryLens eth_call",
                set.len()
            );
            let mut answers = self.exchange(&what, items).await?.into_iter();
            let lens_answer = answers
                .next()
                .ok_or_else(|| self.garbage(&what, "missing eth_call answer"))?;
            let call_outcomes = match lens_answer {
                Ok(raw) => {
                    let bytes = self.parse::<Bytes>(&raw, &what)?;
                    let count = steps.iter().flatten().count();
                    match lens::decode(&bytes, count) {
                        Ok(outcomes) => outcomes,
                        Err(detail) => {
                            tracing::debug!(
                                detail,
                                "DiscoveryLens result unusable; reading level by level"
                            );
                            self.lens.store(LENS_REFUSED, Ordering::Relaxed);
                            return Ok(None);
                        }
                    }
                }
                Err(payload) => {
                    // Nodes that do not run creations in eth_call, gas caps, payload limits:
                    // read level by level instead; real node errors resurface there.
                    tracing::debug!(
                        code = payload.code,
                        message = %self.redactor.scrub(&short(&payload.message)),
                        "DiscoveryLens eth_call refused; reading level by level"
                    );
                    self.lens.store(LENS_REFUSED, Ordering::Relaxed);
                    return Ok(None);
                }
            };
            self.lens.store(LENS_WORKS, Ordering::Relaxed);
            let mut pinned_changed = false;
            if with_raw_reads {
                for &i in raw_reads {
                    let (read, label) = &set.entries[i];
                    let answer = answers
                        .next()
                        .ok_or_else(|| self.garbage(&what, "missing storage answer"))?;
                    let pinned = self.raw_outcome(
                        read,
                        answer,
                        &format!("{}.{} at block {tag}", label.contract, label.getter),
                    )?;
                    if known[i].as_ref() != Some(&pinned) {
                        pinned_changed = true;
                        known[i] = Some(pinned);
                    }
                }
            }
            if pinned_changed {
                tracing::debug!("a storage value changed between latest and the pinned block; running the lens again");
                with_raw_reads = false;
                continue;
            }
            let mut call_outcomes = call_outcomes.into_iter();
            let mut outcomes = Vec::with_capacity(set.len());
            for (i, s) in steps.iter().enumerate() {
                match s {
                    Some(_) => outcomes.push(
                        call_outcomes
                            .next()
                            .ok_or_else(|| self.garbage(&what, "too few lens results"))?,
                    ),
                    None => outcomes.push(known[i].clone().unwrap_or(Outcome::Empty)),
                }
            }
            return Ok(Some(outcomes));
        }
    }

    fn effective_mode(&self) -> ReadMode {
        match (self.options.mode, self.lens.load(Ordering::Relaxed)) {
            (ReadMode::Auto, LENS_REFUSED) => ReadMode::JsonRpcBatch,
            (mode, _) => mode,
        }
    }

    /// `Results` with each call labelled with the address it went to.
    fn results(&self, set: &ReadSet, outcomes: Vec<Outcome>, block: u64) -> Results {
        let refs: Vec<Option<&Outcome>> = outcomes.iter().map(Some).collect();
        let labels = set
            .entries
            .iter()
            .map(|(read, label)| {
                let mut label = label.clone();
                if let Read::Call { targets, .. } = read {
                    label.address = resolve_target(targets, &refs).unwrap_or(Address::ZERO);
                }
                label
            })
            .collect();
        Results {
            outcomes,
            labels,
            block,
        }
    }

    /// Reads `set` at `tag` one dependency level at a time: each level as JSON-RPC batches
    /// (chunked at `max_batch_size`), or one request per read in [`ReadMode::Sequential`].
    async fn read_levels(
        &self,
        set: &ReadSet,
        tag: &str,
        step: &str,
    ) -> Result<Vec<Outcome>, RpcError> {
        let sequential = self.options.mode == ReadMode::Sequential;
        let depths = set.depths();
        let mut outcomes: Vec<Option<Outcome>> = vec![None; set.len()];
        for depth in 0..=depths.iter().copied().max().unwrap_or(0) {
            let mut pending = Vec::new();
            for (i, (read, label)) in set.entries.iter().enumerate() {
                if depths[i] != depth {
                    continue;
                }
                let address = match read {
                    Read::Call { targets, .. } => {
                        let refs: Vec<Option<&Outcome>> =
                            outcomes.iter().map(Option::as_ref).collect();
                        match resolve_target(targets, &refs) {
                            Some(a) => a,
                            None => {
                                outcomes[i] = Some(Outcome::NotRun);
                                continue;
                            }
                        }
                    }
                    _ => label.address,
                };
                pending.push((i, raw_item(read, address, tag)));
            }
            let chunk = if sequential {
                1
            } else {
                self.options.max_batch_size.max(1)
            };
            let mut pending = pending.into_iter().peekable();
            while pending.peek().is_some() {
                let (idx, items): (Vec<usize>, Vec<Item>) = pending.by_ref().take(chunk).unzip();
                let what = match idx.as_slice() {
                    [only] => {
                        let (read, label) = &set.entries[*only];
                        format!(
                            "{} {}.{} at block {tag}",
                            method_of(read),
                            label.contract,
                            label.getter
                        )
                    }
                    _ => format!(
                        "step '{step}' ({} reads at block {tag}) as a JSON-RPC batch",
                        idx.len()
                    ),
                };
                let answers = self.exchange(&what, items).await?;
                if answers.len() != idx.len() {
                    return Err(self.garbage(&what, "the batch answer has the wrong length"));
                }
                for (i, answer) in idx.into_iter().zip(answers) {
                    let (read, label) = &set.entries[i];
                    outcomes[i] = Some(self.raw_outcome(
                        read,
                        answer,
                        &format!("{}.{}", label.contract, label.getter),
                    )?);
                }
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Outcome::NotRun))
            .collect())
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

    fn parse_header(&self, answer: ItemResult) -> Result<BlockRef, RpcError> {
        let what = "eth_getBlockByNumber(latest)";
        let raw = self.expect_result(answer, what)?;
        let fields: HeaderFields = self.parse(&raw, what)?;
        Ok(BlockRef {
            number: fields.number.to::<u64>(),
            hash: fields.hash,
        })
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

/// Read-only arguments for probing whether a node offers `method`: zero hashes (answered with
/// null), the genesis block for receipts by block (it has none, so the answer is small, and a
/// missing block would read as "unknown block", which the transport takes for a lagging node),
/// `latest`, and calls from and to `0x…dEaD` that move nothing.
fn probe_params(method: &str) -> Value {
    let zero = B256::ZERO;
    let call = json!({ "from": READ_AS, "to": READ_AS, "value": "0x0" });
    match method {
        "eth_getBlockByNumber" => json!(["latest", false]),
        "eth_getBlockByHash" => json!([zero, false]),
        "eth_getTransactionReceipt" | "erigon_getBlockReceiptsByBlockHash" => json!([zero]),
        "debug_getRawReceipts" | "parity_getBlockReceipts" | "eth_getBlockReceipts" => {
            json!(["0x0"])
        }
        "alchemy_getTransactionReceipts" => json!([{ "blockNumber": "0x0" }]),
        "eth_getTransactionCount" => json!([READ_AS, "pending"]),
        "eth_estimateGas" => json!([call]),
        "eth_call" => json!([call, "latest"]),
        "eth_feeHistory" => json!(["0x1", "latest", []]),
        _ => json!([]),
    }
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
        Read::Call { data, .. } => item(
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

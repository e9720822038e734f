//! The chain-operator roles on L1 (batcher, proposer, challenger): each signer's balance, its
//! latest L1 transaction, its pending nonce gap, and the challenger's games in progress, read from
//! the chain file's L1 RPC with read-only JSON-RPC batches. A role whose L1 reads fail is a value
//! (its `error`), never an error of the run.
//!
//! The pure part (the k-ary search for the latest transaction, decoding, the verdict line) is at
//! the top; [`read`] is the I/O. Requests per run, whatever the L1 height: 1 (head) + 1 (balances,
//! nonces, `gameCount`) + at most [`MAX_SEARCH_ROUNDS`] (the searches of all roles share each
//! round's batch) + 1 (blocks of the found transactions, `gameAtIndex`) + 1 (`status()` of the
//! games): at most 9.

use std::time::Instant;

use alloy::primitives::utils::format_ether;
use alloy::primitives::{Address, Bytes, U256};
use alloy::sol;
use alloy::sol_types::SolCall;
use serde::Serialize;
use serde_json::{json, Value};

use crate::rpc::L1Rpc;

/// Blocks searched back from the L1 head for a role's latest transaction.
pub const SEARCH_WINDOW: u64 = 1 << 20;
/// Probes per search round (one JSON-RPC batch per round for all roles).
pub const SEARCH_FANOUT: u64 = 16;
/// Rounds a search over [`SEARCH_WINDOW`] with [`SEARCH_FANOUT`] probes needs at most:
/// ceil(20 / log2(17)).
pub const MAX_SEARCH_ROUNDS: usize = 5;
/// The newest games of the DisputeGameFactory whose `status()` is read.
pub const GAMES_WINDOW: u64 = 32;

sol! {
    /// `DisputeGameFactory` (contracts-bedrock `src/dispute/DisputeGameFactory.sol`).
    interface IGameList {
        function gameCount() external view returns (uint256);
        function gameAtIndex(uint256 index) external view returns (uint32 gameType, uint64 timestamp, address proxy);
    }
    /// `IDisputeGame.status()`: `GameStatus` (contracts-bedrock `src/dispute/lib/Types.sol`),
    /// 0 IN_PROGRESS, 1 CHALLENGER_WINS, 2 DEFENDER_WINS.
    interface IGameStatus {
        function status() external view returns (uint8);
    }
}

/// An operator role of the chain file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Batcher,
    Proposer,
    Challenger,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Batcher => "batcher",
            Role::Proposer => "proposer",
            Role::Challenger => "challenger",
        }
    }

    /// The batcher and the proposer send transactions regularly; their latest one is searched.
    pub fn searches_last_tx(self) -> bool {
        matches!(self, Role::Batcher | Role::Proposer)
    }
}

/// A role to read: its signer address (when known) and where that came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleTarget {
    pub role: Role,
    pub address: Option<Address>,
    /// `lock file`, `chain file challenger.signer.address`, `key in Secret devnet-keys/batcher`,
    /// or why it is unknown.
    pub source: String,
}

// ---------------------------------------------------------------------------------------------
// The search for the latest transaction.

/// Where a search for an account's latest transaction starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchStart {
    /// Nonce 0 at the head: the account never sent a transaction.
    NeverSent,
    /// Same nonce at both ends of the window: none in it.
    NoneInWindow,
    Search(Search),
}

/// A k-ary search for the first block at which the account's nonce (`eth_getTransactionCount`
/// at that block) reaches its value at the head: the block holding its latest transaction.
/// Invariant: nonce(`lo`) < `target` = nonce(`hi`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    lo: u64,
    hi: u64,
    target: u64,
}

impl Search {
    /// Starts from the nonces at the window's ends, `lo` < `hi` (the head).
    pub fn start(lo: u64, nonce_lo: u64, hi: u64, nonce_hi: u64) -> SearchStart {
        if nonce_hi == 0 {
            SearchStart::NeverSent
        } else if nonce_lo >= nonce_hi || lo >= hi {
            SearchStart::NoneInWindow
        } else {
            SearchStart::Search(Search {
                lo,
                hi,
                target: nonce_hi,
            })
        }
    }

    /// The found block, once the interval is one block wide.
    pub fn found(&self) -> Option<u64> {
        (self.hi - self.lo <= 1).then_some(self.hi)
    }

    /// The blocks to probe this round (ascending, at most `fanout`, strictly inside the
    /// interval); empty when found.
    pub fn probes(&self, fanout: u64) -> Vec<u64> {
        let width = self.hi - self.lo;
        if width <= 1 {
            return Vec::new();
        }
        let n = fanout.max(1).min(width - 1);
        let mut out: Vec<u64> = (1..=n)
            .map(|i| self.lo + ((width as u128 * i as u128) / (n as u128 + 1)) as u64)
            .filter(|b| *b > self.lo && *b < self.hi)
            .collect();
        out.dedup();
        out
    }

    /// Narrows the interval with the nonces read at `probes` (as returned by [`Search::probes`]).
    pub fn advance(&mut self, probes: &[u64], nonces: &[u64]) {
        for (&block, &nonce) in probes.iter().zip(nonces) {
            if nonce >= self.target {
                self.hi = block;
                return;
            }
            self.lo = block;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The report.

/// A role's latest L1 transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastTx {
    /// `false`: none in the searched window (`block` etc. are then absent).
    pub found: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_s: Option<u64>,
    /// Blocks searched back from the head.
    pub window_blocks: u64,
    /// Why there is no block: `never sent a transaction`, `none in the last N blocks`, or the
    /// error of the search.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The challenger's view of the DisputeGameFactory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Games {
    pub factory: String,
    /// `gameCount()`.
    pub total: Option<u64>,
    /// The newest games whose status was read.
    pub window: u64,
    /// Of those, `status() == 0` (IN_PROGRESS).
    pub in_progress: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The state of a role, as a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleState {
    Ok,
    Low,
    Unreachable,
    UnknownAddress,
}

/// One role on L1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleStatus {
    pub role: Role,
    /// Checksummed; `null` when unknown.
    pub address: Option<String>,
    pub address_source: String,
    pub reachable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Wei, decimal.
    pub balance_wei: Option<String>,
    /// ETH, decimal.
    pub balance_eth: Option<String>,
    /// Below `[status] low_balance`.
    pub low: Option<bool>,
    /// `eth_getTransactionCount(addr, head)`.
    pub nonce: Option<u64>,
    /// `eth_getTransactionCount(addr, "pending")`.
    pub pending_nonce: Option<u64>,
    /// `pending_nonce - nonce`: transactions sent and not yet mined.
    pub nonce_gap: Option<u64>,
    /// Batcher and proposer only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_tx: Option<LastTx>,
    /// Challenger only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub games: Option<Games>,
    pub state: RoleState,
    /// `batcher 0xAbCd…1234 balance 0.05 ETH (low: below 0.1), last tx block 1234 (2m ago), nonce gap 0`.
    pub line: String,
}

/// The operators part of `opctl status`.
#[derive(Debug, Clone, Serialize)]
pub struct OperatorsReport {
    /// The L1 RPC, redacted.
    pub l1_rpc: Option<String>,
    /// L1 head the reads are pinned to.
    pub l1_head: Option<u64>,
    /// HTTP requests to the L1 RPC.
    pub requests: u64,
    pub wall_ms: u64,
    /// `[status] low_balance`, ETH.
    pub low_balance_eth: String,
    pub search_window_blocks: u64,
    pub games_window: u64,
    pub roles: Vec<RoleStatus>,
}

/// `0xAbCd…1234`.
pub fn short_address(a: &Address) -> String {
    let s = a.to_checksum(None);
    format!("{}…{}", &s[..6], &s[s.len() - 4..])
}

/// Wei as ETH without trailing zeros: `0.05`, `1`, `0`.
pub fn eth(wei: U256) -> String {
    let s = format_ether(wei);
    match s.split_once('.') {
        Some((int, frac)) => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                int.to_string()
            } else {
                format!("{int}.{frac}")
            }
        }
        None => s,
    }
}

/// `45s`, `2m`, `3h`, `2d`.
pub fn ago(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// The state and the one-line verdict of a role from what was read.
pub fn verdict(r: &RoleStatus, low_balance_eth: &str) -> (RoleState, String) {
    let who = match r.address.as_deref().and_then(|a| a.parse::<Address>().ok()) {
        Some(a) => format!("{} {}", r.role.as_str(), short_address(&a)),
        None => {
            return (
                RoleState::UnknownAddress,
                format!(
                    "{} address unknown ({}): run `opctl discover`, or set {}.signer.address",
                    r.role.as_str(),
                    r.address_source,
                    r.role.as_str()
                ),
            )
        }
    };
    if !r.reachable {
        return (
            RoleState::Unreachable,
            format!(
                "{who}: L1 RPC did not answer: {}",
                r.error.as_deref().unwrap_or("no answer")
            ),
        );
    }
    let mut parts = Vec::new();
    match (&r.balance_eth, r.low) {
        (Some(b), Some(true)) => {
            parts.push(format!("balance {b} ETH (low: below {low_balance_eth})"))
        }
        (Some(b), _) => parts.push(format!("balance {b} ETH")),
        (None, _) => parts.push("balance unknown".to_string()),
    }
    if let Some(t) = &r.last_tx {
        parts.push(match (t.block, t.age_s) {
            (Some(b), Some(age)) => format!("last tx block {b} ({} ago)", ago(age)),
            (Some(b), None) => format!("last tx block {b}"),
            _ => format!("last tx: {}", t.note.as_deref().unwrap_or("unknown")),
        });
    }
    parts.push(match r.nonce_gap {
        Some(gap) => format!("nonce gap {gap}"),
        None => "nonce gap unknown".to_string(),
    });
    if let Some(g) = &r.games {
        parts.push(match (g.in_progress, g.total) {
            (Some(p), Some(total)) => format!(
                "{p} game(s) in progress among the newest {} of {total}",
                g.window.min(total)
            ),
            _ => format!(
                "games unknown: {}",
                g.error.as_deref().unwrap_or("no answer")
            ),
        });
    }
    let state = if r.low == Some(true) {
        RoleState::Low
    } else {
        RoleState::Ok
    };
    (state, format!("{who} {}", parts.join(", ")))
}

// ---------------------------------------------------------------------------------------------
// Decoding.

/// A JSON-RPC quantity (`"0x1a"`).
pub fn quantity(v: &Value) -> Result<u64, String> {
    v.as_str()
        .and_then(|s| s.strip_prefix("0x"))
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .ok_or_else(|| format!("not a quantity: {v}"))
}

fn big(v: &Value) -> Result<U256, String> {
    v.as_str()
        .and_then(|s| s.parse::<U256>().ok())
        .ok_or_else(|| format!("not a quantity: {v}"))
}

/// `(number, timestamp)` of a block header.
pub fn header(v: &Value) -> Result<(u64, u64), String> {
    let get = |k: &str| {
        v.get(k)
            .ok_or_else(|| format!("block without {k}"))
            .and_then(quantity)
    };
    Ok((get("number")?, get("timestamp")?))
}

fn call_data(v: &Value) -> Result<Bytes, String> {
    v.as_str()
        .and_then(|s| s.parse::<Bytes>().ok())
        .ok_or_else(|| format!("not call data: {v}"))
}

fn decode_call<C: SolCall>(v: &Value, what: &str) -> Result<C::Return, String> {
    let data = call_data(v)?;
    if data.is_empty() {
        return Err(format!(
            "{what}: empty answer (no contract at that address?)"
        ));
    }
    C::abi_decode_returns(&data).map_err(|e| format!("{what}: cannot decode: {e}"))
}

fn tag(block: u64) -> String {
    format!("{block:#x}")
}

fn eth_call(to: Address, data: Vec<u8>, block: u64) -> (&'static str, Value) {
    (
        "eth_call",
        json!([{ "to": to, "data": Bytes::from(data) }, tag(block)]),
    )
}

// ---------------------------------------------------------------------------------------------
// The I/O.

struct Work {
    target: RoleTarget,
    status: RoleStatus,
    search: Option<Search>,
    found_block: Option<u64>,
}

fn blank(target: &RoleTarget) -> RoleStatus {
    RoleStatus {
        role: target.role,
        address: target.address.map(|a| a.to_checksum(None)),
        address_source: target.source.clone(),
        reachable: false,
        error: None,
        balance_wei: None,
        balance_eth: None,
        low: None,
        nonce: None,
        pending_nonce: None,
        nonce_gap: None,
        last_tx: None,
        games: None,
        state: RoleState::UnknownAddress,
        line: String::new(),
    }
}

/// Reads every role from `rpc`. `factory`: the DisputeGameFactory, for the challenger's games;
/// `low_wei`/`low_eth`: `[status] low_balance`; `now_s`: the clock, unix seconds.
pub async fn read(
    rpc: &L1Rpc,
    targets: &[RoleTarget],
    factory: Option<Address>,
    low_wei: U256,
    low_eth: &str,
    now_s: u64,
) -> OperatorsReport {
    let started = Instant::now();
    let mut work: Vec<Work> = targets
        .iter()
        .map(|t| Work {
            target: t.clone(),
            status: blank(t),
            search: None,
            found_block: None,
        })
        .collect();
    let head = read_all(rpc, &mut work, factory, low_wei, now_s).await;
    let roles = work
        .into_iter()
        .map(|mut w| {
            let (state, line) = verdict(&w.status, low_eth);
            w.status.state = state;
            w.status.line = line;
            w.status
        })
        .collect();
    OperatorsReport {
        l1_rpc: Some(rpc.url().to_string()),
        l1_head: head,
        requests: rpc.http_requests(),
        wall_ms: started.elapsed().as_millis() as u64,
        low_balance_eth: low_eth.to_string(),
        search_window_blocks: SEARCH_WINDOW,
        games_window: GAMES_WINDOW,
        roles,
    }
}

/// The report when the L1 RPC cannot even be set up (no URL, unparseable URL).
pub fn unavailable(targets: &[RoleTarget], why: &str, low_eth: &str) -> OperatorsReport {
    let roles = targets
        .iter()
        .map(|t| {
            let mut s = blank(t);
            s.error = Some(why.to_string());
            let (state, line) = verdict(&s, low_eth);
            s.state = state;
            s.line = line;
            s
        })
        .collect();
    OperatorsReport {
        l1_rpc: None,
        l1_head: None,
        requests: 0,
        wall_ms: 0,
        low_balance_eth: low_eth.to_string(),
        search_window_blocks: SEARCH_WINDOW,
        games_window: GAMES_WINDOW,
        roles,
    }
}

fn fail_all(work: &mut [Work], why: &str) {
    for w in work.iter_mut() {
        w.status.reachable = false;
        w.status.error = Some(why.to_string());
    }
}

async fn read_all(
    rpc: &L1Rpc,
    work: &mut [Work],
    factory: Option<Address>,
    low_wei: U256,
    now_s: u64,
) -> Option<u64> {
    if work.iter().all(|w| w.target.address.is_none()) {
        return None;
    }
    // 1. The head every read is pinned to.
    let head = match rpc
        .calls(
            "latest L1 block",
            vec![("eth_getBlockByNumber", json!(["latest", false]))],
        )
        .await
    {
        Ok(mut a) => a.remove(0).and_then(|v| header(&v)),
        Err(e) => Err(e.to_string()),
    };
    let (head, _) = match head {
        Ok(h) => h,
        Err(e) => {
            fail_all(work, &e);
            return None;
        }
    };
    let lo = head.saturating_sub(SEARCH_WINDOW);

    // 2. Balance, nonces at the head and pending, nonce at the window's start; gameCount.
    let mut calls = Vec::new();
    let mut slots = Vec::new();
    for (i, w) in work.iter().enumerate() {
        let Some(a) = w.target.address else { continue };
        let first = calls.len();
        calls.push(("eth_getBalance", json!([a, tag(head)])));
        calls.push(("eth_getTransactionCount", json!([a, tag(head)])));
        calls.push(("eth_getTransactionCount", json!([a, "pending"])));
        if w.target.role.searches_last_tx() {
            calls.push(("eth_getTransactionCount", json!([a, tag(lo)])));
        }
        slots.push((i, first));
    }
    let count_slot = match (
        factory,
        work.iter().any(|w| w.target.role == Role::Challenger),
    ) {
        (Some(f), true) => {
            calls.push(eth_call(f, IGameList::gameCountCall {}.abi_encode(), head));
            Some(calls.len() - 1)
        }
        _ => None,
    };
    let answers = match rpc.calls("balances and nonces", calls).await {
        Ok(a) => a,
        Err(e) => {
            fail_all(work, &e.to_string());
            return Some(head);
        }
    };
    for (i, first) in slots {
        let w = &mut work[i];
        w.status.reachable = true;
        let at = |k: usize| answers[first + k].clone();
        let mut errors = Vec::new();
        match at(0).and_then(|v| big(&v)) {
            Ok(wei) => {
                w.status.balance_wei = Some(wei.to_string());
                w.status.balance_eth = Some(eth(wei));
                w.status.low = Some(wei < low_wei);
            }
            Err(e) => errors.push(format!("eth_getBalance: {e}")),
        }
        let nonce = at(1).and_then(|v| quantity(&v));
        let pending = at(2).and_then(|v| quantity(&v));
        match (&nonce, &pending) {
            (Ok(n), Ok(p)) => {
                w.status.nonce = Some(*n);
                w.status.pending_nonce = Some(*p);
                w.status.nonce_gap = Some(p.saturating_sub(*n));
            }
            (Err(e), _) | (_, Err(e)) => errors.push(format!("eth_getTransactionCount: {e}")),
        }
        if w.target.role.searches_last_tx() {
            let mut last = LastTx {
                found: false,
                block: None,
                timestamp: None,
                age_s: None,
                window_blocks: head - lo,
                note: None,
            };
            match (nonce.clone(), at(3).and_then(|v| quantity(&v))) {
                (Ok(n_hi), Ok(n_lo)) => match Search::start(lo, n_lo, head, n_hi) {
                    SearchStart::NeverSent => {
                        last.note = Some("never sent a transaction".to_string())
                    }
                    SearchStart::NoneInWindow => {
                        last.note = Some(format!("none in the last {} blocks", head - lo))
                    }
                    SearchStart::Search(s) => w.search = Some(s),
                },
                (Err(e), _) | (_, Err(e)) => {
                    last.note = Some(format!(
                        "not searched: the L1 RPC did not tell the nonce at block {lo}: {e}"
                    ))
                }
            }
            w.status.last_tx = Some(last);
        }
        if !errors.is_empty() {
            w.status.error = Some(errors.join("; "));
        }
    }

    // 3. The searches, all roles in one batch per round.
    for _ in 0..(MAX_SEARCH_ROUNDS + 2) {
        let mut calls = Vec::new();
        let mut rounds: Vec<(usize, Vec<u64>, usize)> = Vec::new();
        for (i, w) in work.iter().enumerate() {
            let (Some(s), Some(a)) = (&w.search, w.target.address) else {
                continue;
            };
            let probes = s.probes(SEARCH_FANOUT);
            if probes.is_empty() {
                continue;
            }
            let first = calls.len();
            for b in &probes {
                calls.push(("eth_getTransactionCount", json!([a, tag(*b)])));
            }
            rounds.push((i, probes, first));
        }
        if rounds.is_empty() {
            break;
        }
        let answers = rpc.calls("latest-transaction search", calls).await;
        for (i, probes, first) in rounds {
            let w = &mut work[i];
            let nonces: Result<Vec<u64>, String> = match &answers {
                Ok(a) => a[first..first + probes.len()]
                    .iter()
                    .map(|r| r.clone().and_then(|v| quantity(&v)))
                    .collect(),
                Err(e) => Err(e.to_string()),
            };
            match nonces {
                Ok(n) => {
                    if let Some(s) = w.search.as_mut() {
                        s.advance(&probes, &n);
                    }
                }
                Err(e) => {
                    w.search = None;
                    if let Some(t) = w.status.last_tx.as_mut() {
                        t.note = Some(format!(
                            "search failed (the L1 RPC may keep no state that old): {e}"
                        ));
                    }
                }
            }
        }
    }
    for w in work.iter_mut() {
        w.found_block = w.search.as_ref().and_then(Search::found);
    }

    // 4. The found blocks' times; the newest games.
    let mut calls = Vec::new();
    let mut block_slots: Vec<(u64, usize)> = Vec::new();
    for b in work.iter().filter_map(|w| w.found_block) {
        if !block_slots.iter().any(|(x, _)| *x == b) {
            block_slots.push((b, calls.len()));
            calls.push(("eth_getBlockByNumber", json!([tag(b), false])));
        }
    }
    let mut games = match (factory, count_slot) {
        (Some(f), Some(slot)) => Some(
            match answers[slot]
                .clone()
                .and_then(|v| decode_call::<IGameList::gameCountCall>(&v, "gameCount()"))
            {
                Ok(total) => Games {
                    factory: f.to_checksum(None),
                    total: Some(total.saturating_to::<u64>()),
                    window: GAMES_WINDOW,
                    in_progress: None,
                    error: None,
                },
                Err(e) => Games {
                    factory: f.to_checksum(None),
                    total: None,
                    window: GAMES_WINDOW,
                    in_progress: None,
                    error: Some(e),
                },
            },
        ),
        _ => None,
    };
    let game_indices: Vec<u64> = match (&games, factory) {
        (Some(Games { total: Some(t), .. }), Some(_)) => {
            (t.saturating_sub(GAMES_WINDOW)..*t).collect()
        }
        _ => Vec::new(),
    };
    let games_first = calls.len();
    if let Some(f) = factory {
        for i in &game_indices {
            calls.push(eth_call(
                f,
                IGameList::gameAtIndexCall {
                    index: U256::from(*i),
                }
                .abi_encode(),
                head,
            ));
        }
    }
    let answers = if calls.is_empty() {
        Ok(Vec::new())
    } else {
        rpc.calls("transaction blocks and games", calls).await
    };
    for w in work.iter_mut() {
        let (Some(b), Some(t)) = (w.found_block, w.status.last_tx.as_mut()) else {
            continue;
        };
        t.found = true;
        t.block = Some(b);
        let slot = block_slots.iter().find(|(x, _)| *x == b).map(|(_, s)| *s);
        match (&answers, slot) {
            (Ok(a), Some(s)) => match a[s].clone().and_then(|v| header(&v)) {
                Ok((_, ts)) => {
                    t.timestamp = Some(ts);
                    t.age_s = Some(now_s.saturating_sub(ts));
                }
                Err(e) => t.note = Some(format!("block time unknown: {e}")),
            },
            (Err(e), _) => t.note = Some(format!("block time unknown: {e}")),
            _ => {}
        }
    }
    let mut proxies = Vec::new();
    if let Some(g) = games.as_mut().filter(|g| g.total.is_some()) {
        match &answers {
            Ok(a) => {
                for (k, _) in game_indices.iter().enumerate() {
                    match a[games_first + k].clone().and_then(|v| {
                        decode_call::<IGameList::gameAtIndexCall>(&v, "gameAtIndex()")
                    }) {
                        Ok(r) => proxies.push(r.proxy),
                        Err(e) => g.error = Some(e),
                    }
                }
            }
            Err(e) => g.error = Some(e.to_string()),
        }
    }

    // 5. The games' status.
    if let Some(g) = games
        .as_mut()
        .filter(|g| g.error.is_none() && g.total.is_some())
    {
        let calls = proxies
            .iter()
            .map(|p| eth_call(*p, IGameStatus::statusCall {}.abi_encode(), head))
            .collect::<Vec<_>>();
        let answers = if calls.is_empty() {
            Ok(Vec::new())
        } else {
            rpc.calls("game status", calls).await
        };
        match answers {
            Ok(a) => {
                let mut in_progress = 0;
                for r in a {
                    match r.and_then(|v| decode_call::<IGameStatus::statusCall>(&v, "status()")) {
                        Ok(0) => in_progress += 1,
                        Ok(_) => {}
                        Err(e) => g.error = Some(e),
                    }
                }
                if g.error.is_none() {
                    g.in_progress = Some(in_progress);
                }
            }
            Err(e) => g.error = Some(e.to_string()),
        }
    }
    if let Some(w) = work.iter_mut().find(|w| w.target.role == Role::Challenger) {
        if w.status.reachable {
            w.status.games = games;
        }
    }
    Some(head)
}

/// A report with a low batcher and a challenger with games in progress, for tests.
#[cfg(test)]
pub(crate) fn example() -> OperatorsReport {
    let target = |role| RoleTarget {
        role,
        address: Some(Address::repeat_byte(0xab)),
        source: "lock file".to_string(),
    };
    let batcher = RoleStatus {
        reachable: true,
        balance_wei: Some("50000000000000000".to_string()),
        balance_eth: Some("0.05".to_string()),
        low: Some(true),
        nonce: Some(7),
        pending_nonce: Some(9),
        nonce_gap: Some(2),
        last_tx: Some(LastTx {
            found: true,
            block: Some(1234),
            timestamp: Some(1000),
            age_s: Some(125),
            window_blocks: SEARCH_WINDOW,
            note: None,
        }),
        ..blank(&target(Role::Batcher))
    };
    let challenger = RoleStatus {
        reachable: true,
        balance_wei: Some("2000000000000000000".to_string()),
        balance_eth: Some("2".to_string()),
        low: Some(false),
        games: Some(Games {
            factory: "0xfactory".to_string(),
            total: Some(40),
            window: GAMES_WINDOW,
            in_progress: Some(3),
            error: None,
        }),
        ..blank(&target(Role::Challenger))
    };
    OperatorsReport {
        l1_rpc: None,
        l1_head: Some(2000),
        requests: 6,
        wall_ms: 40,
        low_balance_eth: "0.1".to_string(),
        search_window_blocks: SEARCH_WINDOW,
        games_window: GAMES_WINDOW,
        roles: [batcher, challenger]
            .into_iter()
            .map(|mut r| {
                (r.state, r.line) = verdict(&r, "0.1");
                r
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The nonce at block `b` of an account whose transactions are in `txs` (block numbers).
    fn nonce_at(txs: &[u64], b: u64) -> u64 {
        txs.iter().filter(|t| **t <= b).count() as u64
    }

    /// Runs a search to its end against `txs`; returns the block and the rounds it took.
    fn run(txs: &[u64], head: u64, window: u64) -> (Option<u64>, usize) {
        let lo = head.saturating_sub(window);
        let mut s = match Search::start(lo, nonce_at(txs, lo), head, nonce_at(txs, head)) {
            SearchStart::Search(s) => s,
            _ => return (None, 0),
        };
        let mut rounds = 0;
        while s.found().is_none() {
            let probes = s.probes(SEARCH_FANOUT);
            assert!(!probes.is_empty() && probes.len() as u64 <= SEARCH_FANOUT);
            let nonces: Vec<u64> = probes.iter().map(|b| nonce_at(txs, *b)).collect();
            s.advance(&probes, &nonces);
            rounds += 1;
            assert!(rounds <= 64, "the search does not converge");
        }
        (s.found(), rounds)
    }

    #[test]
    fn the_search_finds_the_block_of_the_latest_transaction_in_at_most_five_rounds() {
        let head = 30_000_000;
        for last in [
            head,
            head - 1,
            head - 2,
            head - 1_000,
            head - SEARCH_WINDOW + 1,
            head - 777_777,
        ] {
            let txs = [100, 5_000_000, last - 3, last];
            let (found, rounds) = run(&txs, head, SEARCH_WINDOW);
            assert_eq!(found, Some(last));
            assert!(rounds <= MAX_SEARCH_ROUNDS, "{rounds} rounds for {last}");
        }
    }

    #[test]
    fn several_transactions_in_one_block_are_found_at_that_block() {
        let txs = [10, 500, 500, 500];
        assert_eq!(run(&txs, 600, SEARCH_WINDOW).0, Some(500));
    }

    #[test]
    fn a_short_chain_is_searched_from_genesis() {
        assert_eq!(run(&[3], 40, SEARCH_WINDOW).0, Some(3));
        assert_eq!(run(&[1], 1, SEARCH_WINDOW).0, Some(1));
    }

    #[test]
    fn no_transaction_in_the_window_or_ever_is_told_apart() {
        assert_eq!(Search::start(0, 0, 100, 0), SearchStart::NeverSent);
        assert_eq!(Search::start(50, 3, 100, 3), SearchStart::NoneInWindow);
        assert_eq!(run(&[1], 5_000_000, SEARCH_WINDOW).0, None);
    }

    #[test]
    fn probes_stay_inside_the_interval_and_are_few_when_it_is_narrow() {
        let s = Search {
            lo: 10,
            hi: 13,
            target: 1,
        };
        assert_eq!(s.probes(16), vec![11, 12]);
        let s = Search {
            lo: 0,
            hi: 1 << 20,
            target: 1,
        };
        let p = s.probes(16);
        assert_eq!(p.len(), 16);
        assert!(p.windows(2).all(|w| w[0] < w[1]));
    }

    fn role(role: Role) -> RoleStatus {
        let address: Address = "0xabcdef0123456789abcdef0123456789abcdef01"
            .parse()
            .expect("address");
        RoleStatus {
            reachable: true,
            balance_wei: Some("50000000000000000".to_string()),
            balance_eth: Some("0.05".to_string()),
            low: Some(true),
            nonce: Some(7),
            pending_nonce: Some(7),
            nonce_gap: Some(0),
            last_tx: Some(LastTx {
                found: true,
                block: Some(1234),
                timestamp: Some(1000),
                age_s: Some(125),
                window_blocks: SEARCH_WINDOW,
                note: None,
            }),
            ..blank(&RoleTarget {
                role,
                address: Some(address),
                source: "lock file".to_string(),
            })
        }
    }

    #[test]
    fn a_low_balance_is_flagged_in_the_verdict_line() {
        let (state, line) = verdict(&role(Role::Batcher), "0.1");
        assert_eq!(state, RoleState::Low);
        assert_eq!(
            line,
            "batcher 0xabCD…EF01 balance 0.05 ETH (low: below 0.1), last tx block 1234 (2m ago), nonce gap 0"
        );
    }

    #[test]
    fn the_verdict_line_says_when_there_is_no_transaction_and_what_the_games_are() {
        let mut r = role(Role::Proposer);
        r.low = Some(false);
        r.last_tx = Some(LastTx {
            found: false,
            block: None,
            timestamp: None,
            age_s: None,
            window_blocks: 1000,
            note: Some("none in the last 1000 blocks".to_string()),
        });
        r.nonce_gap = Some(2);
        let (state, line) = verdict(&r, "0.1");
        assert_eq!(state, RoleState::Ok);
        assert!(
            line.ends_with("balance 0.05 ETH, last tx: none in the last 1000 blocks, nonce gap 2"),
            "{line}"
        );
        let mut c = role(Role::Challenger);
        c.last_tx = None;
        c.games = Some(Games {
            factory: "0x00".to_string(),
            total: Some(40),
            window: GAMES_WINDOW,
            in_progress: Some(3),
            error: None,
        });
        let (_, line) = verdict(&c, "0.1");
        assert!(
            line.ends_with("nonce gap 0, 3 game(s) in progress among the newest 32 of 40"),
            "{line}"
        );
    }

    #[test]
    fn an_unreachable_l1_and_an_unknown_address_are_their_own_states() {
        let mut r = role(Role::Batcher);
        r.reachable = false;
        r.error = Some("connection refused".to_string());
        let (state, line) = verdict(&r, "0.1");
        assert_eq!(state, RoleState::Unreachable);
        assert!(
            line.contains("L1 RPC did not answer: connection refused"),
            "{line}"
        );
        let unknown = blank(&RoleTarget {
            role: Role::Proposer,
            address: None,
            source: "no lock file, no signer.address".to_string(),
        });
        assert_eq!(verdict(&unknown, "0.1").0, RoleState::UnknownAddress);
    }

    #[test]
    fn amounts_and_ages_are_short() {
        assert_eq!(eth(U256::from(50_000_000_000_000_000u64)), "0.05");
        assert_eq!(eth(U256::from(1_000_000_000_000_000_000u64)), "1");
        assert_eq!(eth(U256::ZERO), "0");
        assert_eq!(ago(45), "45s");
        assert_eq!(ago(125), "2m");
    }

    #[test]
    fn game_answers_decode_from_abi_words() {
        let word = |n: u64| format!("{:064x}", n);
        let count = json!(format!("0x{}", word(40)));
        let total =
            decode_call::<IGameList::gameCountCall>(&count, "gameCount()").expect("decodes");
        assert_eq!(total, U256::from(40));
        let at = json!(format!(
            "0x{}{}{}",
            word(1),
            word(1_700_000_000),
            word(0xdead)
        ));
        let game =
            decode_call::<IGameList::gameAtIndexCall>(&at, "gameAtIndex()").expect("decodes");
        assert_eq!(game.gameType, 1);
        assert_eq!(game.proxy, Address::left_padding_from(&[0xde, 0xad]));
        assert!(
            decode_call::<IGameStatus::statusCall>(&json!("0x"), "status()")
                .expect_err("empty")
                .contains("no contract")
        );
    }
}

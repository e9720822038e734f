//! Preflight checks: what the chain's L1 endpoints must offer before its roles can run. Pure: the
//! L1 methods each role calls, the beacon slots a new replica needs, and the verdicts on what
//! the probes (in `crate::preflight`) found. Sources of every method list: `docs/preflight.md`.

use std::collections::BTreeSet;

use alloy::primitives::utils::format_ether;
use alloy::primitives::{Address, U256};

use super::checks::{names, CheckResult};
use crate::config::model::{RpcKind, SyncMode};

/// One L1 method a role needs, or a set of alternatives of which one is enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// This method.
    One(&'static str),
    /// Any of these (op-node falls back from one receipts method to the next).
    AnyOf(&'static [&'static str]),
}

impl Need {
    fn methods(&self) -> &[&'static str] {
        match self {
            Need::One(m) => std::slice::from_ref(m),
            Need::AnyOf(ms) => ms,
        }
    }

    fn met(&self, missing: &BTreeSet<&str>) -> bool {
        self.methods().iter().any(|m| !missing.contains(m))
    }
}

/// The L1 methods one component calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleNeeds {
    /// The component and role, e.g. `op-node (sequencer)`.
    pub role: &'static str,
    pub needs: Vec<Need>,
}

/// The receipts methods op-node may use for `--l1.rpckind`; it falls back through them and ends
/// at `eth_getTransactionReceipt`, which every kind includes (`op-service/sources/receipts_rpc.go`,
/// `AvailableReceiptsFetchingMethods`).
pub fn receipts_methods(kind: RpcKind) -> &'static [&'static str] {
    const TX: &str = "eth_getTransactionReceipt";
    match kind {
        RpcKind::Alchemy => &["alchemy_getTransactionReceipts", "eth_getBlockReceipts", TX],
        RpcKind::Quicknode => &["debug_getRawReceipts", "eth_getBlockReceipts", TX],
        RpcKind::Parity | RpcKind::Nethermind => &["parity_getBlockReceipts", TX],
        RpcKind::DebugGeth => &["debug_getRawReceipts", TX],
        RpcKind::Erigon => &["erigon_getBlockReceiptsByBlockHash", TX],
        RpcKind::Standard => &["eth_getBlockReceipts", TX],
        RpcKind::Any => &[
            "alchemy_getTransactionReceipts",
            "eth_getBlockReceipts",
            "debug_getRawReceipts",
            "erigon_getBlockReceiptsByBlockHash",
            "parity_getBlockReceipts",
            TX,
        ],
        RpcKind::Infura | RpcKind::Basic => &[TX],
    }
}

/// What op-service's transaction manager calls on L1 for every tx it sends (nonce, gas estimate,
/// tip, head for the base and blob base fee, receipts); `eth_sendRawTransaction` is not probed
/// since a probe must not write.
const TXMGR: [Need; 6] = [
    Need::One("eth_chainId"),
    Need::One("eth_getBlockByNumber"),
    Need::One("eth_getTransactionCount"),
    Need::One("eth_estimateGas"),
    Need::One("eth_maxPriorityFeePerGas"),
    Need::One("eth_getTransactionReceipt"),
];

/// Which roles of the chain are enabled (and so call L1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnabledRoles {
    pub sequencer: bool,
    pub replicas: bool,
    pub batcher: bool,
    pub proposer: bool,
    pub challenger: bool,
}

/// The L1 methods each enabled role needs.
pub fn role_needs(roles: EnabledRoles, kind: RpcKind) -> Vec<RoleNeeds> {
    let op_node = |role| RoleNeeds {
        role,
        needs: vec![
            Need::One("eth_chainId"),
            Need::One("eth_getBlockByNumber"),
            Need::One("eth_getBlockByHash"),
            Need::AnyOf(receipts_methods(kind)),
        ],
    };
    let with = |role, extra: &[Need]| RoleNeeds {
        role,
        needs: TXMGR.iter().chain(extra).copied().collect(),
    };
    let mut out = Vec::new();
    if roles.sequencer {
        out.push(op_node("op-node (sequencer)"));
    }
    if roles.replicas {
        out.push(op_node("op-node (replicas)"));
    }
    if roles.batcher {
        out.push(with("op-batcher", &[]));
    }
    if roles.proposer {
        // `Txmgr.BlockNumber` in op-proposer/proposer/driver.go.
        out.push(with(
            "op-proposer",
            &[Need::One("eth_call"), Need::One("eth_blockNumber")],
        ));
    }
    if roles.challenger {
        out.push(with(
            "op-challenger",
            &[Need::One("eth_call"), Need::One("eth_getBlockByHash")],
        ));
    }
    out
}

/// Every distinct method of `needs`, in first-seen order: what one probe batch asks.
pub fn methods_to_probe(needs: &[RoleNeeds]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for m in needs
        .iter()
        .flat_map(|r| r.needs.iter())
        .flat_map(|n| n.methods().iter().copied())
    {
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// Whether a JSON-RPC error says the method itself is unavailable (as opposed to a problem with
/// the probe's arguments, which proves the method exists): code -32601 (JSON-RPC 2.0 "Method
/// not found"), or providers' wording for methods they do not offer.
pub fn is_method_missing(code: i64, message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    code == -32601
        || m.contains("method not found")
        || m.contains("does not exist/is not available")
        || m.contains("not supported")
        || m.contains("unsupported method")
        || m.contains("method not allowed")
        || m.contains("is not available")
}

/// `l1-methods`: every enabled role finds the methods it calls. `missing`: methods the probe
/// found unavailable; `Err`: why the probe could not run (a skip).
pub fn check_l1_methods(
    needs: &[RoleNeeds],
    probe: Result<&BTreeSet<&str>, &str>,
    url: &str,
) -> CheckResult {
    let name = names::L1_METHODS;
    if needs.is_empty() {
        return CheckResult::skip(name, "no enabled role calls L1");
    }
    let missing = match probe {
        Ok(m) => m,
        Err(why) => return CheckResult::skip(name, format!("cannot probe the L1 RPC: {why}")),
    };
    let mut lacks = Vec::new();
    for r in needs {
        let unmet: Vec<String> = r
            .needs
            .iter()
            .filter(|n| !n.met(missing))
            .map(|n| n.methods().join(" or "))
            .collect();
        if !unmet.is_empty() {
            lacks.push(format!("{} needs {}", r.role, unmet.join(", ")));
        }
    }
    if lacks.is_empty() {
        let roles: Vec<&str> = needs.iter().map(|r| r.role).collect();
        return CheckResult::pass(
            name,
            format!(
                "L1 RPC {url} answers every method {} call{}",
                roles.join(", "),
                if roles.len() == 1 { "s" } else { "" }
            ),
        );
    }
    CheckResult::fail(
        name,
        format!(
            "L1 RPC {url} does not offer them: {}; use an L1 endpoint (or plan) that enables these methods, or set `[l1] rpc_kind` to match the provider",
            lacks.join("; ")
        ),
    )
}

/// Which replica bootstrap the chain uses, and so how far back blobs are needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobWindow {
    /// EL sync: op-node derives from the synced head's L1 origin, at most one sequencing window
    /// plus one channel timeout back from the L1 head (L1 blocks).
    Recent {
        seq_window_size: u64,
        channel_timeout: u64,
    },
    /// CL sync: op-node derives every block from L1 data since the L2 genesis; batches are in
    /// blobs from the later of the L2 genesis and Ecotone (before it, in calldata).
    SinceGenesis { blobs_since: u64 },
}

impl BlobWindow {
    /// The window for `sync_mode`. `l2_genesis_time` and `ecotone_time` come from rollup.json or
    /// the registry; `None` when CL sync needs the genesis time and it is not known.
    pub fn for_chain(
        sync_mode: SyncMode,
        seq_window_size: u64,
        channel_timeout: u64,
        l2_genesis_time: Option<u64>,
        ecotone_time: Option<u64>,
    ) -> Option<Self> {
        match sync_mode {
            SyncMode::ExecutionLayer => Some(BlobWindow::Recent {
                seq_window_size,
                channel_timeout,
            }),
            SyncMode::ConsensusLayer => l2_genesis_time.map(|g| BlobWindow::SinceGenesis {
                blobs_since: g.max(ecotone_time.unwrap_or(g)),
            }),
        }
    }
}

/// The beacon chain's clock and head, as its API reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeaconClock {
    /// `/eth/v1/beacon/genesis` `genesis_time`.
    pub genesis_time: u64,
    /// `/eth/v1/config/spec` `SECONDS_PER_SLOT`.
    pub seconds_per_slot: u64,
    /// `/eth/v1/beacon/headers/head` `header.message.slot`.
    pub head_slot: u64,
}

impl BeaconClock {
    /// The slot of a unix time (op-node's own conversion: `(t - genesis) / seconds_per_slot`).
    pub fn slot_at(&self, time: u64) -> u64 {
        time.saturating_sub(self.genesis_time) / self.seconds_per_slot.max(1)
    }

    /// The unix time a slot starts.
    pub fn time_of(&self, slot: u64) -> u64 {
        self.genesis_time
            .saturating_add(slot.saturating_mul(self.seconds_per_slot))
    }

    /// The oldest slot whose blobs a new replica needs. An L1 block per slot is the most there
    /// can be, so counting the window's L1 blocks as slots back from the head never asks for
    /// less than op-node reads.
    pub fn oldest_needed(&self, window: BlobWindow) -> u64 {
        match window {
            BlobWindow::Recent {
                seq_window_size,
                channel_timeout,
            } => self
                .head_slot
                .saturating_sub(seq_window_size.saturating_add(channel_timeout)),
            BlobWindow::SinceGenesis { blobs_since } => {
                self.slot_at(blobs_since).min(self.head_slot)
            }
        }
    }
}

/// What a beacon endpoint answered for the blobs of a run of slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotsAnswer {
    /// Some slot's blobs came back (non-empty `data`).
    Served,
    /// Every slot answered 200 with no blobs: the blocks had none, or the node answers `[]` for
    /// pruned blobs (Prysm does); cannot tell.
    Empty,
    /// Every slot answered 404 (block or blobs not found: Lighthouse answers 404 for pruned
    /// blobs).
    NotFound,
    /// The request failed (status, transport); the text is redacted.
    Failed(String),
}

/// What the blob-retention probe found at one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointBlobs {
    /// Redacted URL.
    pub url: String,
    /// The answer for the slots at and after the oldest needed one.
    pub oldest: SlotsAnswer,
}

/// Everything `blob-retention` judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobProbe {
    pub clock: BeaconClock,
    pub window: BlobWindow,
    /// The primary (`[l1] beacon_url`): its answer for recent slots.
    pub recent: SlotsAnswer,
    /// The primary first, then each fallback, for the oldest needed slots.
    pub endpoints: Vec<EndpointBlobs>,
}

/// Days and hours, for retention messages.
fn ago(secs: u64) -> String {
    let h = secs / 3600;
    if h >= 48 {
        format!("{} days", h / 24)
    } else {
        format!("{h}h")
    }
}

/// `blob-retention`: the beacon endpoint serves blobs, and it or a fallback still holds those of
/// the oldest slot a new replica derives from. `Err`: why the probe could not run (a skip).
pub fn check_blob_retention(probe: Result<&BlobProbe, &str>) -> CheckResult {
    let name = names::BLOB_RETENTION;
    let p = match probe {
        Ok(p) => p,
        Err(why) => return CheckResult::skip(name, why.to_string()),
    };
    let primary = p.endpoints.first().map_or("", |e| e.url.as_str());
    match &p.recent {
        SlotsAnswer::Failed(why) => {
            return CheckResult::fail(
                name,
                format!(
                    "beacon API {primary} does not serve blobs of recent slots (GET /eth/v1/beacon/blobs/{{slot}}: {why}); op-node fetches batches there: use a beacon node that serves the blobs API"
                ),
            )
        }
        SlotsAnswer::NotFound => {
            return CheckResult::fail(
                name,
                format!(
                    "beacon API {primary} answers 404 for the blobs of the latest slots up to {}; op-node fetches batches there: use a synced beacon node that serves the blobs API",
                    p.clock.head_slot
                ),
            )
        }
        SlotsAnswer::Served | SlotsAnswer::Empty => {}
    }
    let oldest = p.clock.oldest_needed(p.window);
    let age = p
        .clock
        .time_of(p.clock.head_slot)
        .saturating_sub(p.clock.time_of(oldest));
    let why = match p.window {
        BlobWindow::Recent {
            seq_window_size,
            channel_timeout,
        } => format!(
            "a replica that EL-syncs derives from up to {seq_window_size} (sequencing window) + {channel_timeout} (channel timeout) L1 blocks back"
        ),
        BlobWindow::SinceGenesis { .. } => {
            "replicas use `sync_mode = \"consensus-layer\"` and derive every block since the L2 genesis (blobs since Ecotone)"
                .to_string()
        }
    };
    if let Some(e) = p.endpoints.iter().find(|e| e.oldest == SlotsAnswer::Served) {
        return CheckResult::pass(
            name,
            format!(
                "{} serves the blobs of slot {oldest} ({} ago), the oldest a new replica needs: {why}",
                e.url,
                ago(age)
            ),
        );
    }
    if p.endpoints.iter().all(|e| e.oldest == SlotsAnswer::Empty) {
        return CheckResult::skip(
            name,
            format!(
                "the slots from {oldest} ({} ago) carry no blobs at {primary}, or the node answers [] for pruned blobs; cannot tell its retention",
                ago(age)
            ),
        );
    }
    let told: Vec<String> = p
        .endpoints
        .iter()
        .map(|e| match &e.oldest {
            SlotsAnswer::Failed(w) => format!("{}: {w}", e.url),
            SlotsAnswer::NotFound => format!("{}: 404", e.url),
            SlotsAnswer::Empty => format!("{}: no blobs", e.url),
            SlotsAnswer::Served => format!("{}: served", e.url),
        })
        .collect();
    CheckResult::fail(
        name,
        format!(
            "the beacon node prunes blobs older than {} (slot {oldest} is not served: {}); {why}; use EL sync (`[replicas] sync_mode = \"execution-layer\"`) or configure a blob archiver as `[l1] beacon_fallbacks`",
            ago(age),
            told.join(", ")
        ),
    )
}

/// One chain-operator signer and what its L1 balance read found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerBalance {
    /// `batcher`, `proposer` or `challenger`.
    pub role: &'static str,
    pub address: Address,
    /// Wei; `Err` with why it could not be read.
    pub balance: Result<U256, String>,
}

/// `signer-balance`: every enabled signer holds at least `threshold` wei on L1. `unknown`: roles
/// enabled whose address is not known (named in the message).
pub fn check_signer_balance(
    signers: &[SignerBalance],
    unknown: &[&str],
    threshold: U256,
    probe: Result<(), &str>,
) -> CheckResult {
    let name = names::SIGNER_BALANCE;
    if let Err(why) = probe {
        return CheckResult::skip(name, format!("cannot read balances: {why}"));
    }
    let t = format_ether(threshold);
    let mut low = Vec::new();
    let mut unread = Vec::new();
    let mut ok = Vec::new();
    for s in signers {
        match &s.balance {
            Ok(b) if *b < threshold => low.push(format!(
                "{} {} holds {} ETH, below [status] low_balance = {t} ETH",
                s.role,
                s.address,
                format_ether(*b)
            )),
            Ok(b) => ok.push(format!("{} {} ETH", s.role, format_ether(*b))),
            Err(why) => unread.push(format!("{} {}: {why}", s.role, s.address)),
        }
    }
    if !low.is_empty() {
        return CheckResult::fail(
            name,
            format!(
                "{}; fund {} on L1 (it pays for every transaction it sends), or lower [status] low_balance",
                low.join("; "),
                if low.len() == 1 { "it" } else { "them" }
            ),
        );
    }
    let mut notes = Vec::new();
    if !unread.is_empty() {
        notes.push(format!("not read: {}", unread.join(", ")));
    }
    if !unknown.is_empty() {
        notes.push(format!("address not known: {}", unknown.join(", ")));
    }
    if ok.is_empty() {
        return CheckResult::skip(
            name,
            if notes.is_empty() {
                "no enabled batcher, proposer or challenger".to_string()
            } else {
                notes.join("; ")
            },
        );
    }
    let tail = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    CheckResult::pass(
        name,
        format!("{} (at least {t} ETH each){tail}", ok.join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::checks::CheckStatus;

    fn all_roles() -> EnabledRoles {
        EnabledRoles {
            sequencer: true,
            replicas: true,
            batcher: true,
            proposer: true,
            challenger: true,
        }
    }

    #[test]
    fn a_role_missing_a_method_fails_naming_the_role_and_the_method() {
        let needs = role_needs(all_roles(), RpcKind::Standard);
        let none = BTreeSet::new();
        let r = check_l1_methods(&needs, Ok(&none), "http://l1");
        assert_eq!(r.status, CheckStatus::Pass, "{}", r.message);
        let missing: BTreeSet<&str> = ["eth_maxPriorityFeePerGas"].into();
        let r = check_l1_methods(&needs, Ok(&missing), "http://l1");
        assert_eq!(r.status, CheckStatus::Fail);
        for part in [
            "op-batcher needs eth_maxPriorityFeePerGas",
            "op-proposer needs eth_maxPriorityFeePerGas",
        ] {
            assert!(r.message.contains(part), "{part}: {}", r.message);
        }
        assert!(!r.message.contains("op-node"), "{}", r.message);
        // op-proposer reads the L1 head (`Txmgr.BlockNumber`); op-batcher does not need it.
        let missing: BTreeSet<&str> = ["eth_blockNumber"].into();
        let r = check_l1_methods(&needs, Ok(&missing), "http://l1");
        assert_eq!(r.status, CheckStatus::Fail);
        assert!(
            r.message.contains("op-proposer needs eth_blockNumber"),
            "{}",
            r.message
        );
        assert!(!r.message.contains("op-batcher"), "{}", r.message);
    }

    #[test]
    fn op_node_falls_back_through_receipts_methods_so_one_is_enough() {
        let needs = role_needs(
            EnabledRoles {
                sequencer: true,
                ..EnabledRoles::default()
            },
            RpcKind::Standard,
        );
        let one: BTreeSet<&str> = ["eth_getBlockReceipts"].into();
        assert_eq!(
            check_l1_methods(&needs, Ok(&one), "u").status,
            CheckStatus::Pass
        );
        let both: BTreeSet<&str> = ["eth_getBlockReceipts", "eth_getTransactionReceipt"].into();
        let r = check_l1_methods(&needs, Ok(&both), "u");
        assert_eq!(r.status, CheckStatus::Fail);
        assert!(
            r.message.contains(
                "op-node (sequencer) needs eth_getBlockReceipts or eth_getTransactionReceipt"
            ),
            "{}",
            r.message
        );
        assert_eq!(
            check_l1_methods(&needs, Err("unreachable"), "u").status,
            CheckStatus::Skip
        );
        assert_eq!(
            check_l1_methods(&[], Ok(&one), "u").status,
            CheckStatus::Skip
        );
    }

    #[test]
    fn the_probe_batch_asks_each_method_once() {
        let m = methods_to_probe(&role_needs(all_roles(), RpcKind::Any));
        let set: BTreeSet<_> = m.iter().collect();
        assert_eq!(set.len(), m.len());
        assert!(m.contains(&"erigon_getBlockReceiptsByBlockHash"));
        assert!(!m.contains(&"eth_sendRawTransaction"));
    }

    #[test]
    fn method_missing_is_told_from_bad_arguments() {
        assert!(is_method_missing(-32601, "whatever"));
        assert!(is_method_missing(
            -32000,
            "the method eth_foo does not exist/is not available"
        ));
        assert!(!is_method_missing(-32602, "invalid params"));
        assert!(!is_method_missing(3, "execution reverted"));
    }

    fn clock() -> BeaconClock {
        BeaconClock {
            genesis_time: 1_000,
            seconds_per_slot: 12,
            head_slot: 10_000,
        }
    }

    fn probe(oldest: Vec<SlotsAnswer>) -> BlobProbe {
        BlobProbe {
            clock: clock(),
            window: BlobWindow::Recent {
                seq_window_size: 3600,
                channel_timeout: 50,
            },
            recent: SlotsAnswer::Served,
            endpoints: oldest
                .into_iter()
                .enumerate()
                .map(|(i, a)| EndpointBlobs {
                    url: format!("http://beacon{i}"),
                    oldest: a,
                })
                .collect(),
        }
    }

    #[test]
    fn the_oldest_needed_slot_follows_the_sync_mode() {
        let c = clock();
        let el = BlobWindow::for_chain(SyncMode::ExecutionLayer, 3600, 50, None, None);
        assert_eq!(el.map(|w| c.oldest_needed(w)), Some(10_000 - 3650));
        let genesis = 1_000 + 12 * 42;
        let cl = BlobWindow::for_chain(SyncMode::ConsensusLayer, 3600, 50, Some(genesis), None);
        assert_eq!(cl.map(|w| c.oldest_needed(w)), Some(42));
        // Batches before Ecotone were calldata: blobs are needed from Ecotone on.
        let ecotone = 1_000 + 12 * 900;
        let cl = BlobWindow::for_chain(
            SyncMode::ConsensusLayer,
            3600,
            50,
            Some(genesis),
            Some(ecotone),
        );
        assert_eq!(cl.map(|w| c.oldest_needed(w)), Some(900));
        assert_eq!(
            BlobWindow::for_chain(SyncMode::ConsensusLayer, 3600, 50, None, None),
            None
        );
        assert_eq!(c.slot_at(1_000 + 12 * 42 + 11), 42);
    }

    #[test]
    fn pruned_blobs_fail_naming_el_sync_and_the_archiver_and_a_fallback_that_has_them_passes() {
        let r = check_blob_retention(Ok(&probe(vec![SlotsAnswer::NotFound])));
        assert_eq!(r.status, CheckStatus::Fail);
        for part in [
            "prunes blobs older than",
            "sync_mode = \"execution-layer\"",
            "beacon_fallbacks",
            "slot 6350",
        ] {
            assert!(r.message.contains(part), "{part}: {}", r.message);
        }
        let r = check_blob_retention(Ok(&probe(vec![SlotsAnswer::NotFound, SlotsAnswer::Served])));
        assert_eq!(r.status, CheckStatus::Pass, "{}", r.message);
        assert!(r.message.contains("http://beacon1"), "{}", r.message);
        let r = check_blob_retention(Ok(&probe(vec![SlotsAnswer::Empty])));
        assert_eq!(r.status, CheckStatus::Skip, "{}", r.message);
        let mut broken = probe(vec![SlotsAnswer::Served]);
        broken.recent = SlotsAnswer::Failed("HTTP 500".into());
        assert_eq!(check_blob_retention(Ok(&broken)).status, CheckStatus::Fail);
        assert_eq!(
            check_blob_retention(Err("no beacon URL")).status,
            CheckStatus::Skip
        );
    }

    #[test]
    fn a_low_signer_balance_fails_naming_role_address_balance_and_threshold() {
        let a = Address::repeat_byte(0xb);
        let threshold = U256::from(100_000_000_000_000_000u128);
        let low = [SignerBalance {
            role: "batcher",
            address: a,
            balance: Ok(U256::from(5u64)),
        }];
        let r = check_signer_balance(&low, &[], threshold, Ok(()));
        assert_eq!(r.status, CheckStatus::Fail);
        for part in [
            "batcher",
            &a.to_string(),
            "0.000000000000000005 ETH",
            "low_balance = 0.100000000000000000 ETH",
            "fund it",
        ] {
            assert!(r.message.contains(part), "{part}: {}", r.message);
        }
        let funded = [SignerBalance {
            balance: Ok(threshold),
            ..low[0].clone()
        }];
        let r = check_signer_balance(&funded, &["proposer"], threshold, Ok(()));
        assert_eq!(r.status, CheckStatus::Pass, "{}", r.message);
        assert!(r.message.contains("address not known: proposer"));
        assert_eq!(
            check_signer_balance(&[], &[], threshold, Ok(())).status,
            CheckStatus::Skip
        );
        assert_eq!(
            check_signer_balance(&funded, &[], threshold, Err("down")).status,
            CheckStatus::Skip
        );
    }
}

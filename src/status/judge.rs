//! What a node's readings mean: lag behind the reference (the sequencer), rate between two
//! samples, and one verdict with its reason. Pure: readings and the clock come in as values.

use serde::{Deserialize, Serialize};

/// `eth.L1BlockRef` of op-node (`op-service/eth/id.go`), the fields opctl reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct L1Ref {
    pub number: u64,
    pub timestamp: u64,
}

/// `eth.BlockID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct BlockId {
    pub number: u64,
}

/// `eth.L2BlockRef` of op-node, the fields opctl reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct L2Ref {
    pub number: u64,
    pub timestamp: u64,
    pub l1origin: BlockId,
}

/// `eth.SyncStatus` (`op-service/eth/sync_status.go`), the answer of `optimism_syncStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct SyncStatus {
    pub current_l1: L1Ref,
    pub head_l1: L1Ref,
    pub unsafe_l2: L2Ref,
    pub safe_l2: L2Ref,
    pub finalized_l2: L2Ref,
}

/// `p2p.PeerStats` (`op-node/p2p/rpc_server.go`), the answer of `opp2p_peerStats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct PeerStats {
    pub connected: u64,
    #[serde(rename = "blocksTopic")]
    pub blocks_topic: u64,
}

/// One reading of a node's op-node `optimism_syncStatus` at a moment (unix milliseconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub at_ms: u64,
    pub sync: SyncStatus,
}

/// Thresholds of the verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// A node within this many blocks of the reference's unsafe head is synced.
    pub max_lag: u64,
    /// The L2 block time (rollup.json `block_time`), seconds.
    pub block_time: u64,
}

impl Thresholds {
    /// A sequencer whose unsafe head is older than this has stopped producing blocks: 30 blocks.
    pub fn stall_after_secs(&self) -> u64 {
        30 * self.block_time.max(1)
    }
}

/// The state of a node, as a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Synced,
    Syncing,
    Stalled,
    FollowingSafeOnly,
    Unreachable,
}

impl State {
    /// Every state, in the order the docs list them.
    pub const ALL: [State; 5] = [
        State::Synced,
        State::Syncing,
        State::Stalled,
        State::FollowingSafeOnly,
        State::Unreachable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Synced => "synced",
            State::Syncing => "syncing",
            State::Stalled => "stalled",
            State::FollowingSafeOnly => "following-safe-only",
            State::Unreachable => "unreachable",
        }
    }
}

/// A node's verdict: the state, why, and for `stalled` since when, for `syncing` how fast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub state: State,
    pub reason: String,
    /// RFC 3339 time of the stalled head (only `stalled`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Unsafe-head progress between the two samples (only `syncing`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocks_per_minute: Option<f64>,
}

impl Verdict {
    fn new(state: State, reason: String) -> Verdict {
        Verdict {
            state,
            reason,
            since: None,
            blocks_per_minute: None,
        }
    }

    /// `synced`, `syncing at 600 blocks/min`, `stalled since T`, `following safe only`,
    /// `unreachable`: the head of the one-line verdict.
    pub fn headline(&self) -> String {
        match (self.state, self.blocks_per_minute, &self.since) {
            (State::Syncing, Some(rate), _) => format!("syncing at {} blocks/min", rate.round()),
            (State::Stalled, _, Some(since)) => format!("stalled since {since}"),
            (State::FollowingSafeOnly, _, _) => "following safe only".to_string(),
            (state, _, _) => state.as_str().to_string(),
        }
    }

    /// `headline: reason`.
    pub fn line(&self) -> String {
        format!("{}: {}", self.headline(), self.reason)
    }
}

/// The heads lags are measured against: the sequencer's `optimism_syncStatus`, or
/// `[status] reference_rpc` (`optimism_syncStatus` when it is an op-node, else only its
/// `eth_blockNumber` as the unsafe head).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `the sequencer`, `the reference RPC`: how reasons name it.
    pub whose: String,
    pub unsafe_l2: u64,
    pub safe_l2: Option<u64>,
    pub finalized_l2: Option<u64>,
}

impl Reference {
    pub fn from_sync(whose: &str, s: &SyncStatus) -> Reference {
        Reference {
            whose: whose.to_string(),
            unsafe_l2: s.unsafe_l2.number,
            safe_l2: Some(s.safe_l2.number),
            finalized_l2: Some(s.finalized_l2.number),
        }
    }
}

/// Lag of each L2 head behind the reference's same head (0 when ahead); `safe` and `finalized`
/// are `null` when the reference tells only its head (`eth_blockNumber`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Lag {
    #[serde(rename = "unsafe")]
    pub unsafe_l2: u64,
    #[serde(rename = "safe")]
    pub safe_l2: Option<u64>,
    #[serde(rename = "finalized")]
    pub finalized_l2: Option<u64>,
}

pub fn lag(node: &SyncStatus, reference: &Reference) -> Lag {
    Lag {
        unsafe_l2: reference.unsafe_l2.saturating_sub(node.unsafe_l2.number),
        safe_l2: reference
            .safe_l2
            .map(|r| r.saturating_sub(node.safe_l2.number)),
        finalized_l2: reference
            .finalized_l2
            .map(|r| r.saturating_sub(node.finalized_l2.number)),
    }
}

/// Unsafe-head blocks per minute between two readings; `None` without a time difference.
pub fn rate(first: &Reading, second: &Reading) -> Option<f64> {
    let ms = second.at_ms.checked_sub(first.at_ms).filter(|ms| *ms > 0)?;
    let blocks = second.sync.unsafe_l2.number as f64 - first.sync.unsafe_l2.number as f64;
    Some(blocks * 60_000.0 / ms as f64)
}

/// RFC 3339 of a unix time in seconds.
pub fn rfc3339(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|s| k8s_openapi::jiff::Timestamp::from_second(s).ok())
        .map(|t| t.to_string())
        .unwrap_or_else(|| format!("unix {unix}"))
}

/// The verdict of a node whose op-node answered.
///
/// - `first`, `second`: its two readings (`second` is `None` when only one was taken).
/// - `reference`: the sequencer's latest reading, `None` for the sequencer itself or when the
///   sequencer did not answer.
/// - `is_sequencer`: the sequencer is judged by whether it produces blocks.
/// - `now_s`: the clock, unix seconds.
pub fn judge(
    first: &Reading,
    second: Option<&Reading>,
    reference: Result<&Reference, &str>,
    is_sequencer: bool,
    now_s: u64,
    t: Thresholds,
) -> Verdict {
    let latest = second.unwrap_or(first);
    let s = &latest.sync;
    let rate = second.and_then(|b| rate(first, b));
    let moved = rate.is_some_and(|r| r > 0.0);
    let head_age = now_s.saturating_sub(s.unsafe_l2.timestamp);
    let heads = format!(
        "unsafe {}, safe {}, finalized {}",
        s.unsafe_l2.number, s.safe_l2.number, s.finalized_l2.number
    );
    let stalled = |why: String| Verdict {
        since: Some(rfc3339(s.unsafe_l2.timestamp)),
        ..Verdict::new(State::Stalled, why)
    };

    let missing = reference.err().unwrap_or("");
    let Some(reference) = reference.ok().filter(|_| !is_sequencer) else {
        // The sequencer itself, or a replica without a reachable sequencer: judged by whether
        // its unsafe head is recent or moving.
        let whose = if is_sequencer {
            "sequencer".to_string()
        } else {
            format!("no reference ({missing})")
        };
        if !moved && head_age > t.stall_after_secs() {
            return stalled(format!(
                "{whose}: unsafe head {} has not moved and is {head_age}s old ({heads})",
                s.unsafe_l2.number
            ));
        }
        if is_sequencer || head_age <= t.stall_after_secs() {
            return Verdict::new(
                State::Synced,
                format!("{whose}: unsafe head is {head_age}s old ({heads})"),
            );
        }
        return Verdict {
            blocks_per_minute: rate,
            ..Verdict::new(
                State::Syncing,
                format!("{whose}: unsafe head is {head_age}s old ({heads})"),
            )
        };
    };

    let lag = lag(s, reference);
    if lag.unsafe_l2 <= t.max_lag {
        return Verdict::new(
            State::Synced,
            format!(
                "{} block(s) behind {}'s unsafe head {} ({heads})",
                lag.unsafe_l2, reference.whose, reference.unsafe_l2
            ),
        );
    }
    if s.unsafe_l2.number == s.safe_l2.number && lag.safe_l2.is_some_and(|l| l <= t.max_lag) {
        return Verdict::new(
            State::FollowingSafeOnly,
            format!(
                "unsafe head = safe head = {}, {} blocks behind {}'s unsafe head {}: \
                 no unsafe blocks arrive by gossip; derivation from L1 keeps up \
                 (check op-node p2p: peers, the sequencer's p2p address, the unsafe block signer)",
                s.unsafe_l2.number, lag.unsafe_l2, reference.whose, reference.unsafe_l2
            ),
        );
    }
    if moved {
        let per_min = rate.unwrap_or(0.0);
        // The reference moves too; catching up takes lag / (own rate - reference rate), which
        // two samples cannot tell: report the lag and the own rate.
        return Verdict {
            blocks_per_minute: Some(per_min),
            ..Verdict::new(
                State::Syncing,
                format!(
                    "{} blocks behind {}'s unsafe head {} ({heads})",
                    lag.unsafe_l2, reference.whose, reference.unsafe_l2
                ),
            )
        };
    }
    let sampled = if second.is_some() {
        "did not move between the samples"
    } else {
        "was sampled once (no rate)"
    };
    stalled(format!(
        "unsafe head {} {sampled}, {} blocks behind {}'s unsafe head {} ({heads})",
        s.unsafe_l2.number, lag.unsafe_l2, reference.whose, reference.unsafe_l2
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;
    const T: Thresholds = Thresholds {
        max_lag: 10,
        block_time: 2,
    };

    fn l2(number: u64, timestamp: u64) -> L2Ref {
        L2Ref {
            number,
            timestamp,
            l1origin: BlockId { number: 1 },
        }
    }

    fn status(unsafe_l2: u64, safe_l2: u64, head_time: u64) -> SyncStatus {
        let l1 = L1Ref {
            number: 100,
            timestamp: NOW,
        };
        SyncStatus {
            current_l1: l1,
            head_l1: l1,
            unsafe_l2: l2(unsafe_l2, head_time),
            safe_l2: l2(safe_l2, head_time),
            finalized_l2: l2(safe_l2.saturating_sub(100), head_time),
        }
    }

    fn seq_ref(s: &SyncStatus) -> Reference {
        Reference::from_sync("the sequencer", s)
    }

    fn reading(at_s: u64, sync: SyncStatus) -> Reading {
        Reading {
            at_ms: at_s * 1000,
            sync,
        }
    }

    #[test]
    fn a_replica_within_the_allowed_lag_is_synced() {
        let seq = status(1000, 940, NOW);
        let a = reading(NOW, status(995, 940, NOW));
        let b = reading(NOW + 2, status(996, 940, NOW));
        let v = judge(&a, Some(&b), Ok(&seq_ref(&seq)), false, NOW + 2, T);
        assert_eq!(v.state, State::Synced, "{}", v.line());
        assert!(
            v.line().starts_with("synced: 4 block(s) behind"),
            "{}",
            v.line()
        );
    }

    #[test]
    fn a_moving_replica_far_behind_is_syncing_at_its_measured_rate() {
        let seq = status(100_000, 99_940, NOW);
        let a = reading(NOW, status(1_000, 900, NOW - 86_400));
        let b = reading(NOW + 2, status(1_020, 920, NOW - 86_400));
        let v = judge(&a, Some(&b), Ok(&seq_ref(&seq)), false, NOW + 2, T);
        assert_eq!(v.state, State::Syncing);
        assert_eq!(v.blocks_per_minute, Some(600.0));
        assert!(
            v.line()
                .starts_with("syncing at 600 blocks/min: 98980 blocks behind"),
            "{}",
            v.line()
        );
    }

    #[test]
    fn a_replica_that_does_not_move_is_stalled_since_its_head_time() {
        let seq = status(100_000, 99_940, NOW);
        let a = reading(NOW, status(5_000, 4_000, NOW - 3600));
        let b = reading(NOW + 2, status(5_000, 4_000, NOW - 3600));
        let v = judge(&a, Some(&b), Ok(&seq_ref(&seq)), false, NOW + 2, T);
        assert_eq!(v.state, State::Stalled);
        assert_eq!(v.since.as_deref(), Some(rfc3339(NOW - 3600).as_str()));
        assert!(v.headline().starts_with("stalled since "), "{}", v.line());
    }

    #[test]
    fn unsafe_equal_to_safe_and_keeping_up_with_the_safe_head_is_following_safe_only() {
        let seq = status(10_300, 10_000, NOW);
        let a = reading(NOW, status(10_000, 10_000, NOW - 600));
        let v = judge(&a, None, Ok(&seq_ref(&seq)), false, NOW, T);
        assert_eq!(v.state, State::FollowingSafeOnly, "{}", v.line());
        assert!(v.line().contains("no unsafe blocks arrive by gossip"));
    }

    #[test]
    fn unsafe_equal_to_safe_but_far_behind_the_safe_head_is_not_safe_only() {
        let seq = status(10_300, 10_000, NOW);
        let a = reading(NOW, status(2_000, 2_000, NOW - 6000));
        let b = reading(NOW + 2, status(2_000, 2_000, NOW - 6000));
        assert_eq!(
            judge(&a, Some(&b), Ok(&seq_ref(&seq)), false, NOW + 2, T).state,
            State::Stalled
        );
    }

    #[test]
    fn the_sequencer_is_synced_while_its_head_is_recent_and_stalled_once_it_is_old() {
        let fresh = reading(NOW, status(1000, 940, NOW - 4));
        assert_eq!(
            judge(&fresh, None, Err(""), true, NOW, T).state,
            State::Synced
        );
        let old = reading(NOW, status(1000, 940, NOW - 61));
        let v = judge(&old, Some(&old), Err(""), true, NOW, T);
        assert_eq!(v.state, State::Stalled, "{}", v.line());
        assert!(v
            .reason
            .starts_with("sequencer: unsafe head 1000 has not moved"));
    }

    #[test]
    fn a_reference_rpc_that_tells_only_its_head_measures_the_unsafe_lag_and_nothing_else() {
        let reference = Reference {
            whose: "the reference RPC".to_string(),
            unsafe_l2: 10_300,
            safe_l2: None,
            finalized_l2: None,
        };
        let a = reading(NOW, status(10_000, 10_000, NOW - 600));
        let b = reading(NOW + 2, status(10_000, 10_000, NOW - 600));
        let v = judge(&a, Some(&b), Ok(&reference), false, NOW + 2, T);
        // Without the reference's safe head, following-safe-only cannot be told.
        assert_eq!(v.state, State::Stalled, "{}", v.line());
        assert!(
            v.reason
                .contains("300 blocks behind the reference RPC's unsafe head 10300"),
            "{}",
            v.line()
        );
        let l = lag(&a.sync, &reference);
        assert_eq!((l.unsafe_l2, l.safe_l2, l.finalized_l2), (300, None, None));
        let replica = reading(NOW, status(995, 900, NOW));
        let v = judge(
            &replica,
            None,
            Err("the reference RPC did not answer"),
            false,
            NOW,
            T,
        );
        assert!(v
            .reason
            .starts_with("no reference (the reference RPC did not answer)"));
    }

    #[test]
    fn the_rate_needs_two_samples_apart_in_time() {
        let a = reading(NOW, status(10, 0, NOW));
        assert_eq!(rate(&a, &a), None);
        let b = reading(NOW + 60, status(40, 0, NOW));
        assert_eq!(rate(&a, &b), Some(30.0));
    }
}

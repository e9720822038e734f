//! L2 hardforks by name and their activation times: what the lock file records and `plan` counts
//! down to. The names and their order are op-node's (`rollup.Config` JSON keys `<fork>_time`,
//! `op-node/rollup/types.go` `checkForkOrder`); `pectra_blob_schedule` is not a fork of the L2 but
//! a switch op-node reads the same way, so it is kept here, outside the ordering.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::discovery::Source;

/// An L2 hardfork, in activation order (`Ord` is that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fork {
    Regolith,
    Canyon,
    Delta,
    Ecotone,
    Fjord,
    Granite,
    Holocene,
    /// Not a fork: the L1 Prague blob-fee schedule switch (Pectra), rollup.json
    /// `pectra_blob_schedule_time`.
    PectraBlobSchedule,
    Isthmus,
    Jovian,
    /// Upgrade 19.
    Karst,
    /// The fork after Karst (op-node `rollup.Config` `lagoon_time`).
    Lagoon,
    Interop,
}

impl Fork {
    /// Every fork, in order.
    pub const ALL: [Fork; 13] = [
        Fork::Regolith,
        Fork::Canyon,
        Fork::Delta,
        Fork::Ecotone,
        Fork::Fjord,
        Fork::Granite,
        Fork::Holocene,
        Fork::PectraBlobSchedule,
        Fork::Isthmus,
        Fork::Jovian,
        Fork::Karst,
        Fork::Lagoon,
        Fork::Interop,
    ];

    /// The name as rollup.json and the registry spell it (without `_time`).
    pub fn as_str(self) -> &'static str {
        let key = self.time_key();
        &key[..key.len() - "_time".len()]
    }

    /// The rollup.json / registry key, e.g. `karst_time`.
    pub fn time_key(self) -> &'static str {
        match self {
            Fork::Regolith => "regolith_time",
            Fork::Canyon => "canyon_time",
            Fork::Delta => "delta_time",
            Fork::Ecotone => "ecotone_time",
            Fork::Fjord => "fjord_time",
            Fork::Granite => "granite_time",
            Fork::Holocene => "holocene_time",
            Fork::PectraBlobSchedule => "pectra_blob_schedule_time",
            Fork::Isthmus => "isthmus_time",
            Fork::Jovian => "jovian_time",
            Fork::Karst => "karst_time",
            Fork::Lagoon => "lagoon_time",
            Fork::Interop => "interop_time",
        }
    }

    /// The fork whose rollup.json key is `key` (`karst_time`).
    pub fn from_time_key(key: &str) -> Option<Fork> {
        let name = key.strip_suffix("_time")?;
        Fork::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// Whether op-node orders this fork against the others (everything but the blob schedule).
    pub fn is_ordered(self) -> bool {
        self != Fork::PectraBlobSchedule
    }
}

impl fmt::Display for Fork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A chain's fork activation times (unix seconds), and where they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkSchedule {
    /// Where the times were read: `toml chain.rollup_config`, `registry op-sepolia`,
    /// `rpc optimism_rollupConfig`.
    pub source: Source,
    /// Activation time per fork; forks without a time are not scheduled.
    pub times: BTreeMap<Fork, u64>,
}

/// One scheduled fork and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Scheduled {
    /// The fork.
    pub fork: Fork,
    /// Activation time (unix seconds).
    pub time: u64,
}

impl ForkSchedule {
    /// An empty schedule read from `source`.
    pub fn new(source: Source) -> Self {
        ForkSchedule {
            source,
            times: BTreeMap::new(),
        }
    }

    /// Activation time of `fork`, if scheduled.
    pub fn time(&self, fork: Fork) -> Option<u64> {
        self.times.get(&fork).copied()
    }

    /// Whether `fork` is active at `now`.
    pub fn is_active(&self, fork: Fork, now: u64) -> bool {
        self.time(fork).is_some_and(|t| t <= now)
    }

    /// Forks that activate after `now` and no later than `now + window_secs`, soonest first.
    pub fn upcoming(&self, now: u64, window_secs: u64) -> Vec<Scheduled> {
        let mut v: Vec<Scheduled> = self
            .times
            .iter()
            .filter(|(_, t)| **t > now && **t <= now.saturating_add(window_secs))
            .map(|(f, t)| Scheduled { fork: *f, time: *t })
            .collect();
        v.sort_by_key(|s| (s.time, s.fork));
        v
    }

    /// The next fork to activate after `now`, if any.
    pub fn next(&self, now: u64) -> Option<Scheduled> {
        self.upcoming(now, u64::MAX)
            .into_iter()
            .find(|s| s.fork.is_ordered())
    }

    /// The newest fork active at `now`.
    pub fn latest_active(&self, now: u64) -> Option<Fork> {
        self.times
            .iter()
            .filter(|(f, t)| f.is_ordered() && **t <= now)
            .map(|(f, _)| *f)
            .max()
    }
}

/// The window `plan` looks ahead for forks: 30 days.
pub const PLAN_WINDOW_SECS: u64 = 30 * 86_400;

/// A fork that activates soon, as `plan` reports it (`-o json` field `forks`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpcomingFork {
    /// The fork, e.g. `karst`.
    pub fork: Fork,
    /// Activation time, unix seconds.
    pub time: u64,
    /// Activation time in UTC, RFC 3339 (`2026-12-24T16:00:01Z`).
    pub utc: String,
    /// Seconds from the plan to the activation.
    pub in_seconds: u64,
}

impl ForkSchedule {
    /// Forks activating within [`PLAN_WINDOW_SECS`] after `now`, soonest first.
    pub fn upcoming_for_plan(&self, now: u64) -> Vec<UpcomingFork> {
        self.upcoming(now, PLAN_WINDOW_SECS)
            .into_iter()
            .map(|s| UpcomingFork {
                fork: s.fork,
                time: s.time,
                utc: utc(s.time),
                in_seconds: s.time - now,
            })
            .collect()
    }
}

/// Unix seconds in UTC with a `strftime` pattern (jiff, as k8s-openapi re-exports it); a time
/// jiff cannot represent prints as the number.
pub fn format_utc(secs: u64, pattern: &str) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| k8s_openapi::jiff::Timestamp::from_second(s).ok())
        .map_or_else(|| secs.to_string(), |t| t.strftime(pattern).to_string())
}

/// Unix seconds as an RFC 3339 UTC time (`2026-12-24T16:00:01Z`).
pub fn utc(secs: u64) -> String {
    format_utc(secs, "%Y-%m-%dT%H:%M:%SZ")
}

/// A human countdown: `3d 4h`, `5h 12m`, `12m`.
pub fn countdown(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> ForkSchedule {
        let mut s = ForkSchedule::new(Source::Registry {
            network: "op-sepolia".into(),
        });
        s.times.insert(Fork::Isthmus, 100);
        s.times.insert(Fork::Jovian, 200);
        s.times.insert(Fork::Karst, 300);
        s
    }

    #[test]
    fn upcoming_is_inside_the_window_and_soonest_first() {
        let s = schedule();
        assert_eq!(
            s.upcoming(150, 200)
                .iter()
                .map(|x| x.fork)
                .collect::<Vec<_>>(),
            vec![Fork::Jovian, Fork::Karst]
        );
        assert_eq!(s.upcoming(150, 100).len(), 1);
        assert_eq!(s.next(250).map(|x| x.fork), Some(Fork::Karst));
        assert_eq!(s.next(300), None, "a fork at `now` is active, not upcoming");
        assert_eq!(s.latest_active(250), Some(Fork::Jovian));
        assert!(s.is_active(Fork::Isthmus, 100));
        assert!(!s.is_active(Fork::Interop, u64::MAX));
    }

    #[test]
    fn keys_round_trip_and_order_is_activation_order() {
        for f in Fork::ALL {
            assert_eq!(Fork::from_time_key(f.time_key()), Some(f));
        }
        assert_eq!(Fork::from_time_key("karst"), None);
        assert!(Fork::Karst > Fork::Jovian && Fork::Jovian > Fork::Isthmus);
        assert_eq!(countdown(3 * 86_400 + 4 * 3_600 + 5), "3d 4h");
        assert_eq!(countdown(5 * 3_600 + 12 * 60), "5h 12m");
        assert_eq!(countdown(12 * 60), "12m");
    }

    #[test]
    fn plan_sees_forks_in_the_next_30_days_with_utc_time_and_countdown() {
        let mut s = schedule();
        let karst = 100 * 86_400;
        s.times.insert(Fork::Karst, karst);
        let up = s.upcoming_for_plan(karst - 3 * 86_400);
        assert_eq!(
            up.iter().map(|u| u.fork).collect::<Vec<_>>(),
            vec![Fork::Karst]
        );
        assert_eq!(up[0].in_seconds, 3 * 86_400);
        assert_eq!(up[0].utc, "1970-04-11T00:00:00Z");
        assert!(s.upcoming_for_plan(karst - 31 * 86_400).is_empty());
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_741_159_776), "2025-03-05T07:29:36Z");
        assert_eq!(utc(1_709_164_800), "2024-02-29T00:00:00Z");
        assert_eq!(utc(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn a_schedule_round_trips_through_toml() {
        let s = schedule();
        let text = toml::to_string(&s).unwrap();
        assert!(text.contains("karst = 300"), "{text}");
        assert_eq!(toml::from_str::<ForkSchedule>(&text).unwrap(), s);
    }
}

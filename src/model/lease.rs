//! The lease decision, pure: what a watcher does with a chain's Lease as read, and who holds it now.
//! `watch::lease` runs it in a loop; `apply` asks it whether a watcher holds the chain.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::LeaseSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;

/// What to do with the lease as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// There is no Lease object: create one naming us.
    Create,
    /// We hold it: renew it.
    Renew,
    /// Nobody holds it (released, or expired): take it.
    Acquire,
    /// Another holder's lease runs for `remaining` more.
    Wait { holder: String, remaining: Duration },
}

fn millis(t: &MicroTime) -> i64 {
    t.0.as_millisecond()
}

/// The step for `lease` as read at `now_ms` (Unix milliseconds) by `me`.
pub fn step(lease: Option<&LeaseSpec>, exists: bool, me: &str, now_ms: i64) -> Step {
    if !exists {
        return Step::Create;
    }
    let Some(spec) = lease else {
        return Step::Acquire;
    };
    let holder = spec.holder_identity.as_deref().unwrap_or("");
    if holder.is_empty() {
        return Step::Acquire;
    }
    if holder == me {
        return Step::Renew;
    }
    let since = spec
        .renew_time
        .as_ref()
        .or(spec.acquire_time.as_ref())
        .map(millis);
    let duration_ms = i64::from(spec.lease_duration_seconds.unwrap_or(0).max(0)) * 1000;
    // The lease's times are whatever another writer stored: saturate, never overflow.
    let expires = since.map(|since| since.saturating_add(duration_ms));
    match expires {
        Some(expires) if expires > now_ms => Step::Wait {
            holder: holder.to_string(),
            remaining: Duration::from_millis(
                u64::try_from(expires.saturating_sub(now_ms)).unwrap_or(0),
            ),
        },
        _ => Step::Acquire,
    }
}

/// Who holds the lease at `now_ms` (renewed within its duration), if anyone.
pub fn holder(lease: Option<&LeaseSpec>, exists: bool, now_ms: i64) -> Option<String> {
    match step(lease, exists, "", now_ms) {
        Step::Wait { holder, .. } => Some(holder),
        _ => None,
    }
}

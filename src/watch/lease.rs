//! Single writer: a `coordination.k8s.io/v1` Lease per chain (`<chain>-opctl-watch`). The holder
//! renews it every third of its duration and steps down when it cannot renew for two thirds of it;
//! a standby takes it over once it has expired (it sleeps until exactly then) or been released.
//! Only the holder writes. The decision is a pure function of the lease as read; the reads and
//! writes are `crate::cluster::lease`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::runtime::utils::Backoff as _;
use tokio::sync::watch;

use super::metrics::Context;
use crate::cluster::{Cluster, ClusterError};
pub use crate::model::lease::{step, Step};

/// Which lease, and who we are.
#[derive(Debug, Clone)]
pub struct LeaseSettings {
    pub namespace: String,
    pub name: String,
    pub identity: String,
    pub duration: Duration,
}

fn now() -> MicroTime {
    MicroTime(Timestamp::now())
}

fn seconds(d: Duration) -> i32 {
    i32::try_from(d.as_secs().max(1)).unwrap_or(i32::MAX)
}

/// How often the holder renews, and after how long without a renewal it stops writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Timing {
    period: Duration,
    step_down_after: Duration,
}

impl Timing {
    /// A third of the lease, and two thirds (divided first: no overflow for any duration).
    fn of(duration: Duration) -> Timing {
        let third = duration / 3;
        Timing {
            period: third.max(Duration::from_millis(200)),
            step_down_after: third.saturating_mul(2),
        }
    }
}

/// The outcome of one attempt.
#[derive(Debug)]
enum Outcome {
    Held(Box<Lease>),
    Standby { holder: String, remaining: Duration },
}

async fn attempt(
    cluster: &Cluster,
    s: &LeaseSettings,
    cached: Option<Lease>,
) -> Result<Outcome, ClusterError> {
    let current = match cached {
        Some(l) => Some(l),
        None => cluster.lease(&s.namespace, &s.name).await?,
    };
    let now_ms = Timestamp::now().as_millisecond();
    let next = step(
        current.as_ref().and_then(|l| l.spec.as_ref()),
        current.is_some(),
        &s.identity,
        now_ms,
    );
    match next {
        Step::Create => {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(s.name.clone()),
                    namespace: Some(s.namespace.clone()),
                    ..Default::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(s.identity.clone()),
                    lease_duration_seconds: Some(seconds(s.duration)),
                    acquire_time: Some(now()),
                    renew_time: Some(now()),
                    lease_transitions: Some(0),
                    ..Default::default()
                }),
            };
            Ok(Outcome::Held(Box::new(cluster.create_lease(&lease).await?)))
        }
        Step::Renew | Step::Acquire => {
            let mut lease = current.unwrap_or_default();
            let spec = lease.spec.get_or_insert_with(Default::default);
            if next == Step::Acquire {
                spec.holder_identity = Some(s.identity.clone());
                spec.acquire_time = Some(now());
                spec.lease_transitions =
                    Some(spec.lease_transitions.unwrap_or(0).saturating_add(1));
            }
            spec.lease_duration_seconds = Some(seconds(s.duration));
            spec.renew_time = Some(now());
            // `replace` carries the resourceVersion read: a concurrent writer makes it fail (409).
            Ok(Outcome::Held(Box::new(
                cluster.replace_lease(&lease).await?,
            )))
        }
        Step::Wait { holder, remaining } => Ok(Outcome::Standby { holder, remaining }),
    }
}

/// Give the lease up if we hold it, so a standby takes over at once.
async fn release(cluster: &Cluster, s: &LeaseSettings) -> Result<bool, ClusterError> {
    let Some(mut lease) = cluster.lease(&s.namespace, &s.name).await? else {
        return Ok(false);
    };
    let Some(spec) = lease.spec.as_mut() else {
        return Ok(false);
    };
    if spec.holder_identity.as_deref() != Some(s.identity.as_str()) {
        return Ok(false);
    }
    spec.holder_identity = None;
    spec.lease_duration_seconds = Some(1);
    spec.renew_time = Some(now());
    cluster.replace_lease(&lease).await?;
    Ok(true)
}

/// Keep the lease (or wait for it) until `stop`; `leader` says whether we may write.
pub async fn run(
    cluster: Cluster,
    s: LeaseSettings,
    ctx: Arc<Context>,
    leader: watch::Sender<bool>,
    mut stop: watch::Receiver<bool>,
) {
    let Timing {
        period,
        step_down_after,
    } = Timing::of(s.duration);
    let retry_cap = period.min(Duration::from_secs(1));
    let mut backoff = super::backoff(Duration::from_millis(200), retry_cap);
    let mut last_renewed: Option<Instant> = None;
    let mut last_wait_log: Option<Instant> = None;
    let mut cached: Option<Lease> = None;
    let set_leader = |is: bool| {
        ctx.set_leader(is);
        leader.send_if_modified(|v| std::mem::replace(v, is) != is)
    };
    loop {
        let attempted = tokio::select! {
            r = tokio::time::timeout(period, attempt(&cluster, &s, cached.take())) => r,
            _ = stop.changed() => break,
        };
        let sleep = match attempted {
            Ok(Ok(Outcome::Held(lease))) => {
                backoff.reset();
                last_renewed = Some(Instant::now());
                cached = Some(*lease);
                ctx.set_lease(Ok(Some(s.identity.clone())));
                if set_leader(true) {
                    tracing::info!(lease = %s.name, identity = %s.identity, "acquired the lease: this process writes");
                }
                period
            }
            Ok(Ok(Outcome::Standby { holder, remaining })) => {
                backoff.reset();
                last_renewed = None;
                if set_leader(false) {
                    tracing::warn!(lease = %s.name, holder = %holder, "another watcher holds the lease: standing by");
                }
                ctx.set_lease(Ok(Some(holder)));
                remaining
                    .saturating_add(Duration::from_millis(20))
                    .min(period)
            }
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no answer within {period:?}"),
                };
                ctx.set_lease(Err(why.clone()));
                let lost = last_renewed.is_none_or(|t| t.elapsed() >= step_down_after);
                if lost && set_leader(false) {
                    tracing::warn!(lease = %s.name, error = %why, "cannot renew the lease: stopped writing");
                } else if last_wait_log.is_none_or(|t| t.elapsed() >= super::WAIT_LOG_EVERY) {
                    tracing::info!(lease = %s.name, error = %why, "waiting for the lease: the lease call failed; retrying");
                    last_wait_log = Some(Instant::now());
                }
                backoff.next().unwrap_or(retry_cap)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = stop.changed() => break,
        }
    }
    let was_leader = *leader.borrow();
    set_leader(false);
    if was_leader {
        match tokio::time::timeout(Duration::from_secs(2), release(&cluster, &s)).await {
            Ok(Ok(true)) => tracing::info!(lease = %s.name, "released the lease"),
            Ok(Ok(false)) => {}
            Ok(Err(e)) => {
                tracing::warn!(lease = %s.name, error = %e, "could not release the lease; it expires by itself")
            }
            Err(_) => {
                tracing::warn!(lease = %s.name, "could not release the lease in time; it expires by itself")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> MicroTime {
        MicroTime(Timestamp::from_millisecond(ms).expect("valid"))
    }

    fn spec(holder: Option<&str>, renewed_ms: i64, seconds: i32) -> LeaseSpec {
        LeaseSpec {
            holder_identity: holder.map(str::to_string),
            renew_time: Some(at(renewed_ms)),
            lease_duration_seconds: Some(seconds),
            ..Default::default()
        }
    }

    #[test]
    fn no_lease_is_created_and_a_free_one_is_acquired() {
        assert_eq!(step(None, false, "me", 0), Step::Create);
        assert_eq!(step(None, true, "me", 0), Step::Acquire);
        assert_eq!(step(Some(&spec(None, 0, 15)), true, "me", 1), Step::Acquire);
        assert_eq!(
            step(Some(&spec(Some(""), 0, 15)), true, "me", 1),
            Step::Acquire
        );
    }

    #[test]
    fn our_own_lease_is_renewed_even_when_it_expired_meanwhile() {
        assert_eq!(
            step(Some(&spec(Some("me"), 0, 15)), true, "me", 1_000_000),
            Step::Renew
        );
    }

    #[test]
    fn the_holder_renews_every_third_and_steps_down_after_two_thirds_of_any_duration() {
        let t = Timing::of(Duration::from_secs(15));
        assert_eq!(t.period, Duration::from_secs(5));
        assert_eq!(t.step_down_after, Duration::from_secs(10));
        for huge in [Duration::from_secs(u64::MAX), Duration::MAX] {
            let t = Timing::of(huge);
            assert_eq!(t.period, huge / 3);
            assert!(t.step_down_after < huge && t.step_down_after > t.period);
        }
        assert_eq!(
            Timing::of(Duration::ZERO).period,
            Duration::from_millis(200)
        );
    }

    #[test]
    fn lease_times_another_writer_stored_never_overflow() {
        let mut s = spec(Some("other"), 0, i32::MAX);
        s.renew_time = Some(MicroTime(Timestamp::MAX));
        assert_eq!(
            step(Some(&s), true, "me", i64::MIN),
            Step::Wait {
                holder: "other".into(),
                remaining: Duration::from_millis(u64::try_from(i64::MAX).expect("fits")),
            }
        );
        s.renew_time = Some(MicroTime(Timestamp::MIN));
        assert_eq!(step(Some(&s), true, "me", i64::MAX), Step::Acquire);
    }

    #[test]
    fn another_holder_is_waited_for_exactly_until_its_lease_expires() {
        let s = spec(Some("other"), 10_000, 15);
        assert_eq!(
            step(Some(&s), true, "me", 20_000),
            Step::Wait {
                holder: "other".into(),
                remaining: Duration::from_secs(5)
            }
        );
        assert_eq!(step(Some(&s), true, "me", 25_000), Step::Acquire);
        assert_eq!(step(Some(&s), true, "me", 99_000), Step::Acquire);
    }
}

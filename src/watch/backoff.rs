//! Capped exponential backoff with jitter, as a value: the delay after the n-th consecutive failure
//! of a reconcile pass, an L1 re-discovery, a lease call or a watch stream.

use std::time::Duration;

/// `initial * 2^failures`, at most `max`, each delay shortened by a random fraction of up to
/// `jitter` so that replicas and watch streams do not retry in lockstep. `reset` after a success.
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    /// 0.0 to 1.0: the largest share of a delay the jitter may take off.
    pub jitter: f64,
    failures: u32,
}

impl Backoff {
    pub const fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max,
            jitter: 0.2,
            failures: 0,
        }
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The delay before the next attempt; counts one more failure.
    pub fn next_delay(&mut self) -> Duration {
        let d = self.delay_for(self.failures, rand::random::<f64>());
        self.failures = self.failures.saturating_add(1);
        d
    }

    /// The delay after `failures` earlier failures, with `sample` in `[0, 1)` drawn for the jitter.
    pub fn delay_for(&self, failures: u32, sample: f64) -> Duration {
        let factor = 1u32.checked_shl(failures.min(31)).unwrap_or(u32::MAX);
        let base = self.initial.saturating_mul(factor).min(self.max);
        let keep = 1.0 - self.jitter.clamp(0.0, 1.0) * sample.clamp(0.0, 1.0);
        base.mul_f64(keep)
    }

    /// Back to the initial delay (after a success).
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

impl Iterator for Backoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        Some(self.next_delay())
    }
}

/// Lets kube-runtime's watch streams back off with the same policy.
impl kube::runtime::utils::Backoff for Backoff {
    fn reset(&mut self) {
        Backoff::reset(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn delays_double_from_the_initial_one_up_to_the_cap() {
        let b = Backoff::new(MS(250), Duration::from_secs(4));
        let delays: Vec<Duration> = (0..8).map(|n| b.delay_for(n, 0.0)).collect();
        assert_eq!(
            delays,
            [250, 500, 1000, 2000, 4000, 4000, 4000, 4000].map(MS)
        );
        assert_eq!(b.delay_for(u32::MAX, 0.0), Duration::from_secs(4));
    }

    #[test]
    fn jitter_only_shortens_a_delay_and_by_at_most_its_share() {
        let b = Backoff::new(MS(1000), MS(1000));
        assert_eq!(b.delay_for(0, 0.0), MS(1000));
        assert_eq!(b.delay_for(0, 0.5), MS(900));
        assert!(b.delay_for(0, 0.999_999) >= MS(800));
        let mut live = Backoff::new(MS(100), MS(400));
        for _ in 0..50 {
            let d = live.next_delay();
            assert!(d <= MS(400) && d >= MS(80), "{d:?}");
        }
    }

    #[test]
    fn a_reset_starts_over_and_failures_are_counted() {
        let mut b = Backoff::new(MS(100), MS(10_000));
        b.jitter = 0.0;
        assert_eq!(b.next_delay(), MS(100));
        assert_eq!(b.next_delay(), MS(200));
        assert_eq!(b.failures(), 2);
        b.reset();
        assert_eq!(b.failures(), 0);
        assert_eq!(b.next(), Some(MS(100)));
    }
}

//! Durations as users write them, on the command line and in the chain file: one parser, and the
//! range each setting accepts (the same for a flag and its chain-file key). Pure.
//!
//! The ranges keep every interval the watcher and apply compute with (`Instant + d`, `d * 2 / 3`)
//! far from overflow, and rule out values that only hurt: a zero resync spins, a lease shorter than
//! its renewal round trips flaps, a timeout of years hides a hang.

use std::fmt;
use std::time::Duration;

const SECOND: Duration = Duration::from_secs(1);
const TEN_MINUTES: Duration = Duration::from_secs(600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// The values a duration setting accepts, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub min: Duration,
    pub max: Duration,
    /// `0` is accepted as well, and switches the feature off.
    pub zero_is_off: bool,
}

/// `opctl watch --resync` and `[watch] resync`: 1 s to 24 h.
pub const RESYNC: Bounds = Bounds::new(SECOND, DAY);
/// `opctl watch --rediscover` and `[watch] rediscover`: `0` (off), or 1 s to 24 h.
pub const REDISCOVER: Bounds = Bounds::new(SECOND, DAY).or_off();
/// `opctl watch --lease-duration`: 5 s to 10 min. The holder renews every third of it, and the
/// Lease object stores whole seconds.
pub const LEASE_DURATION: Bounds = Bounds::new(Duration::from_secs(5), TEN_MINUTES);
/// `opctl apply --timeout` (waiting for rollouts): 1 s to 24 h.
pub const APPLY_TIMEOUT: Bounds = Bounds::new(SECOND, DAY);
/// `opctl discover --rpc-timeout` (per L1 request): 1 s to 10 min.
pub const RPC_TIMEOUT: Bounds = Bounds::new(SECOND, TEN_MINUTES);
/// `[images] hardfork_window`: 1 h to 180 days (upgrade notices come weeks ahead).
pub const HARDFORK_WINDOW: Bounds = Bounds::new(
    Duration::from_secs(3600),
    Duration::from_secs(180 * 24 * 3600),
);

impl Bounds {
    pub const fn new(min: Duration, max: Duration) -> Self {
        Bounds {
            min,
            max,
            zero_is_off: false,
        }
    }

    pub const fn or_off(self) -> Self {
        Bounds {
            zero_is_off: true,
            ..self
        }
    }

    pub fn contains(&self, d: Duration) -> bool {
        (self.zero_is_off && d.is_zero()) || (self.min <= d && d <= self.max)
    }

    /// `d` if it is in range, else why not (naming the range).
    pub fn check(&self, d: Duration) -> Result<Duration, String> {
        if self.contains(d) {
            Ok(d)
        } else {
            Err(format!("out of range: use {self}"))
        }
    }

    /// Parse `text` and check the range: the value parser of a flag.
    pub fn parse(&self, text: &str) -> Result<Duration, String> {
        self.check(parse_duration(text)?)
    }

    /// The nearest value in range (zero stays zero when it means off): for values that did not
    /// come through [`Bounds::parse`].
    pub fn clamp(&self, d: Duration) -> Duration {
        if self.zero_is_off && d.is_zero() {
            d
        } else {
            d.clamp(self.min, self.max)
        }
    }
}

impl fmt::Display for Bounds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.zero_is_off {
            f.write_str("0 (off) or ")?;
        }
        write!(f, "{} to {}", Human(self.min), Human(self.max))
    }
}

/// A duration written back the way [`parse_duration`] reads it: `1h30m`, `5m`, `500ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Human(pub Duration);

impl fmt::Display for Human {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d.is_zero() {
            return f.write_str("0s");
        }
        let (h, m, s) = (d.as_secs() / 3600, d.as_secs() / 60 % 60, d.as_secs() % 60);
        let ms = d.subsec_millis();
        let mut any = false;
        for (n, unit) in [(h, "h"), (m, "m"), (s, "s"), (u64::from(ms), "ms")] {
            if n > 0 {
                write!(f, "{n}{unit}")?;
                any = true;
            }
        }
        if !any {
            write!(f, "{}ns", d.subsec_nanos())?;
        }
        Ok(())
    }
}

/// `90s`, `10m`, `1h`, `1h30m`, `500ms`, `14d`, or plain seconds. Never overflows: a sum that does not
/// fit a `Duration` is an error.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let bad = || format!("`{s}` is not a duration like 90s, 10m or 1h");
    if s.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let (part, len) = if rest.starts_with("ms") {
            (Some(Duration::from_millis(n)), 2)
        } else {
            let secs = |unit: u64| n.checked_mul(unit).map(Duration::from_secs);
            match rest.chars().next() {
                Some('s') => (secs(1), 1),
                Some('m') => (secs(60), 1),
                Some('h') => (secs(3600), 1),
                Some('d') => (secs(86_400), 1),
                _ => return Err(bad()),
            }
        };
        total = part
            .and_then(|p| total.checked_add(p))
            .ok_or_else(|| format!("`{s}` is too long a duration"))?;
        rest = &rest[len..];
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_milliseconds_seconds_minutes_hours_and_plain_seconds() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("14d"), Ok(Duration::from_secs(14 * 86_400)));
        for bad in ["", "m", "5w", "1.5s", "s5", "-1s", "18446744073709551616"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_largest_numbers_parse_without_overflow_or_are_refused() {
        let max = u64::MAX;
        assert_eq!(
            parse_duration(&max.to_string()),
            Ok(Duration::from_secs(max))
        );
        assert_eq!(
            parse_duration(&format!("{max}s")),
            Ok(Duration::from_secs(max))
        );
        assert_eq!(
            parse_duration(&format!("{max}ms")),
            Ok(Duration::from_millis(max))
        );
        for too_long in [
            format!("{max}m"),
            format!("{max}h"),
            format!("{max}s1s"),
            format!("{max}s{max}ms"),
        ] {
            let e = parse_duration(&too_long).expect_err(&too_long);
            assert!(e.contains("too long"), "{e}");
        }
    }

    #[test]
    fn values_outside_a_range_are_refused_naming_the_range() {
        assert_eq!(RESYNC.parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(RESYNC.parse("24h"), Ok(Duration::from_secs(86400)));
        let e = RESYNC.parse("0").expect_err("zero resync");
        assert_eq!(e, "out of range: use 1s to 24h");
        let e = RESYNC.parse(&u64::MAX.to_string()).expect_err("huge");
        assert_eq!(e, "out of range: use 1s to 24h");
        assert!(RESYNC.parse("999ms").is_err());
        assert!(RESYNC.parse("24h1s").is_err());

        assert_eq!(REDISCOVER.parse("0"), Ok(Duration::ZERO));
        let e = REDISCOVER.parse("500ms").expect_err("too short");
        assert_eq!(e, "out of range: use 0 (off) or 1s to 24h");

        assert_eq!(LEASE_DURATION.parse("15s"), Ok(Duration::from_secs(15)));
        for bad in ["0", "4s", "10m1s", "18446744073709551615"] {
            assert!(LEASE_DURATION.parse(bad).is_err(), "{bad}");
        }
        assert!(APPLY_TIMEOUT.parse("0").is_err());
        assert!(RPC_TIMEOUT.parse("10s").is_ok() && RPC_TIMEOUT.parse("11m").is_err());
    }

    #[test]
    fn clamping_keeps_zero_only_where_it_means_off() {
        assert_eq!(RESYNC.clamp(Duration::ZERO), Duration::from_secs(1));
        assert_eq!(RESYNC.clamp(Duration::MAX), Duration::from_secs(86400));
        assert_eq!(REDISCOVER.clamp(Duration::ZERO), Duration::ZERO);
        assert_eq!(REDISCOVER.clamp(Duration::from_millis(1)), SECOND);
        assert_eq!(
            LEASE_DURATION.clamp(Duration::from_secs(u64::MAX)),
            Duration::from_secs(600)
        );
    }

    #[test]
    fn durations_print_the_way_they_are_written() {
        assert_eq!(Human(Duration::from_secs(5400)).to_string(), "1h30m");
        assert_eq!(Human(Duration::from_secs(86400)).to_string(), "24h");
        assert_eq!(Human(Duration::from_millis(1500)).to_string(), "1s500ms");
        assert_eq!(Human(Duration::ZERO).to_string(), "0s");
        assert_eq!(Human(Duration::from_nanos(5)).to_string(), "5ns");
        assert_eq!(
            Human(Duration::from_secs(u64::MAX)).to_string(),
            "5124095576030431h15s"
        );
        assert_eq!(REDISCOVER.to_string(), "0 (off) or 1s to 24h");
    }
}

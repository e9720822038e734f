//! What the watch loop reports about itself: Prometheus series and health, kept in a context struct
//! the loop and the HTTP server share (no globals). Rendering the text format is pure.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// Upper bounds (seconds) of the pass-duration histogram buckets.
pub const DURATION_BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// How long the loop may go without a heartbeat before `/healthz` fails.
pub const HEARTBEAT_LIMIT: Duration = Duration::from_secs(120);

/// Every series `/metrics` exposes, with its type and help text (the documented set).
pub const SERIES: [(&str, &str, &str); 13] = [
    ("opctl_watch_passes_total", "counter", "Reconcile passes that completed."),
    ("opctl_watch_pass_failures_total", "counter", "Reconcile passes that failed, by reason."),
    ("opctl_watch_pass_duration_seconds", "histogram", "Duration of reconcile passes, successful or not."),
    ("opctl_watch_objects_changed_total", "counter", "Objects written by the watcher, by operation."),
    ("opctl_watch_drift_corrections_total", "counter", "Drifted objects taken back (policy correct)."),
    ("opctl_watch_drift_reported_total", "counter", "Drifted or held objects reported and left alone (policy warn, failed checks, immutable fields)."),
    ("opctl_watch_last_success_timestamp_seconds", "gauge", "Unix time of the last successful pass."),
    ("opctl_watch_discoveries_total", "counter", "L1 re-discoveries, by result."),
    ("opctl_watch_l1_changes_total", "counter", "Discovered L1 values (addresses, roles, versions) that changed."),
    ("opctl_watch_l1_change_held", "gauge", "1 while an on-chain change is held (lock_policy hold, or checks fail)."),
    ("opctl_watch_check_failed", "gauge", "1 for each role check that fails against the newest discovery."),
    ("opctl_watch_leader", "gauge", "1 while this process holds the chain's lease and may write."),
    ("opctl_watch_triggers_total", "counter", "Reasons a pass was scheduled, by source."),
];

#[derive(Debug, Default)]
struct Histogram {
    buckets: [u64; DURATION_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, le) in DURATION_BUCKETS.iter().enumerate() {
            if seconds <= *le {
                self.buckets[i] += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

/// A snapshot of every value, for rendering.
#[derive(Debug, Default)]
struct State {
    passes: u64,
    failures: BTreeMap<String, u64>,
    duration: Histogram,
    objects_changed: BTreeMap<String, u64>,
    drift_corrections: u64,
    drift_reported: u64,
    last_success: Option<f64>,
    discoveries: BTreeMap<String, u64>,
    l1_changes: u64,
    l1_held: bool,
    checks_failed: BTreeSet<String>,
    leader: bool,
    triggers: BTreeMap<String, u64>,
}

/// Health as `/healthz` and `/readyz` see it.
#[derive(Debug)]
struct Health {
    heartbeat: Instant,
    last_pass: Option<Result<(), String>>,
    lease: Result<Option<String>, String>,
}

/// Shared by the loop, the lease task, the L1 task and the HTTP server.
#[derive(Debug)]
pub struct Context {
    pub chain: String,
    pub identity: String,
    state: Mutex<State>,
    health: Mutex<Health>,
}

/// An answer of `/healthz` or `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub ok: bool,
    pub body: String,
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl Context {
    pub fn new(chain: &str, identity: &str) -> Self {
        Context {
            chain: chain.to_string(),
            identity: identity.to_string(),
            state: Mutex::new(State::default()),
            health: Mutex::new(Health {
                heartbeat: Instant::now(),
                last_pass: None,
                lease: Err("the lease has not been read yet".into()),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The loop is alive.
    pub fn heartbeat(&self) {
        self.health().heartbeat = Instant::now();
    }

    /// A pass completed: `changed` counts written objects per operation.
    pub fn pass_succeeded(
        &self,
        took: Duration,
        changed: &BTreeMap<String, u64>,
        corrected: u64,
        reported: u64,
    ) {
        let mut s = self.state();
        s.passes += 1;
        s.duration.observe(took.as_secs_f64());
        for (op, n) in changed {
            *s.objects_changed.entry(op.clone()).or_default() += n;
        }
        s.drift_corrections += corrected;
        s.drift_reported += reported;
        s.last_success = Some(unix_now());
        drop(s);
        self.health().last_pass = Some(Ok(()));
    }

    /// A pass failed for `reason` (a short kebab-case word, see `reason_of`).
    pub fn pass_failed(&self, took: Duration, reason: &str, message: &str) {
        let mut s = self.state();
        *s.failures.entry(reason.to_string()).or_default() += 1;
        s.duration.observe(took.as_secs_f64());
        drop(s);
        self.health().last_pass = Some(Err(format!("{reason}: {message}")));
    }

    /// A failure outside a pass (an invalid chain file on reload): counted, and readiness says why,
    /// but no pass duration is observed.
    pub fn failed(&self, reason: &str, message: &str) {
        *self.state().failures.entry(reason.to_string()).or_default() += 1;
        self.health().last_pass = Some(Err(format!("{reason}: {message}")));
    }

    /// Objects written by a pass that then failed part-way.
    pub fn objects_written(&self, op: &str, n: u64) {
        *self
            .state()
            .objects_changed
            .entry(op.to_string())
            .or_default() += n;
    }

    pub fn discovery(&self, ok: bool) {
        let result = if ok { "success" } else { "failure" };
        *self.state().discoveries.entry(result.into()).or_default() += 1;
    }

    pub fn l1_changed(&self, n: u64) {
        self.state().l1_changes += n;
    }

    pub fn set_l1_held(&self, held: bool) {
        self.state().l1_held = held;
    }

    pub fn set_checks_failed(&self, failed: BTreeSet<String>) {
        self.state().checks_failed = failed;
    }

    pub fn set_leader(&self, leader: bool) {
        self.state().leader = leader;
    }

    pub fn is_leader(&self) -> bool {
        self.state().leader
    }

    /// The last lease read: `Ok(holder)` or why it failed.
    pub fn set_lease(&self, lease: Result<Option<String>, String>) {
        self.health().lease = lease;
    }

    pub fn trigger(&self, source: &str) {
        *self.state().triggers.entry(source.to_string()).or_default() += 1;
    }

    /// `/healthz`: the loop is not stuck.
    pub fn healthz(&self) -> Probe {
        let age = self.health().heartbeat.elapsed();
        if age <= HEARTBEAT_LIMIT {
            Probe {
                ok: true,
                body: "ok\n".into(),
            }
        } else {
            Probe {
                ok: false,
                body: format!("the watch loop has not run for {}s\n", age.as_secs()),
            }
        }
    }

    /// `/readyz`: the leader's last pass succeeded, or a standby can read the lease.
    pub fn readyz(&self) -> Probe {
        let leader = self.is_leader();
        let h = self.health();
        readiness(leader, h.last_pass.as_ref(), &h.lease)
    }

    /// Prometheus text format (version 0.0.4).
    pub fn render(&self) -> String {
        let s = self.state();
        render(&self.chain, &self.identity, &s)
    }
}

fn readiness(
    leader: bool,
    last_pass: Option<&Result<(), String>>,
    lease: &Result<Option<String>, String>,
) -> Probe {
    let (ok, body) = match (leader, last_pass, lease) {
        (true, Some(Ok(())), _) => (true, "ok: leader; the last pass succeeded".to_string()),
        (true, Some(Err(why)), _) => (false, format!("the last pass failed: {why}")),
        (true, None, _) => (false, "starting: no pass has completed yet".to_string()),
        (false, _, Ok(holder)) => (
            true,
            format!(
                "ok: standby; the lease is held by {}",
                holder.as_deref().unwrap_or("nobody")
            ),
        ),
        (false, _, Err(why)) => (false, format!("standby; cannot read the lease: {why}")),
    };
    Probe {
        ok,
        body: format!("{body}\n"),
    }
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn render(chain: &str, identity: &str, s: &State) -> String {
    let mut out = String::new();
    let chain_label = format!("chain=\"{}\"", escape(chain));
    let head = |out: &mut String, name: &str| {
        if let Some((_, kind, help)) = SERIES.iter().find(|(n, _, _)| *n == name) {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
        }
    };
    let line = |out: &mut String, name: &str, extra: &str, value: f64| {
        let labels = if extra.is_empty() {
            chain_label.clone()
        } else {
            format!("{chain_label},{extra}")
        };
        let _ = writeln!(out, "{name}{{{labels}}} {value}");
    };
    head(&mut out, "opctl_watch_passes_total");
    line(&mut out, "opctl_watch_passes_total", "", s.passes as f64);

    head(&mut out, "opctl_watch_pass_failures_total");
    for (reason, n) in &s.failures {
        line(
            &mut out,
            "opctl_watch_pass_failures_total",
            &format!("reason=\"{}\"", escape(reason)),
            *n as f64,
        );
    }

    head(&mut out, "opctl_watch_pass_duration_seconds");
    for (le, n) in DURATION_BUCKETS.iter().zip(s.duration.buckets.iter()) {
        line(
            &mut out,
            "opctl_watch_pass_duration_seconds_bucket",
            &format!("le=\"{le}\""),
            *n as f64,
        );
    }
    line(
        &mut out,
        "opctl_watch_pass_duration_seconds_bucket",
        "le=\"+Inf\"",
        s.duration.count as f64,
    );
    line(
        &mut out,
        "opctl_watch_pass_duration_seconds_sum",
        "",
        s.duration.sum,
    );
    line(
        &mut out,
        "opctl_watch_pass_duration_seconds_count",
        "",
        s.duration.count as f64,
    );

    head(&mut out, "opctl_watch_objects_changed_total");
    for (op, n) in &s.objects_changed {
        line(
            &mut out,
            "opctl_watch_objects_changed_total",
            &format!("op=\"{}\"", escape(op)),
            *n as f64,
        );
    }
    head(&mut out, "opctl_watch_drift_corrections_total");
    line(
        &mut out,
        "opctl_watch_drift_corrections_total",
        "",
        s.drift_corrections as f64,
    );
    head(&mut out, "opctl_watch_drift_reported_total");
    line(
        &mut out,
        "opctl_watch_drift_reported_total",
        "",
        s.drift_reported as f64,
    );
    head(&mut out, "opctl_watch_last_success_timestamp_seconds");
    if let Some(t) = s.last_success {
        line(
            &mut out,
            "opctl_watch_last_success_timestamp_seconds",
            "",
            t,
        );
    }
    head(&mut out, "opctl_watch_discoveries_total");
    for (result, n) in &s.discoveries {
        line(
            &mut out,
            "opctl_watch_discoveries_total",
            &format!("result=\"{result}\""),
            *n as f64,
        );
    }
    head(&mut out, "opctl_watch_l1_changes_total");
    line(
        &mut out,
        "opctl_watch_l1_changes_total",
        "",
        s.l1_changes as f64,
    );
    head(&mut out, "opctl_watch_l1_change_held");
    line(
        &mut out,
        "opctl_watch_l1_change_held",
        "",
        f64::from(u8::from(s.l1_held)),
    );
    head(&mut out, "opctl_watch_check_failed");
    for check in &s.checks_failed {
        line(
            &mut out,
            "opctl_watch_check_failed",
            &format!("check=\"{}\"", escape(check)),
            1.0,
        );
    }
    head(&mut out, "opctl_watch_leader");
    line(
        &mut out,
        "opctl_watch_leader",
        &format!("identity=\"{}\"", escape(identity)),
        f64::from(u8::from(s.leader)),
    );
    head(&mut out, "opctl_watch_triggers_total");
    for (source, n) in &s.triggers {
        line(
            &mut out,
            "opctl_watch_triggers_total",
            &format!("source=\"{}\"", escape(source)),
            *n as f64,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_series_is_rendered_with_help_and_type() {
        let ctx = Context::new("devnet", "pod-1");
        ctx.pass_succeeded(
            Duration::from_millis(300),
            &BTreeMap::from([("create".to_string(), 3)]),
            1,
            0,
        );
        ctx.pass_failed(
            Duration::from_secs(2),
            "api-unreachable",
            "connection refused",
        );
        ctx.discovery(true);
        ctx.l1_changed(2);
        ctx.set_l1_held(true);
        ctx.set_checks_failed(BTreeSet::from(["batcher-key".to_string()]));
        ctx.set_leader(true);
        ctx.trigger("watch");
        let text = ctx.render();
        for (name, kind, _) in SERIES {
            assert!(
                text.contains(&format!("# TYPE {name} {kind}\n")),
                "{name}:\n{text}"
            );
        }
        for expected in [
            "opctl_watch_passes_total{chain=\"devnet\"} 1\n",
            "opctl_watch_pass_failures_total{chain=\"devnet\",reason=\"api-unreachable\"} 1\n",
            "opctl_watch_pass_duration_seconds_bucket{chain=\"devnet\",le=\"0.5\"} 1\n",
            "opctl_watch_pass_duration_seconds_bucket{chain=\"devnet\",le=\"2.5\"} 2\n",
            "opctl_watch_pass_duration_seconds_bucket{chain=\"devnet\",le=\"+Inf\"} 2\n",
            "opctl_watch_pass_duration_seconds_count{chain=\"devnet\"} 2\n",
            "opctl_watch_objects_changed_total{chain=\"devnet\",op=\"create\"} 3\n",
            "opctl_watch_drift_corrections_total{chain=\"devnet\"} 1\n",
            "opctl_watch_discoveries_total{chain=\"devnet\",result=\"success\"} 1\n",
            "opctl_watch_l1_changes_total{chain=\"devnet\"} 2\n",
            "opctl_watch_l1_change_held{chain=\"devnet\"} 1\n",
            "opctl_watch_check_failed{chain=\"devnet\",check=\"batcher-key\"} 1\n",
            "opctl_watch_leader{chain=\"devnet\",identity=\"pod-1\"} 1\n",
            "opctl_watch_triggers_total{chain=\"devnet\",source=\"watch\"} 1\n",
        ] {
            assert!(text.contains(expected), "{expected}in\n{text}");
        }
        assert!(text.contains("opctl_watch_last_success_timestamp_seconds{chain=\"devnet\"} 1"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn a_leader_is_ready_after_a_good_pass_and_a_standby_while_it_reads_the_lease() {
        let ok: Result<(), String> = Ok(());
        let failed: Result<(), String> = Err("forbidden: cannot patch".into());
        assert!(!readiness(true, None, &Ok(None)).ok);
        assert!(readiness(true, Some(&ok), &Ok(None)).ok);
        let r = readiness(true, Some(&failed), &Ok(None));
        assert!(!r.ok && r.body.contains("forbidden"), "{r:?}");
        let s = readiness(false, None, &Ok(Some("pod-2".into())));
        assert!(s.ok && s.body.contains("pod-2"), "{s:?}");
        assert!(!readiness(false, None, &Err("connection refused".into())).ok);
    }

    #[test]
    fn health_fails_only_when_the_loop_stops_beating() {
        let ctx = Context::new("c", "i");
        assert!(ctx.healthz().ok);
        if let Some(old) = Instant::now().checked_sub(HEARTBEAT_LIMIT + Duration::from_secs(1)) {
            ctx.health().heartbeat = old;
            assert!(!ctx.healthz().ok);
        }
        ctx.heartbeat();
        assert!(ctx.healthz().ok);
    }
}

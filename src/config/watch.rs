//! `[watch]` of the chain TOML: how `opctl watch` keeps the cluster matching the file (drift policy,
//! pruning, resync and L1 re-discovery intervals, what to do with on-chain changes) and whether
//! `opctl apply` installs the watcher itself as a pod. Model and validation; pure.

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::diag::{Diagnostic, SourceMap};
use super::duration::{self, parse_duration, Bounds};
use super::model::Resources;
use super::LoadedChain;

/// Default full-reconcile interval.
pub const DEFAULT_RESYNC: Duration = Duration::from_secs(5 * 60);
/// Default L1 re-discovery interval.
pub const DEFAULT_REDISCOVER: Duration = Duration::from_secs(10 * 60);
/// Default port of `/healthz`, `/readyz` and `/metrics` in the watcher pod.
pub const DEFAULT_PORT: u16 = 9090;

/// `[watch]`
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Watch {
    /// What `opctl watch` does when the cluster drifts from the file: `correct` (default: take the
    /// objects and fields back, with force, like a controller) or `warn` (report only).
    #[serde(default)]
    pub drift: DriftPolicy,
    /// Per-role drift policy, overriding `drift` for that role's objects.
    #[serde(default)]
    pub roles: RoleDrift,
    /// Delete members of the chain that are no longer in the file (PersistentVolumeClaims and
    /// generated key Secrets never). Off by default. The watcher's Role then also lists and
    /// deletes every kind opctl manages, Secrets included.
    #[serde(default)]
    pub prune: bool,
    /// Full reconcile at least this often, as `90s`, `5m`, `1h`: 1s to 24h (default `5m`).
    pub resync: Option<String>,
    /// Re-read the L1 contracts and roles this often: 1s to 24h (default `10m`), or `0` to switch
    /// it off.
    pub rediscover: Option<String>,
    /// What an on-chain change found by re-discovery does: `hold` (default: report it and keep
    /// rendering from the lock file) or `apply` (render from the new values once the role checks
    /// pass).
    #[serde(default)]
    pub lock_policy: LockPolicy,
    /// Render the watcher as a pod, so `opctl apply` installs it: a Deployment running
    /// `opctl watch`, its ServiceAccount, a namespaced Role and RoleBinding with exactly the rights
    /// it needs, and a ConfigMap with this file and its lock file.
    #[serde(default)]
    pub deploy: bool,
    /// The opctl image of the watcher pod (pinned tag or digest). Required with `deploy = true`.
    pub image: Option<String>,
    /// Watcher pods (1 to 3, default 1); more than one are hot standbys behind the lease.
    pub replicas: Option<u32>,
    /// Port of `/healthz`, `/readyz` and `/metrics` in the pod (default 9090).
    pub port: Option<u16>,
    /// Resources of the watcher container (default: 20m CPU, 64Mi memory, 128Mi memory limit).
    pub resources: Option<Resources>,
    /// Log format of the watcher pod: `json` (default) or `text`.
    pub log_format: Option<WatchLogFormat>,
}

/// Drift policy.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DriftPolicy {
    /// Take drifted objects and fields back (server-side apply with force).
    #[default]
    Correct,
    /// Report drift (log, metric, Kubernetes Event) and leave it.
    Warn,
}

impl DriftPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftPolicy::Correct => "correct",
            DriftPolicy::Warn => "warn",
        }
    }
}

/// `[watch.roles]`: drift policy per role.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoleDrift {
    pub sequencer: Option<DriftPolicy>,
    pub replica: Option<DriftPolicy>,
    pub batcher: Option<DriftPolicy>,
    pub proposer: Option<DriftPolicy>,
    pub challenger: Option<DriftPolicy>,
}

/// What an L1 change found by re-discovery does.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LockPolicy {
    /// Report it and keep using the lock file until it is updated (`opctl discover`).
    #[default]
    Hold,
    /// Render from the newly discovered values (roles whose key check fails stay held).
    Apply,
}

impl LockPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            LockPolicy::Hold => "hold",
            LockPolicy::Apply => "apply",
        }
    }
}

/// Log format of the watcher.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum WatchLogFormat {
    #[default]
    Json,
    Text,
}

impl Watch {
    /// `resync`, parsed (validation has checked it; kept in range regardless).
    pub fn resync(&self) -> Duration {
        parsed(self.resync.as_deref(), duration::RESYNC, DEFAULT_RESYNC)
    }

    /// `rediscover`, parsed; zero means off.
    pub fn rediscover(&self) -> Duration {
        parsed(
            self.rediscover.as_deref(),
            duration::REDISCOVER,
            DEFAULT_REDISCOVER,
        )
    }

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(DEFAULT_PORT)
    }

    pub fn replicas(&self) -> u32 {
        self.replicas.unwrap_or(1)
    }
}

fn parsed(text: Option<&str>, bounds: Bounds, default: Duration) -> Duration {
    text.and_then(|s| parse_duration(s).ok())
        .map_or(default, |d| bounds.clamp(d))
}

/// Problems of `[watch]` (empty when valid).
pub fn validate(chain: &LoadedChain, map: &SourceMap<'_>) -> Vec<Diagnostic> {
    let w = &chain.file.watch;
    let mut out = Vec::new();
    let mut err = |path: &str, message: String, hint: &str| {
        out.push(map.at_path(path, message, (!hint.is_empty()).then(|| hint.to_string())));
    };
    for (key, value, bounds, default) in [
        ("watch.resync", &w.resync, duration::RESYNC, DEFAULT_RESYNC),
        (
            "watch.rediscover",
            &w.rediscover,
            duration::REDISCOVER,
            DEFAULT_REDISCOVER,
        ),
    ] {
        let Some(text) = value else { continue };
        let range = format!("use {bounds} (the default is {})", duration::Human(default));
        match parse_duration(text) {
            Ok(d) if !bounds.contains(d) => err(key, format!("`{text}` is out of range"), &range),
            Ok(_) => {}
            Err(e) => err(
                key,
                e,
                &format!("write a duration like `90s`, `5m` or `1h`; {range}"),
            ),
        }
    }
    if let Some(r) = w.replicas {
        if !(1..=3).contains(&r) {
            err(
                "watch.replicas",
                format!("{r} watcher pods is out of range"),
                "use 1, or 2-3 for hot standbys (only the lease holder writes)",
            );
        }
    }
    if let Some(p) = w.port {
        if p < 1024 {
            err(
                "watch.port",
                format!("port {p} is privileged"),
                "the watcher runs as non-root; pick a port from 1024 to 65535 (default 9090)",
            );
        }
    }
    if let Some(image) = &w.image {
        let last = image.rsplit('/').next().unwrap_or(image);
        if image.is_empty() || image.contains(char::is_whitespace) {
            err(
                "watch.image",
                format!("`{image}` is not an image reference"),
                "",
            );
        } else if !(last.contains(':') || image.contains("@sha256:")) || last.ends_with(":latest") {
            err(
                "watch.image",
                format!("image `{image}` is not pinned"),
                "add a release tag (`:v0.1.0`) or a digest (`@sha256:...`)",
            );
        }
    }
    if w.deploy {
        deploy_problems(chain, &mut err);
    }
    out
}

fn deploy_problems(chain: &LoadedChain, err: &mut impl FnMut(&str, String, &str)) {
    let w = &chain.file.watch;
    if w.image.is_none() {
        err(
            "watch.deploy",
            "the watcher pod needs an image".into(),
            "add `image = \"<registry>/opctl:v<version>\"` under [watch] (build it with the Dockerfile)",
        );
    }
    let name = chain
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !is_config_map_key(&name) {
        err(
            "watch.deploy",
            format!("the chain file name `{name}` cannot be a ConfigMap key"),
            "rename the file using letters, digits, `-`, `_` and `.` only",
        );
    }
    for (key, rel) in [
        ("chain.rollup_config", &chain.file.chain.rollup_config),
        ("chain.genesis", &chain.file.chain.genesis),
    ] {
        if let Some(rel) = rel {
            if !is_mountable_path(rel) {
                err(
                    key,
                    format!("`{rel}` cannot be mounted next to the chain file in the watcher pod"),
                    "with `watch.deploy = true`, use a path below the chain file's directory (no `..`, not absolute)",
                );
            }
        }
    }
}

/// ConfigMap keys: `[-._a-zA-Z0-9]+`, at most 253 characters.
pub fn is_config_map_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
}

/// A relative path a projected volume item can use: no `..` element, not absolute, no empty parts.
pub fn is_mountable_path(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('/')
        && s.split('/')
            .all(|part| !part.is_empty() && part != ".." && part != "." && is_config_map_key(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sum_of_durations_beyond_the_largest_duration_is_an_error_not_a_panic() {
        // Found by the chain-file fuzz target. Each part fits; 1.2 million of them add up to
        // more than u64::MAX seconds.
        let parts = (u64::MAX / (u64::from(u32::MAX) * 3600) + 1) as usize;
        let long = "4294967295h".repeat(parts);
        assert!(parse_duration(&long).is_err());
    }

    #[test]
    fn defaults_are_five_and_ten_minutes_and_zero_switches_rediscovery_off() {
        let w = Watch::default();
        assert_eq!(w.resync(), DEFAULT_RESYNC);
        assert_eq!(w.rediscover(), DEFAULT_REDISCOVER);
        let off = Watch {
            rediscover: Some("0".into()),
            ..Watch::default()
        };
        assert_eq!(off.rediscover(), Duration::ZERO);
        assert_eq!(w.drift, DriftPolicy::Correct);
        assert_eq!(w.lock_policy, LockPolicy::Hold);
        assert!(!w.prune && !w.deploy);
    }

    #[test]
    fn out_of_range_values_that_skipped_validation_are_kept_in_range() {
        let w = |resync: &str, rediscover: &str| Watch {
            resync: Some(resync.into()),
            rediscover: Some(rediscover.into()),
            ..Watch::default()
        };
        let max = u64::MAX.to_string();
        assert_eq!(w("0", &max).resync(), Duration::from_secs(1));
        assert_eq!(w(&max, "0").resync(), Duration::from_secs(24 * 3600));
        assert_eq!(w(&max, &max).rediscover(), Duration::from_secs(24 * 3600));
        assert_eq!(w("1", "1ms").rediscover(), Duration::from_secs(1));
        assert_eq!(w("1", "0").rediscover(), Duration::ZERO);
    }

    #[test]
    fn mountable_paths_stay_below_the_chain_file() {
        assert!(is_mountable_path("devnet/rollup.json"));
        assert!(is_mountable_path("rollup.json"));
        for bad in [
            "../rollup.json",
            "/etc/rollup.json",
            "a//b",
            "./a",
            "a/../b",
            "",
        ] {
            assert!(!is_mountable_path(bad), "{bad}");
        }
        assert!(is_config_map_key("devnet.toml"));
        assert!(!is_config_map_key("my chain.toml"));
    }
}

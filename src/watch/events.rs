//! Kubernetes Events about the watch loop (drift corrected or reported, L1 changes, held roles,
//! failed passes), recorded on the chain's ApplySet parent ConfigMap so `kubectl describe
//! configmap <chain>-applyset` shows the chain's history. Best effort: a failure to record is logged,
//! never fatal. Repeats of one message are recorded at most once per [`REPEAT_AFTER`]. Writing them
//! is `crate::cluster::events`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::cluster::events::EventRecorder;
use crate::cluster::Cluster;

/// An identical event is not recorded again within this time.
pub const REPEAT_AFTER: Duration = Duration::from_secs(600);
/// The controller events name as their reporter.
pub const CONTROLLER: &str = "opctl.io/opctl-watch";

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Normal,
    Warning,
}

/// Records events on one chain's ApplySet parent.
pub struct Recorder {
    events: EventRecorder,
    recent: HashMap<(String, String), Instant>,
}

impl Recorder {
    pub fn new(cluster: &Cluster, namespace: &str, chain: &str, identity: &str) -> Self {
        Recorder {
            events: cluster.event_recorder(
                namespace,
                &format!("{chain}-applyset"),
                CONTROLLER,
                identity,
            ),
            recent: HashMap::new(),
        }
    }

    /// Record an event unless the same one was recorded recently.
    pub async fn record(&mut self, level: Level, reason: &str, message: &str) {
        let key = (reason.to_string(), message.to_string());
        if self
            .recent
            .get(&key)
            .is_some_and(|t| t.elapsed() < REPEAT_AFTER)
        {
            return;
        }
        self.recent.retain(|_, t| t.elapsed() < REPEAT_AFTER);
        let publish = self
            .events
            .publish(level == Level::Warning, reason, "Reconcile", message);
        match tokio::time::timeout(Duration::from_secs(5), publish).await {
            Ok(Ok(())) => {
                self.recent.insert(key, Instant::now());
            }
            Ok(Err(e)) => tracing::warn!(reason, error = %e, "could not record a Kubernetes Event"),
            Err(_) => tracing::warn!(reason, "could not record a Kubernetes Event in time"),
        }
    }
}

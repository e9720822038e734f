//! Kubernetes Events about the watch loop (drift corrected or reported, L1 changes, held roles,
//! failed passes), recorded on the chain's ApplySet parent ConfigMap so `kubectl describe
//! configmap <chain>-applyset` shows the chain's history. Best effort: a failure to record is logged,
//! never fatal. Repeats of one message are recorded at most once per [`REPEAT_AFTER`].

use std::collections::HashMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{ConfigMap, Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, PostParams};
use kube::Client;

/// An identical event is not recorded again within this time.
pub const REPEAT_AFTER: Duration = Duration::from_secs(600);
/// The component events name as their source.
pub const COMPONENT: &str = "opctl-watch";

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Normal,
    Warning,
}

/// Records events on one chain's ApplySet parent.
pub struct Recorder {
    client: Client,
    namespace: String,
    parent: String,
    identity: String,
    uid: Option<String>,
    recent: HashMap<(String, String), Instant>,
}

/// The message as an Event holds it: at most 1 KiB, cut at a character boundary.
pub fn clip(message: &str) -> String {
    const MAX: usize = 1024;
    if message.len() <= MAX {
        return message.to_string();
    }
    let mut end = MAX - 3;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &message[..end])
}

impl Recorder {
    pub fn new(client: Client, namespace: &str, chain: &str, identity: &str) -> Self {
        Recorder {
            client,
            namespace: namespace.to_string(),
            parent: format!("{chain}-applyset"),
            identity: identity.to_string(),
            uid: None,
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
        match tokio::time::timeout(Duration::from_secs(5), self.create(level, reason, message))
            .await
        {
            Ok(Ok(())) => {
                self.recent.insert(key, Instant::now());
            }
            Ok(Err(e)) => tracing::warn!(reason, error = %e, "could not record a Kubernetes Event"),
            Err(_) => tracing::warn!(reason, "could not record a Kubernetes Event in time"),
        }
    }

    async fn create(
        &mut self,
        level: Level,
        reason: &str,
        message: &str,
    ) -> Result<(), kube::Error> {
        if self.uid.is_none() {
            let cms: Api<ConfigMap> = Api::namespaced(self.client.clone(), &self.namespace);
            self.uid = cms
                .get_opt(&self.parent)
                .await?
                .and_then(|c| c.metadata.uid);
        }
        let now = Timestamp::now();
        let event = Event {
            metadata: ObjectMeta {
                name: Some(format!("{}.{:x}", self.parent, now.as_nanosecond())),
                namespace: Some(self.namespace.clone()),
                ..Default::default()
            },
            involved_object: ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("ConfigMap".into()),
                name: Some(self.parent.clone()),
                namespace: Some(self.namespace.clone()),
                uid: self.uid.clone(),
                ..Default::default()
            },
            reason: Some(reason.to_string()),
            message: Some(clip(message)),
            type_: Some(
                match level {
                    Level::Normal => "Normal",
                    Level::Warning => "Warning",
                }
                .into(),
            ),
            count: Some(1),
            first_timestamp: Some(Time(now)),
            last_timestamp: Some(Time(now)),
            action: Some("Reconcile".into()),
            reporting_component: Some(format!("opctl.io/{COMPONENT}")),
            reporting_instance: Some(self.identity.clone()),
            source: Some(EventSource {
                component: Some(COMPONENT.into()),
                host: None,
            }),
            ..Default::default()
        };
        let events: Api<Event> = Api::namespaced(self.client.clone(), &self.namespace);
        events.create(&PostParams::default(), &event).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_clipped_at_a_character_boundary() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(600);
        let c = clip(&long);
        assert!(c.len() <= 1024 && c.ends_with("..."), "{}", c.len());
    }
}

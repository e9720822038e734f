//! Kubernetes Events (`events.k8s.io/v1`) about one object, written by kube-runtime's
//! [`Recorder`]. When to record one (and which repeats to drop) is decided by the caller.

use k8s_openapi::api::core::v1::ObjectReference;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};

use super::{status_error, Cluster, ClusterError, ObjectRef};

/// The longest note the API server accepts, in bytes.
const NOTE_MAX: usize = 1024;

/// Records Events regarding one ConfigMap.
pub struct EventRecorder {
    cluster: Cluster,
    reporter: Reporter,
    regarding: ObjectRef,
    /// The ConfigMap's uid, once read.
    uid: Option<String>,
}

/// The note as an Event holds it: at most [`NOTE_MAX`] bytes, cut at a character boundary.
pub fn clip(note: &str) -> String {
    if note.len() <= NOTE_MAX {
        return note.to_string();
    }
    let mut end = NOTE_MAX - 3;
    while !note.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &note[..end])
}

impl Cluster {
    /// Events regarding the ConfigMap `name` in `namespace`, reported by `controller` (a
    /// `domain/name`) from `instance`.
    pub fn event_recorder(
        &self,
        namespace: &str,
        name: &str,
        controller: &str,
        instance: &str,
    ) -> EventRecorder {
        EventRecorder {
            cluster: self.clone(),
            reporter: Reporter {
                controller: controller.to_string(),
                instance: Some(instance.to_string()),
            },
            regarding: ObjectRef {
                kind: "ConfigMap".into(),
                namespace: Some(namespace.to_string()),
                name: name.to_string(),
            },
            uid: None,
        }
    }
}

impl EventRecorder {
    /// Record one Event (`warning`: type Warning, else Normal); the note is clipped to what the API
    /// accepts.
    pub async fn publish(
        &mut self,
        warning: bool,
        reason: &str,
        action: &str,
        note: &str,
    ) -> Result<(), ClusterError> {
        if self.uid.is_none() {
            self.uid = self
                .cluster
                .get(&self.regarding)
                .await?
                .and_then(|o| o.pointer("/metadata/uid")?.as_str().map(str::to_string));
        }
        let regarding = ObjectReference {
            api_version: Some("v1".into()),
            kind: Some(self.regarding.kind.clone()),
            namespace: self.regarding.namespace.clone(),
            name: Some(self.regarding.name.clone()),
            uid: self.uid.clone(),
            ..Default::default()
        };
        let event = Event {
            type_: if warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: reason.to_string(),
            note: Some(clip(note)),
            action: action.to_string(),
            secondary: None,
        };
        // A Recorder per Event: a long-lived one folds every later Event of the same reason into a
        // series on the first and keeps the first note, and each of our notes says something new.
        Recorder::new(self.cluster.client.clone(), self.reporter.clone())
            .publish(&event, &regarding)
            .await
            .map_err(|e| {
                status_error(
                    "create",
                    &format!("an Event on {}", self.regarding),
                    &Cluster::scope(&self.regarding),
                    "events.events.k8s.io",
                    e,
                    &self.cluster.url,
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_notes_are_clipped_at_a_character_boundary() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(600);
        let c = clip(&long);
        assert!(c.len() <= NOTE_MAX && c.ends_with("..."), "{}", c.len());
    }
}

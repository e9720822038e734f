//! Readiness predicates: pure functions of a live object, tested on inline fixtures.

use serde_json::Value;

/// Progress of one workload's rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    Waiting(String),
}

fn int(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

/// Whether a workload's rollout is complete. Objects without a rollout are ready once they exist.
pub fn readiness(object: &Value) -> Readiness {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind != "StatefulSet" && kind != "Deployment" {
        return Readiness::Ready;
    }
    let generation = int(object, "/metadata/generation");
    let observed = int(object, "/status/observedGeneration");
    if observed < generation {
        return Readiness::Waiting(format!(
            "controller has not seen generation {generation} yet (observed {observed})"
        ));
    }
    let want = object
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let updated = int(object, "/status/updatedReplicas");
    let ready = int(object, "/status/readyReplicas");
    if updated < want {
        return Readiness::Waiting(format!("{updated}/{want} replicas updated"));
    }
    if ready < want {
        return Readiness::Waiting(format!("{ready}/{want} replicas ready"));
    }
    if kind == "Deployment" {
        let available = int(object, "/status/availableReplicas");
        let total = int(object, "/status/replicas");
        if available < want {
            return Readiness::Waiting(format!("{available}/{want} replicas available"));
        }
        if total > want {
            return Readiness::Waiting(format!("{} old replicas still terminating", total - want));
        }
    } else {
        let current = object
            .pointer("/status/currentRevision")
            .and_then(Value::as_str);
        let update = object
            .pointer("/status/updateRevision")
            .and_then(Value::as_str);
        if let (Some(c), Some(u)) = (current, update) {
            if c != u {
                return Readiness::Waiting(format!("rolling from revision {c} to {u}"));
            }
        }
    }
    Readiness::Ready
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sts(generation: i64, status: Value) -> Value {
        json!({"kind": "StatefulSet", "metadata": {"generation": generation}, "spec": {"replicas": 1}, "status": status})
    }

    #[test]
    fn a_statefulset_is_ready_when_the_current_generation_is_rolled_out() {
        let s = sts(
            2,
            json!({"observedGeneration": 2, "updatedReplicas": 1, "readyReplicas": 1, "currentRevision": "r2", "updateRevision": "r2"}),
        );
        assert_eq!(readiness(&s), Readiness::Ready);
    }

    #[test]
    fn an_unobserved_generation_is_not_ready() {
        let s = sts(
            3,
            json!({"observedGeneration": 2, "updatedReplicas": 1, "readyReplicas": 1}),
        );
        assert!(matches!(readiness(&s), Readiness::Waiting(m) if m.contains("generation 3")));
    }

    #[test]
    fn a_statefulset_mid_rollout_is_not_ready() {
        let s = sts(
            2,
            json!({"observedGeneration": 2, "updatedReplicas": 1, "readyReplicas": 1, "currentRevision": "r1", "updateRevision": "r2"}),
        );
        assert!(matches!(readiness(&s), Readiness::Waiting(m) if m.contains("r1")));
        let s = sts(
            2,
            json!({"observedGeneration": 2, "updatedReplicas": 1, "readyReplicas": 0}),
        );
        assert!(matches!(readiness(&s), Readiness::Waiting(m) if m.contains("0/1 replicas ready")));
    }

    #[test]
    fn a_deployment_needs_available_replicas_and_no_leftovers() {
        let d = |status: Value| json!({"kind": "Deployment", "metadata": {"generation": 1}, "spec": {"replicas": 1}, "status": status});
        assert_eq!(
            readiness(&d(
                json!({"observedGeneration": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1, "replicas": 1})
            )),
            Readiness::Ready
        );
        assert!(matches!(
            readiness(&d(
                json!({"observedGeneration": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 0, "replicas": 1})
            )),
            Readiness::Waiting(_)
        ));
        assert!(
            matches!(readiness(&d(json!({"observedGeneration": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1, "replicas": 2}))), Readiness::Waiting(m) if m.contains("terminating"))
        );
    }

    #[test]
    fn objects_without_a_rollout_are_ready() {
        assert_eq!(readiness(&json!({"kind": "Service"})), Readiness::Ready);
    }
}

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

/// The label the StatefulSet controller puts on each pod: the revision it was created from.
pub const LABEL_REVISION: &str = "controller-revision-hash";

/// `k=v,k2=v2` of a workload's `spec.selector.matchLabels`, to list its pods (None without one).
pub fn pod_selector(workload: &Value) -> Option<String> {
    let labels = workload
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)?;
    if labels.is_empty() {
        return None;
    }
    Some(
        labels
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// Why a pod is not serving, from its status as the kubelet and scheduler report it; `None` when
/// it is Running and Ready (or already being deleted).
pub fn pod_problem(pod: &Value) -> Option<String> {
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        return None;
    }
    let conditions: Vec<&Value> = pod
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let condition = |kind: &str| {
        conditions
            .iter()
            .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
    };
    let is_true = |kind: &str| {
        condition(kind)
            .and_then(|c| c.get("status"))
            .and_then(Value::as_str)
            == Some("True")
    };
    let phase = pod
        .pointer("/status/phase")
        .and_then(Value::as_str)
        .unwrap_or("Pending");
    if phase == "Running" && is_true("Ready") {
        return None;
    }
    let explain = |c: &&Value| {
        let kind = c.get("type").and_then(Value::as_str).unwrap_or("?");
        let status = c.get("status").and_then(Value::as_str).unwrap_or("?");
        let reason = c.get("reason").and_then(Value::as_str);
        let message = c.get("message").and_then(Value::as_str);
        match (reason, message) {
            (Some(r), Some(m)) => format!("{kind}={status} ({r}: {m})"),
            (Some(r), None) => format!("{kind}={status} ({r})"),
            (None, Some(m)) => format!("{kind}={status} ({m})"),
            (None, None) => format!("{kind}={status}"),
        }
    };
    let mut parts = vec![phase.to_string()];
    if let Some(c) = condition("PodScheduled").filter(|_| !is_true("PodScheduled")) {
        parts.push(format!("not scheduled: {}", explain(c)));
    } else if let Some(c) = condition("Ready") {
        parts.push(format!("not ready: {}", explain(c)));
    } else {
        parts.push("not ready: no Ready condition reported yet".to_string());
    }
    for status in pod
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = status.get("name").and_then(Value::as_str).unwrap_or("?");
        let restarts = status
            .get("restartCount")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if let Some(waiting) = status.pointer("/state/waiting") {
            let reason = waiting
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or("Waiting");
            parts.push(format!("container {name}: {reason}, {restarts} restarts"));
        } else if status.get("ready").and_then(Value::as_bool) == Some(false) {
            parts.push(format!(
                "container {name}: running, readiness probe not passing ({restarts} restarts)"
            ));
        }
    }
    Some(parts.join("; "))
}

/// One pod of a workload and why it does not serve.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PodProblem {
    pub pod: String,
    pub problem: String,
    /// The StatefulSet revision the pod runs (its `controller-revision-hash`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

/// The pods of `pods` that are not serving.
pub fn pod_problems(pods: &[Value]) -> Vec<PodProblem> {
    let mut out: Vec<PodProblem> = pods
        .iter()
        .filter_map(|p| {
            Some(PodProblem {
                pod: p.pointer("/metadata/name")?.as_str()?.to_string(),
                problem: pod_problem(p)?,
                revision: p
                    .pointer(&format!("/metadata/labels/{LABEL_REVISION}"))
                    .and_then(Value::as_str)
                    .map(str::to_string),
            })
        })
        .collect();
    out.sort_by(|a, b| a.pod.cmp(&b.pod));
    out
}

/// Whether the StatefulSet controller waits for every pod to be Running and Ready before it
/// touches the next one (`OrderedReady`, the default). Under that policy a pod that never became
/// ready on a broken revision is never replaced, not even after the template is fixed: Kubernetes
/// documents this as the StatefulSet "forced rollback" case, where the bad pod must be deleted.
pub fn waits_for_ready_pods(set: &Value) -> bool {
    set.get("kind").and_then(Value::as_str) == Some("StatefulSet")
        && set
            .pointer("/spec/podManagementPolicy")
            .and_then(Value::as_str)
            .unwrap_or("OrderedReady")
            == "OrderedReady"
}

/// Pods of a StatefulSet that the controller will not replace by itself: not ready, not being
/// deleted, on a revision other than the one it now rolls out, once the controller has seen the
/// current template. Deleting such a pod lets the controller re-create it on the new revision.
pub fn stuck_pods(set: &Value, pods: &[Value]) -> Vec<PodProblem> {
    if !waits_for_ready_pods(set) {
        return Vec::new();
    }
    if int(set, "/status/observedGeneration") < int(set, "/metadata/generation") {
        return Vec::new();
    }
    let Some(update) = set
        .pointer("/status/updateRevision")
        .and_then(Value::as_str)
    else {
        return Vec::new();
    };
    pod_problems(pods)
        .into_iter()
        .filter(|p| p.revision.as_deref().is_some_and(|r| r != update))
        .collect()
}

/// A workload whose rollout is not finished, as a plan reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rollout {
    #[serde(flatten)]
    pub object: crate::model::object::ObjectRef,
    /// What the controller reports (e.g. `0/1 replicas ready`).
    pub state: String,
    /// Pods that do not serve, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<PodProblem>,
    /// Pods `apply` deletes once the new revision is in place, because the StatefulSet
    /// controller would never replace them (see [`stuck_pods`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delete_stuck: Vec<String>,
}

/// The rollout note of one live workload: `None` when it is ready and this plan does not roll it
/// onto unready pods. `rolls` says whether this plan changes its pod template.
pub fn rollout(live: &Value, pods: &[Value], rolls: bool) -> Option<Rollout> {
    let state = match readiness(live) {
        Readiness::Ready => return None,
        Readiness::Waiting(why) => why,
    };
    let problems = pod_problems(pods);
    let mut delete_stuck: Vec<String> = stuck_pods(live, pods).into_iter().map(|p| p.pod).collect();
    if rolls && waits_for_ready_pods(live) {
        // The new template makes a new revision: every unready pod will then be on an old one.
        delete_stuck.extend(problems.iter().map(|p| p.pod.clone()));
    }
    delete_stuck.sort();
    delete_stuck.dedup();
    Some(Rollout {
        object: crate::model::object::ObjectRef::of(live),
        state,
        pods: problems,
        delete_stuck,
    })
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

    fn pod(name: &str, revision: &str, ready: bool, waiting: Option<&str>) -> Value {
        let mut container =
            json!({"name": "op-reth", "ready": ready, "restartCount": 3, "state": {"running": {}}});
        if let Some(reason) = waiting {
            container["state"] = json!({"waiting": {"reason": reason}});
        }
        json!({
            "metadata": {"name": name, "labels": {LABEL_REVISION: revision}},
            "status": {
                "phase": "Running",
                "conditions": [
                    {"type": "PodScheduled", "status": "True"},
                    {"type": "Ready", "status": if ready { "True" } else { "False" },
                     "reason": "ContainersNotReady", "message": "containers with unready status: [op-reth]"},
                ],
                "containerStatuses": [container],
            }
        })
    }

    fn set(generation: i64, observed: i64, update: &str, ready: i64) -> Value {
        json!({
            "kind": "StatefulSet",
            "metadata": {"name": "devnet-replica-0", "namespace": "ns", "generation": generation},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "x", "opctl.io/role": "replica"}}},
            "status": {"observedGeneration": observed, "updatedReplicas": 1, "readyReplicas": ready,
                       "currentRevision": "r1", "updateRevision": update},
        })
    }

    #[test]
    fn a_pod_problem_names_phase_conditions_and_containers() {
        assert_eq!(pod_problem(&pod("p-0", "r1", true, None)), None);
        let why =
            pod_problem(&pod("p-0", "r1", false, Some("CrashLoopBackOff"))).expect("a problem");
        assert!(why.contains("Running"), "{why}");
        assert!(why.contains("Ready=False (ContainersNotReady"), "{why}");
        assert!(
            why.contains("container op-reth: CrashLoopBackOff, 3 restarts"),
            "{why}"
        );
        let unscheduled = json!({"metadata": {"name": "p"}, "status": {"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/2 nodes are available"}]}});
        let why = pod_problem(&unscheduled).expect("a problem");
        assert!(
            why.contains("not scheduled") && why.contains("0/2 nodes"),
            "{why}"
        );
        let leaving = json!({"metadata": {"name": "p", "deletionTimestamp": "2026-12-01T00:00:00Z"}, "status": {"phase": "Running"}});
        assert_eq!(pod_problem(&leaving), None);
    }

    #[test]
    fn a_pod_selector_is_built_from_match_labels() {
        assert_eq!(
            pod_selector(&set(1, 1, "r1", 1)).as_deref(),
            Some("app=x,opctl.io/role=replica")
        );
        assert_eq!(pod_selector(&json!({"spec": {}})), None);
    }

    #[test]
    fn an_unready_pod_on_an_old_revision_is_stuck_only_once_the_controller_saw_the_template() {
        let pods = [pod("devnet-replica-0-0", "r2", false, None)];
        let stuck = stuck_pods(&set(3, 3, "r3", 0), &pods);
        assert_eq!(stuck.len(), 1);
        assert_eq!(stuck[0].pod, "devnet-replica-0-0");
        // Not observed yet: the controller may still act.
        assert!(stuck_pods(&set(3, 2, "r3", 0), &pods).is_empty());
        // On the revision being rolled out: unready, but not stuck.
        assert!(stuck_pods(&set(3, 3, "r2", 0), &pods).is_empty());
        // A ready pod on an old revision is the controller's normal work.
        assert!(stuck_pods(&set(3, 3, "r3", 0), &[pod("x-0", "r2", true, None)]).is_empty());
        // Under the Parallel policy the controller replaces unready pods itself.
        let mut parallel = set(3, 3, "r3", 0);
        parallel["spec"]["podManagementPolicy"] = json!("Parallel");
        assert!(stuck_pods(&parallel, &pods).is_empty());
    }

    #[test]
    fn a_plan_that_rolls_an_unready_statefulset_deletes_its_unready_pods() {
        let pods = [pod(
            "devnet-replica-0-0",
            "r2",
            false,
            Some("CrashLoopBackOff"),
        )];
        let note = rollout(&set(2, 2, "r2", 0), &pods, true).expect("unfinished");
        assert_eq!(note.state, "0/1 replicas ready");
        assert_eq!(note.delete_stuck, vec!["devnet-replica-0-0".to_string()]);
        assert_eq!(note.pods.len(), 1);
        // Without a template change nothing is deleted: the pod is on the current revision.
        let note = rollout(&set(2, 2, "r2", 0), &pods, false).expect("unfinished");
        assert!(note.delete_stuck.is_empty());
        // A finished rollout has no note.
        assert_eq!(rollout(&set(2, 2, "r1", 1), &[], true), None);
    }
}

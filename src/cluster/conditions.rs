//! Pod conditions opctl owns: the replicas' readiness gate (`opctl.io/caught-up`). Written with the
//! pod's `status` subresource as a strategic-merge patch, which merges `status.conditions` by
//! `type`: the kubelet's own conditions are never touched, as the Kubernetes documentation asks of
//! readiness-gate writers ("Pod readiness", pod-lifecycle). Needs RBAC `patch` on `pods/status`.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{json, Value};

use super::{status_error, Cluster, ClusterError, MANAGER};

/// One pod's condition of a given type, as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodCondition {
    /// `True`, `False` or `Unknown`.
    pub status: String,
    pub reason: Option<String>,
}

/// A replica pod as the gate sees it: its name and UID, when it was created, and the gate
/// condition it carries now (None: never written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatedPod {
    pub name: String,
    pub uid: String,
    /// `metadata.creationTimestamp`, unix seconds.
    pub created: Option<i64>,
    pub gate: Option<PodCondition>,
}

fn condition(pod: &Value, kind: &str) -> Option<PodCondition> {
    pod.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
        .map(|c| PodCondition {
            status: c["status"].as_str().unwrap_or_default().to_string(),
            reason: c.get("reason").and_then(Value::as_str).map(str::to_string),
        })
}

impl Cluster {
    /// The pods matching `selector` in `namespace`, with their `kind` condition.
    pub async fn pods_with_condition(
        &self,
        namespace: &str,
        selector: &str,
        kind: &str,
    ) -> Result<Vec<GatedPod>, ClusterError> {
        let str_at =
            |p: &Value, at: &str| p.pointer(at).and_then(Value::as_str).map(str::to_string);
        Ok(self
            .list(super::Kind::Pod, Some(namespace), selector)
            .await?
            .iter()
            .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none())
            .map(|p| GatedPod {
                name: str_at(p, "/metadata/name").unwrap_or_default(),
                uid: str_at(p, "/metadata/uid").unwrap_or_default(),
                created: str_at(p, "/metadata/creationTimestamp")
                    .and_then(|t| t.parse::<k8s_openapi::jiff::Timestamp>().ok())
                    .map(|t| t.as_second()),
                gate: condition(p, kind),
            })
            .collect())
    }

    /// Sets condition `kind` of pod `pod` (only the pod with UID `uid`: a re-created pod of the
    /// same name refuses the write) to `status` with a reason and message, merged by type into
    /// the pod's status (other conditions untouched). `flipped`: the status changes, so
    /// `lastTransitionTime` moves; otherwise it keeps the time of the last flip.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_pod_condition(
        &self,
        namespace: &str,
        pod: &str,
        uid: &str,
        kind: &str,
        status: bool,
        flipped: bool,
        reason: &str,
        message: &str,
    ) -> Result<(), ClusterError> {
        let _slot = self.slot().await;
        let api: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
        let now = k8s_openapi::jiff::Timestamp::now().to_string();
        let mut condition = json!({
            "type": kind,
            "status": if status { "True" } else { "False" },
            "reason": reason,
            "message": message,
            "lastProbeTime": Value::Null,
        });
        if flipped {
            condition["lastTransitionTime"] = json!(now);
        }
        let patch: Value = json!({
            "metadata": { "uid": uid },
            "status": { "conditions": [condition] },
        });
        api.patch_status(
            pod,
            &PatchParams {
                field_manager: Some(MANAGER.to_string()),
                ..PatchParams::default()
            },
            &Patch::Strategic(&patch),
        )
        .await
        .map(|_| ())
        .map_err(|e| {
            status_error(
                "patch",
                &format!("pod {namespace}/{pod} condition {kind}"),
                &format!("namespace {namespace}"),
                "pods/status",
                e,
                &self.url,
            )
        })
    }
}

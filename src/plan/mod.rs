//! Planning, pure: normalise live and would-be objects, classify each change, mask Secrets, diff.
//!
//! Nothing here talks to a cluster; `reconcile` feeds it what the cluster said.

pub mod file;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod order;
pub mod policy;
pub mod ready;

pub use file::{plan_json, ChainPlan, PlanFile, PlanFileError};

use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::model::object::ObjectRef;
use crate::render::{Desired, Phase, Role};

/// Version of the JSON plan format (`-o json` and `--out` files).
pub const PLAN_API_VERSION: &str = "opctl.io/plan/v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    Create,
    /// A generated Secret (JWT, p2p key) that does not exist yet: its value is made at apply time.
    CreateGenerated,
    Update,
    /// An immutable field changes: delete (orphaning pods, keeping volumes) and re-create.
    Replace,
    /// A member of this chain that is no longer desired.
    Prune,
    Unchanged,
}

impl Op {
    pub fn label(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::CreateGenerated => "create (generated)",
            Op::Update => "update",
            Op::Replace => "replace",
            Op::Prune => "prune",
            Op::Unchanged => "unchanged",
        }
    }
}

/// A field another manager owns with a value opctl would change (from a server-side apply conflict).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    pub manager: String,
    pub field: String,
}

/// One key of a Secret, shown by name and fingerprint only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretKey {
    pub key: String,
    /// `sha256:` + the first 6 bytes of the value's SHA-256, hex; absent for generated values.
    pub fingerprint: Option<String>,
    pub state: KeyState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyState {
    Added,
    Changed,
    Unchanged,
    Removed,
    Generated,
}

/// One planned change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub op: Op,
    #[serde(flatten)]
    pub object: ObjectRef,
    pub role: Option<Role>,
    pub phase: Option<Phase>,
    /// The change rolls the pods of a workload.
    pub restarts: bool,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<Drift>,
    /// Unified diff of the normalised live and would-be objects (Secrets masked).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub diff: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secret_keys: Vec<SecretKey>,
    /// resourceVersion of the live object the plan was computed against.
    pub live_resource_version: Option<String>,
    /// What apply writes (never with secret values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired: Option<Desired>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub prune: usize,
    pub unchanged: usize,
}

impl Summary {
    pub fn of(changes: &[Change]) -> Summary {
        let mut s = Summary::default();
        for c in changes {
            match c.op {
                Op::Create | Op::CreateGenerated => s.create += 1,
                Op::Update => s.update += 1,
                Op::Replace => s.replace += 1,
                Op::Prune => s.prune += 1,
                Op::Unchanged => s.unchanged += 1,
            }
        }
        s
    }

    pub fn pending(&self) -> bool {
        self.create + self.update + self.replace + self.prune > 0
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} to create, {} to update, {} to replace, {} to prune, {} unchanged",
            self.create, self.update, self.replace, self.prune, self.unchanged
        )
    }
}

/// Fields the server owns or that change on every write; never part of a comparison.
const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];
const SERVER_ANNOTATIONS: &[&str] = &[
    "deployment.kubernetes.io/revision",
    "kubectl.kubernetes.io/last-applied-configuration",
];

/// The object without server-owned fields and status; Secret values replaced by fingerprints.
pub fn normalise(object: &Value) -> Value {
    let mut v = object.clone();
    if let Some(map) = v.as_object_mut() {
        map.remove("status");
        if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
            for k in SERVER_METADATA {
                meta.remove(*k);
            }
            if let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
                for k in SERVER_ANNOTATIONS {
                    ann.remove(*k);
                }
                if ann.is_empty() {
                    meta.remove("annotations");
                }
            }
        }
        // Binary ConfigMap values (the compressed genesis parts) are shown by size and digest: a
        // diff of megabytes of base64 says nothing a digest does not.
        if let Some(binary) = map.get_mut("binaryData").and_then(Value::as_object_mut) {
            for value in binary.values_mut() {
                let raw = value
                    .as_str()
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                    .unwrap_or_default();
                *value = Value::String(format!("{} bytes, {}", raw.len(), fingerprint(&raw)));
            }
        }
        if map.get("kind").and_then(Value::as_str) == Some("Secret") {
            let fingerprints = secret_fingerprints(object);
            map.remove("stringData");
            if fingerprints.is_empty() {
                map.remove("data");
            } else {
                let masked = fingerprints
                    .into_iter()
                    .map(|(k, f)| (k, Value::String(f)))
                    .collect();
                map.insert("data".into(), Value::Object(masked));
            }
        }
    }
    v
}

/// Non-reversible fingerprint of a secret value.
pub fn fingerprint(value: &[u8]) -> String {
    format!("sha256:{}", hex::encode(&Sha256::digest(value)[..6]))
}

/// key -> fingerprint of every value of a Secret object (`data` is base64, `stringData` plain).
pub fn secret_fingerprints(secret: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(data) = secret.get("data").and_then(Value::as_object) {
        for (k, v) in data {
            let raw = v
                .as_str()
                .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                .unwrap_or_default();
            out.insert(k.clone(), fingerprint(&raw));
        }
    }
    if let Some(data) = secret.get("stringData").and_then(Value::as_object) {
        for (k, v) in data {
            out.insert(k.clone(), fingerprint(v.as_str().unwrap_or("").as_bytes()));
        }
    }
    out
}

/// Unified diff of two normalised objects as YAML.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> String {
    let yaml = |v: Option<&Value>| {
        v.map(|v| serde_saphyr::to_string(v).unwrap_or_default())
            .unwrap_or_default()
    };
    let (a, b) = (yaml(before), yaml(after));
    if a == b {
        return String::new();
    }
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header("live", "planned")
        .to_string()
}

/// What the server said about the would-be object.
#[derive(Debug, Clone)]
pub enum DryRun {
    /// The object as it would be after apply.
    Result(Value),
    /// Another manager owns fields opctl would change; `forced` is the would-be object with force.
    Conflict { drift: Vec<Drift>, forced: Value },
    /// The server refused an update to an immutable field.
    Immutable { message: String },
    /// Not asked (create-only objects, or a namespace that does not exist yet).
    Skipped,
}

/// Classify one desired object against its live state and the server's dry-run answer.
pub fn classify(desired: &Desired, live: Option<&Value>, dry_run: DryRun) -> Change {
    let object = ObjectRef::of(&desired.object);
    let live_rv = live
        .and_then(|l| l.pointer("/metadata/resourceVersion"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut change = Change {
        op: Op::Unchanged,
        object,
        role: desired.role,
        phase: Some(desired.phase),
        restarts: false,
        reason: String::new(),
        drift: Vec::new(),
        diff: String::new(),
        secret_keys: Vec::new(),
        live_resource_version: live_rv,
        desired: Some(without_secret_values(desired)),
    };
    if desired.create_only {
        match live {
            Some(_) => {
                change.reason =
                    "generated secret exists; kept as is (never rotated by apply)".into();
            }
            None => {
                change.op = Op::CreateGenerated;
                change.reason = "generated at apply time with a CSPRNG".into();
                change.secret_keys = desired
                    .fills
                    .keys()
                    .map(|k| SecretKey {
                        key: k.clone(),
                        fingerprint: None,
                        state: KeyState::Generated,
                    })
                    .collect();
            }
        }
        return change;
    }
    let Some(live) = live else {
        change.op = Op::Create;
        change.reason = "new".into();
        let after = match &dry_run {
            DryRun::Result(v) => normalise(v),
            _ => normalise(&desired.object),
        };
        change.secret_keys = secret_key_states(None, Some(&after));
        change.diff = diff(None, Some(&after));
        return change;
    };
    let before = normalise(live);
    let after = match dry_run {
        DryRun::Result(v) => normalise(&v),
        DryRun::Conflict { drift, forced } => {
            change.drift = drift;
            normalise(&forced)
        }
        DryRun::Immutable { message } => {
            change.op = Op::Replace;
            let planned = normalise(&desired.object);
            change.reason = format!("an immutable field changes ({message}); needs --allow-recreate: the object is deleted (pods orphaned, volumes kept) and created again");
            if change.object.kind == "StatefulSet"
                && before.pointer("/spec/volumeClaimTemplates")
                    != planned.pointer("/spec/volumeClaimTemplates")
            {
                change.reason.push_str("; existing volumes keep their size: expand their PersistentVolumeClaims separately (the StorageClass must allow volume expansion)");
            }
            change.restarts = matches!(change.object.kind.as_str(), "StatefulSet" | "Deployment");
            change.diff = diff(Some(&before), Some(&planned));
            return change;
        }
        DryRun::Skipped => normalise(&desired.object),
    };
    if before == after {
        change.reason = "matches the cluster".into();
        return change;
    }
    change.op = Op::Update;
    change.diff = diff(Some(&before), Some(&after));
    change.secret_keys = secret_key_states(Some(&before), Some(&after));
    change.restarts = before.pointer("/spec/template") != after.pointer("/spec/template")
        && matches!(change.object.kind.as_str(), "StatefulSet" | "Deployment");
    change.reason = if change.drift.is_empty() {
        "the chain file changed".into()
    } else {
        let mut managers: Vec<&str> = change.drift.iter().map(|d| d.manager.as_str()).collect();
        managers.dedup();
        format!("drift: changed in the cluster by {}", managers.join(", "))
    };
    if change.restarts {
        change.reason.push_str(&restart_note(change.role));
    }
    change
}

/// What a pod restart of a role means for the chain.
pub fn restart_note(role: Option<Role>) -> String {
    match role {
        Some(Role::Sequencer) => {
            "; restarts the sequencer: block production stops until it is back".into()
        }
        Some(Role::Batcher) => "; restarts op-batcher: batches are not posted meanwhile".into(),
        Some(Role::Proposer) => "; restarts op-proposer".into(),
        Some(Role::Challenger) => "; restarts op-challenger".into(),
        Some(Role::Replica) => "; restarts a replica (RPC capacity drops meanwhile)".into(),
        None => String::new(),
    }
}

fn secret_key_states(before: Option<&Value>, after: Option<&Value>) -> Vec<SecretKey> {
    let keys = |v: Option<&Value>| -> BTreeMap<String, String> {
        v.filter(|v| v.get("kind").and_then(Value::as_str) == Some("Secret"))
            .and_then(|v| v.get("data"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (b, a) = (keys(before), keys(after));
    let mut out = Vec::new();
    for (k, fa) in &a {
        let state = match b.get(k) {
            None => KeyState::Added,
            Some(fb) if fb == fa => KeyState::Unchanged,
            Some(_) => KeyState::Changed,
        };
        out.push(SecretKey {
            key: k.clone(),
            fingerprint: Some(fa.clone()),
            state,
        });
    }
    for (k, fb) in &b {
        if !a.contains_key(k) {
            out.push(SecretKey {
                key: k.clone(),
                fingerprint: Some(fb.clone()),
                state: KeyState::Removed,
            });
        }
    }
    out
}

/// The desired object as a plan may carry it: a Secret's values are filled at apply time, never stored.
fn without_secret_values(desired: &Desired) -> Desired {
    let mut d = desired.clone();
    if let Some(map) = d.object.as_object_mut() {
        if map.get("kind").and_then(Value::as_str) == Some("Secret") {
            map.remove("data");
            map.remove("stringData");
        }
    }
    d
}

/// A live member of the chain's ApplySet that is no longer desired.
pub fn prune_change(live: &Value) -> Change {
    let object = ObjectRef::of(live);
    let role = live
        .pointer("/metadata/labels/opctl.io~1role")
        .and_then(Value::as_str)
        .and_then(|r| match r {
            "sequencer" => Some(Role::Sequencer),
            "replica" => Some(Role::Replica),
            "batcher" => Some(Role::Batcher),
            "proposer" => Some(Role::Proposer),
            "challenger" => Some(Role::Challenger),
            _ => None,
        });
    Change {
        op: Op::Prune,
        restarts: false,
        reason: "no longer in the chain file".into(),
        drift: Vec::new(),
        diff: diff(Some(&normalise(live)), None),
        secret_keys: Vec::new(),
        live_resource_version: live
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string),
        desired: None,
        role,
        phase: None,
        object,
    }
}

/// True for Secrets holding generated keys (JWT, p2p identity): kept on prune unless asked.
pub fn is_generated_secret(live: &Value) -> bool {
    live.pointer("/metadata/annotations/opctl.io~1secret-fill")
        .and_then(Value::as_str)
        .is_some_and(|f| f.contains("=jwt") || f.contains("=p2p-key"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn desired(object: Value) -> Desired {
        Desired {
            role: Some(Role::Sequencer),
            phase: Phase::Sequencer,
            create_only: false,
            fills: BTreeMap::new(),
            object,
        }
    }

    fn sts(image: &str, rv: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
               "metadata": {"name": "s", "namespace": "n", "resourceVersion": rv, "uid": "u", "generation": 3,
                            "managedFields": [{"manager": "opctl"}], "creationTimestamp": "2026-01-01T00:00:00Z"},
               "spec": {"template": {"spec": {"containers": [{"name": "op-node", "image": image, "imagePullPolicy": "IfNotPresent"}]}}},
               "status": {"readyReplicas": 1}})
    }

    #[test]
    fn server_owned_fields_and_status_never_show_as_changes() {
        let c = classify(
            &desired(sts("a:1", "1")),
            Some(&sts("a:1", "7")),
            DryRun::Result(sts("a:1", "8")),
        );
        assert_eq!(c.op, Op::Unchanged);
        assert!(c.diff.is_empty());
    }

    #[test]
    fn an_image_change_is_an_update_that_restarts_the_sequencer() {
        let c = classify(
            &desired(sts("a:2", "1")),
            Some(&sts("a:1", "7")),
            DryRun::Result(sts("a:2", "7")),
        );
        assert_eq!(c.op, Op::Update);
        assert!(c.restarts);
        assert!(c.reason.contains("block production stops"), "{}", c.reason);
        assert!(
            c.diff.contains("-              image: a:1")
                || c.diff.contains("-          image: a:1")
                || c.diff.contains("image: a:1"),
            "{}",
            c.diff
        );
        assert_eq!(
            c.diff
                .lines()
                .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
                .count(),
            1,
            "{}",
            c.diff
        );
    }

    #[test]
    fn a_conflict_is_drift_named_after_its_manager() {
        let drift = vec![Drift {
            manager: "kubectl-edit".into(),
            field: ".spec.template.spec.containers[name=\"op-node\"].image".into(),
        }];
        let c = classify(
            &desired(sts("a:1", "1")),
            Some(&sts("b:9", "7")),
            DryRun::Conflict {
                drift,
                forced: sts("a:1", "7"),
            },
        );
        assert_eq!(c.op, Op::Update);
        assert!(c.reason.contains("kubectl-edit"), "{}", c.reason);
    }

    #[test]
    fn an_immutable_change_is_a_replace() {
        let c = classify(
            &desired(sts("a:1", "1")),
            Some(&sts("a:1", "7")),
            DryRun::Immutable {
                message: "spec: Forbidden".into(),
            },
        );
        assert_eq!(c.op, Op::Replace);
        assert!(c.reason.contains("--allow-recreate"));
    }

    #[test]
    fn secret_values_are_replaced_by_fingerprints_everywhere() {
        let live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x", "namespace": "n"}, "data": {"url": "aHR0cHM6Ly9vbGQ="}});
        let would = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x", "namespace": "n"}, "data": {"url": "aHR0cHM6Ly9uZXc="}});
        let c = classify(&desired(would.clone()), Some(&live), DryRun::Result(would));
        assert_eq!(c.op, Op::Update);
        let text = serde_json::to_string(&c).expect("json");
        for leaked in [
            "aHR0cHM6Ly9vbGQ=",
            "aHR0cHM6Ly9uZXc=",
            "https://old",
            "https://new",
        ] {
            assert!(!text.contains(leaked), "{leaked} in {text}");
        }
        assert_eq!(c.secret_keys.len(), 1);
        assert_eq!(c.secret_keys[0].state, KeyState::Changed);
        assert!(c.secret_keys[0]
            .fingerprint
            .as_deref()
            .is_some_and(|f| f.starts_with("sha256:")));
    }

    #[test]
    fn a_missing_generated_secret_is_created_and_an_existing_one_kept() {
        let mut d = desired(
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "j", "namespace": "n"}}),
        );
        d.create_only = true;
        d.fills
            .insert("jwt.hex".into(), crate::render::SecretFill::Jwt);
        assert_eq!(classify(&d, None, DryRun::Skipped).op, Op::CreateGenerated);
        let live = json!({"kind": "Secret", "metadata": {"name": "j", "resourceVersion": "5"}, "data": {"jwt.hex": "eHg="}});
        assert_eq!(classify(&d, Some(&live), DryRun::Skipped).op, Op::Unchanged);
    }

    #[test]
    fn the_summary_counts_every_operation() {
        let mut c = classify(&desired(sts("a:1", "1")), None, DryRun::Skipped);
        let s = Summary::of(&[c.clone()]);
        assert_eq!((s.create, s.pending()), (1, true));
        c.op = Op::Unchanged;
        assert!(!Summary::of(&[c]).pending());
    }
}

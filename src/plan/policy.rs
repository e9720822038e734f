//! Which changes of a pass the watcher writes, and which it only reports: the drift policy per
//! role, roles held by failed checks, and immutable changes (never replaced unattended). Pure.
//!
//! A change is *drift* when the cluster moved away from what the watcher last saw it match: another
//! field manager owns a field opctl sets (a server-side apply conflict), or the desired object is
//! the same as when the cluster last matched it but the object now differs (edited or deleted).
//! Changes of the chain file itself are never drift: they are applied under either policy.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{DriftPolicy, Watch};
use crate::model::object::ObjectRef;
use crate::plan::ChainPlan;
use crate::plan::{Change, Op, Summary};
use crate::render::Role;

/// The drift policy of the chain and its per-role overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub default: DriftPolicy,
    pub roles: BTreeMap<Role, DriftPolicy>,
}

impl Policy {
    pub fn from_config(w: &Watch) -> Self {
        let r = &w.roles;
        let roles = [
            (Role::Sequencer, r.sequencer),
            (Role::Replica, r.replica),
            (Role::Batcher, r.batcher),
            (Role::Proposer, r.proposer),
            (Role::Challenger, r.challenger),
        ]
        .into_iter()
        .filter_map(|(role, p)| p.map(|p| (role, p)))
        .collect();
        Policy {
            default: w.drift,
            roles,
        }
    }

    /// The policy for an object of `role` (shared objects have none and follow the chain's).
    pub fn for_role(&self, role: Option<Role>) -> DriftPolicy {
        role.and_then(|r| self.roles.get(&r).copied())
            .unwrap_or(self.default)
    }
}

/// Per object, a fingerprint of the desired object the cluster was last seen to match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory(BTreeMap<ObjectRef, String>);

/// SHA-256 of the desired object (rendered without secret values), when the change has one.
pub fn desired_hash(change: &Change) -> Option<String> {
    let d = change.desired.as_ref()?;
    let text = serde_json::to_string(&d.object).ok()?;
    Some(hex::encode(Sha256::digest(text.as_bytes())))
}

/// Why a change was left alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Held {
    /// Drift under policy `warn`.
    Drift,
    /// An immutable field changes: only `opctl apply --allow-recreate` replaces objects.
    Immutable,
    /// The role's key checks fail against the newest L1 state.
    Checks { failed: Vec<String> },
}

/// A change the watcher reported instead of writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub object: ObjectRef,
    pub op: Op,
    pub role: Option<Role>,
    pub held: Held,
    /// The plan's reason for the change (which manager drifted it, which field is immutable).
    pub reason: String,
}

/// What one pass writes and what it only reports.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The plan restricted to the changes to write (the same pass applies it).
    pub apply: ChainPlan,
    /// Objects among `apply` that are drift being taken back.
    pub corrections: Vec<ObjectRef>,
    pub skipped: Vec<Skipped>,
}

impl Memory {
    fn is_drift(&self, change: &Change) -> bool {
        if !change.drift.is_empty() {
            return true;
        }
        matches!(change.op, Op::Create | Op::CreateGenerated | Op::Update)
            && desired_hash(change).is_some_and(|h| self.0.get(&change.object) == Some(&h))
    }

    /// After a pass whose writes all succeeded: the cluster now matches every written or
    /// unchanged object; skipped ones keep what was known before; pruned ones are gone.
    pub fn record(&mut self, plan: &ChainPlan, decision: &Decision) {
        for change in &plan.changes {
            if decision.skipped.iter().any(|s| s.object == change.object) {
                continue;
            }
            if change.op == Op::Prune {
                self.0.remove(&change.object);
            } else if let Some(h) = desired_hash(change) {
                self.0.insert(change.object.clone(), h);
            }
        }
    }

    /// Objects remembered.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Split a plan into what to write and what to report. `held_roles` maps a role to the failed
/// checks that hold it.
pub fn decide(
    plan: &ChainPlan,
    policy: &Policy,
    memory: &Memory,
    held_roles: &BTreeMap<Role, Vec<String>>,
) -> Decision {
    let mut apply = Vec::new();
    let mut corrections = Vec::new();
    let mut skipped = Vec::new();
    for change in plan.changes.iter().filter(|c| c.op != Op::Unchanged) {
        let skip = |held: Held| Skipped {
            object: change.object.clone(),
            op: change.op,
            role: change.role,
            held,
            reason: change.reason.clone(),
        };
        if let Some(failed) = change.role.and_then(|r| held_roles.get(&r)) {
            skipped.push(skip(Held::Checks {
                failed: failed.clone(),
            }));
            continue;
        }
        if change.op == Op::Replace {
            skipped.push(skip(Held::Immutable));
            continue;
        }
        if change.op != Op::Prune && memory.is_drift(change) {
            if policy.for_role(change.role) == DriftPolicy::Warn {
                skipped.push(skip(Held::Drift));
                continue;
            }
            corrections.push(change.object.clone());
        }
        apply.push(change.clone());
    }
    Decision {
        apply: ChainPlan {
            summary: Summary::of(&apply),
            changes: apply,
            ..plan.clone()
        },
        corrections,
        skipped,
    }
}

/// Metric label of an operation.
pub fn op_label(op: Op) -> &'static str {
    match op {
        Op::Create => "create",
        Op::CreateGenerated => "create-generated",
        Op::Update => "update",
        Op::Replace => "replace",
        Op::Prune => "prune",
        Op::Unchanged => "unchanged",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::watch::RoleDrift;
    use crate::plan::fixtures::{change, plan};
    use crate::plan::Drift;

    fn policy(default: DriftPolicy, batcher: Option<DriftPolicy>) -> Policy {
        Policy::from_config(&Watch {
            drift: default,
            roles: RoleDrift {
                batcher,
                ..RoleDrift::default()
            },
            ..Watch::default()
        })
    }

    fn names(objects: &[ObjectRef]) -> Vec<&str> {
        objects.iter().map(|o| o.name.as_str()).collect()
    }

    #[test]
    fn everything_is_applied_on_the_first_pass_even_with_warn() {
        let p = plan(vec![
            change("Service", "a", Some(Role::Sequencer), Op::Create, "x"),
            change("Service", "b", None, Op::Unchanged, "x"),
        ]);
        let d = decide(
            &p,
            &policy(DriftPolicy::Warn, None),
            &Memory::default(),
            &BTreeMap::new(),
        );
        assert_eq!(d.apply.changes.len(), 1);
        assert!(d.skipped.is_empty() && d.corrections.is_empty());
        assert_eq!(d.apply.summary.create, 1);
    }

    #[test]
    fn a_deleted_object_the_cluster_matched_before_is_drift_corrected_or_only_reported() {
        let first = plan(vec![change(
            "Service",
            "svc",
            Some(Role::Sequencer),
            Op::Unchanged,
            "x",
        )]);
        let mut memory = Memory::default();
        let d = decide(
            &first,
            &policy(DriftPolicy::Correct, None),
            &memory,
            &BTreeMap::new(),
        );
        memory.record(&first, &d);
        assert_eq!(memory.len(), 1);

        let deleted = plan(vec![change(
            "Service",
            "svc",
            Some(Role::Sequencer),
            Op::Create,
            "x",
        )]);
        let d = decide(
            &deleted,
            &policy(DriftPolicy::Correct, None),
            &memory,
            &BTreeMap::new(),
        );
        assert_eq!(names(&d.corrections), ["svc"]);
        assert_eq!(d.apply.changes.len(), 1);

        let d = decide(
            &deleted,
            &policy(DriftPolicy::Warn, None),
            &memory,
            &BTreeMap::new(),
        );
        assert!(d.apply.changes.is_empty());
        assert_eq!(d.skipped.len(), 1);
        assert_eq!(d.skipped[0].held, Held::Drift);
    }

    #[test]
    fn a_chain_file_change_is_applied_under_warn_but_a_conflict_is_drift() {
        let mut memory = Memory::default();
        let before = plan(vec![change(
            "Deployment",
            "dep",
            Some(Role::Batcher),
            Op::Unchanged,
            "v1",
        )]);
        let d = decide(
            &before,
            &policy(DriftPolicy::Warn, None),
            &memory,
            &BTreeMap::new(),
        );
        memory.record(&before, &d);

        let edited = plan(vec![change(
            "Deployment",
            "dep",
            Some(Role::Batcher),
            Op::Update,
            "v2",
        )]);
        let d = decide(
            &edited,
            &policy(DriftPolicy::Warn, None),
            &memory,
            &BTreeMap::new(),
        );
        assert_eq!(
            d.apply.changes.len(),
            1,
            "the desired object changed: not drift"
        );
        assert!(d.corrections.is_empty());

        let mut conflict = change("Deployment", "dep", Some(Role::Batcher), Op::Update, "v2");
        conflict.drift = vec![Drift {
            manager: "kubectl-edit".into(),
            field: ".spec.template.spec.containers[name=\"x\"].image".into(),
        }];
        let p = plan(vec![conflict]);
        let d = decide(
            &p,
            &policy(DriftPolicy::Warn, None),
            &Memory::default(),
            &BTreeMap::new(),
        );
        assert_eq!(d.skipped.len(), 1);
        let d = decide(
            &p,
            &policy(DriftPolicy::Warn, Some(DriftPolicy::Correct)),
            &Memory::default(),
            &BTreeMap::new(),
        );
        assert_eq!(names(&d.corrections), ["dep"], "the batcher override wins");
    }

    #[test]
    fn immutable_changes_and_held_roles_are_never_written() {
        let p = plan(vec![
            change(
                "StatefulSet",
                "seq",
                Some(Role::Sequencer),
                Op::Replace,
                "x",
            ),
            change("Deployment", "bat", Some(Role::Batcher), Op::Update, "x"),
            change("Service", "shared", None, Op::Create, "x"),
        ]);
        let held = BTreeMap::from([(
            Role::Batcher,
            vec!["batcher-key: not the batcher".to_string()],
        )]);
        let d = decide(
            &p,
            &policy(DriftPolicy::Correct, None),
            &Memory::default(),
            &held,
        );
        assert_eq!(
            names(
                &d.apply
                    .changes
                    .iter()
                    .map(|c| c.object.clone())
                    .collect::<Vec<_>>()
            ),
            ["shared"]
        );
        assert_eq!(d.skipped[0].held, Held::Immutable);
        assert!(
            matches!(&d.skipped[1].held, Held::Checks { failed } if failed[0].starts_with("batcher-key"))
        );
    }

    #[test]
    fn skipped_objects_keep_their_memory_and_pruned_ones_are_forgotten() {
        let mut memory = Memory::default();
        let base = plan(vec![
            change("Service", "a", None, Op::Unchanged, "x"),
            change("Service", "b", None, Op::Unchanged, "x"),
        ]);
        let d = decide(
            &base,
            &policy(DriftPolicy::Warn, None),
            &memory,
            &BTreeMap::new(),
        );
        memory.record(&base, &d);
        let next = plan(vec![
            change("Service", "a", None, Op::Create, "x"),
            change("Service", "b", None, Op::Prune, "x"),
        ]);
        let d = decide(
            &next,
            &policy(DriftPolicy::Warn, None),
            &memory,
            &BTreeMap::new(),
        );
        assert_eq!(d.skipped.len(), 1);
        memory.record(&next, &d);
        assert_eq!(memory.len(), 1, "b pruned, a still remembered");
        let again = decide(
            &next,
            &policy(DriftPolicy::Warn, None),
            &memory,
            &BTreeMap::new(),
        );
        assert_eq!(again.skipped.len(), 1, "still drift on the next pass");
    }
}

//! The order a role-ordered apply rolls workloads in, and what the plan says about it.
//!
//! An apply that changes the pods of several roles rolls them one workload at a time, each ready
//! before the next: the replicas first, one by one in ordinal order (they keep serving while the
//! sequencer restarts, and a replica that does not come up on the new version stops the upgrade
//! before the sequencer is touched), then the sequencer, then op-batcher, op-proposer and
//! op-challenger, which depend on it. Each replica is its own one-pod StatefulSet, so "one pod at
//! a time" is one StatefulSet at a time; no `partition` is needed. `--parallel` rolls everything
//! at once.

use serde::Serialize;
use serde_json::Value;

use super::{ChainPlan, Change, Op};
use crate::render::Role;

/// Role rank in a rollout that keeps the chain up.
fn rank(role: Option<Role>) -> u8 {
    match role {
        Some(Role::Replica) => 0,
        Some(Role::Sequencer) => 1,
        Some(Role::Batcher) => 2,
        Some(Role::Proposer) => 3,
        Some(Role::Challenger) => 4,
        None => 5,
    }
}

/// `name-12` sorts after `name-2`.
fn natural_key(name: &str) -> (String, u64) {
    match name.rsplit_once('-') {
        Some((stem, n)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {
            (stem.to_string(), n.parse().unwrap_or(u64::MAX))
        }
        _ => (name.to_string(), 0),
    }
}

/// The changes that roll the pods of an existing workload, in rollout order. Creations are not
/// steps: nothing serves from them yet.
pub fn rollout_order(plan: &ChainPlan) -> Vec<&Change> {
    let mut steps: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.restarts && matches!(c.op, Op::Update | Op::Replace))
        .filter(|c| matches!(c.object.kind.as_str(), "StatefulSet" | "Deployment"))
        .collect();
    steps.sort_by_key(|c| (rank(c.role), natural_key(&c.object.name)));
    steps
}

/// How long the sequencer produces no blocks while its pod is replaced, at least: the old pod's
/// termination grace period plus the new pod's readiness delay (image pull and start-up on top).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Downtime {
    /// `terminationGracePeriodSeconds` (Kubernetes default 30).
    pub termination_grace_seconds: u64,
    /// Longest `readinessProbe.initialDelaySeconds` of its containers.
    pub readiness_delay_seconds: u64,
}

impl Downtime {
    /// Lower bound in seconds.
    pub fn at_least_seconds(&self) -> u64 {
        self.termination_grace_seconds + self.readiness_delay_seconds
    }

    fn of(change: &Change) -> Option<Downtime> {
        let spec = change
            .desired
            .as_ref()?
            .object
            .pointer("/spec/template/spec")?;
        let grace = spec
            .get("terminationGracePeriodSeconds")
            .and_then(Value::as_u64)
            .unwrap_or(30);
        let delay = spec
            .get("containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.pointer("/readinessProbe/initialDelaySeconds")?.as_u64())
            .max()
            .unwrap_or(0);
        Some(Downtime {
            termination_grace_seconds: grace,
            readiness_delay_seconds: delay,
        })
    }
}

/// One step, as the plan shows it (`-o json` field `rolloutOrder`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// `Kind/name`.
    pub object: String,
    /// The role, or `watcher`.
    pub role: &'static str,
    /// For the sequencer: the block-production gap to expect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequencer_downtime: Option<Downtime>,
}

/// The steps of `plan`'s role-ordered rollout (empty when fewer than two workloads roll: the
/// order then changes nothing).
pub fn steps(plan: &ChainPlan) -> Vec<Step> {
    let order = rollout_order(plan);
    if order.len() < 2 {
        return Vec::new();
    }
    order
        .into_iter()
        .map(|c| Step {
            object: c.object.to_string(),
            role: c.role.map_or("watcher", Role::as_str),
            sequencer_downtime: (c.role == Some(Role::Sequencer))
                .then(|| Downtime::of(c))
                .flatten(),
        })
        .collect()
}

/// The plan's text about the order, empty when there is none.
pub fn render_text(plan: &ChainPlan) -> String {
    let steps = steps(plan);
    if steps.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\nRollout order (apply waits for each to be ready before the next, and stops at the first that is not; `--parallel` rolls all at once):\n",
    );
    for (i, s) in steps.iter().enumerate() {
        out.push_str(&format!("  {}. {} ({})", i + 1, s.object, s.role));
        if let Some(d) = &s.sequencer_downtime {
            out.push_str(&format!(
                ": no blocks for at least {}s while its pod is replaced (termination grace {}s + readiness delay {}s, plus image pull and start-up)",
                d.at_least_seconds(),
                d.termination_grace_seconds,
                d.readiness_delay_seconds
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::fixtures::{self, plan};
    use serde_json::json;

    /// A workload change that rolls pods (`restarts`), with a pod template carrying a grace
    /// period of 60 s and readiness delays of 15 s and 5 s.
    fn change(kind: &str, name: &str, role: Role, op: Op, restarts: bool) -> Change {
        let mut c = fixtures::change(kind, name, Some(role), op, "img:1");
        c.restarts = restarts;
        if let Some(d) = c.desired.as_mut() {
            d.object["spec"] = json!({"template": {"spec": {
                "terminationGracePeriodSeconds": 60,
                "containers": [
                    {"readinessProbe": {"initialDelaySeconds": 15}},
                    {"readinessProbe": {"initialDelaySeconds": 5}}
                ]
            }}});
        }
        c
    }

    #[test]
    fn replicas_roll_first_in_ordinal_order_then_the_sequencer_then_the_services() {
        let p = plan(vec![
            change("Deployment", "c-proposer", Role::Proposer, Op::Update, true),
            change(
                "StatefulSet",
                "c-sequencer",
                Role::Sequencer,
                Op::Update,
                true,
            ),
            change(
                "StatefulSet",
                "c-replica-10",
                Role::Replica,
                Op::Update,
                true,
            ),
            change("Deployment", "c-batcher", Role::Batcher, Op::Update, true),
            change(
                "StatefulSet",
                "c-replica-2",
                Role::Replica,
                Op::Replace,
                true,
            ),
            change(
                "StatefulSet",
                "c-replica-0",
                Role::Replica,
                Op::Update,
                true,
            ),
            change(
                "StatefulSet",
                "c-challenger",
                Role::Challenger,
                Op::Update,
                true,
            ),
            // Not steps: a creation, and an update that restarts nothing.
            change(
                "StatefulSet",
                "c-replica-3",
                Role::Replica,
                Op::Create,
                true,
            ),
            change(
                "StatefulSet",
                "c-replica-1",
                Role::Replica,
                Op::Update,
                false,
            ),
        ]);
        let names: Vec<String> = rollout_order(&p)
            .into_iter()
            .map(|c| c.object.name.clone())
            .collect();
        assert_eq!(
            names,
            [
                "c-replica-0",
                "c-replica-2",
                "c-replica-10",
                "c-sequencer",
                "c-batcher",
                "c-proposer",
                "c-challenger"
            ]
        );
        let roles: Vec<&str> = steps(&p).iter().map(|s| s.role).collect();
        assert_eq!(
            roles,
            [
                "replica",
                "replica",
                "replica",
                "sequencer",
                "batcher",
                "proposer",
                "challenger"
            ]
        );
    }

    #[test]
    fn the_plan_names_the_order_and_the_sequencer_downtime() {
        let p = plan(vec![
            change(
                "StatefulSet",
                "c-sequencer",
                Role::Sequencer,
                Op::Update,
                true,
            ),
            change(
                "StatefulSet",
                "c-replica-0",
                Role::Replica,
                Op::Update,
                true,
            ),
        ]);
        let text = render_text(&p);
        assert!(text.contains("1. StatefulSet/c-replica-0"), "{text}");
        assert!(text.contains("2. StatefulSet/c-sequencer"), "{text}");
        assert!(
            text.contains("no blocks for at least 75s")
                && text.contains("termination grace 60s + readiness delay 15s"),
            "{text}"
        );
        let json = serde_json::to_value(steps(&p)).unwrap();
        assert_eq!(
            json[1]["sequencerDowntime"]["terminationGraceSeconds"],
            json!(60)
        );
        let only_one = plan(vec![change(
            "StatefulSet",
            "c-sequencer",
            Role::Sequencer,
            Op::Update,
            true,
        )]);
        assert_eq!(render_text(&only_one), "", "one workload: no order to show");
    }
}

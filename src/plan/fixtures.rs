//! Test fixtures: changes and plans built from inline JSON, shared by the plan's and the pass's
//! unit tests.

use std::collections::BTreeMap;

use serde_json::json;

use super::{ChainPlan, Change, Op, Summary};
use crate::model::object::ObjectRef;
use crate::render::{Desired, Phase, Role};

/// A change of one object (`spec.image` = `image`), with its desired body.
pub fn change(kind: &str, name: &str, role: Option<Role>, op: Op, image: &str) -> Change {
    let object = json!({"apiVersion": "v1", "kind": kind,
                        "metadata": {"name": name, "namespace": "ns"}, "spec": {"image": image}});
    Change {
        op,
        object: ObjectRef::of(&object),
        role,
        phase: Some(Phase::Services),
        restarts: false,
        reason: "r".into(),
        drift: Vec::new(),
        diff: String::new(),
        secret_keys: Vec::new(),
        live_resource_version: None,
        desired: Some(Desired {
            role,
            phase: Phase::Services,
            create_only: false,
            fills: BTreeMap::new(),
            object,
        }),
    }
}

/// The plan of chain `c` in namespace `ns`.
pub fn plan(changes: Vec<Change>) -> ChainPlan {
    ChainPlan {
        file: "c.toml".into(),
        chain: "c".into(),
        namespace: "ns".into(),
        inputs_hash: String::new(),
        env_fingerprints: BTreeMap::new(),
        summary: Summary::of(&changes),
        changes,
        rollouts: Vec::new(),
        forks: Vec::new(),
    }
}

//! The plan of a chain and the saved plan file (`opctl plan --out`): pure data, with the JSON views
//! `-o json` prints. Nothing secret is ever part of them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{Change, Summary, PLAN_API_VERSION};
use crate::model::checks::CheckResult;

/// The plan of one chain, as computed against the cluster.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainPlan {
    pub file: PathBuf,
    pub chain: String,
    pub namespace: String,
    /// SHA-256 of the chain file, its rollup/genesis files and its lock file.
    pub inputs_hash: String,
    /// Fingerprints of values opctl takes from its environment (`env:VAR` URLs), per Secret key.
    #[serde(default)]
    pub env_fingerprints: BTreeMap<String, String>,
    pub summary: Summary,
    pub changes: Vec<Change>,
    /// Workloads whose rollout is unfinished in the cluster, and the stuck pods apply deletes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rollouts: Vec<crate::plan::ready::Rollout>,
    /// L2 hardforks that activate within 30 days of the plan (`resolve::fork_schedule`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forks: Vec<crate::model::forks::UpcomingFork>,
}

/// A plan saved with `--out`: everything needed to apply exactly it, and nothing secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanFile {
    pub api_version: String,
    pub chains: Vec<ChainPlan>,
}

impl PlanFile {
    pub fn new(chains: Vec<ChainPlan>) -> Self {
        PlanFile {
            api_version: PLAN_API_VERSION.to_string(),
            chains,
        }
    }

    /// JSON without the unchanged objects' bodies (they are not applied).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_json(text: &str, path: &str) -> Result<PlanFile, PlanFileError> {
        let file: PlanFile = serde_json::from_str(text).map_err(|e| PlanFileError::NotAPlan {
            path: path.to_string(),
            message: e.to_string(),
        })?;
        if file.api_version != PLAN_API_VERSION {
            return Err(PlanFileError::Format {
                path: path.to_string(),
                found: file.api_version,
            });
        }
        Ok(file)
    }
}

/// Why a file given as a saved plan cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("cannot read plan file {path}: {message}")]
    Read { path: String, message: String },
    #[error("{path} is not an opctl plan file: {message}")]
    NotAPlan { path: String, message: String },
    #[error("{path}: plan format {found} is not {PLAN_API_VERSION}; plan again with this opctl")]
    Format { path: String, found: String },
}

/// A JSON-friendly view of plans for `-o json` (same shape as the saved plan, without bodies), with
/// each chain's check results.
pub fn plan_json(plans: &[ChainPlan], checks: &[Vec<CheckResult>]) -> Value {
    let chains: Vec<Value> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let changes: Vec<Value> = p
                .changes
                .iter()
                .map(|c| {
                    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
                    if let Some(m) = v.as_object_mut() {
                        m.remove("desired");
                    }
                    v
                })
                .collect();
            let checks = checks.get(i).map(|c| serde_json::to_value(c).unwrap_or(Value::Null)).unwrap_or(json!([]));
            let order = serde_json::to_value(super::order::steps(p)).unwrap_or(Value::Null);
            json!({"file": p.file, "chain": p.chain, "namespace": p.namespace, "summary": p.summary, "forks": p.forks, "checks": checks, "changes": changes, "rolloutOrder": order})
        })
        .collect();
    json!({"apiVersion": PLAN_API_VERSION, "chains": chains})
}

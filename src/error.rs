//! The error every subcommand returns, and how it maps to an exit code.

use crate::cluster::ClusterError;
use crate::config::ConfigError;
use crate::render::RenderError;

/// Exit codes: 0 success, 1 any error (usage errors too), 2 changes pending (with `--exit-code`),
/// 3 blocked by a failed check.
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const CHANGES: u8 = 2;
    pub const BLOCKED: u8 = 3;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{file}: {source}")]
    Render { file: String, source: RenderError },
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("environment variable {var} is not set; {object} takes its value from it\n  hint: export {var}=... before running opctl")]
    EnvMissing { var: String, object: String },
    #[error("{file}: refusing to prune: the chain file renders no workloads, so every member would be deleted\n  hint: disable roles one at a time, or use `opctl destroy`")]
    PruneRefused { file: String },
    #[error("immutable fields change; nothing was written:\n  {}\n  hint: re-run with --allow-recreate", objects.join("\n  "))]
    NeedsRecreate { objects: Vec<String> },
    #[error("{source}\n  already written before the failure: {}\n  hint: fix the cause and run apply again; it converges", if written.is_empty() { "nothing".to_string() } else { written.join(", ") })]
    Partial {
        written: Vec<String>,
        source: Box<Error>,
    },
    #[error("timed out waiting for {what}\n  hint: check the pods (`kubectl describe`), or raise --timeout")]
    Timeout { what: String },
    #[error("rollouts did not finish within {timeout}; everything else was applied:\n  {}\n  hint: `opctl plan` shows what is unfinished; fix the cause (image, resources, node capacity) and apply again, or raise --timeout", workloads.join("\n  "))]
    Rollout {
        timeout: String,
        workloads: Vec<String>,
    },
    #[error("{0}")]
    RolloutStopped(Box<StoppedRollout>),
    #[error("the saved plan is stale; nothing was written:\n  {}\n  hint: run `opctl plan --out` again", reasons.join("\n  "))]
    StalePlan { reasons: Vec<String> },
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
    #[error("{file}: {source}")]
    LockMismatch {
        file: String,
        source: crate::lock::LockMismatch,
    },
    #[error(transparent)]
    Discovery(#[from] crate::rpc::DiscoveryError),
    #[error(transparent)]
    Rpc(#[from] crate::rpc::RpcError),
    #[error("blocked by failed checks; nothing was written:\n  {}\n  hint: fix the keys, the chain file or the L1 endpoints (`opctl preflight` re-runs the endpoint checks), or override one check with --skip-check NAME", failed.join("\n  "))]
    Blocked { failed: Vec<String> },
    #[error("{chain}: stopped before converging the replicas onto the sequencer's peer ID: {why}{}\n  hint: what you confirmed was written; run `opctl plan` and `opctl apply` again to review the rest", if objects.is_empty() { String::new() } else { format!(":\n  {}", objects.join("\n  ")) })]
    ConvergeRefused {
        chain: String,
        why: String,
        objects: Vec<String>,
    },
    #[error("{why}")]
    WatcherUninstalled { why: String },
    #[error("{flag}: {message}")]
    InvalidFlag { flag: String, message: String },
    #[error("{failed} of {total} chain files are invalid")]
    InvalidChainFiles { failed: usize, total: usize },
    #[error("{file}: no SystemConfig to start from\n  hint: set contracts.system_config, give rollup_config (it names l1_system_config_address), or use a known network ({networks})")]
    NoSystemConfig { file: String, networks: String },
    #[error("{0}")]
    L1Url(String),
    /// A signer key could not be read or is not a key; the message never carries the value.
    #[error("{what}: {message}")]
    Key { what: String, message: String },
    /// The generated sequencer p2p key in the cluster is unusable.
    #[error("Secret/{secret} (namespace {namespace}): {message}; delete the Secret to have apply generate a new identity")]
    Identity {
        secret: String,
        namespace: String,
        message: String,
    },
    #[error("cannot print {what}: {message}")]
    Output { what: String, message: String },
    #[error("{0}")]
    Prompt(String),
    #[error(transparent)]
    PlanFile(#[from] crate::plan::PlanFileError),
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Blocked { .. } => exit::BLOCKED,
            _ => exit::ERROR,
        }
    }
}

/// A role-ordered rollout that stopped at a step that did not get ready.
#[derive(Debug)]
pub struct StoppedRollout {
    /// `Kind/name (role)` of the step.
    pub step: String,
    /// Its position (from 1) and the number of steps.
    pub index: usize,
    pub total: usize,
    /// Later steps, not written.
    pub untouched: Vec<String>,
    /// Everything written before the stop.
    pub written: Vec<String>,
    /// The pass's `--timeout`.
    pub timeout: String,
    /// The unready workload and its pods' problems.
    pub detail: Vec<String>,
}

impl std::fmt::Display for StoppedRollout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |v: &[String]| {
            if v.is_empty() {
                "nothing".to_string()
            } else {
                v.join(", ")
            }
        };
        write!(
            f,
            "the role-ordered rollout stopped at step {}/{}, {}: it was not ready when the --timeout of {} ran out:\n  {}\n  already written: {}\n  untouched (not rolled): {}\n  hint: fix the cause and apply again (it resumes where it stopped); `--parallel` rolls every role at once",
            self.index,
            self.total,
            self.step,
            self.timeout,
            self.detail.join("\n  "),
            list(&self.written),
            list(&self.untouched)
        )
    }
}

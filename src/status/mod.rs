//! Chain-aware status of the chain's nodes: what each op-node and execution client is doing, read
//! through the Kubernetes API (the apiserver's pod proxy, no Service needed), and a verdict per
//! node. The JSON is versioned as [`API_VERSION`] and documented in docs/status.md.

pub mod gate;
pub mod judge;
pub mod operators;
pub mod probe;
pub mod report;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::resolve::KeySource;
use crate::rpc::{Backoff, L1Rpc, ReadMode, RpcOptions};
use operators::OperatorsReport;

use crate::cluster::Cluster;
use crate::config::LoadedChain;
use crate::render::{node_name, Node};

pub use probe::Limits;
pub use report::NodesReport;

/// `apiVersion` of `opctl status -o json`.
pub const API_VERSION: &str = "opctl.io/status/v1";

/// Settings of the nodes part of a status run.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub limits: Limits,
    /// Blocks behind the sequencer that still count as synced.
    pub max_lag: u64,
}

/// The chain file's nodes, sequencer first, and the pod serving each (the StatefulSet's only pod).
pub fn targets(chain: &LoadedChain) -> Vec<probe::Target> {
    let name = &chain.file.chain.name;
    let mut out = Vec::new();
    if chain.file.sequencer.enabled {
        let sts = node_name(name, Node::Sequencer);
        out.push(probe::Target {
            pod: format!("{sts}-0"),
            name: sts,
            role: probe::NodeRole::Sequencer,
            // render::nodes: the sequencer derives from L1 (`--syncmode=consensus-layer`).
            sync_mode: crate::config::SyncMode::ConsensusLayer.as_flag(),
        });
    }
    if chain.file.replicas.enabled {
        for i in 0..chain.file.replicas.count {
            let sts = node_name(name, Node::Replica(i));
            out.push(probe::Target {
                pod: format!("{sts}-0"),
                name: sts,
                role: probe::NodeRole::Replica,
                sync_mode: chain.file.replicas.sync_mode.as_flag(),
            });
        }
    }
    out
}

/// Reads every node of the chain through `cluster` and judges it. `reference_url`: `[status]
/// reference_rpc` resolved (`Err`: why it could not be), read right after the nodes' last sample.
pub async fn nodes(
    cluster: &Cluster,
    chain: &LoadedChain,
    settings: Settings,
    reference_url: Option<Result<String, String>>,
) -> NodesReport {
    let targets = targets(chain);
    let collected = probe::collect(cluster, chain.namespace(), &targets, settings.limits).await;
    let external = match reference_url {
        Some(url) => Some(read_reference(url, settings.limits.rpc_timeout).await),
        None => None,
    };
    let thresholds = judge::Thresholds {
        max_lag: settings.max_lag,
        block_time: report::block_time(
            chain
                .rollup()
                .and_then(Result::ok)
                .map(|r| r.config.block_time),
            &collected,
        ),
    };
    let now_s = now_s();
    report::build(
        &collected,
        chain.file.chain.l2_chain_id,
        thresholds,
        settings.limits.interval.as_millis() as u64,
        now_s,
        external.as_ref(),
    )
}

/// The operator roles on L1 (`opctl status`, `opctl watch`); `None` when the chain file enables none. Never fails: an L1 RPC
/// that cannot be resolved or does not answer is reported per role.
pub async fn read_operators(
    chain: &LoadedChain,
    cluster: &Cluster,
    l1_rpc_flag: Option<&str>,
    rpc_timeout: Duration,
    deadline: Duration,
) -> Option<OperatorsReport> {
    // A lock file for another chain is no discovery here (`plan` reports it).
    let resolved = crate::resolve::resolve(chain).ok();
    let discovery = resolved.as_ref().and_then(|r| r.discovery.as_ref());
    // Keys are read (from their Secrets) only for roles neither the lock nor the chain file names.
    let mut targets = crate::status::operator_targets(chain, discovery, None);
    if targets.iter().any(|t| t.address.is_none()) {
        let keys = crate::resolve::signer_addresses(chain, &KeySource::Cluster(cluster))
            .await
            .ok();
        targets = crate::status::operator_targets(chain, discovery, keys.as_ref());
    }
    if targets.is_empty() {
        return None;
    }
    let low_eth = chain
        .file
        .status
        .low_balance
        .as_deref()
        .unwrap_or(crate::config::status::DEFAULT_LOW_BALANCE)
        .trim()
        .to_string();
    let low_wei = chain.file.status.low_balance_wei();
    let url = match crate::resolve::l1_rpc_url(chain, l1_rpc_flag, Some(cluster)).await {
        Ok(url) => url,
        Err(e) => {
            return Some(operators::unavailable(
                &targets,
                &format!("no L1 RPC URL: {e}"),
                &low_eth,
            ))
        }
    };
    let options = RpcOptions {
        timeout: rpc_timeout,
        backoff: Backoff::none(),
        mode: ReadMode::JsonRpcBatch,
        max_batch_size: 100,
    };
    let rpc = match L1Rpc::new(&url, options) {
        Ok(rpc) => rpc,
        Err(e) => return Some(operators::unavailable(&targets, &e.to_string(), &low_eth)),
    };
    let factory = resolved
        .as_ref()
        .and_then(|r| r.contracts.dispute_game_factory.as_deref())
        .and_then(|a| a.parse().ok());
    let now = k8s_openapi::jiff::Timestamp::now().as_second().max(0) as u64;
    let read = operators::read(&rpc, &targets, factory, low_wei, &low_eth, now);
    Some(match tokio::time::timeout(deadline, read).await {
        Ok(report) => report,
        Err(_) => operators::unavailable(
            &targets,
            &format!(
                "the L1 RPC {} did not answer within the deadline {:?}",
                rpc.url(),
                deadline
            ),
            &low_eth,
        ),
    })
}

/// `[status] reference_rpc` resolved (`Err`: why it cannot be); `None` when the chain file sets
/// none.
pub async fn reference_url(
    chain: &LoadedChain,
    cluster: &Cluster,
) -> Option<Result<String, String>> {
    let source = chain.file.status.reference_rpc.as_ref()?;
    Some(
        crate::resolve::url_source(chain, source, "status.reference_rpc", Some(cluster))
            .await
            .map_err(|e| e.to_string()),
    )
}

/// The clock, unix seconds.
pub fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

/// Reads `[status] reference_rpc` directly (it is outside the cluster): one JSON-RPC batch of
/// `eth_blockNumber` and `optimism_syncStatus` (answered when it is an op-node), bounded by
/// `timeout`, no retries. Its URL is printed redacted only.
pub async fn read_reference(
    url: Result<String, String>,
    timeout: Duration,
) -> report::ExternalReference {
    use crate::rpc::{Backoff, L1Rpc, ReadMode, RpcOptions};
    let url = match url {
        Ok(url) => url,
        Err(e) => {
            return report::ExternalReference {
                label: "reference_rpc".to_string(),
                read: Err(e),
                requests: 0,
            }
        }
    };
    let options = RpcOptions {
        timeout,
        backoff: Backoff::none(),
        mode: ReadMode::JsonRpcBatch,
        max_batch_size: 100,
    };
    let label = format!("reference_rpc {}", crate::rpc::redact_url(&url));
    let rpc = match L1Rpc::new(&url, options) {
        Ok(rpc) => rpc,
        Err(e) => {
            return report::ExternalReference {
                label,
                read: Err(e.to_string()),
                requests: 0,
            }
        }
    };
    let answers = rpc
        .calls(
            "reference heads",
            vec![
                ("eth_blockNumber", serde_json::json!([])),
                ("optimism_syncStatus", serde_json::json!([])),
            ],
        )
        .await;
    let read = match answers {
        Err(e) => Err(e.to_string()),
        Ok(mut a) => {
            let sync = a
                .pop()
                .and_then(Result::ok)
                .and_then(|v| serde_json::from_value::<judge::SyncStatus>(v).ok());
            match (sync, a.pop()) {
                (Some(s), _) => Ok(judge::Reference::from_sync("the reference RPC", &s)),
                (None, Some(Ok(head))) => {
                    operators::quantity(&head).map(|unsafe_l2| judge::Reference {
                        whose: "the reference RPC".to_string(),
                        unsafe_l2,
                        safe_l2: None,
                        finalized_l2: None,
                    })
                }
                (None, Some(Err(e))) => Err(format!("eth_blockNumber: {e}")),
                (None, None) => Err("no answer".to_string()),
            }
        }
    };
    report::ExternalReference {
        label,
        read,
        requests: rpc.http_requests(),
    }
}

/// The enabled operator roles of the chain file and each signer's address: the lock file's
/// discovered role (what L1 expects: SystemConfig's batcher, the permissioned game's or
/// L2OutputOracle's proposer and challenger), else the role's `signer.address`, else the address
/// of the key in its Secret (`keys`, read by the caller; the key itself is dropped there).
pub fn operator_targets(
    chain: &LoadedChain,
    discovery: Option<&crate::lock::Discovery>,
    keys: Option<&crate::rpc::SignerAddresses>,
) -> Vec<operators::RoleTarget> {
    use crate::lock::RoleName;
    use operators::Role;
    let f = &chain.file;
    let roles = [
        (
            Role::Batcher,
            f.batcher.enabled,
            &f.batcher.signer,
            RoleName::Batcher,
        ),
        (
            Role::Proposer,
            f.proposer.enabled,
            &f.proposer.signer,
            RoleName::Proposer,
        ),
        (
            Role::Challenger,
            f.challenger.enabled,
            &f.challenger.signer,
            RoleName::Challenger,
        ),
    ];
    roles
        .into_iter()
        .filter(|(_, enabled, _, _)| *enabled)
        .map(|(role, _, signer, name)| {
            let from_key = keys.and_then(|k| match role {
                Role::Batcher => k.batcher,
                Role::Proposer => k.proposer,
                Role::Challenger => k.challenger,
            });
            let secret = signer
                .as_ref()
                .and_then(|s| Some(format!("{}/{}", s.secret.as_ref()?, s.key.as_ref()?)));
            let (address, source) = if let Some(a) = discovery.and_then(|d| d.role(name)) {
                (Some(a), "lock file".to_string())
            } else if let Some(a) = signer.as_ref().and_then(|s| s.signer_address()) {
                (
                    Some(a),
                    format!("chain file {}.signer.address", role.as_str()),
                )
            } else if let Some(a) = from_key {
                (
                    Some(a),
                    format!("key in Secret {}", secret.unwrap_or_default()),
                )
            } else {
                (
                    None,
                    "no lock file role, no signer.address, no readable key".to_string(),
                )
            };
            operators::RoleTarget {
                role,
                address,
                source,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lock::{Discovery, RoleName, Source, Sourced};
    use alloy::primitives::Address;
    use operators::Role;

    /// The devnet example, its challenger disabled and its proposer on a remote signer.
    fn chain() -> LoadedChain {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
        let text = std::fs::read_to_string(&path).expect("read the example");
        let text = text
            .replace("[challenger]\n", "[challenger]\nenabled = false\n")
            .replace(
                "[proposer]\nsigner = { secret = \"devnet-keys\", key = \"proposer\" }",
                "[proposer]\nsigner = { endpoint = \"https://signer.example.org\", address = \"0x00000000000000000000000000000000000000b2\" }",
            );
        crate::config::load_str(&path, &text).expect("valid")
    }

    #[test]
    fn operator_addresses_come_from_the_lock_then_signer_address_then_the_key_and_disabled_roles_are_skipped(
    ) {
        let chain = chain();
        let keys = crate::rpc::SignerAddresses {
            batcher: Some(Address::with_last_byte(0xa1)),
            sequencer: None,
            proposer: Some(Address::with_last_byte(0xa2)),
            challenger: None,
        };
        let t = operator_targets(&chain, None, Some(&keys));
        let got: Vec<(Role, Option<Address>, &str)> = t
            .iter()
            .map(|t| (t.role, t.address, t.source.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Role::Batcher,
                    Some(Address::with_last_byte(0xa1)),
                    "key in Secret devnet-keys/batcher"
                ),
                (
                    Role::Proposer,
                    Some(Address::with_last_byte(0xb2)),
                    "chain file proposer.signer.address"
                ),
            ],
            "the challenger is not enabled"
        );
        let mut d = Discovery::new(Address::with_last_byte(1));
        d.roles.insert(
            RoleName::Batcher,
            Sourced::new(
                Address::with_last_byte(0xc1),
                Source::Toml { key: "x".into() },
            ),
        );
        let t = operator_targets(&chain, Some(&d), Some(&keys));
        assert_eq!(t[0].address, Some(Address::with_last_byte(0xc1)));
        assert_eq!(t[0].source, "lock file");
        let t = operator_targets(&chain, None, None);
        assert_eq!(t[0].address, None);
    }
}

//! The preflight probes of a chain's L1 endpoints (`l1-methods`, `blob-retention`,
//! `signer-balance`): resolve the URLs, ask the L1 RPC and the beacon API, and hand what they
//! said to the pure verdicts in [`crate::model::preflight`]. Run by `plan`, `apply` and
//! `opctl preflight`. Never fails: what cannot be probed is a `skip` saying why.

use std::time::Duration;

use alloy::primitives::Address;

use crate::cluster::Cluster;
use crate::config::model::{UrlRef, UrlSource};
use crate::config::LoadedChain;
use crate::model::checks::CheckResult;
use crate::model::discovery::{Discovery, RoleName};
use crate::model::preflight::{
    check_blob_retention, check_l1_methods, check_signer_balance, methods_to_probe, role_needs,
    BlobProbe, BlobWindow, EnabledRoles, EndpointBlobs, SignerBalance, SlotsAnswer,
};
use crate::resolve::{self, KeySource};
use crate::rpc::beacon::Beacon;
use crate::rpc::{Backoff, L1Rpc, ReadMode, RpcOptions};

/// Per-request timeout of every probe.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Slots asked per probe of a range: missed slots and blocks without blobs are common, so one
/// slot alone tells little.
const SLOTS_PER_PROBE: u64 = 8;

/// Defaults of op-node's window when rollup.json is not given: the standard sequencing window
/// (3600 L1 blocks) and the pre-Granite channel timeout (300), the larger of the two timeouts.
const DEFAULT_SEQ_WINDOW: u64 = 3600;
const DEFAULT_CHANNEL_TIMEOUT: u64 = 300;

/// Where the probes get what they need beyond the chain file.
pub struct Context<'a> {
    /// For URLs and keys stored in Secrets; `None` when no cluster is used.
    pub cluster: Option<&'a Cluster>,
    /// Discovered roles (lock file, registry or L1), for signer addresses no key gives.
    pub discovery: Option<&'a Discovery>,
    /// `--l1-rpc-url`, overriding `[l1] rpc_url`.
    pub l1_rpc_url: Option<&'a str>,
    pub timeout: Duration,
}

/// Every preflight check of `chain`, in [`crate::model::checks::PREFLIGHT_CHECKS`] order.
pub async fn run(chain: &LoadedChain, cx: &Context<'_>) -> Vec<CheckResult> {
    let l1 = match resolve::l1_rpc_url(chain, cx.l1_rpc_url, cx.cluster).await {
        Ok(url) => L1Rpc::new(
            &url,
            RpcOptions {
                timeout: cx.timeout,
                backoff: Backoff::none(),
                mode: ReadMode::JsonRpcBatch,
                max_batch_size: 100,
            },
        )
        .map_err(|e| e.to_string()),
        Err(e) => Err(format!("no L1 RPC URL: {}", first_line(&e.to_string()))),
    };
    let (methods, balance) = match &l1 {
        Ok(rpc) => tokio::join!(l1_methods(chain, rpc), signer_balance(chain, cx, Ok(rpc))),
        Err(why) => (
            check_l1_methods(
                &role_needs(enabled_roles(chain), chain.file.l1.rpc_kind),
                Err(why),
                "",
            ),
            signer_balance(chain, cx, Err(why)).await,
        ),
    };
    let blobs = blob_retention(chain, cx).await;
    vec![methods, blobs, balance]
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

fn enabled_roles(chain: &LoadedChain) -> EnabledRoles {
    let f = &chain.file;
    EnabledRoles {
        sequencer: f.sequencer.enabled,
        replicas: f.replicas.enabled,
        batcher: f.batcher.enabled,
        proposer: f.proposer.enabled,
        challenger: f.challenger.enabled,
    }
}

async fn l1_methods(chain: &LoadedChain, rpc: &L1Rpc) -> CheckResult {
    let needs = role_needs(enabled_roles(chain), chain.file.l1.rpc_kind);
    if needs.is_empty() {
        return check_l1_methods(&needs, Err("nothing to probe"), rpc.url());
    }
    match rpc.missing_methods(&methods_to_probe(&needs)).await {
        Ok(missing) => check_l1_methods(&needs, Ok(&missing), rpc.url()),
        Err(e) => check_l1_methods(&needs, Err(&e.to_string()), rpc.url()),
    }
}

/// A URL of the chain file: a literal, `env:VAR`, or a key of a Secret read through the cluster.
async fn url_of(
    chain: &LoadedChain,
    key: &str,
    source: &UrlSource,
    cluster: Option<&Cluster>,
) -> Result<String, String> {
    match source.parsed() {
        UrlRef::Literal(s) => Ok(s.to_string()),
        UrlRef::Env(var) => {
            std::env::var(var).map_err(|_| format!("{key} is env:{var}, which is not set"))
        }
        UrlRef::Secret(r) => {
            let cluster = cluster.ok_or_else(|| {
                format!(
                    "{key} is the Secret {}/{} and no cluster is used",
                    r.secret, r.key
                )
            })?;
            match cluster
                .secret_value(chain.namespace(), &r.secret, &r.key)
                .await
            {
                Ok(Some(v)) if !v.is_empty() => Ok(v),
                Ok(_) => Err(format!(
                    "{key}: Secret {} (namespace {}) has no key `{}`",
                    r.secret,
                    chain.namespace(),
                    r.key
                )),
                Err(e) => Err(format!(
                    "{key}: cannot read Secret {}: {}",
                    r.secret,
                    first_line(&e.to_string())
                )),
            }
        }
    }
}

/// op-node's derivation window for the chain's replica bootstrap, from rollup.json, else the
/// registry data of `network`, else op-node's standard values; `Err` when CL sync needs the
/// L2 genesis time and neither gives it.
fn blob_window(chain: &LoadedChain) -> Result<BlobWindow, String> {
    let network = chain
        .file
        .chain
        .network
        .as_deref()
        .and_then(crate::networks::lookup);
    let (seq, timeout, genesis, ecotone) = match (chain.rollup(), network) {
        (Some(Ok(r)), _) => {
            let c = &r.config;
            // The larger of the two channel timeouts: asking a bit further back is safe.
            (
                c.seq_window_size,
                c.channel_timeout.max(c.granite_channel_timeout),
                Some(c.genesis.l2_time),
                c.hardforks.ecotone_time,
            )
        }
        (_, Some(n)) => (
            n.seq_window_size,
            DEFAULT_CHANNEL_TIMEOUT,
            Some(n.genesis.l2_time),
            n.hardforks.get("ecotone_time").copied(),
        ),
        _ => (DEFAULT_SEQ_WINDOW, DEFAULT_CHANNEL_TIMEOUT, None, None),
    };
    BlobWindow::for_chain(
        chain.file.replicas.sync_mode,
        seq,
        timeout,
        genesis,
        ecotone,
    )
    .ok_or_else(|| {
        "replicas use consensus-layer sync, which derives from the L2 genesis, and its time is not known (no rollup.json, no registry network)".to_string()
    })
}

async fn blob_retention(chain: &LoadedChain, cx: &Context<'_>) -> CheckResult {
    match probe_blobs(chain, cx).await {
        Ok(p) => check_blob_retention(Ok(&p)),
        Err(why) => check_blob_retention(Err(&why)),
    }
}

async fn probe_blobs(chain: &LoadedChain, cx: &Context<'_>) -> Result<BlobProbe, String> {
    let f = &chain.file;
    if !(f.sequencer.enabled || f.replicas.enabled) {
        return Err("no op-node is enabled, so nothing reads blobs".into());
    }
    let window = blob_window(chain)?;
    let url = url_of(chain, "l1.beacon_url", &f.l1.beacon_url, cx.cluster)
        .await
        .map_err(|e| format!("no beacon URL: {e}"))?;
    let primary = Beacon::new(&url, cx.timeout).map_err(|e| format!("beacon URL: {e}"))?;
    let clock = primary
        .clock()
        .await
        .map_err(|e| format!("beacon API {} cannot be read: {e}", primary.url()))?;
    let oldest = clock.oldest_needed(window);
    let recent_from = clock.head_slot.saturating_sub(SLOTS_PER_PROBE - 1);
    let recent = primary.blobs((recent_from..=clock.head_slot).rev()).await;
    let range = || {
        oldest
            ..oldest
                .saturating_add(SLOTS_PER_PROBE)
                .min(clock.head_slot + 1)
    };
    let mut endpoints = vec![EndpointBlobs {
        url: primary.url().to_string(),
        oldest: primary.blobs(range()).await,
    }];
    if endpoints[0].oldest != SlotsAnswer::Served {
        for (i, fb) in f.l1.beacon_fallbacks.iter().enumerate() {
            let key = format!("l1.beacon_fallbacks[{i}]");
            let answer = match url_of(chain, &key, fb, cx.cluster).await {
                Err(e) => EndpointBlobs {
                    url: key,
                    oldest: SlotsAnswer::Failed(e),
                },
                Ok(u) => match Beacon::new(&u, cx.timeout) {
                    Err(e) => EndpointBlobs {
                        url: key,
                        oldest: SlotsAnswer::Failed(e),
                    },
                    Ok(b) => EndpointBlobs {
                        url: b.url().to_string(),
                        oldest: b.blobs(range()).await,
                    },
                },
            };
            let served = answer.oldest == SlotsAnswer::Served;
            endpoints.push(answer);
            if served {
                break;
            }
        }
    }
    Ok(BlobProbe {
        clock,
        window,
        recent,
        endpoints,
    })
}

async fn signer_balance(
    chain: &LoadedChain,
    cx: &Context<'_>,
    rpc: Result<&L1Rpc, &String>,
) -> CheckResult {
    let f = &chain.file;
    let threshold = f.status.low_balance_wei();
    let rpc = match rpc {
        Ok(r) => r,
        Err(why) => return check_signer_balance(&[], &[], threshold, Err(why)),
    };
    // Keys first (what opctl deploys), then the discovered roles (lock file, registry).
    let keys = match cx.cluster {
        Some(c) => resolve::signer_addresses(chain, &KeySource::Cluster(c)).await,
        None => resolve::signer_addresses(chain, &KeySource::None).await,
    }
    .unwrap_or_default();
    let roles: [(&'static str, bool, Option<Address>, RoleName); 3] = [
        (
            "batcher",
            f.batcher.enabled,
            keys.batcher,
            RoleName::Batcher,
        ),
        (
            "proposer",
            f.proposer.enabled,
            keys.proposer,
            RoleName::Proposer,
        ),
        (
            "challenger",
            f.challenger.enabled,
            keys.challenger,
            RoleName::Challenger,
        ),
    ];
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for (role, enabled, key, discovered) in roles {
        if !enabled {
            continue;
        }
        match key.or_else(|| cx.discovery.and_then(|d| d.role(discovered))) {
            Some(a) => known.push((role, a)),
            None => unknown.push(role),
        }
    }
    let addresses: Vec<Address> = known.iter().map(|(_, a)| *a).collect();
    match rpc.balances(&addresses).await {
        Ok(balances) => {
            let signers: Vec<SignerBalance> = known
                .iter()
                .zip(balances)
                .map(|((role, address), balance)| SignerBalance {
                    role,
                    address: *address,
                    balance,
                })
                .collect();
            check_signer_balance(&signers, &unknown, threshold, Ok(()))
        }
        Err(e) => check_signer_balance(&[], &unknown, threshold, Err(&e.to_string())),
    }
}

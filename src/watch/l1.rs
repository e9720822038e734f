//! Periodic L1 re-discovery for the watch loop: resolve the L1 RPC URL (flag, `l1.rpc_url` literal,
//! `env:VAR`, or the referenced Secret), discover from the SystemConfig anchor, and hand the result
//! to the loop as a lock. Runs only while this process holds the lease. Failures back off and are
//! reported; the loop keeps rendering from the last good lock meanwhile.

use std::sync::Arc;
use std::time::Duration;

use kube::runtime::utils::Backoff as _;
use tokio::sync::{mpsc, watch};

use crate::cluster::Cluster;
use crate::config::LoadedChain;
use crate::lock::Lock;
use crate::rpc::{self, L1Rpc, RpcOptions};

/// What a re-discovery round produced.
#[derive(Debug)]
pub enum Found {
    /// Everything discovery read, as a lock, and the (redacted) RPC it came from.
    Lock { lock: Box<Lock>, rpc: String },
    /// Discovery failed (RPC down, a revert, a bad answer): the message, URLs redacted.
    Failed { message: String },
    /// Re-discovery cannot run for this chain (no usable RPC URL, no SystemConfig anchor).
    Unavailable { why: String },
}

/// The L1 RPC URL: `--l1-rpc-url` / `OPCTL_L1_RPC_URL`, else `l1.rpc_url` (see
/// [`crate::resolve::l1_rpc_url`]). `Ok(None)`: the chain names none opctl can use.
pub async fn rpc_url(
    chain: &LoadedChain,
    flag: Option<&str>,
    cluster: &Cluster,
) -> Result<Option<String>, String> {
    crate::resolve::l1_rpc_url(chain, flag, Some(cluster))
        .await
        .map(Some)
        .map_err(|e| e.to_string())
}

/// One discovery against `url`.
pub async fn discover(chain: &LoadedChain, url: &str) -> Found {
    let Some((system_config, source)) = crate::resolve::system_config(chain) else {
        return Found::Unavailable {
            why: "the chain names no SystemConfig (contracts.system_config, rollup.json or a registry network)".into(),
        };
    };
    let options = RpcOptions {
        timeout: Duration::from_secs(10),
        backoff: rpc::Backoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(2),
            max_attempts: 2,
        },
        ..RpcOptions::default()
    };
    let rpc = match L1Rpc::new(url, options) {
        Ok(rpc) => rpc,
        Err(e) => return Found::Unavailable { why: e.to_string() },
    };
    match rpc::discover(&rpc, system_config, source).await {
        Ok(mut d) => {
            // As `opctl discover` records them: the batch inbox from the rollup config or the
            // registry where L1 no longer names it, and the chain file's explicit addresses
            // pinned.
            if d.batch_inbox.is_none() {
                d.batch_inbox = crate::resolve::offline_batch_inbox(chain);
            }
            // Neither names it (a 4.x chain whose inbox `discover --rollup-rpc` read from
            // op-node): keep what the lock on disk recorded, or every round reports it removed.
            if d.batch_inbox.is_none() {
                d.batch_inbox = Lock::read(&Lock::path_for(&chain.path))
                    .ok()
                    .flatten()
                    .and_then(|l| l.discovery.batch_inbox);
            }
            for note in crate::resolve::apply_overrides(chain, &mut d) {
                tracing::debug!("{note}");
            }
            Found::Lock {
                lock: Box::new(
                    Lock::from_discovery(&chain.file.chain.name, chain.file.chain.l2_chain_id, &d)
                        .with_forks(crate::resolve::fork_schedule(chain)),
                ),
                rpc: rpc.url().to_string(),
            }
        }
        Err(e) => Found::Failed {
            message: e.to_string(),
        },
    }
}

/// Re-discover every `interval` while `leader` is true, until `stop`. `interval` of zero: off.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    cluster: Cluster,
    mut chain: watch::Receiver<Arc<LoadedChain>>,
    mut leader: watch::Receiver<bool>,
    flag_url: Option<String>,
    interval_override: Option<Duration>,
    tx: mpsc::UnboundedSender<Found>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = super::backoff(Duration::from_secs(1), Duration::from_secs(30));
    loop {
        tokio::select! {
            r = leader.wait_for(|l| *l) => if r.is_err() { return },
            _ = stop.changed() => return,
        }
        let current = chain.borrow_and_update().clone();
        // In range whoever built the override: a sub-second interval would hammer the L1 RPC.
        let interval = crate::config::duration::REDISCOVER
            .clamp(interval_override.unwrap_or_else(|| current.file.watch.rediscover()));
        let wait = if interval.is_zero() {
            None
        } else {
            let found = match rpc_url(&current, flag_url.as_deref(), &cluster).await {
                Ok(Some(url)) => discover(&current, &url).await,
                Ok(None) => Found::Unavailable {
                    why: "no L1 RPC URL".into(),
                },
                Err(why) => Found::Failed { message: why },
            };
            let wait = match &found {
                Found::Lock { .. } => {
                    backoff.reset();
                    Some(interval)
                }
                Found::Failed { .. } => Some(backoff.next().unwrap_or(interval).min(interval)),
                Found::Unavailable { .. } => None,
            };
            if tx.send(found).is_err() {
                return;
            }
            wait
        };
        // Sleep until the next round; a new chain file starts one at once.
        let sleep = async {
            match wait {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = sleep => {}
            r = chain.changed() => if r.is_err() { return },
            _ = stop.changed() => return,
        }
    }
}

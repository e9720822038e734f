//! `opctl preflight CHAIN.toml`: the preflight checks on demand (the same ones `plan` and `apply`
//! run), as a table or `-o json`; exit 0 when none fails, 3 when one does, 1 on bad input.

use serde_json::json;

use crate::cli::{Global, OutputFormat, PreflightArgs};
use crate::config::model::{UrlRef, UrlSource};
use crate::config::LoadedChain;
use crate::error::{exit, Error};
use crate::preflight::{self, Context};
use crate::ui::{self, Printer};

use super::common;

/// `apiVersion` of `opctl preflight -o json`.
pub const PREFLIGHT_API_VERSION: &str = "opctl.io/preflight/v1";

/// Whether the chain keeps a URL or a signer key the probes need in a Secret.
fn needs_cluster(chain: &LoadedChain, l1_flag: bool) -> bool {
    let f = &chain.file;
    let secret = |u: &UrlSource| matches!(u.parsed(), UrlRef::Secret(_));
    let keys = [
        (f.batcher.enabled, &f.batcher.signer),
        (f.proposer.enabled, &f.proposer.signer),
        (f.challenger.enabled, &f.challenger.signer),
    ]
    .iter()
    .any(|(on, s)| *on && s.as_ref().is_some_and(|s| s.secret.is_some()));
    (!l1_flag && secret(&f.l1.rpc_url))
        || secret(&f.l1.beacon_url)
        || f.l1.beacon_fallbacks.iter().any(secret)
        || keys
}

pub async fn run(args: &PreflightArgs, global: &Global, printer: &Printer) -> Result<u8, Error> {
    let chain = common::load_chain(&args.chain, global)?;
    let resolved = common::resolve(&chain, printer)?;
    let cluster = if args.no_cluster || !needs_cluster(&chain, args.l1_rpc_url.is_some()) {
        None
    } else {
        match crate::cluster::connect(global.kubeconfig.as_deref(), global.context.as_deref()).await
        {
            Ok(c) => Some(c),
            Err(e) => {
                printer.warn(&format!(
                    "no cluster, so URLs and keys kept in Secrets are not known: {}",
                    e.to_string().lines().next().unwrap_or_default()
                ));
                None
            }
        }
    };
    let results = preflight::run(
        &chain,
        &Context {
            cluster: cluster.as_ref(),
            discovery: resolved.discovery.as_ref(),
            l1_rpc_url: args.l1_rpc_url.as_deref(),
            timeout: args.rpc_timeout,
        },
    )
    .await;
    match global.output {
        Some(OutputFormat::Json) => printer.data(
            &serde_json::to_string_pretty(&json!({
                "apiVersion": PREFLIGHT_API_VERSION,
                "file": chain.path.display().to_string(),
                "chain": chain.file.chain.name,
                "checks": results,
            }))
            .map_err(|e| Error::Output {
                what: "the preflight checks".into(),
                message: e.to_string(),
            })?,
        ),
        _ => printer.data(&ui::checks::render(&results, printer)),
    }
    Ok(if results.iter().any(|r| r.is_failure()) {
        exit::BLOCKED
    } else {
        exit::OK
    })
}

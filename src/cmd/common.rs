//! Steps several subcommands share: load chain files with the global overrides, resolve contracts,
//! connect to the cluster.

use std::path::Path;

use crate::cli::Global;
use crate::cluster::{self, Cluster};
use crate::config::{self, LoadedChain};
use crate::error::Error;
use crate::resolve::{KeySource, Resolved};
use crate::rpc::CheckResult;
use crate::ui::Printer;

/// Load and validate a chain file; `-n` overrides its namespace.
pub fn load_chain(path: &Path, global: &Global) -> Result<LoadedChain, Error> {
    let mut chain = config::load(path)?;
    if let Some(ns) = &global.namespace {
        check_namespace(ns)?;
        chain.file.chain.namespace = Some(ns.clone());
    }
    Ok(chain)
}

/// `-n NAMESPACE` must name a namespace Kubernetes could have.
pub fn check_namespace(ns: &str) -> Result<(), Error> {
    if config::validate::is_dns_label(ns, 63) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "-n {ns}: not a valid namespace name\n  hint: lowercase letters, digits and `-`, at most 63 characters"
    )))
}

/// Contract addresses for rendering (TOML overrides, then the lock file, then the registry);
/// warnings go to stderr.
pub fn resolve(chain: &LoadedChain, printer: &Printer) -> Result<Resolved, Error> {
    let resolved = crate::resolve::resolve(chain)?;
    for w in &resolved.warnings {
        printer.warn(&format!("{}: {w}", chain.path.display()));
    }
    Ok(resolved)
}

/// Run the named checks for a chain when its contracts are known (lock file or registry).
pub async fn checks(
    chain: &LoadedChain,
    resolved: &Resolved,
    keys: &KeySource<'_>,
) -> Result<Vec<CheckResult>, Error> {
    match &resolved.discovery {
        Some(d) => crate::resolve::checks(chain, d, keys).await,
        None => Ok(Vec::new()),
    }
}

/// Connect and check that the cluster serves every kind opctl writes.
pub async fn connect(global: &Global) -> Result<Cluster, Error> {
    let cluster = cluster::connect(global.kubeconfig.as_deref(), global.context.as_deref()).await?;
    cluster.check_served().await?;
    Ok(cluster)
}

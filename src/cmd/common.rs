//! Steps several subcommands share: load chain files with the global overrides, resolve contracts,
//! connect to the cluster.

use std::path::Path;

use crate::cli::Global;
use crate::cluster::{self, Cluster};
use crate::config::{self, LoadedChain};
use crate::error::Error;
use crate::render;

/// Load and validate a chain file; `-n` overrides its namespace.
pub fn load_chain(path: &Path, global: &Global) -> Result<LoadedChain, Error> {
    let mut chain = config::load(path)?;
    if let Some(ns) = &global.namespace {
        chain.file.chain.namespace = Some(ns.clone());
    }
    Ok(chain)
}

/// Contract addresses for rendering: explicit TOML overrides.
pub fn contracts(chain: &LoadedChain) -> render::Contracts {
    render::Input::from_chain(chain).contracts
}

/// Connect and check that the cluster serves every kind opctl writes.
pub async fn connect(global: &Global) -> Result<Cluster, Error> {
    let cluster = cluster::connect(global.kubeconfig.as_deref(), global.context.as_deref()).await?;
    cluster.check_served().await?;
    Ok(cluster)
}

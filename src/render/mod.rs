//! Desired Kubernetes objects for every enabled role of a chain. Pure: no I/O, no clock, no randomness;
//! the same input gives byte-identical output.
//!
//! Secret *values* never appear here: generated Secrets (JWT, p2p identity) and Secrets filled from
//! opctl's environment (`env:VAR` URLs) are rendered with their key names only and a [`SecretFill`]
//! that tells apply how to produce each value.

mod common;
pub mod games;
pub mod genesis;
pub mod identity;
pub mod netpol;
mod nodes;
mod services;
pub mod watcher;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{LoadedChain, UrlRef, UrlSource};

/// What `opctl status` needs to find a node's pod and ports.
pub use nodes::{node_name, replicas_service_name, Node, CAUGHT_UP, EL_HTTP, NODE_RPC};

pub use common::{
    applyset_id, namespace_object, ANN_SECRET_FILL, LABEL_APPLYSET_ID, LABEL_APPLYSET_PART_OF,
    LABEL_CHAIN, LABEL_ROLE,
};

/// The role an object belongs to; shared objects (namespace, service account, config) have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Sequencer,
    Replica,
    Batcher,
    Proposer,
    Challenger,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sequencer => "sequencer",
            Role::Replica => "replica",
            Role::Batcher => "batcher",
            Role::Proposer => "proposer",
            Role::Challenger => "challenger",
        }
    }
}

/// Apply order. Objects are applied phase by phase, in this order (and deleted in reverse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Namespace,
    /// The ApplySet parent (KEP-3659): it must exist before any member.
    ApplySetParent,
    ServiceAccount,
    Secrets,
    ConfigMaps,
    Services,
    /// The replica StatefulSets and their PodDisruptionBudget.
    Replicas,
    Sequencer,
    Batcher,
    Proposer,
    Challenger,
    /// The watcher pod (`[watch] deploy`), last: it runs the chain's own reconcile loop.
    Watcher,
}

/// How apply produces the value of one key of a Secret opctl manages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SecretFill {
    /// 32 random bytes, hex: the engine-API JWT shared by op-node and its execution client.
    Jwt,
    /// A random secp256k1 key, hex: an op-node p2p identity or an execution client's node key.
    P2pKey,
    /// The value of an environment variable of the opctl process.
    Env { var: String },
}

/// One object opctl wants in the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Desired {
    pub role: Option<Role>,
    pub phase: Phase,
    /// Generated Secrets are created once and never updated or rotated by a later apply.
    pub create_only: bool,
    /// For Secrets opctl fills: key name -> how to produce its value.
    pub fills: BTreeMap<String, SecretFill>,
    /// The object (apiVersion, kind, metadata, spec), without secret values.
    pub object: Value,
}

impl Desired {
    pub fn kind(&self) -> &str {
        self.object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// Contract addresses rendering needs, already resolved from TOML overrides, the lock file, or the
/// built-in registry entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contracts {
    pub dispute_game_factory: Option<String>,
    pub l2_output_oracle: Option<String>,
    pub respected_game_type: Option<u32>,
    /// Game types the DisputeGameFactory has an implementation for (discovery), in type order.
    pub enabled_game_types: Vec<u32>,
}

/// Facts known only after the first apply (public values derived from generated keys).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identities {
    /// libp2p peer ID of the sequencer's op-node; replicas use it in `--p2p.static`.
    pub sequencer_peer_id: Option<String>,
    /// devp2p node ID of the sequencer's execution client (from its generated node key); replicas
    /// use it in op-reth `--trusted-peers` / op-geth `--bootnodes`.
    pub sequencer_enode_id: Option<String>,
    /// Fingerprint of the values opctl fills from its environment (`env:VAR` URLs). It is part of
    /// the pods' config hash, so a changed value rolls the pods that read it at start.
    pub env_fingerprint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("{role} needs the {what} address, which is neither in the chain file nor in its lock file\n  hint: run `opctl discover {file}` to record it, or set `contracts.{key}`")]
    MissingContract {
        role: &'static str,
        what: &'static str,
        key: &'static str,
        file: String,
    },
    /// The dispute games a role plays could not be decided (see [`games`]).
    #[error("{file}: {role}: {reason}")]
    Games {
        role: &'static str,
        reason: String,
        file: String,
    },
}

/// Everything rendering reads.
pub struct Input<'a> {
    pub chain: &'a LoadedChain,
    pub contracts: Contracts,
    pub identities: Identities,
}

impl<'a> Input<'a> {
    /// Rendering input from the chain file alone (its explicit contract overrides, no lock file).
    pub fn from_chain(chain: &'a LoadedChain) -> Self {
        let c = &chain.file.contracts;
        Input {
            chain,
            contracts: Contracts {
                dispute_game_factory: c.dispute_game_factory.clone(),
                l2_output_oracle: c.l2_output_oracle.clone(),
                respected_game_type: c.respected_game_type,
                enabled_game_types: Vec::new(),
            },
            identities: Identities::default(),
        }
    }
}

/// Render every object of the chain, sorted in apply order (phase, then kind, then name).
pub fn render(input: &Input<'_>) -> Result<Vec<Desired>, RenderError> {
    let ctx = common::Ctx::new(input);
    let f = &input.chain.file;
    let mut out = Vec::new();
    out.push(ctx.namespace());
    out.push(ctx.applyset_parent());
    out.push(ctx.service_account());
    out.extend(genesis::config_maps(&ctx));
    if let Some(cm) = ctx.config_map() {
        out.push(cm);
    }
    if let Some(s) = ctx.l1_env_secret() {
        out.push(s);
    }
    if f.sequencer.enabled {
        out.extend(nodes::node(&ctx, nodes::Node::Sequencer));
    }
    if f.replicas.enabled {
        for i in 0..f.replicas.count {
            out.extend(nodes::node(&ctx, nodes::Node::Replica(i)));
        }
        out.extend(nodes::replica_budget(&ctx));
        out.extend(nodes::replicas_service(&ctx));
    }
    if f.batcher.enabled {
        out.extend(services::batcher(&ctx));
    }
    if f.proposer.enabled {
        out.extend(services::proposer(&ctx)?);
    }
    if f.challenger.enabled {
        out.extend(services::challenger(&ctx)?);
    }
    out.extend(netpol::objects(&ctx));
    if f.watch.deploy {
        let mine = watcher::objects(&ctx, &out);
        out.extend(mine);
        watcher::extend_group_kinds(&mut out);
    }
    out.sort_by(|a, b| (a.phase, a.kind(), a.name()).cmp(&(b.phase, b.kind(), b.name())));
    Ok(out)
}

/// Where a URL setting ends up in a container.
pub(crate) enum UrlValue {
    Literal(String),
    Secret { name: String, key: String },
}

pub(crate) fn url_value(chain_name: &str, which: &str, src: &UrlSource) -> UrlValue {
    match src.parsed() {
        UrlRef::Env(_) => UrlValue::Secret {
            name: format!("{chain_name}-l1-endpoints"),
            key: which.to_string(),
        },
        UrlRef::Literal(s) => UrlValue::Literal(s.to_string()),
        UrlRef::Secret(r) => UrlValue::Secret {
            name: r.secret.clone(),
            key: r.key.clone(),
        },
    }
}

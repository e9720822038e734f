//! What rendering and the checks need beyond the chain file: the contracts (TOML overrides, then the
//! lock file, then built-in registry data), and the signer addresses (from Secrets or local files).
//!
//! Reads the lock file and, when given a cluster, the referenced key Secrets. Only derived
//! *addresses* leave this module; key material is dropped as soon as the address is known.

use std::path::Path;

use alloy::primitives::Address;

use crate::cluster::Cluster;
use crate::config::{LoadedChain, Signer, UrlSource};
use crate::error::Error;
use crate::lock::Lock;
use crate::model::checks::check_key_format;
use crate::model::checks::{
    check_hardfork, run_checks, CheckInput, CheckResult, GamePin, HardforkInput, RollupFacts,
    SignerAddresses,
};
use crate::model::discovery::{ContractName, Discovery, Source, Sourced};
use crate::model::forks::ForkSchedule;
use crate::model::key_format::{classify_key, KeyFinding, StoredKey};
use crate::model::releases;
use crate::networks;
use crate::render;
use crate::rpc;

/// Contracts and what they came from.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub contracts: render::Contracts,
    /// The lock file's discovery, else the built-in registry entry, else none.
    pub discovery: Option<Discovery>,
    /// Where `discovery` came from, for messages.
    pub origin: Option<String>,
    /// Things the operator should know (e.g. a proposer game type that differs from on-chain).
    pub warnings: Vec<String>,
}

/// The SystemConfig anchor: `contracts.system_config`, else rollup.json, else the registry entry.
pub fn system_config(chain: &LoadedChain) -> Option<(Address, Source)> {
    if let Some(a) = chain.file.contracts.addresses().system_config {
        return Some((
            a,
            Source::Toml {
                key: "contracts.system_config".into(),
            },
        ));
    }
    let from_rollup = chain
        .rollup()
        .and_then(Result::ok)
        .map(|r| r.config.l1_system_config_address);
    if let Some(a) = from_rollup {
        return Some((
            a,
            Source::Toml {
                key: "chain.rollup_config (l1_system_config_address)".into(),
            },
        ));
    }
    let network = chain.file.chain.network.as_deref()?;
    networks::lookup(network).map(|n| {
        (
            n.system_config,
            Source::Registry {
                network: network.to_string(),
            },
        )
    })
}

/// Pin the chain file's explicit `[contracts]` addresses onto a discovery (source `toml <key>`);
/// returns a line for every pin that differs from what discovery found.
pub fn apply_overrides(chain: &LoadedChain, d: &mut Discovery) -> Vec<String> {
    let c = chain.file.contracts.addresses();
    let mut notes = Vec::new();
    let pins = [
        (
            ContractName::OptimismPortal,
            c.optimism_portal,
            "contracts.optimism_portal",
        ),
        (
            ContractName::DisputeGameFactory,
            c.dispute_game_factory,
            "contracts.dispute_game_factory",
        ),
        (
            ContractName::L2OutputOracle,
            c.l2_output_oracle,
            "contracts.l2_output_oracle",
        ),
        (
            ContractName::AnchorStateRegistry,
            c.anchor_state_registry,
            "contracts.anchor_state_registry",
        ),
        (
            ContractName::L1CrossDomainMessenger,
            c.l1_cross_domain_messenger,
            "contracts.l1_cross_domain_messenger",
        ),
        (
            ContractName::L1StandardBridge,
            c.l1_standard_bridge,
            "contracts.l1_standard_bridge",
        ),
    ];
    for (name, value, key) in pins {
        let Some(address) = value else {
            continue;
        };
        if let Some(previous) = d.override_contract(name, address, key) {
            if previous.address != address {
                notes.push(format!(
                    "{key} pins {name} to {address}, but {} says {}",
                    previous.source, previous.address
                ));
            }
        }
    }
    if let Some(inbox) = c.batch_inbox {
        let previous = d.batch_inbox.replace(Sourced::new(
            inbox,
            Source::Toml {
                key: "contracts.batch_inbox".into(),
            },
        ));
        if let Some(p) = previous.filter(|p| p.value != inbox) {
            notes.push(format!(
                "contracts.batch_inbox pins {inbox}, but {} says {}",
                p.source, p.value
            ));
        }
    }
    // `contracts.respected_game_type` is not written into the discovery: rendering takes the pin
    // (`contracts_of`), and the `game-type` check compares it with the on-chain value.
    notes
}

/// The batch inbox of a chain whose SystemConfig (4.x, Upgrade 20) no longer names it, from what
/// is known without any RPC: rollup.json's `batch_inbox_address`, else the registry entry of
/// `network`.
pub fn offline_batch_inbox(chain: &LoadedChain) -> Option<Sourced<Address>> {
    if let Some(facts) = rollup_facts(chain) {
        return Some(Sourced::new(
            facts.batch_inbox_address,
            Source::Toml {
                key: "chain.rollup_config (batch_inbox_address)".into(),
            },
        ));
    }
    registry_batch_inbox(chain)
}

/// The registry entry's batch inbox for `network`, if any.
pub fn registry_batch_inbox(chain: &LoadedChain) -> Option<Sourced<Address>> {
    let network = chain.file.chain.network.as_deref()?;
    networks::lookup(network).map(|n| {
        Sourced::new(
            n.batch_inbox,
            Source::Registry {
                network: network.to_string(),
            },
        )
    })
}

/// What to say when the batch inbox is unknown after discovery (SystemConfig 4.x and no rollup
/// config, op-node or registry entry to take it from).
pub const UNKNOWN_BATCH_INBOX: &str = "the batch inbox is unknown: SystemConfig 4.x (Upgrade 20) no \
     longer names it (batchInbox() reverts)\n  hint: set chain.rollup_config to the chain's rollup.json \
     (batch_inbox_address), pass --rollup-rpc with the chain's op-node RPC URL, set \
     contracts.batch_inbox, or use a registry network; op-batcher reads it from op-node at run time";

/// Resolve the contracts rendering needs. A lock file for another chain is an error.
pub fn resolve(chain: &LoadedChain) -> Result<Resolved, Error> {
    let lock_path = Lock::path_for(&chain.path);
    let lock = Lock::read(&lock_path)?;
    let anchor = system_config(chain).map(|(a, _)| a);
    let (discovery, origin) = match lock {
        Some(lock) => {
            let sc = anchor.unwrap_or(lock.discovery.system_config);
            lock.check_matches(&chain.file.chain.name, chain.file.chain.l2_chain_id, sc)
                .map_err(|source| Error::LockMismatch {
                    file: lock_path.display().to_string(),
                    source,
                })?;
            (
                Some(lock.discovery),
                Some(format!("lock file {}", lock_path.display())),
            )
        }
        None => match chain
            .file
            .chain
            .network
            .as_deref()
            .and_then(networks::lookup)
        {
            Some(n) => (
                Some(n.to_discovery()),
                Some(format!("built-in registry data for {}", n.name)),
            ),
            None => (None, None),
        },
    };
    // Explicit addresses in the chain file win over the lock file and the registry.
    let mut discovery = discovery;
    let mut warnings = discovery
        .as_mut()
        .map(|d| apply_overrides(chain, d))
        .unwrap_or_default();
    let contracts = match &discovery {
        Some(d) => contracts_of(chain, d),
        None => render::Input::from_chain(chain).contracts,
    };
    let f = &chain.file;
    let runs_nodes = f.sequencer.enabled || f.replicas.enabled || f.challenger.enabled;
    if runs_nodes && f.l1.genesis.is_none() && !crate::config::KNOWN_L1S.contains(&f.l1.chain_id) {
        warnings.push(format!(
            "L1 chain id {} is not Ethereum mainnet, Sepolia, Holesky or Hoodi: op-node >= 1.16 and op-challenger need its genesis; set `l1.genesis`",
            f.l1.chain_id
        ));
    }
    // The image mix: a warning here (validate, plan) when it is untested or cannot be checked.
    let set = f.images.release_set();
    warnings.extend(releases::check_mix(
        releases::builtin(),
        set,
        &f.rendered_images(),
    ));
    if let Some(respected) = contracts.respected_game_type {
        if (f.proposer.enabled || f.challenger.enabled) && !set.game_types.contains(&respected) {
            warnings.push(format!(
                "release {} is not known to play game type {} that the chain respects (its proposer and challenger play {:?}: {})",
                set.name,
                crate::model::games::GameTypeLabel(respected),
                set.game_types,
                set.game_types_source
            ));
        }
    }
    // Hardforks the images do not support: a warning here (validate), the `hardfork` check
    // blocks apply.
    let hardfork = check_hardfork(Some(&hardfork_input(chain)));
    if hardfork.is_failure() {
        warnings.push(format!("hardfork: {}", hardfork.message));
    }
    // Game types pinned against the chain: a warning here (validate, plan), the `game-type` check
    // blocks apply.
    if let Some(d) = &discovery {
        let game_type = crate::model::checks::check_game_type(&game_pins(chain), d);
        if game_type.is_failure() {
            warnings.push(format!("game-type: {}", game_type.message));
        }
    }
    Ok(Resolved {
        contracts,
        discovery,
        origin,
        warnings,
    })
}

/// The L1 RPC URL: `flag` (`--l1-rpc-url` / `OPCTL_L1_RPC_URL`), else `l1.rpc_url` as a literal,
/// `env:VAR`, or a key of a Secret in the chain's namespace (read through `cluster`).
pub async fn l1_rpc_url(
    chain: &LoadedChain,
    flag: Option<&str>,
    cluster: Option<&Cluster>,
) -> Result<String, Error> {
    if let Some(url) = flag {
        return Ok(url.to_string());
    }
    url_source(chain, &chain.file.l1.rpc_url, "l1.rpc_url", cluster)
        .await
        .map_err(|e| match e {
            Error::L1Url(m) if m.contains("does not exist") => {
                Error::L1Url(format!("{m}\n  hint: create it, or pass --l1-rpc-url"))
            }
            Error::L1Url(m) => Error::L1Url(format!(
                "{m}\n  hint: pass --l1-rpc-url or set OPCTL_L1_RPC_URL"
            )),
            other => other,
        })
}

/// The URL a [`UrlSource`] of the chain file names: the literal, the `env:VAR` value, or the
/// Secret's key (read through `cluster`). `key` is the chain-file key, for the errors.
pub async fn url_source(
    chain: &LoadedChain,
    source: &UrlSource,
    key: &str,
    cluster: Option<&Cluster>,
) -> Result<String, Error> {
    match source {
        UrlSource::Text(s) => match source.env_var() {
            Some(var) => std::env::var(var).map_err(|_| Error::EnvMissing {
                var: var.to_string(),
                object: key.into(),
            }),
            None => Ok(s.clone()),
        },
        UrlSource::Secret(r) => {
            let cluster = cluster.ok_or_else(|| {
                Error::L1Url(format!(
                    "{key} is the Secret {}/{} and no cluster is reachable",
                    r.secret, r.key
                ))
            })?;
            cluster
                .secret_value(chain.namespace(), &r.secret, &r.key)
                .await?
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    Error::L1Url(format!(
                        "{key}: Secret {} (namespace {}) does not exist or has no key `{}`",
                        r.secret,
                        chain.namespace(),
                        r.key
                    ))
                })
        }
    }
}

/// What rendering reads from a discovery whose pins are already applied.
fn contracts_in(d: &Discovery) -> render::Contracts {
    render::Contracts {
        dispute_game_factory: d
            .contract(ContractName::DisputeGameFactory)
            .map(|a| a.to_checksum(None)),
        l2_output_oracle: d
            .contract(ContractName::L2OutputOracle)
            .map(|a| a.to_checksum(None)),
        respected_game_type: d.respected_game_type(),
        enabled_game_types: d
            .games
            .values()
            .map(|g| g.game_type)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    }
}

/// Contracts for rendering from a discovery held in memory (e.g. the watcher's re-discovery),
/// with the chain file's explicit addresses (as written) winning.
pub fn contracts_of(chain: &LoadedChain, d: &Discovery) -> render::Contracts {
    let pinned = render::Input::from_chain(chain).contracts;
    let found = contracts_in(d);
    render::Contracts {
        dispute_game_factory: pinned.dispute_game_factory.or(found.dispute_game_factory),
        l2_output_oracle: pinned.l2_output_oracle.or(found.l2_output_oracle),
        respected_game_type: pinned.respected_game_type.or(found.respected_game_type),
        enabled_game_types: found.enabled_game_types,
    }
}

/// rollup.json facts the `rollup-config` check compares.
pub fn rollup_facts(chain: &LoadedChain) -> Option<RollupFacts> {
    let r = chain.rollup()?.ok()?;
    Some(RollupFacts {
        l1_system_config_address: r.config.l1_system_config_address,
        batch_inbox_address: r.config.batch_inbox_address,
        deposit_contract_address: r.config.deposit_contract_address,
        l1_chain_id: r.config.l1_chain_id,
        l2_chain_id: r.l2_chain_id(),
    })
}

/// The chain's hardfork times: from rollup.json for a custom chain, else from the compiled-in
/// registry data for a `network`.
pub fn fork_schedule(chain: &LoadedChain) -> Option<ForkSchedule> {
    if let Some(r) = chain.rollup() {
        let r = r.ok()?;
        return Some(r.fork_schedule(Source::Toml {
            key: "chain.rollup_config".into(),
        }));
    }
    let network = chain.file.chain.network.as_deref()?;
    networks::lookup(network).map(|n| n.forks())
}

/// Where signer keys are read from.
pub enum KeySource<'a> {
    /// The referenced Secrets in the chain's namespace.
    Cluster(&'a Cluster),
    /// Local files per role (`sequencer`, `batcher`, `proposer`, `challenger`), hex keys.
    Files(&'a [(String, std::path::PathBuf)]),
    None,
}

async fn key_address(
    chain: &LoadedChain,
    role: &str,
    signer: Option<&Signer>,
    source: &KeySource<'_>,
) -> Result<Option<Address>, Error> {
    let Some(signer) = signer else {
        return Ok(None);
    };
    if let Some(addr) = signer.signer_address() {
        return Ok(Some(addr));
    }
    let key_text = match source {
        KeySource::Files(files) => match files.iter().find(|(r, _)| r == role) {
            Some((_, path)) => Some(read_key_file(path)?),
            None => None,
        },
        KeySource::Cluster(cluster) => {
            let (Some(secret), Some(key)) = (&signer.secret, &signer.key) else {
                return Ok(None);
            };
            cluster.secret_value(chain.namespace(), secret, key).await?
        }
        KeySource::None => None,
    };
    key_text
        .map(|k| rpc::address_from_private_key_hex(&k))
        .transpose()
        .map_err(|e| Error::Key {
            what: format!("the {role} key"),
            message: e.to_string(),
        })
}

fn read_key_file(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path)
        .map(|t| t.trim().to_string())
        .map_err(|e| Error::Key {
            what: format!("cannot read key file {}", path.display()),
            message: e.to_string(),
        })
}

/// Addresses of the keys the enabled roles will sign with.
pub async fn signer_addresses(
    chain: &LoadedChain,
    source: &KeySource<'_>,
) -> Result<SignerAddresses, Error> {
    let f = &chain.file;
    let on = |enabled: bool, s: &Option<Signer>| if enabled { s.clone() } else { None };
    Ok(SignerAddresses {
        batcher: key_address(
            chain,
            "batcher",
            on(f.batcher.enabled, &f.batcher.signer).as_ref(),
            source,
        )
        .await?,
        sequencer: key_address(
            chain,
            "sequencer",
            on(f.sequencer.enabled, &f.sequencer.signing_key).as_ref(),
            source,
        )
        .await?,
        proposer: key_address(
            chain,
            "proposer",
            on(f.proposer.enabled, &f.proposer.signer).as_ref(),
            source,
        )
        .await?,
        challenger: key_address(
            chain,
            "challenger",
            on(f.challenger.enabled, &f.challenger.signer).as_ref(),
            source,
        )
        .await?,
    })
}

/// The signer keys the enabled roles read from Secrets, each classified as the component will
/// parse it; `None` unless `source` is the cluster. The values are dropped here.
pub async fn stored_keys(
    chain: &LoadedChain,
    source: &KeySource<'_>,
) -> Result<Option<Vec<StoredKey>>, Error> {
    let KeySource::Cluster(cluster) = source else {
        return Ok(None);
    };
    let f = &chain.file;
    let signers = [
        ("sequencer", f.sequencer.enabled, &f.sequencer.signing_key),
        ("batcher", f.batcher.enabled, &f.batcher.signer),
        ("proposer", f.proposer.enabled, &f.proposer.signer),
        ("challenger", f.challenger.enabled, &f.challenger.signer),
    ];
    let mut out = Vec::new();
    for (role, enabled, signer) in signers {
        // Rendering prefers the Secret when both a Secret and a remote signer are named.
        let Some((secret, key)) = signer
            .as_ref()
            .filter(|_| enabled)
            .and_then(|s| s.secret.as_ref().zip(s.key.as_ref()))
        else {
            continue;
        };
        let raw = cluster.secret_bytes(chain.namespace(), secret, key).await?;
        let finding = match raw {
            None => KeyFinding::Missing,
            Some(mut raw) => {
                let verdict = classify_key(&raw);
                raw.fill(0);
                match verdict {
                    Ok(()) => KeyFinding::Clean,
                    Err(defect) => KeyFinding::Defect(defect),
                }
            }
        };
        out.push(StoredKey {
            role,
            namespace: chain.namespace().to_string(),
            secret: secret.clone(),
            key: key.clone(),
            finding,
        });
    }
    Ok(Some(out))
}

/// Every named check against a discovery (from the lock file or a fresh RPC read); without a
/// discovery, only the checks that need none (`key-format`).
pub async fn checks(
    chain: &LoadedChain,
    discovery: Option<&Discovery>,
    source: &KeySource<'_>,
) -> Result<Vec<CheckResult>, Error> {
    let stored = stored_keys(chain, source).await?;
    let hardfork = hardfork_input(chain);
    let Some(discovery) = discovery else {
        let mut out = Vec::new();
        if let Some(stored) = stored {
            out.push(check_key_format(Some(&stored)));
        }
        out.push(check_hardfork(Some(&hardfork)));
        return Ok(out);
    };
    let keys = signer_addresses(chain, source).await?;
    let rollup = rollup_facts(chain);
    let input = CheckInput {
        expected_l1_chain_id: Some(chain.file.l1.chain_id),
        rollup: rollup.as_ref(),
        keys,
        stored_keys: stored.as_deref(),
        game_pins: &game_pins(chain),
        hardfork: Some(&hardfork),
    };
    Ok(run_checks(discovery, &input))
}

/// What the `hardfork` check compares for `chain`, now.
pub fn hardfork_input(chain: &LoadedChain) -> HardforkInput {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    HardforkInput {
        schedule: fork_schedule(chain),
        images: chain.file.rendered_images(),
        now,
        window_secs: chain.file.images.hardfork_window().as_secs(),
        release: chain.file.images.release_set().name.clone(),
    }
}

/// The game types the chain file pins, for the `game-type` check.
pub fn game_pins(chain: &LoadedChain) -> Vec<GamePin> {
    let f = &chain.file;
    let mut pins = Vec::new();
    if let Some(value) = f.contracts.respected_game_type {
        pins.push(GamePin::Equals {
            key: "contracts.respected_game_type",
            value,
        });
    }
    if let (true, Some(value)) = (f.proposer.enabled, f.proposer.game_type) {
        pins.push(GamePin::Equals {
            key: "proposer.game_type",
            value,
        });
    }
    if f.challenger.enabled && !f.challenger.game_types.is_empty() {
        pins.push(GamePin::Plays {
            trace_types: f.challenger.game_types.clone(),
        });
    }
    pins
}

/// Failed checks not overridden by name, as lines for [`Error::Blocked`].
pub fn blocking(results: &[CheckResult], skipped: &[String]) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.is_failure() && !skipped.iter().any(|s| s == r.name))
        .map(|r| format!("{}: {}", r.name, r.message))
        .collect()
}

#[cfg(test)]
mod precedence_tests {
    //! Where rendering's contracts come from: the chain file's pins, then the lock file, then the
    //! built-in registry data, in that order.

    use super::*;
    use crate::model::discovery::ContractInfo;

    const EXAMPLE: &str = include_str!("../examples/op-sepolia-replicas.toml");

    fn chain_in(dir: &Path, extra: &str) -> LoadedChain {
        let path = dir.join("op-sepolia.toml");
        let text = format!("{EXAMPLE}\n{extra}");
        std::fs::write(&path, &text).expect("write chain");
        crate::config::load_str(&path, &text).expect("valid chain")
    }

    fn lock_with_factory(chain: &LoadedChain, factory: Address) {
        let registry = networks::lookup("op-sepolia")
            .expect("built in")
            .to_discovery();
        let mut d = registry.clone();
        d.contracts.insert(
            ContractName::DisputeGameFactory,
            ContractInfo {
                address: factory,
                version: None,
                source: Source::call("SystemConfig", "disputeGameFactory()"),
            },
        );
        Lock::from_discovery(&chain.file.chain.name, chain.file.chain.l2_chain_id, &d)
            .write(&Lock::path_for(&chain.path))
            .expect("write lock");
    }

    #[test]
    fn without_a_lock_file_the_registry_entry_is_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let chain = chain_in(dir.path(), "");
        let r = resolve(&chain).expect("resolves");
        let registry = networks::lookup("op-sepolia")
            .expect("built in")
            .to_discovery();
        assert!(r.origin.as_deref().unwrap_or_default().contains("registry"));
        assert_eq!(
            r.contracts.dispute_game_factory,
            registry
                .contract(ContractName::DisputeGameFactory)
                .map(|a| a.to_checksum(None))
        );
    }

    #[test]
    fn a_lock_file_wins_over_the_registry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let chain = chain_in(dir.path(), "");
        let locked = Address::repeat_byte(0x42);
        lock_with_factory(&chain, locked);
        let r = resolve(&chain).expect("resolves");
        assert!(r
            .origin
            .as_deref()
            .unwrap_or_default()
            .contains("lock file"));
        assert_eq!(
            r.contracts.dispute_game_factory,
            Some(locked.to_checksum(None))
        );
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn a_pin_in_the_chain_file_wins_over_the_lock_file_and_says_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pinned = Address::repeat_byte(0x77);
        // The example's [contracts] table takes the pin directly.
        let text = EXAMPLE.replace(
            "[contracts]\n",
            &format!(
                "[contracts]\ndispute_game_factory = \"{}\"\n",
                pinned.to_checksum(None)
            ),
        );
        let path = dir.path().join("op-sepolia.toml");
        std::fs::write(&path, &text).expect("write chain");
        let chain = crate::config::load_str(&path, &text).expect("valid chain");
        lock_with_factory(&chain, Address::repeat_byte(0x42));
        let r = resolve(&chain).expect("resolves");
        assert_eq!(
            r.contracts.dispute_game_factory,
            Some(pinned.to_checksum(None))
        );
        assert!(
            r.warnings
                .iter()
                .any(|w| w.contains("dispute_game_factory")),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn a_respected_game_type_the_release_does_not_play_is_a_warning_naming_the_set() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        std::fs::create_dir_all(dir.path().join("devnet")).expect("mkdir");
        for f in ["rollup.json", "genesis.json"] {
            std::fs::copy(
                root.join("devnet").join(f),
                dir.path().join("devnet").join(f),
            )
            .expect("copy");
        }
        let path = dir.path().join("devnet.toml");
        let text = std::fs::read_to_string(root.join("devnet.toml"))
            .expect("read")
            .replace("respected_game_type = 1", "respected_game_type = 5")
            .replace(
                "game_types = [\"permissioned\"]",
                "game_types = [\"permissioned\", \"super-permissioned\"]",
            );
        let warnings = |text: &str| {
            let chain = crate::config::load_str(&path, text).expect("valid chain");
            resolve(&chain).expect("resolves").warnings
        };
        let w = warnings(&text);
        assert!(
            w.iter()
                .any(|w| w.contains("release 2026-08 is not known to play game type 5")),
            "{w:?}"
        );
        let w = warnings(&format!("{text}\n[images]\nrelease = \"2026-12-upgrade-20\"\nop_proposer = \"op-proposer:v1.16.3\"\nop_challenger = \"op-challenger:v1.9.3\"\n"));
        assert!(!w.iter().any(|w| w.contains("not known to play")), "{w:?}");
    }

    #[test]
    fn a_lock_file_of_another_chain_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let chain = chain_in(dir.path(), "");
        let registry = networks::lookup("op-sepolia")
            .expect("built in")
            .to_discovery();
        Lock::from_discovery("another-chain", 1, &registry)
            .write(&Lock::path_for(&chain.path))
            .expect("write lock");
        assert!(matches!(resolve(&chain), Err(Error::LockMismatch { .. })));
    }
}

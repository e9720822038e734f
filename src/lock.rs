//! The lock file `<chain-file-stem>.lock` next to the chain TOML: what discovery found (every
//! address, role, version and game, each with its source) and the L1 block it was read at, so
//! `render` and `plan` are reproducible and work without an L1 RPC. Users commit it, like
//! `Cargo.lock`.
//!
//! The discovery model (`model::discovery`) is re-exported here for the lock file's readers.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};

use crate::model::forks::ForkSchedule;

pub use crate::model::discovery::{
    game_type_name, BlockRef, ContractInfo, ContractName, Discovery, Game, GameArgsLayout,
    OutputOracleParams, ProofSystem, RoleName, Source, Sourced, GAME_TYPE_CANNON,
    GAME_TYPE_CANNON_KONA, GAME_TYPE_PERMISSIONED_CANNON,
};

/// Lock file format this build writes and reads.
pub const LOCK_FORMAT_VERSION: u32 = 1;

/// First lines of every lock file.
const HEADER: &str = "# Written by `opctl discover`: the L1 contracts, roles and versions of this chain, and the L1\n\
                      # block they were read at. Commit it; `opctl discover` shows what changed on-chain.\n\n";

/// Which chain a lock file belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHeader {
    /// [`LOCK_FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// Chain name from the chain TOML.
    pub chain: String,
    /// L2 chain id from the chain TOML.
    pub l2_chain_id: u64,
}

/// A lock file: header plus the discovery it records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Which chain this is for.
    pub lock: LockHeader,
    /// The chain's L2 hardfork times (`resolve::fork_schedule`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forks: Option<ForkSchedule>,
    /// What was discovered (SystemConfig, L1 chain id, block, contracts, roles, games).
    #[serde(flatten)]
    pub discovery: Discovery,
}

/// Reading or writing a lock file failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// The file could not be read.
    #[error("cannot read lock file {}: {source}", path.display())]
    Read {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid lock file.
    #[error("lock file {} is not valid: {message}; fix it, or delete it and run `opctl discover`", path.display())]
    Parse {
        /// The lock file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// Written by a newer (or unknown) opctl.
    #[error(
        "lock file {} has format_version {found}, this opctl reads {LOCK_FORMAT_VERSION}; upgrade opctl or \
         run `opctl discover` to rewrite it",
        path.display()
    )]
    UnsupportedFormat {
        /// The lock file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
    /// The file could not be written.
    #[error("cannot write lock file {}: {source}", path.display())]
    Write {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The lock could not be serialised (a bug).
    #[error("cannot serialise the lock for {}: {message}", path.display())]
    Serialize {
        /// The lock file.
        path: PathBuf,
        /// Serializer message.
        message: String,
    },
}

/// A lock file that belongs to another chain than the TOML it sits next to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LockMismatch {
    /// Different chain name.
    #[error(
        "the lock file is for chain {lock:?}, but the chain TOML names {toml:?}; delete the lock file or \
         run `opctl discover` to re-create it"
    )]
    Chain {
        /// Name in the lock.
        lock: String,
        /// Name in the TOML.
        toml: String,
    },
    /// Different L2 chain id.
    #[error(
        "the lock file is for L2 chain id {lock}, but the chain TOML says {toml}; delete the lock file or run \
         `opctl discover` to re-create it"
    )]
    L2ChainId {
        /// Id in the lock.
        lock: u64,
        /// Id in the TOML.
        toml: u64,
    },
    /// Different SystemConfig.
    #[error(
        "the lock file was discovered from SystemConfig {lock}, but the chain TOML names SystemConfig {toml}; \
         delete the lock file or run `opctl discover` to re-create it"
    )]
    SystemConfig {
        /// Address in the lock.
        lock: Address,
        /// Address in the TOML.
        toml: Address,
    },
}

/// One value that differs between two lock files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockChange {
    /// Dotted path, e.g. `roles.batcher.value`.
    pub path: String,
    /// Value in the old lock (`None`: added).
    pub old: Option<String>,
    /// Value in the new lock (`None`: removed).
    pub new: Option<String>,
}

impl fmt::Display for LockChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.old, &self.new) {
            (Some(old), Some(new)) => write!(f, "{}: {old} -> {new}", self.path),
            (None, Some(new)) => write!(f, "{}: added {new}", self.path),
            (Some(old), None) => write!(f, "{}: removed (was {old})", self.path),
            (None, None) => write!(f, "{}", self.path),
        }
    }
}

impl Lock {
    /// `<dir>/<stem>.lock` for the chain TOML at `chain_file`.
    pub fn path_for(chain_file: &Path) -> PathBuf {
        let stem = chain_file
            .file_stem()
            .map(|s| s.to_os_string())
            .unwrap_or_else(|| "chain".into());
        let mut name = stem;
        name.push(".lock");
        chain_file.with_file_name(name)
    }

    /// A lock for `chain` (name and L2 chain id from the chain TOML) recording `discovery`.
    pub fn from_discovery(chain: &str, l2_chain_id: u64, discovery: &Discovery) -> Lock {
        Lock {
            lock: LockHeader {
                format_version: LOCK_FORMAT_VERSION,
                chain: chain.to_owned(),
                l2_chain_id,
            },
            forks: None,
            discovery: discovery.clone(),
        }
    }

    /// This lock recording `forks` as the chain's hardfork schedule.
    pub fn with_forks(mut self, forks: Option<ForkSchedule>) -> Lock {
        self.forks = forks;
        self
    }

    /// Reads the lock file at `path`; `Ok(None)` when there is none.
    pub fn read(path: &Path) -> Result<Option<Lock>, LockError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(LockError::Read {
                    path: path.to_owned(),
                    source,
                })
            }
        };
        Self::parse(&text, path).map(Some)
    }

    /// Parses lock file text; `path` is only for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Lock, LockError> {
        #[derive(Deserialize)]
        struct VersionOnly {
            lock: VersionField,
        }
        #[derive(Deserialize)]
        struct VersionField {
            format_version: u32,
        }
        // Check the format version first, so a newer file gets "upgrade opctl", not a field error.
        if let Ok(v) = toml::from_str::<VersionOnly>(text) {
            if v.lock.format_version != LOCK_FORMAT_VERSION {
                return Err(LockError::UnsupportedFormat {
                    path: path.to_owned(),
                    found: v.lock.format_version,
                });
            }
        }
        toml::from_str(text).map_err(|e| LockError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim().replace('\n', " "),
        })
    }

    /// The lock file text: a fixed header comment, then TOML with keys in a stable order.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        Ok(format!("{HEADER}{}", toml::to_string(self)?))
    }

    /// Writes the lock atomically: a temp file in the same directory, flushed, then renamed over
    /// `path`, so a reader never sees a half-written lock.
    pub fn write(&self, path: &Path) -> Result<(), LockError> {
        let text = self.to_toml().map_err(|e| LockError::Serialize {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let write_err = |source| LockError::Write {
            path: path.to_owned(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(
            ".{file_name}.{}.{}.tmp",
            std::process::id(),
            rand::random::<u32>()
        ));
        let result = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if let Err(err) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(write_err(err));
        }
        Ok(())
    }

    /// Errors unless this lock belongs to the chain the TOML describes.
    pub fn check_matches(
        &self,
        chain: &str,
        l2_chain_id: u64,
        system_config: Address,
    ) -> Result<(), LockMismatch> {
        if self.lock.chain != chain {
            return Err(LockMismatch::Chain {
                lock: self.lock.chain.clone(),
                toml: chain.to_owned(),
            });
        }
        if self.lock.l2_chain_id != l2_chain_id {
            return Err(LockMismatch::L2ChainId {
                lock: self.lock.l2_chain_id,
                toml: l2_chain_id,
            });
        }
        if self.discovery.system_config != system_config {
            return Err(LockMismatch::SystemConfig {
                lock: self.discovery.system_config,
                toml: system_config,
            });
        }
        Ok(())
    }

    /// What changed on-chain between two locks: every value whose path exists in only one, or
    /// differs. The block read at, the header and value sources are not compared (they change
    /// on every refresh without the chain changing).
    pub fn diff(old: &Lock, new: &Lock) -> Vec<LockChange> {
        let old = flatten(old);
        let new = flatten(new);
        let mut changes = Vec::new();
        for (path, old_value) in &old {
            match new.get(path) {
                Some(new_value) if new_value == old_value => {}
                new_value => changes.push(LockChange {
                    path: path.clone(),
                    old: Some(old_value.clone()),
                    new: new_value.cloned(),
                }),
            }
        }
        for (path, new_value) in &new {
            if !old.contains_key(path) {
                changes.push(LockChange {
                    path: path.clone(),
                    old: None,
                    new: Some(new_value.clone()),
                });
            }
        }
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        changes
    }
}

/// Dotted path -> scalar, for every compared leaf of a lock.
fn flatten(lock: &Lock) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(value) = serde_json::to_value(&lock.discovery) {
        walk("", &value, &mut out);
    }
    out
}

fn walk(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                if path == "block" || key == "source" {
                    continue;
                }
                walk(&path, v, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(&format!("{prefix}[{i}]"), v, out);
            }
        }
        serde_json::Value::Null => {}
        serde_json::Value::String(s) => {
            // Addresses are stored lower-case; show them checksummed, as everywhere else.
            let shown = match s.parse::<Address>() {
                Ok(address) if s.len() == 42 => address.to_string(),
                _ => s.clone(),
            };
            out.insert(prefix.to_owned(), shown);
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::B256;

    fn a(n: u8) -> Address {
        Address::repeat_byte(n)
    }

    fn sample() -> Lock {
        let mut d = Discovery::new(a(1));
        d.block = Some(BlockRef {
            number: 1000,
            hash: B256::repeat_byte(7),
        });
        d.l1_chain_id = Some(Sourced::new(
            11155111,
            Source::Rpc {
                method: "eth_chainId".into(),
            },
        ));
        d.l2_chain_id = Some(Sourced::new(
            901,
            Source::call("SystemConfig", "l2ChainId()"),
        ));
        d.batch_inbox = Some(Sourced::new(
            a(2),
            Source::call("SystemConfig", "batchInbox()"),
        ));
        d.proof_system = Some(ProofSystem::FaultProofs);
        d.respected_game_type = Some(Sourced::new(
            1,
            Source::call("OptimismPortal", "respectedGameType()"),
        ));
        d.contracts.insert(
            ContractName::SystemConfig,
            ContractInfo {
                address: a(1),
                version: Some("3.14.2".into()),
                source: Source::Toml {
                    key: "l1.system_config".into(),
                },
            },
        );
        d.contracts.insert(
            ContractName::OptimismPortal,
            ContractInfo {
                address: a(3),
                version: Some("4.6.0".into()),
                source: Source::call("SystemConfig", "optimismPortal()"),
            },
        );
        d.roles.insert(
            RoleName::Batcher,
            Sourced::new(a(10), Source::call("SystemConfig", "batcherHash()")),
        );
        d.insert_game(Game {
            game_type: 1,
            implementation: ContractInfo {
                address: a(20),
                version: Some("2.0.0".into()),
                source: Source::call("DisputeGameFactory", "gameImpls(1)"),
            },
            layout: GameArgsLayout::GameArgs,
            absolute_prestate: Sourced::new(
                B256::repeat_byte(3),
                Source::call("DisputeGameFactory", "gameArgs(1)[0:32]"),
            ),
            vm: Sourced::new(
                a(21),
                Source::call("DisputeGameFactory", "gameArgs(1)[32:52]"),
            ),
            weth: Sourced::new(
                a(22),
                Source::call("DisputeGameFactory", "gameArgs(1)[72:92]"),
            ),
            anchor_state_registry: Sourced::new(
                a(23),
                Source::call("DisputeGameFactory", "gameArgs(1)[52:72]"),
            ),
            l2_chain_id: Sourced::new(
                901,
                Source::call("DisputeGameFactory", "gameArgs(1)[92:124]"),
            ),
            proposer: Some(Sourced::new(
                a(24),
                Source::call("DisputeGameFactory", "gameArgs(1)[124:144]"),
            )),
            challenger: Some(Sourced::new(
                a(25),
                Source::call("DisputeGameFactory", "gameArgs(1)[144:164]"),
            )),
        });
        Lock::from_discovery("devnet", 901, &d)
    }

    #[test]
    fn a_lock_round_trips_through_its_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("devnet.lock");
        let lock = sample();
        lock.write(&path).expect("writes");
        let text = std::fs::read_to_string(&path).expect("readable");
        assert!(text.starts_with("# Written by `opctl discover`"), "{text}");
        assert!(text.contains("[lock]"), "{text}");
        assert!(text.contains("[games.1]"), "{text}");
        assert_eq!(Lock::read(&path).expect("reads"), Some(lock.clone()));
        // Deterministic: writing the same lock twice gives the same bytes.
        lock.write(&path).expect("rewrites");
        assert_eq!(std::fs::read_to_string(&path).expect("readable"), text);
        // No temp files left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("devnet.lock")]);
    }

    #[test]
    fn the_fork_schedule_round_trips_and_is_not_an_on_chain_change() {
        use crate::model::forks::Fork;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("devnet.lock");
        let mut forks = ForkSchedule::new(Source::Toml {
            key: "chain.rollup_config".into(),
        });
        forks.times.insert(Fork::Isthmus, 0);
        forks.times.insert(Fork::Karst, 1_800_000_000);
        let lock = sample().with_forks(Some(forks.clone()));
        lock.write(&path).expect("writes");
        let text = std::fs::read_to_string(&path).expect("readable");
        assert!(text.contains("[forks.times]"), "{text}");
        assert!(text.contains("karst = 1800000000"), "{text}");
        let read = Lock::read(&path).expect("reads").expect("present");
        assert_eq!(read.forks, Some(forks));
        assert_eq!(read, lock);
        // A lock written before forks were recorded still reads.
        sample().write(&path).expect("writes");
        assert_eq!(
            Lock::read(&path).expect("reads").expect("present").forks,
            None
        );
        assert!(Lock::diff(&sample(), &lock).is_empty());
    }

    #[test]
    fn a_missing_lock_is_none_and_a_broken_one_names_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.lock");
        assert_eq!(Lock::read(&path).expect("missing is fine"), None);
        std::fs::write(&path, "[lock]\nformat_version = 1\nchain = 3\n").expect("write");
        let err = Lock::read(&path).expect_err("invalid");
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("chain"), "{message}");
        std::fs::write(
            &path,
            "[lock]\nformat_version = 99\nchain = \"x\"\nl2_chain_id = 1\n",
        )
        .expect("write");
        assert!(matches!(
            Lock::read(&path),
            Err(LockError::UnsupportedFormat { found: 99, .. })
        ));
    }

    #[test]
    fn the_lock_path_sits_next_to_the_chain_file() {
        assert_eq!(
            Lock::path_for(Path::new("chains/devnet.toml")),
            PathBuf::from("chains/devnet.lock")
        );
        assert_eq!(
            Lock::path_for(Path::new("op.toml")),
            PathBuf::from("op.lock")
        );
    }

    #[test]
    fn a_lock_for_another_chain_or_system_config_is_a_mismatch_naming_both_values() {
        let lock = sample();
        assert_eq!(lock.check_matches("devnet", 901, a(1)), Ok(()));
        let err = lock
            .check_matches("other", 901, a(1))
            .expect_err("other chain");
        assert!(
            err.to_string().contains("\"devnet\"") && err.to_string().contains("\"other\""),
            "{err}"
        );
        assert!(matches!(
            lock.check_matches("devnet", 902, a(1)),
            Err(LockMismatch::L2ChainId {
                lock: 901,
                toml: 902
            })
        ));
        let err = lock
            .check_matches("devnet", 901, a(9))
            .expect_err("other SystemConfig");
        let message = err.to_string();
        assert!(
            message.contains(&a(1).to_string()) && message.contains(&a(9).to_string()),
            "{message}"
        );
    }

    #[test]
    fn diff_reports_changed_added_and_removed_values_but_not_the_block() {
        let old = sample();
        let mut new = old.clone();
        assert!(Lock::diff(&old, &new).is_empty());
        new.discovery.block = Some(BlockRef {
            number: 2000,
            hash: B256::repeat_byte(8),
        });
        new.discovery
            .roles
            .get_mut(&RoleName::Batcher)
            .expect("batcher")
            .source = Source::call("X", "y()");
        assert!(
            Lock::diff(&old, &new).is_empty(),
            "block and sources are not on-chain changes"
        );

        new.discovery.roles.insert(
            RoleName::Batcher,
            Sourced::new(a(11), Source::call("SystemConfig", "batcherHash()")),
        );
        new.discovery.roles.insert(
            RoleName::Guardian,
            Sourced::new(a(12), Source::call("OptimismPortal", "guardian()")),
        );
        new.discovery
            .contracts
            .remove(&ContractName::OptimismPortal);
        let changes = Lock::diff(&old, &new);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "contracts.optimism_portal.address",
                "contracts.optimism_portal.version",
                "roles.batcher.value",
                "roles.guardian.value"
            ]
        );
        assert_eq!(changes[2].old.as_deref(), Some(a(10).to_string().as_str()));
        assert_eq!(changes[2].new.as_deref(), Some(a(11).to_string().as_str()));
        assert_eq!(changes[3].old, None);
        assert_eq!(changes[0].new, None);
        assert!(changes[2].to_string().contains(" -> "));
    }
}

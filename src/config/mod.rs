//! The chain TOML: loading with precise errors (file:line:col, key path, hint), and validation.
//!
//! Loading is the only I/O here (the TOML file and the rollup/genesis files it names, read through
//! [`load_with`]'s reader); everything after works on the loaded values.

pub mod diag;
pub mod duration;
pub mod genesis;
pub mod model;
pub mod packed;
pub mod rollup;
pub mod state;
pub mod status;
pub mod validate;
pub mod watch;

use std::path::{Path, PathBuf};

pub use diag::Diagnostic;
pub use model::*;
pub use watch::{DriftPolicy, LockPolicy, Watch};

/// Default images. The OP Stack components come from the release sets (`data/releases.toml`,
/// [`crate::model::releases`]): a chain without `[images] release` gets the default set's images.
pub mod default_images {
    pub use crate::model::releases::REGISTRY;
    /// The init step that reassembles a custom chain's genesis (`render::genesis`): any image
    /// with a POSIX shell, `cat`, `gunzip`, `sha256sum`, `mkdir`, `mv`; pinned by tag. Not an OP
    /// Stack component, so not part of the release sets (no hardfork or version pairing concerns it).
    pub const BUSYBOX: &str = "docker.io/library/busybox:1.37.0";
    /// How far ahead the `hardfork` check looks when `[images] hardfork_window` is not set.
    pub const HARDFORK_WINDOW: std::time::Duration = std::time::Duration::from_secs(14 * 86_400);
}

/// L1 chain ids whose chain config op-node and op-challenger have built in.
pub const KNOWN_L1S: &[u64] = &[1, 11155111, 17000, 560048];

/// Largest total size of rollup.json (+ the L1 genesis) carried in the chain's ConfigMap (the API
/// limit is 1 MiB, minus room for metadata). The L2 genesis travels separately, compressed and in
/// parts (`packed::PackedGenesis`).
pub const CONFIGMAP_BUDGET: usize = 1_000_000;

/// A chain file read from disk, with the files it references.
#[derive(Debug, Clone)]
pub struct LoadedChain {
    pub path: PathBuf,
    pub text: String,
    pub file: ChainFile,
    /// Contents of `chain.rollup_config`, when set.
    pub rollup_json: Option<String>,
    /// `rollup_json` parsed as op-node reads it (once per load: every reader shares it).
    rollup_parsed: Option<Result<rollup::RollupJson, rollup::ParseError>>,
    /// Contents of `chain.genesis`, when set.
    pub genesis_json: Option<String>,
    /// `genesis_json` compressed for delivery (computed once per load: it can be tens of MB).
    pub genesis_packed: Option<std::sync::Arc<packed::PackedGenesis>>,
    /// Contents of `l1.genesis`, when set.
    pub l1_genesis_json: Option<String>,
    /// The lock file next to the chain file, as text, when `watch.deploy` carries it into the
    /// watcher's ConfigMap (`resolve` parses the lock file itself).
    pub lock_text: Option<String>,
}

impl LoadedChain {
    pub fn namespace(&self) -> &str {
        self.file
            .chain
            .namespace
            .as_deref()
            .unwrap_or(&self.file.chain.name)
    }

    /// `chain.rollup_config` parsed as op-node reads it; `None` for a registry chain.
    pub fn rollup(&self) -> Option<Result<&rollup::RollupJson, &rollup::ParseError>> {
        self.rollup_parsed.as_ref().map(Result::as_ref)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read chain file {}: {source}\n  hint: check the path; chain files are TOML (see examples/)", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", render_all(.0))]
    Invalid(Vec<Diagnostic>),
}

impl ConfigError {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ConfigError::Invalid(d) => d,
            ConfigError::Read { .. } => &[],
        }
    }
}

fn render_all(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    if diags.len() > 1 {
        out.push_str(&format!("\n{} problems in the chain file", diags.len()));
    }
    out
}

/// Read, parse and validate a chain file, and read the rollup/genesis files it names.
pub fn load(path: &Path) -> Result<LoadedChain, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    load_str(path, &text)
}

/// Like [`load`] for text already in memory; `path` locates the relative rollup/genesis files.
pub fn load_str(path: &Path, text: &str) -> Result<LoadedChain, ConfigError> {
    load_with(path, text, &mut |p| std::fs::read_to_string(p))
}

/// Parse and validate chain-file `text` shown as `path`, reading the files it names (rollup.json,
/// genesis.json, the L1 genesis, the lock file) through `read` instead of the file system, so the
/// whole loader runs without I/O (fuzzing, tests).
pub fn load_with(
    path: &Path,
    text: &str,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) -> Result<LoadedChain, ConfigError> {
    let map = diag::SourceMap::new(path, text);
    // Scan for secrets before anything else so that no later error message can echo one.
    let secrets = validate::scan_for_private_keys(&map);
    if !secrets.is_empty() {
        return Err(ConfigError::Invalid(secrets));
    }
    let file = parse(text, &map)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut diags = Vec::new();
    let rollup_json = read_side_file(
        base,
        file.chain.rollup_config.as_deref(),
        "chain.rollup_config",
        &map,
        &mut diags,
        read,
    );
    let genesis_json = read_side_file(
        base,
        file.chain.genesis.as_deref(),
        "chain.genesis",
        &map,
        &mut diags,
        read,
    );
    let l1_genesis_json = read_side_file(
        base,
        file.l1.genesis.as_deref(),
        "l1.genesis",
        &map,
        &mut diags,
        read,
    );
    let lock_text = if file.watch.deploy {
        read(&crate::lock::Lock::path_for(path)).ok()
    } else {
        None
    };
    let loaded = LoadedChain {
        path: path.to_path_buf(),
        text: text.to_string(),
        file,
        rollup_parsed: rollup_json.as_deref().map(rollup::parse),
        rollup_json,
        genesis_packed: genesis_json
            .as_ref()
            .map(|g| std::sync::Arc::new(packed::PackedGenesis::pack(g.as_bytes()))),
        genesis_json,
        l1_genesis_json,
        lock_text,
    };
    diags.extend(validate::validate(&loaded, &map));
    if diags.is_empty() {
        Ok(loaded)
    } else {
        Err(ConfigError::Invalid(diags))
    }
}

fn parse(text: &str, map: &diag::SourceMap<'_>) -> Result<ChainFile, ConfigError> {
    let de = toml::Deserializer::parse(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        ConfigError::Invalid(vec![map.at_offset(
            offset,
            "",
            format!("TOML syntax error: {}", e.message().trim()),
            Some("fix the TOML syntax at this position (https://toml.io)".into()),
        )])
    })?;
    serde_path_to_error::deserialize::<_, ChainFile>(de).map_err(|e| {
        let key_path = e.path().to_string();
        let key_path = if key_path == "." {
            String::new()
        } else {
            key_path
        };
        let inner = e.inner();
        let message = inner.message().trim().to_string();
        let hint = hint_for(&message);
        let d = match inner.span() {
            Some(span) => map.at_offset(span.start, &key_path, message, hint),
            None => map.at_path(&key_path, message, hint),
        };
        ConfigError::Invalid(vec![d])
    })
}

fn hint_for(message: &str) -> Option<String> {
    if message.starts_with("unknown field") {
        Some("remove the key or fix its spelling; `opctl schema` prints every allowed key".into())
    } else if message.starts_with("missing field") {
        Some("add the key; see examples/ and `opctl schema`".into())
    } else if message.starts_with("invalid type") {
        Some("change the value to the expected type".into())
    } else if message.starts_with("unknown variant") {
        Some("use one of the listed values".into())
    } else if message.contains("did not match any variant") {
        Some("give a string (`\"https://...\"` or `\"env:VAR\"`) or `{ secret = \"name\", key = \"key\" }`".into())
    } else {
        None
    }
}

fn read_side_file(
    base: &Path,
    rel: Option<&str>,
    key: &str,
    map: &diag::SourceMap<'_>,
    diags: &mut Vec<Diagnostic>,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) -> Option<String> {
    let rel = rel?;
    let full = base.join(rel);
    match read(&full) {
        Ok(text) => Some(text),
        Err(e) => {
            diags.push(map.at_path(
                key,
                format!("cannot read {}: {e}", full.display()),
                Some("paths are relative to the chain file's directory".into()),
            ));
            None
        }
    }
}

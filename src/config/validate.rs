//! Semantic checks of a parsed chain file: names, addresses, URLs, quantities, role dependencies, secrets.

use super::diag::{Diagnostic, SourceMap};
use super::model::*;
use super::state::MAX_ETH_PROOF_WINDOW;
use super::{LoadedChain, CONFIGMAP_BUDGET};

/// Ports the rendered pods use; a metrics port must not collide with them.
const RESERVED_PORTS: &[u16] = &[8545, 8546, 8551, 9545, 9222, 30303, 9200, 9001, 6060];

/// Env var names whose values are keys; never allowed as plain `env`.
const SECRET_ENV_SUFFIXES: &[&str] = &["_PRIVATE_KEY", "_MNEMONIC", "_SEQUENCER_KEY", "_PRIV_RAW"];

/// Flags that take key material; never allowed in extra arguments.
const SECRET_FLAGS: &[&str] = &[
    "--private-key",
    "--mnemonic",
    "--p2p.sequencer.key",
    "--p2p.priv.raw",
];

/// Challenger game types opctl knows op-challenger to accept (fact sheet 1.5).
pub const GAME_TYPES: &[&str] = &[
    "cannon",
    "permissioned",
    "cannon-kona",
    "super-cannon",
    "super-permissioned",
    "super-cannon-kona",
    "optimistic-zk",
];

/// Why a permissionless VM game cannot be played against op-reth (rule challenger-vm-state).
pub fn vm_game_against_op_reth(trace_type: &str) -> String {
    format!("`{trace_type}` cannot be played against op-reth: its VM needs the state of the disputed block for the whole game (up to 7 days); op-reth serves trie nodes through neither debug_dbGet (code keys only) nor eth_getProof beyond {MAX_ETH_PROOF_WINDOW} blocks, and opctl does not run op-reth's proofs-history store")
}

/// What to do about [`vm_game_against_op_reth`].
pub const VM_GAME_AGAINST_OP_RETH_HINT: &str = "use `game_types = [\"permissioned\"]`, or run `[replicas] execution_client = \"op-geth\"` with `archive = true`";

/// Programs whose prestates `challenger.prestates` may name (asterisc was dropped from
/// op-challenger in 2026-01).
pub const PRESTATE_PROGRAMS: &[&str] = &["cannon", "cannon-kona"];

/// Any string value that looks like a raw 32-byte private key is an error: keys belong in Secrets.
/// The message never repeats the value.
pub fn scan_for_private_keys(map: &SourceMap<'_>) -> Vec<Diagnostic> {
    map.strings()
        .into_iter()
        .filter(|(_, _, s)| looks_like_private_key(s))
        .map(|(path, span, _)| {
            map.at_offset(
                span.start,
                &path,
                "this value looks like a private key (64 hex characters); secret material never goes in the chain file",
                Some(
                    "store the key in a Kubernetes Secret (`kubectl create secret generic NAME --from-literal=private-key=\"$(tr -d '[:space:]' < KEYFILE)\"`) and reference it: `{ secret = \"NAME\", key = \"private-key\" }`"
                        .into(),
                ),
            )
        })
        .collect()
}

/// True when the string is, or contains as a separate token (e.g. `--flag=<key>`), exactly 64 hex
/// characters with an optional `0x`.
fn looks_like_private_key(s: &str) -> bool {
    without_digests(s)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(|token| token.strip_prefix("0x").unwrap_or(token))
        .any(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `s` with every image digest (`sha256:` and its hex) blanked: a digest is not a key.
fn without_digests(s: &str) -> String {
    // Only an image digest, `@sha256:` and exactly 64 hex digits, is blanked: anything else that
    // looks like a key is still scanned.
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("@sha256:") {
        let after = &rest[i + "@sha256:".len()..];
        let hex = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex == 64 {
            out.push_str(&rest[..i]);
            out.push(' ');
        } else {
            out.push_str(&rest[..i + "@sha256:".len()]);
        }
        rest = if hex == 64 { &after[hex..] } else { after };
    }
    out.push_str(rest);
    out
}

/// All semantic problems of a loaded chain (empty when valid).
pub fn validate(chain: &LoadedChain, map: &SourceMap<'_>) -> Vec<Diagnostic> {
    let mut v = Validator {
        map,
        out: Vec::new(),
    };
    v.run(chain);
    v.out
}

struct Validator<'m, 'a> {
    map: &'m SourceMap<'a>,
    out: Vec<Diagnostic>,
}

impl Validator<'_, '_> {
    fn err(&mut self, path: &str, message: impl Into<String>, hint: impl Into<String>) {
        let hint = hint.into();
        let hint = if hint.is_empty() { None } else { Some(hint) };
        self.out.push(self.map.at_path(path, message, hint));
    }

    fn run(&mut self, c: &LoadedChain) {
        let f = &c.file;
        self.chain(c);
        self.l1(&f.l1);
        if let Some(src) = &f.status.reference_rpc {
            self.url_source("status.reference_rpc", src);
        }
        self.contracts(&f.contracts);
        self.images(&f.images);
        self.release(f);
        self.common("defaults", &f.defaults);
        self.sequencer(c);
        self.replicas(c);
        self.batcher(f);
        self.proposer(f);
        self.challenger(c);
        self.network_policy(f);
        self.out.extend(super::watch::validate(c, self.map));
        self.out.extend(super::status::validate(c, self.map));
    }

    fn chain(&mut self, c: &LoadedChain) {
        let chain = &c.file.chain;
        if !is_dns_label(&chain.name, 40)
            || !chain.name.starts_with(|ch: char| ch.is_ascii_lowercase())
        {
            self.err(
                "chain.name",
                format!("`{}` is not a valid chain name", chain.name),
                "use a DNS label that starts with a letter: lowercase letters, digits and `-`, at most 40 characters (it prefixes every object name)",
            );
        }
        if let Some(ns) = &chain.namespace {
            if !is_dns_label(ns, 63) {
                self.err(
                    "chain.namespace",
                    format!("`{ns}` is not a valid namespace name"),
                    "use a DNS label: lowercase letters, digits and `-`, at most 63 characters",
                );
            }
        }
        if chain.l2_chain_id == 0 {
            self.err("chain.l2_chain_id", "the L2 chain id must not be 0", "");
        }
        let custom = chain.rollup_config.is_some() || chain.genesis.is_some();
        match (&chain.network, custom) {
            (Some(_), true) => self.err(
                "chain.network",
                "`network` and `rollup_config`/`genesis` are mutually exclusive",
                "registry chains take their config from `network`; custom chains give `rollup_config` and `genesis`",
            ),
            (Some(n), false) => match crate::networks::resolve(n) {
                Ok(known) => self.registry_chain(c, known),
                Err(e) => self.err("chain.network", e.to_string(), e.hint()),
            },
            (None, _) => {
                if chain.rollup_config.is_none() {
                    self.err(
                        "chain.rollup_config",
                        "a custom chain needs `rollup_config` (the path to rollup.json)",
                        "generate it with `op-deployer inspect rollup`, or set `network = \"op-sepolia\"` for a registry chain",
                    );
                }
                if chain.genesis.is_none() {
                    self.err(
                        "chain.genesis",
                        "a custom chain needs `genesis` (the path to the L2 genesis.json)",
                        "generate it with `op-deployer inspect genesis`, or set `network = ...` for a registry chain",
                    );
                }
            }
        }
        if let Some(parsed) = c.rollup() {
            self.rollup_json(c, parsed);
        }
        if let Some(text) = &c.genesis_json {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
                self.err(
                    "chain.genesis",
                    format!("the genesis file is not valid JSON: {e}"),
                    "",
                );
            }
        }
        if let (Some(Ok(rollup)), Some(genesis)) = (c.rollup(), &c.genesis_json) {
            if let super::genesis::GenesisCheck::Mismatch { declared, computed } =
                super::genesis::check_hash(rollup.config.genesis.l2.hash, genesis)
            {
                self.err(
                    "chain.rollup_config",
                    format!(
                        "rollup.json's `genesis.l2.hash` is {declared}, but the genesis block genesis.json (chain.genesis) produces has hash {computed}: op-node would not find its L2 genesis block in the execution client and refuses to start"
                    ),
                    "take rollup.json and genesis.json from the same deployment (`op-deployer inspect rollup` and `op-deployer inspect genesis`); never edit `alloc` by hand",
                );
            }
        }
        let size = c.rollup_json.as_ref().map_or(0, String::len)
            + c.l1_genesis_json.as_ref().map_or(0, String::len);
        if size > CONFIGMAP_BUDGET {
            self.err(
                "chain.rollup_config",
                format!("rollup.json and the L1 genesis together are {size} bytes; the chain's ConfigMap holds at most {CONFIGMAP_BUDGET}"),
                "these files are small in every real chain: check that the right files are named",
            );
        }
        if let Some(packed) = &c.genesis_packed {
            if !packed.fits() {
                self.err(
                    "chain.genesis",
                    format!(
                        "genesis.json is {} bytes and {} bytes compressed; opctl delivers at most {} MiB compressed ({} ConfigMaps of {} KiB)",
                        packed.size,
                        packed.gz.len(),
                        super::packed::MAX_PARTS * super::packed::PART_BYTES / (1024 * 1024),
                        super::packed::MAX_PARTS,
                        super::packed::PART_BYTES / 1024
                    ),
                    "the genesis must reach the nodes byte-identical (its hash is the chain's genesis block): use a registry `network` if the chain is in the superchain registry",
                );
            }
        }
    }

    /// A registry network: the chain file's ids must be the registry's, and every execution
    /// client the file runs must know the chain by name (op-reth has no genesis to fall back on).
    fn registry_chain(&mut self, c: &LoadedChain, n: &crate::networks::KnownNetwork) {
        let f = &c.file;
        if f.chain.l2_chain_id != n.l2_chain_id {
            self.err(
                "chain.l2_chain_id",
                format!(
                    "l2_chain_id is {}, but the superchain registry says {} (`network = \"{}\"`) has chain id {}",
                    f.chain.l2_chain_id, n.display_name, n.name, n.l2_chain_id
                ),
                format!("set `l2_chain_id = {}`, or name the network you mean (`opctl networks` lists them with their chain ids)", n.l2_chain_id),
            );
        }
        if f.l1.chain_id != n.l1_chain_id {
            self.err(
                "l1.chain_id",
                format!(
                    "l1.chain_id is {}, but {} (`network = \"{}\"`) settles on L1 chain {} (superchain `{}`)",
                    f.l1.chain_id, n.display_name, n.name, n.l1_chain_id, n.superchain
                ),
                format!("set `chain_id = {}` under `[l1]` and point the L1 endpoints at that chain", n.l1_chain_id),
            );
        }
        let runs_reth = (f.sequencer.enabled
            && f.sequencer.execution_client == ExecutionClient::OpReth)
            || (f.replicas.enabled && f.replicas.execution_client == ExecutionClient::OpReth);
        if runs_reth && n.op_reth_chain().is_none() {
            self.err(
                "chain.network",
                format!("op-reth has no built-in chain spec for `{}`, and without one it needs the chain's genesis file", n.name),
                format!("describe it as a custom chain instead of `network`: `rollup_config` (op-node's rollup config for {0}) and `genesis` (the registry's `superchain/extra/genesis/{1}/<chain>.json.zst`, unpacked with `zstd -d -D superchain/extra/dictionary`)", n.name, n.superchain),
            );
        }
    }

    fn rollup_json(
        &mut self,
        c: &LoadedChain,
        parsed: Result<&super::rollup::RollupJson, &super::rollup::ParseError>,
    ) {
        let file = c
            .file
            .chain
            .rollup_config
            .as_deref()
            .unwrap_or("rollup.json");
        let r = match parsed {
            Ok(r) => r,
            Err(e) => {
                self.err(
                    "chain.rollup_config",
                    format!("{file}: {e}"),
                    "take rollup.json from `op-deployer inspect rollup` (op-node decodes it strictly: every key must be one it knows)",
                );
                return;
            }
        };
        for p in super::rollup::check(r) {
            self.err(
                "chain.rollup_config",
                format!("{file}: `{}`: {}", p.key, p.message),
                p.hint,
            );
        }
        let l2 = r.l2_chain_id();
        if l2 != c.file.chain.l2_chain_id {
            self.err(
                "chain.l2_chain_id",
                format!(
                    "is {} but rollup.json says l2_chain_id = {l2}",
                    c.file.chain.l2_chain_id
                ),
                "the chain file and rollup.json must describe the same chain",
            );
        }
        let l1 = r.config.l1_chain_id;
        if l1 != c.file.l1.chain_id {
            self.err(
                "l1.chain_id",
                format!(
                    "is {} but rollup.json says l1_chain_id = {l1}",
                    c.file.l1.chain_id
                ),
                "the chain file and rollup.json must name the same L1",
            );
        }
        if let Some(ours) = c.file.contracts.system_config.as_deref() {
            let theirs = r.config.l1_system_config_address;
            let parsed = ours.parse::<alloy::primitives::Address>();
            if parsed.is_ok_and(|a| a != theirs) {
                self.err(
                    "contracts.system_config",
                    format!("is {ours} but rollup.json's l1_system_config_address is {theirs}"),
                    "drop `contracts.system_config` (rollup.json names it) or fix the mismatch",
                );
            }
        }
    }

    fn url_source(&mut self, path: &str, src: &UrlSource) {
        match src {
            UrlSource::Text(s) => {
                if let Some(var) = src.env_var() {
                    if !is_env_name(var) {
                        self.err(
                            path,
                            format!("`{s}` does not name an environment variable"),
                            "write `env:NAME` with NAME made of letters, digits and `_`",
                        );
                    }
                } else if !(s.starts_with("http://")
                    || s.starts_with("https://")
                    || s.starts_with("ws://")
                    || s.starts_with("wss://"))
                {
                    self.err(
                        path,
                        "expected an http(s)/ws(s) URL, `env:VAR`, or `{ secret = \"name\", key = \"key\" }`",
                        "URLs that carry API keys belong in a Secret or an environment variable",
                    );
                } else {
                    self.no_credentials(path, s);
                }
            }
            UrlSource::Secret(r) => self.secret_ref(path, r),
        }
    }

    /// A literal URL ends up in pod specs, plans and logs, so it must not carry credentials.
    /// The message never repeats the URL.
    fn no_credentials(&mut self, path: &str, url: &str) {
        if url_carries_credentials(url) {
            self.err(
                path,
                "this URL carries credentials (user:password, a query string, or an API-key path segment); a literal would show in pod specs, plans and logs",
                "write `env:VAR` (opctl stores it in a Secret it manages) or `{ secret = \"name\", key = \"key\" }`",
            );
        }
    }

    fn secret_ref(&mut self, path: &str, r: &SecretKeyRef) {
        if !is_dns_subdomain(&r.secret) {
            self.err(
                &format!("{path}.secret"),
                format!("`{}` is not a valid Secret name", r.secret),
                "use lowercase letters, digits, `-` and `.`",
            );
        }
        if r.key.is_empty()
            || !r
                .key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        {
            self.err(
                &format!("{path}.key"),
                format!("`{}` is not a valid Secret key", r.key),
                "use letters, digits, `-`, `_` and `.`",
            );
        }
    }

    fn l1(&mut self, l1: &L1) {
        if l1.chain_id == 0 {
            self.err(
                "l1.chain_id",
                "the L1 chain id must not be 0",
                "1 is Ethereum mainnet, 11155111 Sepolia",
            );
        }
        self.url_source("l1.rpc_url", &l1.rpc_url);
        self.url_source("l1.beacon_url", &l1.beacon_url);
        for (i, src) in l1.beacon_fallbacks.iter().enumerate() {
            let path = format!("l1.beacon_fallbacks.{i}");
            if src.env_var().is_some() {
                self.err(
                    &path,
                    "`env:VAR` is not supported for beacon fallbacks",
                    "write the URL, or `{ secret = \"name\", key = \"key\" }` for one that carries a key",
                );
            } else {
                self.url_source(&path, src);
            }
        }
    }

    fn address(&mut self, path: &str, value: &str) {
        if !is_address(value) {
            self.err(
                path,
                format!("`{value}` is not an address"),
                "write 0x followed by 40 hex characters",
            );
        }
    }

    fn contracts(&mut self, c: &Contracts) {
        let fields = [
            ("system_config", &c.system_config),
            ("optimism_portal", &c.optimism_portal),
            ("dispute_game_factory", &c.dispute_game_factory),
            ("l2_output_oracle", &c.l2_output_oracle),
            ("anchor_state_registry", &c.anchor_state_registry),
            ("l1_cross_domain_messenger", &c.l1_cross_domain_messenger),
            ("l1_standard_bridge", &c.l1_standard_bridge),
            ("batch_inbox", &c.batch_inbox),
        ];
        for (name, value) in fields {
            if let Some(v) = value {
                self.address(&format!("contracts.{name}"), v);
            }
        }
        if c.dispute_game_factory.is_some() && c.l2_output_oracle.is_some() {
            self.err(
                "contracts.l2_output_oracle",
                "a chain uses either a DisputeGameFactory or a legacy L2OutputOracle, not both",
                "remove one of the two overrides",
            );
        }
    }

    /// `images.release` names a shipped set that can render every component the chain runs
    /// (or the chain pins what the set leaves unconfirmed); `images.hardfork_window` is a
    /// duration in range.
    fn release(&mut self, f: &ChainFile) {
        let i = &f.images;
        let matrix = crate::model::releases::builtin();
        if let Some(name) = &i.release {
            if matrix.set(name).is_none() {
                self.err(
                    "images.release",
                    format!("`{name}` is not a release set opctl knows"),
                    format!(
                        "use one of {} (data/releases.toml), or remove the key for the default {}",
                        matrix.names().join(", "),
                        matrix.default
                    ),
                );
                return;
            }
        }
        let set = i.release_set();
        for c in f.components() {
            if i.pinned(c).is_some() || set.image(c).is_some() {
                continue;
            }
            let key = c.replace('-', "_");
            self.err(
                "images.release",
                format!(
                    "release {} has no confirmed {c} image: {}",
                    set.name,
                    set.missing(c)
                ),
                format!("pin `images.{key}` yourself, or choose another release"),
            );
        }
        if let Some(text) = &i.hardfork_window {
            let bounds = super::duration::HARDFORK_WINDOW;
            let range = format!("use {bounds} (the default is 14d)");
            match super::duration::parse_duration(text) {
                Ok(d) if !bounds.contains(d) => self.err(
                    "images.hardfork_window",
                    format!("`{text}` is out of range"),
                    range,
                ),
                Ok(_) => {}
                Err(e) => self.err(
                    "images.hardfork_window",
                    e,
                    format!("write a duration like `14d` or `72h`; {range}"),
                ),
            }
        }
    }

    fn images(&mut self, i: &Images) {
        let fields = [
            ("op_node", &i.op_node),
            ("op_reth", &i.op_reth),
            ("op_geth", &i.op_geth),
            ("op_batcher", &i.op_batcher),
            ("op_proposer", &i.op_proposer),
            ("op_challenger", &i.op_challenger),
        ];
        for (name, value) in fields {
            let Some(image) = value else { continue };
            let path = format!("images.{name}");
            let last = image.rsplit('/').next().unwrap_or(image);
            if image.is_empty() || image.contains(char::is_whitespace) {
                self.err(&path, format!("`{image}` is not an image reference"), "");
            } else if !(last.contains(':') || image.contains("@sha256:")) {
                self.err(&path, format!("image `{image}` is not pinned"), "add a tag (`:v1.2.3`) or a digest (`@sha256:...`); unpinned images change under you");
            } else if last.ends_with(":latest") {
                self.err(
                    &path,
                    format!("image `{image}` uses the moving tag `latest`"),
                    "pin a release tag so that a plan means the same thing tomorrow",
                );
            }
        }
    }

    fn quantity(&mut self, path: &str, q: &str) {
        if !is_quantity(q) {
            self.err(
                path,
                format!("`{q}` is not a Kubernetes quantity"),
                "e.g. `500m` or `2` for CPU, `512Mi` or `4Gi` for memory and storage",
            );
        }
    }

    fn resources(&mut self, path: &str, r: &Resources) {
        for (k, v) in [
            ("cpu", &r.cpu),
            ("memory", &r.memory),
            ("cpu_limit", &r.cpu_limit),
            ("memory_limit", &r.memory_limit),
        ] {
            if let Some(q) = v {
                self.quantity(&format!("{path}.{k}"), q);
            }
        }
    }

    fn common(&mut self, path: &str, c: &Common) {
        if let Some(domain) = &c.cluster_domain {
            if path != "defaults" {
                self.err(
                    &format!("{path}.cluster_domain"),
                    "the cluster domain is the same for every role",
                    "set it once, under `[defaults]`",
                );
            } else if !is_dns_subdomain(domain) {
                self.err(
                    "defaults.cluster_domain",
                    format!("`{domain}` is not a DNS domain"),
                    "the kubelet's `clusterDomain`, e.g. `cluster.local`",
                );
            }
        }
        if let Some(port) = c.metrics_port {
            if port < 1024 || RESERVED_PORTS.contains(&port) {
                self.err(
                    &format!("{path}.metrics_port"),
                    format!("port {port} is privileged or already used by the pods"),
                    format!("pick a port from 1024 to 65535 other than {RESERVED_PORTS:?}; 7300 is the OP Stack default"),
                );
            }
        }
        if let Some(r) = &c.resources {
            self.resources(&format!("{path}.resources"), r);
        }
        if let Some(s) = &c.security {
            if s.run_as_user == Some(0) {
                self.err(
                    &format!("{path}.security.run_as_user"),
                    "containers must not run as root (uid 0)",
                    "use an unprivileged uid such as 10001",
                );
            }
        }
        if let Some(env) = &c.env {
            for name in env.keys() {
                if !is_env_name(name) {
                    self.err(
                        &format!("{path}.env.{name}"),
                        format!("`{name}` is not a valid environment variable name"),
                        "use letters, digits and `_`, not starting with a digit",
                    );
                } else if SECRET_ENV_SUFFIXES.iter().any(|suf| name.ends_with(suf)) {
                    self.err(
                        &format!("{path}.env.{name}"),
                        format!("`{name}` holds key material; plain env values are visible in pod specs and plans"),
                        "use the role's `signer` / `signing_key` (a Secret reference or a remote signer)",
                    );
                }
            }
        }
        if let Some(tols) = &c.tolerations {
            for (i, t) in tols.iter().enumerate() {
                if let Some(op) = &t.operator {
                    if op != "Exists" && op != "Equal" {
                        self.err(
                            &format!("{path}.tolerations.{i}.operator"),
                            format!("`{op}` is not a toleration operator"),
                            "use `Exists` or `Equal`",
                        );
                    }
                }
                if let Some(effect) = &t.effect {
                    if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect.as_str()) {
                        self.err(
                            &format!("{path}.tolerations.{i}.effect"),
                            format!("`{effect}` is not a taint effect"),
                            "use `NoSchedule`, `PreferNoSchedule` or `NoExecute`",
                        );
                    }
                }
            }
        }
    }

    fn storage(&mut self, path: &str, s: &Storage) {
        if let Some(size) = &s.size {
            self.quantity(&format!("{path}.size"), size);
        }
        if let Some(class) = &s.class {
            if !is_dns_subdomain(class) {
                self.err(
                    &format!("{path}.class"),
                    format!("`{class}` is not a valid StorageClass name"),
                    "",
                );
            }
        }
    }

    fn signer(&mut self, path: &str, s: &Option<Signer>, role: &str, authorises: &str) {
        let Some(s) = s else {
            self.err(
                path,
                format!("the {role} needs a signing key"),
                format!("add `{path} = {{ secret = \"NAME\", key = \"private-key\" }}` (a Secret in the chain's namespace holding the key of {authorises}), or a remote signer `{{ endpoint = \"https://...\", address = \"0x...\" }}`"),
            );
            return;
        };
        let local = s.secret.is_some() || s.key.is_some();
        let remote = s.endpoint.is_some() || s.address.is_some();
        match (local, remote) {
            (true, true) => self.err(
                path,
                "give either `secret` + `key` or `endpoint` + `address`, not both",
                "a key lives in a Secret or behind a remote signer",
            ),
            (false, false) => self.err(
                path,
                "empty signer",
                "give `secret` + `key`, or `endpoint` + `address`",
            ),
            (true, false) => match (&s.secret, &s.key) {
                (Some(secret), Some(key)) => self.secret_ref(
                    path,
                    &SecretKeyRef {
                        secret: secret.clone(),
                        key: key.clone(),
                    },
                ),
                _ => self.err(path, "a Secret reference needs both `secret` and `key`", ""),
            },
            (false, true) => {
                match &s.endpoint {
                    Some(e) if e.starts_with("http://") || e.starts_with("https://") => {
                        self.no_credentials(&format!("{path}.endpoint"), e)
                    }
                    Some(e) => self.err(
                        &format!("{path}.endpoint"),
                        format!("`{e}` is not an http(s) URL"),
                        "",
                    ),
                    None => self.err(path, "a remote signer needs `endpoint`", ""),
                }
                match &s.address {
                    Some(a) => self.address(&format!("{path}.address"), a),
                    None => self.err(
                        path,
                        "a remote signer needs `address` (the address it signs for)",
                        "",
                    ),
                }
            }
        }
        if let Some(t) = &s.tls_secret {
            if !is_dns_subdomain(t) {
                self.err(
                    &format!("{path}.tls_secret"),
                    format!("`{t}` is not a valid Secret name"),
                    "",
                );
            }
        }
    }

    fn args(&mut self, path: &str, args: &[String]) {
        for (i, a) in args.iter().enumerate() {
            let flag = a.split('=').next().unwrap_or(a);
            if !a.starts_with('-') {
                self.err(
                    &format!("{path}.{i}"),
                    format!("`{a}` is not a flag"),
                    "extra arguments are flags like `--foo=bar`",
                );
            } else if SECRET_FLAGS.contains(&flag) {
                self.err(
                    &format!("{path}.{i}"),
                    format!("`{flag}` takes key material; arguments are visible in pod specs and plans"),
                    "use the role's `signer` / `signing_key` (a Secret reference or a remote signer)",
                );
            }
        }
    }

    fn sequencer(&mut self, chain: &LoadedChain) {
        let f = &chain.file;
        let s = &f.sequencer;
        if !s.enabled {
            return;
        }
        if f.chain.network.is_some() {
            self.err(
                "sequencer.enabled",
                "a registry chain's sequencer is run by its chain operator, not from a `network` file",
                "node operators run `[replicas]` only; chain operators describe their chain with rollup_config + genesis",
            );
        }
        self.storage("sequencer.storage", &s.storage);
        self.signer(
            "sequencer.signing_key",
            &s.signing_key,
            "sequencer",
            "SystemConfig.unsafeBlockSigner()",
        );
        if let Some(r) = &s.op_node_resources {
            self.resources("sequencer.op_node_resources", r);
        }
        self.args("sequencer.op_node_args", &s.op_node_args);
        self.args("sequencer.execution_args", &s.execution_args);
        if let Some(w) = &s.proof_window {
            if let Err(e) = chain.proof_window_blocks(Some(w), true) {
                self.err("sequencer.proof_window", e, "write a duration like `12h`");
            }
        }
        self.common("sequencer.overrides", &s.overrides);
    }

    fn replicas(&mut self, chain: &LoadedChain) {
        let f = &chain.file;
        let r = &f.replicas;
        if !r.enabled {
            return;
        }
        if r.count == 0 || r.count > 50 {
            self.err(
                "replicas.count",
                format!("{} replicas is out of range", r.count),
                "use 1 to 50, or `enabled = false`",
            );
        }
        // A registry network's public sequencer endpoint is the default (rule registry-sequencer).
        let registry = f.chain.network.as_deref().and_then(crate::networks::lookup);
        let from_registry = registry.and_then(|n| n.sequencer_rpc.as_ref());
        // An unknown `network` is reported once, under `chain.network`.
        let unknown_network = f.chain.network.is_some() && registry.is_none();
        if !f.sequencer.enabled
            && r.sequencer_http.is_none()
            && from_registry.is_none()
            && !unknown_network
        {
            match registry {
                Some(n) => self.err(
                    "replicas.sequencer_http",
                    format!("replicas need a sequencer to follow, and the superchain registry names no sequencer endpoint for `{}`", n.name),
                    "set `sequencer_http` to the chain's public sequencer endpoint (ask its operator)",
                ),
                None => self.err(
                    "replicas.sequencer_http",
                    "replicas need a sequencer to follow: enable `[sequencer]` or set `sequencer_http`",
                    "for a registry chain set `network` (its public sequencer endpoint is built in), or give the endpoint, e.g. `https://sepolia-sequencer.optimism.io`",
                ),
            }
        }
        if let Some(url) = &r.sequencer_http {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                self.err("replicas.sequencer_http", "expected an http(s) URL", "");
            } else {
                self.no_credentials("replicas.sequencer_http", url);
            }
        }
        self.storage("replicas.storage", &r.storage);
        if let Some(res) = &r.op_node_resources {
            self.resources("replicas.op_node_resources", res);
        }
        self.args("replicas.op_node_args", &r.op_node_args);
        self.args("replicas.execution_args", &r.execution_args);
        if let Some(w) = &r.proof_window {
            if let Err(e) = chain.proof_window_blocks(Some(w), r.archive) {
                let hint = if r.archive {
                    "write a duration like `12h`"
                } else {
                    "shorten the window, or set `archive = true`"
                };
                self.err("replicas.proof_window", e, hint);
            }
        }
        self.common("replicas.overrides", &r.overrides);
    }

    fn network_policy(&mut self, f: &ChainFile) {
        let n = &f.network_policy;
        let lists = [
            (
                "network_policy.monitoring_namespaces",
                Some(&n.monitoring_namespaces),
            ),
            (
                "network_policy.public_rpc_namespaces",
                n.public_rpc_namespaces.as_ref(),
            ),
        ];
        for (path, list) in lists {
            for ns in list.into_iter().flatten() {
                if !is_dns_label(ns, 63) {
                    self.err(
                        path,
                        format!("`{ns}` is not a valid namespace name"),
                        "namespace names are DNS labels: lowercase letters, digits and `-`",
                    );
                }
            }
        }
    }

    fn batcher(&mut self, f: &ChainFile) {
        let b = &f.batcher;
        if !b.enabled {
            return;
        }
        if !f.sequencer.enabled {
            self.err(
                "batcher.enabled",
                "op-batcher reads from the sequencer, but `[sequencer]` is not enabled",
                "enable the sequencer in this file, or disable the batcher",
            );
        }
        self.signer(
            "batcher.signer",
            &b.signer,
            "batcher",
            "the batcher address in SystemConfig.batcherHash()",
        );
        self.args("batcher.extra_args", &b.extra_args);
        self.common("batcher.overrides", &b.overrides);
    }

    fn proposer(&mut self, f: &ChainFile) {
        let p = &f.proposer;
        if !p.enabled {
            return;
        }
        if !f.sequencer.enabled && !f.replicas.enabled {
            self.err("proposer.enabled", "op-proposer needs a node to read outputs from: enable `[sequencer]` or `[replicas]`", "");
        }
        self.signer(
            "proposer.signer",
            &p.signer,
            "proposer",
            "the permissioned game's proposer",
        );
        if let Some(d) = &p.proposal_interval {
            if !is_go_duration(d) {
                self.err(
                    "proposer.proposal_interval",
                    format!("`{d}` is not a duration"),
                    "write a Go duration like `1h`, `30m` or `1h30m`",
                );
            }
        }
        self.args("proposer.extra_args", &p.extra_args);
        self.common("proposer.overrides", &p.overrides);
    }

    fn challenger(&mut self, chain: &LoadedChain) {
        let f = &chain.file;
        let c = &f.challenger;
        if !c.enabled {
            return;
        }
        if !f.sequencer.enabled && !f.replicas.enabled {
            self.err("challenger.enabled", "op-challenger needs a node with a safe-head DB: enable `[replicas]` or `[sequencer]`", "");
        }
        self.signer(
            "challenger.signer",
            &c.signer,
            "challenger",
            "the permissioned game's challenger",
        );
        for (i, t) in c.game_types.iter().enumerate() {
            if t == "asterisc" || t == "asterisc-kona" {
                self.err(
                    &format!("challenger.game_types.{i}"),
                    format!("`{t}` support was removed from op-challenger in 2026-01"),
                    "use `cannon` or `cannon-kona`",
                );
            } else if !GAME_TYPES.contains(&t.as_str()) {
                self.err(
                    &format!("challenger.game_types.{i}"),
                    format!("unknown game type `{t}`"),
                    format!("use one of {}", GAME_TYPES.join(", ")),
                );
            } else if crate::model::games::game_kind_by_trace_type(t)
                .is_some_and(crate::model::games::GameKind::runs_vm_for_anyone)
                && chain.challenger_el() == ExecutionClient::OpReth
            {
                // Rule challenger-vm-state (audit item 6, F6).
                self.err(
                    &format!("challenger.game_types.{i}"),
                    vm_game_against_op_reth(t),
                    VM_GAME_AGAINST_OP_RETH_HINT,
                );
            }
        }
        // Which programs need prestates depends on the game types in play, which may come from
        // discovery: rendering refuses a missing one (rule challenger-game-types).
        let prestates = c
            .prestates
            .iter()
            .map(|(k, v)| (format!("challenger.prestates.{k}"), Some(k), v))
            .chain(
                c.prestates_url
                    .iter()
                    .map(|v| ("challenger.prestates_url".to_string(), None, v)),
            );
        for (path, program, u) in prestates {
            if let Some(p) = program {
                if !PRESTATE_PROGRAMS.contains(&p.as_str()) {
                    self.err(
                        &path,
                        format!("unknown fault-proof program `{p}`"),
                        format!("use one of {}", PRESTATE_PROGRAMS.join(", ")),
                    );
                    continue;
                }
            }
            if !(u.starts_with("http://") || u.starts_with("https://") || u.starts_with("file://"))
            {
                self.err(&path, format!("`{u}` is not an http(s) or file URL"), "");
            }
        }
        self.storage("challenger.storage", &c.storage);
        self.args("challenger.extra_args", &c.extra_args);
        self.common("challenger.overrides", &c.overrides);
    }
}

/// True when a URL has userinfo, a query string, or a path segment that looks like an API key
/// (20+ characters mixing letters and digits, as Alchemy/Infura/QuickNode paths do).
pub fn url_carries_credentials(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.contains('@') || rest.contains('?') {
        return true;
    }
    path.split(['/', '#']).any(|seg| {
        seg.len() >= 20
            && seg.bytes().any(|b| b.is_ascii_digit())
            && seg.bytes().any(|b| b.is_ascii_alphabetic())
            && seg
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// RFC 1123 label: lowercase alphanumerics and `-`, starting and ending alphanumeric.
pub fn is_dns_label(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(|label| is_dns_label(label, 63))
}

fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

pub fn is_address(s: &str) -> bool {
    s.strip_prefix("0x")
        .is_some_and(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_quantity(s: &str) -> bool {
    let suffixes = [
        "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "k", "M", "G", "T", "P", "E", "",
    ];
    suffixes.iter().any(|suf| {
        s.strip_suffix(suf).is_some_and(|num| {
            let mut parts = num.splitn(2, '.');
            let int = parts.next().unwrap_or("");
            let frac = parts.next();
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
        })
    })
}

fn is_go_duration(s: &str) -> bool {
    let mut rest = s;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ns", "us", "ms", "h", "m", "s"]
            .iter()
            .find(|u| rest.starts_with(**u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_reth_is_refused_for_a_registry_chain_it_has_no_built_in_spec_for() {
        let path = std::path::Path::new("chain.toml");
        let text = "[chain]\nname = \"c\"\nl2_chain_id = 11155420\nnetwork = \"op-sepolia\"\n\n[l1]\nchain_id = 11155111\nrpc_url = \"https://l1.example.org\"\nbeacon_url = \"https://beacon.example.org\"\n\n[replicas]\ncount = 1\n";
        let chain = crate::config::load_str(path, text).expect("valid");
        let map = SourceMap::new(path, text);
        let mut v = Validator {
            map: &map,
            out: Vec::new(),
        };
        let mut n = crate::networks::lookup("op-sepolia")
            .expect("known")
            .clone();
        v.registry_chain(&chain, &n);
        assert!(v.out.is_empty());
        // A chain added to the registry after op-reth's build: no `--chain` name to give it.
        n.op_reth_chain = None;
        v.registry_chain(&chain, &n);
        assert_eq!(v.out.len(), 1);
        let d = v.out[0].to_string();
        assert!(
            d.contains("`chain.network`") && d.contains("op-reth has no built-in chain spec"),
            "{d}"
        );
        assert!(
            v.out[0]
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("genesis") && h.contains("rollup_config")),
            "{d}"
        );
    }

    #[test]
    fn urls_with_credentials_are_recognised() {
        for bad in [
            "https://eth-sepolia.g.alchemy.com/v2/SUPERSECRETAPIKEY123",
            "https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef",
            "https://user:pass@rpc.example.org",
            "https://rpc.example.org/?apikey=x",
        ] {
            assert!(url_carries_credentials(bad), "{bad}");
        }
        for ok in [
            "https://sepolia-sequencer.optimism.io",
            "http://l1-beacon.l1.svc:5052/eth/v1",
            "https://storage.googleapis.com/oplabs-network-data/proofs/op-program/cannon",
        ] {
            assert!(!url_carries_credentials(ok), "{ok}");
        }
    }

    #[test]
    fn quantities_follow_kubernetes_syntax() {
        for ok in ["1", "500m", "4Gi", "1.5", "100Gi", "2k"] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["", "Gi", "4 Gi", "4GB", "-1", "1.", "abc"] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }

    #[test]
    fn durations_follow_go_syntax() {
        for ok in ["1h", "30m", "1h30m", "500ms", "12s"] {
            assert!(is_go_duration(ok), "{ok}");
        }
        for bad in ["", "1", "h", "1d", "1h-"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
    }

    #[test]
    fn private_keys_are_recognised_with_and_without_prefix() {
        let k = "ab".repeat(32);
        assert!(looks_like_private_key(&k));
        assert!(looks_like_private_key(&format!("0x{k}")));
        assert!(!looks_like_private_key("0x1234"));
        assert!(!looks_like_private_key(&"zz".repeat(32)));
        assert!(looks_like_private_key(&format!("--p2p.sequencer.key={k}")));
        assert!(!looks_like_private_key(&format!("--x={k}ab")));
        // An image digest is 64 hex digits too, and not a key.
        assert!(!looks_like_private_key(&format!("op-node@sha256:{k}")));
        assert!(looks_like_private_key(&format!("op-node@sha256:{k} {k}")));
    }

    #[test]
    fn dns_labels_reject_uppercase_and_edges() {
        assert!(is_dns_label("op-devnet-1", 63));
        assert!(!is_dns_label("Op", 63));
        assert!(!is_dns_label("-a", 63));
        assert!(!is_dns_label("a-", 63));
        assert!(!is_dns_label(&"a".repeat(64), 63));
    }
}

/// Validation of the "Sync, peering and state the consumers need" keys.
#[cfg(test)]
mod consumer_state {
    use std::path::Path;

    /// Diagnostics (key path, message) of the devnet example with `from` replaced by `to`.
    fn problems(from: &str, to: &str) -> Vec<(String, String)> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
        let text = std::fs::read_to_string(&path).expect("example");
        assert!(text.contains(from), "the example changed: {from}");
        match crate::config::load_str(&path, &text.replacen(from, to, 1)) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics()
                .iter()
                .map(|d| (d.key_path.clone(), d.message.clone()))
                .collect(),
        }
    }

    fn refused(from: &str, to: &str, key: &str, words: &str) {
        let found = problems(from, to);
        assert!(
            found
                .iter()
                .any(|(k, m)| k.contains(key) && m.contains(words)),
            "{key} / {words}: {found:?}"
        );
    }

    #[test]
    fn a_permissionless_vm_game_against_op_reth_is_refused_with_the_reason() {
        refused(
            "game_types = [\"permissioned\"]",
            "game_types = [\"permissioned\", \"cannon\"]",
            "challenger.game_types.1",
            "debug_dbGet",
        );
        // op-geth replicas serve trie nodes through debug_dbGet: the same file is accepted.
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/devnet.toml");
        let text = std::fs::read_to_string(&path)
            .expect("example")
            .replacen(
                "game_types = [\"permissioned\"]",
                "game_types = [\"permissioned\", \"cannon\"]",
                1,
            )
            .replacen(
                "[replicas]\ncount = 2\n",
                "[replicas]\ncount = 2\nexecution_client = \"op-geth\"\n",
                1,
            );
        if let Err(e) = crate::config::load_str(&path, &text) {
            panic!("{e}");
        }
    }

    #[test]
    fn a_proof_window_op_reth_cannot_serve_is_refused() {
        refused(
            "[replicas]\ncount = 2\n",
            "[replicas]\ncount = 2\nproof_window = \"200h\"\n",
            "replicas.proof_window",
            "MAX_ETH_PROOF_WINDOW",
        );
        refused(
            "archive = true\n",
            "archive = false\nproof_window = \"12h\"\n",
            "replicas.proof_window",
            "--full",
        );
        assert!(problems(
            "archive = true\n",
            "archive = true\nproof_window = \"72h\"\n"
        )
        .is_empty());
    }

    #[test]
    fn the_cluster_domain_is_set_once_and_must_be_a_domain() {
        refused(
            "[sequencer.overrides]\n",
            "[sequencer.overrides]\ncluster_domain = \"cluster.local\"\n",
            "sequencer.overrides.cluster_domain",
            "same for every role",
        );
        refused(
            "[defaults]\n",
            "[defaults]\ncluster_domain = \"Not A Domain\"\n",
            "defaults.cluster_domain",
            "not a DNS domain",
        );
    }

    #[test]
    fn beacon_fallbacks_take_urls_or_secrets_but_not_env() {
        refused(
            "[l1]\n",
            "[l1]\nbeacon_fallbacks = [\"env:ARCHIVER\"]\n",
            "l1.beacon_fallbacks.0",
            "not supported",
        );
        assert!(problems(
            "[l1]\n",
            "[l1]\nbeacon_fallbacks = [\"https://blobs.example.org\", { secret = \"a\", key = \"url\" }]\n",
        )
        .is_empty());
    }
}

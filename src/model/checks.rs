//! Pre-deployment checks: named, pure comparisons of what the operator is about to deploy (TOML,
//! rollup.json, signer key addresses) with what discovery found. Each yields pass, fail or skip
//! with a one-line message; only addresses appear in messages, never key material.

use alloy::primitives::Address;
use serde::Serialize;

use super::discovery::{ContractName, Discovery, ProofSystem, RoleName};
use super::forks::{countdown, ForkSchedule};
use super::key_format::{KeyFinding, StoredKey};
use super::releases::{self, utc, Matrix, RenderedImage, Support};

/// Check names, as used on the command line (`--skip-check NAME`) and in output.
pub mod names {
    /// L1 `eth_chainId` matches the TOML.
    pub const L1_CHAIN_ID: &str = "l1-chain-id";
    /// The SystemConfig has code and answers `version()`.
    pub const SYSTEM_CONFIG: &str = "system-config";
    /// rollup.json agrees with discovery.
    pub const ROLLUP_CONFIG: &str = "rollup-config";
    /// Signer keys in Secrets are stored in the form the components parse (no whitespace).
    pub const KEY_FORMAT: &str = "key-format";
    /// Batcher key = on-chain batcher.
    pub const BATCHER_KEY: &str = "batcher-key";
    /// Sequencer P2P key = unsafe block signer.
    pub const SEQUENCER_KEY: &str = "sequencer-key";
    /// Proposer key = permissioned game's (or L2OutputOracle's) proposer.
    pub const PROPOSER_KEY: &str = "proposer-key";
    /// Challenger key = permissioned game's challenger.
    pub const CHALLENGER_KEY: &str = "challenger-key";
    /// Batcher, proposer and challenger keys are all different.
    pub const DISTINCT_KEYS: &str = "distinct-keys";
    /// Game types pinned in the chain file agree with the on-chain respected game type.
    pub const GAME_TYPE: &str = "game-type";
    /// Every rendered component supports the hardforks that are active or activate soon.
    pub const HARDFORK: &str = "hardfork";
    /// The L1 RPC answers the methods each enabled role calls (preflight).
    pub const L1_METHODS: &str = "l1-methods";
    /// The beacon API (or a fallback) still serves the blobs a new replica derives from (preflight).
    pub const BLOB_RETENTION: &str = "blob-retention";
    /// Each enabled chain-operator signer holds at least `[status] low_balance` on L1 (preflight).
    pub const SIGNER_BALANCE: &str = "signer-balance";
}

/// The checks [`run_checks`] runs against discovery, in the order it reports them.
pub const DISCOVERY_CHECKS: [&str; 11] = [
    names::L1_CHAIN_ID,
    names::SYSTEM_CONFIG,
    names::ROLLUP_CONFIG,
    names::KEY_FORMAT,
    names::BATCHER_KEY,
    names::SEQUENCER_KEY,
    names::PROPOSER_KEY,
    names::CHALLENGER_KEY,
    names::DISTINCT_KEYS,
    names::GAME_TYPE,
    names::HARDFORK,
];

/// The preflight checks (`crate::model::preflight`): probes of the L1 endpoints, run by `plan`,
/// `apply` and `opctl preflight`, in the order they are reported.
pub const PREFLIGHT_CHECKS: [&str; 3] = [
    names::L1_METHODS,
    names::BLOB_RETENTION,
    names::SIGNER_BALANCE,
];

/// Every check name `--skip-check` accepts.
pub const ALL_CHECKS: [&str; 14] = [
    names::L1_CHAIN_ID,
    names::SYSTEM_CONFIG,
    names::ROLLUP_CONFIG,
    names::KEY_FORMAT,
    names::BATCHER_KEY,
    names::SEQUENCER_KEY,
    names::PROPOSER_KEY,
    names::CHALLENGER_KEY,
    names::DISTINCT_KEYS,
    names::GAME_TYPE,
    names::HARDFORK,
    names::L1_METHODS,
    names::BLOB_RETENTION,
    names::SIGNER_BALANCE,
];

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The fact holds.
    Pass,
    /// The fact does not hold: blocks `apply` unless overridden by name.
    Fail,
    /// Not applicable or not enough input (the message says which).
    Skip,
}

/// One named check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Check name (see [`names`]).
    pub name: &'static str,
    /// Pass, fail or skip.
    pub status: CheckStatus,
    /// One line for the operator.
    pub message: String,
}

impl CheckResult {
    pub fn pass(name: &'static str, message: impl Into<String>) -> Self {
        CheckResult {
            name,
            status: CheckStatus::Pass,
            message: message.into(),
        }
    }
    pub fn fail(name: &'static str, message: impl Into<String>) -> Self {
        CheckResult {
            name,
            status: CheckStatus::Fail,
            message: message.into(),
        }
    }
    pub fn skip(name: &'static str, message: impl Into<String>) -> Self {
        CheckResult {
            name,
            status: CheckStatus::Skip,
            message: message.into(),
        }
    }

    /// Whether this result blocks `apply`.
    pub fn is_failure(&self) -> bool {
        self.status == CheckStatus::Fail
    }
}

/// The rollup.json fields the `rollup-config` check compares (the caller parses rollup.json).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollupFacts {
    /// `l1_system_config_address`.
    pub l1_system_config_address: Address,
    /// `batch_inbox_address`.
    pub batch_inbox_address: Address,
    /// `deposit_contract_address` (the OptimismPortal proxy).
    pub deposit_contract_address: Address,
    /// `l1_chain_id`.
    pub l1_chain_id: u64,
    /// `l2_chain_id`.
    pub l2_chain_id: u64,
}

/// Addresses of the signer keys opctl is about to deploy (derive them with
/// [`super::address_from_private_key_hex`]); `None` when that key is not configured or not
/// readable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignerAddresses {
    /// op-batcher's key.
    pub batcher: Option<Address>,
    /// op-node's `--p2p.sequencer.key`.
    pub sequencer: Option<Address>,
    /// op-proposer's key.
    pub proposer: Option<Address>,
    /// op-challenger's key.
    pub challenger: Option<Address>,
}

/// Everything the checks compare discovery with.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckInput<'a> {
    /// L1 chain id from the chain TOML.
    pub expected_l1_chain_id: Option<u64>,
    /// rollup.json, when given.
    pub rollup: Option<&'a RollupFacts>,
    /// Signer key addresses.
    pub keys: SignerAddresses,
    /// Signer keys read from Secrets, classified; `None` when no Secret was read.
    pub stored_keys: Option<&'a [StoredKey]>,
    /// Game types the chain file pins, with the key that pins them (see [`GamePin`]).
    pub game_pins: &'a [GamePin],
    /// The fork schedule and rendered images the `hardfork` check compares.
    pub hardfork: Option<&'a HardforkInput>,
}

/// What the `hardfork` check compares: the chain's fork schedule, the images it renders, the
/// time, and how far ahead to look.
#[derive(Debug, Clone, Default)]
pub struct HardforkInput {
    /// The chain's fork activation times; `None` when unknown.
    pub schedule: Option<ForkSchedule>,
    /// The images the chain renders.
    pub images: Vec<RenderedImage>,
    /// Unix seconds.
    pub now: u64,
    /// `[images] hardfork_window`, in seconds.
    pub window_secs: u64,
    /// The chain's release set (`[images] release` or the default), for the fix hint.
    pub release: String,
}

/// A game type the chain file pins: `contracts.respected_game_type`, `proposer.game_type`, or the
/// respected type's absence from an explicit `challenger.game_types`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GamePin {
    /// `key = value` must equal the respected type.
    Equals {
        /// TOML key path.
        key: &'static str,
        /// Pinned type.
        value: u32,
    },
    /// `challenger.game_types` must contain the respected type's trace type.
    Plays {
        /// The trace types listed.
        trace_types: Vec<String>,
    },
}

/// Runs every discovery check, in [`DISCOVERY_CHECKS`] order.
pub fn run_checks(d: &Discovery, input: &CheckInput<'_>) -> Vec<CheckResult> {
    vec![
        check_l1_chain_id(input.expected_l1_chain_id, d),
        check_system_config(d),
        check_rollup_config(input.rollup, d),
        check_key_format(input.stored_keys),
        check_batcher_key(input.keys.batcher, d),
        check_sequencer_key(input.keys.sequencer, d),
        check_proposer_key(input.keys.proposer, d),
        check_challenger_key(input.keys.challenger, d),
        check_distinct_keys(&input.keys),
        check_game_type(input.game_pins, d),
        check_hardfork(input.hardfork),
    ]
}

/// `hardfork`: every rendered component's version supports each hardfork that is already active
/// or activates within the window (`[images] hardfork_window`), per the release matrix's minimum
/// versions (`data/releases.toml`). A node below a fork's minimum stops or forks off the chain
/// at activation. Needs no discovery, so it also runs without one.
pub fn check_hardfork(input: Option<&HardforkInput>) -> CheckResult {
    check_hardfork_with(releases::builtin(), input)
}

/// [`check_hardfork`] against a given matrix.
pub fn check_hardfork_with(m: &Matrix, input: Option<&HardforkInput>) -> CheckResult {
    let name = names::HARDFORK;
    let Some(h) = input else {
        return CheckResult::skip(name, "no fork schedule or images given");
    };
    let Some(schedule) = &h.schedule else {
        return CheckResult::skip(
            name,
            "the chain's fork schedule is not known (no rollup.json `<fork>_time` keys and no registry `network`)",
        );
    };
    let window = countdown(h.window_secs);
    let mut failed = Vec::new();
    let mut unknown = Vec::new();
    let mut checked = Vec::new();
    let mut failing_forks = Vec::new();
    for (&fork, &time) in &schedule.times {
        if !fork.is_ordered() {
            continue;
        }
        let active = time <= h.now;
        if !active && time > h.now.saturating_add(h.window_secs) {
            continue;
        }
        if m.rule(fork).is_none() {
            if !active {
                unknown.push(format!(
                    "no minimum versions are known for {fork} (activates at {}, in {})",
                    utc(time),
                    countdown(time - h.now)
                ));
            }
            continue;
        }
        checked.push(fork.as_str());
        let when = if active {
            format!(
                "{fork} activated at {} ({} ago)",
                utc(time),
                countdown(h.now - time)
            )
        } else {
            format!(
                "{fork} activates at {} (in {})",
                utc(time),
                countdown(time - h.now)
            )
        };
        let outcome = if active {
            "the component would stop or fork off the chain now"
        } else {
            "the component would stop or fork off the chain at activation"
        };
        for img in &h.images {
            let who = img
                .pinned_by
                .as_deref()
                .map_or_else(String::new, |k| format!(" ({k})"));
            let Some(v) = img.version().version().cloned() else {
                unknown.push(format!(
                    "{}{who} `{}` has no version to compare with {fork}",
                    img.component, img.image
                ));
                continue;
            };
            let problem = match m.support(fork, img.component, &v) {
                Support::Yes | Support::NoRule => continue,
                Support::Below(min) => format!(
                    "{c} {v}{who} does not support {fork} (needs {c} >= {min})",
                    c = img.component
                ),
                Support::Never(why) => format!(
                    "{c} {v}{who} cannot follow {fork}: {why}",
                    c = img.component
                ),
            };
            failed.push(format!("{problem}; {when}: {outcome}"));
            if !failing_forks.contains(&fork) {
                failing_forks.push(fork);
            }
        }
    }
    if !failed.is_empty() {
        let components: Vec<&str> = h.images.iter().map(|i| i.component).collect();
        let own = m.set(&h.release);
        let fix = failing_forks
            .iter()
            .map(|f| {
                // The pins below the fork's minimum: raise or remove them.
                let pins: Vec<&str> = h
                    .images
                    .iter()
                    .filter(|i| {
                        i.version()
                            .version()
                            .is_some_and(|v| m.support(*f, i.component, v) != Support::Yes)
                    })
                    .filter_map(|i| i.pinned_by.as_deref())
                    .collect();
                let pins = if pins.is_empty() {
                    String::new()
                } else {
                    format!(", and raise or remove {}", pins.join(", "))
                };
                match m.newest_supporting(*f, &components) {
                    Some(s) if own.is_some_and(|o| o.name == s.name || o.forks.contains(f)) => {
                        format!("release {} (this chain's) supports {f}{pins}", h.release)
                    }
                    Some(s) => format!(
                        "release {} supports {f}: set `[images] release = \"{}\"`{pins}",
                        s.name, s.name
                    ),
                    None => format!(
                        "no release set runs these components past {f}; move the chain to op-reth"
                    ),
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        return CheckResult::fail(
            name,
            format!(
                "{}; {fix}; or apply with --skip-check hardfork if you mean it",
                failed.join("; ")
            ),
        );
    }
    if !unknown.is_empty() {
        return CheckResult::skip(name, format!("cannot check: {}", unknown.join("; ")));
    }
    let next = schedule.next(h.now).map_or_else(
        || "no hardfork is scheduled after now".to_string(),
        |n| {
            format!(
                "next: {} at {}, in {}",
                n.fork,
                utc(n.time),
                countdown(n.time - h.now)
            )
        },
    );
    if checked.is_empty() {
        CheckResult::pass(
            name,
            format!("no hardfork is active or activates within {window} ({next})"),
        )
    } else {
        CheckResult::pass(
            name,
            format!(
                "every rendered component supports {} (active or within {window}); {next}",
                checked.join(", ")
            ),
        )
    }
}

/// `game-type`: what the chain file pins about game types agrees with the respected game type
/// read on-chain (or from the registry). A proposer of another type makes games that do not count
/// for withdrawals; a challenger that does not play the respected type leaves its games undefended.
pub fn check_game_type(pins: &[GamePin], d: &Discovery) -> CheckResult {
    use super::games::{game_kind, GameTypeLabel};
    let name = names::GAME_TYPE;
    let Some(respected) = d.respected_game_type.as_ref() else {
        return CheckResult::skip(name, "the respected game type is not known");
    };
    if pins.is_empty() {
        return CheckResult::skip(
            name,
            format!(
                "no game type pinned; rendering follows the respected type {}",
                GameTypeLabel(respected.value)
            ),
        );
    }
    let mut wrong = Vec::new();
    for pin in pins {
        match pin {
            GamePin::Equals { key, value } if *value != respected.value => wrong.push(format!(
                "{key} = {} but {} says the portal respects {}",
                GameTypeLabel(*value),
                respected.source,
                GameTypeLabel(respected.value)
            )),
            GamePin::Plays { trace_types } => {
                let needed = game_kind(respected.value).and_then(|k| k.trace_type);
                if let Some(t) = needed.filter(|t| !trace_types.iter().any(|x| x == t)) {
                    wrong.push(format!(
                        "challenger.game_types = [{}] leaves out `{t}`, the trace type of the respected game type {} ({})",
                        trace_types.join(", "),
                        GameTypeLabel(respected.value),
                        respected.source
                    ));
                }
            }
            GamePin::Equals { .. } => {}
        }
    }
    if wrong.is_empty() {
        CheckResult::pass(
            name,
            format!(
                "the pinned game types agree with the respected type {}",
                GameTypeLabel(respected.value)
            ),
        )
    } else {
        CheckResult::fail(
            name,
            format!(
                "{}; remove the pin to follow the chain, or apply with --skip-check game-type if you mean it",
                wrong.join("; ")
            ),
        )
    }
}

/// `l1-chain-id`: the RPC serves the L1 the TOML names.
pub fn check_l1_chain_id(expected: Option<u64>, d: &Discovery) -> CheckResult {
    let name = names::L1_CHAIN_ID;
    let Some(expected) = expected else {
        return CheckResult::skip(name, "the chain TOML names no L1 chain id");
    };
    match &d.l1_chain_id {
        Some(actual) if !actual.source.is_on_chain() => CheckResult::skip(
            name,
            format!("L1 chain id {} is built-in registry data; no L1 RPC was asked", actual.value),
        ),
        Some(actual) if actual.value == expected => {
            CheckResult::pass(name, format!("L1 RPC serves chain {expected}"))
        }
        Some(actual) => CheckResult::fail(
            name,
            format!(
                "L1 RPC serves chain {}, but the chain TOML says L1 chain {expected}; wrong --l1-rpc-url?",
                actual.value
            ),
        ),
        None => CheckResult::skip(name, "the L1 chain id was not read (no L1 RPC)"),
    }
}

/// `system-config`: the SystemConfig has code and answered `version()` (discovery succeeded).
pub fn check_system_config(d: &Discovery) -> CheckResult {
    let name = names::SYSTEM_CONFIG;
    match (d.contracts.get(&ContractName::SystemConfig), d.block) {
        (Some(sc), Some(block)) => CheckResult::pass(
            name,
            format!(
                "SystemConfig {} answers version() {} at L1 block {}",
                sc.address,
                sc.version.as_deref().unwrap_or("?"),
                block.number
            ),
        ),
        _ => CheckResult::skip(
            name,
            format!("SystemConfig {} was not read on-chain", d.system_config),
        ),
    }
}

/// `rollup-config`: rollup.json names the same contracts and chain ids as discovery.
pub fn check_rollup_config(rollup: Option<&RollupFacts>, d: &Discovery) -> CheckResult {
    let name = names::ROLLUP_CONFIG;
    let Some(r) = rollup else {
        return CheckResult::skip(name, "no rollup.json given");
    };
    let mut wrong = Vec::new();
    let mut compare = |field: &str, given: String, found: Option<String>| match found {
        Some(found) if found != given => {
            wrong.push(format!("{field} is {given}, discovered {found}"))
        }
        _ => {}
    };
    compare(
        "l1_system_config_address",
        r.l1_system_config_address.to_string(),
        Some(d.system_config.to_string()),
    );
    compare(
        "batch_inbox_address",
        r.batch_inbox_address.to_string(),
        d.batch_inbox.as_ref().map(|b| b.value.to_string()),
    );
    compare(
        "deposit_contract_address",
        r.deposit_contract_address.to_string(),
        d.contract(ContractName::OptimismPortal)
            .map(|a| a.to_string()),
    );
    compare(
        "l1_chain_id",
        r.l1_chain_id.to_string(),
        d.l1_chain_id.as_ref().map(|c| c.value.to_string()),
    );
    compare(
        "l2_chain_id",
        r.l2_chain_id.to_string(),
        d.l2_chain_id.as_ref().map(|c| c.value.to_string()),
    );
    if wrong.is_empty() {
        CheckResult::pass(name, "rollup.json agrees with the L1 contracts")
    } else {
        CheckResult::fail(name, format!("rollup.json disagrees: {}", wrong.join("; ")))
    }
}

/// `key-format`: every signer key read from a Secret is stored exactly as the components parse
/// it (see [`super::key_format`]). Needs no discovery, so it also runs without one.
pub fn check_key_format(stored: Option<&[StoredKey]>) -> CheckResult {
    let name = names::KEY_FORMAT;
    let Some(stored) = stored else {
        return CheckResult::skip(name, "no signer key was read from a Secret");
    };
    let mut bad = Vec::new();
    let mut clean = Vec::new();
    for k in stored {
        match k.finding {
            KeyFinding::Missing => {}
            KeyFinding::Clean => clean.push(k.role),
            KeyFinding::Defect(defect) => {
                let fix = if defect.is_whitespace() {
                    format!("fix: {}", k.fix_command())
                } else {
                    format!(
                        "store the 64 hex digits of the right key (0x optional), e.g. {}",
                        k.fix_command()
                    )
                };
                bad.push(format!(
                    "{role} key in Secret {ns}/{secret} key `{key}` {defect}: {component} reads it untrimmed and exits at start; {fix}",
                    role = k.role,
                    ns = k.namespace,
                    secret = k.secret,
                    key = k.key,
                    component = k.component(),
                ));
            }
        }
    }
    if !bad.is_empty() {
        CheckResult::fail(name, bad.join("; "))
    } else if clean.is_empty() {
        CheckResult::skip(name, "no signer key was found in a Secret")
    } else {
        CheckResult::pass(
            name,
            format!(
                "{} keys are 64 hex digits without whitespace",
                clean.join(", ")
            ),
        )
    }
}

fn key_check(
    name: &'static str,
    key_label: &str,
    key: Option<Address>,
    role: Option<(Address, String)>,
    consequence: &str,
) -> CheckResult {
    let Some(key) = key else {
        return CheckResult::skip(name, format!("no {key_label} key given"));
    };
    match role {
        None => CheckResult::skip(
            name,
            format!("{key_label} address {key}: no on-chain value to compare with"),
        ),
        Some((expected, source)) if expected == key => {
            CheckResult::pass(name, format!("{key_label} key address {key} = {source}"))
        }
        Some((expected, source)) => CheckResult::fail(
            name,
            format!("{key_label} key address {key} is not {expected} ({source}); {consequence}"),
        ),
    }
}

fn role_with_source(d: &Discovery, role: RoleName) -> Option<(Address, String)> {
    d.roles.get(&role).map(|r| (r.value, r.source.to_string()))
}

/// The proposer or challenger the respected permissioned game (type 1 or 5) admits, else the
/// recorded role (legacy L2OutputOracle chains, registry data without games).
fn permissioned_role(d: &Discovery, role: RoleName) -> Option<(Address, String)> {
    let game = d.respected_game().filter(|_| d.permissioned_game_in_use());
    let from_game = game.and_then(|g| {
        let value = match role {
            RoleName::Proposer => g.proposer.as_ref(),
            RoleName::Challenger => g.challenger.as_ref(),
            _ => None,
        }?;
        Some((
            value.value,
            format!(
                "{} of game type {}",
                value.source,
                crate::model::games::GameTypeLabel(g.game_type)
            ),
        ))
    });
    from_game.or_else(|| role_with_source(d, role))
}

/// `batcher-key`: the batcher key is the on-chain batcher.
pub fn check_batcher_key(key: Option<Address>, d: &Discovery) -> CheckResult {
    key_check(
        names::BATCHER_KEY,
        "batcher",
        key,
        role_with_source(d, RoleName::Batcher),
        "derivation ignores batches from any other sender",
    )
}

/// `sequencer-key`: the sequencer's P2P key is the unsafe block signer.
pub fn check_sequencer_key(key: Option<Address>, d: &Discovery) -> CheckResult {
    key_check(
        names::SEQUENCER_KEY,
        "sequencer",
        key,
        role_with_source(d, RoleName::UnsafeBlockSigner),
        "other nodes drop unsafe blocks signed by any other key",
    )
}

/// `proposer-key`: the proposer key may propose (permissioned game in use, or a legacy
/// L2OutputOracle); skipped on permissionless chains, where anyone may.
pub fn check_proposer_key(key: Option<Address>, d: &Discovery) -> CheckResult {
    let name = names::PROPOSER_KEY;
    match d.proof_system {
        Some(ProofSystem::FaultProofs) if !d.permissioned_game_in_use() => CheckResult::skip(
            name,
            format!(
                "respected game type {} is permissionless: any proposer may propose",
                d.respected_game_type()
                    .map_or_else(|| "?".to_owned(), |t| t.to_string())
            ),
        ),
        _ => key_check(
            name,
            "proposer",
            key,
            permissioned_role(d, RoleName::Proposer),
            "its proposals would revert",
        ),
    }
}

/// `challenger-key`: the challenger key is the permissioned game's challenger (only when the
/// permissioned game type is the respected one).
pub fn check_challenger_key(key: Option<Address>, d: &Discovery) -> CheckResult {
    let name = names::CHALLENGER_KEY;
    if !d.permissioned_game_in_use() {
        return CheckResult::skip(
            name,
            "the permissioned game type is not in use: any challenger may challenge",
        );
    }
    key_check(
        name,
        "challenger",
        key,
        permissioned_role(d, RoleName::Challenger),
        "its moves would revert",
    )
}

/// `distinct-keys`: batcher, proposer and challenger keys are pairwise different (they send
/// transactions concurrently; a shared key means nonce clashes and a shared blast radius).
pub fn check_distinct_keys(keys: &SignerAddresses) -> CheckResult {
    let name = names::DISTINCT_KEYS;
    let given: Vec<(&str, Address)> = [
        ("batcher", keys.batcher),
        ("proposer", keys.proposer),
        ("challenger", keys.challenger),
    ]
    .into_iter()
    .filter_map(|(role, key)| key.map(|k| (role, k)))
    .collect();
    if given.len() < 2 {
        return CheckResult::skip(
            name,
            "fewer than two of the batcher, proposer and challenger keys given",
        );
    }
    let mut clashes = Vec::new();
    for (i, (a_role, a)) in given.iter().enumerate() {
        for (b_role, b) in &given[i + 1..] {
            if a == b {
                clashes.push(format!("{a_role} and {b_role} both use {a}"));
            }
        }
    }
    if clashes.is_empty() {
        let roles: Vec<&str> = given.iter().map(|(r, _)| *r).collect();
        CheckResult::pass(name, format!("{} keys are all different", roles.join(", ")))
    } else {
        CheckResult::fail(
            name,
            format!("{}; give each role its own key", clashes.join("; ")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::discovery::{
        BlockRef, ContractInfo, Source, Sourced, GAME_TYPE_CANNON, GAME_TYPE_PERMISSIONED_CANNON,
    };
    use alloy::primitives::B256;

    fn a(n: u8) -> Address {
        Address::repeat_byte(n)
    }

    fn discovered(respected: u32) -> Discovery {
        let mut d = Discovery::new(a(1));
        d.block = Some(BlockRef {
            number: 100,
            hash: B256::repeat_byte(9),
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
            respected,
            Source::call("OptimismPortal", "respectedGameType()"),
        ));
        let info = |addr, getter: &str| ContractInfo {
            address: addr,
            version: Some("1.0.0".into()),
            source: Source::call("SystemConfig", getter),
        };
        d.contracts
            .insert(ContractName::SystemConfig, info(a(1), "x"));
        d.contracts
            .insert(ContractName::OptimismPortal, info(a(3), "optimismPortal()"));
        let role = |addr, getter: &str| Sourced::new(addr, Source::call("SystemConfig", getter));
        d.roles
            .insert(RoleName::Batcher, role(a(10), "batcherHash()"));
        d.roles.insert(
            RoleName::UnsafeBlockSigner,
            role(a(11), "unsafeBlockSigner()"),
        );
        d.roles
            .insert(RoleName::Proposer, role(a(12), "proposer()"));
        d.roles
            .insert(RoleName::Challenger, role(a(13), "challenger()"));
        d
    }

    fn status(r: &CheckResult) -> CheckStatus {
        r.status
    }

    #[test]
    fn l1_chain_id_passes_fails_and_skips() {
        let d = discovered(1);
        assert_eq!(
            status(&check_l1_chain_id(Some(11155111), &d)),
            CheckStatus::Pass
        );
        let fail = check_l1_chain_id(Some(1), &d);
        assert_eq!(fail.status, CheckStatus::Fail);
        assert!(
            fail.message.contains("11155111") && fail.message.contains("chain 1"),
            "{}",
            fail.message
        );
        assert_eq!(status(&check_l1_chain_id(None, &d)), CheckStatus::Skip);
        let mut offline = d.clone();
        offline.l1_chain_id = Some(Sourced::new(
            1,
            Source::Registry {
                network: "op-mainnet".into(),
            },
        ));
        assert_eq!(
            status(&check_l1_chain_id(Some(1), &offline)),
            CheckStatus::Skip
        );
    }

    #[test]
    fn system_config_passes_only_when_read_on_chain() {
        let d = discovered(1);
        assert_eq!(status(&check_system_config(&d)), CheckStatus::Pass);
        let mut offline = d;
        offline.block = None;
        assert_eq!(status(&check_system_config(&offline)), CheckStatus::Skip);
    }

    #[test]
    fn rollup_config_names_every_disagreeing_field() {
        let d = discovered(1);
        let good = RollupFacts {
            l1_system_config_address: a(1),
            batch_inbox_address: a(2),
            deposit_contract_address: a(3),
            l1_chain_id: 11155111,
            l2_chain_id: 901,
        };
        assert_eq!(
            status(&check_rollup_config(Some(&good), &d)),
            CheckStatus::Pass
        );
        let bad = RollupFacts {
            l1_system_config_address: a(7),
            l2_chain_id: 902,
            ..good
        };
        let r = check_rollup_config(Some(&bad), &d);
        assert_eq!(r.status, CheckStatus::Fail);
        assert!(
            r.message.contains("l1_system_config_address"),
            "{}",
            r.message
        );
        assert!(
            r.message.contains("l2_chain_id is 902, discovered 901"),
            "{}",
            r.message
        );
        assert!(!r.message.contains("batch_inbox_address"), "{}", r.message);
        assert_eq!(status(&check_rollup_config(None, &d)), CheckStatus::Skip);
    }

    #[test]
    fn proposer_and_challenger_checks_follow_the_respected_permissioned_game() {
        use crate::model::discovery::{Game, GameArgsLayout, GAME_TYPE_SUPER_PERMISSIONED};
        let game = |t: u32, proposer: Address, challenger: Address| {
            let src = |r: &str| Source::call("DisputeGameFactory", format!("gameArgs({t}){r}"));
            Game {
                game_type: t,
                implementation: ContractInfo {
                    address: a(40 + t as u8),
                    version: Some("2.0.0".into()),
                    source: src(""),
                },
                layout: GameArgsLayout::GameArgs,
                absolute_prestate: Sourced::new(B256::repeat_byte(7), src("[0:32]")),
                vm: Sourced::new(a(30), src("[32:52]")),
                weth: Sourced::new(a(31), src("[72:92]")),
                anchor_state_registry: Sourced::new(a(32), src("[52:72]")),
                l2_chain_id: Sourced::new(901, src("[92:124]")),
                proposer: Some(Sourced::new(proposer, src("[124:144]"))),
                challenger: Some(Sourced::new(challenger, src("[144:164]"))),
            }
        };
        // Respected 5; game 1 still has the roles from before the move, and so does the role
        // table (e.g. a lock file written by an older opctl).
        let mut d = discovered(GAME_TYPE_SUPER_PERMISSIONED);
        d.insert_game(game(1, a(12), a(13)));
        d.insert_game(game(5, a(52), a(53)));
        assert!(d.permissioned_game_in_use());
        assert_eq!(d.respected_game().map(|g| g.game_type), Some(5));
        let pass = check_proposer_key(Some(a(52)), &d);
        assert_eq!(pass.status, CheckStatus::Pass, "{}", pass.message);
        assert!(pass.message.contains("gameArgs(5)"), "{}", pass.message);
        assert!(
            pass.message.contains("SUPER_PERMISSIONED_CANNON"),
            "{}",
            pass.message
        );
        assert_eq!(
            check_challenger_key(Some(a(53)), &d).status,
            CheckStatus::Pass
        );
        assert_eq!(
            check_proposer_key(Some(a(12)), &d).status,
            CheckStatus::Fail
        );
        assert_eq!(
            check_challenger_key(Some(a(13)), &d).status,
            CheckStatus::Fail
        );
        // Respected 8 (CANNON_KONA): anyone may play.
        let mut kona = discovered(crate::model::discovery::GAME_TYPE_CANNON_KONA);
        kona.insert_game(game(1, a(12), a(13)));
        assert!(!kona.permissioned_game_in_use());
        assert_eq!(
            check_proposer_key(Some(a(99)), &kona).status,
            CheckStatus::Skip
        );
        assert_eq!(
            check_challenger_key(Some(a(99)), &kona).status,
            CheckStatus::Skip
        );
    }

    #[test]
    fn key_checks_compare_addresses_with_roles() {
        let d = discovered(GAME_TYPE_PERMISSIONED_CANNON);
        assert_eq!(
            status(&check_batcher_key(Some(a(10)), &d)),
            CheckStatus::Pass
        );
        let wrong = check_batcher_key(Some(a(99)), &d);
        assert_eq!(wrong.status, CheckStatus::Fail);
        assert!(
            wrong.message.contains(&a(10).to_string()),
            "{}",
            wrong.message
        );
        assert!(
            wrong.message.contains("call SystemConfig.batcherHash()"),
            "{}",
            wrong.message
        );
        assert_eq!(
            status(&check_sequencer_key(Some(a(11)), &d)),
            CheckStatus::Pass
        );
        assert_eq!(
            status(&check_sequencer_key(Some(a(10)), &d)),
            CheckStatus::Fail
        );
        assert_eq!(
            status(&check_proposer_key(Some(a(12)), &d)),
            CheckStatus::Pass
        );
        assert_eq!(
            status(&check_proposer_key(Some(a(13)), &d)),
            CheckStatus::Fail
        );
        assert_eq!(
            status(&check_challenger_key(Some(a(13)), &d)),
            CheckStatus::Pass
        );
        assert_eq!(
            status(&check_challenger_key(Some(a(12)), &d)),
            CheckStatus::Fail
        );
        assert_eq!(status(&check_batcher_key(None, &d)), CheckStatus::Skip);
    }

    #[test]
    fn proposer_and_challenger_checks_skip_on_permissionless_chains() {
        let d = discovered(GAME_TYPE_CANNON);
        assert_eq!(
            status(&check_proposer_key(Some(a(99)), &d)),
            CheckStatus::Skip
        );
        assert_eq!(
            status(&check_challenger_key(Some(a(99)), &d)),
            CheckStatus::Skip
        );
    }

    #[test]
    fn legacy_chains_check_the_output_oracle_proposer_but_not_a_challenger() {
        let mut d = discovered(0);
        d.proof_system = Some(ProofSystem::OutputOracle);
        d.respected_game_type = None;
        assert_eq!(
            status(&check_proposer_key(Some(a(12)), &d)),
            CheckStatus::Pass
        );
        assert_eq!(
            status(&check_proposer_key(Some(a(1)), &d)),
            CheckStatus::Fail
        );
        assert_eq!(
            status(&check_challenger_key(Some(a(1)), &d)),
            CheckStatus::Skip
        );
    }

    #[test]
    fn distinct_keys_fails_when_two_roles_share_a_key() {
        let keys = SignerAddresses {
            batcher: Some(a(1)),
            proposer: Some(a(1)),
            challenger: Some(a(2)),
            sequencer: Some(a(1)),
        };
        let r = check_distinct_keys(&keys);
        assert_eq!(r.status, CheckStatus::Fail);
        assert!(r.message.contains("batcher and proposer"), "{}", r.message);
        let ok = SignerAddresses {
            proposer: Some(a(3)),
            ..keys
        };
        assert_eq!(status(&check_distinct_keys(&ok)), CheckStatus::Pass);
        let one = SignerAddresses {
            batcher: Some(a(1)),
            ..SignerAddresses::default()
        };
        assert_eq!(status(&check_distinct_keys(&one)), CheckStatus::Skip);
    }

    #[test]
    fn key_format_fails_naming_the_secret_and_the_fix_and_passes_clean_keys() {
        use crate::model::key_format::KeyDefect;
        let stored = |role, finding| StoredKey {
            role,
            namespace: "op".into(),
            secret: "signers".into(),
            key: role.into(),
            finding,
        };
        let keys = [
            stored("sequencer", KeyFinding::Clean),
            stored("batcher", KeyFinding::Defect(KeyDefect::TrailingNewline)),
            stored("proposer", KeyFinding::Missing),
        ];
        let r = check_key_format(Some(&keys));
        assert_eq!(r.status, CheckStatus::Fail);
        for part in [
            "batcher key in Secret op/signers key `batcher` ends with a newline",
            "op-batcher",
            "kubectl -n op create secret generic signers --from-literal=batcher=",
        ] {
            assert!(r.message.contains(part), "{part}: {}", r.message);
        }
        assert!(!r.message.contains("sequencer"), "{}", r.message);
        let r = check_key_format(Some(&keys[..1]));
        assert_eq!(r.status, CheckStatus::Pass, "{}", r.message);
        assert_eq!(
            status(&check_key_format(Some(&keys[2..]))),
            CheckStatus::Skip
        );
        assert_eq!(status(&check_key_format(None)), CheckStatus::Skip);
    }

    #[test]
    fn a_pinned_game_type_that_differs_from_the_respected_one_fails_naming_both() {
        let d = discovered(5);
        let none = check_game_type(&[], &d);
        assert_eq!(none.status, CheckStatus::Skip, "{}", none.message);
        let same = check_game_type(
            &[GamePin::Equals {
                key: "proposer.game_type",
                value: 5,
            }],
            &d,
        );
        assert_eq!(same.status, CheckStatus::Pass, "{}", same.message);
        let other = check_game_type(
            &[GamePin::Equals {
                key: "contracts.respected_game_type",
                value: 1,
            }],
            &d,
        );
        assert_eq!(other.status, CheckStatus::Fail);
        assert!(
            other
                .message
                .contains("contracts.respected_game_type = 1 (PERMISSIONED_CANNON)")
                && other.message.contains("5 (SUPER_PERMISSIONED_CANNON)")
                && other.message.contains("OptimismPortal.respectedGameType()")
                && other.message.contains("--skip-check game-type"),
            "{}",
            other.message
        );
        let left_out = check_game_type(
            &[GamePin::Plays {
                trace_types: vec!["permissioned".into()],
            }],
            &d,
        );
        assert_eq!(left_out.status, CheckStatus::Fail);
        assert!(
            left_out.message.contains("`super-permissioned`"),
            "{}",
            left_out.message
        );
        let plays = check_game_type(
            &[GamePin::Plays {
                trace_types: vec!["permissioned".into(), "super-permissioned".into()],
            }],
            &d,
        );
        assert_eq!(plays.status, CheckStatus::Pass, "{}", plays.message);
        let mut unknown = d.clone();
        unknown.respected_game_type = None;
        assert_eq!(check_game_type(&[], &unknown).status, CheckStatus::Skip);
    }

    fn hardfork_input(fork_at: u64, images: &[(&'static str, &str)]) -> HardforkInput {
        use crate::model::forks::Fork;
        let mut schedule = ForkSchedule::new(Source::Toml {
            key: "chain.rollup_config".into(),
        });
        schedule.times.insert(Fork::Jovian, 0);
        schedule.times.insert(Fork::Karst, fork_at);
        HardforkInput {
            schedule: Some(schedule),
            images: images
                .iter()
                .map(|(c, tag)| RenderedImage {
                    component: c,
                    image: format!("{}/{c}:{tag}", releases::REGISTRY),
                    pinned_by: None,
                })
                .collect(),
            now: 1_800_000_000,
            window_secs: 14 * 86_400,
            release: "2026-07-karst".into(),
        }
    }

    #[test]
    fn a_fork_within_the_window_fails_naming_the_component_version_minimum_and_time() {
        let now = 1_800_000_000;
        let soon = now + 3 * 86_400;
        let old = hardfork_input(
            soon,
            &[
                ("op-node", "v1.16.13"),
                ("op-reth", "v2.4.2"),
                ("op-proposer", "v1.16.3"),
            ],
        );
        let r = check_hardfork(Some(&old));
        assert_eq!(r.status, CheckStatus::Fail, "{}", r.message);
        for part in [
            "op-node v1.16.13 does not support karst (needs op-node >= v1.19.0)",
            &format!("karst activates at {} (in 3d 0h)", utc(soon)),
            "at activation",
            "release 2026-07-karst (this chain's) supports karst",
            "--skip-check hardfork",
        ] {
            assert!(r.message.contains(part), "{part}: {}", r.message);
        }
        assert!(!r.message.contains("op-reth"), "{}", r.message);
        // Outside the window: not yet a failure, and the pass names the next fork.
        let later = hardfork_input(now + 30 * 86_400, &[("op-node", "v1.16.13")]);
        let r = check_hardfork(Some(&later));
        assert_eq!(r.status, CheckStatus::Pass, "{}", r.message);
        assert!(r.message.contains("next: karst"), "{}", r.message);
        // New enough: passes.
        let new = hardfork_input(soon, &[("op-node", "v1.19.5"), ("op-reth", "v2.4.2")]);
        assert_eq!(check_hardfork(Some(&new)).status, CheckStatus::Pass);
    }

    #[test]
    fn an_active_fork_an_image_cannot_follow_fails_saying_the_node_stops_or_forks_off() {
        let r = check_hardfork(Some(&hardfork_input(
            1_700_000_000,
            &[("op-geth", "v1.101702.1")],
        )));
        assert_eq!(r.status, CheckStatus::Fail);
        assert!(
            r.message
                .contains("op-geth v1.101702.1 cannot follow karst")
                && r.message.contains("karst activated at")
                && r.message.contains("stop or fork off the chain now")
                && r.message.contains("move the chain to op-reth"),
            "{}",
            r.message
        );
    }

    #[test]
    fn a_digest_or_an_unknown_schedule_cannot_be_checked() {
        let mut h = hardfork_input(1_800_000_000 + 86_400, &[("op-node", "v1.19.5")]);
        h.images[0].image = format!("op-node@sha256:{}", "ab".repeat(32));
        let r = check_hardfork(Some(&h));
        assert_eq!(r.status, CheckStatus::Skip, "{}", r.message);
        assert!(
            r.message.contains("no version to compare with karst"),
            "{}",
            r.message
        );
        h.schedule = None;
        assert_eq!(check_hardfork(Some(&h)).status, CheckStatus::Skip);
        assert_eq!(check_hardfork(None).status, CheckStatus::Skip);
    }

    #[test]
    fn run_checks_reports_every_check_in_order() {
        let d = discovered(1);
        let results = run_checks(&d, &CheckInput::default());
        let names: Vec<&str> = results.iter().map(|r| r.name).collect();
        assert_eq!(names, DISCOVERY_CHECKS);
        assert_eq!(
            [&DISCOVERY_CHECKS[..], &PREFLIGHT_CHECKS[..]].concat(),
            ALL_CHECKS
        );
    }
}

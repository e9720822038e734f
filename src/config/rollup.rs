//! rollup.json as op-node reads it at start-up, and the checks op-node runs on it before it
//! starts. Pure: text in, a parsed config or located problems out.
//!
//! The fields are read with the ecosystem's type, `kona_genesis::RollupConfig` (0.4.5). That
//! release predates Karst (Upgrade 19) and refuses any key it does not know, while a current
//! op-node writes and reads a few more. So parsing is three steps:
//!
//! 1. every key is checked against the keys op-node's `rollup.Config` declares: op-node decodes
//!    rollup.json with `DisallowUnknownFields` (`op-node/config/service.go` `NewRollupConfig`),
//!    so any other key stops it at start, and opctl refuses it the same way;
//! 2. the keys op-node knows and kona-genesis 0.4.5 does not ([`LIFTED`]) are taken out into
//!    this type's own fields; keys op-node treats as optional but kona requires are filled with
//!    op-node's zero value;
//! 3. the rest is deserialized as `kona_genesis::RollupConfig`, through `serde_path_to_error`, so
//!    a wrong value names its JSON key path.
//!
//! Which rules [`check`] applies and where op-node has them: `docs/rollup-validation.md`.

use alloy::primitives::{Address, B256, U256};
use kona_genesis::RollupConfig;
use serde_json::{Map, Value};

use crate::model::forks::{Fork, ForkSchedule};

/// Keys op-node's `rollup.Config` (and `eth.SystemConfig` under `genesis.system_config`)
/// declares that kona-genesis 0.4.5 does not: read into [`RollupJson`] before kona parses the
/// rest.
pub const LIFTED: &[&str] = &[
    "karst_time",
    "keep_karst_upgrade_gas",
    "lagoon_time",
    "genesis.system_config.minBaseFee",
    "genesis.system_config.daFootprintGasScalar",
];

/// Top-level keys of op-node's `rollup.Config` (`op-node/rollup/types.go`), `<fork>_time` keys
/// included.
const TOP_KEYS: &[&str] = &[
    "genesis",
    "block_time",
    "max_sequencer_drift",
    "seq_window_size",
    "channel_timeout",
    "l1_chain_id",
    "l2_chain_id",
    "regolith_time",
    "canyon_time",
    "delta_time",
    "ecotone_time",
    "fjord_time",
    "granite_time",
    "holocene_time",
    "isthmus_time",
    "jovian_time",
    "karst_time",
    "lagoon_time",
    "interop_time",
    "keep_karst_upgrade_gas",
    "batch_inbox_address",
    "deposit_contract_address",
    "l1_system_config_address",
    "protocol_versions_address",
    "chain_op_config",
    "alt_da",
    "pectra_blob_schedule_time",
];
/// `rollup.Genesis`.
const GENESIS_KEYS: &[&str] = &["l1", "l2", "l2_time", "system_config"];
/// `eth.BlockID`.
const BLOCK_ID_KEYS: &[&str] = &["hash", "number"];
/// `eth.SystemConfig` (`op-service/eth/types.go`).
const SYSTEM_CONFIG_KEYS: &[&str] = &[
    "batcherAddr",
    "overhead",
    "scalar",
    "gasLimit",
    "eip1559Params",
    "operatorFeeParams",
    "minBaseFee",
    "daFootprintGasScalar",
];
/// `rollup.AltDAConfig`.
const ALT_DA_KEYS: &[&str] = &[
    "da_challenge_contract_address",
    "da_commitment_type",
    "da_challenge_window",
    "da_resolve_window",
];
/// `params.OptimismConfig` (op-geth), rollup.json `chain_op_config`.
const CHAIN_OP_CONFIG_KEYS: &[&str] = &[
    "eip1559Elasticity",
    "eip1559Denominator",
    "eip1559DenominatorCanyon",
];

/// L1s whose Prague activation op-node compares the L2 genesis with
/// (`rollup.Config.ProbablyMissingPectraBlobSchedule`): (chain id, name, Prague time), the times
/// from go-ethereum `params.HoleskyChainConfig` / `params.SepoliaChainConfig`.
pub const PRAGUE_L1S: &[(u64, &str, u64)] = &[
    (17000, "Holesky", 1_740_434_112),
    (11155111, "Sepolia", 1_741_159_776),
];

/// A parsed rollup.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupJson {
    /// Everything kona-genesis models.
    pub config: RollupConfig,
    /// `karst_time` (Upgrade 19).
    pub karst_time: Option<u64>,
    /// `lagoon_time`.
    pub lagoon_time: Option<u64>,
    /// `keep_karst_upgrade_gas` (default false).
    pub keep_karst_upgrade_gas: bool,
    /// `genesis.system_config.minBaseFee` (Jovian).
    pub min_base_fee: Option<u64>,
    /// `genesis.system_config.daFootprintGasScalar` (Jovian).
    pub da_footprint_gas_scalar: Option<u16>,
    /// `genesis.system_config`'s `batcherAddr`, `scalar`, `gasLimit` as written (zero when
    /// absent): kona keeps `system_config` optional, op-node checks these.
    genesis_system: Option<(Address, U256, u64)>,
}

/// Why rollup.json could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// JSON key path (`genesis.l2.hash`, `alt_da`), empty for the document.
    pub key: String,
    /// What is wrong, and what op-node does about it.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.key, self.message)
        }
    }
}

/// One rule rollup.json breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The JSON key the rule is about.
    pub key: &'static str,
    /// What is wrong and what op-node does (or why opctl needs it).
    pub message: String,
    /// What to do.
    pub hint: String,
}

impl RollupJson {
    /// The L2 chain id.
    pub fn l2_chain_id(&self) -> u64 {
        self.config.l2_chain_id.id()
    }

    /// Every scheduled fork time, Karst and Lagoon included, and the Pectra blob schedule.
    pub fn fork_times(&self) -> Vec<(Fork, u64)> {
        let h = &self.config.hardforks;
        let all = [
            (Fork::Regolith, h.regolith_time),
            (Fork::Canyon, h.canyon_time),
            (Fork::Delta, h.delta_time),
            (Fork::Ecotone, h.ecotone_time),
            (Fork::Fjord, h.fjord_time),
            (Fork::Granite, h.granite_time),
            (Fork::Holocene, h.holocene_time),
            (Fork::PectraBlobSchedule, h.pectra_blob_schedule_time),
            (Fork::Isthmus, h.isthmus_time),
            (Fork::Jovian, h.jovian_time),
            (Fork::Karst, self.karst_time),
            (Fork::Lagoon, self.lagoon_time),
            (Fork::Interop, h.interop_time),
        ];
        all.into_iter()
            .filter_map(|(f, t)| t.map(|t| (f, t)))
            .collect()
    }

    /// The fork schedule, read from `source`.
    pub fn fork_schedule(&self, source: crate::model::discovery::Source) -> ForkSchedule {
        let mut s = ForkSchedule::new(source);
        s.times.extend(self.fork_times());
        s
    }
}

/// Parse rollup.json as op-node decodes it.
pub fn parse(text: &str) -> Result<RollupJson, ParseError> {
    let mut root: Value = serde_json::from_str(text).map_err(|e| ParseError {
        key: String::new(),
        message: format!(
            "not valid JSON ({e}); op-node v1.19 refuses to start: failed to decode rollup config"
        ),
    })?;
    let Some(top) = root.as_object_mut() else {
        return Err(ParseError {
            key: String::new(),
            message:
                "not a JSON object; op-node v1.19 refuses to start: failed to decode rollup config"
                    .into(),
        });
    };
    unknown_keys(top)?;
    let karst_time = take::<u64>(top, "karst_time")?;
    let lagoon_time = take::<u64>(top, "lagoon_time")?;
    let keep_karst_upgrade_gas = take::<bool>(top, "keep_karst_upgrade_gas")?.unwrap_or(false);
    // Optional in op-node (zero when absent), required by kona-genesis.
    top.entry("protocol_versions_address")
        .or_insert_with(|| Value::from(Address::ZERO.to_string()));
    // Absent is 0 in op-node, which its Check() then refuses with a precise message (below).
    top.entry("max_sequencer_drift").or_insert(Value::from(0));
    let mut min_base_fee = None;
    let mut da_footprint_gas_scalar = None;
    let mut genesis_system = None;
    if let Some(sc) = top
        .get_mut("genesis")
        .and_then(|g| g.get_mut("system_config"))
        .and_then(Value::as_object_mut)
    {
        min_base_fee = take_at::<u64>(sc, "genesis.system_config", "minBaseFee")?;
        da_footprint_gas_scalar =
            take_at::<u16>(sc, "genesis.system_config", "daFootprintGasScalar")?;
        // op-node reads absent fields as zero; Check() then names the ones that must be set.
        for (key, zero) in [
            ("batcherAddr", Value::from(Address::ZERO.to_string())),
            ("overhead", Value::from(B256::ZERO.to_string())),
            ("scalar", Value::from(B256::ZERO.to_string())),
            ("gasLimit", Value::from(0)),
        ] {
            sc.entry(key).or_insert(zero);
        }
        let batcher = take_peek::<Address>(sc, "genesis.system_config", "batcherAddr")?;
        let scalar = take_peek::<U256>(sc, "genesis.system_config", "scalar")?;
        let gas_limit = take_peek::<u64>(sc, "genesis.system_config", "gasLimit")?;
        genesis_system = Some((batcher, scalar, gas_limit));
    }
    let config: RollupConfig = serde_path_to_error::deserialize(root).map_err(|e| {
        let key = e.path().to_string();
        ParseError {
            key: if key == "." { String::new() } else { key },
            message: format!(
                "{}; op-node v1.19 refuses to start: failed to decode rollup config",
                e.inner()
            ),
        }
    })?;
    Ok(RollupJson {
        config,
        karst_time,
        lagoon_time,
        keep_karst_upgrade_gas,
        min_base_fee,
        da_footprint_gas_scalar,
        genesis_system,
    })
}

/// The first key op-node's decoder would not know, as its error.
fn unknown_keys(top: &Map<String, Value>) -> Result<(), ParseError> {
    fn check(map: &Map<String, Value>, prefix: &str, known: &[&str]) -> Result<(), ParseError> {
        match map.keys().find(|k| !known.contains(&k.as_str())) {
            None => Ok(()),
            Some(k) => {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                Err(ParseError {
                    message: format!(
                        "op-node's rollup config has no such key; op-node v1.19 refuses to start: failed to decode rollup config: json: unknown field \"{k}\""
                    ),
                    key,
                })
            }
        }
    }
    check(top, "", TOP_KEYS)?;
    let obj = |v: Option<&Value>| v.and_then(Value::as_object).cloned();
    if let Some(g) = obj(top.get("genesis")) {
        check(&g, "genesis", GENESIS_KEYS)?;
        for side in ["l1", "l2"] {
            if let Some(b) = obj(g.get(side)) {
                check(&b, &format!("genesis.{side}"), BLOCK_ID_KEYS)?;
            }
        }
        if let Some(sc) = obj(g.get("system_config")) {
            check(&sc, "genesis.system_config", SYSTEM_CONFIG_KEYS)?;
        }
    }
    if let Some(a) = obj(top.get("alt_da")) {
        check(&a, "alt_da", ALT_DA_KEYS)?;
    }
    if let Some(c) = obj(top.get("chain_op_config")) {
        check(&c, "chain_op_config", CHAIN_OP_CONFIG_KEYS)?;
    }
    Ok(())
}

fn take<T: serde::de::DeserializeOwned>(
    map: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<T>, ParseError> {
    take_at(map, "", key)
}

/// Remove `key` from `map` and read it as `T` (`null` is absent, as in Go).
fn take_at<T: serde::de::DeserializeOwned>(
    map: &mut Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<T>, ParseError> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => read(v, prefix, key).map(Some),
    }
}

/// Read `key` of `map` as `T` without removing it.
fn take_peek<T: serde::de::DeserializeOwned>(
    map: &Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<T, ParseError> {
    read(map.get(key).cloned().unwrap_or(Value::Null), prefix, key)
}

fn read<T: serde::de::DeserializeOwned>(
    v: Value,
    prefix: &str,
    key: &str,
) -> Result<T, ParseError> {
    serde_json::from_value(v).map_err(|e| ParseError {
        key: if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        },
        message: format!("{e}; op-node v1.19 refuses to start: failed to decode rollup config"),
    })
}

/// op-node's order of the forks it checks pairwise (`rollup.Config.Check`, `checkFork`), then
/// the forks after Isthmus, which opctl orders the same way.
const FORK_ORDER: &[Fork] = &[
    Fork::Regolith,
    Fork::Canyon,
    Fork::Delta,
    Fork::Ecotone,
    Fork::Fjord,
    Fork::Granite,
    Fork::Holocene,
    Fork::Isthmus,
    Fork::Jovian,
    Fork::Karst,
    Fork::Lagoon,
];

/// Every rule of op-node's start-up checks (`rollup.Config.Check()`, and `config.Check()`'s
/// Pectra blob-schedule rule) that `r` breaks, plus the addresses opctl itself needs. Each is one
/// row of `docs/rollup-validation.md`.
pub fn check(r: &RollupJson) -> Vec<Problem> {
    let c = &r.config;
    let mut out = Vec::new();
    let mut refuse = |key: &'static str, why: String, hint: &str| {
        out.push(Problem {
            key,
            message: format!("op-node v1.19 refuses to start: {why}"),
            hint: hint.to_string(),
        })
    };
    let regenerate = "take rollup.json from `op-deployer inspect rollup` for this chain";
    if c.block_time == 0 {
        refuse(
            "block_time",
            "block time cannot be 0 (ErrBlockTimeZero)".into(),
            "set the L2 block time in seconds, e.g. 2",
        );
    }
    if c.channel_timeout == 0 {
        refuse(
            "channel_timeout",
            "channel timeout must be set (ErrMissingChannelTimeout)".into(),
            "set it in L1 blocks, e.g. 300",
        );
    }
    if c.seq_window_size < 2 {
        refuse(
            "seq_window_size",
            format!(
                "sequencing window size must at least be 2, is {} (ErrInvalidSeqWindowSize)",
                c.seq_window_size
            ),
            "set it in L1 blocks, e.g. 3600",
        );
    }
    if c.max_sequencer_drift == 0 {
        refuse(
            "max_sequencer_drift",
            "maximum sequencer drift must be greater than 0 (ErrInvalidMaxSeqDrift)".into(),
            "set it in seconds, e.g. 600 (with Fjord active the protocol uses 1800 regardless)",
        );
    }
    let g = &c.genesis;
    if g.l1.hash == B256::ZERO {
        refuse(
            "genesis.l1.hash",
            "genesis L1 hash cannot be empty (ErrMissingGenesisL1Hash)".into(),
            regenerate,
        );
    }
    if g.l2.hash == B256::ZERO {
        refuse(
            "genesis.l2.hash",
            "genesis L2 hash cannot be empty (ErrMissingGenesisL2Hash)".into(),
            regenerate,
        );
    } else if g.l2.hash == g.l1.hash {
        refuse(
            "genesis.l2.hash",
            "L1 and L2 genesis cannot be the same (ErrGenesisHashesSame)".into(),
            regenerate,
        );
    }
    if g.l2_time == 0 {
        refuse(
            "genesis.l2_time",
            "missing L2 genesis time (ErrMissingGenesisL2Time)".into(),
            regenerate,
        );
    }
    let (batcher, scalar, gas_limit) = r.genesis_system.unwrap_or((Address::ZERO, U256::ZERO, 0));
    if batcher == Address::ZERO {
        refuse(
            "genesis.system_config.batcherAddr",
            "missing genesis system config batcher address (ErrMissingBatcherAddr)".into(),
            regenerate,
        );
    }
    if scalar == U256::ZERO {
        refuse(
            "genesis.system_config.scalar",
            "missing genesis system config scalar (ErrMissingScalar)".into(),
            regenerate,
        );
    }
    if gas_limit == 0 {
        refuse(
            "genesis.system_config.gasLimit",
            "missing genesis system config gas limit (ErrMissingGasLimit)".into(),
            regenerate,
        );
    }
    if c.batch_inbox_address == Address::ZERO {
        refuse(
            "batch_inbox_address",
            "missing batch inbox address (ErrMissingBatchInboxAddress)".into(),
            regenerate,
        );
    }
    if c.deposit_contract_address == Address::ZERO {
        refuse(
            "deposit_contract_address",
            "missing deposit contract address (ErrMissingDepositContractAddress)".into(),
            regenerate,
        );
    }
    let l2 = r.l2_chain_id();
    if c.l1_chain_id == 0 {
        refuse(
            "l1_chain_id",
            "L1 chain ID must be non-zero and positive (ErrL1ChainIDNotPositive)".into(),
            regenerate,
        );
    }
    if l2 == 0 {
        refuse(
            "l2_chain_id",
            "L2 chain ID must be non-zero and positive (ErrL2ChainIDNotPositive)".into(),
            regenerate,
        );
    }
    if c.l1_chain_id == l2 && l2 != 0 {
        refuse(
            "l2_chain_id",
            "L1 and L2 chain IDs must be different (ErrChainIDsSame)".into(),
            regenerate,
        );
    }
    if let Some(alt) = &c.alt_da_config {
        let kind = alt.da_commitment_type.as_deref().unwrap_or("");
        let challenge = alt.da_challenge_address.unwrap_or(Address::ZERO);
        match kind {
            "KeccakCommitment" if challenge == Address::ZERO => refuse(
                "alt_da.da_challenge_contract_address",
                "Must set da_challenge_contract_address for keccak commitments".into(),
                "set the DataAvailabilityChallenge proxy address",
            ),
            "GenericCommitment" if challenge != Address::ZERO => refuse(
                "alt_da.da_challenge_contract_address",
                "Must set empty da_challenge_contract_address for generic commitments".into(),
                "remove the address for generic commitments",
            ),
            "KeccakCommitment" | "GenericCommitment" => {}
            other => refuse(
                "alt_da.da_commitment_type",
                format!("invalid commitment type: {other}"),
                "use `KeccakCommitment` or `GenericCommitment`",
            ),
        }
    }
    let times: std::collections::BTreeMap<Fork, u64> = r.fork_times().into_iter().collect();
    for pair in FORK_ORDER.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        match (times.get(&a), times.get(&b)) {
            (None, Some(tb)) => refuse(
                b.time_key(),
                format!("fork {b} set (to {tb}), but prior fork {a} missing"),
                &format!(
                    "schedule `{}` at or before {tb}, or remove `{}`",
                    a.time_key(),
                    b.time_key()
                ),
            ),
            (Some(ta), Some(tb)) if ta > tb => refuse(
                b.time_key(),
                format!("fork {b} set to {tb}, but prior fork {a} has higher offset {ta}"),
                &format!(
                    "forks activate in order: `{}` must be <= `{}`",
                    a.time_key(),
                    b.time_key()
                ),
            ),
            _ => {}
        }
    }
    if c.hardforks.pectra_blob_schedule_time.is_none() {
        if let Some((_, l1, prague)) = PRAGUE_L1S.iter().find(|(id, _, _)| *id == c.l1_chain_id) {
            if *prague >= g.l2_time {
                refuse(
                    "pectra_blob_schedule_time",
                    format!(
                        "probably missing Pectra blob schedule (ErrMissingPectraBlobSchedule): the L1 is {l1} and the L2 genesis (l2_time {}) is not after {l1}'s Prague activation ({prague}), and `pectra_blob_schedule_time` is absent",
                        g.l2_time
                    ),
                    &format!(
                        "add `pectra_blob_schedule_time`: the L1 time from which the chain's nodes used Prague blob fees ({prague}, {l1}'s Prague, for a chain whose nodes always had the fix; the {l1} superchain chains use 1742486400); ask the chain operator when in doubt"
                    ),
                );
            }
        }
    }
    if c.l1_system_config_address == Address::ZERO {
        out.push(Problem {
            key: "l1_system_config_address",
            message: "is the zero address; opctl discovers the chain's L1 contracts from it (and op-node reads system config updates from it)".into(),
            hint: regenerate.into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DEVNET: &str = include_str!("../../examples/devnet/rollup.json");
    const LEGACY: &str = include_str!("../../examples/legacy/rollup.json");

    fn edited(edit: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut v: Value = serde_json::from_str(DEVNET).expect("json");
        edit(v.as_object_mut().expect("object"));
        v.to_string()
    }

    fn problems(text: &str) -> Vec<Problem> {
        check(&parse(text).expect("parses"))
    }

    type Edit = Box<dyn Fn(&mut Map<String, Value>)>;

    fn keys(text: &str) -> Vec<&'static str> {
        problems(text).into_iter().map(|p| p.key).collect()
    }

    #[test]
    fn the_shipped_samples_pass_every_rule() {
        for text in [DEVNET, LEGACY] {
            assert_eq!(problems(text), vec![]);
        }
    }

    #[test]
    fn kona_genesis_0_4_5_alone_refuses_karst_time_which_is_why_it_is_lifted() {
        let text = edited(|m| {
            m.insert("karst_time".into(), json!(1_800_000_000u64));
        });
        let err = serde_json::from_str::<RollupConfig>(&text).expect_err("kona refuses it");
        assert!(err.to_string().contains("karst_time"), "{err}");
        let r = parse(&text).expect("opctl accepts what op-node accepts");
        assert_eq!(r.karst_time, Some(1_800_000_000));
        assert!(r.fork_times().contains(&(Fork::Karst, 1_800_000_000)));
        assert_eq!(check(&r), vec![]);
    }

    #[test]
    fn a_current_op_node_rollup_json_with_jovian_system_config_fields_is_accepted() {
        let text = edited(|m| {
            m.insert("karst_time".into(), json!(1_800_000_000u64));
            m.insert("keep_karst_upgrade_gas".into(), json!(true));
            m.insert("lagoon_time".into(), Value::Null);
            let sc = m["genesis"]["system_config"].as_object_mut().expect("sc");
            sc.insert("minBaseFee".into(), json!(1000));
            sc.insert("daFootprintGasScalar".into(), json!(400));
            sc.insert("operatorFeeParams".into(), json!(B256::ZERO.to_string()));
        });
        let r = parse(&text).expect("accepted");
        assert!(r.keep_karst_upgrade_gas);
        assert_eq!(r.lagoon_time, None, "null is absent, as in Go");
        assert_eq!(r.min_base_fee, Some(1000));
        assert_eq!(r.da_footprint_gas_scalar, Some(400));
    }

    #[test]
    fn an_unknown_key_is_refused_naming_it_at_any_depth() {
        for (edit, key) in [
            (
                Box::new(|m: &mut Map<String, Value>| {
                    m.insert("karst_tme".into(), json!(1));
                }) as Edit,
                "karst_tme",
            ),
            // kona-genesis models it, op-node does not: op-node refuses it.
            (
                Box::new(|m: &mut Map<String, Value>| {
                    m.insert("granite_channel_timeout".into(), json!(50));
                }),
                "granite_channel_timeout",
            ),
            (
                Box::new(|m: &mut Map<String, Value>| {
                    m["genesis"]["system_config"]
                        .as_object_mut()
                        .expect("sc")
                        .insert("batcherAddress".into(), json!("0x00"));
                }),
                "genesis.system_config.batcherAddress",
            ),
        ] {
            let err = parse(&edited(edit)).expect_err("refused");
            assert_eq!(err.key, key);
            assert!(err.message.contains("unknown field"), "{err}");
            assert!(
                err.message.contains("op-node v1.19 refuses to start"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_wrong_value_names_its_json_key_path() {
        let err = parse(&edited(|m| {
            m["genesis"]["l2"]["hash"] = json!("0x1234");
        }))
        .expect_err("bad hash");
        assert_eq!(err.key, "genesis.l2.hash", "{err}");
        let err = parse(&edited(|m| {
            m.insert("karst_time".into(), json!("soon"));
        }))
        .expect_err("bad time");
        assert_eq!(err.key, "karst_time", "{err}");
        let err = parse("[1, 2]").expect_err("not an object");
        assert!(err.message.contains("not a JSON object"), "{err}");
        let err = parse("{").expect_err("not JSON");
        assert!(err.message.contains("not valid JSON"), "{err}");
    }

    #[test]
    fn without_the_blob_schedule_a_pre_prague_sepolia_or_holesky_chain_is_refused() {
        let without = edited(|m| {
            m.remove("pectra_blob_schedule_time");
        });
        let p = problems(&without);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].key, "pectra_blob_schedule_time");
        assert!(
            p[0].message.contains("ErrMissingPectraBlobSchedule"),
            "{p:?}"
        );
        // Holesky too.
        let holesky = edited(|m| {
            m.remove("pectra_blob_schedule_time");
            m["l1_chain_id"] = json!(17000);
        });
        assert_eq!(keys(&holesky), vec!["pectra_blob_schedule_time"]);
        // Genesis after the L1's Prague, or another L1 (mainnet included, as op-node has it):
        // nothing to fix.
        for edit in [
            json!({"l2_time": 1_741_159_777u64}),
            json!({"l1_chain_id": 1}),
            json!({"l1_chain_id": 560048}),
        ] {
            let text = edited(|m| {
                m.remove("pectra_blob_schedule_time");
                if let Some(t) = edit.get("l2_time") {
                    m["genesis"]["l2_time"] = t.clone();
                }
                if let Some(id) = edit.get("l1_chain_id") {
                    m["l1_chain_id"] = id.clone();
                }
            });
            assert_eq!(keys(&text), Vec::<&str>::new(), "{edit}");
        }
        // Exactly at Prague counts as before (op-node: `pragueTime >= L2Time`).
        let at = edited(|m| {
            m.remove("pectra_blob_schedule_time");
            m["genesis"]["l2_time"] = json!(1_741_159_776u64);
        });
        assert_eq!(keys(&at), vec!["pectra_blob_schedule_time"]);
    }

    #[test]
    fn each_start_up_rule_names_its_key() {
        let zero_addr = json!(Address::ZERO.to_string());
        let zero_hash = json!(B256::ZERO.to_string());
        let cases: Vec<(&str, Edit)> = vec![
            ("block_time", Box::new(|m| m["block_time"] = json!(0))),
            (
                "channel_timeout",
                Box::new(|m| m["channel_timeout"] = json!(0)),
            ),
            (
                "seq_window_size",
                Box::new(|m| m["seq_window_size"] = json!(1)),
            ),
            (
                "max_sequencer_drift",
                Box::new(|m| {
                    m.remove("max_sequencer_drift");
                }),
            ),
            (
                "genesis.l1.hash",
                Box::new({
                    let z = zero_hash.clone();
                    move |m| m["genesis"]["l1"]["hash"] = z.clone()
                }),
            ),
            (
                "genesis.l2.hash",
                Box::new(|m| m["genesis"]["l2"]["hash"] = m["genesis"]["l1"]["hash"].clone()),
            ),
            (
                "genesis.l2_time",
                Box::new(|m| {
                    m["genesis"]["l2_time"] = json!(0);
                }),
            ),
            (
                "genesis.system_config.batcherAddr",
                Box::new({
                    let z = zero_addr.clone();
                    move |m| m["genesis"]["system_config"]["batcherAddr"] = z.clone()
                }),
            ),
            (
                "genesis.system_config.scalar",
                Box::new(|m| {
                    m["genesis"]["system_config"]
                        .as_object_mut()
                        .expect("sc")
                        .remove("scalar");
                }),
            ),
            (
                "genesis.system_config.gasLimit",
                Box::new(|m| m["genesis"]["system_config"]["gasLimit"] = json!(0)),
            ),
            (
                "batch_inbox_address",
                Box::new({
                    let z = zero_addr.clone();
                    move |m| m["batch_inbox_address"] = z.clone()
                }),
            ),
            (
                "deposit_contract_address",
                Box::new({
                    let z = zero_addr.clone();
                    move |m| m["deposit_contract_address"] = z.clone()
                }),
            ),
            (
                "l1_system_config_address",
                Box::new({
                    let z = zero_addr.clone();
                    move |m| m["l1_system_config_address"] = z.clone()
                }),
            ),
            (
                "l2_chain_id",
                Box::new(|m| m["l2_chain_id"] = json!(11155111)),
            ),
            ("l2_chain_id", Box::new(|m| m["l2_chain_id"] = json!(0))),
            (
                "alt_da.da_challenge_contract_address",
                Box::new(|m| {
                    m.insert("alt_da".into(), json!({"da_commitment_type": "KeccakCommitment", "da_challenge_window": 1, "da_resolve_window": 1}));
                }),
            ),
            (
                "alt_da.da_commitment_type",
                Box::new(|m| {
                    m.insert("alt_da".into(), json!({"da_commitment_type": "Other"}));
                }),
            ),
            // A later fork before an earlier one.
            (
                "fjord_time",
                Box::new(|m| {
                    m["ecotone_time"] = json!(10);
                }),
            ),
            // A later fork scheduled while an earlier one is not.
            (
                "canyon_time",
                Box::new(|m| {
                    m.remove("regolith_time");
                }),
            ),
            (
                "karst_time",
                Box::new(|m| {
                    m["jovian_time"] = json!(2_000_000_000u64);
                    m.insert("karst_time".into(), json!(1_900_000_000u64));
                }),
            ),
            (
                "lagoon_time",
                Box::new(|m| {
                    m.insert("lagoon_time".into(), json!(1_900_000_000u64));
                }),
            ),
        ];
        for (key, edit) in cases {
            let found = keys(&edited(edit));
            assert_eq!(found, vec![key], "rule for `{key}`");
        }
    }

    #[test]
    fn the_schedule_holds_every_fork_time_including_the_lifted_ones() {
        let text = edited(|m| {
            m.insert("karst_time".into(), json!(1_800_000_000u64));
            m.insert("lagoon_time".into(), json!(1_900_000_000u64));
        });
        let s =
            parse(&text)
                .expect("parses")
                .fork_schedule(crate::model::discovery::Source::Toml {
                    key: "chain.rollup_config".into(),
                });
        assert_eq!(s.time(Fork::Regolith), Some(0));
        assert_eq!(s.time(Fork::PectraBlobSchedule), Some(1_741_159_776));
        assert_eq!(s.time(Fork::Karst), Some(1_800_000_000));
        assert_eq!(s.time(Fork::Lagoon), Some(1_900_000_000));
        assert_eq!(s.time(Fork::Interop), None);
    }
}

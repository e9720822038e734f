//! Does genesis.json produce the L2 genesis block rollup.json names (`genesis.l2.hash`)? Pure.
//!
//! op-node looks its genesis block up by that hash in the execution client; the execution client
//! builds block 0 from genesis.json. When they differ op-node never finds its genesis block and
//! refuses to start. The header is built as op-geth builds it: `Genesis.ToBlock` /
//! `toBlockWithRoot` and `hashAlloc` in ethereum-optimism/op-geth `core/genesis.go`, including
//! the OP rule that with Isthmus active at genesis `withdrawalsRoot` is the storage root of the
//! L2ToL1MessagePasser predeploy. The hashes pinned in the tests below were computed by op-geth
//! v1.101702.3 itself (`core.Genesis.ToBlock().Hash()`, a 20-line Go program built against that
//! module), not by this code.

use alloy::primitives::{address, b256, Address, B256, B64, U256};
use alloy_consensus::Header;
use alloy_genesis::Genesis;
use alloy_trie::EMPTY_ROOT_HASH;
use serde_json::Value;

/// The L2ToL1MessagePasser predeploy (`params.OptimismL2ToL1MessagePasser` in op-geth).
const L2_TO_L1_MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");
/// `params.InitialBaseFee`: the genesis base fee under London when genesis.json has none.
const INITIAL_BASE_FEE: u64 = 1_000_000_000;
/// `params.GenesisGasLimit`: used when genesis.json's gasLimit is 0.
const GENESIS_GAS_LIMIT: u64 = 4_712_388;
/// `params.GenesisDifficulty`: used when genesis.json has no difficulty and a zero mixHash.
const GENESIS_DIFFICULTY: u64 = 131_072;
/// sha256 of nothing: `types.EmptyRequestsHash` (EIP-7685).
const EMPTY_REQUESTS_HASH: B256 =
    b256!("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

/// Fork switches in a genesis `config` whose effect on block 0 is known: none, or the header
/// fields handled below. Any other `...Block` / `...Time` active at genesis makes the hash
/// unverifiable (a later fork may add header fields).
const KNOWN_FORKS: &[&str] = &[
    "homesteadBlock",
    "daoForkBlock",
    "eip150Block",
    "eip155Block",
    "eip158Block",
    "byzantiumBlock",
    "constantinopleBlock",
    "petersburgBlock",
    "istanbulBlock",
    "muirGlacierBlock",
    "berlinBlock",
    "londonBlock",
    "arrowGlacierBlock",
    "grayGlacierBlock",
    "mergeNetsplitBlock",
    "bedrockBlock",
    "shanghaiTime",
    "cancunTime",
    "pragueTime",
    "osakaTime",
    "bpo1Time",
    "bpo2Time",
    "bpo3Time",
    "bpo4Time",
    "bpo5Time",
    "regolithTime",
    "canyonTime",
    "deltaTime",
    "ecotoneTime",
    "fjordTime",
    "graniteTime",
    "holoceneTime",
    "isthmusTime",
    "jovianTime",
];

/// What comparing rollup.json with genesis.json found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenesisCheck {
    /// `genesis.l2.hash` is the hash of the block genesis.json produces.
    Matches(B256),
    /// They differ.
    Mismatch {
        /// rollup.json's `genesis.l2.hash`.
        declared: B256,
        /// The hash of the block genesis.json produces.
        computed: B256,
    },
    /// The hash could not be computed exactly; the reason says why.
    CannotVerify(String),
}

/// Compare rollup.json's `genesis.l2.hash` with the block genesis.json produces.
pub fn check(rollup_json: &str, genesis_json: &str) -> GenesisCheck {
    match super::rollup::parse(rollup_json) {
        Ok(r) => check_hash(r.config.genesis.l2.hash, genesis_json),
        Err(e) => GenesisCheck::CannotVerify(format!("rollup.json cannot be read: {e}")),
    }
}

/// Compare `declared` (rollup.json's `genesis.l2.hash`) with the block genesis.json produces.
pub fn check_hash(declared: B256, genesis_json: &str) -> GenesisCheck {
    match genesis_hash(genesis_json) {
        Ok(computed) if computed == declared => GenesisCheck::Matches(computed),
        Ok(computed) => GenesisCheck::Mismatch { declared, computed },
        Err(why) => GenesisCheck::CannotVerify(why),
    }
}

/// The hash of the genesis block genesis.json produces, or why it cannot be computed exactly.
pub fn genesis_hash(genesis_json: &str) -> Result<B256, String> {
    genesis_header(genesis_json).map(|h| h.hash_slow())
}

fn forked_at(fork: Option<u64>, at: u64) -> bool {
    fork.is_some_and(|f| f <= at)
}

/// The block-0 header, as op-geth's `toBlockWithRoot` builds it.
pub fn genesis_header(genesis_json: &str) -> Result<Header, String> {
    let mut raw: Value =
        serde_json::from_str(genesis_json).map_err(|e| format!("genesis.json: {e}"))?;
    if raw.get("stateHash").is_some_and(|v| !v.is_null()) {
        return Err("genesis.json sets `stateHash` instead of a full `alloc`".into());
    }
    let config = raw.get("config").cloned().unwrap_or(Value::Null);
    if config
        .get("enableVerkleAtGenesis")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        return Err("genesis.json enables Verkle at genesis".into());
    }
    let quantity = |v: &Value| -> Option<u64> {
        match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => s.parse().ok(),
            },
            _ => None,
        }
    };
    let timestamp = raw.get("timestamp").and_then(quantity).unwrap_or(0);
    let number = raw.get("number").and_then(quantity).unwrap_or(0);
    if let Some(fields) = config.as_object() {
        for (key, value) in fields {
            let fork = key.ends_with("Block") || key.ends_with("Time");
            if !fork || KNOWN_FORKS.contains(&key.as_str()) {
                continue;
            }
            let at = if key.ends_with("Time") {
                timestamp
            } else {
                number
            };
            if quantity(value).is_some_and(|t| t <= at) {
                return Err(format!(
                    "genesis.json activates `{key}` at genesis, and opctl does not know how that fork shapes block 0"
                ));
            }
        }
    }
    let gas_used = raw.get("gasUsed").and_then(quantity).unwrap_or(0);
    let has_difficulty = raw.get("difficulty").is_some_and(|v| !v.is_null());
    // geth allows an account without `balance` (nil: zero); alloy requires the field.
    if let Some(alloc) = raw.get_mut("alloc").and_then(Value::as_object_mut) {
        for account in alloc.values_mut() {
            if let Some(a) = account.as_object_mut() {
                a.entry("balance").or_insert_with(|| Value::from("0x0"));
            }
        }
    }
    let g: Genesis =
        serde_json::from_value(raw).map_err(|e| format!("genesis.json cannot be read: {e}"))?;

    // State root over every allocated account (empty ones included: op-geth commits without
    // deleting empty objects); zero storage values are not stored.
    let state_root = alloy_trie::root::state_root_ref_unhashed(g.alloc.iter());

    let c = &g.config;
    let london = forked_at(c.london_block, 0);
    let london_now = forked_at(c.london_block, number);
    let time = |k: &str| c.extra_fields.get(k).and_then(quantity);
    let optimism = c.extra_fields.get("optimism").is_some();
    let isthmus = optimism && forked_at(time("isthmusTime"), timestamp);

    let base_fee = match g.base_fee_per_gas {
        Some(fee) => {
            Some(u64::try_from(fee).map_err(|_| "genesis.json's baseFeePerGas exceeds 64 bits")?)
        }
        None if london => Some(INITIAL_BASE_FEE),
        None => None,
    };
    let mut header = Header {
        parent_hash: g.parent_hash.unwrap_or_default(),
        beneficiary: g.coinbase,
        state_root,
        difficulty: if !has_difficulty && g.mix_hash == B256::ZERO {
            U256::from(GENESIS_DIFFICULTY)
        } else {
            g.difficulty
        },
        number,
        gas_limit: if g.gas_limit == 0 {
            GENESIS_GAS_LIMIT
        } else {
            g.gas_limit
        },
        gas_used,
        timestamp: g.timestamp,
        extra_data: g.extra_data.clone(),
        mix_hash: g.mix_hash,
        nonce: B64::from(g.nonce),
        base_fee_per_gas: base_fee,
        ..Header::default()
    };
    if london_now && forked_at(c.shanghai_time, timestamp) {
        header.withdrawals_root = Some(EMPTY_ROOT_HASH);
    }
    if london_now && forked_at(c.cancun_time, timestamp) {
        header.parent_beacon_block_root = Some(B256::ZERO);
        header.excess_blob_gas = Some(g.excess_blob_gas.unwrap_or(0));
        header.blob_gas_used = Some(g.blob_gas_used.unwrap_or(0));
    }
    if london_now && forked_at(c.prague_time, timestamp) {
        header.requests_hash = Some(EMPTY_REQUESTS_HASH);
    }
    if isthmus {
        // Without the predeploy op-geth versions disagree: older ones use the empty root, newer
        // ones (v1.101702.3, `core/genesis.go`) the zero hash, with a warning.
        let passer = g.alloc.get(&L2_TO_L1_MESSAGE_PASSER).ok_or(
            "Isthmus is active at genesis but genesis.json has no L2ToL1MessagePasser (0x4200000000000000000000000000000000000016); op-geth versions disagree on the withdrawalsRoot of such a block",
        )?;
        header.withdrawals_root = Some(alloy_trie::root::storage_root_unhashed(
            passer.storage_slots().filter(|(_, v)| !v.is_zero()),
        ));
    }
    // The header's optional fields are RLP-encoded in order; a gap (e.g. Cancun without
    // Shanghai) is a fork order op-geth refuses, and would encode differently here.
    let present = [
        header.base_fee_per_gas.is_some(),
        header.withdrawals_root.is_some(),
        header.blob_gas_used.is_some(),
        header.parent_beacon_block_root.is_some(),
        header.requests_hash.is_some(),
    ];
    if present.windows(2).any(|w| !w[0] && w[1]) {
        return Err("genesis.json's forks at genesis are out of order (e.g. Cancun without Shanghai or London)".into());
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEVNET_ROLLUP: &str = include_str!("../../examples/devnet/rollup.json");
    const DEVNET_GENESIS: &str = include_str!("../../examples/devnet/genesis.json");

    fn with(genesis: &str, edit: impl FnOnce(&mut Value)) -> String {
        let mut v: Value = serde_json::from_str(genesis).expect("json");
        edit(&mut v);
        v.to_string()
    }

    #[test]
    fn the_shipped_devnet_rollup_names_the_block_its_genesis_produces() {
        assert!(matches!(
            check(DEVNET_ROLLUP, DEVNET_GENESIS),
            GenesisCheck::Matches(_)
        ));
    }

    /// An L1-style genesis (no OP config; London to Prague at genesis, no baseFeePerGas) with an
    /// account holding code, a nonce and storage.
    const PRAGUE_GENESIS: &str = r#"{"config": {"chainId": 42069, "homesteadBlock": 0, "eip150Block": 0, "eip155Block": 0, "eip158Block": 0, "byzantiumBlock": 0, "constantinopleBlock": 0, "petersburgBlock": 0, "istanbulBlock": 0, "berlinBlock": 0, "londonBlock": 0, "mergeNetsplitBlock": 0, "shanghaiTime": 0, "cancunTime": 0, "pragueTime": 0, "terminalTotalDifficulty": 0}, "nonce": "0x0", "timestamp": "0x67748580", "extraData": "0x", "gasLimit": "0x1c9c380", "difficulty": "0x0", "mixHash": "0x0000000000000000000000000000000000000000000000000000000000000000", "coinbase": "0x0000000000000000000000000000000000000000", "alloc": {"3fab184622dc19b6109349b94811493bf2a45362": {"balance": "0x56bc75e2d63100000"}, "4200000000000000000000000000000000000016": {"balance": "0x0", "nonce": "0x1", "code": "0x6080604052", "storage": {"0x0000000000000000000000000000000000000000000000000000000000000001": "0x0000000000000000000000000000000000000000000000000000000000000007"}}}, "number": "0x0", "gasUsed": "0x0", "parentHash": "0x0000000000000000000000000000000000000000000000000000000000000000"}"#;

    #[test]
    fn hashes_agree_with_op_geth() {
        // Each expected hash printed by op-geth v1.101702.3 `core.Genesis.ToBlock().Hash()`.
        let h = |s: &str| s.parse::<B256>().expect("hash");
        let devnet_without_prague = with(DEVNET_GENESIS, |v| {
            v["config"]
                .as_object_mut()
                .expect("config")
                .remove("pragueTime");
            v.as_object_mut().expect("object").remove("baseFeePerGas");
        });
        let cases = [
            // OP, Isthmus and Jovian and Prague at genesis, the message passer with storage.
            (
                DEVNET_GENESIS.to_string(),
                "0x0aad3a032b14a02bdf49cf24edbf5045926bb086980e2e87d718d00857586e25",
            ),
            // OP, Isthmus without Prague, base fee defaulted.
            (
                devnet_without_prague,
                "0xd91aa2668ed9fae4998598e2cda9823cb4e4f9c981137e390a96d2a12f009a38",
            ),
            // OP up to Ecotone/Fjord (Cancun), no Isthmus.
            (
                include_str!("../../examples/legacy/genesis.json").to_string(),
                "0xd21fd9334bedef794b0ded7db9edb59bbb6bdb79d2bf43bc55be4200db1f0a3f",
            ),
            (
                PRAGUE_GENESIS.to_string(),
                "0x4eb307386aedb00ac49dfb5cd329d10b84e0e26c40b4930e208a82c2c058e530",
            ),
        ];
        for (genesis, expected) in cases {
            assert_eq!(genesis_hash(&genesis), Ok(h(expected)));
        }
    }

    #[test]
    fn isthmus_without_the_message_passer_cannot_be_verified() {
        let g = with(DEVNET_GENESIS, |v| {
            v["alloc"]
                .as_object_mut()
                .expect("alloc")
                .remove("4200000000000000000000000000000000000016");
        });
        match check(DEVNET_ROLLUP, &g) {
            GenesisCheck::CannotVerify(why) => {
                assert!(why.contains("L2ToL1MessagePasser"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn changing_one_balance_changes_the_hash_and_is_a_mismatch() {
        let changed = with(DEVNET_GENESIS, |v| {
            let alloc = v["alloc"].as_object_mut().expect("alloc");
            let first = alloc.values_mut().next().expect("an account");
            first["balance"] = Value::from("0x1234");
        });
        match check(DEVNET_ROLLUP, &changed) {
            GenesisCheck::Mismatch { declared, computed } => assert_ne!(declared, computed),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn with_isthmus_the_withdrawals_root_is_the_message_passer_storage_root() {
        let slot = B256::with_last_byte(1);
        let value = B256::with_last_byte(7);
        let g = with(DEVNET_GENESIS, |v| {
            v["alloc"]["4200000000000000000000000000000000000016"] = serde_json::json!({
                "balance": "0x0", "code": "0x00",
                "storage": { slot.to_string(): value.to_string() },
            });
        });
        let expected =
            alloy_trie::root::storage_root_unhashed([(slot, U256::from_be_bytes(value.0))]);
        let h = genesis_header(&g).expect("computes");
        assert_eq!(h.withdrawals_root, Some(expected));
        // Without Isthmus (and without the OP config) it is the empty withdrawals root.
        let pre = with(&g, |v| {
            v["config"]
                .as_object_mut()
                .expect("config")
                .remove("isthmusTime");
        });
        assert_eq!(
            genesis_header(&pre).expect("computes").withdrawals_root,
            Some(EMPTY_ROOT_HASH)
        );
    }

    #[test]
    fn an_unknown_fork_active_at_genesis_cannot_be_verified() {
        let g = with(DEVNET_GENESIS, |v| {
            v["config"]["karstTime"] = Value::from(0);
        });
        match check(DEVNET_ROLLUP, &g) {
            GenesisCheck::CannotVerify(why) => assert!(why.contains("karstTime"), "{why}"),
            other => panic!("{other:?}"),
        }
        // A future activation does not matter to block 0.
        let later = with(DEVNET_GENESIS, |v| {
            v["config"]["karstTime"] = Value::from(u64::MAX);
        });
        assert!(matches!(
            check(DEVNET_ROLLUP, &later),
            GenesisCheck::Matches(_)
        ));
    }

    #[test]
    fn london_without_a_base_fee_uses_the_initial_base_fee() {
        let h = genesis_header(DEVNET_GENESIS).expect("computes");
        let declared: Option<u64> = serde_json::from_str::<Value>(DEVNET_GENESIS)
            .expect("json")
            .get("baseFeePerGas")
            .and_then(Value::as_str)
            .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok());
        assert_eq!(
            h.base_fee_per_gas,
            Some(declared.unwrap_or(INITIAL_BASE_FEE))
        );
        let without = with(DEVNET_GENESIS, |v| {
            v.as_object_mut().expect("object").remove("baseFeePerGas");
        });
        assert_eq!(
            genesis_header(&without).expect("computes").base_fee_per_gas,
            Some(INITIAL_BASE_FEE)
        );
    }
}

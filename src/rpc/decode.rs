//! Pure decoders for packed on-chain values: the batcher in `SystemConfig.batcherHash()` and the
//! v2 dispute game parameters in `DisputeGameFactory.gameArgs(gameType)`.

use alloy::primitives::{Address, B256, U256};

/// The batcher address in `batcherHash`: version byte `0x00`, eleven zero bytes, then the address
/// (SPECS `system-config.md`). Any other layout is rejected rather than misread.
pub fn batcher_from_hash(hash: B256) -> Result<Address, String> {
    if hash[0] != 0 {
        return Err(format!(
            "batcherHash {hash} has version byte {:#04x}; only version 0x00 (an address) is defined",
            hash[0]
        ));
    }
    if hash[1..12].iter().any(|b| *b != 0) {
        return Err(format!(
            "batcherHash {hash} has non-zero bytes above the address; it is not a version-0 batcher hash"
        ));
    }
    Ok(Address::from_slice(&hash[12..]))
}

/// Length of `gameArgs` for permissionless v2 games.
pub const GAME_ARGS_PERMISSIONLESS_LEN: usize = 124;
/// Length of `gameArgs` for permissioned v2 games (adds proposer and challenger).
pub const GAME_ARGS_PERMISSIONED_LEN: usize = 164;

/// Parameters of a v2 dispute game, decoded from `DisputeGameFactory.gameArgs(t)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameArgs {
    /// `[0,32)`
    pub absolute_prestate: B256,
    /// `[32,52)`
    pub vm: Address,
    /// `[52,72)`
    pub anchor_state_registry: Address,
    /// `[72,92)`
    pub weth: Address,
    /// `[92,124)`, big-endian uint256
    pub l2_chain_id: U256,
    /// `[124,144)`, permissioned games only
    pub proposer: Option<Address>,
    /// `[144,164)`, permissioned games only
    pub challenger: Option<Address>,
}

/// Byte ranges of each field, for value sources (`gameArgs(1)[124:144]`).
pub mod ranges {
    /// Absolute prestate.
    pub const ABSOLUTE_PRESTATE: &str = "[0:32]";
    /// VM.
    pub const VM: &str = "[32:52]";
    /// AnchorStateRegistry.
    pub const ANCHOR_STATE_REGISTRY: &str = "[52:72]";
    /// DelayedWETH.
    pub const WETH: &str = "[72:92]";
    /// L2 chain id.
    pub const L2_CHAIN_ID: &str = "[92:124]";
    /// Proposer.
    pub const PROPOSER: &str = "[124:144]";
    /// Challenger.
    pub const CHALLENGER: &str = "[144:164]";
}

/// Decodes packed v2 `gameArgs` (no ABI padding). Only the two documented lengths are accepted.
pub fn decode_game_args(bytes: &[u8]) -> Result<GameArgs, String> {
    let permissioned = match bytes.len() {
        GAME_ARGS_PERMISSIONLESS_LEN => false,
        GAME_ARGS_PERMISSIONED_LEN => true,
        n => {
            return Err(format!(
                "{n} bytes of gameArgs; the documented layouts are {GAME_ARGS_PERMISSIONLESS_LEN} \
                 (permissionless) and {GAME_ARGS_PERMISSIONED_LEN} (permissioned) bytes"
            ))
        }
    };
    let addr = |from: usize| Address::from_slice(&bytes[from..from + 20]);
    Ok(GameArgs {
        absolute_prestate: B256::from_slice(&bytes[0..32]),
        vm: addr(32),
        anchor_state_registry: addr(52),
        weth: addr(72),
        l2_chain_id: U256::from_be_slice(&bytes[92..124]),
        proposer: permissioned.then(|| addr(124)),
        challenger: permissioned.then(|| addr(144)),
    })
}

/// Encodes [`GameArgs`] the way DisputeGameFactory stores them (the inverse of
/// [`decode_game_args`]); used by tests and stand-in fixtures.
pub fn encode_game_args(args: &GameArgs) -> Vec<u8> {
    let mut out = Vec::with_capacity(GAME_ARGS_PERMISSIONED_LEN);
    out.extend_from_slice(args.absolute_prestate.as_slice());
    out.extend_from_slice(args.vm.as_slice());
    out.extend_from_slice(args.anchor_state_registry.as_slice());
    out.extend_from_slice(args.weth.as_slice());
    out.extend_from_slice(&args.l2_chain_id.to_be_bytes::<32>());
    if let (Some(proposer), Some(challenger)) = (args.proposer, args.challenger) {
        out.extend_from_slice(proposer.as_slice());
        out.extend_from_slice(challenger.as_slice());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batcher_is_the_low_20_bytes_of_a_version_0_hash() {
        let batcher = Address::repeat_byte(0xab);
        let hash = B256::left_padding_from(batcher.as_slice());
        assert_eq!(batcher_from_hash(hash), Ok(batcher));
        assert_eq!(batcher_from_hash(B256::ZERO), Ok(Address::ZERO));
    }

    #[test]
    fn other_batcher_hash_versions_are_rejected() {
        let mut hash = B256::left_padding_from(Address::repeat_byte(1).as_slice());
        hash.0[0] = 1;
        assert!(batcher_from_hash(hash)
            .expect_err("version 1")
            .contains("version byte 0x01"));
        let mut hash = B256::left_padding_from(Address::repeat_byte(1).as_slice());
        hash.0[5] = 9;
        assert!(batcher_from_hash(hash).is_err());
    }

    #[test]
    fn permissioned_game_args_decode_at_the_documented_offsets() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&[0x03; 32]);
        bytes.extend_from_slice(&[0x11; 20]);
        bytes.extend_from_slice(&[0x22; 20]);
        bytes.extend_from_slice(&[0x33; 20]);
        bytes.extend_from_slice(&U256::from(901u64).to_be_bytes::<32>());
        bytes.extend_from_slice(&[0x44; 20]);
        bytes.extend_from_slice(&[0x55; 20]);
        let args = decode_game_args(&bytes).expect("164 bytes decode");
        assert_eq!(args.absolute_prestate, B256::repeat_byte(3));
        assert_eq!(args.vm, Address::repeat_byte(0x11));
        assert_eq!(args.anchor_state_registry, Address::repeat_byte(0x22));
        assert_eq!(args.weth, Address::repeat_byte(0x33));
        assert_eq!(args.l2_chain_id, U256::from(901u64));
        assert_eq!(args.proposer, Some(Address::repeat_byte(0x44)));
        assert_eq!(args.challenger, Some(Address::repeat_byte(0x55)));
        assert_eq!(encode_game_args(&args), bytes);
    }

    #[test]
    fn permissionless_game_args_have_no_proposer_or_challenger() {
        let args = GameArgs {
            absolute_prestate: B256::repeat_byte(9),
            vm: Address::repeat_byte(1),
            anchor_state_registry: Address::repeat_byte(2),
            weth: Address::repeat_byte(3),
            l2_chain_id: U256::from(10u64),
            proposer: None,
            challenger: None,
        };
        let bytes = encode_game_args(&args);
        assert_eq!(bytes.len(), GAME_ARGS_PERMISSIONLESS_LEN);
        assert_eq!(decode_game_args(&bytes), Ok(args));
    }

    #[test]
    fn other_game_args_lengths_are_rejected() {
        for len in [0, 1, 123, 125, 163, 165, 256] {
            let err = decode_game_args(&vec![0; len]).expect_err("undocumented length");
            assert!(err.contains(&format!("{len} bytes")), "{err}");
        }
    }
}

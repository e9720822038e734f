//! Every dispute game type by number, name and meaning: what it proves (output roots of one chain
//! or super roots), who may play it (permissioned or anyone), which program and VM its honest
//! challenger runs, and the `--game-types` value op-challenger knows it by.
//!
//! Sources: contracts-bedrock `src/dispute/lib/Types.sol` (`GameTypes`: 0 CANNON, 1
//! PERMISSIONED_CANNON, 2 ASTERISC, 3 ASTERISC_KONA, 4 SUPER_CANNON, 5 SUPER_PERMISSIONED_CANNON,
//! 6 OP_SUCCINCT, 7 SUPER_ASTERISC_KONA, 8 CANNON_KONA, 9 SUPER_CANNON_KONA, 254 FAST, 255
//! ALPHABET, 1337 KAILUA); the super-root set {4, 5, 7, 9} as `GameTypes.isSuperGame` decides it;
//! op-challenger `game/fault/types` trace types (`cannon`, `permissioned`, `asterisc`,
//! `asterisc-kona`, `super-cannon`, `super-permissioned`, `super-asterisc-kona`, `cannon-kona`,
//! `super-cannon-kona`, `fast`, `alphabet`) and its prestate flags (`--cannon-prestates-url` for
//! op-program games, `--cannon-kona-prestates-url` for kona games, `--asterisc-*` likewise, and
//! the generic `--prestates-url`); notices `upgrade-19.mdx` (CANNON_KONA becomes the respected type
//! of permissionless chains) and `upgrade-20.mdx` (SUPER_PERMISSIONED / SUPER_CANNON_KONA).

use std::fmt;

/// The fault-proof program a game's honest challenger executes, which decides where its
/// absolute prestates are published (op-program and kona prestates live under different
/// locations, so one URL for every VM is wrong).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Program {
    /// op-program on the Cannon (MIPS) VM: `--cannon-prestates-url`.
    OpProgramCannon,
    /// kona-client on the Cannon VM: `--cannon-kona-prestates-url`.
    KonaCannon,
    /// op-program on the Asterisc (RISC-V) VM: `--asterisc-prestates-url`.
    OpProgramAsterisc,
    /// kona-client on the Asterisc VM: `--asterisc-kona-prestates-url`.
    KonaAsterisc,
    /// No VM: test games (alphabet, fast) or games op-challenger does not play (OP Succinct,
    /// Kailua).
    None,
}

impl Program {
    /// The op-challenger flag that takes this program's prestate base URL.
    pub fn prestates_flag(self) -> Option<&'static str> {
        match self {
            Program::OpProgramCannon => Some("--cannon-prestates-url"),
            Program::KonaCannon => Some("--cannon-kona-prestates-url"),
            Program::OpProgramAsterisc => Some("--asterisc-prestates-url"),
            Program::KonaAsterisc => Some("--asterisc-kona-prestates-url"),
            Program::None => None,
        }
    }

    /// Short name, as used in the chain file's `challenger.prestates` table.
    pub fn key(self) -> &'static str {
        match self {
            Program::OpProgramCannon => "cannon",
            Program::KonaCannon => "cannon-kona",
            Program::OpProgramAsterisc => "asterisc",
            Program::KonaAsterisc => "asterisc-kona",
            Program::None => "none",
        }
    }
}

/// What one game type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GameKind {
    /// The type number (`GameType` in the contracts).
    pub number: u32,
    /// The `GameTypes` constant name, e.g. `SUPER_PERMISSIONED_CANNON`.
    pub constant: &'static str,
    /// op-challenger's trace type for it (`--game-types`), if op-challenger plays it.
    pub trace_type: Option<&'static str>,
    /// Proves super roots (L2 timestamp) rather than one chain's output roots (L2 block number):
    /// op-proposer needs `--superroot-rpcs`, op-challenger `--superroot-rpc`.
    pub super_root: bool,
    /// Only a fixed proposer and challenger may play it (their addresses are in the game).
    pub permissioned: bool,
    /// The program the honest challenger runs.
    pub program: Program,
    /// Not for production (test games).
    pub test_only: bool,
}

macro_rules! kind {
    ($n:expr, $c:expr, $t:expr, $super:expr, $perm:expr, $p:expr, $test:expr) => {
        GameKind {
            number: $n,
            constant: $c,
            trace_type: $t,
            super_root: $super,
            permissioned: $perm,
            program: $p,
            test_only: $test,
        }
    };
}

impl GameKind {
    /// Anyone may play it and its honest challenger runs a fault-proof VM: the VM needs the
    /// disputed block's state for the whole game clock, and the program's prestates.
    pub fn runs_vm_for_anyone(&self) -> bool {
        !self.permissioned && self.program != Program::None
    }
}

/// Every game type the sources define.
pub const GAME_KINDS: [GameKind; 13] = [
    kind!(
        0,
        "CANNON",
        Some("cannon"),
        false,
        false,
        Program::OpProgramCannon,
        false
    ),
    kind!(
        1,
        "PERMISSIONED_CANNON",
        Some("permissioned"),
        false,
        true,
        Program::OpProgramCannon,
        false
    ),
    kind!(
        2,
        "ASTERISC",
        Some("asterisc"),
        false,
        false,
        Program::OpProgramAsterisc,
        false
    ),
    kind!(
        3,
        "ASTERISC_KONA",
        Some("asterisc-kona"),
        false,
        false,
        Program::KonaAsterisc,
        false
    ),
    kind!(
        4,
        "SUPER_CANNON",
        Some("super-cannon"),
        true,
        false,
        Program::OpProgramCannon,
        false
    ),
    kind!(
        5,
        "SUPER_PERMISSIONED_CANNON",
        Some("super-permissioned"),
        true,
        true,
        Program::OpProgramCannon,
        false
    ),
    kind!(6, "OP_SUCCINCT", None, false, false, Program::None, false),
    kind!(
        7,
        "SUPER_ASTERISC_KONA",
        Some("super-asterisc-kona"),
        true,
        false,
        Program::KonaAsterisc,
        false
    ),
    kind!(
        8,
        "CANNON_KONA",
        Some("cannon-kona"),
        false,
        false,
        Program::KonaCannon,
        false
    ),
    kind!(
        9,
        "SUPER_CANNON_KONA",
        Some("super-cannon-kona"),
        true,
        false,
        Program::KonaCannon,
        false
    ),
    kind!(254, "FAST", Some("fast"), false, false, Program::None, true),
    kind!(
        255,
        "ALPHABET",
        Some("alphabet"),
        false,
        false,
        Program::None,
        true
    ),
    kind!(1337, "KAILUA", None, false, false, Program::None, false),
];

/// The kind of a game type number, if the sources define it.
pub fn game_kind(number: u32) -> Option<&'static GameKind> {
    GAME_KINDS.iter().find(|k| k.number == number)
}

/// The kind op-challenger knows by `trace_type` (a `--game-types` value).
pub fn game_kind_by_trace_type(trace_type: &str) -> Option<&'static GameKind> {
    GAME_KINDS.iter().find(|k| k.trace_type == Some(trace_type))
}

/// `5 (SUPER_PERMISSIONED_CANNON)`, or `42 (unknown)`.
pub struct GameTypeLabel(pub u32);

impl fmt::Display for GameTypeLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match game_kind(self.0) {
            Some(k) => write!(f, "{} ({})", self.0, k.constant),
            None => write!(f, "{} (unknown)", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_trace_types_are_unique() {
        for (i, a) in GAME_KINDS.iter().enumerate() {
            for b in &GAME_KINDS[i + 1..] {
                assert_ne!(a.number, b.number);
                if a.trace_type.is_some() {
                    assert_ne!(a.trace_type, b.trace_type);
                }
            }
        }
    }

    #[test]
    fn the_super_root_set_is_the_contracts_is_super_game() {
        let supers: Vec<u32> = GAME_KINDS
            .iter()
            .filter(|k| k.super_root)
            .map(|k| k.number)
            .collect();
        assert_eq!(supers, vec![4, 5, 7, 9]);
        let permissioned: Vec<u32> = GAME_KINDS
            .iter()
            .filter(|k| k.permissioned)
            .map(|k| k.number)
            .collect();
        assert_eq!(permissioned, vec![1, 5]);
    }

    #[test]
    fn kona_games_take_kona_prestates() {
        assert_eq!(
            game_kind(8).unwrap().program.prestates_flag(),
            Some("--cannon-kona-prestates-url")
        );
        assert_eq!(
            game_kind(9).unwrap().program.prestates_flag(),
            Some("--cannon-kona-prestates-url")
        );
        assert_eq!(
            game_kind(0).unwrap().program.prestates_flag(),
            Some("--cannon-prestates-url")
        );
        assert_eq!(
            game_kind_by_trace_type("super-permissioned").map(|k| k.number),
            Some(5)
        );
        assert_eq!(GameTypeLabel(9).to_string(), "9 (SUPER_CANNON_KONA)");
        assert_eq!(GameTypeLabel(42).to_string(), "42 (unknown)");
    }
}

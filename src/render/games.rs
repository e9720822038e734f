//! Which dispute games op-proposer proposes and op-challenger plays, decided from the chain's
//! respected game type and the types its DisputeGameFactory has enabled (nothing per chain is
//! hard-coded). Rules `proposer-game-type` and `challenger-game-types` in
//! `docs/rendering-rules.md`.
//!
//! - op-proposer proposes the respected type (or `proposer.game_type`); for super-root types
//!   (5, 9) it reads super roots from the chain's op-node (`--superroot-rpcs`, which op-node
//!   serves as `superroot_atTimestamp` with its safe-head DB) instead of `--rollup-rpc`
//!   (notice `upgrade-20.mdx`).
//! - op-challenger plays the respected type, every other enabled type it can play, and the type a
//!   super-root move replaced (1 after 1 -> 5, 8 after 8 -> 9) so games in progress finish
//!   ("keep the old game types", `upgrade-20.mdx`). Asterisc types are left out: op-challenger
//!   dropped them in 2026-01.
//! - Prestates are per program: op-program and kona-client prestates are published under
//!   different locations, so each program in play takes its own flag; a permissioned-only
//!   challenger is not asked for any.

use std::collections::BTreeSet;

use crate::config::Challenger;
use crate::model::games::{game_kind, game_kind_by_trace_type, GameKind, GameTypeLabel, Program};

use super::Contracts;

/// The type a super-root move replaced, whose games may still be in progress.
fn predecessor(game_type: u32) -> Option<u32> {
    match game_type {
        5 => Some(1),
        9 => Some(8),
        _ => None,
    }
}

/// Whether op-challenger (2026-12) can play this kind.
fn playable(k: &GameKind) -> bool {
    k.trace_type.is_some()
        && !k.test_only
        && !matches!(
            k.program,
            Program::OpProgramAsterisc | Program::KonaAsterisc
        )
}

/// Why the game types could not be decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GamesError {
    /// No respected game type is known (no lock file, no registry entry, no pin).
    NoRespectedType,
    /// The respected type is one op-challenger does not play.
    Unplayable(u32),
    /// A trace type in `challenger.game_types` opctl does not know.
    UnknownTraceType(String),
    /// A program in play has no prestate URL.
    MissingPrestates {
        /// The program's key in `challenger.prestates`.
        program: &'static str,
        /// The game type that needs it.
        game_type: u32,
        /// Whether the generic `prestates_url` was given but cannot serve several programs.
        generic_is_ambiguous: bool,
    },
}

impl std::fmt::Display for GamesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GamesError::NoRespectedType => write!(
                f,
                "the respected game type is not known, so the game types cannot be chosen\n  hint: run `opctl discover` to record it, or set `challenger.game_types`"
            ),
            GamesError::Unplayable(t) => write!(
                f,
                "the portal respects game type {}, which op-challenger does not play\n  hint: disable `[challenger]`, or set `challenger.game_types` to the types you mean to play",
                GameTypeLabel(*t)
            ),
            GamesError::UnknownTraceType(t) => write!(f, "unknown challenger game type `{t}`"),
            GamesError::MissingPrestates {
                program,
                game_type,
                generic_is_ambiguous,
            } => {
                write!(
                    f,
                    "game type {} needs {} prestates and `challenger.prestates.{program}` is not set",
                    GameTypeLabel(*game_type),
                    program_name(program)
                )?;
                if *generic_is_ambiguous {
                    write!(f, "; `prestates_url` cannot serve it: the games in play run more than one program, and op-program and kona prestates are published under different locations")?;
                }
                write!(
                    f,
                    "\n  hint: set `challenger.prestates.{program} = \"<base URL serving <prestate-hash>.bin.gz>\"`"
                )
            }
        }
    }
}

fn program_name(key: &str) -> &'static str {
    match key {
        "cannon" => "op-program (Cannon)",
        "cannon-kona" => "kona-client (Cannon)",
        _ => "fault-proof program",
    }
}

/// The game type op-proposer proposes: `proposer.game_type`, else the respected type.
pub fn proposer_game_type(pinned: Option<u32>, contracts: &Contracts) -> Option<u32> {
    pinned.or(contracts.respected_game_type)
}

/// Whether op-proposer reads super roots (`--superroot-rpcs`) for `game_type`.
pub fn is_super_root(game_type: u32) -> bool {
    game_kind(game_type).is_some_and(|k| k.super_root)
}

/// The game kinds op-challenger plays, in type order: `challenger.game_types` when set, else
/// derived from the respected and enabled types.
pub fn challenger_kinds(
    ch: &Challenger,
    contracts: &Contracts,
) -> Result<Vec<&'static GameKind>, GamesError> {
    if !ch.game_types.is_empty() {
        let mut out = Vec::new();
        for t in &ch.game_types {
            match game_kind_by_trace_type(t) {
                Some(k) => out.push(k),
                // Validation knows trace types with no contract constant (e.g. `optimistic-zk`);
                // they are passed through by `trace_types`.
                None if crate::config::validate::GAME_TYPES.contains(&t.as_str()) => {}
                None => return Err(GamesError::UnknownTraceType(t.clone())),
            }
        }
        out.sort_by_key(|k| k.number);
        out.dedup_by_key(|k| k.number);
        return Ok(out);
    }
    let respected = contracts
        .respected_game_type
        .ok_or(GamesError::NoRespectedType)?;
    let kind = game_kind(respected)
        .filter(|k| playable(k))
        .ok_or(GamesError::Unplayable(respected))?;
    let mut numbers: BTreeSet<u32> = BTreeSet::from([kind.number]);
    numbers.extend(predecessor(respected));
    numbers.extend(contracts.enabled_game_types.iter().copied());
    // A permissioned chain's challenger plays only permissioned games: a permissionless type
    // left registered is not the chain's proof system, and playing it would need a VM, its
    // prestates and archive state the chain file never asked for.
    Ok(numbers
        .into_iter()
        .filter_map(game_kind)
        .filter(|k| playable(k))
        .filter(|k| !kind.permissioned || k.permissioned)
        .collect())
}

/// `--game-types` values: the kinds' trace types, plus any explicit trace type without a
/// contract constant (kept in the order the chain file gave them).
pub fn trace_types(ch: &Challenger, kinds: &[&GameKind]) -> Vec<String> {
    if !ch.game_types.is_empty() {
        return ch.game_types.clone();
    }
    kinds
        .iter()
        .filter_map(|k| k.trace_type.map(str::to_string))
        .collect()
}

/// Prestate flags for the programs in play: `challenger.prestates.<program>` for each, the
/// generic `prestates_url` as `--prestates-url`. Permissionless kinds must have their program's
/// prestates; permissioned ones get them when given.
pub fn prestate_args(ch: &Challenger, kinds: &[&GameKind]) -> Result<Vec<String>, GamesError> {
    let programs: BTreeSet<Program> = kinds
        .iter()
        .map(|k| k.program)
        .filter(|p| *p != Program::None)
        .collect();
    let mut args = Vec::new();
    for p in &programs {
        let (Some(flag), Some(url)) = (p.prestates_flag(), ch.prestates.get(p.key())) else {
            continue;
        };
        args.push(format!("{flag}={url}"));
    }
    if let Some(url) = &ch.prestates_url {
        args.push(format!("--prestates-url={url}"));
    }
    for k in kinds.iter().filter(|k| k.runs_vm_for_anyone()) {
        if ch.prestates.contains_key(k.program.key()) {
            continue;
        }
        // The generic URL serves one program: the one in play without its own entry.
        let uncovered = programs
            .iter()
            .filter(|p| !ch.prestates.contains_key(p.key()))
            .count();
        let generic_serves = ch.prestates_url.is_some() && uncovered == 1;
        if !generic_serves {
            return Err(GamesError::MissingPrestates {
                program: k.program.key(),
                game_type: k.number,
                generic_is_ambiguous: ch.prestates_url.is_some(),
            });
        }
    }
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contracts(respected: u32, enabled: &[u32]) -> Contracts {
        Contracts {
            respected_game_type: Some(respected),
            enabled_game_types: enabled.to_vec(),
            ..Contracts::default()
        }
    }

    fn numbers(kinds: &[&GameKind]) -> Vec<u32> {
        kinds.iter().map(|k| k.number).collect()
    }

    #[test]
    fn a_move_to_super_permissioned_keeps_playing_permissioned_games() {
        let ch = Challenger::default();
        // Upgrade 20 on a permissioned chain: 1 and 5 registered, 5 respected.
        let kinds = challenger_kinds(&ch, &contracts(5, &[1, 5])).unwrap();
        assert_eq!(numbers(&kinds), vec![1, 5]);
        assert_eq!(
            trace_types(&ch, &kinds),
            vec!["permissioned", "super-permissioned"]
        );
        // The old implementation already unset: the predecessor is still played.
        let kinds = challenger_kinds(&ch, &contracts(5, &[5])).unwrap();
        assert_eq!(numbers(&kinds), vec![1, 5]);
        // Permissioned only: no prestates demanded.
        assert_eq!(prestate_args(&ch, &kinds).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn permissionless_kona_chains_play_kona_types_with_kona_prestates() {
        let mut ch = Challenger::default();
        let kinds = challenger_kinds(&ch, &contracts(9, &[5, 9])).unwrap();
        assert_eq!(
            trace_types(&ch, &kinds),
            vec!["super-permissioned", "cannon-kona", "super-cannon-kona"]
        );
        let err = prestate_args(&ch, &kinds).unwrap_err();
        assert!(
            err.to_string().contains("challenger.prestates.cannon-kona"),
            "{err}"
        );
        ch.prestates.insert(
            "cannon-kona".into(),
            "https://kona.example/prestates".into(),
        );
        assert_eq!(
            prestate_args(&ch, &kinds).unwrap(),
            vec!["--cannon-kona-prestates-url=https://kona.example/prestates"]
        );
    }

    #[test]
    fn one_url_for_two_programs_is_refused_and_serves_one() {
        let mut ch = Challenger {
            prestates_url: Some("https://one.example".into()),
            ..Challenger::default()
        };
        // Respects 8, with 0 still enabled: op-program and kona both in play.
        let kinds = challenger_kinds(&ch, &contracts(8, &[0, 1, 8])).unwrap();
        assert_eq!(numbers(&kinds), vec![0, 1, 8]);
        let err = prestate_args(&ch, &kinds).unwrap_err();
        assert!(err.to_string().contains("more than one program"), "{err}");
        // One program in play: the generic URL serves it.
        let kinds = challenger_kinds(&ch, &contracts(8, &[8])).unwrap();
        assert_eq!(
            prestate_args(&ch, &kinds).unwrap(),
            vec!["--prestates-url=https://one.example"]
        );
        ch.game_types = vec!["permissioned".into()];
        let kinds = challenger_kinds(&ch, &contracts(8, &[8])).unwrap();
        assert_eq!(numbers(&kinds), vec![1], "an explicit list wins");
    }

    #[test]
    fn a_permissioned_chain_does_not_play_a_permissionless_type_left_registered() {
        let ch = Challenger::default();
        let kinds = challenger_kinds(&ch, &contracts(1, &[0, 1])).unwrap();
        assert_eq!(numbers(&kinds), vec![1]);
        assert_eq!(prestate_args(&ch, &kinds).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn the_generic_url_serves_the_one_program_without_its_own_entry() {
        let mut ch = Challenger {
            prestates_url: Some("https://kona.example".into()),
            ..Challenger::default()
        };
        ch.prestates
            .insert("cannon".into(), "https://op-program.example".into());
        let kinds = challenger_kinds(&ch, &contracts(8, &[0, 8])).unwrap();
        assert_eq!(
            prestate_args(&ch, &kinds).unwrap(),
            vec![
                "--cannon-prestates-url=https://op-program.example",
                "--prestates-url=https://kona.example"
            ]
        );
    }

    #[test]
    fn without_a_respected_type_or_with_an_unplayable_one_it_says_what_to_do() {
        let ch = Challenger::default();
        let err = challenger_kinds(&ch, &Contracts::default()).unwrap_err();
        assert!(err.to_string().contains("opctl discover"), "{err}");
        let err = challenger_kinds(&ch, &contracts(6, &[6])).unwrap_err();
        assert!(err.to_string().contains("6 (OP_SUCCINCT)"), "{err}");
        // Asterisc and test types are never derived.
        let kinds = challenger_kinds(&ch, &contracts(8, &[2, 3, 8, 254, 255])).unwrap();
        assert_eq!(numbers(&kinds), vec![8]);
    }

    #[test]
    fn proposers_of_super_root_types_read_super_roots() {
        assert!(is_super_root(5) && is_super_root(9));
        assert!(!is_super_root(1) && !is_super_root(8) && !is_super_root(0));
        assert_eq!(proposer_game_type(None, &contracts(5, &[])), Some(5));
        assert_eq!(proposer_game_type(Some(1), &contracts(5, &[])), Some(1));
    }
}

//! The discovery lens (`contracts/DiscoveryLens.sol`): a contract that is never deployed. Its
//! creation code, with a program of view calls appended, goes out as one `eth_call` without a
//! `to` address; the constructor runs the calls (a call's target may be an address returned by an
//! earlier call) and returns every result. That is how a whole discovery, whose reads depend on
//! each other three levels deep, fits in one `eth_call`. Pure encoding and decoding; `transport`
//! sends it.

use alloy::primitives::{Address, Bytes};
use alloy::sol_types::SolValue;

use super::reads::{Outcome, Read, ReadSet, Target};

/// Creation bytecode of `contracts/DiscoveryLens.sol` (solc 0.8.25, `--optimize
/// --optimize-runs 200`); a test recompiles the source and compares.
const LENS_BIN: &str = include_str!("../../contracts/DiscoveryLens.bin");

/// Gas of the lens `eth_call`. A full discovery uses a few million; 30M is the block gas limit of
/// mainnet-like chains, which nodes accept for `eth_call` (geth's `--rpc.gascap` is 50M by
/// default, and geth lowers a higher request to its cap rather than refusing it).
pub(crate) const LENS_GAS: u64 = 30_000_000;

/// Most return data the lens keeps per call (`MAX_RETURN` in the contract).
pub(crate) const MAX_RETURN: usize = 1024;

/// The lens creation code (hex in the source file).
fn creation_code() -> Result<Vec<u8>, String> {
    hex::decode(LENS_BIN.trim())
        .map_err(|e| format!("the built-in DiscoveryLens bytecode is not hex: {e}"))
}

/// The `eth_call` data that runs every call of `set` (storage and code reads excluded; calls
/// whose target refers to one of them take it from `known`, the outcomes read beforehand).
/// Returns the data and, per read of `set`, its lens step (`None` for storage and code reads).
pub(crate) fn encode(
    set: &ReadSet,
    known: &[Option<Outcome>],
) -> Result<(Bytes, Vec<Option<usize>>), String> {
    let mut program = Vec::new();
    let mut steps = Vec::with_capacity(set.entries.len());
    let mut next = 0usize;
    for (idx, (read, label)) in set.entries.iter().enumerate() {
        let Read::Call { data, targets } = read else {
            steps.push(None);
            continue;
        };
        let mut candidates = Vec::new();
        for target in targets {
            match *target {
                Target::Literal(a) => candidates.push(Candidate::Literal(a)),
                Target::Ref { read, offset } => match steps.get(read).copied().flatten() {
                    Some(step) => candidates.push(Candidate::Step { step, offset }),
                    // A storage read, answered before the lens runs: its address is literal.
                    None => {
                        let outcomes: Vec<Option<&Outcome>> =
                            known.iter().map(Option::as_ref).collect();
                        if let Some(a) = super::reads::resolve_target(&[*target], &outcomes) {
                            candidates.push(Candidate::Literal(a));
                        }
                    }
                },
            }
        }
        if candidates.is_empty() {
            // The lens needs one candidate per step: zero means "not run".
            candidates.push(Candidate::Literal(Address::ZERO));
        }
        let count = u8::try_from(candidates.len())
            .map_err(|_| format!("read {idx} ({}) has too many targets", label.getter))?;
        program.push(count);
        for c in candidates {
            match c {
                Candidate::Literal(a) => {
                    program.push(0);
                    program.extend_from_slice(a.as_slice());
                }
                Candidate::Step { step, offset } => {
                    program.push(1);
                    program.extend_from_slice(&u16_of(step, "step")?.to_be_bytes());
                    program.extend_from_slice(&u16_of(offset, "offset")?.to_be_bytes());
                }
            }
        }
        program.extend_from_slice(&u16_of(data.len(), "calldata length")?.to_be_bytes());
        program.extend_from_slice(data);
        steps.push(Some(next));
        next += 1;
    }
    let mut code = creation_code()?;
    code.extend(Bytes::from(program).abi_encode());
    Ok((code.into(), steps))
}

/// Splits the lens result into one outcome per step (`steps` of them).
pub(crate) fn decode(result: &[u8], steps: usize) -> Result<Vec<Outcome>, String> {
    let Some((&format, mut rest)) = result.split_first() else {
        return Err(
            "the lens returned nothing (does this node run contract creations in eth_call?)"
                .to_owned(),
        );
    };
    if format != 1 {
        return Err(format!(
            "the lens result has format {format:#04x}, not 0x01"
        ));
    }
    let mut outcomes = Vec::with_capacity(steps);
    for step in 0..steps {
        let [status, hi, lo, tail @ ..] = rest else {
            return Err(format!(
                "the lens result ends before step {step} of {steps}"
            ));
        };
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        if tail.len() < len {
            return Err(format!("the lens result ends inside step {step}"));
        }
        let (data, after) = tail.split_at(len);
        rest = after;
        outcomes.push(match status {
            0 => Outcome::NotRun,
            1 => Outcome::from_call_data(Bytes::copy_from_slice(data)),
            2 => Outcome::Reverted(Bytes::copy_from_slice(data)),
            3 => Outcome::Oversized,
            other => return Err(format!("step {step} has unknown status {other}")),
        });
    }
    if !rest.is_empty() {
        return Err(format!(
            "the lens result has {} bytes after its {steps} steps",
            rest.len()
        ));
    }
    Ok(outcomes)
}

enum Candidate {
    Literal(Address),
    Step { step: usize, offset: usize },
}

fn u16_of(n: usize, what: &str) -> Result<u16, String> {
    u16::try_from(n).map_err(|_| format!("lens program {what} {n} does not fit in 16 bits"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::abi::{IDisputeGame, IDisputeGameFactory, ISemver};
    use alloy::sol_types::SolCall;

    #[test]
    fn the_program_encodes_literal_and_dependent_targets_and_the_result_decodes() {
        let mut set = ReadSet::default();
        let dgf = Address::repeat_byte(0x11);
        let slot = set.storage("SystemConfig", dgf, alloy::primitives::B256::ZERO, "x");
        let impls = set.call_labelled(
            "DisputeGameFactory",
            dgf,
            IDisputeGameFactory::gameImplsCall { gameType: 1 },
            "gameImpls(1)".into(),
        );
        let _version = set.getter_via(
            "PermissionedDisputeGame",
            vec![impls.address_word(0)],
            IDisputeGame::vmCall {},
        );
        let _owner = set.getter_via("ProxyAdmin", vec![slot.address()], ISemver::versionCall {});
        let admin = Address::repeat_byte(0x22);
        let known = vec![
            Some(Outcome::Data(Bytes::copy_from_slice(
                alloy::primitives::B256::left_padding_from(admin.as_slice()).as_slice(),
            ))),
            None,
            None,
            None,
        ];
        let (data, steps) = encode(&set, &known).expect("encodes");
        assert_eq!(steps, vec![None, Some(0), Some(1), Some(2)]);
        let code = creation_code().expect("hex");
        assert!(data.starts_with(&code));
        let program = Bytes::abi_decode(&data[code.len()..]).expect("one bytes argument");
        let mut expected = vec![1u8, 0];
        expected.extend_from_slice(dgf.as_slice());
        expected.extend_from_slice(&[0, 36]);
        expected
            .extend_from_slice(&IDisputeGameFactory::gameImplsCall { gameType: 1 }.abi_encode());
        expected.extend_from_slice(&[1, 1, 0, 0, 0, 12, 0, 4]);
        expected.extend_from_slice(&IDisputeGame::vmCall {}.abi_encode());
        expected.extend_from_slice(&[1, 0]);
        expected.extend_from_slice(admin.as_slice());
        expected.extend_from_slice(&[0, 4]);
        expected.extend_from_slice(&ISemver::versionCall {}.abi_encode());
        assert_eq!(program.to_vec(), expected);

        let result = [1u8, 1, 0, 2, 0xaa, 0xbb, 2, 0, 0, 0, 0, 0, 3, 0, 0, 1, 0, 0];
        let outcomes = decode(&result, 5).expect("decodes");
        assert_eq!(
            outcomes,
            vec![
                Outcome::Data(Bytes::from_static(&[0xaa, 0xbb])),
                Outcome::Reverted(Bytes::new()),
                Outcome::NotRun,
                Outcome::Oversized,
                Outcome::Empty,
            ]
        );
    }

    #[test]
    fn malformed_lens_results_are_errors_not_panics() {
        for (bytes, steps) in [
            (&[][..], 0),
            (&[2u8][..], 0),
            (&[1u8, 1, 0][..], 1),
            (&[1u8, 1, 0, 5, 1][..], 1),
            (&[1u8, 9, 0, 0][..], 1),
            (&[1u8, 1, 0, 0, 7][..], 1),
        ] {
            assert!(decode(bytes, steps).is_err(), "{bytes:?}");
        }
    }
}

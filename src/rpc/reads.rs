//! One discovery step as data: the set of reads (contract calls, storage slots, code) that go out
//! together, typed handles to their results, and Multicall3 `aggregate3` encoding. No I/O here;
//! `transport` sends a [`ReadSet`] and hands back [`Results`].

use std::marker::PhantomData;

use alloy::primitives::{Address, Bytes, B256};
use alloy::sol_types::SolCall;

use super::abi::IMulticall3;
use super::error::{CallFailure, DiscoveryError, FailedCall};

/// Canonical Multicall3 address (same on every EVM chain that has it).
pub const MULTICALL3: Address =
    alloy::primitives::address!("cA11bde05977b3631167028862bE2a173976CA11");

/// What one read is about, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Label {
    /// Contract name, e.g. "SystemConfig".
    pub contract: &'static str,
    /// Contract address.
    pub address: Address,
    /// Getter with arguments (`gameImpls(1)`), storage slot name, or `code`.
    pub getter: String,
}

/// One read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Read {
    /// `eth_call` (or one `aggregate3` entry) with this calldata.
    Call { data: Bytes },
    /// `eth_getStorageAt` of one slot.
    Storage { slot: B256 },
    /// `eth_getCode`.
    Code,
}

/// The reads of one step.
#[derive(Debug, Default, Clone)]
pub(crate) struct ReadSet {
    pub(crate) entries: Vec<(Read, Label)>,
}

/// Typed handle to a call result.
#[derive(Debug)]
pub(crate) struct CallHandle<C> {
    idx: usize,
    _call: PhantomData<fn() -> C>,
}

/// Handle to a storage or code result.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawHandle {
    idx: usize,
}

impl ReadSet {
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Adds a getter call; its label is the Solidity signature, e.g. `version()`.
    pub(crate) fn call<C: SolCall>(
        &mut self,
        contract: &'static str,
        address: Address,
        call: C,
    ) -> CallHandle<C> {
        let getter = C::SIGNATURE.to_owned();
        self.call_labelled(contract, address, call, getter)
    }

    /// Adds a call with an explicit label (for calls with arguments: `gameImpls(1)`).
    pub(crate) fn call_labelled<C: SolCall>(
        &mut self,
        contract: &'static str,
        address: Address,
        call: C,
        getter: String,
    ) -> CallHandle<C> {
        let idx = self.push(
            Read::Call {
                data: call.abi_encode().into(),
            },
            Label {
                contract,
                address,
                getter,
            },
        );
        CallHandle {
            idx,
            _call: PhantomData,
        }
    }

    /// Adds an `eth_getStorageAt`.
    pub(crate) fn storage(
        &mut self,
        contract: &'static str,
        address: Address,
        slot: B256,
        name: &str,
    ) -> RawHandle {
        RawHandle {
            idx: self.push(
                Read::Storage { slot },
                Label {
                    contract,
                    address,
                    getter: format!("storage[{name}]"),
                },
            ),
        }
    }

    /// Adds an `eth_getCode`.
    pub(crate) fn code(&mut self, contract: &'static str, address: Address) -> RawHandle {
        RawHandle {
            idx: self.push(
                Read::Code,
                Label {
                    contract,
                    address,
                    getter: "code".to_owned(),
                },
            ),
        }
    }

    fn push(&mut self, read: Read, label: Label) -> usize {
        self.entries.push((read, label));
        self.entries.len() - 1
    }
}

/// The raw result of one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Returned data (call), slot value (storage) or code.
    Data(Bytes),
    /// A call that succeeded with no data, or empty code.
    Empty,
    /// A call that reverted, with its revert data.
    Reverted(Bytes),
}

impl Outcome {
    pub(crate) fn from_call_data(data: Bytes) -> Self {
        if data.is_empty() {
            Outcome::Empty
        } else {
            Outcome::Data(data)
        }
    }
}

/// A call that did not yield its value, with everything needed to say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallError {
    pub label: Label,
    pub block: u64,
    pub failure: CallFailure,
}

impl CallError {
    /// The error for a getter opctl cannot do without.
    pub(crate) fn required(self, version: Option<&str>) -> DiscoveryError {
        DiscoveryError::CallFailed(Box::new(FailedCall {
            contract: self.label.contract,
            getter: self.label.getter,
            address: self.label.address,
            block: self.block,
            failure: self.failure,
            version: version.map(str::to_owned),
        }))
    }
}

/// Results of one step, in [`ReadSet`] order.
#[derive(Debug, Clone)]
pub(crate) struct Results {
    pub(crate) outcomes: Vec<Outcome>,
    pub(crate) labels: Vec<Label>,
    pub(crate) block: u64,
}

impl Results {
    /// Decodes one call's return value.
    pub(crate) fn get<C: SolCall>(&self, handle: &CallHandle<C>) -> Result<C::Return, CallError> {
        let failure = match self.outcomes.get(handle.idx) {
            Some(Outcome::Data(data)) => match C::abi_decode_returns_validate(data) {
                Ok(value) => return Ok(value),
                Err(err) => CallFailure::Undecodable(short(&err.to_string())),
            },
            Some(Outcome::Empty) => CallFailure::Empty,
            Some(Outcome::Reverted(data)) => {
                CallFailure::Reverted(alloy::sol_types::decode_revert_reason(data))
            }
            None => CallFailure::Undecodable("no result for this read".to_owned()),
        };
        Err(self.error(handle.idx, failure))
    }

    /// The raw outcome of a storage or code read.
    pub(crate) fn raw(&self, handle: RawHandle) -> &Outcome {
        self.outcomes.get(handle.idx).unwrap_or(&Outcome::Empty)
    }

    fn error(&self, idx: usize, failure: CallFailure) -> CallError {
        let label = self.labels.get(idx).cloned().unwrap_or(Label {
            contract: "?",
            address: Address::ZERO,
            getter: "?".to_owned(),
        });
        CallError {
            label,
            block: self.block,
            failure,
        }
    }
}

/// `aggregate3` calldata for `calls` (all with `allowFailure = true`).
pub(crate) fn aggregate3_calldata(calls: &[(Address, Bytes)]) -> Bytes {
    let calls = calls
        .iter()
        .map(|(target, data)| IMulticall3::Call3 {
            target: *target,
            allowFailure: true,
            callData: data.clone(),
        })
        .collect();
    IMulticall3::aggregate3Call { calls }.abi_encode().into()
}

/// Splits an `aggregate3` result into per-call outcomes; `expected` is the number of calls.
pub(crate) fn decode_aggregate3(data: &[u8], expected: usize) -> Result<Vec<Outcome>, String> {
    let results = IMulticall3::aggregate3Call::abi_decode_returns_validate(data).map_err(|e| {
        format!(
            "Multicall3.aggregate3 result does not decode: {}",
            short(&e.to_string())
        )
    })?;
    if results.len() != expected {
        return Err(format!(
            "Multicall3.aggregate3 returned {} results for {expected} calls",
            results.len()
        ));
    }
    Ok(results
        .into_iter()
        .map(|r| {
            if r.success {
                Outcome::from_call_data(r.returnData)
            } else {
                Outcome::Reverted(r.returnData)
            }
        })
        .collect())
}

/// Shortens a library message for an error line.
pub(crate) fn short(text: &str) -> String {
    const MAX: usize = 160;
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > MAX {
        let cut: String = line.chars().take(MAX).collect();
        format!("{cut}...")
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::abi::{IDisputeGameFactory, ISemver};
    use alloy::sol_types::SolValue;

    #[test]
    fn aggregate3_round_trips_successes_reverts_and_empty_returns() {
        let a = Address::repeat_byte(0x11);
        let calldata = aggregate3_calldata(&[(a, Bytes::from_static(&[1, 2, 3, 4]))]);
        let decoded = IMulticall3::aggregate3Call::abi_decode_validate(&calldata).expect("decodes");
        assert_eq!(decoded.calls.len(), 1);
        assert!(decoded.calls[0].allowFailure);
        assert_eq!(decoded.calls[0].target, a);

        let results = vec![
            IMulticall3::Result {
                success: true,
                returnData: "2.3.0".to_string().abi_encode().into(),
            },
            IMulticall3::Result {
                success: false,
                returnData: Bytes::new(),
            },
            IMulticall3::Result {
                success: true,
                returnData: Bytes::new(),
            },
        ];
        let encoded = results.abi_encode();
        let outcomes = decode_aggregate3(&encoded, 3).expect("decodes");
        assert!(matches!(outcomes[0], Outcome::Data(_)));
        assert_eq!(outcomes[1], Outcome::Reverted(Bytes::new()));
        assert_eq!(outcomes[2], Outcome::Empty);
        assert!(decode_aggregate3(&encoded, 2).is_err());
        assert!(decode_aggregate3(b"garbage", 1).is_err());
    }

    #[test]
    fn results_decode_typed_values_and_explain_failures() {
        let mut set = ReadSet::default();
        let sc = Address::repeat_byte(0x22);
        let version = set.call("SystemConfig", sc, ISemver::versionCall {});
        let impls = set.call_labelled(
            "DisputeGameFactory",
            sc,
            IDisputeGameFactory::gameImplsCall { gameType: 1 },
            "gameImpls(1)".to_owned(),
        );
        let labels = set.entries.iter().map(|(_, l)| l.clone()).collect();
        let results = Results {
            outcomes: vec![
                Outcome::Data("3.14.2".to_string().abi_encode().into()),
                Outcome::Data(Bytes::from_static(b"\x01\x02")),
            ],
            labels,
            block: 7,
        };
        assert_eq!(results.get(&version).expect("a string"), "3.14.2");
        let err = results
            .get(&impls)
            .expect_err("two bytes are not an address");
        assert_eq!(err.label.getter, "gameImpls(1)");
        assert_eq!(err.block, 7);
        assert!(matches!(err.failure, CallFailure::Undecodable(_)));
        let message = err.required(Some("1.0.0")).to_string();
        assert!(
            message.contains("DisputeGameFactory.gameImpls(1)"),
            "{message}"
        );
        assert!(message.contains("block 7"), "{message}");
    }
}

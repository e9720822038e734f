//! Discovery's reads as data: the set of reads (contract calls, storage slots, code) that go out
//! together, where each call's target comes from (a literal address, or an address inside an
//! earlier read's result), and typed handles to their results. No I/O here; `transport` sends a
//! [`ReadSet`] (in one lens `eth_call`, or level by level as JSON-RPC batches) and hands back
//! [`Results`].

use std::marker::PhantomData;

use alloy::primitives::{Address, Bytes, B256};
use alloy::sol_types::SolCall;

use super::error::{CallFailure, DiscoveryError, FailedCall};

/// What one read is about, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Label {
    /// Contract name, e.g. "SystemConfig".
    pub contract: &'static str,
    /// Contract address (for a call whose target comes from an earlier read: zero in the
    /// [`ReadSet`], the resolved address in [`Results`]).
    pub address: Address,
    /// Getter with arguments (`gameImpls(1)`), storage slot name, or `code`.
    pub getter: String,
}

/// One read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Read {
    /// `eth_call` (or one lens step) with this calldata, to the first target candidate that
    /// yields a non-zero address.
    Call {
        /// Calldata.
        data: Bytes,
        /// Where the target address comes from, in order of preference.
        targets: Vec<Target>,
    },
    /// `eth_getStorageAt` of one slot.
    Storage { slot: B256 },
    /// `eth_getCode`.
    Code,
}

/// Where a call's target address comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// This address.
    Literal(Address),
    /// The 20 bytes at `offset` of the result of read `read` (an earlier read of the same set),
    /// if that read succeeded, returned at least `offset + 20` bytes and they are not zero.
    Ref { read: usize, offset: usize },
}

/// The address `targets` resolve to, given the outcomes of the reads they refer to (`None` for
/// reads without an outcome yet). The lens contract applies exactly this rule on-chain.
pub(crate) fn resolve_target(targets: &[Target], outcomes: &[Option<&Outcome>]) -> Option<Address> {
    targets.iter().find_map(|t| {
        let a = match *t {
            Target::Literal(a) => a,
            Target::Ref { read, offset } => match outcomes.get(read).copied().flatten() {
                Some(Outcome::Data(d)) if d.len() >= offset + 20 => {
                    Address::from_slice(&d[offset..offset + 20])
                }
                _ => return None,
            },
        };
        (a != Address::ZERO).then_some(a)
    })
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

impl<C> CallHandle<C> {
    /// The address in ABI word `word` of this call's result (word 0 of a getter returning an
    /// address), as a target of a later call.
    pub(crate) fn address_word(&self, word: usize) -> Target {
        Target::Ref {
            read: self.idx,
            offset: 32 * word + 12,
        }
    }

    /// The address at `offset` of the `bytes` this call returns (ABI: offset, length, data).
    pub(crate) fn address_in_bytes(&self, offset: usize) -> Target {
        Target::Ref {
            read: self.idx,
            offset: 64 + offset,
        }
    }
}

/// Handle to a storage or code result.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawHandle {
    idx: usize,
}

impl RawHandle {
    /// The address in this storage slot's low 20 bytes, as a target of a later call.
    pub(crate) fn address(&self) -> Target {
        Target::Ref {
            read: self.idx,
            offset: 12,
        }
    }
}

impl ReadSet {
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
        self.call_via(contract, vec![Target::Literal(address)], call, getter)
    }

    /// Adds a call whose target is the first of `targets` that yields an address; `getter` as
    /// for [`ReadSet::call_labelled`].
    pub(crate) fn call_via<C: SolCall>(
        &mut self,
        contract: &'static str,
        targets: Vec<Target>,
        call: C,
        getter: String,
    ) -> CallHandle<C> {
        let address = match targets.as_slice() {
            [Target::Literal(a)] => *a,
            _ => Address::ZERO,
        };
        let idx = self.push(
            Read::Call {
                data: call.abi_encode().into(),
                targets,
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

    /// Adds a getter call (labelled with its signature) whose target comes from `targets`.
    pub(crate) fn getter_via<C: SolCall>(
        &mut self,
        contract: &'static str,
        targets: Vec<Target>,
        call: C,
    ) -> CallHandle<C> {
        self.call_via(contract, targets, call, C::SIGNATURE.to_owned())
    }

    /// The dependency depth of each read: 0 when its target is literal (storage and code reads
    /// always are), else one more than the deepest read it refers to. Reads of one depth can go
    /// out together once every shallower read has answered.
    pub(crate) fn depths(&self) -> Vec<usize> {
        let mut depths: Vec<usize> = Vec::with_capacity(self.entries.len());
        for (read, _) in &self.entries {
            let depth = match read {
                Read::Call { targets, .. } => targets
                    .iter()
                    .filter_map(|t| match *t {
                        Target::Ref { read, .. } => Some(depths.get(read).map_or(0, |d| d + 1)),
                        Target::Literal(_) => None,
                    })
                    .max()
                    .unwrap_or(0),
                _ => 0,
            };
            depths.push(depth);
        }
        depths
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
    /// A call that was not made: none of its target candidates yielded an address.
    NotRun,
    /// A call that returned more data than the lens keeps (no getter discovery reads does).
    Oversized,
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
            Some(Outcome::NotRun) => CallFailure::NoAddress,
            Some(Outcome::Oversized) => CallFailure::Undecodable(format!(
                "more than {} bytes of return data",
                super::lens::MAX_RETURN
            )),
            None => CallFailure::Undecodable("no result for this read".to_owned()),
        };
        Err(self.error(handle.idx, failure))
    }

    /// The address a call went to (zero when it was not made).
    pub(crate) fn address_of<C>(&self, handle: &CallHandle<C>) -> Address {
        self.labels
            .get(handle.idx)
            .map_or(Address::ZERO, |l| l.address)
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

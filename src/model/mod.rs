//! The pure core's shared values: object references and kinds, the discovered-contracts model,
//! the named check decisions, and the supported Kubernetes releases. No I/O; the edges (`rpc`,
//! `cluster`) depend on it, never the reverse.

pub mod checks;
pub mod discovery;
pub mod forks;
pub mod games;
pub mod key_format;
pub mod lease;
pub mod object;
pub mod preflight;
pub mod releases;
pub mod version;

//! opctl's single integration-test binary: one crate, one module per area, so the dependency
//! tree is linked once (the style guide's "one integration test binary").
//!
//! Tests here talk to real peers started on loopback (see `support`); provision them with
//! `scripts/provision` (the test command `scripts/test` does it first).

mod support;

mod cli;
mod discover_cli;
mod discovery;
mod generated_files;
mod genesis_delivery;
mod harness_cluster;
mod invalid_configs;
mod plan_apply;
mod preflight;
mod registry_networks;
mod releases;
mod render_examples;
mod rollouts;
mod status;
mod watch;

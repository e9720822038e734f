//! The readers of rollup.json and genesis.json on arbitrary text: validation (JSON syntax, chain ids
//! and the SystemConfig compared with the TOML, the ConfigMap budget) and the facts `resolve` takes
//! from rollup.json (the SystemConfig anchor, the `rollup-config` check) must never panic. Each
//! input is tried as rollup.json and as genesis.json of the devnet example.

#![no_main]

use std::io;
use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use opctl::config::{diag::SourceMap, validate, LoadedChain};

const PATH: &str = "examples/devnet.toml";
const TOML: &str = include_str!("../../examples/devnet.toml");
const ROLLUP: &str = include_str!("../../examples/devnet/rollup.json");
const GENESIS: &str = include_str!("../../examples/devnet/genesis.json");

fn devnet() -> &'static LoadedChain {
    static CHAIN: OnceLock<LoadedChain> = OnceLock::new();
    CHAIN.get_or_init(|| {
        let mut read = |p: &Path| -> io::Result<String> {
            match p.file_name().and_then(|n| n.to_str()) {
                Some("rollup.json") => Ok(ROLLUP.to_string()),
                Some("genesis.json") => Ok(GENESIS.to_string()),
                _ => Err(io::ErrorKind::NotFound.into()),
            }
        };
        opctl::config::load_with(Path::new(PATH), TOML, &mut read)
            .expect("the devnet example loads")
    })
}

fn validate(chain: &LoadedChain, map: &SourceMap<'_>) {
    for d in validate::validate(chain, map) {
        let _ = d.to_string();
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let map = SourceMap::new(Path::new(PATH), TOML);
    let mut chain = devnet().clone();
    chain.rollup_json = Some(text.to_string());
    validate(&chain, &map);
    let _ = opctl::resolve::rollup_facts(&chain);
    // Without `contracts.system_config` the anchor comes from rollup.json.
    chain.file.contracts.system_config = None;
    let _ = opctl::resolve::system_config(&chain);
    chain.rollup_json = Some(ROLLUP.to_string());
    chain.genesis_json = Some(text.to_string());
    validate(&chain, &map);
});

//! The chain-file loader on arbitrary text: TOML parsing, the secret scan, validation and the error
//! text must never panic. Named files (rollup.json, genesis.json) resolve to the devnet samples so
//! the checks that compare them with the TOML run too; every other read is "not found".

#![no_main]

use std::io;
use std::path::Path;

use libfuzzer_sys::fuzz_target;

const ROLLUP: &str = include_str!("../../examples/devnet/rollup.json");
const GENESIS: &str = include_str!("../../examples/devnet/genesis.json");

fn read(path: &Path) -> io::Result<String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with("rollup.json") {
        Ok(ROLLUP.to_string())
    } else if name.ends_with("genesis.json") {
        Ok(GENESIS.to_string())
    } else {
        Err(io::ErrorKind::NotFound.into())
    }
}

fuzz_target!(|data: &[u8]| {
    // `config::load` reads the file as UTF-8, so other bytes never reach the parser.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match opctl::config::load_with(Path::new("chains/fuzz.toml"), text, &mut read) {
        Ok(chain) => {
            let _ = chain.namespace();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});

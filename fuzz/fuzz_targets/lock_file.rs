//! The lock-file reader on arbitrary text. Besides never panicking, a lock it accepts must survive
//! what opctl does with one: write it back (and read the same lock), diff it, match it.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use opctl::lock::Lock;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("chains/fuzz.lock");
    let lock = match Lock::parse(text, path) {
        Ok(lock) => lock,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let written = lock.to_toml().expect("an accepted lock serialises");
    let back = Lock::parse(&written, path).expect("a written lock reads back");
    assert_eq!(back, lock, "the lock changed through its file:\n{written}");
    assert!(Lock::diff(&lock, &back).is_empty());
    assert_eq!(
        lock.check_matches(
            &lock.lock.chain,
            lock.lock.l2_chain_id,
            lock.discovery.system_config
        ),
        Ok(())
    );
});

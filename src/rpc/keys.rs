//! Signer key handling for the role checks: derive the address of a hex private key. Only the
//! address ever leaves this module; no error or log line contains any part of the key.

use alloy::primitives::{Address, B256};
use alloy::signers::local::PrivateKeySigner;

/// Why a private key was rejected. Deliberately carries no part of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Nothing but whitespace.
    #[error("the private key is empty")]
    Empty,
    /// Characters other than hex digits (after an optional `0x`).
    #[error("the private key is not hex (expected 64 hex digits, optionally prefixed with 0x)")]
    NotHex,
    /// Wrong number of hex digits.
    #[error("the private key has {digits} hex digits; a secp256k1 private key has 64")]
    WrongLength {
        /// Hex digits found.
        digits: usize,
    },
    /// 32 bytes, but zero or not below the curve order.
    #[error("the private key is not a valid secp256k1 key (zero or out of range)")]
    OutOfRange,
}

/// The Ethereum address of a hex-encoded secp256k1 private key (`0x` prefix and surrounding
/// whitespace, e.g. a trailing newline from a file or Secret, are accepted).
pub fn address_from_private_key_hex(text: &str) -> Result<Address, KeyError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(KeyError::Empty);
    }
    let digits = trimmed
        .strip_prefix("0x")
        .or_else(|| trimmed.strip_prefix("0X"))
        .unwrap_or(trimmed);
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(KeyError::NotHex);
    }
    if digits.len() != 64 {
        return Err(KeyError::WrongLength {
            digits: digits.len(),
        });
    }
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(digits, &mut bytes).map_err(|_| KeyError::NotHex)?;
    let mut secret = B256::from(bytes);
    let result = PrivateKeySigner::from_bytes(&secret)
        .map(|signer| signer.address())
        .map_err(|_| KeyError::OutOfRange);
    wipe(&mut bytes);
    wipe(&mut secret.0);
    result
}

/// Overwrites key material with zeros in a way the optimiser keeps.
fn wipe(buf: &mut [u8; 32]) {
    for b in buf.iter_mut() {
        // SAFETY: `b` is a valid, aligned, exclusive reference into `buf`.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_key_hex() -> (String, Address) {
        let signer = PrivateKeySigner::random();
        (hex::encode(signer.to_bytes()), signer.address())
    }

    #[test]
    fn the_address_of_a_key_matches_its_signer() {
        let (key, address) = random_key_hex();
        assert_eq!(address_from_private_key_hex(&key), Ok(address));
        assert_eq!(
            address_from_private_key_hex(&format!("0x{key}\n")),
            Ok(address)
        );
        assert_eq!(
            address_from_private_key_hex(&format!("  0X{}  ", key.to_uppercase())),
            Ok(address)
        );
    }

    #[test]
    fn bad_keys_are_rejected_without_echoing_them() {
        let (key, _) = random_key_hex();
        let cases = [
            (String::new(), KeyError::Empty),
            (format!("{}zz", &key[..62]), KeyError::NotHex),
            (key[..40].to_owned(), KeyError::WrongLength { digits: 40 }),
            (format!("{key}00"), KeyError::WrongLength { digits: 66 }),
            ("0".repeat(64), KeyError::OutOfRange),
            ("f".repeat(64), KeyError::OutOfRange),
        ];
        for (input, expected) in cases {
            let err = address_from_private_key_hex(&input).expect_err("must be rejected");
            assert_eq!(err, expected);
            let message = err.to_string();
            if input.len() >= 8 {
                assert!(!message.contains(&input[..8]), "key text leaked: {message}");
            }
            assert!(
                !format!("{err:?}").contains(&key[..16]),
                "key text leaked in Debug"
            );
        }
    }
}

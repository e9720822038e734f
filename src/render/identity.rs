//! Public identities derived from generated keys: the libp2p peer ID of an op-node p2p key, and the
//! devp2p node ID (the `enode://<id>@…` part) of an execution client's node key.
//!
//! Replicas need the sequencer's peer ID for `--p2p.static`, but the key behind it is generated at
//! apply time. opctl therefore treats the peer ID like a discovered address: apply creates the key
//! Secret first, derives the (public) peer ID from it, and renders the replicas with it.

use alloy::signers::k256::ecdsa::SigningKey;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the p2p identity key is not 32 bytes of hex")]
    NotHex,
    #[error("the p2p identity key is not a valid secp256k1 scalar")]
    InvalidKey,
}

/// libp2p peer ID (base58btc, identity multihash of the protobuf-encoded compressed secp256k1 public
/// key) of an op-node p2p private key given as hex. The error never contains the key.
pub fn peer_id_from_private_key_hex(key_hex: &str) -> Result<String, IdentityError> {
    let public = signing_key(key_hex)?.verifying_key().to_encoded_point(true);
    Ok(peer_id_from_compressed_public_key(public.as_bytes()))
}

/// devp2p node ID of an execution client's node key given as hex (op-reth `--p2p-secret-key`, op-geth
/// `--nodekey`): the 64-byte uncompressed public key without its `04` prefix, as 128 hex
/// characters. The error never contains the key.
pub fn enode_id_from_private_key_hex(key_hex: &str) -> Result<String, IdentityError> {
    let public = signing_key(key_hex)?
        .verifying_key()
        .to_encoded_point(false);
    Ok(hex::encode(&public.as_bytes()[1..]))
}

/// A secp256k1 private key from 32 bytes of hex (`0x` optional, surrounding whitespace ignored).
fn signing_key(key_hex: &str) -> Result<SigningKey, IdentityError> {
    let trimmed = key_hex.trim();
    let bytes = hex::decode(trimmed.strip_prefix("0x").unwrap_or(trimmed))
        .map_err(|_| IdentityError::NotHex)?;
    if bytes.len() != 32 {
        return Err(IdentityError::NotHex);
    }
    SigningKey::from_slice(&bytes).map_err(|_| IdentityError::InvalidKey)
}

/// Peer ID of a 33-byte compressed secp256k1 public key.
pub fn peer_id_from_compressed_public_key(public: &[u8]) -> String {
    // PublicKey protobuf: field 1 (KeyType) = 2 (Secp256k1), field 2 (Data) = the key bytes.
    let mut proto = vec![0x08, 0x02, 0x12, public.len() as u8];
    proto.extend_from_slice(public);
    // Keys of at most 42 bytes are embedded with the identity multihash (code 0x00).
    let mut multihash = vec![0x00, proto.len() as u8];
    multihash.extend_from_slice(&proto);
    base58btc(&multihash)
}

fn base58btc(input: &[u8]) -> String {
    const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let zeros = input.iter().take_while(|b| **b == 0).count();
    let mut digits: Vec<u8> = Vec::new();
    for &byte in input {
        let mut carry = byte as u32;
        for d in digits.iter_mut() {
            carry += (*d as u32) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out = String::with_capacity(zeros + digits.len());
    out.extend(std::iter::repeat_n('1', zeros));
    out.extend(digits.iter().rev().map(|d| ALPHABET[*d as usize] as char));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base58_matches_the_bitcoin_alphabet_reference_values() {
        assert_eq!(base58btc(b"hello world"), "StV1DL6CwTryKyV");
        assert_eq!(base58btc(&[0, 0, 1]), "112");
        assert_eq!(base58btc(&[]), "");
    }

    #[test]
    fn secp256k1_peer_ids_have_the_libp2p_prefix_and_are_stable() {
        // Scalar 1: its public key is the curve generator G, a published constant.
        let key = format!("{:064x}", 1);
        let id = peer_id_from_private_key_hex(&key).expect("valid key");
        assert!(id.starts_with("16Uiu2HAm"), "{id}");
        assert_eq!(
            id,
            peer_id_from_private_key_hex(&format!("0x{key}")).expect("valid key")
        );
        let g = hex::decode("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
            .expect("hex");
        assert_eq!(id, peer_id_from_compressed_public_key(&g));
    }

    #[test]
    fn enode_ids_are_the_uncompressed_public_key_without_its_prefix() {
        // Scalar 1: the public key is the generator G (SEC 2, secp256k1 uncompressed form).
        let id = enode_id_from_private_key_hex(&format!("0x{:064x}", 1)).expect("valid key");
        assert_eq!(
            id,
            "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798\
             483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
        );
        assert_eq!(
            enode_id_from_private_key_hex("zz"),
            Err(IdentityError::NotHex)
        );
    }

    #[test]
    fn bad_keys_are_errors_that_do_not_echo_the_key() {
        let err = peer_id_from_private_key_hex("0xzz").unwrap_err();
        assert!(!err.to_string().contains("zz"));
        assert_eq!(
            peer_id_from_private_key_hex(&"00".repeat(32)),
            Err(IdentityError::InvalidKey)
        );
    }
}

//! The L2 genesis as it travels to the pods: gzip-compressed once at load time and split into
//! parts that each fit a ConfigMap's `binaryData` (a real op-deployer genesis is ~9.4 MB and grows
//! with predeploys; a ConfigMap holds at most 1 MiB). The pods reassemble and verify it (see
//! `render::genesis`). Pure: bytes in, bytes out.

use std::io::Write;

use sha2::{Digest, Sha256};

/// Bytes of compressed genesis per ConfigMap part: under the 1 MiB ConfigMap limit with room for
/// metadata and the request's base64 encoding (the apiserver's 3 MiB body limit).
pub const PART_BYTES: usize = 768 * 1024;
/// At most this many parts: 96 MiB of compressed genesis, several times what real chains carry.
pub const MAX_PARTS: usize = 128;

/// genesis.json compressed for delivery, with the digest the pods verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedGenesis {
    /// gzip of genesis.json, deterministic (no name, mtime 0), so equal files render equally.
    pub gz: Vec<u8>,
    /// SHA-256 of genesis.json itself (hex), checked by the pod after reassembly.
    pub sha256: String,
    /// Size of genesis.json in bytes.
    pub size: usize,
}

impl PackedGenesis {
    /// Compresses `json` (the file's exact bytes).
    pub fn pack(json: &[u8]) -> PackedGenesis {
        let mut encoder = flate2::GzBuilder::new().mtime(0).write(
            Vec::with_capacity(json.len() / 4),
            flate2::Compression::new(6),
        );
        // Writing into a Vec cannot fail.
        let _ = encoder.write_all(json);
        let gz = encoder.finish().unwrap_or_default();
        PackedGenesis {
            gz,
            sha256: hex::encode(Sha256::digest(json)),
            size: json.len(),
        }
    }

    /// The compressed bytes cut into parts of at most [`PART_BYTES`], in order.
    pub fn parts(&self) -> Vec<&[u8]> {
        self.gz.chunks(PART_BYTES).collect()
    }

    /// Whether it fits in [`MAX_PARTS`] ConfigMaps.
    pub fn fits(&self) -> bool {
        self.parts().len() <= MAX_PARTS
    }
}

/// Reassembles parts the way the pods' init step does (concatenate, gunzip, verify the digest):
/// the reference the tests compare that step against.
pub fn unpack(parts: &[Vec<u8>], sha256: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let gz: Vec<u8> = parts.concat();
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut json)
        .map_err(|e| format!("the genesis parts do not decompress: {e}"))?;
    let got = hex::encode(Sha256::digest(&json));
    if got != sha256 {
        return Err(format!(
            "reassembled genesis has SHA-256 {got}, expected {sha256}"
        ));
    }
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_is_deterministic_and_round_trips_across_parts() {
        // Incompressible enough to need several parts.
        let mut json = b"{\"alloc\":{".to_vec();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..60_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            json.extend_from_slice(
                format!("\"{i:040x}\":{{\"balance\":\"0x{x:016x}{x:016x}\"}},").as_bytes(),
            );
        }
        json.extend_from_slice(b"\"end\":{}}}");
        let a = PackedGenesis::pack(&json);
        let b = PackedGenesis::pack(&json);
        assert_eq!(a, b, "same file, same bytes");
        assert!(a.parts().len() > 1, "{} bytes compressed", a.gz.len());
        assert!(a.parts().iter().all(|p| p.len() <= PART_BYTES));
        let parts: Vec<Vec<u8>> = a.parts().into_iter().map(<[u8]>::to_vec).collect();
        assert_eq!(unpack(&parts, &a.sha256).expect("round trip"), json);
        assert_eq!(a.size, json.len());
    }

    #[test]
    fn a_missing_or_reordered_part_is_refused() {
        let json = vec![b'7'; 10];
        let p = PackedGenesis::pack(&json);
        let parts = vec![p.gz.clone()];
        assert!(unpack(&parts, &"0".repeat(64)).is_err(), "wrong digest");
        let cut = vec![p.gz[..p.gz.len() - 4].to_vec()];
        assert!(unpack(&cut, &p.sha256).is_err(), "truncated");
    }
}

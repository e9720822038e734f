//! The `key-format` check: is a private key stored in a Secret in the exact form op-node,
//! op-batcher, op-proposer and op-challenger parse? Pure; the caller reads the Secret, classifies
//! the bytes here and drops them. Nothing in this module keeps or prints any part of a key.
//!
//! The components read the key from an env var (`secretKeyRef`) and parse it with
//! `crypto.HexToECDSA(strings.TrimPrefix(key, "0x"))`, without trimming whitespace:
//! optimism `op-node/p2p/cli/load_signer.go` (`--p2p.sequencer.key`) and
//! `op-service/crypto/signature.go` (`SignerFactoryFromConfig`, the services' `--private-key`).
//! So both `0x`-prefixed and bare hex are accepted; `0X`, `0x0x`, whitespace (a newline from
//! `kubectl create secret --from-file`), any length but 64 digits, zero and values not below the
//! secp256k1 order are not (go-ethereum `crypto.ToECDSA` checks length and range).

use std::fmt;

use serde::Serialize;

/// Why a stored key would not parse. Carries no part of the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyDefect {
    /// No bytes at all.
    Empty,
    /// Ends with a newline (`\n` or `\r\n`), e.g. stored with `--from-file`.
    TrailingNewline,
    /// Other whitespace before or after the digits.
    Whitespace,
    /// `0X` instead of `0x`: only the lowercase prefix is stripped.
    UppercasePrefix,
    /// `0x` twice: one is stripped, the second is not hex.
    DoublePrefix,
    /// Characters other than hex digits.
    NotHex,
    /// Not 64 hex digits.
    WrongLength {
        /// Hex digits found (after one `0x`).
        digits: usize,
    },
    /// 64 hex zeros: not a private key.
    Zero,
    /// Not below the secp256k1 group order.
    OutOfRange,
}

impl fmt::Display for KeyDefect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyDefect::Empty => f.write_str("is empty"),
            KeyDefect::TrailingNewline => f.write_str("ends with a newline"),
            KeyDefect::Whitespace => f.write_str("has whitespace before or after the hex digits"),
            KeyDefect::UppercasePrefix => f.write_str("starts with 0X (only 0x is accepted)"),
            KeyDefect::DoublePrefix => f.write_str("starts with 0x twice"),
            KeyDefect::NotHex => f.write_str("has characters that are not hex digits"),
            KeyDefect::WrongLength { digits } => {
                write!(f, "has {digits} hex digits; a secp256k1 private key has 64")
            }
            KeyDefect::Zero => f.write_str("is zero, not a private key"),
            KeyDefect::OutOfRange => {
                f.write_str("is not below the secp256k1 group order, not a private key")
            }
        }
    }
}

impl KeyDefect {
    /// Whether stripping whitespace from the stored value is the whole fix.
    pub fn is_whitespace(self) -> bool {
        matches!(self, KeyDefect::TrailingNewline | KeyDefect::Whitespace)
    }
}

/// The secp256k1 group order n, big-endian.
const SECP256K1_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// Classify a stored key value exactly as the components will see it (no trimming).
pub fn classify_key(raw: &[u8]) -> Result<(), KeyDefect> {
    if raw.is_empty() {
        return Err(KeyDefect::Empty);
    }
    if raw.ends_with(b"\n") {
        return Err(KeyDefect::TrailingNewline);
    }
    if raw.first().is_some_and(u8::is_ascii_whitespace)
        || raw.last().is_some_and(u8::is_ascii_whitespace)
    {
        return Err(KeyDefect::Whitespace);
    }
    if raw.starts_with(b"0X") {
        return Err(KeyDefect::UppercasePrefix);
    }
    let digits = raw.strip_prefix(b"0x").unwrap_or(raw);
    if digits.starts_with(b"0x") || digits.starts_with(b"0X") {
        return Err(KeyDefect::DoublePrefix);
    }
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(KeyDefect::NotHex);
    }
    if digits.len() != 64 {
        return Err(KeyDefect::WrongLength {
            digits: digits.len(),
        });
    }
    let mut scalar = [0u8; 32];
    let decoded = hex::decode_to_slice(digits, &mut scalar).map_err(|_| KeyDefect::NotHex);
    let verdict = decoded.and_then(|()| {
        if scalar == [0u8; 32] {
            Err(KeyDefect::Zero)
        } else if scalar >= SECP256K1_ORDER {
            Err(KeyDefect::OutOfRange)
        } else {
            Ok(())
        }
    });
    for b in scalar.iter_mut() {
        // SAFETY: `b` is a valid, aligned, exclusive reference into `scalar`.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
    verdict
}

/// What reading one referenced key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFinding {
    /// The Secret or the key inside it does not exist (not this check's business).
    Missing,
    /// In the accepted form.
    Clean,
    /// Would not parse.
    Defect(KeyDefect),
}

/// One signer key referenced from a Secret, with what was found. Names only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// `sequencer`, `batcher`, `proposer` or `challenger`.
    pub role: &'static str,
    /// Namespace of the Secret.
    pub namespace: String,
    /// Secret name.
    pub secret: String,
    /// Key inside the Secret.
    pub key: String,
    /// What the stored value looks like.
    pub finding: KeyFinding,
}

impl StoredKey {
    /// The component that parses this key at start.
    pub fn component(&self) -> &'static str {
        match self.role {
            "sequencer" => "op-node",
            "batcher" => "op-batcher",
            "proposer" => "op-proposer",
            "challenger" => "op-challenger",
            _ => "the component",
        }
    }

    /// The command that stores the key again without whitespace (the key file is the
    /// operator's; the value never appears here).
    pub fn fix_command(&self) -> String {
        format!(
            "kubectl -n {ns} create secret generic {name} --from-literal={key}=\"$(tr -d '[:space:]' < {role}.key)\" --dry-run=client -o yaml | kubectl apply -f -",
            ns = self.namespace,
            name = self.secret,
            key = self.key,
            role = self.role,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed, valid key (the secp256k1 order minus one is the largest valid scalar).
    const CLEAN: &str = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

    #[test]
    fn each_defect_is_named_and_clean_keys_pass() {
        let max = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140";
        let order = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
        let cases: Vec<(String, Result<(), KeyDefect>)> = vec![
            (CLEAN.into(), Ok(())),
            (format!("0x{CLEAN}"), Ok(())),
            (CLEAN.to_uppercase(), Ok(())),
            (max.into(), Ok(())),
            (String::new(), Err(KeyDefect::Empty)),
            (format!("{CLEAN}\n"), Err(KeyDefect::TrailingNewline)),
            (format!("0x{CLEAN}\r\n"), Err(KeyDefect::TrailingNewline)),
            (format!(" {CLEAN}"), Err(KeyDefect::Whitespace)),
            (format!("{CLEAN}\t"), Err(KeyDefect::Whitespace)),
            (format!("0X{CLEAN}"), Err(KeyDefect::UppercasePrefix)),
            (format!("0x0x{CLEAN}"), Err(KeyDefect::DoublePrefix)),
            (format!("{}zz", &CLEAN[..62]), Err(KeyDefect::NotHex)),
            (
                format!("{} {}", &CLEAN[..32], &CLEAN[32..]),
                Err(KeyDefect::NotHex),
            ),
            (
                CLEAN[..62].to_string(),
                Err(KeyDefect::WrongLength { digits: 62 }),
            ),
            (
                format!("0x{CLEAN}00"),
                Err(KeyDefect::WrongLength { digits: 66 }),
            ),
            ("0".repeat(64), Err(KeyDefect::Zero)),
            (order.into(), Err(KeyDefect::OutOfRange)),
            ("f".repeat(64), Err(KeyDefect::OutOfRange)),
        ];
        for (input, expected) in cases {
            assert_eq!(
                classify_key(input.as_bytes()),
                expected,
                "input of {} bytes",
                input.len()
            );
        }
    }

    #[test]
    fn defect_messages_carry_no_key_material() {
        let defects = [
            classify_key(format!("{CLEAN}\n").as_bytes()),
            classify_key(format!("0x0x{CLEAN}").as_bytes()),
            classify_key(&CLEAN.as_bytes()[..40]),
        ];
        for d in defects {
            let d = d.expect_err("a defect");
            for text in [d.to_string(), format!("{d:?}")] {
                assert!(!text.contains(&CLEAN[..8]), "{text}");
            }
        }
    }

    #[test]
    fn the_fix_command_names_the_secret_and_key_only() {
        let k = StoredKey {
            role: "batcher",
            namespace: "op".into(),
            secret: "signers".into(),
            key: "batcher".into(),
            finding: KeyFinding::Defect(KeyDefect::TrailingNewline),
        };
        assert_eq!(
            k.fix_command(),
            "kubectl -n op create secret generic signers --from-literal=batcher=\"$(tr -d '[:space:]' < batcher.key)\" --dry-run=client -o yaml | kubectl apply -f -"
        );
        assert_eq!(k.component(), "op-batcher");
    }
}

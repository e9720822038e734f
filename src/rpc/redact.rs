//! RPC URL redaction: what may be printed of an L1 RPC URL, and scrubbing its secret parts out of
//! any text (error bodies, library messages) before that text reaches a user.
//!
//! RPC providers put credentials in three places: userinfo (`https://user:pass@host`), the query
//! string (`?apikey=...`) and path tokens (`/v2/<key>`, `/<64 hex>`). All three are replaced by
//! `***`; scheme, host, port and short path segments such as `v2` or `rpc` stay, so an operator
//! can still tell which endpoint failed.

use alloy::transports::http::reqwest::Url;

/// Placeholder for a redacted part.
const MASK: &str = "***";

/// The printable form of an RPC URL: userinfo, query string, fragment and token-like path
/// segments replaced by `***`. A string that does not parse as a URL is replaced entirely, since
/// any part of it could be a secret.
///
/// ```
/// use opctl::rpc::redact_url;
/// assert_eq!(
///     redact_url("https://eth-mainnet.g.alchemy.com/v2/AbCdEf0123456789AbCdEf0123456789"),
///     "https://eth-mainnet.g.alchemy.com/v2/***"
/// );
/// assert_eq!(redact_url("http://user:pw@127.0.0.1:8545/?key=1"), "http://***@127.0.0.1:8545/?***");
/// ```
pub fn redact_url(url: &str) -> String {
    let Ok(parsed) = Url::parse(url.trim()) else {
        return "<unparseable URL, not shown>".to_owned();
    };
    let Some(host) = parsed.host_str() else {
        return format!("{}:{MASK}", parsed.scheme());
    };
    let mut out = format!("{}://", parsed.scheme());
    if !parsed.username().is_empty() || parsed.password().is_some() {
        out.push_str(MASK);
        out.push('@');
    }
    out.push_str(host);
    if let Some(port) = parsed.port() {
        out.push(':');
        out.push_str(&port.to_string());
    }
    let path: Vec<&str> = parsed.path().split('/').collect();
    let masked: Vec<&str> = path
        .iter()
        .map(|segment| if is_token(segment) { MASK } else { segment })
        .collect();
    out.push_str(&masked.join("/"));
    if parsed.query().is_some() {
        out.push('?');
        out.push_str(MASK);
    }
    if parsed.fragment().is_some() {
        out.push('#');
        out.push_str(MASK);
    }
    out
}

/// Whether a path segment looks like a credential rather than a route: long (24+ characters), or
/// 12+ characters mixing letters and digits (Infura/Alchemy/QuickNode/Ankr keys all do).
fn is_token(segment: &str) -> bool {
    let len = segment.chars().count();
    if len >= 24 {
        return true;
    }
    let has_digit = segment.chars().any(|c| c.is_ascii_digit());
    let has_alpha = segment.chars().any(|c| c.is_ascii_alphabetic());
    len >= 12 && has_digit && has_alpha
}

/// Scrubs the secret parts of one RPC URL out of arbitrary text, e.g. an HTTP error body that
/// echoes the request or a transport error that embeds the URL. `Debug` shows the redacted URL.
#[derive(Clone)]
pub(crate) struct Redactor {
    /// The URL as given and as the URL parser normalises it (HTTP libraries print the latter).
    raw: Vec<String>,
    redacted: String,
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("url", &self.redacted)
            .finish_non_exhaustive()
    }
}

impl Redactor {
    /// Collects the secret parts of `url`.
    pub(crate) fn new(url: &str) -> Self {
        let mut secrets = Vec::new();
        let mut raw = vec![url.trim().to_owned()];
        if let Ok(parsed) = Url::parse(url.trim()) {
            raw.push(parsed.as_str().to_owned());
            if !parsed.username().is_empty() {
                secrets.push(parsed.username().to_owned());
            }
            if let Some(password) = parsed.password() {
                secrets.push(password.to_owned());
            }
            if let Some(query) = parsed.query() {
                secrets.push(query.to_owned());
                secrets.extend(
                    query
                        .split('&')
                        .filter_map(|pair| pair.split_once('=').map(|(_, v)| v.to_owned())),
                );
            }
            if let Some(fragment) = parsed.fragment() {
                secrets.push(fragment.to_owned());
            }
            secrets.extend(
                parsed
                    .path()
                    .split('/')
                    .filter(|s| is_token(s))
                    .map(str::to_owned),
            );
        }
        // Only non-trivial fragments: masking every "1" in a message would make it unreadable,
        // and a one- or two-character "secret" protects nothing.
        secrets.retain(|s| s.len() >= 3);
        // Longest first, so a secret that contains another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        raw.retain(|r| !r.is_empty());
        raw.sort_by_key(|r| std::cmp::Reverse(r.len()));
        raw.dedup();
        Redactor {
            raw,
            redacted: redact_url(url),
            secrets,
        }
    }

    /// The printable URL.
    pub(crate) fn url(&self) -> &str {
        &self.redacted
    }

    /// `text` with the full URL replaced by its printable form and every secret part by `***`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for raw in &self.raw {
            out = out.replace(raw.as_str(), &self.redacted);
        }
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), MASK);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_local_urls_are_unchanged() {
        assert_eq!(
            redact_url("http://127.0.0.1:8545"),
            "http://127.0.0.1:8545/"
        );
        assert_eq!(
            redact_url("https://sepolia.example.org/rpc"),
            "https://sepolia.example.org/rpc"
        );
    }

    #[test]
    fn userinfo_is_masked() {
        assert_eq!(
            redact_url("https://alice:s3cret@rpc.example.org/"),
            "https://***@rpc.example.org/"
        );
        assert_eq!(
            redact_url("https://token@rpc.example.org"),
            "https://***@rpc.example.org/"
        );
    }

    #[test]
    fn query_strings_and_fragments_are_masked() {
        assert_eq!(
            redact_url("https://rpc.example.org/eth?apikey=abc&x=1#frag"),
            "https://rpc.example.org/eth?***#***"
        );
    }

    #[test]
    fn provider_path_keys_are_masked() {
        assert_eq!(
            redact_url("https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef"),
            "https://mainnet.infura.io/v3/***"
        );
        assert_eq!(
            redact_url("https://eth-sepolia.g.alchemy.com/v2/Ab12Cd34Ef56"),
            "https://eth-sepolia.g.alchemy.com/v2/***"
        );
        assert_eq!(
            redact_url("https://rpc.ankr.com/eth/0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"),
            "https://rpc.ankr.com/eth/***"
        );
        assert_eq!(
            redact_url("https://little-dry-sea.quiknode.pro/abcdefghijklmnopqrstuvwxyzabcdef/"),
            "https://little-dry-sea.quiknode.pro/***/"
        );
    }

    #[test]
    fn short_route_segments_stay_readable() {
        assert_eq!(
            redact_url("https://example.org/v2/eth-mainnet/rpc"),
            "https://example.org/v2/eth-mainnet/rpc"
        );
    }

    #[test]
    fn garbage_is_not_echoed() {
        let out = redact_url("not a url with secret-key-123");
        assert!(!out.contains("secret"), "{out}");
    }

    #[test]
    fn the_redactor_scrubs_every_secret_part_from_text() {
        let url = "https://bob:hunter22@rpc.example.org/v2/Zz9Yy8Xx7Ww6Vv5Uu4?apikey=qwerty123";
        let r = Redactor::new(url);
        let text = format!(
            "error sending request for url ({url}): 401 invalid key Zz9Yy8Xx7Ww6Vv5Uu4 for bob/hunter22 qwerty123"
        );
        let scrubbed = r.scrub(&text);
        for secret in ["hunter22", "Zz9Yy8Xx7Ww6Vv5Uu4", "qwerty123", "bob:"] {
            assert!(!scrubbed.contains(secret), "{secret} leaked: {scrubbed}");
        }
        assert!(
            scrubbed.contains("https://***@rpc.example.org/v2/***?***"),
            "{scrubbed}"
        );
        assert_eq!(r.url(), "https://***@rpc.example.org/v2/***?***");
    }
}

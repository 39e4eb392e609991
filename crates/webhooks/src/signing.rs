//! Optional HMAC-SHA256 signatures (beyond Kakao, which signs nothing).
//!
//! `X-Talkchannel-Signature: t={unix seconds},v1={hex}[,v1={hex}]` where each `v1` is
//! HMAC-SHA256 over `"{t}.{raw body}"` under one active secret (the current first, then
//! the previous one during a rotation). The timestamp lets receivers refuse replays.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "x-talkchannel-signature";

/// The header value, or `None` when the app does not sign.
pub fn signature(secrets: &[&str], unix_secs: i64, body: &[u8]) -> Option<String> {
    if secrets.is_empty() {
        return None;
    }
    let mut value = format!("t={unix_secs}");
    for secret in secrets {
        value.push_str(",v1=");
        value.push_str(&sign(secret, unix_secs, body));
    }
    Some(value)
}

/// One `v1` value: hex HMAC-SHA256 of `"{t}.{body}"`.
pub fn sign(secret: &str, unix_secs: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(unix_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of `docs/webhooks.md`, computed there with `openssl dgst
    /// -sha256 -hmac`: a receiver written from the docs agrees with this signer.
    #[test]
    fn the_documented_example_signs_as_openssl_computes() {
        let body = br#"{"event":"added","id":"6707126073","id_type":"app_user_id","channel_public_id":"_myshop","channel_uuid":"@myshop","updated_at":"2026-01-01T00:00:00Z"}"#;
        let secret = "whsec_Xo3kT9vQm2LrB7yHc5NwE1aZs8dFg4pUj6VtRi0K";
        let expected = "c21bbfbd30d0c1a1c267274c53d520d70f93720c876338a1d63a39ee51c53e22";
        assert_eq!(sign(secret, 1_767_225_600, body), expected);
        assert_eq!(
            signature(&[secret], 1_767_225_600, body).unwrap(),
            format!("t=1767225600,v1={expected}")
        );
        let docs = include_str!("../../../docs/webhooks.md");
        assert!(
            docs.contains(expected),
            "docs/webhooks.md shows this example"
        );
        assert!(docs.contains(std::str::from_utf8(body).unwrap()));
    }

    #[test]
    fn signs_with_every_active_secret() {
        assert_eq!(signature(&[], 1, b"{}"), None);
        let header = signature(&["new", "old"], 1_700_000_000, b"{}").unwrap();
        let expected = format!(
            "t=1700000000,v1={},v1={}",
            sign("new", 1_700_000_000, b"{}"),
            sign("old", 1_700_000_000, b"{}")
        );
        assert_eq!(header, expected);
        assert_ne!(sign("new", 1, b"{}"), sign("new", 2, b"{}"));
    }
}

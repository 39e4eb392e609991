//! Random keys, tokens and ids, and the hashes we store instead of tokens.

use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;
use sha2::{Digest, Sha256};

/// A 32-character lower-case hex key, the shape of Kakao's app keys.
pub fn app_key() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// An opaque bearer token: 54 characters of `[A-Za-z0-9_-]`, as long as Kakao's.
pub fn bearer_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut rng = rand::rng();
    (0..54)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Random ASCII letters and digits.
pub fn alphanumeric(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

/// A 10-digit app-scoped user id, like the ids Kakao issues today.
pub fn user_id() -> i64 {
    rand::rng().random_range(1_000_000_000..10_000_000_000)
}

/// What we store in place of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let k = app_key();
        assert!(
            k.len() == 32
                && k.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(bearer_token().len(), 54);
        assert_ne!(bearer_token(), bearer_token());
        assert!((1_000_000_000..10_000_000_000).contains(&user_id()));
        assert_eq!(token_hash("abc").len(), 64);
        assert!(
            constant_time_eq(b"abc", b"abc")
                && !constant_time_eq(b"abc", b"abd")
                && !constant_time_eq(b"ab", b"abc")
        );
    }
}

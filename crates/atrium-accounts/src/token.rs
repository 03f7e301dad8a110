//! Random bearer secrets (session, invite and CSRF tokens, API key bodies) and what is
//! stored of them: a SHA-256, never the token itself.

use atrium_core::domain::TOKEN_CHARS;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe base64 without padding ([`TOKEN_CHARS`] characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Cheap shape check before any lookup, so junk never reaches the database.
pub fn looks_like_token(s: &str) -> bool {
    s.len() == TOKEN_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Constant-time comparison for bearer tokens (both sides hashed first, so lengths leak
/// nothing either).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let (ha, hb) = (Sha256::digest(a), Sha256::digest(b));
    ha.iter()
        .zip(hb.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_well_formed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert!(looks_like_token(&a));
        assert!(!looks_like_token("short"));
        assert!(!looks_like_token(&format!("{}'", &a[..TOKEN_CHARS - 1])));
        assert!(constant_time_eq(a.as_bytes(), a.as_bytes()));
        assert!(!constant_time_eq(a.as_bytes(), b.as_bytes()));
    }
}

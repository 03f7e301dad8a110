//! Tenant API keys: `atr_<8 prefix chars>_<secret>`; only a SHA-256 is stored.

use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub struct NewKey {
    /// Shown once, to whoever created the key.
    pub plaintext: String,
    pub prefix: String,
    pub hash: Vec<u8>,
}

pub fn generate() -> NewKey {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let prefix: String = secret.chars().take(8).collect();
    let plaintext = format!("atr_{prefix}_{secret}");
    let hash = hash(&plaintext);
    NewKey {
        plaintext,
        prefix,
        hash,
    }
}

pub fn hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// Cheap shape check before any lookup, so junk never reaches the database.
pub fn looks_valid(key: &str) -> bool {
    key.len() <= 128
        && key.starts_with("atr_")
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Constant-time comparison for bearer tokens.
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
    fn keys_are_unique_and_well_formed() {
        let (a, b) = (generate(), generate());
        assert_ne!(a.plaintext, b.plaintext);
        assert!(looks_valid(&a.plaintext));
        assert_eq!(hash(&a.plaintext), a.hash);
        assert!(!looks_valid("atr_x'; drop"));
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"diff"));
    }
}

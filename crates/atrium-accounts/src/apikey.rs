//! Tenant API keys: `atr_<8 prefix chars>_<secret>`; only a SHA-256 is stored.

use crate::token;

pub struct NewKey {
    /// Shown once, to whoever created the key.
    pub plaintext: String,
    pub prefix: String,
    pub hash: Vec<u8>,
}

pub fn generate() -> NewKey {
    let secret = token::random_token();
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
    token::hash(key)
}

/// Cheap shape check before any lookup, so junk never reaches the database.
pub fn looks_valid(key: &str) -> bool {
    key.len() <= 128
        && key.starts_with("atr_")
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
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
    }
}

//! Passwords of people who sign in (operators, tenant users): Argon2id, PHC strings.
//!
//! Hashing is deliberately slow and takes 19 MiB, so it runs on the blocking pool and at
//! most `MAX_CONCURRENT` at a time: a burst of sign-ins queues instead of exhausting
//! memory or starving the async workers. Half of those slots are kept for callers the
//! sign-in throttle trusts ([`Lane::Trusted`]): a flood of guesses queues in the shared
//! half, so it can neither make a real sign-in wait behind it nor take more than half
//! the cores.

use std::sync::LazyLock;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use tokio::sync::Semaphore;

use atrium_core::domain::ValidationError;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;
/// Hashes at once at most: one per core, at least 2 and at most 8 (19 MiB each).
static MAX_CONCURRENT: LazyLock<usize> =
    LazyLock::new(|| std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8)));

static SHARED: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(*MAX_CONCURRENT / 2));
static KEPT: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(*MAX_CONCURRENT - *MAX_CONCURRENT / 2));

/// Which hashing slots a caller may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// No recent failures from this caller: any slot, the reserved ones included.
    Trusted,
    /// Everyone else (and callers the throttle doesn't see, such as the CLI): shared slots.
    Shared,
}

/// A hashing slot for `lane`, held while Argon2 runs. A trusted caller takes whichever
/// frees first, a shared slot preferred so the kept ones stay free for the next.
async fn slot(lane: Lane) -> Option<tokio::sync::SemaphorePermit<'static>> {
    match lane {
        Lane::Shared => SHARED.acquire().await.ok(),
        Lane::Trusted => tokio::select! {
            biased;
            p = SHARED.acquire() => p.ok(),
            p = KEPT.acquire() => p.ok(),
        },
    }
}

/// A hash of nothing anyone knows, verified when the account doesn't exist, so a wrong
/// email costs the same time as a wrong password.
static DECOY: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(
            b"decoy-password-never-used",
            &SaltString::generate(&mut OsRng),
        )
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// The rule a new password must meet, broken on `field`.
pub fn check_new(field: &str, password: &str) -> Result<(), ValidationError> {
    let n = password.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&n) {
        return Err(ValidationError::coded(
            field,
            "length",
            format!("a password has {MIN_LEN} to {MAX_LEN} characters"),
        )
        .param("min", MIN_LEN)
        .param("max", MAX_LEN));
    }
    Ok(())
}

/// Checks a new password's rule and hashes it (before any transaction is opened, so no
/// connection is held while Argon2 runs).
pub async fn hash_new(
    field: &str,
    password: &str,
    lane: Lane,
) -> atrium_core::domain::Result<String> {
    check_new(field, password)?;
    Ok(hash(password, lane).await?)
}

pub async fn hash(password: &str, lane: Lane) -> anyhow::Result<String> {
    let password = password.to_owned();
    let _slot = slot(lane)
        .await
        .ok_or_else(|| anyhow::anyhow!("hashing slots closed"))?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await?
}

/// True when `password` matches `stored`. `None` (no such account, or no password set)
/// verifies against a decoy and returns false, in about the same time.
pub async fn verify(password: &str, stored: Option<&str>, lane: Lane) -> bool {
    let known = stored.is_some();
    let phc = stored.map(str::to_owned).unwrap_or_else(|| DECOY.clone());
    let password = password.to_owned();
    let Some(_slot) = slot(lane).await else {
        return false;
    };
    let ok = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    ok && known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ_per_salt() {
        let a = hash("correct horse battery", Lane::Shared)
            .await
            .expect("hash");
        let b = hash("correct horse battery", Lane::Trusted)
            .await
            .expect("hash");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&a), Lane::Trusted).await);
        assert!(!verify("correct horse battery!", Some(&a), Lane::Shared).await);
        assert!(!verify("anything", None, Lane::Shared).await);
        assert!(!verify("anything", Some("not a phc string"), Lane::Shared).await);
    }

    #[test]
    fn new_passwords_have_bounded_length() {
        assert!(check_new("password", "short").is_err());
        assert!(check_new("password", &"x".repeat(129)).is_err());
        assert!(check_new("password", "long enough pw").is_ok());
    }
}

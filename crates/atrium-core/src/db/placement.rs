//! Where a tenant's rows are, as a tenant transaction enters them, and how a move between
//! tiers stops its transactions for a moment without stopping anyone else's
//! (docs/isolation-tiers.md, "Moves").
//!
//! Every tenant transaction takes, shared and without waiting, an advisory lock named
//! for its tenant *and* the placement it is about to use. A move takes that lock
//! exclusively: it waits for the transactions already in, and from then on the next ones
//! fail to take it and go the slow way (`atrium_control.await_placement`). That waits
//! for the move's freeze lock, then looks the placement up again: if the move flipped
//! it, the function answers [`MOVED`] naming the new placement, and the transaction is
//! entered again there. The lock of the old placement stays held until the old rows are
//! removed, so a process that has not heard of the flip yet is sent on in the same way.

use uuid::Uuid;

/// The first key of the freeze locks (advisory locks' two-key form): one per tenant,
/// held exclusively by a move between draining the tenant and flipping its placement.
pub const FREEZE_LOCKS: i32 = 0x4154_4d46;
/// The first key of the placement locks: one per tenant and placement.
pub const PLACEMENT_LOCKS: i32 = 0x4154_4d50;

/// SQLSTATE of `await_placement`'s answer when the tenant lives elsewhere now: the new
/// schema is the error's DETAIL, the new role its HINT.
pub const MOVED: &str = "AT001";

/// The second key of a tenant's freeze lock.
pub fn freeze_key(tenant: Uuid) -> i32 {
    fnv1a(&[b"freeze", tenant.as_bytes().as_slice()])
}

/// The second key of the lock of a tenant in one placement (its schema, or its pool).
pub fn placement_key(tenant: Uuid, schema: &str) -> i32 {
    fnv1a(&[b"place", tenant.as_bytes().as_slice(), schema.as_bytes()])
}

/// 32-bit FNV-1a: stable across builds and processes (unlike std's hasher), which is
/// what a key shared by every API process and the control plane needs. Two tenants
/// whose keys collide only wait for each other's moves.
fn fnv1a(parts: &[&[u8]]) -> i32 {
    let mut h: u32 = 0x811c_9dc5;
    for part in parts {
        for b in part.iter().chain(b"/") {
            h ^= u32::from(*b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h as i32
}

/// SQLSTATE of `await_placement`'s answer when the tenant lives on another cluster now
/// (docs/scale-out.md): the cluster's name is the error's DETAIL. The transaction is
/// opened again on that cluster's pool.
pub const ELSEWHERE: &str = "AT002";

/// The cluster an [`ELSEWHERE`] answer names; None for any other error.
pub fn elsewhere(e: &tokio_postgres::Error) -> Option<String> {
    let db = e.as_db_error()?;
    (db.code().code() == ELSEWHERE).then(|| db.detail().unwrap_or_default().to_owned())
}

/// The placement a [`MOVED`] answer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub schema: String,
    pub role: String,
}

/// Reads a [`MOVED`] answer; None for any other error.
pub fn moved_to(e: &tokio_postgres::Error) -> Option<Moved> {
    let db = e.as_db_error()?;
    if db.code().code() != MOVED {
        return None;
    }
    Some(Moved {
        schema: db.detail()?.to_owned(),
        role: db.hint()?.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_placement_and_tenant_and_stay_put() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        assert_ne!(placement_key(a, "pool_01"), placement_key(a, "t_acme"));
        assert_ne!(placement_key(a, "pool_01"), placement_key(b, "pool_01"));
        assert_ne!(freeze_key(a), freeze_key(b));
        // Every process must compute the same key: no per-build seed.
        assert_eq!(placement_key(a, "pool_01"), placement_key(a, "pool_01"));
        assert_eq!(fnv1a(&[b"a"]), fnv1a(&[b"a"]));
    }
}

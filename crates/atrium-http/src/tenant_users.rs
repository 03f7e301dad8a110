//! A tenant's users list, paged the same way on both planes: the data plane's
//! `GET /v1/t/{tenant}/users` and the operator's `GET /v1/tenants/{slug}/users` run this
//! one keyset query, so they take the same `sort` and answer the same page with a total.
//! It lives here rather than in `atrium_accounts::tenant_users` (which owns the columns)
//! because keyset paging is this crate's, and this crate already depends on that one.

use atrium_accounts::tenant_users::{self, TenantUser};
use atrium_core::db::{DbError, TenantTx};

use crate::{Keyset, Page, SortKey, Sorts};

/// Newest first unless asked otherwise.
pub const SORTS: Sorts = Sorts::by_id(&[
    SortKey::new("created_at", "timestamptz"),
    SortKey::new("email", "text"),
    SortKey::new("display_name", "text"),
    SortKey::new("role", "text"),
]);

/// One page of the tenant's users, invited ones included, with the count of all of them.
pub async fn list(tx: &mut TenantTx, keyset: &Keyset) -> Result<Page<TenantUser>, DbError> {
    keyset
        .load(
            tx,
            tenant_users::COLUMNS,
            "FROM users WHERE true",
            Vec::new(),
            tenant_users::user,
        )
        .await
}

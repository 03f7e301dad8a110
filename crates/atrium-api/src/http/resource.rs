//! What every CRM resource shares: fetch one, lock one for a change, page through, delete.

use atrium_core::db::TenantTx;
use atrium_http::{ApiError, Json, Page};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use tokio_postgres::{types::ToSql, Row};
use uuid::Uuid;

use super::common::{etag, unknown_reference, IfMatch};
use crate::{tenant::Tenant, AppState};

pub trait Resource: for<'r> From<&'r Row> + Serialize {
    /// Table name: a constant of this code base, never input.
    const TABLE: &'static str;
    const WHAT: &'static str;
    const COLUMNS: &'static str;
    fn id(&self) -> Uuid;
    fn version(&self) -> i32;
}

/// `(ETag, body)` for a single resource.
pub fn versioned<T: Resource>(item: T) -> (HeaderMap, Json<T>) {
    (etag(item.version()), Json(item))
}

pub fn created<T: Resource>(item: T) -> (StatusCode, HeaderMap, Json<T>) {
    (StatusCode::CREATED, etag(item.version()), Json(item))
}

pub async fn show<T: Resource>(
    s: &AppState,
    t: &Tenant,
    id: Uuid,
) -> Result<(HeaderMap, Json<T>), ApiError> {
    let mut tx = t.begin(s).await?;
    let row = tx
        .query_opt(
            &format!("SELECT {} FROM {} WHERE id = $1", T::COLUMNS, T::TABLE),
            &[&id],
        )
        .await?
        .ok_or(ApiError::NotFound(T::WHAT))?;
    tx.commit().await?;
    Ok(versioned(T::from(&row)))
}

/// Reads a row FOR UPDATE and checks the caller's `If-Match` against it.
pub async fn lock<T: Resource>(
    tx: &mut TenantTx,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<T, ApiError> {
    let row = tx
        .query_opt(
            &format!(
                "SELECT {} FROM {} WHERE id = $1 FOR UPDATE",
                T::COLUMNS,
                T::TABLE
            ),
            &[&id],
        )
        .await?
        .ok_or(ApiError::NotFound(T::WHAT))?;
    let current = T::from(&row);
    if_match.check(current.version())?;
    Ok(current)
}

/// Runs a list query whose last parameter is `limit + 1`, and pages the result.
pub async fn list<T: Resource>(
    s: &AppState,
    t: &Tenant,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    fetch: i64,
) -> Result<Json<Page<T>>, ApiError> {
    let mut tx = t.begin(s).await?;
    let rows = tx.query(sql, params).await?;
    tx.commit().await?;
    Ok(Json(Page::from_rows(
        rows.iter().map(T::from).collect(),
        fetch,
        T::id,
    )))
}

pub async fn delete<T: Resource>(
    s: &AppState,
    t: &Tenant,
    id: Uuid,
    if_match: IfMatch,
) -> Result<StatusCode, ApiError> {
    let mut tx = t.begin(s).await?;
    lock::<T>(&mut tx, id, &if_match).await?;
    tx.execute(&format!("DELETE FROM {} WHERE id = $1", T::TABLE), &[&id])
        .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs a write whose `RETURNING` gives the resource's columns, reports a reference to
/// a missing record as a 422 on `field`, commits, and returns the resource.
pub async fn write<T: Resource>(
    mut tx: TenantTx,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    field: &'static str,
) -> Result<T, ApiError> {
    let rows = tx
        .query(sql, params)
        .await
        .map_err(unknown_reference(field))?;
    tx.commit().await?;
    returned(rows)
}

/// The first row of a `RETURNING` statement as a resource.
pub fn returned<T: Resource>(rows: Vec<Row>) -> Result<T, ApiError> {
    rows.first().map(T::from).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("{} statement returned no row", T::TABLE))
    })
}

/// Implements [`Resource`] for a type with `id` and `version` fields and a `COLUMNS`
/// constant in scope, and writes the two handlers every resource has in exactly the
/// same form: `show` (GET one) and `remove` (DELETE, honouring `If-Match`).
macro_rules! resource {
    ($ty:ident, table = $table:tt, what = $what:tt, path = $path:tt, tag = $tag:tt, show_doc = $show_doc:tt, remove_doc = $remove_doc:tt) => {
        impl $crate::http::resource::Resource for $ty {
            const TABLE: &'static str = $table;
            const WHAT: &'static str = $what;
            const COLUMNS: &'static str = COLUMNS;
            fn id(&self) -> ::uuid::Uuid {
                self.id
            }
            fn version(&self) -> i32 {
                self.version
            }
        }

        #[doc = $show_doc]
        #[utoipa::path(get, path = $path, tag = $tag, params($crate::http::IdPath),
            responses((status = 200, body = $ty), (status = "4XX", body = ::atrium_http::Problem)))]
        #[tracing::instrument(skip_all, fields(tenant = t.slug()))]
        async fn show(
            axum::extract::State(s): axum::extract::State<$crate::AppState>,
            t: $crate::tenant::Tenant,
            axum::extract::Path(p): axum::extract::Path<$crate::http::IdPath>,
        ) -> Result<(axum::http::HeaderMap, ::atrium_http::Json<$ty>), ::atrium_http::ApiError> {
            $crate::http::resource::show(&s, &t, p.id).await
        }

        #[doc = $remove_doc]
        #[utoipa::path(delete, path = $path, tag = $tag, params($crate::http::IdPath),
            responses((status = 204), (status = 412, body = ::atrium_http::Problem),
                      (status = "4XX", body = ::atrium_http::Problem)))]
        #[tracing::instrument(skip_all, fields(tenant = t.slug()))]
        async fn remove(
            axum::extract::State(s): axum::extract::State<$crate::AppState>,
            t: $crate::tenant::Tenant,
            axum::extract::Path(p): axum::extract::Path<$crate::http::IdPath>,
            if_match: $crate::http::common::IfMatch,
        ) -> Result<axum::http::StatusCode, ::atrium_http::ApiError> {
            $crate::http::resource::delete::<$ty>(&s, &t, p.id, if_match).await
        }
    };
}
pub(crate) use resource;

//! What every CRM resource shares: fetch one, lock one for a change, page through, create,
//! change, delete. A resource module declares its fields with [`record!`], its list
//! filter with [`filter!`] and its validation; the [`resource!`] macro writes its
//! handlers.

mod list;
mod record;
mod routes;
mod write;

use atrium_core::db::TenantTx;
use atrium_http::page::borrowed;
use atrium_http::{ApiError, Json, Path};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use tokio_postgres::Row;
use uuid::Uuid;

pub(crate) use list::filter;
pub use list::{list, Filter};
pub(crate) use record::record;
pub(crate) use routes::resource;
pub use write::{create, create_with, insert_sql, update, Writable};

use super::common::{etag, IfMatch};
use super::IdPath;
use crate::tenant::Scoped;

/// The request for one resource at `/<resources>/{id}`: what `show`, `update`, `remove`
/// and a resource's own item routes start from.
pub type Item = Scoped<Path<IdPath>>;

impl Item {
    pub fn id(&self) -> Uuid {
        self.part.id
    }
}

pub trait Resource: for<'r> From<&'r Row> + Serialize {
    /// Table name: a constant of this code base, never input.
    const TABLE: &'static str;
    const WHAT: &'static str;
    const COLUMNS: &'static str;
    fn id(&self) -> Uuid;
    fn version(&self) -> i32;
}

/// A resource's writable fields, as [`record!`] declares them once: its create body, its
/// merge-patch body, and what a patch makes of the current resource.
pub trait Fields {
    type New;
    type Patch;
    /// The writable columns, in the order of the values [`Writable::inserted`] gives.
    const FIELDS: &'static [&'static str];
    /// The create body that holds the current values with the patch applied, so a change
    /// is checked exactly like a creation.
    fn patched(self, patch: Self::Patch) -> Self::New;
}

/// Statement parameters built from a request, so each resource states only its own.
pub use atrium_http::page::Params;

/// `(ETag, body)` for a single resource.
pub fn versioned<T: Resource>(item: T) -> (HeaderMap, Json<T>) {
    (etag(item.version()), Json(item))
}

pub fn created<T: Resource>(item: T) -> (StatusCode, HeaderMap, Json<T>) {
    (StatusCode::CREATED, etag(item.version()), Json(item))
}

pub async fn show<T: Resource>(r: &Item) -> Result<(HeaderMap, Json<T>), ApiError> {
    let mut tx = r.begin().await?;
    let row = tx
        .query_opt(
            &format!("SELECT {} FROM {} WHERE id = $1", T::COLUMNS, T::TABLE),
            &[&r.id()],
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

pub async fn delete<T: Resource>(r: &Item, if_match: IfMatch) -> Result<StatusCode, ApiError> {
    let mut tx = r.begin().await?;
    lock::<T>(&mut tx, r.id(), &if_match).await?;
    tx.execute(
        &format!("DELETE FROM {} WHERE id = $1", T::TABLE),
        &[&r.id()],
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The first row of a `RETURNING` statement as a resource.
pub fn returned<T: Resource>(rows: Vec<Row>) -> Result<T, ApiError> {
    rows.first().map(T::from).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("{} statement returned no row", T::TABLE))
    })
}

//! `POST /<resources>` and `PATCH /<resources>/{id}`: each resource states its SQL and
//! how a body becomes checked values; running, error mapping and answering are shared.

use atrium_analytics::event::Event;
use atrium_core::db::TenantTx;
use atrium_http::{ApiError, Json};
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::{borrowed, created, lock, returned, versioned, Item, Params, Resource};
use crate::{http::common::unknown_reference, http::common::IfMatch, tenant::Tenant, AppState};

pub trait Writable: Resource {
    /// The body of a create.
    type New: DeserializeOwned;
    /// The merge-patch body of a change.
    type Patch: DeserializeOwned;
    /// Inserts `$1` (the new id) and [`Writable::inserted`] from `$2`, returning `COLUMNS`.
    const INSERT: &'static str;
    /// Changes row `$1` to [`Writable::updated`] from `$2` and bumps its version,
    /// returning `COLUMNS`.
    const UPDATE: &'static str;
    /// The body field blamed when a write refers to a record that does not exist.
    const REFERENCE: &'static str;

    /// The checked values a new body inserts.
    fn inserted(new: Self::New) -> Result<Params, ApiError>;
    /// The checked values the current resource changed by `patch` has.
    fn updated(self, patch: Self::Patch) -> Result<Params, ApiError>;
    /// The tracking event a creation emits, if it is one the dashboards count.
    fn created_event(&self, _tenant: &str) -> Option<Event> {
        None
    }
}

pub async fn create<T: Writable>(
    s: &AppState,
    t: &Tenant,
    new: T::New,
) -> Result<(StatusCode, HeaderMap, Json<T>), ApiError> {
    let values = T::inserted(new)?;
    let item: T = write(t.begin(s).await?, T::INSERT, Uuid::now_v7(), values).await?;
    if let Some(event) = item.created_event(t.slug()) {
        s.emitter.emit(event);
    }
    Ok(created(item))
}

pub async fn update<T: Writable>(
    r: &Item,
    if_match: IfMatch,
    patch: T::Patch,
) -> Result<(HeaderMap, Json<T>), ApiError> {
    let mut tx = r.begin().await?;
    let values = lock::<T>(&mut tx, r.id(), &if_match)
        .await?
        .updated(patch)?;
    Ok(versioned(write(tx, T::UPDATE, r.id(), values).await?))
}

/// Runs a write of row `id` whose `RETURNING` gives the resource's columns, reports a
/// reference to a missing record as a 422, commits, and returns the resource.
async fn write<T: Writable>(
    mut tx: TenantTx,
    sql: &str,
    id: Uuid,
    values: Params,
) -> Result<T, ApiError> {
    let mut params: Params = vec![Box::new(id)];
    params.extend(values);
    let rows = tx
        .query(sql, &borrowed(&params))
        .await
        .map_err(unknown_reference(T::REFERENCE))?;
    tx.commit().await?;
    returned(rows)
}

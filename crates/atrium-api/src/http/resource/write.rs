//! `POST /<resources>` and `PATCH /<resources>/{id}`: each resource states how a body
//! becomes checked values; the statements follow from its fields, and running, error
//! mapping and answering are shared.

use atrium_analytics::event::Event;
use atrium_core::db::TenantTx;
use atrium_http::{ApiError, Json};
use axum::http::{HeaderMap, StatusCode};
use uuid::Uuid;

use super::{borrowed, created, lock, returned, versioned, Fields, Item, Params, Resource};
use crate::{http::common::unknown_reference, http::common::IfMatch, tenant::Tenant, AppState};

pub trait Writable: Resource + Fields {
    /// The body field blamed when a write refers to a record that does not exist.
    const REFERENCE: &'static str;
    /// Fields a create body may leave out (`NULL`) whose value then comes from SQL, such
    /// as the tenant's currency: `(field, expression)`.
    const DEFAULTS: &'static [(&'static str, &'static str)] = &[];

    /// The checked values of a create body, in the order of [`Fields::FIELDS`]. A change
    /// is checked the same way, on the body [`Fields::patched`] makes.
    fn inserted(new: Self::New) -> Result<Params, ApiError>;
    /// The statement that inserts `$1` (the new id) and the fields from `$2`, returning
    /// `COLUMNS`.
    fn insert() -> String {
        insert_sql::<Self>()
    }
    /// The tracking event a creation emits, if it is one the dashboards count: `created`
    /// is `<what>_created` with `<what>_id`, to which a resource adds what it counts by.
    fn created_event(&self, _created: Event) -> Option<Event> {
        None
    }
}

/// `INSERT` of a new resource: `$1` is its id, its fields follow from `$2`, with the
/// resource's [`Writable::DEFAULTS`] for those left `NULL`.
pub fn insert_sql<T: Writable>() -> String {
    let mut values = vec!["$1".to_owned()];
    for (field, i) in T::FIELDS.iter().zip(2..) {
        values.push(match T::DEFAULTS.iter().find(|(f, _)| f == field) {
            Some((_, default)) => format!("coalesce(${i}, {default})"),
            None => format!("${i}"),
        });
    }
    format!(
        "INSERT INTO {} (id, {}) VALUES ({}) RETURNING {}",
        T::TABLE,
        T::FIELDS.join(", "),
        values.join(", "),
        T::COLUMNS
    )
}

/// `UPDATE` of row `$1` to the fields from `$2`, bumping its version. A field a patch
/// cannot change is written back as it was read under the lock.
fn update_sql<T: Writable>() -> String {
    let set: Vec<String> = T::FIELDS
        .iter()
        .zip(2..)
        .map(|(field, i)| format!("{field} = ${i}"))
        .collect();
    format!(
        "UPDATE {} SET {}, version = version + 1, updated_at = now() WHERE id = $1 RETURNING {}",
        T::TABLE,
        set.join(", "),
        T::COLUMNS
    )
}

pub async fn create<T: Writable>(
    s: &AppState,
    t: &Tenant,
    new: T::New,
) -> Result<(StatusCode, HeaderMap, Json<T>), ApiError> {
    create_with(s, t, new, Vec::new()).await
}

/// [`create`] of a resource whose `insert` also takes values from outside the body
/// (`extra`, after the fields): its parent from the path, its author.
pub async fn create_with<T: Writable>(
    s: &AppState,
    t: &Tenant,
    new: T::New,
    extra: Params,
) -> Result<(StatusCode, HeaderMap, Json<T>), ApiError> {
    let mut values = T::inserted(new)?;
    values.extend(extra);
    let item: T = write(t.begin(s).await?, &T::insert(), Uuid::now_v7(), values).await?;
    let event = Event::server(t.slug(), &format!("{}_created", T::WHAT))
        .prop(&format!("{}_id", T::WHAT), item.id().to_string());
    if let Some(event) = item.created_event(event) {
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
    let current = lock::<T>(&mut tx, r.id(), &if_match).await?;
    let values = T::inserted(current.patched(patch))?;
    Ok(versioned(
        write(tx, &update_sql::<T>(), r.id(), values).await?,
    ))
}

/// Runs a write of row `id` whose `RETURNING` gives the resource's columns with its
/// commit (one round trip for a create), reports a reference to a missing record as a
/// 422, and returns the resource.
async fn write<T: Writable>(
    tx: TenantTx,
    sql: &str,
    id: Uuid,
    values: Params,
) -> Result<T, ApiError> {
    let mut params: Params = vec![Box::new(id)];
    params.extend(values);
    let rows = tx
        .query_and_commit(sql, &borrowed(&params))
        .await
        .map_err(unknown_reference(T::REFERENCE))?;
    returned(rows)
}

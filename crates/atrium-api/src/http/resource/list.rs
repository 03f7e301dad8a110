//! `GET /<resources>`: a page of a resource, ordered by id, narrowed by its filter.

use atrium_http::{ApiError, Json, Page, PageRequest, Paging};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::{borrowed, Params, Resource};
use crate::{tenant::Tenant, AppState};

/// A resource's list filter: query parameters that become `WHERE` conditions.
pub trait Filter: DeserializeOwned {
    /// Conditions on parameters `$3` onwards; `$1` and `$2` are the page's cursor and size.
    const WHERE: &'static str;
    /// The values for `$3` onwards, checked.
    fn params(self) -> Result<Params, ApiError>;
}

pub async fn list<T: Resource, F: Filter>(
    s: &AppState,
    t: &Tenant,
    paging: Paging,
    filter: F,
) -> Result<Json<Page<T>>, ApiError> {
    let PageRequest { after, fetch } = paging.parse::<Uuid>(s.page)?;
    let mut params: Params = vec![Box::new(after), Box::new(fetch)];
    params.extend(filter.params()?);
    let sql = format!(
        "SELECT {} FROM {} WHERE ($1::uuid IS NULL OR id > $1) AND {} ORDER BY id LIMIT $2",
        T::COLUMNS,
        T::TABLE,
        F::WHERE
    );
    let mut tx = t.begin(s).await?;
    let rows = tx.query(&sql, &borrowed(&params)).await?;
    tx.commit().await?;
    Ok(Json(Page::from_rows(
        rows.iter().map(T::from).collect(),
        fetch,
        T::id,
    )))
}

//! `GET /<resources>`: a page of a resource, ordered by id, narrowed by its filter.

use atrium_http::{ApiError, Json, Page, Paging};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::{borrowed, Params, Resource};
use crate::{tenant::Tenant, AppState};

/// A resource's list filter: query parameters that become `WHERE` conditions. Declared
/// with [`filter!`](super::filter).
pub trait Filter: DeserializeOwned {
    /// The column `q` searches for a case-insensitive substring.
    const SEARCHED: &'static str;
    /// The columns the other parameters must equal when given, with their SQL types.
    const EQUAL: &'static [(&'static str, &'static str)];
    /// The values for `$3` (the search pattern) onwards, checked.
    fn params(self) -> Result<Params, ApiError>;
}

/// Declares a list filter: `q`, documented by the doc comment on the struct, searches
/// one column; each other field, when given, must equal the column of its name. `as`
/// names the SQL type a missing value is cast to, `by` how a value becomes a parameter.
macro_rules! filter {
    (
        $(#[doc = $q_doc:tt])*
        pub struct $name:ident(q searches $column:ident) {
            $($(#[doc = $d:tt])* pub $f:ident: Option<$t:ident> as $sql:ident $(by $conv:path)?,)*
        }
    ) => {
        #[derive(Debug, ::serde::Deserialize, ::utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $(#[doc = $q_doc])*
            pub q: Option<String>,
            $($(#[doc = $d])* pub $f: Option<$t>,)*
        }

        impl $crate::http::resource::Filter for $name {
            const SEARCHED: &'static str = stringify!($column);
            const EQUAL: &'static [(&'static str, &'static str)] =
                &[$((stringify!($f), stringify!($sql))),*];

            fn params(
                self,
            ) -> Result<$crate::http::resource::Params, ::atrium_http::ApiError> {
                Ok(vec![
                    Box::new($crate::http::common::search_pattern(self.q.as_deref())?),
                    $(Box::new(self.$f $(.map($conv))?),)*
                ])
            }
        }
    };
}
pub(crate) use filter;

/// `$1` and `$2` are the page's cursor and size, `$3` the search pattern; a parameter
/// left out is `NULL` and matches everything.
fn conditions<F: Filter>() -> String {
    let mut all = vec![format!("($3::text IS NULL OR {} ILIKE $3)", F::SEARCHED)];
    for ((column, sql_type), i) in F::EQUAL.iter().zip(4..) {
        all.push(format!("(${i}::{sql_type} IS NULL OR {column} = ${i})"));
    }
    all.join(" AND ")
}

pub async fn list<T: Resource, F: Filter>(
    s: &AppState,
    t: &Tenant,
    paging: Paging,
    filter: F,
) -> Result<Json<Page<T>>, ApiError> {
    let sql = format!(
        "SELECT {} FROM {} WHERE ($1::uuid IS NULL OR id > $1) AND {} ORDER BY id LIMIT $2",
        T::COLUMNS,
        T::TABLE,
        conditions::<F>()
    );
    let sql = &sql;
    let page = paging
        .load(s.page, T::id, |after: Option<Uuid>, fetch| async move {
            let mut params: Params = vec![Box::new(after), Box::new(fetch)];
            params.extend(filter.params()?);
            let mut tx = t.begin(s).await?;
            let rows = tx.query(sql, &borrowed(&params)).await?;
            tx.commit().await?;
            Ok::<_, ApiError>(rows.iter().map(T::from).collect())
        })
        .await?;
    Ok(Json(page))
}

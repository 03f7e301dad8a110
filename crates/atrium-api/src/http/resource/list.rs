//! `GET /<resources>`: a page of a resource, sorted as asked, narrowed by its filter,
//! with the count of every row the filter matches.

use atrium_http::{ApiError, Json, Page, Paging, Sorts};
use serde::de::DeserializeOwned;

use super::{Params, Resource};
use crate::{tenant::Tenant, AppState};

/// A resource's list filter: query parameters that become `WHERE` conditions, and the
/// fields the list sorts by. Declared with [`filter!`](super::filter).
pub trait Filter: DeserializeOwned {
    /// The column `q` searches for a case-insensitive substring.
    const SEARCHED: &'static str;
    /// The columns the other parameters must equal when given, with their SQL types.
    const EQUAL: &'static [(&'static str, &'static str)];
    const SORTS: Sorts;
    /// The values for `$1` (the search pattern) onwards, checked.
    fn params(self) -> Result<Params, ApiError>;
}

/// Declares a list filter: `q`, documented by the doc comment on the struct, searches
/// one column; each other field, when given, must equal the column of its name. `as`
/// names the SQL type a missing value is cast to, `by` how a value becomes a parameter.
/// `sort` lists the fields `?sort=` takes, with their SQL types and, where it is not the
/// column itself, the expression ordered by.
macro_rules! filter {
    (
        $(#[doc = $q_doc:tt])*
        pub struct $name:ident(q searches $column:ident) {
            $($(#[doc = $d:tt])* pub $f:ident: Option<$t:ident> as $sql:ident $(by $conv:path)?,)*
        }
        sort [$($key:ident: $key_type:ident $(= $key_expr:literal)?),+ $(,)?]
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
            const SORTS: ::atrium_http::Sorts = ::atrium_http::Sorts::by_id(&[
                $(::atrium_http::SortKey::new(stringify!($key), stringify!($key_type))
                    $(.by($key_expr))?),+
            ]);

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

/// `$1` is the search pattern, the equal columns follow; a parameter left out is `NULL`
/// and matches everything.
fn conditions<F: Filter>() -> String {
    let mut all = vec![format!("($1::text IS NULL OR {} ILIKE $1)", F::SEARCHED)];
    for ((column, sql_type), i) in F::EQUAL.iter().zip(2..) {
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
    let keyset = paging.keyset(s.page, F::SORTS)?;
    let from = format!("FROM {} WHERE {}", T::TABLE, conditions::<F>());
    let mut tx = t.begin(s).await?;
    let page = keyset
        .load(&mut tx, T::COLUMNS, &from, filter.params()?, |r| T::from(r))
        .await?;
    tx.commit().await?;
    Ok(Json(page))
}

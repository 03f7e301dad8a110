//! Paging, the same on both planes: `?cursor=&limit=&sort=` in, `{items, next_cursor,
//! total, total_exact}` out.
//!
//! Lists are keyset-paged: a cursor holds the sort it was made for, the last item's sort
//! value and its id, so rows added while someone pages neither repeat nor hide older
//! ones, and a cursor taken to another sort is refused. One row more than the limit is
//! fetched so `next_cursor` is null on the last page even when that page is exactly
//! full. `total` counts the rows matching the filter, but stops at [`TOTAL_CAP`]: a count
//! is a scan, and one bounded scan per list request is the price we accept.

use std::future::Future;

use atrium_core::{
    config::PageConfig,
    db::{DbError, TenantTx},
    domain::ValidationError,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde::{Deserialize, Serialize};
use tokio_postgres::{types::ToSql, Row};
use utoipa::{IntoParams, ToSchema};

use crate::ApiError;

/// Counting matching rows stops here; above it `total` is this and `total_exact` false.
pub const TOTAL_CAP: i64 = 10_000;

/// One page of a list. Pass `next_cursor` back as `cursor` (with the same `sort`) for
/// the next.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    /// How many rows match the filter on all pages, counted up to 10,000.
    pub total: i64,
    /// False when `total` is a lower bound: more than 10,000 rows match.
    pub total_exact: bool,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Opaque cursor from a previous page's `next_cursor`, with the same `sort`.
    pub cursor: Option<String>,
    /// Items per page (the endpoint states its default and maximum).
    pub limit: Option<i64>,
    /// `field` ascending or `-field` descending, from the fields the list names;
    /// `-created_at` (newest first) when absent.
    pub sort: Option<String>,
}

/// A field a list can be sorted by: its name in `sort=`, the SQL expression ordered by
/// (a constant of the code base, never input) and that expression's type, which the
/// cursor's value is cast back to.
#[derive(Debug, Clone, Copy)]
pub struct SortKey {
    pub name: &'static str,
    pub expr: &'static str,
    pub sql_type: &'static str,
}

impl SortKey {
    /// A column sorted as it is.
    pub const fn new(name: &'static str, sql_type: &'static str) -> Self {
        SortKey {
            name,
            expr: name,
            sql_type,
        }
    }

    /// Sorted by an expression instead; it must never be NULL, as keyset comparison
    /// skips NULLs (`coalesce` a nullable column).
    pub const fn by(self, expr: &'static str) -> Self {
        SortKey { expr, ..self }
    }
}

/// The sorts a list offers: its keys, the default (`-created_at` for most), and the
/// unique column that breaks ties, with its SQL type.
#[derive(Debug, Clone, Copy)]
pub struct Sorts {
    pub keys: &'static [SortKey],
    pub default: &'static str,
    pub tiebreak: &'static str,
    pub tiebreak_type: &'static str,
}

impl Sorts {
    /// Sorted by `keys`, newest first unless asked otherwise, ties broken by a uuid `id`.
    pub const fn by_id(keys: &'static [SortKey]) -> Self {
        Sorts {
            keys,
            default: "-created_at",
            tiebreak: "id",
            tiebreak_type: "uuid",
        }
    }

    fn find(&self, sort: &str) -> Option<(SortKey, bool)> {
        let (name, descending) = match sort.strip_prefix('-') {
            Some(name) => (name, true),
            None => (sort, false),
        };
        self.keys
            .iter()
            .find(|k| k.name == name)
            .map(|k| (*k, descending))
    }

    fn names(&self) -> String {
        let names: Vec<&str> = self.keys.iter().map(|k| k.name).collect();
        names.join(", ")
    }
}

/// Where a sorted page starts, in the cursor's JSON: the sort it was made for, the last
/// item's sort value and tie-breaker, both as PostgreSQL prints them (`::text`), which
/// it reads back exactly.
#[derive(Debug, Serialize, Deserialize)]
struct After {
    s: String,
    k: String,
    i: String,
}

/// A parsed sorted request: the SQL pieces of its order and of where it starts.
#[derive(Debug)]
pub struct Keyset {
    sorts: Sorts,
    key: SortKey,
    sort: String,
    descending: bool,
    after: Option<After>,
    pub fetch: i64,
}

/// What each row of a sorted query adds, read back by [`Keyset::page`].
const KEY_COLUMN: &str = "page_key";
const TIEBREAK_COLUMN: &str = "page_tiebreak";

impl Keyset {
    /// The page's statement: `SELECT columns, <keys> from_where`, narrowed to the rows
    /// after the cursor and ordered, where `from_where` (`FROM … WHERE …`) uses `$1` to
    /// `$filter_params`; [`Keyset::values`] are the parameters that follow.
    pub fn select_sql(&self, columns: &str, from_where: &str, filter_params: usize) -> String {
        let next = filter_params + 1;
        let after = match self.after {
            None => String::new(),
            Some(_) => format!(
                " AND ({}, {}) {} (CAST(${next}::text AS {}), CAST(${}::text AS {}))",
                self.key.expr,
                self.sorts.tiebreak,
                if self.descending { "<" } else { ">" },
                self.key.sql_type,
                next + 1,
                self.sorts.tiebreak_type
            ),
        };
        let limit = next + self.values().len() - 1;
        let dir = if self.descending { "DESC" } else { "ASC" };
        format!(
            "SELECT {columns}, ({})::text AS {KEY_COLUMN}, ({})::text AS {TIEBREAK_COLUMN} \
             {from_where}{after} ORDER BY {} {dir}, {} {dir} LIMIT ${limit}",
            self.key.expr, self.sorts.tiebreak, self.key.expr, self.sorts.tiebreak
        )
    }

    /// The parameters [`Keyset::select_sql`] adds after the filter's: the cursor's values
    /// (none on the first page), then the number of rows to fetch.
    pub fn values(&self) -> Params {
        let mut v: Params = Vec::new();
        if let Some(a) = &self.after {
            v.push(Box::new(a.k.clone()));
            v.push(Box::new(a.i.clone()));
        }
        v.push(Box::new(self.fetch));
        v
    }

    /// A page of the rows fetched (each with [`Keyset::key_columns`]) and the count.
    pub fn page<T>(&self, rows: &[Row], item: impl Fn(&Row) -> T, total: i64) -> Page<T> {
        let more = rows.len() as i64 >= self.fetch;
        let shown = if more {
            &rows[..(self.fetch - 1) as usize]
        } else {
            rows
        };
        let next_cursor = more
            .then(|| shown.last())
            .flatten()
            .and_then(|last| {
                let after = After {
                    s: self.sort.clone(),
                    k: last.try_get(KEY_COLUMN).ok()?,
                    i: last.try_get(TIEBREAK_COLUMN).ok()?,
                };
                serde_json::to_vec(&after).ok()
            })
            .map(|json| URL_SAFE_NO_PAD.encode(json));
        Page {
            items: shown.iter().map(item).collect(),
            next_cursor,
            total: total.min(TOTAL_CAP),
            total_exact: total <= TOTAL_CAP,
        }
    }
}

/// What a sorted list runs its statements on: a tenant's transaction, or a plain
/// connection on the control plane.
pub trait Statements: Send {
    fn rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<Row>, DbError>> + Send;

    /// The last statement of the unit of work: a transaction commits with it.
    fn last_rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<Row>, DbError>> + Send {
        self.rows(sql, params)
    }

    /// A list's two statements, the unit of work's last: the count, then the page.
    fn count_and_page(
        &mut self,
        count: (&str, &[&(dyn ToSql + Sync)]),
        page: (&str, &[&(dyn ToSql + Sync)]),
    ) -> impl Future<Output = Result<(Vec<Row>, Vec<Row>), DbError>> + Send {
        async move {
            let counted = self.rows(count.0, count.1).await?;
            Ok((counted, self.last_rows(page.0, page.1).await?))
        }
    }
}

impl Statements for TenantTx {
    fn rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<Row>, DbError>> + Send {
        self.query(sql, params)
    }

    fn last_rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<Row>, DbError>> + Send {
        self.query_last(sql, params)
    }

    /// Both in one exchange, with the transaction's start and end: one round trip.
    async fn count_and_page(
        &mut self,
        count: (&str, &[&(dyn ToSql + Sync)]),
        page: (&str, &[&(dyn ToSql + Sync)]),
    ) -> Result<(Vec<Row>, Vec<Row>), DbError> {
        let both = self.queries_last(&[count, page]).await?;
        let Ok([counted, rows]) = <[_; 2]>::try_from(both) else {
            unreachable!("two statements answer twice");
        };
        Ok((counted, rows))
    }
}

impl Statements for &tokio_postgres::Client {
    async fn rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, DbError> {
        Ok(self.query(sql, params).await?)
    }
}

/// Statement parameters built from a request.
pub type Params = Vec<Box<dyn ToSql + Sync + Send>>;

impl Keyset {
    /// One sorted page of `SELECT columns from_where` and the count of all its rows.
    /// `params` are the values `from_where` (`FROM … WHERE …`) refers to, from `$1`.
    /// The page is the unit of work's last statement: a transaction commits with it.
    pub async fn load<T>(
        &self,
        db: &mut impl Statements,
        columns: &str,
        from_where: &str,
        mut params: Params,
        item: impl Fn(&Row) -> T,
    ) -> Result<Page<T>, DbError> {
        let filtered = params.len();
        let sql = self.select_sql(columns, from_where, filtered);
        params.extend(self.values());
        let all = borrowed(&params);
        let (counted, rows) = db
            .count_and_page((&count_sql(from_where), &all[..filtered]), (&sql, &all))
            .await?;
        let total: i64 = counted.first().map_or(0, |r| r.get(0));
        Ok(self.page(&rows, item, total))
    }
}

/// Borrows boxed parameters the way `tokio_postgres` takes them.
pub fn borrowed(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

/// `SELECT count(*)` of the rows `from_where` (`FROM … WHERE …`) selects, stopping at one
/// more than [`TOTAL_CAP`] so a count never scans more than that.
pub fn count_sql(from_where: &str) -> String {
    format!(
        "SELECT count(*) FROM (SELECT 1 {from_where} LIMIT {}) AS counted",
        TOTAL_CAP + 1
    )
}

/// `ILIKE` pattern for a search term, with the term's own wildcards escaped.
pub fn search_pattern(q: Option<&str>) -> Result<Option<String>, ValidationError> {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
        return Ok(None);
    };
    if q.chars().count() > 100 {
        return Err(ValidationError::coded(
            "q",
            "too_long",
            "search terms are at most 100 characters",
        )
        .param("max", 100));
    }
    let mut p = String::with_capacity(q.len() + 2);
    p.push('%');
    for c in q.chars() {
        if matches!(c, '\\' | '%' | '_') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    Ok(Some(p))
}

fn invalid_cursor() -> ApiError {
    ApiError::bad_request("invalid_cursor", "the cursor is not one this API issued")
}

impl Paging {
    fn limit(&self, size: PageConfig) -> Result<i64, ApiError> {
        let limit = self.limit.unwrap_or(size.default_limit);
        if !(1..=size.max_limit).contains(&limit) {
            return Err(ApiError::Validation(vec![ValidationError::coded(
                "limit",
                "range",
                format!("must be between 1 and {}", size.max_limit),
            )
            .param("min", 1)
            .param("max", size.max_limit)]));
        }
        Ok(limit)
    }

    /// Parses a request for a list sorted by one of `sorts`: an unknown field is a 400
    /// `invalid_sort` naming the allowed ones, a cursor made for another sort a 400
    /// `invalid_cursor`.
    pub fn keyset(&self, size: PageConfig, sorts: Sorts) -> Result<Keyset, ApiError> {
        let limit = self.limit(size)?;
        let sort = self.sort.as_deref().unwrap_or(sorts.default);
        let (key, descending) = sorts.find(sort).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_sort",
                format!(
                    "sort must be one of {} (with '-' in front for descending)",
                    sorts.names()
                ),
            )
        })?;
        let after = match &self.cursor {
            None => None,
            Some(c) => {
                let after: After = URL_SAFE_NO_PAD
                    .decode(c)
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .ok_or_else(invalid_cursor)?;
                if after.s != sort {
                    return Err(ApiError::bad_request(
                        "invalid_cursor",
                        format!("the cursor belongs to sort '{}', not '{sort}'", after.s),
                    ));
                }
                Some(after)
            }
        };
        Ok(Keyset {
            sorts,
            key,
            sort: sort.to_owned(),
            descending,
            after,
            fetch: limit + 1,
        })
    }
}

/// A list that is whole: there is no next page.
impl<T> From<Vec<T>> for Page<T> {
    fn from(items: Vec<T>) -> Self {
        let total = items.len() as i64;
        Page {
            items,
            next_cursor: None,
            total,
            total_exact: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    const SIZE: PageConfig = PageConfig {
        default_limit: 2,
        max_limit: 10,
    };

    #[test]
    fn bad_limits_and_foreign_cursors_are_refused() {
        for limit in [0, 11] {
            let q = Paging {
                limit: Some(limit),
                ..Paging::default()
            };
            assert!(q.keyset(SIZE, SORTS).is_err());
        }
        let q = Paging {
            cursor: Some("nope".into()),
            ..Paging::default()
        };
        assert_eq!(
            q.keyset(SIZE, SORTS).err().map(|e| e.code()),
            Some("invalid_cursor")
        );
    }

    const SORTS: Sorts = Sorts::by_id(&[
        SortKey::new("created_at", "timestamptz"),
        SortKey::new("industry", "text").by("coalesce(industry, '')"),
    ]);

    #[test]
    fn sorts_are_the_declared_ones_newest_first_by_default() {
        let k = Paging::default().keyset(SIZE, SORTS).expect("default");
        assert_eq!(
            k.select_sql("id", "FROM t WHERE a = $1", 1),
            "SELECT id, (created_at)::text AS page_key, (id)::text AS page_tiebreak \
             FROM t WHERE a = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let q = Paging {
            sort: Some("industry".into()),
            ..Paging::default()
        };
        let k = q.keyset(SIZE, SORTS).expect("industry");
        assert!(k
            .select_sql("id", "FROM t", 0)
            .ends_with("ORDER BY coalesce(industry, '') ASC, id ASC LIMIT $1"));
        let q = Paging {
            sort: Some("-domain".into()),
            ..Paging::default()
        };
        let e = q.keyset(SIZE, SORTS).expect_err("unknown field");
        assert_eq!(e.code(), "invalid_sort");
        assert!(e.to_string().contains("created_at, industry"), "{e}");
    }

    #[test]
    fn a_cursor_is_refused_under_another_sort() {
        let after = After {
            s: "industry".into(),
            k: "Retail".into(),
            i: Uuid::now_v7().to_string(),
        };
        let cursor = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&after).expect("json"));
        let q = |sort: &str| Paging {
            cursor: Some(cursor.clone()),
            limit: None,
            sort: Some(sort.into()),
        };
        let k = q("industry").keyset(SIZE, SORTS).expect("same sort");
        assert!(k.select_sql("id", "FROM t WHERE $1", 1).contains(
            "WHERE $1 AND (coalesce(industry, ''), id) > (CAST($2::text AS text), CAST($3::text AS uuid)) \
             ORDER BY coalesce(industry, '') ASC, id ASC LIMIT $4"
        ));
        assert_eq!(k.values().len(), 3);
        let e = q("-industry").keyset(SIZE, SORTS).expect_err("other sort");
        assert_eq!(e.code(), "invalid_cursor");
    }

    #[test]
    fn search_escapes_wildcards() {
        assert_eq!(
            search_pattern(Some("50%_off")).ok().flatten().as_deref(),
            Some("%50\\%\\_off%")
        );
        assert_eq!(search_pattern(Some("  ")).ok().flatten(), None);
    }
}

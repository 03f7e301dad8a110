//! The ClickHouse SQL of the usage figures, built here only, so `scripts/sql-compat` runs
//! exactly what the control plane runs. Every query must run on ClickHouse 18.16 and on
//! a current engine: no query parameters (values go through [`quote`]), no
//! `toStartOfInterval` (buckets are `intDiv` of the epoch second), times as UTC literals.
//!
//! Per-request figures are props of the data plane's `api_request` events: `db_ms`
//! (database connection time), `wait_ms` (time queued for the tenant's share) and
//! `limited` (the problem code of a refusal). A prop an older API didn't send counts as
//! 0 or as not refused.

use atrium_analytics::clickhouse::quote;
use chrono::{DateTime, Utc};

/// A usage query's longest run; the control plane answers without the figures after it.
const MAX_EXECUTION_S: u32 = 20;

fn at(t: DateTime<Utc>) -> String {
    format!(
        "toDateTime({}, 'UTC')",
        quote(&t.format("%Y-%m-%d %H:%M:%S").to_string())
    )
}

/// A prop's value, '' when the event doesn't have it.
fn prop(key: &str) -> String {
    atrium_analytics::schema::prop_or(key, "''")
}

fn prop_u64(key: &str) -> String {
    format!("toUInt64OrZero({})", prop(key))
}

/// One tenant's `api_request` events in `[from, to)`, each once (FINAL), with the props
/// as columns `limited`, `db_ms` and `wait_ms`.
fn requests_of(tenant: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!(
        "(SELECT duration_ms, {} AS limited, {} AS db_ms, {} AS wait_ms
            FROM events FINAL
           WHERE tenant = {} AND name = 'api_request' AND ts >= {} AND ts < {})",
        prop("limited"),
        prop_u64("db_ms"),
        prop_u64("wait_ms"),
        quote(tenant),
        at(from),
        at(to)
    )
}

/// One row: `requests`, refusals by code, `latency` ([p50, p95, p99] in ms), `db_ms`, `wait_ms`.
pub fn tenant_totals(tenant: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!(
        "SELECT count() AS requests,
                countIf(limited = 'rate_limited') AS rate_limited,
                countIf(limited = 'tenant_busy') AS tenant_busy,
                countIf(limited = 'quota_exceeded') AS quota_exceeded,
                quantilesTiming(0.5, 0.95, 0.99)(duration_ms) AS latency,
                sum(db_ms) AS db_ms,
                sum(wait_ms) AS wait_ms
           FROM {}
         SETTINGS max_execution_time = {MAX_EXECUTION_S}",
        requests_of(tenant, from, to)
    )
}

/// One row per bucket of `bucket_s` seconds (UTC epoch aligned) that has requests:
/// `bucket` (its start, epoch seconds), `requests`, `rejected`, `p95_ms`, `db_ms`.
pub fn tenant_series(
    tenant: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    bucket_s: i64,
) -> String {
    format!(
        "SELECT toUInt64(intDiv(toUInt32(ts), {bucket_s}) * {bucket_s}) AS bucket,
                count() AS requests,
                countIf(limited != '') AS rejected,
                quantileTiming(0.95)(duration_ms) AS p95_ms,
                sum(db_ms) AS db_ms
           FROM (SELECT ts, duration_ms, {} AS limited, {} AS db_ms
                   FROM events FINAL
                  WHERE tenant = {} AND name = 'api_request' AND ts >= {} AND ts < {})
          GROUP BY bucket ORDER BY bucket
         SETTINGS max_execution_time = {MAX_EXECUTION_S}",
        prop("limited"),
        prop_u64("db_ms"),
        quote(tenant),
        at(from),
        at(to)
    )
}

/// What a top list of requests ranks by: each request once, or its database time (ms).
#[derive(Debug, Clone, Copy)]
pub enum RequestMeasure {
    Count,
    DbMs,
}

/// The `limit` tenants with the most requests (or database time) in `[from, to)`, most
/// first: `tenant`, `value`, and `total` over every tenant. With FINAL, so a replayed
/// batch counts once (current engines also collapse duplicates within one insert, 18.16
/// doesn't: without FINAL the two would disagree); [`MAX_EXECUTION_S`] bounds its cost.
pub fn top_requests(
    by: RequestMeasure,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u32,
) -> String {
    let value = match by {
        RequestMeasure::Count => "1".to_owned(),
        RequestMeasure::DbMs => prop_u64("db_ms"),
    };
    let filter = format!(
        "name = 'api_request' AND ts >= {} AND ts < {}",
        at(from),
        at(to)
    );
    format!(
        "SELECT tenant, toUInt64(sum({value})) AS value,
                (SELECT toUInt64(sum({value})) FROM events FINAL WHERE {filter}) AS total
           FROM events FINAL
          WHERE {filter}
          GROUP BY tenant
         HAVING value > 0
          ORDER BY value DESC, tenant
          LIMIT {limit}
         SETTINGS max_execution_time = {MAX_EXECUTION_S}"
    )
}

/// Every tenant's tracked events since `month_start` (API requests are not tracked
/// events), each counted once: `tenant`, `events`.
pub fn events_since(month_start: DateTime<Utc>) -> String {
    format!(
        "SELECT tenant, toUInt64(uniqExact(event_id)) AS events
           FROM events
          WHERE ts >= {} AND name != 'api_request'
          GROUP BY tenant
          ORDER BY tenant
         SETTINGS max_execution_time = {MAX_EXECUTION_S}",
        at(month_start)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_reach_the_sql_quoted() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let sql = tenant_totals("o'brien", t, t);
        assert!(sql.contains("tenant = 'o\\'brien'"), "{sql}");
        assert!(
            sql.contains("toDateTime('2023-11-14 22:13:20', 'UTC')"),
            "{sql}"
        );
        assert!(!sql.contains("toStartOfInterval"));
    }
}

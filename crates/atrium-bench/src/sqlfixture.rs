//! The data and SQL for `scripts/sql-compat`: the ClickHouse schema (for one server and
//! for shards), a deterministic data set with duplicate rows, every dashboard query
//! exactly as the API builds it, and the control plane's usage queries over the data
//! plane's `api_request` events.

use atrium_analytics::{clickhouse, query::Scope};
use atrium_control::usage::queries::{self as usage, RequestMeasure};
use atrium_core::config::DEV_CLICKHOUSE_CLUSTER;
use chrono::{TimeZone, Utc};
use rand::{rngs::SmallRng, Rng, SeedableRng};
use serde_json::{json, Value};

const TENANTS: &[&str] = &["acme", "globex", "initech"];
/// The database `scripts/sql_compat.py` loads the fixture into, on every server.
const DATABASE: &str = "compat";
/// Dynamic segments of every kind the route templates group, with and without the app's
/// base path, and one SDK-supplied template (`$route`).
const PATHS: &[&str] = &[
    "/",
    "/pricing",
    "/docs",
    "/signup",
    "/customers/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
    "/app/t/acme/customers/12",
    "/app/t/acme",
    "/orders/deadbeefdeadbeefdeadbeef/items/7",
];

/// `n` API requests as the data plane records them: some refused (with the problem code
/// in `limited`), some from an API too old to send `db_ms` and `wait_ms`, a few replayed.
fn requests(rng: &mut SmallRng, start: chrono::DateTime<Utc>, n: usize) -> Vec<Value> {
    let mut rows = Vec::with_capacity(n + n / 20);
    for i in 0..n {
        let tenant = TENANTS[rng.gen_range(0..TENANTS.len())];
        let ts = start + chrono::Duration::seconds(rng.gen_range(0..10 * 86_400));
        let at = ts.format("%Y-%m-%d %H:%M:%S").to_string();
        let status = ["200", "200", "200", "429", "403"][rng.gen_range(0..5)];
        let (mut keys, mut values) = (
            vec!["route", "status"],
            vec!["/v1/t/{tenant}/customers".to_owned(), status.to_owned()],
        );
        if rng.gen_range(0..10) > 0 {
            keys.extend(["db_ms", "wait_ms"]);
            values.extend([
                rng.gen_range(0..500_u32).to_string(),
                rng.gen_range(0..50_u32).to_string(),
            ]);
        }
        let limited = match status {
            "429" => ["rate_limited", "tenant_busy"][rng.gen_range(0..2)],
            "403" => "quota_exceeded",
            _ => "",
        };
        if !limited.is_empty() {
            keys.push("limited");
            values.push(limited.to_owned());
        }
        let row = json!({"tenant": tenant, "event_id": format!("00000000-0000-7000-9000-{i:012}"), "name": "api_request",
            "actor": "", "session_id": "", "path": "", "url": "", "referrer": "", "user_agent": "", "ts": at, "client_ts": at,
            "duration_ms": rng.gen_range(1..2_000_u64), "prop_keys": keys, "prop_values": values});
        if rng.gen_range(0..20) == 0 {
            rows.push(row.clone());
        }
        rows.push(row);
    }
    rows
}

pub fn build(events: usize) -> anyhow::Result<Value> {
    let mut rows = Vec::with_capacity(events + events / 20);
    // Seeded: every run checks the same data on both engines.
    let mut rng = SmallRng::seed_from_u64(0x2545_F491_4F6C_DD1D);
    let mut next = |m: u64| rng.gen_range(0..m);
    let start = Utc
        .with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .single()
        .ok_or_else(|| anyhow::anyhow!("date"))?;
    for i in 0..events {
        let tenant = TENANTS[next(TENANTS.len() as u64) as usize];
        let actor = format!("u{}", next(50));
        let ts = start + chrono::Duration::seconds(next(10 * 86_400) as i64);
        let (name, dur) = match next(10) {
            0..=4 => ("pageview", 0),
            5 => ("click", 0),
            6 => ("signup", 0),
            7 => ("purchase", 0),
            _ => ("dwell", 200 + next(20_000)),
        };
        let plan = if next(2) == 0 { "pro" } else { "free" };
        let (keys, values) = match next(8) {
            0 => (vec!["plan", "$route"], vec![plan, "/customers/:id"]),
            _ => (vec!["plan"], vec![plan]),
        };
        let row = json!({"tenant": tenant, "event_id": format!("00000000-0000-7000-8000-{i:012}"), "name": name, "actor": actor,
            "session_id": format!("s{}", next(3)), "path": PATHS[next(PATHS.len() as u64) as usize], "url": "", "referrer": "",
            "user_agent": "", "ts": ts.format("%Y-%m-%d %H:%M:%S").to_string(), "client_ts": ts.format("%Y-%m-%d %H:%M:%S").to_string(),
            "duration_ms": dur, "prop_keys": keys, "prop_values": values});
        if next(20) == 0 {
            rows.push(row.clone()); // a replayed insert
        }
        rows.push(row);
    }
    rows.extend(requests(&mut rng, start, events / 4));
    let end = start + chrono::Duration::days(10);
    let scope = Scope::new("acme", start, end)?;
    let mut queries = crate::dashboard_queries(&scope, true)?;
    let mid = start + chrono::Duration::days(5);
    queries.extend([
        ("usage_totals", usage::tenant_totals("acme", start, end)),
        (
            "usage_series_hour",
            usage::tenant_series("acme", mid, end, 3_600),
        ),
        (
            "usage_series_day",
            usage::tenant_series("globex", start, end, 86_400),
        ),
        (
            "usage_top_requests",
            usage::top_requests(RequestMeasure::Count, start, end, 10),
        ),
        (
            "usage_top_db_time",
            usage::top_requests(RequestMeasure::DbMs, start, end, 2),
        ),
        ("usage_events_month", usage::events_since(mid)),
    ]);
    let queries: serde_json::Map<String, Value> = queries
        .into_iter()
        .map(|(name, sql)| (name.to_owned(), Value::String(sql)))
        .collect();
    // Split exactly as `atrium migrate` splits them.
    let schema: Vec<String> = atrium_analytics::schema::CLICKHOUSE
        .iter()
        .flat_map(|m| clickhouse::statements(m.sql))
        .collect();
    // What `atrium migrate` runs on each shard when events go over shards.
    let mut sharded: Vec<String> = schema.iter().map(|s| clickhouse::on_shard(s)).collect();
    sharded.push(clickhouse::distributed_events(
        DEV_CLICKHOUSE_CLUSTER,
        DATABASE,
    ));
    Ok(json!({
        "database": DATABASE,
        "cluster": DEV_CLICKHOUSE_CLUSTER,
        "schema": schema,
        "sharded_schema": sharded,
        "rows": rows,
        "queries": queries,
    }))
}

//! Usage: the sampler measures storage, rows written and events per tenant and flips the
//! quota flags with a NOTIFY; the usage and top endpoints attribute requests, refusals,
//! latency and database time to tenants.

use std::time::Duration;

use atrium_core::domain::LimitOverrides;
use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::{operator_api::Api, TestControl};

/// The payloads NOTIFYed on the channel the data planes LISTEN on.
struct Listener {
    rx: mpsc::UnboundedReceiver<String>,
    _client: tokio_postgres::Client,
}

impl Listener {
    async fn start(t: &TestControl) -> Self {
        let (client, mut conn) =
            tokio_postgres::connect(&t.db.superuser_url, tokio_postgres::NoTls)
                .await
                .expect("listen connection");
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut messages = futures::stream::poll_fn(move |cx| conn.poll_message(cx));
            while let Some(Ok(msg)) = messages.next().await {
                if let tokio_postgres::AsyncMessage::Notification(n) = msg {
                    let _ = tx.send(n.payload().to_owned());
                }
            }
        });
        client
            .batch_execute(&format!("LISTEN {}", atrium_core::TENANT_CHANNEL))
            .await
            .expect("LISTEN");
        Self {
            rx,
            _client: client,
        }
    }

    /// Everything heard within `wait`.
    async fn heard(&mut self, wait: Duration) -> Vec<String> {
        let mut out = Vec::new();
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some(p)) = tokio::time::timeout_at(deadline, self.rx.recv()).await {
            out.push(p);
        }
        out
    }
}

/// Replaces `slug`'s limit overrides, as `PATCH /v1/tenants/{slug}` does.
async fn set_limits(t: &TestControl, slug: &str, limits: LimitOverrides) {
    let change = atrium_control::lifecycle::TenantChange {
        limits: Some(limits),
        ..Default::default()
    };
    t.control
        .update(slug, &change, "test")
        .await
        .expect("limits");
}

fn storage_quota(bytes: Option<u64>) -> LimitOverrides {
    LimitOverrides {
        storage_bytes: bytes,
        ..Default::default()
    }
}

fn events_quota(events: u64) -> LimitOverrides {
    LimitOverrides {
        events_per_month: Some(events),
        ..Default::default()
    }
}

/// `n` customers of about 500 bytes each in `slug`'s schema.
async fn fill(t: &TestControl, slug: &str, n: i32) {
    t.db.superuser()
        .await
        .execute(
            &format!(
                "INSERT INTO t_{slug}.customers (id, name, domain) SELECT gen_random_uuid(), repeat('x', 190) || i, repeat('d', 240)
                   FROM generate_series(1, $1) i"
            ),
            &[&n],
        )
        .await
        .expect("fill");
}

async fn flags(t: &TestControl, slug: &str) -> (Option<i64>, bool, Option<i64>, bool) {
    let r =
        t.db.superuser()
            .await
            .query_one(
                "SELECT storage_bytes, storage_over_quota, events_month, events_over_quota
               FROM atrium_control.tenants WHERE slug = $1",
                &[&slug],
            )
            .await
            .expect("tenant");
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

/// Finding: storage grew without bound and nothing measured it. The sampler measures
/// each schema, and a tenant over its storage quota (an override below its size) gets its
/// flag set with a NOTIFY to every data plane, then cleared with another once the quota
/// is raised; a pass that changes no flag notifies nobody.
#[tokio::test]
async fn storage_is_measured_per_schema_and_the_quota_flag_flips_with_a_notify() {
    let t = TestControl::new().await;
    t.provision("big").await;
    t.provision("small").await;
    fill(&t, "big", 8_000).await;
    let mut listener = Listener::start(&t).await;

    let first = t.control.sample_usage_now().await.expect("sample");
    assert_eq!(first.storage_measured, 2);
    assert!(first.storage_flipped.is_empty(), "{first:?}");
    let (big, big_over, ..) = flags(&t, "big").await;
    let (small, small_over, ..) = flags(&t, "small").await;
    let (big, small) = (big.expect("measured"), small.expect("measured"));
    assert!(big > 2 << 20 && big > small, "big {big}, small {small}");
    assert!(!big_over && !small_over);
    let live_size: i64 = t
        .count(
            "SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 't_big' AND c.relkind IN ('r', 'm')",
            &[],
        )
        .await;
    assert!((big - live_size).abs() < 256 * 1024, "{big} vs {live_size}");
    assert_eq!(
        t.count(
            "SELECT count(*) FROM atrium_control.tenant_usage_samples",
            &[]
        )
        .await,
        2
    );
    assert!(listener.heard(Duration::from_millis(300)).await.is_empty());

    // The override below its size: the update sets the flag from the last measurement
    // at once and notifies; the sampler's pass agrees and has nothing to flip.
    set_limits(&t, "big", storage_quota(Some(1 << 20))).await;
    assert_eq!(listener.heard(Duration::from_millis(500)).await, ["big"]);
    assert!(flags(&t, "big").await.1, "big is over its quota");
    assert!(!flags(&t, "small").await.1, "small is not");
    let over = t.control.sample_usage_now().await.expect("sample");
    assert!(over.storage_flipped.is_empty(), "{over:?}");

    let again = t.control.sample_usage_now().await.expect("sample");
    assert!(again.storage_flipped.is_empty());
    assert!(listener.heard(Duration::from_millis(300)).await.is_empty());

    set_limits(&t, "big", storage_quota(None)).await;
    assert_eq!(listener.heard(Duration::from_millis(500)).await, ["big"]);
    assert!(
        !flags(&t, "big").await.1,
        "back under the plan's quota at once"
    );

    // A measurement over the quota is what the sampler flips on its own.
    let room = (small as u64 + (256 << 10)).max(1 << 20);
    set_limits(&t, "small", storage_quota(Some(room))).await;
    fill(&t, "small", 8_000).await;
    assert_eq!(listener.heard(Duration::from_millis(500)).await, ["small"]);
    let grown = t.control.sample_usage_now().await.expect("sample");
    assert_eq!(grown.storage_flipped, ["small"]);
    assert_eq!(listener.heard(Duration::from_millis(500)).await, ["small"]);
    assert!(flags(&t, "small").await.1, "small grew over its quota");
}

/// A migration holding a lock on one tenant's table must not wedge the sampler: that
/// tenant is skipped after `control.usage.lock_timeout_ms`, the others are measured.
#[tokio::test]
async fn a_locked_schema_is_skipped_not_waited_for() {
    let mut t = TestControl::new().await;
    t.control.config.usage.lock_timeout_ms = 200;
    t.provision("locked").await;
    t.provision("free_one").await;
    let su = t.db.superuser().await;
    su.batch_execute("BEGIN; LOCK TABLE t_locked.customers IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let started = std::time::Instant::now();
    let s = t.control.sample_usage_now().await.expect("sample");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        (s.storage_measured, s.storage_skipped.as_slice()),
        (1, ["locked".to_owned()].as_slice())
    );
    assert!(flags(&t, "free_one").await.0.is_some());
    assert_eq!(
        flags(&t, "locked").await.0,
        None,
        "not measured, not made up"
    );
    su.batch_execute("ROLLBACK").await.expect("unlock");
    let s = t.control.sample_usage_now().await.expect("sample");
    assert_eq!(s.storage_measured, 2, "measured once the lock is gone");
}

/// Finding: nothing said which tenant writes how much. Rows inserted, updated and deleted
/// are counted per schema, and the usage report gives the delta over its window.
#[tokio::test]
async fn rows_written_are_counted_per_schema() {
    let t = TestControl::new().await;
    t.provision("writer").await;
    t.provision("idle").await;
    // PostgreSQL publishes a session's counters up to a second after its commit.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    t.control.sample_usage_now().await.expect("baseline");
    let su = t.db.superuser().await;
    su.batch_execute(
        "INSERT INTO t_writer.customers (id, name) SELECT gen_random_uuid(), 'c' || i FROM generate_series(1, 30) i;
         UPDATE t_writer.customers SET name = name || '!' WHERE id IN (SELECT id FROM t_writer.customers LIMIT 10);
         DELETE FROM t_writer.customers WHERE id IN (SELECT id FROM t_writer.customers LIMIT 5);",
    )
    .await
    .expect("writes");
    drop(su);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        t.control.sample_usage_now().await.expect("sample");
        if written(&t, "writer").await >= Some(45) || tokio::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(
        written(&t, "writer").await,
        Some(45),
        "30 inserted + 10 updated + 5 deleted"
    );
    assert_eq!(written(&t, "idle").await, Some(0));
}

/// Rows written over the last hour, as the usage report gives them.
async fn written(t: &TestControl, slug: &str) -> Option<i64> {
    let hour = atrium_control::usage::Window::Hour;
    let usage = t.control.tenant_usage(slug, hour).await.expect("usage");
    usage.totals.rows_written
}

fn event(
    tenant: &str,
    name: &str,
    ts: DateTime<Utc>,
    duration_ms: u64,
    props: &[(&str, &str)],
) -> Value {
    let id = uuid::Uuid::from_u128(rand::thread_rng().gen::<u128>());
    let at = ts.format("%Y-%m-%d %H:%M:%S").to_string();
    json!({"tenant": tenant, "event_id": id.to_string(), "name": name, "actor": "",
        "session_id": "", "path": "", "url": "", "referrer": "", "user_agent": "",
        "ts": at, "client_ts": at, "duration_ms": duration_ms,
        "prop_keys": props.iter().map(|p| p.0).collect::<Vec<_>>(),
        "prop_values": props.iter().map(|p| p.1).collect::<Vec<_>>()})
}

/// An `api_request` as the data plane emits it.
fn request(
    tenant: &str,
    ago: TimeDelta,
    duration_ms: u64,
    db_ms: u64,
    limited: Option<&str>,
) -> Value {
    let db = db_ms.to_string();
    let mut props = vec![
        ("route", "/v1/t/{tenant}/customers"),
        ("method", "GET"),
        ("db_ms", db.as_str()),
        ("wait_ms", "5"),
    ];
    if let Some(code) = limited {
        props.push(("status", "429"));
        props.push(("limited", code));
    } else {
        props.push(("status", "200"));
    }
    event(tenant, "api_request", Utc::now() - ago, duration_ms, &props)
}

async fn insert(ch: &atrium_analytics::clickhouse::ClickHouse, rows: &[Value]) {
    let body: String = rows.iter().map(|r| format!("{r}\n")).collect();
    ch.insert_json_rows("events", body.into_bytes())
        .await
        .expect("insert events");
}

/// Finding: analytics had a monthly quota nobody counted. The sampler counts each
/// tenant's tracked events this month in ClickHouse (each once; API requests and last
/// month's events don't count) and flips the events flag with a NOTIFY; with ClickHouse
/// down the flags stay as they are.
#[tokio::test]
async fn events_quota_flips_with_the_monthly_count_in_clickhouse() {
    let t = TestControl::with_clickhouse().await;
    t.provision("busy").await;
    t.provision("calm").await;
    let now = Utc::now();
    let last_month = atrium_analytics::zone::utc_month_start(now) - TimeDelta::days(1);
    let tracked = event("busy", "signup", now, 0, &[]);
    let mut rows = vec![tracked.clone(), tracked];
    rows.extend((0..4).map(|_| event("busy", "pageview", now, 0, &[])));
    rows.extend((0..3).map(|_| request("busy", TimeDelta::zero(), 5, 1, None)));
    rows.push(event("busy", "pageview", last_month, 0, &[]));
    rows.push(event("calm", "pageview", now, 0, &[]));
    insert(&t.clickhouse(), &rows).await;
    set_limits(&t, "busy", events_quota(5)).await;
    let mut listener = Listener::start(&t).await;

    let s = t.control.sample_usage_now().await.expect("sample");
    assert!(s.events_counted);
    assert_eq!(s.events_flipped, ["busy"]);
    assert_eq!(listener.heard(Duration::from_millis(500)).await, ["busy"]);
    let (_, _, events, over) = flags(&t, "busy").await;
    assert_eq!(
        events,
        Some(5),
        "each event once, this month's, no API requests"
    );
    assert!(over, "5 of 5: the month's events are used up");
    assert_eq!(
        (flags(&t, "calm").await.2, flags(&t, "calm").await.3),
        (Some(1), false)
    );

    // ClickHouse unreachable: nothing counted, nothing flipped, nothing notified.
    let mut dead = t.db.config.clickhouse.clone();
    dead.url = format!(
        "http://127.0.0.1:{}",
        atrium_testkit::ports::free_port().expect("port")
    );
    let blind = t.another().with_clickhouse(&dead).expect("client");
    assert_eq!(blind.sample_events().await.expect("pass"), None);
    assert!(flags(&t, "busy").await.3, "fail open: the flag stays");
    assert!(listener.heard(Duration::from_millis(300)).await.is_empty());

    // A bigger quota clears the flag at once, from the last count, and notifies.
    set_limits(&t, "busy", events_quota(6)).await;
    assert_eq!(listener.heard(Duration::from_millis(500)).await, ["busy"]);
    assert!(!flags(&t, "busy").await.3, "5 of 6");
    let s = t.control.sample_usage_now().await.expect("sample");
    assert!(s.events_flipped.is_empty(), "the pass agrees: {s:?}");
}

/// An operator API over a database whose ClickHouse is the shared test server.
async fn api_with_clickhouse() -> Api {
    let t = TestControl::with_clickhouse().await;
    Api::spawn_on(t).await
}

async fn create(api: &Api, slug: &str, plan: &str) {
    let (s, b) = api
        .call(
            Method::POST,
            "/v1/tenants",
            Some(json!({"slug": slug, "plan": plan})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

/// Finding: per-tenant response times and refusals were nowhere. The usage report gives
/// a tenant's requests, refusals by code, p50/p95/p99, database and queue time over a
/// window, bucketed, with storage and events against their quotas; bad windows are 422.
#[tokio::test]
async fn tenant_usage_reports_requests_refusals_latency_and_db_time_per_window() {
    let api = api_with_clickhouse().await;
    create(&api, "acme", "pro").await;
    create(&api, "other", "free").await;
    let ten = TimeDelta::minutes(10);
    let replayed = request("acme", ten, 40, 400, None);
    let rows = vec![
        request("acme", ten, 10, 100, None),
        request("acme", ten, 20, 200, Some("rate_limited")),
        request("acme", ten, 30, 300, Some("tenant_busy")),
        replayed.clone(),
        replayed,
        request(
            "acme",
            TimeDelta::hours(3),
            1_000,
            2_000,
            Some("quota_exceeded"),
        ),
        request("other", ten, 5, 5, None),
        event("acme", "pageview", Utc::now(), 0, &[]),
    ];
    insert(&api.t.clickhouse(), &rows).await;
    let (s, done) = api.call(Method::POST, "/v1/usage/sample", None).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["events_counted"], true, "{done}");

    let (s, u) = api
        .call(Method::GET, "/v1/tenants/acme/usage?window=1h", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{u}");
    let totals = &u["totals"];
    assert_eq!(totals["requests"], 4, "the replayed batch counts once: {u}");
    assert_eq!(
        totals["rejected"],
        json!({"rate_limited": 1, "tenant_busy": 1, "quota_exceeded": 0})
    );
    assert_eq!(totals["db_seconds"], 1.0);
    assert_eq!(totals["wait_seconds"], 0.02);
    assert_eq!(totals["p99_ms"], 40.0);
    let p50 = totals["p50_ms"].as_f64().expect("p50");
    assert!((20.0..=30.0).contains(&p50), "{p50}");
    assert!(
        totals["storage_bytes"].as_i64().is_some_and(|b| b > 0),
        "{totals}"
    );
    assert_eq!(
        totals["storage_quota_bytes"],
        1_u64 << 50,
        "the test config's roomy plans"
    );
    assert_eq!(totals["events_month"], 1);
    assert_eq!(u["bucket"], "5m");
    let series = u["series"].as_array().expect("series");
    assert!((12..=13).contains(&series.len()), "{}", series.len());
    let sum: u64 = series.iter().filter_map(|p| p["requests"].as_u64()).sum();
    assert_eq!(sum, 4);
    assert!(
        series.iter().all(|p| p["db_seconds"].is_number()),
        "zeros where nothing ran"
    );
    let sources: Vec<(&str, bool)> = u["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| (s["name"].as_str().unwrap_or(""), s["available"] == true))
        .collect();
    assert_eq!(sources, [("clickhouse", true), ("samples", true)]);

    let (_, day) = api
        .call(Method::GET, "/v1/tenants/acme/usage?window=24h", None)
        .await;
    assert_eq!(day["totals"]["requests"], 5, "{day}");
    assert_eq!(day["totals"]["rejected"]["quota_exceeded"], 1);
    assert_eq!(day["bucket"], "hour");
    assert!((24..=25).contains(&day["series"].as_array().map_or(0, Vec::len)));
    let (_, month) = api
        .call(Method::GET, "/v1/tenants/acme/usage?window=30d", None)
        .await;
    assert_eq!(
        (
            month["bucket"].as_str(),
            month["totals"]["requests"].as_u64()
        ),
        (Some("day"), Some(5))
    );

    let (s, bad) = api
        .call(Method::GET, "/v1/tenants/acme/usage?window=2h", None)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(bad["code"], "validation_failed");
    assert_eq!(
        (
            bad["errors"][0]["field"].as_str(),
            bad["errors"][0]["code"].as_str()
        ),
        (Some("window"), Some("one_of"))
    );
    let (s, bad) = api
        .call(Method::GET, "/v1/tenants/nobody/usage", None)
        .await;
    assert_eq!(
        (s, bad["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("tenant_not_found"))
    );
    let (s, bad) = api.call(Method::GET, "/v1/tenants/NO!/usage", None).await;
    assert_eq!(
        (s, bad["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_tenant_slug"))
    );

    let (_, audit) = api
        .call(Method::GET, "/v1/audit?action=usage.sample", None)
        .await;
    assert_eq!(audit["items"][0]["actor"], "token:admin", "{audit}");
}

/// Finding: operators could not tell who uses what. Top lists name the biggest tenant by
/// database time, requests, storage and events, with shares of the total; the overview
/// carries the totals and five of each; bad parameters are 422.
#[tokio::test]
async fn top_names_the_biggest_tenant_by_each_measure() {
    let api = api_with_clickhouse().await;
    create(&api, "heavy", "enterprise").await;
    create(&api, "chatty", "free").await;
    fill(&api.t, "heavy", 4_000).await;
    let ago = TimeDelta::minutes(5);
    let mut rows: Vec<Value> = (0..2)
        .map(|_| request("heavy", ago, 900, 5_000, None))
        .collect();
    rows.extend((0..6).map(|_| request("chatty", ago, 3, 10, None)));
    rows.extend((0..3).map(|_| event("chatty", "click", Utc::now(), 0, &[])));
    rows.push(event("heavy", "click", Utc::now(), 0, &[]));
    insert(&api.t.clickhouse(), &rows).await;
    let (s, _) = api.call(Method::POST, "/v1/usage/sample", None).await;
    assert_eq!(s, StatusCode::OK);

    let first = |top: &Value| {
        (
            top["entries"][0]["slug"].as_str().unwrap_or("").to_owned(),
            top["entries"][0]["value"].as_f64().unwrap_or(-1.0),
        )
    };
    let (s, db) = api
        .call(Method::GET, "/v1/usage/top?by=db_time", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{db}");
    assert_eq!(first(&db), ("heavy".to_owned(), 10.0), "{db}");
    assert_eq!(
        (db["unit"].as_str(), db["total"].as_f64()),
        (Some("seconds"), Some(10.06))
    );
    assert_eq!(db["entries"][0]["plan"], "enterprise");
    let share = db["entries"][0]["share_of_total"].as_f64().unwrap_or(0.0);
    assert!((share - 10.0 / 10.06).abs() < 1e-9, "{share}");
    let (_, req) = api
        .call(
            Method::GET,
            "/v1/usage/top?by=requests&window=1h&limit=1",
            None,
        )
        .await;
    assert_eq!(first(&req), ("chatty".to_owned(), 6.0), "{req}");
    assert_eq!(req["entries"].as_array().map(Vec::len), Some(1));
    let (_, storage) = api
        .call(Method::GET, "/v1/usage/top?by=storage", None)
        .await;
    assert_eq!(first(&storage).0, "heavy", "{storage}");
    let (_, events) = api.call(Method::GET, "/v1/usage/top?by=events", None).await;
    assert_eq!(first(&events), ("chatty".to_owned(), 3.0), "{events}");

    for bad in [
        "by=cpu",
        "window=24h",
        "by=requests&limit=0",
        "by=requests&limit=101",
        "by=requests&window=1y",
    ] {
        let (s, b) = api
            .call(Method::GET, &format!("/v1/usage/top?{bad}"), None)
            .await;
        assert_eq!(
            (s, b["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
            "{bad}: {b}"
        );
    }
    let (s, b) = api
        .call(Method::GET, "/v1/usage/top?by=requests&limit=ten", None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");

    let (s, o) = api.call(Method::GET, "/v1/overview", None).await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert_eq!(o["total_usage"]["requests"], 8.0, "{o}");
    assert_eq!(o["total_usage"]["events_month"], 4.0);
    assert_eq!(first(&o["top"]["db_time"]).0, "heavy");
    assert_eq!(first(&o["top"]["requests"]).0, "chatty");
    assert_eq!(first(&o["top"]["storage"]).0, "heavy");
    assert_eq!(first(&o["top"]["events"]).0, "chatty");
    assert!(o["top_tenants"].is_array(), "kept as it was");
}

/// Without analytics the request figures are null and the source says why, never 0.
#[tokio::test]
async fn usage_without_analytics_is_null_not_zero() {
    let api = Api::spawn_on(TestControl::new().await).await;
    create(&api, "plain", "free").await;
    let (s, u) = api
        .call(Method::GET, "/v1/tenants/plain/usage?window=1h", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert!(
        u["totals"]["requests"].is_null() && u["totals"]["db_seconds"].is_null(),
        "{u}"
    );
    assert!(u["series"][0]["requests"].is_null());
    assert_eq!(u["sources"][0]["available"], false);
    assert!(u["sources"][0]["note"].is_string());
    let (_, top) = api
        .call(Method::GET, "/v1/usage/top?by=requests", None)
        .await;
    assert_eq!(
        (top["available"].as_bool(), top["total"].is_null()),
        (Some(false), true),
        "{top}"
    );
    let (_, o) = api.call(Method::GET, "/v1/overview", None).await;
    assert!(o["total_usage"]["requests"].is_null(), "{o}");
}

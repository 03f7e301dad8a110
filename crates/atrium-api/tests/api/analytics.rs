//! Tracking through the API and the dashboards, against a real ClickHouse.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{assert_invalid, assert_problem, send, TestApp, TestTenant};

async fn count(app: &TestApp, tenant: &str, name: &str) -> u64 {
    let ch = app.clickhouse.as_ref().expect("clickhouse");
    #[derive(serde::Deserialize)]
    struct N {
        n: u64,
    }
    let sql = format!(
        "SELECT count() AS n FROM events FINAL WHERE tenant = {} AND name = {}",
        atrium_analytics::clickhouse::quote(tenant),
        atrium_analytics::clickhouse::quote(name)
    );
    ch.query::<N>(&sql)
        .await
        .expect("count")
        .first()
        .map_or(0, |r| r.n)
}

async fn wait_count(app: &TestApp, tenant: &str, name: &str, want: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = count(app, tenant, name).await;
        if n >= want || Instant::now() > deadline {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn pageviews(n: usize, path: &str) -> Vec<Value> {
    (0..n)
        .map(|i| json!({"event_id": uuid::Uuid::now_v7(), "name": "pageview", "actor": format!("u{}", i % 7), "session_id": "s1", "path": path}))
        .collect()
}

/// Server-side and browser events land exactly once, a retried batch included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_through_the_api_are_counted_exactly_once() {
    let app = TestApp::spawn_with_analytics(|_| {}).await;
    let t = app.tenant("acme").await;
    for i in 0..12 {
        app.customer(&t, &format!("Customer {i}")).await;
    }
    let batch = json!({"events": pageviews(50, "/pricing")});
    for _ in 0..2 {
        // The SDK retries a batch it isn't sure about; event_id makes that harmless.
        let (s, body) = app.post(&t, "/events", batch.clone()).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["accepted"], 50);
    }
    assert_eq!(wait_count(&app, "acme", "customer_created", 12).await, 12);
    assert_eq!(
        wait_count(&app, "acme", "pageview", 50).await,
        50,
        "the retried batch counts once"
    );
    assert_eq!(
        wait_count(&app, "acme", "api_request", 14).await,
        14,
        "12 creates and 2 batches"
    );
    // Each request says what it cost its tenant: the usage pages add these up.
    #[derive(serde::Deserialize)]
    struct Cost {
        n: u64,
        with_db: u64,
    }
    let ch = app.clickhouse.as_ref().expect("clickhouse");
    let cost = ch
        .query::<Cost>(
            "SELECT count() AS n,
                    countIf(has(prop_keys, 'db_ms') AND has(prop_keys, 'wait_ms')) AS with_db
             FROM events FINAL WHERE tenant = 'acme' AND name = 'api_request'",
        )
        .await
        .expect("cost");
    assert_eq!((cost[0].n, cost[0].with_db), (14, 14));

    assert_eq!(pageviews_on_the_trend(&app, &t).await, 50);
}

/// The pageviews the tenant's hourly trend dashboard adds up to.
async fn pageviews_on_the_trend(app: &TestApp, t: &TestTenant) -> u64 {
    let (s, trend) = app
        .get(t, "/analytics/trends?name=pageview&interval=hour")
        .await;
    assert_eq!(s, StatusCode::OK, "{trend}");
    trend
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["n"].as_u64().unwrap_or(0))
        .sum()
}

#[tokio::test]
async fn bad_batches_are_refused_whole_and_rate_limited() {
    let app = TestApp::spawn_with_analytics(|c| c.analytics.ingest_rate_per_tenant = 1).await;
    let t = app.tenant("acme").await;
    let (s, body) = app
        .post(
            &t,
            "/events",
            json!({"events": [{"name": "pageview"}, {"name": "Bad Name"}]}),
        )
        .await;
    assert_invalid(s, &body, "events[1].name");
    let (s, body) = app
        .post(&t, "/events", json!({"events": pageviews(101, "/")}))
        .await;
    assert_problem(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    // A rate of 1 per second allows a burst of 2; the third batch is refused.
    let res = app
        .req(&t, Method::POST, "/events")
        .json(&json!({"events": pageviews(1, "/")}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let (s, body) = app
        .post(&t, "/events", json!({"events": pageviews(101, "/")}))
        .await;
    assert_problem(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        count(&app, "acme", "pageview").await,
        0,
        "nothing from a refused batch was kept"
    );
}

/// Finding 1: `"client_ts":"+10000-01-01T00:00:00Z"` was accepted (202), and ClickHouse
/// refused the row later, stalling delivery for every tenant. Every field ClickHouse
/// can't store as sent is now a 422 naming it, and nothing of the batch is spooled.
#[tokio::test]
async fn poison_events_are_refused_at_ingest_naming_the_field() {
    let app = TestApp::spawn().await;
    let t = app.tenant("acme").await;
    let long = |n: usize| "x".repeat(n);
    let many_props: serde_json::Map<String, Value> =
        (0..33).map(|i| (format!("k{i}"), json!("v"))).collect();
    let cases: Vec<(&str, Value)> = vec![
        ("client_ts", json!("+10000-01-01T00:00:00Z")),
        ("client_ts", json!("2106-01-01T00:00:00Z")),
        ("client_ts", json!("1969-12-31T23:59:59Z")),
        ("client_ts", json!("-0001-01-01T00:00:00Z")),
        ("name", json!(long(65))),
        ("actor", json!(long(129))),
        ("session_id", json!(long(129))),
        ("path", json!(long(2049))),
        ("url", json!(long(2049))),
        ("referrer", json!(long(2049))),
        ("duration_ms", json!(24 * 3600 * 1000 + 1)),
        ("props", Value::Object(many_props)),
        ("props", json!({"k": long(1025)})),
        ("props", json!({long(65): "v"})),
        ("props", json!({"": "v"})),
    ];
    for (field, value) in &cases {
        let mut event = json!({"name": "pageview", "props": {"case": field}});
        event[*field] = value.clone();
        let batch = json!({"events": [{"name": "pageview"}, event]});
        let (s, body) = app.post(&t, "/events", batch).await;
        assert_problem(
            s,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        );
        assert_eq!(
            body["errors"][0]["field"],
            format!("events[1].{field}"),
            "{field} = {value}: {body}"
        );
    }
    // The edges of what ClickHouse stores are accepted.
    for ts in ["1970-01-01T00:00:00Z", "2105-12-31T23:59:59Z"] {
        let (s, body) = app
            .post(
                &t,
                "/events",
                json!({"events": [{"name": "edge", "client_ts": ts}]}),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{ts}: {body}");
    }
    let (s, _) = app
        .post(&t, "/events", json!({"events": [{"name": "marker"}]}))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let events = app.spooled_until(|e| e.name == "marker").await;
    let browser: Vec<&str> = events
        .iter()
        .filter(|e| e.name != "api_request")
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(
        browser,
        ["edge", "edge", "marker"],
        "nothing of a refused batch was spooled"
    );
}

/// Finding 5, analytics: oversized funnel steps (8 × 16,600 characters) and year-10000
/// date ranges were sent to ClickHouse and came back as 500s. Each is refused at the
/// boundary with a 422 naming the parameter, on every dashboard route it applies to.
#[tokio::test]
async fn oversized_funnel_steps_and_year_10000_ranges_are_refused_not_500() {
    let app = TestApp::spawn_with_analytics(|_| {}).await;
    let t = app.tenant("acme").await;
    let huge = "x".repeat(16_600);
    let step = |name: &str| json!({"kind": "event", "name": name});
    let funnel = |steps: Value, extra: Value| {
        let mut body = json!({"steps": steps, "window_seconds": 3600});
        if let Value::Object(m) = extra {
            body.as_object_mut().expect("object").extend(m);
        }
        body
    };
    let y10k = "from=%2B10000-01-01T00:00:00Z&to=%2B10000-01-02T00:00:00Z";
    let mut cases: Vec<(String, Option<Value>, &str)> = Vec::new();
    for route in ["trends", "active-users", "top-pages", "dwell"] {
        cases.push((format!("/analytics/{route}?{y10k}"), None, "to"));
        cases.push((
            format!("/analytics/{route}?to=%2B10000-01-01T00:00:00Z"),
            None,
            "to",
        ));
        // chrono's earliest date: a default `from` 30 days before it would overflow.
        cases.push((
            format!("/analytics/{route}?to=-262143-01-02T00:00:00Z"),
            None,
            "to",
        ));
        cases.push((
            format!("/analytics/{route}?from=1900-01-01T00:00:00Z&to=1900-01-02T00:00:00Z"),
            None,
            "to",
        ));
        cases.push((
            format!("/analytics/{route}?from=1969-12-31T00:00:00Z&to=1970-01-02T00:00:00Z"),
            None,
            "from",
        ));
    }
    cases.extend([
        (
            format!("/analytics/trends?name={}", "n".repeat(65)),
            None,
            "name",
        ),
        (format!("/analytics/trends?path={huge}"), None, "path"),
        (
            "/analytics/funnel".into(),
            Some(funnel(json!(vec![step(&huge); 8]), json!({}))),
            "steps[0].name",
        ),
        (
            "/analytics/funnel".into(),
            Some(funnel(json!(vec![step("a"); 9]), json!({}))),
            "steps",
        ),
        (
            "/analytics/funnel".into(),
            Some(funnel(
                json!([{"kind": "path", "route": format!("/{huge}")}]),
                json!({}),
            )),
            "steps[0].route",
        ),
        (
            "/analytics/funnel".into(),
            Some(funnel(
                json!([{"kind": "property", "key": "k", "value": huge}]),
                json!({}),
            )),
            "steps[0].value",
        ),
        (
            "/analytics/funnel".into(),
            Some(funnel(
                json!([{"kind": "property", "key": huge, "value": "v"}]),
                json!({}),
            )),
            "steps[0].key",
        ),
        (
            "/analytics/funnel".into(),
            Some(funnel(
                json!([step("a")]),
                json!({"from": "+10000-01-01T00:00:00Z", "to": "+10000-01-02T00:00:00Z"}),
            )),
            "to",
        ),
    ]);
    for (path, body, field) in cases {
        let (s, answer) = match body {
            Some(b) => app.post(&t, &path, b).await,
            None => app.get(&t, &path).await,
        };
        let label: String = path.chars().take(80).collect();
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{label}: {answer}");
        assert_eq!(answer["code"], "validation_failed", "{label}: {answer}");
        assert_eq!(answer["errors"][0]["field"], field, "{label}: {answer}");
    }
    // The edges themselves are fine.
    let (s, body) = app
        .get(
            &t,
            "/analytics/top-pages?from=2105-12-01T00:00:00Z&to=2106-01-01T00:00:00Z",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = app
        .get(
            &t,
            "/analytics/dwell?from=1970-01-01T00:00:00Z&to=1970-01-02T00:00:00Z",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

/// A fixed data set, inserted straight into ClickHouse (with one duplicate row), and
/// every dashboard checked against numbers computed by hand.
#[tokio::test]
async fn dashboards_match_hand_computed_numbers() {
    let app = TestApp::spawn_with_analytics(|_| {}).await;
    let t = app.tenant("acme").await;
    let ch = app.clickhouse.as_ref().expect("clickhouse");
    let day = "2026-03-10";
    let next = "2026-03-11";
    // (actor, name, path, time, duration_ms)
    let rows = [
        ("u1", "pageview", "/pricing", format!("{day} 10:00:00"), 0),
        ("u1", "signup", "", format!("{day} 10:05:00"), 0),
        ("u1", "purchase", "", format!("{day} 10:20:00"), 0),
        ("u1", "dwell", "/pricing", format!("{day} 10:01:00"), 1000),
        ("u2", "pageview", "/pricing", format!("{day} 11:00:00"), 0),
        ("u2", "signup", "", format!("{day} 11:30:00"), 0),
        ("u2", "dwell", "/pricing", format!("{day} 11:01:00"), 3000),
        ("u3", "pageview", "/home", format!("{day} 12:00:00"), 0),
        ("u3", "signup", "", format!("{day} 12:10:00"), 0),
        ("u3", "dwell", "/home", format!("{day} 12:01:00"), 500),
        ("u4", "pageview", "/pricing", format!("{day} 13:00:00"), 0),
        ("u4", "signup", "", format!("{day} 15:00:00"), 0),
        ("u4", "dwell", "/pricing", format!("{day} 13:01:00"), 2000),
        ("u5", "pageview", "/pricing", format!("{next} 09:00:00"), 0),
        ("u5", "signup", "", format!("{next} 09:10:00"), 0),
        ("u5", "purchase", "", format!("{next} 09:20:00"), 0),
    ];
    let mut body = String::new();
    for (i, (actor, name, path, ts, dur)) in rows.iter().enumerate() {
        let id = format!("00000000-0000-7000-8000-{i:012}");
        body.push_str(&json!({"tenant": "acme", "event_id": id, "name": name, "actor": actor, "session_id": "", "path": path,
            "url": "", "referrer": "", "user_agent": "", "ts": ts, "client_ts": ts, "duration_ms": dur,
            "prop_keys": [], "prop_values": []}).to_string());
        body.push('\n');
    }
    // The same signup again, as a replayed batch would insert it.
    let duplicate = body.lines().nth(1).unwrap_or_default().to_owned();
    body.push_str(&duplicate);
    body.push('\n');
    // Another tenant's rows must never show up.
    body.push_str(&json!({"tenant": "other", "event_id": "00000000-0000-7000-8000-999999999999", "name": "pageview", "actor": "x",
        "session_id": "", "path": "/pricing", "url": "", "referrer": "", "user_agent": "", "ts": format!("{day} 10:00:00"),
        "client_ts": format!("{day} 10:00:00"), "duration_ms": 0, "prop_keys": [], "prop_values": []}).to_string());
    ch.insert_json_rows("events", body.into_bytes())
        .await
        .expect("fixture");
    let range = format!("from={day}T00:00:00Z&to=2026-03-12T00:00:00Z");

    let (_, days) = app.get(&t, &format!("/analytics/trends?{range}")).await;
    let days: Vec<(String, u64)> = days
        .as_array()
        .expect("array")
        .iter()
        .map(|b| {
            (
                b["start"].as_str().unwrap_or_default().to_owned(),
                b["n"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        days,
        vec![
            (format!("{day}T00:00:00+00:00"), 13),
            (format!("{next}T00:00:00+00:00"), 3)
        ]
    );

    let (_, hours) = app.get(&t, &format!("/analytics/trends?interval=hour&name=signup&from={day}T00:00:00Z&to={next}T00:00:00Z")).await;
    let nonzero: Vec<(String, u64)> = hours
        .as_array()
        .expect("array")
        .iter()
        .filter(|b| b["n"] != 0)
        .map(|b| {
            (
                b["start"].as_str().unwrap_or_default()[11..13].to_owned(),
                b["n"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        nonzero,
        vec![
            ("10".into(), 1),
            ("11".into(), 1),
            ("12".into(), 1),
            ("15".into(), 1)
        ]
    );
    assert_eq!(
        hours.as_array().map(Vec::len),
        Some(24),
        "empty hours are zeros"
    );

    let (s, funnel) = app
        .post(&t, "/analytics/funnel", json!({"steps": [{"kind": "path", "route": "/pricing"}, {"kind": "event", "name": "signup"}, {"kind": "event", "name": "purchase"}],
            "window_seconds": 3600, "from": format!("{day}T00:00:00Z"), "to": "2026-03-12T00:00:00Z"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{funnel}");
    let got: Vec<(u64, f64, f64)> = funnel["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["users"].as_u64().unwrap_or(99),
                s["conversion_from_previous"].as_f64().unwrap_or(-1.0),
                s["conversion_from_first"].as_f64().unwrap_or(-1.0),
            )
        })
        .collect();
    // u1 and u5 finish; u2 stops at signup; u4 signs up outside the hour; u3 never saw /pricing.
    assert_eq!(
        got,
        vec![(4, 100.0, 100.0), (3, 75.0, 75.0), (2, 66.67, 50.0)]
    );

    let (_, pages) = app.get(&t, &format!("/analytics/top-pages?{range}")).await;
    assert_eq!(
        pages,
        json!([{"route": "/pricing", "views": 4, "visitors": 4}, {"route": "/home", "views": 1, "visitors": 1}])
    );

    let (_, dwell) = app.get(&t, &format!("/analytics/dwell?{range}")).await;
    assert_eq!(
        dwell,
        json!([{"route": "/pricing", "samples": 3, "avg_ms": 2000.0, "median_ms": 2000.0}, {"route": "/home", "samples": 1, "avg_ms": 500.0, "median_ms": 500.0}])
    );

    let (_, active) = app
        .get(&t, &format!("/analytics/active-users?{range}"))
        .await;
    let daily: Vec<u64> = active["series"]["day"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["users"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(daily, vec![4, 1]);
    let monthly: Vec<u64> = active["series"]["month"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["users"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(monthly, vec![5]);
}

/// Tenant A can never read B's analytics, whatever the parameters.
#[tokio::test]
async fn analytics_are_tenant_scoped_whatever_the_parameters() {
    let app = TestApp::spawn_with_analytics(|_| {}).await;
    let a = app.tenant("alpha").await;
    let b = app.tenant("bravo").await;
    let (s, _) = app
        .post(&b, "/events", json!({"events": pageviews(20, "/secret")}))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(wait_count(&app, "bravo", "pageview", 20).await, 20);

    for q in [
        "/analytics/top-pages",
        "/analytics/top-pages?tenant=bravo",
        "/analytics/trends?name=pageview%27%20OR%20%271%27%3D%271",
        "/analytics/trends?path=%2Fsecret%27%20OR%20tenant%3D%27bravo",
        "/analytics/dwell?limit=100",
    ] {
        let (s, body) = app.get(&a, q).await;
        assert_eq!(s, StatusCode::OK, "{q}: {body}");
        let text = body.to_string();
        assert!(!text.contains("/secret"), "{q}: {text}");
        if let Some(buckets) = body.as_array() {
            assert!(
                buckets.iter().all(|b| b.get("n").is_none_or(|n| n == 0)),
                "{q}: {text}"
            );
        }
    }
    let a_on_b = TestTenant {
        slug: "bravo".into(),
        key: a.key.clone(),
    };
    let (s, body) = app.get(&a_on_b, "/analytics/top-pages").await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "tenant_not_found");
    let (s, body) = send(
        app.req(&a, Method::POST, "/analytics/funnel")
            .json(&json!({"steps": [], "window_seconds": 60})),
    )
    .await;
    assert_problem(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
}

/// Deleting a tenant deletes its analytics too, and says so in the audit log.
#[tokio::test]
async fn deleting_a_tenant_purges_its_analytics() {
    let app = TestApp::spawn_with_analytics(|_| {}).await;
    let a = app.tenant("alpha").await;
    let b = app.tenant("bravo").await;
    for t in [&a, &b] {
        let (s, _) = app
            .post(t, "/events", json!({"events": pageviews(10, "/")}))
            .await;
        assert_eq!(s, StatusCode::ACCEPTED);
    }
    assert_eq!(wait_count(&app, "alpha", "pageview", 10).await, 10);
    assert_eq!(wait_count(&app, "bravo", "pageview", 10).await, 10);
    let gone = app.control.delete("alpha", "test").await.expect("delete");
    assert!(
        gone.analytics_purged_at.is_some(),
        "purge recorded in the registry"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(&app, "alpha", "pageview").await > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        count(&app, "alpha", "pageview").await,
        0,
        "alpha's analytics are gone"
    );
    assert_eq!(
        count(&app, "bravo", "pageview").await,
        10,
        "bravo's are untouched"
    );
    let su = app.db.superuser().await;
    let outcome: String = su
        .query_one("SELECT outcome FROM atrium_control.audit_log WHERE action = 'tenant.analytics.purge' AND tenant_slug = 'alpha'", &[])
        .await
        .expect("audited")
        .get(0);
    assert_eq!(outcome, "ok");
}

/// Events over two ClickHouse shards (docs/scale-out.md, "Analytics over ClickHouse
/// shards"): the collector inserts through the `Distributed` table, so each tenant's
/// events (and a batch sent twice) land on one shard and count once; the dashboards read
/// through it; a deleted tenant's events go from the shard that holds them.
/// `scripts/sql-compat` compares every dashboard query over two shards with one server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_over_two_shards_land_on_their_tenants_shard_and_count_once() {
    let shards = atrium_testkit::ChServer::start_shards(2).expect("two shards");
    let urls: Vec<String> = shards.iter().map(atrium_testkit::ChServer::url).collect();
    let app = TestApp::spawn_with_analytics(|c| {
        c.clickhouse.url = urls[0].clone();
        c.clickhouse.shards = urls.join(",");
        c.clickhouse.cluster = atrium_core::config::DEV_CLICKHOUSE_CLUSTER.into();
    })
    .await;
    let slugs = ["acme", "globex", "initech"];
    let mut tenants = Vec::new();
    for slug in slugs {
        let t = app.tenant(slug).await;
        let batch = json!({"events": pageviews(20, "/pricing")});
        for _ in 0..2 {
            let (s, body) = app.post(&t, "/events", batch.clone()).await;
            assert_eq!(s, StatusCode::ACCEPTED, "{body}");
        }
        tenants.push(t);
    }
    for slug in slugs {
        assert_eq!(wait_count(&app, slug, "pageview", 20).await, 20, "{slug}");
    }

    // Each shard on its own: every tenant on exactly one, and both holding some.
    #[derive(serde::Deserialize)]
    struct Held {
        tenant: String,
    }
    let mut held = Vec::new();
    for url in &urls {
        let mut one = app.db.config.clickhouse.clone();
        one.url = url.clone();
        let shard = atrium_analytics::clickhouse::ClickHouse::new(&one, &one.admin).expect("shard");
        let rows: Vec<Held> = shard
            .query("SELECT DISTINCT tenant FROM events_local ORDER BY tenant")
            .await
            .expect("the shard's own events");
        held.push(rows.into_iter().map(|r| r.tenant).collect::<Vec<_>>());
    }
    assert!(held.iter().all(|h| !h.is_empty()), "{held:?}");
    let mut all: Vec<_> = held.concat();
    all.sort();
    assert_eq!(all, slugs, "each tenant on one shard: {held:?}");

    assert_eq!(
        pageviews_on_the_trend(&app, &tenants[0]).await,
        20,
        "read through the Distributed table"
    );

    app.control.delete("globex", "test").await.expect("delete");
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(&app, "globex", "pageview").await > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        count(&app, "globex", "pageview").await,
        0,
        "purged on its shard"
    );
    assert_eq!(count(&app, "initech", "pageview").await, 20);
}

struct Load {
    ok: u64,
    errors: u64,
    p95_ms: f64,
}

/// `workers` clients creating orders for `for_how_long`.
async fn order_load(app: &TestApp, t: &TestTenant, workers: usize, for_how_long: Duration) -> Load {
    let deadline = Instant::now() + for_how_long;
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (http, url, key) = (
            app.http.clone(),
            format!("{}/v1/t/{}/orders", app.base, t.slug),
            t.key.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut ok, mut errors) = (Vec::new(), 0u64, 0u64);
            while Instant::now() < deadline {
                let sent = Instant::now();
                let res = http
                    .post(&url)
                    .bearer_auth(&key)
                    .json(&json!({"item": "x", "amount_cents": 100, "currency": "EUR"}))
                    .send()
                    .await;
                lat.push(sent.elapsed().as_secs_f64() * 1000.0);
                match res {
                    Ok(r) if r.status() == StatusCode::CREATED => ok += 1,
                    _ => errors += 1,
                }
            }
            (lat, ok, errors)
        }));
    }
    let (mut all, mut ok, mut errors) = (Vec::new(), 0, 0);
    for task in tasks {
        let (l, o, e) = task.await.expect("worker");
        all.extend(l);
        ok += o;
        errors += e;
    }
    all.sort_by(f64::total_cmp);
    let p95_ms = all.get(all.len() * 95 / 100).copied().unwrap_or(0.0);
    Load { ok, errors, p95_ms }
}

/// ClickHouse down for 30 s under load: the API's latency and error rate don't move,
/// and every event is delivered once ClickHouse is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clickhouse_down_for_30s_under_load_changes_nothing_for_the_api() {
    let server = atrium_testkit::ChServer::start_new().expect("private clickhouse");
    let db = atrium_testkit::TestDb::fresh().await;
    let app = TestApp::spawn_on(db, |c| {
        c.clickhouse.url = server.url();
        c.analytics.segment_max_age_ms = 100;
        c.collector.poll_interval_ms = 20;
        c.collector.max_backoff_ms = 1_000;
    })
    .await;
    let t = app.tenant("acme").await;
    let before = order_load(&app, &t, 4, Duration::from_secs(5)).await;
    server.stop().expect("stop clickhouse");
    let during = order_load(&app, &t, 4, Duration::from_secs(30)).await;
    server.start().expect("start clickhouse");
    println!(
        "before: {} ok, {} errors, p95 {:.1} ms; ClickHouse down: {} ok, {} errors, p95 {:.1} ms",
        before.ok, before.errors, before.p95_ms, during.ok, during.errors, during.p95_ms
    );
    assert_eq!((before.errors, during.errors), (0, 0), "no request failed");
    assert!(
        during.p95_ms <= before.p95_ms * 3.0 + 50.0,
        "latency unchanged: {:.1} ms vs {:.1} ms",
        during.p95_ms,
        before.p95_ms
    );
    let total = before.ok + during.ok;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut delivered = 0;
    while Instant::now() < deadline {
        delivered = count(&app, "acme", "order_created").await;
        if delivered >= total {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        delivered, total,
        "every order_created event delivered once, after recovery"
    );
}

/// A tenant deleted while ClickHouse is down still gets deleted; its analytics purge is
/// recorded as owed and done by the retry once ClickHouse is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analytics_purge_owed_during_an_outage_is_retried() {
    let server = atrium_testkit::ChServer::start_new().expect("private clickhouse");
    let db = atrium_testkit::TestDb::fresh().await;
    let app = TestApp::spawn_on(db, |c| {
        c.clickhouse.url = server.url();
        c.analytics.segment_max_age_ms = 100;
        c.collector.poll_interval_ms = 20;
        c.clickhouse.timeout_ms = 1_000;
    })
    .await;
    let a = app.tenant("alpha").await;
    let (s, _) = app
        .post(&a, "/events", json!({"events": pageviews(10, "/")}))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(wait_count(&app, "alpha", "pageview", 10).await, 10);

    server.stop().expect("stop clickhouse");
    let gone = app
        .control
        .delete("alpha", "test")
        .await
        .expect("delete does not need ClickHouse");
    assert_eq!(gone.state.as_str(), "deleted");
    assert!(gone.analytics_purged_at.is_none(), "the purge is owed");

    server.start().expect("start clickhouse");
    assert_eq!(app.control.purge_owed("test").await.expect("retry"), 1);
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(&app, "alpha", "pageview").await > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(count(&app, "alpha", "pageview").await, 0);
    assert!(app
        .control
        .get_tenant("alpha")
        .await
        .expect("tombstone")
        .analytics_purged_at
        .is_some());
    let su = app.db.superuser().await;
    let outcomes: Vec<String> = su
        .query("SELECT outcome FROM atrium_control.audit_log WHERE action = 'tenant.analytics.purge' ORDER BY id", &[])
        .await
        .expect("audit")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(outcomes, ["error", "ok"]);
}

/// One event for [`insert_events`]: actor, name, path, time, props.
type Row<'a> = (
    &'a str,
    &'a str,
    &'a str,
    chrono::DateTime<chrono::Utc>,
    &'a [(&'a str, &'a str)],
);

/// Events straight into ClickHouse, as the collector would write them.
async fn insert_rows(app: &TestApp, events: &[atrium_analytics::event::Event]) {
    let time = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
    let mut body = String::new();
    for e in events {
        body.push_str(&json!({"tenant": e.tenant, "event_id": e.event_id, "name": e.name, "actor": e.actor,
            "session_id": e.session_id, "path": e.path, "url": "", "referrer": "", "user_agent": "",
            "ts": time(e.server_ts), "client_ts": time(e.server_ts), "duration_ms": e.duration_ms,
            "prop_keys": e.props.keys().collect::<Vec<_>>(), "prop_values": e.props.values().collect::<Vec<_>>()}).to_string());
        body.push('\n');
    }
    let ch = app.clickhouse.as_ref().expect("clickhouse");
    ch.insert_json_rows("events", body.into_bytes())
        .await
        .expect("rows");
}

/// Rows for `tenant`, each in the session named by its actor unless a `$session`
/// property names another.
async fn insert_events(app: &TestApp, tenant: &str, rows: &[Row<'_>]) {
    let events: Vec<_> = rows
        .iter()
        .map(|(actor, name, path, ts, props)| {
            let mut e = atrium_analytics::event::Event::server(tenant, name);
            e.actor = (*actor).to_owned();
            e.path = (*path).to_owned();
            e.server_ts = *ts;
            e.duration_ms = if *name == "dwell" { 1000 } else { 0 };
            e.session_id = (*actor).to_owned();
            for (k, v) in *props {
                match *k {
                    "$session" => e.session_id = (*v).to_owned(),
                    _ => e = e.prop(k, *v),
                }
            }
            e
        })
        .collect();
    insert_rows(app, &events).await;
}

/// A customer's page, with its id in the path.
const CUSTOMER_PAGE: &str = "/customers/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

async fn acme_with_analytics() -> (TestApp, TestTenant) {
    let app = TestApp::spawn_with_analytics(|_| {}).await;
    let t = app.tenant("acme").await;
    (app, t)
}

fn shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("offset")
}

/// Finding 5: "now minus 7 days" made the first day partial (drawn as 0). `days=7` is
/// today and the 6 whole days before it in the tenant's zone, each bucket starting at
/// local midnight with the zone's offset.
#[tokio::test]
async fn trends_first_day_is_whole_in_tenant_timezone() {
    use chrono::{Duration as D, NaiveTime, TimeZone, Utc};
    let (app, t) = acme_with_analytics().await;
    let tz = shanghai();
    let today = Utc::now().with_timezone(&tz).date_naive();
    let first = today - D::days(6);
    let at = |day: chrono::NaiveDate, h: u32, m: u32| {
        tz.from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(h, m, 0).expect("time")))
            .single()
            .expect("local")
            .with_timezone(&Utc)
    };
    insert_events(
        &app,
        "acme",
        &[
            // 00:30 in Shanghai is 16:30 UTC the day before: UTC days would split these.
            ("u1", "pageview", "/", at(first, 0, 30), &[]),
            ("u2", "pageview", "/", at(first, 0, 40), &[]),
            ("u3", "pageview", "/", at(first, 23, 50), &[]),
            // The evening before the first day: outside the range.
            ("u4", "pageview", "/", at(first - D::days(1), 23, 30), &[]),
        ],
    )
    .await;
    let shanghai_week = "/analytics/trends?tz=Asia/Shanghai&days=7&name=pageview";
    let (s, body) = app.get(&t, shanghai_week).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let buckets = body.as_array().expect("buckets");
    assert_eq!(buckets.len(), 7, "{body}");
    assert_eq!(
        buckets[0]["start"],
        format!("{first}T00:00:00+08:00"),
        "{body}"
    );
    assert_eq!(buckets[0]["n"], 3, "the whole first day: {body}");
    assert_eq!(buckets[6]["start"], format!("{today}T00:00:00+08:00"));
    let (_, utc) = app.get(&t, "/analytics/trends?days=7&name=pageview").await;
    assert!(
        utc[0]["start"]
            .as_str()
            .is_some_and(|s| s.ends_with("T00:00:00+00:00")),
        "UTC by default: {utc}"
    );
}

/// Finding 5: today's partial day was drawn like a whole one. Every bucket is present
/// (zeros included) and only the current one says `complete: false`.
#[tokio::test]
async fn trends_mark_current_day_incomplete() {
    let (app, t) = acme_with_analytics().await;
    for (q, len) in [
        ("/analytics/trends?days=7&tz=Europe/Berlin", 7),
        (
            "/analytics/trends?interval=hour&hours=24&tz=Asia/Kolkata",
            24,
        ),
    ] {
        let (s, body) = app.get(&t, q).await;
        assert_eq!(s, StatusCode::OK, "{q}: {body}");
        let buckets = body.as_array().expect("buckets");
        assert_eq!(buckets.len(), len, "{q}: {body}");
        let complete: Vec<bool> = buckets
            .iter()
            .map(|b| b["complete"].as_bool().expect("complete"))
            .collect();
        let mut want = vec![true; len];
        want[len - 1] = false;
        assert_eq!(complete, want, "{q}");
        // The current bucket may already hold this test's own earlier requests: the
        // collector ships their events while the test runs.
        assert!(
            buckets[..len - 1].iter().all(|b| b["n"] == 0),
            "zero-filled: {body}"
        );
    }
    let (s, body) = app
        .get(&t, "/analytics/active-users?days=7&tz=Asia/Shanghai")
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let days = body["series"]["day"].as_array().expect("days");
    assert_eq!(days.len(), 7, "{body}");
    assert_eq!(days[6]["complete"], false);
    assert_eq!(days[5]["complete"], true);
    assert!(days[0]["start"]
        .as_str()
        .is_some_and(|s| s.ends_with("T00:00:00+08:00")));
}

/// A zone name is checked before it reaches SQL; a bad one is a 400 naming the problem.
#[tokio::test]
async fn trends_refuse_an_unknown_timezone() {
    let (app, t) = acme_with_analytics().await;
    for q in [
        "/analytics/trends?tz=Mars/Olympus",
        "/analytics/trends?tz=UTC%27)%20OR%201%3D1%20--",
        "/analytics/active-users?tz=",
        "/analytics/retention?tz=Europe/Nowhere",
    ] {
        let (s, body) = app.get(&t, q).await;
        assert_problem(s, &body, StatusCode::BAD_REQUEST, "invalid_timezone");
    }
}

/// Finding 8: "40 active users, 1 team member" was unexplained. The answer counts
/// distinct actors and splits them into the tenant's own team (users who sign in to
/// Atrium) and everyone else (the end users its product tracks).
#[tokio::test]
async fn active_users_tell_end_users_from_team_members() {
    let (app, t) = acme_with_analytics().await;
    let invite = json!({"email": "mo@acme.test", "role": "member"});
    let (s, invited) = app.post(&t, "/users", invite).await;
    assert_eq!(s, StatusCode::CREATED, "{invited}");
    let member = invited["user"]["id"].as_str().expect("id").to_owned();
    let now = chrono::Utc::now() - chrono::Duration::minutes(1);
    insert_events(
        &app,
        "acme",
        &[
            (&member, "pageview", "/customers", now, &[]),
            (&member, "customer_created", "", now, &[]),
            ("anon-1", "pageview", "/", now, &[]),
            ("anon-2", "pageview", "/", now, &[]),
            ("crm-user-7", "signup", "", now, &[]),
        ],
    )
    .await;
    let (s, body) = app.get(&t, "/analytics/active-users?days=7").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["counts"], "distinct_actors");
    assert_eq!(
        body["totals"],
        json!({"users": 4, "end_users": 3, "team_members": 1})
    );
    let today = body["series"]["day"][6].clone();
    assert_eq!(
        (&today["users"], &today["end_users"], &today["team_members"]),
        (&json!(4), &json!(3), &json!(1)),
        "{body}"
    );
}

/// Finding 6: each `/customers/<uuid>` was its own row. Paths group into route
/// templates: the SDK's `route` when it sent one, else derived from the path (UUIDs,
/// numbers and long hex ids become `:id`, the app's base path is stripped once).
#[tokio::test]
async fn paths_group_uuids_into_route_templates() {
    let (app, t) = acme_with_analytics().await;
    let now = chrono::Utc::now() - chrono::Duration::minutes(1);
    let a = CUSTOMER_PAGE;
    let b = "/app/t/acme/customers/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c";
    insert_events(
        &app,
        "acme",
        &[
            ("u1", "pageview", a, now, &[]),
            ("u2", "pageview", b, now, &[]),
            ("u3", "pageview", "/customers/42", now, &[]),
            ("u1", "pageview", "/app/t/acme", now, &[]),
            ("u1", "dwell", a, now, &[]),
            ("u2", "dwell", b, now, &[]),
            (
                "u3",
                "pageview",
                "/orders/deadbeefdeadbeefdeadbeef/items/7",
                now,
                &[],
            ),
        ],
    )
    .await;
    // The SDK's own template wins over what the path would give; a template that is no
    // path is refused.
    let sdk = json!({"name": "pageview", "actor": "u4", "path": "/app/t/acme/reports/q3-2026", "route": "/reports/:slug"});
    let (s, body) = app.post(&t, "/events", json!({"events": [sdk]})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let bad = json!({"events": [{"name": "pageview", "route": "no-slash"}]});
    let (s, body) = app.post(&t, "/events", bad).await;
    assert_invalid(s, &body, "events[0].route");
    assert_eq!(wait_count(&app, "acme", "pageview", 6).await, 6);
    let (s, pages) = app.get(&t, "/analytics/top-pages?limit=10").await;
    assert_eq!(s, StatusCode::OK, "{pages}");
    assert_eq!(
        pages,
        json!([
            {"route": "/customers/:id", "views": 3, "visitors": 3},
            {"route": "/", "views": 1, "visitors": 1},
            {"route": "/orders/:id/items/:id", "views": 1, "visitors": 1},
            {"route": "/reports/:slug", "views": 1, "visitors": 1},
        ])
    );
    let (_, dwell) = app.get(&t, "/analytics/dwell").await;
    assert_eq!(dwell[0]["route"], "/customers/:id", "{dwell}");
    assert_eq!(dwell[0]["samples"], 2, "{dwell}");
}

/// Finding 7: a malformed step was silently ignored. Every step is checked, and each
/// problem is a 422 naming the step and its field.
#[tokio::test]
async fn funnel_with_malformed_step_is_422() {
    let (app, t) = acme_with_analytics().await;
    let ok = json!({"kind": "event", "name": "signup"});
    let cases = [
        (json!({"steps": [{"kind": "path"}]}), "steps[0].route"),
        (
            json!({"steps": [{"kind": "path", "route": "customers"}]}),
            "steps[0].route",
        ),
        (
            json!({"steps": [ok, {"kind": "teleport"}]}),
            "steps[1].kind",
        ),
        (json!({"steps": [{"name": "signup"}]}), "steps[0].kind"),
        (
            json!({"steps": [ok, {"kind": "event", "name": "a", "path": "/x"}]}),
            "steps[1].path",
        ),
        (
            json!({"steps": [{"kind": "event", "name": "Not A Name"}]}),
            "steps[0].name",
        ),
        (
            json!({"steps": [{"kind": "property", "key": "plan"}]}),
            "steps[0].value",
        ),
        (
            json!({"steps": [{"kind": "property", "key": "", "value": "pro"}]}),
            "steps[0].key",
        ),
        (json!({"steps": ["signup"]}), "steps[0]"),
        (json!({"steps": []}), "steps"),
        (json!({"steps": [ok], "window_s": 0}), "window_s"),
        (json!({"steps": [ok], "window_s": 91 * 86_400}), "window_s"),
    ];
    for (body, field) in cases {
        let (s, answer) = app.post(&t, "/analytics/funnel", body.clone()).await;
        assert_invalid(s, &answer, field);
    }
}

/// Finding 7: path steps were impossible. A path-template step counts the users who saw
/// any page of that template; each step answers users, conversion from the first and
/// the previous step, drop-off and the median time to convert, within a visible window.
#[tokio::test]
async fn funnel_by_path_template_counts_users() {
    use chrono::Duration as D;
    let (app, t) = acme_with_analytics().await;
    let t0 = chrono::Utc::now() - D::days(20);
    let s = |n: i64| t0 + D::seconds(n);
    let won: &[(&str, &str)] = &[("to", "won")];
    let lost: &[(&str, &str)] = &[("to", "lost")];
    insert_events(
        &app,
        "acme",
        &[
            ("u1", "pageview", CUSTOMER_PAGE, s(0), &[]),
            ("u1", "customer_created", "", s(60), &[]),
            ("u1", "deal_created", "", s(180), &[]),
            ("u1", "deal_stage_changed", "", s(400), lost),
            ("u1", "deal_stage_changed", "", s(600), won),
            ("u2", "pageview", "/app/t/acme/customers/12", s(0), &[]),
            ("u2", "customer_created", "", s(120), &[]),
            // Eight days later: outside the default 7-day window.
            ("u2", "deal_created", "", t0 + D::days(8), &[]),
            ("u3", "pageview", "/customers/13", s(0), &[]),
            ("u3", "customer_created", "", s(30), &[]),
            ("u4", "customer_created", "", s(0), &[]),
            ("u5", "pageview", "/customers/14", s(0), &[]),
            ("u6", "pageview", "/customers", s(0), &[]),
        ],
    )
    .await;
    let steps = json!([
        {"kind": "path", "route": "/customers/:id"},
        {"kind": "event", "name": "customer_created"},
        {"kind": "event", "name": "deal_created"},
        {"kind": "property", "name": "deal_stage_changed", "key": "to", "value": "won"},
    ]);
    let (st, body) = app
        .post(&t, "/analytics/funnel", json!({"steps": steps}))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["window_s"], 604_800, "the default window is shown");
    let rows: Vec<Value> = body["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            json!([
                s["users"],
                s["conversion_from_first"],
                s["conversion_from_previous"],
                s["drop_off"],
                s["median_s_from_previous"]
            ])
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            json!([4, 100.0, 100.0, 0, null]),
            json!([3, 75.0, 75.0, 1, 60.0]),
            json!([1, 25.0, 33.33, 2, 120.0]),
            json!([1, 25.0, 100.0, 0, 420.0]),
        ],
        "{body}"
    );
    assert_eq!(body["steps"][0]["step"]["route"], "/customers/:id");
    // A wider window lets u2 through.
    let (_, wide) = app
        .post(
            &t,
            "/analytics/funnel",
            json!({"steps": steps, "window_s": 10 * 86_400}),
        )
        .await;
    assert_eq!(wide["steps"][2]["users"], 2, "{wide}");
}

/// Finding 7: retention, the view PostHog users expect next. Users are in the cohort of
/// the week they were first seen; a returning user counts in each later week once.
#[tokio::test]
async fn retention_cohorts_by_week() {
    use chrono::{Datelike, Duration as D, Utc};
    let (app, t) = acme_with_analytics().await;
    let now = Utc::now();
    let monday = (now - D::days(i64::from(now.weekday().num_days_from_monday())))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let this_week = monday + (now - monday) / 2;
    let w = |k: i64| monday - D::weeks(2 - k) + D::hours(12);
    insert_events(
        &app,
        "acme",
        &[
            ("old", "pageview", "/", w(-3), &[]),
            ("old", "pageview", "/", w(0), &[]),
            ("a", "pageview", "/", w(0), &[]),
            ("a", "pageview", "/", w(0) + D::hours(1), &[]),
            ("b", "pageview", "/", w(0), &[]),
            ("a", "pageview", "/", w(1), &[]),
            ("a", "pageview", "/", this_week, &[]),
            ("b", "pageview", "/", this_week, &[]),
            ("c", "pageview", "/", w(1), &[]),
            ("c", "pageview", "/", this_week, &[]),
        ],
    )
    .await;
    let (s, body) = app.get(&t, "/analytics/retention?weeks=2").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let cohorts: Vec<Value> = body["cohorts"]
        .as_array()
        .expect("cohorts")
        .iter()
        .map(|c| json!([c["start"], c["users"], c["returned"], c["complete"]]))
        .collect();
    let start = |k: i64| format!("{}T00:00:00+00:00", (monday - D::weeks(2 - k)).date_naive());
    assert_eq!(
        cohorts,
        vec![
            json!([start(0), 2, [1, 2], true]),
            json!([start(1), 1, [1], true]),
            json!([start(2), 0, [], false]),
        ],
        "{body}"
    );
}

/// Finding 7: the path view, what users do after a page: the next page template or
/// event in the same session, most frequent first, the rest summed as `other`.
#[tokio::test]
async fn paths_next_show_what_users_do_after_a_page() {
    use chrono::Duration as D;
    let (app, t) = acme_with_analytics().await;
    let t0 = chrono::Utc::now() - D::hours(2);
    let s = |n: i64| t0 + D::seconds(n);
    insert_events(
        &app,
        "acme",
        &[
            ("u1", "pageview", CUSTOMER_PAGE, s(0), &[]),
            ("u1", "dwell", CUSTOMER_PAGE, s(5), &[]),
            ("u1", "pageview", "/deals", s(10), &[]),
            ("u2", "pageview", "/customers/12", s(0), &[]),
            ("u2", "deal_created", "", s(20), &[]),
            ("u3", "pageview", "/customers/13", s(0), &[]),
            ("u3", "pageview", "/deals/9", s(30), &[]),
            ("u4", "pageview", "/customers/14", s(0), &[]),
            ("u5", "pageview", "/app/t/acme/customers/15", s(0), &[]),
            ("u5", "pageview", "/app/t/acme/deals", s(40), &[]),
            // Another session of u5: not what followed the page.
            ("u5", "pageview", "/orders", s(50), &[("$session", "other")]),
        ],
    )
    .await;
    let (s, body) = app
        .get(&t, "/analytics/paths/next?route=/customers/:id&limit=2")
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"route": "/customers/:id", "views": 5, "next": [
            {"kind": "page", "label": "/deals", "count": 2},
            {"kind": "event", "label": "deal_created", "count": 1},
            {"kind": "other", "label": "", "count": 2},
        ]})
    );
    let (s, all) = app
        .get(&t, "/analytics/paths/next?route=/customers/:id")
        .await;
    assert_eq!(s, StatusCode::OK, "{all}");
    assert!(
        all["next"]
            .as_array()
            .expect("next")
            .contains(&json!({"kind": "exit", "label": "", "count": 1})),
        "{all}"
    );
    let (s, body) = app.get(&t, "/analytics/paths/next?route=customers").await;
    assert_invalid(s, &body, "route");
}

/// Finding 7: the default funnel (visit → customer created → deal created → deal won)
/// found no deal events in the demo data. The demo's eight weeks now tell that story,
/// have weekly cohorts, and group their app paths into route templates.
#[tokio::test]
async fn demo_data_tells_the_default_funnel_story() {
    let (app, t) = acme_with_analytics().await;
    insert_rows(&app, &atrium_analytics::demo::weeks_of_events("acme", 1)).await;
    let (s, funnel) = app
        .post(
            &t,
            "/analytics/funnel",
            json!({"days": 60, "steps": [
                {"kind": "event", "name": "pageview"},
                {"kind": "event", "name": "customer_created"},
                {"kind": "event", "name": "deal_created"},
                {"kind": "property", "name": "deal_stage_changed", "key": "to", "value": "won"},
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{funnel}");
    let users: Vec<u64> = funnel["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["users"].as_u64().unwrap_or(0))
        .collect();
    assert!(
        users.windows(2).all(|w| w[0] > w[1]) && users[3] > 0,
        "{users:?}"
    );
    println!("demo funnel, users per step: {users:?}");
    let (_, retention) = app.get(&t, "/analytics/retention?weeks=8").await;
    let cohorts = retention["cohorts"].as_array().expect("cohorts");
    assert!(
        cohorts.iter().filter(|c| c["users"] != 0).count() >= 6,
        "{retention}"
    );
    assert!(
        cohorts[0]["returned"][0].as_u64().unwrap_or(0) > 0,
        "{retention}"
    );
    let (_, pages) = app.get(&t, "/analytics/top-pages?days=60").await;
    assert!(
        pages
            .as_array()
            .expect("pages")
            .iter()
            .any(|p| p["route"] == "/customers/:id"),
        "{pages}"
    );
    let (_, next) = app
        .get(&t, "/analytics/paths/next?days=60&route=/customers/:id")
        .await;
    assert!(
        next["next"]
            .as_array()
            .expect("next")
            .iter()
            .any(|n| n["label"] == "deal_created"),
        "{next}"
    );
}

/// The operator overview's activity comes from the events ClickHouse holds: one series of
/// API requests and one of the other tracked events, hour by hour over a day with the
/// current hour marked incomplete, each saying what it counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overview_series_say_what_they_count() {
    let app = TestApp::spawn_with_analytics(|_| {}).await;
    let t = app.tenant("acme").await;
    app.tenant("quiet").await;
    for i in 0..3 {
        app.customer(&t, &format!("Customer {i}")).await;
    }
    let (s, _) = app
        .post(&t, "/events", json!({"events": pageviews(10, "/")}))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    assert_eq!(wait_count(&app, "acme", "api_request", 4).await, 4);
    assert_eq!(wait_count(&app, "acme", "pageview", 10).await, 10);
    assert_eq!(wait_count(&app, "acme", "customer_created", 3).await, 3);

    let o = serde_json::to_value(app.control.overview().await.expect("overview")).expect("json");
    assert_eq!(o["activity"]["available"], true, "{o}");
    let series = o["activity"]["series"].as_array().expect("series");
    let sum = |name: &str| -> u64 {
        let s = series.iter().find(|s| s["name"] == name).expect("series");
        assert!(s["counts"].as_str().is_some_and(|c| c.len() > 20), "{s}");
        let points = s["points"].as_array().expect("points");
        assert_eq!(points.len(), 24);
        assert_eq!(points[23]["partial"], true);
        assert!(points[..23].iter().all(|p| p["partial"] == false));
        points
            .iter()
            .map(|p| p["count"].as_u64().unwrap_or(0))
            .sum()
    };
    assert_eq!(sum("requests"), 4, "3 creates and 1 batch");
    assert_eq!(sum("events"), 13, "10 pageviews and 3 customer_created");
    assert_eq!(o["top_tenants"][0]["slug"], "acme");
    assert_eq!(o["top_tenants"][1]["events_7d"], 0);
    let clickhouse = o["readiness"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["process"] == "clickhouse")
        .expect("clickhouse");
    assert_eq!(clickhouse["status"], "ready", "{clickhouse}");
}

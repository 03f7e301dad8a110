//! Noisy neighbours: a tenant's connection share, request rate and database time are
//! enforced per API process, and another tenant never waits behind it.
//!
//! Timings are asserted as "shorter than the heavy statement", never as ratios: the
//! tests share two cores with everything else.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicI64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use atrium_core::{config::Config, domain::Limits};
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{assert_problem, send, TestApp, TestTenant};

/// One heavy test at a time: they measure waits, and each other's load would show.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Chaos on, and the free plan changed by `change` (every plan is roomy in tests).
fn free(change: impl FnOnce(&mut Limits)) -> impl FnOnce(&mut Config) {
    move |c| {
        c.chaos = true;
        change(&mut c.plans.free);
    }
}

impl TestApp {
    /// A tenant on `plan` with a key.
    pub async fn tenant_on(&self, slug: &str, plan: &str) -> TestTenant {
        let t = self.tenant(slug).await;
        let change = atrium_control::lifecycle::TenantChange {
            plan: Some(plan.into()),
            ..Default::default()
        };
        self.control
            .update(slug, &change, "test")
            .await
            .expect("plan");
        t
    }

    fn heavy(&self, t: &TestTenant, kind: &str, ms: u64) -> reqwest::RequestBuilder {
        self.req(
            t,
            Method::POST,
            &format!("/chaos/heavy?kind={kind}&ms={ms}"),
        )
        .header("x-atrium-chaos-token", "test-admin-token-0123456789")
    }

    /// Counts heavy statements running at once, every 20 ms, until the guard is dropped.
    async fn heavy_sampler(&self) -> Sampler {
        let su = self.db.superuser().await;
        let peak = Arc::new(AtomicI64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        tokio::spawn(async move {
            while !s.load(Ordering::Relaxed) {
                let n: i64 = su
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity
                         WHERE datname = current_database() AND state = 'active'
                           AND query LIKE '%/* atrium_heavy */%' AND pid <> pg_backend_pid()",
                        &[],
                    )
                    .await
                    .map_or(0, |r| r.get(0));
                p.fetch_max(n, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        Sampler { peak, stop }
    }
}

struct Sampler {
    peak: Arc<AtomicI64>,
    stop: Arc<AtomicBool>,
}

impl Sampler {
    fn peak(&self) -> i64 {
        self.peak.load(Ordering::Relaxed)
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

async fn timed(req: reqwest::RequestBuilder) -> (StatusCode, Value, Duration, Option<String>) {
    let started = Instant::now();
    let res = req.send().await.expect("request");
    let retry_after = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let status = res.status();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, body, started.elapsed(), retry_after)
}

/// Light requests of the quiet tenant, one after another, while `busy` lasts.
async fn quiet_while(app: &TestApp, q: &TestTenant, n: usize) -> Vec<(StatusCode, Duration)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let (s, _, took, _) = timed(app.req(q, Method::GET, "/customers?limit=5")).await;
        out.push((s, took));
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    out
}

#[tokio::test]
async fn a_noisy_tenant_holds_only_its_share_and_a_quiet_one_never_waits_behind_it() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = TestApp::spawn_with(free(|l| {
        l.max_connections = 2;
        l.queue_length = 2;
    }))
    .await;
    let noisy = app.tenant_on("noisy", "free").await;
    let quiet = app.tenant_on("quiet", "pro").await;
    let sampler = app.heavy_sampler().await;
    // Ten heavy requests at once: two run, two wait in the tenant's queue, six are refused.
    let heavy = join_all((0..10).map(|_| timed(app.heavy(&noisy, "sleep", 1_000))));
    let quiet_run = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        quiet_while(&app, &quiet, 10).await
    };
    let (noisy_out, quiet_out) = tokio::join!(heavy, quiet_run);
    let peak = sampler.peak();
    drop(sampler);

    assert!(peak >= 1, "the sampler saw N's statements");
    assert!(
        peak <= 2,
        "the noisy tenant ran {peak} heavy statements at once; its share is 2"
    );
    let ok = noisy_out.iter().filter(|o| o.0 == StatusCode::OK).count();
    assert!(ok >= 2, "its share still serves it: {ok} of 10 ran");
    for (s, b, _, retry) in noisy_out.iter().filter(|o| o.0 != StatusCode::OK) {
        assert_problem(*s, b, StatusCode::TOO_MANY_REQUESTS, "tenant_busy");
        assert!(retry.is_some(), "a 429 says when to retry");
    }
    let metrics = app.metrics().await;
    for series in [
        r#"tenant_limited_total{service="api",tenant="noisy",code="tenant_busy"}"#,
        r#"tenant_db_milliseconds_total{service="api",tenant="noisy"}"#,
        r#"tenant_queue_wait_milliseconds_total{service="api",tenant="noisy"}"#,
    ] {
        assert!(metrics.contains(series), "{series} missing");
    }
    for (s, took) in &quiet_out {
        assert_eq!(*s, StatusCode::OK);
        assert!(
            *took < Duration::from_millis(700),
            "the quiet tenant waited {took:?} (the noisy tenant's statements take 1 s)"
        );
    }
}

#[tokio::test]
async fn without_enforcement_the_noisy_tenant_takes_the_pool_and_the_quiet_one_waits() {
    // The control case: it proves the test above can see the problem it says is gone.
    let _one = ONE_AT_A_TIME.lock().await;
    let app = TestApp::spawn_with(|c| {
        c.chaos = true;
        c.api.fair.enabled = false;
    })
    .await;
    let noisy = app.tenant_on("noisy", "free").await;
    let quiet = app.tenant_on("quiet", "pro").await;
    let sampler = app.heavy_sampler().await;
    let heavy = join_all((0..8).map(|_| timed(app.heavy(&noisy, "sleep", 1_000))));
    let quiet_run = async {
        tokio::time::sleep(Duration::from_millis(150)).await;
        quiet_while(&app, &quiet, 3).await
    };
    let (noisy_out, quiet_out) = tokio::join!(heavy, quiet_run);
    let peak = sampler.peak();
    drop(sampler);
    assert!(peak > 2, "without a share N ran {peak} at once");
    assert!(noisy_out.iter().all(|o| o.0 == StatusCode::OK));
    let slowest = quiet_out.iter().map(|o| o.1).max().unwrap_or_default();
    assert!(
        slowest >= Duration::from_millis(600),
        "with the pool taken, the quiet tenant should have waited; slowest {slowest:?}"
    );
}

#[tokio::test]
async fn every_response_says_its_rate_limits_and_an_empty_bucket_is_a_429() {
    let app = TestApp::spawn_with(free(|l| {
        l.requests_per_second = 1;
        l.burst = 3;
    }))
    .await;
    let small = app.tenant_on("small", "free").await;
    let big = app.tenant_on("big", "pro").await;
    let res = app
        .req(&small, Method::GET, "/customers")
        .send()
        .await
        .expect("get");
    let h = res.headers();
    assert_eq!(
        h["ratelimit-policy"],
        r#""rate";q=3;w=3, "conn";q=2;qu="concurrent-requests""#
    );
    assert!(
        h["ratelimit"]
            .to_str()
            .unwrap_or_default()
            .starts_with(r#""rate";r=2;t="#),
        "{:?}",
        h["ratelimit"]
    );
    // Three at once, then empty; a loaded machine may let one token refill meanwhile.
    let mut sent = 1;
    let (s, b, retry) = loop {
        let (s, b, _, retry) = timed(app.req(&small, Method::GET, "/customers")).await;
        sent += 1;
        if s != StatusCode::OK || sent > 6 {
            break (s, b, retry);
        }
    };
    assert!(
        sent <= 5,
        "the bucket holds 3 (+1 a second): {sent} requests"
    );
    assert_problem(s, &b, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(retry.as_deref(), Some("1"));
    // Refused before anything ran: a write is not half done.
    let (s, b, _, _) = timed(
        app.req(&small, Method::POST, "/customers")
            .json(&json!({"name": "Never"})),
    )
    .await;
    assert_problem(s, &b, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let (s, page) = app.get(&small, "/customers").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["total"], 0, "the refused write changed nothing");
    // Buckets are per tenant.
    for _ in 0..10 {
        let (s, _) = app.get(&big, "/customers").await;
        assert_eq!(s, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_tenant_over_its_database_time_is_slowed_to_one_then_refused() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = TestApp::spawn_with(free(|l| l.db_ms_per_minute = 1_000)).await;
    let t = app.tenant_on("hungry", "free").await;
    for _ in 0..2 {
        let (s, b, _, _) = timed(app.heavy(&t, "sleep", 600)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    // 1.2 s used of a 1 s budget: one statement at a time now.
    let sampler = app.heavy_sampler().await;
    let out = join_all((0..3).map(|_| timed(app.heavy(&t, "sleep", 300)))).await;
    let peak = sampler.peak();
    drop(sampler);
    assert_eq!(
        peak, 1,
        "over budget, the tenant runs one transaction at a time"
    );
    assert!(
        out.iter().all(|o| o.0 == StatusCode::OK),
        "slowed, not refused yet"
    );
    // 2.1 s used: over twice the budget, refused until the minute has passed.
    let (s, b, _, retry) = timed(app.req(&t, Method::GET, "/customers")).await;
    assert_problem(s, &b, StatusCode::TOO_MANY_REQUESTS, "tenant_busy");
    let retry: u64 = retry.and_then(|r| r.parse().ok()).expect("Retry-After");
    assert!((1..=60).contains(&retry), "{retry}");
    // Another tenant is untouched.
    let other = app.tenant_on("other", "pro").await;
    let (s, _) = app.get(&other, "/customers").await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn a_tenant_spending_its_budget_too_fast_is_slowed_before_the_budget_is_gone() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = TestApp::spawn_with(free(|l| l.db_ms_per_minute = 3_000)).await;
    let t = app.tenant_on("eager", "free").await;
    let (s, b, _, _) = timed(app.heavy(&t, "sleep", 1_200)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // 1.2 s of a 3 s budget, but in the last few seconds: more than the pace's 1 s.
    let sampler = app.heavy_sampler().await;
    let out = join_all((0..3).map(|_| timed(app.heavy(&t, "sleep", 300)))).await;
    let peak = sampler.peak();
    drop(sampler);
    assert_eq!(peak, 1, "ahead of its pace, one transaction at a time");
    assert!(
        out.iter().all(|o| o.0 == StatusCode::OK),
        "slowed, not refused"
    );
}

#[tokio::test]
async fn a_transaction_still_running_counts_against_the_budget() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = TestApp::spawn_with(free(|l| l.db_ms_per_minute = 1_000)).await;
    let t = app.tenant_on("holder", "free").await;
    let long = tokio::spawn(timed(app.heavy(&t, "sleep", 3_000)));
    tokio::time::sleep(Duration::from_millis(2_300)).await;
    // Nothing has ended yet, and 2.3 s of a 1 s budget are held: refused already.
    let (s, b, _, _) = timed(app.req(&t, Method::GET, "/customers")).await;
    assert_problem(s, &b, StatusCode::TOO_MANY_REQUESTS, "tenant_busy");
    let (s, b, _, _) = long.await.expect("the long one");
    assert_eq!(s, StatusCode::OK, "{b}");
}

#[tokio::test]
async fn a_limits_change_reaches_the_running_api_within_a_second() {
    let app = TestApp::spawn().await;
    let t = app.tenant("acme").await;
    let policy = |res: &reqwest::Response| {
        res.headers()["ratelimit-policy"]
            .to_str()
            .unwrap_or_default()
            .to_owned()
    };
    let res = app
        .req(&t, Method::GET, "/customers")
        .send()
        .await
        .expect("get");
    assert!(!policy(&res).contains("q=7;"));
    let change = atrium_control::lifecycle::TenantChange {
        limits: Some(
            serde_json::from_value(json!({"requests_per_second": 7, "burst": 7})).expect("limits"),
        ),
        ..Default::default()
    };
    app.control
        .update("acme", &change, "test")
        .await
        .expect("update");
    let started = Instant::now();
    loop {
        let res = app
            .req(&t, Method::GET, "/customers")
            .send()
            .await
            .expect("get");
        if policy(&res).starts_with(r#""rate";q=7;w=1"#) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "still {} after 1 s",
            policy(&res)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn over_its_storage_quota_a_tenant_reads_and_deletes_but_cannot_write() {
    let app = TestApp::spawn().await;
    let t = app.tenant("full").await;
    let c = app.customer(&t, "Kept").await;
    let id = c["id"].as_str().expect("id").to_owned();
    let other = app.customer(&t, "Removable").await;
    // An invalid create changes nothing either way: 422 before the flag, 403 after.
    let probe = (Method::POST, "/customers", json!({"name": ""}));
    set_flag(&app, &t, "storage_over_quota", probe).await;
    let (s, b) = app.post(&t, "/customers", json!({"name": "Refused"})).await;
    assert_problem(s, &b, StatusCode::FORBIDDEN, "quota_exceeded");
    let (s, b) = app
        .patch(&t, &format!("/customers/{id}"), json!({"name": "Renamed"}))
        .await;
    assert_problem(s, &b, StatusCode::FORBIDDEN, "quota_exceeded");
    let (s, page) = app.get(&t, "/customers").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        page["total"], 2,
        "reads work and the refused write changed nothing"
    );
    // A query sent as a POST body stores nothing: no quota answer (analytics are off here).
    let funnel = json!({"steps": [{"event": "signup"}, {"event": "purchase"}]});
    let (s, b) = app.post(&t, "/analytics/funnel", funnel).await;
    assert_ne!(b["code"], "quota_exceeded", "{s} {b}");
    let removable = other["id"].as_str().expect("id");
    let (s, _) = app.delete(&t, &format!("/customers/{removable}")).await;
    assert_eq!(
        s,
        StatusCode::NO_CONTENT,
        "deleting is how a tenant gets back under"
    );
}

#[tokio::test]
async fn over_its_events_quota_a_tenant_gets_429_until_the_month_ends_and_drops_are_counted() {
    let app = TestApp::spawn().await;
    let t = app.tenant("chatty").await;
    // An empty batch changes nothing either way: 422 before the flag, 429 after.
    let probe = (Method::POST, "/events", json!({"events": []}));
    set_flag(&app, &t, "events_over_quota", probe).await;
    let batch = json!({"events": [{"name": "signup"}]});
    let (s, b, _, retry) = timed(app.req(&t, Method::POST, "/events").json(&batch)).await;
    assert_problem(s, &b, StatusCode::TOO_MANY_REQUESTS, "quota_exceeded");
    let retry: u64 = retry.and_then(|r| r.parse().ok()).expect("Retry-After");
    assert!((1..=31 * 86_400).contains(&retry), "{retry}");
    let metrics = app.metrics().await;
    assert!(
        metrics.contains(r#"analytics_events_dropped_total{reason="quota"}"#),
        "dropped events are counted"
    );
    // The CRM itself is not limited by the analytics quota.
    let (s, _) = send(
        app.req(&t, Method::POST, "/customers")
            .json(&json!({"name": "Fine"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
}

/// Sets one of the flags the control plane's usage sampler sets, tells the API, and
/// waits until a probe that changes nothing (`probe`: method, path, body) answers
/// `quota_exceeded`.
async fn set_flag(app: &TestApp, t: &TestTenant, column: &str, probe: (Method, &str, Value)) {
    let conn = app.control.pool.get().await.expect("conn");
    let sql = format!("UPDATE atrium_control.tenants SET {column} = true WHERE slug = $1");
    conn.execute(&sql, &[&t.slug]).await.expect("flag");
    conn.execute(
        "SELECT pg_notify($1, $2)",
        &[&atrium_core::TENANT_CHANNEL, &t.slug],
    )
    .await
    .expect("notify");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (m, path, body) = probe.clone();
        let (_, b) = send(app.req(t, m, path).json(&body)).await;
        if b["code"] == "quota_exceeded" {
            return;
        }
        assert!(Instant::now() < deadline, "the API never saw {column}: {b}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn tenant_chaos_needs_the_switch_the_tenants_key_and_the_admin_token() {
    let off = TestApp::spawn().await;
    let t = off.tenant("acme").await;
    let (s, _, _, _) = timed(off.heavy(&t, "sleep", 1)).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "no chaos routes without ATRIUM_CHAOS"
    );

    let on = TestApp::spawn_with(|c| c.chaos = true).await;
    let t = on.tenant("acme").await;
    let without_token = on.req(&t, Method::POST, "/chaos/heavy?kind=sleep&ms=1");
    let (s, b, _, _) = timed(without_token).await;
    assert_problem(s, &b, StatusCode::FORBIDDEN, "chaos_token_required");
    let other = on.tenant("other").await;
    // acme's key on other's path: the same 404 as a tenant that doesn't exist.
    let wrong_tenant = on
        .http
        .post(format!(
            "{}/v1/t/{}/chaos/heavy?kind=sleep&ms=1",
            on.base, other.slug
        ))
        .bearer_auth(&t.key)
        .header("x-atrium-chaos-token", "test-admin-token-0123456789");
    let (s, b, _, _) = timed(wrong_tenant).await;
    assert_problem(s, &b, StatusCode::NOT_FOUND, "tenant_not_found");
    let (s, b, _, _) = timed(on.heavy(&t, "nonsense", 1)).await;
    assert_problem(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let (s, b, _, _) = timed(on.heavy(&t, "cpu", 5)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

#[tokio::test]
async fn a_request_dropped_while_queued_gives_its_place_back() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = TestApp::spawn_with(|c| {
        c.chaos = true;
        c.plans.free.max_connections = 1;
        c.plans.free.queue_length = 1;
        c.api.fair.queue_wait_ms = 4_000;
    })
    .await;
    let t = app.tenant_on("tiny", "free").await;
    let holder = tokio::spawn(timed(app.heavy(&t, "sleep", 1_500)));
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Queued, then the client gives up: the server drops the waiting request.
    let gone = app
        .heavy(&t, "sleep", 1)
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(gone.is_err(), "the client timed out while queued");
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Its place is free again: this one queues instead of being refused at once.
    let (s, b, _, _) = timed(app.heavy(&t, "sleep", 1)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(holder.await.expect("holder").0, StatusCode::OK);
}

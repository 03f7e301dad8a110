//! Liveness, readiness, startup, metrics and shutdown.

use std::time::{Duration, Instant};

use atrium_testkit::{PgCluster, TestDb};
use reqwest::StatusCode;

use crate::TestApp;

#[tokio::test]
async fn probes_and_metrics() {
    let app = TestApp::spawn().await;
    let t = app.tenant("alpha").await;
    app.customer(&t, "x").await;
    for p in ["/livez", "/readyz", "/startupz"] {
        assert_eq!(app.raw(p).await.status(), StatusCode::OK, "{p}");
    }
    let metrics = app.raw("/metrics").await.text().await.expect("text");
    assert!(metrics.contains("http_requests_total"), "{metrics}");
    assert!(
        metrics.contains(r#"tenant="alpha""#),
        "requests are labelled by tenant"
    );
    assert!(
        metrics.contains(r#"route="/v1/t/{tenant}/customers""#),
        "by route template, not raw path"
    );
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
    let res = app.raw("/livez").await;
    assert!(
        res.headers().contains_key("x-request-id"),
        "every response carries a request id"
    );
}

#[tokio::test]
async fn readiness_turns_503_on_shutdown_while_liveness_stays_200() {
    let app = TestApp::spawn().await;
    assert_eq!(app.raw("/readyz").await.status(), StatusCode::OK);
    app.lifecycle.begin_shutdown();
    // The listener closes right after; a response already on its way is enough, so
    // check the lifecycle directly too.
    assert_eq!(
        app.lifecycle.readiness().await,
        Err("shutting down".to_string())
    );
}

/// Stop PostgreSQL: /readyz is 503 within 2 s while /livez stays 200; start it again
/// and /readyz returns to 200 without restarting the process.
#[tokio::test]
async fn readiness_follows_the_database() {
    let cluster = PgCluster::start_new().expect("private cluster");
    let db = TestDb::fresh_on(&cluster).await;
    let app = TestApp::spawn_on(db, |_| {}).await;
    let t = app.tenant("alpha").await;
    app.customer(&t, "before").await;
    assert_eq!(app.raw("/readyz").await.status(), StatusCode::OK);

    cluster.stop().expect("stop postgres");
    let stopped = Instant::now();
    let mut became_unready = None;
    while stopped.elapsed() < Duration::from_secs(5) {
        let r = app.raw("/readyz").await;
        assert_eq!(
            app.raw("/livez").await.status(),
            StatusCode::OK,
            "liveness never depends on the database"
        );
        if r.status() == StatusCode::SERVICE_UNAVAILABLE {
            let body: serde_json::Value = r.json().await.expect("json");
            assert!(
                body["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("database"),
                "{body}"
            );
            became_unready = Some(stopped.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = became_unready.expect("readyz never turned 503");
    assert!(took < Duration::from_secs(2), "readyz took {took:?}");
    let (s, body) = app.get(&t, "/customers").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{body}");

    cluster.start().expect("start postgres");
    let restarted = Instant::now();
    loop {
        if app.raw("/readyz").await.status() == StatusCode::OK {
            break;
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(15),
            "readyz did not recover"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (s, page) = app.get(&t, "/customers").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["name"], "before");
}

/// Chaos is absent unless switched on: not even routed.
#[tokio::test]
async fn chaos_routes_do_not_exist_unless_enabled() {
    let app = TestApp::spawn().await;
    for path in [
        "/chaos/hang",
        "/chaos/leak",
        "/chaos/burn",
        "/chaos/pool-drain",
    ] {
        let res = app
            .http
            .post(format!("{}{path}", app.base))
            .send()
            .await
            .expect("send");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

/// With chaos on, draining the pool makes readiness fail while liveness stays 200, and
/// both recover on their own when the drain ends. (hang and leak kill the process; the
/// Podman end-to-end tests exercise them.)
#[tokio::test]
async fn pool_drain_fails_readiness_not_liveness_and_heals() {
    let app = TestApp::spawn_with(|c| {
        c.chaos = true;
        c.api.pool.wait_timeout_ms = 300;
    })
    .await;
    let res = app
        .http
        .post(format!("{}/chaos/pool-drain?seconds=2", app.base))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let started = Instant::now();
    let mut saw_unready = false;
    while started.elapsed() < Duration::from_secs(10) {
        assert_eq!(app.raw("/livez").await.status(), StatusCode::OK);
        let ready = app.raw("/readyz").await.status();
        saw_unready |= ready == StatusCode::SERVICE_UNAVAILABLE;
        if saw_unready && ready == StatusCode::OK {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("readiness never went 503 and back (saw 503: {saw_unready})");
}

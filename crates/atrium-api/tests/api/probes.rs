//! Liveness, readiness, startup, metrics and shutdown.

use std::time::{Duration, Instant};

use atrium_testkit::{PgCluster, TestDb};
use reqwest::StatusCode;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::TestApp;

/// The test databases' `control.admin_token` (atrium-testkit).
const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

#[tokio::test]
async fn probes_and_metrics() {
    let app = TestApp::spawn().await;
    let t = app.tenant("alpha").await;
    app.customer(&t, "x").await;
    for p in ["/livez", "/readyz", "/startupz"] {
        assert_eq!(app.raw(p).await.status(), StatusCode::OK, "{p}");
    }
    let metrics = app.metrics().await;
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

/// On shutdown the listener stops accepting at once, while a request already being
/// received is finished and answered before its connection closes.
#[tokio::test]
async fn shutdown_finishes_the_request_in_flight_and_refuses_new_connections() {
    let app = TestApp::spawn().await;
    let t = app.tenant("draining").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let body = br#"{"name": "in flight"}"#;
    let head = format!(
        "POST /v1/t/{}/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        t.slug,
        t.key,
        body.len()
    );
    let mut s = TcpStream::connect(&addr).await.expect("connect");
    s.write_all(head.as_bytes()).await.expect("head");
    s.write_all(&body[..5]).await.expect("part of the body");
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.lifecycle.begin_shutdown();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        TcpStream::connect(&addr).await.is_err(),
        "a new connection was accepted while draining"
    );
    s.write_all(&body[5..]).await.expect("rest of the body");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut answer))
        .await
        .expect("the connection closes after the answer")
        .expect("read");
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
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
        .bearer_auth(ADMIN_TOKEN)
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

/// Item 6: `/metrics` named every tenant on the public port. It is served only on the
/// internal listener now.
#[tokio::test]
async fn metrics_are_not_on_the_public_port_only_on_the_internal_listener() {
    let app = TestApp::spawn().await;
    let t = app.tenant("metrics_public").await;
    app.customer(&t, "x").await;
    let public = app.raw("/metrics").await;
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    let text = public.text().await.expect("text");
    assert!(!text.contains("http_requests_total"), "{text}");
    let internal = app.metrics().await;
    assert!(
        internal.contains(r#"tenant="metrics_public""#),
        "the internal listener has the metrics: {internal}"
    );
}

/// Item 6: however many tenants call, the `tenant` label takes at most
/// `metrics_tenant_labels` values; the rest are counted under `_other`.
#[tokio::test]
async fn metrics_tenant_labels_are_bounded() {
    let app = TestApp::spawn_with(|c| c.api.http.metrics_tenant_labels = 1).await;
    for slug in ["labelcap_first", "labelcap_second", "labelcap_third"] {
        let t = app.tenant(slug).await;
        app.customer(&t, "x").await;
    }
    let metrics = app.metrics().await;
    assert!(metrics.contains(r#"tenant="labelcap_first""#), "{metrics}");
    assert!(
        !metrics.contains(r#"tenant="labelcap_second""#),
        "{metrics}"
    );
    assert!(!metrics.contains(r#"tenant="labelcap_third""#), "{metrics}");
    assert!(metrics.contains(r#"tenant="_other""#), "{metrics}");
}

/// What the alert rules of deploy/prometheus/alerts.yml read: when the process started,
/// whether it is ready (checked at the scrape), and each tenant's own request durations.
#[tokio::test]
async fn metrics_carry_start_time_readiness_and_each_tenants_durations() {
    let app = TestApp::spawn().await;
    let t = app.tenant("metrics_alerts").await;
    app.customer(&t, "x").await;
    let metrics = app.metrics().await;
    let line = |name: &str| {
        metrics
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {metrics}"))
            .to_owned()
    };
    let started: f64 = line("process_start_time_seconds ")
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("a number");
    assert!(started > 1.7e9, "{started}");
    // The gauge is the process's, and tests run many apps in one process: another app's
    // scrape may have just set it, so this checks it is there, not its value.
    assert!(
        ["process_ready 0", "process_ready 1"].contains(&line("process_ready ").as_str()),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            r#"http_tenant_request_duration_seconds_count{service="api",tenant="metrics_alerts"}"#
        ),
        "{metrics}"
    );
    assert!(
        !metrics.contains(
            r#"http_tenant_request_duration_seconds_count{service="api",tenant="_none"}"#
        ),
        "requests of no tenant have no per-tenant series: {metrics}"
    );
}

/// Reads until the server closes the connection, sending `trickle` every 100 ms
/// meanwhile; returns how long the connection lived (at most 10 s, or it panics).
async fn lifetime(mut s: TcpStream, trickle: &[u8]) -> Duration {
    let (every, within) = (Duration::from_millis(100), Duration::from_secs(10));
    let opened = Instant::now();
    let mut buf = [0u8; 1024];
    while opened.elapsed() < within {
        if !trickle.is_empty() && s.write_all(trickle).await.is_err() {
            return opened.elapsed();
        }
        // Closed: end of stream or an error. Data or nothing yet: keep going.
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(every, s.read(&mut buf)).await {
            return opened.elapsed();
        }
    }
    panic!("the connection was still open after {within:?}");
}

/// Item 2: a client sending one header line at a time, and a socket that never sends
/// anything, held connections for minutes. Both are cut at the header-read timeout; a
/// kept-alive connection may wait longer between requests, up to the idle timeout.
#[tokio::test]
async fn slow_clients_are_cut_within_the_header_read_and_idle_timeouts() {
    let app = TestApp::spawn_with(|c| {
        c.api.http.header_read_timeout_ms = 600;
        c.api.http.idle_timeout_ms = 2_000;
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let bound = Duration::from_millis(600 + 700);

    let mut slow = TcpStream::connect(&addr).await.expect("connect");
    slow.write_all(b"GET /livez HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let lived = lifetime(slow, b"X-Slow: 1\r\n").await;
    assert!(lived < bound, "a slow-header client lived {lived:?}");

    let silent = TcpStream::connect(&addr).await.expect("connect");
    let lived = lifetime(silent, b"").await;
    assert!(lived < bound, "a silent socket lived {lived:?}");

    // Idle between requests is allowed longer than the header-read timeout...
    let mut kept = TcpStream::connect(&addr).await.expect("connect");
    let request = b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut buf = [0u8; 1024];
    for _ in 0..2 {
        kept.write_all(request).await.expect("write");
        let n = kept.read(&mut buf).await.expect("read");
        assert!(
            buf[..n].starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&buf[..n])
        );
        tokio::time::sleep(Duration::from_millis(1_000)).await;
    }
    // ...but not forever.
    let lived = lifetime(kept, b"").await;
    assert!(
        lived < Duration::from_millis(2_000 + 700),
        "an idle connection lived {lived:?} more"
    );

    // A slow head after a quick request on the same connection is cut by the
    // header-read bound, not by the longer idle one.
    let mut reused = TcpStream::connect(&addr).await.expect("connect");
    reused.write_all(request).await.expect("write");
    let n = reused.read(&mut buf).await.expect("read");
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    reused
        .write_all(b"GET /livez HTTP/1.1\r\n")
        .await
        .expect("write");
    let lived = lifetime(reused, b"X-Slow: 1\r\n").await;
    assert!(lived < bound, "a slow second head lived {lived:?}");
}

/// Item 2: past `max_connections`, a new connection is closed at once and counted;
/// once one closes, a new one is served again.
#[tokio::test]
async fn connections_beyond_max_connections_are_refused_and_counted() {
    let app = TestApp::spawn_with(|c| c.api.http.max_connections = 2).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let held = [
        TcpStream::connect(&addr).await.expect("connect"),
        TcpStream::connect(&addr).await.expect("connect"),
    ];
    tokio::time::sleep(Duration::from_millis(200)).await;
    let third = TcpStream::connect(&addr)
        .await
        .expect("the kernel accepts the handshake");
    let lived = lifetime(third, b"").await;
    assert!(
        lived < Duration::from_secs(1),
        "the third connection lived {lived:?}"
    );
    let metrics = app.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("http_connections_refused_total{service=\"api\"}")),
        "{metrics}"
    );
    drop(held);
    let started = Instant::now();
    loop {
        let res = reqwest::Client::new()
            .get(format!("{}/livez", app.base))
            .send()
            .await;
        if res.is_ok_and(|r| r.status() == StatusCode::OK) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "never served again"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Item 15: chaos answered anyone. Its routes need the admin token now.
#[tokio::test]
async fn chaos_routes_require_the_admin_token() {
    let app = TestApp::spawn_with(|c| c.chaos = true).await;
    let url = format!("{}/chaos/burn?seconds=1", app.base);
    for token in [None, Some("wrong-token-0123456789")] {
        let mut req = app.http.post(&url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("send");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    let res = app
        .http
        .post(&url)
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}

/// Issue 13, container limits: one burning thread can't exceed a CPU limit of one CPU,
/// so the burn takes a thread count (1 to 8, default 1) and spins that many threads.
#[tokio::test]
async fn chaos_burn_spins_as_many_threads_as_asked_from_1_to_8() {
    let app = TestApp::spawn_with(|c| c.chaos = true).await;
    let burn = |query: &str| {
        app.http
            .post(format!("{}/chaos/burn?{query}", app.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
    };
    for bad in ["threads=0", "threads=9"] {
        let res = burn(&format!("seconds=1&{bad}")).await.expect("send");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let body: serde_json::Value = res.json().await.expect("problem");
        assert_eq!(body["code"], "validation_failed", "{bad}: {body}");
    }
    let res = burn("seconds=1").await.expect("send");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["threads"], 1, "{body}");

    let res = burn("seconds=2&threads=3").await.expect("send");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(
        (body["threads"].as_u64(), body["seconds"].as_u64()),
        (Some(3), Some(2))
    );
    // A thread names itself once it runs, so look for a second (the burn lasts two).
    // Other tests in this process may burn one thread of their own at the same time.
    let started = Instant::now();
    let mut burning = 0;
    while burning < 3 && started.elapsed() < Duration::from_secs(1) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        burning = std::fs::read_dir("/proc/self/task")
            .expect("tasks")
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .filter(|comm| comm.trim() == "chaos-burn")
            .count();
    }
    assert!(
        burning >= 3,
        "{burning} burning threads, expected at least 3"
    );
}

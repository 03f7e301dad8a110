//! Server sessions (docs/scale-out.md): the data plane behind PgBouncer 1.18 in
//! transaction mode ("A connection pooler"), where each transaction may run on another
//! server session, so nothing may outlive one there; and the pool's own sessions ended
//! at their lifetime ("Memory"). `scripts/test` also runs the isolation tests through it.

use atrium_control::clusters::ClusterChange;
use atrium_testkit::{second_pooler, shared_pooler, TestDb};
use futures::{stream, StreamExt};
use reqwest::StatusCode;
use serde_json::json;
use tokio_postgres::{error::SqlState, pipeline::Step};

use crate::{TestApp, TestTenant};

async fn app_through_pooler() -> TestApp {
    let mut db = TestDb::fresh().await;
    db.through(shared_pooler());
    TestApp::spawn_on(db, |_| {}).await
}

/// Writes and reads for `tenants`, `per_tenant` each, many at once: more than the API's
/// pool holds, which is more than the pooler's server connections, so every connection
/// meets the others' server sessions. Answers every status that came back.
async fn busy(app: &TestApp, tenants: &[TestTenant], per_tenant: usize) -> Vec<StatusCode> {
    let work = tenants
        .iter()
        .flat_map(|t| (0..per_tenant).map(move |i| (t, i)));
    stream::iter(work)
        .map(|(t, i)| async move {
            let (s, created) = app
                .post(t, "/customers", json!({"name": format!("{} {i}", t.slug)}))
                .await;
            if s != StatusCode::CREATED {
                return s;
            }
            let id = created["id"].as_str().unwrap_or_default();
            let (s, _) = app
                .patch(t, &format!("/customers/{id}"), json!({"name": "renamed"}))
                .await;
            if s != StatusCode::OK {
                return s;
            }
            app.get(t, "/customers?limit=5").await.0
        })
        .buffer_unordered(12)
        .collect()
        .await
}

/// Every request of three tenants is served through the pooler, and each tenant sees
/// exactly its own rows; the transactions really went through it.
#[tokio::test]
async fn tenants_are_served_through_pgbouncer_in_transaction_mode() {
    let app = app_through_pooler().await;
    let pooler = shared_pooler();
    let before = pooler.transactions(&app.db.name).await;
    let mut tenants = Vec::new();
    for slug in ["acme", "globex", "initech"] {
        tenants.push(app.tenant(slug).await);
    }
    let pooled = app.tenant_in("umbrella", "pooled").await;
    tenants.push(pooled);

    let statuses = busy(&app, &tenants, 15).await;
    let failed: Vec<_> = statuses.iter().filter(|s| !s.is_success()).collect();
    assert!(failed.is_empty(), "failed through the pooler: {failed:?}");
    for t in &tenants {
        let names = app.page_through(t, "/customers").await;
        assert_eq!(names.len(), 15, "{}: {names:?}", t.slug);
    }
    let through = pooler.transactions(&app.db.name).await - before;
    assert!(
        through >= 4 * 15 * 3,
        "only {through} transactions went through PgBouncer"
    );

    // Registry changes still reach the API at once: its LISTEN is on the direct URL.
    let keys = app.control.list_keys("acme").await.expect("keys");
    app.control
        .revoke_key("acme", keys[0].id, "test")
        .await
        .expect("revoke");
    let (s, _) = crate::eventually(&app, &tenants[0], StatusCode::UNAUTHORIZED).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// Why the setting exists: a statement prepared by name in one transaction is gone in
/// the next, which PgBouncer ran on another server session (it reuses the session that
/// was freed last). The unnamed statement, parsed again in the same exchange, is not.
#[tokio::test]
async fn a_named_statement_does_not_outlive_its_transaction_behind_pgbouncer() {
    let db = TestDb::fresh().await;
    let url = shared_pooler().url_through(&db.superuser_url);
    let connect = || async {
        let (client, conn) = atrium_core::db::connect_one(&url, "atrium-test")
            .await
            .expect("through the pooler");
        tokio::spawn(conn);
        client
    };
    let (holder, other) = (connect().await, connect().await);
    holder.batch_execute("BEGIN").await.expect("begin");
    // On a second server session: the first is the holder's until it commits.
    let named = other.prepare("SELECT 41 + 1").await.expect("prepare");
    holder.batch_execute("COMMIT").await.expect("commit");
    let gone = other.query(&named, &[]).await.expect_err("another session");
    assert_eq!(gone.code(), Some(&SqlState::INVALID_SQL_STATEMENT_NAME));

    holder.batch_execute("BEGIN").await.expect("begin");
    let unnamed = other
        .describe("SELECT 41 + $1::int4")
        .await
        .expect("describe");
    holder.batch_execute("COMMIT").await.expect("commit");
    let one = 1i32;
    let answers = other
        .pipeline(&[Step {
            statement: &unnamed,
            text: "SELECT 41 + $1::int4",
            params: &[&one],
        }])
        .await
        .expect("pipeline");
    let row = &answers[0].as_ref().expect("answered").rows[0];
    assert_eq!(row.get::<_, i32>(0), 42);
}

/// The setting is per cluster, and an operator puts PgBouncer in front of a cluster
/// that serves tenants: `prepared_statements` goes off, its reference then names the
/// pooler, and `cluster set` with nothing to change makes every API process read it
/// again; home stays direct.
#[tokio::test]
async fn a_cluster_put_behind_pgbouncer_is_served_without_prepared_statements() {
    let (app, peer, refs) = crate::clusters::with_second().await;
    let home = app.tenant_placed("acme", "schema", Some("local")).await;
    let away = app.tenant_placed("globex", "schema", Some("c2")).await;
    let (s, _) = app.get(&away, "/customers").await;
    assert_eq!(s, StatusCode::OK, "served directly first");

    // The safe order: no prepared statements first (fine direct too), then the reference
    // names the pooler, then every API process reads it again.
    let unnamed = ClusterChange {
        prepared_statements: Some(false),
    };
    let changed = app
        .control
        .change_cluster("c2", &unnamed, "test")
        .await
        .expect("change");
    assert!(!changed.prepared_statements);
    let (s, _) = app.get(&away, "/customers").await;
    assert_eq!(s, StatusCode::OK, "unnamed statements, still direct");
    let pooler = second_pooler();
    std::fs::write(&refs.api_file, pooler.url_through(&peer.api_url)).expect("new reference");
    app.control
        .change_cluster("c2", &ClusterChange::default(), "test")
        .await
        .expect("read the reference again");
    // The NOTIFY reaches the API on its own time: its next pool for c2 is the pooler's.
    let before = pooler.transactions(&app.db.name).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while pooler.transactions(&app.db.name).await == before {
        assert!(
            std::time::Instant::now() < deadline,
            "c2's pool was not made again"
        );
        app.get(&away, "/customers").await;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let before = pooler.transactions(&app.db.name).await;
    let statuses = busy(&app, &[home, away], 10).await;
    assert!(statuses.iter().all(StatusCode::is_success), "{statuses:?}");
    let through = pooler.transactions(&app.db.name).await - before;
    assert!(
        through >= 30,
        "c2's 30 requests go through its pooler: {through}"
    );

    let refused = app
        .control
        .change_cluster(
            "local",
            &ClusterChange {
                prepared_statements: Some(false),
            },
            "test",
        )
        .await
        .expect_err("home is configured");
    assert!(refused.to_string().contains("api.pool.prepared_statements"));
    let audited: i64 = app
        .db
        .superuser()
        .await
        .query_one(
            "SELECT count(*) FROM atrium_control.audit_log
              WHERE action = 'cluster.change' AND detail->>'prepared_statements' = 'false'",
            &[],
        )
        .await
        .expect("audit")
        .get(0);
    assert_eq!(audited, 1);
}

/// A session keeps the catalog entries of every tenant it served: the pool closes idle
/// connections past `api.pool.max_lifetime_ms`, and new ones take their place. Counted
/// by the pool's own gauge, so that it holds through PgBouncer too.
#[tokio::test]
async fn idle_connections_past_their_lifetime_are_closed() {
    let app = TestApp::spawn_with(|c| c.api.pool.max_lifetime_ms = 300).await;
    let t = app.tenant("acme").await;
    let home_pool = || async {
        let text = app.metrics().await;
        text.lines()
            .find(|l| l.starts_with("db_pool_size{") && l.contains("cluster=\"local\""))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .unwrap_or(-1.0)
    };
    let (s, _) = app.get(&t, "/customers").await;
    assert_eq!(s, StatusCode::OK);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while home_pool().await != 0.0 {
        assert!(std::time::Instant::now() < deadline, "old connections kept");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(app.metrics().await.contains("db_pool_retired_total"));
    let (s, _) = app.get(&t, "/customers").await;
    assert_eq!(
        s,
        StatusCode::OK,
        "a new connection serves the next request"
    );
}

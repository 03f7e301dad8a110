//! PostgreSQL failover and switchover as a request sees them (issue 11, section 3): a
//! window with no primary is waited out, bounded; past the bound, or on a node that
//! turned read-only, the answer is a 503 with Retry-After, never a 500.

use std::time::Duration;

use atrium_testkit::{PgCluster, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{assert_problem, send, TestApp};

/// The primary goes away (every pooled connection dies with it) and comes back a second
/// later, as in a Patroni switchover: a write sent in between waits and succeeds,
/// directory lookups included, with no restart of the API.
#[tokio::test]
async fn failover_window_write_waits_for_the_primary_instead_of_failing() {
    let cluster = PgCluster::start_new().expect("private cluster");
    let db = TestDb::fresh_on(&cluster).await;
    let app = TestApp::spawn_on(db, |c| c.api.pool.failover_wait_ms = 8_000).await;
    let t = app.tenant("switching").await;
    app.customer(&t, "before").await;

    cluster.stop().expect("stop postgres");
    let write = tokio::spawn(send(
        app.req(&t, Method::POST, "/customers")
            .json(&json!({"name": "during"})),
    ));
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert!(
        !write.is_finished(),
        "the write did not wait for the primary"
    );
    cluster.start().expect("start postgres");

    let (status, body) = write.await.expect("request task");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, page) = app.get(&t, "/customers").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2), "{page}");
}

/// A node demoted to a read-only standby refuses writes (SQLSTATE 25006): that is the
/// failover window too, a 503 with Retry-After once the bounded wait is over, not a 500;
/// and writes work again, without a restart, once the node takes writes.
#[tokio::test]
async fn read_only_node_write_answers_503_with_retry_after_not_500() {
    let app = TestApp::spawn_with(|c| c.api.pool.failover_wait_ms = 300).await;
    let t = app.tenant("demoted").await;
    app.customer(&t, "before").await;
    let su = app.db.superuser().await;
    // New sessions of this database start read-only, as on a standby; the running ones
    // are ended, as a demotion restarts the server.
    let reconnect_all = || async {
        su.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .expect("terminate sessions");
    };
    let db = &app.db.name;
    su.batch_execute(&format!(
        "ALTER DATABASE \"{db}\" SET default_transaction_read_only = on"
    ))
    .await
    .expect("read-only");
    reconnect_all().await;

    let res = app
        .req(&t, Method::POST, "/customers")
        .json(&json!({"name": "refused"}))
        .send()
        .await
        .expect("request");
    let retry_after = res.headers().get("retry-after").cloned();
    let status = res.status();
    let body: serde_json::Value = res.json().await.expect("problem+json");
    assert_problem(
        status,
        &body,
        StatusCode::SERVICE_UNAVAILABLE,
        "database_unavailable",
    );
    assert!(retry_after.is_some(), "a 503 says when to retry: {body}");

    su.batch_execute(&format!(
        "ALTER DATABASE \"{db}\" RESET default_transaction_read_only"
    ))
    .await
    .expect("read-write again");
    reconnect_all().await;
    app.customer(&t, "after").await;
}

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

/// A switchover's drain ends the primary's idle sessions. A pooled connection whose
/// session the server ended a moment ago still looks open until the client reads the
/// server's goodbye; a write sent on it in that moment never reached the server, so it
/// is sent again on a new connection and succeeds, once. (It used to come back as
/// "connection lost, outcome unknown", a 503: the HA switchover test caught it.)
#[tokio::test]
async fn a_write_on_a_session_the_server_just_ended_is_sent_again_not_lost() {
    use std::io::Write;

    use atrium_core::db::{TenantScope, TenantTx};
    use tokio::io::AsyncReadExt;

    let app = TestApp::spawn().await;
    app.tenant("drained").await;
    let t = app.control.get_tenant("drained").await.expect("tenant");
    let scope = TenantScope::new(&t.schema_name, &t.role_name, 5_000).expect("scope");
    let mut cfg = app.db.config.api.pool.clone();
    cfg.max_size = 1;
    let pool = atrium_core::db::build_pool(&app.db.config.api.database_url, &cfg, "atrium-test")
        .expect("pool");
    let insert = "INSERT INTO customers (id, name) VALUES (gen_random_uuid(), $1) \
                  RETURNING pg_backend_pid()";
    let write = |name: &'static str| {
        let (pool, scope) = (pool.clone(), scope.clone());
        async move {
            let tx = TenantTx::begin(&pool, &scope).await?;
            let rows = tx.query_and_commit(insert, &[&name]).await?;
            Ok::<i32, atrium_core::db::DbError>(rows[0].get(0))
        }
    };
    // Prepares the write on the pool's one connection, so the next goes out in one Sync.
    let pid = write("before").await.expect("first write");

    let tx = TenantTx::begin(&pool, &scope).await.expect("begin");
    // What the API sees when a request arrives just as the drain ends the session: the
    // runtime learns of both at once, the request first, so the write is queued on the
    // connection before the connection's task reads the server's FATAL. Here a byte on a
    // socket pair stands for the request, sent before the session is ended, while this
    // runtime is blocked.
    let (request, arrived) = std::os::unix::net::UnixStream::pair().expect("pair");
    arrived.set_nonblocking(true).expect("nonblocking");
    let mut arrived = tokio::net::UnixStream::from_std(arrived).expect("register");
    let url = app.db.superuser_url.clone();
    std::thread::spawn(move || {
        (&request).write_all(b"!").expect("request");
        terminate_and_wait(&url, pid);
    })
    .join()
    .expect("terminate");
    std::thread::sleep(Duration::from_millis(50));
    arrived.read_exact(&mut [0; 1]).await.expect("request byte");
    let rows = tx
        .query_and_commit(insert, &[&"during"])
        .await
        .expect("sent again on a new connection");
    assert_ne!(rows[0].get::<_, i32>(0), pid, "a new session took it");

    let su = app.db.superuser().await;
    let n: i64 = su
        .query_one(
            &format!(
                "SELECT count(*) FROM \"{}\".customers WHERE name = 'during'",
                t.schema_name
            ),
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 1, "written exactly once");
}

/// pg_terminate_backend, then waits until the session is gone (its FATAL sent).
fn terminate_and_wait(superuser_url: &str, pid: i32) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (su, conn) = atrium_core::db::connect_one(superuser_url, "atrium-test")
            .await
            .expect("superuser");
        tokio::spawn(conn);
        su.execute("SELECT pg_terminate_backend($1)", &[&pid])
            .await
            .expect("terminate");
        for _ in 0..200 {
            let gone = su
                .query_opt("SELECT 1 FROM pg_stat_activity WHERE pid = $1", &[&pid])
                .await
                .expect("activity")
                .is_none();
            if gone {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("session {pid} did not end");
    });
}

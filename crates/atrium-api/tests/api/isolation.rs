//! Tenant isolation, attacked rather than assumed.

use std::collections::HashMap;

use atrium_core::db::{TenantScope, TenantTx};
use rand::{rngs::StdRng, Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio_postgres::error::SqlState;

use crate::{assert_problem, eventually, send, TestApp, TestTenant};

/// 8 tenants, randomly interleaved creates, reads, updates and deletes from concurrent
/// clients through a pool of 3 connections. Every row read back must be the reader's,
/// and each tenant's final count must be exactly what it created minus what it deleted.
/// Half the tenants are pooled (sharing one pool schema), half have their own schema, so
/// connections go back and forth between the tiers too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isolation_property_under_a_tiny_pool() {
    let app = TestApp::spawn_with(|c| c.api.pool.max_size = 3).await;
    let mut tenants = Vec::new();
    for i in 0..8 {
        let tier = if i % 2 == 0 { "pooled" } else { "schema" };
        tenants.push(app.tenant_in(&format!("tenant_{i}"), tier).await);
    }
    let seed: u64 = std::env::var("ATRIUM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("isolation property seed: {seed} (rerun with ATRIUM_TEST_SEED={seed})");
    let app = std::sync::Arc::new(app);
    let mut workers = Vec::new();
    for w in 0..6u64 {
        let (app, tenants) = (app.clone(), tenants.clone());
        workers.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed.wrapping_add(w));
            let mut mine: HashMap<String, Vec<String>> = HashMap::new();
            for step in 0..60 {
                let t = &tenants[rng.gen_range(0..tenants.len())];
                let ids = mine.entry(t.slug.clone()).or_default();
                match rng.gen_range(0..10) {
                    0..=3 => {
                        let (s, c) = app
                            .post(
                                t,
                                "/customers",
                                json!({"name": format!("{} w{w} s{step}", t.slug)}),
                            )
                            .await;
                        assert_eq!(s, StatusCode::CREATED, "{c}");
                        ids.push(c["id"].as_str().unwrap_or_default().to_owned());
                    }
                    4..=5 => {
                        let (s, page) = app.get(t, "/customers?limit=200").await;
                        assert_eq!(s, StatusCode::OK, "{page}");
                        for c in page["items"].as_array().into_iter().flatten() {
                            let name = c["name"].as_str().unwrap_or_default();
                            assert!(
                                name.starts_with(&format!("{} ", t.slug)),
                                "tenant {} read {name}",
                                t.slug
                            );
                        }
                    }
                    6..=7 if !ids.is_empty() => {
                        let id = ids[rng.gen_range(0..ids.len())].clone();
                        let (s, c) = app
                            .patch(
                                t,
                                &format!("/customers/{id}"),
                                json!({"industry": format!("{} industry", t.slug)}),
                            )
                            .await;
                        assert_eq!(s, StatusCode::OK, "{c}");
                        assert!(c["name"].as_str().unwrap_or_default().starts_with(&t.slug));
                    }
                    8 if !ids.is_empty() => {
                        let id = ids.swap_remove(rng.gen_range(0..ids.len()));
                        let (s, _) = app.delete(t, &format!("/customers/{id}")).await;
                        assert_eq!(s, StatusCode::NO_CONTENT);
                    }
                    _ => {
                        // Someone else's id on my path: never found.
                        let other = &tenants[rng.gen_range(0..tenants.len())];
                        if other.slug != t.slug {
                            if let Some(id) = mine.get(&other.slug).and_then(|v| v.first()).cloned()
                            {
                                let (s, _) = app.get(t, &format!("/customers/{id}")).await;
                                assert_eq!(s, StatusCode::NOT_FOUND);
                            }
                        }
                    }
                }
            }
            mine
        }));
    }
    let mut expected: HashMap<String, usize> = HashMap::new();
    for w in workers {
        for (slug, ids) in w.await.expect("worker") {
            *expected.entry(slug).or_default() += ids.len();
        }
    }
    for t in &tenants {
        let (_, page) = app.get(t, "/customers?limit=200").await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(
            items.len(),
            expected.get(&t.slug).copied().unwrap_or(0),
            "exact count for {}",
            t.slug
        );
        assert!(items.iter().all(|c| c["name"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&format!("{} ", t.slug))));
    }
}

#[tokio::test]
async fn a_key_for_a_on_bs_path_reveals_nothing() {
    key_and_id_attacks("schema").await;
}

#[tokio::test]
async fn a_key_for_a_on_bs_path_reveals_nothing_when_pooled() {
    key_and_id_attacks("pooled").await;
}

async fn key_and_id_attacks(tier: &str) {
    let app = TestApp::spawn().await;
    let a = app.tenant_in("alpha", tier).await;
    let b = app.tenant_in("bravo", tier).await;
    let b_customer = app.customer(&b, "Bravo secret").await;

    let a_on_b = TestTenant {
        slug: b.slug.clone(),
        key: a.key.clone(),
    };
    let (s1, body1) = app.get(&a_on_b, "/customers").await;
    let nobody = TestTenant {
        slug: "nobody_here".into(),
        key: a.key.clone(),
    };
    let (s2, body2) = app.get(&nobody, "/customers").await;
    assert_problem(s1, &body1, StatusCode::NOT_FOUND, "tenant_not_found");
    assert_eq!(
        (s1, body1.clone()),
        (s2, body2),
        "same answer as a tenant that does not exist"
    );

    // Even suspension of B is invisible to A's key.
    app.control
        .suspend("bravo", "test", "testing")
        .await
        .expect("suspend");
    let (s, body) = app.get(&a_on_b, "/customers").await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "tenant_not_found");
    app.control.resume("bravo", "test").await.expect("resume");

    // B's ids on A's path are simply not there.
    let id = b_customer["id"].as_str().expect("id");
    let (s, _) = app.get(&a, &format!("/customers/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = app
        .post(&a, "/contacts", json!({"customer_id": id, "name": "Spy"}))
        .await;
    assert_problem(
        s,
        &body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );

    // No key, a malformed key, a random key.
    for auth in [
        None,
        Some("Bearer nope"),
        Some("Bearer atr_AAAAAAAA_notarealkeyatall"),
    ] {
        let mut req = app.http.get(format!("{}/v1/t/alpha/customers", app.base));
        if let Some(h) = auth {
            req = req.header("authorization", h);
        }
        let (s, body) = send(req).await;
        assert_problem(s, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    }
}

#[tokio::test]
async fn hostile_slugs_get_a_4xx_and_change_nothing() {
    let app = TestApp::spawn().await;
    let a = app.tenant("alpha").await;
    let before = app.db.fingerprint().await;
    let hostile = [
        ("a%3Bdrop%20table%20x", "charset"),
        ("a%22b", "charset"),
        ("A", "length"),
        ("Alpha", "first_char"),
        ("%D0%B0lpha", "first_char"), // Cyrillic a
        ("alph%D0%B0", "charset"),
        (&"a".repeat(200) as &str, "length"),
        ("..%2Fx", "first_char"),
        ("public", "reserved"),
        ("pg_catalog", "reserved"),
        ("atrium_control", "reserved"),
    ];
    for (slug, rule) in hostile {
        for method in [Method::GET, Method::POST] {
            let req = app
                .http
                .request(
                    method.clone(),
                    format!("{}/v1/t/{slug}/customers", app.base),
                )
                .bearer_auth(&a.key)
                .json(&json!({"name": "x"}));
            let (s, body) = send(req).await;
            assert_problem(s, &body, StatusCode::BAD_REQUEST, "invalid_tenant_slug");
            assert_eq!(body["rule"], rule, "{slug}: {body}");
        }
    }
    assert_eq!(
        before,
        app.db.fingerprint().await,
        "the database is unchanged"
    );
}

/// A request for A fails mid-transaction; the next request on the same (only)
/// connection, for B, sees only B and runs as B.
#[tokio::test]
async fn a_failed_transaction_leaves_nothing_on_the_pooled_connection() {
    failed_transaction_attacks("schema").await;
}

#[tokio::test]
async fn a_failed_transaction_leaves_nothing_on_the_pooled_connection_when_pooled() {
    failed_transaction_attacks("pooled").await;
}

async fn failed_transaction_attacks(tier: &str) {
    let app = TestApp::spawn_with(|c| c.api.pool.max_size = 1).await;
    let a = app.tenant_in("alpha", tier).await;
    let b = app.tenant_in("bravo", tier).await;
    let a_cust = app.customer(&a, "alpha customer").await;
    app.customer(&b, "bravo customer").await;

    // Fails inside the transaction: the update runs, then the FK check aborts it.
    let (s, _) = app
        .patch(
            &a,
            &format!("/contacts/{}", uuid::Uuid::now_v7()),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, c) = app
        .post(
            &a,
            "/contacts",
            json!({"customer_id": uuid::Uuid::now_v7(), "name": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{c}");
    let (_, page) = app.get(&b, "/customers").await;
    let names: Vec<&str> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["bravo customer"]);

    // Reach into the db layer: a transaction abandoned mid-way (dropped, as when a client
    // disconnects) must not leak role, search_path, statement_timeout or tenant.
    let api_pool = atrium_core::db::build_pool(
        &app.db.config.api.database_url,
        &{
            let mut p = app.db.config.api.pool.clone();
            p.max_size = 1;
            p
        },
        "test",
    )
    .expect("pool");
    let scope_a = scope(&app, "alpha").await;
    {
        let mut tx = TenantTx::begin(&api_pool, &scope_a).await.expect("begin");
        let rows = tx
            .query("SELECT id FROM customers", &[])
            .await
            .expect("query");
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].get::<_, uuid::Uuid>(0).to_string(),
            a_cust["id"].as_str().unwrap_or_default()
        );
        let err = tx
            .query("SELECT 1/0", &[])
            .await
            .expect_err("division by zero");
        assert!(err.code().is_some());
        // dropped here without commit
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_clean(&api_pool, &app).await;

    // A one-statement write goes out with no BEGIN or COMMIT, in the implicit transaction
    // of one Sync: neither its success nor its failure may leave anything behind either.
    for (sql, ok) in [
        ("SELECT 1 FROM customers", true),
        ("INSERT INTO notes (id) VALUES (NULL) RETURNING id", false),
    ] {
        let tx = TenantTx::begin(&api_pool, &scope_a).await.expect("begin");
        assert_eq!(tx.query_and_commit(sql, &[]).await.is_ok(), ok, "{sql}");
        assert_clean(&api_pool, &app).await;
    }

    // A list's count and page go out together the same way: both answer, or the first
    // failure answers for both.
    let mut tx = TenantTx::begin(&api_pool, &scope_a).await.expect("begin");
    let both = tx
        .queries_last(&[
            ("SELECT count(*) FROM customers", &[]),
            ("SELECT name FROM customers", &[]),
        ])
        .await
        .expect("count and page");
    assert_eq!(both[0][0].get::<_, i64>(0), 1);
    assert_eq!(both[1][0].get::<_, String>(0), "alpha customer");
    drop(tx);
    assert_clean(&api_pool, &app).await;
    let mut tx = TenantTx::begin(&api_pool, &scope_a).await.expect("begin");
    let err = tx
        .queries_last(&[
            ("UPDATE customers SET name = 'changed' RETURNING id", &[]),
            ("SELECT 1/0", &[]),
        ])
        .await
        .expect_err("the second fails");
    assert_eq!(err.code(), Some(&SqlState::DIVISION_BY_ZERO), "{err}");
    drop(tx);
    assert_clean(&api_pool, &app).await;
    let (_, page) = app.get(&a, "/customers").await;
    assert_eq!(
        page["items"][0]["name"], "alpha customer",
        "nothing committed"
    );

    // A request dropped while its statement runs (the client went away, a timeout) has
    // begun its transaction on the server: the connection comes back to the pool only
    // after ROLLBACK, never inside the tenant's role. (It once came back at once: the
    // browser tests caught other tenants' requests failing on it.)
    for sql in [
        "SELECT pg_sleep(0.3)",
        "SELECT pg_sleep(0.3) FROM customers",
    ] {
        for _ in 0..2 {
            let mut tx = TenantTx::begin(&api_pool, &scope_a).await.expect("begin");
            let sleeping = tx.query(sql, &[]);
            let cut = tokio::time::timeout(std::time::Duration::from_millis(100), sleeping);
            assert!(cut.await.is_err(), "{sql} still runs");
            drop(tx);
            assert_clean(&api_pool, &app).await;
        }
    }
}

/// The pool's one connection is outside any transaction, with the login role's settings.
async fn assert_clean(api_pool: &deadpool_postgres::Pool, app: &TestApp) {
    let conn = api_pool.get().await.expect("same connection back");
    let row = conn
        .query_one("SELECT current_user::text, current_setting('search_path'), current_setting('statement_timeout'),
                           coalesce(current_setting('atrium.tenant_id', true), '')", &[])
        .await
        .expect("outside any transaction");
    assert_eq!(row.get::<_, String>(0), app.db.config.control.api_role);
    assert_eq!(row.get::<_, String>(1), "\"$user\", public");
    assert_eq!(row.get::<_, String>(2), "0");
    assert_eq!(
        row.get::<_, String>(3),
        "",
        "a pool's tenant setting outlived its transaction"
    );
    let err = conn
        .batch_execute("SAVEPOINT probe")
        .await
        .expect_err("no transaction may be open");
    assert_eq!(
        err.code(),
        Some(&SqlState::NO_ACTIVE_SQL_TRANSACTION),
        "{err}"
    );
}

/// How the data plane enters the tenant, in whichever tier it is.
async fn scope(app: &TestApp, slug: &str) -> TenantScope {
    let t = app.control.get_tenant(slug).await.expect("tenant");
    match t.pool_name {
        Some(_) => app.pool_scope(t.id),
        None => TenantScope::new(&t.schema_name, &t.role_name, 5_000)
            .expect("scope")
            .tenant_id(t.id),
    }
}

/// Inside A's transaction, pointing search_path (or a qualified name) at B's schema
/// is refused by PostgreSQL itself.
#[tokio::test]
async fn wrong_search_path_is_permission_denied() {
    let app = TestApp::spawn().await;
    let a = app.tenant("alpha").await;
    let b = app.tenant("bravo").await;
    let _ = a;
    app.customer(&b, "bravo secret").await;
    let pool = app.api_pool();
    let scope_a = scope(&app, "alpha").await;
    // PostgreSQL skips search_path entries the role has no USAGE on, so the unqualified
    // name resolves to nothing; the qualified one is refused outright.
    for (sql, code) in [
        (
            "SET LOCAL search_path = t_bravo; SELECT * FROM customers",
            SqlState::UNDEFINED_TABLE,
        ),
        (
            "SELECT * FROM t_bravo.customers",
            SqlState::INSUFFICIENT_PRIVILEGE,
        ),
        (
            "SET LOCAL search_path = t_bravo, t_alpha; SELECT * FROM t_bravo.deals",
            SqlState::INSUFFICIENT_PRIVILEGE,
        ),
    ] {
        let mut tx = TenantTx::begin(&pool, &scope_a).await.expect("begin");
        let err = tx.batch_execute(sql).await.expect_err("must be refused");
        assert_eq!(err.code(), Some(&code), "{sql}: {err}");
    }
    // With search_path forced to B, A's role sees only its own schema, never B's rows.
    let mut tx = TenantTx::begin(&pool, &scope_a).await.expect("begin");
    tx.batch_execute("SET LOCAL search_path = t_bravo, t_alpha")
        .await
        .expect("set");
    let rows = tx
        .query("SELECT name FROM customers", &[])
        .await
        .expect("own rows");
    assert!(
        rows.is_empty(),
        "alpha has no customers; bravo's must not show"
    );
    drop(tx);
    // Escaping the tenant role inside the transaction is refused too.
    let mut tx = TenantTx::begin(&pool, &scope_a).await.expect("begin");
    tx.query("SELECT 1", &[]).await.expect("setup");
    let err = tx
        .batch_execute("SET LOCAL ROLE NONE; SELECT * FROM t_bravo.customers")
        .await
        .expect_err("refused");
    assert_eq!(err.code(), Some(&SqlState::INSUFFICIENT_PRIVILEGE), "{err}");
}

/// The data plane's login role, on its own, can read no tenant's data.
#[tokio::test]
async fn the_api_login_role_alone_reads_nothing() {
    let app = TestApp::spawn().await;
    let b = app.tenant("bravo").await;
    app.customer(&b, "bravo secret").await;
    use secrecy::ExposeSecret;
    let (client, conn) =
        atrium_core::db::connect_one(app.db.config.api.database_url.expose_secret(), "test")
            .await
            .expect("connect");
    tokio::spawn(conn);
    for (sql, code) in [
        (
            "SELECT * FROM t_bravo.customers",
            SqlState::INSUFFICIENT_PRIVILEGE,
        ),
        // Schemas without USAGE are skipped in search_path: the table is not even visible.
        (
            "SET search_path = t_bravo; SELECT * FROM customers",
            SqlState::UNDEFINED_TABLE,
        ),
    ] {
        let err = client.batch_execute(sql).await.expect_err("refused");
        assert_eq!(err.code(), Some(&code), "{sql}");
    }
    let err = client
        .batch_execute("CREATE TABLE public.x (id int)")
        .await
        .expect_err("no DDL");
    assert_eq!(err.code(), Some(&SqlState::INSUFFICIENT_PRIVILEGE));
    let err = client
        .batch_execute("CREATE SCHEMA evil")
        .await
        .expect_err("no CREATE on the database");
    assert_eq!(err.code(), Some(&SqlState::INSUFFICIENT_PRIVILEGE));
}

/// Suspend, resume, delete and key revocation reach a running data plane through
/// LISTEN/NOTIFY, with no restart and a cache TTL (60 s in tests) far too long to hide it.
#[tokio::test]
async fn lifecycle_changes_reach_the_running_api() {
    let app = TestApp::spawn().await;
    let a = app.tenant("alpha").await;
    app.customer(&a, "kept").await;
    let (s, _) = app.get(&a, "/customers").await;
    assert_eq!(s, StatusCode::OK);

    app.control
        .suspend("alpha", "test", "testing")
        .await
        .expect("suspend");
    let (s, body) = eventually(&app, &a, StatusCode::LOCKED).await;
    assert_problem(s, &body, StatusCode::LOCKED, "tenant_suspended");
    assert!(body["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("suspended"));

    app.control.resume("alpha", "test").await.expect("resume");
    let (_, page) = eventually(&app, &a, StatusCode::OK).await;
    assert_eq!(
        page["items"][0]["name"], "kept",
        "data untouched by suspension"
    );

    let key2 = app
        .control
        .create_key("alpha", "second", "test")
        .await
        .expect("key");
    let keys = app.control.list_keys("alpha").await.expect("keys");
    app.control
        .revoke_key("alpha", keys[0].id, "test")
        .await
        .expect("revoke");
    let (s, _) = eventually(&app, &a, StatusCode::UNAUTHORIZED).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let a2 = TestTenant {
        slug: "alpha".into(),
        key: key2.secret,
    };
    let (s, _) = app.get(&a2, "/customers").await;
    assert_eq!(s, StatusCode::OK);

    app.control.delete("alpha", "test").await.expect("delete");
    let (s, body) = eventually(&app, &a2, StatusCode::NOT_FOUND).await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "tenant_not_found");

    let c = app.tenant("charlie").await;
    let (s, _) = app.get(&c, "/customers").await;
    assert_eq!(s, StatusCode::OK, "a new tenant is served at once");
}

#[tokio::test]
async fn dev_tenant_param_is_off_by_default_and_works_when_on() {
    let app = TestApp::spawn().await;
    app.tenant("alpha").await;
    let (s, body) = send(app.http.get(format!("{}/v1/customers?tid=alpha", app.base))).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "the keyless route is not even mounted: {body}"
    );
    let (s, _) = send(app.http.get(format!("{}/v1/t/alpha/customers", app.base))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let dev = TestApp::spawn_with(|c| c.api.dev_tenant_param = true).await;
    dev.tenant("alpha").await;
    let (s, body) = send(
        dev.http
            .post(format!("{}/v1/customers?tid=alpha", dev.base))
            .json(&json!({"name": "learning"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, body) = send(dev.http.get(format!("{}/v1/customers?tid=Bad", dev.base))).await;
    assert_problem(s, &body, StatusCode::BAD_REQUEST, "invalid_tenant_slug");
}

/// The per-tenant statement timeout is applied inside the tenant transaction (role-level
/// settings would not survive SET ROLE), and a query that runs over is a clear 503.
#[tokio::test]
async fn the_tenant_statement_timeout_is_enforced() {
    let app = TestApp::spawn().await;
    app.tenant("alpha").await;
    let t = app.control.get_tenant("alpha").await.expect("tenant");
    let pool = app.api_pool();
    let scope = TenantScope::new(&t.schema_name, &t.role_name, 100).expect("scope");
    let mut tx = TenantTx::begin(&pool, &scope).await.expect("begin");
    let err = tx
        .query("SELECT pg_sleep(1)", &[])
        .await
        .expect_err("cancelled");
    assert_eq!(err.code(), Some(&SqlState::QUERY_CANCELED));
    let api_err = atrium_http::ApiError::from(err);
    assert_eq!(
        (api_err.status().as_u16(), api_err.code()),
        (503, "statement_timeout")
    );
}

/// Finding (issue 13, noisy neighbours): a request that stalls inside its transaction
/// held a pooled connection, and its locks, for as long as it liked. PostgreSQL now ends
/// a tenant transaction idle past its limit, and the pool hands out a clean connection.
#[tokio::test]
async fn an_idle_tenant_transaction_is_ended_and_its_connection_not_reused() {
    let app = TestApp::spawn().await;
    app.tenant("alpha").await;
    let t = app.control.get_tenant("alpha").await.expect("tenant");
    let mut cfg = app.db.config.api.pool.clone();
    cfg.max_size = 1;
    let pool =
        atrium_core::db::build_pool(&app.db.config.api.database_url, &cfg, "test").expect("pool");
    let scope = TenantScope::new(&t.schema_name, &t.role_name, 5_000)
        .expect("scope")
        .idle_in_transaction(200);
    let mut tx = TenantTx::begin(&pool, &scope).await.expect("begin");
    tx.query("SELECT count(*) FROM customers", &[])
        .await
        .expect("first statement");
    // The next statement is queued on the connection just before the client reads the
    // server's FATAL (a byte on a socket pair, readable first, stands for the request that
    // wakes the handler): it gets that FATAL, which ends the session like any lost
    // connection, so the client sees a 503, not a 500.
    let (request, arrived) = std::os::unix::net::UnixStream::pair().expect("pair");
    std::io::Write::write_all(&mut &request, b"!").expect("request");
    arrived.set_nonblocking(true).expect("nonblocking");
    let mut arrived = tokio::net::UnixStream::from_std(arrived).expect("register");
    std::thread::sleep(std::time::Duration::from_millis(600));
    tokio::io::AsyncReadExt::read_exact(&mut arrived, &mut [0; 1])
        .await
        .expect("request byte");
    let err = tx
        .query("SELECT count(*) FROM customers", &[])
        .await
        .expect_err("the idle transaction's session was ended");
    assert!(err.is_connection_class(), "{err:?}");
    drop(tx);
    // The pool's only connection was the ended one: the next transaction gets a new one.
    let mut tx = TenantTx::begin(&pool, &scope).await.expect("begin again");
    let row = tx
        .query_opt("SHOW idle_in_transaction_session_timeout", &[])
        .await
        .expect("a live connection")
        .expect("a row");
    assert_eq!(row.get::<_, String>(0), "200ms");
    tx.commit().await.expect("commit");
}

/// Notes are tenant data like the rest: another tenant's note ids, customer and deal ids
/// and keys find nothing, and change nothing.
#[tokio::test]
async fn notes_of_another_tenant_are_not_found() {
    notes_attacks("schema").await;
}

#[tokio::test]
async fn notes_of_another_tenant_are_not_found_when_pooled() {
    notes_attacks("pooled").await;
}

async fn notes_attacks(tier: &str) {
    let app = TestApp::spawn().await;
    let a = app.tenant_in("alpha", tier).await;
    let b = app.tenant_in("bravo", tier).await;
    let b_customer = app.customer(&b, "Bravo secret").await;
    let cid = b_customer["id"].as_str().expect("id");
    let (s, b_deal) = app
        .post(
            &b,
            "/deals",
            json!({"customer_id": cid, "title": "Secret", "amount_cents": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b_deal}");
    let did = b_deal["id"].as_str().expect("id");
    let (s, note) = app
        .post(
            &b,
            &format!("/customers/{cid}/notes"),
            json!({"body": "Bravo only"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{note}");
    let nid = note["id"].as_str().expect("id");

    let before = app.db.fingerprint().await;
    for (method, path) in [
        (Method::GET, format!("/customers/{cid}/notes")),
        (Method::POST, format!("/customers/{cid}/notes")),
        (Method::GET, format!("/deals/{did}/notes")),
        (Method::POST, format!("/deals/{did}/notes")),
        (Method::GET, format!("/customers/{cid}/timeline")),
        (Method::PATCH, format!("/notes/{nid}")),
        (Method::DELETE, format!("/notes/{nid}")),
    ] {
        let (s, body) = send(
            app.req(&a, method.clone(), &path)
                .json(&json!({"body": "Alpha was here"})),
        )
        .await;
        assert_problem(s, &body, StatusCode::NOT_FOUND, "not_found");
        assert!(
            !body.to_string().contains("Bravo"),
            "{method} {path}: {body}"
        );
    }
    // A's key on B's path is the same 404 as a tenant that does not exist.
    let a_on_b = TestTenant {
        slug: b.slug.clone(),
        key: a.key.clone(),
    };
    let (s, body) = app.get(&a_on_b, &format!("/customers/{cid}/notes")).await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "tenant_not_found");
    let (s, body) = app.get(&a_on_b, "/settings").await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "tenant_not_found");
    assert_eq!(before, app.db.fingerprint().await, "nothing changed");
    let (_, list) = app.get(&b, &format!("/customers/{cid}/notes")).await;
    assert_eq!(list["items"][0]["body"], "Bravo only");
}

/// Team management is tenant-scoped: another tenant's user ids, invite tokens and reset
/// tokens find nothing, and nothing of the other tenant changes.
#[tokio::test]
async fn another_tenants_users_invites_and_reset_links_are_not_found() {
    team_attacks("schema").await;
}

#[tokio::test]
async fn another_tenants_users_invites_and_reset_links_are_not_found_when_pooled() {
    team_attacks("pooled").await;
}

async fn team_attacks(tier: &str) {
    let app = TestApp::spawn().await;
    let a = app.tenant_in("alpha", tier).await;
    let b = app.tenant_in("bravo", tier).await;
    let (_, invited) = app
        .post(&b, "/users", json!({"email": "bo@bravo.test"}))
        .await;
    let b_invite = invited["invite_token"].as_str().expect("token").to_owned();
    let b_id = invited["user"]["id"].as_str().expect("id").to_owned();
    let (s, _) = app
        .http
        .post(format!("{}/v1/t/bravo/invites/accept", app.base))
        .json(&json!({"token": b_invite, "password": "a long password"}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .expect("accept");
    assert_eq!(s, StatusCode::OK);
    let (_, reset) = app
        .post(&b, &format!("/users/{b_id}/password-reset"), json!({}))
        .await;
    let b_reset = reset["reset_token"]
        .as_str()
        .expect("reset token")
        .to_owned();
    let (_, other) = app
        .post(&b, "/users", json!({"email": "cy@bravo.test"}))
        .await;
    let b_pending = other["user"]["id"].as_str().expect("id").to_owned();
    let other_token = other["invite_token"].as_str().expect("token").to_owned();

    let user = format!("/users/{b_id}");
    let (s, body) = app.patch(&a, &user, json!({"role": "admin"})).await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "not_found");
    for path in [user.clone(), format!("/invites/{b_pending}")] {
        let (s, _) = app.delete(&a, &path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = app
        .post(&a, &format!("{user}/password-reset"), json!({}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let preview = format!(
        "{}/v1/t/alpha/invites/preview?token={other_token}",
        app.base
    );
    let (s, body) = send(app.http.get(preview)).await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "invite_invalid");
    let (s, body) = send(
        app.http
            .post(format!("{}/v1/t/alpha/password-reset", app.base))
            .json(&json!({"token": b_reset, "password": "a stolen password"})),
    )
    .await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "reset_invalid");

    let (_, users) = app.get(&b, "/users").await;
    let items = users["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "bravo keeps both");
    assert_eq!(items[0]["role"], "member");
    let (s, _) = send(
        app.http
            .post(format!("{}/v1/t/bravo/password-reset", app.base))
            .json(&json!({"token": b_reset, "password": "the owner's new password"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "bravo's link still works in bravo");
}

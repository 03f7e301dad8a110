//! The pooled tier: tenants sharing a pool schema, kept apart by row-level security
//! alone. Attacks that only make sense there.

use atrium_core::db::{TenantScope, TenantTx};
use reqwest::StatusCode;
use serde_json::json;
use tokio_postgres::error::SqlState;

use crate::TestApp;

/// The same API, the same SQL: everything a tenant does works in a pool too, and the
/// pool's rows carry the tenant's id without any request naming it.
#[tokio::test]
async fn a_pooled_tenant_works_through_the_same_api() {
    let app = TestApp::spawn().await;
    let a = app.tenant_in("alpha", "pooled").await;
    let b = app.tenant_in("bravo", "pooled").await;
    let tenant = app.control.get_tenant("alpha").await.expect("tenant");
    assert_eq!(tenant.pool_name.as_deref(), Some("pool_01"));

    let customer = app.customer(&a, "Acme").await;
    let id = customer["id"].as_str().expect("id");
    let (s, order) = app
        .post(
            &a,
            "/orders",
            json!({"customer_id": id, "item": "Widget", "amount_cents": 500}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{order}");
    assert_eq!(
        order["currency"], "USD",
        "the tenant's currency, from its settings row"
    );
    let (s, changed) = app
        .patch(&a, &format!("/customers/{id}"), json!({"name": "Acme Ltd"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{changed}");

    // Bravo, in the same pool, sees none of it and keeps its own settings.
    let (s, page) = app.get(&b, "/customers").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["items"], json!([]), "{page}");
    let (s, theirs) = app.get(&b, "/settings").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(theirs["currency"], "USD", "{theirs}");
    let (s, _) = app.get(&b, &format!("/customers/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .patch(&b, &format!("/customers/{id}"), json!({"name": "mine now"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.delete(&b, &format!("/customers/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // In the pool itself, every row is marked with its tenant.
    let rows = app
        .db
        .superuser()
        .await
        .query(
            "SELECT DISTINCT tenant_id FROM pool_01.customers UNION SELECT tenant_id FROM pool_01.orders",
            &[],
        )
        .await
        .expect("pool rows");
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(ids, vec![tenant.id]);
}

/// A `tenant_id` in a body is not a field of any resource: it cannot place a row in
/// another tenant's rows.
#[tokio::test]
async fn tenant_id_in_a_body_is_ignored() {
    let app = TestApp::spawn().await;
    let a = app.tenant_in("alpha", "pooled").await;
    let b = app.tenant_in("bravo", "pooled").await;
    let bravo = app.control.get_tenant("bravo").await.expect("tenant");
    let (s, body) = app
        .post(
            &a,
            "/customers",
            json!({"name": "Planted", "tenant_id": bravo.id}),
        )
        .await;
    assert!(
        s == StatusCode::CREATED || s.is_client_error(),
        "{s} {body}"
    );
    let (_, page) = app.get(&b, "/customers").await;
    assert_eq!(page["items"], json!([]), "{page}");
}

/// The pool's role without the tenant setting sees no row and can write none: a code
/// path that forgot the setting fails closed.
#[tokio::test]
async fn a_transaction_without_the_tenant_setting_sees_nothing() {
    let app = TestApp::spawn().await;
    let a = app.tenant_in("alpha", "pooled").await;
    app.customer(&a, "Acme").await;
    let pool = app.api_pool();
    let role = format!("{}pool_01", app.db.config.control.role_prefix);
    // A scope with no tenant id: the setting is sent empty.
    let scope = TenantScope::new("pool_01", &role, 5_000).expect("scope");
    let mut tx = TenantTx::begin(&pool, &scope).await.expect("begin");
    let rows = tx
        .query("SELECT count(*) FROM customers", &[])
        .await
        .expect("count");
    assert_eq!(rows[0].get::<_, i64>(0), 0, "no setting, no rows");
    let err = tx
        .query(
            "INSERT INTO customers (id, name) VALUES (gen_random_uuid(), 'x') RETURNING id",
            &[],
        )
        .await
        .expect_err("no setting, no write");
    // The policy's WITH CHECK refuses the row (its tenant_id is NULL) before NOT NULL does.
    assert_eq!(err.code(), Some(&SqlState::INSUFFICIENT_PRIVILEGE), "{err}");
    drop(tx);

    // Nor can the pool's role turn row-level security off or read around it.
    let mut tx = TenantTx::begin(&pool, &scope).await.expect("begin");
    tx.query("SELECT 1", &[]).await.expect("setup");
    let err = tx
        .batch_execute("ALTER TABLE customers DISABLE ROW LEVEL SECURITY")
        .await
        .expect_err("refused");
    assert_eq!(err.code(), Some(&SqlState::INSUFFICIENT_PRIVILEGE), "{err}");
}

/// Every table of a pool schema has row-level security enabled and forced, with the
/// tenant policy: a new table without it fails here before it can leak.
#[tokio::test]
async fn every_pool_table_has_row_level_security_forced() {
    let app = TestApp::spawn().await;
    app.tenant_in("alpha", "pooled").await;
    app.tenant_in("bravo", "schema").await;
    let db = app.db.superuser().await;
    let unguarded = db
        .query(
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname LIKE 'pool\\_%' AND c.relkind IN ('r', 'p')
               AND (NOT c.relrowsecurity OR NOT c.relforcerowsecurity
                    OR NOT EXISTS (SELECT 1 FROM pg_policy p
                                   WHERE p.polrelid = c.oid AND p.polname = 'tenant_rows'))",
            &[],
        )
        .await
        .expect("catalog");
    let names: Vec<String> = unguarded.iter().map(|r| r.get(0)).collect();
    assert!(
        names.is_empty(),
        "pool tables without the policy: {names:?}"
    );

    // And the pool has the same tables and columns as a tenant's own schema, plus
    // tenant_id: the two tiers hold the same data.
    let columns = |schema: &'static str| {
        let db = &db;
        async move {
            db.query(
                "SELECT table_name::text, column_name::text, data_type::text
                 FROM information_schema.columns WHERE table_schema = $1 AND column_name <> 'tenant_id'
                 ORDER BY 1, 2",
                &[&schema],
            )
            .await
            .expect("columns")
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1), r.get::<_, String>(2)))
            .collect::<Vec<_>>()
        }
    };
    assert_eq!(columns("pool_01").await, columns("t_bravo").await);
}

/// The pool's role is a tenant role like any other: a schema-tier tenant's schema is as
/// closed to it as to any other tenant.
#[tokio::test]
async fn the_pool_role_cannot_reach_a_tenant_schema() {
    let app = TestApp::spawn().await;
    app.tenant_in("alpha", "pooled").await;
    let b = app.tenant_in("bravo", "schema").await;
    app.customer(&b, "bravo secret").await;
    let alpha = app.control.get_tenant("alpha").await.expect("tenant");
    let pool = app.api_pool();
    let role = format!("{}pool_01", app.db.config.control.role_prefix);
    let scope = TenantScope::new("pool_01", &role, 5_000)
        .expect("scope")
        .tenant_id(alpha.id);
    for (sql, code) in [
        (
            "SET LOCAL search_path = t_bravo; SELECT * FROM customers",
            SqlState::INSUFFICIENT_PRIVILEGE,
        ),
        (
            "SELECT * FROM t_bravo.customers",
            SqlState::INSUFFICIENT_PRIVILEGE,
        ),
    ] {
        let mut tx = TenantTx::begin(&pool, &scope).await.expect("begin");
        let err = tx.batch_execute(sql).await.expect_err("must be refused");
        assert!(
            err.code() == Some(&code) || err.code() == Some(&SqlState::UNDEFINED_TABLE),
            "{sql}: {err}"
        );
    }
}

/// A pool's DELETE blocks nobody, unlike a DROP SCHEMA: a transaction of the tenant's in
/// flight could commit a row after it, under a deleted tenant's id. The delete drains
/// them first, and one that arrives meanwhile finds the tenant gone (404).
#[tokio::test]
async fn a_pooled_tenant_s_delete_waits_for_its_transactions_and_leaves_no_row() {
    let app = TestApp::spawn().await;
    let t = app.tenant_in("goner", "pooled").await;
    app.customer(&t, "Kept until the end").await;
    let tenant = app.control.get_tenant("goner").await.expect("tenant");
    let pool = app.api_pool();
    let scope = app.pool_scope(tenant.id);
    let mut late = TenantTx::begin(&pool, &scope).await.expect("begin");
    late.query(
        "INSERT INTO customers (id, name) VALUES (gen_random_uuid(), 'late')",
        &[],
    )
    .await
    .expect("a write in flight");

    let control = app.control.clone();
    let deleting = tokio::spawn(async move { control.delete("goner", "test").await });
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert!(
        !deleting.is_finished(),
        "the delete waits for the write in flight"
    );
    let mut arriving = TenantTx::begin(&pool, &scope).await.expect("begin");
    let err = arriving
        .query("SELECT 1", &[])
        .await
        .expect_err("the tenant is being deleted");
    assert_eq!(err.code(), Some(&SqlState::UNDEFINED_OBJECT), "{err}");
    drop(arriving);
    late.commit()
        .await
        .expect("the write commits before the erase");
    let deleted = deleting.await.expect("task").expect("delete");
    assert_eq!(deleted.state.as_str(), "deleted");

    let left: i64 = app
        .db
        .superuser()
        .await
        .query_one(
            "SELECT (SELECT count(*) FROM pool_01.customers WHERE tenant_id = $1)
                  + (SELECT count(*) FROM pool_01.settings WHERE tenant_id = $1)",
            &[&tenant.id],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(left, 0, "rows left under a deleted tenant's id");
}

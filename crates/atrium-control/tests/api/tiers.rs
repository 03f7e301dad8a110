//! The pooled tier in the control plane: provisioning is a registry row, a pool migrates
//! once for all of its tenants, and what pooled tenants cannot do yet is refused.

use std::time::Instant;

use atrium_control::{provision::NewTenant, schema};

use crate::{provision::code, TestControl};

fn pooled(slug: &str) -> NewTenant {
    NewTenant {
        slug: slug.into(),
        tier: Some("pooled".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_pooled_tenant_is_a_registry_row_in_a_pool() {
    let t = TestControl::new().await;
    let first = t
        .control
        .provision(&pooled("acme"), "test")
        .await
        .expect("provision");
    assert_eq!(first.pool_name.as_deref(), Some("pool_01"));
    assert_eq!(
        first.migration_version,
        atrium_core::migrations::latest(schema::POOL),
        "a pooled tenant is at its pool's version"
    );
    assert_eq!(first.state.as_str(), "active");

    // Neither the slug's schema nor its role exist; both names stay reserved.
    let own = t
        .count(
            "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 't_acme')
                  + (SELECT count(*) FROM pg_roles WHERE rolname = $1)",
            &[&first.role_name],
        )
        .await;
    assert_eq!(own, 0);
    let version = t
        .count(
            "SELECT migration_version::bigint FROM atrium_control.pools WHERE name = 'pool_01'",
            &[],
        )
        .await;
    assert_eq!(
        version,
        i64::from(atrium_core::migrations::latest(schema::POOL))
    );

    let start = Instant::now();
    const MORE: usize = 200;
    for i in 0..MORE {
        t.control
            .provision(&pooled(&format!("small_{i:03}")), "test")
            .await
            .expect("provision");
    }
    let each = start.elapsed() / MORE as u32;
    println!("provisioned {MORE} pooled tenants, {each:?} each");
    assert_eq!(
        t.count("SELECT count(*) FROM atrium_control.pools", &[])
            .await,
        1,
        "they share the one pool"
    );
    assert_eq!(
        t.count("SELECT count(*) FROM pool_01.settings", &[]).await,
        1 + MORE as i64,
        "a settings row each (the superuser bypasses row-level security)"
    );
    let owner = t.control.pool.get().await.expect("control connection");
    let seen: i64 = owner
        .query_one("SELECT count(*) FROM pool_01.settings", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(
        seen, 0,
        "forced even for the tables' owner: no tenant setting, no rows"
    );

    // Taken slugs and bad tiers are refused, and change nothing.
    let again = t.control.provision(&pooled("acme"), "test").await;
    assert_eq!(code(again.expect_err("taken")), "tenant_exists");
    let bad = NewTenant {
        tier: Some("shared; DROP SCHEMA pool_01".into()),
        ..pooled("other")
    };
    assert_eq!(
        code(
            t.control
                .provision(&bad, "test")
                .await
                .expect_err("bad tier")
        ),
        "validation_failed"
    );
    assert_eq!(
        t.count("SELECT count(*) FROM atrium_control.tenants", &[])
            .await,
        1 + MORE as i64
    );
}

/// One migration run of a pool brings every one of its tenants along, and the tenant
/// loop never touches them.
#[tokio::test]
async fn a_pool_migrates_once_for_all_of_its_tenants() {
    let t = TestControl::new().await;
    for i in 0..20 {
        t.control
            .provision(&pooled(&format!("small_{i:02}")), "test")
            .await
            .expect("provision");
    }
    t.provision("big").await;
    // Roll the pool back to 0003, as if 0004 and after were new.
    let su = t.db.superuser().await;
    su.batch_execute(
        "ALTER TABLE pool_01.users DROP COLUMN reset_hash, DROP COLUMN reset_expires_at;
         UPDATE atrium_control.pools SET migration_version = 3;
         UPDATE atrium_control.tenants SET migration_version = 3 WHERE tier = 'pooled'",
    )
    .await
    .expect("roll back");

    let report = t
        .control
        .migrate_tenants(schema::TENANT, &())
        .await
        .expect("migrate");
    assert_eq!(report.pools_migrated, vec!["pool_01".to_owned()]);
    assert!(report.migrated.is_empty(), "{:?}", report.migrated);
    assert!(report.failed.is_empty(), "{:?}", report.failed.len());
    assert_eq!(report.up_to_date, 1, "the one schema-tier tenant");
    let columns = t
        .count(
            "SELECT count(*) FROM information_schema.columns
             WHERE table_schema = 'pool_01' AND table_name = 'users'
               AND column_name IN ('reset_hash', 'reset_expires_at')",
            &[],
        )
        .await;
    assert_eq!(columns, 2);
    assert_eq!(
        t.count(
            "SELECT count(*) FROM atrium_control.tenants WHERE tier = 'pooled' AND migration_version = $1",
            &[&atrium_core::migrations::latest(schema::POOL)]
        )
        .await,
        20,
        "every tenant of the pool is at the pool's version"
    );
    let again = t
        .control
        .migrate_tenants(schema::TENANT, &())
        .await
        .expect("migrate");
    assert!(again.pools_migrated.is_empty());
}

/// Export and delete work by `tenant_id`: the file holds this tenant's rows only, in the
/// same format as a schema's (so it restores into the schema tier), and the delete leaves
/// the pool's other tenants as they were.
#[tokio::test]
async fn a_pooled_tenant_exports_and_deletes_by_its_id() {
    let t = TestControl::new().await;
    let acme = t
        .control
        .provision(&pooled("acme"), "test")
        .await
        .expect("provision");
    let other = t
        .control
        .provision(&pooled("other"), "test")
        .await
        .expect("provision");
    let su = t.db.superuser().await;
    for (tenant, name) in [(acme.id, "Acme's customer"), (other.id, "Other's customer")] {
        su.execute(
            "INSERT INTO pool_01.customers (tenant_id, id, name) VALUES ($1, gen_random_uuid(), $2)",
            &[&tenant, &name],
        )
        .await
        .expect("insert");
    }

    let exported = t.control.export_live("acme", "test").await.expect("export");
    let path = exported.export_path.expect("export path");
    let text = std::fs::read_to_string(&path).expect("read export");
    assert!(text.contains("Acme's customer"), "{text}");
    assert!(
        !text.contains("Other's customer"),
        "another tenant's row leaked into the export"
    );
    assert!(!text.contains("tenant_id"), "the file is tier-agnostic");

    let deleted = t.control.delete("acme", "test").await.expect("delete");
    assert_eq!(deleted.state.as_str(), "deleted");
    let again = t.control.provision(&pooled("acme"), "test").await;
    assert_eq!(code(again.expect_err("reserved")), "slug_unavailable");
    let left: Vec<String> = su
        .query("SELECT name FROM pool_01.customers ORDER BY name", &[])
        .await
        .expect("rows")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(left, vec!["Other's customer".to_owned()]);
    assert_eq!(
        t.count(
            "SELECT count(*) FROM pool_01.settings WHERE tenant_id = $1",
            &[&acme.id]
        )
        .await,
        0
    );

    // The export comes back in the tier its header names: the pool.
    let path = deleted.export_path.expect("delete's export");
    let back = t
        .control
        .restore("acme_back", std::path::Path::new(&path), "test")
        .await
        .expect("restore into the pool");
    assert_eq!(back.pool_name.as_deref(), Some("pool_01"));
    let n = t
        .count(
            "SELECT count(*) FROM pool_01.customers WHERE tenant_id = $1",
            &[&back.id],
        )
        .await;
    assert_eq!(n, 1);
    // The rows themselves are the same in either tier: with the header naming the schema
    // tier, the same file restores into a schema of its own.
    let text = std::fs::read_to_string(&path).expect("export");
    assert!(text.contains("\n-- tenant_tier: pooled\n"), "{text}");
    let edited = std::path::Path::new(&path).with_extension("schema.sql");
    std::fs::write(
        &edited,
        text.replace("-- tenant_tier: pooled", "-- tenant_tier: schema"),
    )
    .expect("write");
    t.control
        .restore("acme_copy", &edited, "test")
        .await
        .expect("restore into the schema tier");
    let names: Vec<String> = su
        .query("SELECT name FROM t_acme_copy.customers", &[])
        .await
        .expect("rows")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, vec!["Acme's customer".to_owned()]);
}

/// A pool whose migration fails changes nothing, says why, and the run goes on.
#[tokio::test]
async fn a_failing_pool_migration_changes_nothing_and_is_recorded() {
    let t = TestControl::new().await;
    t.control
        .provision(&pooled("acme"), "test")
        .await
        .expect("provision");
    let mut set = schema::POOL.to_vec();
    set.push(atrium_core::migrations::Migration::new(
        99,
        "broken",
        "CREATE TABLE half_done (tenant_id uuid); SELECT no_such_function();",
    ));
    let (migrated, failed) = t.control.migrate_pools(&set).await.expect("run");
    assert!(migrated.is_empty());
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].slug, "pool_01");
    assert!(
        failed[0].error.contains("0099_broken"),
        "{}",
        failed[0].error
    );
    assert_eq!(
        t.count(
            "SELECT count(*) FROM atrium_control.pools
             WHERE migration_version = $1 AND migration_error LIKE '%no_such_function%'",
            &[&atrium_core::migrations::latest(schema::POOL)]
        )
        .await,
        1
    );
    assert_eq!(
        t.count(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'pool_01' AND tablename = 'half_done'",
            &[]
        )
        .await,
        0,
        "rolled back"
    );
}

/// The operator API moves a tenant and lists its moves; a bad request changes nothing.
#[tokio::test]
async fn operators_move_a_tenant_through_the_api_and_bad_requests_change_nothing() {
    use reqwest::Method;
    use serde_json::json;

    let api = crate::operator_api::Api::spawn_on(TestControl::new().await).await;
    api.t
        .control
        .provision(&pooled("roamer"), "test")
        .await
        .expect("provision");
    let (s, body) = api
        .call(
            Method::POST,
            "/v1/tenants/roamer/moves",
            Some(json!({"tier": "gold"})),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, body) = api
        .call(
            Method::POST,
            "/v1/tenants/roamer/moves",
            Some(json!({"tier": "pooled"})),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "already_in_tier");
    let (s, body) = api
        .call(Method::GET, "/v1/tenants/roamer/moves", None)
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{body}");
    assert_eq!(body["items"], json!([]), "refusals make no move");

    let (s, moved) = api
        .call(
            Method::POST,
            "/v1/tenants/roamer/moves",
            Some(json!({"tier": "schema"})),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK, "{moved}");
    assert_eq!(moved["state"], "flipped");
    assert_eq!(moved["to_schema"], "t_roamer");
    let (_, tenant) = api.call(Method::GET, "/v1/tenants/roamer", None).await;
    assert_eq!(tenant["tier"], "schema", "{tenant}");
    let (_, list) = api
        .call(Method::GET, "/v1/tenants/roamer/moves", None)
        .await;
    assert_eq!(list["items"][0]["id"], moved["id"]);
    let (_, audit) = api
        .call(
            Method::GET,
            "/v1/audit?tenant_slug=roamer&action=tenant.move",
            None,
        )
        .await;
    let outcomes: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["ok", "error", "error"], "{audit}");

    // The old placement is the serving control plane's to remove, after the grace
    // period: it holds its lock, and another process leaves it alone.
    let finished = api
        .t
        .control
        .finish_moves(None, true)
        .await
        .expect("finish");
    assert_eq!(finished, 0);
    let left = api
        .t
        .count(
            "SELECT count(*) FROM pool_01.settings s JOIN atrium_control.tenants t ON t.id = s.tenant_id
             WHERE t.slug = 'roamer'",
            &[],
        )
        .await;
    assert_eq!(left, 1, "kept through the grace period");

    // While a move copies, the tenant cannot be deleted from under it.
    let db = api.t.db.superuser().await;
    db.execute("UPDATE atrium_control.tenant_moves SET state = 'done'", &[])
        .await
        .expect("the earlier move over");
    db.execute(
        "INSERT INTO atrium_control.tenant_moves
             (id, tenant_id, from_tier, to_tier, from_schema, to_schema, state, actor)
         SELECT gen_random_uuid(), id, 'schema', 'pooled', 't_roamer', 'pool_01', 'copying', 'test'
         FROM atrium_control.tenants WHERE slug = 'roamer'",
        &[],
    )
    .await
    .expect("a move under way");
    let (s, body) = api.call(Method::DELETE, "/v1/tenants/roamer", None).await;
    assert_eq!(s, reqwest::StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "tenant_moving");
    let (_, tenant) = api.call(Method::GET, "/v1/tenants/roamer", None).await;
    assert_eq!(tenant["state"], "active");
}

/// A move a crash cut short is undone when the control plane starts: its slot (which
/// would keep WAL forever), its publication and its half-made schema go, the tenant stays.
#[tokio::test]
async fn a_move_a_crash_interrupted_is_undone_at_start() {
    let t = TestControl::new().await;
    t.control
        .provision(&pooled("crashy"), "test")
        .await
        .expect("provision");
    let id = uuid::Uuid::now_v7();
    let slot = format!("atrium_move_{}", id.simple());
    let conn = t.control.pool.get().await.expect("connection");
    conn.batch_execute(&format!(
        "CREATE PUBLICATION {slot} FOR TABLE pool_01.customers; CREATE SCHEMA t_crashy;"
    ))
    .await
    .expect("publication and schema");
    atrium_control::moves::create_slot(&**conn, &slot)
        .await
        .expect("slot");
    conn.execute(
        "INSERT INTO atrium_control.tenant_moves
             (id, tenant_id, from_tier, to_tier, from_schema, to_schema, state, actor)
         SELECT $1, id, 'pooled', 'schema', 'pool_01', 't_crashy', 'copying', 'test'
         FROM atrium_control.tenants WHERE slug = 'crashy'",
        &[&id],
    )
    .await
    .expect("move row");
    drop(conn);

    assert_eq!(t.control.recover_moves().await.expect("recover"), 1);
    let left = t
        .count(
            "SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1)
                  + (SELECT count(*) FROM pg_publication WHERE pubname = $1)
                  + (SELECT count(*) FROM pg_namespace WHERE nspname = 't_crashy')",
            &[&slot],
        )
        .await;
    assert_eq!(left, 0, "slot, publication or schema left behind");
    let moves = t.control.moves_of("crashy").await.expect("moves");
    assert_eq!(moves[0].state, "failed");
    let tenant = t.control.get_tenant("crashy").await.expect("tenant");
    assert_eq!(tenant.pool_name.as_deref(), Some("pool_01"));
}

/// A pooled tenant's storage is its rows' share of the pool, measured through its own
/// rows: the big tenant measures big, its small neighbour small, and the quota applies.
#[tokio::test]
async fn a_pooled_tenant_s_storage_is_its_share_of_the_pool() {
    let t = TestControl::new().await;
    for slug in ["heavy", "light"] {
        t.control
            .provision(&pooled(slug), "test")
            .await
            .expect("provision");
    }
    t.db.superuser()
        .await
        .execute(
            "INSERT INTO pool_01.customers (tenant_id, id, name, domain)
             SELECT t.id, gen_random_uuid(), repeat('x', 190) || i, repeat('d', 240)
             FROM atrium_control.tenants t, generate_series(1, 8000) i WHERE t.slug = 'heavy'",
            &[],
        )
        .await
        .expect("fill");
    let sample = t.control.sample_usage_now().await.expect("sample");
    assert_eq!(sample.storage_measured, 2);
    let sql = "SELECT storage_bytes FROM atrium_control.tenants WHERE slug = $1";
    let heavy = t.count(sql, &[&"heavy"]).await;
    let light = t.count(sql, &[&"light"]).await;
    // 8,000 rows of about 500 bytes, with the pool's indexes on top.
    assert!(heavy > 4 << 20 && heavy < 16 << 20, "heavy {heavy}");
    assert!(light < 64 << 10, "light {light}");
    let stats = t.control.tenant_stats().await.expect("stats");
    let listed = stats.iter().find(|s| s.slug == "heavy").expect("heavy");
    assert_eq!(listed.schema_bytes, Some(heavy));
}

/// Plans choose the tier unless the operator does: free tenants share a pool, paying
/// ones get a schema of their own, and an explicit tier wins either way.
#[tokio::test]
async fn plans_choose_the_tier_unless_the_operator_does() {
    let t = TestControl::new().await;
    for (slug, plan, tier, expected) in [
        ("freebie", None, None, "pooled"),
        ("payer", Some("pro"), None, "schema"),
        ("bigco", Some("enterprise"), None, "schema"),
        ("free_own", Some("free"), Some("schema"), "schema"),
        ("pro_pooled", Some("pro"), Some("pooled"), "pooled"),
    ] {
        let made = t
            .control
            .provision(
                &NewTenant {
                    slug: slug.into(),
                    plan: plan.map(Into::into),
                    tier: tier.map(Into::into),
                    ..Default::default()
                },
                "test",
            )
            .await
            .expect("provision");
        assert_eq!(made.tier.as_str(), expected, "{slug}");
    }
}

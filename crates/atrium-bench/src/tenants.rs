use std::time::Instant;

use atrium_control::schema::{POOL, TENANT};
use atrium_control::{provision::NewTenant, Control};
use atrium_core::{config::Config, migrations::Migration};
use serde_json::{json, Value};

fn control() -> anyhow::Result<Control> {
    Control::new(Config::load()?.control)
}

pub async fn provision(
    count: usize,
    prefix: &str,
    keys: bool,
    plan: Option<String>,
    tier: Option<String>,
) -> anyhow::Result<Value> {
    let control = control()?;
    control.migrate_control().await?;
    let mut per = Vec::with_capacity(count);
    let mut issued = Vec::new();
    let start = Instant::now();
    for i in 0..count {
        let slug = format!("{prefix}_{i}");
        let t = Instant::now();
        control
            .provision(
                &NewTenant {
                    slug: slug.clone(),
                    display_name: None,
                    plan: plan.clone(),
                    tier: tier.clone(),
                    ..Default::default()
                },
                "bench",
            )
            .await?;
        per.push(t.elapsed().as_micros() as u64);
        if keys {
            issued.push(json!({"slug": slug, "api_key": control.create_key(&slug, "bench", "bench").await?.secret}));
        }
    }
    let total = start.elapsed().as_secs_f64();
    per.sort_unstable();
    Ok(json!({
        "tenants": count,
        "total_s": total,
        "mean_ms": total * 1000.0 / count.max(1) as f64,
        "p50_ms": crate::percentile_ms(&per, 0.50),
        "p95_ms": crate::percentile_ms(&per, 0.95),
        "max_ms": crate::percentile_ms(&per, 1.0),
        "keys": issued,
    }))
}

const BENCH_MIGRATION: Migration = Migration {
    version: 9_000,
    name: "bench_add_remarks",
    sql: "CREATE TABLE bench_remarks (id uuid PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
          ALTER TABLE customers ADD COLUMN IF NOT EXISTS rating smallint;",
};

pub async fn migrate(pad_registry_to: i64) -> anyhow::Result<Value> {
    let control = control()?;
    let mut set = TENANT.to_vec();
    set.push(BENCH_MIGRATION);
    let with_new = control.migrate_tenants(&set, &()).await?;
    let nothing = control.migrate_tenants(&set, &()).await?;
    let mut out = json!({
        "tenants_migrated": with_new.migrated.len(),
        "failed": with_new.failed.len(),
        "one_new_migration_ms": with_new.elapsed_ms,
        "nothing_pending_ms": nothing.elapsed_ms,
    });
    if pad_registry_to > 0 {
        // Registry-only rows: `migrate` decides from the registry alone, so this measures
        // exactly its no-op path at that scale. They are removed afterwards.
        let conn = control.pool.get().await?;
        conn.execute(
            "INSERT INTO atrium_control.tenants (id, slug, display_name, state, schema_name, role_name, migration_version)
             SELECT gen_random_uuid(), 'pad_' || g, 'pad', 'active', 't_pad_' || g, 'pad_role_' || g, $2
             FROM generate_series(1, GREATEST($1 - (SELECT count(*) FROM atrium_control.tenants), 0)) g",
            &[&pad_registry_to, &9_000i32],
        )
        .await?;
        let padded = control.migrate_tenants(&set, &()).await?;
        conn.execute(
            "DELETE FROM atrium_control.tenants WHERE slug LIKE 'pad\\_%'",
            &[],
        )
        .await?;
        out["registry_tenants"] = json!(pad_registry_to);
        out["nothing_pending_at_registry_size_ms"] = json!(padded.elapsed_ms);
        out["up_to_date_at_registry_size"] = json!(padded.up_to_date);
    }
    Ok(out)
}

/// The pooled tier's counterpart of [`BENCH_MIGRATION`]: a new guarded table and a column.
const BENCH_POOL_MIGRATION: Migration = Migration {
    version: 9_000,
    name: "bench_add_remarks",
    sql: "CREATE TABLE bench_remarks (tenant_id uuid NOT NULL DEFAULT current_tenant(), id uuid NOT NULL,
              body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (tenant_id, id));
          ALTER TABLE customers ADD COLUMN IF NOT EXISTS rating smallint;
          SELECT guard_tables();",
};

pub async fn migrate_pools() -> anyhow::Result<Value> {
    let control = control()?;
    let mut set = POOL.to_vec();
    set.push(BENCH_POOL_MIGRATION);
    let conn = control.pool.get().await?;
    let pooled: i64 = conn
        .query_one(
            "SELECT count(*) FROM atrium_control.tenants WHERE tier = 'pooled' AND state = 'active'",
            &[],
        )
        .await?
        .get(0);
    let start = Instant::now();
    let (pools, failed) = control.migrate_pools(&set).await?;
    anyhow::ensure!(
        failed.is_empty(),
        "pool migrations failed: {}",
        failed.len()
    );
    let one_new_ms = start.elapsed().as_millis();
    let start = Instant::now();
    let (again, _) = control.migrate_pools(&set).await?;
    Ok(json!({
        "pooled_tenants": pooled,
        "pools_migrated": pools.len(),
        "one_new_migration_ms": one_new_ms,
        "nothing_pending_ms": start.elapsed().as_millis(),
        "pools_migrated_again": again.len(),
    }))
}

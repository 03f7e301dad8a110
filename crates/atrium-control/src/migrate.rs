//! `atrium migrate`: pending tenant migrations, applied to every tenant that is behind.
//!
//! Up-to-date tenants are never touched: one indexed query finds the ones behind, so
//! with nothing pending 10,000 tenants cost one query. Each tenant migrates in its own
//! transaction (schema change and version bump commit together), with bounded
//! parallelism, under a session advisory lock so two runners can't collide. A failing
//! tenant is recorded in the registry and reported; the others go on; a rerun resumes.

use crate::audit_action::Action;
use atrium_core::domain::{DomainError, Result};
use std::time::Instant;

use atrium_core::{
    domain::HOME_CLUSTER,
    migrations::{self, verify_checksum, MigrateError, Migration, MIGRATION_LOCK_KEY},
    tenancy::quote_ident,
};
use futures::{stream, StreamExt};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::json;
use tokio_postgres::{Client, GenericClient};
use uuid::Uuid;

use crate::{clusters::mirror, registry, Control};

#[derive(Debug, Default, Serialize)]
pub struct MigrateReport {
    /// The newest migration in the set: every live tenant should end there.
    pub target_version: i32,
    /// Tenants that were there already, never touched.
    pub up_to_date: i64,
    /// Slugs migrated by this run.
    pub migrated: Vec<String>,
    /// Tenants whose migration failed; the others went on.
    pub failed: Vec<TenantFailure>,
    /// Pool schemas migrated by this run, each once for all of its tenants.
    pub pools_migrated: Vec<String>,
    /// Pools whose migration failed (`slug` is the pool's name); the others went on.
    pub pools_failed: Vec<TenantFailure>,
    pub elapsed_ms: u128,
}

#[derive(Debug, Serialize)]
pub struct TenantFailure {
    pub slug: String,
    pub error: String,
}

impl MigrateReport {
    pub fn summary(&self) -> String {
        let mut s = format!(
            "migrate: target version {}; {} migrated, {} failed, {} already up to date ({} ms)",
            self.target_version,
            self.migrated.len(),
            self.failed.len(),
            self.up_to_date,
            self.elapsed_ms
        );
        for f in &self.failed {
            s.push_str(&format!("\n  FAILED {}: {}", f.slug, f.error));
        }
        if !self.pools_migrated.is_empty() || !self.pools_failed.is_empty() {
            s.push_str(&format!(
                "\npools: {} migrated, {} failed",
                self.pools_migrated.len(),
                self.pools_failed.len()
            ));
        }
        for f in &self.pools_failed {
            s.push_str(&format!("\n  FAILED pool {}: {}", f.slug, f.error));
        }
        s
    }
}

/// Records each migration's checksum the first time it is applied anywhere, and refuses
/// a set whose already-recorded migrations changed.
pub async fn record_checksums<C: GenericClient>(db: &C, set: &[Migration]) -> Result<()> {
    record_checksums_in(db, set, "atrium_control.tenant_migrations").await
}

/// [`record_checksums`] for the pool set, kept apart from the schema set's.
pub async fn record_pool_checksums<C: GenericClient>(db: &C, set: &[Migration]) -> Result<()> {
    record_checksums_in(db, set, "atrium_control.pool_migrations").await
}

async fn record_checksums_in<C: GenericClient>(
    db: &C,
    set: &[Migration],
    table: &'static str,
) -> Result<()> {
    for m in set {
        db.execute(
            &format!(
                "INSERT INTO {table} (version, name, checksum) VALUES ($1, $2, $3)
                 ON CONFLICT (version) DO NOTHING"
            ),
            &[&m.version, &m.name, &m.checksum()],
        )
        .await?;
    }
    let rows = db
        .query(&format!("SELECT version, checksum FROM {table}"), &[])
        .await?;
    for m in set {
        if let Some(r) = rows.iter().find(|r| r.get::<_, i32>(0) == m.version) {
            verify_checksum(m, r.get(1)).map_err(|e| DomainError::Internal(e.into()))?;
        }
    }
    Ok(())
}

struct Behind {
    id: Uuid,
    slug: String,
    schema: String,
    cluster: String,
}

/// Told how a run goes, so a terminal can draw a bar; `()` ignores it.
pub trait Progress: Sync {
    fn start(&self, _behind: u64) {}
    fn tenant_done(&self, _slug: &str, _ok: bool) {}
    fn finish(&self) {}
}

impl Progress for () {}

// Pooled tenants have no schema of their own: their pool migrates for all of them.
// A tenant being moved waits for the next run: its two copies must stay alike.
const LIVE_BEHIND: &str = "SELECT id, slug, schema_name, cluster_id FROM atrium_control.tenants t
     WHERE state IN ('active', 'suspended') AND tier = 'schema' AND migration_version < $1
       AND NOT EXISTS (SELECT FROM atrium_control.tenant_moves m
                        WHERE m.tenant_id = t.id AND m.state = 'copying')
     ORDER BY slug";
const LIVE_UP_TO_DATE: &str = "SELECT count(*) FROM atrium_control.tenants
     WHERE state IN ('active', 'suspended') AND tier = 'schema' AND migration_version >= $1";
const POOLS_BEHIND: &str =
    "SELECT name FROM atrium_control.pools WHERE migration_version < $1 ORDER BY name";
const LOCK_POOL_VERSION: &str =
    "SELECT migration_version FROM atrium_control.pools WHERE name = $1 FOR UPDATE";
const LOCK_VERSION: &str =
    "SELECT migration_version FROM atrium_control.tenants WHERE id = $1 FOR UPDATE";
const RECORD_FAILURE: &str = "UPDATE atrium_control.tenants
     SET migration_error = $2, migration_failed_at = now() WHERE id = $1";
const RECORD_SUCCESS: &str = "UPDATE atrium_control.tenants
     SET migration_version = $2, migration_error = NULL, migration_failed_at = NULL,
         updated_at = now()
     WHERE id = $1";

impl Control {
    pub async fn migrate_tenants(
        &self,
        set: &[Migration],
        progress: &dyn Progress,
    ) -> Result<MigrateReport> {
        let start = Instant::now();
        let (lock_client, conn) = atrium_core::db::connect_one(
            self.config.database_url.expose_secret(),
            "atrium-migrate",
        )
        .await?;
        tokio::spawn(conn);
        lock_client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK_KEY])
            .await?;
        let result = self.migrate_locked(&lock_client, set, progress).await;
        let _ = lock_client
            .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK_KEY])
            .await;
        let mut report = result?;
        report.elapsed_ms = start.elapsed().as_millis();
        Ok(report)
    }

    async fn migrate_locked(
        &self,
        lock_client: &Client,
        set: &[Migration],
        progress: &dyn Progress,
    ) -> Result<MigrateReport> {
        let target = migrations::latest(set);
        record_checksums(lock_client, set).await?;
        let rows = lock_client.query(LIVE_BEHIND, &[&target]).await?;
        let up_to_date: i64 = lock_client
            .query_one(LIVE_UP_TO_DATE, &[&target])
            .await?
            .get(0);
        let behind: Vec<Behind> = rows
            .iter()
            .map(|r| Behind {
                id: r.get(0),
                slug: r.get(1),
                schema: r.get(2),
                cluster: r.get(3),
            })
            .collect();
        progress.start(behind.len() as u64);
        let concurrency = self
            .config
            .migrate_concurrency
            .min(self.config.pool.max_size)
            .max(1);
        // Clusters side by side, each with its own bound: one slow cluster doesn't hold
        // up the others, and none gets more than `migrate_concurrency` at once.
        let mut by_cluster: std::collections::BTreeMap<String, Vec<Behind>> = Default::default();
        for t in behind {
            by_cluster.entry(t.cluster.clone()).or_default().push(t);
        }
        let per_cluster = by_cluster.into_values().map(|tenants| {
            stream::iter(tenants)
                .map(|t| async move {
                    let r = self
                        .migrate_one(&t, set, target)
                        .await
                        .map_err(|e| format!("{e:#}"));
                    progress.tenant_done(&t.slug, r.is_ok());
                    (t.slug, r)
                })
                .buffer_unordered(concurrency)
                .collect::<Vec<_>>()
        });
        let outcomes: Vec<(String, Result<bool, String>)> = futures::future::join_all(per_cluster)
            .await
            .into_iter()
            .flatten()
            .collect();
        progress.finish();

        let mut report = MigrateReport {
            target_version: target,
            up_to_date,
            ..Default::default()
        };
        for (slug, outcome) in outcomes {
            match outcome {
                Ok(true) => report.migrated.push(slug),
                Ok(false) => report.up_to_date += 1,
                Err(error) => report.failed.push(TenantFailure { slug, error }),
            }
        }
        (report.pools_migrated, report.pools_failed) =
            self.migrate_pools(crate::schema::POOL).await?;
        report.migrated.sort();
        report.failed.sort_by(|a, b| a.slug.cmp(&b.slug));
        if !report.migrated.is_empty() || !report.failed.is_empty() {
            let failed: Vec<_> = report.failed.iter().map(|f| &f.slug).collect();
            registry::audit(
                lock_client,
                "cli:migrate",
                Action::TenantsMigrate,
                None,
                if failed.is_empty() {
                    Ok(())
                } else {
                    Err("some tenants failed")
                },
                json!({"target_version": target, "migrated": report.migrated.len(), "failed": failed}),
            )
            .await?;
        }
        Ok(report)
    }

    /// Ok(true) when migrated, Ok(false) when someone else already had.
    async fn migrate_one(
        &self,
        t: &Behind,
        set: &[Migration],
        target: i32,
    ) -> anyhow::Result<bool> {
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let current: i32 = tx.query_one(LOCK_VERSION, &[&t.id]).await?.get(0);
        if current >= target {
            return Ok(false);
        }
        let outcome = if t.cluster == HOME_CLUSTER {
            self.apply_pending(&*tx, t, set, current).await?
        } else {
            // Its schema is on another cluster: migrated in a transaction there, with
            // that cluster's copy of its row, which says how far it got if a crash comes
            // between that commit and this one.
            self.migrate_remote(t, set, target).await?
        };
        if let Err(msg) = outcome {
            drop(tx);
            conn.execute(RECORD_FAILURE, &[&t.id, &msg]).await?;
            registry::audit(
                &**conn,
                "cli:migrate",
                Action::TenantMigrate,
                Some(&t.slug),
                Err(&msg),
                json!({"from": current}),
            )
            .await?;
            anyhow::bail!(msg);
        }
        tx.execute(RECORD_SUCCESS, &[&t.id, &target]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn migrate_remote(
        &self,
        t: &Behind,
        set: &[Migration],
        target: i32,
    ) -> anyhow::Result<Result<(), String>> {
        let pool = self.db_of(&t.cluster).await?;
        let mut remote = pool.get().await?;
        let rtx = remote.transaction().await?;
        let Some((_, current)) = mirror::read(&*rtx, t.id).await? else {
            anyhow::bail!("cluster {} holds no copy of the tenant's row", t.cluster);
        };
        if current >= target {
            return Ok(Ok(()));
        }
        record_checksums(&*rtx, set).await?;
        let outcome = self.apply_pending(&*rtx, t, set, current).await?;
        if outcome.is_ok() {
            rtx.execute(
                "UPDATE atrium_control.tenants SET migration_version = $2, updated_at = now()
                 WHERE id = $1",
                &[&t.id, &target],
            )
            .await?;
            rtx.commit().await?;
        }
        Ok(outcome)
    }

    /// Applies the migrations of `set` after `current` to the tenant's schema in `tx`.
    /// The outer error is the database's; the inner one a migration that failed, as the
    /// message recorded for the tenant.
    async fn apply_pending<C: GenericClient>(
        &self,
        tx: &C,
        t: &Behind,
        set: &[Migration],
        current: i32,
    ) -> Result<Result<(), String>> {
        // Settings rows made by a migration start from the operator's defaults.
        let defaults = &self.config.tenant_defaults;
        crate::provision::pass_tenant_defaults(tx, &defaults.currency, &defaults.timezone).await?;
        tx.execute(
            "SELECT set_config('search_path', $1, true)",
            &[&quote_ident(&t.schema)],
        )
        .await?;
        for m in set.iter().filter(|m| m.version > current) {
            if let Err(e) = tx.batch_execute(m.sql).await {
                return Ok(Err(format!(
                    "migration {:04}_{}: {}",
                    m.version,
                    m.name,
                    db_message(&e)
                )));
            }
        }
        Ok(Ok(()))
    }
}

impl Control {
    /// Brings every pool schema to the newest of `set`, one transaction per pool, and
    /// returns the pools it migrated and those that failed. A failed pool changes nothing
    /// (its tenants all stay on the version before), records why, and the others go on.
    ///
    /// Pool migrations run with no tenant set, and row-level security is forced for the
    /// owner too: they change structure. A statement that reads or changes rows would see
    /// none (docs/isolation-tiers.md).
    pub async fn migrate_pools(
        &self,
        set: &[Migration],
    ) -> Result<(Vec<String>, Vec<TenantFailure>)> {
        let target = migrations::latest(set);
        let mut conn = self.pool.get().await?;
        record_pool_checksums(&**conn, set).await?;
        let behind: Vec<String> = conn
            .query(POOLS_BEHIND, &[&target])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let (mut migrated, mut failed) = (Vec::new(), Vec::new());
        for pool in behind {
            let tx = conn.transaction().await?;
            // No tenant is placed in a pool while it migrates (provisioning holds the same
            // lock), so none is recorded at the version before.
            tx.execute(
                "SELECT pg_advisory_xact_lock($1)",
                &[&crate::pools::POOL_LOCK_KEY],
            )
            .await?;
            let current: i32 = tx.query_one(LOCK_POOL_VERSION, &[&pool]).await?.get(0);
            if current >= target {
                continue;
            }
            tx.batch_execute(&format!("SET LOCAL search_path = {}", quote_ident(&pool)))
                .await?;
            let mut error = None;
            for m in set.iter().filter(|m| m.version > current) {
                if let Err(e) = tx.batch_execute(m.sql).await {
                    error = Some(format!(
                        "migration {:04}_{}: {}",
                        m.version,
                        m.name,
                        db_message(&e)
                    ));
                    break;
                }
            }
            if let Some(error) = error {
                drop(tx);
                conn.execute(
                    "UPDATE atrium_control.pools SET migration_error = $2, migration_failed_at = now()
                     WHERE name = $1",
                    &[&pool, &error],
                )
                .await?;
                tracing::error!(pool = %pool, error = %error, "a pool migration failed");
                failed.push(TenantFailure { slug: pool, error });
                continue;
            }
            tx.execute(
                "UPDATE atrium_control.pools SET migration_version = $2, migration_error = NULL,
                     migration_failed_at = NULL WHERE name = $1",
                &[&pool, &target],
            )
            .await?;
            // Its tenants' rows are at the pool's version: the registry says so for each,
            // so the console, exports and restores read a tenant's version the same way
            // in both tiers.
            tx.execute(
                "UPDATE atrium_control.tenants SET migration_version = $2 WHERE pool_name = $1",
                &[&pool, &target],
            )
            .await?;
            tx.commit().await?;
            migrated.push(pool);
        }
        Ok((migrated, failed))
    }
}

fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{} ({})", d.message(), d.code().code()),
        None => e.to_string(),
    }
}

/// Applies pending control migrations under the migration advisory lock.
/// Returns the versions applied.
pub async fn run_control(client: &mut Client) -> Result<Vec<i32>, MigrateError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK_KEY])
        .await?;
    let result = apply_control(client).await;
    // Unlock even on failure; the session lock would otherwise live as long as the connection.
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK_KEY])
        .await?;
    result
}

async fn apply_control(client: &mut Client) -> Result<Vec<i32>, MigrateError> {
    client
        .batch_execute(
            "CREATE SCHEMA IF NOT EXISTS atrium_control;
             CREATE TABLE IF NOT EXISTS atrium_control.schema_migrations (
                 version integer PRIMARY KEY,
                 name text NOT NULL,
                 checksum text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await?;
    let rows = client
        .query(
            "SELECT version, name, checksum FROM atrium_control.schema_migrations",
            &[],
        )
        .await?;
    let mut applied = Vec::new();
    for m in crate::schema::CONTROL {
        if let Some(row) = rows.iter().find(|r| r.get::<_, i32>(0) == m.version) {
            verify_checksum(m, row.get(2))?;
            continue;
        }
        let tx = client.transaction().await?;
        tx.batch_execute(m.sql).await?;
        tx.execute(
            "INSERT INTO atrium_control.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &m.checksum()],
        )
        .await?;
        tx.commit().await?;
        applied.push(m.version);
    }
    Ok(applied)
}

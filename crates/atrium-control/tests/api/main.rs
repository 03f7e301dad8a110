//! Control-plane tests against a real PostgreSQL: every test gets a fresh database.

mod backup;
mod clusters;
mod console_sessions;
mod lifecycle;
mod migrate;
mod operator_api;
mod provision;
mod sql_console;
mod tiers;
mod usage;

use atrium_control::{provision::NewTenant, Control};
use atrium_testkit::TestDb;

pub struct TestControl {
    pub control: Control,
    pub db: TestDb,
}

impl TestControl {
    pub async fn new() -> Self {
        Self::on(TestDb::fresh().await).await
    }

    /// A control plane on `db`, with its control migrations applied.
    pub async fn on(db: TestDb) -> Self {
        let mut cfg = db.config.control.clone();
        cfg.pool.max_size = 8;
        cfg.migrate_concurrency = 4;
        let control = Control::new(cfg).expect("control");
        control.migrate_control().await.expect("control migrations");
        Self { control, db }
    }

    /// A control plane on a fresh database with analytics in a ClickHouse database of its
    /// own on the shared test server (migrated), and the configured plans.
    pub async fn with_clickhouse() -> Self {
        let mut db = TestDb::fresh().await;
        db.config.clickhouse.url = atrium_testkit::shared_clickhouse().url();
        let ch = atrium_analytics::clickhouse::ClickHouse::new(
            &db.config.clickhouse,
            &db.config.clickhouse.admin,
        )
        .expect("clickhouse client");
        ch.migrate().await.expect("clickhouse migrations");
        let mut t = Self::on(db).await;
        t.control = t
            .control
            .with_clickhouse(&t.db.config.clickhouse)
            .expect("with clickhouse");
        t
    }

    /// An admin client of this test's ClickHouse database.
    pub fn clickhouse(&self) -> atrium_analytics::clickhouse::ClickHouse {
        let cfg = &self.db.config.clickhouse;
        atrium_analytics::clickhouse::ClickHouse::new(cfg, &cfg.admin).expect("clickhouse client")
    }

    /// A second, independent control plane on the same database (its own pool), as
    /// another process would be.
    pub fn another(&self) -> Control {
        Control::new(self.control.config.clone()).expect("control")
    }

    pub async fn provision(&self, slug: &str) {
        self.control
            .provision(&new_tenant(slug), "test")
            .await
            .unwrap_or_else(|e| panic!("provision {slug}: {e}"));
    }

    pub async fn count(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> i64 {
        let su = self.db.superuser().await;
        su.query_one(sql, params)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .get(0)
    }
}

/// A tenant's CRM tables, parents first.
pub const CRM_TABLES: &[&str] = &[
    "customers",
    "contacts",
    "deals",
    "deal_stage_history",
    "orders",
];

impl TestControl {
    /// Every row of `tables` in `schema`, as `table:json`, sorted: two equal dumps mean
    /// equal data.
    pub async fn rows(&self, schema: &str, tables: &[&str]) -> Vec<String> {
        let su = self.db.superuser().await;
        let mut out = Vec::new();
        for table in tables {
            let rows = su
                .query(
                    &format!(
                        "SELECT to_jsonb(x) FROM {schema}.{table} x ORDER BY to_jsonb(x)::text"
                    ),
                    &[],
                )
                .await
                .unwrap_or_else(|e| panic!("{table}: {e}"));
            for r in rows {
                let v: serde_json::Value = r.get(0);
                out.push(format!("{table}:{v}"));
            }
        }
        out.sort();
        out
    }
}

/// A tenant of the schema tier: most tests here are about it (`tiers.rs` is the pooled
/// tier's, and checks the plan's default).
pub fn new_tenant(slug: &str) -> NewTenant {
    NewTenant {
        slug: slug.into(),
        tier: Some("schema".into()),
        ..Default::default()
    }
}

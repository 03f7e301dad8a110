//! Atrium's control plane: the only component with DDL-capable credentials.
//! Provisions tenants, moves them through their lifecycle, migrates every tenant
//! schema, issues API keys, and records every action in the audit log.

pub mod actors;
pub mod audit_action;
pub mod backup;
pub mod clusters;
pub mod demo;
pub mod detail;
pub mod export;
pub mod failed_sign_ins;
pub mod http;
pub mod keys;
pub mod lifecycle;
pub mod listing;
pub mod migrate;
pub mod moves;
pub mod operators;
pub mod overview;
pub mod pools;
pub mod provision;
pub mod purge;
pub mod registry;
pub mod schema;
pub mod sql_console;
pub mod stats;
pub mod tenant_users;
pub mod usage;

use atrium_core::config::{ControlConfig, PlansConfig};
use deadpool_postgres::Pool;

/// The control plane's handle: its config and its (DDL-capable) pool.
#[derive(Clone)]
pub struct Control {
    pub config: ControlConfig,
    /// What each plan allows: the console shows it, the usage sampler enforces quotas.
    pub plans: PlansConfig,
    pub pool: Pool,
    /// One pool per cluster tenants live on, home's being `pool` (docs/scale-out.md).
    pub clusters: std::sync::Arc<atrium_core::db::clusters::ClusterPools>,
    /// Where tenant analytics live, so deleting a tenant deletes them too.
    pub clickhouse: Option<atrium_analytics::clickhouse::ClickHouse>,
    /// How many failed operator sign-ins get an audit row of their own.
    pub failed_sign_ins: std::sync::Arc<failed_sign_ins::FailedSignIns>,
    /// One backup at a time in this process.
    pub backup_guard: backup::BackupGuard,
    /// One point-in-time restore at a time: its scratch instance is a whole cluster.
    pub restore_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// One usage pass at a time in this process (the schedule's and an operator's).
    pub usage_pass: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The connection holding moves' advisory locks (`moves/guard.rs`).
    pub move_guard: std::sync::Arc<tokio::sync::Mutex<moves::Guard>>,
    /// The same for each other cluster a move leaves, made on first use.
    pub cluster_guards: moves::ClusterGuards,
}

impl Control {
    pub fn new(config: ControlConfig) -> anyhow::Result<Self> {
        let pool =
            atrium_core::db::build_pool(&config.database_url, &config.pool, "atrium-control")?;
        let failed_sign_ins = std::sync::Arc::new(failed_sign_ins::FailedSignIns::new(
            config.sign_in.failures_audited_per_minute,
        ));
        let clusters = atrium_core::db::clusters::ClusterPools::new(
            pool.clone(),
            atrium_core::db::clusters::Plane::Control,
            &config.pool,
            "atrium-control",
        );
        Ok(Self {
            config,
            plans: PlansConfig::default(),
            pool,
            clusters,
            clickhouse: None,
            failed_sign_ins,
            backup_guard: Default::default(),
            restore_lock: Default::default(),
            usage_pass: Default::default(),
            move_guard: Default::default(),
            cluster_guards: Default::default(),
        })
    }

    /// Plans other than the built-in defaults (`plans.*` in the configuration).
    pub fn with_plans(mut self, plans: PlansConfig) -> Self {
        self.plans = plans;
        self
    }

    /// Also purge analytics in this ClickHouse when tenants are deleted.
    pub fn with_clickhouse(
        mut self,
        cfg: &atrium_core::config::ClickHouseConfig,
    ) -> anyhow::Result<Self> {
        if !cfg.url.is_empty() {
            self.clickhouse = Some(atrium_analytics::clickhouse::ClickHouse::new(
                cfg, &cfg.admin,
            )?);
        }
        Ok(self)
    }

    /// Applies control migrations and (re)grants the data plane read access to the
    /// registry tables it needs. Idempotent; safe to run at every start.
    pub async fn migrate_control(&self) -> anyhow::Result<Vec<i32>> {
        use secrecy::ExposeSecret;
        let (client, applied) = self
            .migrate_control_at(self.config.database_url.expose_secret())
            .await?;
        // Home is `local`: the database the configuration names.
        client
            .execute(
                "INSERT INTO atrium_control.this_cluster (name) VALUES ($1)
                 ON CONFLICT (only_row) DO NOTHING",
                &[&atrium_core::domain::HOME_CLUSTER],
            )
            .await?;
        Ok(applied)
    }
}

impl Control {
    /// [`migrate_control_schema`] in the database at `url` (home's, or another
    /// cluster's), on a connection of its own, handed back for what comes next there.
    pub(crate) async fn migrate_control_at(
        &self,
        url: &str,
    ) -> anyhow::Result<(tokio_postgres::Client, Vec<i32>)> {
        let (mut client, conn) = atrium_core::db::connect_one(url, "atrium-migrate").await?;
        tokio::spawn(conn);
        let applied = migrate_control_schema(&mut client, &self.config.api_role).await?;
        Ok((client, applied))
    }
}

/// Applies control migrations and (re)grants the data plane, in the database `client`
/// is connected to: every cluster's carries the same control schema. Idempotent.
pub(crate) async fn migrate_control_schema(
    client: &mut tokio_postgres::Client,
    api_role: &str,
) -> anyhow::Result<Vec<i32>> {
    let applied = migrate::run_control(client).await?;
    grant_data_plane(client, api_role).await?;
    Ok(applied)
}

/// Lets the data plane's role read what it needs of the registry, and call the slow way
/// into a tenant, in one cluster's database. Idempotent.
async fn grant_data_plane(
    client: &tokio_postgres::Client,
    api_role: &str,
) -> Result<(), tokio_postgres::Error> {
    let api = atrium_core::tenancy::quote_ident(api_role);
    client
        .batch_execute(&format!(
            "GRANT USAGE ON SCHEMA atrium_control TO {api};
             GRANT SELECT (id, slug, state, schema_name, role_name, statement_timeout_ms, display_name,
                     plan, limit_overrides, storage_over_quota, events_over_quota, pool_name, cluster_id)
                 ON atrium_control.tenants TO {api};
             GRANT SELECT (name, role_name) ON atrium_control.pools TO {api};
             GRANT SELECT (name, api_url_ref, state, prepared_statements) ON atrium_control.clusters TO {api};
             GRANT SELECT (id, name, tenant_id, key_hash, revoked_at) ON atrium_control.api_keys TO {api};
             GRANT EXECUTE ON FUNCTION atrium_control.await_placement(text, text, integer, integer, integer)
                 TO {api};"
        ))
        .await
}

//! Real PostgreSQL and ClickHouse for tests, and the one launcher of both: scripts/
//! start and stop them through the `atrium-stack` binary built from this crate.
//!
//! `scripts/test` starts one cluster and exports `ATRIUM_TEST_DATABASE_URL` (a superuser
//! URL); without it, the first test in a process starts a throwaway cluster of its own,
//! stopped by a watchdog when the process exits. Each test then gets a fresh database
//! with its own control and api login roles, so tests never see each other's tenants.

pub mod backup;
pub mod clickhouse;
pub mod cluster;
pub mod nul_probe;
pub mod ports;
mod process;

pub use clickhouse::ChServer;
pub use cluster::{PgCluster, PgOptions};

use std::{path::PathBuf, sync::OnceLock};

use atrium_core::{
    bootstrap::{self, Bootstrap},
    config::{Config, Environment, LogFormat},
};
use rand::Rng;
use secrecy::SecretString;

static SHARED: OnceLock<PgCluster> = OnceLock::new();
static SHARED_CH: OnceLock<ChServer> = OnceLock::new();

/// The ClickHouse server shared by every test of this process.
pub fn shared_clickhouse() -> &'static ChServer {
    SHARED_CH.get_or_init(|| {
        ChServer::start_new()
            .unwrap_or_else(|e| panic!("could not start ClickHouse for tests: {e:#}"))
    })
}

/// The cluster shared by every test of this process.
pub fn shared_cluster() -> &'static PgCluster {
    SHARED.get_or_init(|| match std::env::var("ATRIUM_TEST_DATABASE_URL") {
        Ok(url) => PgCluster::external(url),
        Err(_) => PgCluster::start_new()
            .unwrap_or_else(|e| panic!("could not start PostgreSQL for tests: {e:#}")),
    })
}

pub struct TestDb {
    pub name: String,
    /// Points api and control at this database with their own roles.
    pub config: Config,
    /// Superuser URL of this database, for assertions that look behind the roles' backs.
    pub superuser_url: String,
}

impl TestDb {
    /// A fresh database on the shared cluster.
    pub async fn fresh() -> Self {
        Self::fresh_on(shared_cluster()).await
    }

    pub async fn fresh_on(cluster: &PgCluster) -> Self {
        let name = format!("t{:010x}", rand::thread_rng().gen::<u64>() & 0xff_ffff_ffff);
        let (ctl, api) = (format!("{name}_ctl"), format!("{name}_api"));
        let password = format!("pw{:016x}", rand::thread_rng().gen::<u64>());
        let role_prefix = format!("{name}_");
        bootstrap::run(
            &cluster.superuser_url,
            &Bootstrap {
                database: &name,
                control_role: &ctl,
                control_password: &password,
                api_role: &api,
                api_password: &password,
                role_prefix: &role_prefix,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("bootstrap of test database failed: {e:#}"));

        let url = |role: &str| {
            format!(
                "postgres://{role}:{password}@127.0.0.1:{}/{name}",
                cluster.port
            )
        };
        let mut config = Config {
            environment: Environment::Development,
            log_format: LogFormat::Pretty,
            ..Config::default()
        };
        config.api.listen = ([127, 0, 0, 1], 0).into();
        config.api.database_url = SecretString::from(url(&api));
        config.api.pool.max_size = 4;
        // A loaded 2-core CI must not turn pool waits into flaky 503s.
        config.api.pool.wait_timeout_ms = 10_000;
        config.api.tenant_cache_ttl_ms = 60_000;
        // Tests about other things must not meet a tenant's limits: every plan is as large
        // as a plan may be, and a share waits as long as the pool would. Tests of the
        // limits themselves set theirs.
        config.api.fair.queue_wait_ms = 9_000;
        let roomy = atrium_core::domain::Limits {
            max_connections: 64,
            queue_length: 10_000,
            requests_per_second: 100_000,
            burst: 1_000_000,
            db_ms_per_minute: 3_600_000,
            storage_bytes: 1 << 50,
            events_per_month: 1 << 40,
        };
        config.plans.free = roomy;
        config.plans.pro = roomy;
        config.plans.enterprise = roomy;
        config.control.listen = ([127, 0, 0, 1], 0).into();
        // Tests run side by side: every internal metrics listener on a port of its own.
        for http in [
            &mut config.api.http,
            &mut config.control.http,
            &mut config.collector.http,
        ] {
            http.metrics_listen = ([127, 0, 0, 1], 0).into();
        }
        config.control.database_url = SecretString::from(url(&ctl));
        config.control.pool.max_size = 4;
        config.control.api_role = api.clone();
        config.control.role_prefix = role_prefix;
        config.control.admin_token = SecretString::from("test-admin-token-0123456789".to_owned());
        config.control.export_dir = export_dir(&name);
        // Analytics: a database of our own on the shared ClickHouse (started on first
        // use only), and a spool directory of our own.
        config.clickhouse.database = name.clone();
        config.analytics.spool_dir = std::env::temp_dir().join("atrium-test-spools").join(&name);
        config
            .validate()
            .unwrap_or_else(|e| panic!("test config invalid: {e}"));
        let superuser_url = bootstrap::replace_database(&cluster.superuser_url, &name)
            .unwrap_or_else(|e| panic!("bad superuser url: {e}"));
        Self {
            name,
            config,
            superuser_url,
        }
    }

    /// A superuser connection to this database.
    pub async fn superuser(&self) -> tokio_postgres::Client {
        let (client, conn) = atrium_core::db::connect_one(&self.superuser_url, "atrium-test")
            .await
            .unwrap_or_else(|e| panic!("superuser connect failed: {e}"));
        tokio::spawn(conn);
        client
    }

    /// Everything in the database that a test could change: tables in every schema,
    /// with their row counts, and the roles that exist. Two snapshots being equal means
    /// "nothing changed".
    pub async fn fingerprint(&self) -> Vec<String> {
        let su = self.superuser().await;
        let mut out = Vec::new();
        let tables = su
            .query(
                "SELECT schemaname, tablename FROM pg_tables
                 WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
                &[],
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for t in tables {
            let (schema, table): (String, String) = (t.get(0), t.get(1));
            let sql = format!(
                "SELECT count(*) FROM {}.{}",
                atrium_core::tenancy::quote_ident(&schema),
                atrium_core::tenancy::quote_ident(&table)
            );
            let n: i64 = su
                .query_one(&sql, &[])
                .await
                .map(|r| r.get(0))
                .unwrap_or(-1);
            out.push(format!("{schema}.{table}={n}"));
        }
        let listed = [
            (
                "role",
                "SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1",
                format!("{}%", self.name),
            ),
            (
                "schema",
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 ORDER BY 1",
                "%".to_owned(),
            ),
        ];
        for (kind, sql, pattern) in listed {
            let rows = su
                .query(sql, &[&pattern])
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            out.extend(
                rows.iter()
                    .map(|r| format!("{kind}:{}", r.get::<_, String>(0))),
            );
        }
        out
    }
}

fn export_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join("atrium-test-exports").join(name)
}

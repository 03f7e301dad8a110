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
pub mod pooler;
pub mod ports;
mod process;

pub use clickhouse::ChServer;
pub use cluster::{PgCluster, PgOptions};
pub use pooler::Pooler;

use std::{path::PathBuf, sync::OnceLock};

use atrium_core::{
    bootstrap::{self, Bootstrap},
    config::{Config, Environment, LogFormat},
};
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};

static SHARED: OnceLock<PgCluster> = OnceLock::new();
static SECOND: OnceLock<PgCluster> = OnceLock::new();
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

/// A second PostgreSQL cluster, for tenants placed over several (docs/scale-out.md):
/// `ATRIUM_TEST_DATABASE_URL_2` (which `scripts/test` starts), or one of this process's own.
pub fn second_cluster() -> &'static PgCluster {
    SECOND.get_or_init(|| match std::env::var("ATRIUM_TEST_DATABASE_URL_2") {
        Ok(url) => PgCluster::external(url),
        Err(_) => PgCluster::start_new()
            .unwrap_or_else(|e| panic!("could not start a second PostgreSQL for tests: {e:#}")),
    })
}

static POOLERS: [OnceLock<Pooler>; 2] = [OnceLock::new(), OnceLock::new()];

/// PgBouncer in transaction mode in front of the shared cluster: `ATRIUM_TEST_POOLER_URL`
/// (which `scripts/test` starts), or one of this process's own.
pub fn shared_pooler() -> &'static Pooler {
    pooler_of(0, "ATRIUM_TEST_POOLER_URL", shared_cluster())
}

/// The same in front of the second cluster (`ATRIUM_TEST_POOLER_URL_2`).
pub fn second_pooler() -> &'static Pooler {
    pooler_of(1, "ATRIUM_TEST_POOLER_URL_2", second_cluster())
}

fn pooler_of(n: usize, var: &str, cluster: &PgCluster) -> &'static Pooler {
    POOLERS[n].get_or_init(|| {
        match std::env::var(var) {
            Ok(url) => Pooler::external(&url),
            Err(_) => Pooler::start_new(cluster),
        }
        .unwrap_or_else(|e| panic!("could not start PgBouncer for tests: {e:#}"))
    })
}

/// A test database's twin on another cluster: the same database, role names, password
/// and tenant-role prefix, as a deployment bootstraps each of its clusters.
pub struct PeerDb {
    pub control_url: String,
    pub api_url: String,
    pub superuser_url: String,
}

/// A cluster's URLs as the registry takes them, by reference: `file:` references to files
/// of this test's own (a test that wants the cluster unreachable moves them away).
pub struct UrlRefs {
    pub control: String,
    pub api: String,
    pub api_file: PathBuf,
}

impl PeerDb {
    /// References to this database's URLs, written to fresh files now.
    pub fn refs(&self) -> UrlRefs {
        url_refs(&self.control_url, &self.api_url)
    }

    /// A superuser connection to this database.
    pub async fn superuser(&self) -> tokio_postgres::Client {
        superuser(&self.superuser_url).await
    }
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
    /// With `ATRIUM_TEST_THROUGH_POOLER` set, its data plane goes through PgBouncer
    /// (`scripts/test` runs the isolation tests so a second time).
    pub async fn fresh() -> Self {
        let mut db = Self::fresh_on(shared_cluster()).await;
        if std::env::var_os("ATRIUM_TEST_THROUGH_POOLER").is_some() {
            db.through(shared_pooler());
        }
        db
    }

    pub async fn fresh_on(cluster: &PgCluster) -> Self {
        let name = format!("t{:010x}", rand::thread_rng().gen::<u64>() & 0xff_ffff_ffff);
        let password = format!("pw{:016x}", rand::thread_rng().gen::<u64>());
        let peer = bootstrap_twin(cluster, &name, &password).await;
        let (ctl, api) = (format!("{name}_ctl"), format!("{name}_api"));
        let role_prefix = format!("{name}_");
        let url = |role: &str| {
            if role == ctl {
                peer.control_url.clone()
            } else {
                peer.api_url.clone()
            }
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

    /// Sends the data plane through `pooler` (transaction mode) as it is deployed at
    /// scale: no prepared statement kept on the server, and LISTEN on a direct URL. Once:
    /// the direct URL stays PostgreSQL's.
    pub fn through(&mut self, pooler: &Pooler) {
        if self.config.api.direct_database_url.is_some() {
            return;
        }
        let direct = self.config.api.database_url.clone();
        let pooled = pooler.url_through(direct.expose_secret());
        self.config.api.database_url = SecretString::from(pooled);
        self.config.api.direct_database_url = Some(direct);
        self.config.api.pool.prepared_statements = false;
    }

    /// This database's twin on `cluster`, bootstrapped now.
    pub async fn peer_on(&self, cluster: &PgCluster) -> PeerDb {
        let password = password_of(self.config.control.database_url.expose_secret());
        bootstrap_twin(cluster, &self.name, &password).await
    }

    /// A superuser connection to this database.
    pub async fn superuser(&self) -> tokio_postgres::Client {
        superuser(&self.superuser_url).await
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

/// Bootstraps database `name` on `cluster` with the control and api roles a test
/// database of that name has.
async fn bootstrap_twin(cluster: &PgCluster, name: &str, password: &str) -> PeerDb {
    let (ctl, api) = (format!("{name}_ctl"), format!("{name}_api"));
    let role_prefix = format!("{name}_");
    bootstrap::run(
        &cluster.superuser_url,
        &Bootstrap {
            database: name,
            control_role: &ctl,
            control_password: password,
            api_role: &api,
            api_password: password,
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
    PeerDb {
        control_url: url(&ctl),
        api_url: url(&api),
        superuser_url: bootstrap::replace_database(&cluster.superuser_url, name)
            .unwrap_or_else(|e| panic!("bad superuser url: {e}")),
    }
}

async fn superuser(url: &str) -> tokio_postgres::Client {
    let (client, conn) = atrium_core::db::connect_one(url, "atrium-test")
        .await
        .unwrap_or_else(|e| panic!("superuser connect failed: {e}"));
    tokio::spawn(conn);
    client
}

/// `file:` references to fresh files holding these URLs.
pub fn url_refs(control_url: &str, api_url: &str) -> UrlRefs {
    let dir = std::env::temp_dir()
        .join("atrium-test-cluster-refs")
        .join(format!("{:016x}", rand::thread_rng().gen::<u64>()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let write = |file: &str, url: &str| {
        let path = dir.join(file);
        std::fs::write(&path, url).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    };
    let control = write("control-url", control_url);
    let api_file = write("api-url", api_url);
    UrlRefs {
        control: format!("file:{}", control.display()),
        api: format!("file:{}", api_file.display()),
        api_file,
    }
}

/// The password in a `postgres://user:password@…` URL the testkit wrote (or was given).
pub(crate) fn password_of(url: &str) -> String {
    let userinfo = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .map_or("", |(u, _)| u);
    userinfo.split_once(':').map_or("", |(_, p)| p).to_owned()
}

fn export_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join("atrium-test-exports").join(name)
}

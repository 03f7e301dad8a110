//! Pools and the tenant transaction.
//!
//! Every tenant request runs in one transaction opened by
//! `BEGIN; SET LOCAL ROLE ..; SET LOCAL search_path = ..; SET LOCAL statement_timeout = ..`.
//! Nothing is set at session level, so a pooled connection never carries a tenant into
//! the next request, and the scheme works behind PgBouncer in transaction mode.
//! The setup batch is pipelined with the first statement, so a one-statement request
//! costs two round trips: setup+statement, then COMMIT.

use std::time::Duration;

use deadpool_postgres::{ClientWrapper, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::{types::ToSql, NoTls, Row, Statement};

use crate::{
    config::PoolConfig,
    tenancy::{is_plain_identifier, quote_ident},
};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database pool exhausted or unreachable: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error(transparent)]
    Postgres(#[from] tokio_postgres::Error),
    #[error("registry holds an invalid identifier for this tenant")]
    BadIdentifier,
    /// Entering the tenant failed: its role or schema is gone (deleted under a stale
    /// cache entry) or the connection broke.
    #[error("could not enter the tenant: {0}")]
    Setup(tokio_postgres::Error),
    /// One failure handed to several callers (a coalesced cache load).
    #[error(transparent)]
    Shared(std::sync::Arc<DbError>),
}

impl DbError {
    /// The SQLSTATE of a server-side error, if any.
    pub fn code(&self) -> Option<&tokio_postgres::error::SqlState> {
        match self {
            DbError::Postgres(e) | DbError::Setup(e) => e.code(),
            DbError::Shared(e) => e.code(),
            _ => None,
        }
    }

    /// The name of the violated constraint, if this is a constraint violation.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            DbError::Postgres(e) => e.as_db_error().and_then(|d| d.constraint()),
            DbError::Shared(e) => e.constraint(),
            _ => None,
        }
    }
}

/// Cluster objects that provisioning, deletion and bootstrap create only when missing.
#[derive(Debug, Clone, Copy)]
pub enum CatalogObject {
    Role,
    Schema,
    Database,
}

/// Whether a role, schema or database of that name exists.
pub async fn exists<C: tokio_postgres::GenericClient>(
    db: &C,
    kind: CatalogObject,
    name: &str,
) -> Result<bool, tokio_postgres::Error> {
    let sql = match kind {
        CatalogObject::Role => "SELECT 1 FROM pg_roles WHERE rolname = $1",
        CatalogObject::Schema => "SELECT 1 FROM pg_namespace WHERE nspname = $1",
        CatalogObject::Database => "SELECT 1 FROM pg_database WHERE datname = $1",
    };
    Ok(db.query_opt(sql, &[&name]).await?.is_some())
}

pub fn build_pool(url: &SecretString, cfg: &PoolConfig, app_name: &str) -> anyhow::Result<Pool> {
    let mut pg: tokio_postgres::Config = url.expose_secret().parse()?;
    pg.application_name(app_name);
    pg.connect_timeout(cfg.connect_timeout());
    let manager = Manager::from_config(
        pg,
        NoTls,
        // Fast: no round trip on checkout. Safety comes from TenantTx, which never lets
        // a connection back into the pool while a transaction is open.
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(cfg.max_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(cfg.wait_timeout()))
        .create_timeout(Some(cfg.connect_timeout()))
        .recycle_timeout(Some(cfg.connect_timeout()))
        .build()?;
    Ok(pool)
}

/// A single connection outside the pool (LISTEN, advisory locks, bootstrap).
pub async fn connect_one(
    url: &str,
    app_name: &str,
) -> Result<
    (
        tokio_postgres::Client,
        tokio_postgres::Connection<tokio_postgres::Socket, tokio_postgres::tls::NoTlsStream>,
    ),
    tokio_postgres::Error,
> {
    let mut pg: tokio_postgres::Config = url.parse()?;
    pg.application_name(app_name);
    pg.connect_timeout(Duration::from_secs(5));
    pg.connect(NoTls).await
}

/// What a request needs to enter a tenant: read from the registry, re-checked here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScope {
    setup_sql: String,
}

impl TenantScope {
    pub fn new(schema: &str, role: &str, statement_timeout_ms: u32) -> Result<Self, DbError> {
        if !is_plain_identifier(schema) || !is_plain_identifier(role) {
            return Err(DbError::BadIdentifier);
        }
        Ok(Self {
            setup_sql: format!(
                "BEGIN; SET LOCAL ROLE {}; SET LOCAL search_path = {}; SET LOCAL statement_timeout = {}",
                quote_ident(role),
                quote_ident(schema),
                statement_timeout_ms
            ),
        })
    }

    /// The control plane's way into a tenant schema: it owns the tables, so it keeps its
    /// own role and only scopes the search path (for SQL shared with the data plane).
    pub fn as_owner(schema: &str, statement_timeout_ms: u32) -> Result<Self, DbError> {
        if !is_plain_identifier(schema) {
            return Err(DbError::BadIdentifier);
        }
        Ok(Self {
            setup_sql: format!(
                "BEGIN; SET LOCAL search_path = {}; SET LOCAL statement_timeout = {}",
                quote_ident(schema),
                statement_timeout_ms
            ),
        })
    }
}

/// One tenant transaction on one pooled connection.
///
/// Dropped without [`TenantTx::commit`] (an error, a panic, a client that went away),
/// it rolls back on a spawned task that owns the connection, so the connection returns
/// to the pool only once it is clean.
pub struct TenantTx {
    conn: Option<deadpool_postgres::Object>,
    pending_setup: Option<String>,
}

impl TenantTx {
    pub async fn begin(pool: &Pool, scope: &TenantScope) -> Result<Self, DbError> {
        let conn = pool.get().await?;
        Ok(Self {
            conn: Some(conn),
            pending_setup: Some(scope.setup_sql.clone()),
        })
    }

    fn conn(&self) -> &deadpool_postgres::Object {
        // Invariant: `conn` is only taken in commit/drop, which consume self.
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("connection taken"))
    }

    pub async fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, DbError> {
        self.prepared(sql, |c, stmt| async move { c.query(&stmt, params).await })
            .await
    }

    pub async fn query_opt(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params).await?.into_iter().next())
    }

    pub async fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, DbError> {
        self.prepared(sql, |c, stmt| async move { c.execute(&stmt, params).await })
            .await
    }

    /// Prepares `sql` (cached per connection) and runs it with `run`, pipelined behind
    /// the setup batch if this is the transaction's first statement.
    async fn prepared<'a, T, Fut>(
        &'a mut self,
        sql: &'a str,
        run: impl FnOnce(&'a ClientWrapper, Statement) -> Fut,
    ) -> Result<T, DbError>
    where
        Fut: std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let setup = self.pending_setup.take();
        let client: &'a ClientWrapper = self.conn();
        let work = async move {
            let stmt = client.prepare_cached(sql).await?;
            run(client, stmt).await
        };
        pipelined(client, setup, work).await
    }

    /// Runs raw SQL on the connection, for tests that reach into the db layer.
    pub async fn batch_execute(&mut self, sql: &str) -> Result<(), DbError> {
        let setup = self.pending_setup.take();
        let client = self.conn();
        pipelined(client, setup, client.batch_execute(sql)).await
    }

    pub async fn commit(mut self) -> Result<(), DbError> {
        if self.pending_setup.is_some() {
            // Nothing ran; there is no transaction to commit.
            self.pending_setup = None;
            return Ok(());
        }
        let conn = self
            .conn
            .take()
            .unwrap_or_else(|| unreachable!("connection taken"));
        match conn.batch_execute("COMMIT").await {
            Ok(()) => Ok(()),
            Err(e) => {
                // The connection's state is unknown: never reuse it.
                drop(deadpool_postgres::Object::take(conn));
                Err(e.into())
            }
        }
    }
}

/// Sends the setup batch, if it hasn't gone yet, pipelined with `work`.
async fn pipelined<T>(
    client: &tokio_postgres::Client,
    setup: Option<String>,
    work: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, DbError> {
    match setup {
        Some(setup) => {
            // join! polls in order, so the setup reaches the server before `work`.
            let (setup_res, res) = tokio::join!(client.batch_execute(&setup), work);
            setup_res.map_err(DbError::Setup)?;
            Ok(res?)
        }
        None => Ok(work.await?),
    }
}

impl Drop for TenantTx {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if self.pending_setup.is_some() {
            return; // nothing was sent: the connection is clean
        }
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    if conn.batch_execute("ROLLBACK").await.is_err() {
                        drop(deadpool_postgres::Object::take(conn));
                    }
                });
            }
            Err(_) => drop(deadpool_postgres::Object::take(conn)),
        }
    }
}

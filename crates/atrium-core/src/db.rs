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
use tokio::time::Instant;
use tokio_postgres::{types::ToSql, NoTls, Row};

use crate::{
    config::PoolConfig,
    failover,
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
    /// The transaction's connection broke and no primary took it over in time.
    #[error("the database connection was lost")]
    ConnectionLost,
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

    /// Ends the session of a transaction that sits idle between statements for longer
    /// than `ms` (0: never). A request stalled mid-transaction (a stuck await, a client
    /// that stops reading) would otherwise hold its pooled connection, and its row locks,
    /// for as long as it likes: a noisy neighbour needs no heavy query to starve others.
    pub fn idle_in_transaction(mut self, ms: u32) -> Self {
        self.setup_sql.push_str(&format!(
            "; SET LOCAL idle_in_transaction_session_timeout = {ms}"
        ));
        self
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
///
/// A connection lost before the first statement answered (a failover, a switchover, a
/// pooled connection to a primary that is gone) is replaced and the statement sent again,
/// until the transaction's failover deadline: nothing of it can have committed, since it
/// went out behind `BEGIN` and `COMMIT` was never sent (see [`crate::failover`]).
pub struct TenantTx {
    pool: Pool,
    conn: Option<deadpool_postgres::Object>,
    pending_setup: Option<String>,
    deadline: Instant,
    /// Released only once the connection is clean again (after COMMIT or ROLLBACK): the
    /// data plane's per-tenant connection share rides here.
    guard: Option<Box<dyn Send + Sync>>,
}

/// What a statement is run for.
enum Work<'a> {
    Query(&'a [&'a (dyn ToSql + Sync)]),
    Execute(&'a [&'a (dyn ToSql + Sync)]),
    Batch,
}

enum Done {
    Rows(Vec<Row>),
    Count(u64),
    Nothing,
}

impl TenantTx {
    /// Opens the transaction without waiting out a failover: a lost pooled connection is
    /// still replaced once.
    pub async fn begin(pool: &Pool, scope: &TenantScope) -> Result<Self, DbError> {
        Self::begin_within(pool, scope, Duration::ZERO).await
    }

    /// Opens the transaction, waiting up to `failover_wait` for a primary to take it.
    pub async fn begin_within(
        pool: &Pool,
        scope: &TenantScope,
        failover_wait: Duration,
    ) -> Result<Self, DbError> {
        let deadline = Instant::now() + failover_wait;
        let conn = failover::connection(pool, deadline).await?;
        Ok(Self {
            pool: pool.clone(),
            conn: Some(conn),
            pending_setup: Some(scope.setup_sql.clone()),
            deadline,
            guard: None,
        })
    }

    /// Keeps `guard` alive until this transaction's connection is clean: dropped after
    /// COMMIT answers, or after the ROLLBACK a dropped transaction sends.
    pub fn attach(&mut self, guard: impl Send + Sync + 'static) {
        self.guard = Some(Box::new(guard));
    }

    /// None once the connection broke and no other could replace it.
    fn conn(&self) -> Result<&deadpool_postgres::Object, DbError> {
        self.conn.as_ref().ok_or(DbError::ConnectionLost)
    }

    pub async fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, DbError> {
        match self.run(sql, Work::Query(params)).await? {
            Done::Rows(rows) => Ok(rows),
            _ => unreachable!("a query answers rows"),
        }
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
        match self.run(sql, Work::Execute(params)).await? {
            Done::Count(n) => Ok(n),
            _ => unreachable!("an execute answers a count"),
        }
    }

    /// Runs raw SQL on the connection, for tests that reach into the db layer.
    pub async fn batch_execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.run(sql, Work::Batch).await.map(|_| ())
    }

    /// Runs `sql` (prepared, cached per connection), pipelined behind the setup batch if
    /// this is the transaction's first statement; that first one survives a lost
    /// connection (see the type's documentation).
    async fn run(&mut self, sql: &str, work: Work<'_>) -> Result<Done, DbError> {
        let Some(setup) = self.pending_setup.take() else {
            let result = send(self.conn()?, sql, &work).await.map_err(DbError::from);
            if result.as_ref().is_err_and(DbError::is_connection_class) {
                // Never back into the pool, not even after a ROLLBACK that succeeds (a
                // node turned standby answers it).
                self.close_connection();
            }
            return result;
        };
        // Raw SQL may hold its own COMMIT: only one statement is known safe to send again.
        let retryable = !matches!(work, Work::Batch);
        let mut replaced = false;
        loop {
            let client = self.conn()?;
            let result = pipelined(client, &setup, send(client, sql, &work)).await;
            match result {
                Err(e)
                    if retryable
                        && e.is_connection_class()
                        && (!replaced || Instant::now() < self.deadline) =>
                {
                    self.replace_connection().await?;
                    replaced = true;
                }
                other => return other,
            }
        }
    }

    fn close_connection(&mut self) {
        if let Some(conn) = self.conn.take() {
            close(conn);
        }
    }

    /// Swaps the broken connection for one to the primary, whichever node that is now.
    async fn replace_connection(&mut self) -> Result<(), DbError> {
        // Closed at once, not after the wait: on a node being drained for a switchover,
        // an open (failed) transaction would hold the drain up.
        self.close_connection();
        // Idle connections were most likely opened to the same, now lost, server.
        self.pool.retain(|_, _| false);
        self.conn = Some(failover::connection(&self.pool, self.deadline).await?);
        Ok(())
    }

    pub async fn commit(mut self) -> Result<(), DbError> {
        if self.pending_setup.is_some() {
            // Nothing ran; there is no transaction to commit.
            self.pending_setup = None;
            return Ok(());
        }
        let conn = self.conn.take().ok_or(DbError::ConnectionLost)?;
        match conn.batch_execute("COMMIT").await {
            Ok(()) => Ok(()),
            Err(e) => {
                // The connection's state is unknown: never reuse it. Nor is the
                // transaction's: it may have committed, so it is never sent again.
                close(conn);
                Err(e.into())
            }
        }
    }
}

/// Closes a pooled connection instead of returning it to the pool: its state is unknown.
fn close(conn: deadpool_postgres::Object) {
    drop(deadpool_postgres::Object::take(conn));
}

async fn send(
    client: &ClientWrapper,
    sql: &str,
    work: &Work<'_>,
) -> Result<Done, tokio_postgres::Error> {
    match work {
        Work::Batch => client.batch_execute(sql).await.map(|()| Done::Nothing),
        Work::Query(params) => {
            let stmt = client.prepare_cached(sql).await?;
            client.query(&stmt, params).await.map(Done::Rows)
        }
        Work::Execute(params) => {
            let stmt = client.prepare_cached(sql).await?;
            client.execute(&stmt, params).await.map(Done::Count)
        }
    }
}

/// Sends the setup batch pipelined with `work`.
async fn pipelined<T>(
    client: &tokio_postgres::Client,
    setup: &str,
    work: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, DbError> {
    // join! polls in order, so the setup reaches the server before `work`.
    let (setup_res, res) = tokio::join!(client.batch_execute(setup), work);
    setup_res.map_err(DbError::Setup)?;
    Ok(res?)
}

impl Drop for TenantTx {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if self.pending_setup.is_some() {
            return; // nothing was sent: the connection is clean
        }
        let guard = self.guard.take();
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    if conn.batch_execute("ROLLBACK").await.is_err() {
                        close(conn);
                    }
                    drop(guard);
                });
            }
            Err(_) => close(conn),
        }
    }
}

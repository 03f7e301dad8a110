//! Pools and the tenant transaction.
//!
//! Every tenant request runs in one transaction opened by `BEGIN` and one statement that
//! sets, for that transaction only (`set_config(.., true)`, `SET LOCAL`), the tenant's role,
//! its schema as `search_path`, and the statement and idle timeouts. Nothing is set at
//! session level, so a pooled connection never carries a tenant into the next request,
//! and the scheme works behind PgBouncer in transaction mode. The setup is pipelined
//! with the first statement, and a transaction's last statements with its `COMMIT`: a
//! one-statement write, or a list's count and page, is one round trip
//! (`db/exchange.rs`).

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use tokio_postgres::{types::ToSql, NoTls, Row};

pub mod clusters;
mod exchange;
pub mod placement;

use exchange::{exchange, Answers, Done, Several, Statement, Work};

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
    /// Another cluster's pool could not be made: not registered, or its connection URL's
    /// reference does not resolve in this process (the message names which, never a URL).
    #[error("{0}")]
    Cluster(String),
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
    let unnamed = !cfg.prepared_statements;
    let pool = Pool::builder(manager)
        .max_size(cfg.max_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(cfg.wait_timeout()))
        .create_timeout(Some(cfg.connect_timeout()))
        .recycle_timeout(Some(cfg.connect_timeout()))
        // Read by the tenant transaction's exchange (db/exchange.rs) on every connection.
        .post_create(deadpool_postgres::Hook::sync_fn(move |client, _| {
            client.set_unnamed_statements(unnamed);
            Ok(())
        }))
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

/// Opens a tenant transaction: the role, the schema and the limits, all as bound values
/// of one statement (`set_config(.., true)` is `SET LOCAL`).
///
/// `atrium.tenant_id` is what a pool schema's row-level security compares each row's
/// `tenant_id` with (docs/isolation-tiers.md); in a tenant's own schema nothing reads it.
///
/// The placement lock comes first, while the role is still the login role (which may
/// run `await_placement`): taken at once unless a move is draining or has moved the
/// tenant, and then the slow way (`db/placement.rs`). A schema a move between clusters
/// closed to the tenant's role (its fence, which outlives any lock) goes the slow way
/// too, and is sent on to the tenant's new cluster.
const ENTER: &str = "SELECT CASE WHEN pg_try_advisory_xact_lock_shared($6, $7) \
     AND has_schema_privilege($1, $8, 'USAGE') THEN NULL \
     ELSE atrium_control.await_placement($5, $8, $9, $7, $10) END, \
     set_config('role', $1, true), set_config('search_path', $2, true), \
     set_config('statement_timeout', $3, true), \
     set_config('idle_in_transaction_session_timeout', $4, true), \
     set_config('atrium.tenant_id', $5, true)";
/// The control plane's: it keeps its own role. Its tenant transactions are few (invites,
/// resets), so they always go the slow way in: a move's freeze holds them too, and one
/// that raced the flip is sent on to the new placement like the data plane's.
const ENTER_AS_OWNER: &str = "SELECT atrium_control.await_placement($3, $4, $5, $6, $7), \
     set_config('search_path', $1, true), \
     set_config('statement_timeout', $2, true), set_config('atrium.tenant_id', $3, true)";

/// A transaction's wait while its tenant is frozen for a move, unless configured.
pub const DEFAULT_FREEZE_WAIT_MS: i32 = 2_000;

/// Prepared statements kept per pooled connection. Each tenant has its own copy of a
/// statement (see [`TenantScope`]); past this many the connection's cache starts over.
const STATEMENTS_PER_CONNECTION: usize = 256;

/// What a request needs to enter a tenant: read from the registry, re-checked here.
/// Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScope(std::sync::Arc<Scope>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Scope {
    /// None for the control plane, which owns the tables.
    role: Option<String>,
    search_path: String,
    statement_timeout: String,
    idle_timeout: String,
    /// The tenant's id, for a pool's row-level security; empty (no rows) until set.
    tenant_id: String,
    /// The schema unquoted, as the registry names it.
    schema: String,
    /// The placement lock's second key, and the tenant's freeze lock's (`db/placement.rs`).
    place_key: i32,
    freeze_key: i32,
    /// How long a transaction waits while its tenant is frozen for a move, in ms.
    freeze_wait_ms: i32,
    /// Put in front of each statement's text. PostgreSQL plans a prepared statement
    /// again whenever it runs under another `search_path` than last time; a copy per
    /// tenant keeps each copy's plan valid.
    tag: String,
}

impl TenantScope {
    pub fn new(schema: &str, role: &str, statement_timeout_ms: u32) -> Result<Self, DbError> {
        if !is_plain_identifier(role) {
            return Err(DbError::BadIdentifier);
        }
        Self::build(schema, Some(role.to_owned()), statement_timeout_ms)
    }

    /// Ends the session of a transaction that sits idle between statements for longer
    /// than `ms` (0: never). A request stalled mid-transaction (a stuck await, a client
    /// that stops reading) would otherwise hold its pooled connection, and its row locks,
    /// for as long as it likes: a noisy neighbour needs no heavy query to starve others.
    pub fn idle_in_transaction(self, ms: u32) -> Self {
        let mut scope = std::sync::Arc::unwrap_or_clone(self.0);
        scope.idle_timeout = ms.to_string();
        Self(std::sync::Arc::new(scope))
    }

    /// The tenant whose rows a pool schema shows (see `ENTER`). Without it, a pool shows
    /// no row and takes no write.
    pub fn tenant_id(self, id: uuid::Uuid) -> Self {
        let mut scope = std::sync::Arc::unwrap_or_clone(self.0);
        scope.tenant_id = id.to_string();
        scope.place_key = placement::placement_key(id, &scope.schema);
        scope.freeze_key = placement::freeze_key(id);
        Self(std::sync::Arc::new(scope))
    }

    /// How long a transaction waits while a move freezes its tenant, before it fails
    /// with `lock_not_available` (a 503 the client retries).
    pub fn freeze_wait(self, ms: u32) -> Self {
        let mut scope = std::sync::Arc::unwrap_or_clone(self.0);
        scope.freeze_wait_ms = ms.min(i32::MAX as u32) as i32;
        Self(std::sync::Arc::new(scope))
    }

    /// The same tenant and limits in the placement a move put it in.
    fn relocated(&self, to: &placement::Moved) -> Result<Self, DbError> {
        let s = &*self.0;
        // The control plane keeps its own role wherever the tenant is.
        let role = match s.role {
            Some(_) if is_plain_identifier(&to.role) => Some(to.role.clone()),
            Some(_) => return Err(DbError::BadIdentifier),
            None => None,
        };
        let moved = Self::build(&to.schema, role, 0)?;
        let mut scope = std::sync::Arc::unwrap_or_clone(moved.0);
        scope.statement_timeout = s.statement_timeout.clone();
        scope.idle_timeout = s.idle_timeout.clone();
        scope.tenant_id = s.tenant_id.clone();
        scope.freeze_key = s.freeze_key;
        scope.freeze_wait_ms = s.freeze_wait_ms;
        scope.place_key = match s.tenant_id.parse() {
            Ok(id) => placement::placement_key(id, &to.schema),
            Err(_) => return Err(DbError::BadIdentifier),
        };
        Ok(Self(std::sync::Arc::new(scope)))
    }

    /// The control plane's way into a tenant schema: it owns the tables, so it keeps its
    /// own role and only scopes the search path (for SQL shared with the data plane).
    pub fn as_owner(schema: &str, statement_timeout_ms: u32) -> Result<Self, DbError> {
        Self::build(schema, None, statement_timeout_ms)
    }

    /// A scope with no idle limit; [`TenantScope::idle_in_transaction`] sets one.
    fn build(
        schema: &str,
        role: Option<String>,
        statement_timeout_ms: u32,
    ) -> Result<Self, DbError> {
        if !is_plain_identifier(schema) {
            return Err(DbError::BadIdentifier);
        }
        let quoted = quote_ident(schema);
        Ok(Self(std::sync::Arc::new(Scope {
            role,
            tag: format!("/* {quoted} */ "),
            search_path: quoted,
            statement_timeout: statement_timeout_ms.to_string(),
            idle_timeout: "0".to_owned(),
            tenant_id: String::new(),
            place_key: placement::placement_key(uuid::Uuid::nil(), schema),
            freeze_key: placement::freeze_key(uuid::Uuid::nil()),
            schema: schema.to_owned(),
            freeze_wait_ms: DEFAULT_FREEZE_WAIT_MS,
        })))
    }

    fn enter_sql(&self) -> &'static str {
        if self.0.role.is_some() {
            ENTER
        } else {
            ENTER_AS_OWNER
        }
    }

    fn enter_params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let s = &*self.0;
        match &s.role {
            Some(role) => vec![
                role,
                &s.search_path,
                &s.statement_timeout,
                &s.idle_timeout,
                &s.tenant_id,
                &placement::PLACEMENT_LOCKS,
                &s.place_key,
                &s.schema,
                &s.freeze_key,
                &s.freeze_wait_ms,
            ],
            None => vec![
                &s.search_path,
                &s.statement_timeout,
                &s.tenant_id,
                &s.schema,
                &s.freeze_key,
                &s.place_key,
                &s.freeze_wait_ms,
            ],
        }
    }
}

/// One tenant transaction on one pooled connection.
///
/// Nothing goes to the server until the first statement, and then `BEGIN`, the scope's
/// settings and the statement go out together: one round trip. A write that is one
/// statement ([`TenantTx::query_and_commit`]), or the last statements of a read
/// ([`TenantTx::queries_last`]), send `COMMIT` with them too.
///
/// Dropped without committing (an error, a panic, a client that went away, even while a
/// statement is on its way), it rolls back on a spawned task that owns the connection,
/// so the connection returns to the pool only once it is clean.
///
/// A connection lost during the transaction's first exchange (a failover, a switchover, a
/// pooled connection to a primary that is gone) is replaced and the exchange sent again,
/// until the transaction's failover deadline, as long as nothing of it can have committed
/// (see [`crate::failover`]).
pub struct TenantTx {
    pool: Pool,
    /// Every cluster's pool, when the transaction began on its tenant's cluster: a move
    /// to another cluster that flips while it enters sends it there (`ELSEWHERE`).
    clusters: Option<std::sync::Arc<clusters::ClusterPools>>,
    conn: Option<deadpool_postgres::Object>,
    scope: TenantScope,
    /// Whether `BEGIN` went out: from then on a drop must roll back.
    begun: bool,
    /// Whether an exchange is on its way: set while it is awaited. Still set at the next
    /// call means the one before was dropped mid-way, and where that left the transaction
    /// is unknown (it may have ended, or not begun): the connection is given up.
    in_flight: bool,
    deadline: Instant,
    /// Released only once the connection is clean again (after COMMIT or ROLLBACK): the
    /// data plane's per-tenant connection share rides here.
    guard: Option<Box<dyn Send + Sync>>,
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
            clusters: None,
            conn: Some(conn),
            scope: scope.clone(),
            begun: false,
            in_flight: false,
            deadline,
            guard: None,
        })
    }

    /// Opens the transaction on `cluster`'s pool, waiting up to `failover_wait` for a
    /// primary; if a move to another cluster flips the tenant while it enters, it is
    /// entered there instead.
    pub async fn begin_on(
        clusters: &std::sync::Arc<clusters::ClusterPools>,
        cluster: &str,
        scope: &TenantScope,
        failover_wait: Duration,
    ) -> Result<Self, DbError> {
        let pool = clusters.get(cluster).await?;
        let mut tx = Self::begin_within(&pool, scope, failover_wait).await?;
        tx.clusters = Some(clusters.clone());
        Ok(tx)
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
        self.rows(sql, params, false).await
    }

    async fn rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        commit: bool,
    ) -> Result<Vec<Row>, DbError> {
        Ok(self
            .run_one(sql, Work::Query(params), commit)
            .await?
            .into_rows())
    }

    /// The transaction's last statement, with `COMMIT` sent along: a write that is one
    /// statement costs one round trip. A failed statement commits nothing (the server
    /// rolls the transaction back). Afterwards the transaction is over: a later
    /// [`TenantTx::commit`] does nothing, a later statement fails.
    pub async fn query_last(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, DbError> {
        self.rows(sql, params, true).await
    }

    /// The transaction's last statements, sent together with `COMMIT`: a transaction
    /// that is these statements costs one round trip (a list's count and its page).
    /// Each statement's rows, in order; the first failure fails them all and commits
    /// nothing.
    pub async fn queries_last(
        &mut self,
        statements: &[(&str, &[&(dyn ToSql + Sync)])],
    ) -> Result<Vec<Vec<Row>>, DbError> {
        let statements = statements
            .iter()
            .map(|(sql, params)| self.statement(sql, Work::Query(params)))
            .collect();
        let done = self.run(statements, true).await?;
        Ok(done.into_iter().map(Done::into_rows).collect())
    }

    /// [`TenantTx::query_last`] for a transaction that is that one statement.
    pub async fn query_and_commit(
        mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, DbError> {
        self.query_last(sql, params).await
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
        match self.run_one(sql, Work::Execute(params), false).await? {
            Done::Count(n) => Ok(n),
            _ => unreachable!("an execute answers a count"),
        }
    }

    /// Runs raw SQL on the connection, for tests that reach into the db layer.
    pub async fn batch_execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.run_one(sql, Work::Batch, false).await.map(|_| ())
    }

    /// `sql` as this tenant's copy of the statement (see [`Scope::tag`]).
    fn statement<'a>(&self, sql: &str, work: Work<'a>) -> Statement<'a> {
        Statement {
            sql: format!("{}{sql}", self.scope.0.tag),
            work,
        }
    }

    async fn run_one(&mut self, sql: &str, work: Work<'_>, commit: bool) -> Result<Done, DbError> {
        let statement = self.statement(sql, work);
        let mut done = self.run(smallvec::smallvec![statement], commit).await?;
        Ok(done.remove(0))
    }

    /// Runs the statements (prepared, cached per connection and tenant), behind `BEGIN`
    /// and the scope's settings if they are the transaction's first, and ahead of
    /// `COMMIT` if `commit`. A transaction's first exchange survives a lost connection
    /// (see the type's documentation).
    async fn run(
        &mut self,
        mut statements: Several<Statement<'_>>,
        commit: bool,
    ) -> Result<Several<Done>, DbError> {
        self.after_drop_mid_exchange()?;
        // Raw SQL may hold its own COMMIT: only prepared statements are known safe to resend.
        let raw = statements.iter().any(|s| matches!(s.work, Work::Batch));
        debug_assert!(!raw || statements.len() == 1, "raw SQL goes alone");
        let retryable = !self.begun && !raw;
        let mut replaced = false;
        let mut relocations = 0;
        loop {
            if self.conn()?.is_closed() && retryable {
                // Gone before anything was sent: nothing to lose.
                self.replace_connection().await?;
            }
            let enter = (!self.begun).then_some(&self.scope);
            // Set before the statements go out, not after their answer: if this future is
            // dropped meanwhile (the client went away, a timeout), the transaction may be
            // open on the server, and only a begun transaction is rolled back on drop.
            // Otherwise the connection would go back to the pool inside the tenant's
            // transaction, its role and search_path still set.
            self.begun = true;
            self.in_flight = true;
            let answers = exchange(self.conn()?, enter, &statements, commit).await;
            self.in_flight = false;
            if retryable
                && answers.connection_broke()
                && !answers.outcome_unknown()
                && (!replaced || Instant::now() < self.deadline)
            {
                self.begun = false;
                self.replace_connection().await?;
                replaced = true;
                continue;
            }
            // Entering failed before anything ran: a move put the tenant elsewhere.
            let moved = match &answers.enter {
                Some(Err(e)) if retryable && relocations < MAX_RELOCATIONS => {
                    placement::moved_to(e)
                }
                _ => None,
            };
            if let Some(to) = moved {
                self.relocate(&to, &mut statements, answers.closed).await?;
                relocations += 1;
                continue;
            }
            let elsewhere = match (&answers.enter, &self.clusters) {
                (Some(Err(e)), Some(_)) if retryable && relocations < MAX_RELOCATIONS => {
                    placement::elsewhere(e)
                }
                _ => None,
            };
            if let Some(cluster) = elsewhere {
                self.enter_cluster(&cluster, answers.closed).await?;
                relocations += 1;
                continue;
            }
            return self.settle(answers, statements.len());
        }
    }

    /// Enters the tenant where a move put it, for the exchange to be sent again: the
    /// failed entry's transaction is ended (unless its `Sync` ended it), and the
    /// statements get the new placement's tag.
    async fn relocate(
        &mut self,
        to: &placement::Moved,
        statements: &mut Several<Statement<'_>>,
        closed: bool,
    ) -> Result<(), DbError> {
        if !closed {
            if let Err(e) = self.conn()?.batch_execute("ROLLBACK").await {
                self.close_connection();
                return Err(e.into());
            }
        }
        self.begun = false;
        let old_tag = self.scope.0.tag.len();
        self.scope = self.scope.relocated(to)?;
        for s in statements.iter_mut() {
            s.sql = format!("{}{}", self.scope.0.tag, &s.sql[old_tag..]);
        }
        metrics::counter!(RELOCATED).increment(1);
        tracing::debug!(schema = %to.schema, "tenant moved: entering its new placement");
        Ok(())
    }

    /// Takes a connection of `cluster`'s pool for the exchange to be sent again, where a
    /// move between clusters put the tenant: same schema, same role, another server.
    async fn enter_cluster(&mut self, cluster: &str, closed: bool) -> Result<(), DbError> {
        if !closed {
            if let Err(e) = self.conn()?.batch_execute("ROLLBACK").await {
                self.close_connection();
                return Err(e.into());
            }
        }
        self.begun = false;
        let Some(clusters) = &self.clusters else {
            return Err(DbError::Cluster(format!(
                "tenant moved to cluster {cluster}"
            )));
        };
        // Back to its pool first, clean (rolled back above): making the new cluster's
        // pool may need a connection of the old one's (home's, to read the registry).
        self.conn = None;
        let pool = clusters.get(cluster).await?;
        self.conn = Some(failover::connection(&pool, self.deadline).await?);
        self.pool = pool;
        metrics::counter!(RELOCATED).increment(1);
        tracing::debug!(cluster, "tenant moved: entering it on its new cluster");
        Ok(())
    }

    /// Turns the answers into the caller's result and decides the connection's fate.
    fn settle(&mut self, answers: Answers, sent: usize) -> Result<Several<Done>, DbError> {
        if answers.connection_broke() {
            // Never back into the pool, not even after a ROLLBACK that succeeds (a node
            // turned standby answers it).
            self.close_connection();
            if answers.outcome_unknown() {
                if let Some(cause) = answers.lost.as_ref().or(answers.errors().last()) {
                    outcome_unknown(cause);
                }
                return Err(DbError::ConnectionLost);
            }
        } else if answers.closed {
            self.begun = false;
            self.conn.take();
            self.guard.take();
        }
        if let Some(enter) = answers.enter {
            enter.map_err(DbError::Setup)?;
        }
        let mut done = Several::with_capacity(sent);
        for answer in answers.statements {
            done.push(answer?);
        }
        if done.len() < sent {
            return Err(answers.lost.map_or(DbError::ConnectionLost, DbError::from));
        }
        match answers.commit {
            Some(Err(e)) => Err(e.into()),
            _ => Ok(done),
        }
    }

    /// Gives the connection up if an exchange of this transaction was dropped mid-way:
    /// where that left the transaction is unknown.
    fn after_drop_mid_exchange(&mut self) -> Result<(), DbError> {
        if self.in_flight {
            self.close_connection();
            return Err(DbError::ConnectionLost);
        }
        Ok(())
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
        self.after_drop_mid_exchange()?;
        if !self.begun {
            // Nothing ran; there is no transaction to commit.
            return Ok(());
        }
        let conn = self.conn.take().ok_or(DbError::ConnectionLost)?;
        self.begun = false;
        match conn.batch_execute("COMMIT").await {
            Ok(()) => Ok(()),
            Err(e) => {
                // The connection's state is unknown: never reuse it. Nor is the
                // transaction's: it may have committed, so it is never sent again.
                close(conn);
                if exchange::ends_session(&e) {
                    outcome_unknown(&e);
                    return Err(DbError::ConnectionLost);
                }
                Err(e.into())
            }
        }
    }
}

/// Says that a transaction's end went out and its answer was lost (`cause`): it may have
/// committed, so it is not sent again and the client is told so (a 503).
fn outcome_unknown(cause: &tokio_postgres::Error) {
    tracing::warn!(error = %cause, "a transaction's end went out and its answer was lost: it may have committed");
    metrics::counter!(OUTCOME_UNKNOWN).increment(1);
}

/// Requests whose commit went out and whose answer was lost.
pub const OUTCOME_UNKNOWN: &str = "db_outcome_unknown_total";
/// Tenant transactions entered again in the placement a move put their tenant in.
pub const RELOCATED: &str = "db_tenant_relocated_total";
/// A move flips a tenant once; a second flip while one transaction enters is already
/// unlikely, a third means something is wrong.
const MAX_RELOCATIONS: u32 = 2;

/// Closes a pooled connection instead of returning it to the pool: its state is unknown.
fn close(conn: deadpool_postgres::Object) {
    drop(deadpool_postgres::Object::take(conn));
}

impl Drop for TenantTx {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if !self.begun {
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

//! Riding out a PostgreSQL failover or switchover.
//!
//! With a multi-host URL and `target_session_attrs=read-write`, every new connection
//! lands on whichever node is the primary now; while there is none (the old one is
//! stopping, the standby not yet promoted) connecting fails. A request then waits,
//! bounded by `pool.failover_wait_ms`, instead of failing at once: that is what lets a
//! planned switchover pass without a single error.
//!
//! Only what cannot have committed is tried again: taking a connection, and a
//! transaction's first statement (it goes out behind `BEGIN`, so nothing of it is kept
//! until `COMMIT`). A one-statement write goes out with its commit (`crate::db`): it is
//! tried again only if the server reported why it failed (then nothing was kept). A
//! connection lost with no answer to a commit leaves the outcome unknown: that is a 503,
//! never retried, because it may have committed.

use std::time::Duration;

use deadpool_postgres::{Object, Pool, PoolError};
use tokio::time::Instant;
use tokio_postgres::error::SqlState;

use crate::db::DbError;

/// Pause between attempts while no primary answers: short against a switchover that
/// takes about two seconds, long enough not to hammer a node that is starting.
const RETRY_PAUSE: Duration = Duration::from_millis(50);

/// Whether `e` says the connection (or the server behind it) is gone or unfit for
/// writes, as opposed to something about the statement: a closed socket, a refused or
/// timed-out connect, no writable host among the URL's, the server shutting down or
/// starting, or a node that became a read-only standby.
pub fn is_connection_error(e: &tokio_postgres::Error) -> bool {
    // Any FATAL ends the session, whatever its code: an idle-in-transaction or idle-session
    // timeout as much as a shutdown.
    if is_fatal(e) {
        return true;
    }
    if let Some(code) = e.code() {
        return code.code().starts_with("08")
            || *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
            || *code == SqlState::READ_ONLY_SQL_TRANSACTION;
    }
    e.is_closed()
        || std::error::Error::source(e)
            .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
}

/// Whether the server ended the session with this error (FATAL or PANIC).
pub fn is_fatal(e: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::Severity;
    e.as_db_error()
        .is_some_and(|d| matches!(d.parsed_severity(), Some(Severity::Fatal | Severity::Panic)))
}

impl DbError {
    /// A failure of the connection rather than of the request: the client may retry it
    /// (503 with Retry-After), and the connection must not be used again.
    pub fn is_connection_class(&self) -> bool {
        match self {
            DbError::Pool(e) => pool_error_is_connection(e),
            DbError::Postgres(e) | DbError::Setup(e) => is_connection_error(e),
            DbError::Shared(e) => e.is_connection_class(),
            DbError::ConnectionLost => true,
            DbError::BadIdentifier | DbError::Cluster(_) => false,
        }
    }
}

/// A pool that is merely busy (every connection checked out) is not a failover: waiting
/// on it is already bounded by `wait_timeout_ms`.
fn pool_error_is_connection(e: &PoolError) -> bool {
    match e {
        PoolError::Backend(e) => is_connection_error(e),
        PoolError::Timeout(deadpool_postgres::TimeoutType::Wait) => false,
        PoolError::Timeout(_) => true,
        _ => false,
    }
}

/// A pooled connection to the primary, waiting until `deadline` while none is reachable.
pub async fn connection(pool: &Pool, deadline: Instant) -> Result<Object, DbError> {
    retry(deadline, || async {
        pool.get().await.map_err(DbError::from)
    })
    .await
}

/// Runs `attempt` until it succeeds, fails for a reason other than the connection, or
/// `deadline` passes (it always runs at least once). For idempotent work only.
pub async fn retry<T, F, Fut>(deadline: Instant, mut attempt: F) -> Result<T, DbError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, DbError>>,
{
    loop {
        match attempt().await {
            Err(e) if e.is_connection_class() && Instant::now() + RETRY_PAUSE < deadline => {
                metrics::counter!("db_failover_retries_total").increment(1);
                tracing::debug!(error = %e, "no usable primary yet; retrying");
                tokio::time::sleep(RETRY_PAUSE).await;
            }
            other => return other,
        }
    }
}

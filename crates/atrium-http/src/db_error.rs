//! Database failures as answers: a pool timeout or a lost connection (a failover: the
//! server shutting down, none reachable, a node turned read-only standby) is a 503 with
//! Retry-After the client may retry (so is a tenant frozen for a move), a cancelled statement is the tenant's own timeout, a vanished role or
//! schema means the tenant was deleted, text PostgreSQL cannot hold is a 400, and
//! anything else is a 500.

use atrium_core::db::DbError;
use tokio_postgres::error::SqlState;

use crate::ApiError;

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match err {
            // A failure several waiters shared (a coalesced cache load): classify the one
            // underneath; only its description can be kept for the log.
            DbError::Shared(shared) => classify(&shared).unwrap_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(cause_chain(shared.as_ref())))
            }),
            err => classify(&err).unwrap_or_else(|| ApiError::Internal(err.into())),
        }
    }
}

fn cause_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut next = err.source();
    while let Some(e) = next {
        parts.push(e.to_string());
        next = e.source();
    }
    parts.join(": ")
}

/// The answer a database failure deserves, or `None` for a 500.
fn classify(err: &DbError) -> Option<ApiError> {
    let unavailable = |detail: String| ApiError::Unavailable {
        code: "database_unavailable",
        detail,
    };
    if err.is_connection_class() {
        return Some(unavailable(
            "the database connection was lost or no primary is reachable (a failover?); retry the request"
                .into(),
        ));
    }
    match err {
        DbError::Shared(inner) => classify(inner),
        DbError::Pool(e) => Some(unavailable(format!(
            "the database is not available right now ({})",
            pool_reason(e)
        ))),
        DbError::Setup(e) => match e.code() {
            // SET ROLE on a dropped role, or a dropped schema: the tenant is gone.
            Some(c)
                if *c == SqlState::INVALID_PARAMETER_VALUE || *c == SqlState::UNDEFINED_OBJECT =>
            {
                Some(ApiError::NotFound("tenant"))
            }
            // A move between tiers froze the tenant for longer than a request waits, or
            // flipped it again while this one was entering.
            Some(c)
                if *c == SqlState::LOCK_NOT_AVAILABLE
                    || c.code() == atrium_core::db::placement::MOVED
                    || c.code() == atrium_core::db::placement::ELSEWHERE =>
            {
                Some(ApiError::Unavailable {
                    code: "tenant_moving",
                    detail: "the tenant is moving; retry in a moment".into(),
                })
            }
            Some(_) => None,
            None => Some(unavailable(
                "the database connection failed; retry the request".into(),
            )),
        },
        DbError::Postgres(e) => match e.code() {
            Some(c) if *c == SqlState::QUERY_CANCELED => Some(ApiError::Unavailable {
                code: "statement_timeout",
                detail: "the query took longer than this tenant's statement timeout".into(),
            }),
            // Text PostgreSQL cannot store (a NUL); the extractors refuse it first, this
            // catches a value that reached SQL some other way.
            Some(c)
                if *c == SqlState::CHARACTER_NOT_IN_REPERTOIRE
                    || *c == SqlState::UNTRANSLATABLE_CHARACTER =>
            {
                Some(crate::extract::nul_rejected("request"))
            }
            // The tenant's role or schema vanished under a stale cache entry: it was deleted.
            Some(c) if *c == SqlState::UNDEFINED_OBJECT || *c == SqlState::INVALID_SCHEMA_NAME => {
                Some(ApiError::NotFound("tenant"))
            }
            Some(c)
                if *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED =>
            {
                Some(ApiError::conflict(
                    "concurrent_update",
                    "a concurrent change got in the way; retry the request",
                ))
            }
            None if e.is_closed() => Some(unavailable(
                "the database connection was lost; retry the request".into(),
            )),
            _ => None,
        },
        // Its message names the cluster and what is missing (never a URL); the log has it.
        DbError::Cluster(reason) => {
            tracing::error!(reason = %reason, "a cluster's pool could not be made");
            Some(unavailable(
                "the database holding this tenant is not reachable from here; retry later".into(),
            ))
        }
        DbError::BadIdentifier | DbError::ConnectionLost => None,
    }
}

fn pool_reason(e: &deadpool_postgres::PoolError) -> &'static str {
    match e {
        deadpool_postgres::PoolError::Timeout(_) => "timed out waiting for a connection",
        deadpool_postgres::PoolError::Backend(_) => "connection failed",
        _ => "pool error",
    }
}

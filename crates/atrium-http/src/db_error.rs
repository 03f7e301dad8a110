//! Database failures as answers: a pool timeout or a lost connection is a 503 the client
//! may retry, a cancelled statement is the tenant's own timeout, a vanished role or
//! schema means the tenant was deleted, and anything else is a 500.

use atrium_core::db::DbError;
use tokio_postgres::error::SqlState;

use crate::ApiError;

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        if let DbError::Pool(e) = &err {
            return ApiError::Unavailable {
                code: "database_unavailable",
                detail: format!(
                    "the database is not available right now ({})",
                    pool_reason(e)
                ),
            };
        }
        if let DbError::Setup(e) = &err {
            return match e.code() {
                // SET ROLE on a dropped role, or a dropped schema: the tenant is gone.
                Some(c)
                    if *c == SqlState::INVALID_PARAMETER_VALUE
                        || *c == SqlState::UNDEFINED_OBJECT =>
                {
                    ApiError::NotFound("tenant")
                }
                Some(_) => ApiError::Internal(err.into()),
                None => ApiError::Unavailable {
                    code: "database_unavailable",
                    detail: "the database connection failed; retry the request".into(),
                },
            };
        }
        match err.code() {
            Some(c) if *c == SqlState::QUERY_CANCELED => ApiError::Unavailable {
                code: "statement_timeout",
                detail: "the query took longer than this tenant's statement timeout".into(),
            },
            // The tenant's role or schema vanished under a stale cache entry: it was deleted.
            Some(c) if *c == SqlState::UNDEFINED_OBJECT || *c == SqlState::INVALID_SCHEMA_NAME => {
                ApiError::NotFound("tenant")
            }
            Some(c)
                if *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED =>
            {
                ApiError::Conflict {
                    code: "concurrent_update",
                    detail: "a concurrent change got in the way; retry the request".into(),
                }
            }
            None if matches!(&err, DbError::Postgres(e) if e.is_closed()) => {
                ApiError::Unavailable {
                    code: "database_unavailable",
                    detail: "the database connection was lost; retry the request".into(),
                }
            }
            _ => ApiError::Internal(err.into()),
        }
    }
}

fn pool_reason(e: &deadpool_postgres::PoolError) -> &'static str {
    match e {
        deadpool_postgres::PoolError::Timeout(_) => "timed out waiting for a connection",
        deadpool_postgres::PoolError::Backend(_) => "connection failed",
        _ => "pool error",
    }
}

use crate::{db::DbError, tenancy::SlugError};

use super::ValidationError;

/// The result of a domain action, as `std::io::Result` is of an I/O one.
pub type Result<T, E = DomainError> = std::result::Result<T, E>;

/// What a domain action (control plane, accounts) can fail with. It says what went
/// wrong, not how to answer: the HTTP crate maps each variant to a status and a stable
/// code, and the CLI prints it.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Slug(#[from] SlugError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The thing named (a tenant, an invite, a key, an export) does not exist, or is no
    /// longer usable.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// A dependency the operation needs is missing or failed (backups not configured, a
    /// scratch instance that would not start); nothing was changed.
    #[error("{detail}")]
    Unavailable { code: &'static str, detail: String },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl DomainError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::Invalid(ValidationError::new(field, message))
    }

    pub fn unavailable(code: &'static str, detail: impl Into<String>) -> Self {
        DomainError::Unavailable {
            code,
            detail: detail.into(),
        }
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        DomainError::Conflict {
            code,
            detail: detail.into(),
        }
    }
}

impl From<tokio_postgres::Error> for DomainError {
    fn from(e: tokio_postgres::Error) -> Self {
        DomainError::Db(DbError::Postgres(e))
    }
}

impl From<deadpool_postgres::PoolError> for DomainError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        DomainError::Db(DbError::Pool(e))
    }
}

use atrium_accounts::AccountError;
use atrium_core::{db::DbError, domain::ValidationError, tenancy::SlugError};

/// What can go wrong in a control-plane action. The HTTP layer (`http::error`) decides
/// the status and stable code of each; the CLI prints them.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error(transparent)]
    Slug(#[from] SlugError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("tenant not found")]
    NotFound,
    /// Something other than the tenant itself is missing (its export, say).
    #[error("{0} not found")]
    Absent(&'static str),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    /// A rule shared with the data plane (email shape, password length, invites).
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl ControlError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ControlError::Invalid(ValidationError::new(field, message))
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        ControlError::Conflict {
            code,
            detail: detail.into(),
        }
    }
}

impl From<tokio_postgres::Error> for ControlError {
    fn from(e: tokio_postgres::Error) -> Self {
        ControlError::Db(DbError::Postgres(e))
    }
}

impl From<deadpool_postgres::PoolError> for ControlError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        ControlError::Db(DbError::Pool(e))
    }
}

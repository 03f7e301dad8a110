use atrium_core::{db::DbError, error::ApiError, tenancy::SlugError};

/// What can go wrong in a control-plane action. Converts into the shared [`ApiError`].
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error(transparent)]
    Slug(#[from] SlugError),
    #[error("{0}")]
    Invalid(String, &'static str),
    #[error("tenant not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String, &'static str),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
    /// A rule shared with the data plane (email shape, password length) already phrased
    /// as the answer to give.
    #[error(transparent)]
    Api(#[from] ApiError),
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

impl From<ControlError> for ApiError {
    fn from(e: ControlError) -> Self {
        match e {
            ControlError::Slug(s) => ApiError::InvalidTenantSlug(s),
            ControlError::Invalid(msg, field) => ApiError::validation(field, msg),
            ControlError::NotFound => ApiError::NotFound("tenant"),
            ControlError::Conflict(detail, code) => ApiError::Conflict { code, detail },
            ControlError::Db(db) => db.into(),
            ControlError::Other(err) => ApiError::Internal(err),
            ControlError::Api(err) => err,
        }
    }
}

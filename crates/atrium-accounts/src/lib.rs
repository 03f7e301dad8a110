//! Who may act: people who sign in (operators, tenant users) and the keys programs use.
//! Domain code only: it returns [`AccountError`], and the HTTP crate decides what status
//! each error is.

pub mod apikey;
mod credentials;
pub mod password;
pub mod tenant_users;
pub mod token;

pub use credentials::Credentials;

use atrium_core::{db::DbError, domain::ValidationError};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The thing named (an invite, a user) does not exist or is no longer usable.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

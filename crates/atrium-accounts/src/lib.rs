//! Who may act: people who sign in (operators, tenant users) and the keys programs use.
//! Domain code only: it returns [`DomainError`](atrium_core::domain::DomainError), and
//! the HTTP crate decides what status each error is.

pub mod apikey;
mod credentials;
pub mod password;
pub mod team;
pub mod tenant_users;
pub mod token;

pub use credentials::Credentials;

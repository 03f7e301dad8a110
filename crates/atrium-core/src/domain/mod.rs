//! Domain types: values that are parsed once at the edge and are valid from then on.
//!
//! Each has a `parse()` that returns a [`ValidationError`] naming the field, so the HTTP
//! layer can answer 422 without knowing the rule, and the rule lives in one place.

mod cluster;
mod display_name;
mod email;
mod error;
mod limits;
pub mod locale;
mod tenant;
mod text;
mod validation;

pub use cluster::{ClusterName, ClusterState, CLUSTER_NAME_MAX, HOME_CLUSTER};
pub use display_name::DisplayName;
pub use email::Email;
pub use error::{DomainError, Result};
pub use limits::{LimitOverrides, Limits};
pub use tenant::{Plan, TenantState, Tier};
pub use validation::{Param, ValidationError};

/// A session (operator or tenant user) lasts this long; then its owner signs in again.
pub const SESSION_HOURS: u32 = 12;
/// An invite link is good for this long.
pub const INVITE_DAYS: u32 = 7;
/// How long an admin-issued password reset link works.
pub const RESET_HOURS: u32 = 24;
/// Session, invite and CSRF tokens: 32 random bytes, base64url without padding.
pub const TOKEN_CHARS: usize = 43;
/// Longest password accepted at sign-in; longer ones are refused before hashing.
pub const MAX_SIGN_IN_PASSWORD_BYTES: usize = 1024;

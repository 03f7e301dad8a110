//! Data-plane tests against a real PostgreSQL: every test gets a fresh database.

mod analytics;
mod at_rest;
pub(crate) mod clusters;
mod failover;
mod fair;
mod helpers;
mod isolation;
pub(crate) mod moves;
mod notes;
mod pooled;
mod pooler;
mod probes;
mod resources;
mod sign_in_abuse;
mod users;

pub use helpers::*;

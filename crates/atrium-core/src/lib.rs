//! What every Atrium process shares, with no HTTP in it: configuration, telemetry, the
//! process lifecycle, the domain types and tenancy rules, database access, and the
//! migration machinery.

pub mod bootstrap;
pub mod config;
pub mod db;
pub mod domain;
pub mod failover;
pub mod health;
pub mod migrations;
pub mod private_fs;
pub mod probe;
pub mod secret_ref;
pub mod telemetry;
pub mod tenancy;

/// The channel the control plane NOTIFYs when a tenant or key changes.
pub const TENANT_CHANNEL: &str = "atrium_tenants";

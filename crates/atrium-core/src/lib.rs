//! Shared building blocks of Atrium's services.

pub mod apikey;
pub mod bootstrap;
pub mod config;
pub mod db;
pub mod error;
pub mod health;
pub mod http;
pub mod metrics;
pub mod migrations;
pub mod password;
pub mod probe;
pub mod ratelimit;
pub mod session;
pub mod telemetry;
pub mod tenancy;
pub mod tenant_users;
pub mod web;

/// The channel the control plane NOTIFYs when a tenant or key changes.
pub const TENANT_CHANNEL: &str = "atrium_tenants";

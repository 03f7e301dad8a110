//! Atrium's analytics plane: events, the spool between the app and its sidecar,
//! ClickHouse and its schema, and the tenant-scoped queries behind the dashboards.
//! The collector that ships the spool is its own crate, `atrium-collector`.

pub mod backup;
pub mod checkpoint;
pub mod clickhouse;
pub mod demo;
pub mod event;
pub mod funnel;
pub mod next_steps;
pub mod query;
pub mod retention;
pub mod route;
pub mod schema;
pub mod segment;
pub mod spool;
pub mod zone;

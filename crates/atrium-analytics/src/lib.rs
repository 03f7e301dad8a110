//! Atrium's analytics plane: events, the spool between the app and its sidecar,
//! ClickHouse, and the tenant-scoped queries behind the dashboards.

pub mod clickhouse;
pub mod collector;
pub mod demo;
pub mod event;
pub mod query;
pub mod segment;
pub mod spool;

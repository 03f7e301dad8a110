//! The HTTP edge shared by the api, control and collector processes: one [`ApiError`]
//! rendered as problem+json, a JSON extractor whose rejections are problem+json too,
//! the middleware stack and server loop, probes and metrics, session cookies with CSRF,
//! rate limiting and sign-in throttling, keyset paging (a tenant's users list included, the
//! same on both planes), and serving the built web app.
//!
//! Domain crates return their own errors; the `From` impls here decide the status code
//! and the stable `code` of each.

mod connection;
pub mod cookie;
mod db_error;
pub mod error;
pub mod extract;
pub mod json;
pub mod layers;
pub mod metrics;
pub mod openapi;
pub mod page;
pub mod probes;
pub mod ratelimit;
pub mod request_series;
pub mod server;
pub mod sign_in;
pub mod tenant_users;
pub mod web;

pub use error::{ApiError, Problem, ProblemCode};
pub use extract::{Path, Query};
pub use json::{Created, Json};
pub use page::{count_sql, Keyset, Page, Paging, SortKey, Sorts, TOTAL_CAP};
pub use server::{shutdown_on_signals, Server};

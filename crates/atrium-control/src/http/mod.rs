//! The operator HTTP API (`atrium control`). Every route but the probes and sign-in needs
//! the admin token or an operator's console session; tenant API keys are never accepted here.

mod audit;
mod auth;
mod keys;
mod session;
mod tenants;
mod users;

use std::time::Duration;

use atrium_core::{
    config::Config,
    health::{self, Lifecycle},
    http::{with_common_layers, Limits, Server},
};
use axum::Router;

use crate::Control;

#[derive(Clone)]
pub struct AppState {
    pub control: Control,
    /// Operator sign-in attempts, all operators together.
    pub sign_in_limiter: std::sync::Arc<atrium_core::ratelimit::RateLimiter>,
}

/// Connects, migrates the control schema, and binds the listener (port 0 picks one).
pub async fn build(config: Config) -> anyhow::Result<Server> {
    atrium_core::metrics::install();
    let control = Control::new(config.control.clone())?.with_clickhouse(&config.clickhouse)?;
    control.migrate_control().await?;
    if let Err(e) = control.purge_owed("control:startup").await {
        tracing::warn!(error = %e, "owed analytics purges not retried");
    }
    let lifecycle = Lifecycle::new(health::postgres_check(control.pool.clone()));
    let api = Router::new()
        .nest(
            "/v1",
            tenants::router()
                .merge(keys::router())
                .merge(audit::router())
                .merge(session::router())
                .merge(users::router()),
        )
        .with_state(AppState {
            control,
            sign_in_limiter: std::sync::Arc::new(atrium_core::ratelimit::RateLimiter::new(5)),
        });
    let limits = Limits {
        request_timeout: Duration::from_secs(120),
        body_limit_bytes: 64 * 1024,
        max_concurrency: 256,
    };
    let mut api = api.merge(health::probe_router(lifecycle.clone()));
    if let Some(dir) = &config.control.web_dir {
        api = api.merge(atrium_core::web::spa(dir, "/console")?);
    }
    let router = with_common_layers(api, &limits, "control");
    let drain = Duration::from_secs(config.control.shutdown_timeout_s);
    Ok(Server::bind("control", config.control.listen, router, lifecycle, drain).await?)
}

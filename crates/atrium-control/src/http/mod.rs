//! The operator HTTP API (`atrium control`). Every route but the probes needs the admin
//! token; tenant API keys are never accepted here.

mod audit;
mod auth;
mod keys;
mod tenants;

use std::{sync::Arc, time::Duration};

use atrium_core::{
    config::Config,
    health::{self, Lifecycle},
    http::{serve, with_common_layers, Limits},
};
use axum::Router;

use crate::Control;

#[derive(Clone)]
pub struct AppState {
    pub control: Control,
}

pub struct Application {
    port: u16,
    listener: tokio::net::TcpListener,
    router: Router,
    lifecycle: Arc<Lifecycle>,
    drain: Duration,
}

impl Application {
    /// Connects, migrates the control schema, binds the listener (port 0 picks one).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        atrium_core::metrics::install();
        let control = Control::new(config.control.clone())?;
        control.migrate_control().await?;
        let lifecycle = Lifecycle::new(health::postgres_check(control.pool.clone()));
        let api = Router::new()
            .nest(
                "/v1",
                tenants::router()
                    .merge(keys::router())
                    .merge(audit::router()),
            )
            .with_state(AppState { control });
        let limits = Limits {
            request_timeout: Duration::from_secs(120),
            body_limit_bytes: 64 * 1024,
            max_concurrency: 256,
        };
        let router = with_common_layers(
            api.merge(health::probe_router(lifecycle.clone())),
            &limits,
            "control",
        );
        let listener = tokio::net::TcpListener::bind(config.control.listen).await?;
        let port = listener.local_addr()?.port();
        lifecycle.mark_started();
        Ok(Self {
            port,
            listener,
            router,
            lifecycle,
            drain: Duration::from_secs(config.control.shutdown_timeout_s),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn lifecycle(&self) -> Arc<Lifecycle> {
        self.lifecycle.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!(port = self.port, "control plane listening");
        serve(self.listener, self.router, self.lifecycle, self.drain).await
    }
}

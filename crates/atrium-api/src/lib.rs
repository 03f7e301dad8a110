//! Atrium's data plane: the tenant-scoped CRM API.
//!
//! It logs in as a role that can read no tenant data on its own; each request becomes
//! the tenant's role for one transaction (see `atrium_core::db`).

pub mod directory;
pub mod http;
pub mod tenant;

use std::{sync::Arc, time::Duration};

use atrium_core::{
    config::Config,
    health::{self, Lifecycle},
    http::{with_common_layers, Limits, Server},
};
use deadpool_postgres::Pool;

use atrium_analytics::{clickhouse::ClickHouse, spool::Emitter};

use atrium_core::ratelimit::RateLimiter;

use crate::directory::Directory;

/// Sign-in attempts per second per tenant (bursts of twice that).
pub const SIGN_IN_PER_SECOND: u32 = 5;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub directory: Arc<Directory>,
    pub dev_tenant_param: bool,
    /// Tracking events go here; `emit` never blocks.
    pub emitter: Emitter,
    /// Dashboard queries; None when no ClickHouse is configured.
    pub clickhouse: Option<ClickHouse>,
    pub ingest_limiter: Arc<RateLimiter>,
    /// Sign-in and invite-acceptance attempts per tenant: slows password guessing
    /// beyond what Argon2's cost already does.
    pub sign_in_limiter: Arc<RateLimiter>,
}

pub struct Application {
    pub server: Server,
    pub state: AppState,
}

impl Application {
    /// Builds the pool, the tenant directory and its listener, and binds (port 0 picks one).
    /// The database may be down at this point: readiness reports it until it is back.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        atrium_core::metrics::install();
        let api = &config.api;
        if api.dev_tenant_param {
            tracing::warn!(
                "!!! DEV MODE: --dev-tenant-param is ON. Requests can pick ANY tenant with ?tid= and NO API key. \
                 Never expose this server. !!!"
            );
        }
        let pool = atrium_core::db::build_pool(&api.database_url, &api.pool, "atrium-api")?;
        let directory =
            Directory::new(pool.clone(), Duration::from_millis(api.tenant_cache_ttl_ms));
        directory.spawn_listener(api.database_url.clone());
        let emitter = if config.analytics.enabled {
            // The writer thread lives as long as the process; it stops when the last
            // Emitter is dropped. An unusable spool turns tracking off; it never stops
            // the business API from serving.
            match atrium_analytics::spool::start(&config.analytics) {
                Ok((emitter, _writer)) => emitter,
                Err(e) => {
                    tracing::error!(error = %e, spool = %config.analytics.spool_dir.display(),
                        "analytics spool unusable: TRACKING IS OFF for this process");
                    metrics::gauge!("analytics_spool_unusable").set(1.0);
                    Emitter::disabled()
                }
            }
        } else {
            Emitter::disabled()
        };
        let clickhouse = (!config.clickhouse.url.is_empty())
            .then(|| ClickHouse::new(&config.clickhouse))
            .transpose()?;
        let state = AppState {
            pool: pool.clone(),
            directory,
            dev_tenant_param: api.dev_tenant_param,
            emitter,
            clickhouse,
            ingest_limiter: Arc::new(RateLimiter::new(config.analytics.ingest_rate_per_tenant)),
            sign_in_limiter: Arc::new(RateLimiter::new(SIGN_IN_PER_SECOND)),
        };
        let lifecycle = Lifecycle::new(health::postgres_check(pool.clone()));
        spawn_pool_gauges(pool);
        let limits = Limits {
            request_timeout: Duration::from_millis(api.request_timeout_ms),
            body_limit_bytes: api.body_limit_bytes,
            max_concurrency: api.max_concurrency,
        };
        let mut app = http::router(state.clone(), config.chaos)
            .merge(health::probe_router(lifecycle.clone()));
        if let Some(dir) = &config.api.web_dir {
            app = app.merge(atrium_core::web::spa(dir, "/app")?);
        }
        let router = with_common_layers(app, &limits, "api");
        let drain = Duration::from_secs(api.shutdown_timeout_s);
        let server = Server::bind("api", api.listen, router, lifecycle, drain).await?;
        Ok(Self { server, state })
    }
}

/// Pool usage, sampled once a second.
fn spawn_pool_gauges(pool: Pool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let s = pool.status();
            metrics::gauge!("db_pool_size", "pool" => "api").set(s.size as f64);
            metrics::gauge!("db_pool_available", "pool" => "api").set(s.available as f64);
            metrics::gauge!("db_pool_waiting", "pool" => "api").set(s.waiting as f64);
            metrics::gauge!("db_pool_max_size", "pool" => "api").set(s.max_size as f64);
        }
    });
}

//! Atrium's data plane: the tenant-scoped CRM API.
//!
//! It logs in as a role that can read no tenant data on its own; each request becomes
//! the tenant's role for one transaction (see `atrium_core::db`).

pub mod directory;
pub mod fair;
pub mod http;
pub mod tenant;

use std::{sync::Arc, time::Duration};

use atrium_analytics::{clickhouse::ClickHouse, spool::Emitter};
use atrium_core::{
    config::{Config, PageConfig},
    health::{self, Lifecycle},
};
use atrium_http::{
    layers::with_common_layers, probes, ratelimit::RateLimiter, sign_in::SignInThrottle, Server,
};
use deadpool_postgres::Pool;

use crate::directory::Directory;

/// What every handler shares. Cloned several times per request (the router, each
/// middleware and extractor take their own), so it is one `Arc`: a clone is one atomic
/// increment, where cloning the fields copied the ClickHouse client's strings each time.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    /// Logs in as the api role, which can read no tenant's data until `SET LOCAL ROLE`.
    pub pool: Pool,
    /// How long a request waits for a primary during a failover (`api.pool.failover_wait_ms`).
    pub failover_wait: Duration,
    /// Tenants and API keys, cached and invalidated by the control plane's NOTIFY.
    pub directory: Arc<Directory>,
    /// Learning mode: `?tid=` picks a tenant without a key. Refused in production.
    pub dev_tenant_param: bool,
    /// Tracking events go here; `emit` never blocks.
    pub emitter: Emitter,
    /// Dashboard queries; None when no ClickHouse is configured.
    pub clickhouse: Option<ClickHouse>,
    /// Browser event batches per tenant.
    pub ingest_limiter: Arc<RateLimiter>,
    /// Who may try a password (sign-in, invite acceptance) now, by address and account.
    pub sign_in: Arc<SignInThrottle>,
    /// Default and largest page of every list.
    pub page: PageConfig,
    /// Each tenant's connection share, request bucket and database-time budget.
    pub fair: Arc<fair::Fairness>,
}

pub struct Application {
    /// Bound already: `server.port()` is known before serving.
    pub server: Server,
    pub state: AppState,
}

impl Application {
    /// Builds the pool, the tenant directory and its listener, and binds (port 0 picks one).
    /// The database may be down at this point: readiness reports it until it is back.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        atrium_http::metrics::install();
        let api = &config.api;
        if api.dev_tenant_param {
            tracing::warn!(
                "!!! DEV MODE: --dev-tenant-param is ON. Requests can pick ANY tenant with ?tid= and NO API key. \
                 Never expose this server. !!!"
            );
        }
        let pool = atrium_core::db::build_pool(&api.database_url, &api.pool, "atrium-api")?;
        let clusters = atrium_core::db::clusters::ClusterPools::new(
            pool.clone(),
            atrium_core::db::clusters::Plane::Api,
            &api.pool,
            "atrium-api",
        );
        let directory = Directory::new(
            clusters.clone(),
            Duration::from_millis(api.tenant_cache_ttl_ms),
            &api.pool,
            config.plans.clone(),
        );
        // LISTEN needs a session of its own: behind a pooler in transaction mode, the
        // direct URL (docs/scale-out.md, "A connection pooler").
        if !api.pool.prepared_statements && api.direct_database_url.is_none() {
            tracing::warn!(
                "api.pool.prepared_statements is off but api.direct_database_url is unset: if a \
                 transaction-mode pooler fronts the database, registry changes will not reach \
                 this process until its cache expires"
            );
        }
        let listen_url = api
            .direct_database_url
            .as_ref()
            .unwrap_or(&api.database_url);
        directory.spawn_listener(listen_url.clone());
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
            .then(|| ClickHouse::new(&config.clickhouse, &config.clickhouse.reader))
            .transpose()?;
        let state = AppState(Arc::new(Shared {
            pool: pool.clone(),
            failover_wait: api.pool.failover_wait(),
            directory,
            dev_tenant_param: api.dev_tenant_param,
            emitter,
            clickhouse,
            ingest_limiter: Arc::new(RateLimiter::new(config.analytics.ingest_rate_per_tenant)),
            sign_in: Arc::new(SignInThrottle::new("api", &api.sign_in)),
            page: api.page,
            fair: Arc::new(fair::Fairness::new(&api.fair, api.pool.max_size)),
        }));
        let lifecycle = Lifecycle::new(health::postgres_check(pool.clone()));
        spawn_pool_gauges(clusters, api.pool.max_lifetime());
        let chaos = config.chaos.then(|| config.control.admin_token.clone());
        let mut app = http::router(state.clone(), chaos).merge(probes::router(lifecycle.clone()));
        if let Some(dir) = &config.api.web_dir {
            app = app.merge(atrium_http::web::spa(dir, "/app")?);
        }
        let router = with_common_layers(app, &api.http, "api");
        let server = Server::bind("api", api.listen, router, &api.http, lifecycle).await?;
        Ok(Self { server, state })
    }

    /// Serves until shutdown is requested, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        Ok(self.server.run_until_stopped().await?)
    }
}

/// Every pool's usage, by cluster, sampled once a second.
/// Idle connections past their lifetime closed per pool and second, at most.
const RETIRED_PER_TICK: usize = 2;

/// Every second: each pool's gauges, and its idle connections past their lifetime closed.
fn spawn_pool_gauges(
    clusters: Arc<atrium_core::db::clusters::ClusterPools>,
    max_lifetime: Option<Duration>,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            for (cluster, pool) in clusters.all() {
                let labels = [("pool", "api".to_owned()), ("cluster", cluster)];
                if let Some(max) = max_lifetime {
                    // A few a second: connections made together must not all reconnect
                    // (with cold caches) in the same moment.
                    let mut budget = RETIRED_PER_TICK;
                    let retired = pool
                        .retain(|_, m| {
                            let keep = m.age() < max || budget == 0;
                            budget -= usize::from(!keep);
                            keep
                        })
                        .removed
                        .len();
                    metrics::counter!("db_pool_retired_total", &labels).increment(retired as u64);
                }
                let s = pool.status();
                metrics::gauge!("db_pool_size", &labels).set(s.size as f64);
                metrics::gauge!("db_pool_available", &labels).set(s.available as f64);
                metrics::gauge!("db_pool_waiting", &labels).set(s.waiting as f64);
                metrics::gauge!("db_pool_max_size", &labels).set(s.max_size as f64);
            }
        }
    });
}

//! What both HTTP services share: the middleware stack, metrics per request, and a
//! server loop that drains on shutdown.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request},
    http::{HeaderName, StatusCode},
    middleware::{self, Next},
    response::Response,
    Router,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};

use crate::{health::Lifecycle, metrics::TenantLabels};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Put into a response's extensions by whatever resolved the tenant, so the metrics
/// layer can label the request without trusting the raw path.
#[derive(Debug, Clone)]
pub struct TenantLabel(pub String);

pub struct Limits {
    pub request_timeout: Duration,
    pub body_limit_bytes: usize,
    pub max_concurrency: usize,
}

/// Wraps a router in request ids, tracing, panics-as-500, a timeout, a body limit,
/// a concurrency limit and per-request metrics.
pub fn with_common_layers(router: Router, limits: &Limits, service: &'static str) -> Router {
    let labels = Arc::new(TenantLabels::new(100));
    router
        .layer(axum::extract::DefaultBodyLimit::max(limits.body_limit_bytes))
        .layer(middleware::from_fn(move |req, next| {
            record_metrics(req, next, service, labels.clone())
        }))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
                        .make_span_with(|req: &Request| {
                        let id = req
                            .headers()
                            .get(REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                    }),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    limits.request_timeout,
                ))
                .layer(tower::limit::ConcurrencyLimitLayer::new(limits.max_concurrency)),
        )
}

async fn record_metrics(
    req: Request,
    next: Next,
    service: &'static str,
    labels: Arc<TenantLabels>,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let response = next.run(req).await;
    let tenant = response
        .extensions()
        .get::<TenantLabel>()
        .map(|t| labels.label(&t.0))
        .unwrap_or_else(|| "_none".into());
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "service" => service, "route" => route.clone(), "method" => method.clone(), "status" => status, "tenant" => tenant).increment(1);
    metrics::histogram!("http_request_duration_seconds", "service" => service, "route" => route, "method" => method)
        .record(start.elapsed().as_secs_f64());
    response
}

/// A bound listener with its router and lifecycle, ready to serve. Binding happens at
/// build time so tests can ask for port 0 and learn the port before serving.
pub struct Server {
    port: u16,
    listener: tokio::net::TcpListener,
    router: Router,
    lifecycle: Arc<Lifecycle>,
    drain: Duration,
    name: &'static str,
}

impl Server {
    pub async fn bind(
        name: &'static str,
        listen: std::net::SocketAddr,
        router: Router,
        lifecycle: Arc<Lifecycle>,
        drain: Duration,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let port = listener.local_addr()?.port();
        lifecycle.mark_started();
        Ok(Self {
            port,
            listener,
            router,
            lifecycle,
            drain,
            name,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn lifecycle(&self) -> Arc<Lifecycle> {
        self.lifecycle.clone()
    }

    /// Serves until shutdown is requested, then stops accepting and drains in-flight
    /// requests for at most the configured drain time.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!(service = self.name, port = self.port, "listening");
        let graceful = self.lifecycle.clone();
        let server = axum::serve(self.listener, self.router).with_graceful_shutdown(async move {
            graceful.shutdown_requested().await;
        });
        let (lifecycle, drain) = (self.lifecycle, self.drain);
        tokio::select! {
            result = server => result,
            () = async { lifecycle.shutdown_requested().await; tokio::time::sleep(drain).await } => {
                tracing::warn!(drain_s = drain.as_secs(), "drain timeout reached; closing remaining connections");
                Ok(())
            }
        }
    }
}

/// SIGTERM or Ctrl-C begins shutdown.
pub fn shutdown_on_signals(lifecycle: Arc<Lifecycle>) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot install SIGTERM handler");
                        return;
                    }
                };
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        lifecycle.begin_shutdown();
    });
}

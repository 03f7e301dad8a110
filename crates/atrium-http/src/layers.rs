//! The middleware stack every HTTP service wears, and the per-request metrics.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request},
    http::{header::CACHE_CONTROL, HeaderName, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::Response,
    Router,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::{OnResponse, TraceLayer},
};

use atrium_core::config::HttpConfig;

use crate::{metrics::TenantLabels, request_series::RequestSeries, ProblemCode};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Put into a response's extensions by whatever resolved the tenant, so the metrics
/// layer can label the request without trusting the raw path.
#[derive(Debug, Clone)]
pub struct TenantLabel(pub String);

/// Beside [`TenantLabel`]: what the request cost its tenant in database connection time
/// and in time queued for its connection share.
#[derive(Debug, Clone, Copy)]
pub struct TenantCost {
    pub db: std::time::Duration,
    pub wait: std::time::Duration,
}

/// Wraps a router in request ids, tracing, panics-as-500, a timeout, a body limit,
/// a concurrency limit and per-request metrics.
pub fn with_common_layers(router: Router, limits: &HttpConfig, service: &'static str) -> Router {
    let labels = Arc::new(TenantLabels::new(limits.metrics_tenant_labels));
    let series = Arc::new(RequestSeries::new(service));
    router
        .layer(axum::extract::DefaultBodyLimit::max(limits.body_limit_bytes))
        .layer(middleware::from_fn(move |req, next| {
            record_metrics(req, next, service, labels.clone(), series.clone())
        }))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .on_response(AccessLog::every(limits.access_log_every))
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
                    limits.request_timeout(),
                ))
                .layer(tower::limit::ConcurrencyLimitLayer::new(limits.max_concurrency)),
        )
}

/// The access log: one line in `every` requests, so a busy process doesn't spend a
/// formatted, written line on each (the request metrics count them all). Failures are
/// logged apart from it, by the trace layer's `on_failure`.
#[derive(Clone)]
struct AccessLog {
    every: u64,
    seen: Arc<AtomicU64>,
}

impl AccessLog {
    fn every(every: u32) -> Self {
        Self {
            every: u64::from(every),
            seen: Arc::default(),
        }
    }
}

impl<B> OnResponse<B> for AccessLog {
    fn on_response(self, res: &axum::http::Response<B>, latency: Duration, _: &tracing::Span) {
        if self.every == 0
            || !self
                .seen
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(self.every)
        {
            return;
        }
        tracing::info!(
            status = res.status().as_u16(),
            latency_ms = latency.as_millis() as u64,
            "finished processing request"
        );
    }
}

/// `Cache-Control: no-store` on every answer of an API router that doesn't choose its
/// own: they carry tenant data, session cookies and tokens, which neither the browser
/// nor a shared cache may keep. (The web app's static files are not behind this.)
pub fn no_store<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(SetResponseHeaderLayer::if_not_present(
        CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ))
}

async fn record_metrics(
    req: Request,
    next: Next,
    service: &'static str,
    labels: Arc<TenantLabels>,
    series: Arc<RequestSeries>,
) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let start = Instant::now();
    let response = next.run(req).await;
    let tenant = response
        .extensions()
        .get::<TenantLabel>()
        .map_or(crate::request_series::NO_TENANT, |t| labels.label(&t.0));
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let status = response.status().as_u16();
    let series = series.get(route, &method, status, tenant);
    if let Some(cost) = response.extensions().get::<TenantCost>() {
        series.add_cost(cost.db, cost.wait);
    }
    if let Some(code) = response
        .extensions()
        .get::<ProblemCode>()
        .filter(|c| c.is_limit())
    {
        metrics::counter!("tenant_limited_total", "service" => service, "tenant" => tenant.to_owned(), "code" => code.0)
            .increment(1);
    }
    series.requests.increment(1);
    let elapsed = start.elapsed().as_secs_f64();
    series.duration.record(elapsed);
    if let Some(by_tenant) = &series.tenant_duration {
        by_tenant.record(elapsed);
    }
    response
}

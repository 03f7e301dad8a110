//! The handles of the per-request series (`http_requests_total`,
//! `http_request_duration_seconds`, the tenant cost counters), kept by label values.
//!
//! `metrics::counter!` with labels builds the series' key on every call (a vector of
//! labels, with owned strings for the route, method, status and tenant) and finds it in
//! the registry by hashing every label. Four of those per request cost the API more than
//! routing the request. Nearly every request adds to a series seen before, so the handles
//! are kept here and found with three small lookups, without allocating (a non-standard
//! method's name is the one exception).
//!
//! The cache starts over every minute. The registry drops a series that nobody updated
//! for ten minutes (`metrics::install`); a handle kept longer than that could count into
//! a series nobody renders any more.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
    time::{Duration, Instant},
};

use axum::http::Method;
use metrics::{Counter, Histogram};

/// The `tenant` label of a request no tenant answered (health, the console, sign-in).
pub const NO_TENANT: &str = "_none";

/// One request's series.
pub struct Series {
    pub requests: Counter,
    pub duration: Histogram,
    /// The same duration by tenant, for a per-tenant p95 (the tenant label is bounded,
    /// `metrics::TenantLabels`); none for requests of no tenant.
    pub tenant_duration: Option<Histogram>,
    /// The tenant's database and queue time, registered only once a request reports
    /// them (tenant-scoped routes do).
    cost: OnceLock<(Counter, Counter)>,
    service: &'static str,
    tenant: String,
}

impl Series {
    /// Adds a request's database time and time queued for its connection share.
    pub fn add_cost(&self, db: Duration, wait: Duration) {
        let (db_ms, wait_ms) = self.cost.get_or_init(|| {
            let (service, tenant) = (self.service, self.tenant.clone());
            (
                metrics::counter!("tenant_db_milliseconds_total", "service" => service, "tenant" => tenant.clone()),
                metrics::counter!("tenant_queue_wait_milliseconds_total", "service" => service, "tenant" => tenant),
            )
        });
        db_ms.increment(db.as_millis() as u64);
        wait_ms.increment(wait.as_millis() as u64);
    }
}

/// Routes by name, then tenant labels, under each method and status.
type ByRoute = HashMap<String, HashMap<String, Arc<Series>>>;

pub struct RequestSeries {
    service: &'static str,
    lifetime: Duration,
    cache: Mutex<Cache>,
}

struct Cache {
    since: Instant,
    by: HashMap<(Method, u16), ByRoute>,
}

impl RequestSeries {
    pub fn new(service: &'static str) -> Self {
        Self::with_lifetime(service, Duration::from_secs(60))
    }

    fn with_lifetime(service: &'static str, lifetime: Duration) -> Self {
        Self {
            service,
            lifetime,
            cache: Mutex::new(Cache {
                since: Instant::now(),
                by: HashMap::new(),
            }),
        }
    }

    /// The series of a request to `route` answered `status`, for the tenant labelled
    /// `tenant` (already bounded by [`crate::metrics::TenantLabels`]).
    pub fn get(&self, route: &str, method: &Method, status: u16, tenant: &str) -> Arc<Series> {
        let Ok(mut cache) = self.cache.lock() else {
            return Arc::new(self.register(route, method, status, tenant));
        };
        if cache.since.elapsed() >= self.lifetime {
            cache.by.clear();
            cache.since = Instant::now();
        }
        let by_route = cache.by.entry((method.clone(), status)).or_default();
        if let Some(series) = by_route.get(route).and_then(|t| t.get(tenant)) {
            return series.clone();
        }
        let series = Arc::new(self.register(route, method, status, tenant));
        by_route
            .entry(route.to_owned())
            .or_default()
            .insert(tenant.to_owned(), series.clone());
        series
    }

    fn register(&self, route: &str, method: &Method, status: u16, tenant: &str) -> Series {
        let (service, route, method) = (self.service, route.to_owned(), method.to_string());
        let tenant = tenant.to_owned();
        Series {
            requests: metrics::counter!("http_requests_total", "service" => service, "route" => route.clone(), "method" => method.clone(), "status" => status.to_string(), "tenant" => tenant.clone()),
            duration: metrics::histogram!("http_request_duration_seconds", "service" => service, "route" => route, "method" => method),
            tenant_duration: (tenant != NO_TENANT).then(|| {
                metrics::histogram!("http_tenant_request_duration_seconds", "service" => service, "tenant" => tenant.clone())
            }),
            cost: OnceLock::new(),
            service,
            tenant,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_is_found_again_until_the_cache_starts_over() {
        let series = RequestSeries::with_lifetime("test", Duration::from_millis(200));
        let a = series.get("/v1/t/{tenant}/orders", &Method::POST, 201, "acme");
        let again = series.get("/v1/t/{tenant}/orders", &Method::POST, 201, "acme");
        assert!(Arc::ptr_eq(&a, &again));
        for other in [
            series.get("/v1/t/{tenant}/orders", &Method::POST, 422, "acme"),
            series.get("/v1/t/{tenant}/orders", &Method::GET, 201, "acme"),
            series.get("/v1/t/{tenant}/customers", &Method::POST, 201, "acme"),
            series.get("/v1/t/{tenant}/orders", &Method::POST, 201, "_other"),
        ] {
            assert!(!Arc::ptr_eq(&a, &other));
        }
        std::thread::sleep(Duration::from_millis(250));
        let later = series.get("/v1/t/{tenant}/orders", &Method::POST, 201, "acme");
        assert!(
            !Arc::ptr_eq(&a, &later),
            "registered again after its lifetime"
        );
    }
}

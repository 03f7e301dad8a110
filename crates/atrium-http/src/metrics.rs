//! Prometheus metrics. One global recorder per process; every service renders it.

use std::{
    collections::{HashMap, HashSet},
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use metrics_util::MetricKindMask;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            // A series nobody updated for 10 minutes is dropped: a tenant that left the
            // top of the `tenant` label doesn't keep its series for the process's life.
            .idle_timeout(
                MetricKindMask::COUNTER | MetricKindMask::HISTOGRAM,
                Some(Duration::from_secs(600)),
            )
            .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), LATENCY_BUCKETS)
            .map(|b| b.build_recorder());
        match recorder {
            Ok(recorder) => {
                let handle = recorder.handle();
                // Fails only if another recorder is installed, in which case we render an empty one.
                let _ = metrics::set_global_recorder(recorder);
                // When this process started: a restart shows as a change of value, which is
                // how an alert sees a container restarting without Podman's or the
                // kubelet's help (deploy/prometheus/alerts.yml).
                let started = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs_f64());
                metrics::gauge!("process_start_time_seconds").set(started);
                handle
            }
            Err(e) => {
                tracing::error!(error = %e, "metrics recorder could not be built");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

pub fn render() -> String {
    metrics::counter!("log_lines_dropped_total").absolute(atrium_core::telemetry::dropped_lines());
    // Present from 0 and never idle, so a rise from 0 to 1 is seen (and alerted on).
    metrics::counter!(atrium_core::db::OUTCOME_UNKNOWN).increment(0);
    install().render()
}

/// Keeps the `tenant` label's cardinality bounded: at most `capacity` tenants have a
/// label value of their own, every other one is counted under `_other` (which no slug
/// can be). Until the set is full, tenants join as they are seen; then, once a minute,
/// the set becomes the busiest `capacity` tenants of the minute that ended, so the
/// label follows who uses the process now, not who came first.
pub struct TenantLabels {
    inner: Mutex<Inner>,
    capacity: usize,
    window: Duration,
}

struct Inner {
    labelled: HashSet<String>,
    /// Requests per tenant in the current window; at most `TRACKED_PER_LABEL` × capacity
    /// tenants, so a flood of tenants can't grow it.
    counts: HashMap<String, u64>,
    since: Instant,
}

const TRACKED_PER_LABEL: usize = 10;

impl TenantLabels {
    pub fn new(capacity: usize) -> Self {
        Self::with_window(capacity, Duration::from_secs(60))
    }

    fn with_window(capacity: usize, window: Duration) -> Self {
        Self {
            inner: Mutex::new(Inner {
                labelled: HashSet::new(),
                counts: HashMap::new(),
                since: Instant::now(),
            }),
            capacity,
            window,
        }
    }

    /// `tenant` itself, or [`OTHER`].
    pub fn label<'a>(&self, tenant: &'a str) -> &'a str {
        let Ok(mut inner) = self.inner.lock() else {
            return OTHER;
        };
        let tracked = inner.counts.len() < TRACKED_PER_LABEL * self.capacity;
        match inner.counts.get_mut(tenant) {
            Some(n) => *n += 1,
            None if tracked => {
                inner.counts.insert(tenant.to_owned(), 1);
            }
            None => {}
        }
        if inner.since.elapsed() >= self.window {
            let mut busiest: Vec<(String, u64)> = inner.counts.drain().collect();
            busiest.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            inner.labelled = busiest
                .into_iter()
                .take(self.capacity)
                .map(|(t, _)| t)
                .collect();
            inner.since = Instant::now();
        }
        if inner.labelled.contains(tenant) {
            return tenant;
        }
        if inner.labelled.len() < self.capacity {
            inner.labelled.insert(tenant.to_owned());
            return tenant;
        }
        OTHER
    }
}

/// The label value of every tenant without one of its own.
pub const OTHER: &str = "_other";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tenant_label_keeps_the_busiest_and_folds_the_rest_into_other() {
        let labels = TenantLabels::with_window(2, Duration::from_millis(400));
        assert_eq!(labels.label("first"), "first");
        assert_eq!(labels.label("second"), "second");
        for _ in 0..5 {
            assert_eq!(labels.label("busy"), "_other");
        }
        std::thread::sleep(Duration::from_millis(450));
        // The minute (here 400 ms) ended: the busiest two of it keep a label.
        assert_eq!(labels.label("second"), "second");
        assert_eq!(labels.label("busy"), "busy");
        assert_eq!(labels.label("first"), "_other");
    }

    #[test]
    fn tenant_labels_are_bounded() {
        let labels = TenantLabels::new(2);
        assert_eq!(labels.label("a"), "a");
        assert_eq!(labels.label("b"), "b");
        assert_eq!(labels.label("c"), "_other");
        assert_eq!(labels.label("a"), "a");
    }
}

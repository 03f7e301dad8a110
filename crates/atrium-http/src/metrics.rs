//! Prometheus metrics. One global recorder per process; every service renders it.

use std::{
    collections::HashSet,
    sync::{Mutex, OnceLock},
};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("duration_seconds".into()), LATENCY_BUCKETS)
            .map(|b| b.build_recorder());
        match recorder {
            Ok(recorder) => {
                let handle = recorder.handle();
                // Fails only if another recorder is installed, in which case we render an empty one.
                let _ = metrics::set_global_recorder(recorder);
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
    install().render()
}

/// Keeps the `tenant` label's cardinality bounded: the first `capacity` tenants seen get
/// their own label value, every later one is counted under `_other`.
pub struct TenantLabels {
    seen: Mutex<HashSet<String>>,
    capacity: usize,
}

impl TenantLabels {
    pub fn new(capacity: usize) -> Self {
        Self {
            seen: Mutex::new(HashSet::new()),
            capacity,
        }
    }

    pub fn label(&self, tenant: &str) -> String {
        let Ok(mut seen) = self.seen.lock() else {
            return "_other".into();
        };
        if seen.contains(tenant) {
            return tenant.to_owned();
        }
        if seen.len() < self.capacity {
            seen.insert(tenant.to_owned());
            return tenant.to_owned();
        }
        "_other".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_labels_are_bounded() {
        let labels = TenantLabels::new(2);
        assert_eq!(labels.label("a"), "a");
        assert_eq!(labels.label("b"), "b");
        assert_eq!(labels.label("c"), "_other");
        assert_eq!(labels.label("a"), "a");
    }
}

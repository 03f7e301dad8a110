//! One tenant's usage over a window (`GET /v1/tenants/{slug}/usage`): requests, refusals,
//! latency and database time from the `api_request` events, rows written and storage
//! from the sampler's samples, events from the last count, each against its quota.

use atrium_core::{domain::Result, tenancy::TenantSlug};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{queries, Source, Window};
use crate::{registry, Control};

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantUsage {
    pub slug: String,
    pub window: Window,
    /// The window's start (aligned down to a bucket) and end: now.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `5m`, `hour` or `day` (UTC).
    pub bucket: String,
    pub totals: UsageTotals,
    /// Every bucket of the window, oldest first; the last one is still running.
    pub series: Vec<UsagePoint>,
    /// Which source each figure needs, and whether it could be read. A figure whose
    /// source is unavailable is null, never 0.
    pub sources: Vec<Source>,
}

/// Request figures are null when ClickHouse is unavailable; latencies are also null
/// when there were no requests.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct UsageTotals {
    pub requests: Option<u64>,
    pub rejected: Option<Rejected>,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Database connection time of the tenant's requests.
    pub db_seconds: Option<f64>,
    /// Time its requests waited for the tenant's connection share.
    pub wait_seconds: Option<f64>,
    /// Rows inserted, updated and deleted in the window, from the samples (null with
    /// fewer than two). A database restart resets PostgreSQL's counters; that sample
    /// counts from zero.
    pub rows_written: Option<i64>,
    /// As last measured, and the quota (plan with overrides) it is held to.
    pub storage_bytes: Option<i64>,
    pub storage_quota_bytes: u64,
    pub storage_measured_at: Option<DateTime<Utc>>,
    /// Events this calendar month (UTC) as last counted, and the monthly quota.
    pub events_month: Option<i64>,
    pub events_quota: u64,
    pub events_measured_at: Option<DateTime<Utc>>,
    pub storage_over_quota: bool,
    pub events_over_quota: bool,
}

/// Requests refused, by problem code.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Rejected {
    pub rate_limited: u64,
    pub tenant_busy: u64,
    pub quota_exceeded: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsagePoint {
    /// The bucket's start.
    pub at: DateTime<Utc>,
    pub requests: Option<u64>,
    pub rejected: Option<u64>,
    /// Null also when the bucket had no requests.
    pub p95_ms: Option<f64>,
    pub db_seconds: Option<f64>,
    /// The last sample in the bucket; null when none fell in it.
    pub storage_bytes: Option<i64>,
}

#[derive(Deserialize)]
struct TotalsRow {
    requests: u64,
    rate_limited: u64,
    tenant_busy: u64,
    quota_exceeded: u64,
    latency: Vec<f64>,
    db_ms: u64,
    wait_ms: u64,
}

#[derive(Deserialize)]
struct BucketRow {
    bucket: u64,
    requests: u64,
    rejected: u64,
    p95_ms: f64,
    db_ms: u64,
}

struct Sample {
    at: DateTime<Utc>,
    storage_bytes: i64,
    rows_written: i64,
}

impl Control {
    pub async fn tenant_usage(&self, slug: &str, window: Window) -> Result<TenantUsage> {
        let slug = TenantSlug::parse(slug)?;
        let conn = self.pool.get().await?;
        let tenant = registry::get(&**conn, slug.as_str()).await?;
        let to = Utc::now();
        let bucket_s = window.bucket_s();
        let start = (to - window.length()).timestamp();
        let from = DateTime::from_timestamp(start - start.rem_euclid(bucket_s), 0).unwrap_or(to);
        // The samples in the window, and the last one before it as the baseline.
        let rows = conn
            .query(
                "(SELECT at, storage_bytes, rows_written FROM atrium_control.tenant_usage_samples
                   WHERE tenant_id = $1 AND at < $2 ORDER BY at DESC LIMIT 1)
                 UNION ALL
                 (SELECT at, storage_bytes, rows_written FROM atrium_control.tenant_usage_samples
                   WHERE tenant_id = $1 AND at >= $2 ORDER BY at LIMIT 20000)
                 ORDER BY at",
                &[&tenant.id, &from],
            )
            .await?;
        drop(conn);
        let samples: Vec<Sample> = rows
            .iter()
            .map(|r| Sample {
                at: r.get(0),
                storage_bytes: r.get(1),
                rows_written: r.get(2),
            })
            .collect();
        let (totals_row, buckets, clickhouse) =
            self.requests_of(slug.as_str(), from, to, bucket_s).await;
        let limits = self.plans.of(tenant.plan).with(&tenant.limit_overrides);
        let ms = |v: u64| v as f64 / 1000.0;
        let mut totals = UsageTotals {
            rows_written: rows_written(&samples),
            storage_bytes: tenant.storage_bytes,
            storage_quota_bytes: limits.storage_bytes,
            storage_measured_at: tenant.storage_measured_at,
            events_month: tenant.events_month,
            events_quota: limits.events_per_month,
            events_measured_at: tenant.events_measured_at,
            storage_over_quota: tenant.storage_over_quota,
            events_over_quota: tenant.events_over_quota,
            ..Default::default()
        };
        if let Some(t) = &totals_row {
            let any = t.requests > 0;
            let pick = |i: usize| t.latency.get(i).copied().filter(|_| any);
            totals.requests = Some(t.requests);
            totals.rejected = Some(Rejected {
                rate_limited: t.rate_limited,
                tenant_busy: t.tenant_busy,
                quota_exceeded: t.quota_exceeded,
            });
            (totals.p50_ms, totals.p95_ms, totals.p99_ms) = (pick(0), pick(1), pick(2));
            totals.db_seconds = Some(ms(t.db_ms));
            totals.wait_seconds = Some(ms(t.wait_ms));
        }
        let series = (0..)
            .map(|i| from + TimeDelta::seconds(i * bucket_s))
            .take_while(|at| *at < to)
            .map(|at| {
                let end = at + TimeDelta::seconds(bucket_s);
                let b = buckets
                    .as_ref()
                    .map(|all| all.iter().find(|b| b.bucket as i64 == at.timestamp()));
                UsagePoint {
                    at,
                    requests: b.map(|b| b.map_or(0, |b| b.requests)),
                    rejected: b.map(|b| b.map_or(0, |b| b.rejected)),
                    p95_ms: b.flatten().map(|b| b.p95_ms),
                    db_seconds: b.map(|b| b.map_or(0.0, |b| ms(b.db_ms))),
                    storage_bytes: samples
                        .iter()
                        .rev()
                        .find(|s| s.at >= at && s.at < end)
                        .map(|s| s.storage_bytes),
                }
            })
            .collect();
        let sampled = if samples.is_empty() {
            Source::unavailable(
                "samples",
                "the control plane has not measured this tenant yet",
            )
        } else {
            Source::ok("samples")
        };
        Ok(TenantUsage {
            slug: tenant.slug,
            window,
            from,
            to,
            bucket: match bucket_s {
                300 => "5m",
                3_600 => "hour",
                _ => "day",
            }
            .into(),
            totals,
            series,
            sources: vec![clickhouse, sampled],
        })
    }

    /// The request figures from ClickHouse, or nothing and why.
    async fn requests_of(
        &self,
        slug: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        bucket_s: i64,
    ) -> (Option<TotalsRow>, Option<Vec<BucketRow>>, Source) {
        let Some(ch) = &self.clickhouse else {
            let why = "analytics (ClickHouse) are not configured";
            return (None, None, Source::unavailable("clickhouse", why));
        };
        let totals_sql = queries::tenant_totals(slug, from, to);
        let series_sql = queries::tenant_series(slug, from, to, bucket_s);
        let (totals, buckets) = tokio::join!(
            ch.query::<TotalsRow>(&totals_sql),
            ch.query::<BucketRow>(&series_sql),
        );
        match (totals, buckets) {
            (Ok(mut t), Ok(b)) => (t.pop(), Some(b), Source::ok("clickhouse")),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(tenant = slug, error = %e, "tenant usage from ClickHouse unavailable");
                let why = "ClickHouse could not be read";
                (None, None, Source::unavailable("clickhouse", why))
            }
        }
    }
}

/// Rows written between the first and the last sample: the sum of each step, where a
/// counter that went down (PostgreSQL restarted and reset it) counts from zero.
fn rows_written(samples: &[Sample]) -> Option<i64> {
    if samples.len() < 2 {
        return None;
    }
    Some(
        samples
            .windows(2)
            .map(|w| {
                let step = w[1].rows_written - w[0].rows_written;
                if step < 0 {
                    w[1].rows_written
                } else {
                    step
                }
            })
            .sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rows_written: i64) -> Sample {
        Sample {
            at: Utc::now(),
            storage_bytes: 0,
            rows_written,
        }
    }

    #[test]
    fn a_reset_counter_counts_from_zero() {
        assert_eq!(rows_written(&[sample(5)]), None);
        let s = [sample(5), sample(9), sample(2), sample(4)];
        assert_eq!(rows_written(&s), Some(4 + 2 + 2));
    }
}

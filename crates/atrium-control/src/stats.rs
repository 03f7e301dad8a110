//! What the console's tenants table shows beside the registry: each schema's size (from
//! PostgreSQL's catalogue) and, when analytics are configured and reachable, events in
//! the last 7 days and API requests per minute over the last hour (from ClickHouse,
//! each event counted once). Analytics being down leaves those two empty, nothing more.

use atrium_analytics::clickhouse::quote;
use atrium_core::{domain::Result, tenancy::TenantSlug};
use serde::{Deserialize, Serialize};

use crate::Control;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TenantStats {
    pub slug: String,
    pub schema_bytes: Option<i64>,
    pub events_7d: Option<u64>,
    pub requests_per_min: Option<f64>,
}

#[derive(Deserialize)]
struct Usage {
    tenant: String,
    events_7d: u64,
    requests_1h: u64,
}

impl Control {
    pub async fn tenant_stats(&self) -> Result<Vec<TenantStats>> {
        self.stats_of(None).await
    }

    /// One live tenant's stats (None for a tenant that isn't live).
    pub async fn one_tenant_stats(&self, slug: &TenantSlug) -> Result<Option<TenantStats>> {
        Ok(self.stats_of(Some(slug)).await?.pop())
    }

    /// Every live tenant's stats, or only `only`'s.
    async fn stats_of(&self, only: Option<&TenantSlug>) -> Result<Vec<TenantStats>> {
        let slug = only.map(TenantSlug::as_str);
        let conn = self.pool.get().await?;
        let rows = conn
            .query(
                // A pooled tenant has no schema to measure, and another cluster's is not
                // here: their size is the usage sampler's last measurement.
                "SELECT t.slug,
                        CASE WHEN t.tier = 'pooled' OR t.cluster_id <> 'local' THEN t.storage_bytes ELSE
                        (SELECT sum(pg_total_relation_size(c.oid))::bigint
                           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                          WHERE n.nspname = t.schema_name AND c.relkind IN ('r', 'm')) END
                   FROM atrium_control.tenants t
                  WHERE t.state IN ('active', 'suspended') AND ($1::text IS NULL OR t.slug = $1)
                  ORDER BY t.slug",
                &[&slug],
            )
            .await?;
        // ClickHouse 18.16 has no query parameters: the slug, already validated, is quoted.
        let tenant_filter = slug.map_or(String::new(), |s| format!("AND tenant = {}", quote(s)));
        // None: no analytics configured, or ClickHouse unreachable (logged).
        let usage: Option<Vec<Usage>> = match &self.clickhouse {
            Some(ch) => ch
                .query(&format!(
                    "SELECT tenant,
                            uniqExactIf(event_id, ts >= now() - INTERVAL 7 DAY) AS events_7d,
                            uniqExactIf(event_id, name = 'api_request' AND ts >= now() - INTERVAL 1 HOUR) AS requests_1h
                       FROM events
                      WHERE ts >= now() - INTERVAL 7 DAY {tenant_filter}
                      GROUP BY tenant"
                ))
                .await
                .map_err(|e| tracing::warn!(error = %e, "tenant usage from ClickHouse unavailable"))
                .ok(),
            None => None,
        };
        Ok(rows
            .iter()
            .map(|r| {
                let slug: String = r.get(0);
                let u = usage
                    .as_ref()
                    .map(|all| all.iter().find(|u| u.tenant == slug));
                TenantStats {
                    schema_bytes: r.get(1),
                    events_7d: u.map(|u| u.map_or(0, |u| u.events_7d)),
                    requests_per_min: u.map(|u| u.map_or(0.0, |u| u.requests_1h as f64 / 60.0)),
                    slug,
                }
            })
            .collect())
    }
}

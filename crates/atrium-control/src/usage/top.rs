//! The tenants that use the most (`GET /v1/usage/top`, and the overview's lists): by
//! requests or database time in a window (ClickHouse), or by storage or events this month
//! (the sampler's last measurement in the registry).

use std::collections::HashMap;

use atrium_core::domain::{Plan, Result, ValidationError};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    queries::{self, RequestMeasure},
    Measure, Window,
};
use crate::Control;

/// Most entries a top list has.
pub const MAX_TOP: u32 = 100;

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageTop {
    pub by: Measure,
    /// Applies to `db_time` and `requests`; storage and events are the last measurement.
    pub window: Window,
    /// What `value` and `total` count: `seconds`, `requests`, `bytes` or `events`.
    pub unit: String,
    /// False when the source could not be read: `entries` is empty and `total` null.
    pub available: bool,
    pub note: Option<String>,
    /// Over every tenant, not only the listed ones.
    pub total: Option<f64>,
    /// Most first; tenants with nothing are left out.
    pub entries: Vec<TopEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopEntry {
    pub slug: String,
    /// Null for a tenant the registry doesn't know (its analytics outlived it).
    pub plan: Option<Plan>,
    pub value: f64,
    /// `value / total`, 0 to 1.
    pub share_of_total: f64,
}

#[derive(Deserialize)]
struct TopRow {
    tenant: String,
    value: u64,
    total: u64,
}

impl Control {
    /// The `limit` (1 to 100) tenants using the most of `by`.
    pub async fn usage_top(&self, by: Measure, window: Window, limit: u32) -> Result<UsageTop> {
        if !(1..=MAX_TOP).contains(&limit) {
            return Err(ValidationError::coded(
                "limit",
                "range",
                format!("limit must be between 1 and {MAX_TOP}"),
            )
            .param("min", 1_i64)
            .param("max", i64::from(MAX_TOP))
            .into());
        }
        let mut top = UsageTop {
            by,
            window,
            unit: by.unit().into(),
            available: true,
            note: None,
            total: None,
            entries: Vec::new(),
        };
        let (rows, scale): (Vec<(String, u64, u64)>, f64) = match by {
            Measure::Requests | Measure::DbTime => {
                let (measure, scale) = match by {
                    Measure::DbTime => (RequestMeasure::DbMs, 1000.0),
                    _ => (RequestMeasure::Count, 1.0),
                };
                match self.top_requests(measure, window, limit).await {
                    Ok(rows) => (rows, scale),
                    Err(note) => {
                        top.available = false;
                        top.note = Some(note.into());
                        return Ok(top);
                    }
                }
            }
            Measure::Events if self.clickhouse.is_none() => {
                top.available = false;
                top.note = Some("analytics (ClickHouse) are not configured".into());
                return Ok(top);
            }
            Measure::Storage | Measure::Events => (self.top_measured(by, limit).await?, 1.0),
        };
        let plans = self
            .plans_of(rows.iter().map(|r| r.0.clone()).collect())
            .await?;
        let total = rows.first().map_or(0, |r| r.2);
        top.total = Some(total as f64 / scale);
        top.entries = rows
            .into_iter()
            .map(|(slug, value, _)| TopEntry {
                plan: plans.get(&slug).copied(),
                value: value as f64 / scale,
                share_of_total: if total == 0 {
                    0.0
                } else {
                    value as f64 / total as f64
                },
                slug,
            })
            .collect();
        Ok(top)
    }

    /// `(tenant, value, total)` from the `api_request` events, or why not.
    async fn top_requests(
        &self,
        by: RequestMeasure,
        window: Window,
        limit: u32,
    ) -> std::result::Result<Vec<(String, u64, u64)>, &'static str> {
        let Some(ch) = &self.clickhouse else {
            return Err("analytics (ClickHouse) are not configured");
        };
        let to = Utc::now();
        let sql = queries::top_requests(by, to - window.length(), to, limit);
        match ch.query::<TopRow>(&sql).await {
            Ok(rows) => Ok(rows
                .into_iter()
                .map(|r| (r.tenant, r.value, r.total))
                .collect()),
            Err(e) => {
                tracing::warn!(error = %e, "top tenants from ClickHouse unavailable");
                Err("ClickHouse could not be read")
            }
        }
    }

    /// `(slug, value, total)` of live tenants by their last measured storage or events.
    async fn top_measured(&self, by: Measure, limit: u32) -> Result<Vec<(String, u64, u64)>> {
        let column = match by {
            Measure::Storage => "storage_bytes",
            _ => "events_month",
        };
        let conn = self.pool.get().await?;
        let rows = conn
            .query(
                &format!(
                    "SELECT slug, v, sum(v) OVER ()::bigint FROM (
                        SELECT slug, {column} AS v FROM atrium_control.tenants
                         WHERE state IN ('active', 'suspended') AND {column} > 0) t
                      ORDER BY v DESC, slug LIMIT $1"
                ),
                &[&i64::from(limit)],
            )
            .await?;
        let unsigned = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(rows
            .iter()
            .map(|r| (r.get(0), unsigned(r.get(1)), unsigned(r.get(2))))
            .collect())
    }

    async fn plans_of(&self, slugs: Vec<String>) -> Result<HashMap<String, Plan>> {
        let conn = self.pool.get().await?;
        let rows = conn
            .query(
                "SELECT slug, plan FROM atrium_control.tenants WHERE slug = ANY($1)",
                &[&slugs],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

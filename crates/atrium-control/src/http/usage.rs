//! Who uses what: one tenant's usage over a window, the top tenants by a measure, and
//! a usage pass on request.

use atrium_http::{ApiError, Json, Problem, Query};
use axum::extract::State;
use serde::Deserialize;
use tracing::instrument;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{auth::Operator, on_tenant::on_tenant, AppState};
use crate::usage::{report::TenantUsage, sampler::UsageSample, top::UsageTop, Measure, Window};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tenant_usage))
        .routes(routes!(top))
        .routes(routes!(sample))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct WindowQuery {
    /// `1h` (5-minute buckets), `24h` (hours, the default), `7d` or `30d` (days).
    window: Option<String>,
}

on_tenant!(
    /// The tenant's requests, refusals, latency, database and queue time, rows written,
    /// storage and events over a window, with a series of buckets. Figures whose source
    /// can't be read are null (`sources` says which).
    get "/tenants/{slug}/usage", tag "usage" => tenant_usage -> 200 TenantUsage, query WindowQuery as q
        = |s, t| async {
            let window = Window::parse(q.window.as_deref())?;
            s.control.tenant_usage(&t.slug, window).await
        }
);

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TopQuery {
    /// `db_time`, `requests`, `storage` or `events`.
    by: Option<String>,
    /// For `db_time` and `requests`: `1h`, `24h` (the default), `7d` or `30d`.
    window: Option<String>,
    /// 1 to 100 (default 10).
    limit: Option<u32>,
}

/// The tenants using the most of one measure, with each one's share of the total.
#[utoipa::path(get, path = "/usage/top", tag = "usage", params(TopQuery),
    responses((status = 200, body = UsageTop), (status = "4XX", body = Problem)))]
#[instrument(skip_all)]
async fn top(
    State(s): State<AppState>,
    _op: Operator,
    Query(q): Query<TopQuery>,
) -> Result<Json<UsageTop>, ApiError> {
    let by = Measure::parse(q.by.as_deref())?;
    let window = Window::parse(q.window.as_deref())?;
    Ok(Json(
        s.control
            .usage_top(by, window, q.limit.unwrap_or(10))
            .await?,
    ))
}

/// Measure every tenant's storage and count its events now, setting the quota flags
/// (the control plane does this on its own every `control.usage.*_interval_s`). Audited.
#[utoipa::path(post, path = "/usage/sample", tag = "usage",
    responses((status = 200, body = UsageSample), (status = "4XX", body = Problem)))]
#[instrument(skip_all)]
async fn sample(State(s): State<AppState>, op: Operator) -> Result<Json<UsageSample>, ApiError> {
    Ok(Json(s.control.sample_usage_by(&op.actor).await?))
}

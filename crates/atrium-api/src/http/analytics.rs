//! Per-tenant dashboards: trends, active users, funnels, top pages, dwell time.
//! The tenant comes from the resolved request, never from a parameter.

use std::collections::BTreeMap;

use atrium_analytics::{
    clickhouse::ChError,
    query::{self, Filter, Interval, QueryError, Scope, Step},
};
use atrium_http::{ApiError, Json, Problem, Query};
use axum::extract::State;
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    tenant::{Scoped, Tenant},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(trends))
        .routes(routes!(active_users))
        .routes(routes!(funnel))
        .routes(routes!(top_pages))
        .routes(routes!(dwell))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Range {
    /// Start (RFC 3339), default 30 days before `to`.
    pub from: Option<DateTime<Utc>>,
    /// End, exclusive (RFC 3339), default now.
    pub to: Option<DateTime<Utc>>,
}

impl Range {
    fn scope(&self, t: &Tenant) -> Result<Scope, ApiError> {
        let to = self.to.unwrap_or_else(Utc::now);
        // `to` may be any date chrono parses; out of range is Scope::new's to refuse.
        let from = self.from.unwrap_or_else(|| {
            to.checked_sub_signed(Duration::days(30))
                .unwrap_or(DateTime::<Utc>::MIN_UTC)
        });
        Scope::new(t.slug(), from, to).map_err(invalid)
    }
}

/// A dashboard request: the tenant and the time range it asks about.
type Report = Scoped<Query<Range>>;

impl Report {
    fn scope(&self) -> Result<Scope, ApiError> {
        self.part.scope(&self.tenant)
    }

    /// A top list: the first `limit` rows of the report `sql` writes.
    async fn top<T: DeserializeOwned>(
        &self,
        limit: Limit,
        sql: fn(&Scope, u32) -> String,
    ) -> Result<Json<Vec<T>>, ApiError> {
        let sql = sql(&self.scope()?, limit.limit.unwrap_or(10));
        Ok(Json(run(&self.state, &sql).await?))
    }
}

fn invalid(e: QueryError) -> ApiError {
    ApiError::validation(e.field, e.message)
}

async fn run<T: DeserializeOwned>(s: &AppState, sql: &str) -> Result<Vec<T>, ApiError> {
    let ch = s.clickhouse.as_ref().ok_or_else(|| ApiError::Unavailable {
        code: "analytics_not_configured",
        detail: "no ClickHouse is configured for this deployment".into(),
    })?;
    ch.query(sql).await.map_err(|e| match e {
        ChError::Transport(_) => ApiError::Unavailable {
            code: "analytics_unavailable",
            detail: "analytics storage is not reachable right now".into(),
        },
        other => ApiError::Internal(other.into()),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendParams {
    /// `hour` or `day` (default).
    pub interval: Option<Interval>,
    /// Only events of this name, such as `pageview`.
    pub name: Option<String>,
    /// Only events on this page path.
    pub path: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Bucket {
    /// Start of the bucket, UTC, `YYYY-MM-DD HH:MM:SS`.
    pub bucket: String,
    /// Matching events in the bucket.
    pub n: u64,
}

/// Event counts per hour or day; empty buckets are included as zeros.
#[utoipa::path(get, path = "/analytics/trends", tag = "analytics", params(Range, TrendParams),
    responses((status = 200, body = [Bucket]), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn trends(r: Report, Query(p): Query<TrendParams>) -> Result<Json<Vec<Bucket>>, ApiError> {
    let scope = r.scope()?;
    let interval = p.interval.unwrap_or(Interval::Day);
    if interval == Interval::Hour && scope.to() - scope.from() > Duration::days(31) {
        return Err(ApiError::validation(
            "interval",
            "hourly trends cover at most 31 days",
        ));
    }
    let filter = Filter {
        name: p.name,
        path: p.path,
    };
    filter.check().map_err(invalid)?;
    let rows: Vec<Bucket> = run(&r.state, &query::trends(&scope, interval, &filter)).await?;
    let have: BTreeMap<String, u64> = rows.into_iter().map(|b| (b.bucket, b.n)).collect();
    let step = match interval {
        Interval::Hour => Duration::hours(1),
        Interval::Day => Duration::days(1),
    };
    let mut at = scope.from().duration_trunc(step).unwrap_or(scope.from());
    let mut out = Vec::new();
    while at < scope.to() {
        let key = at.format("%Y-%m-%d %H:%M:%S").to_string();
        out.push(Bucket {
            n: have.get(&key).copied().unwrap_or(0),
            bucket: key,
        });
        at += step;
    }
    Ok(Json(out))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActiveRow {
    /// `day`, `week` or `month`.
    pub period: String,
    /// Start of the period, UTC.
    pub bucket: String,
    /// Distinct users with at least one event in the period.
    pub users: u64,
}

/// Distinct users per day, week and month.
#[utoipa::path(get, path = "/analytics/active-users", tag = "analytics", params(Range),
    responses((status = 200, body = [ActiveRow]), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn active_users(r: Report) -> Result<Json<Vec<ActiveRow>>, ApiError> {
    let mut rows: Vec<ActiveRow> = run(&r.state, &query::active_users(&r.scope()?)).await?;
    rows.sort_by(|a, b| (&a.period, &a.bucket).cmp(&(&b.period, &b.bucket)));
    Ok(Json(rows))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FunnelRequest {
    pub steps: Vec<Step>,
    /// How long after the first step the last one may happen.
    pub window_seconds: u32,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelStep {
    pub step: Step,
    /// Users who reached this step (and every one before it).
    pub users: u64,
    /// Percentage of the previous step's users (100 for the first).
    pub conversion_from_previous: f64,
    /// Percentage of the first step's users.
    pub conversion_from_first: f64,
}

/// Per-step users and conversion for an ordered list of steps.
#[utoipa::path(post, path = "/analytics/funnel", tag = "analytics", request_body = FunnelRequest,
    responses((status = 200, body = [FunnelStep]), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn funnel(
    State(s): State<AppState>,
    t: Tenant,
    Json(req): Json<FunnelRequest>,
) -> Result<Json<Vec<FunnelStep>>, ApiError> {
    let scope = Range {
        from: req.from,
        to: req.to,
    }
    .scope(&t)?;
    let sql = query::funnel(&scope, &req.steps, req.window_seconds).map_err(invalid)?;
    #[derive(Deserialize)]
    struct Level {
        level: u64,
        actors: u64,
    }
    let levels: Vec<Level> = run(&s, &sql).await?;
    let reached = |k: u64| {
        levels
            .iter()
            .filter(|l| l.level >= k)
            .map(|l| l.actors)
            .sum::<u64>()
    };
    let pct = |a: u64, b: u64| {
        if b == 0 {
            0.0
        } else {
            (a as f64 * 10_000.0 / b as f64).round() / 100.0
        }
    };
    let first = reached(1);
    let mut prev = first;
    let mut out = Vec::new();
    for (i, step) in req.steps.into_iter().enumerate() {
        let users = reached(i as u64 + 1);
        out.push(FunnelStep {
            step,
            users,
            conversion_from_previous: if i == 0 { 100.0 } else { pct(users, prev) },
            conversion_from_first: if i == 0 { 100.0 } else { pct(users, first) },
        });
        prev = users;
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Limit {
    /// Rows, 1 to 100 (default 10).
    pub limit: Option<u32>,
}

/// Declares per-page reports: for each, its row type and its `GET` handler, which reads
/// the first `limit` rows of the query of the same name over the request's range. The
/// reports differ only in these.
macro_rules! per_page {
    ($(
        $(#[doc = $doc:tt])*
        $report:ident at $path:literal: $row:ident {
            $($(#[doc = $field_doc:tt])* pub $field:ident: $field_ty:ty,)*
        }
    )*) => {$(
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        pub struct $row {
            $($(#[doc = $field_doc])* pub $field: $field_ty,)*
        }

        $(#[doc = $doc])*
        #[utoipa::path(get, path = $path, tag = "analytics", params(Range, Limit),
            responses((status = 200, body = [$row]), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
        #[instrument(skip_all, fields(tenant = r.slug()))]
        async fn $report(r: Report, Query(l): Query<Limit>) -> Result<Json<Vec<$row>>, ApiError> {
            r.top(l, query::$report).await
        }
    )*};
}

per_page! {
    /// Most viewed pages.
    top_pages at "/analytics/top-pages": PageRow {
        /// The page's path, as the SDK sent it.
        pub path: String,
        /// Page views in the range; the rows come most viewed first.
        pub views: u64,
        /// Distinct users who viewed it in the range.
        pub visitors: u64,
    }

    /// Average and median dwell time per page.
    dwell at "/analytics/dwell": DwellRow {
        /// The page's path, as the SDK sent it.
        pub path: String,
        /// Dwell times measured in the range; the rows come most measured first.
        pub samples: u64,
        /// Mean time on the page, in milliseconds.
        pub avg_ms: f64,
        /// Median time on the page (exact), in milliseconds.
        pub median_ms: f64,
    }
}

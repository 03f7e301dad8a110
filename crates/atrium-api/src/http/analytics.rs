//! Per-tenant dashboards: trends, active users, funnels, retention, top pages, dwell time
//! and what users do after a page. The tenant comes from the resolved request, never
//! from a parameter. Time series count whole periods (hours, days, weeks, months) in the
//! time zone the request names, every period present and the current one marked.

use std::collections::BTreeMap;

use atrium_accounts::tenant_users;
use atrium_analytics::{
    clickhouse::ChError,
    funnel::{self, Step},
    next_steps,
    query::{self, Filter, QueryError, Scope},
    retention, route,
    zone::{Period, Span, Zone},
};
use atrium_http::{ApiError, Json, Problem, Query};
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
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
        .routes(routes!(retention))
        .routes(routes!(next_after))
        .routes(routes!(top_pages))
        .routes(routes!(dwell))
}

pub const DEFAULT_DAYS: u32 = 30;
pub const MAX_DAYS: u32 = 366;
pub const MAX_HOURS: u32 = 31 * 24;

/// The range of a dashboard: whole periods in a time zone.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Window {
    /// IANA time zone the periods are counted in, such as `Asia/Shanghai` (default `UTC`).
    /// An unknown name is a 400 `invalid_timezone`.
    #[param(example = "Asia/Shanghai")]
    pub tz: Option<String>,
    /// Whole days: the current one and the `days - 1` before it, in `tz` (1 to 366,
    /// default 30).
    pub days: Option<u32>,
    /// Instead of `days`: the range starts with the period that holds this moment (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// End, exclusive (RFC 3339), default now; the period that holds the moment before it
    /// is the last one, incomplete unless it ends there.
    pub to: Option<DateTime<Utc>>,
}

/// A resolved window: its zone, its periods and the scope the query reads.
struct Resolved {
    zone: Zone,
    spans: Vec<Span>,
    scope: Scope,
    to: DateTime<Utc>,
}

impl Resolved {
    fn complete(&self, s: &Span) -> bool {
        s.start >= self.scope.from() && s.end <= self.to
    }

    /// `rows` (keyed by [`Period::key`]) laid over every period of `period` in the range.
    fn series<T: Clone + Default>(
        &self,
        period: Period,
        rows: &BTreeMap<String, T>,
    ) -> Vec<(String, bool, T)> {
        let spans = match period {
            Period::Day | Period::Hour if period_of(&self.spans) == Some(period) => {
                self.spans.clone()
            }
            _ => period.between(self.zone, self.scope.from(), self.to),
        };
        spans
            .iter()
            .map(|s| {
                let v = rows
                    .get(&period.key(self.zone, s.start))
                    .cloned()
                    .unwrap_or_default();
                (self.zone.rfc3339(s.start), self.complete(s), v)
            })
            .collect()
    }
}

/// Whether `spans` are hours or days (they are one or the other).
fn period_of(spans: &[Span]) -> Option<Period> {
    spans.first().map(|s| {
        if s.end - s.start <= Duration::hours(2) {
            Period::Hour
        } else {
            Period::Day
        }
    })
}

fn zone(tz: Option<&str>) -> Result<Zone, ApiError> {
    tz.map_or(Ok(Zone::default()), |name| {
        Zone::parse(name).map_err(|e| ApiError::bad_request("invalid_timezone", e.to_string()))
    })
}

impl Window {
    /// The last `count` periods of `period` (or those from `from`) up to `to`.
    fn resolve(&self, t: &Tenant, period: Period, count: u32) -> Result<Resolved, ApiError> {
        let zone = zone(self.tz.as_deref())?;
        let to = self.to.unwrap_or_else(Utc::now);
        let unit = match period {
            Period::Hour => Duration::hours(1),
            _ => Duration::days(1),
        };
        // Checks `to`, `from` and the range's length as before any alignment, so a
        // date chrono holds but ClickHouse does not is refused before it is computed with.
        let rough_from = self.from.unwrap_or_else(|| {
            to.checked_sub_signed(unit * count as i32)
                .unwrap_or(DateTime::<Utc>::MIN_UTC)
        });
        Scope::new(t.slug(), rough_from, to).map_err(invalid)?;
        let spans = match self.from {
            Some(from) => period.between(zone, from, to),
            None => period.last(zone, count, to - Duration::nanoseconds(1)),
        };
        let first = spans.first().map_or(rough_from, |s| s.start);
        Ok(Resolved {
            zone,
            scope: Scope::new(t.slug(), first, to).map_err(invalid)?,
            spans,
            to,
        })
    }

    fn days(&self) -> Result<u32, ApiError> {
        let days = self.days.unwrap_or(DEFAULT_DAYS);
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(ApiError::validation(
                "days",
                format!("must be 1 to {MAX_DAYS}"),
            ));
        }
        Ok(days)
    }

    fn resolve_days(&self, t: &Tenant) -> Result<Resolved, ApiError> {
        self.resolve(t, Period::Day, self.days()?)
    }
}

/// A dashboard request: the tenant and the window it asks about.
type Report = Scoped<Query<Window>>;

impl Report {
    fn window(&self) -> Result<Resolved, ApiError> {
        self.part.resolve_days(&self.tenant)
    }

    /// A top list: the first `limit` rows of the report `sql` writes.
    async fn top<T: DeserializeOwned>(
        &self,
        limit: Limit,
        sql: fn(&Scope, u32) -> String,
    ) -> Result<Json<Vec<T>>, ApiError> {
        let sql = sql(&self.window()?.scope, limit.limit.unwrap_or(10));
        Ok(Json(run(&self.state, &sql).await?))
    }
}

fn invalid(e: QueryError) -> ApiError {
    ApiError::validation(&e.field, e.message)
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

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Hour,
    Day,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendParams {
    /// `hour` or `day` (default).
    pub interval: Option<Interval>,
    /// With `interval=hour`: the current hour and the `hours - 1` before it (1 to 744).
    /// Without it, hourly trends cover `days` whole days.
    pub hours: Option<u32>,
    /// Only events of this name, such as `pageview`.
    pub name: Option<String>,
    /// Only events on this exact page path.
    pub path: Option<String>,
    /// Only events on this route template, such as `/customers/:id`.
    pub route: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Bucket {
    /// Start of the period, RFC 3339 with the zone's offset, e.g. `2026-03-10T00:00:00+08:00`.
    pub start: String,
    /// Matching events in the period.
    pub n: u64,
    /// `false` for a period not over yet (the current one) or cut by the range.
    pub complete: bool,
}

/// Event counts per hour or day in `tz`; every period is present, zeros included.
#[utoipa::path(get, path = "/analytics/trends", tag = "analytics", params(Window, TrendParams),
    responses((status = 200, body = [Bucket]), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn trends(r: Report, Query(p): Query<TrendParams>) -> Result<Json<Vec<Bucket>>, ApiError> {
    let w = match (p.interval.unwrap_or(Interval::Day), p.hours) {
        (Interval::Day, Some(_)) => {
            return Err(ApiError::validation(
                "hours",
                "only with interval=hour; use days",
            ))
        }
        (Interval::Day, None) => r.window()?,
        (Interval::Hour, Some(h)) if !(1..=MAX_HOURS).contains(&h) => {
            return Err(ApiError::validation(
                "hours",
                format!("must be 1 to {MAX_HOURS}"),
            ))
        }
        (Interval::Hour, Some(h)) if r.part.from.is_none() => {
            r.part.resolve(&r.tenant, Period::Hour, h)?
        }
        (Interval::Hour, _) => {
            let days = r.part.resolve_days(&r.tenant)?;
            if days.to - days.scope.from() > Duration::days(31) {
                return Err(ApiError::validation(
                    "interval",
                    "hourly trends cover at most 31 days",
                ));
            }
            Resolved {
                spans: Period::Hour.between(days.zone, days.scope.from(), days.to),
                ..days
            }
        }
    };
    let period = period_of(&w.spans).unwrap_or(Period::Day);
    let filter = Filter {
        name: p.name,
        path: p.path,
        route: p.route,
    };
    filter.check().map_err(invalid)?;
    #[derive(Deserialize)]
    struct Row {
        bucket: String,
        n: u64,
    }
    let rows: Vec<Row> = run(&r.state, &query::trends(&w.scope, w.zone, period, &filter)).await?;
    let have: BTreeMap<String, u64> = rows.into_iter().map(|b| (b.bucket, b.n)).collect();
    let out = w
        .series(period, &have)
        .into_iter()
        .map(|(start, complete, n)| Bucket { start, n, complete })
        .collect();
    Ok(Json(out))
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
pub struct ActiveCounts {
    /// Distinct actors: ids of the events tracked (a signed-in user's id, an SDK's
    /// anonymous id, or the actor a key named).
    pub users: u64,
    /// Actors who are not users of this tenant: the people the tenant's product tracks.
    pub end_users: u64,
    /// Actors who are this tenant's users, the team that signs in to Atrium.
    pub team_members: u64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActivePeriod {
    /// Start of the period, RFC 3339 with the zone's offset.
    pub start: String,
    /// `false` for the current period and for one the range cuts.
    pub complete: bool,
    pub users: u64,
    pub end_users: u64,
    pub team_members: u64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActiveSeries {
    pub day: Vec<ActivePeriod>,
    /// Weeks from Monday.
    pub week: Vec<ActivePeriod>,
    pub month: Vec<ActivePeriod>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActiveUsers {
    /// The zone the periods are in.
    #[schema(example = "Asia/Shanghai")]
    pub tz: String,
    /// What is counted, a key for the UI to explain: `distinct_actors`, the distinct ids
    /// of tracked events, split into end users and team members.
    #[schema(example = "distinct_actors")]
    pub counts: String,
    /// Over the whole range.
    pub totals: ActiveCounts,
    pub series: ActiveSeries,
}

/// Distinct users per day, week and month, split into end users and team members.
#[utoipa::path(get, path = "/analytics/active-users", tag = "analytics", params(Window),
    responses((status = 200, body = ActiveUsers), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn active_users(r: Report) -> Result<Json<ActiveUsers>, ApiError> {
    let w = r.window()?;
    let members: Vec<String> = {
        let mut tx = r.tenant.begin(&r.state).await?;
        let ids = tenant_users::ids(&mut tx, query::MAX_MEMBERS as i64).await?;
        tx.commit().await?;
        ids.iter().map(ToString::to_string).collect()
    };
    #[derive(Deserialize)]
    struct Row {
        period: String,
        bucket: String,
        users: u64,
        team_members: u64,
    }
    let rows: Vec<Row> = run(&r.state, &query::active_users(&w.scope, w.zone, &members)).await?;
    let mut by: BTreeMap<String, BTreeMap<String, ActiveCounts>> = BTreeMap::new();
    for row in rows {
        by.entry(row.period).or_default().insert(
            row.bucket,
            ActiveCounts {
                users: row.users,
                end_users: row.users.saturating_sub(row.team_members),
                team_members: row.team_members,
            },
        );
    }
    let empty = BTreeMap::new();
    let series = |name: &str, period: Period| {
        w.series(period, by.get(name).unwrap_or(&empty))
            .into_iter()
            .map(|(start, complete, c)| ActivePeriod {
                start,
                complete,
                users: c.users,
                end_users: c.end_users,
                team_members: c.team_members,
            })
            .collect()
    };
    Ok(Json(ActiveUsers {
        tz: w.zone.name().to_owned(),
        counts: "distinct_actors".into(),
        totals: by
            .get("all")
            .and_then(|m| m.values().next().copied())
            .unwrap_or_default(),
        series: ActiveSeries {
            day: series("day", Period::Day),
            week: series("week", Period::Week),
            month: series("month", Period::Month),
        },
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FunnelRequest {
    /// 1 to 8 steps, in order; each is checked and a bad one is a 422 naming
    /// `steps[i].field`.
    #[schema(value_type = Vec<Step>)]
    pub steps: Vec<serde_json::Value>,
    /// How long after entering (the first step) a user may take to finish, in seconds:
    /// 1 to 7776000 (90 days), default 604800 (7 days).
    #[serde(alias = "window_seconds")]
    pub window_s: Option<u32>,
    /// As the dashboards' `tz`, `days`, `from` and `to` query parameters.
    pub tz: Option<String>,
    pub days: Option<u32>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelStep {
    pub step: Step,
    /// Users who reached this step (and every one before it, in order, in the window).
    pub users: u64,
    /// Percentage of the first step's users (100 for the first).
    pub conversion_from_first: f64,
    /// Percentage of the previous step's users (100 for the first).
    pub conversion_from_previous: f64,
    /// Users of the previous step who did not reach this one (0 for the first).
    pub drop_off: u64,
    /// Median seconds from the previous step to this one; `null` for the first step and
    /// when nobody reached it.
    pub median_s_from_previous: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Funnel {
    /// The conversion window used, in seconds.
    pub window_s: u32,
    /// The range users entered in (RFC 3339, with the zone's offset).
    pub from: String,
    pub to: String,
    pub steps: Vec<FunnelStep>,
}

/// Per-step users, conversion, drop-off and time to convert for an ordered list of steps.
#[utoipa::path(post, path = "/analytics/funnel", tag = "analytics", request_body = FunnelRequest,
    responses((status = 200, body = Funnel), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn funnel(
    State(s): State<AppState>,
    t: Tenant,
    Json(req): Json<FunnelRequest>,
) -> Result<Json<Funnel>, ApiError> {
    let (steps, window_s) = funnel::parse(&req.steps, req.window_s).map_err(invalid)?;
    let w = Window {
        tz: req.tz,
        days: req.days,
        from: req.from,
        to: req.to,
    }
    .resolve_days(&t)?;
    #[derive(Deserialize)]
    struct Row {
        users: Vec<u64>,
        median_s: Vec<f64>,
    }
    let row = run::<Row>(&s, &funnel::sql(&w.scope, &steps, window_s))
        .await?
        .into_iter()
        .next();
    let (users, medians) = row.map_or((vec![], vec![]), |r| (r.users, r.median_s));
    let pct = |a: u64, b: u64| {
        if b == 0 {
            0.0
        } else {
            (a as f64 * 10_000.0 / b as f64).round() / 100.0
        }
    };
    let first = users.first().copied().unwrap_or(0);
    let mut prev = first;
    let mut out = Vec::new();
    for (i, step) in steps.into_iter().enumerate() {
        let n = users.get(i).copied().unwrap_or(0);
        out.push(FunnelStep {
            step,
            users: n,
            conversion_from_first: if i == 0 { 100.0 } else { pct(n, first) },
            conversion_from_previous: if i == 0 { 100.0 } else { pct(n, prev) },
            drop_off: prev.saturating_sub(n),
            median_s_from_previous: (i > 0 && n > 0)
                .then(|| medians.get(i).copied().unwrap_or(0.0)),
        });
        prev = n;
    }
    Ok(Json(Funnel {
        window_s,
        from: w.zone.rfc3339(w.scope.from()),
        to: w.zone.rfc3339(w.to),
        steps: out,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RetentionParams {
    /// Weeks after each cohort's first week, 1 to 26 (default 8). The answer has this many
    /// complete cohort weeks and the current one.
    pub weeks: Option<u32>,
    /// IANA time zone weeks (from Monday) are counted in (default `UTC`).
    #[param(example = "Asia/Shanghai")]
    pub tz: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Cohort {
    /// Start of the cohort's week, RFC 3339 with the zone's offset.
    pub start: String,
    /// `false` for the current week.
    pub complete: bool,
    /// Users whose first event was in this week.
    pub users: u64,
    /// `returned[k]`: of those, how many had an event in week `k + 1` after it; only
    /// weeks that have begun are listed, the last of them possibly incomplete.
    pub returned: Vec<u64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Retention {
    pub tz: String,
    pub weeks: u32,
    /// Oldest first.
    pub cohorts: Vec<Cohort>,
}

/// Weekly cohorts: users by the week they were first seen, and how many came back.
#[utoipa::path(get, path = "/analytics/retention", tag = "analytics", params(RetentionParams),
    responses((status = 200, body = Retention), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn retention(r: Scoped<Query<RetentionParams>>) -> Result<Json<Retention>, ApiError> {
    let zone = zone(r.part.tz.as_deref())?;
    let weeks = r.part.weeks.unwrap_or(retention::DEFAULT_WEEKS);
    if !(1..=retention::MAX_WEEKS).contains(&weeks) {
        return Err(ApiError::validation(
            "weeks",
            format!("must be 1 to {}", retention::MAX_WEEKS),
        ));
    }
    let now = Utc::now();
    let (spans, scope) = retention::plan(r.slug(), zone, weeks, now).map_err(invalid)?;
    let Some(first) = spans.first() else {
        return Err(ApiError::Internal(anyhow::anyhow!("no cohort weeks")));
    };
    #[derive(Deserialize)]
    struct Row {
        cohort: String,
        week: String,
        users: u64,
    }
    let rows: Vec<Row> = run(&r.state, &retention::sql(&scope, zone, first)).await?;
    let have: BTreeMap<(String, String), u64> = rows
        .into_iter()
        .map(|row| ((row.cohort, row.week), row.users))
        .collect();
    let keys: Vec<String> = spans
        .iter()
        .map(|s| Period::Week.key(zone, s.start))
        .collect();
    let get = |c: &str, w: &str| {
        have.get(&(c.to_owned(), w.to_owned()))
            .copied()
            .unwrap_or(0)
    };
    let cohorts = spans
        .iter()
        .zip(&keys)
        .enumerate()
        .map(|(i, (span, key))| Cohort {
            start: zone.rfc3339(span.start),
            complete: span.end <= now,
            users: get(key, key),
            returned: keys[i + 1..].iter().map(|w| get(key, w)).collect(),
        })
        .collect();
    Ok(Json(Retention {
        tz: zone.name().to_owned(),
        weeks,
        cohorts,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NextParams {
    /// The page's route template, such as `/customers/:id`.
    pub route: String,
    /// Rows before the rest is summed as `other`, 1 to 50 (default 10).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NextStep {
    /// `page` (the next page view's route), `event` (another event's name), `exit`
    /// (nothing followed in the session) or `other` (the rest, summed).
    pub kind: String,
    /// The route or event name; empty for `exit` and `other`.
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NextSteps {
    pub route: String,
    /// Views of the route in the range: the counts below add up to it.
    pub views: u64,
    /// Most frequent first.
    pub next: Vec<NextStep>,
}

/// What users do after a page: the next page or event in the same session.
#[utoipa::path(get, path = "/analytics/paths/next", tag = "analytics", params(Window, NextParams),
    responses((status = 200, body = NextSteps), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn next_after(r: Report, Query(p): Query<NextParams>) -> Result<Json<NextSteps>, ApiError> {
    route::check(&p.route).map_err(|m| ApiError::validation("route", m))?;
    let limit = p.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::validation("limit", "must be 1 to 50"));
    }
    let w = r.window()?;
    #[derive(Deserialize)]
    struct Row {
        next: String,
        n: u64,
    }
    let rows: Vec<Row> = run(&r.state, &next_steps::sql(&w.scope, &p.route)).await?;
    let views = rows.iter().map(|r| r.n).sum();
    let rest: u64 = rows.iter().skip(limit as usize).map(|r| r.n).sum();
    let mut next: Vec<NextStep> = rows
        .into_iter()
        .take(limit as usize)
        .map(|row| {
            let (kind, label) = row.next.split_once(':').unwrap_or(("other", ""));
            NextStep {
                kind: kind.to_owned(),
                label: label.to_owned(),
                count: row.n,
            }
        })
        .collect();
    if rest > 0 {
        next.push(NextStep {
            kind: "other".into(),
            label: String::new(),
            count: rest,
        });
    }
    Ok(Json(NextSteps {
        route: p.route,
        views,
        next,
    }))
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
        #[utoipa::path(get, path = $path, tag = "analytics", params(Window, Limit),
            responses((status = 200, body = [$row]), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
        #[instrument(skip_all, fields(tenant = r.slug()))]
        async fn $report(r: Report, Query(l): Query<Limit>) -> Result<Json<Vec<$row>>, ApiError> {
            r.top(l, query::$report).await
        }
    )*};
}

per_page! {
    /// Most viewed pages, by route template.
    top_pages at "/analytics/top-pages": PageRow {
        /// The route template (`/customers/:id`): the SDK's, or derived from the path.
        pub route: String,
        /// Page views in the range; the rows come most viewed first.
        pub views: u64,
        /// Distinct users who viewed it in the range.
        pub visitors: u64,
    }

    /// Average and median dwell time per route template.
    dwell at "/analytics/dwell": DwellRow {
        /// The route template (`/customers/:id`): the SDK's, or derived from the path.
        pub route: String,
        /// Dwell times measured in the range; the rows come most measured first.
        pub samples: u64,
        /// Mean time on the page, in milliseconds.
        pub avg_ms: f64,
        /// Median time on the page (exact), in milliseconds.
        pub median_ms: f64,
    }
}

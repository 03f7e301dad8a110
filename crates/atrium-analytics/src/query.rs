//! Dashboard queries. Every one starts from a [`Scope`], and a `Scope` is the only thing
//! that can name the events table, always with its tenant and time predicates: there is
//! no way to build SQL here that reads across tenants. Values go through [`quote`];
//! users choose parameters, never SQL.
//!
//! Reads use FINAL so rows inserted twice count once before ClickHouse merges them.
//! Only SQL that ClickHouse 18.16 and 24.x both accept is used.

use chrono::{DateTime, Duration, Timelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    clickhouse::quote,
    event::{storable, END_OF_TIME, MAX_NAME, MAX_PROP_KEY, MAX_PROP_VALUE, MAX_URL},
};

pub const MAX_RANGE_DAYS: i64 = 400;
pub const MAX_FUNNEL_STEPS: usize = 8;

/// A parameter no query is built from, named as the request names it.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{field}: {message}")]
pub struct QueryError {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> QueryError {
    QueryError {
        field,
        message: message.into(),
    }
}

/// Values longer than any stored event can hold match nothing, and a handful of them
/// made a statement ClickHouse refused as too large: they are refused up front.
fn check_len(field: &'static str, value: &str, max: usize) -> Result<(), QueryError> {
    if value.len() > max {
        return Err(invalid(field, format!("must be at most {max} bytes")));
    }
    Ok(())
}

/// One tenant, one half-open time range `[from, to)`.
#[derive(Debug, Clone)]
pub struct Scope {
    tenant: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

fn ch_time(t: DateTime<Utc>) -> String {
    quote(&t.format("%Y-%m-%d %H:%M:%S").to_string())
}

impl Scope {
    pub fn new(tenant: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Self, QueryError> {
        // The range ClickHouse's DateTime holds (and events can have); outside it
        // ClickHouse answers with an error, not with no rows. `to` first: a missing
        // `from` is derived from it.
        if !(1..=END_OF_TIME).contains(&to.timestamp()) {
            return Err(invalid(
                "to",
                "must be from 1970-01-01T00:00:01Z to 2106-01-01T00:00:00Z",
            ));
        }
        if !storable(from) {
            return Err(invalid(
                "from",
                "must be from 1970-01-01T00:00:00Z to 2105-12-31T23:59:59Z",
            ));
        }
        if to <= from {
            return Err(invalid("to", "must be after `from`"));
        }
        if to - from > Duration::days(MAX_RANGE_DAYS) {
            return Err(invalid(
                "from",
                format!("a range is at most {MAX_RANGE_DAYS} days"),
            ));
        }
        Ok(Self {
            tenant: tenant.to_owned(),
            from,
            to,
        })
    }

    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }

    /// `events FINAL WHERE tenant = .. AND ts in range`: the only way to read events.
    fn events(&self, extra: &[String]) -> String {
        // ts has whole seconds: an exclusive end inside a second must include that second.
        let to = match self.to.timestamp_subsec_nanos() {
            0 => self.to,
            _ => self.to.with_nanosecond(0).unwrap_or(self.to) + Duration::seconds(1),
        };
        let mut sql = format!(
            "events FINAL WHERE tenant = {} AND ts >= toDateTime({}, 'UTC') AND ts < toDateTime({}, 'UTC')",
            quote(&self.tenant),
            ch_time(self.from),
            ch_time(to)
        );
        for e in extra {
            sql.push_str(" AND ");
            sql.push_str(e);
        }
        sql
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Hour,
    Day,
}

/// Optional event filters shared by several queries.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Filter {
    pub name: Option<String>,
    pub path: Option<String>,
}

impl Filter {
    pub fn check(&self) -> Result<(), QueryError> {
        check_len("name", self.name.as_deref().unwrap_or(""), MAX_NAME)?;
        check_len("path", self.path.as_deref().unwrap_or(""), MAX_URL)
    }

    fn predicates(&self) -> Vec<String> {
        let mut p = Vec::new();
        if let Some(n) = &self.name {
            p.push(format!("name = {}", quote(n)));
        }
        if let Some(path) = &self.path {
            p.push(format!("path = {}", quote(path)));
        }
        p
    }
}

/// `bucket` (as `YYYY-MM-DD HH:MM:SS`, UTC) and `n`.
pub fn trends(scope: &Scope, interval: Interval, filter: &Filter) -> String {
    let bucket = match interval {
        Interval::Hour => "toStartOfHour(ts)",
        Interval::Day => "toStartOfDay(ts)",
    };
    format!(
        "SELECT toString({bucket}) AS bucket, count() AS n FROM {} GROUP BY bucket ORDER BY bucket",
        scope.events(&filter.predicates())
    )
}

/// Distinct actors per day, per week (Monday) and per month: `period`, `bucket`, `users`.
pub fn active_users(scope: &Scope) -> String {
    let events = scope.events(&["actor != ''".to_owned()]);
    ["day:toStartOfDay(ts)", "week:toMonday(ts)", "month:toStartOfMonth(ts)"]
        .iter()
        .map(|spec| {
            let (period, expr) = spec.split_once(':').unwrap_or(("day", "toStartOfDay(ts)"));
            format!("SELECT '{period}' AS period, toString({expr}) AS bucket, uniqExact(actor) AS users FROM {events} GROUP BY bucket")
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// A funnel step: an event name, optionally a path and one property value.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: String,
    pub path: Option<String>,
    pub prop: Option<PropMatch>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PropMatch {
    pub key: String,
    pub value: String,
}

impl Step {
    fn check(&self) -> Result<(), QueryError> {
        check_len("steps.name", &self.name, MAX_NAME)?;
        check_len("steps.path", self.path.as_deref().unwrap_or(""), MAX_URL)?;
        if let Some(m) = &self.prop {
            check_len("steps.prop.key", &m.key, MAX_PROP_KEY)?;
            check_len("steps.prop.value", &m.value, MAX_PROP_VALUE)?;
        }
        Ok(())
    }

    fn condition(&self) -> String {
        let mut c = format!("name = {}", quote(&self.name));
        if let Some(p) = &self.path {
            c.push_str(&format!(" AND path = {}", quote(p)));
        }
        if let Some(m) = &self.prop {
            c.push_str(&format!(
                " AND prop_values[indexOf(prop_keys, {})] = {}",
                quote(&m.key),
                quote(&m.value)
            ));
        }
        c
    }
}

/// Per actor, how far along the steps they got within `window_s` of their first step:
/// rows of `level` (0..=steps) and `actors`.
pub fn funnel(scope: &Scope, steps: &[Step], window_s: u32) -> Result<String, QueryError> {
    if steps.is_empty() || steps.len() > MAX_FUNNEL_STEPS {
        return Err(invalid(
            "steps",
            format!("a funnel has 1 to {MAX_FUNNEL_STEPS} steps"),
        ));
    }
    steps.iter().try_for_each(Step::check)?;
    if window_s == 0 || window_s > 90 * 86_400 {
        return Err(invalid("window_seconds", "must be between 1 and 7776000"));
    }
    let conds: Vec<String> = steps
        .iter()
        .map(|s| format!("({})", s.condition()))
        .collect();
    Ok(format!(
        "SELECT level, count() AS actors FROM (
             SELECT actor, windowFunnel({window_s})(ts, {}) AS level FROM {} GROUP BY actor
         ) GROUP BY level ORDER BY level",
        conds.join(", "),
        scope.events(&["actor != ''".to_owned()])
    ))
}

/// Pageviews per path: `path`, `views`, `visitors`.
pub fn top_pages(scope: &Scope, limit: u32) -> String {
    format!(
        "SELECT path, count() AS views, uniqExact(actor) AS visitors FROM {} GROUP BY path ORDER BY views DESC, path LIMIT {}",
        scope.events(&["name = 'pageview'".to_owned()]),
        limit.clamp(1, 100)
    )
}

/// Dwell per path: `path`, `samples`, `avg_ms`, `median_ms` (exact).
pub fn dwell(scope: &Scope, limit: u32) -> String {
    format!(
        "SELECT path, count() AS samples, avg(duration_ms) AS avg_ms, quantileExact(0.5)(duration_ms) AS median_ms
         FROM {} GROUP BY path ORDER BY samples DESC, path LIMIT {}",
        scope.events(&["name = 'dwell'".to_owned()]),
        limit.clamp(1, 100)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        let to = Utc::now();
        Scope::new("acme", to - Duration::days(7), to).expect("scope")
    }

    #[test]
    fn every_query_carries_the_tenant_predicate() {
        let s = scope();
        let step = Step {
            name: "pageview".into(),
            path: None,
            prop: None,
        };
        for sql in [
            trends(&s, Interval::Day, &Filter::default()),
            active_users(&s),
            funnel(&s, &[step.clone(), step], 3600).expect("funnel"),
            top_pages(&s, 10),
            dwell(&s, 10),
        ] {
            let reads = sql.matches("FROM events").count();
            assert!(reads > 0);
            assert_eq!(
                sql.matches("events FINAL WHERE tenant = 'acme' AND ts >=")
                    .count(),
                reads,
                "{sql}"
            );
        }
    }

    #[test]
    fn user_values_are_quoted() {
        let f = Filter {
            name: Some("x' OR 1=1 --".into()),
            path: None,
        };
        let sql = trends(&scope(), Interval::Hour, &f);
        assert!(sql.contains("name = 'x\\' OR 1=1 --'"), "{sql}");
    }

    #[test]
    fn bad_ranges_and_funnels_are_refused() {
        let now = Utc::now();
        assert!(Scope::new("a", now, now).is_err());
        assert!(Scope::new("a", now - Duration::days(500), now).is_err());
        assert!(funnel(&scope(), &[], 60).is_err());
    }
}

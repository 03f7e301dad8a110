//! Dashboard queries. Every one starts from a [`Scope`], and a `Scope` is the only thing
//! that can name the events table, always with its tenant and time predicates: there is
//! no way to build SQL here that reads across tenants. Values go through [`quote`];
//! users choose parameters, never SQL.
//!
//! Reads use FINAL so rows inserted twice count once before ClickHouse merges them.
//! Only SQL that ClickHouse 18.16 and 24.x both accept is used.

use chrono::{DateTime, Duration, Timelike, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    clickhouse::quote,
    event::{storable, END_OF_TIME, MAX_NAME, MAX_URL},
    route,
    zone::{Period, Zone},
};

pub const MAX_RANGE_DAYS: i64 = 400;

/// A parameter no query is built from, named as the request names it.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{field}: {message}")]
pub struct QueryError {
    pub field: String,
    pub message: String,
}

pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> QueryError {
    QueryError {
        field: field.into(),
        message: message.into(),
    }
}

/// Values longer than any stored event can hold match nothing, and a handful of them
/// made a statement ClickHouse refused as too large: they are refused up front.
pub(crate) fn check_len(field: &str, value: &str, max: usize) -> Result<(), QueryError> {
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

    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }

    /// `events FINAL WHERE tenant = .. AND ts in range`: the only way to read events.
    pub(crate) fn events(&self, extra: &[String]) -> String {
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

/// Optional event filters shared by several queries.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct Filter {
    pub name: Option<String>,
    pub path: Option<String>,
    pub route: Option<String>,
}

impl Filter {
    pub fn check(&self) -> Result<(), QueryError> {
        check_len("name", self.name.as_deref().unwrap_or(""), MAX_NAME)?;
        check_len("path", self.path.as_deref().unwrap_or(""), MAX_URL)?;
        check_len("route", self.route.as_deref().unwrap_or(""), MAX_URL)
    }

    fn predicates(&self) -> Vec<String> {
        let mut p = Vec::new();
        if let Some(n) = &self.name {
            p.push(format!("name = {}", quote(n)));
        }
        if let Some(path) = &self.path {
            p.push(format!("path = {}", quote(path)));
        }
        if let Some(r) = &self.route {
            p.push(format!("{} = {}", route::sql(), quote(r)));
        }
        p
    }
}

/// `bucket` (the period's key, see [`Period::key`]) and `n`.
pub fn trends(scope: &Scope, zone: Zone, period: Period, filter: &Filter) -> String {
    format!(
        "SELECT {} AS bucket, count() AS n FROM {} GROUP BY bucket ORDER BY bucket",
        period.sql_key(zone),
        scope.events(&filter.predicates())
    )
}

/// Team members among the actors: at most this many user ids go into one query, which
/// keeps the statement far below ClickHouse's size limit.
pub const MAX_MEMBERS: usize = 5_000;

/// Distinct actors per day, week and month in `zone`, and over the whole range
/// (`period` = `all`): `period`, `bucket`, `users`, `team_members` (those of `members`).
pub fn active_users(scope: &Scope, zone: Zone, members: &[String]) -> String {
    let events = scope.events(&["actor != ''".to_owned()]);
    let member = match members {
        [] => "0".to_owned(),
        ids => format!(
            "actor IN ({})",
            ids.iter()
                .take(MAX_MEMBERS)
                .map(|m| quote(m))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let per = |period: &str, key: String| {
        format!("SELECT '{period}' AS period, {key} AS bucket, uniqExact(actor) AS users, uniqExactIf(actor, {member}) AS team_members FROM {events} GROUP BY bucket")
    };
    [
        per("day", Period::Day.sql_key(zone)),
        per("week", Period::Week.sql_key(zone)),
        per("month", Period::Month.sql_key(zone)),
        per("all", "''".to_owned()),
    ]
    .join(" UNION ALL ")
}

/// Pageviews per route template: `route`, `views`, `visitors`.
pub fn top_pages(scope: &Scope, limit: u32) -> String {
    format!(
        "SELECT {} AS route, count() AS views, uniqExact(actor) AS visitors FROM {} GROUP BY route ORDER BY views DESC, route LIMIT {}",
        route::sql(),
        scope.events(&["name = 'pageview'".to_owned()]),
        limit.clamp(1, 100)
    )
}

/// Dwell per route template: `route`, `samples`, `avg_ms`, `median_ms` (exact).
pub fn dwell(scope: &Scope, limit: u32) -> String {
    format!(
        "SELECT {} AS route, count() AS samples, avg(duration_ms) AS avg_ms, quantileExact(0.5)(duration_ms) AS median_ms
         FROM {} GROUP BY route ORDER BY samples DESC, route LIMIT {}",
        route::sql(),
        scope.events(&["name = 'dwell'".to_owned()]),
        limit.clamp(1, 100)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{funnel, next_steps, retention};

    fn scope() -> Scope {
        let to = Utc::now();
        Scope::new("acme", to - Duration::days(7), to).expect("scope")
    }

    #[test]
    fn every_query_carries_the_tenant_predicate() {
        let s = scope();
        let z = Zone::default();
        let step = funnel::Step::Event {
            name: "pageview".into(),
        };
        let (weeks, rs) = retention::plan("acme", z, 4, Utc::now()).expect("plan");
        for sql in [
            trends(&s, z, Period::Day, &Filter::default()),
            active_users(&s, z, &["u1".into()]),
            funnel::sql(&s, &[step.clone(), step], 3600),
            top_pages(&s, 10),
            dwell(&s, 10),
            retention::sql(&rs, z, &weeks[0]),
            next_steps::sql(&s, "/customers/:id"),
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
            route: Some("/a' OR 1=1 --".into()),
        };
        let sql = trends(&scope(), Zone::default(), Period::Hour, &f);
        assert!(sql.contains("name = 'x\\' OR 1=1 --'"), "{sql}");
        assert!(sql.contains("= '/a\\' OR 1=1 --'"), "{sql}");
        let sql = active_users(&scope(), Zone::default(), &["m' OR 1=1".into()]);
        assert!(sql.contains("actor IN ('m\\' OR 1=1')"), "{sql}");
    }

    #[test]
    fn bad_ranges_are_refused() {
        let now = Utc::now();
        assert!(Scope::new("a", now, now).is_err());
        assert!(Scope::new("a", now - Duration::days(500), now).is_err());
    }
}

//! Who uses what. A background task ([`sampler`]) measures every live tenant's schema
//! size and rows written (PostgreSQL) and events this month (ClickHouse), keeps samples,
//! and sets the over-quota flags the data plane enforces. The usage and top endpoints
//! ([`report`], [`top`]) read those samples and the `api_request` events the data plane
//! emits for every tenant request ([`queries`]).

mod pooled;
pub mod queries;
pub mod report;
pub mod sampler;
pub mod top;

use atrium_core::domain::{DomainError, Result, ValidationError};
use chrono::TimeDelta;
use serde::Serialize;
use utoipa::ToSchema;

/// How far back a usage report looks, and how wide its buckets are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum Window {
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "24h")]
    Day,
    #[serde(rename = "7d")]
    Week,
    #[serde(rename = "30d")]
    Month,
}

impl Window {
    const ALL: [(Window, &'static str); 4] = [
        (Window::Hour, "1h"),
        (Window::Day, "24h"),
        (Window::Week, "7d"),
        (Window::Month, "30d"),
    ];

    /// `None` is the default, 24 hours.
    pub fn parse(raw: Option<&str>) -> Result<Self> {
        let raw = raw.unwrap_or("24h");
        Self::ALL
            .iter()
            .find(|(_, s)| *s == raw)
            .map(|(w, _)| *w)
            .ok_or_else(|| one_of("window", &Self::ALL.map(|(_, s)| s)))
    }

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(w, _)| *w == self)
            .map_or("24h", |(_, s)| s)
    }

    pub fn length(self) -> TimeDelta {
        match self {
            Window::Hour => TimeDelta::hours(1),
            Window::Day => TimeDelta::hours(24),
            Window::Week => TimeDelta::days(7),
            Window::Month => TimeDelta::days(30),
        }
    }

    /// Seconds per bucket of the series: 5 minutes, an hour, a day (UTC).
    pub fn bucket_s(self) -> i64 {
        match self {
            Window::Hour => 300,
            Window::Day => 3_600,
            Window::Week | Window::Month => 86_400,
        }
    }
}

/// What the top list ranks tenants by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Database connection time of the tenant's requests in the window, in seconds.
    DbTime,
    /// Tenant API requests in the window.
    Requests,
    /// Schema size in bytes, as last measured (the window does not apply).
    Storage,
    /// Events tracked this calendar month, as last counted (the window does not apply).
    Events,
}

impl Measure {
    pub const ALL: [(Measure, &'static str); 4] = [
        (Measure::DbTime, "db_time"),
        (Measure::Requests, "requests"),
        (Measure::Storage, "storage"),
        (Measure::Events, "events"),
    ];

    pub fn parse(raw: Option<&str>) -> Result<Self> {
        let raw = raw.unwrap_or_default();
        Self::ALL
            .iter()
            .find(|(_, s)| *s == raw)
            .map(|(m, _)| *m)
            .ok_or_else(|| one_of("by", &Self::ALL.map(|(_, s)| s)))
    }

    /// What `value` counts.
    pub fn unit(self) -> &'static str {
        match self {
            Measure::DbTime => "seconds",
            Measure::Requests => "requests",
            Measure::Storage => "bytes",
            Measure::Events => "events",
        }
    }
}

fn one_of(field: &str, allowed: &[&str]) -> DomainError {
    let all = allowed.join(", ");
    ValidationError::coded(field, "one_of", format!("{field} must be one of {all}"))
        .param("allowed", all)
        .into()
}

/// Where a figure comes from, and whether it could be read: a figure from a source that
/// could not be read is null, never zero.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Source {
    /// `clickhouse` (requests, latency, database time) or `samples` (the control plane's
    /// storage and rows-written measurements).
    pub name: String,
    pub available: bool,
    /// Why it is unavailable.
    pub note: Option<String>,
}

impl Source {
    fn ok(name: &str) -> Self {
        Source {
            name: name.into(),
            available: true,
            note: None,
        }
    }

    fn unavailable(name: &str, note: &str) -> Self {
        Source {
            name: name.into(),
            available: false,
            note: Some(note.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_measures_parse_their_names_only() {
        assert_eq!(Window::parse(None).ok(), Some(Window::Day));
        assert_eq!(Window::parse(Some("7d")).ok(), Some(Window::Week));
        assert_eq!(Window::Month.as_str(), "30d");
        assert!(Window::parse(Some("2h")).is_err());
        assert_eq!(Measure::parse(Some("db_time")).ok(), Some(Measure::DbTime));
        assert!(Measure::parse(None).is_err());
    }
}

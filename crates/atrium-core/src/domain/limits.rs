//! What a tenant may use: its plan's limits, changed field by field by an operator's
//! overrides. The data plane enforces the first five per API process; the control plane
//! measures storage and events and sets the tenant's over-quota flags.

use serde::{Deserialize, Serialize};

use super::{Result, ValidationError};

/// One tenant's limits. Every field has a range ([`Limits::RANGES`]) that both the
/// configuration (plan defaults) and the operator's overrides must keep to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Limits {
    /// Connections of an API process's pool the tenant holds at once (never more than
    /// `api.fair.max_share_percent` of the pool).
    pub max_connections: u32,
    /// Requests waiting for one of those connections; beyond this, 429 at once.
    pub queue_length: u32,
    /// Sustained requests per second per API process (the token bucket's refill).
    pub requests_per_second: u32,
    /// Requests allowed at once above the sustained rate (the bucket's size).
    pub burst: u32,
    /// Milliseconds of database connection time per rolling minute per API process.
    /// Over it, or spent faster than its pace over the last 20 s, the tenant's concurrency
    /// drops to one; over twice it, requests are refused.
    pub db_ms_per_minute: u32,
    /// Bytes of tables and indexes in the tenant's schema; over it, writes get 403.
    pub storage_bytes: u64,
    /// Analytics events tracked per calendar month (UTC); over it, `/events` gets 429.
    pub events_per_month: u64,
}

/// An operator's changes to a tenant's plan limits: a field left out keeps the plan's
/// value. Stored as `atrium_control.tenants.limit_overrides` (jsonb).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_ms_per_minute: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_per_month: Option<u64>,
}

impl Limits {
    /// The allowed range of each field, by name.
    pub const RANGES: [(&'static str, u64, u64); 7] = [
        ("max_connections", 1, 64),
        ("queue_length", 0, 10_000),
        ("requests_per_second", 1, 100_000),
        ("burst", 1, 1_000_000),
        ("db_ms_per_minute", 100, 3_600_000),
        ("storage_bytes", 1 << 20, 1 << 50),
        ("events_per_month", 0, 1 << 40),
    ];

    fn values(&self) -> [u64; 7] {
        [
            self.max_connections.into(),
            self.queue_length.into(),
            self.requests_per_second.into(),
            self.burst.into(),
            self.db_ms_per_minute.into(),
            self.storage_bytes,
            self.events_per_month,
        ]
    }

    /// Every field inside its range; `field` prefixes the name in the error.
    pub fn validate(&self, field: &str) -> Result<()> {
        check(field, Self::RANGES.iter().zip(self.values().map(Some)))
    }

    /// These limits with the overrides applied.
    pub fn with(&self, o: &LimitOverrides) -> Limits {
        Limits {
            max_connections: o.max_connections.unwrap_or(self.max_connections),
            queue_length: o.queue_length.unwrap_or(self.queue_length),
            requests_per_second: o.requests_per_second.unwrap_or(self.requests_per_second),
            burst: o.burst.unwrap_or(self.burst),
            db_ms_per_minute: o.db_ms_per_minute.unwrap_or(self.db_ms_per_minute),
            storage_bytes: o.storage_bytes.unwrap_or(self.storage_bytes),
            events_per_month: o.events_per_month.unwrap_or(self.events_per_month),
        }
    }
}

impl LimitOverrides {
    fn values(&self) -> [Option<u64>; 7] {
        [
            self.max_connections.map(u64::from),
            self.queue_length.map(u64::from),
            self.requests_per_second.map(u64::from),
            self.burst.map(u64::from),
            self.db_ms_per_minute.map(u64::from),
            self.storage_bytes,
            self.events_per_month,
        ]
    }

    /// Each given field inside its range (422 naming it otherwise).
    pub fn validate(&self, field: &str) -> Result<()> {
        check(field, Limits::RANGES.iter().zip(self.values()))
    }

    pub fn is_empty(&self) -> bool {
        self.values().iter().all(Option::is_none)
    }
}

fn check<'a>(
    prefix: &str,
    fields: impl Iterator<Item = (&'a (&'static str, u64, u64), Option<u64>)>,
) -> Result<()> {
    for (&(name, min, max), value) in fields {
        if let Some(v) = value.filter(|v| !(min..=max).contains(v)) {
            let field = format!("{prefix}.{name}");
            let message = format!("must be between {min} and {max} (got {v})");
            return Err(ValidationError::coded(&field, "range", message)
                .param("min", min as i64)
                .param("max", max as i64)
                .into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRO: Limits = Limits {
        max_connections: 4,
        queue_length: 32,
        requests_per_second: 150,
        burst: 300,
        db_ms_per_minute: 60_000,
        storage_bytes: 5 << 30,
        events_per_month: 5_000_000,
    };

    #[test]
    fn overrides_replace_only_the_fields_they_name() {
        let o: LimitOverrides =
            serde_json::from_str(r#"{"max_connections": 8, "burst": 20}"#).expect("json");
        let l = PRO.with(&o);
        assert_eq!((l.max_connections, l.burst), (8, 20));
        assert_eq!(l.requests_per_second, 150);
        assert!(LimitOverrides::default().is_empty() && !o.is_empty());
        assert_eq!(PRO.with(&LimitOverrides::default()), PRO);
    }

    #[test]
    fn out_of_range_and_unknown_fields_are_refused() {
        let o = LimitOverrides {
            max_connections: Some(0),
            ..Default::default()
        };
        let e = o.validate("limits").expect_err("0 connections");
        assert!(e.to_string().contains("max_connections"), "{e}");
        assert!(PRO.validate("plans.pro").is_ok());
        assert!(serde_json::from_str::<LimitOverrides>(r#"{"cpu": 1}"#).is_err());
    }
}

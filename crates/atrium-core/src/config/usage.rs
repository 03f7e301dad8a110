//! How often the control plane measures what each tenant uses (`control.usage`): schema
//! size and rows written from PostgreSQL, events this month from ClickHouse. The quota
//! flags the data plane enforces are set from these measurements, so an interval is also
//! how long a tenant can overshoot a quota before it is refused.

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct UsageConfig {
    /// Seconds between measurements of every live tenant's schema size and rows written
    /// (default 300). Each one stats every relation's files, so not much more often.
    pub storage_interval_s: u64,
    /// Seconds between counts of every tenant's events this month in ClickHouse (default 60).
    pub events_interval_s: u64,
    /// Days of samples kept for the usage series (default 30, the longest window).
    pub retain_days: u32,
    /// How long one tenant's measurement waits for a lock (a migration holds one) before
    /// that tenant is skipped until the next pass, in ms (default 2000).
    pub lock_timeout_ms: u64,
}

impl Default for UsageConfig {
    fn default() -> Self {
        Self {
            storage_interval_s: 300,
            events_interval_s: 60,
            retain_days: 30,
            lock_timeout_ms: 2_000,
        }
    }
}

impl UsageConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(format!("control.usage: {m}")));
        if !(1..=86_400).contains(&self.storage_interval_s) {
            return bad("storage_interval_s must be between 1 and 86400");
        }
        if !(1..=86_400).contains(&self.events_interval_s) {
            return bad("events_interval_s must be between 1 and 86400");
        }
        // The usage endpoint's longest window is 30 days: fewer days would leave it short.
        if !(30..=3_650).contains(&self.retain_days) {
            return bad("retain_days must be between 30 and 3650");
        }
        if !(10..=60_000).contains(&self.lock_timeout_ms) {
            return bad("lock_timeout_ms must be between 10 and 60000");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_intervals_are_bounded() {
        let mut u = UsageConfig::default();
        assert!(u.validate().is_ok());
        u.storage_interval_s = 0;
        assert!(u.validate().is_err());
        u = UsageConfig {
            retain_days: 7,
            ..Default::default()
        };
        assert!(u.validate().is_err());
    }
}

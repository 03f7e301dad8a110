//! Each plan's limits (`plans.<plan>.<field>`, read by the API and the control plane),
//! and how an API process enforces them (`api.fair`). docs/noisy-neighbours.md explains
//! the layers.

use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::domain::{Limits, Plan};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlansConfig {
    pub free: Limits,
    pub pro: Limits,
    pub enterprise: Limits,
}

impl PlansConfig {
    pub fn of(&self, plan: Plan) -> &Limits {
        match plan {
            Plan::Free => &self.free,
            Plan::Pro => &self.pro,
            Plan::Enterprise => &self.enterprise,
        }
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for &plan in Plan::ALL {
            self.of(plan)
                .validate(&format!("plans.{plan}"))
                .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        }
        Ok(())
    }
}

impl Default for PlansConfig {
    fn default() -> Self {
        const MIB: u64 = 1 << 20;
        Self {
            free: Limits {
                max_connections: 2,
                queue_length: 16,
                requests_per_second: 50,
                burst: 100,
                db_ms_per_minute: 15_000,
                storage_bytes: 100 * MIB,
                events_per_month: 100_000,
            },
            pro: Limits {
                max_connections: 4,
                queue_length: 128,
                requests_per_second: 500,
                burst: 1_000,
                db_ms_per_minute: 120_000,
                storage_bytes: 5 * 1024 * MIB,
                events_per_month: 5_000_000,
            },
            enterprise: Limits {
                max_connections: 8,
                queue_length: 256,
                requests_per_second: 2_000,
                burst: 4_000,
                db_ms_per_minute: 240_000,
                storage_bytes: 50 * 1024 * MIB,
                events_per_month: 50_000_000,
            },
        }
    }
}

/// How one API process shares its pool and its time between tenants.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FairConfig {
    /// Off: no connection shares, rate limits or database-time budgets (the headers are
    /// still sent). For comparison runs (`scripts/bench noisy`), never production.
    pub enabled: bool,
    /// How long a request waits in its tenant's queue for a connection share, in ms,
    /// before a 429 `tenant_busy`. Shorter than `api.pool.wait_timeout_ms`.
    pub queue_wait_ms: u64,
    /// No tenant's share is more than this percentage of the pool (at least one connection).
    pub max_share_percent: u32,
    /// Tenants whose queues and buckets are kept; the least used are forgotten beyond it.
    pub tracked_tenants: u64,
}

impl Default for FairConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            queue_wait_ms: 1_000,
            max_share_percent: 50,
            tracked_tenants: 100_000,
        }
    }
}

impl FairConfig {
    pub(super) fn validate(&self, pool_wait_ms: u64) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(format!("api.fair: {m}")));
        if self.queue_wait_ms == 0 || self.queue_wait_ms >= pool_wait_ms {
            return bad("queue_wait_ms must be positive and shorter than api.pool.wait_timeout_ms");
        }
        if !(1..=50).contains(&self.max_share_percent) {
            return bad("max_share_percent must be between 1 and 50");
        }
        if !(1..=10_000_000).contains(&self.tracked_tenants) {
            return bad("tracked_tenants must be between 1 and 10000000");
        }
        Ok(())
    }

    /// A tenant's share of a pool of `pool_size`: its plan's connections, capped.
    pub fn share(&self, limits: &Limits, pool_size: usize) -> usize {
        let cap = pool_size * self.max_share_percent as usize / 100;
        (limits.max_connections as usize).min(cap).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_share_is_more_than_half_the_pool() {
        let fair = FairConfig::default();
        let plans = PlansConfig::default();
        assert_eq!(fair.share(&plans.enterprise, 4), 2);
        assert_eq!(fair.share(&plans.free, 16), 2);
        assert_eq!(fair.share(&plans.enterprise, 1), 1);
        assert!(plans.validate().is_ok());
        assert!(fair.validate(2_000).is_ok() && fair.validate(1_000).is_err());
    }
}

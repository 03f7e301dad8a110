//! How the control plane picks a cluster for a new tenant (`control.placement`,
//! docs/scale-out.md): among the open clusters with room, the one this policy ranks
//! first. A tenant provisioned with a named cluster skips the choice.

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlacementPolicy {
    /// The cluster least full by its hints: the larger of its tenant count over
    /// `max_tenants` and its size over `max_bytes`.
    Headroom,
    /// The cluster with the fewest live tenants.
    Tenants,
    /// The cluster whose tenants take the least space.
    Bytes,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PlacementConfig {
    pub policy: PlacementPolicy,
    /// A cluster registered without `max_tenants` takes at most this many (default 10000).
    pub default_max_tenants: i32,
}

impl Default for PlacementConfig {
    fn default() -> Self {
        Self {
            policy: PlacementPolicy::Headroom,
            default_max_tenants: 10_000,
        }
    }
}

impl PlacementConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=10_000_000).contains(&self.default_max_tenants) {
            return Err(ConfigError::Invalid(
                "control.placement: default_max_tenants must be between 1 and 10000000".into(),
            ));
        }
        Ok(())
    }
}

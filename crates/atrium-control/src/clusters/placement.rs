//! Which cluster a new tenant goes to: the one named, or the open cluster with the most
//! room by the configured policy (docs/scale-out.md, "Placement").

use atrium_core::{
    config::{PlacementConfig, PlacementPolicy},
    domain::{ClusterName, ClusterState, DomainError, Result, Tier, HOME_CLUSTER},
};
use tokio_postgres::GenericClient;

use super::{all, get, Cluster};

/// Serializes placements, so two tenants provisioned at once never both take a
/// cluster's last place (a dedicated cluster's one, above all).
pub(crate) const PLACEMENT_LOCK_KEY: i64 = 0x4154_5249_554d_0003;

/// Chooses, in the caller's transaction (which should go on to register the tenant),
/// the cluster for a new tenant of `tier`.
pub(crate) async fn choose<C: GenericClient>(
    db: &C,
    cfg: &PlacementConfig,
    named: Option<&ClusterName>,
    tier: Tier,
) -> Result<String> {
    db.execute("SELECT pg_advisory_xact_lock($1)", &[&PLACEMENT_LOCK_KEY])
        .await?;
    if let Some(name) = named {
        let cluster = get(db, name).await?;
        if tier == Tier::Pooled && !name.is_home() {
            return Err(pooled_on_home_only());
        }
        if cluster.state != ClusterState::Open {
            return Err(DomainError::conflict(
                "cluster_not_open",
                format!(
                    "cluster '{}' is {} and takes no new tenants",
                    cluster.name, cluster.state
                ),
            ));
        }
        if !has_room(&cluster, cfg) {
            return Err(DomainError::conflict(
                "cluster_full",
                format!("cluster '{}' is at its capacity hints", cluster.name),
            ));
        }
        return Ok(cluster.name);
    }
    let clusters = all(db).await?;
    let candidates = clusters.iter().filter(|c| {
        c.state == ClusterState::Open
            && !c.dedicated
            && has_room(c, cfg)
            // Pools live on home for now: a pooled tenant goes there.
            && (tier == Tier::Schema || c.name == HOME_CLUSTER)
    });
    // Ties go to the first in the list: home, then by name.
    let best = candidates.min_by(|a, b| {
        fill(a, cfg)
            .partial_cmp(&fill(b, cfg))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    best.map(|c| c.name.clone()).ok_or_else(|| {
        DomainError::conflict(
            "no_cluster_with_room",
            "no open cluster has room for another tenant: add a cluster, open a drained one, \
             or raise a cluster's capacity hints",
        )
    })
}

fn pooled_on_home_only() -> DomainError {
    DomainError::conflict(
        "pooled_on_home_only",
        "pooled tenants live in the home cluster's pools; choose the schema tier to place a \
         tenant on another cluster",
    )
}

fn max_tenants(c: &Cluster, cfg: &PlacementConfig) -> i64 {
    let own = if c.dedicated { Some(1) } else { c.max_tenants };
    i64::from(own.unwrap_or(cfg.default_max_tenants))
}

fn has_room(c: &Cluster, cfg: &PlacementConfig) -> bool {
    c.tenants < max_tenants(c, cfg) && c.max_bytes.is_none_or(|max| c.bytes < max)
}

/// How full the cluster is by the policy: lower is emptier.
fn fill(c: &Cluster, cfg: &PlacementConfig) -> f64 {
    let by_count = c.tenants as f64 / max_tenants(c, cfg) as f64;
    match cfg.policy {
        PlacementPolicy::Tenants => c.tenants as f64,
        PlacementPolicy::Bytes => c.bytes as f64,
        PlacementPolicy::Headroom => match c.max_bytes {
            Some(max) => by_count.max(c.bytes as f64 / max as f64),
            None => by_count,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn cluster(
        name: &str,
        tenants: i64,
        bytes: i64,
        max_tenants: Option<i32>,
        max_bytes: Option<i64>,
    ) -> Cluster {
        Cluster {
            name: name.into(),
            control_url_ref: None,
            api_url_ref: None,
            state: ClusterState::Open,
            max_tenants,
            max_bytes,
            dedicated: false,
            prepared_statements: true,
            tenants,
            bytes,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn headroom_weighs_the_fuller_of_count_and_size() {
        let cfg = PlacementConfig::default();
        // Few tenants but nearly out of space is fuller than many tenants with room.
        let small_but_full = cluster("a", 10, 900, Some(100), Some(1000));
        let busy_with_room = cluster("b", 50, 100, Some(100), Some(1000));
        assert!(fill(&small_but_full, &cfg) > fill(&busy_with_room, &cfg));
        let tenants = PlacementConfig {
            policy: PlacementPolicy::Tenants,
            ..cfg.clone()
        };
        assert!(fill(&small_but_full, &tenants) < fill(&busy_with_room, &tenants));
    }

    #[test]
    fn a_cluster_at_a_hint_has_no_room_and_a_dedicated_one_takes_one() {
        let cfg = PlacementConfig::default();
        assert!(!has_room(&cluster("a", 100, 0, Some(100), None), &cfg));
        assert!(!has_room(&cluster("a", 1, 1000, None, Some(1000)), &cfg));
        assert!(has_room(&cluster("a", 9_999, 0, None, None), &cfg));
        let mut d = cluster("d", 0, 0, None, None);
        d.dedicated = true;
        assert!(has_room(&d, &cfg));
        d.tenants = 1;
        assert!(!has_room(&d, &cfg));
    }
}

//! The PostgreSQL schemas the control plane owns and applies: its own registry
//! (`atrium_control`) and every tenant's schema. Listed by hand so a reader sees the
//! whole history in one place; a unit test keeps the list and the directory in step.

use atrium_core::migrations::Migration;

/// `atrium_control`: tenants, keys, audit, operators.
pub const CONTROL: &[Migration] = &[
    Migration::new(
        1,
        "registry",
        include_str!("../migrations/control/0001_registry.sql"),
    ),
    Migration::new(
        2,
        "analytics_purge",
        include_str!("../migrations/control/0002_analytics_purge.sql"),
    ),
    Migration::new(
        3,
        "operator_sessions",
        include_str!("../migrations/control/0003_operator_sessions.sql"),
    ),
    Migration::new(
        4,
        "limits_usage",
        include_str!("../migrations/control/0004_limits_usage.sql"),
    ),
    Migration::new(
        5,
        "tiers",
        include_str!("../migrations/control/0005_tiers.sql"),
    ),
    Migration::new(
        6,
        "moves",
        include_str!("../migrations/control/0006_moves.sql"),
    ),
    Migration::new(
        7,
        "placement_state",
        include_str!("../migrations/control/0007_placement_state.sql"),
    ),
    Migration::new(
        8,
        "clusters",
        include_str!("../migrations/control/0008_clusters.sql"),
    ),
    Migration::new(
        9,
        "moves_across",
        include_str!("../migrations/control/0009_moves_across.sql"),
    ),
    Migration::new(
        10,
        "cluster_statements",
        include_str!("../migrations/control/0010_cluster_statements.sql"),
    ),
];

/// Each tenant's schema, applied with `search_path` set to it.
pub const TENANT: &[Migration] = &[
    Migration::new(1, "crm", include_str!("../migrations/tenant/0001_crm.sql")),
    Migration::new(
        2,
        "users",
        include_str!("../migrations/tenant/0002_users.sql"),
    ),
    Migration::new(
        3,
        "notes_settings",
        include_str!("../migrations/tenant/0003_notes_settings.sql"),
    ),
    Migration::new(
        4,
        "team",
        include_str!("../migrations/tenant/0004_team.sql"),
    ),
    Migration::new(
        5,
        "stage_entry_ids",
        include_str!("../migrations/tenant/0005_stage_entry_ids.sql"),
    ),
];

/// Each pool schema of the pooled tier, applied with `search_path` set to it. Version for
/// version, the same tables as [`TENANT`] with `tenant_id` in front, so a tenant's rows
/// fit either placement (a move copies them across).
pub const POOL: &[Migration] = &[
    Migration::new(1, "crm", include_str!("../migrations/pool/0001_crm.sql")),
    Migration::new(
        2,
        "users",
        include_str!("../migrations/pool/0002_users.sql"),
    ),
    Migration::new(
        3,
        "notes_settings",
        include_str!("../migrations/pool/0003_notes_settings.sql"),
    ),
    Migration::new(4, "team", include_str!("../migrations/pool/0004_team.sql")),
    Migration::new(
        5,
        "stage_entry_ids",
        include_str!("../migrations/pool/0005_stage_entry_ids.sql"),
    ),
];

#[cfg(test)]
mod tests {
    use std::path::Path;

    use atrium_core::migrations::check_set;

    use super::*;

    #[test]
    fn sets_match_their_directories() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        check_set(CONTROL, &dir.join("control")).expect("control");
        check_set(TENANT, &dir.join("tenant")).expect("tenant");
        check_set(POOL, &dir.join("pool")).expect("pool");
    }

    #[test]
    fn the_pool_set_keeps_step_with_the_tenant_set() {
        let versions =
            |set: &[Migration]| set.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(versions(POOL), versions(TENANT));
    }

    #[test]
    fn await_placement_waits_on_the_locks_the_data_plane_takes() {
        use atrium_core::db::placement::{FREEZE_LOCKS, PLACEMENT_LOCKS};
        let sql = CONTROL
            .iter()
            .find(|m| m.name == "moves")
            .expect("moves")
            .sql;
        for key in [FREEZE_LOCKS, PLACEMENT_LOCKS] {
            assert!(sql.contains(&format!("({key}, ")), "{key} missing");
        }
    }
}

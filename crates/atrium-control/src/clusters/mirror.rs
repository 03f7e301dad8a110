//! Each cluster's copies of its tenants' registry rows (docs/scale-out.md, "What each
//! cluster knows"). A tenant transaction that cannot take its placement lock asks its own
//! cluster where the tenant is (`atrium_control.await_placement`), never home: so the
//! row it reads there is written by the control plane in the same transaction as the
//! change it describes on that cluster (the schema made, migrated, dropped).

use atrium_core::domain::{Result, TenantState, HOME_CLUSTER};
use tokio_postgres::GenericClient;
use uuid::Uuid;

use crate::registry::Tenant;

/// Writes `t` as the copy of the tenant's row on cluster `on`, in the caller's
/// transaction there. Only what the slow way in and a rerun of an interrupted step read
/// is kept up to date: placement, state and migration version. On home it does nothing:
/// the row there is the registry's own, which only its owners change.
pub(crate) async fn write<C: GenericClient>(cluster: &C, on: &str, t: &Tenant) -> Result<()> {
    if on == HOME_CLUSTER {
        return Ok(());
    }
    cluster
        .execute(
            "INSERT INTO atrium_control.clusters (name) VALUES ($1) ON CONFLICT DO NOTHING",
            &[&t.cluster_id],
        )
        .await?;
    cluster
        .execute(
            "INSERT INTO atrium_control.tenants
                 (id, slug, display_name, plan, state, schema_name, role_name, cluster_id,
                  statement_timeout_ms, migration_version, tier, pool_name)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state,
                 schema_name = EXCLUDED.schema_name, role_name = EXCLUDED.role_name,
                 cluster_id = EXCLUDED.cluster_id, migration_version = EXCLUDED.migration_version,
                 tier = EXCLUDED.tier, pool_name = EXCLUDED.pool_name, updated_at = now()",
            &[
                &t.id,
                &t.slug,
                &t.display_name,
                &t.plan,
                &t.state,
                &t.schema_name,
                &t.role_name,
                &t.cluster_id,
                &t.statement_timeout_ms,
                &t.migration_version,
                &t.tier,
                &t.pool_name,
            ],
        )
        .await?;
    Ok(())
}

/// The cluster's copy of the tenant's state and migration version, if it has one.
pub(crate) async fn read<C: GenericClient>(
    cluster: &C,
    id: Uuid,
) -> Result<Option<(TenantState, i32)>> {
    Ok(cluster
        .query_opt(
            "SELECT state, migration_version FROM atrium_control.tenants WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?
        .map(|r| (r.get(0), r.get(1))))
}

/// Removes the copy of the tenant's row on cluster `on` (a move that never reached it).
/// Never on home, where the row is the registry's.
pub(crate) async fn forget<C: GenericClient>(cluster: &C, on: &str, id: Uuid) -> Result<()> {
    if on == HOME_CLUSTER {
        return Ok(());
    }
    cluster
        .execute("DELETE FROM atrium_control.tenants WHERE id = $1", &[&id])
        .await?;
    Ok(())
}

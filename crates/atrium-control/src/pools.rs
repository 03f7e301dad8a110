//! The pooled tier's pool schemas (`pool_01`, `pool_02`, ...): made when a pooled tenant
//! needs room, each with its NOLOGIN role, and migrated as a whole (docs/isolation-tiers.md).

use atrium_core::{
    domain::Result,
    migrations::{self, Migration},
    tenancy::{quote_ident, Pool},
};
use tokio_postgres::GenericClient;

use crate::{provision, Control};

/// Serializes choosing and making pools, so two provisionings never make the same one,
/// and placing a tenant with migrating its pool, so it is recorded at the pool's version.
pub(crate) const POOL_LOCK_KEY: i64 = 0x4154_5249_554d_0002;

/// Live tenants a pool takes before the next one is made.
pub const TENANTS_PER_POOL: i64 = 5_000;

impl Control {
    /// A pool with room for one more tenant, made (with its role, grants and the whole
    /// pool set) if every pool is full. Call it in the transaction that places the
    /// tenant: the lock it takes holds until then, and a crash undoes a half-made pool.
    pub(crate) async fn pool_with_room<C: GenericClient>(
        &self,
        tx: &C,
        set: &[Migration],
    ) -> Result<Pool> {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&POOL_LOCK_KEY])
            .await?;
        let rows = tx
            .query(
                "SELECT p.name, (SELECT count(*) FROM atrium_control.tenants t
                                 WHERE t.pool_name = p.name AND t.state <> 'deleted')
                 FROM atrium_control.pools p ORDER BY p.name",
                &[],
            )
            .await?;
        let pools: Vec<(Pool, i64)> = rows
            .iter()
            .filter_map(|r| Pool::parse(r.get(0)).map(|p| (p, r.get(1))))
            .collect();
        if let Some((pool, _)) = pools.iter().find(|(_, n)| *n < TENANTS_PER_POOL) {
            return Ok(*pool);
        }
        let next = match pools.last() {
            None => Some(Pool::FIRST),
            Some((last, _)) => last.next(),
        }
        .ok_or_else(|| anyhow::anyhow!("every pool schema is full"))?;
        self.make_pool(tx, next, set).await?;
        Ok(next)
    }

    async fn make_pool<C: GenericClient>(
        &self,
        tx: &C,
        pool: Pool,
        set: &[Migration],
    ) -> Result<()> {
        let name = pool.schema_name();
        let role_name = pool.role_name(&self.config.role_prefix);
        let (schema, role) = (quote_ident(&name), quote_ident(&role_name));
        tx.execute(
            "INSERT INTO atrium_control.pools (name, role_name) VALUES ($1, $2)",
            &[&name, &role_name],
        )
        .await?;
        tx.batch_execute(&format!("CREATE SCHEMA {schema}")).await?;
        tx.execute("SELECT atrium_roles.create_tenant_role($1)", &[&role_name])
            .await?;
        provision::grant_rows(tx, &schema, &role).await?;
        crate::migrate::record_pool_checksums(tx, set).await?;
        provision::apply_in(tx, &schema, set).await?;
        tx.execute(
            "UPDATE atrium_control.pools SET migration_version = $2 WHERE name = $1",
            &[&name, &migrations::latest(set)],
        )
        .await?;
        tracing::info!(pool = %name, "made a pool schema for the pooled tier");
        Ok(())
    }
}

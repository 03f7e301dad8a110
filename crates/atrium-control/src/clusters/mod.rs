//! The PostgreSQL clusters tenants are placed on (docs/scale-out.md): the registry of
//! them, the choice of one for a new tenant, and the copies of tenant rows each cluster
//! keeps for its own tenants' slow way in.

mod admin;
pub(crate) mod mirror;
mod placement;

pub use admin::{ClusterChange, NewCluster};
pub(crate) use placement::choose;

use atrium_core::domain::{ClusterName, ClusterState, DomainError, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::{GenericClient, Row};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cluster {
    /// `local` is the home cluster: the configured one, which holds the registry.
    pub name: String,
    /// Where the control plane's connection URL comes from: `env:NAME` or `file:/path`
    /// in the control plane's environment. None for the home cluster.
    pub control_url_ref: Option<String>,
    /// The same for the data plane's URL, resolved in each API process's environment.
    pub api_url_ref: Option<String>,
    pub state: ClusterState,
    /// Placement stops choosing the cluster at this many live tenants. None: the
    /// configured default (`control.placement.default_max_tenants`).
    pub max_tenants: Option<i32>,
    /// Placement stops choosing the cluster once its tenants' measured size reaches this.
    pub max_bytes: Option<i64>,
    /// Holds one tenant, named when it was provisioned: the dedicated-database tier.
    pub dedicated: bool,
    /// Whether the data plane keeps prepared statements on the cluster's connections;
    /// false behind a pooler in transaction mode. Home's is configured
    /// (`api.pool.prepared_statements`), and shown here as the registry's default.
    pub prepared_statements: bool,
    /// Live tenants placed on it (provisioning, active, suspended, deleting).
    pub tenants: i64,
    /// Their size at the usage sampler's last measurement.
    pub bytes: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const CLUSTER_SELECT: &str = "SELECT c.name, c.control_url_ref, c.api_url_ref, c.state,
        c.max_tenants, c.max_bytes, c.dedicated, c.prepared_statements, c.created_at, c.updated_at,
        count(t.id) AS tenants, coalesce(sum(t.storage_bytes), 0)::bigint AS bytes
     FROM atrium_control.clusters c
     LEFT JOIN atrium_control.tenants t ON t.cluster_id = c.name AND t.state <> 'deleted'";

impl From<&Row> for Cluster {
    fn from(r: &Row) -> Self {
        Self {
            name: r.get("name"),
            control_url_ref: r.get("control_url_ref"),
            api_url_ref: r.get("api_url_ref"),
            state: r.get("state"),
            max_tenants: r.get("max_tenants"),
            max_bytes: r.get("max_bytes"),
            dedicated: r.get("dedicated"),
            prepared_statements: r.get("prepared_statements"),
            tenants: r.get("tenants"),
            bytes: r.get("bytes"),
            created_at: r.get("created_at"),
            updated_at: r.get("updated_at"),
        }
    }
}

/// Every cluster, home first, then by name.
pub(crate) async fn all<C: GenericClient>(db: &C) -> Result<Vec<Cluster>> {
    let sql = format!("{CLUSTER_SELECT} GROUP BY c.name ORDER BY c.name <> 'local', c.name");
    Ok(db
        .query(&sql, &[])
        .await?
        .iter()
        .map(Cluster::from)
        .collect())
}

/// One cluster by its (validated) name.
pub(crate) async fn get<C: GenericClient>(db: &C, name: &ClusterName) -> Result<Cluster> {
    let sql = format!("{CLUSTER_SELECT} WHERE c.name = $1 GROUP BY c.name");
    db.query_opt(&sql, &[&name.as_str()])
        .await?
        .map(|r| Cluster::from(&r))
        .ok_or(DomainError::NotFound("cluster"))
}

impl crate::Control {
    pub async fn list_clusters(&self) -> Result<Vec<Cluster>> {
        let conn = self.pool.get().await?;
        all(&**conn).await
    }

    pub async fn get_cluster(&self, name: &str) -> Result<Cluster> {
        let name = ClusterName::parse("name", name)?;
        let conn = self.pool.get().await?;
        get(&**conn, &name).await
    }

    /// The control plane's URL for `cluster`: home's configured one, or another's
    /// reference resolved now.
    pub(crate) async fn control_url_of(&self, cluster: &str) -> Result<secrecy::SecretString> {
        if cluster == atrium_core::domain::HOME_CLUSTER {
            return Ok(self.config.database_url.clone());
        }
        let reference = self
            .clusters
            .reference(cluster)
            .await?
            .ok_or(DomainError::NotFound("cluster"))?;
        atrium_core::secret_ref::SecretRef::parse(&reference)
            .and_then(|r| r.resolve())
            .map_err(|e| {
                DomainError::unavailable("cluster_unreachable", format!("cluster {cluster}: {e}"))
            })
    }

    /// The pool of the cluster holding `cluster`'s tenants (home's for `local`).
    pub async fn db_of(&self, cluster: &str) -> Result<deadpool_postgres::Pool> {
        Ok(self.clusters.get(cluster).await?)
    }
}

/// One cluster's control migrations, as `atrium migrate` reports them.
#[derive(Debug, Serialize)]
pub struct ClusterMigrated {
    pub cluster: String,
    /// Control migrations applied by this run.
    pub applied: Vec<i32>,
    /// Why the cluster could not be migrated; the others went on.
    pub error: Option<String>,
}

impl crate::Control {
    /// Brings every other cluster's control schema to home's version, side by side (a
    /// cluster that is down is reported, not waited for). Home's is `migrate_control`.
    pub async fn migrate_clusters(&self) -> Result<Vec<ClusterMigrated>> {
        let clusters = self.list_clusters().await?;
        let runs = clusters
            .into_iter()
            .filter(|c| c.name != atrium_core::domain::HOME_CLUSTER)
            .filter(|c| c.state != ClusterState::Closed)
            .filter_map(|c| Some((c.name, c.control_url_ref?)))
            .map(|(name, reference)| async move {
                let outcome = self.migrate_one_cluster(&reference).await;
                ClusterMigrated {
                    cluster: name,
                    applied: outcome.as_ref().cloned().unwrap_or_default(),
                    error: outcome.err().map(|e| format!("{e:#}")),
                }
            });
        Ok(futures::future::join_all(runs).await)
    }

    async fn migrate_one_cluster(&self, reference: &str) -> anyhow::Result<Vec<i32>> {
        use secrecy::ExposeSecret;
        let url = atrium_core::secret_ref::SecretRef::parse(reference)?.resolve()?;
        Ok(self.migrate_control_at(url.expose_secret()).await?.1)
    }
}

//! An operator's changes to the cluster registry: add, change, drain, open, remove.

use atrium_core::{
    domain::{ClusterName, ClusterState, DomainError, Result},
    secret_ref::SecretRef,
};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::json;
use tokio_postgres::GenericClient;

use super::{get, Cluster};
use crate::{audit_action::Action, registry, Control};

/// The most tenants a cluster's hint may name.
const MAX_TENANTS_HINT: i32 = 10_000_000;

/// A cluster to register. Its database must have been bootstrapped first
/// (`atrium bootstrap` with that cluster's URLs), with the same role names as home's.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCluster {
    /// `[a-z][a-z0-9_]{1,31}`.
    pub name: String,
    /// `env:NAME` or `file:/absolute/path`: where the control plane finds its URL for the
    /// cluster (its DDL-capable role). The URL itself is never sent or stored.
    pub control_url_ref: String,
    /// The same for the data plane's URL, resolved in each API process's environment.
    pub api_url_ref: String,
    /// Placement stops choosing the cluster at this many live tenants.
    #[serde(default)]
    pub max_tenants: Option<i32>,
    /// Placement stops choosing the cluster once its tenants' size reaches this.
    #[serde(default)]
    pub max_bytes: Option<i64>,
    /// One tenant only, named when it is provisioned (`cluster`): the dedicated-database
    /// tier. Placement never chooses it by itself.
    #[serde(default)]
    pub dedicated: bool,
    /// false when `api_url_ref` goes through a pooler in transaction mode (PgBouncer
    /// before 1.21): the data plane then keeps no prepared statement on the server.
    #[serde(default = "yes")]
    pub prepared_statements: bool,
}

fn yes() -> bool {
    true
}

impl Default for NewCluster {
    fn default() -> Self {
        Self {
            name: String::new(),
            control_url_ref: String::new(),
            api_url_ref: String::new(),
            max_tenants: None,
            max_bytes: None,
            dedicated: false,
            prepared_statements: true,
        }
    }
}

/// What an operator may change on a registered cluster.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterChange {
    /// See [`NewCluster::prepared_statements`]: set it to false before a transaction-mode
    /// pooler goes in front of the cluster, and back to true after it is gone. Absent:
    /// nothing changes, and the API processes read the cluster's reference again.
    pub prepared_statements: Option<bool>,
}

struct Checked {
    name: ClusterName,
    control: SecretRef,
    api: SecretRef,
}

impl NewCluster {
    fn check(&self) -> Result<Checked> {
        let name = ClusterName::parse("name", &self.name)?;
        let reference = |field: &str, raw: &str| {
            SecretRef::parse(raw).map_err(|e| DomainError::invalid(field, e.to_string()))
        };
        let control = reference("control_url_ref", &self.control_url_ref)?;
        let api = reference("api_url_ref", &self.api_url_ref)?;
        if let Some(n) = self.max_tenants {
            if !(1..=MAX_TENANTS_HINT).contains(&n) {
                return Err(DomainError::invalid(
                    "max_tenants",
                    format!("max_tenants must be between 1 and {MAX_TENANTS_HINT}"),
                ));
            }
        }
        if self.max_bytes.is_some_and(|b| b <= 0) {
            return Err(DomainError::invalid(
                "max_bytes",
                "max_bytes must be positive",
            ));
        }
        Ok(Checked { name, control, api })
    }
}

impl Control {
    /// Registers a cluster and opens it for new tenants: its database gets the control
    /// schema (migrated like home's) and is claimed under this name, so it can never be
    /// registered twice, nor be home.
    pub async fn add_cluster(&self, req: &NewCluster, actor: &str) -> Result<Cluster> {
        let result = self.add_cluster_checked(req, actor).await;
        if let Err(e) = &result {
            self.audit_cluster_failure(actor, Action::ClusterAdd, &req.name, e)
                .await;
        }
        result
    }

    async fn add_cluster_checked(&self, req: &NewCluster, actor: &str) -> Result<Cluster> {
        let c = req.check()?;
        let conn = self.pool.get().await?;
        if get(&**conn, &c.name).await.is_ok() {
            return Err(DomainError::conflict(
                "cluster_exists",
                format!(
                    "a cluster named '{}' is registered already",
                    c.name.as_str()
                ),
            ));
        }
        let url = c.control.resolve().map_err(|e| {
            DomainError::unavailable("cluster_unreachable", format!("control_url_ref: {e}"))
        })?;
        let (mut remote, connection) =
            atrium_core::db::connect_one(url.expose_secret(), "atrium-cluster-add")
                .await
                .map_err(|e| {
                    DomainError::unavailable(
                        "cluster_unreachable",
                        format!("could not connect to the cluster: {}", connect_reason(&e)),
                    )
                })?;
        tokio::spawn(connection);
        let bootstrapped: bool = remote
            .query_one(
                "SELECT to_regproc('atrium_roles.create_tenant_role') IS NOT NULL",
                &[],
            )
            .await?
            .get(0);
        if !bootstrapped {
            return Err(DomainError::conflict(
                "cluster_not_bootstrapped",
                "the cluster's database has no atrium_roles functions: run `atrium bootstrap` \
                 against it first, with the same role names as the home cluster's",
            ));
        }
        crate::migrate_control_schema(&mut remote, &self.config.api_role).await?;
        claim(&remote, &c.name).await?;

        conn.execute(
            "INSERT INTO atrium_control.clusters
                 (name, control_url_ref, api_url_ref, max_tenants, max_bytes, dedicated,
                  prepared_statements)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &c.name.as_str(),
                &c.control.to_string(),
                &c.api.to_string(),
                &req.max_tenants,
                &req.max_bytes,
                &req.dedicated,
                &req.prepared_statements,
            ],
        )
        .await?;
        let detail = json!({"name": c.name.as_str(), "control_url_ref": c.control.to_string(),
            "api_url_ref": c.api.to_string(), "max_tenants": req.max_tenants,
            "max_bytes": req.max_bytes, "dedicated": req.dedicated,
            "prepared_statements": req.prepared_statements});
        registry::audit(&**conn, actor, Action::ClusterAdd, None, Ok(()), detail).await?;
        get(&**conn, &c.name).await
    }

    /// Stops placing new tenants on the cluster; its tenants stay and are served.
    pub async fn drain_cluster(&self, name: &str, actor: &str) -> Result<Cluster> {
        self.set_cluster_state(name, ClusterState::Draining, actor)
            .await
    }

    /// Places new tenants on the cluster again.
    pub async fn open_cluster(&self, name: &str, actor: &str) -> Result<Cluster> {
        self.set_cluster_state(name, ClusterState::Open, actor)
            .await
    }

    async fn set_cluster_state(
        &self,
        name: &str,
        to: ClusterState,
        actor: &str,
    ) -> Result<Cluster> {
        let name = ClusterName::parse("name", name)?;
        let action = match to {
            ClusterState::Open => Action::ClusterOpen,
            _ => Action::ClusterDrain,
        };
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let cluster = lock(&*tx, &name).await?;
        if cluster.state == to {
            return Ok(cluster);
        }
        if cluster.state == ClusterState::Closed {
            return Err(DomainError::conflict(
                "cluster_closed",
                "the cluster was removed; add it again to use it",
            ));
        }
        tx.execute(
            "UPDATE atrium_control.clusters SET state = $2, updated_at = now() WHERE name = $1",
            &[&name.as_str(), &to],
        )
        .await?;
        let detail = json!({"name": name.as_str(), "from": cluster.state, "to": to});
        registry::audit(&*tx, actor, action, None, Ok(()), detail).await?;
        let cluster = get(&*tx, &name).await?;
        tx.commit().await?;
        Ok(cluster)
    }

    /// Changes how the data plane uses the cluster, or with nothing to change makes the
    /// API processes read its reference again. Either way every API process drops its
    /// pool for it and makes a new one (so a reference that now names a pooler is
    /// followed).
    pub async fn change_cluster(
        &self,
        name: &str,
        change: &ClusterChange,
        actor: &str,
    ) -> Result<Cluster> {
        let name = ClusterName::parse("name", name)?;
        if name.is_home() {
            return Err(DomainError::conflict(
                "home_cluster",
                "the home cluster's data plane is configured: set api.pool.prepared_statements",
            ));
        }
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let cluster = lock(&*tx, &name).await?;
        let prepared = change
            .prepared_statements
            .unwrap_or(cluster.prepared_statements);
        // Announced even with nothing to change: every API process then makes its pool
        // again, reading the reference, which may name a pooler now.
        registry::notify(&*tx, &format!("cluster:{}", name.as_str())).await?;
        if prepared != cluster.prepared_statements {
            tx.execute(
                "UPDATE atrium_control.clusters SET prepared_statements = $2, updated_at = now()
                 WHERE name = $1",
                &[&name.as_str(), &prepared],
            )
            .await?;
            let detail = json!({"name": name.as_str(), "prepared_statements": prepared});
            registry::audit(&*tx, actor, Action::ClusterChange, None, Ok(()), detail).await?;
        }
        let cluster = get(&*tx, &name).await?;
        tx.commit().await?;
        Ok(cluster)
    }

    /// Forgets an empty cluster. One that deleted tenants' tombstones still name stays
    /// listed as `closed` (their history says where they lived); the others go. Every
    /// data plane drops its pool for it.
    pub async fn remove_cluster(&self, name: &str, actor: &str) -> Result<Cluster> {
        let name = ClusterName::parse("name", name)?;
        if name.is_home() {
            return Err(DomainError::conflict(
                "home_cluster",
                "the home cluster holds the registry and cannot be removed",
            ));
        }
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let cluster = lock(&*tx, &name).await?;
        let pools: i64 = tx
            .query_one(
                "SELECT count(*) FROM atrium_control.pools WHERE cluster_id = $1",
                &[&name.as_str()],
            )
            .await?
            .get(0);
        let moves: i64 = tx
            .query_one(
                "SELECT count(*) FROM atrium_control.tenant_moves
                  WHERE state IN ('copying', 'flipped') AND $1 IN (from_cluster, to_cluster)",
                &[&name.as_str()],
            )
            .await?
            .get(0);
        if moves > 0 {
            return Err(DomainError::conflict(
                "cluster_not_empty",
                format!("{moves} moves from or to the cluster are not over yet"),
            ));
        }
        if cluster.tenants > 0 || pools > 0 {
            return Err(DomainError::conflict(
                "cluster_not_empty",
                format!(
                    "the cluster still holds {} tenants and {pools} pools: move them away first",
                    cluster.tenants
                ),
            ));
        }
        let named: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM atrium_control.tenants WHERE cluster_id = $1)",
                &[&name.as_str()],
            )
            .await?
            .get(0);
        if named {
            tx.execute(
                "UPDATE atrium_control.clusters SET state = 'closed', updated_at = now()
                 WHERE name = $1",
                &[&name.as_str()],
            )
            .await?;
        } else {
            tx.execute(
                "DELETE FROM atrium_control.clusters WHERE name = $1",
                &[&name.as_str()],
            )
            .await?;
        }
        registry::notify(&*tx, &format!("cluster:{}", name.as_str())).await?;
        let detail = json!({"name": name.as_str(), "kept_as_closed": named});
        registry::audit(&*tx, actor, Action::ClusterRemove, None, Ok(()), detail).await?;
        tx.commit().await?;
        self.clusters.forget(name.as_str()).await;
        // Its lock connection, if a move ever left it, goes too.
        self.cluster_guards
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name.as_str());
        Ok(Cluster {
            state: ClusterState::Closed,
            ..cluster
        })
    }

    async fn audit_cluster_failure(
        &self,
        actor: &str,
        action: Action,
        name: &str,
        error: &DomainError,
    ) {
        let written = async {
            let conn = self.pool.get().await?;
            let detail = json!({"name": name});
            let reason = error.to_string();
            registry::audit(&**conn, actor, action, None, Err(&reason), detail).await
        };
        if let Err(e) = written.await {
            tracing::warn!(action = action.as_str(), error = %e, "failure not audited");
        }
    }
}

/// The cluster's registry row, locked for the rest of the transaction.
async fn lock<C: GenericClient>(db: &C, name: &ClusterName) -> Result<Cluster> {
    db.query_opt(
        "SELECT 1 FROM atrium_control.clusters WHERE name = $1 FOR UPDATE",
        &[&name.as_str()],
    )
    .await?
    .ok_or(DomainError::NotFound("cluster"))?;
    get(db, name).await
}

/// Marks the database as cluster `name`, or refuses one that is home or another cluster
/// already: two names for one database would place tenants on it twice over.
async fn claim<C: GenericClient>(remote: &C, name: &ClusterName) -> Result<()> {
    remote
        .execute(
            "INSERT INTO atrium_control.this_cluster (name) VALUES ($1)
             ON CONFLICT (only_row) DO NOTHING",
            &[&name.as_str()],
        )
        .await?;
    let is: String = remote
        .query_one("SELECT name FROM atrium_control.this_cluster", &[])
        .await?
        .get(0);
    if is != name.as_str() {
        return Err(DomainError::conflict(
            "cluster_in_use",
            format!("that database is cluster '{is}' already"),
        ));
    }
    Ok(())
}

/// Why a connection failed, without the URL (it holds a password).
fn connect_reason(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

//! One bounded pool per PostgreSQL cluster (docs/scale-out.md), made on first use.
//!
//! The home cluster's pool is the configured one. Another cluster's connection URL is
//! not configured: the registry (`atrium_control.clusters`) names a reference to it
//! (`env:NAME`, `file:/path`), which this process resolves in its own environment. Every
//! pool gets the same share of the process's total (`max_total`, at most `max_size`
//! each), so the connections one process holds stay bounded however many clusters its
//! tenants live on: a new pool shrinks the others, which close idle connections first.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use deadpool_postgres::Pool;
use secrecy::SecretString;
use tokio::sync::Mutex;
use tokio_postgres::types::Type;

use super::{build_pool, DbError};
use crate::{config::PoolConfig, domain::HOME_CLUSTER, secret_ref::SecretRef};

/// Which of a cluster's two URLs a process uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plane {
    /// The data plane's login role (`api_url_ref`).
    Api,
    /// The control plane's DDL-capable role (`control_url_ref`).
    Control,
}

impl Plane {
    /// The reference, and whether the URL's connections may keep prepared statements
    /// (the control plane's URL is PostgreSQL itself, never a transaction pooler).
    fn lookup(self) -> &'static str {
        match self {
            Plane::Api => {
                "SELECT api_url_ref, prepared_statements FROM atrium_control.clusters WHERE name = $1"
            }
            Plane::Control => {
                "SELECT control_url_ref, true FROM atrium_control.clusters WHERE name = $1"
            }
        }
    }
}

pub struct ClusterPools {
    home: Pool,
    plane: Plane,
    cfg: PoolConfig,
    app_name: &'static str,
    /// Connections this process may hold over all of its pools.
    max_total: usize,
    /// Read on every request to a tenant of another cluster: a plain lock, held for a
    /// lookup and never across an await.
    others: RwLock<HashMap<String, Pool>>,
    /// Making a pool reads the registry: one at a time, so two requests never make two.
    making: Mutex<()>,
}

impl ClusterPools {
    pub fn new(home: Pool, plane: Plane, cfg: &PoolConfig, app_name: &'static str) -> Arc<Self> {
        Arc::new(Self {
            max_total: cfg.max_total_size.max(cfg.max_size),
            home,
            plane,
            cfg: cfg.clone(),
            app_name,
            others: RwLock::new(HashMap::new()),
            making: Mutex::new(()),
        })
    }

    /// The home cluster's pool: the registry's, and its own tenants'.
    pub fn home(&self) -> &Pool {
        &self.home
    }

    /// The pool of `cluster`, made now if this is its first use.
    pub async fn get(&self, cluster: &str) -> Result<Pool, DbError> {
        if cluster == HOME_CLUSTER {
            return Ok(self.home.clone());
        }
        if let Some(pool) = self.lookup(cluster) {
            return Ok(pool);
        }
        let _making = self.making.lock().await;
        if let Some(pool) = self.lookup(cluster) {
            return Ok(pool);
        }
        let (url, prepared_statements) = self.url_of(cluster).await?;
        let cfg = PoolConfig {
            prepared_statements,
            ..self.cfg.clone()
        };
        let pool = build_pool(&url, &cfg, self.app_name)
            .map_err(|e| DbError::Cluster(format!("cluster {cluster}: {e}")))?;
        let mut others = self.others.write().unwrap_or_else(|e| e.into_inner());
        others.insert(cluster.to_owned(), pool.clone());
        self.rebalance(&others);
        tracing::info!(
            cluster,
            pools = others.len() + 1,
            "opened a pool for another cluster"
        );
        Ok(pool)
    }

    fn lookup(&self, cluster: &str) -> Option<Pool> {
        let others = self.others.read().unwrap_or_else(|e| e.into_inner());
        others.get(cluster).cloned()
    }

    /// Drops a cluster's pool (its reference changed, or it was removed); the next use
    /// makes it again from the registry.
    pub async fn forget(&self, cluster: &str) {
        let _making = self.making.lock().await;
        let mut others = self.others.write().unwrap_or_else(|e| e.into_inner());
        if let Some(pool) = others.remove(cluster) {
            pool.close();
            self.rebalance(&others);
        }
    }

    /// Every pool with its cluster's name, home first: for gauges and readiness detail.
    pub fn all(&self) -> Vec<(String, Pool)> {
        let others = self.others.read().unwrap_or_else(|e| e.into_inner());
        let mut all = vec![(HOME_CLUSTER.to_owned(), self.home.clone())];
        let mut rest: Vec<_> = others.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        rest.sort_by(|a, b| a.0.cmp(&b.0));
        all.extend(rest);
        all
    }

    fn rebalance(&self, others: &HashMap<String, Pool>) {
        let each = share(self.max_total, self.cfg.max_size, others.len() + 1);
        self.home.resize(each);
        for pool in others.values() {
            pool.resize(each);
        }
    }

    /// The reference the registry holds for this process's URL of `cluster`; None for
    /// a cluster that is not registered (or home, whose URL is configured).
    pub async fn reference(&self, cluster: &str) -> Result<Option<String>, DbError> {
        Ok(self
            .registered(cluster)
            .await?
            .map(|(reference, _)| reference))
    }

    /// The registry's row for `cluster`: its reference and whether its connections may
    /// keep prepared statements. An unnamed statement, so that this works when home's
    /// URL goes through a transaction-mode pooler.
    async fn registered(&self, cluster: &str) -> Result<Option<(String, bool)>, DbError> {
        let conn = self.home.get().await?;
        let rows = conn
            .query_typed(self.plane.lookup(), &[(&cluster, Type::TEXT)])
            .await?;
        // Home's row has no references: its URLs are configured.
        Ok(rows
            .first()
            .and_then(|r| Some((r.get::<_, Option<String>>(0)?, r.get(1)))))
    }

    async fn url_of(&self, cluster: &str) -> Result<(SecretString, bool), DbError> {
        let Some((reference, prepared_statements)) = self.registered(cluster).await? else {
            return Err(DbError::Cluster(format!(
                "cluster {cluster} is not registered"
            )));
        };
        let url = SecretRef::parse(&reference)
            .and_then(|r| r.resolve())
            .map_err(|e| DbError::Cluster(format!("cluster {cluster}: {e}")))?;
        Ok((url, prepared_statements))
    }
}

/// Each pool's size when `pools` share `total` connections, none above `max_each` and
/// none below one.
fn share(total: usize, max_each: usize, pools: usize) -> usize {
    (total / pools.max(1)).clamp(1, max_each.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_share_the_total_and_never_exceed_their_own_bound() {
        assert_eq!(share(64, 16, 1), 16);
        assert_eq!(share(64, 16, 4), 16);
        assert_eq!(share(64, 16, 8), 8);
        assert_eq!(share(64, 16, 100), 1);
        assert_eq!(share(0, 0, 0), 1);
    }
}

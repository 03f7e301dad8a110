//! Which tenants exist and which key belongs to whom, as the data plane sees it.
//!
//! Lookups are cached with a short TTL. The control plane NOTIFYs on every change
//! (payload: a slug, or `key:<sha256 hex>`), and a LISTEN task evicts the entry at once,
//! so a new, suspended or deleted tenant or a revoked key takes effect without a restart.
//! If the LISTEN connection drops, the whole cache is cleared when it comes back, and the
//! TTL bounds staleness meanwhile.

use std::{sync::Arc, time::Duration};

use atrium_core::{
    config::{PlansConfig, PoolConfig},
    db::{clusters::ClusterPools, DbError, TenantScope},
    domain::{LimitOverrides, Limits, Plan, TenantState},
    failover,
};
use deadpool_postgres::Pool;
use futures::StreamExt;
use moka::future::Cache;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use tokio_postgres::types::Type;
use uuid::Uuid;

/// Entries kept at most per cache. Eviction is by frequency as well as recency, so a
/// flood of junk slugs or keys can't push out the tenants that are actually busy.
const MAX_ENTRIES: u64 = 100_000;

/// A pooled tenant is entered through its pool's schema and role; its own names stay
/// reserved for a move to the schema tier.
const TENANT_BY_SLUG: &str = "SELECT t.id, t.slug, t.state, coalesce(p.name, t.schema_name),
            coalesce(p.role_name, t.role_name), t.statement_timeout_ms, t.display_name,
            t.plan, t.limit_overrides, t.storage_over_quota, t.events_over_quota, t.cluster_id
     FROM atrium_control.tenants t LEFT JOIN atrium_control.pools p ON p.name = t.pool_name
     WHERE t.slug = $1";
const TENANT_BY_KEY: &str = "SELECT tenant_id, id, name FROM atrium_control.api_keys
     WHERE key_hash = $1 AND revoked_at IS NULL";

#[derive(Debug)]
pub struct TenantRecord {
    pub id: Uuid,
    pub slug: String,
    pub state: TenantState,
    pub scope: TenantScope,
    /// What the tenant's users see it called (its status page, the invite page).
    pub display_name: String,
    pub plan: Plan,
    /// Its plan's limits with the operator's overrides applied.
    pub limits: Limits,
    /// Set by the control plane's usage sampler: writes are refused (403).
    pub storage_over_quota: bool,
    /// Set by the control plane's usage sampler: `/events` is refused (429).
    pub events_over_quota: bool,
    /// The PostgreSQL cluster holding its rows (docs/scale-out.md).
    pub cluster: String,
}

/// An API key that is not revoked: whose it is, and what notes written with it name as
/// their author.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub name: String,
}

pub struct Directory {
    pool: Pool,
    /// A pool per cluster; a `cluster:<name>` notice makes the next use build it again.
    clusters: Arc<ClusterPools>,
    /// Lookups are reads: during a failover they are simply tried again, this long.
    failover_wait: Duration,
    /// Every tenant transaction's idle limit (`pool.idle_in_transaction_timeout_ms`).
    idle_in_transaction_ms: u32,
    /// Every tenant transaction's wait while a move freezes its tenant.
    freeze_wait_ms: u32,
    plans: PlansConfig,
    /// "Not found" is cached too, so unknown slugs don't reach the database every time.
    tenants: Cache<String, Option<Arc<TenantRecord>>>,
    keys: Cache<Vec<u8>, Option<Arc<KeyRecord>>>,
}

fn cache<K, V>(ttl: Duration) -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(MAX_ENTRIES)
        .time_to_live(ttl)
        .build()
}

impl Directory {
    pub fn new(
        clusters: Arc<ClusterPools>,
        ttl: Duration,
        pool_config: &PoolConfig,
        plans: PlansConfig,
    ) -> Arc<Self> {
        Arc::new(Self {
            pool: clusters.home().clone(),
            clusters,
            failover_wait: pool_config.failover_wait(),
            idle_in_transaction_ms: pool_config.idle_in_transaction_timeout_ms,
            freeze_wait_ms: pool_config.move_freeze_wait_ms,
            plans,
            tenants: cache(ttl),
            keys: cache(ttl),
        })
    }

    /// Concurrent misses for one slug share a single query (a cold start under load
    /// costs one round trip per tenant, not one per request).
    pub async fn tenant(&self, slug: &str) -> Result<Option<Arc<TenantRecord>>, DbError> {
        self.tenants
            .try_get_with_by_ref(slug, self.retrying(|| self.load_tenant(slug)))
            .await
            .map_err(DbError::Shared)
    }

    async fn retrying<T, Fut>(&self, load: impl FnMut() -> Fut) -> Result<T, DbError>
    where
        Fut: std::future::Future<Output = Result<T, DbError>>,
    {
        failover::retry(Instant::now() + self.failover_wait, load).await
    }

    async fn load_tenant(&self, slug: &str) -> Result<Option<Arc<TenantRecord>>, DbError> {
        let conn = self.pool.get().await?;
        // Unnamed: the same one round trip as a prepared statement, and nothing kept on
        // the server, so this works behind a pooler in transaction mode. The cache in
        // front of it makes the extra parse rare.
        let rows = conn
            .query_typed(TENANT_BY_SLUG, &[(&slug, Type::TEXT)])
            .await?;
        let Some(r) = rows.first() else {
            return Ok(None);
        };
        let plan: Plan = r.get(7);
        // Only validated overrides are written; a hand edit that isn't one follows the plan.
        let overrides: LimitOverrides = serde_json::from_value(r.get(8)).unwrap_or_default();
        Ok(Some(Arc::new(TenantRecord {
            id: r.get(0),
            slug: r.get(1),
            state: r.get(2),
            scope: TenantScope::new(r.get(3), r.get(4), r.get::<_, i32>(5).max(0) as u32)?
                .idle_in_transaction(self.idle_in_transaction_ms)
                .freeze_wait(self.freeze_wait_ms)
                .tenant_id(r.get(0)),
            display_name: r.get(6),
            plan,
            limits: self.plans.of(plan).with(&overrides),
            storage_over_quota: r.get(9),
            events_over_quota: r.get(10),
            cluster: r.get(11),
        })))
    }

    /// An API key (by hash), if it exists and is not revoked.
    pub async fn key(&self, hash: &[u8]) -> Result<Option<Arc<KeyRecord>>, DbError> {
        self.keys
            .try_get_with_by_ref(hash, self.retrying(|| self.load_key(hash)))
            .await
            .map_err(DbError::Shared)
    }

    async fn load_key(&self, hash: &[u8]) -> Result<Option<Arc<KeyRecord>>, DbError> {
        let conn = self.pool.get().await?;
        let rows = conn
            .query_typed(TENANT_BY_KEY, &[(&hash, Type::BYTEA)])
            .await?;
        Ok(rows.first().map(|r| {
            Arc::new(KeyRecord {
                tenant_id: r.get(0),
                id: r.get(1),
                name: r.get(2),
            })
        }))
    }

    /// A pool per cluster, for the tenant transactions.
    pub fn clusters(&self) -> &Arc<ClusterPools> {
        &self.clusters
    }

    pub async fn invalidate(&self, payload: &str) {
        if let Some(hex) = payload.strip_prefix("key:") {
            if let Ok(hash) = hex::decode(hex) {
                self.keys.invalidate(hash.as_slice()).await;
            }
        } else if let Some(cluster) = payload.strip_prefix("cluster:") {
            self.clusters.forget(cluster).await;
        } else {
            self.tenants.invalidate(payload).await;
        }
        tracing::debug!(payload, "tenant cache entry invalidated");
    }

    pub fn clear(&self) {
        self.tenants.invalidate_all();
        self.keys.invalidate_all();
    }

    /// LISTENs for registry changes until the process ends, reconnecting with backoff.
    pub fn spawn_listener(self: &Arc<Self>, url: SecretString) {
        let dir = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(200);
            loop {
                let Some(this) = dir.upgrade() else { return };
                match listen_once(&this, url.expose_secret()).await {
                    Ok(()) => backoff = Duration::from_millis(200),
                    Err(e) => {
                        tracing::warn!(error = %e, "tenant change listener disconnected; retrying")
                    }
                }
                drop(this);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        });
    }
}

async fn listen_once(dir: &Arc<Directory>, url: &str) -> Result<(), tokio_postgres::Error> {
    let (client, mut conn) = atrium_core::db::connect_one(url, "atrium-api-listener").await?;
    // The connection task applies notifications itself: no queue between it and the cache.
    let target = Arc::downgrade(dir);
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(msg) = messages.next().await {
            match msg {
                Ok(tokio_postgres::AsyncMessage::Notification(n)) => match target.upgrade() {
                    Some(dir) => dir.invalidate(n.payload()).await,
                    None => break,
                },
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    });
    client
        .batch_execute(&format!(
            "LISTEN {}",
            atrium_core::tenancy::quote_ident(atrium_core::TENANT_CHANNEL)
        ))
        .await?;
    // Anything that changed while we weren't listening is unknown: start clean.
    dir.clear();
    let result = driver.await.unwrap_or(Ok(()));
    drop(client);
    result
}

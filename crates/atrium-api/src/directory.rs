//! Which tenants exist and which key belongs to whom, as the data plane sees it.
//!
//! Lookups are cached with a short TTL. The control plane NOTIFYs on every change
//! (payload: a slug, or `key:<sha256 hex>`), and a LISTEN task evicts the entry at once,
//! so a new, suspended or deleted tenant or a revoked key takes effect without a restart.
//! If the LISTEN connection drops, the whole cache is cleared when it comes back, and the
//! TTL bounds staleness meanwhile.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use atrium_core::db::{DbError, TenantScope};
use deadpool_postgres::Pool;
use futures::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

/// Entries kept at most per map; past that the map is cleared (junk slugs can't grow it).
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug)]
pub struct TenantRecord {
    pub id: Uuid,
    pub slug: String,
    pub state: String,
    pub scope: TenantScope,
}

/// A map whose entries (including "not found") expire after a TTL.
struct TtlMap<K, V> {
    inner: RwLock<HashMap<K, (Instant, Option<V>)>>,
}

impl<K: std::hash::Hash + Eq, V: Clone> TtlMap<K, V> {
    fn new() -> Self {
        Self {
            inner: RwLock::new(HashMap::new()),
        }
    }

    /// `Some(cached)` while fresh; `None` when absent or stale.
    fn get<Q>(&self, key: &Q, ttl: Duration) -> Option<Option<V>>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        let map = self.inner.read().ok()?;
        let (at, value) = map.get(key)?;
        (at.elapsed() < ttl).then(|| value.clone())
    }

    fn put(&self, key: K, value: Option<V>) {
        if let Ok(mut m) = self.inner.write() {
            if m.len() >= MAX_ENTRIES {
                m.clear();
            }
            m.insert(key, (Instant::now(), value));
        }
    }

    fn remove<Q>(&self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        if let Ok(mut m) = self.inner.write() {
            m.remove(key);
        }
    }

    fn clear(&self) {
        if let Ok(mut m) = self.inner.write() {
            m.clear();
        }
    }
}

pub struct Directory {
    pool: Pool,
    ttl: Duration,
    tenants: TtlMap<String, Arc<TenantRecord>>,
    keys: TtlMap<Vec<u8>, Uuid>,
}

impl Directory {
    pub fn new(pool: Pool, ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            pool,
            ttl,
            tenants: TtlMap::new(),
            keys: TtlMap::new(),
        })
    }

    pub async fn tenant(&self, slug: &str) -> Result<Option<Arc<TenantRecord>>, DbError> {
        if let Some(rec) = self.tenants.get(slug, self.ttl) {
            return Ok(rec);
        }
        let conn = self.pool.get().await?;
        let stmt = conn
            .prepare_cached(
                "SELECT id, slug, state, schema_name, role_name, statement_timeout_ms
                 FROM atrium_control.tenants WHERE slug = $1",
            )
            .await?;
        let rec = match conn.query_opt(&stmt, &[&slug]).await? {
            Some(r) => Some(Arc::new(TenantRecord {
                id: r.get(0),
                slug: r.get(1),
                state: r.get(2),
                scope: TenantScope::new(r.get(3), r.get(4), r.get::<_, i32>(5).max(0) as u32)?,
            })),
            None => None,
        };
        self.tenants.put(slug.to_owned(), rec.clone());
        Ok(rec)
    }

    /// The tenant an API key (by hash) belongs to, if the key exists and is not revoked.
    pub async fn key_tenant(&self, hash: &[u8]) -> Result<Option<Uuid>, DbError> {
        if let Some(id) = self.keys.get(hash, self.ttl) {
            return Ok(id);
        }
        let conn = self.pool.get().await?;
        let stmt = conn
            .prepare_cached("SELECT tenant_id FROM atrium_control.api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
            .await?;
        let id: Option<Uuid> = conn.query_opt(&stmt, &[&hash]).await?.map(|r| r.get(0));
        self.keys.put(hash.to_vec(), id);
        Ok(id)
    }

    pub fn invalidate(&self, payload: &str) {
        if let Some(hex) = payload.strip_prefix("key:") {
            if let Ok(hash) = hex::decode(hex) {
                self.keys.remove(hash.as_slice());
            }
        } else {
            self.tenants.remove(payload);
        }
        tracing::debug!(payload, "tenant cache entry invalidated");
    }

    pub fn clear(&self) {
        self.tenants.clear();
        self.keys.clear();
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
                    Some(dir) => dir.invalidate(n.payload()),
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

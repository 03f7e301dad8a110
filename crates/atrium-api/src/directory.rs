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

type Cached<V> = RwLock<HashMap<V, (Instant, Option<Arc<TenantRecord>>)>>;

pub struct Directory {
    pool: Pool,
    ttl: Duration,
    tenants: Cached<String>,
    keys: RwLock<HashMap<Vec<u8>, (Instant, Option<Uuid>)>>,
}

impl Directory {
    pub fn new(pool: Pool, ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            pool,
            ttl,
            tenants: RwLock::new(HashMap::new()),
            keys: RwLock::new(HashMap::new()),
        })
    }

    pub async fn tenant(&self, slug: &str) -> Result<Option<Arc<TenantRecord>>, DbError> {
        if let Some((at, rec)) = self.tenants.read().ok().and_then(|m| m.get(slug).cloned()) {
            if at.elapsed() < self.ttl {
                return Ok(rec);
            }
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
        if let Ok(mut m) = self.tenants.write() {
            if m.len() >= MAX_ENTRIES {
                m.clear();
            }
            m.insert(slug.to_owned(), (Instant::now(), rec.clone()));
        }
        Ok(rec)
    }

    /// The tenant an API key (by hash) belongs to, if the key exists and is not revoked.
    pub async fn key_tenant(&self, hash: &[u8]) -> Result<Option<Uuid>, DbError> {
        if let Some((at, id)) = self.keys.read().ok().and_then(|m| m.get(hash).cloned()) {
            if at.elapsed() < self.ttl {
                return Ok(id);
            }
        }
        let conn = self.pool.get().await?;
        let stmt = conn
            .prepare_cached("SELECT tenant_id FROM atrium_control.api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
            .await?;
        let id: Option<Uuid> = conn.query_opt(&stmt, &[&hash]).await?.map(|r| r.get(0));
        if let Ok(mut m) = self.keys.write() {
            if m.len() >= MAX_ENTRIES {
                m.clear();
            }
            m.insert(hash.to_vec(), (Instant::now(), id));
        }
        Ok(id)
    }

    pub fn invalidate(&self, payload: &str) {
        if let Some(hex) = payload.strip_prefix("key:") {
            if let (Ok(hash), Ok(mut m)) = (hex::decode(hex), self.keys.write()) {
                m.remove(&hash);
            }
        } else if let Ok(mut m) = self.tenants.write() {
            m.remove(payload);
        }
        tracing::debug!(payload, "tenant cache entry invalidated");
    }

    pub fn clear(&self) {
        if let Ok(mut m) = self.tenants.write() {
            m.clear();
        }
        if let Ok(mut m) = self.keys.write() {
            m.clear();
        }
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
                    Err(e) => tracing::warn!(error = %e, "tenant change listener disconnected; retrying"),
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
        .batch_execute(&format!("LISTEN {}", atrium_core::tenancy::quote_ident(atrium_core::TENANT_CHANNEL)))
        .await?;
    // Anything that changed while we weren't listening is unknown: start clean.
    dir.clear();
    let result = driver.await.unwrap_or(Ok(()));
    drop(client);
    result
}

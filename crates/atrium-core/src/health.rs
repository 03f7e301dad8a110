//! Process lifecycle, as probes see it.
//!
//! - liveness: the process answers and its heartbeat task runs; never touches a dependency.
//! - readiness: started, not shutting down, and the dependency check passes within 1 s.
//! - startup: boot finished (migrations checked, listener bound).

use std::{
    future::Future,
    pin::Pin,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use tokio::sync::watch;

pub type ReadyCheck =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), String>> + Send>> + Send + Sync>;

/// The longest a readiness check may take before the probe answers 503.
pub const READY_TIMEOUT: Duration = Duration::from_millis(900);
/// A heartbeat older than this means the runtime is wedged.
const HEARTBEAT_STALE: Duration = Duration::from_secs(10);

pub struct Lifecycle {
    started: AtomicBool,
    shutting_down: AtomicBool,
    heartbeat_ms: AtomicU64,
    check: ReadyCheck,
    shutdown_tx: watch::Sender<bool>,
    /// Warnings components report that do not make the process unready (a stale
    /// backup): `/readyz` lists them so monitoring and people see them.
    notes: std::sync::Mutex<std::collections::BTreeMap<&'static str, String>>,
}

impl Lifecycle {
    pub fn new(check: ReadyCheck) -> Arc<Self> {
        let (shutdown_tx, _) = watch::channel(false);
        let this = Arc::new(Self {
            started: AtomicBool::new(false),
            shutting_down: AtomicBool::new(false),
            heartbeat_ms: AtomicU64::new(now_ms()),
            check,
            shutdown_tx,
            notes: Default::default(),
        });
        let weak = Arc::downgrade(&this);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let Some(this) = weak.upgrade() else { break };
                this.heartbeat_ms.store(now_ms(), Ordering::Relaxed);
            }
        });
        this
    }

    pub fn mark_started(&self) {
        self.started.store(true, Ordering::SeqCst);
    }

    pub fn is_started(&self) -> bool {
        self.started.load(Ordering::SeqCst)
    }

    /// Readiness turns 503 at once; the server then stops accepting and drains.
    pub fn begin_shutdown(&self) {
        if !self.shutting_down.swap(true, Ordering::SeqCst) {
            tracing::info!("shutdown requested: readiness now 503, draining in-flight requests");
        }
        self.shutdown_tx.send_replace(true);
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// Resolves once shutdown has begun.
    pub async fn shutdown_requested(&self) {
        let mut rx = self.shutdown_tx.subscribe();
        let _ = rx.wait_for(|v| *v).await;
    }

    /// False once the heartbeat task has not run for a while: the runtime is wedged.
    pub fn is_alive(&self) -> bool {
        now_ms().saturating_sub(self.heartbeat_ms.load(Ordering::Relaxed))
            < HEARTBEAT_STALE.as_millis() as u64
    }

    /// Sets (Some) or clears (None) the note of `component`.
    pub fn note(&self, component: &'static str, note: Option<String>) {
        let mut notes = self.notes.lock().unwrap_or_else(|p| p.into_inner());
        match note {
            Some(text) => notes.insert(component, text),
            None => notes.remove(component),
        };
    }

    /// The current notes, by component.
    pub fn notes(&self) -> Vec<(&'static str, String)> {
        let notes = self.notes.lock().unwrap_or_else(|p| p.into_inner());
        notes.iter().map(|(k, v)| (*k, v.clone())).collect()
    }

    pub async fn readiness(&self) -> Result<(), String> {
        if self.is_shutting_down() {
            return Err("shutting down".into());
        }
        if !self.started.load(Ordering::SeqCst) {
            return Err("starting".into());
        }
        match tokio::time::timeout(READY_TIMEOUT, (self.check)()).await {
            Ok(result) => result,
            Err(_) => Err(format!(
                "dependency check timed out after {} ms",
                READY_TIMEOUT.as_millis()
            )),
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// A readiness check that pings PostgreSQL through the pool.
pub fn postgres_check(pool: deadpool_postgres::Pool) -> ReadyCheck {
    Arc::new(move || {
        let pool = pool.clone();
        Box::pin(async move {
            let conn = pool.get().await.map_err(|e| format!("database: {e}"))?;
            conn.simple_query("SELECT 1")
                .await
                .map_err(|e| format!("database: {e}"))?;
            Ok(())
        })
    })
}

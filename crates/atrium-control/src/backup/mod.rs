//! Continuous backups with pgBackRest (WAL archive plus full, differential and
//! incremental backups), their schedule, and one tenant restored to a moment.

pub mod pgbackrest;
pub mod point_in_time;
pub mod schedule;
mod scratch;

use crate::audit_action::Action;
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use atrium_core::domain::{DomainError, Result};
use chrono::Utc;
use serde::Serialize;

pub use pgbackrest::{BackupSet, BackupType, PgBackRest};

use crate::{registry, Control};

/// What `GET /v1/backups`, `atrium backup list` and the console show.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BackupOverview {
    /// Oldest first. The oldest one's `finished_at` is the earliest moment a tenant can
    /// be restored to.
    pub backups: Vec<BackupSet>,
    /// Seconds since the newest backup finished; null when there is none.
    pub newest_age_s: Option<i64>,
    /// Older than this, the newest backup is stale.
    pub max_age_s: u64,
    pub stale: bool,
    /// A backup is being taken now (by this process).
    pub running: bool,
}

/// Only one backup at a time per process; pgBackRest's own lock keeps other processes out.
#[derive(Default, Clone)]
pub struct BackupGuard(Arc<AtomicBool>);

/// Held by the task taking a backup.
pub struct Running(Arc<AtomicBool>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl BackupGuard {
    fn enter(&self) -> Result<Running> {
        match self
            .0
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => Ok(Running(self.0.clone())),
            Err(_) => Err(DomainError::conflict(
                "backup_running",
                "a backup is being taken already",
            )),
        }
    }

    pub fn is_running(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Runs `work` on a task of its own, so that a client hanging up does not cancel it
/// halfway, and waits for it at most `wait`: None means it goes on in the background
/// (its outcome lands in the audit log).
pub async fn detached<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T>> + Send + 'static,
    wait: std::time::Duration,
) -> Result<Option<T>> {
    let task = tokio::spawn(work);
    match tokio::time::timeout(wait, task).await {
        Ok(joined) => joined
            .map_err(|e| DomainError::Internal(anyhow::anyhow!("background task: {e}")))?
            .map(Some),
        Err(_) => Ok(None),
    }
}

impl Control {
    /// Takes a backup now and waits for it, audited either way.
    pub async fn run_backup(&self, kind: BackupType, actor: &str) -> Result<BackupSet> {
        let (tool, running) = self.backup_may_start(actor).await?;
        self.take_backup(tool, kind, actor, running).await
    }

    /// Starts a backup in the background; an error only if none could start (not
    /// configured, one already running).
    pub async fn start_backup(&self, kind: BackupType, actor: &str) -> Result<()> {
        let (tool, running) = self.backup_may_start(actor).await?;
        let (this, actor) = (self.clone(), actor.to_owned());
        tokio::spawn(async move {
            if let Err(e) = this.take_backup(tool, kind, &actor, running).await {
                tracing::error!(error = %e, "backup failed");
            }
        });
        Ok(())
    }

    /// The tool and this process's turn, or the refusal, audited like any failure.
    async fn backup_may_start(&self, actor: &str) -> Result<(PgBackRest, Running)> {
        let turn = PgBackRest::require(&self.config.backup)
            .and_then(|tool| Ok((tool, self.backup_guard.enter()?)));
        if let Err(e) = &turn {
            self.audit_failure(actor, Action::BackupRun, None, e).await;
        }
        turn
    }

    async fn take_backup(
        &self,
        tool: PgBackRest,
        kind: BackupType,
        actor: &str,
        _running: Running,
    ) -> Result<BackupSet> {
        let started = std::time::Instant::now();
        let taken = tool.backup(kind).await;
        let outcome = if taken.is_ok() { "ok" } else { "error" };
        metrics::counter!("atrium_backup_runs_total", "type" => kind.as_str(), "outcome" => outcome)
            .increment(1);
        metrics::histogram!("atrium_backup_duration_seconds")
            .record(started.elapsed().as_secs_f64());
        match &taken {
            Ok(set) => {
                metrics::gauge!("atrium_backup_newest_finished_timestamp_seconds")
                    .set(set.finished_at.timestamp() as f64);
                let conn = self.pool.get().await?;
                let detail = serde_json::json!({
                    "label": set.label, "type": set.r#type,
                    "repository_bytes": set.repository_bytes,
                    "seconds": started.elapsed().as_secs(),
                });
                registry::audit(&**conn, actor, Action::BackupRun, None, Ok(()), detail).await?;
            }
            Err(e) => self.audit_failure(actor, Action::BackupRun, None, e).await,
        }
        taken
    }

    pub async fn backup_overview(&self) -> Result<BackupOverview> {
        let tool = PgBackRest::require(&self.config.backup)?;
        let backups = tool.list().await?;
        let max_age_s = self.config.backup.max_age_s;
        let newest_age_s = backups
            .last()
            .map(|b| (Utc::now() - b.finished_at).num_seconds().max(0));
        if let Some(b) = backups.last() {
            metrics::gauge!("atrium_backup_newest_finished_timestamp_seconds")
                .set(b.finished_at.timestamp() as f64);
        }
        Ok(BackupOverview {
            stale: newest_age_s.is_none_or(|age| age as u64 > max_age_s),
            newest_age_s,
            max_age_s,
            running: self.backup_guard.is_running(),
            backups,
        })
    }

    /// `pgbackrest check` (archiving works, a WAL switch reaches the repository), then
    /// `pgbackrest verify` (every file in the repository matches its checksum).
    pub async fn verify_backups(&self, actor: &str) -> Result<()> {
        let verified = async {
            let tool = PgBackRest::require(&self.config.backup)?;
            tool.check().await?;
            tool.verify().await
        }
        .await;
        match &verified {
            Ok(()) => {
                let conn = self.pool.get().await?;
                let detail = serde_json::json!({});
                registry::audit(&**conn, actor, Action::BackupVerify, None, Ok(()), detail).await?;
            }
            Err(e) => {
                self.audit_failure(actor, Action::BackupVerify, None, e)
                    .await
            }
        }
        verified
    }
}

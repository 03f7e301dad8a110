//! The control plane's backup schedule. Every minute it reads the repository (so a
//! restart neither repeats nor skips a backup), publishes the newest backup's age, notes
//! a stale backup on `/readyz`, and takes a backup when one is due: full when the newest
//! full one is older than `full_every_s`, incremental otherwise.

use std::{sync::Arc, time::Duration};

use atrium_core::health::Lifecycle;
use chrono::Utc;

use super::{BackupOverview, BackupType};
use crate::Control;

const TICK: Duration = Duration::from_secs(60);

/// Runs until shutdown. Does nothing when backups are not configured.
pub async fn run(control: Control, lifecycle: Arc<Lifecycle>) {
    let Some(tool) = super::PgBackRest::from_config(&control.config.backup) else {
        return;
    };
    // A restore interrupted by the last shutdown may have left a scratch instance.
    super::scratch::sweep(&tool, &control.config.backup).await;
    // After a failed scheduled backup the next waits 5 min, then twice as long each
    // time (up to the interval): a full disk must not get a full backup every minute.
    let mut retry_at: Option<(std::time::Instant, Duration)> = None;
    loop {
        tick(&control, &lifecycle, &mut retry_at).await;
        tokio::select! {
            () = tokio::time::sleep(TICK) => {}
            () = lifecycle.shutdown_requested() => return,
        }
    }
}

async fn tick(
    control: &Control,
    lifecycle: &Lifecycle,
    retry_at: &mut Option<(std::time::Instant, Duration)>,
) {
    let overview = match control.backup_overview().await {
        Ok(o) => o,
        Err(e) => {
            // The details (paths, pgBackRest's words) are for the log, not the probe.
            tracing::warn!(error = %e, "reading the backup repository");
            lifecycle.note(
                "backup",
                Some("the backup repository cannot be read".into()),
            );
            return;
        }
    };
    publish(&overview, lifecycle);
    archiving(control, lifecycle).await;
    if retry_at.is_some_and(|(at, _)| std::time::Instant::now() < at) {
        return;
    }
    if let Some(kind) = due(&overview, &control.config.backup) {
        tracing::info!(?kind, "taking a scheduled backup");
        match control.run_backup(kind, "schedule").await {
            Ok(set) => {
                *retry_at = None;
                tracing::info!(label = %set.label, "scheduled backup taken");
                if let Ok(o) = control.backup_overview().await {
                    publish(&o, lifecycle);
                }
            }
            Err(e) => {
                let cap = Duration::from_secs(control.config.backup.interval_s.max(300));
                let wait = retry_at.map_or(Duration::from_secs(300), |(_, w)| (w * 2).min(cap));
                *retry_at = Some((std::time::Instant::now() + wait, wait));
                tracing::error!(error = %e, retry_in_s = wait.as_secs(), "scheduled backup failed");
            }
        }
    }
}

/// WAL archiving is what bounds the data a lost disk loses: a failing archive_command
/// gets a note of its own, even while backups still look fresh.
async fn archiving(control: &Control, lifecycle: &Lifecycle) {
    let checked = async {
        let conn = control.pool.get().await?;
        let row = conn
            .query_one(
                "SELECT coalesce(last_failed_time > coalesce(last_archived_time, '-infinity'), false)
                 FROM pg_stat_archiver",
                &[],
            )
            .await?;
        Ok::<bool, atrium_core::domain::DomainError>(row.get(0))
    };
    let failing = match checked.await {
        Ok(failing) => failing,
        Err(e) => {
            tracing::warn!(error = %e, "reading pg_stat_archiver");
            return;
        }
    };
    metrics::gauge!("atrium_backup_archiving_failing").set(f64::from(u8::from(failing)));
    lifecycle.note(
        "wal_archiving",
        failing.then(|| "WAL archiving is failing: see PostgreSQL's log".to_owned()),
    );
}

fn publish(o: &BackupOverview, lifecycle: &Lifecycle) {
    if let Some(age) = o.newest_age_s {
        metrics::gauge!("atrium_backup_newest_age_seconds").set(age as f64);
    }
    let note = o.stale.then(|| match o.newest_age_s {
        Some(age) => format!("the newest backup is {age} s old (bound {} s)", o.max_age_s),
        None => "there is no backup yet".to_owned(),
    });
    lifecycle.note("backup", note);
}

/// The kind of backup due now, if any.
fn due(o: &BackupOverview, cfg: &atrium_core::config::BackupConfig) -> Option<BackupType> {
    if cfg.interval_s == 0 || o.running {
        return None;
    }
    let now = Utc::now();
    let newest_full = o
        .backups
        .iter()
        .rev()
        .find(|b| b.r#type == BackupType::Full);
    let Some(newest) = o.backups.last() else {
        return Some(BackupType::Full);
    };
    if (now - newest.finished_at).num_seconds() < cfg.interval_s as i64 {
        return None;
    }
    match newest_full {
        Some(full) if (now - full.finished_at).num_seconds() < cfg.full_every_s as i64 => {
            Some(BackupType::Incr)
        }
        _ => Some(BackupType::Full),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::BackupSet;

    fn set(kind: BackupType, hours_ago: i64) -> BackupSet {
        let at = Utc::now() - chrono::Duration::hours(hours_ago);
        BackupSet {
            label: format!("{hours_ago}"),
            r#type: kind,
            started_at: at,
            finished_at: at,
            database_bytes: 1,
            repository_bytes: 1,
            based_on: None,
        }
    }

    fn overview(backups: Vec<BackupSet>) -> BackupOverview {
        BackupOverview {
            backups,
            newest_age_s: None,
            max_age_s: 3_600,
            stale: false,
            running: false,
        }
    }

    #[test]
    fn the_schedule_takes_full_then_incremental_backups_when_due() {
        let cfg = atrium_core::config::BackupConfig {
            interval_s: 6 * 3_600,
            full_every_s: 7 * 24 * 3_600,
            ..Default::default()
        };
        assert_eq!(due(&overview(vec![]), &cfg), Some(BackupType::Full));
        let recent = overview(vec![set(BackupType::Full, 1)]);
        assert_eq!(due(&recent, &cfg), None);
        let old = overview(vec![set(BackupType::Full, 7)]);
        assert_eq!(due(&old, &cfg), Some(BackupType::Incr));
        let week = overview(vec![set(BackupType::Full, 200), set(BackupType::Incr, 7)]);
        assert_eq!(due(&week, &cfg), Some(BackupType::Full));
        let off = atrium_core::config::BackupConfig {
            interval_s: 0,
            ..cfg
        };
        assert_eq!(due(&overview(vec![]), &off), None);
    }
}

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
    if control.config.backup.pgbackrest_config.is_none() {
        return;
    }
    loop {
        tick(&control, &lifecycle).await;
        tokio::select! {
            () = tokio::time::sleep(TICK) => {}
            () = lifecycle.shutdown_requested() => return,
        }
    }
}

async fn tick(control: &Control, lifecycle: &Lifecycle) {
    let overview = match control.backup_overview().await {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(error = %e, "reading the backup repository");
            lifecycle.note("backup", Some(format!("backup repository unreadable: {e}")));
            return;
        }
    };
    publish(&overview, lifecycle);
    if let Some(kind) = due(&overview, &control.config.backup) {
        tracing::info!(?kind, "taking a scheduled backup");
        match control.run_backup(kind, "schedule").await {
            Ok(set) => {
                tracing::info!(label = %set.label, "scheduled backup taken");
                if let Ok(o) = control.backup_overview().await {
                    publish(&o, lifecycle);
                }
            }
            Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
        }
    }
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

//! Backups: where pgBackRest is, how often the control plane runs it, how old the newest
//! backup may get, and where a point-in-time restore builds its scratch instance.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackupConfig {
    /// pgBackRest's configuration file (repository, encryption, retention). Unset: this
    /// deployment has no backups configured, and the CLI, the API and the console say so.
    #[serde(default)]
    pub pgbackrest_config: Option<PathBuf>,
    /// The stanza: pgBackRest's name for the cluster.
    pub stanza: String,
    /// The pgBackRest executable.
    pub pgbackrest_bin: PathBuf,
    /// The operating-system user pgBackRest and the scratch PostgreSQL run as when Atrium
    /// runs as root: the owner of the cluster's files and of the repository (`postgres`).
    #[serde(default)]
    pub run_as: Option<String>,
    /// The control plane takes a backup this often, in seconds; 0 turns the schedule off.
    pub interval_s: u64,
    /// A scheduled backup is full when the newest full one is older than this, in
    /// seconds, and incremental otherwise.
    pub full_every_s: u64,
    /// Older than this (seconds), the newest backup is reported stale: by the metric's
    /// alert, the console and a note on `/readyz`.
    pub max_age_s: u64,
    /// PostgreSQL's binaries for the scratch instance. Unset: those of the restored
    /// cluster's major version under /usr/lib/postgresql.
    #[serde(default)]
    pub pg_bin_dir: Option<PathBuf>,
    /// Point-in-time restores build their scratch PostgreSQL instance below this
    /// directory and remove it afterwards. It needs room for a whole cluster.
    pub scratch_dir: PathBuf,
    /// A point-in-time restore that takes longer is stopped, in seconds.
    pub restore_timeout_s: u64,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            pgbackrest_config: None,
            stanza: "atrium".into(),
            pgbackrest_bin: PathBuf::from("pgbackrest"),
            run_as: None,
            interval_s: 6 * 3_600,
            full_every_s: 7 * 24 * 3_600,
            max_age_s: 26 * 3_600,
            pg_bin_dir: None,
            scratch_dir: PathBuf::from(".atrium/restore"),
            restore_timeout_s: 3_600,
        }
    }
}

impl BackupConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(format!("control.backup: {m}")));
        let plain = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        if !plain(&self.stanza) {
            return bad("stanza must be 1 to 64 letters, digits, '_' or '-'");
        }
        if self.run_as.as_deref().is_some_and(|u| !plain(u)) {
            return bad("run_as must be a user name");
        }
        if self.interval_s != 0 && self.interval_s < 60 {
            return bad("interval_s must be 0 (no schedule) or at least 60");
        }
        if self.max_age_s < 60 || self.full_every_s < 60 {
            return bad("max_age_s and full_every_s must be at least 60");
        }
        if !(60..=7 * 24 * 3_600).contains(&self.restore_timeout_s) {
            return bad("restore_timeout_s must be between 60 and 604800");
        }
        Ok(())
    }
}

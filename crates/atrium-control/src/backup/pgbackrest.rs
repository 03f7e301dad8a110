//! pgBackRest, driven as a command: Atrium writes no backup code of its own. It runs
//! `backup`, `info --output=json`, `check`, `verify` and `restore`, and reports their
//! failures in its own words (the `ERROR:` lines pgBackRest prints).

use std::{path::Path, process::Stdio, time::Duration};

use atrium_core::{
    config::BackupConfig,
    domain::{DomainError, Result},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::process::Command;

/// What `atrium backup run --type` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BackupType {
    Full,
    Diff,
    Incr,
}

impl BackupType {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "full" => Ok(Self::Full),
            "diff" => Ok(Self::Diff),
            "incr" => Ok(Self::Incr),
            _ => Err(DomainError::invalid("type", "must be full, diff or incr")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Diff => "diff",
            Self::Incr => "incr",
        }
    }
}

/// One backup in the repository, in Atrium's words.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BackupSet {
    /// pgBackRest's label, such as `20261202-024316F`.
    pub label: String,
    pub r#type: BackupType,
    pub started_at: DateTime<Utc>,
    /// The backup is consistent from this moment: the earliest a restore can reach.
    pub finished_at: DateTime<Utc>,
    /// The cluster's size when it was taken.
    pub database_bytes: u64,
    /// What it added to the repository, compressed (and encrypted).
    pub repository_bytes: u64,
    /// The full backup it builds on (diff and incr only).
    pub based_on: Option<String>,
}

/// A configured pgBackRest stanza.
#[derive(Debug, Clone)]
pub struct PgBackRest {
    bin: std::path::PathBuf,
    config: std::path::PathBuf,
    stanza: String,
    run_as: Option<String>,
}

/// Long enough for a large full backup; the schedule and the CLI are the only callers
/// that wait for one.
const BACKUP_TIMEOUT: Duration = Duration::from_secs(6 * 3_600);
const QUICK_TIMEOUT: Duration = Duration::from_secs(300);

impl PgBackRest {
    /// None when the deployment has no `control.backup.pgbackrest_config`.
    pub fn from_config(c: &BackupConfig) -> Option<Self> {
        Some(Self {
            bin: c.pgbackrest_bin.clone(),
            config: c.pgbackrest_config.clone()?,
            stanza: c.stanza.clone(),
            run_as: c.run_as.clone(),
        })
    }

    /// Like `from_config`, or the error every backup operation gives without one.
    pub fn require(c: &BackupConfig) -> Result<Self> {
        // 409, not 503: retrying will not help until the deployment is configured.
        Self::from_config(c).ok_or_else(|| {
            DomainError::conflict(
                "backups_not_configured",
                "backups are not configured here (control.backup.pgbackrest_config is unset)",
            )
        })
    }

    /// A command as the configured user: pgBackRest must own the repository files
    /// PostgreSQL's archive_command writes, and reads the cluster as its owner.
    ///
    /// `setpriv` execs the program as that user (runuser would fork and wait, and a
    /// timeout would then kill runuser, not the work). The environment is cleared: it
    /// holds Atrium's secrets, which a process of another user must not inherit.
    pub(super) fn as_owner(&self, program: &Path) -> Command {
        let mut cmd = match &self.run_as {
            Some(user) if is_root() => {
                let mut cmd = Command::new("setpriv");
                cmd.arg(format!("--reuid={user}"))
                    .arg(format!("--regid={user}"))
                    .args(["--init-groups", "--"])
                    .arg(program);
                cmd
            }
            _ => Command::new(program),
        };
        cmd.env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LC_ALL", "C");
        cmd
    }

    fn command(&self, operation: &str) -> Command {
        let mut cmd = self.as_owner(&self.bin);
        cmd.arg(format!("--config={}", self.config.display()))
            .arg(format!("--stanza={}", self.stanza))
            .args(["--log-level-console=error", "--log-level-stderr=error"])
            // Its working directory may not be readable by the owner.
            .current_dir("/");
        cmd.arg(operation);
        cmd
    }

    /// Runs `operation`; its stdout on success, its `ERROR:` lines as the error.
    pub(super) async fn run(
        &self,
        operation: &str,
        args: &[String],
        timeout: Duration,
    ) -> Result<String> {
        let mut cmd = self.command(operation);
        // Options come before the command word for pgBackRest; it accepts both orders.
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let child = cmd.spawn().map_err(|e| {
            DomainError::unavailable(
                "backup_tool_missing",
                format!("could not run pgBackRest ({}): {e}", self.bin.display()),
            )
        })?;
        let out = tokio::time::timeout(timeout, child.wait_with_output())
            .await
            .map_err(|_| {
                DomainError::unavailable(
                    "backup_timeout",
                    format!("pgBackRest {operation} took longer than {timeout:?}"),
                )
            })?
            .map_err(|e| anyhow::anyhow!("waiting for pgBackRest: {e}"))?;
        if out.status.success() {
            return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
        }
        Err(DomainError::unavailable(
            "backup_failed",
            format!(
                "pgBackRest {operation} failed ({}): {}",
                out.status,
                error_lines(&String::from_utf8_lossy(&out.stderr))
            ),
        ))
    }

    /// Creates the stanza (idempotent), then checks that WAL archiving works.
    pub async fn create_stanza(&self) -> Result<()> {
        self.run("stanza-create", &[], QUICK_TIMEOUT).await?;
        self.check().await
    }

    pub async fn backup(&self, kind: BackupType) -> Result<BackupSet> {
        self.run(
            "backup",
            &[format!("--type={}", kind.as_str())],
            BACKUP_TIMEOUT,
        )
        .await?;
        self.list()
            .await?
            .pop()
            .ok_or_else(|| anyhow::anyhow!("pgBackRest lists no backup after taking one").into())
    }

    /// Every backup in the repository, oldest first.
    pub async fn list(&self) -> Result<Vec<BackupSet>> {
        let json = self
            .run("info", &["--output=json".into()], QUICK_TIMEOUT)
            .await?;
        parse_info(&json)
    }

    /// The cluster can reach the repository, and a forced WAL switch gets archived.
    pub async fn check(&self) -> Result<()> {
        self.run("check", &[], QUICK_TIMEOUT).await.map(drop)
    }

    /// Reads every file in the repository and checks it against its checksum.
    pub async fn verify(&self) -> Result<()> {
        self.run("verify", &[], BACKUP_TIMEOUT).await.map(drop)
    }

    /// Restores the cluster into `pg_path` as it was at `at` (replayed to that moment,
    /// then promoted). The copy never archives into the repository.
    pub async fn restore_at(
        &self,
        pg_path: &Path,
        at: DateTime<Utc>,
        timeout: Duration,
    ) -> Result<()> {
        let args = [
            format!("--pg1-path={}", pg_path.display()),
            "--type=time".into(),
            format!("--target={}", at.format("%Y-%m-%d %H:%M:%S%.6f+00")),
            "--target-action=promote".into(),
            "--archive-mode=off".into(),
        ];
        self.run("restore", &args, timeout).await.map(drop)
    }
}

pub(super) fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// pgBackRest's error lines, or the last line when it printed none.
fn error_lines(stderr: &str) -> String {
    let errors: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("ERROR:") || l.starts_with("HINT:"))
        .collect();
    let text = match errors.is_empty() {
        true => stderr
            .lines()
            .last()
            .unwrap_or("no output")
            .trim()
            .to_owned(),
        false => errors.join(" "),
    };
    bounded(text)
}

/// Child-process text goes into problem+json and the audit log: 1 KB of it at most.
pub(super) fn bounded(mut text: String) -> String {
    const MAX: usize = 1_024;
    if text.len() > MAX {
        let cut = (0..=MAX)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push('…');
    }
    text
}

#[derive(Deserialize)]
struct InfoStanza {
    #[serde(default)]
    backup: Vec<InfoBackup>,
}

#[derive(Deserialize)]
struct InfoBackup {
    label: String,
    r#type: BackupType,
    timestamp: InfoTimes,
    info: InfoSizes,
    prior: Option<String>,
    #[serde(default)]
    error: bool,
}

#[derive(Deserialize)]
struct InfoTimes {
    start: i64,
    stop: i64,
}

#[derive(Deserialize)]
struct InfoSizes {
    size: u64,
    repository: InfoRepo,
}

#[derive(Deserialize)]
struct InfoRepo {
    delta: u64,
}

fn parse_info(json: &str) -> Result<Vec<BackupSet>> {
    let stanzas: Vec<InfoStanza> = serde_json::from_str(json)
        .map_err(|e| anyhow::anyhow!("unreadable `pgbackrest info` output: {e}"))?;
    let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap_or_default();
    let mut sets: Vec<BackupSet> = stanzas
        .into_iter()
        .flat_map(|s| s.backup)
        // A backup pgBackRest found damaged is no restore point.
        .filter(|b| !b.error)
        .map(|b| BackupSet {
            label: b.label,
            r#type: b.r#type,
            started_at: at(b.timestamp.start),
            finished_at: at(b.timestamp.stop),
            database_bytes: b.info.size,
            repository_bytes: b.info.repository.delta,
            based_on: b.prior,
        })
        .collect();
    sets.sort_by_key(|b| b.finished_at);
    Ok(sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_json_becomes_backup_sets_oldest_first() {
        let json = r#"[{"name":"atrium","backup":[
            {"label":"20261202-024316F_20261202-030000I","type":"incr","error":false,
             "prior":"20261202-024316F","timestamp":{"start":1796180400,"stop":1796180402},
             "info":{"size":100,"delta":10,"repository":{"size":50,"delta":5}}},
            {"label":"20261202-024316F","type":"full","error":false,"prior":null,
             "timestamp":{"start":1796179396,"stop":1796179399},
             "info":{"size":22992138,"delta":22992138,"repository":{"size":4545824,"delta":4545824}}}
        ]}]"#;
        let sets = parse_info(json).expect("parses");
        assert_eq!(sets.len(), 2);
        assert_eq!(sets[0].r#type, BackupType::Full);
        assert_eq!(sets[0].repository_bytes, 4_545_824);
        assert_eq!(sets[1].based_on.as_deref(), Some("20261202-024316F"));
        assert!(parse_info("[{\"name\":\"atrium\"}]")
            .expect("no backups")
            .is_empty());
        assert!(parse_info("not json").is_err());
    }

    #[test]
    fn only_error_lines_are_reported() {
        let stderr = "WARN: something\nERROR: [056]: unable to find primary cluster\n       HINT: is archive_command set?\n";
        assert_eq!(
            error_lines(stderr),
            "ERROR: [056]: unable to find primary cluster HINT: is archive_command set?"
        );
        assert_eq!(error_lines("just this"), "just this");
    }
}

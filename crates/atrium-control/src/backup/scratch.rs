//! A scratch PostgreSQL instance: the whole cluster restored by pgBackRest to one
//! moment, started on a free loopback port, read, then stopped and removed. It never
//! archives WAL and listens on 127.0.0.1 only.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use atrium_core::{
    config::BackupConfig,
    domain::{DomainError, Result},
    private_fs,
};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::NoTls;

use super::pgbackrest::{is_root, PgBackRest};

pub(super) struct Scratch {
    dir: PathBuf,
    data: PathBuf,
    port: u16,
    bin: PathBuf,
    tool: PgBackRest,
    /// Held while the instance is in use; [`sweep`] removes only unlocked ones.
    _lock: Option<std::fs::File>,
}

const LOCK_FILE: &str = "in-use.lock";

fn cannot_start(detail: impl std::fmt::Display) -> DomainError {
    DomainError::unavailable(
        "scratch_instance_failed",
        format!("the scratch instance for the restore could not start: {detail}"),
    )
}

impl Scratch {
    /// Restores the cluster as it was at `at` and starts it; once this returns, the
    /// instance has replayed to `at` and been promoted. On failure nothing is left.
    pub(super) async fn start(
        tool: &PgBackRest,
        cfg: &BackupConfig,
        at: DateTime<Utc>,
        replay: &[(String, String)],
        deadline: Instant,
    ) -> Result<Self> {
        private_fs::create_dir_all(&cfg.scratch_dir)
            .map_err(|e| cannot_start(format!("{}: {e}", cfg.scratch_dir.display())))?;
        let root = std::fs::canonicalize(&cfg.scratch_dir).map_err(cannot_start)?;
        let dir = root.join(format!("restore-{}", uuid::Uuid::now_v7().simple()));
        private_fs::create_dir_all(&dir).map_err(cannot_start)?;
        let lock = std::fs::File::create(dir.join(LOCK_FILE)).map_err(cannot_start)?;
        lock.try_lock()
            .map_err(|e| cannot_start(format!("locking {}: {e}", dir.display())))?;
        let mut scratch = Self {
            data: dir.join("data"),
            dir,
            port: 0,
            bin: PathBuf::new(),
            tool: tool.clone(),
            _lock: Some(lock),
        };
        match scratch.boot(cfg, at, replay, deadline).await {
            Ok(()) => Ok(scratch),
            Err(e) => {
                scratch.remove().await;
                Err(e)
            }
        }
    }

    async fn boot(
        &mut self,
        cfg: &BackupConfig,
        at: DateTime<Utc>,
        replay: &[(String, String)],
        deadline: Instant,
    ) -> Result<()> {
        private_fs::create_dir_all(&self.data).map_err(cannot_start)?;
        // The owner must reach the data directory through the scratch root, which
        // holds nothing but restores.
        if let (Some(user), true, Some(root)) = (&cfg.run_as, is_root(), self.dir.parent()) {
            chown(root, user, false).await?;
            chown(&self.dir, user, true).await?;
        }
        self.tool
            .restore_at(&self.data, at, remaining(deadline))
            .await?;
        self.bin = pg_bin_dir(cfg, &self.data)?;
        self.port = free_port().map_err(cannot_start)?;
        // Beside the live cluster on the same host: small, quiet, and talking to nobody
        // (no autovacuum, no logical replication workers reaching out to publishers).
        let mut options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' \
             -c archive_mode=off -c hot_standby=on -c shared_buffers=128MB -c autovacuum=off \
             -c max_logical_replication_workers=0 -c shared_preload_libraries=''",
            self.port
        );
        for (name, value) in replay {
            options.push_str(&format!(" -c {name}={value}"));
        }
        let log = self.dir.join("server.log");
        let started = self
            .pg_ctl()
            .args(["-o", &options, "-w", "-t"])
            .arg(remaining(deadline).as_secs().max(1).to_string())
            .arg("-l")
            .arg(&log)
            .arg("start")
            .stdin(Stdio::null())
            .output()
            .await
            .map_err(cannot_start)?;
        if !started.status.success() {
            return Err(self.failure());
        }
        Ok(())
    }

    /// Why the instance stopped, from its log: the FATAL lines and their explanations.
    fn failure(&self) -> DomainError {
        let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        let fatal: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("FATAL") || l.contains("DETAIL") || l.contains("HINT"))
            .collect();
        let why = match fatal.is_empty() {
            true => log.lines().rev().take(3).collect::<Vec<_>>(),
            false => fatal,
        };
        cannot_start(super::pgbackrest::bounded(why.join(" | ")))
    }

    /// A connection with `url`'s credentials (the control plane's own: the copy holds
    /// the same roles) to the scratch instance, once recovery has ended.
    pub(super) async fn connect(
        &self,
        url: &SecretString,
        deadline: Instant,
    ) -> Result<tokio_postgres::Client> {
        let live: tokio_postgres::Config = url
            .expose_secret()
            .parse()
            .map_err(|e| anyhow::anyhow!("control database url: {e}"))?;
        let mut pg = tokio_postgres::Config::new();
        pg.host("127.0.0.1")
            .port(self.port)
            .user(live.get_user().unwrap_or("postgres"))
            .dbname(live.get_dbname().unwrap_or("postgres"))
            .application_name("atrium-restore")
            .connect_timeout(Duration::from_secs(5));
        if let Some(password) = live.get_password() {
            pg.password(password);
        }
        loop {
            let attempt = async {
                let (client, conn) = pg.connect(NoTls).await?;
                tokio::spawn(conn);
                let recovering: bool = client
                    .query_one("SELECT pg_is_in_recovery()", &[])
                    .await?
                    .get(0);
                Ok::<_, tokio_postgres::Error>((client, recovering))
            };
            match attempt.await {
                Ok((client, false)) => return Ok(client),
                // The server answered with an error (a role that did not exist yet at
                // that moment, say): waiting will not change it.
                Err(e) if e.as_db_error().is_some() => {
                    return Err(cannot_start(format!(
                        "signing in to the restored copy: {e}"
                    )))
                }
                // pg_ctl returned once read-only connections were accepted; replay can
                // still fail after that, and then the server is gone.
                Ok((_, true)) | Err(_) if !self.data.join("postmaster.pid").exists() => {
                    return Err(self.failure())
                }
                Ok((_, true)) | Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Ok((_, true)) => return Err(cannot_start("still recovering at the deadline")),
                Err(e) => return Err(cannot_start(e)),
            }
        }
    }

    /// Immediate stop (nothing in it is worth a checkpoint), then the directory goes.
    pub(super) async fn remove(self) {
        if self.data.join("postmaster.pid").exists() && !self.bin.as_os_str().is_empty() {
            let stopped = self
                .pg_ctl()
                .args(["-m", "immediate", "-w", "stop"])
                .stdin(Stdio::null())
                .output()
                .await;
            if let Err(e) = stopped {
                tracing::warn!(error = %e, dir = %self.dir.display(), "stopping the scratch instance");
            }
        }
        if let Err(e) = tokio::fs::remove_dir_all(&self.dir).await {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(error = %e, dir = %self.dir.display(), "removing the scratch instance");
            }
        }
    }

    fn pg_ctl(&self) -> tokio::process::Command {
        let mut cmd = self.tool.as_owner(&self.bin.join("pg_ctl"));
        cmd.arg("-D").arg(&self.data).current_dir("/");
        cmd
    }
}

/// The host-wide restore lock (`scratch_dir/.restore.lock`), or None while another
/// process holds it. Released when dropped.
pub(super) fn host_lock(cfg: &BackupConfig) -> Result<Option<std::fs::File>> {
    private_fs::create_dir_all(&cfg.scratch_dir)
        .map_err(|e| cannot_start(format!("{}: {e}", cfg.scratch_dir.display())))?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(cfg.scratch_dir.join(".restore.lock"))
        .map_err(cannot_start)?;
    Ok(file.try_lock().is_ok().then_some(file))
}

/// Stops and removes scratch instances left behind by a process that died during a
/// restore (no one holds their lock any more). Those in use are left alone.
pub(super) async fn sweep(tool: &PgBackRest, cfg: &BackupConfig) {
    let Ok(entries) = std::fs::read_dir(&cfg.scratch_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with("restore-") {
            continue;
        }
        // No lock file yet: a restore in another process may be creating it this
        // instant, so only an old directory counts as abandoned.
        let abandoned = match std::fs::File::open(dir.join(LOCK_FILE)) {
            Ok(f) => f.try_lock().is_ok(),
            Err(_) => entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(60)),
        };
        if !abandoned {
            continue;
        }
        let data = dir.join("data");
        tracing::warn!(dir = %dir.display(), "removing a scratch instance left by an interrupted restore");
        let leftover = Scratch {
            bin: pg_bin_dir(cfg, &data).unwrap_or_default(),
            data,
            dir,
            port: 0,
            tool: tool.clone(),
            _lock: None,
        };
        leftover.remove().await;
    }
}

/// Settings recovery refuses to run below the primary's values (a cluster started with
/// `-c max_connections=200` restores with the default 100 in its files). Read from the
/// live cluster, numbers only, for the scratch instance's command line.
pub(super) async fn replay_settings(
    client: &impl tokio_postgres::GenericClient,
) -> Result<Vec<(String, String)>> {
    let rows = client
        .query(
            "SELECT name, setting FROM pg_settings WHERE name IN ('max_connections',
               'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
               'max_locks_per_transaction')",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
        .filter(|(_, v)| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .collect())
}

fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

async fn chown(dir: &Path, user: &str, recursive: bool) -> Result<()> {
    let mut cmd = tokio::process::Command::new("chown");
    if recursive {
        cmd.arg("-R");
    }
    let out = cmd
        .arg(format!("{user}:"))
        .arg(dir)
        .output()
        .await
        .map_err(cannot_start)?;
    match out.status.success() {
        true => Ok(()),
        false => Err(cannot_start(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        )),
    }
}

/// The binaries of the restored cluster's major version (a cluster only starts under
/// its own), unless configured.
fn pg_bin_dir(cfg: &BackupConfig, data: &Path) -> Result<PathBuf> {
    if let Some(dir) = &cfg.pg_bin_dir {
        return Ok(dir.clone());
    }
    let version = std::fs::read_to_string(data.join("PG_VERSION")).map_err(cannot_start)?;
    let dir = Path::new("/usr/lib/postgresql")
        .join(version.trim())
        .join("bin");
    match dir.join("pg_ctl").exists() {
        true => Ok(dir),
        false => Err(cannot_start(format!(
            "PostgreSQL {} is not installed (set control.backup.pg_bin_dir)",
            version.trim()
        ))),
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

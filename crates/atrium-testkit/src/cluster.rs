//! Starting and stopping a real PostgreSQL cluster with initdb and pg_ctl, for the tests
//! and (through the atrium-stack binary) for scripts/.

use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use anyhow::{bail, Context};

use crate::{ports, process};

pub struct PgCluster {
    pub superuser_url: String,
    pub port: u16,
    data_dir: Option<PathBuf>,
    options: PgOptions,
}

#[derive(Clone, Debug)]
pub struct PgOptions {
    pub max_connections: u32,
    /// fsync and full-page writes off: only an OS crash could lose data, which a
    /// cluster that is thrown away afterwards does not care about.
    pub throwaway: bool,
    /// Archive WAL with pgBackRest, configured by this pgbackrest.conf (stanza
    /// [`crate::backup::STANZA`]), at least once a minute.
    pub archive: Option<PathBuf>,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self {
            max_connections: 200,
            throwaway: false,
            archive: None,
        }
    }
}

const TEST_PASSWORD: &str = "test-superuser";

impl PgCluster {
    pub fn external(url: String) -> Self {
        let port = url
            .rsplit_once(':')
            .and_then(|(_, rest)| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or(5432);
        Self {
            superuser_url: url,
            port,
            data_dir: None,
            options: PgOptions::default(),
        }
    }

    /// The cluster in `data_dir`, created by initdb (with `password` for the `postgres`
    /// superuser) unless it exists already. Not started.
    pub fn in_dir(
        data_dir: &Path,
        port: u16,
        password: &str,
        options: PgOptions,
    ) -> anyhow::Result<Self> {
        if !data_dir.join("PG_VERSION").exists() {
            eprintln!(
                "creating PostgreSQL cluster in {} (port {port})",
                data_dir.display()
            );
            initdb(data_dir, password)?;
        }
        Ok(Self {
            superuser_url: format!("postgres://postgres:{password}@127.0.0.1:{port}/postgres"),
            port,
            data_dir: Some(data_dir.to_path_buf()),
            options,
        })
    }

    /// initdb + start on a free port, in a temporary directory. A watchdog stops the
    /// cluster and removes the directory when this process exits.
    pub fn start_new() -> anyhow::Result<Self> {
        let port = ports::free_port()?;
        let dir = std::env::temp_dir().join(format!("atrium-pg-{}-{port}", std::process::id()));
        let options = PgOptions {
            max_connections: 400,
            throwaway: true,
            archive: None,
        };
        let data = dir.join("data");
        // The watchdog outlives us by design: it is how the cluster gets stopped. It
        // comes first so that a test killed during initdb leaves nothing behind either.
        process::watchdog(&format!(
            "{}; rm -rf {}",
            stop_command(&data, "immediate")?,
            process::sh_quote(&dir.display().to_string())
        ))?;
        let cluster = Self::in_dir(&data, port, TEST_PASSWORD, options)?;
        cluster.start()?;
        Ok(cluster)
    }

    fn data_dir(&self) -> anyhow::Result<&Path> {
        self.data_dir
            .as_deref()
            .context("this cluster is not managed by the harness")
    }

    /// Starts the cluster unless it runs already (with logical WAL, and WAL archiving
    /// when asked for: a cluster started without them is restarted).
    pub fn start(&self) -> anyhow::Result<()> {
        let data = self.data_dir()?;
        if running(data)? {
            let opts = std::fs::read_to_string(data.join("postmaster.opts")).unwrap_or_default();
            let archiving = self.options.archive.is_none() || opts.contains("archive_mode=on");
            if archiving && opts.contains("wal_level=logical") {
                return Ok(());
            }
            eprintln!(
                "restarting PostgreSQL in {} with logical WAL and archiving as asked",
                data.display()
            );
            stop(data, "fast")?;
        }
        if self.options.archive.is_some() {
            // pgBackRest connects as the postgres OS user over the socket.
            crate::backup::allow_local_peer(data)?;
        }
        // Every parent directory must be traversable by the postgres user.
        if process::is_root() {
            if let Some(parent) = data.parent() {
                let mut mode = std::fs::metadata(parent)?.permissions();
                mode.set_mode(mode.mode() | 0o001);
                std::fs::set_permissions(parent, mode)?;
            }
        }
        // Logical decoding: a move between isolation tiers follows the tenant's changes
        // through a replication slot (docs/isolation-tiers.md, "Moves"); a move between
        // clusters subscribes to them, one apply worker and up to four table copies per
        // move (docs/scale-out.md). Room for the moves of tests that run side by side.
        let mut opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k /tmp -c max_connections={} -c wal_level=logical \
             -c max_replication_slots=64 -c max_wal_senders=64 -c max_worker_processes=48 \
             -c max_logical_replication_workers=32 -c max_sync_workers_per_subscription=4",
            self.port, self.options.max_connections
        );
        if self.options.throwaway {
            opts.push_str(" -c fsync=off -c full_page_writes=off -c shared_buffers=128MB");
        }
        if let Some(conf) = &self.options.archive {
            opts.push_str(&crate::backup::archive_options(conf));
        }
        let log = data.join("server.log");
        let started = process::run(&mut process::as_postgres(
            pg_ctl(data)?
                .args(["-o", &opts, "-w", "-t", "60", "-l"])
                .arg(&log)
                .arg("start"),
        ));
        if let Err(e) = started {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(20)..].join("\n");
            bail!("PostgreSQL did not start: {e:#}\n{tail}");
        }
        // pg_ctl -w returns once the server accepts connections; give it a beat for TCP.
        std::thread::sleep(Duration::from_millis(50));
        Ok(())
    }

    /// Immediate stop, as a crash or a killed container would look.
    pub fn stop(&self) -> anyhow::Result<()> {
        stop(self.data_dir()?, "immediate")
    }
}

/// Stops the cluster in `data_dir` with pg_ctl's `mode` (smart, fast, immediate), which
/// signals the postmaster named in its postmaster.pid. Nothing to do when it is down,
/// stale pid file (after a crash) or missing directory included.
pub fn stop(data_dir: &Path, mode: &str) -> anyhow::Result<()> {
    if !running(data_dir)? {
        return Ok(());
    }
    process::run(&mut process::as_postgres(
        pg_ctl(data_dir)?.args(["-m", mode, "-w", "stop"]),
    ))
    .context("pg_ctl stop")
}

fn running(data_dir: &Path) -> anyhow::Result<bool> {
    Ok(process::as_postgres(pg_ctl(data_dir)?.arg("status"))
        .output()?
        .status
        .success())
}

fn pg_ctl(data_dir: &Path) -> anyhow::Result<Command> {
    let mut cmd = Command::new(bin_dir(Some(data_dir))?.join("pg_ctl"));
    cmd.arg("-D").arg(data_dir);
    Ok(cmd)
}

pub(crate) fn stop_command(data_dir: &Path, mode: &str) -> anyhow::Result<String> {
    let ctl = process::as_postgres(pg_ctl(data_dir)?.args(["-m", mode, "stop"]));
    Ok(std::iter::once(ctl.get_program())
        .chain(ctl.get_args())
        .map(|a| process::sh_quote(&a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" "))
}

fn initdb(data_dir: &Path, password: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    process::chown_to_postgres(data_dir)?;
    // Outside the data directory (initdb wants it empty), readable by postgres only.
    let pwfile = std::env::temp_dir().join(format!(
        "atrium-pgpw-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::write(&pwfile, password)?;
    std::fs::set_permissions(&pwfile, std::fs::Permissions::from_mode(0o600))?;
    let created = process::chown_to_postgres(&pwfile).and_then(|()| {
        process::run(&mut process::as_postgres(
            Command::new(bin_dir(None)?.join("initdb"))
                .arg("-D")
                .arg(data_dir)
                .args([
                    "-U",
                    "postgres",
                    // Over the socket only the postgres OS user, as itself (pgBackRest).
                    "--auth-local=peer",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ])
                .arg(format!("--pwfile={}", pwfile.display())),
        ))
    });
    std::fs::remove_file(&pwfile)?;
    created.context("initdb")
}

/// The PostgreSQL binaries: `ATRIUM_PG_BIN` if set; else those of the version that
/// created `data_dir` (a cluster only starts under its own major version); else the
/// newest installed under /usr/lib/postgresql.
pub fn bin_dir(data_dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("ATRIUM_PG_BIN") {
        return Ok(dir.into());
    }
    let root = Path::new("/usr/lib/postgresql");
    if let Some(data) = data_dir {
        if let Ok(version) = std::fs::read_to_string(data.join("PG_VERSION")) {
            let dir = root.join(version.trim()).join("bin");
            if !dir.join("pg_ctl").exists() {
                bail!(
                    "the cluster in {} needs PostgreSQL {}, which is not installed",
                    data.display(),
                    version.trim()
                );
            }
            return Ok(dir);
        }
    }
    std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path())))
        .filter(|(_, dir)| dir.join("bin/pg_ctl").exists())
        .max_by_key(|(version, _)| *version)
        .map(|(_, dir)| dir.join("bin"))
        .context("PostgreSQL is not installed under /usr/lib/postgresql (scripts/test installs postgresql-15)")
}

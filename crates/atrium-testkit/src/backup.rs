//! WAL archiving with pgBackRest for a cluster the harness runs: the configuration file
//! (scripts/up's and the tests'), the server options that push WAL into it, and a
//! throwaway archived cluster for the backup and restore tests.

use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
};

use anyhow::Context;

use crate::{ports, process, PgCluster, PgOptions};

/// pgBackRest's name for the cluster.
pub const STANZA: &str = "atrium";

/// The repository's encryption passphrase on development machines and in tests.
/// Production generates its own (docs/operations/backup-and-restore.md).
const DEV_CIPHER_PASS: &str = "dev-only-insecure-backup-passphrase";

/// Writes `dir/pgbackrest.conf` unless it exists, for the cluster in `pg_dir` listening
/// on `port` (socket in /tmp): an encrypted repository in `dir/repo` keeping two full
/// backups, logs and locks beside it. Everything belongs to the postgres user, who runs
/// both PostgreSQL's archive_command and the backups.
pub fn write_config(dir: &Path, pg_dir: &Path, port: u16) -> anyhow::Result<PathBuf> {
    // pgBackRest wants absolute paths; ATRIUM_STATE_DIR may be relative.
    let (dir, pg_dir) = (std::path::absolute(dir)?, std::path::absolute(pg_dir)?);
    let (dir, pg_dir) = (dir.as_path(), pg_dir.as_path());
    let conf = dir.join("pgbackrest.conf");
    if conf.exists() {
        return Ok(conf);
    }
    for sub in ["repo", "log", "lock", "spool"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let text = format!(
        "# Written by atrium-stack. The passphrase is a development default: production\n\
         # generates its own and keeps it in a secret store as well (a lost passphrase\n\
         # is a lost repository).\n\
         [global]\n\
         repo1-path={repo}\n\
         repo1-retention-full=2\n\
         repo1-cipher-type=aes-256-cbc\n\
         repo1-cipher-pass={DEV_CIPHER_PASS}\n\
         compress-type=lz4\n\
         start-fast=y\n\
         archive-async=n\n\
         log-path={log}\n\
         lock-path={lock}\n\
         spool-path={spool}\n\
         log-level-file=info\n\
         \n\
         [{STANZA}]\n\
         pg1-path={pg}\n\
         pg1-port={port}\n\
         pg1-socket-path=/tmp\n\
         pg1-user=postgres\n",
        repo = dir.join("repo").display(),
        log = dir.join("log").display(),
        lock = dir.join("lock").display(),
        spool = dir.join("spool").display(),
        pg = pg_dir.display(),
    );
    std::fs::write(&conf, text)?;
    std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o600))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    if process::is_root() {
        process::run(
            std::process::Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir),
        )?;
    }
    Ok(conf)
}

/// postgres options that archive every WAL segment through pgBackRest, and at least
/// once a minute (archive_timeout bounds what a lost disk loses without a replica).
pub fn archive_options(conf: &Path) -> String {
    format!(
        " -c archive_mode=on -c archive_timeout=60 \
         -c \"archive_command=pgbackrest --config={} --stanza={STANZA} archive-push %p\"",
        conf.display()
    )
}

/// Puts `local all postgres peer` first in pg_hba.conf unless some line already lets
/// the postgres OS user in over the socket.
pub fn allow_local_peer(data_dir: &Path) -> anyhow::Result<()> {
    let path = data_dir.join("pg_hba.conf");
    let hba = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    let has = hba.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        f.len() >= 4
            && f[0] == "local"
            && f[1] == "all"
            && f[3] == "peer"
            && ["all", "postgres"].contains(&f[2])
    });
    if !has {
        std::fs::write(&path, format!("local all postgres peer\n{hba}"))?;
    }
    Ok(())
}

/// A throwaway cluster that archives WAL into its own pgBackRest repository, for the
/// backup and point-in-time restore tests. A watchdog stops it and removes everything
/// when this process exits.
pub struct ArchivedCluster {
    pub cluster: PgCluster,
    pub pgbackrest_config: PathBuf,
    /// Room for scratch instances of this cluster.
    pub scratch_dir: PathBuf,
}

impl ArchivedCluster {
    pub fn start_new() -> anyhow::Result<Self> {
        let port = ports::free_port()?;
        let dir = std::env::temp_dir().join(format!("atrium-pgbr-{}-{port}", std::process::id()));
        let data = dir.join("data");
        process::watchdog(&format!(
            "{}; rm -rf {}",
            crate::cluster::stop_command(&data, "immediate")?,
            process::sh_quote(&dir.display().to_string())
        ))?;
        std::fs::create_dir_all(&dir)?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))?;
        let conf = write_config(&dir.join("backup"), &data, port)?;
        // Above the default 100 that the restored copy's own files hold: a scratch
        // instance must take the live value (recovery refuses less).
        let options = PgOptions {
            max_connections: 150,
            throwaway: true,
            archive: Some(conf.clone()),
        };
        let cluster = PgCluster::in_dir(&data, port, "test-superuser", options)?;
        cluster.start()?;
        Ok(Self {
            cluster,
            pgbackrest_config: conf,
            scratch_dir: dir.join("scratch"),
        })
    }
}

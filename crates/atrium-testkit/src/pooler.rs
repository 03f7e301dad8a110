//! PgBouncer in transaction mode in front of a test cluster, as a data plane reaches
//! PostgreSQL at scale (docs/scale-out.md, "A connection pooler"). Debian 12's is 1.18:
//! no prepared statements across transactions, one server session per transaction.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};

use crate::{cluster::PgCluster, password_of, ports, process};

/// Server connections per database and user in tests: fewer than a test's API pool
/// holds, so its connections take turns on them and anything one leaves on a server
/// session (a named statement, a session setting) meets another.
pub const TEST_SERVER_CONNECTIONS: u32 = 3;

pub struct Pooler {
    pub port: u16,
    /// The superuser's password on the cluster behind it (the admin console's too).
    password: String,
}

impl Pooler {
    /// A pooler someone else started (`scripts/test`): its superuser URL.
    pub fn external(url: &str) -> anyhow::Result<Self> {
        let cluster = PgCluster::external(url.to_owned());
        Ok(Self {
            port: cluster.port,
            password: password_of(url),
        })
    }

    /// Starts PgBouncer in `dir` on `port` in front of `cluster`, unless it runs there,
    /// with `server_connections` per database and user.
    pub fn start(
        dir: &Path,
        port: u16,
        cluster: &PgCluster,
        server_connections: u32,
    ) -> anyhow::Result<Self> {
        let password = password_of(&cluster.superuser_url);
        let pooler = Self { port, password };
        if running(dir) {
            return Ok(pooler);
        }
        std::fs::create_dir_all(dir).with_context(|| dir.display().to_string())?;
        process::chown_to_postgres(dir)?;
        let ini = dir.join("pgbouncer.ini");
        std::fs::write(&ini, config(dir, port, cluster.port, server_connections))?;
        std::fs::write(
            dir.join("userlist.txt"),
            format!("\"postgres\" \"{}\"\n", pooler.password),
        )?;
        for file in ["pgbouncer.ini", "userlist.txt"] {
            process::chown_to_postgres(&dir.join(file))?;
        }
        // PgBouncer refuses to run as root; -d: it daemonizes once it listens.
        let mut cmd = Command::new("pgbouncer");
        cmd.arg("-d").arg(&ini);
        process::run(&mut process::as_postgres(&cmd))
            .context("starting PgBouncer (apt-get install pgbouncer)")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default();
                bail!("PgBouncer did not listen on {port}: {log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(pooler)
    }

    /// A pooler of this process's own in front of `cluster`, on a free port; a watchdog
    /// stops it and removes its directory when this process exits.
    pub fn start_new(cluster: &PgCluster) -> anyhow::Result<Self> {
        let port = ports::free_port()?;
        let dir =
            std::env::temp_dir().join(format!("atrium-pgbouncer-{}-{port}", std::process::id()));
        let pid = dir.join("pgbouncer.pid");
        process::watchdog(&format!(
            "[ -f {pid} ] && kill \"$(cat {pid})\"; sleep 1; rm -rf {dir}",
            pid = process::sh_quote(&pid.display().to_string()),
            dir = process::sh_quote(&dir.display().to_string()),
        ))?;
        Self::start(&dir, port, cluster, TEST_SERVER_CONNECTIONS)
    }

    /// `url`, a URL of the cluster behind the pooler, through the pooler instead.
    pub fn url_through(&self, url: &str) -> String {
        let direct = PgCluster::external(url.to_owned()).port;
        url.replacen(&format!(":{direct}/"), &format!(":{}/", self.port), 1)
    }

    /// Transactions the pooler has passed on to `database` so far (`SHOW STATS`).
    pub async fn transactions(&self, database: &str) -> u64 {
        let url = format!(
            "postgres://postgres:{}@127.0.0.1:{}/pgbouncer",
            self.password, self.port
        );
        let (client, conn) = atrium_core::db::connect_one(&url, "atrium-test")
            .await
            .unwrap_or_else(|e| panic!("PgBouncer's admin console: {e}"));
        tokio::spawn(conn);
        let rows = client
            .simple_query("SHOW STATS")
            .await
            .unwrap_or_else(|e| panic!("SHOW STATS: {e}"));
        rows.iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
                _ => None,
            })
            .filter(|r| r.get("database") == Some(database))
            .filter_map(|r| r.get("total_xact_count")?.parse::<u64>().ok())
            .sum()
    }
}

/// Stops the PgBouncer started in `dir`, by the PID in its pid file.
pub fn stop(dir: &Path) -> anyhow::Result<()> {
    process::stop_pid_file(&dir.join("pgbouncer.pid"), "pgbouncer", "TERM")
}

fn running(dir: &Path) -> bool {
    process::read_pid(&dir.join("pgbouncer.pid")).is_some_and(|pid| process::runs(pid, "pgbouncer"))
}

/// Every database of the cluster, transaction pooling, and each login checked against
/// the cluster's own SCRAM secret (`auth_query`), which PgBouncer then uses to log in to
/// the server as that user: no password of a test's roles is written anywhere.
fn config(dir: &Path, port: u16, pg_port: u16, server_connections: u32) -> String {
    let dir: PathBuf = dir.to_path_buf();
    format!(
        "[databases]
* = host=127.0.0.1 port={pg_port} auth_user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
pool_mode = transaction
default_pool_size = {server_connections}
max_client_conn = 500
max_db_connections = 0
auth_type = scram-sha-256
auth_file = {userlist}
auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename = $1
admin_users = postgres
stats_users = postgres
logfile = {log}
pidfile = {pid}
",
        userlist = dir.join("userlist.txt").display(),
        log = dir.join("pgbouncer.log").display(),
        pid = dir.join("pgbouncer.pid").display(),
    )
}

//! A real ClickHouse server: Debian's clickhouse-server, run from a directory of its
//! own (config, data, logs and a pid file), for the tests and (through the atrium-stack
//! binary) for scripts/.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command},
    sync::Mutex,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use atrium_core::config::{DEV_CLICKHOUSE_CLUSTER, DEV_CLICKHOUSE_PASSWORD};
use sha2::{Digest, Sha256};

use crate::{ports, process};

const CONFIG: &str = include_str!("../clickhouse-local.xml");
const USERS: &str = include_str!("../clickhouse-users.xml");

/// The program a pid file of ours must name before we signal it.
const SERVER: &str = "clickhouse-server";

pub struct ChServer {
    pub http_port: u16,
    dir: PathBuf,
    /// Kept so that a server we stopped is reaped, not left a zombie.
    child: Mutex<Option<Child>>,
}

impl ChServer {
    /// A server on free ports in a temporary directory, any database open to the
    /// application users (each test has its own). A watchdog kills it (by the PID in its
    /// pid file) and removes the directory when this process exits.
    pub fn start_new() -> anyhow::Result<Self> {
        Self::start_with(None)
    }

    /// Like [`ChServer::start_new`], with the application users kept to `database`, as
    /// on the dev stack.
    pub fn start_for(database: &str) -> anyhow::Result<Self> {
        Self::start_with(Some(database))
    }

    fn start_with(database: Option<&str>) -> anyhow::Result<Self> {
        let [http_port, tcp_port] = ports::free_ports(2)?[..] else {
            bail!("two free ports expected");
        };
        let server = Self::in_temp_dir(http_port, tcp_port, database, &[tcp_port])?;
        server.start()?;
        Ok(server)
    }

    /// `n` servers on free ports, each a shard of [`DEV_CLICKHOUSE_CLUSTER`] (which
    /// lists them all), started; any database open to the application users.
    pub fn start_shards(n: usize) -> anyhow::Result<Vec<Self>> {
        let ports = ports::free_ports(2 * n)?;
        let (http, tcp) = ports.split_at(n);
        let shards = http
            .iter()
            .zip(tcp)
            .map(|(&h, &t)| Self::in_temp_dir(h, t, None, tcp))
            .collect::<anyhow::Result<Vec<_>>>()?;
        for shard in &shards {
            shard.start()?;
        }
        Ok(shards)
    }

    /// In a temporary directory that a watchdog removes (after killing the server, by
    /// the PID in its pid file) when this process exits. Not started.
    fn in_temp_dir(
        http_port: u16,
        tcp_port: u16,
        database: Option<&str>,
        shards: &[u16],
    ) -> anyhow::Result<Self> {
        let dir =
            std::env::temp_dir().join(format!("atrium-ch-{}-{http_port}", std::process::id()));
        // First, so that a test killed while the server starts leaves nothing behind.
        let quoted = process::sh_quote(&dir.display().to_string());
        process::watchdog(&format!(
            "pid=$(cat {quoted}/pid 2>/dev/null) && kill -9 \"$pid\"; rm -rf {quoted}"
        ))?;
        Self::in_dir(&dir, http_port, tcp_port, database, shards)
    }

    /// The server configured to live in `dir` on the given ports, with the application
    /// users kept to `database` if one is given, and one of the shards of
    /// [`DEV_CLICKHOUSE_CLUSTER`] listening on `shards` (its own `tcp_port` among them).
    /// Not started.
    pub fn in_dir(
        dir: &Path,
        http_port: u16,
        tcp_port: u16,
        database: Option<&str>,
        shards: &[u16],
    ) -> anyhow::Result<Self> {
        if !shards.contains(&tcp_port) {
            bail!("a server is one of its own cluster's shards");
        }
        for sub in ["data", "tmp", "log", "user_files"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        std::fs::write(dir.join("users.xml"), users_xml(database)?)?;
        let config = CONFIG
            .replace("@DIR@", &dir.display().to_string())
            .replace("@HTTP@", &http_port.to_string())
            .replace("@TCP@", &tcp_port.to_string())
            .replace("@REMOTE_SERVERS@", &remote_servers(shards));
        std::fs::write(dir.join("config.xml"), config)?;
        Ok(Self {
            http_port,
            dir: dir.to_path_buf(),
            child: Mutex::new(None),
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// The server's data directory (`<path>` in its config): tables, `shadow/`.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Starts the server and waits until it answers /ping.
    pub fn start(&self) -> anyhow::Result<()> {
        let mut child = process::detached(
            Command::new(SERVER).arg(format!("--config-file={}/config.xml", self.dir.display())),
        )
        .spawn()
        .context(SERVER)?;
        std::fs::write(self.dir.join("pid"), child.id().to_string())?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if ping(self.http_port) {
                *self.child.lock().map_err(|_| anyhow::anyhow!("poisoned"))? = Some(child);
                return Ok(());
            }
            if child.try_wait()?.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        // The directory goes with this process, so CI keeps only what we print.
        let log = std::fs::read_to_string(self.dir.join("log/err.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        bail!(
            "clickhouse-server did not start; the end of {}/log/err.log:\n{}",
            self.dir.display(),
            lines[lines.len().saturating_sub(8)..].join("\n")
        )
    }

    /// SIGKILL: ClickHouse gone at once, as a crashed container would be.
    pub fn stop(&self) -> anyhow::Result<()> {
        stop(&self.dir, "KILL")?;
        if let Some(mut child) = self
            .child
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .take()
        {
            child.wait()?;
        }
        Ok(())
    }
}

/// Whether the server of `dir` runs (by its pid file).
pub fn running(dir: &Path) -> bool {
    process::read_pid(&dir.join("pid")).is_some_and(|pid| process::runs(pid, SERVER))
}

/// Stops the server of `dir` with `signal` (SIGKILL if it lingers) and waits until it has
/// exited. Nothing to do when it is not running.
pub fn stop(dir: &Path, signal: &str) -> anyhow::Result<()> {
    process::stop_pid_file(&dir.join("pid"), SERVER, signal)
}

/// The users file: `default` (admin), `atrium_reader` and `atrium_writer`, each with
/// the development password.
fn users_xml(database: Option<&str>) -> anyhow::Result<String> {
    let hash = hex::encode(Sha256::digest(DEV_CLICKHOUSE_PASSWORD.as_bytes()));
    let (reader, writer) = match database {
        Some(db) => {
            if !atrium_core::tenancy::is_plain_identifier(db) {
                bail!("not a plain database name: {db}");
            }
            let allow = format!("<allow_databases><database>{db}</database></allow_databases>");
            // A row policy hiding every event from the writer: current ClickHouse
            // enforces it; 18.16 ignores it (see "ClickHouse users" in README.md).
            let hide =
                format!("<databases><{db}><events><filter>0</filter></events></{db}></databases>");
            (allow.clone(), allow + &hide)
        }
        None => (String::new(), String::new()),
    };
    Ok(USERS
        .replace("@PASSWORD_SHA256@", &hash)
        .replace("@READER_DATABASES@", &reader)
        .replace("@WRITER_DATABASES@", &writer))
}

/// [`DEV_CLICKHOUSE_CLUSTER`]: one shard per native port, on this host.
fn remote_servers(shards: &[u16]) -> String {
    let replicas: String = shards
        .iter()
        .map(|port| {
            format!(
                "<shard><replica><host>127.0.0.1</host><port>{port}</port>\
                 <user>default</user><password>{DEV_CLICKHOUSE_PASSWORD}</password></replica></shard>"
            )
        })
        .collect();
    format!("<{DEV_CLICKHOUSE_CLUSTER}>{replicas}</{DEV_CLICKHOUSE_CLUSTER}>")
}

fn ping(http_port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", http_port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut reply = String::new();
    stream
        .write_all(b"GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .and_then(|()| stream.read_to_string(&mut reply))
        .is_ok_and(|_| reply.starts_with("HTTP/1.0 200") || reply.starts_with("HTTP/1.1 200"))
}

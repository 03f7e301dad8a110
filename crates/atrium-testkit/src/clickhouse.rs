//! A real ClickHouse server for tests: Debian's clickhouse-server, run from a temporary
//! directory on free ports, stopped by a watchdog when the test process exits.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};

pub struct ChServer {
    pub http_port: u16,
    dir: PathBuf,
    child: Mutex<Option<Child>>,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl ChServer {
    pub fn start_new() -> anyhow::Result<Self> {
        let (http_port, tcp_port) = (free_port()?, free_port()?);
        let dir =
            std::env::temp_dir().join(format!("atrium-ch-{}-{http_port}", std::process::id()));
        for sub in ["data", "tmp", "log", "user_files"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        let users = std::fs::read_to_string("/etc/clickhouse-server/users.xml")
            .context("clickhouse-server is not installed (scripts/test installs it)")?;
        std::fs::write(dir.join("users.xml"), users)?;
        let config = include_str!("../../../scripts/clickhouse-local.xml")
            .replace("@DIR@", &dir.display().to_string())
            .replace("@HTTP@", &http_port.to_string())
            .replace("@TCP@", &tcp_port.to_string());
        std::fs::write(dir.join("config.xml"), config)?;
        let server = Self {
            http_port,
            dir,
            child: Mutex::new(None),
        };
        server.start()?;
        let watchdog = format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; pkill -f '{}/config.xml'; rm -rf '{}'",
            std::process::id(),
            server.dir.display(),
            server.dir.display()
        );
        Command::new("sh")
            .arg("-c")
            .arg(watchdog)
            .spawn()
            .context("watchdog")?;
        Ok(server)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    pub fn start(&self) -> anyhow::Result<()> {
        let child = Command::new("clickhouse-server")
            .arg(format!("--config-file={}/config.xml", self.dir.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("clickhouse-server")?;
        *self.child.lock().map_err(|_| anyhow::anyhow!("poisoned"))? = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.http_port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!(
            "clickhouse-server did not start; see {}/log/err.log",
            self.dir.display()
        )
    }

    /// SIGKILL: ClickHouse gone at once, as a crashed container would be.
    pub fn stop(&self) -> anyhow::Result<()> {
        if let Some(mut child) = self
            .child
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .take()
        {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }
}

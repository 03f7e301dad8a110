//! Starting and stopping a real PostgreSQL cluster with initdb and pg_ctl.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use anyhow::{bail, Context};

pub struct PgCluster {
    pub superuser_url: String,
    pub port: u16,
    data_dir: Option<PathBuf>,
}

const SUPERUSER_PASSWORD: &str = "test-superuser";

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
        }
    }

    /// initdb + start on a free port, in a temporary directory. A watchdog stops the
    /// cluster and removes the directory when this process exits.
    pub fn start_new() -> anyhow::Result<Self> {
        let port = free_port()?;
        let dir = std::env::temp_dir().join(format!("atrium-pg-{}-{port}", std::process::id()));
        let data = dir.join("data");
        std::fs::create_dir_all(&dir)?;
        let pwfile = dir.join("pw");
        std::fs::write(&pwfile, SUPERUSER_PASSWORD)?;
        chown_to_postgres(&dir)?;
        chown_to_postgres(&pwfile)?;
        run_as_postgres(
            Command::new(pg_bin("initdb")?)
                .arg("-D")
                .arg(&data)
                .args([
                    "-U",
                    "postgres",
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ])
                .arg(format!("--pwfile={}", pwfile.display())),
        )
        .context("initdb")?;
        let cluster = Self {
            superuser_url: format!(
                "postgres://postgres:{SUPERUSER_PASSWORD}@127.0.0.1:{port}/postgres"
            ),
            port,
            data_dir: Some(data),
        };
        cluster.start()?;
        // fsync=off only risks data on an OS crash; an immediate stop (what the readiness
        // test does) keeps every commit, so synchronous_commit stays on.
        // The watchdog outlives us by design: it is how the cluster gets stopped.
        let watchdog = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop}; rm -rf '{dir}'",
            pid = std::process::id(),
            stop = cluster.stop_command()?,
            dir = dir.display()
        );
        Command::new("sh")
            .arg("-c")
            .arg(watchdog)
            .spawn()
            .context("watchdog")?;
        Ok(cluster)
    }

    fn data_dir(&self) -> anyhow::Result<&Path> {
        self.data_dir
            .as_deref()
            .context("this cluster is not managed by the harness")
    }

    pub fn start(&self) -> anyhow::Result<()> {
        let data = self.data_dir()?;
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=400 -c fsync=off \
             -c full_page_writes=off -c shared_buffers=128MB",
            self.port
        );
        run_as_postgres(
            Command::new(pg_bin("pg_ctl")?)
                .arg("-D")
                .arg(data)
                .args(["-o", &opts, "-w", "-t", "30", "-l"])
                .arg(data.join("server.log"))
                .arg("start"),
        )
        .context("pg_ctl start")
    }

    /// Immediate stop, as a crash or a killed container would look.
    pub fn stop(&self) -> anyhow::Result<()> {
        let data = self.data_dir()?;
        run_as_postgres(Command::new(pg_bin("pg_ctl")?).arg("-D").arg(data).args([
            "-m",
            "immediate",
            "-w",
            "stop",
        ]))
        .context("pg_ctl stop")
    }

    fn stop_command(&self) -> anyhow::Result<String> {
        let ctl = format!(
            "{} -D '{}' -m immediate stop",
            pg_bin("pg_ctl")?.display(),
            self.data_dir()?.display()
        );
        Ok(if is_root() {
            format!("runuser -u postgres -- {ctl}")
        } else {
            ctl
        })
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn pg_bin(name: &str) -> anyhow::Result<PathBuf> {
    for dir in ["/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"] {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return Ok(p);
        }
    }
    bail!("{name} not found: install postgresql-15 (scripts/test does)")
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

/// initdb and postgres refuse to run as root; as root we hand the files to `postgres`.
fn chown_to_postgres(path: &Path) -> anyhow::Result<()> {
    if is_root() {
        let status = Command::new("chown")
            .arg("-R")
            .arg("postgres:postgres")
            .arg(path)
            .status()?;
        if !status.success() {
            bail!("chown {} failed", path.display());
        }
    }
    Ok(())
}

fn run_as_postgres(cmd: &mut Command) -> anyhow::Result<()> {
    let output = if is_root() {
        let mut wrapped = Command::new("runuser");
        wrapped
            .args(["-u", "postgres", "--"])
            .arg(cmd.get_program())
            .args(cmd.get_args());
        wrapped.current_dir("/tmp").output()?
    } else {
        cmd.output()?
    };
    if !output.status.success() {
        bail!(
            "{:?} failed: {}{}",
            cmd.get_program(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // pg_ctl -w returns once the server accepts connections; give it a beat for TCP.
    std::thread::sleep(Duration::from_millis(50));
    Ok(())
}

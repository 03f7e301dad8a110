//! The launcher scripts/ use for PostgreSQL, PgBouncer and ClickHouse: the same code the tests
//! start them with. Every server lives in a directory of its own and is stopped by the
//! PID recorded there.

use std::path::Path;

use anyhow::{bail, Context};
use atrium_testkit::{
    backup, clickhouse, cluster, pooler, ports, ChServer, PgCluster, PgOptions, Pooler,
};

const USAGE: &str = "usage:
  atrium-stack pg start DIR PORT PASSWORD [--max-connections N] [--throwaway]
                                    [--backup BACKUP_DIR]
                                    create (once) and start a cluster in DIR; with
                                    --backup, WAL archived by pgBackRest into a
                                    repository in BACKUP_DIR (pgbackrest.conf there)
  atrium-stack pg stop DIR          fast shutdown; nothing to do when it is down
  atrium-stack pg bin               the PostgreSQL bin directory in use
  atrium-stack ch start DIR HTTP_PORT TCP_PORT [DATABASE | --shards TCP,TCP...]
                                    a ClickHouse server in DIR on 127.0.0.1; its
                                    users (development password) kept to DATABASE
                                    (default atrium), or open to any database as one
                                    of the shards (native ports) of atrium_events
  atrium-stack ch stop DIR          SIGTERM, wait for the exit (SIGKILL after 30 s)
  atrium-stack pooler start DIR PORT PG_SUPERUSER_URL [--server-connections N]
                                    PgBouncer in transaction mode on 127.0.0.1:PORT
                                    in front of that cluster (every database), N
                                    server connections per database and user
                                    (default 3: fewer than a test's pool)
  atrium-stack pooler stop DIR      SIGTERM to the PgBouncer started in DIR
  atrium-stack free-port [N]        N (default 1) distinct free ports, on one line";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let Err(e) = run(&args) {
        eprintln!("atrium-stack: {e:#}");
        std::process::exit(1);
    }
}

fn run(args: &[&str]) -> anyhow::Result<()> {
    match args {
        ["pg", "start", dir, port, password, flags @ ..] => {
            let (port, dir) = (parse(port)?, Path::new(dir));
            let options = pg_options(flags, dir, port)?;
            PgCluster::in_dir(dir, port, password, options)?.start()
        }
        ["pg", "stop", dir] => cluster::stop(Path::new(dir), "fast"),
        ["pg", "bin"] => {
            println!("{}", cluster::bin_dir(None)?.display());
            Ok(())
        }
        ["ch", "start", dir, http, tcp, rest @ ..] => {
            let tcp: u16 = parse(tcp)?;
            let (database, shards) = match rest {
                [] => (Some("atrium"), vec![tcp]),
                ["--shards", ports] => {
                    (None, ports.split(',').map(parse).collect::<Result<_, _>>()?)
                }
                [db] => (Some(*db), vec![tcp]),
                _ => bail!("{USAGE}"),
            };
            let dir = Path::new(dir);
            if clickhouse::running(dir) {
                return Ok(());
            }
            ChServer::in_dir(dir, parse(http)?, tcp, database, &shards)?.start()
        }
        ["ch", "stop", dir] => clickhouse::stop(Path::new(dir), "TERM"),
        ["pooler", "start", dir, port, url, rest @ ..] => {
            let servers = match rest {
                [] => pooler::TEST_SERVER_CONNECTIONS,
                ["--server-connections", n] => parse(n)?,
                _ => bail!("{USAGE}"),
            };
            let cluster = PgCluster::external((*url).to_owned());
            Pooler::start(Path::new(dir), parse(port)?, &cluster, servers).map(drop)
        }
        ["pooler", "stop", dir] => pooler::stop(Path::new(dir)),
        ["free-port", rest @ ..] => {
            let n = match rest {
                [] => 1,
                [n] => parse(n)?,
                _ => bail!("{USAGE}"),
            };
            let found: Vec<String> = ports::free_ports(n)?.iter().map(u16::to_string).collect();
            println!("{}", found.join(" "));
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

fn pg_options(flags: &[&str], data: &Path, port: u16) -> anyhow::Result<PgOptions> {
    let mut options = PgOptions::default();
    let mut flags = flags.iter();
    while let Some(flag) = flags.next() {
        match *flag {
            "--throwaway" => options.throwaway = true,
            "--backup" => {
                let dir = Path::new(flags.next().context("--backup BACKUP_DIR")?);
                options.archive = Some(backup::write_config(dir, data, port)?);
            }
            "--max-connections" => {
                options.max_connections = parse(flags.next().context("--max-connections N")?)?;
            }
            other => bail!("unknown option {other}\n{USAGE}"),
        }
    }
    Ok(options)
}

fn parse<T: std::str::FromStr>(s: &str) -> anyhow::Result<T> {
    s.parse().ok().with_context(|| format!("not a number: {s}"))
}

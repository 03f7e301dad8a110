//! A small ClickHouse HTTP client: the only way Atrium talks to ClickHouse.
//! Users never send SQL; values reach SQL through [`quote`] only (ClickHouse 18.16 has
//! no query parameters).

use std::{sync::Arc, time::Duration};

use atrium_core::{
    config::{ClickHouseConfig, ClickHouseUser},
    migrations,
};

use crate::schema::CLICKHOUSE;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum ChError {
    #[error("clickhouse unreachable: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("clickhouse error {code:?} (HTTP {status}): {message}")]
    Server {
        status: u16,
        code: Option<u32>,
        message: String,
    },
    #[error("unexpected clickhouse response: {0}")]
    Decode(String),
}

/// Exception codes that mean "this data will never go in", as opposed to "not now".
const DATA_ERRORS: &[u32] = &[6, 26, 27, 38, 41, 53, 69, 70, 72, 117, 130, 131];

impl ChError {
    /// Retrying can't help: the rows are bad. Everything else is retried.
    pub fn is_data_error(&self) -> bool {
        matches!(self, ChError::Server { code: Some(c), .. } if DATA_ERRORS.contains(c))
    }
}

#[derive(Clone)]
pub struct ClickHouse {
    http: reqwest::Client,
    url: String,
    database: String,
    user: String,
    password: SecretString,
    shards: Option<Arc<Shards>>,
}

/// Events over several servers (docs/scale-out.md, "Analytics over ClickHouse shards"):
/// the `remote_servers` cluster each shard defines, and each shard's HTTP URL.
struct Shards {
    cluster: String,
    urls: Vec<String>,
}

/// Where a shard keeps its own events. On a shard, `events` is the `Distributed` table
/// over every shard's, placing a tenant's events on one shard; reads and inserts use it.
pub const LOCAL_EVENTS: &str = "events_local";

/// A ClickHouse string literal: backslash and quote escaped, so any value is data.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\0' => out.push_str("\\0"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

impl ClickHouse {
    /// A client that logs in as `login`, one of `cfg`'s users: `&cfg.reader` for
    /// dashboards, `&cfg.writer` for the collector, `&cfg.admin` for migrations.
    pub fn new(cfg: &ClickHouseConfig, login: &ClickHouseUser) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !cfg.url.is_empty(),
            "no ClickHouse configured: set ATRIUM_CLICKHOUSE__URL"
        );
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(cfg.timeout_ms))
            .connect_timeout(Duration::from_millis(cfg.timeout_ms.min(2_000)))
            .build()?;
        let urls = cfg.shard_urls();
        let shards = (!urls.is_empty()).then(|| {
            Arc::new(Shards {
                cluster: cfg.cluster.clone(),
                urls: urls
                    .iter()
                    .map(|u| u.trim_end_matches('/').to_owned())
                    .collect(),
            })
        });
        Ok(Self {
            http,
            url: cfg.url.trim_end_matches('/').to_owned(),
            database: cfg.database.clone(),
            user: login.user.clone(),
            password: login.password.clone(),
            shards,
        })
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    /// The table this server keeps its own events in: `events`, or on a shard
    /// [`LOCAL_EVENTS`] (what a backup freezes and a mutation changes).
    pub fn stored_events(&self) -> &'static str {
        match self.shards {
            Some(_) => LOCAL_EVENTS,
            None => "events",
        }
    }

    /// The same login on another server of this deployment, as one server.
    fn at(&self, url: &str) -> Self {
        Self {
            url: url.to_owned(),
            shards: None,
            ..self.clone()
        }
    }

    /// Every server holding events: each shard, or the one server.
    fn servers(&self) -> Vec<Self> {
        match &self.shards {
            Some(shards) => shards.urls.iter().map(|u| self.at(u)).collect(),
            None => vec![self.clone()],
        }
    }

    /// Runs `sql`, naming the table as [`ClickHouse::stored_events`] does, on every
    /// server holding events: for what a `Distributed` table does not pass on to its
    /// shards, such as a mutation.
    pub async fn on_every_server(&self, sql: impl Fn(&str) -> String) -> Result<(), ChError> {
        for server in self.servers() {
            server.execute(&sql(self.stored_events())).await?;
        }
        Ok(())
    }

    fn request(&self, query: Option<&str>, database: bool) -> reqwest::RequestBuilder {
        let mut params: Vec<(&str, &str)> = vec![("output_format_json_quote_64bit_integers", "0")];
        if database {
            params.push(("database", &self.database));
        }
        if let Some(q) = query {
            params.push(("query", q));
        }
        self.http
            .post(format!("{}/", self.url))
            .query(&params)
            .header("X-ClickHouse-User", &self.user)
            .header("X-ClickHouse-Key", self.password.expose_secret())
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<String, ChError> {
        let res = req.send().await?;
        let status = res.status().as_u16();
        let text = res.text().await?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let code = text
            .strip_prefix("Code: ")
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok());
        Err(ChError::Server {
            status,
            code,
            message: text.chars().take(500).collect(),
        })
    }

    /// Runs one statement in the configured database.
    pub async fn execute(&self, sql: &str) -> Result<String, ChError> {
        self.send(self.request(None, true).body(sql.to_owned()))
            .await
    }

    /// Rows of a SELECT, as JSON objects.
    pub async fn query<T: DeserializeOwned>(&self, sql: &str) -> Result<Vec<T>, ChError> {
        #[derive(serde::Deserialize)]
        struct Envelope<T> {
            data: Vec<T>,
        }
        let text = self.execute(&format!("{sql} FORMAT JSON")).await?;
        serde_json::from_str::<Envelope<T>>(&text)
            .map(|e| e.data)
            .map_err(|e| ChError::Decode(e.to_string()))
    }

    /// Inserts newline-delimited JSON rows.
    pub async fn insert_json_rows(&self, table: &str, body: Vec<u8>) -> Result<(), ChError> {
        let query = format!("INSERT INTO {table} FORMAT JSONEachRow");
        let mut req = self.request(Some(&query), true);
        if self.shards.is_some() {
            // Answered once each shard has its rows, not once they are queued on this
            // server for later: the collector's checkpoint after it then means queryable.
            req = req.query(&[("insert_distributed_sync", "1")]);
        }
        self.send(req.body(body)).await.map(|_| ())
    }

    pub async fn ping(&self) -> Result<(), ChError> {
        let res = self.http.get(format!("{}/ping", self.url)).send().await?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(ChError::Server {
                status: res.status().as_u16(),
                code: None,
                message: "ping failed".into(),
            })
        }
    }

    /// Creates the database and applies pending [`CLICKHOUSE`] migrations, each once: on
    /// the one server, or on each shard (to [`LOCAL_EVENTS`]), which then gets the
    /// `Distributed` table over them all.
    pub async fn migrate(&self) -> Result<Vec<i32>, ChError> {
        let Some(shards) = &self.shards else {
            return self.migrate_server(false).await;
        };
        let mut applied = Vec::new();
        for shard in self.servers() {
            applied.extend(shard.migrate_server(true).await?);
            shard
                .execute(&distributed_events(&shards.cluster, &self.database))
                .await?;
            shard.check_sharded().await?;
        }
        applied.sort_unstable();
        applied.dedup();
        Ok(applied)
    }

    /// A database made for one server keeps its plain `events` table (and records its
    /// migrations done), which `IF NOT EXISTS` would silently leave: refused instead.
    async fn check_sharded(&self) -> Result<(), ChError> {
        #[derive(serde::Deserialize)]
        struct Table {
            name: String,
            engine: String,
        }
        let tables: Vec<Table> = self
            .query(&format!(
                "SELECT name, engine FROM system.tables WHERE database = {} \
                 AND name IN ('events', {})",
                quote(&self.database),
                quote(LOCAL_EVENTS)
            ))
            .await?;
        let engine = |name: &str| {
            tables
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.engine.as_str())
        };
        match (engine("events"), engine(LOCAL_EVENTS)) {
            (Some("Distributed"), Some(_)) => Ok(()),
            (events, _) => Err(ChError::Decode(format!(
                "{}: database {} holds events for one server (events is {}), not a shard's: \
                 shard a new database and copy the events into it (docs/scale-out.md)",
                self.url,
                self.database,
                events.unwrap_or("missing")
            ))),
        }
    }

    async fn migrate_server(&self, shard: bool) -> Result<Vec<i32>, ChError> {
        let create = format!("CREATE DATABASE IF NOT EXISTS {}", self.database);
        self.send(self.request(None, false).body(create)).await?;
        self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, checksum String, applied_at DateTime DEFAULT now()) ENGINE = TinyLog",
        )
        .await?;
        #[derive(serde::Deserialize)]
        struct Applied {
            version: u32,
            checksum: String,
        }
        let done: Vec<Applied> = self
            .query("SELECT version, checksum FROM schema_migrations")
            .await?;
        let mut applied = Vec::new();
        for m in CLICKHOUSE {
            if let Some(a) = done.iter().find(|a| a.version as i32 == m.version) {
                migrations::verify_checksum(m, &a.checksum)
                    .map_err(|e| ChError::Decode(e.to_string()))?;
                continue;
            }
            // ClickHouse runs one statement per request; statements are idempotent
            // (IF NOT EXISTS), so a crash between them is fixed by running again.
            for stmt in statements(m.sql) {
                match shard {
                    true => self.execute(&on_shard(&stmt)).await?,
                    false => self.execute(&stmt).await?,
                };
                // A column change reaches the Distributed table too, once it exists (it
                // holds only the columns; nothing else of an ALTER applies to it).
                if shard && changes_a_column(&stmt) {
                    let exists = self.execute("EXISTS TABLE events").await?;
                    if exists.trim() == "1" {
                        self.execute(&stmt).await?;
                    }
                }
            }
            self.execute(&format!(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ({}, {}, {})",
                m.version,
                quote(m.name),
                quote(&m.checksum())
            ))
            .await?;
            applied.push(m.version);
        }
        Ok(applied)
    }
}

/// A migration statement as a shard runs it. Migrations name the table `events`, as one
/// server has it; on a shard that is [`LOCAL_EVENTS`], under the `Distributed` `events`.
/// (Migrations of `events` are written `CREATE TABLE IF NOT EXISTS events …` or
/// `ALTER TABLE events …`, and column changes with `IF [NOT] EXISTS`, so that running one
/// again is harmless.)
pub fn on_shard(stmt: &str) -> String {
    match events_after(stmt) {
        Some((head, rest)) => format!("{head}{LOCAL_EVENTS}{rest}"),
        None => stmt.to_owned(),
    }
}

/// The statement split around the table name when it creates or alters `events`.
fn events_after(stmt: &str) -> Option<(&str, &str)> {
    ["CREATE TABLE IF NOT EXISTS ", "ALTER TABLE "]
        .iter()
        .find_map(|head| {
            let rest = stmt.strip_prefix(head)?.strip_prefix("events")?;
            rest.starts_with(|c: char| c.is_whitespace() || c == '(')
                .then(|| (&stmt[..head.len()], rest))
        })
}

/// Whether `stmt` adds, drops or changes a column of `events`.
fn changes_a_column(stmt: &str) -> bool {
    let Some(("ALTER TABLE ", rest)) = events_after(stmt) else {
        return false;
    };
    let words: Vec<String> = rest
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    words
        .windows(2)
        .any(|w| matches!(w[0].as_str(), "ADD" | "DROP" | "MODIFY" | "RENAME") && w[1] == "COLUMN")
}

/// The `Distributed` table over every shard's [`LOCAL_EVENTS`], created on each shard: an
/// insert goes to the shard its tenant hashes to, so one tenant's events (and an event
/// sent twice) live on one shard, where `FINAL` collapses them; a read asks every shard.
pub fn distributed_events(cluster: &str, database: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS events AS {LOCAL_EVENTS} \
         ENGINE = Distributed({cluster}, {database}, {LOCAL_EVENTS}, cityHash64(tenant))"
    )
}

/// Splits a migration file into statements: `;` at the end of a line ends one;
/// `--` comment lines are dropped.
pub fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in sql.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if trimmed.ends_with(';') {
            out.push(cur.trim().trim_end_matches(';').to_owned());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_makes_any_value_data() {
        assert_eq!(quote("it's"), "'it\\'s'");
        assert_eq!(quote("a\\' OR 1=1 --"), "'a\\\\\\' OR 1=1 --'");
    }

    #[test]
    fn splits_statements() {
        let s = statements(
            "-- c\nCREATE TABLE a (x UInt8);\n\nCREATE TABLE b (y UInt8)\nENGINE = Log;\n",
        );
        assert_eq!(
            s,
            vec![
                "CREATE TABLE a (x UInt8)",
                "CREATE TABLE b (y UInt8)\nENGINE = Log"
            ]
        );
    }

    #[test]
    fn a_shard_runs_the_events_migrations_on_its_local_table() {
        assert_eq!(
            on_shard("CREATE TABLE IF NOT EXISTS events (x UInt8) ENGINE = Log"),
            "CREATE TABLE IF NOT EXISTS events_local (x UInt8) ENGINE = Log"
        );
        assert_eq!(
            on_shard("ALTER TABLE events ADD COLUMN y UInt8"),
            "ALTER TABLE events_local ADD COLUMN y UInt8"
        );
        assert_eq!(
            on_shard("ALTER TABLE events\nADD COLUMN IF NOT EXISTS y UInt8"),
            "ALTER TABLE events_local\nADD COLUMN IF NOT EXISTS y UInt8"
        );
        assert_eq!(
            on_shard("CREATE TABLE IF NOT EXISTS events(x UInt8) ENGINE = Log"),
            "CREATE TABLE IF NOT EXISTS events_local(x UInt8) ENGINE = Log"
        );
        assert_eq!(
            on_shard("CREATE TABLE IF NOT EXISTS events_by_day (x UInt8) ENGINE = Log"),
            "CREATE TABLE IF NOT EXISTS events_by_day (x UInt8) ENGINE = Log"
        );
        assert!(changes_a_column(
            "ALTER TABLE events add column IF NOT EXISTS y UInt8"
        ));
        assert!(!changes_a_column(
            "ALTER TABLE events MODIFY TTL ts + INTERVAL 1 YEAR"
        ));
        assert!(!changes_a_column(
            "ALTER TABLE events DELETE WHERE tenant = 'a'"
        ));
        let ddl = distributed_events("atrium_events", "atrium");
        assert!(ddl.ends_with(
            "ENGINE = Distributed(atrium_events, atrium, events_local, cityHash64(tenant))"
        ));
    }

    #[test]
    fn data_errors_are_not_retried() {
        let e = ChError::Server {
            status: 500,
            code: Some(27),
            message: String::new(),
        };
        assert!(e.is_data_error());
        let e = ChError::Server {
            status: 500,
            code: Some(241),
            message: String::new(),
        };
        assert!(!e.is_data_error());
    }
}

//! A small ClickHouse HTTP client: the only way Atrium talks to ClickHouse.
//! Users never send SQL; values reach SQL through [`quote`] only (ClickHouse 18.16 has
//! no query parameters).

use std::time::Duration;

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
}

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
        Ok(Self {
            http,
            url: cfg.url.trim_end_matches('/').to_owned(),
            database: cfg.database.clone(),
            user: login.user.clone(),
            password: login.password.clone(),
        })
    }

    pub fn database(&self) -> &str {
        &self.database
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
        self.send(self.request(Some(&query), true).body(body))
            .await
            .map(|_| ())
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

    /// Creates the database and applies pending [`CLICKHOUSE`] migrations, each once.
    pub async fn migrate(&self) -> Result<Vec<i32>, ChError> {
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
                self.execute(&stmt).await?;
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

//! Versioned, plain-SQL migrations, embedded at build time.
//!
//! Control migrations build `atrium_control`; tenant migrations build each tenant schema
//! and run with `search_path` set to that schema. A migration is never edited once
//! applied: its checksum is recorded and a changed file is refused.

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The newest version in a set (0 for an empty set).
pub fn latest(set: &[Migration]) -> i32 {
    set.iter().map(|m| m.version).max().unwrap_or(0)
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("migration {version} ({name}) was edited after it was applied (checksum {found} != recorded {recorded})")]
    Edited {
        version: i32,
        name: String,
        found: String,
        recorded: String,
    },
    #[error(transparent)]
    Postgres(#[from] tokio_postgres::Error),
}

/// The one advisory-lock key for everything that changes schemas.
pub const MIGRATION_LOCK_KEY: i64 = 0x4154_5249_554d_0001;

/// Applies pending control migrations under the migration advisory lock.
/// Returns the versions applied.
pub async fn run_control(client: &mut Client) -> Result<Vec<i32>, MigrateError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK_KEY])
        .await?;
    let result = apply_control(client).await;
    // Unlock even on failure; the session lock would otherwise live as long as the connection.
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK_KEY])
        .await?;
    result
}

async fn apply_control(client: &mut Client) -> Result<Vec<i32>, MigrateError> {
    client
        .batch_execute(
            "CREATE SCHEMA IF NOT EXISTS atrium_control;
             CREATE TABLE IF NOT EXISTS atrium_control.schema_migrations (
                 version integer PRIMARY KEY,
                 name text NOT NULL,
                 checksum text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await?;
    let rows = client
        .query(
            "SELECT version, name, checksum FROM atrium_control.schema_migrations",
            &[],
        )
        .await?;
    let mut applied = Vec::new();
    for m in CONTROL {
        if let Some(row) = rows.iter().find(|r| r.get::<_, i32>(0) == m.version) {
            verify_checksum(m, row.get(2))?;
            continue;
        }
        let tx = client.transaction().await?;
        tx.batch_execute(m.sql).await?;
        tx.execute(
            "INSERT INTO atrium_control.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &m.checksum()],
        )
        .await?;
        tx.commit().await?;
        applied.push(m.version);
    }
    Ok(applied)
}

pub fn verify_checksum(m: &Migration, recorded: &str) -> Result<(), MigrateError> {
    let found = m.checksum();
    if found != recorded {
        return Err(MigrateError::Edited {
            version: m.version,
            name: m.name.to_owned(),
            found,
            recorded: recorded.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_ordered_and_unique() {
        for set in [CONTROL, TENANT] {
            assert!(!set.is_empty());
            assert!(set.windows(2).all(|w| w[0].version < w[1].version));
        }
    }
}

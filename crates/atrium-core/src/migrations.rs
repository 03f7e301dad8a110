//! Versioned, plain-SQL migrations, embedded at build time by the crate that owns them
//! (`atrium_control::schema` for PostgreSQL, `atrium_analytics::schema` for ClickHouse).
//!
//! Control migrations build `atrium_control`; tenant migrations build each tenant schema
//! and run with `search_path` set to that schema. A migration is never edited once
//! applied: its checksum is recorded and a changed file is refused.

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    pub const fn new(version: i32, name: &'static str, sql: &'static str) -> Self {
        Self { version, name, sql }
    }

    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

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

/// Checks that `set` lists exactly the `NNNN_name.sql` files in `dir`, in order, each
/// under its own number: a file added to the directory but not to the list would
/// otherwise never run. The owning crates call this from a unit test.
pub fn check_set(set: &[Migration], dir: &std::path::Path) -> Result<(), String> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    let listed: Vec<String> = set
        .iter()
        .map(|m| format!("{:04}_{}.sql", m.version, m.name))
        .collect();
    if files != listed {
        return Err(format!(
            "{} holds {files:?} but the set lists {listed:?}",
            dir.display()
        ));
    }
    for (m, file) in set.iter().zip(&files) {
        let on_disk = std::fs::read_to_string(dir.join(file)).map_err(|e| e.to_string())?;
        if on_disk != m.sql {
            return Err(format!("{file}: embedded text differs from the file"));
        }
    }
    if !set.windows(2).all(|w| w[0].version < w[1].version) {
        return Err("versions must increase".into());
    }
    Ok(())
}

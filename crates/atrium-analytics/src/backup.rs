//! Analytics backup that works on ClickHouse 18.16: `ALTER TABLE … FREEZE` hard-links
//! every part of the events table under `<data>/shadow/<n>/` at once, while inserts go
//! on. Restoring copies a frozen copy's parts into the table's `detached/` directory and
//! attaches them, a partition at a time (the table is partitioned by month, so a
//! partition's id is also its value). Both steps read and write the server's own files,
//! so they run beside ClickHouse, as its user. Current ClickHouse does both in SQL with
//! `BACKUP TABLE … TO Disk(…)` and `RESTORE`; its Atomic databases keep parts under
//! `store/`, which these functions don't read. Over shards, each shard's own events are
//! backed up beside it (`clickhouse.url` naming that shard): its [`LOCAL_EVENTS`].
//!
//! [`LOCAL_EVENTS`]: crate::clickhouse::LOCAL_EVENTS

use std::{
    collections::BTreeSet,
    fs, io,
    path::{Path, PathBuf},
};

use crate::clickhouse::{ChError, ClickHouse};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    ClickHouse(#[from] ChError),
    #[error("files under the ClickHouse data directory: {0}")]
    Files(#[from] io::Error),
}

/// Freezes the events table; returns the directory holding the frozen parts.
pub async fn freeze_events(ch: &ClickHouse, data_dir: &Path) -> Result<PathBuf, BackupError> {
    let table = ch.stored_events();
    ch.execute(&format!("ALTER TABLE {}.{table} FREEZE", ch.database()))
        .await?;
    // FREEZE numbers each copy with the counter it has just increased.
    let n = fs::read_to_string(data_dir.join("shadow/increment.txt"))?;
    let frozen = data_dir
        .join("shadow")
        .join(n.trim())
        .join("data")
        .join(ch.database())
        .join(table);
    Ok(frozen)
}

/// Attaches the parts frozen in `frozen` to the events table; returns the partitions
/// attached. Rows still in the table are kept: replaying a copy over rows it already
/// holds adds duplicates that the table's ReplacingMergeTree (and `FINAL`) collapses.
pub async fn restore_events(
    ch: &ClickHouse,
    data_dir: &Path,
    frozen: &Path,
) -> Result<Vec<String>, BackupError> {
    let detached = data_dir
        .join("data")
        .join(ch.database())
        .join(ch.stored_events())
        .join("detached");
    let mut partitions = BTreeSet::new();
    for part in fs::read_dir(frozen)? {
        let part = part?;
        let name = part.file_name().to_string_lossy().into_owned();
        let Some((partition, _)) = name.split_once('_') else {
            continue;
        };
        copy_dir(&part.path(), &detached.join(&name))?;
        partitions.insert(partition.to_owned());
    }
    for p in &partitions {
        if !p.chars().all(|c| c.is_ascii_digit()) {
            return Err(BackupError::Files(io::Error::other(format!(
                "unexpected partition {p:?} in {}",
                frozen.display()
            ))));
        }
        ch.execute(&format!(
            "ALTER TABLE {}.{} ATTACH PARTITION {p}",
            ch.database(),
            ch.stored_events()
        ))
        .await?;
    }
    Ok(partitions.into_iter().collect())
}

fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

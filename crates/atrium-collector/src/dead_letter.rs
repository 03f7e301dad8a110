//! The dead letter: rows the collector gave up on, each with its reason, for a person to
//! look at. It lives on the spool's volume and counts against the spool's cap, so it is
//! bounded: past `max_bytes` the file becomes the one `.1` file (the older `.1` is
//! dropped) and writing starts afresh. Whatever is dropped is counted.

use std::{
    fs::{self, File},
    io::{self, BufWriter, Write},
    path::PathBuf,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use atrium_analytics::segment::{DEAD_LETTER, DEAD_LETTER_ROTATED};
use atrium_core::private_fs;
use chrono::Utc;

/// A row is kept up to this many bytes: enough to see what was wrong with it, and a
/// record stays far below the smallest allowed cap even when every byte needs escaping.
const MAX_ROW: usize = 16 * 1024;

/// Exact counts, for tests and `/metrics` alike.
#[derive(Debug, Default)]
pub struct DeadLetterStats {
    pub rows: AtomicU64,
    /// Bytes of older dead letters deleted to keep within the cap.
    pub bytes_dropped: AtomicU64,
}

pub struct DeadLetter {
    dir: PathBuf,
    max_bytes: u64,
    pub stats: Arc<DeadLetterStats>,
}

impl DeadLetter {
    pub fn new(dir: PathBuf, max_bytes: u64) -> Self {
        Self {
            dir,
            max_bytes,
            stats: Arc::default(),
        }
    }

    pub fn write(&self, rows: &[(Vec<u8>, String)]) -> io::Result<()> {
        let path = self.dir.join(DEAD_LETTER);
        let mut file = open(&path)?;
        let mut len = file.get_ref().metadata()?.len();
        for (row, reason) in rows {
            let line = record(row, reason)?;
            if len > 0 && len + line.len() as u64 > self.max_bytes {
                file.flush()?;
                file.get_ref().sync_all()?;
                self.rotate()?;
                file = open(&path)?;
                len = 0;
            }
            file.write_all(&line)?;
            len += line.len() as u64;
        }
        file.flush()?;
        file.get_ref().sync_all()?;
        self.stats
            .rows
            .fetch_add(rows.len() as u64, Ordering::Relaxed);
        metrics::counter!("collector_events_dead_lettered_total").increment(rows.len() as u64);
        tracing::warn!(rows = rows.len(), "rows dead-lettered");
        Ok(())
    }

    fn rotate(&self) -> io::Result<()> {
        let older = self.dir.join(DEAD_LETTER_ROTATED);
        let dropped = fs::metadata(&older).map_or(0, |m| m.len());
        fs::rename(self.dir.join(DEAD_LETTER), older)?;
        self.stats
            .bytes_dropped
            .fetch_add(dropped, Ordering::Relaxed);
        metrics::counter!("collector_dead_letter_bytes_dropped_total").increment(dropped);
        if dropped > 0 {
            tracing::warn!(bytes = dropped, "dead letter full; the oldest part dropped");
        }
        Ok(())
    }
}

fn open(path: &std::path::Path) -> io::Result<BufWriter<File>> {
    // Rows that failed to parse were never masked: as private as the spool itself.
    private_fs::append(path).map(BufWriter::new)
}

fn record(row: &[u8], reason: &str) -> io::Result<Vec<u8>> {
    let text = String::from_utf8_lossy(row);
    let text = text.trim_end();
    let mut end = text.len().min(MAX_ROW);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    #[derive(serde::Serialize)]
    struct Record<'a> {
        reason: &'a str,
        row: &'a str,
        truncated: bool,
        at: chrono::DateTime<Utc>,
    }
    let reason: String = reason.chars().take(1_000).collect();
    let mut line = serde_json::to_vec(&Record {
        reason: &reason,
        row: &text[..end],
        truncated: end < text.len(),
        at: Utc::now(),
    })?;
    line.push(b'\n');
    Ok(line)
}

//! The collector loop: read complete lines from the checkpoint on, ship them, move the
//! checkpoint, delete closed segments once fully acknowledged.

use std::{
    fs,
    io::{self, BufRead, BufReader, Read, Seek, SeekFrom},
    path::Path,
    sync::Arc,
    time::Duration,
};

use atrium_core::{health::Lifecycle, private_fs};

use atrium_analytics::{
    checkpoint::{Checkpoint, Position},
    segment::{self, Segment},
};

use crate::{config::SinkConfig, dead_letter::DeadLetter, request_builder, service::Service};

pub struct Sink {
    pub config: SinkConfig,
    pub service: Service,
    pub dead_letter: DeadLetter,
}

/// How long a shutdown waits for the batch in flight.
const FINISH_GRACE: Duration = Duration::from_secs(5);

/// What a step did.
#[derive(Debug, PartialEq, Eq)]
enum Progress {
    /// Nothing to ship.
    Idle,
    /// Shipped everything written so far.
    CaughtUp,
    /// Shipped, and more is waiting.
    More,
}

struct Batch {
    text: String,
    /// Bytes through the last complete line.
    consumed: u64,
    /// Whether the batch stopped at a limit (rows or bytes) rather than at the end of
    /// what was written.
    full: bool,
}

impl Sink {
    /// Runs until shutdown is requested; finishes the batch in flight first, unless that
    /// takes longer than [`FINISH_GRACE`] (ClickHouse refusing every insert): then the
    /// batch is left to the next collector, which ships it again from the checkpoint
    /// (rows that did land are deduplicated by `event_id`).
    pub async fn run(self, lifecycle: Arc<Lifecycle>) -> anyhow::Result<()> {
        private_fs::create_dir_all(&self.config.spool_dir)?;
        let mut ckpt = Checkpoint::load(&self.config.spool_dir)?;
        loop {
            if lifecycle.is_shutting_down() {
                return Ok(());
            }
            let step = self.advance(&mut ckpt);
            tokio::pin!(step);
            let progress = tokio::select! {
                progress = &mut step => progress?,
                () = lifecycle.shutdown_requested() => {
                    match tokio::time::timeout(FINISH_GRACE, step).await {
                        Ok(progress) => progress?,
                        Err(_) => {
                            tracing::warn!("batch in flight not finished at shutdown; the next collector ships it");
                            return Ok(());
                        }
                    }
                }
            };
            if progress != Progress::More {
                tokio::select! {
                    () = tokio::time::sleep(self.config.poll_interval) => {}
                    () = lifecycle.shutdown_requested() => {}
                }
            }
        }
    }

    /// One unit of work. Returns false when there was nothing to do.
    pub async fn step(&self, ckpt: &mut Checkpoint) -> anyhow::Result<bool> {
        Ok(self.advance(ckpt).await? != Progress::Idle)
    }

    async fn advance(&self, ckpt: &mut Checkpoint) -> anyhow::Result<Progress> {
        let dir = &self.config.spool_dir;
        let segments = segment::list(dir)?;
        self.report_lag(&segments, ckpt.pos);
        // Closed segments behind the checkpoint were shipped; a crash kept them.
        for s in segments.iter().filter(|s| s.closed && s.seq < ckpt.pos.seq) {
            remove(&s.path)?;
        }
        let Some(seg) = segments.iter().find(|s| s.seq >= ckpt.pos.seq) else {
            return Ok(Progress::Idle);
        };
        let offset = if seg.seq == ckpt.pos.seq {
            ckpt.pos.offset
        } else {
            0
        };
        let batch = read_batch(
            &seg.path,
            offset,
            self.config.batch_max_rows,
            self.config.batch_max_bytes,
        )?;

        if batch.consumed == 0 {
            if !seg.closed {
                return Ok(Progress::Idle);
            }
            // A closed segment ends here. Bytes after the last newline are a torn line
            // from a writer that crashed mid-write.
            if seg.len > offset {
                let torn = read_tail(&seg.path, offset)?;
                self.dead_letter
                    .write(&[(torn, "torn line at the end of a segment".into())])?;
            }
            remove(&seg.path)?;
            ckpt.save(Position {
                seq: seg.seq + 1,
                offset: 0,
            })?;
            return Ok(Progress::More);
        }

        let lines: Vec<&str> = batch.text.lines().collect();
        let built = request_builder::build(&lines, &self.config.masker);
        // The rows own their bytes: the text need not stay in memory while they ship.
        drop(lines);
        let (consumed, full) = (batch.consumed, batch.full);
        drop(batch);
        let rejected_rows = self.service.ship(&built.rows).await;
        let mut dead: Vec<(Vec<u8>, String)> = built
            .rejected
            .into_iter()
            .map(|(line, why)| (line.into_bytes(), why))
            .collect();
        dead.extend(rejected_rows);
        if !dead.is_empty() {
            self.dead_letter.write(&dead)?;
        }
        ckpt.save(Position {
            seq: seg.seq,
            offset: offset + consumed,
        })?;
        // Caught up with a segment still being written: let the next lines gather for a
        // poll interval instead of shipping them a few at a time.
        Ok(if full || seg.closed {
            Progress::More
        } else {
            Progress::CaughtUp
        })
    }

    fn report_lag(&self, segments: &[Segment], pos: Position) {
        let lag: u64 = segments
            .iter()
            .filter(|s| s.seq >= pos.seq)
            .map(|s| {
                if s.seq == pos.seq {
                    s.len.saturating_sub(pos.offset)
                } else {
                    s.len
                }
            })
            .sum();
        metrics::gauge!("collector_lag_bytes").set(lag as f64);
        let oldest = segments.iter().find(|s| s.seq >= pos.seq && s.len > 0);
        let age = oldest
            .and_then(|s| fs::metadata(&s.path).ok())
            .and_then(|m| m.created().or_else(|_| m.modified()).ok())
            .and_then(|t| t.elapsed().ok())
            .map_or(0.0, |d| d.as_secs_f64());
        metrics::gauge!("collector_lag_seconds").set(if lag == 0 { 0.0 } else { age });
    }
}

fn remove(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Complete lines from `offset`, at most `max_rows` lines and about `max_bytes` bytes.
/// Reads no further than it keeps, into one buffer that becomes the text: a batch is in
/// memory once, not once per step (the collector's peak RSS is a target).
fn read_batch(path: &Path, offset: u64, max_rows: usize, max_bytes: usize) -> io::Result<Batch> {
    let mut f = match fs::File::open(path) {
        Ok(f) => f,
        // The segment was just renamed by the writer; the next listing finds it.
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Batch {
                text: String::new(),
                consumed: 0,
                full: false,
            })
        }
        Err(e) => return Err(e),
    };
    f.seek(SeekFrom::Start(offset))?;
    let mut reader = BufReader::with_capacity(64 * 1024, f.take(max_bytes as u64));
    let mut buf = Vec::new();
    let mut rows = 0;
    let full = loop {
        if rows == max_rows {
            break true;
        }
        let start = buf.len();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            // The end of what was written, or of the byte budget.
            break buf.len() == max_bytes;
        }
        if buf.last() != Some(&b'\n') {
            // A line still being written, or one cut by the byte budget.
            let cut = reader.get_ref().limit() == 0;
            buf.truncate(start);
            break cut;
        }
        rows += 1;
    };
    let consumed = buf.len() as u64;
    let text = String::from_utf8(buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(Batch {
        text,
        consumed,
        full,
    })
}

fn read_tail(path: &Path, offset: u64) -> io::Result<Vec<u8>> {
    let mut f = fs::File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(content: &str, offset: u64, max_rows: usize, max_bytes: usize) -> Batch {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("atrium-batch-{}-{n}", std::process::id()));
        fs::write(&path, content).expect("write");
        let batch = read_batch(&path, offset, max_rows, max_bytes).expect("read");
        fs::remove_file(&path).expect("remove");
        batch
    }

    #[test]
    fn a_batch_stops_at_the_row_limit() {
        let b = batch("a\nb\nc\n", 0, 2, 1024);
        assert_eq!((b.text.as_str(), b.consumed, b.full), ("a\nb\n", 4, true));
    }

    #[test]
    fn a_line_still_being_written_is_left_for_later() {
        let b = batch("a\nb\npart", 2, 10, 1024);
        assert_eq!((b.text.as_str(), b.consumed, b.full), ("b\n", 2, false));
    }

    #[test]
    fn a_line_cut_by_the_byte_budget_is_left_and_the_batch_is_full() {
        let b = batch("aaaa\nbbbb\ncccc\n", 0, 10, 7);
        assert_eq!((b.text.as_str(), b.consumed, b.full), ("aaaa\n", 5, true));
        let b = batch("aaaa\nbbbb\n", 0, 10, 10);
        assert_eq!(
            (b.text.as_str(), b.consumed, b.full),
            ("aaaa\nbbbb\n", 10, true)
        );
    }

    #[test]
    fn everything_written_is_one_batch_that_is_not_full() {
        let b = batch("a\nb\n", 0, 10, 1024);
        assert_eq!((b.text.as_str(), b.consumed, b.full), ("a\nb\n", 4, false));
    }
}

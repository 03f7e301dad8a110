//! Emission that never makes a request wait: a bounded in-memory queue in front of a
//! writer thread that appends NDJSON segments to the spool. A full queue, a full spool
//! or a failing disk drops events; every drop is counted (metric and [`SpoolStats`]).

use std::{
    fs::{self, File},
    io::{self, Write},
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use atrium_core::{config::AnalyticsConfig, private_fs};
use std::sync::mpsc::{self, RecvTimeoutError, TrySendError};

use crate::{event::Event, segment};

/// How long the writer lets events gather before writing them out: at most this much
/// added latency, and at most 1/GATHER wake-ups a second however busy the API is.
const GATHER: Duration = Duration::from_millis(10);

/// Exact counts, for tests and the `/metrics` endpoint alike.
#[derive(Debug, Default)]
pub struct SpoolStats {
    pub spooled: AtomicU64,
    pub dropped_queue_full: AtomicU64,
    pub dropped_spool_full: AtomicU64,
    pub dropped_disk_error: AtomicU64,
}

impl SpoolStats {
    pub fn dropped(&self) -> u64 {
        self.dropped_queue_full.load(Ordering::Relaxed)
            + self.dropped_spool_full.load(Ordering::Relaxed)
            + self.dropped_disk_error.load(Ordering::Relaxed)
    }

    fn drop_n(&self, reason: &'static str, n: u64) {
        let counter = match reason {
            "queue_full" => &self.dropped_queue_full,
            "spool_full" => &self.dropped_spool_full,
            _ => &self.dropped_disk_error,
        };
        counter.fetch_add(n, Ordering::Relaxed);
        metrics::counter!("analytics_events_dropped_total", "reason" => reason).increment(n);
    }
}

/// The handle request handlers use. Cheap to clone; `emit` never blocks.
#[derive(Clone)]
pub struct Emitter {
    tx: Option<mpsc::SyncSender<Event>>,
    pub stats: Arc<SpoolStats>,
}

impl Emitter {
    /// Tracking off: every emit is a no-op.
    pub fn disabled() -> Self {
        Self {
            tx: None,
            stats: Arc::default(),
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.tx.is_some()
    }

    /// For batch tools only (seeding, imports): waits for room instead of dropping.
    /// Never call this on a request path.
    pub fn emit_blocking(&self, event: Event) {
        if let Some(tx) = &self.tx {
            if tx.send(event).is_err() {
                self.stats.drop_n("queue_full", 1);
            }
        }
    }

    pub fn emit(&self, event: Event) {
        let Some(tx) = &self.tx else { return };
        match tx.try_send(event) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                self.stats.drop_n("queue_full", 1)
            }
        }
    }
}

/// Starts the writer thread. It ends when every [`Emitter`] is dropped, after writing
/// what is queued and closing its segment.
pub fn start(cfg: &AnalyticsConfig) -> io::Result<(Emitter, std::thread::JoinHandle<()>)> {
    private_fs::create_dir_all(&cfg.spool_dir)?;
    let (tx, rx) = mpsc::sync_channel(cfg.queue_capacity);
    let stats = Arc::new(SpoolStats::default());
    let mut writer = Writer::open(cfg, stats.clone())?;
    let handle = std::thread::Builder::new()
        .name("spool-writer".into())
        .spawn(move || writer.run(rx))?;
    Ok((
        Emitter {
            tx: Some(tx),
            stats,
        },
        handle,
    ))
}

struct Writer {
    dir: PathBuf,
    max_bytes: u64,
    segment_max_bytes: u64,
    segment_max_age: Duration,
    seq: u64,
    file: Option<File>,
    written: u64,
    opened_at: Instant,
    spool_bytes: u64,
    spool_checked_at: Instant,
    stats: Arc<SpoolStats>,
}

impl Writer {
    fn open(cfg: &AnalyticsConfig, stats: Arc<SpoolStats>) -> io::Result<Self> {
        let dir = cfg.spool_dir.clone();
        // A segment left open by a writer that died is closed as it is (a torn last line
        // in it is the collector's to dead-letter). A live writer holds a lock on its
        // open segment, so another writer on the same spool never closes it.
        for s in segment::list(&dir)?.iter().filter(|s| !s.closed) {
            let abandoned = File::open(&s.path)
                .map(|f| f.try_lock().is_ok())
                .unwrap_or(false);
            if abandoned {
                fs::rename(&s.path, dir.join(segment::closed_name(s.seq)))?;
            }
        }
        Ok(Self {
            spool_bytes: segment::total_bytes(&dir)?,
            dir,
            max_bytes: cfg.spool_max_bytes,
            segment_max_bytes: cfg.segment_max_bytes,
            segment_max_age: Duration::from_millis(cfg.segment_max_age_ms),
            seq: 0,
            file: None,
            written: 0,
            opened_at: Instant::now(),
            spool_checked_at: Instant::now(),
            stats,
        })
    }

    fn run(&mut self, rx: mpsc::Receiver<Event>) {
        let mut buf = Vec::with_capacity(64 * 1024);
        loop {
            // Wait for events, but wake up to close an aged segment.
            let first = match self.file {
                Some(_) => match rx.recv_timeout(self.segment_max_age) {
                    Ok(e) => Some(e),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                },
                None => match rx.recv() {
                    Ok(e) => Some(e),
                    Err(_) => break,
                },
            };
            if first.is_some() {
                // Let events gather instead of waking for each one: while this thread
                // sleeps, try_send on the request path is a plain enqueue, with no
                // futex wake and no write syscall per event.
                std::thread::sleep(GATHER);
            }
            buf.clear();
            let mut n = 0u64;
            let mut next = first;
            while let Some(event) = next {
                if serde_json::to_writer(&mut buf, &event).is_ok() {
                    buf.push(b'\n');
                    n += 1;
                }
                next = if n < 65_536 { rx.try_recv().ok() } else { None };
            }
            if n > 0 {
                self.append(&buf, n);
            }
            if self.file.is_some()
                && (self.written >= self.segment_max_bytes
                    || self.opened_at.elapsed() >= self.segment_max_age)
            {
                self.rotate();
            }
        }
        self.rotate();
    }

    fn append(&mut self, buf: &[u8], n: u64) {
        if self.spool_checked_at.elapsed() > Duration::from_millis(500) {
            // The collector deletes segments; re-read the real size now and then.
            self.spool_bytes = segment::total_bytes(&self.dir).unwrap_or(self.spool_bytes);
            self.spool_checked_at = Instant::now();
        }
        if self.spool_bytes + buf.len() as u64 > self.max_bytes {
            self.spool_bytes = segment::total_bytes(&self.dir).unwrap_or(self.spool_bytes);
            self.spool_checked_at = Instant::now();
            if self.spool_bytes + buf.len() as u64 > self.max_bytes {
                self.stats.drop_n("spool_full", n);
                return;
            }
        }
        match self.write(buf) {
            Ok(()) => {
                self.written += buf.len() as u64;
                self.spool_bytes += buf.len() as u64;
                self.stats.spooled.fetch_add(n, Ordering::Relaxed);
                metrics::counter!("analytics_events_spooled_total").increment(n);
            }
            Err(e) => {
                tracing::warn!(error = %e, "spool write failed; events dropped");
                self.stats.drop_n("disk_error", n);
                // Start over on a fresh segment; the failed one is closed as it is.
                self.rotate();
            }
        }
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.file.is_none() {
            let (seq, file) = segment::create_next(&self.dir)?;
            self.seq = seq;
            self.file = Some(file);
            self.written = 0;
            self.opened_at = Instant::now();
        }
        match &mut self.file {
            Some(f) => f.write_all(buf),
            None => Err(io::Error::other("no segment")),
        }
    }

    fn rotate(&mut self) {
        let Some(file) = self.file.take() else { return };
        let _ = file.sync_all();
        drop(file);
        let from = self.dir.join(segment::open_name(self.seq));
        let to = self.dir.join(segment::closed_name(self.seq));
        if let Err(e) = fs::rename(&from, &to).and_then(|()| sync_dir(&self.dir)) {
            tracing::warn!(error = %e, "closing spool segment failed");
        }
    }
}

pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

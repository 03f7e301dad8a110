//! Structured logs on stderr (stdout stays for command output): JSON in production,
//! readable text in development.
//!
//! Lines go through a bounded queue to a writer thread, so a request never waits on a
//! slow terminal, pipe or log shipper. A full queue drops the line instead and counts it
//! (`log_lines_dropped_total`).

use std::sync::OnceLock;

use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

use crate::config::LogFormat;

/// Lines the queue holds before dropping: a burst of this many is written, not lost.
const QUEUED_LINES: usize = 16_384;

static DROPPED: OnceLock<ErrorCounter> = OnceLock::new();

/// Flushes what is queued when dropped: keep it alive until the process ends.
#[must_use = "dropping the guard stops the log writer"]
pub struct LogGuard {
    _writer: Option<WorkerGuard>,
}

/// Installs the global subscriber once; later calls (tests) are no-ops.
pub fn init(format: LogFormat) -> LogGuard {
    if DROPPED.get().is_some() {
        return LogGuard { _writer: None };
    }
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("log-writer")
        .finish(std::io::stderr());
    let _ = DROPPED.set(writer.error_counter());
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tokio_postgres=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(writer),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(fmt::layer().compact().with_writer(writer))
            .try_init(),
    };
    LogGuard {
        _writer: Some(guard),
    }
}

/// Log lines dropped because the writer fell behind, since the process started.
pub fn dropped_lines() -> u64 {
    DROPPED.get().map_or(0, ErrorCounter::dropped_lines) as u64
}

use std::{path::PathBuf, time::Duration};

use atrium_core::config::Config;

use crate::mask::Masker;

/// Everything the sink needs, resolved from the one application config.
pub struct SinkConfig {
    pub spool_dir: PathBuf,
    pub batch_max_rows: usize,
    pub batch_max_bytes: usize,
    pub poll_interval: Duration,
    pub max_backoff: Duration,
    pub masker: Masker,
}

impl SinkConfig {
    pub fn from_config(c: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            spool_dir: c.analytics.spool_dir.clone(),
            batch_max_rows: c.collector.batch_max_rows,
            batch_max_bytes: c.collector.batch_max_bytes.max(64 * 1024),
            poll_interval: Duration::from_millis(c.collector.poll_interval_ms),
            max_backoff: Duration::from_millis(c.collector.max_backoff_ms.max(100)),
            masker: Masker::new(&c.collector)?,
        })
    }
}

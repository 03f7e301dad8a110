//! One insert into ClickHouse. Transport and server trouble are retried with
//! exponential backoff, for as long as it takes: the spool holds the data meanwhile.
//! Data errors are never retried: the batch is bisected until the bad rows are isolated,
//! and those go to the dead letter with ClickHouse's reason.

use std::time::Duration;

use atrium_analytics::clickhouse::{ChError, ClickHouse};

pub struct Service {
    pub ch: ClickHouse,
    pub max_backoff: Duration,
}

/// Rows ClickHouse refused as data, with the reason.
pub type Rejected = Vec<(Vec<u8>, String)>;

impl Service {
    pub async fn ship(&self, rows: &[Vec<u8>]) -> Rejected {
        let mut rejected = Vec::new();
        let mut stack = vec![rows];
        while let Some(part) = stack.pop() {
            if part.is_empty() {
                continue;
            }
            match self.insert_retrying(part).await {
                Ok(()) => {
                    metrics::counter!("collector_events_shipped_total")
                        .increment(part.len() as u64);
                }
                Err(e) if part.len() == 1 => rejected.push((part[0].clone(), e.to_string())),
                Err(_) => {
                    let (a, b) = part.split_at(part.len() / 2);
                    stack.push(b);
                    stack.push(a);
                }
            }
        }
        rejected
    }

    /// Ok, or the data error that retrying can't fix.
    async fn insert_retrying(&self, rows: &[Vec<u8>]) -> Result<(), ChError> {
        let mut backoff = Duration::from_millis(100);
        loop {
            let body = rows.concat();
            match self.ch.insert_json_rows("events", body).await {
                Ok(()) => return Ok(()),
                Err(e) if e.is_data_error() => return Err(e),
                Err(e) => {
                    metrics::counter!("collector_batches_retried_total").increment(1);
                    tracing::warn!(error = %e, rows = rows.len(), backoff_ms = backoff.as_millis() as u64, "insert failed; will retry");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(self.max_backoff);
                }
            }
        }
    }
}

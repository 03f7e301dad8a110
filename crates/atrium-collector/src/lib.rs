//! `atrium collector`: the sidecar that ships the spool to ClickHouse.
//!
//! Laid out like a Vector sink: [`config`] (what it reads and how it batches),
//! [`request_builder`] (spool lines → ClickHouse rows, PII masked), [`service`] (one
//! insert, retried while ClickHouse is down, bisected on data errors) [`sink`] (the
//! loop: read from the checkpoint, ship, advance the checkpoint, delete what is done) and
//! [`dead_letter`] (what could never go in, bounded).
//!
//! Buffers: the writer's queue and spool are `DropNewest` (the app never waits); the
//! collector is `Block` (it reads no further until its batch is acknowledged).

pub mod config;
pub mod dead_letter;
pub mod mask;
pub mod request_builder;
pub mod service;
pub mod sink;

pub use sink::Sink;

use std::sync::Arc;

use atrium_analytics::clickhouse::ClickHouse;
use atrium_core::{
    config::Config,
    health::{Lifecycle, ReadyCheck},
};
use atrium_http::{layers::with_common_layers, probes, Server};

/// The collector process: the sink plus `/livez` and `/readyz` (ClickHouse reachable) on
/// `collector.listen`, and `/metrics` on `collector.http.metrics_listen`.
pub struct Application {
    /// Bound already: `server.port()` is known before serving.
    pub server: Server,
    sink: Sink,
}

impl Application {
    /// Connects nothing yet (ClickHouse may be down; readiness says so) and binds the
    /// listener (port 0 picks one).
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        atrium_http::metrics::install();
        let ch = ClickHouse::new(&config.clickhouse, &config.clickhouse.writer)?;
        let check_ch = ch.clone();
        let check: ReadyCheck = Arc::new(move || {
            let ch = check_ch.clone();
            Box::pin(async move { ch.ping().await.map_err(|e| format!("clickhouse: {e}")) })
        });
        let lifecycle = Lifecycle::new(check);
        let c = &config.collector;
        let router = with_common_layers(probes::router(lifecycle.clone()), &c.http, "collector");
        let sink_config = config::SinkConfig::from_config(config)?;
        let max_backoff = sink_config.max_backoff;
        let dead_letter = dead_letter::DeadLetter::new(
            sink_config.spool_dir.clone(),
            config.collector.dead_letter.max_bytes,
        );
        let sink = Sink {
            config: sink_config,
            service: service::Service { ch, max_backoff },
            dead_letter,
        };
        let server = Server::bind("collector", c.listen, router, &c.http, lifecycle).await?;
        Ok(Self { server, sink })
    }

    /// Ships until shutdown is requested, then finishes the batch in flight and stops
    /// serving probes.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let lifecycle = self.server.lifecycle();
        let http = tokio::spawn(self.server.run_until_stopped());
        self.sink.run(lifecycle).await?;
        http.await??;
        Ok(())
    }

    /// The two halves apart, for tests and benchmarks that drive the sink themselves.
    pub fn into_parts(self) -> (Server, Sink) {
        (self.server, self.sink)
    }
}

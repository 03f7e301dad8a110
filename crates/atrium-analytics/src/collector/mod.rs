//! `atrium collector`: the sidecar that ships the spool to ClickHouse.
//!
//! Laid out like a Vector sink: [`config`] (what it reads and how it batches),
//! [`request_builder`] (spool lines → ClickHouse rows, PII masked), [`service`] (one
//! insert, retried while ClickHouse is down, bisected on data errors) and [`sink`] (the
//! loop: read from the checkpoint, ship, advance the checkpoint, delete what is done).
//!
//! Buffers: the writer's queue and spool are `DropNewest` (the app never waits); the
//! collector is `Block` (it reads no further until its batch is acknowledged).

pub mod checkpoint;
pub mod config;
pub mod mask;
pub mod request_builder;
pub mod service;
pub mod sink;

pub use sink::Sink;

use std::{sync::Arc, time::Duration};

use atrium_core::{
    config::Config,
    health::{self, Lifecycle},
    http::{with_common_layers, Limits, Server},
};

use crate::clickhouse::ClickHouse;

/// The collector process: the sink plus `/livez`, `/readyz` (ClickHouse reachable) and
/// `/metrics` on `collector.listen`.
pub async fn build(config: &Config) -> anyhow::Result<(Server, Sink)> {
    atrium_core::metrics::install();
    let ch = ClickHouse::new(&config.clickhouse)?;
    let check_ch = ch.clone();
    let check: health::ReadyCheck = Arc::new(move || {
        let ch = check_ch.clone();
        Box::pin(async move { ch.ping().await.map_err(|e| format!("clickhouse: {e}")) })
    });
    let lifecycle = Lifecycle::new(check);
    let limits = Limits {
        request_timeout: Duration::from_secs(5),
        body_limit_bytes: 1024,
        max_concurrency: 16,
    };
    let router = with_common_layers(
        health::probe_router(lifecycle.clone()),
        &limits,
        "collector",
    );
    let sink_config = config::SinkConfig::from_config(config)?;
    let max_backoff = sink_config.max_backoff;
    let sink = Sink {
        config: sink_config,
        service: service::Service { ch, max_backoff },
    };
    let server = Server::bind(
        "collector",
        config.collector.listen,
        router,
        lifecycle,
        Duration::from_secs(5),
    )
    .await?;
    Ok((server, sink))
}

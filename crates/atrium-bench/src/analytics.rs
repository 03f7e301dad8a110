//! Analytics benchmarks: collector throughput, emit-to-queryable latency, dashboard
//! query latency over a large events table.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use atrium_analytics::{
    clickhouse::{quote, ClickHouse},
    event::Event,
    query::Scope,
    spool,
};
use atrium_core::config::Config;
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

#[derive(serde::Deserialize)]
struct N {
    n: u64,
}

async fn count(ch: &ClickHouse, tenant: &str) -> anyhow::Result<u64> {
    let rows: Vec<N> = ch
        .query(&format!(
            "SELECT count() AS n FROM events WHERE tenant = {}",
            quote(tenant)
        ))
        .await?;
    Ok(rows.first().map_or(0, |r| r.n))
}

/// Spools `events` events, then times the collector shipping all of them.
pub async fn collector_throughput(events: usize) -> anyhow::Result<Value> {
    let config = Config::load()?;
    let ch = ClickHouse::new(&config.clickhouse, &config.clickhouse.admin)?;
    ch.migrate().await?;
    let (emitter, writer) = spool::start(&config.analytics)?;
    let t0 = Instant::now();
    for i in 0..events {
        let mut e = Event::server(
            "bench_throughput",
            if i % 4 == 0 { "click" } else { "pageview" },
        );
        e.actor = format!("u{}", i % 1000);
        e.path = "/pricing".into();
        emitter.emit_blocking(e);
    }
    drop(emitter);
    let _ = writer.join();
    let spool_s = t0.elapsed().as_secs_f64();
    let (_http, sink) = atrium_collector::Application::build(&config)
        .await
        .map(atrium_collector::Application::into_parts)?;
    let mut ckpt = atrium_analytics::checkpoint::Checkpoint::load(&config.analytics.spool_dir)?;
    let t1 = Instant::now();
    while sink.step(&mut ckpt).await? {}
    let ship_s = t1.elapsed().as_secs_f64();
    let shipped = count(&ch, "bench_throughput").await?;
    Ok(
        json!({"events": events, "shipped": shipped, "spool_write_per_s": events as f64 / spool_s,
              "collector_per_s": events as f64 / ship_s, "collector_s": ship_s}),
    )
}

/// Emits `rate` events per second for `seconds` while the collector runs; records when
/// each becomes visible to a query.
pub async fn e2e_latency(seconds: u64, rate: u64) -> anyhow::Result<Value> {
    let config = Config::load()?;
    let ch = ClickHouse::new(&config.clickhouse, &config.clickhouse.admin)?;
    ch.migrate().await?;
    let (http, sink) = atrium_collector::Application::build(&config)
        .await
        .map(atrium_collector::Application::into_parts)?;
    let lifecycle = http.lifecycle();
    let running = tokio::spawn(sink.run(lifecycle.clone()));
    let (emitter, _writer) = spool::start(&config.analytics)?;
    let tenant = format!("bench_latency_{}", std::process::id());
    let mut emitted: HashMap<String, Instant> = HashMap::new();
    let mut seen: HashMap<String, Duration> = HashMap::new();
    let start = Instant::now();
    let mut next_poll = Instant::now();
    let total = seconds * rate;
    let mut sent = 0;
    while (seen.len() as u64) < total && start.elapsed() < Duration::from_secs(seconds + 30) {
        while sent < total && start.elapsed() >= Duration::from_secs_f64(sent as f64 / rate as f64)
        {
            let e = Event::server(&tenant, "pageview");
            emitted.insert(e.event_id.to_string(), Instant::now());
            emitter.emit(e);
            sent += 1;
        }
        if Instant::now() >= next_poll {
            #[derive(serde::Deserialize)]
            struct Id {
                id: String,
            }
            let ids: Vec<Id> = ch
                .query(&format!(
                    "SELECT toString(event_id) AS id FROM events WHERE tenant = {}",
                    quote(&tenant)
                ))
                .await?;
            let now = Instant::now();
            for Id { id } in ids {
                if let Some(at) = emitted.get(&id) {
                    seen.entry(id).or_insert_with(|| now.duration_since(*at));
                }
            }
            next_poll = now + Duration::from_millis(50);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    lifecycle.begin_shutdown();
    let _ = running.await;
    let mut lat: Vec<u64> = seen.values().map(|d| d.as_micros() as u64).collect();
    lat.sort_unstable();
    Ok(
        json!({"emitted": sent, "seen": seen.len(), "p50_ms": crate::percentile_ms(&lat, 0.5),
              "p95_ms": crate::percentile_ms(&lat, 0.95), "max_ms": crate::percentile_ms(&lat, 1.0)}),
    )
}

/// Fills `events` rows over `tenants` tenants and 30 days inside ClickHouse (SQL that
/// 18.16 accepts), then times every dashboard query for `samples` random tenants.
pub async fn dashboards(events: u64, tenants: u64, samples: usize) -> anyhow::Result<Value> {
    let config = Config::load()?;
    let ch = ClickHouse::new(&config.clickhouse, &config.clickhouse.admin)?;
    ch.migrate().await?;
    let start = Utc
        .with_ymd_and_hms(2026, 10, 1, 0, 0, 0)
        .single()
        .ok_or_else(|| anyhow::anyhow!("date"))?;
    let fill = Instant::now();
    let existing: Vec<N> = ch
        .query("SELECT count() AS n FROM events WHERE tenant LIKE 'dash\\\\_%'")
        .await?;
    if existing.first().map_or(0, |r| r.n) < events {
        ch.execute(&format!(
            "INSERT INTO events (tenant, event_id, name, actor, session_id, path, url, referrer, user_agent, ts, client_ts, duration_ms, prop_keys, prop_values)
             SELECT concat('dash_', toString(number % {tenants})),
                    toUUID(concat('00000000-0000-4000-8000-', substring(toString(1000000000000 + number), 2, 12))),
                    arrayElement(['pageview', 'pageview', 'click', 'dwell', 'signup', 'purchase'], (intHash32(number) % 6) + 1) AS nm,
                    concat('u', toString(intHash32(number * 3) % 2000)), '',
                    arrayElement(['/', '/pricing', '/docs', '/signup', '/customers', '/deals'], (intHash32(number * 7) % 6) + 1),
                    '', '', '',
                    toDateTime('2026-10-01 00:00:00', 'UTC') + (intHash64(number) % 2592000) AS t, t,
                    if(nm = 'dwell', intHash32(number * 11) % 120000, 0),
                    ['plan'], [if(number % 3 = 0, 'pro', 'free')]
             FROM numbers({events})"
        ))
        .await?;
    }
    let fill_s = fill.elapsed().as_secs_f64();
    let mut timings: HashMap<&str, Vec<u64>> = HashMap::new();
    for i in 0..samples {
        let tenant = format!("dash_{}", (i as u64 * 37) % tenants);
        let scope = Scope::new(&tenant, start, start + chrono::Duration::days(30))?;
        let queries = crate::dashboard_queries(&scope, false)?;
        for (name, sql) in queries {
            let t = Instant::now();
            let _: Vec<Value> = ch.query(&sql).await?;
            timings
                .entry(name)
                .or_default()
                .push(t.elapsed().as_micros() as u64);
        }
    }
    let mut out = serde_json::Map::new();
    for (name, mut v) in timings {
        v.sort_unstable();
        out.insert(name.into(), json!({"p50_ms": crate::percentile_ms(&v, 0.5), "p95_ms": crate::percentile_ms(&v, 0.95)}));
    }
    Ok(
        json!({"events": events, "tenants": tenants, "samples": samples, "fill_s": fill_s, "queries": out}),
    )
}

//! The noisy-neighbour benchmark's load: a quiet tenant Q at a fixed arrival rate (open
//! loop, latency from the moment each request was due, so a stalled server can't hide
//! its queue), and a noisy tenant N at full concurrency on heavy routes.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, Clone)]
pub struct Tenant {
    slug: String,
    api_key: String,
}

pub struct Noisy {
    pub url: String,
    pub quiet: Tenant,
    /// None: phase "Q alone".
    pub noisy: Option<Tenant>,
    pub rate: u64,
    pub seconds: u64,
    pub workers: usize,
    /// The admin token the tenant chaos routes need.
    pub chaos_token: String,
}

pub fn tenant(slug: &str, api_key: &str) -> Tenant {
    Tenant {
        slug: slug.into(),
        api_key: api_key.into(),
    }
}

pub async fn run(n: Noisy) -> anyhow::Result<Value> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(n.workers + 64)
        .timeout(Duration::from_secs(30))
        .build()?;
    let n = Arc::new(n);
    let until = Instant::now() + Duration::from_secs(n.seconds);
    let noisy = n.noisy.clone().map(|t| {
        let (client, n) = (client.clone(), n.clone());
        tokio::spawn(async move { noisy_load(&client, &n, &t, until).await })
    });
    // Rate 0: this process only plays N (scripts/bench-noisy runs it apart, at a lower
    // CPU priority, standing in for clients on other machines).
    let quiet = match n.rate {
        0 => json!(null),
        _ => quiet_load(&client, &n, until).await,
    };
    let noisy = match noisy {
        Some(h) => h.await?,
        None => json!(null),
    };
    Ok(json!({"quiet": quiet, "noisy": noisy}))
}

/// Q: 80 % `GET /customers?limit=20`, 20 % `POST /orders`, one due every 1/rate s.
async fn quiet_load(client: &reqwest::Client, n: &Noisy, until: Instant) -> Value {
    let every = Duration::from_secs_f64(1.0 / n.rate.max(1) as f64);
    let started = Instant::now();
    let mut due = started;
    let mut sent = Vec::new();
    let mut i = 0u64;
    while due < until {
        tokio::time::sleep_until(due.into()).await;
        let (client, t, url) = (client.clone(), n.quiet.clone(), n.url.clone());
        let write = i % 5 == 4;
        let scheduled = due;
        sent.push(tokio::spawn(async move {
            let base = format!("{url}/v1/t/{}", t.slug);
            let req = if write {
                let body =
                    json!({"item": "quiet", "quantity": 1, "amount_cents": 500, "currency": "EUR"});
                client.post(format!("{base}/orders")).json(&body)
            } else {
                client.get(format!("{base}/customers?limit=20"))
            };
            let status = match req.bearer_auth(&t.api_key).send().await {
                Ok(r) => {
                    let s = r.status().as_u16();
                    let _ = r.bytes().await;
                    s
                }
                Err(_) => 0,
            };
            let offset = scheduled.duration_since(started).as_secs();
            (scheduled.elapsed().as_micros() as u64, status, offset)
        }));
        i += 1;
        due += every;
    }
    let mut lat = Vec::with_capacity(sent.len());
    let mut errors = 0u64;
    let mut failed = std::collections::BTreeMap::<u16, u64>::new();
    // Q's p99 in each 5-second stretch: when in the phase the slow requests came.
    let mut stretches: Vec<Vec<u64>> = Vec::new();
    for h in sent {
        if let Ok((us, status, offset)) = h.await {
            lat.push(us);
            let k = (offset / 5) as usize;
            if stretches.len() <= k {
                stretches.resize_with(k + 1, Vec::new);
            }
            stretches[k].push(us);
            if !(200..300).contains(&status) {
                errors += 1;
                *failed.entry(status).or_default() += 1;
            }
        }
    }
    lat.sort_unstable();
    let p99_by_5s: Vec<f64> = stretches
        .iter_mut()
        .map(|s| {
            s.sort_unstable();
            crate::percentile_ms(s, 0.99)
        })
        .collect();
    json!({
        "p99_ms_by_5s": p99_by_5s,
        "requests": lat.len(),
        "errors": errors,
        "error_rate": errors as f64 / lat.len().max(1) as f64,
        // By status; 0 is no answer at all (a timeout or a refused connection).
        "errors_by_status": failed,
        "rate": n.rate,
        "p50_ms": crate::percentile_ms(&lat, 0.50),
        "p95_ms": crate::percentile_ms(&lat, 0.95),
        "p99_ms": crate::percentile_ms(&lat, 0.99),
        "max_ms": lat.last().copied().unwrap_or(0) as f64 / 1000.0,
    })
}

/// N: every worker loops over a connection-holding statement, a CPU-heavy one and the
/// widest list; one worker also drains the pool through N at the start.
async fn noisy_load(client: &reqwest::Client, n: &Noisy, t: &Tenant, until: Instant) -> Value {
    let base = format!("{}/v1/t/{}", n.url, t.slug);
    let drain = client
        .post(format!("{base}/chaos/pool-drain?seconds={}", n.seconds))
        .bearer_auth(&t.api_key)
        .header("x-atrium-chaos-token", &n.chaos_token)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..n.workers {
        let (client, t, base, token) = (
            client.clone(),
            t.clone(),
            base.clone(),
            n.chaos_token.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut counts = [0u64; 4]; // 2xx, 429, 5xx, other
            let mut i = w;
            while Instant::now() < until {
                let req = match i % 3 {
                    0 => client.post(format!("{base}/chaos/heavy?kind=sleep&ms=500")),
                    1 => client.post(format!("{base}/chaos/heavy?kind=cpu&ms=200")),
                    _ => client.get(format!("{base}/customers?limit=200&q=a")),
                };
                i += 1;
                let res = req
                    .bearer_auth(&t.api_key)
                    .header("x-atrium-chaos-token", &token)
                    .send()
                    .await;
                let s = res.as_ref().map_or(0, |r| r.status().as_u16());
                if let Ok(r) = res {
                    let _ = r.bytes().await;
                }
                let k = match s {
                    200..=299 => 0,
                    429 => 1,
                    500..=599 => 2,
                    _ => 3,
                };
                counts[k] += 1;
                if s == 429 {
                    // A well-behaved client backs off a little; a hostile one wouldn't, and
                    // the 429 costs the server almost nothing either way.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            counts
        }));
    }
    let mut total = [0u64; 4];
    for h in workers {
        if let Ok(c) = h.await {
            for (t, c) in total.iter_mut().zip(c) {
                *t += c;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    json!({
        "workers": n.workers,
        "pool_drain_status": drain,
        "ok": total[0],
        "rejected_429": total[1],
        "errors_5xx": total[2],
        "other": total[3],
        "ok_per_s": total[0] as f64 / secs,
    })
}

use std::{
    path::Path,
    time::{Duration, Instant},
};

use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, Clone)]
struct Tenant {
    slug: String,
    api_key: String,
}

/// Drives `concurrency` clients for `seconds`: each request an order insert, or, with
/// `get`, a GET of that path under the tenant (such as `/customers?limit=50`).
pub async fn run(
    url: &str,
    tenants: &Path,
    concurrency: usize,
    seconds: u64,
    get: Option<&str>,
) -> anyhow::Result<Value> {
    let tenants: Vec<Tenant> = serde_json::from_str(&std::fs::read_to_string(tenants)?)?;
    anyhow::ensure!(!tenants.is_empty(), "no tenants");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let (client, tenants, url) = (client.clone(), tenants.clone(), url.to_owned());
        let get = get.map(str::to_owned);
        workers.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), 0u64);
            let mut i = w;
            while Instant::now() < deadline {
                let t = &tenants[i % tenants.len()];
                i = i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) >> 1;
                let sent = Instant::now();
                let (request, expected) = match &get {
                    Some(path) => (client.get(format!("{url}/v1/t/{}{path}", t.slug)), 200),
                    None => (
                        client.post(format!("{url}/v1/t/{}/orders", t.slug)).json(
                            &json!({"item": "bench", "quantity": 1, "amount_cents": 1000, "currency": "EUR"}),
                        ),
                        201,
                    ),
                };
                let res = request.bearer_auth(&t.api_key).send().await;
                let ok = matches!(&res, Ok(r) if r.status().as_u16() == expected);
                if let Ok(r) = res {
                    let _ = r.bytes().await;
                }
                lat.push(sent.elapsed().as_micros() as u64);
                errors += u64::from(!ok);
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for w in workers {
        let (lat, e) = w.await?;
        all.extend(lat);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort_unstable();
    Ok(json!({
        "requests": all.len(),
        "errors": errors,
        "seconds": elapsed,
        "rps": all.len() as f64 / elapsed,
        "p50_ms": crate::percentile_ms(&all, 0.50),
        "p95_ms": crate::percentile_ms(&all, 0.95),
        "p99_ms": crate::percentile_ms(&all, 0.99),
    }))
}

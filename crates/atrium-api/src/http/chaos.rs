//! Fault injection, to prove the probes heal the pod. Mounted only when `ATRIUM_CHAOS`
//! is on (refused in production); otherwise these routes are not routed at all (404).
//! Every route needs the operators' admin token (`control.admin_token`) as a bearer
//! token: anyone else could take the process down. Every action logs loudly.
//!
//! - `POST /chaos/hang`: wedges every runtime worker thread. Nothing answers any more,
//!   liveness included, until the container is restarted.
//! - `POST /chaos/leak`: allocates and touches memory until the memory limit kills it.
//! - `POST /chaos/burn?seconds=N&threads=T`: spins T threads (1 to 8, default 1) for N
//!   seconds (at most 300). More threads than the container's CPU limit make the kernel
//!   throttle it, which the Podman end-to-end test reads from the cgroup's counters.
//! - `POST /chaos/pool-drain?seconds=N`: holds every pooled database connection for N
//!   seconds (at most 300): readiness fails, liveness doesn't.

use std::time::{Duration, Instant};

use atrium_accounts::token::constant_time_eq;
use atrium_http::{ApiError, Query};
use axum::{
    extract::{Request, State},
    http::{header::AUTHORIZATION, StatusCode},
    middleware::{self, Next},
    response::Response,
    routing::post,
    Json, Router,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::AppState;

const MAX_SECONDS: u64 = 300;

pub fn router(admin_token: SecretString) -> Router<AppState> {
    tracing::warn!(
        "!!! CHAOS ENDPOINTS ENABLED: /chaos/hang, /chaos/leak, /chaos/burn, /chaos/pool-drain !!!"
    );
    Router::new()
        .route("/chaos/hang", post(hang))
        .route("/chaos/leak", post(leak))
        .route("/chaos/burn", post(burn))
        .route("/chaos/pool-drain", post(pool_drain))
        .route_layer(middleware::from_fn(move |req, next| {
            require_admin(admin_token.clone(), req, next)
        }))
}

async fn require_admin(
    token: SecretString,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let sent = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !is_admin_token(sent, &token) {
        tracing::warn!("CHAOS: refused a request without the admin token");
        return Err(ApiError::Unauthorized);
    }
    Ok(next.run(req).await)
}

/// Whether `sent` is the operators' admin token (compared in constant time).
pub(super) fn is_admin_token(sent: Option<&str>, token: &SecretString) -> bool {
    let sent = sent.unwrap_or_default();
    !sent.is_empty() && constant_time_eq(sent.as_bytes(), token.expose_secret().as_bytes())
}

#[derive(Deserialize)]
struct Seconds {
    seconds: Option<u64>,
}

impl Seconds {
    fn bounded(&self) -> Duration {
        Duration::from_secs(self.seconds.unwrap_or(30).clamp(1, MAX_SECONDS))
    }
}

async fn hang() -> (StatusCode, Json<Value>) {
    tracing::error!("CHAOS: hang requested; wedging every runtime worker thread now");
    let workers = tokio::runtime::Handle::current().metrics().num_workers();
    for _ in 0..workers.max(1) {
        // Deliberately blocks a runtime worker forever: this is the fault being injected.
        tokio::spawn(async {
            loop {
                std::thread::sleep(Duration::from_secs(3600))
            }
        });
    }
    (
        StatusCode::ACCEPTED,
        Json(json!({"chaos": "hang", "workers": workers})),
    )
}

async fn leak() -> (StatusCode, Json<Value>) {
    tracing::error!("CHAOS: leak requested; allocating until the memory limit kills the process");
    std::thread::spawn(|| {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            // Touch every page so the memory is really resident.
            hoard.push(vec![0xA5; 16 * 1024 * 1024]);
            tracing::warn!(mib = hoard.len() * 16, "CHAOS: leaking");
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    (StatusCode::ACCEPTED, Json(json!({"chaos": "leak"})))
}

#[derive(Deserialize)]
struct Burn {
    seconds: Option<u64>,
    threads: Option<usize>,
}

const MAX_BURN_THREADS: usize = 8;

async fn burn(Query(q): Query<Burn>) -> Result<(StatusCode, Json<Value>), ApiError> {
    let threads = q.threads.unwrap_or(1);
    if !(1..=MAX_BURN_THREADS).contains(&threads) {
        return Err(ApiError::validation(
            "threads",
            format!("must be 1 to {MAX_BURN_THREADS}"),
        ));
    }
    let how_long = Seconds { seconds: q.seconds }.bounded();
    tracing::error!(seconds = how_long.as_secs(), threads, "CHAOS: burning CPUs");
    let end = Instant::now() + how_long;
    for i in 0..threads {
        // Named, so a test (or `top -H`) can count them.
        let spawned = std::thread::Builder::new()
            .name("chaos-burn".into())
            .spawn(move || {
                let mut x: u64 = 1;
                while Instant::now() < end {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    std::hint::black_box(x);
                }
                if i == 0 {
                    tracing::warn!("CHAOS: burn finished");
                }
            });
        spawned.map_err(|e| ApiError::Internal(e.into()))?;
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"chaos": "burn", "seconds": how_long.as_secs(), "threads": threads})),
    ))
}

async fn pool_drain(
    State(s): State<AppState>,
    Query(q): Query<Seconds>,
) -> (StatusCode, Json<Value>) {
    let how_long = q.bounded();
    let max = s.pool.status().max_size;
    tracing::error!(
        seconds = how_long.as_secs(),
        connections = max,
        "CHAOS: holding every database connection"
    );
    let pool = s.pool.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        let deadline = Instant::now() + how_long;
        while held.len() < max && Instant::now() < deadline {
            match pool.get().await {
                Ok(conn) => held.push(conn),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        tokio::time::sleep(deadline.saturating_duration_since(Instant::now())).await;
        tracing::warn!(
            released = held.len(),
            "CHAOS: pool drain over, connections released"
        );
    });
    (
        StatusCode::ACCEPTED,
        Json(json!({"chaos": "pool-drain", "connections": max, "seconds": how_long.as_secs()})),
    )
}

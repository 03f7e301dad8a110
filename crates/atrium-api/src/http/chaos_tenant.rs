//! Chaos for one tenant, through that tenant's fair share: the noisy neighbour of
//! `scripts/bench noisy` and of the tests. Mounted only with `ATRIUM_CHAOS`, behind the
//! tenant's own credentials and the operators' admin token in `X-Atrium-Chaos-Token`
//! (the bearer is the tenant's key).
//!
//! - `POST /v1/t/{tenant}/chaos/heavy?kind=sleep|cpu&ms=N`: one transaction that holds a
//!   connection idle (`sleep`) or keeps a backend busy (`cpu`) for about N ms (≤ 10000).
//! - `POST /v1/t/{tenant}/chaos/pool-drain?seconds=N`: as many transactions as the pool
//!   has connections, each held N seconds (≤ 300). With enforcement on, only the
//!   tenant's share is taken; the rest are refused `tenant_busy`.

use std::time::Duration;

use atrium_http::{ApiError, Query};
use axum::{
    extract::Request,
    http::StatusCode,
    middleware::{self, Next},
    response::Response,
    routing::post,
    Json, Router,
};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{tenant::Scoped, AppState};

pub fn router(admin_token: SecretString) -> Router<AppState> {
    Router::new()
        // Full paths, not nested: the tenant middleware reads the tenant from the URI,
        // which a nested router would see without its prefix.
        .route("/v1/t/{tenant}/chaos/heavy", post(heavy))
        .route("/v1/t/{tenant}/chaos/pool-drain", post(pool_drain))
        .route_layer(middleware::from_fn(move |req, next| {
            require_token(admin_token.clone(), req, next)
        }))
}

async fn require_token(
    token: SecretString,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let sent = req
        .headers()
        .get("x-atrium-chaos-token")
        .and_then(|v| v.to_str().ok());
    if !super::chaos::is_admin_token(sent, &token) {
        tracing::warn!("CHAOS: refused a tenant chaos request without the admin token");
        return Err(ApiError::Forbidden {
            code: "chaos_token_required",
            detail: "tenant chaos routes need the admin token in X-Atrium-Chaos-Token".into(),
        });
    }
    Ok(next.run(req).await)
}

#[derive(Deserialize)]
struct Heavy {
    kind: Option<String>,
    ms: Option<u64>,
}

const MAX_HEAVY_MS: u64 = 10_000;
/// Rows `generate_series` counts per millisecond on one core, roughly.
const ROWS_PER_MS: i64 = 10_000;

async fn heavy(r: Scoped<Query<Heavy>>) -> Result<Json<Value>, ApiError> {
    let Query(q) = &r.part;
    let ms = q.ms.unwrap_or(200).clamp(1, MAX_HEAVY_MS);
    // The comment names the statement for whoever watches pg_stat_activity (the tests do).
    let sql = match q.kind.as_deref().unwrap_or("sleep") {
        "sleep" => "SELECT pg_sleep($1::bigint / 1000.0)::text /* atrium_heavy */",
        "cpu" => {
            "SELECT count(*)::text FROM generate_series(1, $1::bigint * $2) /* atrium_heavy */"
        }
        _ => {
            return Err(ApiError::validation("kind", "kind is sleep or cpu"));
        }
    };
    let mut tx = r.begin().await?;
    let ms = ms as i64;
    if sql.contains("$2") {
        tx.query(sql, &[&ms, &ROWS_PER_MS]).await?;
    } else {
        tx.query(sql, &[&ms]).await?;
    }
    tx.commit().await?;
    Ok(Json(json!({"chaos": "heavy", "ms": ms})))
}

#[derive(Deserialize)]
struct Seconds {
    seconds: Option<u64>,
}

async fn pool_drain(r: Scoped<Query<Seconds>>) -> (StatusCode, Json<Value>) {
    let seconds = r.part.0.seconds.unwrap_or(30).clamp(1, 300) as i64;
    let tries = r.state.pool.status().max_size;
    tracing::error!(
        tenant = r.slug(),
        seconds,
        "CHAOS: draining the pool through one tenant"
    );
    for _ in 0..tries {
        let (state, tenant) = (r.state.clone(), r.tenant.clone());
        tokio::spawn(async move {
            let Ok(mut tx) = tenant.begin(&state).await else {
                return;
            };
            let sql = "SELECT pg_sleep($1::bigint)::text /* atrium_heavy */";
            let _ = tx.query(sql, &[&seconds]).await;
            let _ = tx.commit().await;
        });
    }
    // Give the tasks their moment to queue, so the caller's next request sees them.
    tokio::time::sleep(Duration::from_millis(50)).await;
    (
        StatusCode::ACCEPTED,
        Json(json!({"chaos": "pool-drain", "tried": tries, "seconds": seconds})),
    )
}

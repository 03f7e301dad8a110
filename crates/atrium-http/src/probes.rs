//! `/livez`, `/readyz` and `/startupz`, answered from the process's [`Lifecycle`].
//! Liveness never touches a dependency; readiness does, bounded. (`/metrics` is on the
//! internal listener: see [`crate::Server`].)

use std::sync::Arc;

use atrium_core::health::Lifecycle;
use axum::{extract::State, http::StatusCode, routing::get, Json, Router};
use serde_json::{json, Value};

pub fn router(lifecycle: Arc<Lifecycle>) -> Router {
    Router::new()
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/startupz", get(startupz))
        .with_state(lifecycle)
}

type Probe = (StatusCode, Json<Value>);

fn answer(ok: bool, good: &str, bad: Value) -> Probe {
    if ok {
        (StatusCode::OK, Json(json!({ "status": good })))
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(bad))
    }
}

async fn livez(State(l): State<Arc<Lifecycle>>) -> Probe {
    answer(l.is_alive(), "alive", json!({"status": "wedged"}))
}

async fn readyz(State(l): State<Arc<Lifecycle>>) -> Probe {
    match l.readiness().await {
        Ok(()) => {
            let notes = l.notes();
            if notes.is_empty() {
                return answer(true, "ready", Value::Null);
            }
            let notes: serde_json::Map<String, Value> = notes
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Value::String(v)))
                .collect();
            (
                StatusCode::OK,
                Json(json!({"status": "ready", "notes": notes})),
            )
        }
        Err(reason) => answer(false, "", json!({"status": "not_ready", "reason": reason})),
    }
}

async fn startupz(State(l): State<Arc<Lifecycle>>) -> Probe {
    answer(l.is_started(), "started", json!({"status": "starting"}))
}

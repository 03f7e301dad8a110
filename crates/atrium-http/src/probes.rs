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

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;

    use super::*;

    async fn readyz(l: &Arc<Lifecycle>) -> (StatusCode, Value) {
        let res = router(l.clone())
            .oneshot(
                Request::get("/readyz")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("answer");
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 64 * 1024)
            .await
            .expect("body");
        (status, serde_json::from_slice(&body).expect("json"))
    }

    #[tokio::test]
    async fn a_stale_backup_is_noted_on_readyz_without_failing_it() {
        let l = Lifecycle::new(Arc::new(|| Box::pin(async { Ok(()) })));
        l.mark_started();
        l.note("backup", Some("the newest backup is 97000 s old".into()));
        let (status, body) = readyz(&l).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["notes"]["backup"], "the newest backup is 97000 s old");
        l.note("backup", None);
        assert_eq!(
            readyz(&l).await,
            (StatusCode::OK, json!({"status": "ready"}))
        );
    }
}

use atrium_core::error::{ApiError, Json};
use axum::{
    extract::{Query, State},
    routing::get,
    Router,
};
use serde::Deserialize;

use super::{auth::Operator, AppState};
use crate::registry;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

#[derive(Deserialize)]
struct AuditQuery {
    tenant: Option<String>,
    action: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

async fn list(
    State(s): State<AppState>,
    _op: Operator,
    Query(q): Query<AuditQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let conn = s
        .control
        .pool
        .get()
        .await
        .map_err(atrium_core::db::DbError::from)?;
    let entries = registry::audit_log(
        &**conn,
        q.tenant.as_deref(),
        q.action.as_deref(),
        q.before,
        limit,
    )
    .await?;
    let next = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(Json(
        serde_json::json!({"items": entries, "next_before": next}),
    ))
}

use atrium_core::error::{ApiError, Json};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{get, post},
    Router,
};
use serde::Deserialize;
use tracing::instrument;

use super::{auth::Operator, AppState};
use crate::{provision::NewTenant, registry, registry::Tenant};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tenants", post(create).get(list))
        .route("/tenants/{slug}", get(show).patch(update).delete(delete))
        .route("/tenants/{slug}/suspend", post(suspend))
        .route("/tenants/{slug}/resume", post(resume))
        .route("/tenants/{slug}/export", get(export))
        .route("/tenant-stats", get(stats))
}

/// Schema size, events in the last 7 days and request rate per live tenant.
async fn stats(
    State(s): State<AppState>,
    _op: Operator,
) -> Result<Json<serde_json::Value>, ApiError> {
    let items = s.control.tenant_stats().await?;
    Ok(Json(serde_json::json!({ "items": items })))
}

/// Downloads the export a delete left behind (a plain SQL file).
#[instrument(skip_all, fields(tenant = %slug))]
async fn export(
    State(s): State<AppState>,
    _op: Operator,
    Path(slug): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let tenant = s.control.get_tenant(&slug).await?;
    let path = tenant.export_path.ok_or(ApiError::NotFound("export"))?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|_| ApiError::NotFound("export"))?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let disposition = format!("attachment; filename=\"atrium-{}-export.sql\"", tenant.slug);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/sql".to_owned(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

#[instrument(skip_all, fields(tenant = %req.slug))]
async fn create(
    State(s): State<AppState>,
    op: Operator,
    Json(req): Json<NewTenant>,
) -> Result<(StatusCode, Json<Tenant>), ApiError> {
    let result = s.control.provision(&req, &op.actor).await;
    if let Err(e) = &result {
        let conn = s
            .control
            .pool
            .get()
            .await
            .map_err(atrium_core::db::DbError::from)?;
        let _ = registry::audit(
            &**conn,
            &op.actor,
            "tenant.create",
            Some(&req.slug),
            Err(&e.to_string()),
            serde_json::json!({}),
        )
        .await;
    }
    let p = result?;
    let status = if p.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(p.tenant)))
}

#[derive(Deserialize)]
struct ListQuery {
    after: Option<String>,
    state: Option<String>,
    limit: Option<i64>,
}

async fn list(
    State(s): State<AppState>,
    _op: Operator,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let conn = s
        .control
        .pool
        .get()
        .await
        .map_err(atrium_core::db::DbError::from)?;
    let tenants = registry::list(&**conn, q.after.as_deref(), q.state.as_deref(), limit)
        .await
        .map_err(ApiError::from)?;
    let next = (tenants.len() as i64 == limit)
        .then(|| tenants.last().map(|t| t.slug.clone()))
        .flatten();
    Ok(Json(
        serde_json::json!({"items": tenants, "next_cursor": next}),
    ))
}

#[instrument(skip_all, fields(tenant = %slug))]
async fn show(
    State(s): State<AppState>,
    _op: Operator,
    Path(slug): Path<String>,
) -> Result<Json<Tenant>, ApiError> {
    Ok(Json(s.control.get_tenant(&slug).await?))
}

#[instrument(skip_all, fields(tenant = %slug))]
async fn update(
    State(s): State<AppState>,
    op: Operator,
    Path(slug): Path<String>,
    Json(change): Json<crate::lifecycle::TenantChange>,
) -> Result<Json<Tenant>, ApiError> {
    Ok(Json(s.control.update(&slug, &change, &op.actor).await?))
}

#[instrument(skip_all, fields(tenant = %slug))]
async fn suspend(
    State(s): State<AppState>,
    op: Operator,
    Path(slug): Path<String>,
) -> Result<Json<Tenant>, ApiError> {
    Ok(Json(s.control.suspend(&slug, &op.actor).await?))
}

#[instrument(skip_all, fields(tenant = %slug))]
async fn resume(
    State(s): State<AppState>,
    op: Operator,
    Path(slug): Path<String>,
) -> Result<Json<Tenant>, ApiError> {
    Ok(Json(s.control.resume(&slug, &op.actor).await?))
}

#[instrument(skip_all, fields(tenant = %slug))]
async fn delete(
    State(s): State<AppState>,
    op: Operator,
    Path(slug): Path<String>,
) -> Result<Json<Tenant>, ApiError> {
    Ok(Json(s.control.delete(&slug, &op.actor).await?))
}

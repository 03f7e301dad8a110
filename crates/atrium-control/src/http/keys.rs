use atrium_core::error::{ApiError, Json};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{delete, post},
    Router,
};
use serde::Deserialize;
use tracing::instrument;
use uuid::Uuid;

use super::{auth::Operator, AppState};
use crate::keys::{ApiKey, CreatedKey};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tenants/{slug}/keys", post(create).get(list))
        .route("/tenants/{slug}/keys/{id}", delete(revoke))
}

#[derive(Deserialize)]
struct NewKey {
    name: String,
}

#[instrument(skip_all, fields(tenant = %slug))]
async fn create(
    State(s): State<AppState>,
    op: Operator,
    Path(slug): Path<String>,
    Json(req): Json<NewKey>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(s.control.create_key(&slug, &req.name, &op.actor).await?),
    ))
}

#[instrument(skip_all, fields(tenant = %slug))]
async fn list(
    State(s): State<AppState>,
    _op: Operator,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ApiKey>>, ApiError> {
    Ok(Json(s.control.list_keys(&slug).await?))
}

#[instrument(skip_all, fields(tenant = %slug))]
async fn revoke(
    State(s): State<AppState>,
    op: Operator,
    Path((slug, id)): Path<(String, Uuid)>,
) -> Result<Json<ApiKey>, ApiError> {
    Ok(Json(s.control.revoke_key(&slug, id, &op.actor).await?))
}

use atrium_http::{ApiError, Json, Problem};
use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::Deserialize;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{auth::Operator, AppState};
use crate::keys::{ApiKey, CreatedKey};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(revoke))
}

#[derive(Deserialize, ToSchema)]
struct NewKey {
    /// What the key is for, 1 to 100 characters.
    name: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct KeyPath {
    slug: String,
    id: Uuid,
}

/// Issue an API key; its secret is in this response only.
#[utoipa::path(post, path = "/tenants/{slug}/keys", tag = "keys",
    params(("slug" = String, Path, description = "Tenant slug")), request_body = NewKey,
    responses((status = 201, body = CreatedKey), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %slug))]
async fn create(
    State(s): State<AppState>,
    op: Operator,
    Path(slug): Path<String>,
    Json(req): Json<NewKey>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    let key = s.control.create_key(&slug, &req.name, &op.actor).await?;
    Ok((StatusCode::CREATED, Json(key)))
}

#[utoipa::path(get, path = "/tenants/{slug}/keys", tag = "keys",
    params(("slug" = String, Path, description = "Tenant slug")),
    responses((status = 200, body = Vec<ApiKey>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %slug))]
async fn list(
    State(s): State<AppState>,
    _op: Operator,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ApiKey>>, ApiError> {
    Ok(Json(s.control.list_keys(&slug).await?))
}

#[utoipa::path(delete, path = "/tenants/{slug}/keys/{id}", tag = "keys", params(KeyPath),
    responses((status = 200, body = ApiKey), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %p.slug))]
async fn revoke(
    State(s): State<AppState>,
    op: Operator,
    Path(p): Path<KeyPath>,
) -> Result<Json<ApiKey>, ApiError> {
    Ok(Json(s.control.revoke_key(&p.slug, p.id, &op.actor).await?))
}

use atrium_http::{ApiError, Created, Json, Problem};
use axum::extract::{Path, State};
use serde::Deserialize;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::{OnTenant, SlugPath},
    AppState,
};
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
struct KeyId {
    /// The key's id, from its creation or the key list.
    id: Uuid,
}

/// Issue an API key; its secret is in this response only.
#[utoipa::path(post, path = "/tenants/{slug}/keys", tag = "keys",
    params(SlugPath), request_body = NewKey,
    responses((status = 201, body = CreatedKey), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %t.slug))]
async fn create(
    State(s): State<AppState>,
    t: OnTenant,
    Json(req): Json<NewKey>,
) -> Result<Created<CreatedKey>, ApiError> {
    Ok(Created(
        s.control.create_key(&t.slug, &req.name, &t.actor).await?,
    ))
}

#[utoipa::path(get, path = "/tenants/{slug}/keys", tag = "keys",
    params(SlugPath),
    responses((status = 200, body = Vec<ApiKey>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %t.slug))]
async fn list(State(s): State<AppState>, t: OnTenant) -> Result<Json<Vec<ApiKey>>, ApiError> {
    Ok(Json(s.control.list_keys(&t.slug).await?))
}

/// Revoke a key: the data plane refuses it as soon as it hears the change.
#[utoipa::path(delete, path = "/tenants/{slug}/keys/{id}", tag = "keys", params(SlugPath, KeyId),
    responses((status = 200, body = ApiKey), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %t.slug))]
async fn revoke(
    State(s): State<AppState>,
    t: OnTenant,
    Path(key): Path<KeyId>,
) -> Result<Json<ApiKey>, ApiError> {
    Ok(Json(s.control.revoke_key(&t.slug, key.id, &t.actor).await?))
}

use atrium_http::{ApiError, Json, Path, Problem};
use axum::extract::State;
use serde::Deserialize;
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    on_tenant::{on_tenant, OnTenant, SlugPath},
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

on_tenant!(
    /// Issue an API key; its secret is in this response only.
    post "/tenants/{slug}/keys", tag "keys" => create -> 201 CreatedKey, body NewKey as req
        = |s, t| s.control.create_key(&t.slug, &req.name, &t.actor)
);

on_tenant!(get "/tenants/{slug}/keys", tag "keys" => list -> 200 Vec<ApiKey>
    = |s, t| s.control.list_keys(&t.slug));

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

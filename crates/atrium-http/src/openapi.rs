//! What both planes' OpenAPI documents share: how a bearer token is described, and
//! serving the document at `/v1/openapi.json`.

use axum::{routing::get, Json, Router};
use utoipa::openapi::{
    security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    OpenApi,
};

/// An `Authorization: Bearer` scheme.
pub fn bearer(description: &str) -> SecurityScheme {
    SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(description))
            .build(),
    )
}

/// `/v1/openapi.json`, rendered once at startup.
pub fn route<S: Clone + Send + Sync + 'static>(doc: &OpenApi) -> Router<S> {
    let json = serde_json::to_value(doc).unwrap_or_default();
    Router::new().route("/v1/openapi.json", get(move || async move { Json(json) }))
}

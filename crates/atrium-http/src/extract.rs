//! `Query` and `Path` as axum's, but refused with problem+json (axum answers text/plain)
//! and refusing a NUL character (`%00`), which PostgreSQL cannot store in text.

use axum::{
    extract::FromRequestParts,
    http::{request::Parts, StatusCode},
};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// The answer to a NUL character anywhere in the request's text.
pub(crate) fn nul_rejected(place: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_character",
        format!("the {place} contains a NUL character (U+0000), which text cannot hold"),
    )
}

/// A NUL can reach a URI only percent-encoded.
fn has_encoded_nul(text: &str) -> bool {
    text.contains("%00")
}

/// The query string, deserialized; `400 invalid_query` when it doesn't fit.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if has_encoded_nul(parts.uri.query().unwrap_or_default()) {
            return Err(nul_rejected("query string"));
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Query(v))
            .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
    }
}

/// The path's parameters, deserialized; `400 invalid_path` when they don't fit.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if has_encoded_nul(parts.uri.path()) {
            return Err(nul_rejected("path"));
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            // A route declared without the parameter its handler reads: a wiring bug.
            Err(e) if e.status() == StatusCode::INTERNAL_SERVER_ERROR => {
                Err(ApiError::Internal(anyhow::anyhow!(e.body_text())))
            }
            Err(e) => Err(ApiError::bad_request("invalid_path", e.body_text())),
        }
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::Deref for Path<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

use atrium_core::{apikey::constant_time_eq, error::ApiError};
use axum::{extract::FromRequestParts, http::request::Parts};
use secrecy::ExposeSecret;

use super::AppState;

/// An operator authenticated by the admin token. `actor` goes into the audit log.
pub struct Operator {
    pub actor: String,
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized)?;
        let expected = state.control.config.admin_token.expose_secret();
        if constant_time_eq(token.as_bytes(), expected.as_bytes()) {
            Ok(Operator {
                actor: "token:admin".into(),
            })
        } else {
            Err(ApiError::Unauthorized)
        }
    }
}

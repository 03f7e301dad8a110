use atrium_core::{
    apikey::constant_time_eq,
    error::ApiError,
    session::{self, SessionCookie},
};
use axum::{extract::FromRequestParts, http::request::Parts};
use secrecy::ExposeSecret;

use super::AppState;
use crate::operators::SESSION_HOURS;

/// An authenticated operator: by the admin token (automation), or by a console session
/// cookie whose CSRF token came along on anything that changes state. `actor` goes into
/// the audit log.
pub struct Operator {
    pub actor: String,
}

/// The console's session cookie.
pub fn cookie() -> SessionCookie {
    SessionCookie {
        name: "atrium_operator",
        path: "/".into(),
        max_age_s: SESSION_HOURS as u64 * 3600,
        secure: true,
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let Some(token) = bearer {
            let expected = state.control.config.admin_token.expose_secret();
            return if constant_time_eq(token.as_bytes(), expected.as_bytes()) {
                Ok(Operator {
                    actor: "token:admin".into(),
                })
            } else {
                Err(ApiError::Unauthorized)
            };
        }
        let token = cookie()
            .read(&parts.headers)
            .ok_or(ApiError::Unauthorized)?;
        let owner = state
            .control
            .session_owner(&token)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        session::check_csrf(
            &parts.method,
            session::sent_csrf(&parts.headers),
            &owner.csrf_token,
        )?;
        Ok(Operator {
            actor: format!("operator:{}", owner.operator.email),
        })
    }
}

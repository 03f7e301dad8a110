use atrium_http::{
    cookie::{check_csrf, sent_csrf, SessionCookie},
    ApiError,
};
use axum::{
    extract::FromRequestParts,
    http::{header::AUTHORIZATION, request::Parts},
};

use super::AppState;

pub const COOKIE_NAME: &str = "atrium_operator";

/// An authenticated operator: by the admin token (automation), or by a console session
/// cookie whose CSRF token came along on anything that changes state. `actor` goes into
/// the audit log.
pub struct Operator {
    pub actor: String,
}

/// The console's session cookie.
pub fn cookie() -> SessionCookie {
    SessionCookie::new(COOKIE_NAME, "/")
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let Some(token) = bearer {
            return if state.control.is_admin_token(token) {
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
        check_csrf(&parts.method, sent_csrf(&parts.headers), &owner.csrf_token)?;
        Ok(Operator {
            actor: format!("operator:{}", owner.operator.email),
        })
    }
}

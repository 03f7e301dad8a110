//! Console sign-in: `POST /v1/session` sets the session cookie and returns the CSRF
//! token; `GET` says who is signed in (and repeats the CSRF token, for a reloaded page);
//! `DELETE` signs out. Operators themselves are managed at `/v1/operators`.

use atrium_core::error::{ApiError, Json};
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use serde::{Deserialize, Serialize};
use tracing::instrument;

use super::{
    auth::{cookie, Operator},
    AppState,
};
use crate::operators::OperatorAccount;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", post(sign_in).get(whoami).delete(sign_out))
        .route("/operators", post(upsert))
        .route("/console-config", get(console_config))
}

/// What the console needs before anyone signs in: where tenant apps live.
async fn console_config(State(s): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "api_url": s.control.config.public_api_url,
        "tenant_migration_target": atrium_core::migrations::latest(atrium_core::migrations::TENANT),
    }))
}

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

#[derive(Serialize)]
struct SessionInfo {
    operator: OperatorAccount,
    csrf_token: String,
}

#[instrument(skip_all)]
async fn sign_in(
    State(s): State<AppState>,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    if c.email.len() > 254 || c.password.len() > 1024 {
        return Err(ApiError::Unauthorized);
    }
    s.sign_in_limiter.admit("operators")?;
    let Some(new) = s.control.sign_in(&c.email, &c.password).await? else {
        return Err(ApiError::Unauthorized);
    };
    let body = SessionInfo {
        operator: new.operator,
        csrf_token: new.csrf_token,
    };
    Ok(([(header::SET_COOKIE, cookie().set(&new.token))], Json(body)).into_response())
}

#[instrument(skip_all)]
async fn whoami(
    State(s): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, ApiError> {
    let token = cookie().read(&headers).ok_or(ApiError::Unauthorized)?;
    let owner = s
        .control
        .session_owner(&token)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(Json(SessionInfo {
        operator: owner.operator,
        csrf_token: owner.csrf_token,
    }))
}

#[instrument(skip_all)]
async fn sign_out(
    State(s): State<AppState>,
    _op: Operator,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = cookie().read(&headers) {
        s.control.sign_out(&token).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookie().clear())],
    )
        .into_response())
}

#[derive(Deserialize)]
struct NewOperator {
    email: String,
    display_name: Option<String>,
    password: String,
}

/// Creates an operator, or resets an existing operator's password.
#[instrument(skip_all)]
async fn upsert(
    State(s): State<AppState>,
    op: Operator,
    Json(n): Json<NewOperator>,
) -> Result<(StatusCode, Json<OperatorAccount>), ApiError> {
    let account = s
        .control
        .upsert_operator(&n.email, n.display_name.as_deref(), &n.password, &op.actor)
        .await?;
    Ok((StatusCode::OK, Json(account)))
}

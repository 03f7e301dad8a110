//! Console sign-in: `POST /v1/session` sets the session cookie and returns the CSRF
//! token; `GET` says who is signed in (and repeats the CSRF token, for a reloaded page);
//! `DELETE` signs out. Operators themselves are managed at `/v1/operators`
//! (`operators.rs`).

use atrium_accounts::Credentials;
use atrium_http::{sign_in::Peer, ApiError, Json, Problem};
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth::{cookie, Operator},
    AppState,
};
use crate::{listing::ConsoleConfig, operators::OperatorAccount};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in, whoami, sign_out))
        .routes(routes!(console_config))
}

/// What the console needs before anyone signs in: where tenant apps live.
#[utoipa::path(get, path = "/console-config", tag = "session", security(()),
    responses((status = 200, body = ConsoleConfig)))]
async fn console_config(State(s): State<AppState>) -> Json<ConsoleConfig> {
    Json(s.control.console_config())
}

#[derive(Serialize, ToSchema)]
struct SessionInfo {
    operator: OperatorAccount,
    /// Send it back in `X-CSRF-Token` on every request that changes something.
    csrf_token: String,
}

/// Sign in; the same 401 whether the email or the password was wrong.
#[utoipa::path(post, path = "/session", tag = "session", security(()), request_body = Credentials,
    responses((status = 200, body = SessionInfo), (status = 401, body = Problem), (status = 429, body = Problem)))]
#[instrument(skip_all)]
async fn sign_in(
    State(s): State<AppState>,
    peer: Peer,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    if !c.within_bounds() {
        return Err(ApiError::Unauthorized);
    }
    let address = s.sign_in.client(&peer);
    let mut attempt = s.sign_in.begin(address)?;
    attempt.on_account("operators", &c.email)?;
    let Some(new) = s
        .control
        .sign_in(&c.email, &c.password, attempt.lane(), address)
        .await?
    else {
        return Err(ApiError::Unauthorized);
    };
    attempt.succeeded();
    let body = SessionInfo {
        operator: new.operator,
        csrf_token: new.csrf_token,
    };
    let set = cookie().set(&new.token)?;
    Ok(([(header::SET_COOKIE, set)], Json(body)).into_response())
}

#[utoipa::path(get, path = "/session", tag = "session",
    responses((status = 200, body = SessionInfo), (status = 401, body = Problem)))]
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

#[utoipa::path(delete, path = "/session", tag = "session",
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[instrument(skip_all)]
async fn sign_out(
    State(s): State<AppState>,
    _op: Operator,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = cookie().read(&headers) {
        s.control.sign_out(&token).await?;
    }
    let clear = cookie().clear()?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

//! Tenant user sessions: `POST /sign-in` (no credentials needed to reach it) sets the
//! session cookie, scoped to this tenant's path, and returns the CSRF token; `GET
//! /session` says who is signed in and repeats the token (for a reloaded page);
//! `DELETE /session` signs out.

use atrium_accounts::{
    password,
    tenant_users::{self, TenantUser},
    Credentials,
};
use atrium_core::db::TenantTx;
use atrium_http::{sign_in::Peer, ApiError, Json, Path, Problem};
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{
    tenant::{self, session_cookie, Caller, Tenant},
    AppState,
};

/// Routes behind tenant resolution (a session or a key).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(whoami, sign_out))
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub user: TenantUser,
    /// Send it back in `X-CSRF-Token` on every request that changes something.
    pub csrf_token: String,
}

/// Signs in; the same 401 whether the tenant, the email or the password was wrong.
#[instrument(skip_all, fields(tenant = %slug))]
pub(super) async fn sign_in(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    peer: Peer,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    if !c.within_bounds() {
        return Err(ApiError::Unauthorized);
    }
    // Before the tenant is looked up: guesses at tenants that don't exist cost a decoy
    // hash each, so they are throttled like any other.
    let mut attempt = s.sign_in.begin(s.sign_in.client(&peer))?;
    let Some(t) = tenant::for_sign_in(&s, &slug).await? else {
        password::verify(&c.password, None, attempt.lane()).await;
        return Err(ApiError::Unauthorized);
    };
    attempt.on_account(t.slug(), &c.email)?;
    // No connection is held while Argon2 runs.
    let mut tx = t.begin(&s).await?;
    let found = tenant_users::credentials(&mut tx, &c.email).await?;
    tx.commit().await?;
    let stored = found.as_ref().and_then(|(_, h)| h.as_deref());
    let ok = password::verify(&c.password, stored, attempt.lane()).await;
    let Some((user, _)) = found.filter(|_| ok) else {
        return Err(ApiError::Unauthorized);
    };
    attempt.succeeded();
    tenant::ensure_active(&t)?;
    open_session(&t, t.begin(&s).await?, user).await
}

/// Opens a session for `user` in `tx` and commits it; answers with the cookie, scoped to
/// the tenant's path, and who it is.
pub async fn open_session(
    t: &Tenant,
    mut tx: TenantTx,
    user: TenantUser,
) -> Result<Response, ApiError> {
    let (token, csrf_token) = tenant_users::open_session(&mut tx, user.id).await?;
    tx.commit().await?;
    let cookie = session_cookie(t.slug()).set(&token)?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(SessionInfo { user, csrf_token }),
    )
        .into_response())
}

/// Who is signed in, and the session's CSRF token.
#[utoipa::path(get, path = "/session", tag = "users",
    responses((status = 200, body = SessionInfo), (status = 401, body = Problem), (status = 404, body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn whoami(
    State(s): State<AppState>,
    t: Tenant,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, ApiError> {
    let Caller::User(_) = caller else {
        return Err(ApiError::NotFound("session"));
    };
    let token = session_cookie(t.slug())
        .read(&headers)
        .ok_or(ApiError::Unauthorized)?;
    let mut tx = t.begin(&s).await?;
    let found = tenant_users::session_user(&mut tx, &token).await?;
    tx.commit().await?;
    let (user, csrf_token) = found.ok_or(ApiError::Unauthorized)?;
    Ok(Json(SessionInfo { user, csrf_token }))
}

/// Ends the session and clears the cookie.
#[utoipa::path(delete, path = "/session", tag = "users",
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn sign_out(
    State(s): State<AppState>,
    t: Tenant,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let cookie = session_cookie(t.slug());
    if let Some(token) = cookie.read(&headers) {
        let mut tx = t.begin(&s).await?;
        tenant_users::close_session(&mut tx, &token).await?;
        tx.commit().await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookie.clear()?)],
    )
        .into_response())
}

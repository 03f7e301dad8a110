//! Team management by tenant admins (and keys): change a role, remove a user, revoke an
//! invite, issue a password reset link. And the two link pages, reachable without
//! credentials: look at an invite before accepting it, and set a new password with a
//! reset link (which signs the user in). Both are throttled like sign-in.

use atrium_accounts::{
    password,
    team::{self, ResetLink},
    tenant_users::{Role, TenantUser},
    token,
};
use atrium_http::{sign_in::Peer, ApiError, Json, Path, Problem, Query};
use axum::{extract::State, http::StatusCode, response::Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{session::open_session, IdPath};
use crate::{
    tenant::{self, Caller, Scoped},
    AppState,
};

/// Routes behind tenant resolution.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_role, remove))
        .routes(routes!(revoke_invite))
        .routes(routes!(issue_reset))
}

/// Public routes: the link pages.
pub fn public() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview_invite))
        .routes(routes!(reset_password))
}

type OnUser = Scoped<Path<IdPath>>;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    pub role: Role,
}

/// Changes a user's role (admins only). Demoting the last active admin is a 409
/// `last_admin`.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(IdPath), request_body = RoleChange,
    responses((status = 200, body = TenantUser), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn set_role(
    r: OnUser,
    caller: Caller,
    Json(c): Json<RoleChange>,
) -> Result<Json<TenantUser>, ApiError> {
    caller.require_admin()?;
    let mut tx = r.begin().await?;
    let user = team::set_role(&mut tx, r.part.0.id, c.role).await?;
    tx.commit().await?;
    Ok(Json(user))
}

/// Removes a user (admins only) and ends their sessions. Nobody removes themselves (409
/// `self`), and the last active admin stays (409 `last_admin`).
#[utoipa::path(delete, path = "/users/{id}", tag = "users", params(IdPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn remove(r: OnUser, caller: Caller) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let acting = match &caller {
        Caller::User(u) => Some(u.id),
        Caller::Key(_) | Caller::Dev => None,
    };
    let mut tx = r.begin().await?;
    team::remove(&mut tx, r.part.0.id, acting).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes a pending invite (admins only): its link stops working. 404 when the id is
/// not a pending invite.
#[utoipa::path(delete, path = "/invites/{id}", tag = "users", params(IdPath),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn revoke_invite(r: OnUser, caller: Caller) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let mut tx = r.begin().await?;
    team::revoke_invite(&mut tx, r.part.0.id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct PasswordReset {
    pub user: TenantUser,
    /// Shown once; the user sends it back to `POST /password-reset`. Single use.
    pub reset_token: String,
    pub expires_at: DateTime<Utc>,
}

impl From<ResetLink> for PasswordReset {
    fn from(l: ResetLink) -> Self {
        Self {
            user: l.user,
            reset_token: l.token,
            expires_at: l.expires_at,
        }
    }
}

/// Issues a one-time password reset link for a user (admins only), valid 24 hours; an
/// earlier link stops working. A user who never accepted their invite is a 409
/// `invite_pending` (resend the invite instead).
#[utoipa::path(post, path = "/users/{id}/password-reset", tag = "users", params(IdPath),
    responses((status = 201, body = PasswordReset), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn issue_reset(
    r: OnUser,
    caller: Caller,
) -> Result<(StatusCode, Json<PasswordReset>), ApiError> {
    caller.require_admin()?;
    let mut tx = r.begin().await?;
    let link = team::issue_reset(&mut tx, r.part.0.id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(link.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// The invite token from the link.
    token: String,
}

#[derive(Serialize, ToSchema)]
pub struct InvitePreview {
    pub tenant_display_name: String,
    pub email: String,
    pub display_name: String,
}

/// Who an invite link invites, for the accept page to show before its form. An unknown,
/// expired, revoked or used token is a 404 `invite_invalid`, alike; a valid token of a
/// suspended tenant is a 423 `tenant_suspended`. Throttled like sign-in. The token is a
/// query parameter, which the access log never records.
#[utoipa::path(get, path = "/invites/preview", tag = "users", security(()), params(TokenQuery),
    responses((status = 200, body = InvitePreview), (status = 404, body = Problem),
              (status = 423, body = Problem), (status = 429, body = Problem)))]
#[instrument(skip_all, fields(tenant = %slug))]
async fn preview_invite(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    peer: Peer,
    Query(q): Query<TokenQuery>,
) -> Result<Json<InvitePreview>, ApiError> {
    let attempt = s.sign_in.begin(s.sign_in.client(&peer))?;
    let t = tenant::for_sign_in(&s, &slug)
        .await?
        .filter(|_| token::looks_like_token(&q.token))
        .ok_or(ApiError::NotFound("invite"))?;
    let mut tx = t.begin(&s).await?;
    let invite = team::preview_invite(&mut tx, &q.token).await?;
    tx.commit().await?;
    tenant::ensure_active(&t)?;
    attempt.succeeded();
    Ok(Json(InvitePreview {
        tenant_display_name: t.0.display_name.clone(),
        email: invite.email,
        display_name: invite.display_name,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPassword {
    pub token: String,
    /// The same rules as an invite's password.
    pub password: String,
}

/// Sets a new password with a reset link's token, ends the user's other sessions and
/// signs them in (the answer is the session, as sign-in's). An unknown, expired or used
/// token is a 404 `reset_invalid`. Throttled like sign-in; the password is hashed before
/// anything is looked up.
#[utoipa::path(post, path = "/password-reset", tag = "users", security(()), request_body = NewPassword,
    responses((status = 200, body = super::session::SessionInfo), (status = 404, body = Problem),
              (status = 422, body = Problem), (status = 423, body = Problem), (status = 429, body = Problem)))]
#[instrument(skip_all, fields(tenant = %slug))]
async fn reset_password(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    peer: Peer,
    Json(n): Json<NewPassword>,
) -> Result<Response, ApiError> {
    let attempt = s.sign_in.begin(s.sign_in.client(&peer))?;
    let hash = password::hash_new("password", &n.password, attempt.lane()).await?;
    let t = tenant::for_sign_in(&s, &slug)
        .await?
        .filter(|_| token::looks_like_token(&n.token))
        .ok_or(ApiError::NotFound("password reset"))?;
    let mut tx = t.begin(&s).await?;
    let user = team::reset_password(&mut tx, &n.token, &hash).await?;
    // Dropping the transaction un-spends the token.
    tenant::ensure_active(&t)?;
    attempt.succeeded();
    open_session(&t, tx, user).await
}

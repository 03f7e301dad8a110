//! A tenant's users: listed by anyone signed in, invited by tenant admins (or keys).
//! Accepting an invite needs no credentials but the invite token, and signs the user in.

use atrium_accounts::{
    password,
    tenant_users::{self, Role, TenantUser},
    token,
};
use atrium_core::domain::DisplayName;
use atrium_http::{sign_in::Peer, ApiError, Json, Page, Paging, Path, Problem, Query};
use axum::{extract::State, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::session::open_session;
use crate::{
    tenant::{self, Caller, Scoped, Tenant},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, invite))
}

/// The tenant's users, invited ones included, newest first; `sort` takes `created_at`,
/// `email`, `display_name` or `role`, `-` in front for descending.
#[utoipa::path(get, path = "/users", tag = "users", params(Paging),
    responses((status = 200, body = Page<TenantUser>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = t.slug()))]
async fn list(
    State(s): State<AppState>,
    t: Tenant,
    Query(p): Query<Paging>,
) -> Result<Json<Page<TenantUser>>, ApiError> {
    let keyset = p.keyset(s.page, atrium_http::tenant_users::SORTS)?;
    let mut tx = t.begin(&s).await?;
    let page = atrium_http::tenant_users::list(&mut tx, &keyset).await?;
    tx.commit().await?;
    Ok(Json(page))
}

#[derive(Deserialize, ToSchema)]
pub struct NewInvite {
    pub email: String,
    pub display_name: Option<String>,
    /// `member` unless given (a resent invite keeps its role unless given).
    pub role: Option<Role>,
    /// For an address with a pending invite: issue a new link (the old one stops
    /// working). Without it, such an address is a 409 `invite_pending`.
    #[serde(default)]
    pub resend: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Invite {
    pub user: TenantUser,
    /// Shown once: the invitee accepts with it at `POST /invites/accept`.
    pub invite_token: String,
}

/// Invites a user (tenant admins and API keys only). An address with an account is a 409
/// `user_exists`; one with a pending invite a 409 `invite_pending`, unless `resend`.
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewInvite,
    responses((status = 201, body = Invite), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[instrument(skip_all, fields(tenant = r.slug()))]
async fn invite(
    r: Scoped<Caller>,
    Json(n): Json<NewInvite>,
) -> Result<(StatusCode, Json<Invite>), ApiError> {
    r.part.require_admin()?;
    let mut tx = r.begin().await?;
    let name = n.display_name.as_deref();
    let (user, invite_token) =
        tenant_users::invite(&mut tx, &n.email, name, n.role, n.resend).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Invite { user, invite_token })))
}

#[derive(Deserialize)]
pub(super) struct Acceptance {
    token: String,
    password: String,
    display_name: Option<String>,
}

/// Accepts an invite. The password is hashed before anything is looked up, so a missing
/// tenant, a suspended one and a wrong token take as long and answer the same 404; only
/// a real token learns that its tenant is suspended.
#[instrument(skip_all, fields(tenant = %slug))]
pub(super) async fn accept(
    State(s): State<AppState>,
    Path(slug): Path<String>,
    peer: Peer,
    Json(a): Json<Acceptance>,
) -> Result<Response, ApiError> {
    let attempt = s.sign_in.begin(s.sign_in.client(&peer))?;
    DisplayName::parse_opt("display_name", a.display_name.as_deref())?;
    let hash = password::hash_new("password", &a.password, attempt.lane()).await?;
    let t = tenant::for_sign_in(&s, &slug)
        .await?
        .filter(|_| token::looks_like_token(&a.token))
        .ok_or(ApiError::NotFound("invite"))?;
    let mut tx = t.begin(&s).await?;
    let user = tenant_users::accept(&mut tx, &a.token, &hash, a.display_name.as_deref()).await?;
    // Dropping the transaction un-accepts the invite.
    tenant::ensure_active(&t)?;
    attempt.succeeded();
    open_session(&t, tx, user).await
}

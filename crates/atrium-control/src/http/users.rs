//! A tenant's users, as operators see them: list, invite (the response carries the
//! one-time token the invitee accepts at the data plane's `/v1/t/{tenant}/invites/accept`)
//! and issue a password reset link (spent at the data plane's `/v1/t/{tenant}/password-reset`).

use atrium_accounts::{
    team::ResetLink,
    tenant_users::{Role, TenantUser},
};
use atrium_http::{ApiError, Json, Page, Paging, Path, Problem};
use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    on_tenant::{on_tenant, OnTenant},
    AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(invite, list))
        .routes(routes!(reset_password))
}

#[derive(Deserialize, ToSchema)]
struct NewInvite {
    email: String,
    display_name: Option<String>,
    /// `member` unless given: the first admin is invited with `"role": "admin"`. A
    /// resent invite keeps its role unless given.
    role: Option<Role>,
    /// For an address with a pending invite: a new link (the old one stops working).
    /// Without it, such an address is a 409 `invite_pending`.
    #[serde(default)]
    resend: bool,
}

#[derive(Serialize, ToSchema)]
struct Invite {
    user: TenantUser,
    /// Shown once; the invitee sends it back to accept.
    invite_token: String,
}

impl From<(TenantUser, String)> for Invite {
    fn from((user, invite_token): (TenantUser, String)) -> Self {
        Self { user, invite_token }
    }
}

on_tenant!(
    /// Invite a person into the tenant; the answer carries the one-time invite token.
    post "/tenants/{slug}/users", tag "users" => invite -> 201 Invite, body NewInvite as n
        = |s, t| {
            let who = (n.email.as_str(), n.display_name.as_deref());
            s.control.invite_tenant_user(&t.slug, who, n.role, n.resend, &t.actor)
        }
);

on_tenant!(
    /// The tenant's users, invited ones included, newest first; `sort` takes
    /// `created_at`, `email`, `display_name` or `role`, `-` in front for descending
    /// (the data plane's list, the same query).
    get "/tenants/{slug}/users", tag "users" => list -> 200 Page<TenantUser>, query Paging as p
        = |s, t| async {
            let keyset = p.keyset(s.control.config.page, atrium_http::tenant_users::SORTS)?;
            Ok::<_, ApiError>(s.control.tenant_users(&t.slug, &keyset).await?)
        }
);

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct UserPath {
    /// The user's id.
    id: Uuid,
}

#[derive(Serialize, ToSchema)]
struct PasswordReset {
    user: TenantUser,
    /// Shown once: the user sets a new password with it at the data plane's
    /// `POST /v1/t/{tenant}/password-reset`. Single use; a newer link voids it.
    reset_token: String,
    expires_at: DateTime<Utc>,
}

/// Issue a one-time password reset link for one of the tenant's users (valid 24 hours).
#[utoipa::path(post, path = "/tenants/{slug}/users/{id}/password-reset", tag = "users",
    params(super::on_tenant::SlugPath, UserPath),
    responses((status = 201, body = PasswordReset), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %t.slug))]
async fn reset_password(
    State(s): State<AppState>,
    t: OnTenant,
    Path(p): Path<UserPath>,
) -> Result<(StatusCode, Json<PasswordReset>), ApiError> {
    let ResetLink {
        user,
        token,
        expires_at,
    } = s
        .control
        .reset_tenant_user_password(&t.slug, p.id, &t.actor)
        .await?;
    let body = PasswordReset {
        user,
        reset_token: token,
        expires_at,
    };
    Ok((StatusCode::CREATED, Json(body)))
}

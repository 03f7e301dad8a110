//! A tenant's users, as operators see them: list, and invite (the response carries the
//! one-time token the invitee accepts at the data plane's `/v1/t/{tenant}/invites/accept`).

use atrium_accounts::tenant_users::{Role, TenantUser};
use atrium_http::{ApiError, Json, Page, Problem};
use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{auth::Operator, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(invite, list))
}

#[derive(Deserialize, ToSchema)]
struct NewInvite {
    email: String,
    display_name: Option<String>,
    role: Role,
}

#[derive(Serialize, ToSchema)]
struct Invite {
    user: TenantUser,
    /// Shown once; the invitee sends it back to accept.
    invite_token: String,
}

#[utoipa::path(post, path = "/tenants/{slug}/users", tag = "users",
    params(("slug" = String, Path, description = "Tenant slug")), request_body = NewInvite,
    responses((status = 201, body = Invite), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %slug))]
async fn invite(
    State(s): State<AppState>,
    op: Operator,
    Path(slug): Path<String>,
    Json(n): Json<NewInvite>,
) -> Result<(StatusCode, Json<Invite>), ApiError> {
    let (user, invite_token) = s
        .control
        .invite_tenant_user(
            &slug,
            &n.email,
            n.display_name.as_deref(),
            n.role,
            &op.actor,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Invite { user, invite_token })))
}

#[utoipa::path(get, path = "/tenants/{slug}/users", tag = "users",
    params(("slug" = String, Path, description = "Tenant slug")),
    responses((status = 200, body = Page<TenantUser>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %slug))]
async fn list(
    State(s): State<AppState>,
    _op: Operator,
    Path(slug): Path<String>,
) -> Result<Json<Page<TenantUser>>, ApiError> {
    let items = s.control.tenant_users(&slug).await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

//! A tenant's users, as operators see them: list, and invite (the response carries the
//! one-time token the invitee accepts at the data plane's `/v1/t/{tenant}/invites/accept`).

use atrium_accounts::tenant_users::{Role, TenantUser};
use atrium_http::{ApiError, Created, Json, Page, Problem};
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth::{OnTenant, SlugPath},
    AppState,
};

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
    params(SlugPath), request_body = NewInvite,
    responses((status = 201, body = Invite), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %t.slug))]
async fn invite(
    State(s): State<AppState>,
    t: OnTenant,
    Json(n): Json<NewInvite>,
) -> Result<Created<Invite>, ApiError> {
    let name = n.display_name.as_deref();
    let (user, invite_token) = s
        .control
        .invite_tenant_user(&t.slug, &n.email, name, n.role, &t.actor)
        .await?;
    Ok(Created(Invite { user, invite_token }))
}

#[utoipa::path(get, path = "/tenants/{slug}/users", tag = "users",
    params(SlugPath),
    responses((status = 200, body = Page<TenantUser>), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %t.slug))]
async fn list(State(s): State<AppState>, t: OnTenant) -> Result<Json<Page<TenantUser>>, ApiError> {
    let items = s.control.tenant_users(&t.slug).await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

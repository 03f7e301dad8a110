//! A tenant's users, as operators see them: list, and invite (the response carries the
//! one-time token the invitee accepts at the data plane's `/v1/t/{tenant}/invites/accept`).

use atrium_accounts::tenant_users::{Role, TenantUser};
use atrium_http::{Page, Paging};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{on_tenant::on_tenant, AppState};

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

impl From<(TenantUser, String)> for Invite {
    fn from((user, invite_token): (TenantUser, String)) -> Self {
        Self { user, invite_token }
    }
}

on_tenant!(
    /// Invite a person into the tenant; the answer carries the one-time invite token.
    post "/tenants/{slug}/users", tag "users" => invite -> 201 Invite, body NewInvite as n
        = |s, t| {
            let name = n.display_name.as_deref();
            s.control.invite_tenant_user(&t.slug, &n.email, name, n.role, &t.actor)
        }
);

on_tenant!(
    /// The tenant's users in the order they were invited.
    get "/tenants/{slug}/users", tag "users" => list -> 200 Page<TenantUser>, query Paging as p
        = |s, t| p.load(
            s.control.config.page,
            |u: &TenantUser| u.id,
            |after, fetch| s.control.tenant_users(&t.slug, after, fetch),
        )
);

//! A tenant's users, as operators see them: list, and invite (the response carries the
//! one-time token the invitee accepts at the data plane's `/v1/t/{tenant}/invites/accept`).

use atrium_core::{
    error::{ApiError, Json},
    tenant_users::{Role, TenantUser},
};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::post,
    Router,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tracing::instrument;

use super::{auth::Operator, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/tenants/{slug}/users", post(invite).get(list))
}

#[derive(Deserialize)]
struct NewInvite {
    email: String,
    display_name: Option<String>,
    role: Role,
}

#[derive(Serialize)]
struct Invite {
    user: TenantUser,
    invite_token: String,
}

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

#[instrument(skip_all, fields(tenant = %slug))]
async fn list(
    State(s): State<AppState>,
    _op: Operator,
    Path(slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let items = s.control.tenant_users(&slug).await?;
    Ok(Json(json!({ "items": items })))
}

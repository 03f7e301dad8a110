//! Operators, managed by operators (or the admin token): list, create or set a password,
//! disable and enable (`PATCH`). Every change is audited; disabling ends the operator's
//! sessions.

use atrium_http::{ApiError, Json, Page, Path};
use axum::extract::State;
use serde::Deserialize;
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{auth::Operator, paged::paged, AppState};
use crate::operators::{OperatorAccount, OperatorFilter, OPERATOR_SORTS};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upsert, list))
        .routes(routes!(change))
}

paged!(
    /// Operators, newest first; `sort` takes `created_at`, `email` or `display_name`.
    "/operators", tag "operators" => list -> OperatorAccount, sorted OPERATOR_SORTS,
    filter OperatorFilter as f = |control, keyset| control.list_operators(&f, &keyset)
);

#[derive(Deserialize, ToSchema)]
struct NewOperator {
    email: String,
    display_name: Option<String>,
    password: String,
}

/// Create an operator, or set a new password for an existing one: that ends their
/// sessions, and a disabled operator stays disabled.
#[utoipa::path(post, path = "/operators", tag = "operators", request_body = NewOperator,
    responses((status = 200, body = OperatorAccount), (status = "4XX", body = atrium_http::Problem)))]
#[instrument(skip_all)]
async fn upsert(
    State(s): State<AppState>,
    op: Operator,
    Json(n): Json<NewOperator>,
) -> Result<Json<OperatorAccount>, ApiError> {
    let account = s
        .control
        .upsert_operator(&n.email, n.display_name.as_deref(), &n.password, &op.actor)
        .await?;
    Ok(Json(account))
}

#[derive(Deserialize, ToSchema)]
struct OperatorChange {
    /// `true` disables the operator (they can't sign in, their sessions end); `false`
    /// enables them again.
    disabled: bool,
}

/// Disable or enable an operator. Operators cannot disable themselves (409
/// `operator_self`).
#[utoipa::path(patch, path = "/operators/{id}", tag = "operators", request_body = OperatorChange,
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses((status = 200, body = OperatorAccount), (status = 404, body = atrium_http::Problem),
              (status = 409, body = atrium_http::Problem)))]
#[instrument(skip_all)]
async fn change(
    State(s): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
    Json(c): Json<OperatorChange>,
) -> Result<Json<OperatorAccount>, ApiError> {
    let changed = s
        .control
        .set_operator_disabled(id, c.disabled, &op.actor)
        .await?;
    Ok(Json(changed))
}

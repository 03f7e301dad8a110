//! Operators, managed by operators (or the admin token): list, create or set a password,
//! disable and enable. Every change is audited; disabling ends the operator's sessions.

use atrium_http::{ApiError, Json, Page};
use axum::extract::{Path, State};
use serde::Deserialize;
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{auth::Operator, paged::paged, AppState};
use crate::operators::{OperatorAccount, OperatorFilter};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upsert, list))
        .routes(routes!(disable))
        .routes(routes!(enable))
}

paged!(
    /// Operators, oldest first.
    "/operators", tag "operators" => list -> OperatorAccount, by |o: &OperatorAccount| o.id,
    filter OperatorFilter as f = |control, after, fetch| async move {
        control.list_operators(&f, after, fetch).await
    }
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

/// Disable an operator: they can no longer sign in and their sessions end. Operators
/// cannot disable themselves (409 `operator_self`).
#[utoipa::path(post, path = "/operators/{id}/disable", tag = "operators",
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses((status = 200, body = OperatorAccount), (status = 404, body = atrium_http::Problem),
              (status = 409, body = atrium_http::Problem)))]
#[instrument(skip_all)]
async fn disable(
    State(s): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
) -> Result<Json<OperatorAccount>, ApiError> {
    Ok(Json(
        s.control.set_operator_disabled(id, true, &op.actor).await?,
    ))
}

/// Enable a disabled operator again.
#[utoipa::path(post, path = "/operators/{id}/enable", tag = "operators",
    params(("id" = Uuid, Path, description = "The operator's id")),
    responses((status = 200, body = OperatorAccount), (status = 404, body = atrium_http::Problem)))]
#[instrument(skip_all)]
async fn enable(
    State(s): State<AppState>,
    op: Operator,
    Path(id): Path<Uuid>,
) -> Result<Json<OperatorAccount>, ApiError> {
    Ok(Json(
        s.control
            .set_operator_disabled(id, false, &op.actor)
            .await?,
    ))
}

use atrium_http::{ApiError, Json, Problem};
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{auth::Operator, AppState};
use crate::overview::Overview;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(overview))
}

/// Tenants by state and plan, requests and events per hour over the last day, each
/// process's readiness, and the busiest tenants.
#[utoipa::path(get, path = "/overview", tag = "overview",
    responses((status = 200, body = Overview), (status = "4XX", body = Problem)))]
async fn overview(State(s): State<AppState>, _op: Operator) -> Result<Json<Overview>, ApiError> {
    Ok(Json(s.control.overview().await?))
}

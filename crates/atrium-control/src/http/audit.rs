use atrium_http::{ApiError, Json, Page, Problem};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{auth::Operator, paged::paged, AppState};
use crate::{
    audit_action::Action,
    registry::{AuditEntry, AuditFilter, AUDIT_SORTS},
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(actions))
}

paged!(
    /// The audit log, newest first (`sort` takes `at` or `-at`).
    "/audit", tag "audit" => list -> AuditEntry, sorted AUDIT_SORTS,
    filter AuditFilter as filter = |control, keyset| control.audit_log(&filter, &keyset)
);

/// Every action the audit log records, for the console's filter.
#[utoipa::path(get, path = "/audit/actions", tag = "audit",
    responses((status = 200, body = [String]), (status = "4XX", body = Problem)))]
async fn actions(_op: Operator) -> Result<Json<Vec<&'static str>>, ApiError> {
    Ok(Json(Action::ALL.iter().map(|a| a.as_str()).collect()))
}

use atrium_http::{ApiError, Json, Page, Paging, Problem};
use axum::extract::{Query, State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{auth::Operator, AppState};
use crate::registry::{AuditEntry, AuditFilter};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(Paging, AuditFilter),
    responses((status = 200, body = Page<AuditEntry>), (status = "4XX", body = Problem)))]
async fn list(
    State(s): State<AppState>,
    _op: Operator,
    Query(p): Query<Paging>,
    Query(filter): Query<AuditFilter>,
) -> Result<Json<Page<AuditEntry>>, ApiError> {
    let control = &s.control;
    let page = p
        .load(
            control.config.page,
            |e: &AuditEntry| e.id,
            |before, fetch| control.audit_log(&filter, before, fetch),
        )
        .await?;
    Ok(Json(page))
}

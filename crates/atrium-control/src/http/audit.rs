use atrium_http::{ApiError, Json, Page, Paging, Problem};
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{auth::Operator, AppState};
use crate::registry::{AuditEntry, AuditFilter};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// Only this tenant's entries.
    tenant: Option<String>,
    /// Only this action (`tenant.create`, `operator.sign_in`, ...).
    action: Option<String>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/audit", tag = "audit", params(Paging, AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = "4XX", body = Problem)))]
async fn list(
    State(s): State<AppState>,
    _op: Operator,
    Query(p): Query<Paging>,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Page<AuditEntry>>, ApiError> {
    let filter = AuditFilter {
        tenant: q.tenant.as_deref(),
        action: q.action.as_deref(),
    };
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

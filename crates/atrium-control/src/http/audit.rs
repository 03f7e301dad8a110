use atrium_http::Page;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{paged::paged, AppState};
use crate::registry::{AuditEntry, AuditFilter};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

paged!(
    /// The audit log, newest first.
    "/audit", tag "audit" => list -> AuditEntry, by |e: &AuditEntry| e.id,
    filter AuditFilter as filter = |control, before, fetch| control.audit_log(&filter, before, fetch)
);

use atrium_http::{ApiError, Json, Page, Problem};
use axum::{
    body::Body,
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use tracing::instrument;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    auth::Operator,
    on_tenant::{on_tenant, OnTenant, SlugPath},
    paged::paged,
    AppState,
};
use crate::{
    detail::TenantDetail,
    lifecycle::TenantChange,
    provision::NewTenant,
    registry::{Tenant, TenantFilter, TENANT_SORTS},
    stats::TenantStats,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show, update, delete))
        .routes(routes!(suspend))
        .routes(routes!(resume))
        .routes(routes!(export, export_now))
        .routes(routes!(stats))
}

/// Provision a tenant. A slug that is taken is a 409 `tenant_exists`; only repeating the
/// request that was interrupted (same slug, name and plan, still provisioning) finishes it.
#[utoipa::path(post, path = "/tenants", tag = "tenants", request_body = NewTenant,
    responses((status = 201, body = Tenant), (status = 409, body = Problem), (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %req.slug))]
async fn create(
    State(s): State<AppState>,
    op: Operator,
    Json(req): Json<NewTenant>,
) -> Result<(StatusCode, Json<Tenant>), ApiError> {
    let tenant = s.control.provision(&req, &op.actor).await?;
    Ok((StatusCode::CREATED, Json(tenant)))
}

paged!(
    /// Tenants, newest first; `sort` takes `created_at`, `slug`, `display_name`, `state`
    /// or `plan`, `-` in front for descending.
    "/tenants", tag "tenants" => list -> Tenant, sorted TENANT_SORTS,
    filter TenantFilter as f = |control, keyset| control.list_tenants(&f, &keyset)
);

on_tenant!(
    /// One tenant with its suspension, migration state, user and key counts and usage.
    get "/tenants/{slug}", tag "tenants" => show -> 200 TenantDetail
        = |s, t| s.control.tenant_detail(&t.slug)
);

on_tenant!(
    /// Change display name, plan or statement timeout.
    patch "/tenants/{slug}", tag "tenants" => update -> 200 Tenant, body TenantChange as change
        = |s, t| s.control.update(&t.slug, &change, &t.actor)
);

/// Why an operator suspends a tenant.
#[derive(Deserialize, utoipa::ToSchema)]
struct SuspendRequest {
    /// 1 to 500 characters; audited and shown to operators, never to the tenant's users.
    reason: Option<String>,
}

on_tenant!(
    /// Stop serving the tenant; its data is kept. A reason is required (422 without).
    post "/tenants/{slug}/suspend", tag "tenants" => suspend -> 200 Tenant, body SuspendRequest as b
        = |s, t| s.control.suspend(&t.slug, &t.actor, b.reason.as_deref().unwrap_or_default())
);

on_tenant!(
    /// Serve a suspended tenant again.
    post "/tenants/{slug}/resume", tag "tenants" => resume -> 200 Tenant
        = |s, t| s.control.resume(&t.slug, &t.actor)
);

on_tenant!(
    /// Export the tenant's schema, then drop it; the registry keeps a tombstone.
    delete "/tenants/{slug}", tag "tenants" => delete -> 200 Tenant
        = |s, t| s.control.delete(&t.slug, &t.actor)
);

on_tenant!(
    /// Export a live tenant now, while its writes go on (one consistent snapshot); the
    /// tenant's `export_path` then names it, and `GET` on this path downloads it.
    post "/tenants/{slug}/export", tag "tenants" => export_now -> 201 Tenant
        = |s, t| s.control.export_live(&t.slug, &t.actor)
);

/// Download the tenant's newest export: one made on request, or the one a delete left
/// behind (a plain SQL file).
#[utoipa::path(get, path = "/tenants/{slug}/export", tag = "tenants", params(SlugPath),
    responses((status = 200, content_type = "application/sql", body = String),
              (status = "4XX", body = Problem)))]
#[instrument(skip_all, fields(tenant = %t.slug))]
async fn export(State(s): State<AppState>, t: OnTenant) -> Result<Response, ApiError> {
    let export = s.control.export_file(&t.slug).await?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(export.file));
    let disposition = format!("attachment; filename=\"{}\"", export.filename);
    let headers = [
        (header::CONTENT_TYPE, "application/sql".to_owned()),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, body).into_response())
}

/// Schema size, events in the last 7 days and request rate per live tenant.
#[utoipa::path(get, path = "/tenant-stats", tag = "tenants",
    responses((status = 200, body = Page<TenantStats>), (status = "4XX", body = Problem)))]
async fn stats(
    State(s): State<AppState>,
    _op: Operator,
) -> Result<Json<Page<TenantStats>>, ApiError> {
    let items = s.control.tenant_stats().await?;
    Ok(Json(items.into()))
}

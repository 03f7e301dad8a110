//! `GET /v1/t/{tenant}/status`: what the tenant app shows before anyone signs in. No
//! credentials: it says only what the sign-in page would (the tenant's name, and whether
//! it is suspended), never the operator's reason.

use atrium_core::domain::TenantState;
use atrium_http::{ApiError, Json, Path, Problem};
use axum::extract::State;
use serde::Serialize;
use tracing::instrument;
use utoipa::ToSchema;

use crate::{tenant, AppState};

#[derive(Serialize, ToSchema)]
pub struct TenantStatus {
    pub display_name: String,
    /// `active` or `suspended`; a suspended tenant's app shows a "suspended" page.
    #[schema(value_type = String, example = "active")]
    pub state: TenantState,
}

/// The tenant's name and whether it is served; 404 `tenant_not_found` for a tenant that
/// doesn't exist (or is being provisioned or deleted).
#[utoipa::path(get, path = "/status", tag = "users", security(()),
    responses((status = 200, body = TenantStatus), (status = 404, body = Problem)))]
#[instrument(skip_all, fields(tenant = %slug))]
pub(super) async fn status(
    State(s): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<TenantStatus>, ApiError> {
    let t = tenant::for_sign_in(&s, &slug)
        .await?
        .ok_or(ApiError::NotFound("tenant"))?;
    Ok(Json(TenantStatus {
        display_name: t.0.display_name.clone(),
        state: t.0.state,
    }))
}

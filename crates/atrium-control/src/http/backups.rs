//! Backups and point-in-time restores. Both can outlast a request: they run on tasks of
//! their own (a client hanging up cancels nothing), a backup always in the background,
//! a restore answered in full when it ends within [`RESTORE_WAIT`], else 202 and its
//! outcome in the audit log.

use std::time::Duration;

use atrium_http::{ApiError, Json, Problem};
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use tracing::instrument;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{auth::Operator, on_tenant::OnTenant, AppState};
use crate::backup::{
    detached,
    point_in_time::{RestoreAt, RestoreReport},
    BackupOverview, BackupType,
};

/// Below the control plane's default request timeout (120 s), with room to answer.
const RESTORE_WAIT: Duration = Duration::from_secs(90);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(overview, back_up_now))
        .routes(routes!(restore))
}

/// The backups in the repository, the newest one's age and whether it is stale.
#[utoipa::path(get, path = "/backups", tag = "backups",
    responses((status = 200, body = BackupOverview), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all)]
async fn overview(
    State(s): State<AppState>,
    _op: Operator,
) -> Result<Json<BackupOverview>, ApiError> {
    Ok(Json(s.control.backup_overview().await?))
}

#[derive(Deserialize, ToSchema)]
struct BackupRequest {
    /// `full`, `diff` or `incr` (the default).
    #[serde(default)]
    r#type: Option<String>,
}

/// Work that goes on after the answer; its outcome is in the audit log.
#[derive(Serialize, ToSchema)]
struct Started {
    /// Always `running`.
    state: &'static str,
    detail: String,
}

/// Take a backup now, in the background: `GET /backups` shows it running, then listed.
#[utoipa::path(post, path = "/backups", tag = "backups", request_body = BackupRequest,
    responses((status = 202, body = Started), (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all)]
async fn back_up_now(
    State(s): State<AppState>,
    op: Operator,
    Json(req): Json<BackupRequest>,
) -> Result<(StatusCode, Json<Started>), ApiError> {
    let kind = BackupType::parse(req.r#type.as_deref().unwrap_or("incr"))?;
    s.control.start_backup(kind, &op.actor).await?;
    let detail = format!(
        "{} backup started; its outcome goes to the audit log",
        kind.as_str()
    );
    Ok((
        StatusCode::ACCEPTED,
        Json(Started {
            state: "running",
            detail,
        }),
    ))
}

/// Restore one tenant as it was at a moment: its own data replaced (the tenant is
/// suspended during the swap), or beside it under `as_slug`. Other tenants are never
/// touched. 200 with the report when it ends within 90 s, else 202.
#[utoipa::path(post, path = "/tenants/{slug}/restore", tag = "backups",
    params(super::on_tenant::SlugPath), request_body = RestoreAt,
    responses((status = 200, body = RestoreReport), (status = 202, body = Started),
              (status = "4XX", body = Problem), (status = 503, body = Problem)))]
#[instrument(skip_all, fields(tenant = %t.slug))]
async fn restore(
    State(s): State<AppState>,
    t: OnTenant,
    Json(req): Json<RestoreAt>,
) -> Result<Response, ApiError> {
    let control = s.control.clone();
    let work = async move { control.restore_at(&t.slug, &req, &t.actor).await };
    Ok(match detached(work, RESTORE_WAIT).await? {
        Some(report) => Json(report).into_response(),
        None => {
            let detail = "the restore goes on; its outcome goes to the audit log".to_owned();
            (
                StatusCode::ACCEPTED,
                Json(Started {
                    state: "running",
                    detail,
                }),
            )
                .into_response()
        }
    })
}

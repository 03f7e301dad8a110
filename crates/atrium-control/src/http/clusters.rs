//! The PostgreSQL clusters tenants are placed on (docs/scale-out.md): list, add, change,
//! drain, open, remove. Every change is audited.

use atrium_http::{ApiError, Json, Page, Path};
use axum::{extract::State, http::StatusCode};
use serde::Deserialize;
use tracing::instrument;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{auth::Operator, AppState};
use crate::clusters::{Cluster, ClusterChange, NewCluster};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add, list))
        .routes(routes!(show, change, remove))
        .routes(routes!(drain))
        .routes(routes!(open))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
struct ClusterPath {
    /// Cluster name: [a-z][a-z0-9_]{1,31}
    name: String,
}

/// Every cluster, home (`local`) first, with its live tenants and their size.
#[utoipa::path(get, path = "/clusters", tag = "clusters",
    responses((status = 200, body = Page<Cluster>), (status = "4XX", body = atrium_http::Problem)))]
async fn list(State(s): State<AppState>, _op: Operator) -> Result<Json<Page<Cluster>>, ApiError> {
    Ok(Json(s.control.list_clusters().await?.into()))
}

/// Register a bootstrapped cluster and open it for new tenants. 409 `cluster_exists`,
/// `cluster_in_use` (that database is a cluster already), `cluster_not_bootstrapped`;
/// 503 `cluster_unreachable`.
#[utoipa::path(post, path = "/clusters", tag = "clusters", request_body = NewCluster,
    responses((status = 201, body = Cluster), (status = "4XX", body = atrium_http::Problem),
              (status = 503, body = atrium_http::Problem)))]
#[instrument(skip_all, fields(cluster = %req.name))]
async fn add(
    State(s): State<AppState>,
    op: Operator,
    Json(req): Json<NewCluster>,
) -> Result<(StatusCode, Json<Cluster>), ApiError> {
    let cluster = s.control.add_cluster(&req, &op.actor).await?;
    Ok((StatusCode::CREATED, Json(cluster)))
}

/// One cluster.
#[utoipa::path(get, path = "/clusters/{name}", tag = "clusters", params(ClusterPath),
    responses((status = 200, body = Cluster), (status = "4XX", body = atrium_http::Problem)))]
async fn show(
    State(s): State<AppState>,
    _op: Operator,
    Path(p): Path<ClusterPath>,
) -> Result<Json<Cluster>, ApiError> {
    Ok(Json(s.control.get_cluster(&p.name).await?))
}

/// Change how the data plane uses the cluster (`prepared_statements`); every API process
/// makes its pool for it again. 409 `home_cluster`: home's is configured.
#[utoipa::path(patch, path = "/clusters/{name}", tag = "clusters", params(ClusterPath),
    request_body = ClusterChange,
    responses((status = 200, body = Cluster), (status = "4XX", body = atrium_http::Problem)))]
#[instrument(skip_all, fields(cluster = %p.name))]
async fn change(
    State(s): State<AppState>,
    op: Operator,
    Path(p): Path<ClusterPath>,
    Json(req): Json<ClusterChange>,
) -> Result<Json<Cluster>, ApiError> {
    Ok(Json(
        s.control.change_cluster(&p.name, &req, &op.actor).await?,
    ))
}

/// Place no new tenants on the cluster; its tenants stay and are served.
#[utoipa::path(post, path = "/clusters/{name}/drain", tag = "clusters", params(ClusterPath),
    responses((status = 200, body = Cluster), (status = "4XX", body = atrium_http::Problem)))]
#[instrument(skip_all, fields(cluster = %p.name))]
async fn drain(
    State(s): State<AppState>,
    op: Operator,
    Path(p): Path<ClusterPath>,
) -> Result<Json<Cluster>, ApiError> {
    Ok(Json(s.control.drain_cluster(&p.name, &op.actor).await?))
}

/// Place new tenants on a drained cluster again.
#[utoipa::path(post, path = "/clusters/{name}/open", tag = "clusters", params(ClusterPath),
    responses((status = 200, body = Cluster), (status = "4XX", body = atrium_http::Problem)))]
#[instrument(skip_all, fields(cluster = %p.name))]
async fn open(
    State(s): State<AppState>,
    op: Operator,
    Path(p): Path<ClusterPath>,
) -> Result<Json<Cluster>, ApiError> {
    Ok(Json(s.control.open_cluster(&p.name, &op.actor).await?))
}

/// Forget an empty cluster (409 `cluster_not_empty`, `home_cluster`). One that deleted
/// tenants' tombstones name stays listed, `closed`.
#[utoipa::path(delete, path = "/clusters/{name}", tag = "clusters", params(ClusterPath),
    responses((status = 200, body = Cluster), (status = "4XX", body = atrium_http::Problem)))]
#[instrument(skip_all, fields(cluster = %p.name))]
async fn remove(
    State(s): State<AppState>,
    op: Operator,
    Path(p): Path<ClusterPath>,
) -> Result<Json<Cluster>, ApiError> {
    Ok(Json(s.control.remove_cluster(&p.name, &op.actor).await?))
}

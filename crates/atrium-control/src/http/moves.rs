//! Moves of a tenant between isolation tiers (docs/isolation-tiers.md, "Moves").

use atrium_http::Page;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{on_tenant::on_tenant, AppState};
use crate::{
    moves::{Move, MoveRequest},
    Control,
};
use atrium_core::domain::DomainError;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(start, list))
}

on_tenant!(
    /// Move the tenant to the `schema` or `pooled` tier while it keeps working; answers
    /// once its placement flipped (or the move failed and the tenant stayed). 409
    /// `already_in_tier`, `tenant_moving`, `migration_pending`, `move_drain_timeout`.
    post "/tenants/{slug}/moves", tag "tenants" => start -> 200 Move, body MoveRequest as req
        = |s, t| detached(s.control.clone(), t.slug, req, t.actor)
);

/// The move on a task of its own: a request that times out or whose client goes away
/// must not cut a move short between its steps (holding the tenant frozen, or leaving
/// its slot behind). The move finishes, or undoes itself, either way.
async fn detached(
    control: Control,
    slug: String,
    req: MoveRequest,
    actor: String,
) -> Result<Move, DomainError> {
    tokio::spawn(async move { control.move_tenant(&slug, &req, &actor).await })
        .await
        .map_err(|e| DomainError::Internal(e.into()))?
}

on_tenant!(
    /// The tenant's moves, newest first (the last 50).
    get "/tenants/{slug}/moves", tag "tenants" => list -> 200 Page<Move>
        = |s, t| s.control.moves_of(&t.slug)
);

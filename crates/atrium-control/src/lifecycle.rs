//! Suspend, resume, delete-with-export.

use crate::audit_action::Action;
use atrium_core::domain::{DomainError, Result};
use atrium_core::{
    domain::{DisplayName, LimitOverrides, Plan, TenantState, HOME_CLUSTER},
    tenancy::{quote_ident, TenantSlug},
};
use serde_json::json;

use crate::{clusters::mirror, registry, registry::Tenant, Control};

impl Control {
    pub async fn get_tenant(&self, slug: &str) -> Result<Tenant> {
        let slug = TenantSlug::parse(slug)?;
        let conn = self.pool.get().await?;
        registry::get(&**conn, slug.as_str()).await
    }

    /// Stops serving the tenant. The reason goes into the audit log (and the tenant's
    /// detail page), never to the tenant's users.
    pub async fn suspend(&self, slug: &str, actor: &str, reason: &str) -> Result<Tenant> {
        use TenantState::{Active, Suspended};
        let reason = DisplayName::parse_with_max("reason", reason, SUSPEND_REASON_MAX_CHARS)?;
        let detail = json!({"reason": reason});
        self.transition(
            slug,
            actor,
            Action::TenantSuspend,
            (Active, Suspended),
            detail,
        )
        .await
    }

    pub async fn resume(&self, slug: &str, actor: &str) -> Result<Tenant> {
        use TenantState::{Active, Suspended};
        self.transition(
            slug,
            actor,
            Action::TenantResume,
            (Suspended, Active),
            json!({}),
        )
        .await
    }

    /// `from` → `to`; already being in `to` is success (idempotent), anything else a
    /// conflict. `detail` joins `from` and `to` in the audit entry.
    async fn transition(
        &self,
        slug: &str,
        actor: &str,
        action: Action,
        (from, to): (TenantState, TenantState),
        mut detail: serde_json::Value,
    ) -> Result<Tenant> {
        let slug = TenantSlug::parse(slug)?;
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let tenant = registry::lock(&*tx, slug.as_str()).await?;
        if tenant.state == to {
            return Ok(tenant);
        }
        if tenant.state != from {
            let msg = format!(
                "tenant is {}; only a {from} tenant can go to {to}",
                tenant.state
            );
            return Err(DomainError::conflict("invalid_state", msg));
        }
        tx.execute(
            "UPDATE atrium_control.tenants
             SET state = $2, updated_at = now(),
                 suspended_at = CASE WHEN $2::text = 'suspended' THEN now() ELSE NULL END
             WHERE id = $1",
            &[&tenant.id, &to],
        )
        .await?;
        if let Some(d) = detail.as_object_mut() {
            d.insert("from".into(), json!(from));
            d.insert("to".into(), json!(to));
        }
        registry::record_change(&*tx, actor, action, slug.as_str(), slug.as_str(), detail).await?;
        let tenant = registry::get(&*tx, slug.as_str()).await?;
        tx.commit().await?;
        Ok(tenant)
    }

    /// Suspends the tenant (state `deleting`, so the data plane stops serving it), exports
    /// its schema, drops schema and role, and leaves a tombstone with the export's path.
    /// Each stage is idempotent: a crash at any point is finished by running it again.
    pub async fn delete(&self, slug: &str, actor: &str) -> Result<Tenant> {
        let slug = TenantSlug::parse(slug)?;
        let mut conn = self.pool.get().await?;
        {
            let tx = conn.transaction().await?;
            let tenant = registry::lock(&*tx, slug.as_str()).await?;
            match tenant.state {
                TenantState::Deleted => return Ok(tenant),
                TenantState::Deleting => {}
                _ => {
                    crate::moves::require_not_moving(&*tx, tenant.id, "delete it").await?;
                    tx.execute(
                        "UPDATE atrium_control.tenants SET state = 'deleting', updated_at = now() WHERE id = $1",
                        &[&tenant.id],
                    )
                    .await?;
                    registry::record_change(
                        &*tx,
                        actor,
                        Action::TenantDeleteStart,
                        slug.as_str(),
                        slug.as_str(),
                        json!({}),
                    )
                    .await?;
                }
            }
            tx.commit().await?;
        }

        let tenant = registry::get(&**conn, slug.as_str()).await?;
        let export = if tenant.cluster_id == HOME_CLUSTER {
            self.export_schema(&mut conn, &tenant, tenant.slug.as_str())
                .await
        } else {
            let mut remote = self.db_of(&tenant.cluster_id).await?.get().await?;
            self.export_schema(&mut remote, &tenant, tenant.slug.as_str())
                .await
        }
        .map_err(DomainError::Internal)?;
        // Kept at once: a rerun after the schema is gone finds nothing more to export,
        // and the tombstone must still name this file.
        if let Some(path) = &export {
            conn.execute(
                "UPDATE atrium_control.tenants SET export_path = $2 WHERE id = $1",
                &[&tenant.id, &path.display().to_string()],
            )
            .await?;
        }

        // A pool's DELETE, unlike a DROP SCHEMA, blocks nobody: a transaction of the
        // tenant's still in flight could commit a row after it. Its placement lock drains
        // them, and those waiting find the tenant gone (`await_placement`).
        let held = tenant.pool_name.clone();
        if let Some(pool) = &held {
            self.hold_tenant(tenant.id, pool).await?;
        }
        let erased = self.erase(&mut conn, slug.as_str(), export, actor).await;
        if let Some(pool) = &held {
            self.release_tenant(tenant.id, pool).await;
        }
        erased?;
        // The purge and the re-read take their own connections: holding this one across
        // them would need two at once, which a one-connection pool can't give.
        drop(conn);
        // Best effort now; a failure is recorded and retried by `purge_owed`.
        if let Err(e) = self.purge_analytics(slug.as_str(), actor).await {
            tracing::warn!(tenant = %slug, error = %e, "analytics purge owed");
        }
        let conn = self.pool.get().await?;
        registry::get(&**conn, slug.as_str()).await
    }

    /// The tenant's data gone (its schema and role, or its rows of the pool), its keys
    /// revoked, and its tombstone written, in one transaction.
    async fn erase(
        &self,
        conn: &mut deadpool_postgres::Object,
        slug: &str,
        export: Option<std::path::PathBuf>,
        actor: &str,
    ) -> Result<()> {
        let tx = conn.transaction().await?;
        let tenant = registry::lock(&*tx, slug).await?;
        match &tenant.pool_name {
            Some(pool) => erase_pooled_rows(&*tx, pool, tenant.id).await?,
            None if tenant.cluster_id == HOME_CLUSTER => {
                drop_schema_and_role(&*tx, &tenant.schema_name, &tenant.role_name).await?
            }
            None => {
                // On its cluster, with that cluster's copy of the row, so the tenant's
                // slow way in there answers "gone" (`await_placement`) from then on.
                let mut remote = self.db_of(&tenant.cluster_id).await?.get().await?;
                let rtx = remote.transaction().await?;
                drop_schema_and_role(&*rtx, &tenant.schema_name, &tenant.role_name).await?;
                let gone = Tenant {
                    state: TenantState::Deleted,
                    ..tenant.clone()
                };
                mirror::write(&*rtx, &tenant.cluster_id, &gone).await?;
                rtx.commit().await?;
            }
        }
        tx.execute(
            "UPDATE atrium_control.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE tenant_id = $1",
            &[&tenant.id],
        )
        .await?;
        let path = export.as_ref().map(|p| p.display().to_string());
        tx.execute(
            "UPDATE atrium_control.tenants
             SET state = 'deleted', deleted_at = now(), updated_at = now(),
                 export_path = coalesce($2, export_path)
             WHERE id = $1",
            &[&tenant.id, &path],
        )
        .await?;
        registry::record_change(
            &*tx,
            actor,
            Action::TenantDelete,
            slug,
            slug,
            json!({"export": path}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What an operator may change on a live tenant.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenantChange {
    pub display_name: Option<String>,
    pub plan: Option<String>,
    /// Applied per transaction by the data plane (SET LOCAL statement_timeout).
    pub statement_timeout_ms: Option<i32>,
    /// The tenant's complete set of limit overrides, replacing the one it had: a field
    /// left out follows the plan (`{}` puts every limit back to the plan's).
    pub limits: Option<LimitOverrides>,
}

/// An operator's reason for a suspension: a sentence or a short paragraph.
pub const SUSPEND_REASON_MAX_CHARS: usize = 500;

/// Tenants' display names may be longer than people's.
pub const TENANT_NAME_MAX_CHARS: usize = 200;
/// The per-tenant statement timeout an operator may set, in ms.
pub const STATEMENT_TIMEOUT_MS: std::ops::RangeInclusive<i32> = 100..=600_000;

impl Control {
    /// Changes display name, plan, statement timeout or limits; the data plane hears
    /// about it through NOTIFY (in the same transaction) like any other change.
    pub async fn update(&self, slug: &str, change: &TenantChange, actor: &str) -> Result<Tenant> {
        let slug = TenantSlug::parse(slug)?;
        let display_name = change
            .display_name
            .as_deref()
            .map(|n| DisplayName::parse_with_max("display_name", n, TENANT_NAME_MAX_CHARS))
            .transpose()?;
        let plan = change
            .plan
            .as_deref()
            .map(|p| Plan::parse("plan", p))
            .transpose()?;
        if let Some(t) = change.statement_timeout_ms {
            if !STATEMENT_TIMEOUT_MS.contains(&t) {
                return Err(DomainError::invalid(
                    "statement_timeout_ms",
                    format!(
                        "statement_timeout_ms must be between {} and {}",
                        STATEMENT_TIMEOUT_MS.start(),
                        STATEMENT_TIMEOUT_MS.end()
                    ),
                ));
            }
        }
        if let Some(l) = &change.limits {
            l.validate("limits")?;
        }
        let limits = change
            .limits
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| DomainError::Internal(e.into()))?;
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let tenant = registry::lock(&*tx, slug.as_str()).await?;
        tenant.require_live("invalid_state")?;
        tx.execute(
            "UPDATE atrium_control.tenants
             SET display_name = coalesce($2, display_name), plan = coalesce($3, plan),
                 statement_timeout_ms = coalesce($4, statement_timeout_ms),
                 limit_overrides = coalesce($5, limit_overrides), updated_at = now()
             WHERE id = $1",
            &[
                &tenant.id,
                &display_name.as_ref().map(DisplayName::as_str),
                &plan,
                &change.statement_timeout_ms,
                &limits,
            ],
        )
        .await?;
        // The quota flags follow the new limits now, not at the sampler's next pass; the
        // NOTIFY below carries both to the data plane.
        let changed = registry::get(&*tx, slug.as_str()).await?;
        let limits = self.plans.of(changed.plan).with(&changed.limit_overrides);
        let (storage_over, events_over) = crate::usage::sampler::quota_flags(&changed, &limits);
        tx.execute(
            "UPDATE atrium_control.tenants SET storage_over_quota = $2, events_over_quota = $3
             WHERE id = $1",
            &[&tenant.id, &storage_over, &events_over],
        )
        .await?;
        registry::record_change(
            &*tx,
            actor,
            Action::TenantUpdate,
            slug.as_str(),
            slug.as_str(),
            json!({
                "display_name": display_name,
                "plan": plan,
                "statement_timeout_ms": change.statement_timeout_ms,
                "limits": change.limits,
            }),
        )
        .await?;
        let tenant = registry::get(&*tx, slug.as_str()).await?;
        tx.commit().await?;
        Ok(tenant)
    }
}

/// A schema-tier tenant's schema and role, dropped in `tx` on the cluster at hand.
pub(crate) async fn drop_schema_and_role<C: tokio_postgres::GenericClient>(
    tx: &C,
    schema: &str,
    role: &str,
) -> Result<()> {
    tx.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {} CASCADE",
        quote_ident(schema)
    ))
    .await?;
    // The schema's drop took the role's grants and default privileges with it;
    // membership in the api role is all the grantor has left to undo.
    tx.execute("SELECT atrium_roles.drop_tenant_role($1)", &[&role])
        .await?;
    Ok(())
}

/// A pooled tenant's rows, deleted from every table of its pool; the other tenants of
/// the pool are not touched. Row-level security (forced for the owner too) and the
/// `WHERE` both hold each `DELETE` to this tenant.
pub(crate) async fn erase_pooled_rows<C: tokio_postgres::GenericClient>(
    tx: &C,
    pool: &str,
    tenant: uuid::Uuid,
) -> Result<()> {
    crate::export::show_rows_of(tx, tenant).await?;
    let tables = crate::export::tables_in_order(tx, pool)
        .await
        .map_err(DomainError::Internal)?;
    // Children first, so no foreign key has to cascade. The tenant is named here too,
    // not left to row-level security alone: a role that bypasses it must still delete
    // one tenant's rows only.
    for table in tables.iter().rev() {
        tx.execute(
            &format!(
                "DELETE FROM {}.{} WHERE {} = $1",
                quote_ident(pool),
                quote_ident(&table.name),
                crate::export::POOL_KEY
            ),
            &[&tenant],
        )
        .await?;
    }
    Ok(())
}

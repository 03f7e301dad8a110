//! One tenant as the console's tenant page shows it: the registry row, and beside it why
//! and by whom it was suspended, how far its schema is migrated, how many people and keys
//! it has, and its usage.

use atrium_accounts::team::{self, TeamCounts};
use atrium_core::{
    domain::{Limits, Result, TenantState},
    migrations,
    tenancy::TenantSlug,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{actors, registry, registry::Tenant, schema, stats::TenantStats, Control};

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantDetail {
    #[serde(flatten)]
    pub tenant: Tenant,
    /// Set while the tenant is suspended.
    pub suspension: Option<Suspension>,
    pub migration: MigrationState,
    /// None when the tenant's schema is gone (deleted) or not built yet.
    pub users: Option<TeamCounts>,
    pub keys: KeyCounts,
    /// None unless the tenant is live. Its event counts are null when analytics are not
    /// configured or unreachable.
    pub usage: Option<TenantStats>,
    /// What the tenant's plan allows, before its overrides.
    pub plan_limits: Limits,
    /// What the data plane enforces: the plan's limits with the overrides applied.
    pub limits: Limits,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suspension {
    /// The operator's reason, from the audit log; never shown to the tenant's users.
    pub reason: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// The audit log's actor (`operator:<email>`, `token:admin`, ...).
    pub by: Option<String>,
    /// The same, for people to read.
    pub by_display: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MigrationState {
    /// The newest tenant migration applied to the schema.
    pub applied_version: i32,
    /// The newest this build knows.
    pub latest_version: i32,
    /// `applied_version < latest_version`: `atrium migrate` has work to do here.
    pub pending: bool,
    /// Why the last migration of this tenant failed, until one succeeds.
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyCounts {
    pub active: i64,
    pub revoked: i64,
}

impl Control {
    pub async fn tenant_detail(&self, slug: &str) -> Result<TenantDetail> {
        let slug = TenantSlug::parse(slug)?;
        let conn = self.pool.get().await?;
        let tenant = registry::get(&**conn, slug.as_str()).await?;
        let keys = conn
            .query_one(
                "SELECT count(*) FILTER (WHERE revoked_at IS NULL), count(*) FILTER (WHERE revoked_at IS NOT NULL)
                 FROM atrium_control.api_keys WHERE tenant_id = $1",
                &[&tenant.id],
            )
            .await?;
        let suspension = match tenant.state {
            TenantState::Suspended => {
                let last = conn
                    .query_opt(
                        "SELECT actor, detail->>'reason' FROM atrium_control.audit_log
                         WHERE tenant_slug = $1 AND action = 'tenant.suspend' AND outcome = 'ok'
                         ORDER BY id DESC LIMIT 1",
                        &[&slug.as_str()],
                    )
                    .await?;
                let by: Option<String> = last.as_ref().map(|r| r.get(0));
                Some(Suspension {
                    reason: last.as_ref().and_then(|r| r.get(1)),
                    at: tenant.suspended_at,
                    by_display: by.as_deref().map(actors::describe),
                    by,
                })
            }
            _ => None,
        };
        drop(conn);
        let users = if tenant.state.is_live() {
            let (_, mut tx) = self.tenant_tx(slug.as_str()).await?;
            let counts = team::counts(&mut tx).await?;
            tx.commit().await?;
            Some(counts)
        } else {
            None
        };
        let latest_version = migrations::latest(schema::TENANT);
        let plan_limits = *self.plans.of(tenant.plan);
        Ok(TenantDetail {
            plan_limits,
            limits: plan_limits.with(&tenant.limit_overrides),
            suspension,
            migration: MigrationState {
                applied_version: tenant.migration_version,
                latest_version,
                pending: tenant.migration_version < latest_version,
                error: tenant.migration_error.clone(),
            },
            users,
            keys: KeyCounts {
                active: keys.get(0),
                revoked: keys.get(1),
            },
            usage: self.one_tenant_stats(&slug).await?,
            tenant,
        })
    }
}

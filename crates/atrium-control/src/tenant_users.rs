//! Operators invite a tenant's users (its first admin, typically). The rows live in the
//! tenant's schema; the control plane reaches them as the tables' owner, with the same
//! SQL the data plane uses (`atrium_accounts::tenant_users`).

use crate::audit_action::Action;
use atrium_accounts::{
    team::{self, ResetLink},
    tenant_users::{self, Role, TenantUser},
};
use atrium_core::domain::Result;
use atrium_core::{db::TenantTx, tenancy::TenantSlug};
use atrium_http::{Keyset, Page};
use serde_json::json;
use uuid::Uuid;

use crate::{registry, Control};

impl Control {
    /// A transaction in the live tenant's schema, as the tables' owner.
    pub(crate) async fn tenant_tx(&self, slug: &str) -> Result<(registry::Tenant, TenantTx)> {
        let slug = TenantSlug::parse(slug)?;
        let conn = self.pool.get().await?;
        let tenant = registry::get(&**conn, slug.as_str()).await?;
        drop(conn);
        tenant.require_live("tenant_not_active")?;
        let scope = tenant.owner_scope(5_000)?;
        let tx = TenantTx::begin_on(
            &self.clusters,
            &tenant.cluster_id,
            &scope,
            std::time::Duration::ZERO,
        )
        .await?;
        Ok((tenant, tx))
    }

    /// Invites a user into a tenant; returns the user and the one-time invite token. A
    /// pending invite is renewed only with `resend` (409 `invite_pending` otherwise).
    pub async fn invite_tenant_user(
        &self,
        slug: &str,
        (email, display_name): (&str, Option<&str>),
        role: Option<Role>,
        resend: bool,
        actor: &str,
    ) -> Result<(TenantUser, String)> {
        let (tenant, mut tx) = self.tenant_tx(slug).await?;
        let (user, token) =
            tenant_users::invite(&mut tx, email, display_name, role, resend).await?;
        tx.commit().await?;
        let detail = json!({"email": user.email, "role": user.role, "resend": resend});
        self.audit_ok(actor, Action::TenantUserInvite, &tenant.slug, detail)
            .await?;
        Ok((user, token))
    }

    /// Issues a one-time password reset link for one of the tenant's users (24 hours,
    /// voiding any earlier one), audited without the token.
    pub async fn reset_tenant_user_password(
        &self,
        slug: &str,
        user_id: Uuid,
        actor: &str,
    ) -> Result<ResetLink> {
        let (tenant, mut tx) = self.tenant_tx(slug).await?;
        let link = team::issue_reset(&mut tx, user_id).await?;
        tx.commit().await?;
        let detail = json!({"email": link.user.email, "expires_at": link.expires_at});
        self.audit_ok(actor, Action::TenantUserPasswordReset, &tenant.slug, detail)
            .await?;
        Ok(link)
    }

    /// Records a successful change to a tenant's users, after its own transaction.
    async fn audit_ok(
        &self,
        actor: &str,
        action: Action,
        slug: &str,
        detail: serde_json::Value,
    ) -> Result<()> {
        let conn = self.pool.get().await?;
        registry::audit(&**conn, actor, action, Some(slug), Ok(()), detail).await
    }

    /// One page of the tenant's users (the data plane's query, `atrium_http::tenant_users`).
    pub async fn tenant_users(&self, slug: &str, keyset: &Keyset) -> Result<Page<TenantUser>> {
        let (_, mut tx) = self.tenant_tx(slug).await?;
        let users = atrium_http::tenant_users::list(&mut tx, keyset).await?;
        tx.commit().await?;
        Ok(users)
    }
}

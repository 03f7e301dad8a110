//! Tenant API keys. The plaintext is returned once, at creation; only a hash is kept.

use crate::audit_action::Action;
use atrium_accounts::apikey;
use atrium_core::domain::{DomainError, Result};
use atrium_core::{domain::DisplayName, tenancy::TenantSlug};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::{registry, Control};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// The key itself. It is shown only in this response.
    pub secret: String,
}

impl Control {
    pub async fn create_key(&self, slug: &str, name: &str, actor: &str) -> Result<CreatedKey> {
        let slug = TenantSlug::parse(slug)?;
        let name = DisplayName::parse("name", name)?;
        let name = name.as_str();
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let tenant = registry::lock(&*tx, slug.as_str()).await?;
        tenant.require_live("tenant_not_active")?;
        let new = apikey::generate();
        let row = tx
            .query_one(
                "INSERT INTO atrium_control.api_keys (id, tenant_id, name, prefix, key_hash)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id, name, prefix, created_at, revoked_at",
                &[&Uuid::now_v7(), &tenant.id, &name, &new.prefix, &new.hash],
            )
            .await?;
        registry::audit(
            &*tx,
            actor,
            Action::KeyCreate,
            Some(slug.as_str()),
            Ok(()),
            json!({"prefix": new.prefix, "name": name}),
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedKey {
            key: key_from(&row),
            secret: new.plaintext,
        })
    }

    pub async fn list_keys(&self, slug: &str) -> Result<Vec<ApiKey>> {
        let slug = TenantSlug::parse(slug)?;
        let conn = self.pool.get().await?;
        let tenant = registry::get(&**conn, slug.as_str()).await?;
        let rows = conn
            .query(
                "SELECT id, name, prefix, created_at, revoked_at FROM atrium_control.api_keys
                 WHERE tenant_id = $1 ORDER BY created_at",
                &[&tenant.id],
            )
            .await?;
        Ok(rows.iter().map(key_from).collect())
    }

    pub async fn revoke_key(&self, slug: &str, key_id: Uuid, actor: &str) -> Result<ApiKey> {
        let slug = TenantSlug::parse(slug)?;
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let tenant = registry::lock(&*tx, slug.as_str()).await?;
        let row = tx
            .query_opt(
                "UPDATE atrium_control.api_keys SET revoked_at = coalesce(revoked_at, now())
                 WHERE id = $1 AND tenant_id = $2
                 RETURNING id, name, prefix, created_at, revoked_at, encode(key_hash, 'hex')",
                &[&key_id, &tenant.id],
            )
            .await?
            .ok_or(DomainError::NotFound("key"))?;
        let hash: String = row.get(5);
        registry::record_change(
            &*tx,
            actor,
            Action::KeyRevoke,
            slug.as_str(),
            &format!("key:{hash}"),
            json!({"key_id": key_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(key_from(&row))
    }
}

fn key_from(r: &tokio_postgres::Row) -> ApiKey {
    ApiKey {
        id: r.get(0),
        name: r.get(1),
        prefix: r.get(2),
        created_at: r.get(3),
        revoked_at: r.get(4),
    }
}

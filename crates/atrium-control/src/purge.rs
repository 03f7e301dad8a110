//! Deleting a tenant deletes its analytics: an `ALTER TABLE events DELETE` mutation in
//! ClickHouse, recorded in the registry and the audit log. If ClickHouse is down, the
//! purge stays owed (analytics_purged_at NULL) and [`Control::purge_owed`] retries it.

use crate::audit_action::Action;
use atrium_analytics::clickhouse::quote;
use atrium_core::domain::{DomainError, Result};
use serde_json::json;

use crate::{registry, Control};

impl Control {
    /// Purges one deleted tenant's analytics; Ok(false) when no ClickHouse is configured.
    pub async fn purge_analytics(&self, slug: &str, actor: &str) -> Result<bool> {
        let Some(ch) = &self.clickhouse else {
            return Ok(false);
        };
        // On every shard: a Distributed table passes no mutation on.
        let outcome = ch
            .on_every_server(|table| {
                format!("ALTER TABLE {table} DELETE WHERE tenant = {}", quote(slug))
            })
            .await;
        let conn = self.pool.get().await?;
        match outcome {
            Ok(_) => {
                conn.execute(
                    "UPDATE atrium_control.tenants SET analytics_purged_at = now() WHERE slug = $1 AND state = 'deleted'",
                    &[&slug],
                )
                .await?;
                registry::audit(
                    &**conn,
                    actor,
                    Action::TenantAnalyticsPurge,
                    Some(slug),
                    Ok(()),
                    json!({"mutation": "scheduled"}),
                )
                .await?;
                Ok(true)
            }
            Err(e) => {
                let msg = e.to_string();
                registry::audit(
                    &**conn,
                    actor,
                    Action::TenantAnalyticsPurge,
                    Some(slug),
                    Err(&msg),
                    json!({"retry": "owed"}),
                )
                .await?;
                Err(DomainError::Internal(anyhow::anyhow!(
                    "analytics purge failed (will be retried): {msg}"
                )))
            }
        }
    }

    /// Retries every purge still owed. Returns how many succeeded.
    pub async fn purge_owed(&self, actor: &str) -> Result<usize> {
        if self.clickhouse.is_none() {
            return Ok(0);
        }
        let conn = self.pool.get().await?;
        let owed: Vec<String> = conn
            .query("SELECT slug FROM atrium_control.tenants WHERE state = 'deleted' AND analytics_purged_at IS NULL", &[])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        drop(conn);
        let mut done = 0;
        for slug in owed {
            if self.purge_analytics(&slug, actor).await.is_ok() {
                done += 1;
            }
        }
        Ok(done)
    }
}

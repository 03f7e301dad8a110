//! One tenant restored to a moment. pgBackRest restores the whole cluster into a
//! scratch instance at that moment; only the tenant's schema is exported from it; the
//! export is checked against the scratch instance; and only then is a live tenant
//! touched: a copy under a new slug, or the tenant's own data replaced while it is
//! suspended, in one transaction. Other tenants are never touched.

use crate::audit_action::Action;
use std::{
    collections::BTreeMap,
    path::PathBuf,
    time::{Duration, Instant},
};

use atrium_core::{
    domain::{DomainError, Result, TenantState},
    tenancy::{quote_ident, TenantSlug},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{pgbackrest::PgBackRest, scratch::Scratch};
use crate::{export, registry, registry::Tenant, Control};

/// What the operator asks for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RestoreAt {
    /// The moment to go back to (RFC 3339). Between the end of the oldest backup and now.
    pub at: DateTime<Utc>,
    /// Restore beside the live tenant under this new slug, for comparison. Unset: the
    /// tenant's own data is replaced.
    #[serde(default)]
    pub as_slug: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RestoreReport {
    /// The tenant that now holds the restored data.
    pub tenant: Tenant,
    /// `copy` (a new tenant) or `replace` (the tenant's own data).
    pub mode: String,
    pub at: DateTime<Utc>,
    /// Rows restored, per table.
    pub rows: BTreeMap<String, u64>,
    /// The export taken from the scratch instance; kept like any export.
    pub export_file: String,
    pub elapsed_ms: u64,
}

impl Control {
    /// Restores tenant `slug` as it was at `req.at`, audited either way.
    pub async fn restore_at(
        &self,
        slug: &str,
        req: &RestoreAt,
        actor: &str,
    ) -> Result<RestoreReport> {
        let restored = self.restore_at_checked(slug, req, actor).await;
        if let Err(e) = &restored {
            let slug = TenantSlug::parse(slug).ok();
            self.audit_failure(
                actor,
                Action::TenantRestoreAt,
                slug.as_ref().map(|s| s.as_str()),
                e,
            )
            .await;
        }
        restored
    }

    /// Every check that needs no scratch instance comes first, so bad input changes
    /// nothing and costs nothing.
    async fn restore_at_checked(
        &self,
        slug: &str,
        req: &RestoreAt,
        actor: &str,
    ) -> Result<RestoreReport> {
        let started = Instant::now();
        let tool = PgBackRest::require(&self.config.backup)?;
        let slug = TenantSlug::parse(slug)?;
        let target = req.as_slug.as_deref().map(TenantSlug::parse).transpose()?;
        let source = {
            let conn = self.pool.get().await?;
            let source = registry::get(&**conn, slug.as_str()).await?;
            source.require_home("restore it to a moment: the backups are the home cluster's")?;
            crate::moves::require_not_moving(&**conn, source.id, "restore it").await?;
            if let Some(new) = &target {
                match registry::get(&**conn, new.as_str()).await {
                    Err(DomainError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                    Ok(_) => {
                        return Err(DomainError::conflict(
                            "tenant_exists",
                            format!(
                                "tenant '{new}' already exists; pick another slug for the copy"
                            ),
                        ))
                    }
                }
            } else if !source.state.is_live() {
                return Err(DomainError::conflict(
                    "tenant_not_live",
                    format!(
                        "tenant is {}; restore it as a copy under a new slug (as_slug) instead",
                        source.state
                    ),
                ));
            }
            source
        };
        if req.at > Utc::now() {
            return Err(DomainError::invalid("at", "is in the future"));
        }
        let oldest = tool.list().await?.into_iter().next().ok_or_else(|| {
            DomainError::conflict("no_backup", "there is no backup yet to restore from")
        })?;
        // The backup's stop time is rounded down to the second; the copy is consistent
        // only after it.
        let earliest = oldest.finished_at + chrono::Duration::seconds(1);
        if req.at < earliest {
            return Err(DomainError::invalid(
                "at",
                format!(
                    "is before the oldest backup can reach ({})",
                    earliest.to_rfc3339()
                ),
            ));
        }
        let running = || {
            DomainError::conflict(
                "restore_running",
                "another point-in-time restore is running",
            )
        };
        let _in_this_process = self.restore_lock.try_lock().map_err(|_| running())?;
        // And in any process on this host (the CLI beside the control plane): two
        // whole-cluster copies at once could fill the disk the live cluster uses.
        let _on_this_host = super::scratch::host_lock(&self.config.backup)?.ok_or_else(running)?;
        super::scratch::sweep(&tool, &self.config.backup).await;
        // Replay stops at the first commit after `at`, and fails if it finds none: a
        // quiet cluster may have written none since. This transaction is one (an id is
        // assigned, so its commit is logged), and `check` then switches to a new WAL
        // file and waits until the one holding it is archived. Its clock_timestamp() is
        // the database's clock, the one replay compares `at` with (not this host's).
        let db_now: chrono::DateTime<Utc> = self
            .pool
            .get()
            .await?
            .query_one("SELECT clock_timestamp(), txid_current()", &[])
            .await?
            .get(0);
        if req.at >= db_now {
            return Err(DomainError::invalid("at", "is in the future"));
        }
        tool.check().await?;
        let deadline = started + Duration::from_secs(self.config.backup.restore_timeout_s);
        let remaining = deadline.saturating_duration_since(Instant::now());
        let (file, rows, blocks) =
            tokio::time::timeout(remaining, self.export_at(&tool, &source, req.at, deadline))
                .await
                .map_err(|_| {
                    DomainError::unavailable(
                        "restore_timeout",
                        "the restore took longer than control.backup.restore_timeout_s",
                    )
                })??;
        let detail = serde_json::json!({
            "at": req.at.to_rfc3339(),
            "file": file.display().to_string(),
            "as_slug": target.as_ref().map(|t| t.as_str().to_owned()),
        });
        let (tenant, mode) = match &target {
            Some(new) => (
                self.restore_blocks(new.as_str(), &blocks, &file, actor)
                    .await?,
                "copy",
            ),
            None => (self.replace_data(&source, &blocks, actor).await?, "replace"),
        };
        let conn = self.pool.get().await?;
        registry::audit(
            &**conn,
            actor,
            Action::TenantRestoreAt,
            Some(slug.as_str()),
            Ok(()),
            detail,
        )
        .await?;
        Ok(RestoreReport {
            tenant,
            mode: mode.into(),
            at: req.at,
            rows,
            export_file: file.display().to_string(),
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// The tenant's schema exported from a scratch instance restored to `at`, the rows
    /// per table, and the file's blocks, checked against the copy. The instance is gone
    /// afterwards.
    async fn export_at(
        &self,
        tool: &PgBackRest,
        source: &Tenant,
        at: DateTime<Utc>,
        deadline: Instant,
    ) -> Result<(PathBuf, BTreeMap<String, u64>, Vec<export::Block>)> {
        let replay = super::scratch::replay_settings(&**self.pool.get().await?).await?;
        let scratch = Scratch::start(tool, &self.config.backup, at, &replay, deadline).await?;
        let exported = async {
            let mut client = scratch.connect(&self.config.database_url, deadline).await?;
            // Its rows are where they were then: a move between tiers may have come since.
            let then = same_schema_then(&client, source, at).await?;
            let stem = format!("{}-at-{}", source.slug, at.format("%Y%m%dT%H%M%SZ"));
            let file = self
                .export_schema(&mut client, &then, &stem)
                .await?
                .ok_or_else(|| {
                    DomainError::conflict(
                        "tenant_absent_at_time",
                        format!(
                            "tenant '{}' had no schema at {}",
                            source.slug,
                            at.to_rfc3339()
                        ),
                    )
                })?;
            let counts = row_counts(&client, then.rows()).await?;
            Ok::<_, DomainError>((file, counts))
        }
        .await;
        scratch.remove().await;
        let (file, counts) = exported?;
        // The file must hold exactly what the copy held (but the tables never exported).
        let blocks = export::read_export(&file)?;
        let in_file: BTreeMap<String, u64> = blocks
            .iter()
            .map(|b| (b.table.clone(), b.rows() as u64))
            .collect();
        let expected: BTreeMap<String, u64> = counts
            .into_iter()
            .filter(|(t, _)| !export::NOT_EXPORTED.contains(&t.as_str()))
            .collect();
        if in_file != expected {
            // An unverified copy of the tenant's data (password hashes too) is not kept.
            let _ = std::fs::remove_file(&file);
            return Err(anyhow::anyhow!(
                "the export of the restored copy does not match it (file {in_file:?}, copy {expected:?})"
            )
            .into());
        }
        Ok((file, in_file, blocks))
    }

    /// The tenant's tables emptied and refilled from `blocks` in one transaction while
    /// the tenant is suspended (so no request sees half of it); a live tenant is resumed
    /// afterwards, whether the swap succeeded or not.
    async fn replace_data(
        &self,
        tenant: &Tenant,
        blocks: &[export::Block],
        actor: &str,
    ) -> Result<Tenant> {
        let was_active = tenant.state == TenantState::Active;
        if was_active {
            let reason = "restoring to an earlier moment";
            self.suspend(tenant.slug.as_str(), actor, reason).await?;
        }
        let swapped = async {
            let mut conn = self.pool.get().await?;
            let tx = conn.transaction().await?;
            registry::lock(&*tx, tenant.slug.as_str())
                .await?
                .require_live("tenant_not_live")?;
            // The tenant is suspended while this runs: never wait long for a lock.
            tx.batch_execute("SET LOCAL lock_timeout = '10s'").await?;
            export::empty_rows(&tx, tenant.rows()).await?;
            export::load_blocks(&tx, tenant.rows(), blocks).await?;
            tx.commit().await?;
            Ok::<_, DomainError>(())
        }
        .await;
        if was_active {
            let resumed = self.resume(tenant.slug.as_str(), actor).await;
            // The swap's own error says more than a failed resume after it.
            match (&swapped, resumed) {
                (Err(_), Err(e)) => tracing::error!(error = %e, "resuming after a failed swap"),
                (Ok(()), Err(e)) => return Err(e),
                _ => {}
            }
        }
        swapped?;
        self.get_tenant(tenant.slug.as_str()).await
    }
}

/// The tenant as the copy's registry saw it at `at`: it must be the same tenant (not an
/// earlier one under the same slug) at the same migration version, or its rows would be
/// loaded into tables of another shape.
async fn same_schema_then(
    client: &tokio_postgres::Client,
    source: &Tenant,
    at: DateTime<Utc>,
) -> Result<Tenant> {
    let absent = || {
        DomainError::conflict(
            "tenant_absent_at_time",
            format!(
                "tenant '{}' did not exist at {}",
                source.slug,
                at.to_rfc3339()
            ),
        )
    };
    let then = match registry::get(client, &source.slug).await {
        Ok(t) if t.id == source.id => t,
        Ok(_) | Err(DomainError::NotFound(_)) => return Err(absent()),
        Err(e) => return Err(e),
    };
    if then.migration_version != source.migration_version {
        return Err(DomainError::conflict(
            "schema_changed_since",
            format!(
                "tenant migrations ran after that moment (version {} then, {} now); \
                 restore the whole cluster to that moment instead (docs/operations/backup-and-restore.md)",
                then.migration_version, source.migration_version
            ),
        ));
    }
    Ok(then)
}

/// Rows per table of the tenant's (in a pool, its rows only).
async fn row_counts(
    client: &tokio_postgres::Client,
    rows: export::Rows<'_>,
) -> anyhow::Result<BTreeMap<String, u64>> {
    let tenant = rows.pooled.unwrap_or_default();
    client
        .execute(
            "SELECT set_config('atrium.tenant_id', $1, false)",
            &[&tenant.to_string()],
        )
        .await?;
    let only_tenant = match rows.pooled {
        Some(_) => format!("WHERE {} = $1", export::POOL_KEY),
        None => "WHERE $1::uuid IS NOT NULL".to_owned(),
    };
    let mut counts = BTreeMap::new();
    for table in export::tables_in_order(client, rows.schema).await? {
        let n: i64 = client
            .query_one(
                &format!(
                    "SELECT count(*) FROM {}.{} {only_tenant}",
                    quote_ident(rows.schema),
                    quote_ident(&table.name)
                ),
                &[&tenant],
            )
            .await?
            .get(0);
        counts.insert(table.name, u64::try_from(n).unwrap_or(0));
    }
    Ok(counts)
}

//! The usage sampler: every `control.usage.storage_interval_s` it measures each live
//! tenant's schema (bytes of tables, indexes and TOAST; cumulative rows written), keeps a
//! sample, and sets `storage_over_quota`; every `events_interval_s` it counts each
//! tenant's events this month in ClickHouse and sets `events_over_quota`. A flag that
//! flips is NOTIFYed in the transaction that flips it, so every API process re-reads the
//! tenant when it commits. ClickHouse unreadable: the events flags stay as they are.

use std::{collections::HashMap, sync::Arc, time::Duration};

use atrium_analytics::zone::utc_month_start;
use atrium_core::{
    domain::{LimitOverrides, Limits, Plan, Result},
    health::Lifecycle,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::time::MissedTickBehavior;
use utoipa::ToSchema;
use uuid::Uuid;

use super::queries;
use crate::{audit_action::Action, registry, Control};

/// What one pass did.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageSample {
    pub at: DateTime<Utc>,
    /// Live tenants whose schema was measured.
    pub storage_measured: usize,
    /// Tenants not measured this time (a lock held past `control.usage.lock_timeout_ms`,
    /// or an error; logged). Their flags stay as they are.
    pub storage_skipped: Vec<String>,
    /// Tenants whose storage flag flipped, over or back under.
    pub storage_flipped: Vec<String>,
    /// False when analytics are not configured or ClickHouse could not be read: the
    /// events figures and flags stay as they are.
    pub events_counted: bool,
    pub events_flipped: Vec<String>,
    /// Samples older than `control.usage.retain_days` deleted.
    pub samples_deleted: u64,
}

/// Runs until shutdown.
pub async fn run(control: Control, lifecycle: Arc<Lifecycle>) {
    let cfg = &control.config.usage;
    let mut storage = tokio::time::interval(Duration::from_secs(cfg.storage_interval_s));
    let mut events = tokio::time::interval(Duration::from_secs(cfg.events_interval_s));
    storage.set_missed_tick_behavior(MissedTickBehavior::Delay);
    events.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = storage.tick() => {
                if let Err(e) = control.sample_storage().await {
                    tracing::warn!(error = %e, "tenant storage not measured");
                }
            }
            _ = events.tick() => {
                if let Err(e) = control.sample_events().await {
                    tracing::warn!(error = %e, "tenant events not counted");
                }
            }
            () = lifecycle.shutdown_requested() => return,
        }
    }
}

/// An audit entry names at most this many tenants per list, and says how many there were:
/// a pass over thousands of tenants must not write a row of that size.
const AUDITED_NAMES: usize = 20;

fn first_of(slugs: &[String]) -> serde_json::Value {
    serde_json::json!({
        "count": slugs.len(),
        "first": &slugs[..slugs.len().min(AUDITED_NAMES)],
    })
}

struct Measured {
    id: Uuid,
    bytes: i64,
    rows_written: i64,
}

/// A live tenant's registry row as of the flag's update, locked.
struct Current {
    id: Uuid,
    slug: String,
    plan: Plan,
    overrides: LimitOverrides,
    over: bool,
}

#[derive(Deserialize)]
struct EventCount {
    tenant: String,
    events: u64,
}

pub struct StorageOutcome {
    measured: usize,
    skipped: Vec<String>,
    flipped: Vec<String>,
    deleted: u64,
}

impl Control {
    /// One pass of both measurements now (`POST /v1/usage/sample`, tests).
    pub async fn sample_usage_now(&self) -> Result<UsageSample> {
        let at = Utc::now();
        let storage = self.sample_storage().await?;
        let events = self.sample_events().await?;
        Ok(UsageSample {
            at,
            storage_measured: storage.measured,
            storage_skipped: storage.skipped,
            storage_flipped: storage.flipped,
            events_counted: events.is_some(),
            events_flipped: events.unwrap_or_default(),
            samples_deleted: storage.deleted,
        })
    }

    /// [`Self::sample_usage_now`] for an operator, audited.
    pub async fn sample_usage_by(&self, actor: &str) -> Result<UsageSample> {
        let done = match self.sample_usage_now().await {
            Ok(done) => done,
            Err(e) => {
                self.audit_failure(actor, Action::UsageSample, None, &e)
                    .await;
                return Err(e);
            }
        };
        let detail = serde_json::json!({
            "storage_measured": done.storage_measured,
            "storage_skipped": first_of(&done.storage_skipped),
            "storage_flipped": first_of(&done.storage_flipped),
            "events_counted": done.events_counted,
            "events_flipped": first_of(&done.events_flipped),
        });
        let conn = self.pool.get().await?;
        registry::audit(&**conn, actor, Action::UsageSample, None, Ok(()), detail).await?;
        Ok(done)
    }

    /// Measures every live tenant, records the samples and flags, forgets old samples.
    pub async fn sample_storage(&self) -> Result<StorageOutcome> {
        let _one_pass = self.usage_pass.lock().await;
        let (measured, skipped) = self.measure_schemas().await?;
        let measured: HashMap<Uuid, Measured> = measured.into_iter().map(|m| (m.id, m)).collect();
        let at = Utc::now();
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let ids: Vec<Uuid> = measured.keys().copied().collect();
        let current = lock_live(&*tx, Quota::Storage, Some(&ids)).await?;
        let (recorded, flipped) = self
            .record(&tx, Quota::Storage, &current, at, |t| {
                measured.get(&t.id).map(|m| m.bytes)
            })
            .await?;
        let (bytes, rows): (Vec<i64>, Vec<i64>) = recorded
            .iter()
            .filter_map(|id| measured.get(id))
            .map(|m| (m.bytes, m.rows_written))
            .unzip();
        tx.execute(
            "INSERT INTO atrium_control.tenant_usage_samples (tenant_id, at, storage_bytes, rows_written)
             SELECT id, $4, bytes, rows FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS m(id, bytes, rows)
             ON CONFLICT DO NOTHING",
            &[&recorded, &bytes, &rows, &at],
        )
        .await?;
        let retain = i32::try_from(self.config.usage.retain_days).unwrap_or(i32::MAX);
        let deleted = tx
            .execute(
                "DELETE FROM atrium_control.tenant_usage_samples WHERE at < now() - make_interval(days => $1)",
                &[&retain],
            )
            .await?;
        tx.commit().await?;
        Ok(StorageOutcome {
            measured: recorded.len(),
            skipped,
            flipped,
            deleted,
        })
    }

    /// Writes one measurement (`value` of each tenant that has one) and its flag, and
    /// NOTIFYs each tenant whose flag flips, in `tx`: the ids written and the slugs flipped.
    async fn record(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        quota: Quota,
        current: &[Current],
        at: DateTime<Utc>,
        value: impl Fn(&Current) -> Option<i64>,
    ) -> Result<(Vec<Uuid>, Vec<String>)> {
        let (mut ids, mut values, mut over, mut flipped) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for t in current {
            let Some(v) = value(t) else { continue };
            let is_over = quota.exceeded(v, &self.plans.of(t.plan).with(&t.overrides));
            if is_over != t.over {
                registry::notify(&**tx, &t.slug).await?;
                flipped.push(t.slug.clone());
            }
            ids.push(t.id);
            values.push(v);
            over.push(is_over);
        }
        let (value_col, at_col, flag) = quota.columns();
        tx.execute(
            &format!(
                "UPDATE atrium_control.tenants t
                    SET {value_col} = m.value, {at_col} = $4, {flag} = m.over
                   FROM unnest($1::uuid[], $2::bigint[], $3::bool[]) AS m(id, value, over)
                  WHERE t.id = m.id"
            ),
            &[&ids, &values, &over, &at],
        )
        .await?;
        if !flipped.is_empty() {
            tracing::info!(tenants = ?flipped, flag, "quota flags flipped");
        }
        metrics::gauge!("atrium_usage_measured_timestamp_seconds", "measure" => value_col)
            .set(at.timestamp() as f64);
        Ok((ids, flipped))
    }

    /// Each live tenant's schema, measured in a transaction of its own: a migration's
    /// lock on one tenant's table makes only that tenant wait, for at most
    /// `lock_timeout_ms`, and then be skipped.
    async fn measure_schemas(&self) -> Result<(Vec<Measured>, Vec<String>)> {
        let mut conn = self.pool.get().await?;
        let live = conn
            .query(
                "SELECT id, slug, schema_name, pool_name, cluster_id FROM atrium_control.tenants
                  WHERE state IN ('active', 'suspended') ORDER BY slug",
                &[],
            )
            .await?;
        let lock_timeout = self.config.usage.lock_timeout_ms.to_string();
        let (mut measured, mut skipped) = (Vec::with_capacity(live.len()), Vec::new());
        // One statement per pool, made once per pass.
        let mut pool_sql: HashMap<String, String> = HashMap::new();
        // A connection to each other cluster tenants live on, made on first need; a
        // cluster that can't be reached has its tenants skipped, not the pass failed.
        let mut others: HashMap<String, Option<deadpool_postgres::Object>> = HashMap::new();
        for t in &live {
            let (id, slug, schema): (Uuid, String, String) = (t.get(0), t.get(1), t.get(2));
            let pool: Option<String> = t.get(3);
            let cluster: String = t.get(4);
            let conn = if cluster == atrium_core::domain::HOME_CLUSTER {
                &mut conn
            } else {
                if !others.contains_key(&cluster) {
                    let made = async {
                        Ok::<_, atrium_core::domain::DomainError>(
                            self.db_of(&cluster).await?.get().await?,
                        )
                    };
                    let made = made.await.map_err(|e| {
                        tracing::warn!(cluster = %cluster, error = %e, "cluster not reachable; its tenants are not measured this time");
                    });
                    others.insert(cluster.clone(), made.ok());
                }
                match others.get_mut(&cluster).and_then(Option::as_mut) {
                    Some(c) => c,
                    None => {
                        metrics::counter!("atrium_usage_tenants_skipped_total").increment(1);
                        skipped.push(slug);
                        continue;
                    }
                }
            };
            if let Some(pool) = &pool {
                if !pool_sql.contains_key(pool) {
                    let sql = super::pooled::size_sql(&***conn, pool)
                        .await
                        .map_err(atrium_core::domain::DomainError::Internal)?;
                    pool_sql.insert(pool.clone(), sql);
                }
            }
            let pooled = pool.as_ref().and_then(|p| pool_sql.get(p));
            let one = async {
                let tx = conn.transaction().await?;
                tx.execute(
                    "SELECT set_config('lock_timeout', $1, true),
                            set_config('statement_timeout', '60000', true)",
                    &[&lock_timeout],
                )
                .await?;
                if let Some(sql) = pooled {
                    // PostgreSQL counts writes per table, not per tenant of a pool.
                    crate::export::show_rows_of(&*tx, id).await?;
                    let r = tx.query_one(sql.as_str(), &[&id]).await?;
                    tx.commit().await?;
                    return Ok((r.get(0), r.get(1)));
                }
                // Tables and materialized views with their indexes and TOAST, as the
                // tenants list shows; rows written are PostgreSQL's cumulative counters.
                let r = tx
                    .query_one(
                        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint,
                                coalesce(sum(s.n_tup_ins + s.n_tup_upd + s.n_tup_del), 0)::bigint
                           FROM pg_class c
                           JOIN pg_namespace n ON n.oid = c.relnamespace
                           LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
                          WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')",
                        &[&schema],
                    )
                    .await?;
                tx.commit().await?;
                Ok::<_, tokio_postgres::Error>((r.get(0), r.get(1)))
            };
            match one.await {
                Ok((bytes, rows_written)) => measured.push(Measured {
                    id,
                    bytes,
                    rows_written,
                }),
                Err(e) => {
                    tracing::warn!(tenant = %slug, error = %e, "tenant storage not measured this time");
                    metrics::counter!("atrium_usage_tenants_skipped_total").increment(1);
                    skipped.push(slug);
                }
            }
        }
        Ok((measured, skipped))
    }

    /// Counts every tenant's events this calendar month (UTC) and sets their flags: the
    /// tenants whose flag flipped, or None when ClickHouse could not be read.
    pub async fn sample_events(&self) -> Result<Option<Vec<String>>> {
        let Some(ch) = &self.clickhouse else {
            return Ok(None);
        };
        let _one_pass = self.usage_pass.lock().await;
        let now = Utc::now();
        let counts = match ch
            .query::<EventCount>(&queries::events_since(utc_month_start(now)))
            .await
        {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "events per tenant unreadable: events quota flags left as they are");
                metrics::counter!("atrium_usage_events_unread_total").increment(1);
                return Ok(None);
            }
        };
        let counts: HashMap<&str, u64> = counts
            .iter()
            .map(|c| (c.tenant.as_str(), c.events))
            .collect();
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        let current = lock_live(&*tx, Quota::Events, None).await?;
        let (_, flipped) = self
            .record(&tx, Quota::Events, &current, now, |t| {
                let n = counts.get(t.slug.as_str()).copied().unwrap_or(0);
                Some(i64::try_from(n).unwrap_or(i64::MAX))
            })
            .await?;
        tx.commit().await?;
        Ok(Some(flipped))
    }
}

/// The storage and events flags that `tenant`'s last measurements give under `limits`:
/// what a plan or limits change writes at once, not a pass later.
pub(crate) fn quota_flags(tenant: &crate::registry::Tenant, limits: &Limits) -> (bool, bool) {
    let over = |q: Quota, v: Option<i64>| v.is_some_and(|v| q.exceeded(v, limits));
    (
        over(Quota::Storage, tenant.storage_bytes),
        over(Quota::Events, tenant.events_month),
    )
}

/// What a pass measures, and the registry columns it writes.
#[derive(Debug, Clone, Copy)]
enum Quota {
    Storage,
    Events,
}

impl Quota {
    /// The measurement, when it was taken, and the flag the data plane enforces.
    fn columns(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Quota::Storage => ("storage_bytes", "storage_measured_at", "storage_over_quota"),
            Quota::Events => ("events_month", "events_measured_at", "events_over_quota"),
        }
    }

    fn exceeded(self, value: i64, limits: &Limits) -> bool {
        let value = u64::try_from(value).unwrap_or(0);
        match self {
            Quota::Storage => value > limits.storage_bytes,
            // At the quota the month's allowance is used up: the next event is refused.
            Quota::Events => value >= limits.events_per_month,
        }
    }
}

/// Live tenants (only `ids`, when given) with `quota`'s flag, locked for the rest of the
/// transaction. A tenant a lifecycle action holds is skipped: its next pass sets it.
async fn lock_live<C: tokio_postgres::GenericClient>(
    db: &C,
    quota: Quota,
    ids: Option<&[Uuid]>,
) -> Result<Vec<Current>> {
    let flag = quota.columns().2;
    let rows = db
        .query(
            &format!(
                "SELECT id, slug, plan, limit_overrides, {flag} FROM atrium_control.tenants
                  WHERE state IN ('active', 'suspended') AND ($1::uuid[] IS NULL OR id = ANY($1))
                  ORDER BY id FOR UPDATE SKIP LOCKED"
            ),
            &[&ids],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Current {
            id: r.get(0),
            slug: r.get(1),
            plan: r.get(2),
            // As registry::Tenant reads it: anything but valid overrides is none.
            overrides: serde_json::from_value(r.get(3)).unwrap_or_default(),
            over: r.get(4),
        })
        .collect())
}

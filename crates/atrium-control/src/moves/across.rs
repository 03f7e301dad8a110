//! Moves between clusters (docs/scale-out.md, "Moves between clusters"): a schema-tier
//! tenant copied to another PostgreSQL cluster by PostgreSQL's own logical replication,
//! while it keeps working, then flipped there.
//!
//! 1. On the target: the tenant's schema, role and tables, empty, and the target's copy
//!    of its registry row, saying it still lives on the source.
//! 2. On the source: a publication of the tenant's tables, a slot, and a login role with
//!    REPLICATION for the target to read them as (`atrium_subs.open_feed`).
//! 3. On the target: a subscription (`atrium_subs.subscribe`): PostgreSQL copies each
//!    table, then follows the source's changes.
//! 4. Freeze on the source (the tenant's transactions drain; new ones wait), wait until
//!    the subscription has everything up to the source's position, compare every table's
//!    row count and hash sum, drop the subscription.
//! 5. Flip: the target's copy of the row says the tenant lives there; the source's (on
//!    home, the registry itself) says it left; home's registry names the target and
//!    tells every API process. The waiting transactions are sent to the target.
//! 6. The old schema stays, locked, for the grace period; then it goes.
//!
//! A failure before the flip undoes every step; the tenant never left.

use std::time::{Duration, Instant};

use atrium_core::{
    db::placement::{freeze_key, FREEZE_LOCKS},
    domain::{ClusterName, DomainError, Result, TenantState, Tier, HOME_CLUSTER},
    migrations,
    tenancy::quote_ident,
};
use deadpool_postgres::Object;
use secrecy::ExposeSecret;
use serde_json::json;
use uuid::Uuid;

use super::{agreed, chain, checksum, create_slot, run_lock, set_phase, Placement};
use crate::{
    audit_action::Action,
    clusters::{self, mirror},
    export::{tables_in_order, Table},
    lifecycle::drop_schema_and_role,
    provision::Made,
    registry,
    registry::Tenant,
    schema, Control,
};

/// A move between clusters under way.
pub(super) struct Across<'a> {
    pub(super) tenant: &'a Tenant,
    pub(super) id: Uuid,
    /// The publication, the slot, the feed role and the subscription share it.
    pub(super) name: String,
    pub(super) from: String,
    pub(super) to: String,
    /// How long the old schema stays after the flip (`control.moves.grace_secs`).
    pub(super) grace_secs: u64,
}

impl Across<'_> {
    fn placement(&self) -> Placement {
        Placement {
            tier: Tier::Schema,
            schema: self.tenant.schema_name.clone(),
            role: self.tenant.role_name.clone(),
        }
    }
}

impl Control {
    /// Moves the schema-tier tenant to cluster `to`, and returns the move's record.
    pub(super) async fn move_across(
        &self,
        tenant: &Tenant,
        to: &ClusterName,
        actor: &str,
    ) -> Result<super::Move> {
        if tenant.tier != Tier::Schema {
            return Err(DomainError::conflict(
                "move_needs_schema_tier",
                "a pooled tenant moves between clusters once it has a schema of its own: \
                 move it to the schema tier first",
            ));
        }
        if tenant.cluster_id == to.as_str() {
            return Err(DomainError::conflict(
                "already_on_cluster",
                format!(
                    "tenant '{}' is on cluster '{}' already",
                    tenant.slug,
                    to.as_str()
                ),
            ));
        }
        {
            // The same checks as a new tenant's placement there: open, with room.
            let mut conn = self.pool.get().await?;
            let tx = conn.transaction().await?;
            clusters::choose(&*tx, &self.config.placement, Some(to), Tier::Schema).await?;
            tx.commit().await?;
        }
        let id = Uuid::now_v7();
        let guard = self.home_guard();
        guard
            .0
            .lock()
            .await
            .lock(&guard.1, run_lock(id), Duration::from_secs(1))
            .await
            .map_err(DomainError::Internal)?;
        let run = Across {
            tenant,
            id,
            name: format!("atrium_move_{}", id.simple()),
            from: tenant.cluster_id.clone(),
            to: to.as_str().to_owned(),
            grace_secs: self.config.moves.grace_secs,
        };
        let opened = self.open_across(&run, actor).await;
        let result = match opened {
            Ok(()) => {
                tracing::info!(tenant = %tenant.slug, from = %run.from, to = %run.to,
                    "moving tenant between clusters");
                let moved = self.run_across(&run, actor).await;
                match moved {
                    Ok(()) => {
                        self.drop_feed(&run).await;
                        Ok(())
                    }
                    // Past the source's record of the tenant leaving, only forward.
                    Err(e) if self.resume_across(&run, &e).await => Ok(()),
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        guard.0.lock().await.unlock(run_lock(id)).await;
        result?;
        self.get_move(id).await
    }

    async fn open_across(&self, run: &Across<'_>, actor: &str) -> Result<()> {
        let conn = self.pool.get().await?;
        let p = run.placement();
        let opened = conn
            .execute(
                "INSERT INTO atrium_control.tenant_moves
                     (id, tenant_id, from_tier, to_tier, from_schema, to_schema, state, actor,
                      from_cluster, to_cluster)
                 VALUES ($1, $2, $3, $3, $4, $4, 'copying', $5, $6, $7) ON CONFLICT DO NOTHING",
                &[
                    &run.id,
                    &run.tenant.id,
                    &p.tier,
                    &p.schema,
                    &actor,
                    &run.from,
                    &run.to,
                ],
            )
            .await?;
        if opened == 0 {
            return Err(DomainError::conflict(
                "tenant_moving",
                format!("tenant '{}' is being moved already", run.tenant.slug),
            ));
        }
        Ok(())
    }

    async fn run_across(&self, run: &Across<'_>, actor: &str) -> Result<()> {
        let p = run.placement();
        let mut source = self.db_of(&run.from).await?.get().await?;
        let mut target = self.db_of(&run.to).await?.get().await?;
        let tables = tables_in_order(&**source, &p.schema)
            .await
            .map_err(DomainError::Internal)?;
        self.prepare_target(&mut target, run, &tables).await?;
        let password = format!(
            "{:032x}{:016x}",
            rand::random::<u128>(),
            rand::random::<u64>()
        );
        self.open_source(&source, run, &tables, &password).await?;
        set_phase(self, run.id, "copying").await;
        let (host, port, dbname) = self.feed_address(&run.from).await?;
        target
            .execute(
                "SELECT atrium_subs.subscribe($1, $2, $3, $4, $5)",
                &[&run.name, &host, &port, &dbname, &password],
            )
            .await?;

        let deadline =
            Instant::now() + Duration::from_secs(self.config.moves.catch_up_timeout_secs);
        wait_copied(&target, &run.name, tables.len(), deadline).await?;
        set_phase(self, run.id, "catching_up").await;
        let position = current_lsn(&source).await?;
        wait_received(&source, &run.name, &position, deadline).await?;

        let frozen = Instant::now();
        self.hold_tenant_on(&run.from, run.tenant.id, &p.schema)
            .await?;
        set_phase(self, run.id, "frozen").await;
        // Everything the tenant committed is before this position now.
        let position = current_lsn(&source).await?;
        let drained = Instant::now() + Duration::from_millis(self.config.moves.drain_timeout_ms);
        wait_received(&source, &run.name, &position, drained.min(deadline)).await?;
        let checksums = compare(&mut source, &mut target, run, &tables).await?;
        target
            .execute("SELECT atrium_subs.unsubscribe($1)", &[&run.name])
            .await?;
        let tx = target.transaction().await?;
        crate::export::set_sequences(&*tx, run.tenant.rows())
            .await
            .map_err(DomainError::Internal)?;
        let arrived = Tenant {
            cluster_id: run.to.clone(),
            ..run.tenant.clone()
        };
        mirror::write(&*tx, &run.to, &arrived).await?;
        tx.commit().await?;
        drop((source, target));
        let rows: i64 = checksums
            .as_object()
            .map(|t| t.values().filter_map(|v| v["rows"].as_i64()).sum())
            .unwrap_or(0);
        let freeze_ms = self
            .flip_across(run, actor, rows, frozen, &checksums)
            .await?;
        tracing::info!(tenant = %run.tenant.slug, to = %run.to, freeze_ms, rows,
            "tenant moved between clusters");
        Ok(())
    }

    /// The tenant's schema, role and tables on the target, empty (the migrations' own
    /// rows go: the subscription copies the tenant's), and the target's copy of its row,
    /// saying it lives on the source until the flip.
    async fn prepare_target(
        &self,
        target: &mut Object,
        run: &Across<'_>,
        tables: &[Table],
    ) -> Result<()> {
        let tx = target.transaction().await?;
        let defaults = &self.config.tenant_defaults;
        Made {
            tenant: run.tenant,
            currency: &defaults.currency,
            timezone: &defaults.timezone,
            set: schema::TENANT,
        }
        .create(&*tx, &|_| Box::pin(async {}))
        .await?;
        let list: Vec<String> = tables
            .iter()
            .map(|t| {
                format!(
                    "{}.{}",
                    quote_ident(&run.tenant.schema_name),
                    quote_ident(&t.name)
                )
            })
            .collect();
        tx.batch_execute(&format!("TRUNCATE {}", list.join(", ")))
            .await?;
        let staying = Tenant {
            state: TenantState::Active,
            migration_version: migrations::latest(schema::TENANT),
            ..run.tenant.clone()
        };
        mirror::write(&*tx, &run.to, &staying).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The publication of the tenant's tables, its slot, and the feed role the target
    /// reads them as, on the source.
    async fn open_source(
        &self,
        source: &Object,
        run: &Across<'_>,
        tables: &[Table],
        password: &str,
    ) -> Result<()> {
        let schema = quote_ident(&run.tenant.schema_name);
        let list: Vec<String> = tables
            .iter()
            .map(|t| format!("{schema}.{}", quote_ident(&t.name)))
            .collect();
        // Listed, not `FOR TABLES IN SCHEMA`: on PostgreSQL 15 that takes a superuser,
        // and no table appears meanwhile (a move needs the tenant migrated, and
        // `atrium migrate` waits for nobody's move but changes no moving tenant's
        // tables: the move refuses a tenant behind).
        source
            .batch_execute(&format!(
                "CREATE PUBLICATION {} FOR TABLE {} WITH (publish = 'insert, update, delete, truncate')",
                quote_ident(&run.name),
                list.join(", ")
            ))
            .await?;
        create_slot(&***source, &run.name).await?;
        source
            .execute(
                "SELECT atrium_subs.open_feed($1, $2)",
                &[&run.name, &password],
            )
            .await?;
        source
            .batch_execute(&format!(
                "GRANT USAGE ON SCHEMA {schema} TO {feed};
                 GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {feed}",
                feed = quote_ident(&run.name)
            ))
            .await?;
        Ok(())
    }

    /// Where the target's subscription reaches the source: the host, port and database
    /// of the source's control-plane URL (its password is never used for the feed).
    async fn feed_address(&self, cluster: &str) -> Result<(String, i32, String)> {
        let url = self.control_url_of(cluster).await?;
        let cfg: tokio_postgres::Config = url
            .expose_secret()
            .parse()
            .map_err(|e| DomainError::Internal(anyhow::anyhow!("cluster {cluster}'s URL: {e}")))?;
        let host = match cfg.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            _ => {
                return Err(DomainError::conflict(
                    "cluster_not_tcp",
                    format!(
                        "cluster {cluster} is reached by a socket path; a move needs a TCP host"
                    ),
                ))
            }
        };
        let port = cfg.get_ports().first().copied().unwrap_or(5432);
        let dbname = cfg.get_dbname().unwrap_or_default().to_owned();
        Ok((host, i32::from(port), dbname))
    }

    /// The flip, while the source holds the tenant frozen: the source's record says the
    /// tenant left (on home, that record is the registry), then home's registry names the
    /// target and every API process hears it. Then the freeze ends; the old placement
    /// stays locked, so a process that has not heard yet is sent on (`await_placement`).
    async fn flip_across(
        &self,
        run: &Across<'_>,
        actor: &str,
        rows: i64,
        frozen: Instant,
        checksums: &serde_json::Value,
    ) -> Result<i32> {
        let tenant = run.tenant.id;
        let freeze = (FREEZE_LOCKS, freeze_key(tenant));
        let held = [freeze, run.placement().lock(tenant)];
        let (source_guard, _) = self.guard_for(&run.from).await?;
        if run.from != HOME_CLUSTER {
            let mut guard = source_guard.lock().await;
            let client = guard.holding(&held).map_err(DomainError::Internal)?;
            let tx = client.transaction().await?;
            let left = Tenant {
                cluster_id: run.to.clone(),
                ..run.tenant.clone()
            };
            mirror::write(&tx, &run.from, &left).await?;
            fence(&tx, run).await?;
            tx.commit().await?;
        }
        let freeze_ms = frozen.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let flip = Flip {
            run,
            actor,
            rows,
            freeze_ms,
            checksums,
        };
        if run.from == HOME_CLUSTER {
            // The registry is the source's record: committed only while the freeze
            // holds, on the connection holding it.
            let mut guard = source_guard.lock().await;
            let client = guard.holding(&held).map_err(DomainError::Internal)?;
            flip.record(client).await?;
        } else {
            let mut conn = self.pool.get().await?;
            flip.record(&mut conn).await?;
        }
        source_guard.lock().await.unlock(freeze).await;
        Ok(freeze_ms)
    }

    /// The feed's slot, role and publication on the source, gone once the subscription
    /// is (a slot left behind keeps WAL forever).
    async fn drop_feed(&self, run: &Across<'_>) {
        let dropped = async {
            let source = self.db_of(&run.from).await?.get().await?;
            // The source's sender ends a moment after the subscription is dropped.
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                match source
                    .execute("SELECT atrium_slots.drop_slot($1)", &[&run.name])
                    .await
                {
                    Ok(_) => break,
                    Err(e) if Instant::now() < deadline => {
                        tracing::debug!(error = %e, "the move's slot is still in use");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            source
                .execute("SELECT atrium_subs.close_feed($1)", &[&run.name])
                .await?;
            source
                .batch_execute(&format!(
                    "DROP PUBLICATION IF EXISTS {}",
                    quote_ident(&run.name)
                ))
                .await?;
            Ok::<_, DomainError>(())
        };
        if let Err(e) = dropped.await {
            tracing::error!(slot = %run.name, error = %e, "a move's feed was not dropped on its source");
        }
    }

    /// After a stop: a move whose source had already recorded the tenant as gone (and
    /// fenced its old schema) went past its point of no return. Its target holds every
    /// write the source took and any made there since: the flip is finished, not undone.
    /// Anything else is undone. Returns whether it was finished (false: undone, or left as
    /// it is for the next try).
    pub(super) async fn resume_across(&self, run: &Across<'_>, cause: &DomainError) -> bool {
        let left = async {
            if run.from == HOME_CLUSTER {
                return Ok::<_, DomainError>(false);
            }
            let source = self.db_of(&run.from).await?.get().await?;
            let row = source
                .query_opt(
                    "SELECT cluster_id FROM atrium_control.tenants WHERE id = $1",
                    &[&run.tenant.id],
                )
                .await?;
            Ok(row.is_some_and(|r| r.get::<_, String>(0) == run.to))
        };
        match left.await {
            Ok(true) => {
                let flip = Flip {
                    run,
                    actor: "system",
                    rows: 0,
                    freeze_ms: 0,
                    checksums: &serde_json::Value::Null,
                };
                let finished = async {
                    let mut conn = self.pool.get().await?;
                    flip.record(&mut conn).await
                };
                match finished.await {
                    Ok(()) => {
                        tracing::warn!(tenant = %run.tenant.slug, to = %run.to,
                            "finished the flip of a move a stop cut short");
                        // The source's freeze, if this process holds it: its old schema's
                        // fence sends a stale request on from now.
                        self.release_tenant_on(&run.from, run.tenant.id, &run.tenant.schema_name)
                            .await;
                        self.drop_feed(run).await;
                        true
                    }
                    // Neither finished nor undone: the command fails, and running it again
                    // (or the next start) finishes it.
                    Err(e) => {
                        tracing::error!(tenant = %run.tenant.slug, error = %e,
                            "a move past its flip could not be finished; run it again");
                        false
                    }
                }
            }
            Ok(false) => {
                self.undo_across(run, cause).await;
                false
            }
            Err(e) => {
                // Where the source stands is unknown: neither finish nor undo blindly.
                tracing::error!(tenant = %run.tenant.slug, error = %e,
                    "a move's source could not be read; it is left for the next try");
                false
            }
        }
    }

    /// Puts everything back as it was before the move, and records why it failed.
    pub(super) async fn undo_across(&self, run: &Across<'_>, cause: &DomainError) {
        let cause = chain(cause);
        tracing::warn!(tenant = %run.tenant.slug, error = %cause, "move between clusters failed; undoing it");
        self.release_tenant_on(&run.from, run.tenant.id, &run.tenant.schema_name)
            .await;
        // Each step on its own: a target that can't be reached must not keep the
        // source's slot (which holds WAL) or its feed role.
        let unsubscribed = async {
            let target = self.db_of(&run.to).await?.get().await?;
            target
                .execute("SELECT atrium_subs.unsubscribe($1)", &[&run.name])
                .await?;
            Ok::<_, DomainError>(())
        };
        if let Err(e) = unsubscribed.await {
            tracing::error!(slot = %run.name, error = %e, "a failed move's subscription was not dropped");
        }
        self.drop_feed(run).await;
        let unmade = async {
            let lives: String = self
                .pool
                .get()
                .await?
                .query_one(
                    "SELECT cluster_id FROM atrium_control.tenants WHERE id = $1",
                    &[&run.tenant.id],
                )
                .await?
                .get(0);
            if lives != run.to {
                let t = run.tenant;
                let target = self.db_of(&run.to).await?.get().await?;
                drop_schema_and_role(&**target, &t.schema_name, &t.role_name).await?;
                mirror::forget(&**target, &run.to, t.id).await?;
            }
            Ok::<_, DomainError>(())
        };
        if let Err(e) = unmade.await {
            tracing::error!(tenant = %run.tenant.slug, error = %e, "a failed move's half-made target was not dropped");
        }
        let recorded = async {
            self.pool
                .get()
                .await?
                .execute(
                    "UPDATE atrium_control.tenant_moves
                     SET state = 'failed', phase = 'undone', error = $2, finished_at = now() WHERE id = $1",
                    &[&run.id, &cause],
                )
                .await?;
            Ok::<_, DomainError>(())
        };
        if let Err(e) = recorded.await {
            tracing::error!(tenant = %run.tenant.slug, error = %e, "a failed move was not recorded as failed");
        }
    }

    /// After the grace period: the old schema and role on the cluster the tenant left.
    pub(super) async fn finish_across(
        &self,
        id: Uuid,
        tenant: Uuid,
        from: &str,
        old: &Placement,
    ) -> Result<()> {
        let (lives, role): (String, String) = {
            let r = self
                .pool
                .get()
                .await?
                .query_one(
                    "SELECT cluster_id, role_name FROM atrium_control.tenants WHERE id = $1",
                    &[&tenant],
                )
                .await?;
            (r.get(0), r.get(1))
        };
        if lives != from {
            let source = self.db_of(from).await?.get().await?;
            drop_schema_and_role(&**source, &old.schema, &role).await?;
        } else {
            tracing::warn!(
                cluster = from,
                "not removing the placement the tenant lives in"
            );
        }
        self.pool
            .get()
            .await?
            .execute(
                "UPDATE atrium_control.tenant_moves SET state = 'done', finished_at = now()
                 WHERE id = $1",
                &[&id],
            )
            .await?;
        self.release_tenant_on(from, tenant, &old.schema).await;
        Ok(())
    }
}

/// What the registry records at a move's flip between clusters.
struct Flip<'a> {
    run: &'a Across<'a>,
    actor: &'a str,
    rows: i64,
    freeze_ms: i32,
    checksums: &'a serde_json::Value,
}

impl Flip<'_> {
    /// Home's registry names the target, the move is `flipped`, and every API process
    /// hears it, in one transaction on `client` (home). When the tenant leaves home,
    /// the same transaction fences its old schema there.
    async fn record(&self, client: &mut tokio_postgres::Client) -> Result<()> {
        let run = self.run;
        let tx = client.transaction().await?;
        if run.from == HOME_CLUSTER {
            fence(&tx, run).await?;
        }
        let flipped = tx
            .execute(
                "UPDATE atrium_control.tenants SET cluster_id = $2, updated_at = now()
                 WHERE id = $1 AND state IN ('active', 'suspended') AND cluster_id = $3
                   AND migration_version = $4",
                &[
                    &run.tenant.id,
                    &run.to,
                    &run.from,
                    &run.tenant.migration_version,
                ],
            )
            .await?;
        if flipped == 0 {
            return Err(DomainError::conflict(
                "tenant_changed",
                "the tenant was deleted, migrated or moved elsewhere while it moved",
            ));
        }
        tx.execute(
            "UPDATE atrium_control.tenant_moves
             SET state = 'flipped', phase = 'flipped', flipped_at = now(),
                 cleanup_after = now() + make_interval(secs => $2),
                 rows_copied = $3, changes_applied = 0, freeze_ms = $4, checksums = $5
             WHERE id = $1",
            &[
                &run.id,
                &(run.grace_secs as f64),
                &self.rows,
                &self.freeze_ms,
                self.checksums,
            ],
        )
        .await?;
        let detail = json!({"from_cluster": run.from, "to_cluster": run.to, "rows": self.rows,
                            "freeze_ms": self.freeze_ms});
        registry::record_change(
            &tx,
            self.actor,
            Action::TenantMove,
            &run.tenant.slug,
            &run.tenant.slug,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The old schema closed to the tenant's role, in the transaction that records the
/// tenant left: from then on the source cannot serve it, whatever happens to the locks
/// that hold it frozen (a crashed control plane takes them with it). A transaction a
/// stale cache sends there goes the slow way in (`ENTER` checks the role may use the
/// schema), where the source's record sends it on to the new cluster.
async fn fence(tx: &tokio_postgres::Transaction<'_>, run: &Across<'_>) -> Result<()> {
    tx.batch_execute(&format!(
        "REVOKE USAGE ON SCHEMA {} FROM {}",
        quote_ident(&run.tenant.schema_name),
        quote_ident(&run.tenant.role_name)
    ))
    .await?;
    Ok(())
}

/// Waits until the subscription has copied each of its `tables` and follows them.
async fn wait_copied(target: &Object, name: &str, tables: usize, deadline: Instant) -> Result<()> {
    loop {
        let row = target
            .query_opt(
                "SELECT tables, ready FROM atrium_subs.subscription($1)",
                &[&name],
            )
            .await?;
        let (all, ready): (i32, i32) = row.map_or((0, 0), |r| (r.get(0), r.get(1)));
        if all as usize == tables && ready == all {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(DomainError::Internal(anyhow::anyhow!(
                "the subscription copied {ready} of {tables} tables in time"
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn current_lsn(source: &Object) -> Result<String> {
    Ok(source
        .query_one("SELECT pg_current_wal_lsn()::text", &[])
        .await?
        .get(0))
}

/// Waits until the target confirms it has everything of the source up to `position`.
async fn wait_received(
    source: &Object,
    name: &str,
    position: &str,
    deadline: Instant,
) -> Result<()> {
    loop {
        let done: bool = source
            .query_opt(
                "SELECT confirmed_flush_lsn >= $2::text::pg_lsn FROM pg_replication_slots
                 WHERE slot_name = $1",
                &[&name, &position],
            )
            .await?
            .and_then(|r| r.get::<_, Option<bool>>(0))
            .unwrap_or(false);
        if done {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(DomainError::Internal(anyhow::anyhow!(
                "the target did not catch up with the source in time"
            )));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every table's row count and hash sum on both clusters; a difference stops the move.
async fn compare(
    source: &mut Object,
    target: &mut Object,
    run: &Across<'_>,
    tables: &[Table],
) -> Result<serde_json::Value> {
    let p = run.placement();
    let mut out = serde_json::Map::new();
    let (on_from, on_to) = (
        format!("cluster {}", run.from),
        format!("cluster {}", run.to),
    );
    for t in tables {
        let from = checksum(&***source, &p, run.tenant.id, t).await?;
        let to = checksum(&***target, &p, run.tenant.id, t).await?;
        agreed(&mut out, t, (from, &on_from), (to, &on_to))?;
    }
    Ok(serde_json::Value::Object(out))
}

//! Moving a tenant between isolation tiers while it keeps working
//! (docs/isolation-tiers.md, "Moves").
//!
//! 1. A publication of the tenant's tables (in a pool, with a row filter on its
//!    `tenant_id`) and a logical replication slot start following its changes.
//! 2. One `REPEATABLE READ` transaction copies its rows into the new placement and notes
//!    its snapshot: the changes the copy already holds are skipped when replayed.
//! 3. The slot's changes are applied, in commit order, until few are left.
//! 4. Freeze: the tenant's placement lock, taken exclusively, drains its transactions in
//!    flight; new ones wait (the data plane's `await_placement`). The last changes are
//!    applied, every table's checksum compared, and the registry flipped and announced.
//!    Waiting transactions then enter the new placement.
//! 5. The old rows stay, behind their lock, for the grace period, then go.
//!
//! A failure before the flip drops what the move made; the tenant never left.
//!
//! A move to another cluster (`across.rs`) keeps the tier and lets PostgreSQL's own
//! logical replication do steps 1 to 3: a publication there, a subscription here.

mod across;
mod apply;
mod guard;
mod pgoutput;

use std::time::{Duration, Instant};

use atrium_core::{
    db::placement::{freeze_key, placement_key, FREEZE_LOCKS, PLACEMENT_LOCKS},
    domain::{ClusterName, DomainError, Result, Tier, HOME_CLUSTER},
    migrations,
    tenancy::quote_ident,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_postgres::{error::SqlState, GenericClient, IsolationLevel};
use utoipa::ToSchema;
use uuid::Uuid;

pub use guard::{ClusterGuards, Guard};

use crate::{
    audit_action::Action,
    export::{show_rows_of, tables_in_order, Table, POOL_KEY},
    provision, registry,
    registry::Tenant,
    schema, Control,
};

/// An operator's request to move a tenant: to another tier on its cluster, or to
/// another cluster in its tier. One of the two.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MoveRequest {
    /// `schema` or `pooled`.
    #[serde(default)]
    pub tier: Option<String>,
    /// A cluster's name (docs/scale-out.md): the tenant, in the schema tier, moves there.
    #[serde(default)]
    pub cluster: Option<String>,
}

/// One move, as `atrium_control.tenant_moves` records it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Move {
    pub id: Uuid,
    pub from_tier: Tier,
    pub to_tier: Tier,
    pub from_schema: String,
    pub to_schema: String,
    /// The clusters it leaves and reaches: the same one for a move between tiers.
    pub from_cluster: String,
    pub to_cluster: String,
    /// Where a move under way has got to: `preparing`, `copying`, `catching_up` (the
    /// copy follows the tenant's writes), `frozen` (its requests wait for the flip);
    /// then `flipped`, or `undone` after a failure.
    pub phase: String,
    /// `copying`, `flipped` (the tenant lives in `to_schema`; the old rows wait out the
    /// grace period), `done`, or `failed` (the tenant stayed where it was).
    pub state: String,
    pub error: Option<String>,
    pub rows_copied: Option<i64>,
    /// Changes made while the copy ran, replayed onto it.
    pub changes_applied: Option<i64>,
    /// How long the tenant's requests were held at the flip.
    pub freeze_ms: Option<i32>,
    /// Each table's row count and checksum, equal in both placements at the flip.
    pub checksums: Option<serde_json::Value>,
    pub actor: String,
    pub started_at: DateTime<Utc>,
    pub flipped_at: Option<DateTime<Utc>>,
    /// When the old placement's rows are removed.
    pub cleanup_after: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

const MOVE_COLUMNS: &str =
    "id, from_tier, to_tier, from_schema, to_schema, from_cluster, to_cluster, phase, state, error, \
     rows_copied, changes_applied, freeze_ms, checksums, actor, started_at, flipped_at, \
     cleanup_after, finished_at";

impl From<&tokio_postgres::Row> for Move {
    fn from(r: &tokio_postgres::Row) -> Self {
        Self {
            id: r.get("id"),
            from_tier: r.get("from_tier"),
            to_tier: r.get("to_tier"),
            from_schema: r.get("from_schema"),
            to_schema: r.get("to_schema"),
            from_cluster: r.get("from_cluster"),
            to_cluster: r.get("to_cluster"),
            phase: r.get("phase"),
            state: r.get("state"),
            error: r.get("error"),
            rows_copied: r.get("rows_copied"),
            changes_applied: r.get("changes_applied"),
            freeze_ms: r.get("freeze_ms"),
            checksums: r.get("checksums"),
            actor: r.get("actor"),
            started_at: r.get("started_at"),
            flipped_at: r.get("flipped_at"),
            cleanup_after: r.get("cleanup_after"),
            finished_at: r.get("finished_at"),
        }
    }
}

/// The first key of the lock a move holds while it runs (on the guard connection), so a
/// control plane starting meanwhile tells a live move from one a crash interrupted.
const RUN_LOCKS: i32 = 0x4154_4d52;

fn run_lock(id: Uuid) -> guard::Key {
    (RUN_LOCKS, placement_key(id, "run"))
}

/// Changes read from the slot per batch while catching up; a batch smaller than this
/// means the copy is close enough behind to freeze.
const BATCH_CHANGES: i32 = 2_000;

/// Where a tenant's rows are: a schema, and the tenant's id if it is a pool.
#[derive(Debug, Clone)]
struct Placement {
    tier: Tier,
    schema: String,
    role: String,
}

impl Placement {
    /// Where the registry says the tenant's rows are.
    fn current(tenant: &Tenant) -> Self {
        Self {
            tier: tenant.tier,
            schema: tenant.placement_schema().to_owned(),
            role: String::new(),
        }
    }

    fn pooled(&self, tenant: Uuid) -> Option<Uuid> {
        (self.tier == Tier::Pooled).then_some(tenant)
    }

    fn lock(&self, tenant: Uuid) -> guard::Key {
        (PLACEMENT_LOCKS, placement_key(tenant, &self.schema))
    }
}

/// A move under way: what it has and what it made, for the flip or the undo.
struct Run<'a> {
    tenant: &'a Tenant,
    id: Uuid,
    slot: String,
    from: Placement,
    to: Placement,
}

impl<'a> Run<'a> {
    fn new(tenant: &'a Tenant, id: Uuid, from: Placement, to: Placement) -> Self {
        Self {
            tenant,
            slot: format!("atrium_move_{}", id.simple()),
            id,
            from,
            to,
        }
    }
}

impl Control {
    /// Moves the tenant `slug` to `tier`, and returns the move's record.
    pub async fn move_tenant(&self, slug: &str, req: &MoveRequest, actor: &str) -> Result<Move> {
        let result = self.move_checked(slug, req, actor).await;
        if let Err(e) = &result {
            self.audit_failure(actor, Action::TenantMove, Some(slug), e)
                .await;
        }
        result
    }

    async fn move_checked(&self, slug: &str, req: &MoveRequest, actor: &str) -> Result<Move> {
        let (to_tier, to_cluster) = match (req.tier.as_deref(), req.cluster.as_deref()) {
            (Some(t), None) => (Some(Tier::parse("tier", t)?), None),
            (None, Some(c)) => (None, Some(ClusterName::parse("cluster", c)?)),
            _ => {
                return Err(DomainError::invalid(
                    "tier",
                    "name either a tier (a move on the tenant's cluster) or a cluster",
                ))
            }
        };
        let conn = self.pool.get().await?;
        let tenant = registry::get(&**conn, slug).await?;
        tenant.require_live("tenant_not_live")?;
        let latest = migrations::latest(schema::TENANT);
        if let Some(to) = to_cluster {
            drop(conn);
            require_migrated(&tenant, latest)?;
            self.recover_moves_of(Some(tenant.id)).await?;
            self.finish_moves(Some(tenant.id), true).await?;
            return self.move_across(&tenant, &to, actor).await;
        }
        let to_tier = to_tier.unwrap_or(tenant.tier);
        tenant.require_home("move it between tiers")?;
        if tenant.tier == to_tier {
            return Err(DomainError::conflict(
                "already_in_tier",
                format!("tenant '{slug}' is in the {to_tier} tier already"),
            ));
        }
        require_migrated(&tenant, latest)?;
        drop(conn);
        // The last move's old rows go now: the new target may be where they are.
        self.recover_moves_of(Some(tenant.id)).await?;
        self.finish_moves(Some(tenant.id), true).await?;
        let from = Placement::current(&tenant);
        let to = self.target(&tenant, to_tier).await?;
        let id = Uuid::now_v7();
        // Taken before the row exists: a control plane starting meanwhile must never
        // find this move's row without its run lock and undo it.
        self.move_guard
            .lock()
            .await
            .lock(
                &self.config.database_url,
                run_lock(id),
                Duration::from_secs(1),
            )
            .await
            .map_err(DomainError::Internal)?;
        let opened = self.open_move(id, &tenant, &from, &to, actor).await;
        if let Err(e) = opened {
            self.move_guard.lock().await.unlock(run_lock(id)).await;
            return Err(e);
        }
        let run = Run::new(&tenant, id, from, to);
        tracing::info!(tenant = slug, to = %run.to.schema, "moving tenant between tiers");
        let result = self.run_move(&run, actor).await;
        match &result {
            Ok(()) => self.drop_replication(&run.slot).await,
            Err(e) => self.undo(&run, e).await,
        }
        self.move_guard.lock().await.unlock(run_lock(id)).await;
        result?;
        self.get_move(id).await
    }

    /// The move's row, unless the tenant has one under way already.
    async fn open_move(
        &self,
        id: Uuid,
        tenant: &Tenant,
        from: &Placement,
        to: &Placement,
        actor: &str,
    ) -> Result<()> {
        let conn = self.pool.get().await?;
        let opened = conn
            .execute(
                "INSERT INTO atrium_control.tenant_moves
                     (id, tenant_id, from_tier, to_tier, from_schema, to_schema, state, actor)
                 VALUES ($1, $2, $3, $4, $5, $6, 'copying', $7) ON CONFLICT DO NOTHING",
                &[
                    &id,
                    &tenant.id,
                    &from.tier,
                    &to.tier,
                    &from.schema,
                    &to.schema,
                    &actor,
                ],
            )
            .await?;
        if opened == 0 {
            return Err(DomainError::conflict(
                "tenant_moving",
                format!("tenant '{}' is being moved already", tenant.slug),
            ));
        }
        Ok(())
    }

    /// Where the tenant goes: its own schema, or a pool with room.
    async fn target(&self, tenant: &Tenant, tier: Tier) -> Result<Placement> {
        Ok(match tier {
            Tier::Schema => Placement {
                tier,
                schema: tenant.schema_name.clone(),
                role: tenant.role_name.clone(),
            },
            Tier::Pooled => {
                let mut conn = self.pool.get().await?;
                let tx = conn.transaction().await?;
                let pool = self.pool_with_room(&*tx, schema::POOL).await?;
                let version: i32 = tx
                    .query_one(
                        "SELECT migration_version FROM atrium_control.pools WHERE name = $1",
                        &[&pool.schema_name()],
                    )
                    .await?
                    .get(0);
                tx.commit().await?;
                if version != migrations::latest(schema::POOL) {
                    return Err(DomainError::conflict(
                        "migration_pending",
                        format!(
                            "pool {} is at migration {version}; run atrium migrate first",
                            pool.schema_name()
                        ),
                    ));
                }
                Placement {
                    tier,
                    schema: pool.schema_name(),
                    role: pool.role_name(&self.config.role_prefix),
                }
            }
        })
    }

    async fn run_move(&self, run: &Run<'_>, actor: &str) -> Result<()> {
        let tenant = run.tenant.id;
        let mut conn = self.pool.get().await?;
        let tables = tables_in_order(&**conn, &run.from.schema)
            .await
            .map_err(DomainError::Internal)?;
        self.publish(&**conn, run, &tables).await?;
        create_slot(&**conn, &run.slot).await?;
        set_phase(self, run.id, "copying").await;
        let (snapshot, rows_copied) = self.copy(&mut conn, run, &tables).await?;
        let mut applier = apply::Applier::new(
            &**conn,
            &run.to.schema,
            run.to.pooled(tenant),
            apply::Snapshot::parse(&snapshot).map_err(DomainError::Internal)?,
        )
        .await
        .map_err(DomainError::Internal)?;
        set_phase(self, run.id, "catching_up").await;
        let deadline =
            Instant::now() + Duration::from_secs(self.config.moves.catch_up_timeout_secs);
        loop {
            let read = self
                .replay(&mut conn, run, &mut applier, Some(BATCH_CHANGES))
                .await?;
            if read < BATCH_CHANGES as usize {
                break;
            }
            if Instant::now() > deadline {
                return Err(DomainError::Internal(anyhow::anyhow!(
                    "the copy did not catch up with the tenant's writes in time"
                )));
            }
        }
        let frozen = Instant::now();
        self.freeze(run).await?;
        set_phase(self, run.id, "frozen").await;
        // Everything the tenant committed is before this point now: read it all.
        while self.replay(&mut conn, run, &mut applier, None).await? > 0 {}
        let checksums = self.compare(&mut conn, run, &tables).await?;
        let tx = conn.transaction().await?;
        show_rows_of(&*tx, tenant).await?;
        let rows = crate::export::Rows {
            schema: &run.to.schema,
            pooled: run.to.pooled(tenant),
        };
        crate::export::set_sequences(&*tx, rows)
            .await
            .map_err(DomainError::Internal)?;
        tx.commit().await?;
        let freeze_ms = self
            .flip(run, actor, rows_copied, applier.applied, frozen, &checksums)
            .await?;
        tracing::info!(tenant = %run.tenant.slug, freeze_ms, rows_copied, "tenant moved");
        Ok(())
    }

    /// The registry says the tenant lives in its new placement, and every API process is
    /// told. Committed on the guard's connection: if that connection (and the freeze with
    /// it) was lost, the tenant's writes may have gone on in the old placement, and the
    /// flip must not happen. Then the freeze ends; the old placement stays locked.
    async fn flip(
        &self,
        run: &Run<'_>,
        actor: &str,
        rows_copied: u64,
        applied: u64,
        frozen: Instant,
        checksums: &serde_json::Value,
    ) -> Result<i32> {
        let tenant = run.tenant.id;
        let freeze = (FREEZE_LOCKS, freeze_key(tenant));
        let mut guard = self.move_guard.lock().await;
        let client = guard
            .holding(&[freeze, run.from.lock(tenant)])
            .map_err(DomainError::Internal)?;
        let tx = client.transaction().await?;
        let (pool_name, version) = match run.to.tier {
            Tier::Pooled => (
                Some(run.to.schema.as_str()),
                migrations::latest(schema::POOL),
            ),
            Tier::Schema => (None, migrations::latest(schema::TENANT)),
        };
        let flipped = tx
            .execute(
                "UPDATE atrium_control.tenants
                 SET tier = $2, pool_name = $3, migration_version = $4, updated_at = now()
                 WHERE id = $1 AND state IN ('active', 'suspended')",
                &[&tenant, &run.to.tier, &pool_name, &version],
            )
            .await?;
        if flipped == 0 {
            return Err(DomainError::conflict(
                "tenant_not_live",
                "the tenant was deleted while it moved",
            ));
        }
        let freeze_ms = frozen.elapsed().as_millis().min(i32::MAX as u128) as i32;
        tx.execute(
            "UPDATE atrium_control.tenant_moves
             SET state = 'flipped', phase = 'flipped', flipped_at = now(),
                 cleanup_after = now() + make_interval(secs => $2),
                 rows_copied = $3, changes_applied = $4, freeze_ms = $5, checksums = $6
             WHERE id = $1",
            &[
                &run.id,
                &(self.config.moves.grace_secs as f64),
                &(rows_copied as i64),
                &(applied as i64),
                &freeze_ms,
                checksums,
            ],
        )
        .await?;
        let detail = json!({"from": run.from.schema, "to": run.to.schema, "tier": run.to.tier,
                            "rows": rows_copied, "changes": applied, "freeze_ms": freeze_ms});
        registry::record_change(
            &tx,
            actor,
            Action::TenantMove,
            &run.tenant.slug,
            &run.tenant.slug,
            detail,
        )
        .await?;
        tx.commit().await?;
        guard.unlock(freeze).await;
        Ok(freeze_ms)
    }

    /// The publication the slot decodes for: the tenant's tables in the old placement,
    /// only its rows in a pool.
    async fn publish<C: GenericClient>(
        &self,
        db: &C,
        run: &Run<'_>,
        tables: &[Table],
    ) -> Result<()> {
        let filter = match run.from.tier {
            // A DDL statement takes no parameters; a uuid prints as hex and dashes only.
            Tier::Pooled => format!(" WHERE ({POOL_KEY} = '{}'::uuid)", run.tenant.id),
            Tier::Schema => String::new(),
        };
        let list: Vec<String> = tables
            .iter()
            .map(|t| {
                format!(
                    "{}.{}{filter}",
                    quote_ident(&run.from.schema),
                    quote_ident(&t.name)
                )
            })
            .collect();
        db.batch_execute(&format!(
            "CREATE PUBLICATION {} FOR TABLE {} WITH (publish = 'insert, update, delete')",
            quote_ident(&run.slot),
            list.join(", ")
        ))
        .await?;
        Ok(())
    }

    /// Makes the new placement and copies the tenant's rows into it, in one transaction
    /// whose snapshot is returned: the slot's changes that it saw are in the copy.
    async fn copy(
        &self,
        conn: &mut deadpool_postgres::Object,
        run: &Run<'_>,
        tables: &[Table],
    ) -> Result<(String, u64)> {
        let tenant = run.tenant.id;
        let tx = conn
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .start()
            .await?;
        let snapshot: String = tx
            .query_one("SELECT pg_current_snapshot()::text", &[])
            .await?
            .get(0);
        show_rows_of(&*tx, tenant).await?;
        let to = quote_ident(&run.to.schema);
        match run.to.tier {
            Tier::Schema => {
                let role = quote_ident(&run.to.role);
                tx.batch_execute(&format!("CREATE SCHEMA {to}")).await?;
                tx.execute(
                    "SELECT atrium_roles.create_tenant_role($1)",
                    &[&run.to.role],
                )
                .await?;
                provision::grant_rows(&*tx, &to, &role).await?;
                crate::migrate::record_checksums(&*tx, schema::TENANT).await?;
                let d = &self.config.tenant_defaults;
                provision::pass_tenant_defaults(&*tx, &d.currency, &d.timezone).await?;
                provision::apply_in(&*tx, &to, schema::TENANT).await?;
                for seeded in crate::export::SEEDED {
                    tx.batch_execute(&format!("DELETE FROM {to}.{}", quote_ident(seeded)))
                        .await?;
                }
            }
            Tier::Pooled => {
                for t in tables {
                    let left: bool = tx
                        .query_one(
                            &format!(
                                "SELECT EXISTS (SELECT FROM {to}.{} WHERE {POOL_KEY} = $1)",
                                quote_ident(&t.name)
                            ),
                            &[&tenant],
                        )
                        .await?
                        .get(0);
                    if left {
                        return Err(DomainError::conflict(
                            "move_target_not_empty",
                            format!("{} still holds rows of this tenant", run.to.schema),
                        ));
                    }
                }
            }
        }
        let mut rows = 0;
        for t in tables {
            let columns = plain_columns(t);
            let (extra_column, extra_value) = match run.to.tier {
                Tier::Pooled => (format!(", {POOL_KEY}"), ", $1".to_owned()),
                Tier::Schema => (String::new(), String::new()),
            };
            let filter = match run.from.tier {
                Tier::Pooled => format!("WHERE {POOL_KEY} = $1"),
                Tier::Schema => "WHERE $1::uuid IS NOT NULL".to_owned(),
            };
            rows += tx
                .execute(
                    &format!(
                        "INSERT INTO {to}.{t} ({columns}{extra_column})
                         SELECT {columns}{extra_value} FROM {from}.{t} {filter}",
                        t = quote_ident(&t.name),
                        from = quote_ident(&run.from.schema),
                    ),
                    &[&tenant],
                )
                .await?;
        }
        tx.commit().await?;
        Ok((snapshot, rows))
    }

    /// Applies the slot's next changes (at most about `most`) in one transaction, then
    /// confirms them on the slot. How many messages were read. Reading is bounded by the
    /// WAL position when it starts, and when it read everything up to there the slot is
    /// confirmed there, changes or not: a tenant with nothing to replay must not make
    /// every later read decode the same WAL again.
    async fn replay(
        &self,
        conn: &mut deadpool_postgres::Object,
        run: &Run<'_>,
        applier: &mut apply::Applier,
        most: Option<i32>,
    ) -> Result<usize> {
        let upto: String = conn
            .query_one("SELECT pg_current_wal_insert_lsn()::text", &[])
            .await?
            .get(0);
        let rows = conn
            .query(
                "SELECT data FROM atrium_slots.peek_slot($1, $1, ($2::text)::pg_lsn, $3)",
                &[&run.slot, &upto, &most],
            )
            .await?;
        if !rows.is_empty() {
            let tx = conn.transaction().await?;
            show_rows_of(&*tx, run.tenant.id).await?;
            for r in &rows {
                let message = pgoutput::decode(r.get(0)).map_err(DomainError::Internal)?;
                applier
                    .apply(&*tx, message)
                    .await
                    .map_err(DomainError::Internal)?;
            }
            tx.commit().await?;
        }
        let complete = most.is_none_or(|m| rows.len() < m as usize);
        let confirm = match (complete, applier.confirmed) {
            (true, _) => Some(upto),
            (false, Some(lsn)) => Some(lsn_text(lsn)),
            (false, None) => None,
        };
        if let Some(lsn) = confirm {
            conn.execute(
                "SELECT atrium_slots.advance_slot($1, ($2::text)::pg_lsn)",
                &[&run.slot, &lsn],
            )
            .await?;
        }
        Ok(rows.len())
    }

    /// Stops the tenant's transactions: its freeze lock, then its placement lock, which
    /// waits for the ones in flight. New ones queue behind the freeze lock.
    async fn freeze(&self, run: &Run<'_>) -> Result<()> {
        self.hold_tenant(run.tenant.id, &run.from.schema).await
    }

    /// Holds the tenant's freeze lock and the lock of its placement in `schema` (see
    /// [`Control::freeze`]) until [`Control::release_tenant`]. Also what a pooled
    /// tenant's delete does, so that no transaction of the tenant's that began before the
    /// delete commits a row after it.
    pub(crate) async fn hold_tenant(&self, tenant: Uuid, schema: &str) -> Result<()> {
        self.hold_tenant_on(HOME_CLUSTER, tenant, schema).await
    }

    /// [`Control::hold_tenant`] on `cluster`, where the tenant's transactions run.
    pub(crate) async fn hold_tenant_on(
        &self,
        cluster: &str,
        tenant: Uuid,
        schema: &str,
    ) -> Result<()> {
        let wait = Duration::from_millis(self.config.moves.drain_timeout_ms);
        let (guard, url) = self.guard_for(cluster).await?;
        let url = &url;
        let mut guard = guard.lock().await;
        guard
            .lock(url, (FREEZE_LOCKS, freeze_key(tenant)), wait)
            .await
            .map_err(DomainError::Internal)?;
        let place = (PLACEMENT_LOCKS, placement_key(tenant, schema));
        if let Err(e) = guard.lock(url, place, wait).await {
            guard.unlock((FREEZE_LOCKS, freeze_key(tenant))).await;
            return Err(DomainError::conflict(
                "move_drain_timeout",
                format!("the tenant's transactions did not finish in time to freeze it: {e:#}"),
            ));
        }
        Ok(())
    }

    /// Lets the tenant's transactions in again (`hold_tenant`).
    pub(crate) async fn release_tenant(&self, tenant: Uuid, schema: &str) {
        self.release_tenant_on(HOME_CLUSTER, tenant, schema).await
    }

    /// [`Control::release_tenant`] on `cluster`.
    pub(crate) async fn release_tenant_on(&self, cluster: &str, tenant: Uuid, schema: &str) {
        let guard = match self.guard_for(cluster).await {
            Ok((guard, _)) => guard,
            // Never made: nothing is held there.
            Err(_) => return,
        };
        let mut guard = guard.lock().await;
        guard
            .unlock((PLACEMENT_LOCKS, placement_key(tenant, schema)))
            .await;
        guard.unlock((FREEZE_LOCKS, freeze_key(tenant))).await;
    }

    /// Every table's row count and checksum in both placements; a difference stops the
    /// move before the flip.
    async fn compare(
        &self,
        conn: &mut deadpool_postgres::Object,
        run: &Run<'_>,
        tables: &[Table],
    ) -> Result<serde_json::Value> {
        let tx = conn.transaction().await?;
        show_rows_of(&*tx, run.tenant.id).await?;
        let mut out = serde_json::Map::new();
        for t in tables {
            let from = checksum(&*tx, &run.from, run.tenant.id, t).await?;
            let to = checksum(&*tx, &run.to, run.tenant.id, t).await?;
            agreed(&mut out, t, (from, &run.from.schema), (to, &run.to.schema))?;
        }
        tx.commit().await?;
        Ok(serde_json::Value::Object(out))
    }

    /// Puts everything back as it was before the move, and records why it failed.
    async fn undo(&self, run: &Run<'_>, cause: &DomainError) {
        let cause = chain(cause);
        tracing::warn!(tenant = %run.tenant.slug, error = %cause, "tenant move failed; undoing it");
        {
            let mut guard = self.move_guard.lock().await;
            guard.unlock(run.from.lock(run.tenant.id)).await;
            guard
                .unlock((FREEZE_LOCKS, freeze_key(run.tenant.id)))
                .await;
        }
        self.drop_replication(&run.slot).await;
        let undone = async {
            let mut conn = self.pool.get().await?;
            let tx = conn.transaction().await?;
            remove_placement(&*tx, &run.to, run.tenant.id).await?;
            tx.execute(
                "UPDATE atrium_control.tenant_moves
                 SET state = 'failed', phase = 'undone', error = $2, finished_at = now() WHERE id = $1",
                &[&run.id, &cause],
            )
            .await?;
            tx.commit().await?;
            Ok::<_, DomainError>(())
        };
        if let Err(e) = undone.await {
            tracing::error!(tenant = %run.tenant.slug, error = %e, "undoing a failed move failed");
        }
    }

    /// Drops the move's slot and publication, each on its own: one failing leaves the
    /// other to go. What is left is dropped by the next tick of [`Control::tend_moves`].
    async fn drop_replication(&self, slot: &str) {
        let conn = match self.pool.get().await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(slot, error = %e, "a move's replication slot was not dropped");
                return;
            }
        };
        if let Err(e) = conn
            .execute("SELECT atrium_slots.drop_slot($1)", &[&slot])
            .await
        {
            // A slot left behind keeps WAL forever: say so loudly.
            tracing::error!(slot, error = %e, "a move's replication slot was not dropped");
        }
        let publication = format!("DROP PUBLICATION IF EXISTS {}", quote_ident(slot));
        if let Err(e) = conn.batch_execute(&publication).await {
            tracing::warn!(slot, error = %e, "a move's publication was not dropped");
        }
    }

    /// Slots and publications of moves that are over (flipped, done or failed) and
    /// were not dropped then, dropped now.
    async fn sweep_replication(&self) -> Result<usize> {
        let conn = self.pool.get().await?;
        let left = conn
            .query(
                "SELECT name FROM (
                     SELECT slot_name::text AS name FROM pg_replication_slots
                      WHERE slot_name LIKE 'atrium_move\\_%' AND database = current_database()
                     UNION SELECT pubname::text FROM pg_publication WHERE pubname LIKE 'atrium_move\\_%'
                 ) x
                 WHERE NOT EXISTS (SELECT FROM atrium_control.tenant_moves m
                                    WHERE m.state = 'copying' AND 'atrium_move_' || replace(m.id::text, '-', '') = x.name)",
                &[],
            )
            .await?;
        drop(conn);
        for r in &left {
            self.drop_replication(r.get(0)).await;
        }
        Ok(left.len())
    }

    pub async fn get_move(&self, id: Uuid) -> Result<Move> {
        let conn = self.pool.get().await?;
        let row = conn
            .query_one(
                &format!("SELECT {MOVE_COLUMNS} FROM atrium_control.tenant_moves WHERE id = $1"),
                &[&id],
            )
            .await?;
        Ok(Move::from(&row))
    }

    /// The tenant's moves, newest first.
    pub async fn moves_of(&self, slug: &str) -> Result<Vec<Move>> {
        let conn = self.pool.get().await?;
        let tenant = registry::get(&**conn, slug).await?;
        let rows = conn
            .query(
                &format!(
                    "SELECT {MOVE_COLUMNS} FROM atrium_control.tenant_moves
                     WHERE tenant_id = $1 ORDER BY started_at DESC LIMIT 50"
                ),
                &[&tenant.id],
            )
            .await?;
        Ok(rows.iter().map(Move::from).collect())
    }

    /// Removes the old rows of flipped moves whose grace period is over (all of them
    /// with `now`, for one tenant with `tenant`), and keeps the old placements of the
    /// others locked. The control plane runs it every few seconds.
    pub async fn finish_moves(&self, tenant: Option<Uuid>, now: bool) -> Result<usize> {
        let mut conn = self.pool.get().await?;
        let rows = conn
            .query(
                "SELECT id, tenant_id, from_tier, from_schema, (cleanup_after <= now()) AS due,
                        from_cluster, to_cluster
                 FROM atrium_control.tenant_moves
                 WHERE state = 'flipped' AND ($1::uuid IS NULL OR tenant_id = $1)",
                &[&tenant],
            )
            .await?;
        let mut finished = 0;
        for r in rows {
            let (id, tenant_id): (Uuid, Uuid) = (r.get(0), r.get(1));
            let old = Placement {
                tier: r.get(2),
                schema: r.get(3),
                role: String::new(),
            };
            let key = old.lock(tenant_id);
            let from: String = r.get(5);
            // Held here (taken again after a restart, or after `atrium tenant move` in
            // another process); a lock another process still holds is its to finish.
            // It is on the cluster the tenant left, where its transactions ran.
            let mine = match self.guard_for(&from).await {
                Ok((guard, url)) => guard
                    .lock()
                    .await
                    .try_lock(&url, key)
                    .await
                    .unwrap_or(false),
                Err(_) => false,
            };
            if !mine || !(now || r.get::<_, bool>(4)) {
                continue;
            }
            if from != r.get::<_, String>(6) {
                // Another tenant's finish must not wait for a cluster that is down.
                match self.finish_across(id, tenant_id, &from, &old).await {
                    Ok(_) => finished += 1,
                    Err(e) => {
                        tracing::warn!(cluster = %from, error = %e, "an old placement was not removed; retrying")
                    }
                }
                continue;
            }
            let tx = conn.transaction().await?;
            let old_role: Option<String> = tx
                .query_opt(
                    "SELECT role_name FROM atrium_control.tenants WHERE id = $1 AND tier = 'pooled'",
                    &[&tenant_id],
                )
                .await?
                .map(|r| r.get(0));
            let old = Placement {
                role: old_role.unwrap_or_default(),
                ..old
            };
            remove_placement(&*tx, &old, tenant_id).await?;
            tx.execute(
                "UPDATE atrium_control.tenant_moves SET state = 'done', finished_at = now()
                 WHERE id = $1",
                &[&id],
            )
            .await?;
            tx.commit().await?;
            self.move_guard.lock().await.unlock(key).await;
            finished += 1;
        }
        Ok(finished)
    }

    /// After a crash: undoes the moves that never flipped (dropping their slots, which
    /// would keep WAL forever). Run at the control plane's start, before any move.
    pub async fn recover_moves(&self) -> Result<usize> {
        self.recover_moves_of(None).await
    }

    /// [`Control::recover_moves`] for one tenant (all with None): what running a move
    /// again does first, so a move a crash interrupted never blocks the next one. A move
    /// another process is still running (its run lock held) is left alone.
    async fn recover_moves_of(&self, tenant: Option<Uuid>) -> Result<usize> {
        let conn = self.pool.get().await?;
        let rows = conn
            .query(
                "SELECT m.id, m.to_tier, m.to_schema, t.role_name, t.id, t.slug, m.from_cluster, m.to_cluster
                 FROM atrium_control.tenant_moves m JOIN atrium_control.tenants t ON t.id = m.tenant_id
                 WHERE m.state = 'copying' AND ($1::uuid IS NULL OR m.tenant_id = $1)",
                &[&tenant],
            )
            .await?;
        drop(conn);
        let mut undone = 0;
        for r in &rows {
            let id: Uuid = r.get(0);
            let mut guard = self.move_guard.lock().await;
            // Running in this process (a second request for the same tenant): not a
            // move a crash cut short. Advisory locks are reentrant, so ask the guard.
            if guard.holds(run_lock(id)) {
                return Err(DomainError::conflict(
                    "tenant_moving",
                    "the tenant is being moved already",
                ));
            }
            if !guard
                .try_lock(&self.config.database_url, run_lock(id))
                .await
                .map_err(DomainError::Internal)?
            {
                continue; // running in another process (`atrium tenant move`)
            }
            drop(guard);
            let to = Placement {
                tier: r.get(1),
                schema: r.get(2),
                role: r.get(3),
            };
            let tenant = registry::get(&**self.pool.get().await?, r.get(5)).await?;
            let cause =
                DomainError::Internal(anyhow::anyhow!("the control plane stopped during the move"));
            let (from, to_cluster): (String, String) = (r.get(6), r.get(7));
            if from != to_cluster {
                let run = across::Across {
                    tenant: &tenant,
                    id,
                    name: format!("atrium_move_{}", id.simple()),
                    from,
                    to: to_cluster,
                    grace_secs: self.config.moves.grace_secs,
                };
                self.resume_across(&run, &cause).await;
            } else {
                let run = Run::new(&tenant, id, Placement::current(&tenant), to);
                self.undo(&run, &cause).await;
            }
            self.move_guard.lock().await.unlock(run_lock(id)).await;
            undone += 1;
        }
        Ok(undone)
    }

    /// Every few seconds: old placements locked, and removed once their grace is over.
    pub async fn tend_moves(self) {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            if let Err(e) = self.finish_moves(None, false).await {
                tracing::warn!(error = %e, "finishing moves failed; retrying");
            }
            match self.sweep_replication().await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(left = n, "dropped replication slots moves left behind"),
                Err(e) => tracing::warn!(error = %e, "sweeping moves' slots failed; retrying"),
            }
        }
    }
}

/// Where a move has got to (`Move::phase`), for whoever watches it. Best effort: a
/// move is not stopped because its progress could not be written.
async fn set_phase(control: &Control, id: Uuid, phase: &str) {
    let written = async {
        control
            .pool
            .get()
            .await?
            .execute(
                "UPDATE atrium_control.tenant_moves SET phase = $2 WHERE id = $1",
                &[&id, &phase],
            )
            .await?;
        Ok::<_, DomainError>(())
    };
    if let Err(e) = written.await {
        tracing::warn!(error = %e, phase, "a move's progress was not recorded");
    }
}

/// Refuses a tenant that is behind the newest tenant migration: both placements must
/// hold the same tables.
fn require_migrated(tenant: &Tenant, latest: i32) -> Result<()> {
    if tenant.migration_version == latest {
        return Ok(());
    }
    Err(DomainError::conflict(
        "migration_pending",
        format!(
            "tenant '{}' is at migration {} of {latest}; run atrium migrate first",
            tenant.slug, tenant.migration_version
        ),
    ))
}

/// Refuses `what` while a move of the tenant is copying, with 409 `tenant_moving`: a
/// delete or restore would race the move's copy (and the checksum would stop the move).
pub(crate) async fn require_not_moving<C: GenericClient>(
    db: &C,
    tenant: Uuid,
    what: &str,
) -> Result<()> {
    let moving = db
        .query_opt(
            "SELECT 1 FROM atrium_control.tenant_moves WHERE tenant_id = $1 AND state = 'copying'",
            &[&tenant],
        )
        .await?
        .is_some();
    if moving {
        return Err(DomainError::conflict(
            "tenant_moving",
            format!("the tenant is being moved between tiers; {what} after the move"),
        ));
    }
    Ok(())
}

/// Drops a placement's copy of the tenant: its own schema and role, or its rows in a
/// pool. Never the placement the registry says it lives in.
async fn remove_placement<C: GenericClient>(db: &C, p: &Placement, tenant: Uuid) -> Result<()> {
    let lives_there = db
        .query_opt(
            "SELECT 1 FROM atrium_control.tenants
             WHERE id = $1 AND ((tier = 'schema' AND schema_name = $2) OR pool_name = $2)",
            &[&tenant, &p.schema],
        )
        .await?
        .is_some();
    if lives_there {
        tracing::warn!(schema = %p.schema, "not removing the placement the tenant lives in");
        return Ok(());
    }
    match p.tier {
        Tier::Schema => {
            db.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {} CASCADE",
                quote_ident(&p.schema)
            ))
            .await?;
            if !p.role.is_empty() {
                db.execute("SELECT atrium_roles.drop_tenant_role($1)", &[&p.role])
                    .await?;
            }
        }
        Tier::Pooled => crate::lifecycle::erase_pooled_rows(db, &p.schema, tenant).await?,
    }
    Ok(())
}

/// Makes the move's slot. PostgreSQL 15 sometimes fails to create a logical slot from
/// inside a `SECURITY DEFINER` function while it waits for other transactions to end
/// (XX000 "snapshot reference ... is not owned by resource owner TopTransaction"; about
/// one in twenty under load here, never without the definer). The failed slot is not
/// kept, so the call is simply made again. Public so tests that stage a half-made move
/// make their slot the same way.
pub async fn create_slot<C: GenericClient>(db: &C, slot: &str) -> Result<()> {
    const TRIES: u32 = 8;
    for attempt in 1..=TRIES {
        match db
            .execute("SELECT atrium_slots.create_slot($1)", &[&slot])
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) if attempt < TRIES && e.code() == Some(&SqlState::INTERNAL_ERROR) => {
                tracing::debug!(slot, error = %e, attempt, "making the move's slot again");
                let _ = db
                    .execute("SELECT atrium_slots.drop_slot($1)", &[&slot])
                    .await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    unreachable!("the last try returns")
}

/// An error with its causes (a database error's message is its source's).
fn chain(e: &DomainError) -> String {
    let mut out = e.to_string();
    let mut next = std::error::Error::source(e);
    while let Some(cause) = next {
        let text = cause.to_string();
        if !out.ends_with(&text) {
            out = format!("{out}: {text}");
        }
        next = cause.source();
    }
    out
}

/// A table's columns as a list, without a pool's `tenant_id`.
fn plain_columns(t: &Table) -> String {
    t.columns
        .iter()
        .filter(|c| c.as_str() != POOL_KEY)
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A table's row count and the sum of its rows' hashes (without `tenant_id`).
async fn checksum<C: GenericClient>(
    db: &C,
    p: &Placement,
    tenant: Uuid,
    t: &Table,
) -> Result<(i64, String)> {
    let filter = match p.tier {
        Tier::Pooled => format!("WHERE {POOL_KEY} = $1"),
        Tier::Schema => "WHERE $1::uuid IS NOT NULL".to_owned(),
    };
    let row = db
        .query_one(
            &format!(
                // A sum of 64-bit row hashes: no sort and no text of the whole table in
                // memory, which the freeze would wait for.
                "SELECT count(*), coalesce(sum(hashtextextended(ROW({})::text, 0)::numeric), 0)::text
                 FROM {}.{} {filter}",
                plain_columns(t),
                quote_ident(&p.schema),
                quote_ident(&t.name)
            ),
            &[&tenant],
        )
        .await?;
    Ok((row.get(0), row.get(1)))
}

/// A table's checksum, the same in both placements (each named by `where`), recorded in
/// `out`; a difference stops the move before the flip.
fn agreed(
    out: &mut serde_json::Map<String, serde_json::Value>,
    t: &Table,
    (from, from_where): ((i64, String), &str),
    (to, to_where): ((i64, String), &str),
) -> Result<()> {
    if from != to {
        return Err(DomainError::Internal(anyhow::anyhow!(
            "table {} differs after the copy: {from:?} in {from_where} against {to:?} in {to_where}",
            t.name
        )));
    }
    out.insert(t.name.clone(), json!({"rows": from.0, "hash_sum": from.1}));
    Ok(())
}

/// An LSN as PostgreSQL writes it.
fn lsn_text(lsn: u64) -> String {
    format!("{:X}/{:X}", lsn >> 32, lsn & 0xffff_ffff)
}

//! Reading and writing `atrium_control`: tenants, the audit log, change notifications.

use atrium_core::domain::{DomainError, Result};
use atrium_core::domain::{LimitOverrides, Plan, TenantState, Tier};

use crate::audit_action::Action;
use atrium_http::{
    page::{search_pattern, Params},
    Keyset, Page, SortKey, Sorts,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::{GenericClient, Row};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tenant {
    pub id: Uuid,
    /// The tenant's name in URLs and SQL: `[a-z][a-z0-9_]{2,39}`, never reused.
    pub slug: String,
    pub display_name: String,
    pub plan: Plan,
    pub state: TenantState,
    /// `t_<slug>`: the tenant's own schema in the schema tier; kept reserved for it while
    /// it is pooled.
    pub schema_name: String,
    /// The tenant's own NOLOGIN role (schema tier), reserved while it is pooled.
    pub role_name: String,
    /// How the tenant is isolated: its own schema, or rows in a pool.
    pub tier: Tier,
    /// The pool schema holding its rows, in the pooled tier.
    pub pool_name: Option<String>,
    /// Which PostgreSQL cluster holds the schema.
    pub cluster_id: String,
    /// Applied to every transaction of the tenant's (`SET LOCAL statement_timeout`).
    pub statement_timeout_ms: i32,
    /// The newest tenant migration applied to the schema.
    pub migration_version: i32,
    /// Why the last `atrium migrate` failed for this tenant, until one succeeds.
    pub migration_error: Option<String>,
    /// Where delete left the tenant's export (a plain SQL file).
    pub export_path: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub suspended_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// When the tenant's analytics were deleted from ClickHouse (after delete).
    pub analytics_purged_at: Option<DateTime<Utc>>,
    /// The operator's changes to the plan's limits; a field left out follows the plan.
    pub limit_overrides: LimitOverrides,
    /// The schema's size when the control plane last measured it.
    pub storage_bytes: Option<i64>,
    pub storage_measured_at: Option<DateTime<Utc>>,
    /// Over its storage quota: the data plane refuses its writes (403 `quota_exceeded`).
    pub storage_over_quota: bool,
    /// Analytics events tracked this calendar month (UTC), when last counted.
    pub events_month: Option<i64>,
    pub events_measured_at: Option<DateTime<Utc>>,
    /// Over its monthly events quota: `/events` answers 429 `quota_exceeded`.
    pub events_over_quota: bool,
}

pub const TENANT_COLUMNS: &str = "id, slug, display_name, plan, state, schema_name, role_name, cluster_id, \
     statement_timeout_ms, migration_version, migration_error, export_path, created_at, updated_at, \
     suspended_at, deleted_at, analytics_purged_at, limit_overrides, storage_bytes, storage_measured_at, \
     storage_over_quota, events_month, events_measured_at, events_over_quota, tier, pool_name";

impl Tenant {
    /// The schema that holds the tenant's rows: its own, or its pool's.
    pub fn placement_schema(&self) -> &str {
        self.pool_name.as_deref().unwrap_or(&self.schema_name)
    }

    /// The control plane's way into the tenant's rows, as their owner: in a pool, row
    /// level security still shows only this tenant's.
    pub fn owner_scope(&self, statement_timeout_ms: u32) -> Result<atrium_core::db::TenantScope> {
        Ok(
            atrium_core::db::TenantScope::as_owner(self.placement_schema(), statement_timeout_ms)?
                .tenant_id(self.id),
        )
    }

    /// Refuses a tenant placed on another cluster than home, for what is done on home's
    /// only (409 `not_on_home_cluster`); `what` completes "cannot …".
    pub fn require_home(&self, what: &str) -> Result<()> {
        if self.cluster_id == atrium_core::domain::HOME_CLUSTER {
            return Ok(());
        }
        Err(DomainError::conflict(
            "not_on_home_cluster",
            format!(
                "tenant lives on cluster '{}'; Atrium cannot {what} there yet",
                self.cluster_id
            ),
        ))
    }

    /// Refuses anything but an active or suspended tenant, with `code`.
    pub fn require_live(&self, code: &'static str) -> Result<()> {
        if self.state.is_live() {
            Ok(())
        } else {
            Err(DomainError::conflict(
                code,
                format!("tenant is {}", self.state),
            ))
        }
    }
}

impl From<&Row> for Tenant {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get("id"),
            slug: r.get("slug"),
            display_name: r.get("display_name"),
            plan: r.get("plan"),
            state: r.get("state"),
            schema_name: r.get("schema_name"),
            role_name: r.get("role_name"),
            tier: r.get("tier"),
            pool_name: r.get("pool_name"),
            cluster_id: r.get("cluster_id"),
            statement_timeout_ms: r.get("statement_timeout_ms"),
            migration_version: r.get("migration_version"),
            migration_error: r.get("migration_error"),
            export_path: r.get("export_path"),
            created_at: r.get("created_at"),
            updated_at: r.get("updated_at"),
            suspended_at: r.get("suspended_at"),
            deleted_at: r.get("deleted_at"),
            analytics_purged_at: r.get("analytics_purged_at"),
            // The column's CHECK keeps it an object, and only validated overrides are
            // written; anything else would be a hand edit, read as "no overrides".
            limit_overrides: serde_json::from_value(r.get("limit_overrides")).unwrap_or_default(),
            storage_bytes: r.get("storage_bytes"),
            storage_measured_at: r.get("storage_measured_at"),
            storage_over_quota: r.get("storage_over_quota"),
            events_month: r.get("events_month"),
            events_measured_at: r.get("events_measured_at"),
            events_over_quota: r.get("events_over_quota"),
        }
    }
}

pub async fn get<C: GenericClient>(db: &C, slug: &str) -> Result<Tenant> {
    let sql = format!("SELECT {TENANT_COLUMNS} FROM atrium_control.tenants WHERE slug = $1");
    db.query_opt(&sql, &[&slug])
        .await?
        .map(|r| Tenant::from(&r))
        .ok_or(DomainError::NotFound("tenant"))
}

/// Locks the registry row for the rest of the transaction: every lifecycle action on one
/// tenant is serialized by this lock.
pub async fn lock<C: GenericClient>(db: &C, slug: &str) -> Result<Tenant> {
    let sql =
        format!("SELECT {TENANT_COLUMNS} FROM atrium_control.tenants WHERE slug = $1 FOR UPDATE");
    db.query_opt(&sql, &[&slug])
        .await?
        .map(|r| Tenant::from(&r))
        .ok_or(DomainError::NotFound("tenant"))
}

/// Which tenants the operator list shows; also its query parameters.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantFilter {
    /// Case-insensitive substring of the slug or the display name.
    pub q: Option<String>,
    /// Only tenants in this state.
    pub state: Option<String>,
    /// Only tenants on this plan.
    pub plan: Option<String>,
}

/// What the tenant list sorts by: `-created_at` (newest first) unless asked otherwise.
pub const TENANT_SORTS: Sorts = Sorts::by_id(&[
    SortKey::new("created_at", "timestamptz"),
    SortKey::new("slug", "text"),
    SortKey::new("display_name", "text"),
    SortKey::new("state", "text"),
    SortKey::new("plan", "text"),
]);

/// One page of the tenants `filter` matches, and how many there are.
pub async fn list(
    db: &tokio_postgres::Client,
    filter: &TenantFilter,
    keyset: &Keyset,
) -> Result<Page<Tenant>> {
    let state = filter
        .state
        .as_deref()
        .map(|s| TenantState::parse("state", s))
        .transpose()?;
    let plan = filter
        .plan
        .as_deref()
        .map(|p| Plan::parse("plan", p))
        .transpose()?;
    let pattern = search_pattern(filter.q.as_deref())?;
    let from = "FROM atrium_control.tenants
         WHERE ($1::text IS NULL OR slug ILIKE $1 OR display_name ILIKE $1)
           AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR plan = $3)";
    let params: Params = vec![Box::new(pattern), Box::new(state), Box::new(plan)];
    Ok(keyset
        .load(&mut &*db, TENANT_COLUMNS, from, params, |r| Tenant::from(r))
        .await?)
}

/// Every tenant in slug order, for the command line (at most 10,000).
pub async fn all<C: GenericClient>(db: &C) -> Result<Vec<Tenant>> {
    let sql =
        format!("SELECT {TENANT_COLUMNS} FROM atrium_control.tenants ORDER BY slug LIMIT 10000");
    let rows = db.query(&sql, &[]).await?;
    Ok(rows.iter().map(Tenant::from).collect())
}

/// Tells every data plane to drop its cached view of this tenant (or key).
pub async fn notify<C: GenericClient>(db: &C, payload: &str) -> Result<()> {
    db.execute(
        "SELECT pg_notify($1, $2)",
        &[&atrium_core::TENANT_CHANNEL, &payload],
    )
    .await?;
    Ok(())
}

/// Records a change to a tenant (or key) in the transaction that made it: the data
/// planes hear about it once it commits, and the audit log keeps it.
pub async fn record_change<C: GenericClient>(
    db: &C,
    actor: &str,
    action: Action,
    tenant: &str,
    notice: &str,
    detail: serde_json::Value,
) -> Result<()> {
    notify(db, notice).await?;
    audit(db, actor, action, Some(tenant), Ok(()), detail).await
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Increases with every entry; pages of the log go by it.
    pub id: i64,
    pub at: DateTime<Utc>,
    /// Who acted: `operator:<email>`, `token:admin` or `cli:<user>`.
    pub actor: String,
    /// The actor for people to read: `Name <email>`, `admin token`, `command line (root)`.
    pub actor_display: String,
    /// What was done: `tenant.create`, `key.revoke`, `operator.sign_in`, ...
    pub action: String,
    pub tenant_slug: Option<String>,
    /// `ok` or `error`.
    pub outcome: String,
    /// What changed, and the error for a failure.
    pub detail: serde_json::Value,
}

/// Which audit entries to list; also the audit endpoint's query parameters.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only entries of tenants whose slug starts with this.
    pub tenant: Option<String>,
    /// Only entries of exactly this tenant (a tenant's own trail: `acme` without `acme_eu`).
    pub tenant_slug: Option<String>,
    /// Only this action (`GET /v1/audit/actions` lists them all).
    pub action: Option<String>,
    /// Only entries at or after this moment: RFC 3339, or a date (its start, UTC).
    pub from: Option<String>,
    /// Only entries before this moment: RFC 3339, or a date (through its end, UTC).
    pub to: Option<String>,
}

/// The audit log pages newest first by default; `at` is its only sort field.
pub const AUDIT_SORTS: Sorts = Sorts {
    keys: &[SortKey::new("at", "timestamptz")],
    default: "-at",
    tiebreak: "id",
    tiebreak_type: "bigint",
};

/// `value` as a moment: RFC 3339 as it is, a date as its start (`end_of_day` false) or
/// the start of the next day (true), UTC.
fn moment(field: &str, value: &str, end_of_day: bool) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        DomainError::invalid(field, "must be an RFC 3339 time or a date (YYYY-MM-DD)")
    })?;
    let day = if end_of_day {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

const AUDIT_COLUMNS: &str = "id, at, actor, action, tenant_slug, outcome, detail";

impl From<&Row> for AuditEntry {
    fn from(r: &Row) -> Self {
        AuditEntry {
            id: r.get("id"),
            at: r.get("at"),
            actor: r.get("actor"),
            actor_display: crate::actors::describe(r.get("actor")),
            action: r.get("action"),
            tenant_slug: r.get("tenant_slug"),
            outcome: r.get("outcome"),
            detail: r.get("detail"),
        }
    }
}

/// One page of the audit entries `filter` matches, and how many there are.
pub async fn audit_log(
    db: &tokio_postgres::Client,
    filter: &AuditFilter,
    keyset: &Keyset,
) -> Result<Page<AuditEntry>> {
    let from = filter
        .from
        .as_deref()
        .map(|v| moment("from", v, false))
        .transpose()?;
    let to = filter
        .to
        .as_deref()
        .map(|v| moment("to", v, true))
        .transpose()?;
    let params: Params = vec![
        Box::new(filter.tenant.clone()),
        Box::new(filter.action.clone()),
        Box::new(from),
        Box::new(to),
        Box::new(filter.tenant_slug.clone()),
    ];
    let sql = "FROM atrium_control.audit_log
         WHERE ($1::text IS NULL OR starts_with(tenant_slug, $1))
           AND ($5::text IS NULL OR tenant_slug = $5)
           AND ($2::text IS NULL OR action = $2)
           AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)";
    Ok(keyset
        .load(&mut &*db, AUDIT_COLUMNS, sql, params, |r| {
            AuditEntry::from(r)
        })
        .await?)
}

pub async fn audit<C: GenericClient>(
    db: &C,
    actor: &str,
    action: Action,
    tenant: Option<&str>,
    outcome: Result<(), &str>,
    detail: serde_json::Value,
) -> Result<()> {
    let (outcome, detail) = match outcome {
        Ok(()) => ("ok", detail),
        Err(reason) => {
            let mut d = detail;
            if let Some(obj) = d.as_object_mut() {
                obj.insert("error".into(), reason.into());
            }
            ("error", d)
        }
    };
    db.execute(
        "INSERT INTO atrium_control.audit_log (actor, action, tenant_slug, outcome, detail)
         VALUES ($1, $2, $3, $4, $5)",
        &[&actor, &action.as_str(), &tenant, &outcome, &detail],
    )
    .await?;
    Ok(())
}

impl crate::Control {
    /// Records a refused or failed action. Best effort: the caller is already answering
    /// with the original error, which matters more than this record.
    pub async fn audit_failure(
        &self,
        actor: &str,
        action: Action,
        tenant: Option<&str>,
        error: &DomainError,
    ) {
        let written = async {
            let conn = self.pool.get().await?;
            let reason = error.to_string();
            audit(
                &**conn,
                actor,
                action,
                tenant,
                Err(&reason),
                serde_json::json!({}),
            )
            .await
        };
        if let Err(e) = written.await {
            tracing::warn!(action = action.as_str(), error = %e, "failure not audited");
        }
    }
}

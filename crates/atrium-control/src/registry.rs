//! Reading and writing `atrium_control`: tenants, the audit log, change notifications.

use atrium_core::domain::{DomainError, Result};
use atrium_core::domain::{Plan, TenantState};
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
    /// `t_<slug>`: the PostgreSQL schema holding all of the tenant's rows.
    pub schema_name: String,
    /// The NOLOGIN role the data plane becomes for each of the tenant's transactions.
    pub role_name: String,
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
}

pub const TENANT_COLUMNS: &str = "id, slug, display_name, plan, state, schema_name, role_name, cluster_id, \
     statement_timeout_ms, migration_version, migration_error, export_path, created_at, updated_at, \
     suspended_at, deleted_at, analytics_purged_at";

impl Tenant {
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

/// Tenants in slug order, after `after`, at most `fetch`.
pub async fn list<C: GenericClient>(
    db: &C,
    after: Option<&str>,
    state: Option<TenantState>,
    fetch: i64,
) -> Result<Vec<Tenant>> {
    let sql = format!(
        "SELECT {TENANT_COLUMNS} FROM atrium_control.tenants
         WHERE ($1::text IS NULL OR slug > $1) AND ($2::text IS NULL OR state = $2)
         ORDER BY slug LIMIT $3"
    );
    let rows = db.query(&sql, &[&after, &state, &fetch]).await?;
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
    action: &str,
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
    /// Only this tenant's entries.
    pub tenant: Option<String>,
    /// Only this action (`tenant.create`, `operator.sign_in`, ...).
    pub action: Option<String>,
}

pub async fn audit<C: GenericClient>(
    db: &C,
    actor: &str,
    action: &str,
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
        &[&actor, &action, &tenant, &outcome, &detail],
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
        action: &str,
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
            tracing::warn!(action, error = %e, "failure not audited");
        }
    }
}

/// Audit entries newest first, older than `before`, at most `fetch`.
pub async fn audit_log<C: GenericClient>(
    db: &C,
    filter: &AuditFilter,
    before: Option<i64>,
    fetch: i64,
) -> Result<Vec<AuditEntry>> {
    let rows = db
        .query(
            "SELECT id, at, actor, action, tenant_slug, outcome, detail FROM atrium_control.audit_log
             WHERE ($1::text IS NULL OR tenant_slug = $1) AND ($2::text IS NULL OR action = $2)
               AND ($3::bigint IS NULL OR id < $3)
             ORDER BY id DESC LIMIT $4",
            &[&filter.tenant, &filter.action, &before, &fetch],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| AuditEntry {
            id: r.get(0),
            at: r.get(1),
            actor: r.get(2),
            actor_display: crate::actors::describe(r.get(2)),
            action: r.get(3),
            tenant_slug: r.get(4),
            outcome: r.get(5),
            detail: r.get(6),
        })
        .collect())
}

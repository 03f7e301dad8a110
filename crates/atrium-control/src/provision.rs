//! Provisioning: registry row → schema → role → grants → tenant migrations → active.
//!
//! Crash-safe by construction: the registry row is committed first (state
//! `provisioning`), then everything else happens in ONE transaction, because PostgreSQL
//! DDL is transactional. A crash anywhere rolls that transaction back, and running the
//! command again finds the `provisioning` row and does the whole job. Two concurrent
//! runs for one slug serialize on the registry row's lock; the second sees `active`.
//!
//! That rerun is the only repeat allowed: the same slug, still `provisioning`, asked for
//! with the same name and plan. Any other request for a slug that is taken is a 409
//! `tenant_exists`, so a new name or plan is never silently dropped.

use crate::audit_action::Action;
use atrium_core::domain::{DomainError, Result};
use std::{future::Future, pin::Pin};

use atrium_core::{
    domain::{locale, ClusterName, DisplayName, Plan, TenantState, Tier, HOME_CLUSTER},
    migrations::{self, Migration},
    tenancy::{quote_ident, TenantSlug},
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::{
    clusters::{self, mirror},
    lifecycle::TENANT_NAME_MAX_CHARS,
    registry,
    registry::Tenant,
    schema, Control,
};

/// An operator's request for a tenant. Fields stay text here and are parsed in
/// [`Control::provision`], so a refused request is audited like any other failure.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewTenant {
    pub slug: String,
    pub display_name: Option<String>,
    pub plan: Option<String>,
    /// The tenant's currency (ISO 4217, such as `CNY`); the operator's default when
    /// absent. Its admins can change it.
    #[serde(default)]
    pub currency: Option<String>,
    /// The tenant's IANA time zone (such as `Asia/Shanghai`); the operator's default
    /// when absent. Its admins can change it.
    #[serde(default)]
    pub timezone: Option<String>,
    /// `schema` (a schema and a role of its own) or `pooled` (rows in a shared pool
    /// schema behind row-level security; provisioning is one registry row). Absent: the
    /// plan's tier, `pooled` for free and `schema` for pro and enterprise.
    #[serde(default)]
    #[schema(value_type = Option<Tier>)]
    pub tier: Option<String>,
    /// The cluster to place the tenant on (docs/scale-out.md). Absent: the open cluster
    /// with the most room, by `control.placement.policy`. A dedicated cluster is only
    /// ever named.
    #[serde(default)]
    pub cluster: Option<String>,
}

/// Hands a tenant's starting currency and time zone to the tenant migrations of this
/// transaction, which create its settings row from them (`0003_notes_settings.sql`).
pub(crate) async fn pass_tenant_defaults<C: tokio_postgres::GenericClient>(
    db: &C,
    currency: &str,
    timezone: &str,
) -> Result<()> {
    db.execute(
        "SELECT set_config('atrium.tenant_currency', $1, true),
                set_config('atrium.tenant_timezone', $2, true)",
        &[&currency, &timezone],
    )
    .await?;
    Ok(())
}

/// Lets `role` read and write every table and sequence made in `schema` from now on
/// (both quoted already).
pub(crate) async fn grant_rows<C: tokio_postgres::GenericClient>(
    tx: &C,
    schema: &str,
    role: &str,
) -> Result<()> {
    tx.batch_execute(&format!(
        "GRANT USAGE ON SCHEMA {schema} TO {role};
         ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
         ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role};"
    ))
    .await?;
    Ok(())
}

/// Runs every migration of `set` with `search_path` at `schema` (quoted already), in the
/// caller's transaction.
pub(crate) async fn apply_in<C: tokio_postgres::GenericClient>(
    tx: &C,
    schema: &str,
    set: &[Migration],
) -> Result<()> {
    tx.batch_execute(&format!("SET LOCAL search_path = {schema}"))
        .await?;
    for m in set {
        tx.batch_execute(m.sql).await?;
    }
    tx.batch_execute("SET LOCAL search_path = atrium_control")
        .await?;
    Ok(())
}

/// The audit entry and change notice of a new tenant, in its provisioning transaction.
async fn record_created<C: tokio_postgres::GenericClient>(
    tx: &C,
    actor: &str,
    slug: &TenantSlug,
    detail: serde_json::Value,
) -> Result<()> {
    registry::record_change(
        tx,
        actor,
        Action::TenantCreate,
        slug.as_str(),
        slug.as_str(),
        detail,
    )
    .await
}

/// Why a slug held by a tenant in `state` (anything but `provisioning`) can't be used.
fn slug_taken(slug: &TenantSlug, state: TenantState) -> DomainError {
    match state {
        TenantState::Deleting | TenantState::Deleted => DomainError::conflict(
            "slug_unavailable",
            format!("slug '{slug}' belonged to a deleted tenant and stays reserved"),
        ),
        _ => DomainError::conflict(
            "tenant_exists",
            format!("a tenant with slug '{slug}' already exists; choose another slug"),
        ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Registered,
    SchemaCreated,
    RoleCreated,
    Granted,
    Migrated,
    /// Placed on another cluster than home: its schema is committed there, its registry
    /// row not yet active.
    OnCluster,
    Activated,
}

/// Called after each step; tests use it to "crash" at a chosen step.
pub type Observer<'a> =
    &'a (dyn Fn(Step) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync);

impl Control {
    pub async fn provision(&self, req: &NewTenant, actor: &str) -> Result<Tenant> {
        let result = self
            .provision_observed(req, actor, &|_| Box::pin(async {}), schema::TENANT)
            .await;
        if let Err(e) = &result {
            self.audit_failure(actor, Action::TenantCreate, Some(&req.slug), e)
                .await;
        }
        result
    }

    pub async fn provision_observed(
        &self,
        req: &NewTenant,
        actor: &str,
        observe: Observer<'_>,
        set: &[Migration],
    ) -> Result<Tenant> {
        let slug = TenantSlug::parse(&req.slug)?;
        let display_name = DisplayName::parse_with_max(
            "display_name",
            req.display_name.as_deref().unwrap_or(slug.as_str()),
            TENANT_NAME_MAX_CHARS,
        )?;
        let plan = match req.plan.as_deref() {
            Some(p) => Plan::parse("plan", p)?,
            None => Plan::default(),
        };
        let defaults = &self.config.tenant_defaults;
        let currency = locale::currency(
            "currency",
            req.currency.as_deref().unwrap_or(&defaults.currency),
        )?;
        let timezone = locale::timezone(
            "timezone",
            req.timezone.as_deref().unwrap_or(&defaults.timezone),
        )?;

        let tier = match req.tier.as_deref() {
            Some(t) => Tier::parse("tier", t)?,
            None => plan.default_tier(),
        };
        let cluster = req
            .cluster
            .as_deref()
            .map(|c| ClusterName::parse("cluster", c))
            .transpose()?;
        if tier == Tier::Pooled {
            let new = Pooled {
                slug: &slug,
                display_name: display_name.as_str(),
                plan,
                currency,
                timezone: &timezone,
                cluster: cluster.as_ref(),
            };
            return self.provision_pooled(new, actor, schema::POOL).await;
        }

        let mut conn = self.pool.get().await?;
        self.register(
            &mut conn,
            &slug,
            display_name.as_str(),
            plan,
            cluster.as_ref(),
        )
        .await?;
        observe(Step::Registered).await;

        let tx = conn.transaction().await?;
        let tenant = registry::lock(&*tx, slug.as_str()).await?;
        let elsewhere = cluster
            .as_ref()
            .is_some_and(|c| c.as_str() != tenant.cluster_id);
        match tenant.state {
            TenantState::Provisioning
                if tenant.display_name != display_name.as_str()
                    || tenant.plan != plan
                    || elsewhere =>
            {
                return Err(DomainError::conflict(
                    "tenant_exists",
                    format!(
                        "tenant '{slug}' is being provisioned with another name or plan; \
                         repeat the first request to finish it"
                    ),
                ))
            }
            TenantState::Provisioning => {}
            taken => return Err(slug_taken(&slug, taken)),
        }
        let made = Made {
            tenant: &tenant,
            currency,
            timezone: &timezone,
            set,
        };
        if tenant.cluster_id == HOME_CLUSTER {
            made.create(&*tx, observe).await?;
        } else {
            // The schema is made on its cluster, in a transaction of its own there, while
            // this one holds the registry row: a crash between the two commits leaves
            // the cluster's copy of the row saying what was done (`clusters/mirror.rs`).
            let pool = self.db_of(&tenant.cluster_id).await?;
            let mut remote = pool.get().await?;
            let rtx = remote.transaction().await?;
            let done = mirror::read(&*rtx, tenant.id).await?;
            if !done.is_some_and(|(state, _)| state == TenantState::Active) {
                made.create(&*rtx, observe).await?;
                let copy = Tenant {
                    state: TenantState::Active,
                    migration_version: migrations::latest(set),
                    ..tenant.clone()
                };
                mirror::write(&*rtx, &tenant.cluster_id, &copy).await?;
            }
            rtx.commit().await?;
            observe(Step::OnCluster).await;
        }

        tx.execute(
            "UPDATE atrium_control.tenants
             SET state = 'active', migration_version = $2, updated_at = now() WHERE id = $1",
            &[&tenant.id, &migrations::latest(set)],
        )
        .await?;
        let detail = json!({"plan": plan, "schema": tenant.schema_name, "cluster": tenant.cluster_id,
                            "currency": currency, "timezone": timezone});
        record_created(&*tx, actor, &slug, detail).await?;
        let tenant = registry::get(&*tx, slug.as_str()).await?;
        tx.commit().await?;
        observe(Step::Activated).await;
        Ok(tenant)
    }
}

/// A schema-tier tenant's schema, role, grants and tables, made in one transaction on
/// the cluster it is placed on.
pub(crate) struct Made<'a> {
    pub(crate) tenant: &'a Tenant,
    pub(crate) currency: &'a str,
    pub(crate) timezone: &'a str,
    pub(crate) set: &'a [Migration],
}

impl Made<'_> {
    pub(crate) async fn create<C: tokio_postgres::GenericClient>(
        &self,
        tx: &C,
        observe: Observer<'_>,
    ) -> Result<()> {
        let schema = quote_ident(&self.tenant.schema_name);
        let role = quote_ident(&self.tenant.role_name);

        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .await?;
        observe(Step::SchemaCreated).await;

        tx.execute(
            "SELECT atrium_roles.create_tenant_role($1)",
            &[&self.tenant.role_name],
        )
        .await?;
        observe(Step::RoleCreated).await;

        grant_rows(tx, &schema, &role).await?;
        observe(Step::Granted).await;

        crate::migrate::record_checksums(tx, self.set).await?;
        pass_tenant_defaults(tx, self.currency, self.timezone).await?;
        apply_in(tx, &schema, self.set).await?;
        observe(Step::Migrated).await;
        Ok(())
    }
}

impl Control {
    /// The registry row of a new schema-tier tenant, `provisioning`, on the cluster
    /// placement chose. A row that exists already (an interrupted run, or a taken slug)
    /// is left as it is, for the caller to judge.
    async fn register(
        &self,
        conn: &mut deadpool_postgres::Object,
        slug: &TenantSlug,
        display_name: &str,
        plan: Plan,
        cluster: Option<&ClusterName>,
    ) -> Result<()> {
        let tx = conn.transaction().await?;
        match registry::get(&*tx, slug.as_str()).await {
            Err(DomainError::NotFound(_)) => {}
            Err(e) => return Err(e),
            Ok(_) => return Ok(()),
        }
        let cluster = clusters::choose(&*tx, &self.config.placement, cluster, Tier::Schema).await?;
        // No conflict target: schema and role names derive from the slug, so a racing
        // insert of the same slug may trip any of the three unique indexes first.
        tx.execute(
            "INSERT INTO atrium_control.tenants
                 (id, slug, display_name, plan, state, schema_name, role_name, statement_timeout_ms,
                  cluster_id)
             VALUES ($1, $2, $3, $4, 'provisioning', $5, $6, $7, $8)
             ON CONFLICT DO NOTHING",
            &[
                &Uuid::now_v7(),
                &slug.as_str(),
                &display_name,
                &plan,
                &slug.schema_name(),
                &slug.role_name(&self.config.role_prefix),
                &(self.config.tenant_statement_timeout_ms as i32),
                &cluster,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A checked request for a pooled tenant.
struct Pooled<'a> {
    slug: &'a TenantSlug,
    display_name: &'a str,
    plan: Plan,
    currency: &'a str,
    timezone: &'a str,
    cluster: Option<&'a ClusterName>,
}

impl Control {
    /// A pooled tenant is its registry row and its settings row in a pool, in one
    /// transaction: nothing to create per tenant, so nothing for a crash to leave half done.
    async fn provision_pooled(
        &self,
        new: Pooled<'_>,
        actor: &str,
        set: &[Migration],
    ) -> Result<Tenant> {
        let slug = new.slug;
        let mut conn = self.pool.get().await?;
        let tx = conn.transaction().await?;
        // Checked first, so a taken slug never makes a pool; a racing insert of the same
        // slug is caught by the insert itself.
        if let Ok(existing) = registry::get(&*tx, slug.as_str()).await {
            return Err(slug_taken(slug, existing.state));
        }
        // Pools live on home for now: this refuses another cluster by name, and checks
        // home has room.
        clusters::choose(&*tx, &self.config.placement, new.cluster, Tier::Pooled).await?;
        let pool = self.pool_with_room(&*tx, set).await?;
        let id = Uuid::now_v7();
        let inserted = tx
            .execute(
                "INSERT INTO atrium_control.tenants
                     (id, slug, display_name, plan, state, schema_name, role_name, statement_timeout_ms,
                      tier, pool_name, migration_version)
                 SELECT $1, $2, $3, $4, 'active', $5, $6, $7, 'pooled', $8, p.migration_version
                 FROM atrium_control.pools p WHERE p.name = $8
                 ON CONFLICT DO NOTHING",
                &[
                    &id,
                    &slug.as_str(),
                    &new.display_name,
                    &new.plan,
                    &slug.schema_name(),
                    &slug.role_name(&self.config.role_prefix),
                    &(self.config.tenant_statement_timeout_ms as i32),
                    &pool.schema_name(),
                ],
            )
            .await?;
        if inserted == 0 {
            return Err(slug_taken(slug, TenantState::Active));
        }
        tx.execute(
            "SELECT set_config('search_path', $1, true), set_config('atrium.tenant_id', $2, true)",
            &[&quote_ident(&pool.schema_name()), &id.to_string()],
        )
        .await?;
        tx.execute(
            "INSERT INTO settings (currency, timezone) VALUES ($1, $2)",
            &[&new.currency, &new.timezone],
        )
        .await?;
        tx.batch_execute("SET LOCAL search_path = atrium_control")
            .await?;
        let detail = json!({"plan": new.plan, "tier": Tier::Pooled, "pool": pool.schema_name(),
                            "currency": new.currency, "timezone": new.timezone});
        record_created(&*tx, actor, slug, detail).await?;
        let tenant = registry::get(&*tx, slug.as_str()).await?;
        tx.commit().await?;
        Ok(tenant)
    }
}

//! What the operator API reads without changing anything: the tenant list, the audit
//! log, a deleted tenant's export, and what the console needs before sign-in.

use atrium_core::domain::{DomainError, Result};
use atrium_core::{migrations, tenancy::TenantSlug};
use atrium_http::{Keyset, Page};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    registry::{self, AuditEntry, AuditFilter, Tenant, TenantFilter},
    schema, Control,
};

/// What the console needs before anyone signs in.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsoleConfig {
    /// Where browsers reach the data plane: tenant apps are linked there.
    pub api_url: String,
    /// The tenant schema version this build migrates to.
    pub tenant_migration_target: i32,
    /// What a new tenant's slug must look like, to show before anyone types one.
    pub slug_rules: SlugRules,
}

/// The rules [`TenantSlug::parse`] applies, for a form to show and check as people type.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlugRules {
    /// A regular expression for the shape: `^[a-z][a-z0-9_]{2,39}$`.
    pub pattern: &'static str,
    pub min_length: usize,
    pub max_length: usize,
    /// Refused whole.
    pub reserved: &'static [&'static str],
    /// Refused at the start.
    pub reserved_prefixes: &'static [&'static str],
    /// The rules in one plain sentence (English; the console translates by the fields).
    pub description: String,
}

impl SlugRules {
    pub fn current() -> Self {
        use atrium_core::tenancy::{
            RESERVED_EXACT, RESERVED_PREFIXES, SLUG_MAX, SLUG_MIN, SLUG_PATTERN,
        };
        Self {
            pattern: SLUG_PATTERN,
            min_length: SLUG_MIN,
            max_length: SLUG_MAX,
            reserved: RESERVED_EXACT,
            reserved_prefixes: RESERVED_PREFIXES,
            description: format!(
                "{SLUG_MIN} to {SLUG_MAX} characters: lowercase letters a-z, digits and \
                 underscores, starting with a letter. It appears in URLs, can't be changed \
                 later and is never reused; a few names ({}) and anything starting with {} \
                 are reserved.",
                RESERVED_EXACT.join(", "),
                RESERVED_PREFIXES.join(" or ")
            ),
        }
    }
}

/// A deleted tenant's export, ready to stream.
pub struct ExportFile {
    pub file: tokio::fs::File,
    pub filename: String,
}

impl Control {
    /// One page of the tenants `filter` matches.
    pub async fn list_tenants(
        &self,
        filter: &TenantFilter,
        keyset: &Keyset,
    ) -> Result<Page<Tenant>> {
        let conn = self.pool.get().await?;
        registry::list(&conn, filter, keyset).await
    }

    /// One page of the audit entries `filter` matches.
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
        keyset: &Keyset,
    ) -> Result<Page<AuditEntry>> {
        let conn = self.pool.get().await?;
        let mut page = registry::audit_log(&conn, filter, keyset).await?;
        crate::actors::name_operators(&**conn, &mut page.items).await?;
        Ok(page)
    }

    /// The tenant's newest export (a plain SQL file).
    pub async fn export_file(&self, slug: &str) -> Result<ExportFile> {
        let slug = TenantSlug::parse(slug)?;
        let tenant = self.get_tenant(slug.as_str()).await?;
        let path = tenant.export_path.ok_or(DomainError::NotFound("export"))?;
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|_| DomainError::NotFound("export"))?;
        Ok(ExportFile {
            file,
            filename: format!("atrium-{slug}-export.sql"),
        })
    }

    pub fn console_config(&self) -> ConsoleConfig {
        ConsoleConfig {
            api_url: self.config.public_api_url.clone(),
            tenant_migration_target: migrations::latest(schema::TENANT),
            slug_rules: SlugRules::current(),
        }
    }
}

//! `atrium tenant psql`: psql as one tenant, for an operator or a learner. The session
//! logs in as a login role made for it alone, which can do nothing but become the
//! tenant's role (asked for at login, with the tenant's `search_path` as the role's
//! default), expires by itself and is dropped when psql exits (docs/learn, chapter 6).

use atrium_core::{
    bootstrap::CONSOLE_ROLE_INFIX,
    domain::{DomainError, Result, Tier},
    tenancy::TenantSlug,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::{audit_action::Action, registry, Control};

/// How long a console role may log in, unless asked otherwise: it is dropped when psql
/// exits, so this bounds only a session whose `atrium` process was killed.
pub const DEFAULT_MINUTES: i32 = 60;

/// A console role, made and not yet closed. Where to connect comes from the control
/// plane's URL for the tenant's cluster; the password never leaves this struct except
/// into psql's environment.
pub struct SqlConsole {
    pub cluster: String,
    pub role: String,
    /// The tenant's own role, which the session becomes at login.
    pub tenant_role: String,
    pub password: SecretString,
    /// libpq's `host`, `port` and `dbname`, comma-separated for a multi-host URL.
    pub host: String,
    pub port: String,
    pub dbname: String,
    pub minutes: i32,
}

impl SqlConsole {
    /// The environment psql reads: the password goes here rather than on its command
    /// line, where `ps` would show it.
    pub fn libpq_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PGHOST", self.host.clone()),
            ("PGPORT", self.port.clone()),
            ("PGDATABASE", self.dbname.clone()),
            ("PGUSER", self.role.clone()),
            ("PGPASSWORD", self.password.expose_secret().to_owned()),
            ("PGAPPNAME", "atrium-psql".to_owned()),
            // Becomes the tenant at login, as `SET ROLE` would: the role it may become is
            // the login role's only membership, so this grants nothing.
            ("PGOPTIONS", format!("-c role={}", self.tenant_role)),
            // A Patroni pair's URL names both servers: only the primary takes writes.
            ("PGTARGETSESSIONATTRS", "read-write".to_owned()),
        ]
    }
}

impl Control {
    /// Makes a console role for `slug` (schema tier only), valid for `minutes`, and
    /// records who asked. Close it with [`Control::close_sql_console`].
    pub async fn open_sql_console(
        &self,
        slug: &str,
        actor: &str,
        minutes: i32,
    ) -> Result<SqlConsole> {
        let slug = TenantSlug::parse(slug)?;
        if !(1..=1440).contains(&minutes) {
            return Err(DomainError::invalid("minutes", "1 to 1440"));
        }
        let tenant = registry::get(&**self.pool.get().await?, slug.as_str()).await?;
        tenant.require_live("tenant_not_active")?;
        if tenant.tier == Tier::Pooled {
            // A pooled tenant's rows share tables with its neighbours', kept apart by a
            // setting the data plane sets per transaction. A person at psql could set it
            // to another tenant's id: a console there would be a door to every tenant.
            return Err(DomainError::conflict(
                "tenant_pooled",
                "a pooled tenant has no role of its own to log in as; move it to the schema tier first",
            ));
        }
        let cluster = tenant.cluster_id.clone();
        let url = self.control_url_of(&cluster).await?;
        let target: tokio_postgres::Config = url
            .expose_secret()
            .parse()
            .map_err(|e| anyhow::anyhow!("cluster {cluster}'s URL: {e}"))?;
        let role = format!(
            "{}{CONSOLE_ROLE_INFIX}{:016x}",
            self.config.role_prefix,
            rand::random::<u64>()
        );
        let password = SecretString::from(format!("{:032x}", rand::random::<u128>()));
        let db = self.db_of(&cluster).await?.get().await?;
        db.execute(
            "SELECT atrium_roles.open_console($1, $2, $3, $4, $5)",
            &[
                &role,
                &tenant.role_name,
                &tenant.schema_name,
                &password.expose_secret(),
                &minutes,
            ],
        )
        .await?;
        registry::audit(
            &**self.pool.get().await?,
            actor,
            Action::TenantPsql,
            Some(slug.as_str()),
            Ok(()),
            json!({"role": role, "cluster": cluster, "minutes": minutes}),
        )
        .await?;
        let hosts: Vec<String> = target
            .get_hosts()
            .iter()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        let ports: Vec<String> = target.get_ports().iter().map(u16::to_string).collect();
        Ok(SqlConsole {
            cluster,
            role,
            tenant_role: tenant.role_name.clone(),
            password,
            host: hosts.join(","),
            port: ports.join(","),
            dbname: target.get_dbname().unwrap_or("postgres").to_owned(),
            minutes,
        })
    }

    /// Drops the console's role, and any other console role on its cluster past its
    /// expiry (left by an `atrium` that was killed). Returns how many were dropped.
    pub async fn close_sql_console(&self, console: &SqlConsole) -> Result<i32> {
        let db = self.db_of(&console.cluster).await?.get().await?;
        let row = db
            .query_one("SELECT atrium_roles.close_consoles($1)", &[&console.role])
            .await?;
        Ok(row.get(0))
    }
}

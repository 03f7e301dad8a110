//! One-time, superuser-level setup of a database for Atrium: the database itself, the
//! control plane's login role (CREATEROLE, owns the database, runs all DDL) and the data
//! plane's login role (NOINHERIT, no CREATE anywhere). Everything after this runs with
//! those two roles only.

use crate::{
    db::{exists, CatalogObject},
    tenancy::{is_plain_identifier, quote_ident, quote_literal},
};

pub struct Bootstrap<'a> {
    pub database: &'a str,
    pub control_role: &'a str,
    pub control_password: &'a str,
    pub api_role: &'a str,
    pub api_password: &'a str,
}

/// Idempotent: roles and database that already exist get their passwords and
/// attributes re-applied.
pub async fn run(superuser_url: &str, b: &Bootstrap<'_>) -> anyhow::Result<()> {
    for name in [b.database, b.control_role, b.api_role] {
        anyhow::ensure!(
            is_plain_identifier(name),
            "{name:?} is not a plain lowercase identifier"
        );
    }
    let (client, conn) = crate::db::connect_one(superuser_url, "atrium-bootstrap").await?;
    tokio::spawn(conn);
    for (role, password, attrs) in [
        (
            b.control_role,
            b.control_password,
            "LOGIN CREATEROLE NOSUPERUSER NOCREATEDB",
        ),
        (
            b.api_role,
            b.api_password,
            "LOGIN NOINHERIT NOCREATEROLE NOSUPERUSER NOCREATEDB",
        ),
    ] {
        let exists = exists(&client, CatalogObject::Role, role).await?;
        let verb = if exists { "ALTER" } else { "CREATE" };
        client
            .batch_execute(&format!(
                "{verb} ROLE {} {attrs} PASSWORD {}",
                quote_ident(role),
                quote_literal(password)?
            ))
            .await?;
    }
    let db_exists = exists(&client, CatalogObject::Database, b.database).await?;
    if !db_exists {
        client
            .batch_execute(&format!(
                "CREATE DATABASE {} OWNER {}",
                quote_ident(b.database),
                quote_ident(b.control_role)
            ))
            .await?;
    }
    drop(client);

    // Inside the new database: nobody but the owner may create anything.
    let db_url = replace_database(superuser_url, b.database)?;
    let (client, conn) = crate::db::connect_one(&db_url, "atrium-bootstrap").await?;
    tokio::spawn(conn);
    client
        .batch_execute(&format!(
            "REVOKE ALL ON SCHEMA public FROM PUBLIC;
             REVOKE CREATE, TEMPORARY ON DATABASE {db} FROM PUBLIC;
             GRANT CONNECT ON DATABASE {db} TO {api};
             ALTER SCHEMA public OWNER TO {ctl};",
            db = quote_ident(b.database),
            api = quote_ident(b.api_role),
            ctl = quote_ident(b.control_role),
        ))
        .await?;
    Ok(())
}

/// Points a `postgres://` URL at another database.
pub fn replace_database(url: &str, database: &str) -> anyhow::Result<String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base
        .find("://")
        .map(|i| i + 3)
        .ok_or_else(|| anyhow::anyhow!("not a URL"))?;
    let host_part = &base[scheme_end..];
    let host_end = host_part
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..host_end], database);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn swaps_the_database() {
        assert_eq!(
            replace_database("postgres://u:p@h:1/postgres?sslmode=disable", "x")
                .ok()
                .as_deref(),
            Some("postgres://u:p@h:1/x?sslmode=disable")
        );
        assert_eq!(
            replace_database("postgres://u@h:1", "x").ok().as_deref(),
            Some("postgres://u@h:1/x")
        );
    }
}

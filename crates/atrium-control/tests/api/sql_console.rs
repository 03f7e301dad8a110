//! `atrium tenant psql`'s login roles: they act as their one tenant, nothing more, and
//! are gone once closed or expired.

use atrium_control::{provision::NewTenant, sql_console::SqlConsole};
use atrium_core::domain::DomainError;

use crate::TestControl;

async fn login(console: &SqlConsole) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let mut cfg = tokio_postgres::Config::new();
    let env: std::collections::HashMap<_, _> = console.libpq_env().into_iter().collect();
    cfg.host(&env["PGHOST"])
        .port(env["PGPORT"].parse().expect("port"))
        .dbname(&env["PGDATABASE"])
        .user(&env["PGUSER"])
        .password(&env["PGPASSWORD"])
        .application_name(&env["PGAPPNAME"])
        .options(&env["PGOPTIONS"]);
    let (client, conn) = cfg.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    Ok(client)
}

async fn one(client: &tokio_postgres::Client, sql: &str) -> Result<String, String> {
    client
        .query_one(sql, &[])
        .await
        .map(|r| r.get::<_, String>(0))
        .map_err(|e| {
            e.as_db_error()
                .map(|d| d.message().to_owned())
                .unwrap_or(e.to_string())
        })
}

#[tokio::test]
async fn a_console_role_acts_as_its_tenant_only_and_is_dropped_when_closed() {
    let t = TestControl::new().await;
    t.provision("alpha").await;
    t.provision("beta").await;
    let prefix = &t.control.config.role_prefix;
    let console = t
        .control
        .open_sql_console("alpha", "test", 5)
        .await
        .expect("console");
    assert!(console.role.starts_with(&format!("{prefix}psql_")));

    let db = login(&console).await.expect("the console role logs in");
    // Logged in as the console role, acting as the tenant's role, in its schema.
    assert_eq!(
        one(&db, "SELECT session_user::text").await,
        Ok(console.role.clone())
    );
    assert_eq!(
        one(&db, "SELECT current_user::text").await,
        Ok(format!("{prefix}t_alpha"))
    );
    assert_eq!(one(&db, "SHOW search_path").await, Ok("t_alpha".into()));
    db.batch_execute("INSERT INTO customers (id, name) VALUES (gen_random_uuid(), 'From psql')")
        .await
        .expect("the tenant's own table");
    assert_eq!(
        one(&db, "SELECT name FROM customers").await,
        Ok("From psql".into())
    );
    // Another tenant's schema, by name or by a changed search_path: refused.
    let refused = one(&db, "SELECT name FROM t_beta.customers").await;
    assert!(refused
        .expect_err("another schema")
        .contains("permission denied"));
    // A schema the role may not use is skipped in the search path, as if absent.
    db.batch_execute("SET search_path = t_beta")
        .await
        .expect("set");
    assert!(one(&db, "SELECT name FROM customers")
        .await
        .expect_err("another search path")
        .contains("does not exist"));
    // SET ROLE NONE gives back the login role (RESET ROLE would go back to the role asked
    // for at login), which holds nothing (NOINHERIT) but the
    // one membership; becoming another tenant's role is refused.
    db.batch_execute("SET ROLE NONE").await.expect("reset");
    assert!(one(&db, "SELECT name FROM t_alpha.customers")
        .await
        .expect_err("the login role itself")
        .contains("permission denied"));
    let other = db
        .batch_execute(&format!("SET ROLE {prefix}t_beta"))
        .await
        .expect_err("another tenant's role");
    let why = other.as_db_error().map(|d| d.message().to_owned());
    assert!(
        why.as_deref()
            .is_some_and(|m| m.contains("permission denied")),
        "{why:?}"
    );
    drop(db);

    // The audit names who opened which role.
    assert_eq!(
        t.count(
            "SELECT count(*) FROM atrium_control.audit_log WHERE action = 'tenant.psql' AND detail->>'role' = $1",
            &[&console.role],
        )
        .await,
        1
    );
    assert_eq!(
        t.control.close_sql_console(&console).await.expect("close"),
        1
    );
    assert!(login(&console).await.is_err(), "the role is gone");
    assert_eq!(
        t.count(
            "SELECT count(*) FROM pg_roles WHERE rolname = $1",
            &[&console.role]
        )
        .await,
        0
    );
}

#[tokio::test]
async fn expired_console_roles_are_swept_and_bad_requests_change_nothing() {
    let t = TestControl::new().await;
    t.provision("alpha").await;
    let left = t
        .control
        .open_sql_console("alpha", "test", 1)
        .await
        .expect("console");
    // As if its `atrium` had been killed an hour ago: the role's expiry has passed.
    t.db.superuser()
        .await
        .batch_execute(&format!(
            "ALTER ROLE \"{}\" VALID UNTIL '2000-01-01'",
            left.role
        ))
        .await
        .expect("expire");
    assert!(login(&left).await.is_err(), "an expired role cannot log in");
    let next = t
        .control
        .open_sql_console("alpha", "test", 5)
        .await
        .expect("console");
    assert_eq!(
        t.control.close_sql_console(&next).await.expect("close"),
        2,
        "its own role and the expired one"
    );

    let pooled = NewTenant {
        slug: "gamma".into(),
        tier: Some("pooled".into()),
        ..Default::default()
    };
    t.control.provision(&pooled, "test").await.expect("pooled");
    let roles = "SELECT count(*) FROM pg_roles WHERE rolname LIKE $1";
    let shape = format!("{}psql_%", t.control.config.role_prefix);
    for (slug, minutes, code) in [
        ("gamma", 5, "tenant_pooled"),
        ("nobody", 5, "not_found"),
        ("alpha", 0, "invalid"),
        ("alpha", 1441, "invalid"),
        ("Alpha; DROP ROLE x", 5, "invalid"),
    ] {
        let err = t
            .control
            .open_sql_console(slug, "test", minutes)
            .await
            .err()
            .unwrap_or_else(|| panic!("{slug} {minutes} was accepted"));
        let got = match &err {
            DomainError::Conflict { code, .. } => *code,
            DomainError::NotFound(_) => "not_found",
            DomainError::Invalid(_) | DomainError::Slug(_) => "invalid",
            other => panic!("{slug}: {other}"),
        };
        assert_eq!(got, code, "{slug} {minutes}: {err}");
    }
    assert_eq!(t.count(roles, &[&shape]).await, 0);
}

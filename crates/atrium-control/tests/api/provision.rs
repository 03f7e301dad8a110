//! Provisioning is crash-safe at every step (a rerun of the interrupted request finishes
//! it), safe under concurrency, and never answers a taken slug with the old tenant.

use std::{sync::Arc, time::Instant};

use atrium_control::provision::{NewTenant, Step};
use atrium_control::schema::TENANT;
use tokio::sync::Notify;

use crate::{new_tenant, TestControl};

async fn assert_fully_provisioned(t: &TestControl, slug: &str) {
    let schema = format!("t_{slug}");
    let role = format!("{}t_{slug}", t.control.config.role_prefix);
    assert_eq!(
        t.count(
            "SELECT count(*) FROM atrium_control.tenants WHERE slug = $1 AND state = 'active'",
            &[&slug]
        )
        .await,
        1
    );
    assert_eq!(
        t.count(
            "SELECT count(*) FROM pg_namespace WHERE nspname = $1",
            &[&schema]
        )
        .await,
        1
    );
    assert_eq!(
        t.count(
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1",
            &[&schema]
        )
        .await,
        9,
        "customers, contacts, deals, deal_stage_history, orders, users, sessions, notes, settings"
    );
    assert_eq!(
        t.count(
            "SELECT count(*) FROM pg_roles WHERE rolname = $1 AND NOT rolcanlogin",
            &[&role]
        )
        .await,
        1
    );
    let api = t.control.config.api_role.clone();
    assert_eq!(
        t.count(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
             WHERE r.rolname = $1 AND u.rolname = $2",
            &[&role, &api]
        )
        .await,
        1,
        "the api role is a member of the tenant role"
    );
    // Tenant role: DML on its own tables, nothing more.
    let su = t.db.superuser().await;
    let row = su
        .query_one(
            "SELECT has_table_privilege($1, $2, 'SELECT, INSERT, UPDATE, DELETE'),
                    has_table_privilege($1, $2, 'TRUNCATE'), has_schema_privilege($1, $3, 'CREATE')",
            &[&role, &format!("{schema}.customers"), &schema],
        )
        .await
        .expect("privileges");
    assert_eq!(
        (
            row.get::<_, bool>(0),
            row.get::<_, bool>(1),
            row.get::<_, bool>(2)
        ),
        (true, false, false)
    );
}

/// The stable code a refusal is answered with.
pub(crate) fn code(e: atrium_core::domain::DomainError) -> String {
    atrium_http::ApiError::from(e).code().to_owned()
}

#[tokio::test]
async fn creating_an_existing_slug_is_409_tenant_exists() {
    let t = TestControl::new().await;
    let start = Instant::now();
    let first = t
        .control
        .provision(&new_tenant("acme"), "test")
        .await
        .expect("provision");
    println!("provisioned one tenant in {:?}", start.elapsed());
    assert_fully_provisioned(&t, "acme").await;
    let renamed = NewTenant {
        slug: "acme".into(),
        display_name: Some("Acme Two".into()),
        plan: Some("enterprise".into()),
        ..Default::default()
    };
    for req in [new_tenant("acme"), renamed] {
        let err = t.control.provision(&req, "test").await.expect_err("taken");
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(code(err), "tenant_exists");
    }
    let now = t.control.get_tenant("acme").await.expect("get");
    assert_eq!(
        (now.id, now.display_name.as_str(), now.plan),
        (first.id, "acme", first.plan),
        "the refused requests changed nothing"
    );
    t.control
        .suspend("acme", "test", "unpaid")
        .await
        .expect("suspend");
    let err = t
        .control
        .provision(&new_tenant("acme"), "test")
        .await
        .expect_err("taken");
    assert_eq!(code(err), "tenant_exists");
    let refused: i64 = t
        .count("SELECT count(*) FROM atrium_control.audit_log WHERE action = 'tenant.create' AND outcome = 'error'", &[])
        .await;
    assert_eq!(refused, 3, "every refusal is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_provisioning_of_one_slug_ends_with_one_tenant() {
    let t = TestControl::new().await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let control = t.another();
        tasks.push(tokio::spawn(async move {
            control.provision(&new_tenant("racer"), "test").await
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.expect("join") {
            Ok(_) => created += 1,
            Err(e) => assert_eq!(code(e), "tenant_exists"),
        }
    }
    assert_eq!(created, 1, "exactly one caller did the work");
    assert_fully_provisioned(&t, "racer").await;
}

/// "Kill" the provisioning at every step: the attempt runs on its own control plane
/// (its own connections), is held at the step, then aborted and its pool dropped, which
/// closes its connections exactly as a killed process would. Running the command
/// again must finish the job.
#[tokio::test]
async fn a_crash_at_any_step_is_finished_by_a_rerun() {
    let t = TestControl::new().await;
    let steps = [
        Step::Registered,
        Step::SchemaCreated,
        Step::RoleCreated,
        Step::Granted,
        Step::Migrated,
    ];
    for (i, crash_at) in steps.into_iter().enumerate() {
        let slug = format!("crash_{i}");
        crash_during(t.another(), new_tenant(&slug), crash_at).await;
        // Nothing half-done is visible: either only the registry row, or nothing else.
        let state: i64 = t.count("SELECT count(*) FROM atrium_control.tenants WHERE slug = $1 AND state = 'provisioning'", &[&slug]).await;
        assert_eq!(
            state, 1,
            "{crash_at:?}: the registry row stays in provisioning"
        );
        // Another name or plan is not the interrupted request: refused, nothing changed.
        let other = NewTenant {
            plan: Some("pro".into()),
            ..new_tenant(&slug)
        };
        let err = t
            .control
            .provision(&other, "test")
            .await
            .expect_err("differs");
        assert_eq!(code(err), "tenant_exists", "{crash_at:?}");
        t.control
            .provision(&new_tenant(&slug), "test")
            .await
            .expect("rerun finishes");
        assert_fully_provisioned(&t, &slug).await;
    }
}

/// Runs `req` on `doomed` (a control plane of its own) until it reaches `step`, then
/// aborts it and drops its pool, which closes its connections as a killed process would.
pub(crate) async fn crash_during(doomed: atrium_control::Control, req: NewTenant, step: Step) {
    let reached = Arc::new(Notify::new());
    let r = reached.clone();
    let attempt = tokio::spawn(async move {
        let observer =
            move |at: Step| -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
                let r = r.clone();
                Box::pin(async move {
                    if at == step {
                        r.notify_one();
                        std::future::pending::<()>().await;
                    }
                })
            };
        doomed
            .provision_observed(&req, "test", &observer, TENANT)
            .await
            .map(|_| ())
    });
    reached.notified().await;
    attempt.abort();
    let _ = attempt.await;
}

/// Finding: with CREATEROLE on PostgreSQL 15, the control plane's login role could grant
/// itself `pg_execute_server_program` and run shell commands as the server's OS user.
#[tokio::test]
async fn control_role_cannot_grant_itself_a_builtin_role() {
    let t = TestControl::new().await;
    t.provision("acme").await;
    let ctl = t.control.pool.get().await.expect("connection");
    let me: String = ctl
        .query_one("SELECT current_user::text", &[])
        .await
        .expect("who")
        .get(0);
    for builtin in ["pg_execute_server_program", "pg_read_server_files"] {
        let granted = ctl
            .batch_execute(&format!("GRANT {builtin} TO \"{me}\""))
            .await;
        assert!(granted.is_err(), "{me} granted itself {builtin}");
        // Nor through the grantor functions, which take tenant role names only.
        let through = ctl
            .execute("SELECT atrium_roles.create_tenant_role($1)", &[&builtin])
            .await;
        assert!(through.is_err(), "create_tenant_role accepted {builtin}");
    }
    let made_login = ctl
        .execute("SELECT atrium_roles.create_tenant_role($1)", &[&me])
        .await;
    assert!(made_login.is_err(), "the grantor touched a login role");
    assert_eq!(
        t.count(
            "SELECT count(*) FROM pg_roles WHERE rolname = $1 AND (rolcreaterole OR rolsuper)",
            &[&me]
        )
        .await,
        0,
        "the control role has no CREATEROLE"
    );
    // The functions belong to the grantor; the control role can't replace them.
    let replaced = ctl
        .batch_execute(
            "CREATE OR REPLACE FUNCTION atrium_roles.create_tenant_role(name text) RETURNS void
             LANGUAGE sql AS 'SELECT 1'",
        )
        .await;
    assert!(
        replaced.is_err(),
        "the control role replaced a grantor function"
    );
    let dropped = ctl
        .execute("SELECT atrium_roles.drop_tenant_role($1)", &[&"pg_monitor"])
        .await;
    assert!(dropped.is_err());
}

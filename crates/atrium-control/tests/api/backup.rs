//! Backups with pgBackRest on a cluster that archives its WAL, and one tenant restored
//! to a moment. One archived cluster serves every test here (each its own database).

use std::sync::OnceLock;

use atrium_control::backup::{point_in_time::RestoreAt, BackupType};
use atrium_core::domain::DomainError;
use atrium_testkit::{backup::ArchivedCluster, TestDb};
use chrono::{DateTime, Utc};

use crate::TestControl;

static ARCHIVED: OnceLock<ArchivedCluster> = OnceLock::new();
/// pgBackRest runs one backup per repository at a time: these tests take turns.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A control plane whose backups go to the archived cluster's repository, with the
/// stanza created, and this test's turn at the repository.
async fn backed_up() -> (TestControl, tokio::sync::MutexGuard<'static, ()>) {
    let turn = TURN.lock().await;
    let archived = ARCHIVED.get_or_init(|| {
        ArchivedCluster::start_new()
            .unwrap_or_else(|e| panic!("could not start an archived cluster: {e:#}"))
    });
    let mut db = TestDb::fresh_on(&archived.cluster).await;
    let backup = &mut db.config.control.backup;
    backup.pgbackrest_config = Some(archived.pgbackrest_config.clone());
    backup.run_as = Some("postgres".into());
    backup.scratch_dir = archived.scratch_dir.clone();
    let t = TestControl::on(db).await;
    atrium_control::backup::PgBackRest::require(&t.control.config.backup)
        .expect("configured")
        .create_stanza()
        .await
        .expect("stanza");
    (t, turn)
}

/// A full backup, and a second for the restore point to be clearly after it.
async fn full_backup(t: &TestControl) {
    t.control
        .run_backup(BackupType::Full, "test")
        .await
        .expect("full");
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
}

/// Every row of every table of `schema` but sessions (never exported), users included.
async fn checksums(t: &TestControl, schema: &str) -> Vec<String> {
    let tables: Vec<&str> = crate::CRM_TABLES.iter().copied().chain(["users"]).collect();
    t.rows(schema, &tables).await
}

async fn write_customers(t: &TestControl, schema: &str, from: i32, n: i32) {
    t.db.superuser()
        .await
        .execute(
            &format!(
                "INSERT INTO {schema}.customers (id, name, industry)
                 SELECT gen_random_uuid(), 'Customer ' || i, 'industry ' || (i % 7)
                 FROM generate_series($1::int, $1::int + $2::int - 1) i"
            ),
            &[&from, &n],
        )
        .await
        .expect("insert customers");
}

/// Scratch instances (`restore-*` directories) in `dir`.
fn scratch_left(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("restore-"))
            .count()
    })
}

async fn db_now(t: &TestControl) -> DateTime<Utc> {
    t.db.superuser()
        .await
        .query_one("SELECT now()", &[])
        .await
        .expect("now")
        .get(0)
}

fn at(when: DateTime<Utc>, as_slug: Option<&str>) -> RestoreAt {
    RestoreAt {
        at: when,
        as_slug: as_slug.map(str::to_owned),
    }
}

#[tokio::test]
async fn backups_are_taken_listed_and_verified() {
    let (t, _turn) = backed_up().await;
    let full = t
        .control
        .run_backup(BackupType::Full, "test")
        .await
        .expect("full");
    assert_eq!(full.r#type, BackupType::Full);
    t.provision("acme").await;
    write_customers(&t, "t_acme", 1, 100).await;
    let incr = t
        .control
        .run_backup(BackupType::Incr, "test")
        .await
        .expect("incr");
    assert_eq!(incr.based_on.as_deref(), Some(full.label.as_str()));
    let o = t.control.backup_overview().await.expect("overview");
    assert!(o.backups.iter().any(|b| b.label == full.label));
    assert_eq!(
        o.backups.last().map(|b| b.label.clone()),
        Some(incr.label.clone())
    );
    assert!(o.newest_age_s.is_some_and(|age| age < 120), "{o:?}");
    assert!(!o.stale && !o.running);
    // The operator overview names the newest backup beside the processes' health.
    let last = t.control.overview().await.expect("overview").last_backup;
    let last = last.expect("backups are configured");
    assert_eq!(last.finished_at, Some(incr.finished_at));
    assert!(!last.stale && !last.running);
    t.control.verify_backups("test").await.expect("verify");
    // A second backup while one runs is refused, and the refusal is audited too.
    let running = t.control.start_backup(BackupType::Incr, "test").await;
    let refused = t.control.run_backup(BackupType::Incr, "test").await;
    assert!(running.is_ok(), "{running:?}");
    assert!(
        matches!(
            refused,
            Err(DomainError::Conflict {
                code: "backup_running",
                ..
            })
        ),
        "{refused:?}"
    );
    while t.control.backup_guard.is_running() {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let audited = t
        .count(
            "SELECT count(*) FROM atrium_control.audit_log
             WHERE action IN ('backup.run', 'backup.verify') AND outcome = 'ok'",
            &[],
        )
        .await;
    // ok: two backups, the verify, the backup that ran beside the refused one.
    assert_eq!(audited, 4);
    let refused = t
        .count(
            "SELECT count(*) FROM atrium_control.audit_log
             WHERE action = 'backup.run' AND outcome = 'error' AND detail->>'error' LIKE '%already%'",
            &[],
        )
        .await;
    assert_eq!(refused, 1);
}

#[tokio::test]
async fn one_tenant_restores_to_a_moment_and_no_other_tenant_is_touched() {
    let (t, _turn) = backed_up().await;
    t.provision("alpha").await;
    t.provision("beta").await;
    full_backup(&t).await;
    write_customers(&t, "t_alpha", 1, 50).await;
    write_customers(&t, "t_beta", 1, 20).await;
    let at_t = checksums(&t, "t_alpha").await;
    let moment = db_now(&t).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    // After T: alpha's rows are changed and deleted, beta keeps writing.
    t.db.superuser()
        .await
        .batch_execute(
            "UPDATE t_alpha.customers SET name = 'changed' WHERE name LIKE 'Customer 1%';
             DELETE FROM t_alpha.customers WHERE name LIKE 'Customer 2%';",
        )
        .await
        .expect("change alpha");
    write_customers(&t, "t_alpha", 100, 5).await;
    write_customers(&t, "t_beta", 100, 10).await;
    let beta_after = checksums(&t, "t_beta").await;
    assert_ne!(checksums(&t, "t_alpha").await, at_t);

    // Beside it first, as a copy to compare: alpha itself is untouched.
    let alpha_now = checksums(&t, "t_alpha").await;
    let copy = t
        .control
        .restore_at("alpha", &at(moment, Some("alpha_then")), "test")
        .await
        .expect("restore as copy");
    assert_eq!(copy.mode, "copy");
    assert_eq!(copy.rows.get("customers"), Some(&50));
    assert_eq!(checksums(&t, "t_alpha_then").await, at_t);
    assert_eq!(checksums(&t, "t_alpha").await, alpha_now);

    // Then in place.
    let replaced = t
        .control
        .restore_at("alpha", &at(moment, None), "test")
        .await
        .expect("restore in place");
    assert_eq!(replaced.mode, "replace");
    assert_eq!(checksums(&t, "t_alpha").await, at_t);
    assert_eq!(replaced.tenant.state.to_string(), "active");
    assert_eq!(
        checksums(&t, "t_beta").await,
        beta_after,
        "beta's later writes intact"
    );
    let audited = t
        .count(
            "SELECT count(*) FROM atrium_control.audit_log
             WHERE action = 'tenant.restore_at' AND outcome = 'ok' AND tenant_slug = 'alpha'",
            &[],
        )
        .await;
    assert_eq!(audited, 2);
    // The scratch instances are gone.
    let scratch = &t.control.config.backup.scratch_dir;
    assert_eq!(
        scratch_left(scratch),
        0,
        "scratch instances left in {}",
        scratch.display()
    );
}

/// A pooled tenant's customers, as text, in order: its rows of the pool only.
async fn pooled_customers(t: &TestControl, slug: &str) -> Vec<String> {
    t.db.superuser()
        .await
        .query(
            "SELECT c::text FROM pool_01.customers c JOIN atrium_control.tenants t ON t.id = c.tenant_id
             WHERE t.slug = $1 ORDER BY c.id",
            &[&slug],
        )
        .await
        .expect("rows")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn write_pooled_customers(t: &TestControl, slug: &str, from: i32, n: i32) {
    t.db.superuser()
        .await
        .execute(
            "INSERT INTO pool_01.customers (tenant_id, id, name, industry)
             SELECT t.id, gen_random_uuid(), 'Customer ' || i, 'industry ' || (i % 7)
             FROM atrium_control.tenants t, generate_series($2::int, $2::int + $3::int - 1) i
             WHERE t.slug = $1",
            &[&slug, &from, &n],
        )
        .await
        .expect("insert customers");
}

/// The pooled tier restores by `tenant_id`: the tenant's rows of the pool go back to the
/// moment, and its pool neighbour's later writes stay.
#[tokio::test]
async fn a_pooled_tenant_restores_to_a_moment_by_its_id() {
    let (t, _turn) = backed_up().await;
    for slug in ["gamma", "delta"] {
        t.control
            .provision(
                &atrium_control::provision::NewTenant {
                    slug: slug.into(),
                    tier: Some("pooled".into()),
                    ..Default::default()
                },
                "test",
            )
            .await
            .expect("provision");
    }
    full_backup(&t).await;
    write_pooled_customers(&t, "gamma", 1, 30).await;
    let at_t = pooled_customers(&t, "gamma").await;
    let moment = db_now(&t).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    t.db.superuser()
        .await
        .batch_execute("DELETE FROM pool_01.customers WHERE name LIKE 'Customer 1%'")
        .await
        .expect("change both");
    write_pooled_customers(&t, "gamma", 100, 5).await;
    write_pooled_customers(&t, "delta", 100, 10).await;
    let delta_after = pooled_customers(&t, "delta").await;

    let replaced = t
        .control
        .restore_at("gamma", &at(moment, None), "test")
        .await
        .expect("restore in place");
    assert_eq!(replaced.rows.get("customers"), Some(&30));
    assert_eq!(pooled_customers(&t, "gamma").await, at_t);
    assert_eq!(pooled_customers(&t, "delta").await, delta_after);
    assert_eq!(replaced.tenant.pool_name.as_deref(), Some("pool_01"));
}

#[tokio::test]
async fn bad_restore_requests_get_clear_errors_and_change_nothing() {
    let (t, _turn) = backed_up().await;
    t.provision("alpha").await;
    t.provision("beta").await;
    full_backup(&t).await;
    // The repository is shared by these tests: its oldest backup may be another's.
    let overview = t.control.backup_overview().await.expect("overview");
    let before_backup = overview.backups[0].finished_at - chrono::Duration::seconds(1);
    write_customers(&t, "t_alpha", 1, 10).await;
    let moment = db_now(&t).await;
    // A tenant that did not exist yet at that moment.
    t.provision("gamma").await;
    let fingerprint = t.db.fingerprint().await;

    let code = |e: DomainError| match e {
        DomainError::Invalid(v) => format!("invalid:{}", v.field),
        DomainError::NotFound(what) => format!("not_found:{what}"),
        DomainError::Conflict { code, .. } | DomainError::Unavailable { code, .. } => code.into(),
        DomainError::Slug(_) => "invalid_tenant_slug".into(),
        other => format!("unexpected: {other}"),
    };
    let future = Utc::now() + chrono::Duration::hours(1);
    let cases = [
        ("alpha", at(future, None), "invalid:at"),
        ("alpha", at(before_backup, None), "invalid:at"),
        ("nobody", at(moment, None), "not_found:tenant"),
        ("Bad Slug", at(moment, None), "invalid_tenant_slug"),
        ("alpha", at(moment, Some("beta")), "tenant_exists"),
        ("alpha", at(moment, Some("x'; DROP")), "invalid_tenant_slug"),
    ];
    for (slug, req, expected) in cases {
        let err = t
            .control
            .restore_at(slug, &req, "test")
            .await
            .expect_err(slug);
        assert_eq!(code(err), expected, "{slug} {:?}", req.as_slug);
    }
    // Tables of another shape then, or no such tenant then: refused, after the copy
    // was read and before anything live changed.
    let su = t.db.superuser().await;
    let bump = "UPDATE atrium_control.tenants SET migration_version = migration_version + $1 WHERE slug = 'alpha'";
    su.execute(bump, &[&1_i32])
        .await
        .expect("a later migration");
    let err = t
        .control
        .restore_at("alpha", &at(moment, None), "test")
        .await
        .expect_err("shape");
    assert_eq!(code(err), "schema_changed_since");
    su.execute(bump, &[&-1_i32]).await.expect("back");
    let err = t
        .control
        .restore_at("gamma", &at(moment, Some("gamma_then")), "test")
        .await
        .expect_err("absent");
    assert_eq!(code(err), "tenant_absent_at_time");
    // A scratch instance left by a restore whose process died goes with the next one.
    let scratch = &t.control.config.backup.scratch_dir;
    let leftover = scratch.join("restore-left-by-a-crash");
    std::fs::create_dir_all(leftover.join("data")).expect("leftover");
    // Its process died: the lock file is there, and nobody holds it.
    std::fs::File::create(leftover.join("in-use.lock")).expect("lock file");
    // A scratch instance that cannot start: the live tenant is never touched.
    let mut broken = t.control.clone();
    broken.config.backup.pg_bin_dir = Some("/nonexistent/bin".into());
    let err = broken
        .restore_at("alpha", &at(moment, None), "test")
        .await
        .expect_err("no binaries");
    assert_eq!(code(err), "scratch_instance_failed");
    assert_eq!(
        scratch_left(scratch),
        0,
        "failed and abandoned scratch instances are removed"
    );
    // Audit rows of the failures are the only change.
    let mut after = t.db.fingerprint().await;
    let mut expected = fingerprint.clone();
    after.retain(|l| !l.starts_with("atrium_control.audit_log="));
    expected.retain(|l| !l.starts_with("atrium_control.audit_log="));
    assert_eq!(after, expected);
}

#[tokio::test]
async fn backups_not_configured_say_so() {
    let t = TestControl::new().await;
    for err in [
        t.control
            .backup_overview()
            .await
            .map(drop)
            .expect_err("overview"),
        t.control
            .run_backup(BackupType::Full, "test")
            .await
            .map(drop)
            .expect_err("run"),
        t.control
            .restore_at("acme", &at(Utc::now(), None), "test")
            .await
            .map(drop)
            .expect_err("restore"),
    ] {
        assert!(
            matches!(
                err,
                DomainError::Conflict {
                    code: "backups_not_configured",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn operators_back_up_and_restore_a_tenant_over_the_api() {
    use reqwest::{Method, StatusCode};
    use serde_json::json;
    let (t, _turn) = backed_up().await;
    t.provision("alpha").await;
    let api = crate::operator_api::Api::spawn_on(t).await;
    let (s, started) = api
        .call(Method::POST, "/v1/backups", Some(json!({"type": "full"})))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{started}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let newest = loop {
        let (s, o) = api.call(Method::GET, "/v1/backups", None).await;
        assert_eq!(s, StatusCode::OK, "{o}");
        if o["running"] == false {
            break o["backups"]
                .as_array()
                .and_then(|b| b.last().cloned())
                .expect("a backup");
        }
        assert!(std::time::Instant::now() < deadline, "backup still running");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(newest["type"], "full");
    let (s, p) = api
        .call(Method::POST, "/v1/backups", Some(json!({"type": "weekly"})))
        .await;
    assert_eq!(
        (s, p["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed")),
        "{p}"
    );

    let (s, p) = api
        .call(
            Method::POST,
            "/v1/tenants/alpha/restore",
            Some(json!({"at": (Utc::now() + chrono::Duration::hours(1)).to_rfc3339()})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    write_customers(&api.t, "t_alpha", 1, 7).await;
    // Nothing commits after this moment (a quiet cluster): replay must still end there.
    let moment = db_now(&api.t).await;
    let (s, report) = api
        .call(
            Method::POST,
            "/v1/tenants/alpha/restore",
            Some(json!({"at": moment.to_rfc3339(), "as_slug": "alpha_copy"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["mode"], "copy");
    assert_eq!(report["rows"]["customers"], 7);
    assert_eq!(report["tenant"]["slug"], "alpha_copy");
}

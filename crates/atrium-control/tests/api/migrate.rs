//! `atrium migrate` over many tenants: one broken tenant doesn't stop the others, the
//! failure is recorded and reported, a rerun resumes, up-to-date tenants are untouched.

use atrium_control::schema::TENANT;
use atrium_core::migrations::Migration;

use crate::TestControl;

fn with_extra(sql: &'static str) -> &'static [Migration] {
    let mut set = TENANT.to_vec();
    set.push(Migration {
        version: 9001,
        name: "test_notes",
        sql,
    });
    Box::leak(set.into_boxed_slice())
}

const NOTES: &str = "CREATE TABLE test_notes (id uuid PRIMARY KEY, body text NOT NULL);";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_tenants_one_broken() {
    let t = TestControl::new().await;
    let slugs: Vec<String> = (0..200).map(|i| format!("tenant_{i:03}")).collect();
    use futures::StreamExt;
    futures::stream::iter(slugs.iter())
        .for_each_concurrent(6, |s| t.provision(s))
        .await;

    // Break one tenant: the new migration's table already exists there.
    let su = t.db.superuser().await;
    su.batch_execute("CREATE TABLE t_tenant_057.test_notes (x int)")
        .await
        .expect("break");
    let before: Vec<(String, String)> = snapshot(&t).await;

    let set = with_extra(NOTES);
    let report = t
        .control
        .migrate_tenants(set, &())
        .await
        .expect("migrate runs");
    println!("{}", report.summary());
    assert_eq!(report.migrated.len(), 199);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].slug, "tenant_057");
    assert!(
        report.failed[0].error.contains("already exists"),
        "{}",
        report.failed[0].error
    );
    assert_eq!(
        t.count(
            "SELECT count(*) FROM atrium_control.tenants WHERE migration_version = 9001",
            &[]
        )
        .await,
        199
    );
    let err: String = su
        .query_one(
            "SELECT migration_error FROM atrium_control.tenants WHERE slug = 'tenant_057'",
            &[],
        )
        .await
        .expect("row")
        .get(0);
    assert!(err.contains("9001_test_notes"), "{err}");
    assert_eq!(t.count("SELECT count(*) FROM atrium_control.audit_log WHERE action = 'tenant.migrate' AND outcome = 'error'", &[]).await, 1);

    // Rerun: the 199 are not touched at all; the broken one is reported again.
    let after_first = snapshot(&t).await;
    assert_ne!(before, after_first);
    let report = t.control.migrate_tenants(set, &()).await.expect("rerun");
    assert_eq!(
        (
            report.migrated.len(),
            report.failed.len(),
            report.up_to_date
        ),
        (0, 1, 199)
    );
    assert_eq!(
        after_first,
        snapshot(&t).await,
        "rerun is a no-op for the rest"
    );

    // Fix it and resume.
    su.batch_execute("DROP TABLE t_tenant_057.test_notes")
        .await
        .expect("fix");
    let report = t.control.migrate_tenants(set, &()).await.expect("resume");
    assert_eq!(report.migrated, vec!["tenant_057".to_string()]);
    assert!(report.failed.is_empty());
    let report = t
        .control
        .migrate_tenants(set, &())
        .await
        .expect("nothing pending");
    println!("nothing pending over 200 tenants: {} ms", report.elapsed_ms);
    assert_eq!((report.migrated.len(), report.up_to_date), (0, 200));
}

async fn snapshot(t: &TestControl) -> Vec<(String, String)> {
    let su = t.db.superuser().await;
    su.query("SELECT slug, updated_at::text || '/' || migration_version FROM atrium_control.tenants ORDER BY slug", &[])
        .await
        .expect("snapshot")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_do_not_collide() {
    let t = TestControl::new().await;
    for i in 0..20 {
        t.provision(&format!("tenant_{i}")).await;
    }
    let set = with_extra(NOTES);
    let (a, b) = (t.another(), t.another());
    let (ra, rb) = tokio::join!(a.migrate_tenants(set, &()), b.migrate_tenants(set, &()));
    let (ra, rb) = (ra.expect("a"), rb.expect("b"));
    assert!(ra.failed.is_empty() && rb.failed.is_empty());
    assert_eq!(
        ra.migrated.len() + rb.migrated.len(),
        20,
        "each tenant migrated exactly once"
    );
}

#[tokio::test]
async fn an_edited_migration_is_refused() {
    let t = TestControl::new().await;
    t.provision("acme").await;
    let mut edited = TENANT.to_vec();
    edited[0].sql = "CREATE TABLE sneaky (id int);";
    let edited: &'static [Migration] = Box::leak(edited.into_boxed_slice());
    let err = t
        .control
        .migrate_tenants(edited, &())
        .await
        .expect_err("refused");
    assert!(
        err.to_string().contains("edited after it was applied"),
        "{err}"
    );
}

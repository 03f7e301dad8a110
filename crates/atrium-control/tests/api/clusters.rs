//! Tenants over several PostgreSQL clusters (docs/scale-out.md): the cluster registry,
//! placement by headroom or by name, drain and remove, provisioning that a crash on
//! either side of the two commits leaves finishable, migrations on every cluster, and
//! delete. The second cluster is a real second PostgreSQL.

use atrium_control::{
    clusters::NewCluster,
    provision::{NewTenant, Step},
    schema::TENANT,
};
use atrium_core::migrations::Migration;
use atrium_testkit::{second_cluster, url_refs, PeerDb};

use crate::{
    new_tenant,
    provision::{code, crash_during},
    TestControl,
};

/// A cluster named `name` with these URLs, by reference (files of this test's).
fn refs(name: &str, control_url: &str, api_url: &str) -> NewCluster {
    let refs = url_refs(control_url, api_url);
    NewCluster {
        name: name.into(),
        control_url_ref: refs.control,
        api_url_ref: refs.api,
        ..Default::default()
    }
}

/// A control plane with a second cluster, `c2`, registered.
async fn with_second() -> (TestControl, PeerDb) {
    let t = TestControl::new().await;
    let peer = t.db.peer_on(second_cluster()).await;
    t.control
        .add_cluster(&refs("c2", &peer.control_url, &peer.api_url), "test")
        .await
        .expect("add c2");
    (t, peer)
}

async fn count(
    peer: &PeerDb,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> i64 {
    peer.superuser()
        .await
        .query_one(sql, params)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

/// A schema-tier tenant that names its cluster.
fn on(slug: &str, cluster: &str) -> NewTenant {
    NewTenant {
        cluster: Some(cluster.into()),
        ..new_tenant(slug)
    }
}

/// The code a refused provisioning answers with.
async fn refusal(t: &TestControl, req: &NewTenant) -> String {
    code(t.control.provision(req, "test").await.expect_err("refused"))
}

async fn cluster_of(t: &TestControl, slug: &str) -> String {
    t.control.get_tenant(slug).await.expect("tenant").cluster_id
}

#[tokio::test]
async fn clusters_are_registered_once_by_reference_and_refused_otherwise() {
    let (t, peer) = with_second().await;
    let listed = t.control.list_clusters().await.expect("list");
    let names: Vec<_> = listed
        .iter()
        .map(|c| (c.name.as_str(), c.state.as_str()))
        .collect();
    assert_eq!(names, [("local", "open"), ("c2", "open")]);
    let c2 = &listed[1];
    assert!(c2
        .control_url_ref
        .as_deref()
        .is_some_and(|r| r.starts_with("file:/")));
    let shown = serde_json::to_string(&listed).expect("json");
    assert!(
        !shown.contains("postgres://"),
        "no URL, no password, ever: {shown}"
    );

    // The same database under another name; home's database; a taken name.
    let again = t
        .control
        .add_cluster(&refs("c3", &peer.control_url, &peer.api_url), "test")
        .await
        .expect_err("same database");
    assert_eq!(code(again), "cluster_in_use");
    let home_url =
        secrecy::ExposeSecret::expose_secret(&t.db.config.control.database_url).to_owned();
    let home = t
        .control
        .add_cluster(&refs("c4", &home_url, &home_url), "test")
        .await
        .expect_err("home");
    assert_eq!(code(home), "cluster_in_use");
    let taken = t
        .control
        .add_cluster(&refs("c2", &peer.control_url, &peer.api_url), "test")
        .await
        .expect_err("taken");
    assert_eq!(code(taken), "cluster_exists");

    // A URL where a reference goes, a bad name, an unresolvable reference: refused
    // before anything is touched.
    let inline = NewCluster {
        control_url_ref: peer.control_url.clone(),
        ..refs("c5", &peer.control_url, &peer.api_url)
    };
    assert_eq!(
        code(
            t.control
                .add_cluster(&inline, "test")
                .await
                .expect_err("inline")
        ),
        "validation_failed"
    );
    let bad_name = refs("C-5'; DROP", &peer.control_url, &peer.api_url);
    assert_eq!(
        code(
            t.control
                .add_cluster(&bad_name, "test")
                .await
                .expect_err("name")
        ),
        "validation_failed"
    );
    let unset = NewCluster {
        control_url_ref: "env:ATRIUM_TEST_SURELY_UNSET_URL".into(),
        ..refs("c6", &peer.control_url, &peer.api_url)
    };
    let err = t
        .control
        .add_cluster(&unset, "test")
        .await
        .expect_err("unset");
    assert_eq!(code(err), "cluster_unreachable");
    let listed = t.control.list_clusters().await.expect("list");
    assert_eq!(listed.len(), 2, "no refused cluster was registered");
    let audited = t
        .count(
            "SELECT count(*) FROM atrium_control.audit_log WHERE action = 'cluster.add' AND outcome = 'error'",
            &[],
        )
        .await;
    assert_eq!(audited, 6, "every refusal is audited");
}

#[tokio::test]
async fn tenants_go_where_there_is_room_or_where_they_are_told() {
    let (t, peer) = with_second().await;
    // Equal counts tie to home; then the emptier cluster.
    for (slug, expected) in [
        ("alpha", "local"),
        ("bravo", "c2"),
        ("charlie", "local"),
        ("delta", "c2"),
    ] {
        t.provision(slug).await;
        assert_eq!(cluster_of(&t, slug).await, expected, "{slug}");
    }
    let named = on("echo", "c2");
    t.control.provision(&named, "test").await.expect("named");
    assert_eq!(cluster_of(&t, "echo").await, "c2");

    // Each schema is on its cluster only, with its role, and the cluster's copy of the
    // registry row says it is there and active.
    for (slug, on_c2) in [("alpha", 0), ("bravo", 1), ("echo", 1)] {
        let schema = format!("t_{slug}");
        let here = t
            .count(
                "SELECT count(*) FROM pg_namespace WHERE nspname = $1",
                &[&schema],
            )
            .await;
        let there = count(
            &peer,
            "SELECT count(*) FROM pg_namespace WHERE nspname = $1",
            &[&schema],
        )
        .await;
        assert_eq!((here, there), (1 - on_c2, on_c2), "{slug}");
    }
    let role = format!("{}t_bravo", t.control.config.role_prefix);
    assert_eq!(
        count(
            &peer,
            "SELECT count(*) FROM pg_roles WHERE rolname = $1",
            &[&role]
        )
        .await,
        1
    );
    assert_eq!(
        count(&peer, "SELECT count(*) FROM atrium_control.tenants WHERE state = 'active' AND cluster_id = 'c2'", &[]).await,
        3
    );
    assert_eq!(
        count(
            &peer,
            "SELECT count(*) FROM atrium_control.tenants WHERE cluster_id = 'local'",
            &[]
        )
        .await,
        0,
        "a cluster holds copies of its own tenants' rows only"
    );

    // Drained: no new tenant goes there, not even by name; its tenants stay.
    t.control.drain_cluster("c2", "test").await.expect("drain");
    t.provision("foxtrot").await;
    assert_eq!(cluster_of(&t, "foxtrot").await, "local");
    assert_eq!(refusal(&t, &on("golf", "c2")).await, "cluster_not_open");
    assert_eq!(refusal(&t, &on("golf", "nowhere")).await, "not_found");
    assert_eq!(
        t.count(
            "SELECT count(*) FROM atrium_control.tenants WHERE slug = 'golf'",
            &[]
        )
        .await,
        0
    );
    let err = t
        .control
        .remove_cluster("c2", "test")
        .await
        .expect_err("not empty");
    assert_eq!(code(err), "cluster_not_empty");
    assert_eq!(
        code(
            t.control
                .remove_cluster("local", "test")
                .await
                .expect_err("home")
        ),
        "home_cluster"
    );
    let c2 = t.control.open_cluster("c2", "test").await.expect("open");
    assert_eq!((c2.state.as_str(), c2.tenants), ("open", 3));

    // A pooled tenant goes to home's pools; another cluster by name is refused.
    let pooled = NewTenant {
        tier: Some("pooled".into()),
        cluster: Some("c2".into()),
        ..new_tenant("hotel")
    };
    assert_eq!(refusal(&t, &pooled).await, "pooled_on_home_only");
}

#[tokio::test]
async fn a_dedicated_cluster_takes_its_one_named_tenant() {
    let t = TestControl::new().await;
    let peer = t.db.peer_on(second_cluster()).await;
    let dedicated = NewCluster {
        dedicated: true,
        ..refs("solo", &peer.control_url, &peer.api_url)
    };
    t.control
        .add_cluster(&dedicated, "test")
        .await
        .expect("add");
    t.provision("anyone").await;
    assert_eq!(
        cluster_of(&t, "anyone").await,
        "local",
        "never chosen by placement"
    );
    let big = on("bigco", "solo");
    t.control.provision(&big, "test").await.expect("named");
    assert_eq!(cluster_of(&t, "bigco").await, "solo");
    assert_eq!(refusal(&t, &on("another", "solo")).await, "cluster_full");
}

/// The schema commits on its cluster, the registry row on home: a crash before, between
/// or after leaves a `provisioning` row that a rerun finishes, never a second schema.
#[tokio::test]
async fn a_crash_on_either_side_of_the_two_commits_is_finished_by_a_rerun() {
    let (t, peer) = with_second().await;
    for (i, crash_at) in [Step::Migrated, Step::OnCluster].into_iter().enumerate() {
        let slug = format!("crash_{i}");
        crash_during(t.another(), on(&slug, "c2"), crash_at).await;
        let provisioning = t
            .count("SELECT count(*) FROM atrium_control.tenants WHERE slug = $1 AND state = 'provisioning'", &[&slug])
            .await;
        assert_eq!(provisioning, 1, "{crash_at:?}");
        let req = on(&slug, "c2");
        let done = t
            .control
            .provision(&req, "test")
            .await
            .expect("rerun finishes");
        assert_eq!(
            (done.state.as_str(), done.cluster_id.as_str()),
            ("active", "c2")
        );
        let tables = count(
            &peer,
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1",
            &[&format!("t_{slug}")],
        )
        .await;
        assert_eq!(tables, 9, "{crash_at:?}: one schema, complete");
    }
}

fn with_extra() -> &'static [Migration] {
    let mut set = TENANT.to_vec();
    set.push(Migration {
        version: 9001,
        name: "test_notes",
        sql: "CREATE TABLE test_notes (id uuid PRIMARY KEY, body text NOT NULL);",
    });
    Box::leak(set.into_boxed_slice())
}

#[tokio::test]
async fn migrations_reach_every_cluster_and_delete_cleans_each_up() {
    let (t, peer) = with_second().await;
    for slug in ["alpha", "bravo", "charlie", "delta"] {
        t.provision(slug).await;
    }
    let report = t
        .control
        .migrate_tenants(with_extra(), &())
        .await
        .expect("migrate");
    assert_eq!(report.migrated, ["alpha", "bravo", "charlie", "delta"]);
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    for slug in ["bravo", "delta"] {
        let there = count(
            &peer,
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'test_notes'",
            &[&format!("t_{slug}")],
        )
        .await;
        assert_eq!(there, 1, "{slug} migrated on c2");
    }
    assert_eq!(
        count(
            &peer,
            "SELECT count(*) FROM atrium_control.tenants WHERE migration_version = 9001",
            &[]
        )
        .await,
        2,
        "c2's copies say how far its tenants are"
    );
    let again = t
        .control
        .migrate_tenants(with_extra(), &())
        .await
        .expect("rerun");
    assert_eq!((again.migrated.len(), again.up_to_date), (0, 4));

    // The control schema on every cluster: already there, nothing to do.
    let runs = t.control.migrate_clusters().await.expect("clusters");
    assert_eq!(runs.len(), 1);
    assert!(
        runs[0].error.is_none() && runs[0].applied.is_empty(),
        "{runs:?}"
    );

    let gone = t.control.delete("bravo", "test").await.expect("delete");
    assert_eq!(gone.state.as_str(), "deleted");
    assert!(
        gone.export_path.is_some(),
        "exported from its cluster first"
    );
    let role = format!("{}t_bravo", t.control.config.role_prefix);
    assert_eq!(
        count(
            &peer,
            "SELECT count(*) FROM pg_namespace WHERE nspname = 't_bravo'",
            &[]
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &peer,
            "SELECT count(*) FROM pg_roles WHERE rolname = $1",
            &[&role]
        )
        .await,
        0
    );
    assert_eq!(
        count(&peer, "SELECT count(*) FROM atrium_control.tenants WHERE slug = 'bravo' AND state = 'deleted'", &[]).await,
        1
    );
    t.control.delete("delta", "test").await.expect("delete");
    let removed = t
        .control
        .remove_cluster("c2", "test")
        .await
        .expect("remove");
    assert_eq!(removed.state.as_str(), "closed");
    let listed = t.control.list_clusters().await.expect("list");
    assert_eq!(
        listed[1].state.as_str(),
        "closed",
        "kept for the tombstones that name it"
    );
    t.provision("echo").await;
    assert_eq!(cluster_of(&t, "echo").await, "local");
}

/// The control role's one way to logical replication between clusters: the bootstrap's
/// `atrium_subs` functions (PostgreSQL 15 keeps subscriptions and REPLICATION logins for
/// superusers). A subscription made through them copies a tenant's table from home to
/// c2 and follows its writes; the functions refuse anything not shaped like a move's.
#[tokio::test]
async fn a_subscription_between_clusters_goes_only_through_the_bootstrap_functions() {
    let (t, peer) = with_second().await;
    t.provision("acme").await;
    let name = format!("atrium_move_{}", uuid::Uuid::now_v7().simple());
    let password = format!("{:032x}", rand_u128());
    let home = t.control.pool.get().await.expect("home");
    home.batch_execute(
        "INSERT INTO t_acme.customers (id, name)
         SELECT gen_random_uuid(), 'customer ' || g FROM generate_series(1, 500) g",
    )
    .await
    .expect("rows");
    home.batch_execute(&format!(
        "CREATE PUBLICATION {name} FOR TABLE t_acme.customers"
    ))
    .await
    .expect("publication");
    atrium_control::moves::create_slot(&**home, &name)
        .await
        .expect("slot");
    let refused = home
        .execute("SELECT atrium_subs.open_feed($1, 'short')", &[&name])
        .await
        .expect_err("weak password");
    assert_eq!(refused.code().map(|c| c.code()), Some("22023"));
    home.execute("SELECT atrium_subs.open_feed($1, $2)", &[&name, &password])
        .await
        .expect("feed");
    home.batch_execute(&format!(
        "GRANT USAGE ON SCHEMA t_acme TO {name}; GRANT SELECT ON t_acme.customers TO {name}"
    ))
    .await
    .expect("grants");

    let target = t
        .control
        .db_of("c2")
        .await
        .expect("c2")
        .get()
        .await
        .expect("conn");
    target
        .batch_execute(&format!(
            "CREATE SCHEMA t_acme; SET search_path = t_acme; {}; RESET search_path",
            TENANT[0].sql
        ))
        .await
        .expect("tables");
    let direct = target
        .batch_execute(&format!(
            "CREATE SUBSCRIPTION {name} CONNECTION 'host=127.0.0.1' PUBLICATION {name} WITH (connect = false)"
        ))
        .await
        .expect_err("not a superuser");
    assert_eq!(direct.code().map(|c| c.code()), Some("42501"));
    let port = i32::from(atrium_testkit::shared_cluster().port);
    let subscribe = "SELECT atrium_subs.subscribe($1, $2, $3, $4, $5)";
    for (bad_name, host, code) in [
        ("atrium_move_nothex", "127.0.0.1", "42501"),
        (name.as_str(), "127.0.0.1 user=postgres", "22023"),
    ] {
        let e = target
            .execute(subscribe, &[&bad_name, &host, &port, &t.db.name, &password])
            .await
            .expect_err("refused");
        assert_eq!(e.code().map(|c| c.code()), Some(code), "{bad_name} {host}");
    }
    target
        .execute(
            subscribe,
            &[&name, &"127.0.0.1", &port, &t.db.name, &password],
        )
        .await
        .expect("subscribe");

    let copied = |n: i64| {
        let target = &target;
        async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            loop {
                let have: i64 = target
                    .query_one("SELECT count(*) FROM t_acme.customers", &[])
                    .await
                    .expect("count")
                    .get(0);
                if have == n || std::time::Instant::now() > deadline {
                    return have;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    };
    assert_eq!(copied(500).await, 500, "the initial copy");
    // Copied, then caught up with the subscription's own position: ready.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let state = loop {
        let r = target
            .query_one(
                "SELECT tables, ready FROM atrium_subs.subscription($1)",
                &[&name],
            )
            .await
            .expect("state");
        let state = (r.get::<_, i32>(0), r.get::<_, i32>(1));
        if state == (1, 1) || std::time::Instant::now() > deadline {
            break state;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(state, (1, 1));
    home.batch_execute(
        "INSERT INTO t_acme.customers (id, name) VALUES (gen_random_uuid(), 'late')",
    )
    .await
    .expect("write");
    assert_eq!(copied(501).await, 501, "and the writes after it");

    target
        .execute("SELECT atrium_subs.unsubscribe($1)", &[&name])
        .await
        .expect("unsubscribe");
    // The source's walsender ends a moment after the subscription is gone.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while let Err(e) = home
        .execute("SELECT atrium_slots.drop_slot($1)", &[&name])
        .await
    {
        assert!(
            std::time::Instant::now() < deadline,
            "slot still active: {e}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    home.execute("SELECT atrium_subs.close_feed($1)", &[&name])
        .await
        .expect("close feed");
    home.batch_execute(&format!("DROP PUBLICATION {name}"))
        .await
        .expect("publication");
    let left = t
        .count(
            "SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1)
                  + (SELECT count(*) FROM pg_roles WHERE rolname = $1)",
            &[&name],
        )
        .await;
    assert_eq!(left, 0, "no slot, no feed role left behind");
    assert_eq!(
        count(
            &peer,
            "SELECT count(*) FROM pg_subscription WHERE subname = $1",
            &[&name]
        )
        .await,
        0
    );
}

fn rand_u128() -> u128 {
    uuid::Uuid::new_v4().as_u128()
}

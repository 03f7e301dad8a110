//! The data plane over two PostgreSQL clusters (docs/scale-out.md): each tenant is
//! served from its own cluster's pool, tenants on different clusters stay apart under
//! the usual attacks, and a cluster this process cannot reach fails its own tenants
//! only, with a 503, until it can.

use atrium_control::clusters::NewCluster;
use atrium_testkit::{second_cluster, PeerDb};
use reqwest::StatusCode;
use serde_json::json;

use crate::{assert_problem, eventually, TestApp, TestTenant};

/// An app with a second cluster, `c2`, registered by reference to its direct URLs.
pub(crate) async fn with_second() -> (TestApp, PeerDb, atrium_testkit::UrlRefs) {
    let app = TestApp::spawn().await;
    let peer = app.db.peer_on(second_cluster()).await;
    let refs = peer.refs();
    let c2 = NewCluster {
        name: "c2".into(),
        control_url_ref: refs.control.clone(),
        api_url_ref: refs.api.clone(),
        ..Default::default()
    };
    app.control.add_cluster(&c2, "test").await.expect("add c2");
    (app, peer, refs)
}

#[tokio::test]
async fn each_tenant_is_served_from_its_cluster_and_kept_apart() {
    let (app, peer, refs) = with_second().await;
    let home = app.tenant_placed("acme", "schema", Some("local")).await;
    let away = app.tenant_placed("globex", "schema", Some("c2")).await;

    // This process can't resolve c2's reference yet: globex's requests fail with a 503
    // that names no URL, acme's go on. Once it can, globex is served.
    let hidden = refs.api_file.with_extension("hidden");
    std::fs::rename(&refs.api_file, &hidden).expect("hide");
    let (s, body) = app.get(&away, "/customers").await;
    assert_problem(
        s,
        &body,
        StatusCode::SERVICE_UNAVAILABLE,
        "database_unavailable",
    );
    assert!(!body.to_string().contains("postgres://"), "{body}");
    assert_eq!(app.get(&home, "/customers").await.0, StatusCode::OK);
    std::fs::rename(&hidden, &refs.api_file).expect("restore");

    let a = app.customer(&home, "Acme's customer").await;
    let g = app.customer(&away, "Globex's customer").await;
    let su = peer.superuser().await;
    let there: i64 = su
        .query_one("SELECT count(*) FROM t_globex.customers", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(there, 1, "globex's row is on c2");
    let here: i64 = app
        .db
        .superuser()
        .await
        .query_one(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 't_globex'",
            &[],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(here, 0, "and nothing of it on home");

    // The usual attacks, across clusters: the other's id, the other's key, the other's
    // path. Each sees its own and nothing else.
    let (s, list) = app.get(&away, "/customers").await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<_> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, [json!("Globex's customer")]);
    let other_id = format!("/customers/{}", a["id"].as_str().expect("id"));
    let (s, body) = app.get(&away, &other_id).await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "not_found");
    let other_id = format!("/customers/{}", g["id"].as_str().expect("id"));
    let (s, _) = app.get(&home, &other_id).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let crossed = TestTenant {
        slug: away.slug.clone(),
        key: home.key.clone(),
    };
    let (s, body) = app.get(&crossed, "/customers").await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "tenant_not_found");

    // Suspended and deleted on c2: the data plane hears it like any other change.
    app.control
        .suspend("globex", "test", "unpaid")
        .await
        .expect("suspend");
    let (s, body) = eventually(&app, &away, StatusCode::LOCKED).await;
    assert_problem(s, &body, StatusCode::LOCKED, "tenant_suspended");
    app.control.resume("globex", "test").await.expect("resume");
    assert_eq!(
        eventually(&app, &away, StatusCode::OK).await.0,
        StatusCode::OK
    );
    app.control.delete("globex", "test").await.expect("delete");
    let (s, body) = eventually(&app, &away, StatusCode::NOT_FOUND).await;
    assert_problem(s, &body, StatusCode::NOT_FOUND, "tenant_not_found");
    assert_eq!(app.get(&home, "/customers").await.0, StatusCode::OK);

    // Sampled once a second.
    let per_cluster = |m: &str| {
        m.lines()
            .any(|l| l.starts_with("db_pool_max_size") && l.contains("cluster=\"c2\""))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while !per_cluster(&app.metrics().await) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        per_cluster(&app.metrics().await),
        "a pool per cluster, each measured"
    );
}

async fn move_across(app: &TestApp, slug: &str, to: &str) -> atrium_control::moves::Move {
    let req = atrium_control::moves::MoveRequest {
        cluster: Some(to.into()),
        ..Default::default()
    };
    let m = app
        .control
        .move_tenant(slug, &req, "test")
        .await
        .unwrap_or_else(|e| panic!("move {slug} to {to}: {e:?}"));
    assert_eq!(
        (m.state.as_str(), m.to_cluster.as_str()),
        ("flipped", to),
        "{m:?}"
    );
    let tenant = app.control.get_tenant(slug).await.expect("tenant");
    assert_eq!(tenant.cluster_id, to);
    assert_eq!(m.phase, "flipped", "{m:?}");
    m
}

/// The test: a tenant moves home → c2 → home by logical replication (a
/// publication there, a subscription here) while it and two neighbours, one on each
/// cluster, keep writing. No acknowledged write is lost or doubled, every table's
/// checksum matches at each flip, the neighbours see no error, and the mover's longest
/// write is timed.
#[tokio::test]
async fn a_tenant_moves_between_clusters_under_writes_and_loses_nothing() {
    use std::{
        sync::Arc,
        time::{Duration, Instant},
    };

    use crate::moves::{assert_undisturbed, listed, Writers};

    let suite = Instant::now();
    let (app, peer, _refs) = with_second().await;
    let app = Arc::new(app);
    let mover = app.tenant_placed("mover", "schema", Some("local")).await;
    let neighbours = [
        app.tenant_placed("steady_home", "schema", Some("local"))
            .await,
        app.tenant_placed("steady_away", "schema", Some("c2")).await,
    ];
    let anchor = app.customer(&mover, "Anchor").await;

    let writers = Writers::start(
        &app,
        std::iter::once(mover.clone()).chain(neighbours.clone()),
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let there = move_across(&app, "mover", "c2").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let back = move_across(&app, "mover", "local").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let results = writers.finish().await;
    let (moved, others) = results.split_first().expect("writers");
    assert_undisturbed(&app, &neighbours, others).await;
    assert!(moved.errors.is_empty(), "mover: {:?}", moved.errors);
    let mut expected = moved.model.clone();
    expected.insert(
        anchor["id"].as_str().expect("id").into(),
        anchor["name"].to_string(),
    );
    assert_eq!(
        listed(&app, &mover).await,
        expected,
        "acknowledged writes lost or doubled"
    );
    for m in [&there, &back] {
        let sums = m
            .checksums
            .as_ref()
            .and_then(|c| c.as_object())
            .expect("checksums");
        assert!(
            sums.contains_key("customers") && sums.contains_key("settings"),
            "{m:?}"
        );
    }
    eprintln!(
        "moves between clusters: local→c2 froze {} ms ({} rows); c2→local froze {} ms ({} rows); \
         mover {} writes, longest {} ms, {} retried 503s; neighbours {} and {} writes, 0 errors; {:.1} s",
        there.freeze_ms.unwrap_or(-1),
        there.rows_copied.unwrap_or(-1),
        back.freeze_ms.unwrap_or(-1),
        back.rows_copied.unwrap_or(-1),
        moved.acknowledged,
        moved.longest.as_millis(),
        moved.retried_503,
        others[0].acknowledged,
        others[1].acknowledged,
        suite.elapsed().as_secs_f64(),
    );
    assert!(
        moved.longest < Duration::from_secs(2),
        "the mover's longest write took {:?}",
        moved.longest
    );
    // The writes held by the freeze were entered on the new cluster without a round
    // trip to the client.
    assert!(
        app.metrics().await.contains("db_tenant_relocated_total"),
        "no transaction was sent on to the new cluster"
    );

    // Both flips' old schemas are kept for the grace period, then go; nothing of the
    // replication is left on either cluster.
    let c2 = peer.superuser().await;
    let home = app.db.superuser().await;
    assert_eq!(
        (
            has_schema(&home, "t_mover").await,
            has_schema(&c2, "t_mover").await
        ),
        (1, 1)
    );
    assert_eq!(
        app.control.finish_moves(None, true).await.expect("finish"),
        1
    );
    assert_eq!(
        (
            has_schema(&home, "t_mover").await,
            has_schema(&c2, "t_mover").await
        ),
        (1, 0),
        "c2's copy is gone"
    );
    // Roles are the whole PostgreSQL's: only this test's feeds are counted.
    let feeds: Vec<String> = [&there, &back]
        .iter()
        .map(|m| format!("atrium_move_{}", m.id.simple()))
        .collect();
    assert_no_replication_left(&[(&home, "home"), (&c2, "c2")], &feeds).await;
}

/// No slot, publication or subscription of any move left in each database, and none of
/// these moves' feed roles (roles are the whole PostgreSQL's: other tests have theirs).
async fn assert_no_replication_left(dbs: &[(&tokio_postgres::Client, &str)], feeds: &[String]) {
    for (db, what) in dbs {
        let left: i64 = db
            .query_one(
                "SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'atrium_move_%'
                          AND database = current_database())
                      + (SELECT count(*) FROM pg_publication WHERE pubname LIKE 'atrium_move_%')
                      + (SELECT count(*) FROM pg_subscription WHERE subname LIKE 'atrium_move_%'
                          AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database()))
                      + (SELECT count(*) FROM pg_roles WHERE rolname = ANY($1))",
                &[&feeds],
            )
            .await
            .expect("query")
            .get(0);
        assert_eq!(left, 0, "replication left behind on {what}");
    }
}

async fn has_schema(db: &tokio_postgres::Client, schema: &str) -> i64 {
    db.query_one(
        "SELECT count(*) FROM pg_namespace WHERE nspname = $1",
        &[&schema],
    )
    .await
    .expect("query")
    .get(0)
}

/// A control plane stopped in the middle of a move between clusters (its task aborted,
/// its connections closed, as a killed process's) leaves a subscription running on the
/// target and a slot on the source. Running the command again undoes that move first,
/// then moves the tenant; the tenant was served from home all along.
#[tokio::test]
async fn running_a_move_again_undoes_the_one_a_crash_cut_short() {
    use std::time::{Duration, Instant};

    let (app, peer, _refs) = with_second().await;
    let t = app.tenant_placed("phoenix", "schema", Some("local")).await;
    let c = app.customer(&t, "Survivor").await;
    let to_c2 = atrium_control::moves::MoveRequest {
        cluster: Some("c2".into()),
        ..Default::default()
    };
    let doomed = atrium_control::Control::new(app.control.config.clone()).expect("control");
    let req = to_c2.clone();
    let attempt = tokio::spawn(async move { doomed.move_tenant("phoenix", &req, "test").await });
    // Stopped once the copy is under way: the subscription exists on c2.
    let c2 = peer.superuser().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let subscribed: i64 = c2
            .query_one(
                "SELECT count(*) FROM pg_subscription WHERE subname LIKE 'atrium_move_%'
                  AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
                &[],
            )
            .await
            .expect("query")
            .get(0);
        if subscribed == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the move never subscribed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    attempt.abort();
    let _ = attempt.await;
    let (s, _) = app.get(&t, "/customers").await;
    assert_eq!(s, StatusCode::OK, "served from home meanwhile");

    // The stopped process's locks go with its connections, a moment after they close.
    // Run again by another control process, which then stops too: the old schema's
    // locks go with it, and only its fence keeps the tenant out of home.
    let again = atrium_control::Control::new(app.control.config.clone()).expect("control");
    let deadline = Instant::now() + Duration::from_secs(10);
    let moved = loop {
        match again.move_tenant("phoenix", &to_c2, "test").await {
            Ok(m) => break m,
            Err(e) if e.to_string().contains("moved already") && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("running the move again: {e:?}"),
        }
    };
    assert_eq!(moved.state, "flipped", "{moved:?}");
    drop(again);
    let tenant = app.control.get_tenant("phoenix").await.expect("tenant");
    let stale = atrium_core::db::TenantScope::new("t_phoenix", &tenant.role_name, 5_000)
        .expect("scope")
        .tenant_id(tenant.id);
    // Its locks go with its connection, a moment after it closes.
    let home = app.db.superuser().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let guards: i64 = home
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                  WHERE application_name = 'atrium-move-guard' AND datname = current_database()",
                &[],
            )
            .await
            .expect("query")
            .get(0);
        if guards == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the stopped process's guard is still connected"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A request a stale cache sends to home: nothing holds it any more but the fence,
    // which sends it on to c2.
    let pool = app.api_pool();
    let mut tx = atrium_core::db::TenantTx::begin(&pool, &stale)
        .await
        .expect("begin");
    let sent_on = tx.query("SELECT count(*) FROM customers", &[]).await;
    match sent_on {
        Err(e) if e.code().map(|c| c.code()) == Some("AT002") => {}
        other => panic!("a stale request was served from home: {other:?}"),
    }
    let moves = app.control.moves_of("phoenix").await.expect("moves");
    assert_eq!(moves.len(), 2, "{moves:?}");
    assert_eq!(
        (moves[1].state.as_str(), moves[1].phase.as_str()),
        ("failed", "undone"),
        "{moves:?}"
    );
    let (s, got) = app
        .get(&t, &format!("/customers/{}", c["id"].as_str().expect("id")))
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    assert_eq!(
        app.control
            .get_tenant("phoenix")
            .await
            .expect("tenant")
            .cluster_id,
        "c2"
    );
    app.control.finish_moves(None, true).await.expect("finish");
    let home = app.db.superuser().await;
    let feeds: Vec<String> = moves
        .iter()
        .map(|m| format!("atrium_move_{}", m.id.simple()))
        .collect();
    assert_no_replication_left(&[(&home, "home"), (&c2, "c2")], &feeds).await;
    assert_eq!(
        has_schema(&home, "t_phoenix").await,
        0,
        "home's copy is gone"
    );
}

/// A move stopped between its two records: the source (c2) has recorded the tenant as
/// gone and fenced its old schema, and home's flip failed. Past that point a move only
/// goes forward: the command fails and undoes nothing, and running it again finishes
/// the flip, with every row where it was written.
#[tokio::test]
async fn a_move_past_the_sources_record_is_finished_not_undone() {
    use std::time::{Duration, Instant};

    let (app, peer, _refs) = with_second().await;
    let t = app.tenant_placed("comet", "schema", Some("c2")).await;
    let c = app.customer(&t, "Kept").await;
    let home = app.db.superuser().await;
    // Home refuses the flip, as if it could not be reached at that moment.
    home.batch_execute(
        "CREATE FUNCTION public.refuse_flip() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.slug = 'comet' AND NEW.cluster_id = 'local' THEN
             RAISE EXCEPTION 'home cannot be reached (test)';
           END IF;
           RETURN NEW;
         END $$;
         CREATE TRIGGER refuse_flip BEFORE UPDATE ON atrium_control.tenants
           FOR EACH ROW EXECUTE FUNCTION public.refuse_flip();",
    )
    .await
    .expect("trigger");
    let to_home = atrium_control::moves::MoveRequest {
        cluster: Some("local".into()),
        ..Default::default()
    };
    let failed = app.control.move_tenant("comet", &to_home, "test").await;
    assert!(failed.is_err(), "{failed:?}");
    let moves = app.control.moves_of("comet").await.expect("moves");
    assert_eq!(
        (moves[0].state.as_str(), moves[0].phase.as_str()),
        ("copying", "frozen"),
        "neither undone nor flipped: {moves:?}"
    );
    let c2 = peer.superuser().await;
    let left: String = c2
        .query_one(
            "SELECT cluster_id FROM atrium_control.tenants WHERE slug = 'comet'",
            &[],
        )
        .await
        .expect("c2's record")
        .get(0);
    assert_eq!(left, "local", "the source recorded the tenant as gone");

    home.batch_execute("DROP TRIGGER refuse_flip ON atrium_control.tenants")
        .await
        .expect("home answers again");
    assert_eq!(app.control.recover_moves().await.expect("recover"), 1);
    let moves = app.control.moves_of("comet").await.expect("moves");
    assert_eq!(moves[0].state, "flipped", "{moves:?}");
    let tenant = app.control.get_tenant("comet").await.expect("tenant");
    assert_eq!(tenant.cluster_id, "local");
    let path = format!("/customers/{}", c["id"].as_str().expect("id"));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (s, got) = app.get(&t, &path).await;
        if s == StatusCode::OK {
            assert_eq!(got["name"], "Kept");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not served after the flip: {s} {got}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.control.finish_moves(None, true).await.expect("finish");
    let feed = format!("atrium_move_{}", moves[0].id.simple());
    assert_no_replication_left(&[(&home, "home"), (&c2, "c2")], &[feed]).await;
    assert_eq!(has_schema(&c2, "t_comet").await, 0, "c2's copy is gone");
}

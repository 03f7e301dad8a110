//! The data plane over two PostgreSQL clusters (docs/scale-out.md): each tenant is
//! served from its own cluster's pool, tenants on different clusters stay apart under
//! the usual attacks, and a cluster this process cannot reach fails its own tenants
//! only, with a 503, until it can.

use atrium_control::clusters::NewCluster;
use atrium_testkit::{second_cluster, PeerDb};
use reqwest::StatusCode;
use serde_json::json;

use crate::{assert_problem, eventually, TestApp, TestTenant};

async fn with_second() -> (TestApp, PeerDb, atrium_testkit::UrlRefs) {
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

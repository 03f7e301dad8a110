//! Moves between isolation tiers while the tenant, and its neighbours, keep writing
//! (docs/isolation-tiers.md, "Moves").

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use atrium_control::moves::MoveRequest;
use atrium_core::db::TenantTx;
use reqwest::StatusCode;
use serde_json::json;

use crate::{TestApp, TestTenant};

/// What one writer saw: the customers it was told exist (id → name), its failures,
/// and its slowest write, from the first try to the answer it kept.
#[derive(Default, Debug)]
pub(crate) struct Writes {
    pub(crate) model: BTreeMap<String, String>,
    pub(crate) acknowledged: u64,
    pub(crate) errors: Vec<String>,
    pub(crate) retried_503: u64,
    pub(crate) longest: Duration,
}

/// Creates customers without pause; every third renames the one before, every fifth
/// deletes an older one, so the move replays inserts, updates and deletes. A 503 (the
/// freeze outlasting a request's wait) is tried again, and counts in the pause.
pub(crate) async fn write_until(app: Arc<TestApp>, t: TestTenant, stop: Arc<AtomicBool>) -> Writes {
    let mut w = Writes::default();
    let mut ids: Vec<String> = Vec::new();
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let started = Instant::now();
        let (path, method, body) = if i.is_multiple_of(5) && ids.len() > 3 {
            let id = ids.remove(ids.len() - 3);
            (format!("/customers/{id}"), reqwest::Method::DELETE, None)
        } else if i.is_multiple_of(3) && !ids.is_empty() {
            let id = ids.last().cloned().unwrap_or_default();
            let body = json!({"name": format!("{}-{i}-renamed", t.slug)});
            (
                format!("/customers/{id}"),
                reqwest::Method::PATCH,
                Some(body),
            )
        } else {
            let body = json!({"name": format!("{}-{i}", t.slug)});
            ("/customers".to_owned(), reqwest::Method::POST, Some(body))
        };
        let (status, answer) = loop {
            let mut req = app.req(&t, method.clone(), &path);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let (s, a) = crate::helpers::send(req).await;
            if s == StatusCode::SERVICE_UNAVAILABLE && started.elapsed() < Duration::from_secs(10) {
                w.retried_503 += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            break (s, a);
        };
        w.longest = w.longest.max(started.elapsed());
        match (method.as_str(), status) {
            ("POST", StatusCode::CREATED) => {
                let id = answer["id"].as_str().unwrap_or_default().to_owned();
                w.model.insert(id.clone(), answer["name"].to_string());
                ids.push(id);
            }
            ("PATCH", StatusCode::OK) => {
                let id = answer["id"].as_str().unwrap_or_default().to_owned();
                w.model.insert(id, answer["name"].to_string());
            }
            ("DELETE", StatusCode::NO_CONTENT) => {
                w.model.remove(path.trim_start_matches("/customers/"));
            }
            _ => {
                w.errors.push(format!("{method} {path}: {status} {answer}"));
                continue;
            }
        }
        w.acknowledged += 1;
    }
    w
}

/// A writer per tenant (`write_until`), from `start` until `finish`.
pub(crate) struct Writers {
    stop: Arc<AtomicBool>,
    running: Vec<tokio::task::JoinHandle<Writes>>,
}

impl Writers {
    pub(crate) fn start(app: &Arc<TestApp>, tenants: impl IntoIterator<Item = TestTenant>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let running = tenants
            .into_iter()
            .map(|t| tokio::spawn(write_until(app.clone(), t, stop.clone())))
            .collect();
        Self { stop, running }
    }

    /// What each writer saw, in the order they were started.
    pub(crate) async fn finish(self) -> Vec<Writes> {
        self.stop.store(true, Ordering::Relaxed);
        let mut out = Vec::new();
        for w in self.running {
            out.push(w.await.expect("writer"));
        }
        out
    }
}

/// Another tenant's move disturbed none of these: no error, no wait, every write there.
pub(crate) async fn assert_undisturbed(app: &TestApp, tenants: &[TestTenant], writes: &[Writes]) {
    for (t, w) in tenants.iter().zip(writes) {
        assert!(w.errors.is_empty(), "{}: {:?}", t.slug, w.errors);
        assert_eq!(
            w.retried_503, 0,
            "{} was held by another tenant's move",
            t.slug
        );
        assert_eq!(listed(app, t).await, w.model, "{}", t.slug);
    }
}

/// Every customer the API lists for `t`, id → name.
pub(crate) async fn listed(app: &TestApp, t: &TestTenant) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut next = "/customers?limit=200".to_owned();
    loop {
        let (s, page) = app.get(t, &next).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        for c in page["items"].as_array().expect("items") {
            let id = c["id"].as_str().expect("id").to_owned();
            assert!(
                out.insert(id.clone(), c["name"].to_string()).is_none(),
                "{id} listed twice"
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("/customers?limit=200&cursor={c}"),
            None => return out,
        }
    }
}

async fn schema_exists(db: &tokio_postgres::Client, name: &str) -> bool {
    db.query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&name])
        .await
        .expect("query")
        .is_some()
}

async fn move_to(app: &TestApp, slug: &str, tier: &str) -> atrium_control::moves::Move {
    let req = MoveRequest {
        tier: Some(tier.into()),
        ..Default::default()
    };
    let m = app
        .control
        .move_tenant(slug, &req, "test")
        .await
        .unwrap_or_else(|e| panic!("move {slug} to {tier}: {e:?}"));
    assert_eq!(
        (m.state.as_str(), m.phase.as_str()),
        ("flipped", "flipped"),
        "{m:?}"
    );
    let sums = m
        .checksums
        .as_ref()
        .and_then(|c| c.as_object())
        .expect("checksums");
    for table in [
        "customers",
        "deals",
        "deal_stage_history",
        "notes",
        "settings",
        "users",
    ] {
        assert!(sums.contains_key(table), "no checksum for {table}: {m:?}");
    }
    let tenant = app.control.get_tenant(slug).await.expect("tenant");
    assert_eq!(tenant.tier.as_str(), tier);
    m
}

/// The test: pooled → schema → pooled under continuous writes to the moving
/// tenant and two others. No acknowledged write is lost or doubled, the neighbours see
/// no error, and the mover's longest write is timed.
#[tokio::test]
async fn a_tenant_moves_between_tiers_under_writes_and_loses_nothing() {
    let suite = Instant::now();
    let app = Arc::new(TestApp::spawn_with(|c| c.control.moves.grace_secs = 3600).await);
    let mover = app.tenant_in("mover", "pooled").await;
    let neighbours = [
        app.tenant_in("steady_pool", "pooled").await,
        app.tenant_in("steady_own", "schema").await,
    ];
    // Rows in every kind of table: a deal with its stage history, a note, a user.
    let c = app.customer(&mover, "Anchor").await;
    let (s, deal) = app
        .post(
            &mover,
            "/deals",
            json!({"customer_id": c["id"], "title": "Big", "amount_cents": 100, "currency": "USD"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{deal}");
    let deal_id = deal["id"].as_str().expect("id");
    for stage in ["qualified", "proposal"] {
        let (s, b) = app
            .post(
                &mover,
                &format!("/deals/{deal_id}/stage"),
                json!({"stage": stage}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let customer_id = c["id"].as_str().expect("id");
    let (s, b) = app
        .post(
            &mover,
            &format!("/customers/{customer_id}/notes"),
            json!({"body": "moves well"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    let writers = Writers::start(
        &app,
        std::iter::once(mover.clone()).chain(neighbours.clone()),
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let to_schema = move_to(&app, "mover", "schema").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let to_pool = move_to(&app, "mover", "pooled").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let results = writers.finish().await;
    let (moved, others) = results.split_first().expect("writers");
    assert_undisturbed(&app, &neighbours, others).await;
    assert!(moved.errors.is_empty(), "mover: {:?}", moved.errors);
    let mut expected = moved.model.clone();
    expected.insert(c["id"].as_str().expect("id").into(), c["name"].to_string());
    assert_eq!(
        listed(&app, &mover).await,
        expected,
        "acknowledged writes lost or doubled"
    );
    let (s, history) = app.get(&mover, &format!("/deals/{deal_id}/history")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(history.as_array().map(Vec::len), Some(3), "{history}");

    eprintln!(
        "moves: pooled→schema froze {} ms ({} rows copied, {} changes replayed); \
         schema→pooled froze {} ms ({} rows, {} changes); mover {} writes, longest {} ms, \
         {} retried 503s; neighbours {} and {} writes, 0 errors; {:.1} s",
        to_schema.freeze_ms.unwrap_or(-1),
        to_schema.rows_copied.unwrap_or(-1),
        to_schema.changes_applied.unwrap_or(-1),
        to_pool.freeze_ms.unwrap_or(-1),
        to_pool.rows_copied.unwrap_or(-1),
        to_pool.changes_applied.unwrap_or(-1),
        moved.acknowledged,
        moved.longest.as_millis(),
        moved.retried_503,
        others[0].acknowledged,
        others[1].acknowledged,
        suite.elapsed().as_secs_f64(),
    );
    // The writes held by the freeze entered the new placement without a round trip
    // to the client.
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("db_tenant_relocated_total"),
        "no transaction was relocated"
    );
    assert!(
        moved.longest < Duration::from_secs(2),
        "the mover's longest write took {:?}",
        moved.longest
    );

    // Grace over: the old schema goes; nothing of either move is left behind.
    let tenant = app.control.get_tenant("mover").await.expect("tenant");
    let db = app.db.superuser().await;
    assert!(
        schema_exists(&db, &tenant.schema_name).await,
        "kept during the grace period"
    );
    assert_eq!(
        app.control.finish_moves(None, true).await.expect("finish"),
        1
    );
    assert!(!schema_exists(&db, &tenant.schema_name).await);
    let leftovers: i64 = db
        .query_one(
            "SELECT (SELECT count(*) FROM pg_replication_slots
                      WHERE slot_name LIKE 'atrium_move_%' AND database = current_database())
                  + (SELECT count(*) FROM pg_publication WHERE pubname LIKE 'atrium_move_%')",
            &[],
        )
        .await
        .expect("query")
        .get(0);
    assert_eq!(leftovers, 0, "slots or publications left behind");
}

/// A move that cannot freeze the tenant in time (a transaction of its stays open) gives
/// up before the flip: the tenant stays, whole, where it was, and nothing is left over.
#[tokio::test]
async fn a_move_that_fails_leaves_the_tenant_where_it_was() {
    let app = TestApp::spawn_with(|c| c.control.moves.drain_timeout_ms = 300).await;
    let t = app.tenant_in("stayer", "pooled").await;
    let c = app.customer(&t, "Still here").await;
    let tenant = app.control.get_tenant("stayer").await.expect("tenant");

    // A transaction of the tenant's that holds its placement lock through the move.
    let pool = app.api_pool();
    let db = app.db.superuser().await;
    let scope = app.pool_scope(tenant.id);
    let mut held = TenantTx::begin(&pool, &scope).await.expect("begin");
    held.query("SELECT 1", &[]).await.expect("enter");

    let err = app
        .control
        .move_tenant(
            "stayer",
            &MoveRequest {
                tier: Some("schema".into()),
                ..Default::default()
            },
            "test",
        )
        .await
        .expect_err("the drain times out");
    assert!(err.to_string().contains("did not finish in time"), "{err}");
    held.commit().await.expect("commit");

    let after = app.control.get_tenant("stayer").await.expect("tenant");
    assert_eq!(after.tier.as_str(), "pooled");
    assert_eq!(after.pool_name.as_deref(), Some("pool_01"));
    let moves = app.control.moves_of("stayer").await.expect("moves");
    assert_eq!(
        (moves[0].state.as_str(), moves[0].phase.as_str()),
        ("failed", "undone"),
        "{moves:?}"
    );
    assert!(
        !schema_exists(&db, &tenant.schema_name).await,
        "the half-made schema is dropped"
    );
    let (s, got) = app
        .get(&t, &format!("/customers/{}", c["id"].as_str().expect("id")))
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    let (s, b) = app.post(&t, "/customers", json!({"name": "after"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

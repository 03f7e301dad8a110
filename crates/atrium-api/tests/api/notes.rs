//! Notes on customers and deals, the customer timeline, and the tenant's settings.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{assert_problem, send, TestApp, TestTenant};

async fn deal(app: &TestApp, t: &TestTenant, customer: &Value, title: &str) -> Value {
    let (s, d) = app
        .post(
            t,
            "/deals",
            json!({"customer_id": customer["id"], "title": title, "amount_cents": 1000}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("id")
}

/// Finding: the customer page had no notes. Notes on customers and deals, written by a
/// key or a user who is recorded as their author, changed with `If-Match`.
#[tokio::test]
async fn notes_on_customers_and_deals_record_their_author() {
    let app = TestApp::spawn().await;
    let t = app.tenant("acme").await;
    let c = app.customer(&t, "Contoso").await;
    let d = deal(&app, &t, &c, "Robots").await;
    let (s, n) = app
        .post(
            &t,
            &format!("/customers/{}/notes", id(&c)),
            json!({"body": "  Called, wants a demo  "}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    assert_eq!(n["body"], "Called, wants a demo");
    assert_eq!((&n["customer_id"], &n["deal_id"]), (&c["id"], &Value::Null));
    assert_eq!(
        (&n["author_kind"], &n["author_name"]),
        (&json!("key"), &json!("test")),
        "{n}"
    );
    assert!(n["author_id"].is_string(), "{n}");
    let (s, dn) = app
        .post(
            &t,
            &format!("/deals/{}/notes", id(&d)),
            json!({"body": "Budget approved"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{dn}");
    assert_eq!(dn["deal_id"], d["id"]);

    let (s, list) = app.get(&t, &format!("/customers/{}/notes", id(&c))).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(
        (&list["total"], &list["items"][0]["id"]),
        (&json!(1), &n["id"])
    );
    let (_, list) = app.get(&t, &format!("/deals/{}/notes", id(&d))).await;
    assert_eq!(list["items"][0]["id"], dn["id"]);

    let note = format!("/notes/{}", id(&n));
    let (s, body) = send(
        app.req(&t, Method::PATCH, &note)
            .header("if-match", "\"7\"")
            .json(&json!({"body": "lost update"})),
    )
    .await;
    assert_problem(
        s,
        &body,
        StatusCode::PRECONDITION_FAILED,
        "version_mismatch",
    );
    let (s, changed) = send(
        app.req(&t, Method::PATCH, &note)
            .header("if-match", "\"1\"")
            .json(&json!({"body": "Demo booked"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert_eq!(
        (&changed["body"], &changed["version"]),
        (&json!("Demo booked"), &json!(2))
    );
    assert_eq!(changed["author_name"], "test", "the author stays");
    let (s, _) = send(
        app.req(&t, Method::DELETE, &note)
            .header("if-match", "\"2\""),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = app.get(&t, &format!("/customers/{}/notes", id(&c))).await;
    assert_eq!(list["total"], 0);
}

/// A note is 1 to 5,000 characters, and says nothing but its body.
#[tokio::test]
async fn note_bodies_are_checked_and_authors_cannot_be_forged() {
    let app = TestApp::spawn().await;
    let t = app.tenant("acme").await;
    let c = app.customer(&t, "Contoso").await;
    let path = format!("/customers/{}/notes", id(&c));
    let before = app.db.fingerprint().await;
    for body in [
        json!({"body": "   "}),
        json!({"body": "x".repeat(5001)}),
        json!({"body": "hi", "author_name": "The CEO"}),
        json!({}),
    ] {
        let (s, b) = app.post(&t, &path, body).await;
        assert!(
            s == StatusCode::UNPROCESSABLE_ENTITY || s == StatusCode::BAD_REQUEST,
            "{s} {b}"
        );
    }
    assert_eq!(before, app.db.fingerprint().await, "nothing changed");
    let (s, n) = app.post(&t, &path, json!({"body": "x".repeat(5000)})).await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let (s, b) = app
        .post(
            &t,
            &format!("/customers/{}/notes", uuid::Uuid::now_v7()),
            json!({"body": "hi"}),
        )
        .await;
    assert_problem(s, &b, StatusCode::NOT_FOUND, "not_found");
}

/// Finding: the customer page had no activity. One newest-first list of what happened
/// with a customer: deals, orders, stage changes, notes.
#[tokio::test]
async fn customer_timeline_lists_deals_orders_stage_changes_and_notes_newest_first() {
    let app = TestApp::spawn().await;
    let t = app.tenant("acme").await;
    let c = app.customer(&t, "Contoso").await;
    let other = app.customer(&t, "Other").await;
    deal(&app, &t, &other, "Not theirs").await;
    let d = deal(&app, &t, &c, "Robots").await;
    let (s, o) = app
        .post(
            &t,
            "/orders",
            json!({"customer_id": c["id"], "item": "Seats", "quantity": 2, "amount_cents": 500}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let (s, _) = app
        .post(
            &t,
            &format!("/deals/{}/stage", id(&d)),
            json!({"stage": "won"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .post(
            &t,
            &format!("/customers/{}/notes", id(&c)),
            json!({"body": "Signed!"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    let path = format!("/customers/{}/timeline", id(&c));
    let (s, page) = app.get(&t, &path).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let kinds: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "note_added",
            "stage_changed",
            "order_created",
            "deal_created"
        ]
    );
    assert_eq!(page["total"], 4);
    let items = &page["items"];
    assert_eq!(
        (&items[0]["summary"], &items[1]["to_stage"]),
        (&json!("Signed!"), &json!("won"))
    );
    assert_eq!(
        (&items[1]["from_stage"], &items[1]["deal_id"]),
        (&json!("lead"), &d["id"])
    );
    assert_eq!(
        (&items[2]["ref_id"], &items[2]["amount_cents"]),
        (&o["id"], &json!(500))
    );
    assert_eq!(
        (&items[3]["summary"], &items[3]["currency"]),
        (&json!("Robots"), &json!("USD"))
    );

    let mut next = format!("{path}?limit=1");
    let mut paged = Vec::new();
    loop {
        let (s, p) = app.get(&t, &next).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        paged.extend(
            p["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|e| e["kind"].clone()),
        );
        match p["next_cursor"].as_str() {
            Some(cur) => next = format!("{path}?limit=1&cursor={cur}"),
            None => break,
        }
    }
    assert_eq!(paged, kinds, "paging walks the same entries");
    let (s, b) = app
        .get(&t, &format!("/customers/{}/timeline", uuid::Uuid::now_v7()))
        .await;
    assert_problem(s, &b, StatusCode::NOT_FOUND, "not_found");
}

/// Finding: one currency for everyone, UTC for China. Each tenant has a currency and a
/// time zone, from the operator's defaults, which its admins change; deals and orders
/// take the tenant's currency unless they name one.
#[tokio::test]
async fn tenant_settings_default_from_the_operator_and_admins_change_them() {
    let app = TestApp::spawn().await;
    let t = app.tenant("acme").await;
    let (s, settings) = app.get(&t, "/settings").await;
    assert_eq!(s, StatusCode::OK, "{settings}");
    assert_eq!(
        (&settings["currency"], &settings["timezone"]),
        (&json!("USD"), &json!("UTC"))
    );
    assert_eq!(
        (
            &settings["currency_digits"]["JPY"],
            &settings["currency_digits"]["CNY"]
        ),
        (&json!(0), &json!(2))
    );
    let (s, changed) = send(
        app.req(&t, Method::PATCH, "/settings")
            .header("if-match", "\"1\"")
            .json(&json!({"currency": "CNY", "timezone": "Asia/Shanghai"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert_eq!(
        (&changed["currency"], &changed["timezone"]),
        (&json!("CNY"), &json!("Asia/Shanghai"))
    );
    let c = app.customer(&t, "Contoso").await;
    let d = deal(&app, &t, &c, "Robots").await;
    assert_eq!(d["currency"], "CNY");
    let (s, o) = app
        .post(&t, "/orders", json!({"item": "Tea", "amount_cents": 300}))
        .await;
    assert_eq!(
        (s, &o["currency"]),
        (StatusCode::CREATED, &json!("CNY")),
        "{o}"
    );
    let (s, o) = app
        .post(
            &t,
            "/orders",
            json!({"item": "Tea", "amount_cents": 300, "currency": "EUR"}),
        )
        .await;
    assert_eq!(
        (s, &o["currency"]),
        (StatusCode::CREATED, &json!("EUR")),
        "{o}"
    );

    let before = app.db.fingerprint().await;
    for (body, field) in [
        (json!({"currency": "XYZ"}), "currency"),
        (json!({"currency": "usd"}), "currency"),
        (json!({"timezone": "Mars/Olympus"}), "timezone"),
    ] {
        let (s, b) = app.patch(&t, "/settings", body).await;
        assert_problem(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(b["errors"][0]["field"], field, "{b}");
        // The code names the rule, for the settings screen to say it in the user's language.
        assert_eq!(b["errors"][0]["code"], field, "{b}");
    }
    let (s, b) = app
        .post(
            &t,
            "/orders",
            json!({"item": "Tea", "amount_cents": 300, "currency": "XYZ"}),
        )
        .await;
    assert_problem(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(before, app.db.fingerprint().await, "nothing changed");
}

/// The operator's defaults, from config or the provisioning request, are what a new
/// tenant starts with.
#[tokio::test]
async fn new_tenants_start_with_the_operators_currency_and_timezone() {
    let app = TestApp::spawn_with(|c| {
        c.control.tenant_defaults.currency = "EUR".into();
        c.control.tenant_defaults.timezone = "Europe/Paris".into();
    })
    .await;
    let t = app.tenant("acme").await;
    let (_, settings) = app.get(&t, "/settings").await;
    assert_eq!(
        (&settings["currency"], &settings["timezone"]),
        (&json!("EUR"), &json!("Europe/Paris"))
    );
    app.control
        .provision(
            &atrium_control::provision::NewTenant {
                slug: "shanghai".into(),
                currency: Some("CNY".into()),
                timezone: Some("Asia/Shanghai".into()),
                ..Default::default()
            },
            "test",
        )
        .await
        .expect("provision");
    let key = app
        .control
        .create_key("shanghai", "k", "test")
        .await
        .expect("key");
    let sh = TestTenant {
        slug: "shanghai".into(),
        key: key.secret,
    };
    let (_, settings) = app.get(&sh, "/settings").await;
    assert_eq!(
        (&settings["currency"], &settings["timezone"]),
        (&json!("CNY"), &json!("Asia/Shanghai"))
    );
}

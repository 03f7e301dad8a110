//! The operator HTTP API: admin token only, problem+json errors, everything audited.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::TestControl;

pub(crate) struct Api {
    base: String,
    http: reqwest::Client,
    token: String,
    pub(crate) t: TestControl,
}

impl Api {
    async fn spawn() -> Self {
        Self::spawn_on(TestControl::new().await).await
    }

    /// The operator API serving `t`'s database and configuration.
    pub(crate) async fn spawn_on(t: TestControl) -> Self {
        let app = atrium_control::http::Application::build(t.db.config.clone())
            .await
            .expect("build");
        let base = format!("http://127.0.0.1:{}", app.server.port());
        tokio::spawn(app.run_until_stopped());
        Self {
            base,
            http: reqwest::Client::new(),
            token: "test-admin-token-0123456789".into(),
            t,
        }
    }

    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("send");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn tenant_lifecycle_through_the_operator_api() {
    use reqwest::Method;
    let api = Api::spawn().await;
    let (s, t) = api
        .call(
            Method::POST,
            "/v1/tenants",
            Some(json!({"slug": "acme", "display_name": "Acme Corp", "plan": "pro"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(t["state"], "active");
    let (s, b) = api
        .call(
            Method::POST,
            "/v1/tenants",
            Some(json!({"slug": "acme", "display_name": "Other"})),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("tenant_exists")),
        "{b}"
    );

    let (s, list) = api.call(Method::GET, "/v1/tenants", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));

    let (s, key) = api
        .call(
            Method::POST,
            "/v1/tenants/acme/keys",
            Some(json!({"name": "ci"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{key}");
    let secret = key["secret"]
        .as_str()
        .expect("secret shown once")
        .to_owned();
    let (_, keys) = api.call(Method::GET, "/v1/tenants/acme/keys", None).await;
    assert!(keys[0].get("secret").is_none(), "never shown again");
    assert!(!keys.to_string().contains(&secret));

    // A tenant key is not an operator credential.
    let res = api
        .http
        .get(format!("{}/v1/tenants", api.base))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = api
        .http
        .get(format!("{}/v1/tenants", api.base))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["content-type"], "application/problem+json");

    let (s, t) = api
        .call(
            Method::POST,
            "/v1/tenants/acme/suspend",
            Some(json!({"reason": "unpaid invoice"})),
        )
        .await;
    assert_eq!(
        (s, t["state"].as_str()),
        (StatusCode::OK, Some("suspended"))
    );
    let (s, t) = api
        .call(Method::POST, "/v1/tenants/acme/resume", None)
        .await;
    assert_eq!((s, t["state"].as_str()), (StatusCode::OK, Some("active")));
    let (s, k) = api
        .call(
            Method::DELETE,
            &format!(
                "/v1/tenants/acme/keys/{}",
                key["id"].as_str().unwrap_or_default()
            ),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(k["revoked_at"].is_string());
    let (s, t) = api.call(Method::DELETE, "/v1/tenants/acme", None).await;
    assert_eq!(
        (s, t["state"].as_str()),
        (StatusCode::OK, Some("deleted")),
        "{t}"
    );
    let (s, t) = api
        .call(Method::POST, "/v1/tenants/acme/resume", None)
        .await;
    assert_eq!(
        (s, t["code"].as_str()),
        (StatusCode::CONFLICT, Some("invalid_state"))
    );

    let (s, audit) = api.call(Method::GET, "/v1/audit?tenant=acme", None).await;
    assert_eq!(s, StatusCode::OK);
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "tenant.delete",
            "tenant.delete.start",
            "key.revoke",
            "tenant.resume",
            "tenant.suspend",
            "key.create",
            "tenant.create",
            "tenant.create"
        ]
    );
    assert!(audit["items"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|e| e["actor"] == "token:admin"));
}

#[tokio::test]
async fn bad_input_is_refused_with_the_rule_named_and_changes_nothing() {
    use reqwest::Method;
    let api = Api::spawn().await;
    let before = api.t.db.fingerprint().await;
    for (slug, rule) in [
        ("a;drop table x", "charset"),
        ("a\"b", "charset"),
        ("A", "length"),
        ("аcme", "first_char"),
        (&"a".repeat(200) as &str, "length"),
        ("../x", "first_char"),
        ("public", "reserved"),
        ("pg_catalog", "reserved"),
        ("atrium_control", "reserved"),
    ] {
        let (s, body) = api
            .call(Method::POST, "/v1/tenants", Some(json!({"slug": slug})))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{slug}: {body}");
        assert_eq!(body["code"], "invalid_tenant_slug");
        assert_eq!(body["rule"], rule, "{slug}");
    }
    let (s, body) = api
        .call(
            Method::POST,
            "/v1/tenants",
            Some(json!({"slug": "acme", "plan": "platinum"})),
        )
        .await;
    assert_eq!(
        (s, body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("validation_failed"))
    );
    let (s, body) = api.call(Method::GET, "/v1/tenants/nobody", None).await;
    assert_eq!(
        (s, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("tenant_not_found"))
    );
    // Failed attempts are audited, but nothing else changes.
    let after: Vec<String> = api
        .t
        .db
        .fingerprint()
        .await
        .into_iter()
        .filter(|l| !l.starts_with("atrium_control.audit_log"))
        .collect();
    let before: Vec<String> = before
        .into_iter()
        .filter(|l| !l.starts_with("atrium_control.audit_log"))
        .collect();
    assert_eq!(before, after);
}

/// Issue 11: an operator exports a live tenant and downloads the file.
#[tokio::test]
async fn operators_export_a_live_tenant_and_download_it() {
    use reqwest::Method;
    let api = Api::spawn().await;
    api.call(Method::POST, "/v1/tenants", Some(json!({"slug": "acme"})))
        .await;
    let (s, t) = api
        .call(Method::POST, "/v1/tenants/acme/export", None)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    assert_eq!(t["state"], "active");
    assert!(t["export_path"].is_string(), "{t}");
    let res = api
        .http
        .get(format!("{}/v1/tenants/acme/export", api.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .expect("body")
        .starts_with("-- Atrium tenant export"));
    let (s, b) = api
        .call(Method::POST, "/v1/tenants/nobody/export", None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
}

#[tokio::test]
async fn operators_change_plan_and_statement_timeout() {
    use reqwest::Method;
    let api = Api::spawn().await;
    api.call(Method::POST, "/v1/tenants", Some(json!({"slug": "acme"})))
        .await;
    let (s, t) = api
        .call(
            Method::PATCH,
            "/v1/tenants/acme",
            Some(json!({"plan": "enterprise", "statement_timeout_ms": 250})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(
        (t["plan"].as_str(), t["statement_timeout_ms"].as_i64()),
        (Some("enterprise"), Some(250))
    );
    let before = api.t.db.fingerprint().await;
    for bad in [
        json!({"plan": "platinum"}),
        json!({"statement_timeout_ms": 5}),
        json!({"owner": "me"}),
    ] {
        let (s, body) = api
            .call(Method::PATCH, "/v1/tenants/acme", Some(bad.clone()))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    assert_eq!(
        before,
        api.t.db.fingerprint().await,
        "refused changes change nothing"
    );
    let (_, audit) = api
        .call(
            Method::GET,
            "/v1/audit?tenant=acme&action=tenant.update",
            None,
        )
        .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn lists_page_by_cursor_and_an_exactly_full_last_page_ends_the_list() {
    use reqwest::Method;
    let api = Api::spawn().await;
    for slug in ["acme", "globex", "initech"] {
        api.t.provision(slug).await;
    }
    let (s, page) = api.call(Method::GET, "/v1/tenants?limit=3", None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(page["next_cursor"], Value::Null, "no phantom next page");

    let (_, first) = api
        .call(Method::GET, "/v1/tenants?limit=2&sort=slug", None)
        .await;
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let (_, rest) = api
        .call(
            Method::GET,
            &format!("/v1/tenants?limit=2&sort=slug&cursor={cursor}"),
            None,
        )
        .await;
    let slugs: Vec<&str> = rest["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["slug"].as_str())
        .collect();
    assert_eq!(
        (slugs, &rest["next_cursor"]),
        (vec!["initech"], &Value::Null)
    );

    let (_, audit) = api.call(Method::GET, "/v1/audit?limit=2", None).await;
    let cursor = audit["next_cursor"]
        .as_str()
        .expect("older entries")
        .to_owned();
    let (s, older) = api
        .call(Method::GET, &format!("/v1/audit?cursor={cursor}"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{older}");
    assert!(older["items"][0]["id"].as_i64() < audit["items"][1]["id"].as_i64());

    for bad in ["limit=0", "limit=501", "cursor=not-ours", "state=gone"] {
        let (s, body) = api
            .call(Method::GET, &format!("/v1/tenants?{bad}"), None)
            .await;
        assert!(s.is_client_error(), "{bad}: {s} {body}");
        assert!(body["code"].is_string(), "{bad}: problem+json");
    }
}

#[tokio::test]
async fn the_operator_api_describes_itself() {
    let api = Api::spawn().await;
    let doc: Value = reqwest::get(format!("{}/v1/openapi.json", api.base))
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/v1/tenants",
        "/v1/tenants/{slug}",
        "/v1/tenants/{slug}/suspend",
        "/v1/tenants/{slug}/keys",
        "/v1/tenants/{slug}/users",
        "/v1/tenants/{slug}/users/{id}/password-reset",
        "/v1/audit",
        "/v1/overview",
        "/v1/session",
        "/v1/operators",
    ] {
        assert!(paths.contains_key(path), "{path} documented");
    }
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for schema in [
        "Tenant",
        "NewTenant",
        "Problem",
        "TenantState",
        "Plan",
        "TenantDetail",
        "Overview",
    ] {
        assert!(schemas.contains_key(schema), "{schema} documented");
    }
}

/// Item 5: a NUL character in the operator API's text (tenant names, operator sign-in,
/// query parameters) was a 500. Every route in the OpenAPI document refuses it with a
/// 4xx problem+json and changes nothing.
#[tokio::test]
async fn nul_characters_are_refused_with_4xx_on_every_operator_route() {
    use atrium_testkit::nul_probe;
    let api = Api::spawn().await;
    api.t.provision("nulls").await;
    let doc = nul_probe::openapi(&api.base).await;
    let probes = nul_probe::probes(&doc, |name| match name {
        "slug" => "nulls".into(),
        _ => "00000000-0000-4000-8000-000000000001".into(),
    });
    assert!(
        probes
            .iter()
            .any(|p| p.path == "/v1/session" && p.body.is_some()),
        "operator sign-in is probed: {probes:?}"
    );
    let before = api.t.db.fingerprint().await;
    nul_probe::assert_refused(&api.http, &api.base, &probes, &api.token).await;
    assert_eq!(
        api.t.db.fingerprint().await,
        before,
        "a refused request changed something"
    );
}

/// Item 17: operator answers carried no Cache-Control, and a query or path that didn't
/// parse was answered in text/plain.
#[tokio::test]
async fn operator_responses_are_no_store_and_rejections_problem_json() {
    use reqwest::Method;
    let api = Api::spawn().await;
    let (s, _) = api.call(Method::GET, "/v1/tenants", None).await;
    assert_eq!(s, StatusCode::OK);
    for (path, code) in [
        ("/v1/tenants", None),
        ("/v1/tenants?limit=many", Some("invalid_query")),
        ("/v1/audit?limit=many", Some("invalid_query")),
    ] {
        let res = api
            .http
            .get(format!("{}{path}", api.base))
            .bearer_auth(&api.token)
            .send()
            .await
            .expect("send");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
        if let Some(code) = code {
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
            assert_eq!(res.headers()["content-type"], "application/problem+json");
            let body: Value = res.json().await.expect("json");
            assert_eq!(body["code"], code, "{body}");
        }
    }
    let res = api
        .http
        .patch(format!("{}/v1/operators/not-a-uuid", api.base))
        .bearer_auth(&api.token)
        .json(&serde_json::json!({"disabled": true}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["code"], "invalid_path", "{body}");
}

/// Item 6: the control plane's public port showed `/metrics` too.
#[tokio::test]
async fn metrics_are_not_on_the_control_planes_public_port() {
    let api = Api::spawn().await;
    let res = reqwest::get(format!("{}/metrics", api.base))
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

fn slugs(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["slug"].as_str().map(str::to_owned))
        .collect()
}

/// Finding: the console's tenant list stopped at 200 and could not be sorted, filtered or
/// searched. Newest first, sorted by any column it shows, searched by slug and name,
/// filtered by state and plan, with a total.
#[tokio::test]
async fn tenants_list_sorts_searches_filters_and_counts() {
    use reqwest::Method;
    let api = Api::spawn().await;
    for (slug, name, plan) in [
        ("acme", "Acme Rockets", "pro"),
        ("globex", "Globex Corp", "free"),
        ("initech", "Initech ROCKET labs", "enterprise"),
    ] {
        let (s, b) = api
            .call(
                Method::POST,
                "/v1/tenants",
                Some(json!({"slug": slug, "display_name": name, "plan": plan})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    api.t
        .control
        .suspend("globex", "test", "a test")
        .await
        .expect("suspend");
    let get = |q: &'static str| {
        let api = &api;
        async move {
            let (s, page) = api
                .call(Method::GET, &format!("/v1/tenants?{q}"), None)
                .await;
            assert_eq!(s, StatusCode::OK, "{q}: {page}");
            page
        }
    };
    let page = get("").await;
    assert_eq!(slugs(&page), ["initech", "globex", "acme"], "newest first");
    assert_eq!(
        (&page["total"], &page["total_exact"]),
        (&json!(3), &json!(true))
    );
    assert_eq!(
        slugs(&get("sort=slug").await),
        ["acme", "globex", "initech"]
    );
    assert_eq!(
        slugs(&get("sort=-display_name").await),
        ["initech", "globex", "acme"]
    );
    // Plan sorts as the column holds it: enterprise, free, pro.
    assert_eq!(
        slugs(&get("sort=plan").await),
        ["initech", "globex", "acme"]
    );
    let page = get("q=rocket").await;
    assert_eq!(
        (slugs(&page), &page["total"]),
        (vec!["initech".to_owned(), "acme".to_owned()], &json!(2))
    );
    assert_eq!(slugs(&get("q=GLOB").await), ["globex"]);
    assert_eq!(slugs(&get("state=suspended").await), ["globex"]);
    assert_eq!(slugs(&get("plan=pro&sort=state").await), ["acme"]);
    let page = get("limit=1&sort=slug").await;
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    let (s, rest) = api
        .call(
            Method::GET,
            &format!("/v1/tenants?sort=slug&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(
        (s, slugs(&rest)),
        (
            StatusCode::OK,
            vec!["globex".to_owned(), "initech".to_owned()]
        )
    );
    for (bad, code) in [
        ("sort=schema_name", "invalid_sort"),
        ("plan=gold", "validation_failed"),
    ] {
        let (s, body) = api
            .call(Method::GET, &format!("/v1/tenants?{bad}"), None)
            .await;
        assert_eq!(
            (s.as_u16() / 100, &body["code"]),
            (4, &json!(code)),
            "{bad}: {body}"
        );
    }
    let (s, body) = api
        .call(
            Method::GET,
            &format!("/v1/tenants?sort=-created_at&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(
        (s, &body["code"]),
        (StatusCode::BAD_REQUEST, &json!("invalid_cursor")),
        "{body}"
    );
}

/// Finding: the audit log could not be filtered by tenant prefix (or one tenant exactly),
/// by any action, or by date. The action list comes from the one list the writers use.
#[tokio::test]
async fn audit_log_filters_by_tenant_prefix_action_and_date() {
    use reqwest::Method;
    let api = Api::spawn().await;
    for slug in ["acme", "acme_eu", "globex"] {
        api.t.provision(slug).await;
    }
    api.t
        .control
        .suspend("acme_eu", "test", "a test")
        .await
        .expect("suspend");
    let get = |q: String| {
        let api = &api;
        async move {
            let (s, page) = api.call(Method::GET, &format!("/v1/audit?{q}"), None).await;
            assert_eq!(s, StatusCode::OK, "{q}: {page}");
            page
        }
    };
    let tenants = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["tenant_slug"].as_str().unwrap_or("-"),
                    e["action"].as_str().unwrap_or("-")
                )
            })
            .collect()
    };
    let page = get("tenant=acme".into()).await;
    assert_eq!(
        tenants(&page),
        [
            "acme_eu:tenant.suspend",
            "acme_eu:tenant.create",
            "acme:tenant.create"
        ]
    );
    assert_eq!(page["total"], 3);
    let page = get("tenant_slug=acme".into()).await;
    assert_eq!(
        tenants(&page),
        ["acme:tenant.create"],
        "one tenant's own trail"
    );
    let page = get("action=tenant.suspend".into()).await;
    assert_eq!(tenants(&page), ["acme_eu:tenant.suspend"]);
    let today = chrono::Utc::now().date_naive();
    assert_eq!(get(format!("from={today}&tenant=globex")).await["total"], 1);
    assert_eq!(
        get(format!("to={today}&tenant=globex")).await["total"],
        1,
        "`to` a date: through that day"
    );
    let yesterday = today.pred_opt().expect("yesterday");
    assert_eq!(
        get(format!("to={yesterday}&tenant=globex")).await["total"],
        0
    );
    let tomorrow = today.succ_opt().expect("tomorrow");
    assert_eq!(get(format!("from={tomorrow}")).await["total"], 0);
    let now = chrono::Utc::now() + chrono::Duration::seconds(1);
    let to = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(get(format!("to={to}&tenant=globex")).await["total"], 1);
    let (s, body) = api
        .call(Method::GET, "/v1/audit?from=yesterday", None)
        .await;
    assert_eq!(
        (s, &body["code"]),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!("validation_failed")
        ),
        "{body}"
    );

    let (s, actions) = api.call(Method::GET, "/v1/audit/actions", None).await;
    assert_eq!(s, StatusCode::OK, "{actions}");
    let actions: Vec<&str> = actions
        .as_array()
        .expect("array")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for a in [
        "tenant.create",
        "tenant.suspend",
        "key.create",
        "operator.sign_in",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

/// Finding: suspending was one click with no reason, and nobody could later tell why.
#[tokio::test]
async fn suspend_without_reason_is_refused() {
    use reqwest::Method;
    let api = Api::spawn().await;
    api.t.provision("acme").await;
    let suspend = "/v1/tenants/acme/suspend";
    for body in [
        json!({}),
        json!({"reason": "   "}),
        json!({"reason": "x".repeat(501)}),
    ] {
        let (s, b) = api.call(Method::POST, suspend, Some(body)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["errors"][0]["field"], "reason", "{b}");
    }
    let (_, t) = api.call(Method::GET, "/v1/tenants/acme", None).await;
    assert_eq!(t["state"], "active", "refusals change nothing");
    let (s, t) = api
        .call(
            Method::POST,
            suspend,
            Some(json!({"reason": "  unpaid invoice  "})),
        )
        .await;
    assert_eq!(
        (s, t["state"].as_str()),
        (StatusCode::OK, Some("suspended")),
        "{t}"
    );
    let (s, _) = api
        .call(Method::POST, "/v1/tenants/acme/resume", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, audit) = api.call(Method::GET, "/v1/audit?tenant=acme", None).await;
    let items = audit["items"].as_array().expect("items");
    assert_eq!(items[0]["action"], "tenant.resume");
    assert_eq!(items[1]["action"], "tenant.suspend");
    assert_eq!(items[1]["detail"]["reason"], "unpaid invoice", "{audit}");
}

/// The console shows the slug rules before anyone types, from the validator's own values.
#[tokio::test]
async fn slug_rules_are_published_before_sign_in() {
    let api = Api::spawn().await;
    let res = api
        .http
        .get(format!("{}/v1/console-config", api.base))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::OK);
    let cfg: Value = res.json().await.expect("json");
    let rules = &cfg["slug_rules"];
    assert_eq!(rules["pattern"], "^[a-z][a-z0-9_]{2,39}$");
    assert_eq!(
        (rules["min_length"].as_u64(), rules["max_length"].as_u64()),
        (Some(3), Some(40))
    );
    assert!(rules["reserved"]
        .as_array()
        .is_some_and(|r| r.contains(&json!("admin"))));
    let sentence = rules["description"].as_str().unwrap_or_default();
    assert!(sentence.contains("3 to 40 characters"), "{sentence}");
}

/// An operator's invite is for a member unless an admin is asked for; re-inviting a
/// pending address needs `resend`; the operator can issue a password reset link, audited
/// without its token.
#[tokio::test]
async fn operator_invites_default_to_member_and_issue_reset_links() {
    use reqwest::Method;
    let api = Api::spawn().await;
    api.t.provision("acme").await;
    let users = "/v1/tenants/acme/users";
    let (s, b) = api
        .call(Method::POST, users, Some(json!({"email": "m@acme.test"})))
        .await;
    assert_eq!(
        (s, b["user"]["role"].as_str()),
        (StatusCode::CREATED, Some("member")),
        "{b}"
    );
    let (s, b) = api
        .call(
            Method::POST,
            users,
            Some(json!({"email": "m@acme.test", "role": "admin"})),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("invite_pending")),
        "{b}"
    );
    let (s, b) = api
        .call(
            Method::POST,
            users,
            Some(json!({"email": "m@acme.test", "role": "admin", "resend": true})),
        )
        .await;
    assert_eq!(
        (s, b["user"]["role"].as_str()),
        (StatusCode::CREATED, Some("admin")),
        "{b}"
    );
    let id = b["user"]["id"].as_str().expect("id").to_owned();
    let resend = json!({"email": "m@acme.test", "resend": true});
    let (s, b) = api.call(Method::POST, users, Some(resend)).await;
    assert_eq!(
        (s, b["user"]["role"].as_str()),
        (StatusCode::CREATED, Some("admin")),
        "a resend keeps the role unless one is given: {b}"
    );
    let reset = format!("{users}/{id}/password-reset");
    let (s, b) = api.call(Method::POST, &reset, None).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("invite_pending")),
        "{b}"
    );
    // Accepting happens at the data plane; here, the row as an accepted user would leave it.
    let su = api.t.db.superuser().await;
    su.execute(
        "UPDATE t_acme.users SET password_hash = 'x', invite_hash = NULL",
        &[],
    )
    .await
    .expect("accept");
    let (s, b) = api.call(Method::POST, &reset, None).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let token = b["reset_token"].as_str().expect("token").to_owned();
    assert!(b["expires_at"].is_string());
    let (s, b) = api
        .call(
            Method::POST,
            &format!("{users}/{}/password-reset", uuid::Uuid::nil()),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (_, audit) = api.call(Method::GET, "/v1/audit?tenant=acme", None).await;
    assert_eq!(audit["items"][0]["action"], "tenant.user.password_reset");
    assert!(
        !audit.to_string().contains(&token),
        "the token is never audited"
    );
}

/// A server answering `/readyz` with `status`, as a peer process would.
async fn peer(status: StatusCode) -> String {
    let app =
        axum::Router::new().route("/readyz", axum::routing::get(move || async move { status }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// Finding: the operator saw no totals, no states and no health. The overview counts
/// tenants by state and plan, and says of each process whether it is ready, or that it
/// was not checked.
#[tokio::test]
async fn overview_counts_tenants_by_state() {
    use reqwest::Method;
    let mut t = crate::TestControl::new().await;
    t.db.config.control.peers.api_url = Some(peer(StatusCode::OK).await);
    t.db.config.control.peers.collector_url = Some(peer(StatusCode::SERVICE_UNAVAILABLE).await);
    let api = Api::spawn_on(t).await;
    for (slug, plan) in [
        ("alpha", "free"),
        ("bravo", "pro"),
        ("charlie", "pro"),
        ("delta", "enterprise"),
    ] {
        let body = json!({"slug": slug, "plan": plan});
        let (s, b) = api.call(Method::POST, "/v1/tenants", Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let reason = Some(json!({"reason": "testing"}));
    api.call(Method::POST, "/v1/tenants/bravo/suspend", reason)
        .await;
    api.call(Method::DELETE, "/v1/tenants/delta", None).await;

    let (s, o) = api.call(Method::GET, "/v1/overview", None).await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert_eq!(o["tenants"]["total"], 4);
    assert!(o["last_backup"].is_null(), "no backups configured here");
    assert_eq!(
        o["tenants"]["by_state"],
        json!({"active": 2, "suspended": 1, "deleted": 1, "deleting": 0, "provisioning": 0})
    );
    assert_eq!(
        o["tenants"]["by_plan"],
        json!({"free": 1, "pro": 2, "enterprise": 0}),
        "live tenants only"
    );
    let ready: Vec<(&str, &str)> = o["readiness"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["process"].as_str().unwrap_or(""),
                p["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        ready,
        [
            ("control", "ready"),
            ("postgres", "ready"),
            ("clickhouse", "unknown"),
            ("api", "ready"),
            ("collector", "unready")
        ]
    );
    assert_eq!(
        o["activity"]["available"], false,
        "no analytics here: said, not zero"
    );
    assert!(o["activity"]["note"].is_string());
    let top: Vec<&str> = o["top_tenants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["slug"].as_str())
        .collect();
    assert_eq!(top.len(), 3, "live tenants only: {top:?}");
}

/// The tenant page: registry row, why and by whom it is suspended, migration state,
/// users and keys counted; renamed with PATCH (audited), bad changes refused.
#[tokio::test]
async fn tenant_detail_shows_suspension_migration_users_and_keys() {
    use reqwest::Method;
    let api = Api::spawn().await;
    api.t.provision("acme").await;
    let (s, _) = api
        .call(
            Method::POST,
            "/v1/tenants/acme/keys",
            Some(json!({"name": "ci"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = api
        .call(
            Method::POST,
            "/v1/tenants/acme/users",
            Some(json!({"email": "a@acme.test", "role": "admin"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, d) = api.call(Method::GET, "/v1/tenants/acme", None).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["slug"], "acme", "the registry row's fields are all there");
    assert!(d["suspension"].is_null());
    let latest = atrium_core::migrations::latest(atrium_control::schema::TENANT);
    assert_eq!(
        d["migration"],
        json!({"applied_version": latest, "latest_version": latest, "pending": false, "error": null})
    );
    assert_eq!(d["users"]["invited"], 1);
    assert_eq!(d["users"]["admins"], 0, "an admin counts once they accept");
    assert_eq!(d["keys"], json!({"active": 1, "revoked": 0}));
    assert_eq!(d["usage"]["slug"], "acme");

    let reason = Some(json!({"reason": "chargeback"}));
    api.call(Method::POST, "/v1/tenants/acme/suspend", reason)
        .await;
    let (_, d) = api.call(Method::GET, "/v1/tenants/acme", None).await;
    assert_eq!(d["suspension"]["reason"], "chargeback", "{d}");
    assert_eq!(d["suspension"]["by"], "token:admin");
    assert_eq!(d["suspension"]["by_display"], "admin token");
    assert!(d["suspension"]["at"].is_string());

    let rename = Some(json!({"display_name": "Acme Corporation", "plan": "pro"}));
    let (s, t) = api.call(Method::PATCH, "/v1/tenants/acme", rename).await;
    assert_eq!(
        (s, t["display_name"].as_str()),
        (StatusCode::OK, Some("Acme Corporation")),
        "{t}"
    );
    let (s, b) = api
        .call(
            Method::PATCH,
            "/v1/tenants/acme",
            Some(json!({"display_name": " "})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (_, audit) = api.call(Method::GET, "/v1/audit?tenant=acme", None).await;
    assert_eq!(audit["items"][0]["action"], "tenant.update");
    assert_eq!(
        audit["items"][0]["detail"]["display_name"],
        "Acme Corporation"
    );
    let (s, b) = api.call(Method::GET, "/v1/tenants/nobody", None).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("tenant_not_found"))
    );
}

/// The operator's users list pages like the data plane's: keyset cursors that visit
/// every user exactly once, a `total`, and `sort` over the same fields.
#[tokio::test]
async fn operator_users_list_pages_by_keyset_with_total_and_sort() {
    use reqwest::Method;
    let api = Api::spawn().await;
    api.t.provision("acme").await;
    let users = "/v1/tenants/acme/users";
    let mut emails: Vec<String> = (0..7).map(|i| format!("u{i}@acme.test")).collect();
    for email in &emails {
        let (s, b) = api
            .call(Method::POST, users, Some(json!({ "email": email })))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..5 {
        let mut path = format!("{users}?limit=3&sort=email");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (s, b) = api.call(Method::GET, &path, None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(
            (b["total"].as_i64(), b["total_exact"].as_bool()),
            (Some(7), Some(true)),
            "{b}"
        );
        for u in b["items"].as_array().expect("items") {
            seen.push(u["email"].as_str().expect("email").to_owned());
        }
        cursor = b["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    emails.sort();
    assert_eq!(seen, emails, "every user once, in email order");
    let (_, b) = api
        .call(Method::GET, &format!("{users}?sort=-email"), None)
        .await;
    assert_eq!(b["items"][0]["email"], "u6@acme.test", "{b}");
    let (s, b) = api
        .call(Method::GET, &format!("{users}?sort=password"), None)
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_sort")),
        "{b}"
    );
}

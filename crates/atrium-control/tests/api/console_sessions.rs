//! Operator sign-in for the console: Argon2 passwords, a session cookie that is HttpOnly,
//! SameSite=Strict and Secure, CSRF on every state change made with it, sign-out, and an
//! audit trail that records failed attempts without saying which part was wrong.

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::TestControl;

struct Console {
    base: String,
    http: reqwest::Client,
    t: TestControl,
}

/// What a browser would hold after signing in.
struct Browser {
    cookie: String,
    csrf: String,
}

impl Console {
    async fn spawn() -> Self {
        let t = TestControl::new().await;
        let app = atrium_control::http::Application::build(t.db.config.clone())
            .await
            .expect("build");
        let base = format!("http://127.0.0.1:{}", app.server.port());
        tokio::spawn(app.run_until_stopped());
        t.control
            .upsert_operator(
                "Ops@Example.com",
                Some("Olga"),
                "correct horse battery",
                "test",
            )
            .await
            .expect("operator");
        Self {
            base,
            http: reqwest::Client::new(),
            t,
        }
    }

    async fn sign_in(&self, email: &str, password: &str) -> (StatusCode, Option<String>, Value) {
        let res = self
            .http
            .post(format!("{}/v1/session", self.base))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("send");
        let status = res.status();
        let cookie = res
            .headers()
            .get(header::SET_COOKIE)
            .map(|v| v.to_str().expect("ascii").to_owned());
        (status, cookie, res.json().await.unwrap_or(Value::Null))
    }

    async fn browser(&self) -> Browser {
        let (s, set, body) = self
            .sign_in("ops@example.com", "correct horse battery")
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let set = set.expect("Set-Cookie");
        Browser {
            cookie: set.split(';').next().expect("pair").to_owned(),
            csrf: body["csrf_token"].as_str().expect("csrf").to_owned(),
        }
    }

    async fn call(
        &self,
        b: &Browser,
        method: Method,
        path: &str,
        csrf: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(header::COOKIE, &b.cookie);
        if let Some(c) = csrf {
            req = req.header("X-CSRF-Token", c);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("send");
        let s = res.status();
        (s, res.json().await.unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn sign_in_sets_a_locked_down_cookie_and_the_session_can_act() {
    let c = Console::spawn().await;
    let (s, set, body) = c.sign_in("ops@example.com", "correct horse battery").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let set = set.expect("Set-Cookie");
    for attr in [
        "atrium_operator=",
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Path=/",
        "Max-Age=43200",
    ] {
        assert!(set.contains(attr), "{attr} missing from {set}");
    }
    assert_eq!(body["operator"]["email"], "ops@example.com");
    assert_eq!(body["operator"]["display_name"], "Olga");
    assert!(body.get("password_hash").is_none() && body["operator"].get("password_hash").is_none());

    let b = c.browser().await;
    let (s, me) = c.call(&b, Method::GET, "/v1/session", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        me["csrf_token"],
        b.csrf.as_str(),
        "a reloaded page gets the token back"
    );
    let (s, t) = c
        .call(
            &b,
            Method::POST,
            "/v1/tenants",
            Some(&b.csrf),
            Some(json!({"slug": "acme"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let (s, log) = c
        .call(
            &b,
            Method::GET,
            "/v1/audit?action=tenant.create",
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(log["items"][0]["actor"], "operator:ops@example.com");
}

#[tokio::test]
async fn state_changes_with_the_cookie_need_the_csrf_token() {
    let c = Console::spawn().await;
    let b = c.browser().await;
    for csrf in [None, Some("forged-token")] {
        let (s, p) = c
            .call(
                &b,
                Method::POST,
                "/v1/tenants",
                csrf,
                Some(json!({"slug": "evil"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
        assert_eq!(p["code"], "csrf_failed");
    }
    let n =
        c.t.count(
            "SELECT count(*) FROM atrium_control.tenants WHERE slug = 'evil'",
            &[],
        )
        .await;
    assert_eq!(n, 0, "a refused request changed nothing");
    // Another session's token doesn't fit this session either.
    let other = c.browser().await;
    let (s, _) = c
        .call(
            &b,
            Method::POST,
            "/v1/tenants",
            Some(&other.csrf),
            Some(json!({"slug": "evil"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn wrong_email_and_wrong_password_look_the_same_and_are_audited() {
    let c = Console::spawn().await;
    let (s1, set1, p1) = c.sign_in("ops@example.com", "wrong password!").await;
    let (s2, set2, p2) = c
        .sign_in("nobody@example.com", "correct horse battery")
        .await;
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert!(set1.is_none() && set2.is_none());
    assert_eq!(p1, p2, "the two failures are indistinguishable");
    let failed =
        c.t.count(
            "SELECT count(*) FROM atrium_control.audit_log
             WHERE action = 'operator.sign_in' AND outcome = 'error'",
            &[],
        )
        .await;
    assert_eq!(failed, 2);
    let logged_pw = c
        .t
        .count(
            "SELECT count(*) FROM atrium_control.audit_log WHERE detail::text LIKE '%wrong password%'",
            &[],
        )
        .await;
    assert_eq!(logged_pw, 0, "no password in the audit log");
}

#[tokio::test]
async fn sign_out_ends_the_session_and_forged_cookies_get_nothing() {
    let c = Console::spawn().await;
    let b = c.browser().await;
    let (s, _) = c
        .call(&b, Method::DELETE, "/v1/session", Some(&b.csrf), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = c.call(&b, Method::GET, "/v1/tenants", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the old cookie is dead");
    let forged = Browser {
        cookie: format!("atrium_operator={}", "A".repeat(43)),
        csrf: String::new(),
    };
    let (s, p) = c
        .call(&forged, Method::GET, "/v1/tenants", None, None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(p["code"], "unauthorized");
    let stored =
        c.t.count("SELECT count(*) FROM atrium_control.operator_sessions", &[])
            .await;
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn operators_are_created_with_rules_and_passwords_are_never_stored_plain() {
    let c = Console::spawn().await;
    let b = c.browser().await;
    let (s, p) = c
        .call(
            &b,
            Method::POST,
            "/v1/operators",
            Some(&b.csrf),
            Some(json!({"email": "new@example.com", "password": "short"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "password");
    let (s, p) = c
        .call(
            &b,
            Method::POST,
            "/v1/operators",
            Some(&b.csrf),
            Some(json!({"email": "not-an-email", "password": "long enough password"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (s, p) = c
        .call(
            &b,
            Method::POST,
            "/v1/operators",
            Some(&b.csrf),
            Some(json!({"email": "new@example.com", "password": "long enough password"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (s, _, _) = c.sign_in("NEW@example.com", "long enough password").await;
    assert_eq!(s, StatusCode::OK, "emails are case-insensitive");
    let plain =
        c.t.count(
            "SELECT count(*) FROM atrium_control.operators
             WHERE password_hash NOT LIKE '$argon2id$%' OR password_hash LIKE '%long enough%'",
            &[],
        )
        .await;
    assert_eq!(plain, 0);
}

#[tokio::test]
async fn the_console_reads_config_stats_and_deleted_tenants_exports() {
    let c = Console::spawn().await;
    let b = c.browser().await;
    let (s, cfg) = c
        .call(&b, Method::GET, "/v1/console-config", None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        cfg["tenant_migration_target"],
        atrium_core::migrations::latest(atrium_control::schema::TENANT)
    );
    c.t.provision("acme").await;
    let (s, stats) = c
        .call(&b, Method::GET, "/v1/tenant-stats", None, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{stats}");
    assert_eq!(stats["items"][0]["slug"], "acme");
    assert!(stats["items"][0]["schema_bytes"].as_i64().unwrap_or(0) > 0);
    assert!(
        stats["items"][0]["events_7d"].is_null(),
        "no analytics configured: unknown, not zero"
    );

    let (s, p) = c
        .call(&b, Method::GET, "/v1/tenants/acme/export", None, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a live tenant has no export: {p}");
    let (s, _) = c
        .call(&b, Method::DELETE, "/v1/tenants/acme", Some(&b.csrf), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let res = c
        .http
        .get(format!("{}/v1/tenants/acme/export", c.base))
        .header(header::COOKIE, &b.cookie)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii")
        .contains("atrium-acme-export.sql"));
    let body = res.text().await.expect("body");
    assert!(body.contains("customers"), "the export holds the schema");
}

impl Console {
    /// Signs in from `ip` (any 127.0.0.0/8 address): the server sees another peer.
    async fn sign_in_from(&self, ip: [u8; 4], email: &str, password: &str) -> StatusCode {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from(ip))
            .build()
            .expect("client")
            .post(format!("{}/v1/session", self.base))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("send")
            .status()
    }

    async fn new_operator(&self, b: &Browser, email: &str, password: &str) -> Value {
        let (s, op) = self
            .call(
                b,
                Method::POST,
                "/v1/operators",
                Some(&b.csrf),
                Some(json!({"email": email, "password": password})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{op}");
        op
    }

    /// A console with a second operator, Bob: Olga's browser and Bob's account.
    async fn with_bob() -> (Self, Browser, Value) {
        let c = Self::spawn().await;
        let b = c.browser().await;
        let bob = c
            .new_operator(&b, "bob@example.com", "bob's long password")
            .await;
        (c, b, bob)
    }

    async fn browser_of(&self, email: &str, password: &str) -> Browser {
        let (s, set, body) = self.sign_in(email, password).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        Browser {
            cookie: set
                .expect("Set-Cookie")
                .split(';')
                .next()
                .expect("pair")
                .to_owned(),
            csrf: body["csrf_token"].as_str().expect("csrf").to_owned(),
        }
    }
}

#[tokio::test]
async fn sign_in_lockout_of_every_operator_is_gone() {
    let (c, _, _) = Console::with_bob().await;
    // Someone guesses at operator passwords without pause, three requests at a time,
    // while Olga and Bob sign in from elsewhere.
    let stop = std::time::Instant::now() + std::time::Duration::from_millis(1500);
    let guesser = |n: usize| {
        let c = &c;
        async move {
            let mut refused = 0;
            for i in 0.. {
                if std::time::Instant::now() >= stop && i >= 4 {
                    break;
                }
                let email = ["ops@example.com", "bob@example.com", "eve@example.com"][n];
                let s = c
                    .sign_in_from([127, 0, 0, 2], email, &format!("guess number {i}"))
                    .await;
                refused += usize::from(s == StatusCode::TOO_MANY_REQUESTS);
            }
            refused
        }
    };
    let guessing = async {
        futures::future::join_all((0..3).map(guesser))
            .await
            .into_iter()
            .sum::<usize>()
    };
    let operators = async {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        (
            c.sign_in_from([127, 0, 0, 3], "bob@example.com", "bob's long password")
                .await,
            c.sign_in_from([127, 0, 0, 4], "ops@example.com", "correct horse battery")
                .await,
        )
    };
    let (refused, (bob, olga)) = tokio::join!(guessing, operators);
    assert_eq!(
        (bob, olga),
        (StatusCode::OK, StatusCode::OK),
        "someone else's guessing locks no operator out"
    );
    assert!(refused > 0, "the guessing address is throttled");
}

#[tokio::test]
async fn failed_operator_sign_ins_cannot_grow_the_audit_log_without_bound() {
    let c = Console::spawn().await;
    let per_minute = c.t.control.config.sign_in.failures_audited_per_minute;
    let attempts = (0..per_minute + 20).map(|i| {
        let address = std::net::IpAddr::from([192, 0, 2, (i % 4) as u8]);
        let control = &c.t.control;
        async move {
            control
                .sign_in(
                    &format!("nobody{i}@example.com"),
                    "wrong password",
                    atrium_accounts::password::Lane::Shared,
                    address,
                )
                .await
                .expect("sign-in")
        }
    });
    let opened = futures::future::join_all(attempts).await;
    assert!(opened.iter().all(Option::is_none));
    let rows = "SELECT count(*) FROM atrium_control.audit_log WHERE action = $1";
    assert_eq!(
        c.t.count(rows, &[&"operator.sign_in"]).await,
        i64::from(per_minute)
    );
    c.t.control
        .summarise_failed_sign_ins()
        .await
        .expect("summary");
    c.t.control
        .summarise_failed_sign_ins()
        .await
        .expect("nothing more to summarise");
    assert_eq!(c.t.count(rows, &[&"operator.sign_in_failures"]).await, 1);
    let counted = "SELECT sum((detail->>'unaudited_failures')::bigint)::bigint
                   FROM atrium_control.audit_log WHERE action = $1";
    let summed = c.t.count(counted, &[&"operator.sign_in_failures"]).await;
    assert_eq!(summed, 20, "the rest are counted, not lost");
}

#[tokio::test]
async fn operator_password_reset_ends_sessions_and_never_re_enables() {
    let (c, b, _) = Console::with_bob().await;
    let bob = c.browser_of("bob@example.com", "bob's long password").await;
    c.new_operator(&b, "bob@example.com", "bob's new long password")
        .await;
    let (s, _) = c.call(&bob, Method::GET, "/v1/session", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a reset ends old sessions");

    let su = c.t.db.superuser().await;
    su.execute(
        "UPDATE atrium_control.operators SET disabled_at = now() WHERE email = 'bob@example.com'",
        &[],
    )
    .await
    .expect("disable");
    let op = c
        .new_operator(&b, "bob@example.com", "bob's third long password")
        .await;
    assert!(!op["disabled_at"].is_null(), "{op}");
    let (s, _, _) = c
        .sign_in("bob@example.com", "bob's third long password")
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a new password enables nobody");
}

#[tokio::test]
async fn operators_are_listed_disabled_and_enabled_through_the_api() {
    let (c, b, bob_op) = Console::with_bob().await;
    let bob_id = bob_op["id"].as_str().expect("id");
    let bob = c.browser_of("bob@example.com", "bob's long password").await;

    // Oldest first: the console's own operator, then bob.
    let (s, list) = c
        .call(&b, Method::GET, "/v1/operators?sort=created_at", None, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(list["total"], 2, "{list}");
    let me = list["items"][0]["id"].as_str().expect("id").to_owned();

    let set = |id: &str, disabled: bool, csrf: Option<&str>| {
        let path = format!("/v1/operators/{id}");
        let body = json!({ "disabled": disabled });
        let csrf = csrf.map(str::to_owned);
        let b = &b;
        let c = &c;
        async move {
            c.call(b, Method::PATCH, &path, csrf.as_deref(), Some(body))
                .await
        }
    };
    let (s, p) = set(bob_id, true, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "CSRF applies: {p}");
    let (s, op) = set(bob_id, true, Some(&b.csrf)).await;
    assert_eq!(s, StatusCode::OK, "{op}");
    assert!(!op["disabled_at"].is_null());
    let (s, _) = c.call(&bob, Method::GET, "/v1/session", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "disabling ends sessions");
    let (s, _, _) = c.sign_in("bob@example.com", "bob's long password").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, disabled) = c
        .call(&b, Method::GET, "/v1/operators?disabled=true", None, None)
        .await;
    assert_eq!(
        disabled["items"][0]["email"], "bob@example.com",
        "{disabled}"
    );

    let (s, p) = set(&me, true, Some(&b.csrf)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["code"], "operator_self");
    let (s, p) = set(&uuid::Uuid::nil().to_string(), true, Some(&b.csrf)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{p}");

    let (s, op) = set(bob_id, false, Some(&b.csrf)).await;
    assert_eq!(s, StatusCode::OK, "{op}");
    assert!(op["disabled_at"].is_null());
    let (s, _, _) = c.sign_in("bob@example.com", "bob's long password").await;
    assert_eq!(s, StatusCode::OK, "enabled again");
    for action in ["operator.disable", "operator.enable"] {
        let n =
            c.t.count(
                "SELECT count(*) FROM atrium_control.audit_log
                 WHERE action = $1 AND actor = 'operator:ops@example.com'",
                &[&action],
            )
            .await;
        assert_eq!(n, 1, "{action} audited");
    }
}

/// Finding: the audit log showed actors like `token:admin`; each entry now carries a
/// readable `actor_display` beside the stable `actor`.
#[tokio::test]
async fn audit_actors_are_readable() {
    let c = Console::spawn().await;
    let b = c.browser().await;
    // As the console's session records it.
    c.t.control
        .provision(&crate::new_tenant("acme"), "operator:ops@example.com")
        .await
        .expect("provision");
    c.t.control
        .suspend("acme", "token:admin", "testing")
        .await
        .expect("suspend");
    let (s, audit) = c
        .call(&b, Method::GET, "/v1/audit?tenant=acme", None, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    let shown: Vec<(&str, &str)> = audit["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default();
            (text("actor"), text("actor_display"))
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("token:admin", "admin token"),
            ("operator:ops@example.com", "Olga <ops@example.com>")
        ]
    );
}

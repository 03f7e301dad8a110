//! Tenant users: invited by a key or a tenant admin, accepted with a token, signed in
//! with a cookie that is scoped to the tenant's path and useless anywhere else, CSRF
//! on every change, and members who can't manage users.

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::{assert_problem, send, TestApp, TestTenant};

/// A signed-in browser: the cookie pair, the CSRF token and whose they are.
#[derive(Clone)]
struct Browser {
    cookie: String,
    csrf: String,
    user_id: String,
}

impl TestApp {
    async fn invite(&self, t: &TestTenant, email: &str, role: &str) -> String {
        let (s, b) = self
            .post(t, "/users", json!({"email": email, "role": role}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["user"]["status"], "invited");
        b["invite_token"].as_str().expect("token").to_owned()
    }

    async fn public(
        &self,
        slug: &str,
        path: &str,
        body: Value,
    ) -> (StatusCode, Option<String>, Value) {
        let res = self
            .http
            .post(format!("{}/v1/t/{slug}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("send");
        let s = res.status();
        let set = res
            .headers()
            .get(header::SET_COOKIE)
            .map(|v| v.to_str().expect("ascii").to_owned());
        (s, set, res.json().await.unwrap_or(Value::Null))
    }

    /// Accepts an invite with a good password.
    async fn accept(&self, slug: &str, token: &str) -> (StatusCode, Option<String>, Value) {
        let body = json!({"token": token, "password": "a long password"});
        self.public(slug, "/invites/accept", body).await
    }

    /// Invites, accepts, and returns the browser the acceptance signed in.
    async fn user(&self, t: &TestTenant, email: &str, role: &str) -> Browser {
        let token = self.invite(t, email, role).await;
        let (s, set, b) = self
            .public(
                &t.slug,
                "/invites/accept",
                json!({"token": token, "password": "a long password"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        browser(set, &b)
    }

    async fn as_user(
        &self,
        slug: &str,
        b: &Browser,
        method: Method,
        path: &str,
        csrf: bool,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/v1/t/{slug}{path}", self.base))
            .header(header::COOKIE, &b.cookie);
        if csrf {
            req = req.header("X-CSRF-Token", &b.csrf);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        send(req).await
    }
}

fn browser(set: Option<String>, body: &Value) -> Browser {
    let set = set.expect("Set-Cookie");
    Browser {
        cookie: set.split(';').next().expect("pair").to_owned(),
        csrf: body["csrf_token"].as_str().expect("csrf").to_owned(),
        user_id: body["user"]["id"].as_str().unwrap_or_default().to_owned(),
    }
}

#[tokio::test]
async fn invited_user_accepts_signs_in_and_works_with_the_crm() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let token = app.invite(&acme, "Ann@Acme.test", "admin").await;
    let (s, set, b) = app
        .public(
            "acme",
            "/invites/accept",
            json!({"token": token, "password": "short"}),
        )
        .await;
    assert_problem(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(set.is_none());
    let (s, set, b) = app
        .public(
            "acme",
            "/invites/accept",
            json!({"token": token, "password": "a long password", "display_name": "Ann"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let set = set.expect("cookie");
    for attr in [
        "atrium_session=",
        "Path=/v1/t/acme/",
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
    ] {
        assert!(set.contains(attr), "{attr} missing in {set}");
    }
    let (s, _, b) = app
        .public(
            "acme",
            "/invites/accept",
            json!({"token": token, "password": "a long password"}),
        )
        .await;
    assert_problem(s, &b, StatusCode::NOT_FOUND, "invite_invalid");

    let (s, set, b) = app
        .public(
            "acme",
            "/sign-in",
            json!({"email": "ann@acme.test", "password": "a long password"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["user"]["display_name"], "Ann");
    assert_eq!(b["user"]["role"], "admin");
    let ann = browser(set, &b);
    let (s, c) = app
        .as_user(
            "acme",
            &ann,
            Method::POST,
            "/customers",
            true,
            Some(json!({"name": "Globex"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let (s, me) = app
        .as_user("acme", &ann, Method::GET, "/session", false, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["csrf_token"], ann.csrf.as_str());
    let (s, users) = app
        .as_user("acme", &ann, Method::GET, "/users", false, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(users["items"][0]["status"], "active");
    assert!(users["items"][0].get("password_hash").is_none());

    let (s, _) = app
        .as_user("acme", &ann, Method::DELETE, "/session", true, None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = app
        .as_user("acme", &ann, Method::GET, "/customers", false, None)
        .await;
    assert_problem(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn the_user_list_pages_to_its_end() {
    let app = TestApp::spawn().await;
    let t = app.tenant("acme").await;
    for i in 0..5 {
        app.invite(&t, &format!("u{i}@acme.test"), "member").await;
    }
    let mut seen = app.page_through(&t, "/users?limit=2").await;
    assert_eq!(seen.len(), 5);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "no user twice across pages");
    let (s, b) = app.get(&t, "/users?limit=0").await;
    assert_problem(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    // The Team screen asks for the newest first, by email too, and shows the count.
    let (s, b) = app.get(&t, "/users?limit=2&sort=-created_at").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (&b["total"], &b["items"][0]["email"]),
        (&json!(5), &json!("u4@acme.test"))
    );
    let (_, b) = app.get(&t, "/users?limit=1&sort=email").await;
    assert_eq!(b["items"][0]["email"], "u0@acme.test", "{b}");
    let (s, b) = app.get(&t, "/users?sort=password_hash").await;
    assert_problem(s, &b, StatusCode::BAD_REQUEST, "invalid_sort");
}

/// Finding: after delete and `tenant restore` under a new slug, the old session cookie,
/// its CSRF token and a pending invite still worked.
#[tokio::test]
async fn restoring_an_export_revives_no_session_or_invite() {
    let app = TestApp::spawn().await;
    let t = app.tenant("acme").await;
    let ann = app.user(&t, "ann@acme.test", "admin").await;
    let pending = app.invite(&t, "bob@acme.test", "member").await;
    let deleted = app.control.delete("acme", "test").await.expect("delete");
    let export = deleted.export_path.expect("an export");
    let text = std::fs::read_to_string(&export).expect("export");
    assert!(
        !text.contains("COPY \"sessions\""),
        "sessions are not exported"
    );
    app.control
        .restore("acme_again", std::path::Path::new(&export), "test")
        .await
        .expect("restore");

    let (s, b) = app
        .as_user("acme_again", &ann, Method::GET, "/session", false, None)
        .await;
    assert_problem(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    let (s, b) = app
        .as_user(
            "acme_again",
            &ann,
            Method::POST,
            "/customers",
            true,
            Some(json!({"name": "Globex"})),
        )
        .await;
    assert_problem(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    let (s, _, b) = app
        .public(
            "acme_again",
            "/invites/accept",
            json!({"token": pending, "password": "a long password"}),
        )
        .await;
    assert!(s.is_client_error(), "the old invite was accepted: {s} {b}");
    // Passwords came along: Ann signs in to the restored tenant as before.
    let (s, _, b) = app
        .public(
            "acme_again",
            "/sign-in",
            json!({"email": "ann@acme.test", "password": "a long password"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

#[tokio::test]
async fn a_session_is_worth_nothing_in_another_tenant() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let globex = app.tenant("globex").await;
    app.customer(&globex, "Globex secret customer").await;
    let ann = app.user(&acme, "ann@acme.test", "admin").await;
    // The cookie's Path keeps browsers from sending it to globex; a hand-made request
    // that sends it anyway finds no such session in globex's schema.
    for (method, path) in [
        (Method::GET, "/customers"),
        (Method::GET, "/users"),
        (Method::POST, "/customers"),
    ] {
        let (s, b) = app
            .as_user(
                "globex",
                &ann,
                method,
                path,
                true,
                Some(json!({"name": "x"})),
            )
            .await;
        assert_problem(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // Nor does acme's password open globex.
    let (s, set, _) = app
        .public(
            "globex",
            "/sign-in",
            json!({"email": "ann@acme.test", "password": "a long password"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(set.is_none());
    let (_, list) = app.get(&globex, "/customers").await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(1),
        "nothing was written to globex"
    );
}

#[tokio::test]
async fn changes_made_with_the_cookie_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let ann = app.user(&acme, "ann@acme.test", "admin").await;
    let (s, b) = app
        .as_user(
            "acme",
            &ann,
            Method::POST,
            "/customers",
            false,
            Some(json!({"name": "Forged"})),
        )
        .await;
    assert_problem(s, &b, StatusCode::FORBIDDEN, "csrf_failed");
    let forged = Browser {
        csrf: "not-the-token".into(),
        ..ann.clone()
    };
    let (s, b) = app
        .as_user(
            "acme",
            &forged,
            Method::POST,
            "/customers",
            true,
            Some(json!({"name": "Forged"})),
        )
        .await;
    assert_problem(s, &b, StatusCode::FORBIDDEN, "csrf_failed");
    let (_, list) = app.get(&acme, "/customers").await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(0),
        "refused requests changed nothing"
    );
}

#[tokio::test]
async fn members_cannot_invite_and_wrong_credentials_all_look_alike() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let mo = app.user(&acme, "mo@acme.test", "member").await;
    let (s, b) = app
        .as_user(
            "acme",
            &mo,
            Method::POST,
            "/users",
            true,
            Some(json!({"email": "x@acme.test", "role": "admin"})),
        )
        .await;
    assert_problem(s, &b, StatusCode::FORBIDDEN, "admin_only");
    let (s, b) = app
        .post(
            &acme,
            "/users",
            json!({"email": "mo@acme.test", "role": "admin"}),
        )
        .await;
    assert_problem(s, &b, StatusCode::CONFLICT, "user_exists");

    let wrong_pw = app
        .public(
            "acme",
            "/sign-in",
            json!({"email": "mo@acme.test", "password": "wrong wrong wrong"}),
        )
        .await;
    let no_user = app
        .public(
            "acme",
            "/sign-in",
            json!({"email": "zed@acme.test", "password": "a long password"}),
        )
        .await;
    let no_tenant = app
        .public(
            "nosuch",
            "/sign-in",
            json!({"email": "mo@acme.test", "password": "a long password"}),
        )
        .await;
    assert_eq!(wrong_pw.2, no_user.2);
    assert_eq!(wrong_pw.2, no_tenant.2);
    assert_eq!(wrong_pw.0, StatusCode::UNAUTHORIZED);
    let (s, _, b) = app
        .public(
            "Bad-Slug",
            "/sign-in",
            json!({"email": "a@b.c", "password": "x"}),
        )
        .await;
    assert_problem(s, &b, StatusCode::BAD_REQUEST, "invalid_tenant_slug");
}

#[tokio::test]
async fn suspended_tenants_refuse_their_users_with_423() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let ann = app.user(&acme, "ann@acme.test", "admin").await;
    app.control
        .suspend("acme", "test", "testing")
        .await
        .expect("suspend");
    // The api hears of it through LISTEN/NOTIFY; give that a moment.
    let mut last = (StatusCode::OK, Value::Null);
    for _ in 0..100 {
        last = app
            .as_user("acme", &ann, Method::GET, "/customers", false, None)
            .await;
        if last.0 == StatusCode::LOCKED {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_problem(last.0, &last.1, StatusCode::LOCKED, "tenant_suspended");
    let (s, _, b) = app
        .public(
            "acme",
            "/sign-in",
            json!({"email": "ann@acme.test", "password": "a long password"}),
        )
        .await;
    assert_problem(s, &b, StatusCode::LOCKED, "tenant_suspended");
}

/// Finding: suspension was invisible to the tenant's users, who met a sign-in form that
/// refused them. The app asks `/status` first, without credentials; the operator's reason
/// stays with the operators.
#[tokio::test]
async fn suspended_tenant_status_is_public_without_reason() {
    let app = TestApp::spawn().await;
    app.tenant("acme").await;
    let status = |slug: &'static str| {
        let url = format!("{}/v1/t/{slug}/status", app.base);
        let http = app.http.clone();
        async move { send(http.get(url)).await }
    };
    let (s, b) = status("acme").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b, json!({"display_name": "acme", "state": "active"}));
    app.control
        .suspend("acme", "test", "invoice 2026-11 unpaid")
        .await
        .expect("suspend");
    let mut last = (StatusCode::OK, Value::Null);
    for _ in 0..100 {
        last = status("acme").await;
        if last.1["state"] == "suspended" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(last.0, StatusCode::OK);
    assert_eq!(
        last.1,
        json!({"display_name": "acme", "state": "suspended"})
    );
    assert!(
        !last.1.to_string().contains("invoice"),
        "the reason is the operators'"
    );
    let (s, b) = status("nobody").await;
    assert_problem(s, &b, StatusCode::NOT_FOUND, "tenant_not_found");
    let (s, b) = status("Bad-Slug").await;
    assert_problem(s, &b, StatusCode::BAD_REQUEST, "invalid_tenant_slug");
}

#[tokio::test]
async fn an_operator_invites_the_first_admin_through_the_control_plane() {
    use atrium_accounts::tenant_users::Role;
    let app = TestApp::spawn().await;
    app.tenant("acme").await;
    let (user, token) = app
        .control
        .invite_tenant_user(
            "acme",
            ("first@acme.test", Some("First")),
            Some(Role::Admin),
            false,
            "operator:ops@x.test",
        )
        .await
        .expect("invite");
    assert_eq!(user.status, "invited");
    let (s, set, b) = app
        .public(
            "acme",
            "/invites/accept",
            json!({"token": token, "password": "a long password"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["user"]["role"], "admin");
    let first = browser(set, &b);
    let (s, b) = app
        .as_user(
            "acme",
            &first,
            Method::POST,
            "/users",
            true,
            Some(json!({"email": "second@acme.test", "role": "member"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let keyset = atrium_http::Paging::default()
        .keyset(app.control.config.page, atrium_http::tenant_users::SORTS)
        .expect("keyset");
    let users = app
        .control
        .tenant_users("acme", &keyset)
        .await
        .expect("list");
    assert_eq!((users.items.len(), users.total), (2, 2));
    let err = app
        .control
        .invite_tenant_user(
            "acme",
            ("first@acme.test", None),
            Some(Role::Member),
            true,
            "test",
        )
        .await
        .expect_err("already signed up");
    assert_eq!(atrium_http::ApiError::from(err).code(), "user_exists");
}

#[tokio::test]
async fn password_guessing_is_throttled_per_address() {
    let app = TestApp::spawn().await;
    app.tenant("acme").await;
    app.tenant("globex").await;
    let attempts = (0..30).map(|i| {
        app.public(
            "acme",
            "/sign-in",
            json!({"email": "ann@acme.test", "password": format!("guess number {i}")}),
        )
    });
    let results = futures::future::join_all(attempts).await;
    let limited = results
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(
        limited >= 10,
        "{limited} of 30 rapid guesses were throttled"
    );
    let (_, _, p) = results
        .iter()
        .find(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .expect("a 429");
    assert_eq!(p["code"], "rate_limited");
    let elsewhere = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 5]))
        .build()
        .expect("client");
    let res = elsewhere
        .post(format!("{}/v1/t/globex/sign-in", app.base))
        .json(&json!({"email": "x@globex.test", "password": "whatever pw"}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "another address is not slowed down"
    );
}

/// Finding 11: a signed-in member sent browser events naming another user as `actor`
/// and so poisoned that user's funnel. For a cookie caller the server sets the actor;
/// a key may still name one.
#[tokio::test]
async fn actor_forging_by_a_signed_in_member_is_overridden_by_the_server() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let member = app.user(&acme, "mo@acme.test", "member").await;
    let me = member.user_id.clone();
    assert!(!me.is_empty());
    let forged = json!({"events": [
        {"name": "forged_probe", "actor": "someone-else"},
        {"name": "forged_probe"}
    ]});
    let (s, body) = app
        .as_user("acme", &member, Method::POST, "/events", true, Some(forged))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let (s, body) = app
        .post(
            &acme,
            "/events",
            json!({"events": [{"name": "keyed_probe", "actor": "crm-user-7"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let events = app.spooled_until(|e| e.name == "keyed_probe").await;
    let actors: Vec<&str> = events
        .iter()
        .filter(|e| e.name == "forged_probe")
        .map(|e| e.actor.as_str())
        .collect();
    assert_eq!(
        actors,
        [me.as_str(), me.as_str()],
        "the cookie's user, always"
    );
    let keyed = events.iter().find(|e| e.name == "keyed_probe");
    assert_eq!(keyed.map(|e| e.actor.as_str()), Some("crm-user-7"));
}

/// A note written in the app names the signed-in user as its author, and a member may
/// read the tenant's settings but not change them.
#[tokio::test]
async fn notes_written_by_a_signed_in_user_name_them_and_members_only_read_settings() {
    let app = TestApp::spawn().await;
    let t = app.tenant("acme").await;
    let c = app.customer(&t, "Contoso").await;
    let ada = app.user(&t, "ada@acme.example", "member").await;
    let path = format!("/customers/{}/notes", c["id"].as_str().expect("id"));
    let (s, n) = app
        .as_user(
            &t.slug,
            &ada,
            Method::POST,
            &path,
            true,
            Some(json!({"body": "Met at the fair"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    assert_eq!(
        (&n["author_kind"], &n["author_id"]),
        (&json!("user"), &json!(ada.user_id)),
        "{n}"
    );
    assert_eq!(n["author_name"], "ada", "{n}");
    let (s, settings) = app
        .as_user(&t.slug, &ada, Method::GET, "/settings", false, None)
        .await;
    assert_eq!(
        (s, &settings["currency"]),
        (StatusCode::OK, &json!("USD")),
        "{settings}"
    );
    let (s, body) = app
        .as_user(
            &t.slug,
            &ada,
            Method::PATCH,
            "/settings",
            true,
            Some(json!({"currency": "EUR"})),
        )
        .await;
    assert_problem(s, &body, StatusCode::FORBIDDEN, "admin_only");
}

impl TestApp {
    /// A request without credentials (the link pages).
    async fn anonymous(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            req = req.json(&body);
        }
        send(req).await
    }

    /// `who` gives the user at `path` the role `role`.
    async fn set_role(&self, who: &Browser, path: &str, role: &str) -> (StatusCode, Value) {
        let body = json!({ "role": role });
        self.by(who, Method::PATCH, path, Some(body)).await
    }

    /// An admin's change through their browser, with the CSRF token.
    async fn by(
        &self,
        who: &Browser,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.as_user("acme", who, method, path, true, body).await
    }
}

/// `acme` with Ann, its admin, and Bob, a member, both signed in.
async fn acme_team() -> (TestApp, TestTenant, Browser, Browser) {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let ann = app.user(&acme, "ann@acme.test", "admin").await;
    let bob = app.user(&acme, "bob@acme.test", "member").await;
    (app, acme, ann, bob)
}

/// Finding: re-inviting an address silently changed the person's pending invite (and
/// role); an address with an account was refused only at the very end.
#[tokio::test]
async fn reinviting_existing_user_is_refused() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let (s, b) = app
        .post(&acme, "/users", json!({"email": "bo@acme.test"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["user"]["role"], "member", "member unless asked");
    let first = b["invite_token"].as_str().expect("token").to_owned();
    let again = json!({"email": "Bo@acme.test", "role": "admin"});
    let (s, b) = app.post(&acme, "/users", again.clone()).await;
    assert_problem(s, &b, StatusCode::CONFLICT, "invite_pending");
    let (_, users) = app.get(&acme, "/users").await;
    assert_eq!(
        users["items"][0]["role"], "member",
        "the refusal changed nothing"
    );

    let (s, b) = app
        .post(
            &acme,
            "/users",
            json!({"email": "bo@acme.test", "resend": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let second = b["invite_token"].as_str().expect("token").to_owned();
    let preview = |token: &str| format!("/v1/t/acme/invites/preview?token={token}");
    let (s, b) = app.anonymous(Method::GET, &preview(&first), None).await;
    assert_problem(s, &b, StatusCode::NOT_FOUND, "invite_invalid");
    let (s, _, b) = app.accept("acme", &second).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    for resend in [false, true] {
        let body = json!({"email": "bo@acme.test", "resend": resend});
        let (s, b) = app.post(&acme, "/users", body).await;
        assert_problem(s, &b, StatusCode::CONFLICT, "user_exists");
    }
}

/// The accept page shows whom the link invites, into which tenant, before its form; a
/// bad, used or revoked link is refused there, all alike.
#[tokio::test]
async fn invite_page_names_tenant_and_email_and_refuses_bad_links() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let (_, b) = app
        .post(
            &acme,
            "/users",
            json!({"email": "cy@acme.test", "display_name": "Cy"}),
        )
        .await;
    let token = b["invite_token"].as_str().expect("token").to_owned();
    let id = b["user"]["id"].as_str().expect("id").to_owned();
    let at = |t: &str| format!("/v1/t/acme/invites/preview?token={t}");
    let (s, b) = app.anonymous(Method::GET, &at(&token), None).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b,
        json!({"tenant_display_name": "acme", "email": "cy@acme.test", "display_name": "Cy"})
    );
    let (_, users) = app.get(&acme, "/users").await;
    assert_eq!(
        users["items"][0]["status"], "invited",
        "pending invites are listed"
    );
    let (s, b) = app.delete(&acme, &format!("/invites/{id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let junk = "x".repeat(43);
    for t in [token.as_str(), "short", junk.as_str()] {
        let (s, b) = app.anonymous(Method::GET, &at(t), None).await;
        assert_problem(s, &b, StatusCode::NOT_FOUND, "invite_invalid");
    }
    let (s, _, b) = app.accept("acme", &token).await;
    assert_problem(s, &b, StatusCode::NOT_FOUND, "invite_invalid");
    let (s, b) = app.delete(&acme, &format!("/invites/{id}")).await;
    assert_problem(s, &b, StatusCode::NOT_FOUND, "invite_invalid");
}

/// Tenant admins change roles and remove people, but never leave the tenant without an
/// admin, and never remove themselves.
#[tokio::test]
async fn last_admin_cannot_be_demoted() {
    let (app, acme, ann, bob) = acme_team().await;
    let ann_path = format!("/users/{}", ann.user_id);
    let bob_path = format!("/users/{}", bob.user_id);
    let (s, b) = app.set_role(&ann, &ann_path, "member").await;
    assert_problem(s, &b, StatusCode::CONFLICT, "last_admin");
    let (s, b) = app.patch(&acme, &ann_path, json!({"role": "member"})).await;
    assert_problem(s, &b, StatusCode::CONFLICT, "last_admin");
    let (s, b) = app.delete(&acme, &ann_path).await;
    assert_problem(s, &b, StatusCode::CONFLICT, "last_admin");
    let (s, b) = app.by(&ann, Method::DELETE, &ann_path, None).await;
    assert_problem(s, &b, StatusCode::CONFLICT, "self");
    let (s, b) = app.set_role(&bob, &bob_path, "admin").await;
    assert_problem(s, &b, StatusCode::FORBIDDEN, "admin_only");
    let (s, b) = app.set_role(&ann, &bob_path, "owner").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");

    let (s, b) = app.set_role(&ann, &bob_path, "admin").await;
    assert_eq!(
        (s, b["role"].as_str()),
        (StatusCode::OK, Some("admin")),
        "{b}"
    );
    let (s, b) = app.set_role(&bob, &ann_path, "member").await;
    assert_eq!(
        (s, b["role"].as_str()),
        (StatusCode::OK, Some("member")),
        "{b}"
    );
    let (s, b) = app.by(&bob, Method::DELETE, &ann_path, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, b) = app
        .as_user("acme", &ann, Method::GET, "/customers", false, None)
        .await;
    assert_problem(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    let (_, users) = app.get(&acme, "/users").await;
    assert_eq!(users["items"].as_array().map(Vec::len), Some(1), "{users}");
}

/// An admin-issued reset link works once, within 24 hours, voids any earlier link, ends
/// the user's sessions and signs them in.
#[tokio::test]
async fn password_reset_link_is_single_use() {
    let (app, acme, ann, bob) = acme_team().await;
    let issue = format!("/users/{}/password-reset", bob.user_id);
    let (s, b) = app
        .by(
            &bob,
            Method::POST,
            &format!("/users/{}/password-reset", ann.user_id),
            None,
        )
        .await;
    assert_problem(s, &b, StatusCode::FORBIDDEN, "admin_only");
    let (s, old) = app.by(&ann, Method::POST, &issue, None).await;
    assert_eq!(s, StatusCode::CREATED, "{old}");
    let (s, new) = app.by(&ann, Method::POST, &issue, None).await;
    assert_eq!(s, StatusCode::CREATED, "{new}");
    assert_eq!(new["user"]["email"], "bob@acme.test");
    let hours = (chrono::DateTime::parse_from_rfc3339(new["expires_at"].as_str().expect("expiry"))
        .expect("rfc3339")
        .with_timezone(&chrono::Utc)
        - chrono::Utc::now())
    .num_minutes();
    assert!((23 * 60..=24 * 60).contains(&hours), "{hours} minutes");
    let reset = |token: &Value, password: &str| {
        app.public(
            "acme",
            "/password-reset",
            json!({"token": token, "password": password}),
        )
    };
    let (s, _, b) = reset(&old["reset_token"], "a new long password").await;
    assert_problem(s, &b, StatusCode::NOT_FOUND, "reset_invalid");
    let (s, _, b) = reset(&new["reset_token"], "short").await;
    assert_problem(s, &b, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let (s, set, b) = reset(&new["reset_token"], "a new long password").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let fresh = browser(set, &b);
    let (s, b) = app
        .as_user("acme", &bob, Method::GET, "/customers", false, None)
        .await;
    assert_problem(s, &b, StatusCode::UNAUTHORIZED, "unauthorized");
    let (s, b) = app
        .as_user("acme", &fresh, Method::GET, "/customers", false, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _, b) = reset(&new["reset_token"], "another long password").await;
    assert_problem(s, &b, StatusCode::NOT_FOUND, "reset_invalid");
    let (s, _, b) = app
        .public(
            "acme",
            "/sign-in",
            json!({"email": "bob@acme.test", "password": "a new long password"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, b) = app
        .post(&acme, "/users", json!({"email": "cy@acme.test"}))
        .await;
    let cy = b["user"]["id"].as_str().expect("id");
    let (s, b) = app
        .post(&acme, &format!("/users/{cy}/password-reset"), json!({}))
        .await;
    assert_problem(s, &b, StatusCode::CONFLICT, "invite_pending");
}

/// Finding (review): the web app offered a note's delete to its author only, but the API
/// let any member change or delete anyone's note. A member touches only their own; an
/// admin any; a refusal changes nothing.
#[tokio::test]
async fn members_change_only_their_own_notes() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let mo = app.user(&acme, "mo@acme.test", "member").await;
    let max = app.user(&acme, "max@acme.test", "member").await;
    let ada = app.user(&acme, "ada@acme.test", "admin").await;
    let c = app.customer(&acme, "Contoso").await;
    let notes = format!("/customers/{}/notes", c["id"].as_str().expect("id"));
    let (s, n) = app
        .as_user(
            "acme",
            &mo,
            Method::POST,
            &notes,
            true,
            Some(json!({"body": "mine"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let note = format!("/notes/{}", n["id"].as_str().expect("id"));
    let before = app.db.fingerprint().await;
    let (s, b) = app
        .as_user(
            "acme",
            &max,
            Method::PATCH,
            &note,
            true,
            Some(json!({"body": "not yours"})),
        )
        .await;
    assert_problem(s, &b, StatusCode::FORBIDDEN, "not_author");
    let (s, b) = app
        .as_user("acme", &max, Method::DELETE, &note, true, None)
        .await;
    assert_problem(s, &b, StatusCode::FORBIDDEN, "not_author");
    assert_eq!(
        before,
        app.db.fingerprint().await,
        "a refusal changes nothing"
    );
    let (s, b) = app
        .as_user(
            "acme",
            &mo,
            Method::PATCH,
            &note,
            true,
            Some(json!({"body": "still mine"})),
        )
        .await;
    assert_eq!(
        (s, &b["body"]),
        (StatusCode::OK, &json!("still mine")),
        "{b}"
    );
    let (s, b) = app
        .as_user("acme", &ada, Method::DELETE, &note, true, None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
}

#[tokio::test]
async fn a_share_of_one_connection_never_deadlocks_sign_in_or_a_session() {
    // A session request opens the session's transaction and then the handler's: were
    // the first still open, a share of one would wait on itself until the queue's 429.
    let app = TestApp::spawn_with(|c| {
        c.plans.free.max_connections = 1;
        c.api.fair.queue_wait_ms = 2_000;
    })
    .await;
    let t = app.tenant("solo").await;
    let ann = app.user(&t, "ann@solo.test", "admin").await;
    let (s, set, b) = app
        .public(
            "solo",
            "/sign-in",
            json!({"email": "ann@solo.test", "password": "a long password"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let again = browser(set, &b);
    for who in [&ann, &again] {
        let body = Some(json!({"name": "Globex"}));
        let (s, c) = app
            .as_user("solo", who, Method::POST, "/customers", true, body)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        let (s, _) = app
            .as_user("solo", who, Method::GET, "/session", false, None)
            .await;
        assert_eq!(s, StatusCode::OK);
    }
}

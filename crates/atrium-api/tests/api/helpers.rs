use atrium_control::{provision::NewTenant, Control};
use atrium_core::config::Config;
use atrium_testkit::TestDb;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

pub struct TestApp {
    pub base: String,
    /// The internal listener, where `/metrics` is.
    pub metrics_base: String,
    pub http: reqwest::Client,
    pub control: Control,
    pub db: TestDb,
    pub lifecycle: std::sync::Arc<atrium_core::health::Lifecycle>,
    /// As the admin user, for looking behind the API's back (the API reads as the
    /// read-only user).
    pub clickhouse: Option<atrium_analytics::clickhouse::ClickHouse>,
}

#[derive(Clone)]
pub struct TestTenant {
    pub slug: String,
    pub key: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::fresh().await;
        Self::spawn_on(db, tweak).await
    }

    /// With ClickHouse (the shared test server, a database of this test's own) and a
    /// collector running in-process, polling fast.
    pub async fn spawn_with_analytics(tweak: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::fresh().await;
        Self::spawn_on(db, |c| {
            c.clickhouse.url = atrium_testkit::shared_clickhouse().url();
            c.analytics.segment_max_age_ms = 100;
            c.collector.poll_interval_ms = 20;
            tweak(c)
        })
        .await
    }

    pub async fn spawn_on(db: TestDb, tweak: impl FnOnce(&mut Config)) -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            // Kept for the whole test binary: the guard's drop would stop the writer.
            std::mem::forget(atrium_core::telemetry::init(
                atrium_core::config::LogFormat::Pretty,
            ));
        }
        let mut config = db.config.clone();
        tweak(&mut config);
        let control = Control::new(config.control.clone())
            .and_then(|c| c.with_clickhouse(&config.clickhouse))
            .expect("control");
        control.migrate_control().await.expect("control migrations");
        let clickhouse = (!config.clickhouse.url.is_empty()).then(|| {
            atrium_analytics::clickhouse::ClickHouse::new(
                &config.clickhouse,
                &config.clickhouse.admin,
            )
            .expect("clickhouse")
        });
        if let Some(ch) = &clickhouse {
            ch.migrate().await.expect("clickhouse migrations");
            let mut collector_config = config.clone();
            collector_config.collector.listen = ([127, 0, 0, 1], 0).into();
            let (server, sink) = atrium_collector::Application::build(&collector_config)
                .await
                .map(atrium_collector::Application::into_parts)
                .expect("collector");
            tokio::spawn(sink.run(server.lifecycle()));
        }
        let app = atrium_api::Application::build(config)
            .await
            .expect("api builds");
        let base = format!("http://127.0.0.1:{}", app.server.port());
        let metrics_base = format!("http://127.0.0.1:{}", app.server.metrics_port());
        let lifecycle = app.server.lifecycle();
        tokio::spawn(app.run_until_stopped());
        Self {
            base,
            metrics_base,
            http: reqwest::Client::new(),
            control,
            db,
            lifecycle,
            clickhouse,
        }
    }

    pub async fn tenant(&self, slug: &str) -> TestTenant {
        self.tenant_in(slug, "schema").await
    }

    /// A tenant in `tier`: `schema` or `pooled`.
    pub async fn tenant_in(&self, slug: &str, tier: &str) -> TestTenant {
        self.tenant_placed(slug, tier, None).await
    }

    /// A tenant in `tier`, on `cluster` (placement's choice when None).
    pub async fn tenant_placed(&self, slug: &str, tier: &str, cluster: Option<&str>) -> TestTenant {
        self.control
            .provision(
                &NewTenant {
                    slug: slug.into(),
                    tier: Some(tier.into()),
                    cluster: cluster.map(str::to_owned),
                    ..Default::default()
                },
                "test",
            )
            .await
            .unwrap_or_else(|e| panic!("provision {slug}: {e}"));
        let key = self
            .control
            .create_key(slug, "test", "test")
            .await
            .expect("key");
        TestTenant {
            slug: slug.into(),
            key: key.secret,
        }
    }

    /// A pool of the data plane's own connections (its login role), for tests that go
    /// below the HTTP API.
    pub fn api_pool(&self) -> deadpool_postgres::Pool {
        atrium_core::db::build_pool(
            &self.db.config.api.database_url,
            &self.db.config.api.pool,
            "test",
        )
        .expect("pool")
    }

    /// How the data plane enters `tenant` in `pool_01`.
    pub fn pool_scope(&self, tenant: uuid::Uuid) -> atrium_core::db::TenantScope {
        let role = format!("{}pool_01", self.db.config.control.role_prefix);
        atrium_core::db::TenantScope::new("pool_01", &role, 5_000)
            .expect("scope")
            .tenant_id(tenant)
    }

    /// A request to `/v1/t/{tenant}{path}` with the tenant's key.
    pub fn req(&self, t: &TestTenant, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}/v1/t/{}{}", self.base, t.slug, path))
            .bearer_auth(&t.key)
    }

    pub async fn get(&self, t: &TestTenant, path: &str) -> (StatusCode, Value) {
        send(self.req(t, Method::GET, path)).await
    }

    /// Follows `next_cursor` from `path` (a list with `?limit=` already in it) to the
    /// last page, and returns the ids of every item in the order they came.
    pub async fn page_through(&self, t: &TestTenant, path: &str) -> Vec<String> {
        let mut seen = Vec::new();
        let mut next = path.to_owned();
        loop {
            let (s, page) = self.get(t, &next).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            let items = page["items"].as_array().expect("items");
            seen.extend(
                items
                    .iter()
                    .map(|i| i["id"].as_str().expect("id").to_owned()),
            );
            match page["next_cursor"].as_str() {
                Some(c) => next = format!("{path}&cursor={c}"),
                None => return seen,
            }
        }
    }

    pub async fn post(&self, t: &TestTenant, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.req(t, Method::POST, path).json(&body)).await
    }

    pub async fn patch(&self, t: &TestTenant, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.req(t, Method::PATCH, path).json(&body)).await
    }

    pub async fn delete(&self, t: &TestTenant, path: &str) -> (StatusCode, Value) {
        send(self.req(t, Method::DELETE, path)).await
    }

    pub async fn raw(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("request")
    }

    /// What the internal listener's `/metrics` shows.
    pub async fn metrics(&self) -> String {
        let url = format!("{}/metrics", self.metrics_base);
        let res = reqwest::get(url).await.expect("metrics request");
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.expect("metrics text")
    }

    pub async fn customer(&self, t: &TestTenant, name: &str) -> Value {
        let (status, body) = self.post(t, "/customers", json!({"name": name})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }
}

pub async fn send(req: RequestBuilder) -> (StatusCode, Value) {
    let res = req.send().await.expect("request");
    let status = res.status();
    let text = res.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// `GET /customers` as `t` until it answers `want` (a change the control plane NOTIFYs
/// takes a moment to reach the data plane's cache), for at most 3 s; the last answer.
pub async fn eventually(app: &TestApp, t: &TestTenant, want: StatusCode) -> (StatusCode, Value) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        let (s, body) = app.get(t, "/customers").await;
        if s == want || std::time::Instant::now() > deadline {
            return (s, body);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Asserts a problem+json body with the given code.
pub fn assert_problem(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], expected.as_u16(), "{body}");
}

/// Asserts a 422 `validation_failed` whose first error names `field`.
pub fn assert_invalid(status: StatusCode, body: &Value, field: &str) {
    assert_problem(
        status,
        body,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    );
    assert_eq!(body["errors"][0]["field"], field, "{body}");
}

impl TestApp {
    /// Every event in the spool (nothing ships it when there is no ClickHouse), once
    /// one satisfies `until`: the writer keeps order, so everything emitted before it is
    /// on disk too.
    pub async fn spooled_until(
        &self,
        until: impl Fn(&atrium_analytics::event::Event) -> bool,
    ) -> Vec<atrium_analytics::event::Event> {
        let dir = &self.db.config.analytics.spool_dir;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let events: Vec<atrium_analytics::event::Event> = atrium_analytics::segment::list(dir)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| std::fs::read_to_string(&s.path).ok())
                .flat_map(|text| {
                    text.lines()
                        .filter_map(|l| serde_json::from_str(l).ok())
                        .collect::<Vec<_>>()
                })
                .collect();
            if events.iter().any(&until) {
                return events;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the awaited event never reached the spool"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

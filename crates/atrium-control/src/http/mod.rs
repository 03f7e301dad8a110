//! The operator HTTP API (`atrium control`). Every route but the probes, sign-in and the
//! console's config needs the admin token or an operator's console session; tenant API
//! keys are never accepted here. Handlers parse, call one [`Control`] method, and answer.

mod audit;
mod auth;
mod backups;
mod clusters;
mod keys;
mod moves;
mod on_tenant;
mod operators;
mod overview;
mod paged;
mod session;
mod tenants;
mod usage;
mod users;

use std::sync::Arc;

use atrium_core::{
    config::Config,
    health::{self, Lifecycle},
};
use atrium_http::{
    layers::{self, with_common_layers},
    openapi, probes,
    sign_in::SignInThrottle,
    Problem, Server,
};
use axum::Router;
use utoipa::{
    openapi::security::{ApiKey, ApiKeyValue, SecurityScheme},
    Modify, OpenApi,
};
use utoipa_axum::router::OpenApiRouter;

use crate::Control;

#[derive(Clone)]
pub struct AppState {
    pub control: Control,
    /// Who may try an operator password now, by address and account.
    pub sign_in: Arc<SignInThrottle>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Atrium operator API", description = "The control plane: tenants, keys, users, operators, audit."),
    components(schemas(Problem)),
    modifiers(&Security),
    security(("admin_token" = []), ("operator_session" = []))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            openapi::bearer("The deployment's admin token, for automation"),
        );
        components.add_security_scheme(
            "operator_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                auth::COOKIE_NAME,
                "A console session from POST /v1/session; changes also need X-CSRF-Token",
            ))),
        );
    }
}

/// The routes under `/v1` and their OpenAPI document, served at `/v1/openapi.json`.
fn api(state: AppState) -> Router {
    let (router, doc) = routes_and_doc();
    layers::no_store(router.merge(openapi::route(&doc))).with_state(state)
}

/// The document served at `/v1/openapi.json` (`atrium openapi control` prints it, and the
/// web app's types are generated from it).
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes_and_doc().1
}

fn routes_and_doc() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            "/v1",
            tenants::router()
                .merge(keys::router())
                .merge(moves::router())
                .merge(audit::router())
                .merge(session::router())
                .merge(operators::router())
                .merge(users::router())
                .merge(backups::router())
                .merge(overview::router())
                .merge(usage::router())
                .merge(clusters::router()),
        )
        .split_for_parts();
    openapi::unique_operation_ids(&mut doc);
    (router, doc)
}

/// The control-plane process: its pool, the control schema migrated, and the listener
/// bound (port 0 picks one).
pub struct Application {
    /// Bound already: `server.port()` is known before serving.
    pub server: Server,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        atrium_http::metrics::install();
        let c = &config.control;
        let control = Control::new(c.clone())?
            .with_clickhouse(&config.clickhouse)?
            .with_plans(config.plans.clone());
        control.migrate_control().await?;
        // Another cluster that is down must not keep the control plane from starting:
        // its tenants wait, the others are served, and `atrium migrate` reports it.
        match control.migrate_clusters().await {
            Ok(runs) => {
                for c in runs.iter().filter(|c| c.error.is_some()) {
                    tracing::warn!(cluster = %c.cluster, error = ?c.error, "cluster's control schema not migrated");
                }
            }
            Err(e) => tracing::warn!(error = %e, "clusters' control schemas not migrated"),
        }
        if let Err(e) = control.purge_owed("control:startup").await {
            tracing::warn!(error = %e, "owed analytics purges not retried");
        }
        let lifecycle = Lifecycle::new(health::postgres_check(control.pool.clone()));
        let state = AppState {
            control,
            sign_in: Arc::new(SignInThrottle::new("control", &c.sign_in)),
        };
        match state.control.recover_moves().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(moves = n, "undid moves a stop interrupted"),
            Err(e) => tracing::warn!(error = %e, "interrupted moves not undone"),
        }
        tokio::spawn(state.control.clone().tend_moves());
        spawn_failure_summaries(state.control.clone());
        tokio::spawn(crate::backup::schedule::run(
            state.control.clone(),
            lifecycle.clone(),
        ));
        tokio::spawn(crate::usage::sampler::run(
            state.control.clone(),
            lifecycle.clone(),
        ));
        let mut app = api(state).merge(probes::router(lifecycle.clone()));
        if let Some(dir) = &c.web_dir {
            app = app.merge(atrium_http::web::spa(dir, "/console")?);
        }
        let router = with_common_layers(app, &c.http, "control");
        let server = Server::bind("control", c.listen, router, &c.http, lifecycle).await?;
        Ok(Self { server })
    }

    /// Serves until shutdown is requested, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        Ok(self.server.run_until_stopped().await?)
    }
}

/// Once a minute, one audit row for the failed sign-ins that got none of their own.
fn spawn_failure_summaries(control: Control) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = control.summarise_failed_sign_ins().await {
                tracing::warn!(error = %e, "failed sign-ins not summarised");
            }
        }
    });
}

//! The tenant-scoped CRM API under `/v1/t/{tenant}`, and its OpenAPI document.

mod analytics;
mod chaos;
mod chaos_tenant;
mod common;
mod contacts;
mod customers;
mod deals;
mod events;
mod notes;
mod orders;
mod resource;
mod session;
mod settings;
mod status;
mod team;
mod timeline;
mod users;

/// The tenant's currency and time zone, for code that counts money or days.
pub use settings::{read as tenant_settings, Settings};

use atrium_http::{layers, openapi, Problem};
use axum::{middleware, routing::post, Router};
use secrecy::SecretString;
use serde::Deserialize;
use utoipa::{
    openapi::{
        path::{Parameter, ParameterIn},
        Required,
    },
    IntoParams, OpenApi,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{tenant, AppState};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct IdPath {
    pub id: Uuid,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Atrium CRM API", description = "Tenant-scoped CRM: customers, contacts, deals, orders, notes, the customer timeline, tenant settings."),
    // Interval is only a query parameter's type, which utoipa doesn't collect by itself;
    // without it the document has a dangling $ref and no client can be generated from it.
    components(schemas(Problem, analytics::Interval)),
    security(("api_key" = []))
)]
struct ApiDoc;

fn resources() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(customers::router())
        .merge(contacts::router())
        .merge(deals::router())
        .merge(orders::router())
        .merge(notes::router())
        .merge(timeline::router())
        .merge(settings::router())
        .merge(events::router())
        .merge(analytics::router())
        .merge(session::router())
        .merge(users::router())
        .merge(team::router())
}

/// Routes reachable without credentials: sign-in and invite acceptance check their own,
/// so the resolve layer is not applied to them.
fn public() -> Router<AppState> {
    Router::new()
        .route("/sign-in", post(session::sign_in))
        .route("/invites/accept", post(users::accept))
}

/// Public routes that are in the OpenAPI document.
fn public_documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status::status))
        .merge(team::public())
}

/// Routes with tenant resolution applied, plus `/v1/openapi.json`; the chaos routes too
/// when `chaos` holds the admin token they require.
pub fn router(state: AppState, chaos: Option<SecretString>) -> Router {
    let (scoped, open, doc) = routes_and_doc();
    let resolve = middleware::from_fn_with_state(state.clone(), tenant::resolve);
    let mut app = Router::new()
        .merge(scoped.route_layer(resolve.clone()))
        .merge(open)
        .nest("/v1/t/{tenant}", public());
    if let Some(admin_token) = &chaos {
        let tenant_chaos = chaos_tenant::router(admin_token.clone()).route_layer(resolve.clone());
        app = app.merge(tenant_chaos);
    }
    if state.dev_tenant_param {
        // Learning mode: the same routes without the tenant in the path, chosen by `?tid=`.
        let (plain, _) = resources().split_for_parts();
        app = app.nest("/v1", plain.route_layer(resolve));
    }
    if let Some(admin_token) = chaos {
        app = app.merge(chaos::router(admin_token));
    }
    layers::no_store(app.merge(openapi::route(&doc))).with_state(state)
}

/// The tenant-scoped routes, the documented public ones, and the OpenAPI document that
/// describes both, built together so the document can't drift from what is served.
fn routes_and_doc() -> (Router<AppState>, Router<AppState>, utoipa::openapi::OpenApi) {
    let (scoped, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/v1/t/{tenant}", resources())
        .split_for_parts();
    let (open, open_doc) = OpenApiRouter::new()
        .nest("/v1/t/{tenant}", public_documented())
        .split_for_parts();
    doc.merge(open_doc);
    document_tenant_and_auth(&mut doc);
    openapi::unique_operation_ids(&mut doc);
    (scoped, open, doc)
}

/// The document served at `/v1/openapi.json` (`atrium openapi api` prints it, and the
/// web app's types are generated from it).
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes_and_doc().2
}

fn document_tenant_and_auth(doc: &mut utoipa::openapi::OpenApi) {
    let tenant = Parameter::builder()
        .name("tenant")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some("Tenant slug: [a-z][a-z0-9_]{2,39}"))
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String),
        ))
        .build();
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
            &mut item.put,
        ]
        .into_iter()
        .flatten()
        {
            op.parameters
                .get_or_insert_with(Vec::new)
                .insert(0, tenant.clone());
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme("api_key", openapi::bearer("A tenant API key"));
}

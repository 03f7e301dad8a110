//! Serves the built web app (`web/dist`): its hashed assets, and `index.html` for every
//! client-side route under the app's entry path (`/app` on the data plane, `/console` on
//! the control plane). The app only calls the same origin's public HTTP API, so the
//! Content-Security-Policy can be strict: nothing loads from anywhere else.

use std::path::Path;

use axum::{
    http::{header, HeaderValue},
    response::{Html, Redirect},
    routing::get,
    Router,
};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
                   base-uri 'none'; form-action 'self'";

/// Routes for the app under `entry` (e.g. "/app"). Fails when `dir` holds no build.
pub fn spa<S: Clone + Send + Sync + 'static>(
    dir: &Path,
    entry: &'static str,
) -> anyhow::Result<Router<S>> {
    let index = std::fs::read_to_string(dir.join("index.html"))
        .map_err(|e| anyhow::anyhow!("web app not built in {}: {e}", dir.display()))?;
    let page = move || {
        let index = index.clone();
        async move { Html(index) }
    };
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    let mut router = Router::new()
        .route(entry, get(page.clone()))
        .route(&format!("{entry}/{{*rest}}"), get(page))
        .route("/", get(move || async move { Redirect::temporary(entry) }))
        .nest_service("/assets", ServeDir::new(dir.join("assets")));
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    Ok(router)
}

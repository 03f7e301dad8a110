//! Most operator routes act on one tenant: `/tenants/{slug}/…`. [`OnTenant`] extracts
//! who acts and on which tenant, and [`on_tenant!`] declares the handlers that are one
//! `Control` call and an answer, with their OpenAPI entry and span.

use atrium_http::{ApiError, Path};
use axum::{extract::FromRequestParts, http::request::Parts};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{auth::Operator, AppState};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SlugPath {
    /// Tenant slug: [a-z][a-z0-9_]{2,39}
    pub slug: String,
}

/// An operator acting on the tenant named in the path (`/tenants/{slug}/…`). The slug
/// is still raw here: the `Control` method it goes to validates it first.
pub struct OnTenant {
    pub actor: String,
    pub slug: String,
}

impl FromRequestParts<AppState> for OnTenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Operator { actor } = Operator::from_request_parts(parts, state).await?;
        let Path(SlugPath { slug }) = Path::<SlugPath>::from_request_parts(parts, state).await?;
        Ok(Self { actor, slug })
    }
}

/// `$method "$path", tag "$tag" => $name -> $code $out = |$s, $t| $call`: a handler
/// answering `$code` with `$call` (made into `$out`) as JSON. `$s` is the app state and
/// `$t` the [`OnTenant`] inside `$call`; with `, body $ty as $b` before `=`, the request's
/// JSON body is `$b`; with `, query $ty as $q`, its query string is `$q`.
macro_rules! on_tenant {
    (
        $(#[$doc:meta])*
        $method:ident $path:literal, tag $tag:literal => $name:ident -> $code:literal $out:ty
        $(, body $body:ty as $b:ident)? $(, query $query:ty as $q:ident)?
        = |$s:ident, $t:ident| $call:expr
    ) => {
        $(#[$doc])*
        #[utoipa::path($method, path = $path, tag = $tag, params(super::on_tenant::SlugPath $(, $query)?),
            $(request_body = $body,)?
            responses((status = $code, body = $out),
                      (status = "4XX", body = atrium_http::Problem)))]
        #[tracing::instrument(skip_all, fields(tenant = %$t.slug))]
        async fn $name(
            axum::extract::State($s): axum::extract::State<super::AppState>,
            $t: super::on_tenant::OnTenant,
            $(atrium_http::Query($q): atrium_http::Query<$query>,)?
            $(atrium_http::Json($b): atrium_http::Json<$body>,)?
        ) -> Result<(axum::http::StatusCode, atrium_http::Json<$out>), atrium_http::ApiError> {
            let status = axum::http::StatusCode::from_u16($code).unwrap_or_default();
            Ok((status, atrium_http::Json($call.await?.into())))
        }
    };
}

pub(crate) use on_tenant;

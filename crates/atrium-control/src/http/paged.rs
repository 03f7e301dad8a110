//! [`paged!`] declares the operator API's list endpoints that are not about one tenant.

/// `"$path", tag "$tag" => $name -> $item, sorted $sorts, filter $filter as $f =
/// |$c, $keyset| $call`: a `GET` handler for an operator, answering a [`Page`] of
/// `$item`. It reads [`Paging`] and `$filter` (as `$f`) from the query string, checks the
/// sort and cursor against `$sorts` into `$keyset`, and `$call` loads that page through
/// `$c`, the [`Control`](crate::Control) service. The caller imports `atrium_http::Page`:
/// the OpenAPI macro resolves the generic type by its name in scope.
///
/// [`Page`]: atrium_http::Page
/// [`Paging`]: atrium_http::Paging
macro_rules! paged {
    (
        $(#[$doc:meta])*
        $path:literal, tag $tag:literal => $name:ident -> $item:ty, sorted $sorts:expr,
        filter $filter:ty as $f:ident = |$c:ident, $keyset:ident| $call:expr
    ) => {
        $(#[$doc])*
        #[utoipa::path(get, path = $path, tag = $tag, params(atrium_http::Paging, $filter),
            responses((status = 200, body = Page<$item>),
                      (status = "4XX", body = atrium_http::Problem)))]
        async fn $name(
            axum::extract::State(state): axum::extract::State<super::AppState>,
            _op: super::auth::Operator,
            atrium_http::Query(paging): atrium_http::Query<atrium_http::Paging>,
            atrium_http::Query($f): atrium_http::Query<$filter>,
        ) -> Result<atrium_http::Json<atrium_http::Page<$item>>, atrium_http::ApiError> {
            let $c = &state.control;
            let $keyset = paging.keyset($c.config.page, $sorts)?;
            Ok(atrium_http::Json($call.await?))
        }
    };
}

pub(crate) use paged;

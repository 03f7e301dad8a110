//! [`paged!`] declares the operator API's list endpoints that are not about one tenant.

/// `"$path", tag "$tag" => $name -> $item by $key, filter $filter as $f = |$c, $after,
/// $fetch| $call`: a `GET` handler for an operator, answering a [`Page`] of `$item`. It
/// reads [`Paging`] and `$filter` (as `$f`) from the query string, and `$call` loads up
/// to `$fetch` rows after the cursor `$after` (the `$key` of the last row of the previous
/// page) through `$c`, the [`Control`](crate::Control) service. The caller imports
/// `atrium_http::Page`: the OpenAPI macro resolves the generic type by its name in scope.
///
/// [`Page`]: atrium_http::Page
/// [`Paging`]: atrium_http::Paging
macro_rules! paged {
    (
        $(#[$doc:meta])*
        $path:literal, tag $tag:literal => $name:ident -> $item:ty, by $key:expr,
        filter $filter:ty as $f:ident = |$c:ident, $after:ident, $fetch:ident| $call:expr
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
            let page = paging
                .load($c.config.page, $key, |$after, $fetch| $call)
                .await?;
            Ok(atrium_http::Json(page))
        }
    };
}

pub(crate) use paged;

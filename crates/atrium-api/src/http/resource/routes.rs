//! The handlers of a CRM resource, written once: a resource's are the same but for its
//! types, paths and documentation.

/// Implements [`Resource`](super::Resource) for a type with `id` and `version` fields
/// and a `COLUMNS` constant in scope (alone with `@impl`), and writes its five handlers with their OpenAPI
/// documentation: `list` and `create` on `path`, and `show`, `update` and `remove` on
/// `path/{id}`, plus `crud()`, the router holding them. Each handler takes its doc
/// comment (the operation's summary) from the invocation.
macro_rules! resource {
    // The `Resource` implementation alone, for a resource whose routes are its own.
    (@impl $ty:ident { table: $table:tt, what: $what:tt }) => {
        impl $crate::http::resource::Resource for $ty {
            const TABLE: &'static str = $table;
            const WHAT: &'static str = $what;
            const COLUMNS: &'static str = COLUMNS;
            fn id(&self) -> ::uuid::Uuid {
                self.id
            }
            fn version(&self) -> i32 {
                self.version
            }
        }
    };
    (
        $ty:ident {
            table: $table:tt,
            what: $what:tt,
            path: $path:tt,
            item: $item:tt,
            tag: $tag:tt,
            filter: $filter:ident,
            new: $new:ident,
            patch: $patch:ident $(,)?
        }
        $(#[doc = $list_doc:tt])* list;
        $(#[doc = $create_doc:tt])* create;
        $(#[doc = $show_doc:tt])* show;
        $(#[doc = $update_doc:tt])* update;
        $(#[doc = $remove_doc:tt])* remove;
    ) => {
        $crate::http::resource::resource!(@impl $ty { table: $table, what: $what });

        fn crud() -> ::utoipa_axum::router::OpenApiRouter<$crate::AppState> {
            ::utoipa_axum::router::OpenApiRouter::new()
                .routes(::utoipa_axum::routes!(list, create))
                .routes(::utoipa_axum::routes!(show, update, remove))
        }

        $(#[doc = $list_doc])*
        #[utoipa::path(get, path = $path, tag = $tag, params(::atrium_http::Paging, $filter),
            responses((status = 200, body = ::atrium_http::Page<$ty>),
                      (status = "4XX", body = ::atrium_http::Problem)))]
        #[tracing::instrument(skip_all, fields(tenant = t.slug()))]
        async fn list(
            ::axum::extract::State(s): ::axum::extract::State<$crate::AppState>,
            t: $crate::tenant::Tenant,
            ::atrium_http::Query(p): ::atrium_http::Query<::atrium_http::Paging>,
            ::atrium_http::Query(f): ::atrium_http::Query<$filter>,
        ) -> Result<::atrium_http::Json<::atrium_http::Page<$ty>>, ::atrium_http::ApiError> {
            $crate::http::resource::list(&s, &t, p, f).await
        }

        $(#[doc = $create_doc])*
        #[utoipa::path(post, path = $path, tag = $tag, request_body = $new,
            responses((status = 201, body = $ty), (status = "4XX", body = ::atrium_http::Problem)))]
        #[tracing::instrument(skip_all, fields(tenant = t.slug()))]
        async fn create(
            ::axum::extract::State(s): ::axum::extract::State<$crate::AppState>,
            t: $crate::tenant::Tenant,
            ::atrium_http::Json(body): ::atrium_http::Json<$new>,
        ) -> Result<
            (::axum::http::StatusCode, ::axum::http::HeaderMap, ::atrium_http::Json<$ty>),
            ::atrium_http::ApiError,
        > {
            $crate::http::resource::create(&s, &t, body).await
        }

        $(#[doc = $show_doc])*
        #[utoipa::path(get, path = $item, tag = $tag, params($crate::http::IdPath),
            responses((status = 200, body = $ty), (status = "4XX", body = ::atrium_http::Problem)))]
        #[tracing::instrument(skip_all, fields(tenant = r.slug()))]
        async fn show(
            r: $crate::http::resource::Item,
        ) -> Result<(::axum::http::HeaderMap, ::atrium_http::Json<$ty>), ::atrium_http::ApiError> {
            $crate::http::resource::show(&r).await
        }

        $(#[doc = $update_doc])*
        #[utoipa::path(patch, path = $item, tag = $tag, params($crate::http::IdPath),
            request_body = $patch,
            responses((status = 200, body = $ty), (status = 412, body = ::atrium_http::Problem),
                      (status = "4XX", body = ::atrium_http::Problem)))]
        #[tracing::instrument(skip_all, fields(tenant = r.slug()))]
        async fn update(
            r: $crate::http::resource::Item,
            if_match: $crate::http::common::IfMatch,
            ::atrium_http::Json(patch): ::atrium_http::Json<$patch>,
        ) -> Result<(::axum::http::HeaderMap, ::atrium_http::Json<$ty>), ::atrium_http::ApiError> {
            $crate::http::resource::update(&r, if_match, patch).await
        }

        $(#[doc = $remove_doc])*
        #[utoipa::path(delete, path = $item, tag = $tag, params($crate::http::IdPath),
            responses((status = 204), (status = 412, body = ::atrium_http::Problem),
                      (status = "4XX", body = ::atrium_http::Problem)))]
        #[tracing::instrument(skip_all, fields(tenant = r.slug()))]
        async fn remove(
            r: $crate::http::resource::Item,
            if_match: $crate::http::common::IfMatch,
        ) -> Result<::axum::http::StatusCode, ::atrium_http::ApiError> {
            $crate::http::resource::delete::<$ty>(&r, if_match).await
        }
    };
}
pub(crate) use resource;

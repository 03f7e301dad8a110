//! What both planes' OpenAPI documents share: how a bearer token is described, and
//! serving the document at `/v1/openapi.json`.

use axum::{routing::get, Json, Router};
use utoipa::openapi::{
    security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    OpenApi,
};

/// An `Authorization: Bearer` scheme.
pub fn bearer(description: &str) -> SecurityScheme {
    SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(description))
            .build(),
    )
}

/// `/v1/openapi.json`, rendered once at startup.
pub fn route<S: Clone + Send + Sync + 'static>(doc: &OpenApi) -> Router<S> {
    let json = serde_json::to_value(doc).unwrap_or_default();
    Router::new().route("/v1/openapi.json", get(move || async move { Json(json) }))
}

/// OpenAPI wants every `operationId` unique, and generated clients key operations by it,
/// but utoipa takes the handler's name, so every resource has a `list` and a `create`.
/// Repeated ids get the path's last fixed segment in front (`customers_list`), and the
/// method too if that is not enough.
pub fn unique_operation_ids(doc: &mut OpenApi) {
    use std::collections::HashMap;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in doc.paths.paths.values() {
        for op in operations(item) {
            if let Some(id) = &op.operation_id {
                *seen.entry(id.clone()).or_default() += 1;
            }
        }
    }
    let mut taken: HashMap<String, usize> = HashMap::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        let noun = path
            .split('/')
            .rev()
            .find(|s| !s.is_empty() && !s.starts_with('{'))
            .unwrap_or("root")
            .replace('-', "_");
        for (method, op) in operations_mut(item) {
            let Some(id) = op.operation_id.clone() else {
                continue;
            };
            if seen.get(&id).copied().unwrap_or(0) < 2 {
                continue;
            }
            let mut new = format!("{noun}_{id}");
            if taken.contains_key(&new) {
                new = format!("{noun}_{method}_{id}");
            }
            *taken.entry(new.clone()).or_default() += 1;
            op.operation_id = Some(new);
        }
    }
}

fn operations(
    item: &utoipa::openapi::PathItem,
) -> impl Iterator<Item = &utoipa::openapi::path::Operation> {
    [&item.get, &item.post, &item.put, &item.patch, &item.delete]
        .into_iter()
        .flatten()
}

fn operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (&'static str, &mut utoipa::openapi::path::Operation)> {
    [
        ("get", &mut item.get),
        ("post", &mut item.post),
        ("put", &mut item.put),
        ("patch", &mut item.patch),
        ("delete", &mut item.delete),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_mut().map(|op| (m, op)))
}

#[cfg(test)]
mod tests {
    use utoipa::openapi::{
        path::{HttpMethod, OperationBuilder},
        OpenApiBuilder, PathItem, PathsBuilder,
    };

    use super::*;

    fn op(id: &str) -> PathItem {
        PathItem::new(
            HttpMethod::Get,
            OperationBuilder::new().operation_id(Some(id)),
        )
    }

    #[test]
    fn repeated_operation_ids_are_told_apart_by_their_path() {
        let paths = PathsBuilder::new()
            .path("/v1/t/{tenant}/customers", op("list"))
            .path("/v1/t/{tenant}/deals", op("list"))
            .path("/v1/t/{tenant}/deals/{id}/stage", op("change_stage"));
        let mut doc = OpenApiBuilder::new().paths(paths).build();
        unique_operation_ids(&mut doc);
        let ids: Vec<_> = doc
            .paths
            .paths
            .values()
            .filter_map(|p| p.get.as_ref()?.operation_id.clone())
            .collect();
        assert_eq!(ids, ["customers_list", "deals_list", "change_stage"]);
    }
}

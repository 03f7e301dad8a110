use atrium_core::domain::ValidationError;
use axum::{
    extract::{rejection::JsonRejection, FromRequest, Request},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Serialize;

use crate::ApiError;

/// `axum::Json`, but its rejections are problem+json with stable codes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::bad_request(
                "unsupported_media_type",
                "expected Content-Type: application/json",
            )),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError::Validation(vec![ValidationError::new(
                    "body",
                    e.body_text(),
                )]))
            }
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(
                ApiError::PayloadTooLarge("the request body is too large".into()),
            ),
            Err(e) => Err(ApiError::bad_request("invalid_json", e.body_text())),
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `201 Created` with the new thing as JSON.
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, axum::Json(self.0)).into_response()
    }
}

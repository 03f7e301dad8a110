//! The one error type both HTTP services return, rendered as RFC 9457 problem+json.
//!
//! `code` is the stable, machine-readable part: clients switch on it, never on `detail`.
//! A 500 logs its whole cause chain and returns nothing but a correlation hint.

use atrium_core::{
    domain::{DomainError, ValidationError},
    tenancy::SlugError,
};
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidTenantSlug(#[from] SlugError),
    #[error("missing or invalid credentials")]
    Unauthorized,
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    #[error("{0}")]
    NotFound(&'static str),
    #[error("tenant is suspended; its data is kept and it can be resumed by an operator")]
    TenantSuspended,
    #[error("the request body failed validation")]
    Validation(Vec<ValidationError>),
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("the resource changed since it was read (current version {current})")]
    VersionMismatch { current: i32 },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{detail}")]
    Unavailable { code: &'static str, detail: String },
    #[error("too many requests; retry after {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    /// The tenant's connection share stayed taken for as long as a request may wait, or
    /// its queue is full, or it used its database time: other tenants are unaffected.
    #[error("this tenant has too much work in progress; retry after {retry_after_s} s")]
    TenantBusy { retry_after_s: u64 },
    /// Over a plan quota the control plane measured: `storage` refuses writes (403, reads
    /// and deletes still work), `events` refuses tracking until the month ends (429).
    #[error("the tenant is over its {quota} quota")]
    QuotaExceeded {
        quota: &'static str,
        retry_after_s: Option<u64>,
    },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The `code` of an error response, for layers that count refusals by reason.
#[derive(Debug, Clone, Copy)]
pub struct ProblemCode(pub &'static str);

impl ProblemCode {
    /// A refusal by one of the tenant's limits (its rate, its share, its quotas).
    pub fn is_limit(&self) -> bool {
        matches!(self.0, "rate_limited" | "tenant_busy" | "quota_exceeded")
    }
}

/// What a 503 tells clients to wait before retrying, in seconds.
pub const UNAVAILABLE_RETRY_AFTER_S: &str = "1";

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code.
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ValidationError>,
}

impl ApiError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![ValidationError::new(field, message)])
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            detail: detail.into(),
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidTenantSlug(_) | ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::TenantSuspended => StatusCode::LOCKED,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::RateLimited { .. } | ApiError::TenantBusy { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::QuotaExceeded {
                retry_after_s: None,
                ..
            } => StatusCode::FORBIDDEN,
            ApiError::QuotaExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidTenantSlug(_) => "invalid_tenant_slug",
            ApiError::Unauthorized => "unauthorized",
            ApiError::NotFound("tenant") => "tenant_not_found",
            // Link pages: one code for unknown, expired, revoked and used tokens alike.
            ApiError::NotFound("invite") => "invite_invalid",
            ApiError::NotFound("password reset") => "reset_invalid",
            ApiError::NotFound(_) => "not_found",
            ApiError::TenantSuspended => "tenant_suspended",
            ApiError::Validation(_) => "validation_failed",
            ApiError::BadRequest { code, .. }
            | ApiError::Forbidden { code, .. }
            | ApiError::Conflict { code, .. }
            | ApiError::Unavailable { code, .. } => code,
            ApiError::VersionMismatch { .. } => "version_mismatch",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::TenantBusy { .. } => "tenant_busy",
            ApiError::QuotaExceeded { .. } => "quota_exceeded",
            ApiError::Internal(_) => "internal",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::NotFound(what) => format!("{what} not found"),
            ApiError::InvalidTenantSlug(e) => format!("invalid tenant slug: {e}"),
            other => other.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        let retry_after = match &self {
            ApiError::RateLimited { retry_after_s }
            | ApiError::TenantBusy { retry_after_s }
            | ApiError::QuotaExceeded {
                retry_after_s: Some(retry_after_s),
                ..
            } => HeaderValue::from_str(&retry_after_s.to_string()).ok(),
            // A failover or a busy pool passes within seconds.
            ApiError::Unavailable { .. } => {
                Some(HeaderValue::from_static(UNAVAILABLE_RETRY_AFTER_S))
            }
            _ => None,
        };
        if let ApiError::Internal(err) = &self {
            tracing::error!(error = format!("{err:#}"), "request failed");
        }
        let problem = Problem {
            kind: format!(
                "https://atrium.dev/problems/{}",
                self.code().replace('_', "-")
            ),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code().to_owned(),
            rule: match &self {
                ApiError::InvalidTenantSlug(e) => Some(e.rule().to_owned()),
                _ => None,
            },
            errors: match self {
                ApiError::Validation(errors) => errors,
                _ => Vec::new(),
            },
        };
        let mut response = (status, axum::Json(problem)).into_response();
        response.extensions_mut().insert(ProblemCode(code));
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(v) = retry_after {
            headers.insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        ApiError::Internal(err)
    }
}

impl From<ValidationError> for ApiError {
    fn from(err: ValidationError) -> Self {
        ApiError::Validation(vec![err])
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::Slug(e) => ApiError::InvalidTenantSlug(e),
            DomainError::Invalid(e) => e.into(),
            DomainError::NotFound(what) => ApiError::NotFound(what),
            DomainError::Conflict { code, detail } => ApiError::Conflict { code, detail },
            DomainError::Unavailable { code, detail } => ApiError::Unavailable { code, detail },
            DomainError::Db(e) => e.into(),
            DomainError::Internal(e) => ApiError::Internal(e),
        }
    }
}
